// SPDX-License-Identifier: GPL-2.0
/*
 * cw_uring_connect: test trigger. Connects one unix stream socket per PATH
 * with io_uring's IORING_OP_CONNECT, all in one submission (no connect
 * syscall is made: the kernel connects the sockets for the ring). Prints one
 * line per PATH, in order: "connected" or the error.
 *
 *   cw_uring_connect PATH...
 */
#include <liburing.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAXP 8

int main(int argc, char **argv)
{
	struct sockaddr_un sa[MAXP];
	int fd[MAXP], res[MAXP], n = argc - 1, ret, rc = 0;
	struct io_uring ring;
	struct io_uring_cqe *cqe;

	if (n < 1 || n > MAXP) {
		fprintf(stderr, "usage: cw_uring_connect PATH... (1 to %d)\n", MAXP);
		return 2;
	}
	ret = io_uring_queue_init(MAXP, &ring, 0);
	if (ret < 0) {
		fprintf(stderr, "io_uring_queue_init: %s\n", strerror(-ret));
		return 1;
	}
	for (int i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

		if (strlen(argv[i + 1]) >= sizeof(sa[i].sun_path)) {
			fprintf(stderr, "path too long: %s\n", argv[i + 1]);
			return 2;
		}
		memset(&sa[i], 0, sizeof(sa[i]));
		sa[i].sun_family = AF_UNIX;
		memcpy(sa[i].sun_path, argv[i + 1], strlen(argv[i + 1]));
		fd[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd[i] < 0) {
			perror("socket");
			return 1;
		}
		io_uring_prep_connect(sqe, fd[i], (struct sockaddr *)&sa[i], sizeof(sa[i]));
		sqe->user_data = i;
	}
	ret = io_uring_submit(&ring);
	if (ret != n) {
		fprintf(stderr, "io_uring_submit: %d of %d\n", ret, n);
		return 1;
	}
	for (int k = 0; k < n; k++) {
		ret = io_uring_wait_cqe(&ring, &cqe);
		if (ret < 0) {
			fprintf(stderr, "io_uring_wait_cqe: %s\n", strerror(-ret));
			return 1;
		}
		res[cqe->user_data] = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
	}
	io_uring_queue_exit(&ring);
	for (int i = 0; i < n; i++) {
		close(fd[i]);
		if (res[i] < 0) {
			printf("%s\n", strerror(-res[i]));
			rc = 1;
		} else {
			printf("connected\n");
		}
	}
	return rc;
}
