/* SPDX-License-Identifier: GPL-2.0 */
/*
 * peers: is a process another credwatch agent?
 *
 * Every agent reads pod tokens to attribute events (the claims, the service account). On a
 * node with two agents - a DaemonSet rolling update with maxSurge, an incident responder's
 * `credwatch run` next to the DaemonSet - each agent's reads would be the other's
 * foreign_token_read / host_token_read findings. An agent's own opens never reach it (the
 * BPF side skips its pid); another agent is recognised here by a kernel object, not by a
 * name it chose: it holds a BPF ring buffer map named "cw_events" (struct bpf_map_info,
 * through /proc/PID/fdinfo's map_id). Holding a BPF map takes CAP_BPF (or CAP_SYS_ADMIN):
 * a process that can do that can also detach credwatch, so the check gives an unprivileged
 * attacker nothing to borrow.
 *
 * Answers are cached per (pid, start time) for PEERS_NEG_TTL_NS (a process may load its maps
 * after its first open, or close them); the cache is a fixed array (oldest replaced).
 */
#ifndef CREDWATCH_PEERS_H
#define CREDWATCH_PEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PEERS_CACHE	  64
#define PEERS_MAX_FDS	  4096 /* fds of one process looked at, at most */
#define PEERS_NEG_TTL_NS  (5ULL * 1000000000ULL)
#define PEERS_RING_NAME	  "cw_events"
#define PEERS_MAP_RINGBUF 27 /* BPF_MAP_TYPE_RINGBUF */

/* The name and type of BPF map id (a stand-in in tests). 0 or -errno. */
typedef int (*peers_map_info_fn)(uint32_t map_id, char *name, size_t len, uint32_t *type);

struct peers_stats {
	uint64_t checks;  /* processes looked at (cache misses) */
	uint64_t agents;  /* of which another credwatch agent */
	uint64_t lookups; /* answers asked for */
};

struct peers;

/* proc_root: the node's /proc ("/proc" with hostPID); map_info NULL: the bpf() syscall. */
struct peers *peers_new(const char *proc_root, peers_map_info_fn map_info);
void peers_free(struct peers *p);

/* Is pid (started at start_ns, 0 if unknown) another credwatch agent? now: monotonic ns. */
bool peers_is_agent(struct peers *p, uint32_t pid, uint64_t start_ns, uint64_t now);
const struct peers_stats *peers_stats(const struct peers *p);

#endif
