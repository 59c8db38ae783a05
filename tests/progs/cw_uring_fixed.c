// SPDX-License-Identifier: GPL-2.0
/*
 * cw_uring_fixed: test trigger. Opens PATH with io_uring's IORING_OP_OPENAT straight into a
 * fixed-file slot (no file descriptor is ever installed), reads a byte through the slot
 * (IOSQE_FIXED_FILE) and closes the slot. SLOT: a slot number, or "alloc" (the kernel picks
 * one: IORING_FILE_INDEX_ALLOC). Prints "fixed <slot>" (never the contents).
 *
 *   cw_uring_fixed PATH SLOT
 */
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int run(struct io_uring *ring, struct io_uring_sqe *sqe)
{
	struct io_uring_cqe *cqe;
	int ret;

	(void)sqe;
	io_uring_submit(ring);
	ret = io_uring_wait_cqe(ring, &cqe);
	if (ret < 0)
		return ret;
	ret = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return ret;
}

int main(int argc, char **argv)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	unsigned int slot;
	bool alloc;
	char c;
	int ret;

	if (argc != 3) {
		fprintf(stderr, "usage: cw_uring_fixed PATH SLOT|alloc\n");
		return 2;
	}
	alloc = !strcmp(argv[2], "alloc");
	slot = alloc ? 0 : (unsigned int)atoi(argv[2]);
	ret = io_uring_queue_init(4, &ring, 0);
	if (ret < 0) {
		fprintf(stderr, "io_uring_queue_init: %s\n", strerror(-ret));
		return 1;
	}
	ret = io_uring_register_files_sparse(&ring, 8);
	if (ret < 0) {
		fprintf(stderr, "register_files_sparse: %s\n", strerror(-ret));
		return 1;
	}
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_openat_direct(sqe, AT_FDCWD, argv[1], O_RDONLY, 0,
				    alloc ? IORING_FILE_INDEX_ALLOC - 1 : slot);
	ret = run(&ring, sqe);
	if (ret < 0) {
		printf("%s\n", strerror(-ret));
		return 1;
	}
	if (alloc)
		slot = (unsigned int)ret;
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_read(sqe, (int)slot, &c, 1, 0);
	sqe->flags |= IOSQE_FIXED_FILE;
	ret = run(&ring, sqe);
	if (ret < 0)
		fprintf(stderr, "read through the slot: %s\n", strerror(-ret));
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_close_direct(sqe, slot);
	run(&ring, sqe);
	io_uring_queue_exit(&ring);
	printf("fixed %u\n", slot);
	return 0;
}
