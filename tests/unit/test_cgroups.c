// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for cgroups: cgroups_find_mount over mountinfo fixtures, and the
 * id -> path map on a temporary directory (not a cgroup filesystem), fed through
 * cgroups_added/cgroups_removed. A miss in cgroups_path rescans the mount; this
 * file defines nftw(), which the module's call binds to at link time, to count
 * those rescans before handing over to the C library's nftw.
 */
#include <dlfcn.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "enrich/cgroups.h"
#include "unit.h"

static char dir[PATH_MAX];
static char mi[PATH_MAX + 32];
static int nftw_calls;

typedef int (*nftw_fn)(const char *, int (*)(const char *, const struct stat *, int, struct FTW *),
		       int, int);

int nftw(const char *path, int (*fn)(const char *, const struct stat *, int, struct FTW *),
	 int nopenfd, int flags)
{
	static nftw_fn real;

	nftw_calls++;
	if (!real)
		real = (nftw_fn)dlsym(RTLD_NEXT, "nftw");
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	return real(path, fn, nopenfd, flags);
}

static void write_mountinfo(const char *text)
{
	FILE *f = fopen(mi, "w");

	if (!f) {
		perror(mi);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
}

static int find(const char *text, char *out, size_t len)
{
	write_mountinfo(text);
	memset(out, 0, len);
	return cgroups_find_mount(mi, out, len);
}

#define L_ROOT "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
#define L_SYS  "23 22 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw\n"
#define L_CGTMPF \
	"24 23 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:3 - tmpfs tmpfs ro,mode=755\n"
#define L_V1SYSD                                                               \
	"25 24 0:23 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime " \
	"shared:4 - cgroup cgroup rw,xattr,name=systemd\n"
#define L_V1MEM                                                               \
	"26 24 0:24 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime " \
	"shared:5 - cgroup cgroup rw,memory\n"
#define L_UNIFIED                                                              \
	"27 24 0:25 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime " \
	"shared:6 - cgroup2 cgroup2 rw,nsdelegate\n"

static void test_find_mount(void)
{
	char out[PATH_MAX];

	/* systemd hybrid: tmpfs at /sys/fs/cgroup, v1 controllers, cgroup2 at unified */
	ASSERT_EQ(find(L_ROOT L_SYS L_CGTMPF L_V1SYSD L_V1MEM L_UNIFIED, out, sizeof(out)), 0);
	ASSERT_STREQ(out, "/sys/fs/cgroup/unified");

	/* unified hierarchy */
	ASSERT_EQ(find(L_ROOT L_SYS
		       "35 23 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - "
		       "cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n",
		       out, sizeof(out)),
		  0);
	ASSERT_STREQ(out, "/sys/fs/cgroup");

	/* the first cgroup2 mount wins */
	ASSERT_EQ(find(L_ROOT "40 22 0:40 / /first rw - cgroup2 cgroup2 rw\n"
			      "41 22 0:40 / /second rw - cgroup2 cgroup2 rw\n",
		       out, sizeof(out)),
		  0);
	ASSERT_STREQ(out, "/first");

	/* no cgroup2 mount (v1 only, or nothing at all) */
	ASSERT_EQ(find(L_ROOT L_SYS L_CGTMPF L_V1SYSD L_V1MEM, out, sizeof(out)), -ENOENT);
	ASSERT_EQ(find("", out, sizeof(out)), -ENOENT);
	/* "cgroup2" elsewhere on a line is not the filesystem type */
	ASSERT_EQ(find("50 22 0:50 / /cgroup2 rw shared:1 - tmpfs cgroup2 rw\n"
		       "51 22 0:51 / /mnt rw - cgroup2fs none rw\n"
		       "52 22 0:52 / /x\\040-\\040cgroup2 rw - tmpfs none rw\n",
		       out, sizeof(out)),
		  -ENOENT);
	/* a line without the " - " separator is skipped */
	ASSERT_EQ(find("garbage cgroup2 cgroup2\n", out, sizeof(out)), -ENOENT);

	/* escaped space (and backslash) in the mount point */
	ASSERT_EQ(find(L_ROOT "60 22 0:60 / /mnt/my\\040cgroup rw,relatime - cgroup2 none rw\n",
		       out, sizeof(out)),
		  0);
	ASSERT_STREQ(out, "/mnt/my cgroup");
	ASSERT_EQ(find("61 22 0:61 / /a\\011b\\134c\\040 rw - cgroup2 none rw\n", out, sizeof(out)),
		  0);
	ASSERT_STREQ(out, "/a\tb\\c ");
	/* a backslash not followed by three octal digits is kept as is */
	ASSERT_EQ(find("62 22 0:62 / /a\\9b\\04 rw - cgroup2 none rw\n", out, sizeof(out)), 0);
	ASSERT_STREQ(out, "/a\\9b\\04");

	/* optional fields (several, or none) before the separator */
	ASSERT_EQ(find(L_ROOT "70 22 0:70 / /sys/fs/cgroup rw,nosuid shared:12 master:3 "
			      "propagate_from:2 unbindable - cgroup2 cgroup2 rw\n",
		       out, sizeof(out)),
		  0);
	ASSERT_STREQ(out, "/sys/fs/cgroup");
	ASSERT_EQ(
		find("71 22 0:71 /kubepods /host/cgroup rw - cgroup2 cgroup2 rw", out, sizeof(out)),
		0); /* no trailing newline either */
	ASSERT_STREQ(out, "/host/cgroup");

	/* output buffer too small; exactly big enough */
	ASSERT_EQ(find(L_UNIFIED, out, 10), -ENAMETOOLONG);
	ASSERT_EQ(find(L_UNIFIED, out, sizeof("/sys/fs/cgroup/unified")), 0);
	ASSERT_STREQ(out, "/sys/fs/cgroup/unified");

	/* a missing file */
	{
		char missing[PATH_MAX + 32];

		snprintf(missing, sizeof(missing), "%s/nope", dir);
		ASSERT_EQ(cgroups_find_mount(missing, out, sizeof(out)), -ENOENT);
	}

	/* the real one parses (whatever this host has) */
	{
		int rc = cgroups_find_mount("/proc/self/mountinfo", out, sizeof(out));

		ASSERT_TRUE(rc == 0 || rc == -ENOENT);
		if (rc == 0)
			ASSERT_TRUE(out[0] == '/');
	}
}

static void mkdir_p(const char *rel)
{
	char p[PATH_MAX * 2];

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	if (mkdir(p, 0755) && errno != EEXIST) {
		perror(p);
		exit(2);
	}
}

static void test_map(void)
{
	struct cgroups *c;
	const char *p;
	bool removed;
	char mnt[PATH_MAX + 8];

	snprintf(mnt, sizeof(mnt), "%s//", dir);
	c = cgroups_new(mnt, 16);
	ASSERT_NOTNULL(c);
	if (!c)
		return;
	ASSERT_STREQ(cgroups_mount(c), dir); /* trailing slashes dropped */
	ASSERT_EQ(cgroups_count(c), 0);

	cgroups_added(c, 100, "/kubepods.slice", strlen("/kubepods.slice"));
	cgroups_added(c, 101, "/kubepods.slice/pod1", strlen("/kubepods.slice/pod1"));
	cgroups_added(c, 102, "no/leading/slash", strlen("no/leading/slash"));
	cgroups_added(c, 103, "//double", strlen("//double"));
	cgroups_added(c, 104, "/", 1);
	cgroups_added(c, 105, "/a/bXYZ", 4); /* len, not the NUL, ends the path */
	cgroups_added(c, 106, "", 0);
	ASSERT_EQ(cgroups_count(c), 7);

	removed = true;
	p = cgroups_path(c, 100, &removed);
	ASSERT_STREQ(p, "kubepods.slice");
	ASSERT_FALSE(removed);
	ASSERT_STREQ(cgroups_path(c, 101, NULL), "kubepods.slice/pod1");
	ASSERT_STREQ(cgroups_path(c, 102, NULL), "no/leading/slash");
	ASSERT_STREQ(cgroups_path(c, 103, NULL), "double");
	ASSERT_STREQ(cgroups_path(c, 104, NULL), ""); /* the root */
	ASSERT_STREQ(cgroups_path(c, 105, NULL), "a/b");
	ASSERT_STREQ(cgroups_path(c, 106, NULL), "");

	/* removed: still named, flagged */
	cgroups_removed(c, 101);
	removed = false;
	p = cgroups_path(c, 101, &removed);
	ASSERT_STREQ(p, "kubepods.slice/pod1");
	ASSERT_TRUE(removed);
	removed = true;
	cgroups_path(c, 100, &removed);
	ASSERT_FALSE(removed);	 /* others untouched */
	cgroups_removed(c, 999); /* unknown id: nothing happens */
	ASSERT_EQ(cgroups_count(c), 7);

	/* re-adding replaces the path and clears the flag */
	cgroups_added(c, 101, "/kubepods.slice/pod1-new", strlen("/kubepods.slice/pod1-new"));
	removed = true;
	ASSERT_STREQ(cgroups_path(c, 101, &removed), "kubepods.slice/pod1-new");
	ASSERT_FALSE(removed);
	ASSERT_EQ(cgroups_count(c), 7);

	/* a miss on a directory that is not a cgroup fs: NULL, and the rescan
	 * it may trigger adds nothing and changes nothing */
	mkdir_p("sub");
	mkdir_p("sub/child");
	removed = true;
	ASSERT_NULL(cgroups_path(c, 12345, &removed));
	ASSERT_TRUE(removed); /* untouched on a miss */
	ASSERT_EQ(cgroups_count(c), 7);
	ASSERT_STREQ(cgroups_path(c, 100, NULL), "kubepods.slice");
	ASSERT_EQ(cgroups_scan(c), 0);
	ASSERT_EQ(cgroups_count(c), 7);
	ASSERT_EQ(cgroups_id_of(dir), 0); /* not cgroup2: no id */
	ASSERT_EQ(cgroups_evictions(c), 0);
	ASSERT_TRUE(cgroups_bytes(c) > 16 * sizeof(void *));
	cgroups_free(c);
	cgroups_free(NULL);

	ASSERT_NULL(cgroups_new(dir, 0));

	/* mount "/" keeps its slash */
	c = cgroups_new("/", 4);
	ASSERT_STREQ(cgroups_mount(c), "/");
	cgroups_free(c);
}

static void test_eviction(void)
{
	struct cgroups *c = cgroups_new(dir, 4);
	char path[32];

	for (uint64_t id = 1; id <= 4; id++) {
		snprintf(path, sizeof(path), "/cg%llu", (unsigned long long)id);
		cgroups_added(c, id, path, strlen(path));
	}
	ASSERT_EQ(cgroups_count(c), 4);
	ASSERT_EQ(cgroups_evictions(c), 0);
	ASSERT_STREQ(cgroups_path(c, 1, NULL), "cg1"); /* 1 is now the most recent */

	cgroups_added(c, 5, "/cg5", 4); /* evicts 2, the least recently used */
	ASSERT_EQ(cgroups_count(c), 4);
	ASSERT_EQ(cgroups_evictions(c), 1);
	ASSERT_NULL(cgroups_path(c, 2, NULL));
	ASSERT_STREQ(cgroups_path(c, 1, NULL), "cg1");
	ASSERT_STREQ(cgroups_path(c, 3, NULL), "cg3");
	ASSERT_STREQ(cgroups_path(c, 4, NULL), "cg4");
	ASSERT_STREQ(cgroups_path(c, 5, NULL), "cg5");

	for (uint64_t id = 100; id < 200; id++) {
		snprintf(path, sizeof(path), "/many/%llu", (unsigned long long)id);
		cgroups_added(c, id, path, strlen(path));
	}
	ASSERT_EQ(cgroups_count(c), 4);
	ASSERT_EQ(cgroups_evictions(c), 101);
	ASSERT_STREQ(cgroups_path(c, 199, NULL), "many/199");
	ASSERT_STREQ(cgroups_path(c, 196, NULL), "many/196");
	ASSERT_NULL(cgroups_path(c, 195, NULL));
	cgroups_free(c); /* ASan: every evicted/replaced path was freed */
}

static double now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void test_rescan_rate_limit(void)
{
	struct cgroups *c = cgroups_new(dir, 8);
	double t;
	int before;

	cgroups_added(c, 1, "/known", 6);

	/* a hit never rescans */
	nftw_calls = 0;
	for (int i = 0; i < 100; i++)
		ASSERT_STREQ(cgroups_path(c, 1, NULL), "known");
	ASSERT_EQ(nftw_calls, 0);

	/* the first miss rescans; a burst of misses right after does not */
	ASSERT_NULL(cgroups_path(c, 2, NULL));
	ASSERT_EQ(nftw_calls, 1);
	for (int i = 0; i < 1000; i++)
		ASSERT_NULL(cgroups_path(c, 1000 + i, NULL));
	ASSERT_EQ(nftw_calls, 1);

	/* a second later, a miss rescans again */
	sleep_s(1.05);
	ASSERT_NULL(cgroups_path(c, 2, NULL));
	ASSERT_EQ(nftw_calls, 2);
	ASSERT_NULL(cgroups_path(c, 3, NULL));
	ASSERT_EQ(nftw_calls, 2);

	/* two misses 50 ms apart across a wall-clock second boundary: one rescan */
	sleep_s(1.05);
	t = now_real();
	t -= (long)t; /* fraction of the current second */
	sleep_s(t < 0.97 ? 0.97 - t : 1.97 - t);
	before = nftw_calls;
	ASSERT_NULL(cgroups_path(c, 4, NULL)); /* at about x.97 s */
	sleep_s(0.05);
	ASSERT_NULL(cgroups_path(c, 5, NULL)); /* at about (x+1).02 s */
	ASSERT_EQ(nftw_calls - before, 1);

	/* an explicit scan counts as the latest rescan */
	sleep_s(1.05);
	cgroups_scan(c);
	before = nftw_calls;
	ASSERT_NULL(cgroups_path(c, 6, NULL));
	ASSERT_EQ(nftw_calls, before);

	/* none of it disturbed the map */
	ASSERT_EQ(cgroups_count(c), 1);
	ASSERT_STREQ(cgroups_path(c, 1, NULL), "known");
	cgroups_free(c);
}

static void rm_tree(void)
{
	char p[PATH_MAX * 2];

	snprintf(p, sizeof(p), "%s/sub/child", dir);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/sub", dir);
	rmdir(p);
	unlink(mi);
	rmdir(dir);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/cw-test-cgroups.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(mi, sizeof(mi), "%s/mountinfo", dir);

	RUN(test_find_mount);
	RUN(test_map);
	RUN(test_eviction);
	RUN(test_rescan_rate_limit);

	rm_tree();
	return unit_report("cgroups");
}
