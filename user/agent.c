// SPDX-License-Identifier: GPL-2.0
/* The agent's own lines: agent_ready and agent_stats, gathered from the modules. */
#include <string.h>
#include <unistd.h>
#include "agent.h"
#include "credwatch_abi.h"
#include "enrich/attrib.h"
#include "enrich/cgroups.h"
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

/* agent_stats: every module's counters */
void agent_stats(struct agent *a)
{
	struct stats_snapshot st;

	memset(&st, 0, sizeof(st));
	st.time_real = (int64_t)clock_now(CLOCK_REALTIME);
	st.uptime_ms = (clock_now(CLOCK_MONOTONIC) - a->started_mono_ns) / 1000000;
	pipeline_stats(a->pipe, &st);
	kstats_read(&a->loader, st.kernel);
	st.nhelper_errs = kstats_read_errs(&a->loader, st.helper_errs, RENDER_MAX_HELPER_ERRS);
	st.output_errors = a->out.st.write_errors;
	st.lines_overflowed = a->out.st.lines_overflowed;
	attrib_stats(a->attrib, &st.attrib);
	st.cgroups_entries = cgroups_count(a->cgroups);
	st.cgroups_evictions = cgroups_evictions(a->cgroups);
	st.cgroups_bytes = cgroups_bytes(a->cgroups);
	st.procs_evictions = procs_cache_evictions(a->procs);
	a->json->ops->stats(a->json, &st);
}
