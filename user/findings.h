/* SPDX-License-Identifier: GPL-2.0 */
/*
 * findings: runs the rules (rules.c, with the policy) on an event about to be
 * written and folds repeats (fold.c): the first event of a (rule, pod,
 * container, executable, target) within the window is written with its
 * finding at once; repeats are counted, not written, and one
 * finding_summary line with the exact count closes the window. Events
 * without a finding are never folded.
 */
#ifndef CREDWATCH_FINDINGS_H
#define CREDWATCH_FINDINGS_H

#include <stdbool.h>
#include <stdint.h>
#include "policy.h"
#include "rules.h"

struct agent;
struct ev_ctx;

#define FINDINGS_MAX 4

struct findings {
	struct finding f[FINDINGS_MAX];
	int n;
};

int findings_init(struct agent *a);
void findings_free(struct agent *a);

/* The rule subject of an event's process. */
void findings_subject(const struct ev_ctx *c, struct cw_subject *s);

/* After the rules ran: false when this event is a repeat to fold (not written). */
bool findings_admit(struct agent *a, const struct cw_subject *s, const struct findings *fs,
		    const char *target, uint64_t real_ns);

/* Close windows that ended (all with flush). */
void findings_expire(struct agent *a, bool flush);

#endif
