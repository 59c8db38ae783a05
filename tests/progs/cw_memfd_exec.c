// SPDX-License-Identifier: GPL-2.0
/*
 * cw_memfd_exec: test trigger for executables without a file on disk.
 *
 *   cw_memfd_exec NAME BINARY ARGS...   copy BINARY into a memfd named NAME and fexecve it
 *                                      with ARGS (argv[0] first): a fileless process
 *   cw_memfd_exec --self-delete PATH    unlink this program's own executable (run it from a
 *                                      copy), then open PATH and read a byte: a process
 *                                      whose executable was deleted after exec
 * Prints nothing of any file's contents.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	struct stat st;
	char self[4096], c;
	ssize_t n;
	int in, fd;

	if (argc == 3 && !strcmp(argv[1], "--self-delete")) {
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n <= 0)
			return 1;
		self[n] = 0;
		if (unlink(self)) {
			perror("unlink");
			return 1;
		}
		fd = open(argv[2], O_RDONLY);
		if (fd < 0) {
			printf("%s\n", strerror(errno));
			return 1;
		}
		if (read(fd, &c, 1) < 0)
			perror("read");
		close(fd);
		printf("opened\n");
		return 0;
	}
	if (argc < 4) {
		fprintf(stderr, "usage: cw_memfd_exec NAME BINARY ARGS... | --self-delete PATH\n");
		return 2;
	}
	in = open(argv[2], O_RDONLY);
	if (in < 0 || fstat(in, &st)) {
		perror(argv[2]);
		return 1;
	}
	fd = memfd_create(argv[1], 0);
	if (fd < 0) {
		perror("memfd_create");
		return 1;
	}
	for (off_t done = 0; done < st.st_size;) {
		n = sendfile(fd, in, NULL, (size_t)(st.st_size - done));
		if (n <= 0) {
			perror("sendfile");
			return 1;
		}
		done += n;
	}
	close(in);
	fexecve(fd, argv + 3, environ);
	perror("fexecve");
	return 1;
}
