// SPDX-License-Identifier: GPL-2.0
/* The agent's own lines: agent_ready and agent_stats, gathered from the modules. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "agent.h"
#include "credwatch_abi.h"
#include "enrich/attrib.h"
#include "enrich/cgroups.h"
#include "enrich/credfiles.h"
#include "enrich/procs.h"
#include "loader/kstats.h"
#include "pipeline.h"
#include "render/render.h"
#include "util/clock.h"

/* agent_ready: what runs, what was attached, with which configuration */
void agent_ready(struct agent *a)
{
	const struct loader *l = &a->loader;
	struct ready_info ri = {
		.time_real = (int64_t)clock_now(CLOCK_REALTIME),
		.version = CREDWATCH_VERSION,
		.pid = getpid(),
		.abi = CW_ABI_VERSION,
		.startup_ms = (clock_now(CLOCK_MONOTONIC) - a->started_mono_ns) / 1000000,
		.kernel_release = l->kernel_release,
		.file_hook = loader_file_hook_name(l->file_hook),
		.file_hook_reason = l->file_hook_reason,
		.sock_hook = loader_sock_hook_name(l->sock_hook),
		.sock_hook_reason = l->sock_hook_reason,
		.skb_task = l->skb_task,
		.syscall_exits = loader_sysx_hook_name(l->sysx_hook),
		.syscall_exits_reason = l->sysx_reason,
		.compat_exits = loader_compat_hook_name(l->compat_hook),
		.cgroup_mount = l->cgroup_mount,
		.ringbuf_size = a->opts.ringbuf_size,
		.max_procs = a->opts.max_procs,
		.holdback_ms = a->opts.holdback_ms,
		.host_root = a->opts.host_root,
		.mounted = l->mounted,
		.sockets = &a->cfg.sockets,
		.policy = &a->cfg.policy,
		.cfg = &a->cfg,
	};

	for (int i = 0; i < l->nhooks && i < RENDER_MAX_HOOKS; i++) {
		ri.hooks[i].family = l->hooks[i].family;
		ri.hooks[i].name = l->hooks[i].name;
		ri.hooks[i].program = l->hooks[i].program;
		ri.hooks[i].target = l->hooks[i].target;
		ri.nhooks++;
	}
	a->json->ops->ready(a->json, &ri);
}

/* agent_stats' drops.by_cgroup: the cgroups with the most lost records, named */
static void cg_drops(struct agent *a, struct stats_snapshot *st)
{
	struct kstat_cg_drop top[RENDER_MAX_DROP_CGROUPS];
	uint64_t now = clock_now(CLOCK_MONOTONIC);
	int n = kstats_read_cg_drops(&a->loader, top, RENDER_MAX_DROP_CGROUPS,
				     &st->cgroups_dropping);

	for (int i = 0; i < n; i++) {
		struct render_cg_drop *c = &st->drop_cgroups[i];
		static struct attrib_result res; /* large: not on the stack */
		bool removed;

		c->cgroup_id = top[i].cgroup_id;
		c->d = top[i].d;
		c->cgroup_path = cgroups_path(a->cgroups, c->cgroup_id, &removed);
		attrib_workload(a->attrib,
				c->cgroup_path && c->cgroup_path[0] ? c->cgroup_path : "/", 0, now,
				&res);
		c->host = res.host;
		snprintf(c->pod_namespace, sizeof(c->pod_namespace), "%s", res.pod_namespace);
		snprintf(c->pod_name, sizeof(c->pod_name), "%s", res.pod_name);
		snprintf(c->container, sizeof(c->container), "%s", res.container_name);
	}
	st->ndrop_cgroups = n;
}

void agent_floods(struct agent *a, uint64_t now_mono)
{
	struct kstat_cg_drop top[RENDER_MAX_DROP_CGROUPS];
	uint64_t total, now_boot;
	int n;

	if (now_mono < a->next_flood_check)
		return;
	a->next_flood_check = now_mono + 1000000000ULL;
	n = kstats_read_cg_drops(&a->loader, top, RENDER_MAX_DROP_CGROUPS, &total);
	now_boot = clock_now(CLOCK_BOOTTIME);
	for (int i = 0; i < n; i++) {
		const struct cw_cg_drop *d = &top[i].d;
		size_t slot = 0, seen = sizeof(a->flood_seen) / sizeof(a->flood_seen[0]);
		bool reported = false;

		/* still going (a drop within the gap), and long enough */
		if (now_boot - d->last_ns > CW_DROP_GAP_NS ||
		    d->last_ns - d->episode_ns < CW_FLOOD_MIN_SECS * 1000000000ULL)
			continue;
		for (size_t j = 0; j < seen && !reported; j++) {
			if (a->flood_seen[j].cgroup_id == top[i].cgroup_id) {
				reported = a->flood_seen[j].episode_ns == d->episode_ns;
				slot = j;
				break;
			}
			/* the oldest episode's slot is reused */
			if (a->flood_seen[j].episode_ns < a->flood_seen[slot].episode_ns)
				slot = j;
		}
		if (reported)
			continue;
		a->flood_seen[slot].cgroup_id = top[i].cgroup_id;
		a->flood_seen[slot].episode_ns = d->episode_ns;
		pipeline_flood(a->pipe, top[i].cgroup_id, d,
			       (d->last_ns - d->episode_ns) / 1000000000ULL, now_mono);
	}
}

/* agent_stats' content: every module's counters */
void agent_snapshot(struct agent *a, struct stats_snapshot *st)
{
	memset(st, 0, sizeof(*st));
	st->time_real = (int64_t)clock_now(CLOCK_REALTIME);
	st->uptime_ms = (clock_now(CLOCK_MONOTONIC) - a->started_mono_ns) / 1000000;
	pipeline_stats(a->pipe, st);
	kstats_read(&a->loader, st->kernel);
	st->nhelper_errs = kstats_read_errs(&a->loader, st->helper_errs, RENDER_MAX_HELPER_ERRS);
	st->output_errors = a->out.st.write_errors;
	st->lines_overflowed = a->out.st.lines_overflowed;
	attrib_stats(a->attrib, &st->attrib);
	st->cgroups_entries = cgroups_count(a->cgroups);
	st->cgroups_evictions = cgroups_evictions(a->cgroups);
	st->cgroups_bytes = cgroups_bytes(a->cgroups);
	st->procs_evictions = procs_cache_evictions(a->procs);
	st->have_output = true;
	st->out_lines_written = a->out.st.lines_written;
	st->out_lines_pending = output_pending(&a->out);
	st->out_bytes_written = a->out.st.bytes_written;
	st->out_failed_writes = a->out.st.failed_writes;
	st->out_reopens = a->out.st.reopens;
	st->out_rotations = a->out.st.rotations;
	st->out_err = a->out.err;
	st->reloads_applied = a->reloads_applied;
	st->reloads_unchanged = a->reloads_unchanged;
	st->reloads_refused = a->reloads_refused;
	st->ringbuf_drop_intervals = a->drop_window.streak;
	if (a->credfiles) {
		st->have_credfiles = true;
		credfiles_stats(a->credfiles, &st->credfiles);
	}
	st->pod_cgroups = cgroups_pod_cgroups(a->cgroups);
	cg_drops(a, st);
}

/* the sums the "interval" object reports the change of */
static void totals(const struct stats_snapshot *st, uint64_t *drops, uint64_t *errors,
		   uint64_t *events)
{
	const uint64_t *k = st->kernel;

	*drops = k[CW_STAT_RINGBUF_FULL] + st->bad_records + st->output_errors;
	*errors = k[CW_STAT_PROC_MAP_FULL] + k[CW_STAT_PROC_READ_FAIL] + k[CW_STAT_REQ_READ_FAIL] +
		  k[CW_STAT_ERRS_FULL];
	*events = 0;
	for (size_t i = 0; i < sizeof(st->written) / sizeof(st->written[0]); i++)
		*events += st->written[i];
}

/* agent_stats: every module's counters, and what changed since the previous line */
void agent_stats(struct agent *a)
{
	static struct stats_snapshot st; /* large (helper errors, caches): not on the stack */
	uint64_t now = clock_now(CLOCK_MONOTONIC), drops, errors, events;

	agent_snapshot(a, &st);
	totals(&st, &drops, &errors, &events);
	if (!a->last_stats.mono_ns)
		a->last_stats.mono_ns = a->started_mono_ns;
	st.have_interval = true;
	st.interval_ms = (now - a->last_stats.mono_ns) / 1000000;
	st.interval_drops = drops - a->last_stats.drops;
	st.interval_errors = errors - a->last_stats.errors;
	st.interval_events = events - a->last_stats.events;
	a->last_stats.mono_ns = now;
	a->last_stats.drops = drops;
	a->last_stats.errors = errors;
	a->last_stats.events = events;
	a->json->ops->stats(a->json, &st);
}

uint64_t agent_drop_window_ns(const struct agent *a)
{
	double s = a->opts.stats_interval > 0 ? a->opts.stats_interval : 60;

	return (uint64_t)(s * 1e9);
}

void agent_drop_window(struct agent *a, uint64_t now_mono)
{
	uint64_t k[CW_STAT_MAX];

	if (!a->drop_window.start_ns) {
		kstats_read(&a->loader, k);
		a->drop_window.start_ns = now_mono;
		a->drop_window.ringbuf_full = k[CW_STAT_RINGBUF_FULL];
		return;
	}
	if (now_mono - a->drop_window.start_ns < agent_drop_window_ns(a))
		return;
	kstats_read(&a->loader, k);
	if (k[CW_STAT_RINGBUF_FULL] > a->drop_window.ringbuf_full)
		a->drop_window.streak++;
	else
		a->drop_window.streak = 0;
	a->drop_window.ringbuf_full = k[CW_STAT_RINGBUF_FULL];
	a->drop_window.start_ns = now_mono;
}
