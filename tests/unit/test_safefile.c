// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for safefile (run as root). A fake host root is built under /tmp with the hostile
 * things a pod could plant: symlinks out to /etc/shadow and to a file outside the root,
 * absolute and relative escaping directory symlinks, a FIFO, a 50 MiB sparse file, and the
 * kubelet's atomic-writer token layout. Every case runs with openat2 and with the fallback
 * walk. inotify watches /etc/shadow and the outside file to prove neither is ever opened.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/safefile.h"
#include "unit.h"

#define TOKDIR                                                               \
	"var/lib/kubelet/pods/8f2c1b9e-3d4a-4c5b-9e6f-7a8b9c0d1e2f/volumes/" \
	"kubernetes.io~projected/tok"
#define TS_DIR	   "..2026_11_29_00_00_00.123456789"
#define TOKEN_TEXT "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0In0.CWTESTSIG"

static char root[PATH_MAX], outside[PATH_MAX];
static int rootfd = -1, ino_fd = -1;

static void must(int ok, const char *what)
{
	if (!ok) {
		perror(what);
		exit(2);
	}
}

static void write_file(const char *rel, const char *text)
{
	char p[PATH_MAX * 2];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	must(fd >= 0, p);
	must(write(fd, text, strlen(text)) == (ssize_t)strlen(text), "write");
	close(fd);
}

static void mk(const char *rel)
{
	char p[PATH_MAX * 2];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	must(mkdir(p, 0755) == 0, p);
}

static void ln(const char *target, const char *rel)
{
	char p[PATH_MAX * 2];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	must(symlink(target, p) == 0, p);
}

static void setup(void)
{
	char p[PATH_MAX * 2];
	int fd;

	strcpy(outside, "/tmp/cw-safefile-outside.XXXXXX");
	must(mkdtemp(outside) != NULL, "mkdtemp");
	snprintf(p, sizeof(p), "%s/secret", outside);
	fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	must(fd >= 0 && write(fd, "OUTSIDE", 7) == 7, "outside secret");
	close(fd);

	strcpy(root, "/tmp/cw-safefile-root.XXXXXX");
	must(mkdtemp(root) != NULL, "mkdtemp");
	mk("etc");
	write_file("etc/hostname", "DECOY\n");
	mk("dir");
	write_file("dir/a", "a");
	write_file("dir/b", "b");
	write_file("exact16", "0123456789abcdef");
	write_file("empty", "");
	ln("/etc/shadow", "shadowlink");
	ln(p, "outlink"); /* absolute path of the outside secret */
	ln("/etc", "lnk");
	ln("../../../../../../../../etc", "esc");
	ln("dir", "dirlink");
	snprintf(p, sizeof(p), "%s/fifo", root);
	must(mkfifo(p, 0600) == 0, "mkfifo");
	snprintf(p, sizeof(p), "%s/big", root);
	fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	must(fd >= 0 && ftruncate(fd, 50 << 20) == 0, "sparse");
	close(fd);

	/* Atomic writer: token -> ..data/token, ..data -> ..<timestamp>/ */
	mk("var");
	mk("var/lib");
	mk("var/lib/kubelet");
	mk("var/lib/kubelet/pods");
	mk("var/lib/kubelet/pods/8f2c1b9e-3d4a-4c5b-9e6f-7a8b9c0d1e2f");
	mk("var/lib/kubelet/pods/8f2c1b9e-3d4a-4c5b-9e6f-7a8b9c0d1e2f/volumes");
	mk("var/lib/kubelet/pods/8f2c1b9e-3d4a-4c5b-9e6f-7a8b9c0d1e2f/volumes/"
	   "kubernetes.io~projected");
	mk(TOKDIR);
	mk(TOKDIR "/" TS_DIR);
	write_file(TOKDIR "/" TS_DIR "/token", TOKEN_TEXT);
	ln(TS_DIR, TOKDIR "/..data");
	ln("..data/token", TOKDIR "/token");

	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	must(rootfd >= 0, "open root");

	/* Watch what must never be opened. */
	ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	must(ino_fd >= 0, "inotify_init1");
	must(inotify_add_watch(ino_fd, "/etc/shadow", IN_OPEN | IN_ACCESS) >= 0, "watch shadow");
	snprintf(p, sizeof(p), "%s/secret", outside);
	must(inotify_add_watch(ino_fd, p, IN_OPEN | IN_ACCESS) >= 0, "watch outside");
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)f;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

static void teardown(void)
{
	close(rootfd);
	close(ino_fd);
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	nftw(outside, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Read rel and compare with want (NULL: expect error `err`). */
static void expect(unsigned int mode, const char *rel, size_t max, int err, const char *want)
{
	char *buf = (char *)1;
	size_t len = 99;
	int rc = safefile_read_flags(rootfd, rel, max, mode, &buf, &len);

	unit_current = rel;
	ASSERT_EQ(rc, err);
	if (want) {
		ASSERT_STREQ(buf, want);
		ASSERT_EQ(len, strlen(want));
	} else {
		ASSERT_NULL(buf);
		ASSERT_EQ(len, 0);
	}
	free(buf);
}

static void test_both_modes(void)
{
	static const unsigned int modes[] = { 0, SAFEFILE_WALK };

	for (int m = 0; m < 2; m++) {
		unsigned int mode = modes[m];
		bool walk = mode & SAFEFILE_WALK;

		/* Plain reads. */
		expect(mode, "etc/hostname", 4096, 0, "DECOY\n");
		expect(mode, "/etc/hostname", 4096, 0, "DECOY\n"); /* absolute = below the root */
		expect(mode, "./etc//hostname", 4096, 0, "DECOY\n");
		expect(mode, "empty", 0, 0, "");
		expect(mode, "exact16", 16, 0, "0123456789abcdef");
		expect(mode, "exact16", 15, -EFBIG, NULL);
		expect(mode, "missing", 4096, -ENOENT, NULL);
		expect(mode, "etc/missing/x", 4096, -ENOENT, NULL);
		expect(mode, "etc/hostname/x", 4096, -ENOTDIR, NULL);

		/* Symlinks as the last component, to /etc/shadow and out of the root. */
		expect(mode, "shadowlink", 4096, -ELOOP, NULL);
		/* Trailing slash: followed as an intermediate link, so <root>/etc/shadow. */
		expect(mode, "shadowlink/", 4096, walk ? -ELOOP : -ENOENT, NULL);
		expect(mode, "outlink", 4096, -ELOOP, NULL);

		/* An absolute / escaping symlink in the middle lands inside the root. */
		expect(mode, "lnk/hostname", 4096, walk ? -ELOOP : 0, walk ? NULL : "DECOY\n");
		expect(mode, "esc/hostname", 4096, walk ? -ELOOP : 0, walk ? NULL : "DECOY\n");
		expect(mode, "lnk/shadow", 4096, walk ? -ELOOP : -ENOENT, NULL);

		/* ".." is refused before any lookup. */
		expect(mode, "../etc/shadow", 4096, -EXDEV, NULL);
		expect(mode, "etc/../../../etc/shadow", 4096, -EXDEV, NULL);
		expect(mode, "..", 4096, -EXDEV, NULL);
		expect(mode, "..data/x/..", 4096, -EXDEV, NULL);

		/* Atomic-writer token: the name is a symlink; ..data/token is the way in. */
		expect(mode, TOKDIR "/token", 4096, -ELOOP, NULL);
		expect(mode, TOKDIR "/..data/token", 4096, walk ? -ELOOP : 0,
		       walk ? NULL : TOKEN_TEXT);
		expect(mode, TOKDIR "/" TS_DIR "/token", 4096, 0, TOKEN_TEXT);

		/* Not regular files. */
		expect(mode, "dir", 4096, -EISDIR, NULL);
		expect(mode, "", 4096, -EISDIR, NULL); /* the root itself */
		unit_current = "fifo";
		{
			long long t0 = now_ns();

			alarm(10); /* a blocking open would be killed here, failing the test */
			expect(mode, "fifo", 4096, -EINVAL, NULL);
			alarm(0);
			ASSERT_TRUE(now_ns() - t0 < 100000000LL);
		}

		/* 50 MiB sparse file: refused from its size, nothing read. */
		unit_current = "big";
		{
			long long t0 = now_ns();

			expect(mode, "big", 1 << 20, -EFBIG, NULL);
			ASSERT_TRUE(now_ns() - t0 < 20000000LL); /* 20 ms: no 50 MiB read */
		}
	}
	unit_current = "test_both_modes";
}

static void test_never_opened(void)
{
	char ev[4096];
	ssize_t n = read(ino_fd, ev, sizeof(ev));

	/* No IN_OPEN / IN_ACCESS on /etc/shadow or the outside file during all of the above. */
	ASSERT_EQ(n, -1);
	ASSERT_EQ(errno, EAGAIN);
	/* And the watch works: opening the outside file ourselves is seen. */
	char p[PATH_MAX * 2];
	int fd;

	snprintf(p, sizeof(p), "%s/secret", outside);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	ASSERT_TRUE(fd >= 0);
	close(fd);
	n = read(ino_fd, ev, sizeof(ev));
	ASSERT_TRUE(n > 0);
}

static void test_args(void)
{
	char *buf;
	size_t len;
	char longp[PATH_MAX + 16];

	ASSERT_EQ(safefile_read(-1, "etc/hostname", 10, &buf, &len), -EBADF);
	ASSERT_EQ(safefile_read(rootfd, NULL, 10, &buf, &len), -EINVAL);
	ASSERT_EQ(safefile_read(rootfd, "etc/hostname", 10, NULL, &len), -EINVAL);
	ASSERT_EQ(safefile_read(rootfd, "etc/hostname", SIZE_MAX, &buf, &len), -EINVAL);
	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	ASSERT_EQ(safefile_read(rootfd, longp, 10, &buf, &len), -ENAMETOOLONG);
	ASSERT_EQ(safefile_open(rootfd, "etc/hostname", 10, 0) >= 0, 1);
}

/* procfs: fstat says 0 bytes, so only the read limit can stop it. Also magic links. */
static void test_proc(void)
{
	int slash = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	char rel[64], *buf;
	size_t len;

	if (slash < 0) {
		UNIT_FAIL("open /");
		return;
	}
	snprintf(rel, sizeof(rel), "proc/%d/status", (int)getpid());
	ASSERT_EQ(safefile_read(slash, rel, 16, &buf, &len), -EFBIG);
	ASSERT_EQ(safefile_read(slash, rel, 1 << 16, &buf, &len), 0);
	ASSERT_TRUE(len > 16 && strncmp(buf, "Name:", 5) == 0);
	free(buf);
	ASSERT_EQ(safefile_read_flags(slash, rel, 16, SAFEFILE_WALK, &buf, &len), -EFBIG);

	/* /proc/<pid>/root is a magic link: refused even with "/" as the root. */
	snprintf(rel, sizeof(rel), "proc/%d/root/etc/hostname", (int)getpid());
	ASSERT_EQ(safefile_read(slash, rel, 4096, &buf, &len), -ELOOP);
	ASSERT_EQ(safefile_read_flags(slash, rel, 4096, SAFEFILE_WALK, &buf, &len), -ELOOP);
	close(slash);
}

static void test_read_buf(void)
{
	char b[17];

	ASSERT_EQ(safefile_read_buf(rootfd, "exact16", b, sizeof(b)), 16);
	ASSERT_STREQ(b, "0123456789abcdef");
	ASSERT_EQ(safefile_read_buf(rootfd, "exact16", b, 16), -EFBIG);
	ASSERT_STREQ(b, "");
	ASSERT_EQ(safefile_read_buf(rootfd, "shadowlink", b, sizeof(b)), -ELOOP);
	ASSERT_EQ(safefile_read_buf(rootfd, "fifo", b, sizeof(b)), -EINVAL);
	ASSERT_EQ(safefile_read_buf(rootfd, "exact16", b, 0), -EINVAL);
}

static void test_opendir(void)
{
	static const unsigned int modes[] = { 0, SAFEFILE_WALK };

	for (int m = 0; m < 2; m++) {
		DIR *d;
		struct dirent *de;
		int files = 0;

		ASSERT_EQ(safefile_opendir(rootfd, "dir", modes[m], &d), 0);
		if (d) {
			while ((de = readdir(d)))
				files += de->d_name[0] != '.';
			closedir(d);
		}
		ASSERT_EQ(files, 2);
		ASSERT_EQ(safefile_opendir(rootfd, "", modes[m], &d), 0);
		if (d)
			closedir(d);
		ASSERT_EQ(safefile_opendir(rootfd, "dirlink", modes[m], &d), -ELOOP);
		ASSERT_NULL(d);
		ASSERT_EQ(safefile_opendir(rootfd, "lnk", modes[m], &d), -ELOOP);
		ASSERT_EQ(safefile_opendir(rootfd, "etc/hostname", modes[m], &d), -ENOTDIR);
		ASSERT_EQ(safefile_opendir(rootfd, "../", modes[m], &d), -EXDEV);
		ASSERT_EQ(safefile_opendir(rootfd, TOKDIR "/..data", modes[m], &d), -ELOOP);
	}
	/*
	 * A trailing slash makes the kernel resolve the last symlink like an intermediate one
	 * (POSIX), O_NOFOLLOW notwithstanding: with openat2 it resolves inside the root.
	 */
	DIR *d;

	ASSERT_EQ(safefile_opendir(rootfd, "dirlink/", 0, &d), 0);
	if (d)
		closedir(d);
	ASSERT_EQ(safefile_opendir(rootfd, "lnk/", 0, &d), 0); /* <root>/etc, not /etc */
	if (d) {
		struct dirent *de;
		int n = 0;

		while ((de = readdir(d)))
			n += strcmp(de->d_name, "hostname") == 0 ||
			     strcmp(de->d_name, "shadow") == 0;
		closedir(d);
		ASSERT_EQ(n, 1); /* only the decoy hostname: this is not the real /etc */
	}
	ASSERT_EQ(safefile_opendir(rootfd, "dirlink/", SAFEFILE_WALK, &d), -ELOOP);
	ASSERT_EQ(safefile_opendir(rootfd, "lnk/..", 0, &d), -EXDEV);
}

int main(void)
{
	if (geteuid() != 0)
		fprintf(stderr, "note: not root; the FIFO/inotify cases may still pass\n");
	setup();
	RUN(test_both_modes);
	RUN(test_never_opened);
	RUN(test_args);
	RUN(test_proc);
	RUN(test_read_buf);
	RUN(test_opendir);
	teardown();
	return unit_report("safefile");
}
