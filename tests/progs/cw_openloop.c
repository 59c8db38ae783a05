// SPDX-License-Identifier: GPL-2.0
/*
 * cw_openloop: test trigger for floods. Opens PATH read-only and closes it, over and over,
 * for SECONDS (a decimal number), and prints at exit how many opens succeeded and how many
 * failed, exactly. SIGTERM or SIGINT end the loop early; the counts are printed all the same.
 * The file's contents are never read.
 *
 *   cw_openloop PATH SECONDS [--go FILE] [--ready FILE]
 *
 *   --ready FILE  create FILE once started (after exec, before the loop)
 *   --go FILE     wait until FILE exists before starting the loop and its clock, so that
 *                 several loops start together
 *
 * Output, one line on stdout: opens=N failed=M seconds=S (S: the loop's own duration).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int usage(void)
{
	fprintf(stderr, "usage: cw_openloop PATH SECONDS [--go FILE] [--ready FILE]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *path, *go = NULL, *ready = NULL;
	unsigned long long opens = 0, failed = 0;
	struct sigaction sa;
	double secs, start, end, t;
	char *endp;
	int i, fd;

	if (argc < 3)
		return usage();
	path = argv[1];
	errno = 0;
	secs = strtod(argv[2], &endp);
	if (errno || endp == argv[2] || *endp || !(secs >= 0) || secs > 1e6)
		return usage();
	for (i = 3; i < argc; i += 2) {
		if (i + 1 >= argc)
			return usage();
		if (!strcmp(argv[i], "--go"))
			go = argv[i + 1];
		else if (!strcmp(argv[i], "--ready"))
			ready = argv[i + 1];
		else
			return usage();
	}

	/* no SA_RESTART: the flag is checked after every call */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) || sigaction(SIGINT, &sa, NULL)) {
		perror("cw_openloop: sigaction");
		return 1;
	}
	if (ready) {
		fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			fprintf(stderr, "cw_openloop: %s: %s\n", ready, strerror(errno));
			return 1;
		}
		close(fd);
	}
	while (go && !stop && access(go, F_OK))
		usleep(10000);

	start = now_s();
	end = start + secs;
	t = start;
	while (!stop) {
		fd = open(path, O_RDONLY);
		if (fd >= 0) {
			opens++;
			close(fd);
		} else {
			failed++;
		}
		/* the clock every 64 opens: cheap next to an open, and at most ~100 us late */
		if (!((opens + failed) & 63)) {
			t = now_s();
			if (t >= end)
				break;
		}
	}
	t = now_s();
	printf("opens=%llu failed=%llu seconds=%.3f\n", opens, failed, t - start);
	fflush(stdout);
	return 0;
}
