/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal unit-test harness: each tests/unit/test_*.c is one binary built with
 * ASan/UBSan. Assertions print what differed and count failures; main() returns
 * non-zero when anything failed. The runner (tests/unit/run.sh) sums the
 * per-binary "unit: N passed, N failed" lines into the suite total.
 */
#ifndef CREDWATCH_UNIT_H
#define CREDWATCH_UNIT_H

#include <stdio.h>
#include <string.h>
#include <stdint.h>

static int unit_passed, unit_failed;
static const char *unit_current = "?";

#define UNIT_FAIL(fmt, ...)                                                                     \
	do {                                                                                    \
		fprintf(stderr, "FAIL %s (%s:%d): " fmt "\n", unit_current, __FILE__, __LINE__, \
			##__VA_ARGS__);                                                         \
		unit_failed++;                                                                  \
	} while (0)

#define UNIT_OK() unit_passed++

#define ASSERT_TRUE(cond)                                      \
	do {                                                   \
		if (cond)                                      \
			UNIT_OK();                             \
		else                                           \
			UNIT_FAIL("expected true: %s", #cond); \
	} while (0)

#define ASSERT_FALSE(cond) ASSERT_TRUE(!(cond))

#define ASSERT_EQ(a, b)                                                             \
	do {                                                                        \
		long long _a = (long long)(a), _b = (long long)(b);                 \
		if (_a == _b)                                                       \
			UNIT_OK();                                                  \
		else                                                                \
			UNIT_FAIL("%s == %s: got %lld, want %lld", #a, #b, _a, _b); \
	} while (0)

#define ASSERT_STREQ(a, b)                                                                         \
	do {                                                                                       \
		const char *_a = (a), *_b = (b);                                                   \
		if (_a && _b && strcmp(_a, _b) == 0)                                               \
			UNIT_OK();                                                                 \
		else                                                                               \
			UNIT_FAIL("%s == %s: got \"%s\", want \"%s\"", #a, #b, _a ? _a : "(null)", \
				  _b ? _b : "(null)");                                             \
	} while (0)

#define ASSERT_NULL(p)	  ASSERT_TRUE((p) == NULL)
#define ASSERT_NOTNULL(p) ASSERT_TRUE((p) != NULL)

/* Run one test function, naming it in failure messages. */
#define RUN(fn)                     \
	do {                        \
		unit_current = #fn; \
		fn();               \
	} while (0)

/* Print the per-binary summary and return the exit status for main(). */
static inline int unit_report(const char *name)
{
	printf("unit %s: %d passed, %d failed\n", name, unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}

#endif
