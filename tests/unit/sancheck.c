// SPDX-License-Identifier: GPL-2.0
/*
 * Sanitizer self-check for cross-built unit tests (tests/unit/run.sh, UNIT_SANCHECK):
 * "sancheck asan" overflows a heap buffer by one byte, "sancheck ubsan" overflows a
 * signed int. Built with the unit tests' sanitizer flags and run under the same
 * emulator, each must be stopped by its sanitizer; exit 0 means it was not.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	/* volatile: the compiler may not see through the planted errors */
	volatile int n = 16, big = INT_MAX;
	char *p;

	if (argc != 2)
		return 2;
	if (!strcmp(argv[1], "asan")) {
		p = malloc(n);
		if (!p)
			return 2;
		p[n] = 1;
		printf("not caught: %d\n", p[n]);
		free(p);
		return 0;
	}
	if (!strcmp(argv[1], "ubsan")) {
		printf("not caught: %d\n", big + n);
		return 0;
	}
	return 2;
}
