// SPDX-License-Identifier: GPL-2.0
/* Tests for clock_format_rfc3339: RFC 3339, UTC, nine fractional digits. */
#include <stdint.h>

#include "util/clock.h"
#include "unit.h"

#define NS 1000000000LL

static void expect(int64_t ns, const char *want)
{
	char out[64];

	memset(out, 'X', sizeof(out));
	clock_format_rfc3339(ns, out, sizeof(out));
	ASSERT_STREQ(out, want);
	ASSERT_EQ(strlen(out), 30); /* YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ */
}

static void test_epoch(void)
{
	expect(0, "1970-01-01T00:00:00.000000000Z");
	expect(1, "1970-01-01T00:00:00.000000001Z");
	expect(123456789, "1970-01-01T00:00:00.123456789Z");
	expect(86400 * NS, "1970-01-02T00:00:00.000000000Z");
}

static void test_2026(void)
{
	expect(1780000000LL * NS, "2026-05-28T20:26:40.000000000Z");
	expect(1780000000LL * NS + 42, "2026-05-28T20:26:40.000000042Z");
	expect(1780000000LL * NS + 500000000, "2026-05-28T20:26:40.500000000Z");
	/* the last nanosecond of 2025, and the first of 2026 */
	expect(1767225599LL * NS + 999999999, "2025-12-31T23:59:59.999999999Z");
	expect(1767225600LL * NS, "2026-01-01T00:00:00.000000000Z");
	expect(1798761599LL * NS + 999999999, "2026-12-31T23:59:59.999999999Z");
}

static void test_second_boundary(void)
{
	expect(NS - 1, "1970-01-01T00:00:00.999999999Z");
	expect(NS, "1970-01-01T00:00:01.000000000Z");
	expect(NS + 1, "1970-01-01T00:00:01.000000001Z");
	expect(1780000000LL * NS - 1, "2026-05-28T20:26:39.999999999Z");
	expect(1780000001LL * NS - 1, "2026-05-28T20:26:40.999999999Z");
	expect(1780000001LL * NS, "2026-05-28T20:26:41.000000000Z");
	/* before the epoch the fraction still counts up within its second */
	expect(-1, "1969-12-31T23:59:59.999999999Z");
	expect(-NS, "1969-12-31T23:59:59.000000000Z");
	expect(-NS - 1, "1969-12-31T23:59:58.999999999Z");
	expect(-NS + 1, "1969-12-31T23:59:59.000000001Z");
}

static void test_extremes(void)
{
	char out[64];

	expect(INT64_MAX, "2262-04-11T23:47:16.854775807Z");
	expect(INT64_MIN, "1677-09-21T00:12:43.145224192Z");

	/* a buffer too small never overflows and stays a string */
	memset(out, 'X', sizeof(out));
	clock_format_rfc3339(0, out, 31);
	ASSERT_STREQ(out, "1970-01-01T00:00:00.000000000Z");
	memset(out, 'X', sizeof(out));
	clock_format_rfc3339(0, out, 25);
	ASSERT_EQ(out[24], 0);
	ASSERT_TRUE(strlen(out) < 25);
	ASSERT_EQ(out[25], 'X');
	memset(out, 'X', sizeof(out));
	clock_format_rfc3339(0, out, 5);
	ASSERT_TRUE(strlen(out) < 5);
	ASSERT_EQ(out[5], 'X');
	memset(out, 'X', sizeof(out));
	clock_format_rfc3339(0, out, 0);
	ASSERT_EQ(out[0], 'X');
}

int main(void)
{
	RUN(test_epoch);
	RUN(test_2026);
	RUN(test_second_boundary);
	RUN(test_extremes);
	return unit_report("clock");
}
