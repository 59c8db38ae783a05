// SPDX-License-Identifier: GPL-2.0
/*
 * cw_handle_open: test trigger. Opens PATH without an open syscall naming it: its handle from
 * name_to_handle_at(2) (which opens nothing), then open_by_handle_at(2) on a descriptor of
 * another directory of the same filesystem (MOUNTDIR, default PATH's directory), reads a byte
 * and closes. Needs CAP_DAC_READ_SEARCH. Prints "opened" (the contents are never printed).
 *
 *   cw_handle_open PATH [MOUNTDIR]
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct {
		struct file_handle fh;
		unsigned char buf[MAX_HANDLE_SZ];
	} h;
	char dir[4096], c;
	int mount_id, mfd, fd;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: cw_handle_open PATH [MOUNTDIR]\n");
		return 2;
	}
	h.fh.handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(AT_FDCWD, argv[1], &h.fh, &mount_id, AT_SYMLINK_FOLLOW)) {
		fprintf(stderr, "name_to_handle_at: %s\n", strerror(errno));
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s", argc == 3 ? argv[2] : argv[1]);
	mfd = open(argc == 3 ? dir : dirname(dir), O_RDONLY | O_DIRECTORY);
	if (mfd < 0) {
		fprintf(stderr, "open mount dir: %s\n", strerror(errno));
		return 1;
	}
	fd = open_by_handle_at(mfd, &h.fh, O_RDONLY);
	if (fd < 0) {
		printf("%s\n", strerror(errno));
		return 1;
	}
	if (read(fd, &c, 1) < 0)
		perror("read");
	close(fd);
	close(mfd);
	printf("opened\n");
	return 0;
}
