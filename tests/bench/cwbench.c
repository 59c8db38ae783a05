// SPDX-License-Identifier: GPL-2.0
/*
 * cwbench: the loop drivers of `make bench` (tests/bench/run.sh). Each
 * subcommand does one kind of work and prints one line of results as
 * key=value pairs, so the driver can parse it without jq:
 *
 *   open FILE ITERS            open(O_RDONLY)+close() of FILE ITERS times: ns_per_op
 *   connect ITERS              TCP connect() to a listener on 127.0.0.1 (accept thread in
 *                              this process), socket+connect+close per op: ns_per_op
 *   bulk BYTES                 TCP transfer of BYTES over 127.0.0.1 (forked sender, this
 *                              process receives): mbit_per_s
 *   tokopen FILE RATE SECONDS [WORKERS]
 *                              open+close FILE at RATE per second in total (paced every
 *                              1 ms) for SECONDS, in WORKERS processes (default 1): made,
 *                              elapsed, achieved rate, the workers' pids
 *   udpconn ADDR PORT RATE SECONDS [WORKERS]
 *                              connect() of a UDP socket (one per worker) to ADDR:PORT at
 *                              RATE per second in total (a UDP connect sends no packet)
 *   cgopen LIST FILE           for each cgroup directory in LIST (one per line): a child
 *                              born in it (clone3 CLONE_INTO_CGROUP) opens FILE and exits
 *   waitfor FILE STRING MS     poll FILE every 0.5 ms until it contains STRING: the
 *                              CLOCK_REALTIME of that moment (ns), exit 1 after MS ms
 *   unrelated ITERS REPS       syscalls that have nothing to do with credentials, each
 *                              loop ITERS calls, REPS times in turn (getppid, read, fstat,
 *                              getppid, ...): getppid(), a 1-byte read() of /dev/zero,
 *                              fstat() of that open fd; the median wall ns per call of
 *                              each: getppid=.. read=.. fstat=.. (and their min and max),
 *                              and the median of the thread's CPU ns per call: getppid_cpu=..
 *
 * Nothing here sends a packet anywhere but to the loopback device of the network namespace
 * it runs in (run.sh runs the network loops in a namespace of its own).
 */
#include <arpa/inet.h>
#include <linux/sched.h>
#include <signal.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "cwbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long arg_long(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || end == s || *end || v <= 0) {
		fprintf(stderr, "cwbench: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

static double arg_double(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !(v > 0)) {
		fprintf(stderr, "cwbench: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

static int cmd_open(const char *file, long iters)
{
	uint64_t t0, t1;
	int fd;

	/* warm the dcache and the page of the loop */
	for (long i = 0; i < 1000; i++) {
		fd = open(file, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die(file);
		close(fd);
	}
	t0 = now_ns(CLOCK_MONOTONIC);
	for (long i = 0; i < iters; i++) {
		fd = open(file, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die(file);
		close(fd);
	}
	t1 = now_ns(CLOCK_MONOTONIC);
	printf("ns_per_op=%.1f iters=%ld\n", (double)(t1 - t0) / iters, iters);
	return 0;
}

static int listen_lo(uint16_t *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4096))
		die("bind/listen 127.0.0.1");
	if (getsockname(fd, (struct sockaddr *)&sa, &len))
		die("getsockname");
	*port = ntohs(sa.sin_port);
	return fd;
}

static void *accept_loop(void *arg)
{
	int lfd = (int)(intptr_t)arg;

	for (;;) {
		int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return NULL;
		}
		close(c);
	}
}

static int connect_lo(uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	/* RST on close: no TIME_WAIT pile-up over hundreds of thousands of connects */
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	while (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		if (errno != EINTR)
			die("connect 127.0.0.1");
	}
	return fd;
}

static int cmd_connect(long iters)
{
	uint16_t port;
	int lfd = listen_lo(&port);
	pthread_t th;
	uint64_t t0, t1;

	if (pthread_create(&th, NULL, accept_loop, (void *)(intptr_t)lfd))
		die("pthread_create");
	for (long i = 0; i < 500; i++)
		close(connect_lo(port));
	t0 = now_ns(CLOCK_MONOTONIC);
	for (long i = 0; i < iters; i++)
		close(connect_lo(port));
	t1 = now_ns(CLOCK_MONOTONIC);
	printf("ns_per_op=%.1f iters=%ld\n", (double)(t1 - t0) / iters, iters);
	return 0;
}

static int cmd_bulk(long bytes)
{
	static char buf[1 << 17];
	uint16_t port;
	int lfd = listen_lo(&port), c, st;
	long got = 0;
	uint64_t t0, t1;
	pid_t pid;
	ssize_t n;

	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		long left = bytes;
		int fd = connect_lo(port);

		memset(buf, 'x', sizeof(buf));
		while (left > 0) {
			n = write(fd, buf, left < (long)sizeof(buf) ? left : (long)sizeof(buf));
			if (n < 0) {
				if (errno == EINTR)
					continue;
				_exit(1);
			}
			left -= n;
		}
		/* orderly shutdown: the receiver sees EOF after the last byte */
		shutdown(fd, SHUT_WR);
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		_exit(0);
	}
	c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		die("accept");
	t0 = now_ns(CLOCK_MONOTONIC);
	while ((n = read(c, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("read");
		}
		got += n;
	}
	t1 = now_ns(CLOCK_MONOTONIC);
	close(c);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) || got != bytes) {
		fprintf(stderr, "cwbench: bulk transfer failed (%ld of %ld bytes)\n", got, bytes);
		return 1;
	}
	printf("mbit_per_s=%.1f bytes=%ld seconds=%.4f\n", got * 8.0 / ((t1 - t0) / 1e9) / 1e6,
	       got, (t1 - t0) / 1e9);
	return 0;
}

/*
 * Paced loop: every 1 ms of wall time the target count is rate * elapsed, and the loop does
 * ops until it has caught up. A loop that cannot keep up simply runs flat out; the achieved
 * rate is reported, never the target.
 */
struct paced {
	double rate, seconds;
	long made, failed;
	double elapsed;
};

static void paced_run(struct paced *p, int (*op)(void *), void *arg)
{
	uint64_t t0 = now_ns(CLOCK_MONOTONIC), end = t0 + (uint64_t)(p->seconds * 1e9), now;
	struct timespec ms = { 0, 1000000 };

	p->made = p->failed = 0;
	for (;;) {
		long want;

		now = now_ns(CLOCK_MONOTONIC);
		if (now >= end)
			break;
		want = (long)((now - t0) / 1e9 * p->rate) + 1;
		if (p->made >= want) {
			nanosleep(&ms, NULL);
			continue;
		}
		while (p->made < want) {
			if (op(arg))
				p->failed++;
			p->made++;
			if ((p->made & 63) == 0 && now_ns(CLOCK_MONOTONIC) >= end)
				break;
		}
	}
	p->elapsed = (now_ns(CLOCK_MONOTONIC) - t0) / 1e9;
}

/*
 * Run the paced loop in `workers` forked processes, each at rate / workers, and sum what
 * they did (one line per worker comes back through a pipe). Prints the total and the pids:
 * the events of every worker are counted in the agent's output.
 */
static int paced_workers(struct paced *p, int (*op)(void *), void *arg, int workers)
{
	char pids[256] = "", line[256];
	double max_elapsed = 0;
	long made = 0, failed = 0;
	int fds[2], bad = 0;
	FILE *in;

	if (pipe(fds))
		die("pipe");
	p->rate /= workers;
	for (int w = 0; w < workers; w++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			close(fds[0]);
			paced_run(p, op, arg);
			dprintf(fds[1], "%d %ld %ld %.6f\n", getpid(), p->made, p->failed,
				p->elapsed);
			_exit(0);
		}
	}
	close(fds[1]);
	in = fdopen(fds[0], "r");
	while (in && fgets(line, sizeof(line), in)) {
		int pid;
		long m, f;
		double e;

		if (sscanf(line, "%d %ld %ld %lf", &pid, &m, &f, &e) != 4)
			continue;
		made += m;
		failed += f;
		if (e > max_elapsed)
			max_elapsed = e;
		snprintf(pids + strlen(pids), sizeof(pids) - strlen(pids), "%s%d",
			 pids[0] ? "," : "", pid);
	}
	if (in)
		fclose(in);
	for (int w = 0; w < workers; w++) {
		int st;

		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			bad++;
	}
	printf("made=%ld failed=%ld elapsed=%.4f rate=%.0f pids=%s\n", made, failed, max_elapsed,
	       max_elapsed > 0 ? made / max_elapsed : 0, pids);
	return failed || bad ? 1 : 0;
}

static int op_open(void *arg)
{
	int fd = open(arg, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int cmd_tokopen(const char *file, double rate, double seconds, int workers)
{
	struct paced p = { .rate = rate, .seconds = seconds };

	if (access(file, R_OK))
		die(file);
	return paced_workers(&p, op_open, (void *)file, workers);
}

struct udp_target {
	struct sockaddr_storage sa;
	socklen_t len;
};

/*
 * One UDP socket per worker, connect()ed again for every op: each connect() runs the
 * cgroup/connect4 (connect6) hooks, and the loop does not spend its time in socket() and
 * close(). A UDP connect sends no packet.
 */
static int op_udpconn(void *arg)
{
	static int fd = -1;
	struct udp_target *t = arg;

	if (fd < 0)
		fd = socket(t->sa.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	return connect(fd, (struct sockaddr *)&t->sa, t->len);
}

static int cmd_udpconn(const char *addr, long port, double rate, double seconds, int workers)
{
	struct paced p = { .rate = rate, .seconds = seconds };
	struct udp_target t = {};
	struct sockaddr_in *s4 = (struct sockaddr_in *)&t.sa;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&t.sa;

	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		t.len = sizeof(*s4);
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		t.len = sizeof(*s6);
	} else {
		fprintf(stderr, "cwbench: bad address %s\n", addr);
		return 2;
	}
	return paced_workers(&p, op_udpconn, &t, workers);
}

/*
 * A child born in the cgroup (clone3 CLONE_INTO_CGROUP): moving a running process by writing
 * cgroup.procs takes the cgroup write lock and costs milliseconds per move on this VM, a
 * pass over 1,000 containers would take seconds. Falls back to the write where clone3 lacks
 * CLONE_INTO_CGROUP.
 */
static pid_t fork_into(const char *cgdir)
{
	struct clone_args ca = { .flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD };
	int cgfd = open(cgdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	pid_t pid;

	if (cgfd < 0)
		return -1;
	ca.cgroup = cgfd;
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid < 0 && (errno == ENOSYS || errno == E2BIG || errno == EINVAL)) {
		pid = fork();
		if (pid == 0) {
			char path[4200], me[32];
			int fd, len = snprintf(me, sizeof(me), "%d", getpid());

			snprintf(path, sizeof(path), "%s/cgroup.procs", cgdir);
			fd = open(path, O_WRONLY | O_CLOEXEC);
			if (fd < 0 || write(fd, me, len) != len)
				_exit(3);
			close(fd);
		}
	}
	if (pid != 0)
		close(cgfd);
	return pid;
}

static int cmd_cgopen(const char *list, const char *file)
{
	FILE *f = fopen(list, "re");
	char line[4096];
	long n = 0, bad = 0;

	if (!f)
		die(list);
	while (fgets(line, sizeof(line), f)) {
		pid_t pid;
		int st;

		line[strcspn(line, "\n")] = 0;
		if (!line[0])
			continue;
		pid = fork_into(line);
		if (pid < 0)
			die("clone3/fork");
		if (pid == 0)
			_exit(op_open((void *)file) ? 4 : 0);
		if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			bad++;
		n++;
	}
	fclose(f);
	printf("children=%ld failed=%ld\n", n, bad);
	return bad ? 1 : 0;
}

/*
 * Unrelated syscalls (issue 19): what every workload on the node pays for an agent whose
 * programs sit on other hooks, e.g. the syscall slow path any syscall tracepoint turns on.
 * The calls are made with syscall(2), so that no libc wrapper changes them: fstat is the
 * fstat syscall on a file descriptor (glibc's fstat() would be newfstatat with
 * AT_EMPTY_PATH and an empty path to look up).
 */
enum { U_GETPPID, U_READ, U_FSTAT, U_N };
static const char *const u_names[U_N] = { "getppid", "read", "fstat" };

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* one loop: wall ns per call, and in *cpu the calling thread's CPU ns per call (user +
 * system time, without the time it waited for a CPU: on a busy machine, what the calls
 * themselves cost) */
static double unrelated_loop(int which, int fd, long iters, double *cpu)
{
	struct stat st;
	char c;
	uint64_t c0 = now_ns(CLOCK_THREAD_CPUTIME_ID), t0 = now_ns(CLOCK_MONOTONIC), t1;

	for (long i = 0; i < iters; i++) {
		long rc;

		switch (which) {
		case U_GETPPID:
			rc = syscall(SYS_getppid);
			break;
		case U_READ:
			rc = syscall(SYS_read, fd, &c, 1) == 1 ? 0 : -1;
			break;
		default:
			rc = syscall(SYS_fstat, fd, &st);
			break;
		}
		if (rc < 0)
			die(u_names[which]);
	}
	t1 = now_ns(CLOCK_MONOTONIC);
	*cpu = (double)(now_ns(CLOCK_THREAD_CPUTIME_ID) - c0) / iters;
	return (double)(t1 - t0) / iters;
}

static double median_of(double *v, long n)
{
	qsort(v, n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int cmd_unrelated(long iters, long reps)
{
	double *ns[U_N], *cpu[U_N], dummy;
	int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die("/dev/zero");
	for (int u = 0; u < U_N; u++) {
		ns[u] = calloc(reps, sizeof(double));
		cpu[u] = calloc(reps, sizeof(double));
		if (!ns[u] || !cpu[u])
			die("calloc");
		/* warm: caches, TLB, branch predictors */
		unrelated_loop(u, fd, iters / 10 + 1, &dummy);
	}
	for (long r = 0; r < reps; r++)
		for (int u = 0; u < U_N; u++)
			ns[u][r] = unrelated_loop(u, fd, iters, &cpu[u][r]);
	for (int u = 0; u < U_N; u++) {
		const char *n = u_names[u];
		double med = median_of(ns[u], reps), med_cpu = median_of(cpu[u], reps);

		/* (sorted by median_of) */
		printf("%s%s=%.2f %s_min=%.2f %s_max=%.2f %s_cpu=%.2f", u ? " " : "", n, med, n,
		       ns[u][0], n, ns[u][reps - 1], n, med_cpu);
		free(ns[u]);
		free(cpu[u]);
	}
	printf(" iters=%ld reps=%ld\n", iters, reps);
	close(fd);
	return 0;
}

static int cmd_waitfor(const char *file, const char *needle, long ms)
{
	uint64_t end = now_ns(CLOCK_MONOTONIC) + ms * 1000000ULL;
	struct timespec tick = { 0, 500000 };
	static char buf[1 << 16];

	for (;;) {
		int fd = open(file, O_RDONLY | O_CLOEXEC);

		if (fd >= 0) {
			ssize_t n = read(fd, buf, sizeof(buf) - 1);

			close(fd);
			if (n > 0) {
				buf[n] = 0;
				if (strstr(buf, needle)) {
					printf("%llu\n", (unsigned long long)now_ns(CLOCK_REALTIME));
					return 0;
				}
			}
		}
		if (now_ns(CLOCK_MONOTONIC) > end)
			return 1;
		nanosleep(&tick, NULL);
	}
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "open"))
		return cmd_open(argv[2], arg_long(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "connect"))
		return cmd_connect(arg_long(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "bulk"))
		return cmd_bulk(arg_long(argv[2]));
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "tokopen"))
		return cmd_tokopen(argv[2], arg_double(argv[3]), arg_double(argv[4]),
				   argc == 6 ? arg_long(argv[5]) : 1);
	if ((argc == 6 || argc == 7) && !strcmp(argv[1], "udpconn"))
		return cmd_udpconn(argv[2], arg_long(argv[3]), arg_double(argv[4]),
				   arg_double(argv[5]), argc == 7 ? arg_long(argv[6]) : 1);
	if (argc == 4 && !strcmp(argv[1], "cgopen"))
		return cmd_cgopen(argv[2], argv[3]);
	if (argc == 5 && !strcmp(argv[1], "waitfor"))
		return cmd_waitfor(argv[2], argv[3], arg_long(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "unrelated"))
		return cmd_unrelated(arg_long(argv[2]), arg_long(argv[3]));
	fprintf(stderr, "usage: cwbench open FILE ITERS | connect ITERS | bulk BYTES |\n"
			"       tokopen FILE RATE SECONDS [WORKERS] |\n"
			"       udpconn ADDR PORT RATE SECONDS [WORKERS] |\n"
			"       cgopen LIST FILE | waitfor FILE STRING MS |\n"
			"       unrelated ITERS REPS\n");
	return 2;
}
