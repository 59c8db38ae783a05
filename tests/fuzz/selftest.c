// SPDX-License-Identifier: GPL-2.0
/*
 * selftest: a target with a planted bug, chosen by CWFUZZ_SELFTEST (asan, ubsan, leak,
 * secret, hang) and hit by every input. The fuzz runner (tests/fuzz/run.sh) runs it once per
 * kind and must report each as a failure of that kind, with its reproducer, or the fuzz suite
 * fails: a crash, a sanitizer report, a leak, a broken invariant and a hang all end a run as
 * a failure here, on this machine.
 */
#include "fuzz.h"

static volatile int sink;

/* An allocation nothing points to once this returns. */
static __attribute__((noinline)) void lose(size_t n)
{
	char *volatile p = malloc(n);

	if (p)
		p[0] = 1;
	p = NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *kind = getenv("CWFUZZ_SELFTEST");
	char *p, out[64] = "prefix:";
	int x;

	if (!kind)
		return 0;
	if (!strcmp(kind, "asan")) {
		p = malloc(4);
		sink = p[4 + size % 4]; /* heap-buffer-overflow */
		free(p);
	} else if (!strcmp(kind, "ubsan")) {
		x = 0x7fffffff - (int)(size % 4);
		sink = x + 4; /* signed integer overflow */
	} else if (!strcmp(kind, "leak") && size && data[0] == 'L') {
		/* libFuzzer looks for leaks on inputs that reach new code: this one does */
		lose(64 + size % 4); /* never freed */
	} else if (!strcmp(kind, "secret")) {
		/* the leak check finds a planted secret's run anywhere, also at an odd offset */
		memcpy(out + 9, &FZ_SESSION_TOKEN[5], 12);
		if (!fz_input_has_secret(data, size))
			fz_check_no_secret(out, sizeof(out), "the selftest's output");
	} else if (!strcmp(kind, "hang")) {
		for (unsigned int i = 0;; i++)
			sink = (int)(i & 1);
	}
	return 0;
}
