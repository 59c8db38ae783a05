/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clock: the agent's one clock and its one time format. Every module that needs "now" calls
 * clock_now(); every RFC 3339 timestamp in the output is written by clock_format_rfc3339().
 */
#ifndef CREDWATCH_CLOCK_H
#define CREDWATCH_CLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* ns of clk (CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME) */
uint64_t clock_now(clockid_t clk);

/* A fixed clock for tests (the pipeline's characterization test); NULL: the system's. */
extern uint64_t (*clock_source)(clockid_t clk);

/* CLOCK_REALTIME - CLOCK_BOOTTIME now: turns a kernel timestamp (bpf_ktime_get_boot_ns) into
 * ns since the epoch. */
int64_t clock_boot_to_real(void);

/* RFC 3339 UTC with nanoseconds ("2026-11-30T00:00:00.000000000Z", 30 bytes + NUL). A buffer
 * too small gets a shorter string (possibly ""); len 0 writes nothing. */
void clock_format_rfc3339(int64_t epoch_ns, char *out, size_t len);

#define CLOCK_RFC3339_LEN 31

#endif
