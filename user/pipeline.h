/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pipeline: one ring-buffer record's way to its output line, in stages with one job each:
 *
 *   decode (intake/decode.c) -> enrich (enrich/enrich.c) -> judge + fold (judge/judge.c)
 *     -> render (render/, every renderer given)
 *
 * with the hold-back queue (intake/holdback.c) between enrich's "who" and the rest, and HTTP
 * pairing (intake/conns.c) feeding complete requests in at enrich. Fold summaries leave
 * through the judge's sink to the renderers. The pipeline owns the stage modules it creates;
 * the caches (cgroups, procs, attrib), the config and the renderers are the caller's.
 */
#ifndef CREDWATCH_PIPELINE_H
#define CREDWATCH_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "render/render.h"

#define PIPELINE_MAX_RENDERERS 4

struct cgroups;
struct procs;
struct attrib;

struct credfiles;

struct pipeline_parts {
	struct cgroups *cgroups;
	struct procs *procs;
	struct attrib *attrib;
	/* file side (issue 14): credential files by inode (may be NULL), the host's mount
	 * namespace inode (0: unknown) */
	struct credfiles *credfiles;
	uint32_t host_mntns;
	const struct config *cfg;
	struct renderer *renderers[PIPELINE_MAX_RENDERERS];
	int nrenderers;
	uint64_t holdback_ns; /* longest wait for late container metadata (0: the default) */
};

struct pipeline;

struct pipeline *pipeline_new(const struct pipeline_parts *parts);
void pipeline_free(struct pipeline *p);

/* ring_buffer__new's callback: one record in (always returns 0: a bad record is counted) */
int pipeline_record(void *ctx, void *data, size_t size);

/* Periodic work (after each poll batch): held-back events that are due, HTTP requests whose
 * response is overdue, fold windows that ended. Returns the monotonic time of the next
 * deadline, 0 if none. */
uint64_t pipeline_tick(struct pipeline *p, uint64_t now);

/* At exit: everything still held or queued goes out, every fold window closes. */
void pipeline_flush(struct pipeline *p, uint64_t now);

/* The pipeline's modules' counters into *st (the caller adds the rest). */
void pipeline_stats(const struct pipeline *p, struct stats_snapshot *st);

#endif
