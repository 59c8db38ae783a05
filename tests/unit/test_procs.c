// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for procs_read_procfs: against the real /proc for this test's own pid,
 * and against a fake proc root built in a temporary directory (hostile comm,
 * missing exe, over-long cmdline and exe path). The BPF-map paths are not
 * tested here: they need a loaded map.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "enrich/procs.h"
#include "unit.h"

static char root[PATH_MAX];
static long tick_ns;

/* A plausible stat tail after "(comm) ": state ppid ... starttime(4242) ... */
#define STAT_AFTER_PPID                                                                          \
	"123 123 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 4242 1000000 100 18446744073709551615 " \
	"1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n"
#define STAT_TAIL "S 1 " STAT_AFTER_PPID

static void must(int ok, const char *what)
{
	if (!ok) {
		perror(what);
		exit(2);
	}
}

static void put(unsigned int pid, const char *name, const void *data, size_t len)
{
	char p[PATH_MAX * 2];
	int fd;

	snprintf(p, sizeof(p), "%s/%u", root, pid);
	must(mkdir(p, 0755) == 0 || errno == EEXIST, p);
	snprintf(p, sizeof(p), "%s/%u/%s", root, pid, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	must(fd >= 0, p);
	must(write(fd, data, len) == (ssize_t)len, "write");
	close(fd);
}

static void put_str(unsigned int pid, const char *name, const char *s)
{
	put(pid, name, s, strlen(s));
}

static void put_exe(unsigned int pid, const char *target)
{
	char p[PATH_MAX * 2];

	snprintf(p, sizeof(p), "%s/%u/exe", root, pid);
	unlink(p);
	must(symlink(target, p) == 0, p);
}

static void test_self(int argc, char **argv)
{
	struct cw_proc rec;
	char exe[PATH_MAX], args[CW_ARGS_MAX + 1], comm[64] = "";
	size_t args_len = 0;
	struct timespec now;
	ssize_t n;
	FILE *f;
	int rc;

	memset(&rec, 0xa5, sizeof(rec));
	rc = procs_read_procfs("/proc", getpid(), &rec);
	ASSERT_EQ(rc, 0);
	if (rc)
		return;

	f = fopen("/proc/self/comm", "re");
	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = 0;
		fclose(f);
	}
	ASSERT_STREQ((const char *)rec.comm, comm);
	ASSERT_STREQ((const char *)rec.comm, "test_procs");
	ASSERT_EQ(rec.ppid, getppid());

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_TRUE(n > 0);
	exe[n > 0 ? n : 0] = 0;
	ASSERT_EQ(rec.exe_len, strlen(exe));
	ASSERT_STREQ((const char *)rec.exe, exe);

	/* argv joined by NULs, each argument NUL-terminated */
	for (int i = 0; i < argc && args_len < CW_ARGS_MAX; i++) {
		size_t l = strlen(argv[i]) + 1;

		if (args_len + l > CW_ARGS_MAX)
			l = CW_ARGS_MAX - args_len;
		memcpy(args + args_len, argv[i], l);
		args_len += l;
	}
	ASSERT_EQ(rec.args_len, args_len);
	ASSERT_TRUE(memcmp(rec.args, args, args_len) == 0);

	ASSERT_TRUE(rec.flags & CW_F_FROM_PROCFS);
	ASSERT_FALSE(rec.flags & CW_F_EXE_TRUNC);
	if (args_len < CW_ARGS_MAX)
		ASSERT_FALSE(rec.flags & CW_F_ARGS_TRUNC);
	ASSERT_EQ(rec.exec_id, 0);

	/* started after boot, not in the future */
	clock_gettime(CLOCK_BOOTTIME, &now);
	ASSERT_TRUE(rec.start_ns <= (uint64_t)now.tv_sec * 1000000000ULL + now.tv_nsec + tick_ns);

	/* the parent too (whatever ran us) */
	rc = procs_read_procfs("/proc", getppid(), &rec);
	ASSERT_EQ(rc, 0);
	ASSERT_TRUE(rec.start_ns > 0 || getppid() == 1);
}

static void test_fake_comm(void)
{
	struct cw_proc rec;
	static const char cmdline[] = "/usr/bin/b\0--flag\0value";

	put_str(123, "stat", "123 (a) b) c) " STAT_TAIL);
	put(123, "cmdline", cmdline, sizeof(cmdline));
	put_exe(123, "/usr/bin/b");
	memset(&rec, 0xa5, sizeof(rec));
	ASSERT_EQ(procs_read_procfs(root, 123, &rec), 0);
	ASSERT_STREQ((const char *)rec.comm, "a) b) c");
	ASSERT_EQ(rec.ppid, 1);
	ASSERT_EQ(rec.start_ns, 4242ULL * tick_ns);
	ASSERT_STREQ((const char *)rec.exe, "/usr/bin/b");
	ASSERT_EQ(rec.exe_len, strlen("/usr/bin/b"));
	ASSERT_EQ(rec.args_len, sizeof(cmdline));
	ASSERT_TRUE(memcmp(rec.args, cmdline, sizeof(cmdline)) == 0);
	ASSERT_EQ(rec.flags, CW_F_FROM_PROCFS);
	ASSERT_EQ(rec.exec_id, 0);

	/* a comm that looks like the fields that follow it */
	put_str(124, "stat", "124 (x) S 99 ) R 77 " STAT_AFTER_PPID);
	ASSERT_EQ(procs_read_procfs(root, 124, &rec), 0);
	ASSERT_STREQ((const char *)rec.comm, "x) S 99 ");
	ASSERT_EQ(rec.ppid, 77);

	/* empty comm; comm longer than CW_COMM_LEN - 1 is cut */
	put_str(125, "stat", "125 () " STAT_TAIL);
	ASSERT_EQ(procs_read_procfs(root, 125, &rec), 0);
	ASSERT_STREQ((const char *)rec.comm, "");
	put_str(126, "stat", "126 (0123456789abcdefghij) " STAT_TAIL);
	ASSERT_EQ(procs_read_procfs(root, 126, &rec), 0);
	ASSERT_STREQ((const char *)rec.comm, "0123456789abcde");
	ASSERT_EQ(rec.comm[CW_COMM_LEN - 1], 0);
}

static void test_fake_missing(void)
{
	struct cw_proc rec;

	/* no exe link and no cmdline (a kernel thread, or exe unreadable) */
	put_str(200, "stat", "200 (kworker/0:1) " STAT_TAIL);
	memset(&rec, 0xa5, sizeof(rec));
	ASSERT_EQ(procs_read_procfs(root, 200, &rec), 0);
	ASSERT_STREQ((const char *)rec.comm, "kworker/0:1");
	ASSERT_EQ(rec.exe_len, 0);
	ASSERT_EQ(rec.exe[0], 0);
	ASSERT_EQ(rec.args_len, 0);
	ASSERT_EQ(rec.flags, CW_F_FROM_PROCFS);

	/* a zombie: stat readable, no exe, empty cmdline. Not a description of anything (the
	 * agent used to report it as exe "" and no args): refused, like a dead task (X) */
	put_str(201, "stat", "201 (z) Z 1 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 9 0 0\n");
	put(201, "cmdline", "", 0);
	ASSERT_EQ(procs_read_procfs(root, 201, &rec), -ESRCH);
	put_str(202, "stat", "202 (x) X 1 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 9 0 0\n");
	ASSERT_EQ(procs_read_procfs(root, 202, &rec), -ESRCH);
	/* ...but a sleeping process with the same fields is read */
	put_str(203, "stat", "203 (s) S 1 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 9 0 0\n");
	ASSERT_EQ(procs_read_procfs(root, 203, &rec), 0);
	ASSERT_EQ(rec.ppid, 1);
	ASSERT_EQ(rec.start_ns, 9ULL * tick_ns);

	/* no such pid */
	ASSERT_EQ(procs_read_procfs(root, 999999, &rec), -ENOENT);
}

static void test_fake_malformed(void)
{
	struct cw_proc rec;
	char big[1100];

	put_str(300, "stat", "");
	ASSERT_TRUE(procs_read_procfs(root, 300, &rec) < 0);
	put_str(301, "stat", "301 no parens S 1 2 3\n");
	ASSERT_EQ(procs_read_procfs(root, 301, &rec), -EINVAL);
	put_str(302, "stat", "302 )x( S 1 2 3\n");
	ASSERT_EQ(procs_read_procfs(root, 302, &rec), -EINVAL);
	put_str(303, "stat", "303 (short) S 1 2 3\n");
	ASSERT_EQ(procs_read_procfs(root, 303, &rec), -EINVAL);
	/* nothing after the ')' */
	put_str(304, "stat", "304 (x)");
	ASSERT_EQ(procs_read_procfs(root, 304, &rec), -EINVAL);
	put_str(305, "stat", "305 (x)\n");
	ASSERT_EQ(procs_read_procfs(root, 305, &rec), -EINVAL);
	/* ... even when the read buffer still holds a previous, valid line there */
	put_str(308, "stat", "1 (a) S 55 " STAT_AFTER_PPID);
	ASSERT_EQ(procs_read_procfs(root, 308, &rec), 0);
	ASSERT_EQ(rec.ppid, 55);
	put_str(309, "stat", "9 (x)");
	ASSERT_EQ(procs_read_procfs(root, 309, &rec), -EINVAL);

	/* a stat longer than the read buffer, the last ')' at its very end */
	memset(big, 'x', sizeof(big));
	memcpy(big, "306 (", 5);
	big[1022] = ')';
	put(306, "stat", big, 1023);
	ASSERT_EQ(procs_read_procfs(root, 306, &rec), -EINVAL);
	big[1022] = 'x';
	big[1023] = ')';
	memcpy(big + 1024, " S 1 2 3", 8);
	put(307, "stat", big, 1032);
	ASSERT_TRUE(procs_read_procfs(root, 307, &rec) < 0);
}

static void test_fake_args_trunc(void)
{
	struct cw_proc rec;
	char cmd[CW_ARGS_MAX * 2];

	for (size_t i = 0; i < sizeof(cmd); i++)
		cmd[i] = i % 10 == 9 ? 0 : 'a' + i % 10;

	/* longer than CW_ARGS_MAX: the first CW_ARGS_MAX bytes, flagged */
	put_str(400, "stat", "400 (long) " STAT_TAIL);
	put(400, "cmdline", cmd, sizeof(cmd));
	ASSERT_EQ(procs_read_procfs(root, 400, &rec), 0);
	ASSERT_EQ(rec.args_len, CW_ARGS_MAX);
	ASSERT_TRUE(memcmp(rec.args, cmd, CW_ARGS_MAX) == 0);
	ASSERT_TRUE(rec.flags & CW_F_ARGS_TRUNC);
	ASSERT_FALSE(rec.flags & CW_F_EXE_TRUNC);

	/* one byte short of the limit: complete */
	put(400, "cmdline", cmd, CW_ARGS_MAX - 1);
	ASSERT_EQ(procs_read_procfs(root, 400, &rec), 0);
	ASSERT_EQ(rec.args_len, CW_ARGS_MAX - 1);
	ASSERT_FALSE(rec.flags & CW_F_ARGS_TRUNC);

	/* exactly full is marked (it cannot be told from longer) */
	put(400, "cmdline", cmd, CW_ARGS_MAX);
	ASSERT_EQ(procs_read_procfs(root, 400, &rec), 0);
	ASSERT_EQ(rec.args_len, CW_ARGS_MAX);
	ASSERT_TRUE(rec.flags & CW_F_ARGS_TRUNC);
}

static void test_fake_exe_trunc(void)
{
	struct cw_proc rec;
	char target[1024];
	size_t len;

	put_str(500, "stat", "500 (deep) " STAT_TAIL);

	/* longer than CW_EXE_MAX - 1: the tail is kept, flagged */
	len = 0;
	len += sprintf(target + len, "/opt");
	for (int i = 0; len < 600; i++)
		len += sprintf(target + len, "/dir%03d", i);
	len += sprintf(target + len, "/the-binary");
	put_exe(500, target);
	ASSERT_EQ(procs_read_procfs(root, 500, &rec), 0);
	ASSERT_EQ(rec.exe_len, CW_EXE_MAX - 1);
	ASSERT_STREQ((const char *)rec.exe, target + len - (CW_EXE_MAX - 1));
	ASSERT_EQ(rec.exe[CW_EXE_MAX - 1], 0);
	ASSERT_TRUE(rec.flags & CW_F_EXE_TRUNC);
	ASSERT_FALSE(rec.flags & CW_F_ARGS_TRUNC);

	/* exactly CW_EXE_MAX - 1 fits; one more does not */
	memset(target, 'e', CW_EXE_MAX);
	target[0] = '/';
	target[CW_EXE_MAX - 1] = 0;
	put_exe(500, target);
	ASSERT_EQ(procs_read_procfs(root, 500, &rec), 0);
	ASSERT_EQ(rec.exe_len, CW_EXE_MAX - 1);
	ASSERT_STREQ((const char *)rec.exe, target);
	ASSERT_FALSE(rec.flags & CW_F_EXE_TRUNC);

	memset(target, 'e', CW_EXE_MAX);
	target[0] = '/';
	target[CW_EXE_MAX - 2] = 'z';
	target[CW_EXE_MAX - 1] = 'Z';
	target[CW_EXE_MAX] = 0;
	put_exe(500, target);
	ASSERT_EQ(procs_read_procfs(root, 500, &rec), 0);
	ASSERT_EQ(rec.exe_len, CW_EXE_MAX - 1);
	ASSERT_STREQ((const char *)rec.exe, target + 1); /* the leading '/' dropped */
	ASSERT_TRUE(rec.flags & CW_F_EXE_TRUNC);

	/* a deleted executable: its last path, marked fileless (the kernel's " (deleted)") */
	put_exe(500, "/tmp/my prog (deleted)");
	ASSERT_EQ(procs_read_procfs(root, 500, &rec), 0);
	ASSERT_STREQ((const char *)rec.exe, "/tmp/my prog");
	ASSERT_TRUE(rec.flags & CW_F_FILELESS);
	ASSERT_FALSE(rec.flags & CW_F_MEMFD);
	/* a memfd: named as the kernel names it, "memfd:<name>" */
	put_exe(500, "/memfd:payload (deleted)");
	ASSERT_EQ(procs_read_procfs(root, 500, &rec), 0);
	ASSERT_STREQ((const char *)rec.exe, "memfd:payload");
	ASSERT_EQ(rec.exe_len, strlen("memfd:payload"));
	ASSERT_TRUE(rec.flags & CW_F_FILELESS);
	ASSERT_TRUE(rec.flags & CW_F_MEMFD);
	/* a file really named like that, still there: kept as it is */
	put_exe(500, "/memfd:payload");
	ASSERT_EQ(procs_read_procfs(root, 500, &rec), 0);
	ASSERT_STREQ((const char *)rec.exe, "/memfd:payload");
	ASSERT_FALSE(rec.flags & (CW_F_FILELESS | CW_F_MEMFD));
}

static int rm_one(const char *path)
{
	return remove(path);
}

static void cleanup(void)
{
	char cmd[PATH_MAX * 2];
	unsigned int pids[] = { 123, 124, 125, 126, 200, 201, 202, 203, 300, 301,
				302, 303, 304, 305, 306, 307, 308, 309, 400, 500 };
	const char *names[] = { "stat", "cmdline", "exe" };

	for (size_t i = 0; i < sizeof(pids) / sizeof(pids[0]); i++) {
		for (size_t j = 0; j < 3; j++) {
			snprintf(cmd, sizeof(cmd), "%s/%u/%s", root, pids[i], names[j]);
			unlink(cmd);
		}
		snprintf(cmd, sizeof(cmd), "%s/%u", root, pids[i]);
		rm_one(cmd);
	}
	rm_one(root);
}

int main(int argc, char **argv)
{
	long hz = sysconf(_SC_CLK_TCK);

	tick_ns = 1000000000L / (hz > 0 ? hz : 100);
	snprintf(root, sizeof(root), "/tmp/cw-test-procs.XXXXXX");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 2;
	}

	unit_current = "test_self";
	test_self(argc, argv);
	RUN(test_fake_comm);
	RUN(test_fake_missing);
	RUN(test_fake_malformed);
	RUN(test_fake_args_trunc);
	RUN(test_fake_exe_trunc);

	cleanup();
	return unit_report("procs");
}
