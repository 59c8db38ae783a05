/* SPDX-License-Identifier: GPL-2.0 */
/*
 * health: `credwatch health`, an exec liveness/readiness probe. It reads the agent's status
 * file (user/ops/status.h) and exits 0 with "ok: ..." or 1 with "unhealthy: <reason>" (one
 * line on stdout), 2 on bad usage. Unhealthy when:
 *   - there is no status file, or its agent process is gone;
 *   - the heartbeat is older than --max-age (default 20 s): the poll loop is stuck or stopped;
 *   - a BPF link the agent recorded is gone, runs another program, or (a cgroup link) was
 *     detached from its cgroup - looked up by id in the kernel (bpf_link_get_fd_by_id, which
 *     needs CAP_SYS_ADMIN), or without that capability in the agent's own descriptors
 *     (/proc/PID/fdinfo: link_id, prog_id, cgroup_id, as the kernel writes them), never
 *     asked of the agent;
 *   - the ring buffer dropped records in --max-drop-intervals (default 3) consecutive
 *     intervals (the stats interval, or 60 s);
 *   - the output is failing (lines are being lost).
 * --liveness checks only what a restart can fix: the process, the heartbeat and the hooks.
 */
#ifndef CREDWATCH_OPS_HEALTH_H
#define CREDWATCH_OPS_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct health_opts {
	const char *status_file;
	double max_age_s;
	unsigned int max_drop_intervals;
	bool liveness;
};

/* Look up the link id of the agent pid: 0 and its program id and cgroup id (0 when detached or
 * not a cgroup link), or -errno (-ENOENT: no such link). */
typedef int (*health_link_fn)(uint32_t pid, uint32_t id, uint32_t *prog_id, uint64_t *cgroup_id,
			      bool *cgroup);
/* Is pid alive? */
typedef bool (*health_pid_fn)(uint32_t pid);

/* Judge a status document (pure apart from the two lookups): 0 healthy, 1 not; msg says
 * why in one line. */
int health_judge(const char *text, size_t len, uint64_t now_boot_ns, const struct health_opts *o,
		 health_link_fn link, health_pid_fn alive, char *msg, size_t msglen);

/* credwatch health [options]: argv[0] is "health". Returns the exit status. */
int health_main(int argc, char **argv);

/* credwatch reload [--status-file PATH]: SIGHUP to the agent the status file names, after
 * checking that the pid is a credwatch process (a DaemonSet has hostPID: `kill -HUP 1` there
 * would signal the node's init). Returns the exit status. */
int reload_main(int argc, char **argv);

#endif
