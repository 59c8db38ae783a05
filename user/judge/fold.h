/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fold: repeats of the same finding are folded. A key is (rule, host, pod UID, container,
 * executable, target); within a window (default 60 s, policy fold_window_seconds) the first hit
 * is emitted at once (FOLD_EMIT) and the others are only counted (FOLD_SUPPRESS). When the
 * window ends, the callback gets one summary with the exact count (the first, emitted hit
 * included): the caller writes it as a "finding_summary" event (render/json.c), typically
 * only when count > 1 since a count of 1 adds nothing to the event already emitted.
 *
 * A window starts at its first hit and lasts window_ns; a hit at or after its end closes it
 * (summary) and opens a new one (FOLD_EMIT). fold_expire() closes every window that has ended
 * (call it from the agent's periodic tick), fold_flush_all() closes all of them (shutdown).
 *
 * State is bounded: at most `capacity` open windows, all allocated by fold_new(). When a new
 * key arrives at capacity, the oldest window is closed early (the callback runs with
 * FOLD_END_EVICTED, its exact count so far) and its slot reused: counts are never lost.
 *
 * Keys: strings are stored (bounded: FOLD_*_MAX bytes each) and compared exactly; a string
 * longer than its slot is stored cut, with its full length, and told apart from another with
 * the same prefix by the 64-bit keyed hash (SipHash-2-4) of the full strings, which also
 * indexes the table. Seed it with fold_seed() so a workload cannot aim collisions at a chain.
 *
 * Times are nanoseconds of the clock the summary should show: CLOCK_REALTIME (epoch) for
 * RFC 3339 windows. A clock that steps back only delays fold_expire(), never loses a count.
 * Not thread-safe.
 */
#ifndef CREDWATCH_FOLD_H
#define CREDWATCH_FOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "judge/policy.h"

#define FOLD_UID_MAX	      37 /* bytes kept, NUL included */
#define FOLD_NS_MAX	      64
#define FOLD_POD_MAX	      254
#define FOLD_CTR_MAX	      64
#define FOLD_EXE_MAX	      256
#define FOLD_TARGET_MAX	      256

#define FOLD_DEFAULT_CAPACITY 1024

/* What fold_hit() is given; NULL strings are "". namespace and pod_name describe the pod (for
 * the summary) but are not part of the key: the pod UID is. */
struct fold_key {
	enum cw_rule rule;
	enum cw_severity severity; /* the summary shows the highest seen in the window */
	bool host;
	const char *pod_uid;
	const char *pod_namespace;
	const char *pod_name;
	const char *container;
	const char *exe;
	const char *target; /* what was accessed: endpoint + path, file, socket */
};

enum fold_verdict {
	FOLD_EMIT = 0,	   /* the first hit of a window: write the event */
	FOLD_SUPPRESS = 1, /* counted in the open window */
};

enum fold_end {
	FOLD_END_WINDOW = 0, /* the window ran its full length */
	FOLD_END_EVICTED,    /* closed early: the table was full */
	FOLD_END_FLUSHED,    /* closed early: fold_flush_all() */
};

/* Handed to the callback; the strings live until the callback returns. */
struct fold_summary {
	enum cw_rule rule;
	enum cw_severity severity;
	bool host;
	const char *pod_uid, *pod_namespace, *pod_name, *container, *exe, *target;
	unsigned int cut;  /* FOLD_CUT_*: strings cut to their slot (JSON adds JW_TRUNC_MARK) */
	uint64_t count;	   /* hits in the window, the first (emitted) one included; >= 1 */
	uint64_t first_ns; /* first and last hit */
	uint64_t last_ns;
	uint64_t start_ns; /* = first_ns */
	uint64_t end_ns;   /* start + window; the time of closing when closed early */
	enum fold_end why;
};

enum {
	FOLD_CUT_UID = 1u << 0,
	FOLD_CUT_CONTAINER = 1u << 1,
	FOLD_CUT_EXE = 1u << 2,
	FOLD_CUT_TARGET = 1u << 3,
	FOLD_CUT_NAMESPACE = 1u << 4,
	FOLD_CUT_POD_NAME = 1u << 5,
};

/* Runs for every window that closes; it must not call fold functions on the same table. */
typedef void (*fold_cb)(const struct fold_summary *s, void *ctx);

struct fold;

/*
 * capacity: open windows at most (0: FOLD_DEFAULT_CAPACITY). window_ns: 0 disables folding
 * (every hit is FOLD_EMIT, the callback never runs). cb: required. NULL with errno on failure.
 */
struct fold *fold_new(size_t capacity, uint64_t window_ns, fold_cb cb, void *ctx);
void fold_free(struct fold *f); /* does not flush: call fold_flush_all() first */
void fold_seed(struct fold *f, uint64_t k0, uint64_t k1); /* only while empty */

enum fold_verdict fold_hit(struct fold *f, const struct fold_key *k, uint64_t now_ns);
/* Close every window with start + window <= now. Returns how many. */
size_t fold_expire(struct fold *f, uint64_t now_ns);
/* Close all windows (end = now, or the window end if earlier). Returns how many. */
size_t fold_flush_all(struct fold *f, uint64_t now_ns);

size_t fold_count(const struct fold *f); /* open windows */
size_t fold_capacity(const struct fold *f);
uint64_t fold_evictions(const struct fold *f);
size_t fold_bytes(const struct fold *f);

/* SipHash-2-4 of n bytes (exposed for tests). */
uint64_t fold_siphash(uint64_t k0, uint64_t k1, const void *data, size_t n);

#endif
