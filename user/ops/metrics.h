/* SPDX-License-Identifier: GPL-2.0 */
/*
 * metrics: the agent's counters in the Prometheus text format (version 0.0.4), served over
 * HTTP on --metrics-listen ADDR:PORT (127.0.0.1:9464, [::1]:9464; port 0 picks one) or a unix
 * socket path. Off by default.
 *
 * Labels are low-cardinality only - event, rule, severity, reason - never a pod, container,
 * process or path: a metric's series are bounded by the schema's enums.
 *
 * The endpoint is served from the agent's poll loop (no thread): a scrape is answered within
 * one loop turn (<= 100 ms). Sockets are non-blocking; at most METRICS_MAX_CLIENTS at a time,
 * each closed after METRICS_CLIENT_TIMEOUT_NS. Findings by rule and severity are counted by a
 * renderer (the events the pipeline writes, and the fold summaries' repeats); everything
 * else comes from the same snapshot agent_stats is made from, taken when a scrape arrives.
 */
#ifndef CREDWATCH_OPS_METRICS_H
#define CREDWATCH_OPS_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include "judge/policy.h"
#include "render/render.h"

#define METRICS_MAX_CLIENTS	  8
#define METRICS_CLIENT_TIMEOUT_NS (5ULL * 1000 * 1000 * 1000)

/* what the renderer side counts */
struct metrics_counts {
	uint64_t findings[RULE__COUNT][SEV__COUNT]; /* findings in written events */
	uint64_t repeats[RULE__COUNT][SEV__COUNT];  /* repeats folded into a window (summaries) */
	uint64_t summaries;
};

/* The exposition text into buf (NUL-terminated); returns its length, or 0 if buf is too
 * small. version: the build's. */
size_t metrics_format(const struct metrics_counts *c, const struct stats_snapshot *st,
		      const char *version, char *buf, size_t len);

struct metrics;

/* Listen on addr ("IP:PORT", "[IPv6]:PORT" or an absolute unix socket path). NULL with a
 * message in err on failure. */
struct metrics *metrics_new(const char *addr, char *err, size_t errlen);
/* The address actually bound ("127.0.0.1:41234", or the socket path). */
const char *metrics_address(const struct metrics *m);
/* The renderer that counts findings (give it to the pipeline). Owned by m. */
struct renderer *metrics_renderer(struct metrics *m);
/* Serve what is waiting: accept, read requests, answer with a fresh snapshot from snap(). */
typedef void (*metrics_snapshot_fn)(void *ctx, struct stats_snapshot *st);
void metrics_poll(struct metrics *m, uint64_t now_mono, metrics_snapshot_fn snap, void *ctx,
		  const char *version);
/* Close everything (and remove a unix socket). */
void metrics_free(struct metrics *m);

#endif
