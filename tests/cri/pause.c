// SPDX-License-Identifier: GPL-2.0
/*
 * pause: the sandbox ("pause") container's process for the CRI suite's own pause image. It
 * holds the pod's namespaces open: sleeps until SIGTERM or SIGINT, and reaps any child that is
 * reparented to it (it is PID 1 of the pod's PID namespace when that is shared).
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_term(int sig)
{
	(void)sig;
	_exit(0);
}

static void on_chld(int sig)
{
	(void)sig;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

int main(void)
{
	struct sigaction term = { .sa_handler = on_term }, chld = { .sa_handler = on_chld };

	sigaction(SIGTERM, &term, NULL);
	sigaction(SIGINT, &term, NULL);
	chld.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &chld, NULL);
	for (;;)
		pause();
}
