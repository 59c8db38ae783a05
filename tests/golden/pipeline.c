// SPDX-License-Identifier: GPL-2.0
/*
 * The one file of the characterization test that knows the agent's internals: set up the
 * pipeline as `credwatch run` does after loading (without BPF programs), hand it the
 * scenario's records, flush, write agent_stats.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "agent.h"
#include "attrib.h"
#include "cgroups.h"
#include "config.h"
#include "conns.h"
#include "emit.h"
#include "events.h"
#include "findings.h"
#include "procs.h"
#include "sockets.h"
#include "golden.h"

static struct agent a = { .cgroup_fd = -1 };

/* The agent's clock, fixed: it starts at the first record's time and moves 1 ms per record
 * (and by the scenario's advance()), in step with the records' own timestamps. */
static uint64_t elapsed;

static uint64_t fixed_clock(int clock)
{
	switch (clock) {
	case CLOCK_REALTIME:
		return GOLDEN_BOOT_NS + GOLDEN_BOOT_TO_REAL + elapsed;
	case CLOCK_BOOTTIME:
		return GOLDEN_BOOT_NS + elapsed;
	default:
		return 5000000000000ULL + elapsed;
	}
}

/* what the run loop does after each poll batch: here, each record is one batch */
static void tick(void)
{
	uint64_t now = now_ns(CLOCK_MONOTONIC);

	events_retry_pending(&a, now, false);
	conns_expire(a.conns, now, false);
	findings_expire(&a, false);
}

static void push(void *ctx, const void *rec, size_t size)
{
	elapsed += 1000000;
	events_handle(ctx, (void *)rec, size);
	tick();
}

static void advance(void *ctx, uint64_t ns)
{
	(void)ctx;
	elapsed += ns;
	tick();
}

/* the hooks a tracepoint-only kernel gets (agent_ready lists them; nothing is attached) */
static void hooks(void)
{
	static const char *const h[][3] = {
		{ "process", "tp_btf/sched_process_exec", "cw_exec" },
		{ "network", "cgroup/connect4", "cw_connect4" },
		{ "file", "tp/syscalls/sys_exit_openat", "cw_exit_openat" },
	};

	for (size_t i = 0; i < sizeof(h) / sizeof(h[0]); i++) {
		a.hooks[a.nhooks].family = h[i][0];
		a.hooks[a.nhooks].name = h[i][1];
		a.hooks[a.nhooks].program = h[i][2];
		a.nhooks++;
	}
}

int golden_run(const char *host_root, const char *cgroup_mount, const char *proc_root, int procs_fd,
	       int socks_fd)
{
	static char obuf[1 << 16];
	struct attrib_limits lim = { .cgroup_mount = cgroup_mount,
				     .proc_root = proc_root,
				     .host_netns_ino = GOLDEN_HOST_NETNS };
	struct gsink sink = { push, advance, &a };

	a.out = stdout;
	setvbuf(a.out, obuf, _IOFBF, sizeof(obuf));
	a.opts.host_root = host_root;
	a.opts.ringbuf_size = 1 << 22;
	a.opts.max_procs = 8192;
	snprintf(a.opts.node_name, sizeof(a.opts.node_name), "ip-10-0-1-23.ec2.internal");
	snprintf(a.opts.cluster_name, sizeof(a.opts.cluster_name), "golden");
	snprintf(a.cgroup_mount, sizeof(a.cgroup_mount), "%s", cgroup_mount);
	snprintf(a.kernel_release, sizeof(a.kernel_release), "golden");
	a.file_hook = FILE_HOOK_TRACEPOINT;
	a.sock_hook = SOCK_HOOK_TRACEPOINT;
	snprintf(a.file_hook_reason, sizeof(a.file_hook_reason), "golden: no BPF");
	snprintf(a.sock_hook_reason, sizeof(a.sock_hook_reason), "golden: no BPF");
	config_defaults(&a.cfg);
	now_ns_hook = fixed_clock;
	emit_init(&a);
	hooks();
	a.cgroups = cgroups_new(cgroup_mount, 16384);
	a.procs = procs_new(procs_fd, proc_root, 1024);
	a.attrib = attrib_new(host_root, &lim);
	a.conns = conns_new(4096, events_http_done, &a);
	if (!a.cgroups || !a.procs || !a.attrib || !a.conns || findings_init(&a)) {
		fprintf(stderr, "replay: agent setup failed\n");
		return 2;
	}
	sockets_refresh(&a.cfg.sockets, socks_fd, host_root);
	emit_ready(&a);

	golden_feed(&sink);

	events_retry_pending(&a, now_ns(CLOCK_MONOTONIC), true);
	conns_expire(a.conns, now_ns(CLOCK_MONOTONIC), true);
	findings_expire(&a, true);
	emit_stats(&a);
	fflush(a.out);

	procs_free(a.procs);
	attrib_free(a.attrib);
	conns_free(a.conns);
	findings_free(&a);
	events_free(&a);
	cgroups_free(a.cgroups);
	return 0;
}
