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

#include <errno.h>
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
struct peers;
struct quiet_map_ops;

struct pipeline_parts {
	struct cgroups *cgroups;
	struct procs *procs;
	struct attrib *attrib;
	/* file side (issue 14): credential files by inode (may be NULL), the host's mount
	 * namespace inode (0: unknown) */
	struct credfiles *credfiles;
	uint32_t host_mntns;
	struct peers *peers; /* other credwatch agents (NULL: not looked for) */
	const struct config *cfg;
	struct renderer *renderers[PIPELINE_MAX_RENDERERS];
	int nrenderers;
	uint64_t holdback_ns;	/* longest wait for late container metadata (0: the default) */
	unsigned int batch_max; /* records read between two ticks, at most (0: no limit) */
	/* floods (issue 13): the kernel's repeat counter map (NULL: no aggregation in the
	 * kernel) and its capacity */
	const struct quiet_map_ops *quiet_ops;
	void *quiet_ctx;
	size_t quiet_capacity;
};

struct pipeline;

struct pipeline *pipeline_new(const struct pipeline_parts *parts);
void pipeline_free(struct pipeline *p);

/* ring_buffer__new's callback: one record in (a bad record is counted). Returns 0, or
 * PIPELINE_YIELD after parts.batch_max records since the last pipeline_tick: libbpf then stops
 * reading (the record is consumed) and ring_buffer__poll/consume return it, so that the
 * periodic work runs during a flood that never lets the ring go empty. */
#define PIPELINE_YIELD (-EAGAIN)
int pipeline_record(void *ctx, void *data, size_t size);

/* Periodic work (after each poll batch): held-back events that are due, HTTP requests whose
 * response is overdue, fold windows that ended. Returns the monotonic time of the next
 * deadline, 0 if none. */
uint64_t pipeline_tick(struct pipeline *p, uint64_t now);

/* At exit: everything still held or queued goes out, every fold window closes. Call it
 * after the BPF programs are detached: the kernel's repeat counts are read then. */
void pipeline_flush(struct pipeline *p, uint64_t now);

/* An event_flood: the kernel's drop counters of one cgroup (d), whose drops have gone on
 * for secs seconds; last_tgid: the process of the last drop (0 unknown). Judged, folded and
 * rendered like a record's event. */
void pipeline_flood(struct pipeline *p, uint64_t cgroup_id, const struct cw_cg_drop *d,
		    uint64_t secs, uint64_t now);

/* The pipeline's modules' counters into *st (the caller adds the rest). */
void pipeline_stats(const struct pipeline *p, struct stats_snapshot *st);

#endif
