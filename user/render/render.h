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
#include "enrich/credfiles.h"
#include "enrich/enrich.h"
#include "enrich/sockets.h"
#include "event.h"
#include "intake/conns.h"
#include "judge/fold.h"
#include "judge/policy.h"
#include "judge/quiet.h"
#include "loader/kstats.h"

#define RENDER_MAX_HOOKS	32
#define RENDER_MAX_HELPER_ERRS	32
#define RENDER_MAX_DROP_CGROUPS 8

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
	/* issue 19: the syscall exits by fexit or the syscall tracepoints, and compat ones */
	const char *syscall_exits, *syscall_exits_reason, *compat_exits;
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
	uint64_t written[8]; /* endpoint_connect, file_open, socket_connect, imds_request,
				agent_request, endpoint_unparsed, cgroup_move, event_flood lines */
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
	/* file side (issue 14) */
	struct enrich_stats enrich;
	bool have_credfiles;
	struct credfiles_stats credfiles;
	uint64_t pod_cgroups; /* entries of the kernel's pod-cgroup map */
	/* ops (user/ops): what changed since the previous agent_stats line */
	bool have_interval;
	uint64_t interval_ms, interval_drops, interval_errors, interval_events;
	/* the output's own accounting (output_error above is its lost lines) */
	bool have_output;
	uint64_t out_lines_written, out_lines_pending, out_bytes_written, out_failed_writes;
	uint64_t out_reopens, out_rotations;
	int out_err; /* errno of a failing output, 0 when it works */
	uint64_t reloads_applied, reloads_unchanged, reloads_refused;
	uint32_t ringbuf_drop_intervals; /* consecutive intervals with ring-buffer drops */
	/* floods (issue 13): repeats counted in the kernel, and whose records were lost */
	bool have_quiet;
	struct quiet_stats quiet;
	struct render_cg_drop {
		uint64_t cgroup_id;
		struct cw_cg_drop d;
		const char *cgroup_path; /* NULL unknown */
		bool host;
		char pod_namespace[ATTRIB_NS_BUF], pod_name[ATTRIB_NAME_BUF];
		char container[ATTRIB_LABEL_BUF];
	} drop_cgroups[RENDER_MAX_DROP_CGROUPS]; /* most drops first */
	int ndrop_cgroups;
	uint64_t cgroups_dropping; /* cgroups with drops (the kernel map's entries) */
};

/* config_reloaded: what a SIGHUP did (user/ops/reload.c) */
#define RENDER_MAX_RELOAD_ITEMS 64
struct reload_info {
	int64_t time_real;
	const char *path;   /* the --config file, NULL without one */
	const char *result; /* "applied", "unchanged", "refused", "no_config" */
	const char *error;  /* refused: "file:line:col: reason" */
	const char *changed[RENDER_MAX_RELOAD_ITEMS]; /* "policy.imds_v1", "endpoints", ... */
	int nchanged;
	struct {
		const char *key, *reason;
	} not_applied[8];
	int nnot_applied;
	const char *endpoints_added[RENDER_MAX_RELOAD_ITEMS],
		*endpoints_removed[RENDER_MAX_RELOAD_ITEMS];
	int nendpoints_added, nendpoints_removed;
	const char *sockets_added[RENDER_MAX_RELOAD_ITEMS],
		*sockets_removed[RENDER_MAX_RELOAD_ITEMS];
	int nsockets_added, nsockets_removed;
	const struct policy *policy; /* set when the policy changed: the one now in force */
	bool output_reopened;
	const char *output_error; /* the output could not be reopened: why */
};

/* output_recovered: the output works again after failing; what that cost */
struct output_gap_info {
	int64_t time_real, since_real;
	const char *output; /* the path, or "stdout" */
	const char *error;  /* what failed */
	uint64_t lost;	    /* lines lost meanwhile */
};

struct renderer;
struct renderer_ops {
	void (*event)(struct renderer *r, const struct cw_event *e);
	/* a fold window closed with this summary; now_real: when */
	void (*summary)(struct renderer *r, const struct fold_summary *s, int64_t now_real);
	void (*ready)(struct renderer *r, const struct ready_info *ri);
	void (*stats)(struct renderer *r, const struct stats_snapshot *st);
	void (*free)(struct renderer *r);
	/* the agent's operational lines (NULL: this renderer does not show them) */
	void (*reloaded)(struct renderer *r, const struct reload_info *ri);
	void (*output_recovered)(struct renderer *r, const struct output_gap_info *gi);
	/* a window of repeats counted in the kernel ended (judge/quiet.h); boot_to_real: add to
	 * its boot-time stamps for ns since the epoch (NULL: not shown) */
	void (*repeat)(struct renderer *r, const struct quiet_summary *s, int64_t boot_to_real);
};

struct renderer {
	const struct renderer_ops *ops;
};

#endif
