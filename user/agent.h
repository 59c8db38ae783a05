/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The agent (credwatch run): its options and the handles of the modules it wires together.
 * Each module owns its own state and counters (see user/README.md); this struct only holds
 * them for main.c.
 */
#ifndef CREDWATCH_AGENT_H
#define CREDWATCH_AGENT_H

#include <stdbool.h>
#include <stdint.h>
#include "cli/cli.h"
#include "config.h"
#include "loader/loader.h"
#include "render/output.h"

#define AGENT_NAME_MAX 256

struct agent_opts {
	const char *output;	 /* NULL: stdout */
	const char *config_path; /* NULL: built-in defaults */
	double duration;	 /* seconds, 0 = until signalled */
	uint32_t ringbuf_size;	 /* bytes */
	uint32_t max_procs;	 /* BPF process table entries */
	uint32_t max_credfiles;	 /* credential files by inode (BPF map and the agent's table) */
	uint32_t cgroup_cache;	 /* cgroup id -> path entries */
	int verbose;
	enum file_hook file_hook; /* --hooks file=..., FILE_HOOK_AUTO by default */
	enum sock_hook sock_hook; /* --hooks socket=..., SOCK_HOOK_AUTO by default */
	bool packet_cgroup;	  /* --hooks packet=cgroup: NAT'd connections by cgroup only */
	uint32_t holdback_ms;	  /* --holdback-ms: wait for late container metadata */
	const char *host_root;	  /* node filesystem root (DaemonSet: /host), default "/" */
	char node_name[AGENT_NAME_MAX];
	char cluster_name[AGENT_NAME_MAX];
	/* operations (user/ops) */
	double stats_interval;	    /* seconds between agent_stats lines, 0 = only at exit */
	const char *status_file;    /* heartbeat/status file for `credwatch health` */
	const char *metrics_listen; /* NULL: no metrics endpoint */
	uint64_t output_max_size;   /* rotate --output at this size, 0 = never */
	unsigned int output_keep;   /* rotated files kept */
};

struct ring_buffer;
struct cgroups;
struct procs;
struct attrib;
struct credfiles;
struct renderer;
struct pipeline;
struct metrics;

struct agent {
	struct agent_opts opts;
	struct config cfg;
	struct loader loader;
	struct output out;
	struct ring_buffer *rb;
	struct cgroups *cgroups;
	struct procs *procs;
	struct attrib *attrib;
	struct credfiles *credfiles; /* file side (issue 14) */
	uint32_t host_mntns;
	struct renderer *json;
	struct pipeline *pipe;
	char instance_id[64]; /* EC2 instance id from DMI, "" if not on EC2 */
	uint64_t started_mono_ns;
	struct cli_opts cli; /* trace, and run's output filters (user/cli/) */
	/* operations (user/ops): the previous agent_stats line's totals, for its "interval" */
	struct {
		uint64_t mono_ns, drops, errors, events;
	} last_stats;
	/* ring-buffer drops per window (the stats interval, or 60 s), for `credwatch health` */
	struct {
		uint64_t start_ns, ringbuf_full;
		uint32_t streak;
	} drop_window;
	/* floods (issue 13): the drop episodes already reported (event_flood), by cgroup */
	struct {
		uint64_t cgroup_id, episode_ns;
	} flood_seen[64];
	uint64_t next_flood_check;
	uint64_t reloads_applied, reloads_unchanged, reloads_refused;
	struct metrics *metrics;
	struct peers *peers; /* other credwatch agents (enrich/peers.h) */
};

/* from the top-level VERSION file (the Makefile passes it) */
#ifndef CREDWATCH_VERSION
#error "CREDWATCH_VERSION is not defined: build with the Makefile (it reads VERSION)"
#endif

/* Write agent_ready (after every hook is attached) and agent_stats (every counter of every
 * module) through the agent's renderer. */
void agent_ready(struct agent *a);
void agent_stats(struct agent *a);

struct stats_snapshot;
/* Every module's counters, now (agent_stats' content, for the metrics endpoint too). */
void agent_snapshot(struct agent *a, struct stats_snapshot *st);
/* Close the ring-buffer drop window when it has run its length (from the poll loop). */
void agent_drop_window(struct agent *a, uint64_t now_mono);
/* The drop window's length: the stats interval, or 60 s without one. */
uint64_t agent_drop_window_ns(const struct agent *a);
/* Once a second: a cgroup whose records have been lost for CW_FLOOD_MIN_SECS gets an
 * event_flood finding, once per episode. */
void agent_floods(struct agent *a, uint64_t now_mono);

#endif
