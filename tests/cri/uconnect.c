// SPDX-License-Identifier: GPL-2.0
/*
 * uconnect: connect a unix stream socket to PATH (what `crictl`, `ctr` or `curl
 * --unix-socket` do first), keep the connection HOLD_MS milliseconds, close. Built static
 * into the CRI suite's workload image, which has no other unix-socket client. Prints
 * "connected" or the error; exit 0 on success.
 *
 *   uconnect PATH [HOLD_MS]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	long hold = argc > 2 ? strtol(argv[2], NULL, 10) : 200;
	struct timespec ts;
	int fd;

	if (argc < 2 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: uconnect PATH [HOLD_MS]\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		printf("%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	printf("connected\n");
	fflush(stdout);
	ts.tv_sec = hold / 1000;
	ts.tv_nsec = (hold % 1000) * 1000000;
	nanosleep(&ts, NULL);
	close(fd);
	return 0;
}
