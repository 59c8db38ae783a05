/* SPDX-License-Identifier: GPL-2.0 */
/*
 * render: the last stage. A renderer is handed finished things - an event whose stages have
 * all run, a fold summary, the agent's start-up description, a stats snapshot - and formats
 * them. It calls no attribution, rule, fold, clock or BPF function: everything it prints is
 * in what it is given. The JSON lines (render/json.c) are the first renderer; another view
 * is another struct renderer, added without touching the stages.
 */
#ifndef CREDWATCH_RENDER_H
#define CREDWATCH_RENDER_H

#include <stdbool.h>
#include <stdint.h>
#include "config.h"
#include "credwatch_abi.h"
#include "enrich/attrib.h"
#include "enrich/sockets.h"
#include "event.h"
#include "intake/conns.h"
#include "judge/fold.h"
#include "judge/policy.h"
#include "loader/kstats.h"

#define RENDER_MAX_HOOKS       32
#define RENDER_MAX_HELPER_ERRS 32

/* agent_ready: what the agent is and what it attached */
struct ready_info {
	int64_t time_real; /* ns since the epoch */
	const char *version;
	uint32_t pid;
	uint32_t abi;
	uint64_t startup_ms;
	const char *kernel_release;
	struct {
		const char *family, *name, *program, *target;
	} hooks[RENDER_MAX_HOOKS];
	int nhooks;
	const char *file_hook, *file_hook_reason;
	const char *sock_hook, *sock_hook_reason;
	bool skb_task; /* packet hooks can name the process of a connection found there */
	const char *cgroup_mount;
	uint32_t ringbuf_size, max_procs, holdback_ms;
	const char *host_root;
	const char *mounted;
	const struct socket_watch *sockets;
	const struct policy *policy;
	const struct config *cfg;
};

/* agent_stats: every counter, gathered from the modules that own them */
struct stats_snapshot {
	int64_t time_real;
	uint64_t uptime_ms;
	uint64_t written[6]; /* endpoint_connect, file_open, socket_connect, imds_request,
				agent_request, endpoint_unparsed lines */
	bool have_http;
	struct conns_stats http;
	uint64_t kernel[CW_STAT_MAX]; /* the BPF side's counters (enum cw_stat) */
	uint64_t bad_records, output_errors, lines_overflowed, userspace_filtered;
	uint64_t findings[SEV__COUNT]; /* events with a finding, by their top severity */
	uint64_t folded, summaries;
	bool fold_on;
	uint64_t fold_open, fold_closed_early, fold_capacity, fold_bytes;
	struct attrib_stats attrib;
	uint64_t held_back, held_back_overflow;
	uint64_t cgroups_entries, cgroups_evictions, cgroups_bytes, procs_evictions;
	struct kstat_err helper_errs[RENDER_MAX_HELPER_ERRS]; /* failed BPF helper calls */
	int nhelper_errs;
};

struct renderer;
struct renderer_ops {
	void (*event)(struct renderer *r, const struct cw_event *e);
	/* a fold window closed with this summary; now_real: when */
	void (*summary)(struct renderer *r, const struct fold_summary *s, int64_t now_real);
	void (*ready)(struct renderer *r, const struct ready_info *ri);
	void (*stats)(struct renderer *r, const struct stats_snapshot *st);
	void (*free)(struct renderer *r);
};

struct renderer {
	const struct renderer_ops *ops;
};

#endif
