// SPDX-License-Identifier: GPL-2.0
/*
 * cw_compat: test trigger. Makes 32-bit (compat) syscalls from a 64-bit x86 process with
 * `int $0x80`, the i386 entry point a 32-bit binary uses too: the path and the address live
 * below 4 GiB (MAP_32BIT), as i386 pointers must. Where the kernel has no i386 emulation
 * (no int $0x80 gate: the instruction faults), prints "no-compat" and exits 3.
 *
 *   cw_compat open PATH          open(2) nr 5, then read a byte (a 64-bit read) and close
 *   cw_compat openat PATH        openat(2) nr 295 (AT_FDCWD)
 *   cw_compat connect SOCKPATH   socket(2) (64-bit), then the i386 connect(2) nr 362
 *   cw_compat socketcall SOCKPATH   ... the i386 socketcall(2) nr 102, SYS_CONNECT
 * Prints "opened", "connected" or the error's text. Never prints file contents.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef __x86_64__
int main(void)
{
	printf("no-compat\n");
	return 3;
}
#else
static long sys32(long nr, long a, long b, long c)
{
	long r;

	/* int $0x80 may clobber r8-r11 (older kernels zero them) */
	asm volatile("int $0x80"
		     : "=a"(r)
		     : "a"(nr), "b"(a), "c"(b), "d"(c)
		     : "memory", "r8", "r9", "r10", "r11");
	return r;
}

static void no_compat(int sig)
{
	(void)sig;
	/* the kernel has no int $0x80 gate: a general protection fault */
	static const char msg[] = "no-compat\n";

	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(4);
	_exit(3);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = no_compat };
	char *low, c;
	long r;

	if (argc != 3) {
		fprintf(stderr, "usage: cw_compat open|openat|connect|socketcall PATH\n");
		return 2;
	}
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1,
		   0);
	if (low == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	if (!strcmp(argv[1], "open") || !strcmp(argv[1], "openat")) {
		snprintf(low, 4096, "%s", argv[2]);
		r = !strcmp(argv[1], "open") ? sys32(5, (long)low, O_RDONLY, 0)
					     : sys32(295, -100 /* AT_FDCWD */, (long)low, O_RDONLY);
		if (r < 0) {
			printf("%s\n", strerror((int)-r));
			return 1;
		}
		if (read((int)r, &c, 1) < 0)
			perror("read");
		close((int)r);
		printf("opened\n");
		return 0;
	}
	if (!strcmp(argv[1], "connect") || !strcmp(argv[1], "socketcall")) {
		struct sockaddr_un *sun = (void *)low;
		unsigned int *args = (void *)(low + 512);
		int s = socket(AF_UNIX, SOCK_STREAM, 0);

		memset(sun, 0, sizeof(*sun));
		sun->sun_family = AF_UNIX;
		snprintf(sun->sun_path, sizeof(sun->sun_path), "%s", argv[2]);
		if (!strcmp(argv[1], "connect")) {
			r = sys32(362, s, (long)sun, sizeof(*sun));
		} else {
			args[0] = s;
			args[1] = (unsigned int)(unsigned long)sun;
			args[2] = sizeof(*sun);
			r = sys32(102, 3 /* SYS_CONNECT */, (long)args, 0);
		}
		if (r < 0) {
			printf("%s\n", strerror((int)-r));
			return 1;
		}
		printf("connected\n");
		close(s);
		return 0;
	}
	fprintf(stderr, "cw_compat: unknown operation %s\n", argv[1]);
	return 2;
}
#endif
