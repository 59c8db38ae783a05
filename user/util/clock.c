// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include "util/clock.h"

#define NS_PER_S 1000000000LL

uint64_t (*clock_source)(clockid_t clk);

uint64_t clock_now(clockid_t clk)
{
	struct timespec ts;

	if (clock_source)
		return clock_source(clk);
	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

int64_t clock_boot_to_real(void)
{
	return (int64_t)clock_now(CLOCK_REALTIME) - (int64_t)clock_now(CLOCK_BOOTTIME);
}

void clock_format_rfc3339(int64_t epoch_ns, char *out, size_t len)
{
	time_t sec = epoch_ns / NS_PER_S;
	long nsec = epoch_ns % NS_PER_S;
	struct tm tm;
	size_t n;

	if (!len)
		return;
	out[0] = 0;
	/* C division truncates toward zero: before 1970 the remainder is negative, and the
	 * second has to be the one before */
	if (nsec < 0) {
		nsec += NS_PER_S;
		sec--;
	}
	if (!gmtime_r(&sec, &tm))
		return;
	n = strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!n) { /* too small: the contents are unspecified */
		out[0] = 0;
		return;
	}
	snprintf(out + n, len - n, ".%09ldZ", nsec);
}
