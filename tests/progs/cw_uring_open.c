// SPDX-License-Identifier: GPL-2.0
/*
 * cw_uring_open: test trigger. Opens PATH with io_uring's IORING_OP_OPENAT
 * (no open syscall is made: the kernel opens the file for the ring), reads a
 * byte and closes it. Prints the fd the ring returned.
 *
 *   cw_uring_open PATH
 */
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	char c;
	int ret, fd;

	if (argc != 2) {
		fprintf(stderr, "usage: cw_uring_open PATH\n");
		return 2;
	}
	ret = io_uring_queue_init(4, &ring, 0);
	if (ret < 0) {
		fprintf(stderr, "io_uring_queue_init: %s\n", strerror(-ret));
		return 1;
	}
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, argv[1], O_RDONLY, 0);
	io_uring_submit(&ring);
	ret = io_uring_wait_cqe(&ring, &cqe);
	if (ret < 0) {
		fprintf(stderr, "io_uring_wait_cqe: %s\n", strerror(-ret));
		return 1;
	}
	fd = cqe->res;
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
	if (fd < 0) {
		fprintf(stderr, "openat via io_uring: %s\n", strerror(-fd));
		return 1;
	}
	if (read(fd, &c, 1) < 0)
		perror("read");
	close(fd);
	printf("%d\n", fd);
	return 0;
}
