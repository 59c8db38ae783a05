/* SPDX-License-Identifier: GPL-2.0 */
/*
 * judge: the third and fourth stages. The rules (rules.c, with the policy) decide an
 * enriched event's findings; then folding (fold.c) decides whether it is written: the first
 * event of a (rule, pod, container, executable, target) within the window is written with
 * its finding at once; repeats are counted, not written, and when the window closes its
 * summary leaves through the sink the caller gave (only for windows with repeats). Events
 * without a finding are never folded.
 */
#ifndef CREDWATCH_JUDGE_H
#define CREDWATCH_JUDGE_H

#include <stdbool.h>
#include <stdint.h>
#include "event.h"
#include "judge/fold.h"
#include "judge/policy.h"

/* A closed fold window with repeats; now_real: when it closed, ns since the epoch. */
typedef void (*judge_summary_fn)(void *ctx, const struct fold_summary *s, int64_t now_real);

struct judge_stats {
	uint64_t findings[SEV__COUNT]; /* events with a finding, by their top severity */
	uint64_t folded;	       /* repeats counted into a window instead of written */
	uint64_t summaries;	       /* finding_summary lines */
	bool fold_on;
	uint64_t fold_open, fold_closed_early;
	uint64_t fold_capacity, fold_bytes; /* windows at most, and their memory */
};

struct judge;

/* policy: kept by reference (it must outlive the judge) */
struct judge *judge_new(const struct policy *p, judge_summary_fn sink, void *ctx);
void judge_free(struct judge *j);

/* rules -> e->v.f / e->v.n / e->v.target; then fold -> e->v.folded */
void judge_event(struct judge *j, struct cw_event *e);

/* Close windows that have ended (all of them with flush). */
void judge_expire(struct judge *j, bool flush);

void judge_stats(const struct judge *j, struct judge_stats *out);

#endif
