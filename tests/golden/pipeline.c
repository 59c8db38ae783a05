// SPDX-License-Identifier: GPL-2.0
/*
 * The one file of the characterization test that knows the agent's internals: set up the
 * pipeline as `credwatch run` does after loading (without BPF programs), hand it the
 * scenario's records, flush, write agent_stats.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agent.h"
#include "enrich/attrib.h"
#include "enrich/cgroups.h"
#include "enrich/procs.h"
#include "enrich/sockets.h"
#include "pipeline.h"
#include "render/human.h"
#include "render/json.h"
#include "util/clock.h"
#include "golden.h"

static struct agent a;

/* CW_GOLDEN_HUMAN=FILE: the human view (trace's renderer) too, into FILE
 * (tests/integration/test_view.sh compares it with `credwatch view` of the JSON lines) */
static FILE *human_file;

static void human_write(void *ctx, char *buf, size_t n)
{
	fwrite(buf, 1, n, ctx);
	fputc('\n', ctx);
}

/* The agent's clock, fixed: it starts at the first record's time and moves 1 ms per record
 * (and by the scenario's advance()), in step with the records' own timestamps. */
static uint64_t elapsed;

static uint64_t fixed_clock(clockid_t clk)
{
	switch (clk) {
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
	pipeline_tick(a.pipe, clock_now(CLOCK_MONOTONIC));
}

static void push(void *ctx, const void *rec, size_t size)
{
	(void)ctx;
	elapsed += 1000000;
	pipeline_record(a.pipe, (void *)rec, size);
	tick();
}

static void advance(void *ctx, uint64_t ns)
{
	(void)ctx;
	elapsed += ns;
	tick();
}

/* the hooks a tracepoint-only kernel gets (agent_ready lists them; nothing is attached) */
static void hooks(struct loader *l)
{
	static const char *const h[][3] = {
		{ "process", "tp_btf/sched_process_exec", "cw_exec" },
		{ "network", "cgroup/connect4", "cw_connect4" },
		{ "file", "tp/syscalls/sys_exit_openat", "cw_exit_openat" },
	};

	for (size_t i = 0; i < sizeof(h) / sizeof(h[0]); i++) {
		l->hooks[l->nhooks].family = h[i][0];
		l->hooks[l->nhooks].name = h[i][1];
		l->hooks[l->nhooks].program = h[i][2];
		l->nhooks++;
	}
}

int golden_run(const char *host_root, const char *cgroup_mount, const char *proc_root, int procs_fd,
	       int socks_fd)
{
	struct attrib_limits lim = { .cgroup_mount = cgroup_mount,
				     .proc_root = proc_root,
				     .host_netns_ino = GOLDEN_HOST_NETNS };
	struct node_ident node = { "ip-10-0-1-23.ec2.internal", "golden", "" };
	struct loader_opts lo = { .ringbuf_size = 1 << 22, .max_procs = 8192 };
	struct pipeline_parts parts = { 0 };
	struct gsink sink = { push, advance, NULL };

	clock_source = fixed_clock;
	a.started_mono_ns = clock_now(CLOCK_MONOTONIC);
	a.opts.host_root = host_root;
	a.opts.ringbuf_size = lo.ringbuf_size;
	a.opts.max_procs = lo.max_procs;
	a.opts.holdback_ms = 1000;
	config_defaults(&a.cfg);
	/* what credwatch run does after loading: host_exe entries by inode, on the host root */
	config_resolve_host_exe(&a.cfg, host_root);
	lo.cfg = &a.cfg;
	loader_init(&a.loader, &lo);
	snprintf(a.loader.cgroup_mount, sizeof(a.loader.cgroup_mount), "%s", cgroup_mount);
	snprintf(a.loader.kernel_release, sizeof(a.loader.kernel_release), "golden");
	a.loader.file_hook = FILE_HOOK_TRACEPOINT;
	a.loader.sock_hook = SOCK_HOOK_TRACEPOINT;
	snprintf(a.loader.file_hook_reason, sizeof(a.loader.file_hook_reason), "golden: no BPF");
	snprintf(a.loader.sock_hook_reason, sizeof(a.loader.sock_hook_reason), "golden: no BPF");
	snprintf(a.loader.sysx_reason, sizeof(a.loader.sysx_reason), "golden: no BPF");
	hooks(&a.loader);
	if (output_open(&a.out, NULL))
		return 2;
	a.cgroups = cgroups_new(cgroup_mount, 16384);
	a.procs = procs_new(procs_fd, proc_root, 1024);
	a.attrib = attrib_new(host_root, &lim);
	a.json = json_renderer_new(&a.out, &node);
	parts.cgroups = a.cgroups;
	parts.procs = a.procs;
	parts.attrib = a.attrib;
	parts.host_mntns = GOLDEN_HOST_MNTNS;
	parts.cfg = &a.cfg;
	parts.renderers[parts.nrenderers++] = a.json;
	if (getenv("CW_GOLDEN_HUMAN")) {
		struct human_opts ho = { .node = node.name, .write = human_write };

		human_file = fopen(getenv("CW_GOLDEN_HUMAN"), "we");
		ho.write_ctx = human_file;
		if (human_file)
			parts.renderers[parts.nrenderers++] = human_renderer_new(&ho);
	}
	a.pipe = a.cgroups && a.procs && a.attrib && a.json ? pipeline_new(&parts) : NULL;
	if (!a.pipe) {
		fprintf(stderr, "replay: agent setup failed\n");
		return 2;
	}
	sockets_refresh(&a.cfg.sockets, socks_fd, host_root);
	agent_ready(&a);

	golden_feed(&sink);

	pipeline_flush(a.pipe, clock_now(CLOCK_MONOTONIC));
	agent_stats(&a);
	output_close(&a.out);

	pipeline_free(a.pipe);
	a.json->ops->free(a.json);
	if (parts.nrenderers > 1) {
		parts.renderers[1]->ops->free(parts.renderers[1]);
		fclose(human_file);
	}
	procs_free(a.procs);
	attrib_free(a.attrib);
	cgroups_free(a.cgroups);
	return 0;
}
