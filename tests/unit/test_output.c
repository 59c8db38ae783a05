// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for render/output: every line is either written or counted as lost, never neither.
 * Plain and gzip files (read back with zlib), a file that is valid gzip after every flush,
 * rotation by size keeping N files, reopen after a rename (logrotate), an output that fails
 * (RLIMIT_FSIZE: EFBIG) and recovers, one that always fails (/dev/full: ENOSPC), and a pipe
 * whose reader went away (EPIPE).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "render/output.h"
#include "unit.h"

static char dir[PATH_MAX];

static void line(struct output *o, unsigned int i)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf) - 1, "{\"seq\":%u,\"pad\":\"%0100u\"}", i, i);

	output_line(o, buf, n, false);
}

/* lines of a file (gzip or plain, zlib reads both); -1 if unreadable. The seq numbers must
 * run from first, in order, with no gap: *next is where they stop. */
static long count_lines(const char *path, unsigned int first, unsigned int *next)
{
	gzFile g = gzopen(path, "rb");
	char buf[512];
	long n = 0;

	*next = first;
	if (!g)
		return -1;
	while (gzgets(g, buf, sizeof(buf))) {
		unsigned int seq;

		if (sscanf(buf, "{\"seq\":%u,", &seq) != 1 || seq != *next) {
			gzclose(g);
			return -2;
		}
		(*next)++;
		n++;
	}
	gzclose(g);
	return n;
}

static void test_plain(void)
{
	char path[PATH_MAX + 32];
	struct output o;
	unsigned int next;

	snprintf(path, sizeof(path), "%s/plain.jsonl", dir);
	ASSERT_EQ(output_open(&o, path), 0);
	for (unsigned int i = 0; i < 2000; i++)
		line(&o, i);
	output_flush(&o);
	ASSERT_EQ(o.st.lines_written, 2000);
	ASSERT_EQ(output_pending(&o), 0);
	output_close(&o);
	ASSERT_EQ(o.st.write_errors, 0);
	ASSERT_EQ(count_lines(path, 0, &next), 2000);
}

static bool gzip_member_ok(const char *path)
{
	char cmd[PATH_MAX + 64];

	snprintf(cmd, sizeof(cmd), "gzip -t '%s' 2>/dev/null", path);
	return system(cmd) == 0;
}

static void test_gzip(void)
{
	char path[PATH_MAX + 32];
	struct output o;
	struct stat st;
	unsigned int next;

	snprintf(path, sizeof(path), "%s/ev.jsonl.gz", dir);
	ASSERT_EQ(output_open(&o, path), 0);
	ASSERT_TRUE(o.gzip);
	for (unsigned int i = 0; i < 100; i++)
		line(&o, i);
	output_flush(&o);
	/* not closed yet (as after SIGKILL): the file is already complete gzip */
	ASSERT_EQ(count_lines(path, 0, &next), 100);
	ASSERT_TRUE(gzip_member_ok(path));
	for (unsigned int i = 100; i < 3000; i++)
		line(&o, i);
	output_close(&o);
	ASSERT_EQ(o.st.lines_written, 3000);
	ASSERT_EQ(o.st.write_errors, 0);
	ASSERT_EQ(count_lines(path, 0, &next), 3000);
	ASSERT_TRUE(gzip_member_ok(path));
	/* compressed: far smaller than the text (3000 lines of ~130 bytes) */
	ASSERT_EQ(stat(path, &st), 0);
	ASSERT_TRUE(st.st_size < 3000 * 130 / 4);
	/* appending to it (a restarted agent) is still one valid file */
	ASSERT_EQ(output_open(&o, path), 0);
	for (unsigned int i = 3000; i < 3010; i++)
		line(&o, i);
	output_close(&o);
	ASSERT_EQ(count_lines(path, 0, &next), 3010);
}

static void test_rotation(const char *name)
{
	char path[PATH_MAX + 32], rot[PATH_MAX + 64];
	struct output_opts opts = { .max_size = 8192, .keep = 3 };
	struct output o;
	unsigned int next;
	long total = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	opts.path = path;
	ASSERT_EQ(output_open_opts(&o, &opts), 0);
	for (unsigned int i = 0; i < 20000; i++) {
		line(&o, i);
		if (i % 50 == 0)
			output_flush(&o);
	}
	output_close(&o);
	ASSERT_EQ(o.st.write_errors, 0);
	ASSERT_TRUE(o.st.rotations > 3);
	/* exactly keep rotated files; the newest lines are in FILE, then FILE.1, ... */
	for (unsigned int i = 1; i <= 4; i++) {
		output_rotated_name(path, i, rot, sizeof(rot));
		ASSERT_EQ(access(rot, F_OK) == 0, i <= 3);
	}
	{
		unsigned int first;
		long n;

		/* FILE.3 .. FILE.1, FILE: consecutive, ending at the last line */
		output_rotated_name(path, 3, rot, sizeof(rot));
		n = count_lines(rot, 0, &next); /* find where FILE.3 starts */
		if (n == -2) {
			gzFile g = gzopen(rot, "rb");
			char buf[512];

			first = 0;
			if (g && gzgets(g, buf, sizeof(buf)))
				sscanf(buf, "{\"seq\":%u,", &first);
			if (g)
				gzclose(g);
			n = count_lines(rot, first, &next);
		}
		ASSERT_TRUE(n > 0);
		total += n;
		for (int i = 2; i >= 0; i--) {
			if (i)
				output_rotated_name(path, i, rot, sizeof(rot));
			else
				snprintf(rot, sizeof(rot), "%s", path);
			n = count_lines(rot, next, &next);
			ASSERT_TRUE(n > 0);
			total += n;
		}
		ASSERT_EQ(next, 20000);
	}
	ASSERT_TRUE(total < 20000);
}

static void test_reopen(void)
{
	char path[PATH_MAX + 32], moved[PATH_MAX + 48];
	struct output o;
	unsigned int next;

	snprintf(path, sizeof(path), "%s/hup.jsonl.gz", dir);
	snprintf(moved, sizeof(moved), "%s/hup.jsonl.gz.old", dir);
	ASSERT_EQ(output_open(&o, path), 0);
	for (unsigned int i = 0; i < 500; i++)
		line(&o, i);
	/* logrotate: mv, then HUP; lines between the two go to the moved file */
	ASSERT_EQ(rename(path, moved), 0);
	for (unsigned int i = 500; i < 600; i++)
		line(&o, i);
	ASSERT_EQ(output_reopen(&o), 0);
	ASSERT_EQ(access(path, F_OK), 0);
	for (unsigned int i = 600; i < 1000; i++)
		line(&o, i);
	output_close(&o);
	ASSERT_EQ(o.st.reopens, 1);
	ASSERT_EQ(o.st.lines_written, 1000);
	ASSERT_EQ(count_lines(moved, 0, &next), 600);
	ASSERT_EQ(count_lines(path, 600, &next), 400);
	ASSERT_TRUE(gzip_member_ok(moved));
}

/* A file size limit makes writes fail with EFBIG; raising it is the recovery. */
static void test_fail_and_recover(void)
{
	char path[PATH_MAX + 32];
	struct rlimit old, lim;
	struct output o;
	struct output_recovery r;

	snprintf(path, sizeof(path), "%s/full.jsonl", dir);
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = 100 * 1024;
	ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &lim), 0);
	ASSERT_EQ(output_open(&o, path), 0);
	for (unsigned int i = 0; i < 5000; i++) {
		line(&o, i);
		if (i % 20 == 0)
			output_tick(&o, 0);
	}
	output_flush(&o);
	ASSERT_EQ(o.err, EFBIG);
	ASSERT_TRUE(o.st.write_errors > 0);
	ASSERT_FALSE(output_take_recovery(&o, &r));
	/* every line so far: written, still held, or lost */
	ASSERT_EQ(o.st.lines_written + output_pending(&o) + o.st.write_errors, 5000);
	ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &old), 0);
	line(&o, 5000);
	output_flush(&o);
	ASSERT_EQ(o.err, 0);
	ASSERT_TRUE(output_take_recovery(&o, &r));
	ASSERT_EQ(r.err, EFBIG);
	ASSERT_EQ(r.lost, o.st.write_errors);
	ASSERT_FALSE(output_take_recovery(&o, &r));
	output_close(&o);
	ASSERT_EQ(o.st.lines_written + o.st.write_errors, 5001);
	/* the file has whole lines only, in order up to the failure, then the held ones */
	{
		gzFile g = gzopen(path, "rb");
		char buf[512];
		long lines = 0, bad = 0;

		while (g && gzgets(g, buf, sizeof(buf))) {
			unsigned int seq;

			lines++;
			if (sscanf(buf, "{\"seq\":%u,", &seq) != 1 || buf[strlen(buf) - 1] != '\n')
				bad++;
		}
		if (g)
			gzclose(g);
		ASSERT_EQ(lines, (long)o.st.lines_written);
		ASSERT_EQ(bad, 0);
	}
}

/* Still failing at exit, a chunk half written: the file ends with a whole line, and the lines
 * in it are exactly the ones counted as written. Plain and gzip. */
static void test_fail_at_close(const char *name)
{
	char path[PATH_MAX + 32];
	struct rlimit old, lim;
	struct output o;
	unsigned int next;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = 50 * 1024 + 77; /* mid-line, mid-member */
	ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &lim), 0);
	ASSERT_EQ(output_open(&o, path), 0);
	for (unsigned int i = 0; i < (o.gzip ? 40000 : 3000); i++)
		line(&o, i);
	output_close(&o);
	ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &old), 0);
	ASSERT_TRUE(o.st.write_errors > 0);
	ASSERT_EQ(o.st.lines_written + o.st.write_errors, o.gzip ? 40000 : 3000);
	ASSERT_EQ(count_lines(path, 0, &next), (long)o.st.lines_written);
	if (o.gzip)
		ASSERT_TRUE(gzip_member_ok(path));
}

static void test_dev_full(void)
{
	struct output o;

	if (access("/dev/full", W_OK))
		return;
	ASSERT_EQ(output_open(&o, "/dev/full"), 0);
	for (unsigned int i = 0; i < 3000; i++)
		line(&o, i);
	output_flush(&o);
	ASSERT_EQ(o.err, ENOSPC);
	ASSERT_EQ(o.st.lines_written, 0);
	ASSERT_EQ(o.st.write_errors + output_pending(&o), 3000);
	output_close(&o);
	ASSERT_EQ(o.st.write_errors, 3000);
	ASSERT_TRUE(output_failed(&o));
}

static void test_broken_pipe(void)
{
	int p[2], saved;
	struct output o;

	signal(SIGPIPE, SIG_IGN);
	ASSERT_EQ(pipe(p), 0);
	saved = dup(STDOUT_FILENO);
	dup2(p[1], STDOUT_FILENO);
	close(p[1]);
	close(p[0]); /* the reader is gone */
	ASSERT_EQ(output_open(&o, NULL), 0);
	for (unsigned int i = 0; i < 10; i++)
		line(&o, i);
	output_flush(&o);
	ASSERT_TRUE(output_broken(&o));
	for (unsigned int i = 10; i < 20; i++)
		line(&o, i);
	output_close(&o);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	ASSERT_EQ(o.st.write_errors, 20);
	ASSERT_EQ(o.st.lines_written, 0);
}

static void test_parse_size(void)
{
	uint64_t v;

	ASSERT_EQ(output_parse_size("4096", &v), 0);
	ASSERT_EQ(v, 4096);
	ASSERT_EQ(output_parse_size("64K", &v), 0);
	ASSERT_EQ(v, 65536);
	ASSERT_EQ(output_parse_size("10M", &v), 0);
	ASSERT_EQ(v, 10 << 20);
	ASSERT_EQ(output_parse_size("1g", &v), 0);
	ASSERT_EQ(v, 1ULL << 30);
	ASSERT_EQ(output_parse_size("", &v), -EINVAL);
	ASSERT_EQ(output_parse_size("-1", &v), -EINVAL);
	ASSERT_EQ(output_parse_size("12X", &v), -EINVAL);
	ASSERT_EQ(output_parse_size("1KB", &v), -EINVAL);
}

static void test_rotated_names(void)
{
	char b[128];

	output_rotated_name("/var/log/cw.jsonl.gz", 2, b, sizeof(b));
	ASSERT_STREQ(b, "/var/log/cw.jsonl.2.gz");
	output_rotated_name("/var/log/cw.jsonl", 1, b, sizeof(b));
	ASSERT_STREQ(b, "/var/log/cw.jsonl.1");
}

int main(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(dir, sizeof(dir), "/tmp/cw-unit-output.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	RUN(test_plain);
	RUN(test_gzip);
	unit_current = "test_rotation(plain)";
	test_rotation("rot.jsonl");
	unit_current = "test_rotation(gzip)";
	test_rotation("rot.jsonl.gz");
	RUN(test_reopen);
	RUN(test_fail_and_recover);
	unit_current = "test_fail_at_close(plain)";
	test_fail_at_close("cut.jsonl");
	unit_current = "test_fail_at_close(gzip)";
	test_fail_at_close("cut.jsonl.gz");
	RUN(test_dev_full);
	RUN(test_broken_pipe);
	RUN(test_parse_size);
	RUN(test_rotated_names);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
	return unit_report("output");
}
