// SPDX-License-Identifier: GPL-2.0
/*
 * cw_clone_into: test trigger. Starts CMD in another cgroup than its own without writing any
 * cgroup.procs: clone3(2) with CLONE_INTO_CGROUP (the child is born there), then waits for it.
 * Exits with the child's status.
 *
 *   cw_clone_into CGROUP_DIR CMD ARGS...
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

int main(int argc, char **argv)
{
	struct clone_args ca;
	int cg, status;
	long pid;

	if (argc < 3) {
		fprintf(stderr, "usage: cw_clone_into CGROUP_DIR CMD ARGS...\n");
		return 2;
	}
	cg = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0) {
		perror(argv[1]);
		return 1;
	}
	memset(&ca, 0, sizeof(ca));
	ca.flags = CLONE_INTO_CGROUP;
	ca.exit_signal = SIGCHLD;
	ca.cgroup = (uint64_t)cg;
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid < 0) {
		fprintf(stderr, "clone3: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	if (waitpid((pid_t)pid, &status, 0) < 0)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}
