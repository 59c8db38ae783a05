/* SPDX-License-Identifier: GPL-2.0 */
/*
 * status: the agent's heartbeat file, for `credwatch health` (user/ops/health.c). The poll
 * loop rewrites it about once a second (a new file renamed over the old: a reader never sees
 * half of one); it says who the agent is, when the loop last ran, which BPF links it holds
 * (ids, to look up independently of the agent), the ring buffer's recent drops and whether
 * the output works. Default path /run/credwatch/status.json (--status-file). The agent
 * removes it when it stops.
 *
 *   {"pid": 4242, "version": "0.1.0", "heartbeat_boot_ns": 123456789, "heartbeat":
 *    "2026-...Z", "heartbeat_every_ms": 1000, "drop_window_ms": 60000,
 *    "ringbuf_drop_intervals": 0, "output_error": null, "lines_lost": 0,
 *    "metrics_listen": "127.0.0.1:9464",
 *    "links": [{"hook": "cgroup/connect4", "id": 17, "prog_id": 88, "cgroup_id": 1}, ...]}
 */
#ifndef CREDWATCH_OPS_STATUS_H
#define CREDWATCH_OPS_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STATUS_DEFAULT_PATH "/run/credwatch/status.json"
#define STATUS_EVERY_NS	    (1000ULL * 1000 * 1000)
#define STATUS_MAX_LINKS    32

struct loader;

struct status_link {
	char hook[64];
	uint32_t id, prog_id;
	uint64_t cgroup_id; /* a cgroup link: the cgroup it is attached to (0: not a cgroup link) */
	bool cgroup;
};

struct status_info {
	uint32_t pid;
	const char *version;
	uint64_t heartbeat_boot_ns; /* CLOCK_BOOTTIME */
	int64_t heartbeat_real;
	uint64_t every_ms, drop_window_ms;
	uint32_t drop_streak;
	int output_err;
	uint64_t lines_lost;
	const char *metrics_listen;
	struct status_link links[STATUS_MAX_LINKS];
	int nlinks;
};

/* The loader's BPF links (id, program, cgroup) into si->links. Returns how many; a link whose
 * id cannot be read (an old kernel's tracepoint without a BPF link) is left out. */
int status_collect_links(const struct loader *l, struct status_info *si);

/* Create the directory of path when missing (mode 0755). *created: it did not exist. */
int status_prepare(const char *path, bool *created);
/* Write si to path atomically (path.tmp, then rename). 0 or -errno. */
int status_write(const char *path, const struct status_info *si);
/* Remove path if it is this process's (pid matches); and its directory if created. */
void status_remove(const char *path, bool remove_dir);

#endif
