/* SPDX-License-Identifier: GPL-2.0 */
/*
 * enrich: the second stage. It turns the ids in a decoded event into names, from the node's
 * own state: the cgroup into a pod and container (attrib.c), the pid into a process image
 * and argv (procs.c, args.c), a file into its credential kind, owner pod and token claims,
 * a socket into its kind and node path. Each is computed once, into the event.
 *
 * In three steps, because an event may be held back (intake/holdback.h) between them:
 *   enrich_what     is it credential access at all (file and socket kinds): cheap, decided
 *                   before anything is looked up; what it discards is counted
 *   enrich_who      the workload: may answer "pending" (container metadata not there yet)
 *   enrich_details  what is looked up only for an event about to be judged and written:
 *                   ancestors, file owner and token claims, the socket's node path
 */
#ifndef CREDWATCH_ENRICH_H
#define CREDWATCH_ENRICH_H

#include <stdbool.h>
#include <stdint.h>
#include "event.h"

struct cgroups;
struct procs;
struct attrib;
struct socket_watch;

struct enrich_stats {
	uint64_t filtered; /* records the BPF side sent that the full rules discarded */
	/* file side (issue 14): cgroup moves the kernel reported, by kind; events of processes
	 * that left a pod whose origin could not be read (evicted from the process table) */
	uint64_t moves, moves_out_of_pod, moves_into_pod, moves_within_pod, moves_unknown_origin;
	uint64_t moves_home; /* back into the pod a process had left */
	uint64_t origin_unknown;
};

struct enrich;

struct enrich *enrich_new(struct cgroups *cg, struct procs *procs, struct attrib *attrib,
			  const struct socket_watch *sockets);
void enrich_free(struct enrich *e);
/* file side (issue 14): credential files known from node state (may be NULL), and the host's
 * mount namespace inode (0: unknown; host_exe matching needs it) */
struct credfiles;
void enrich_set_node(struct enrich *e, struct credfiles *cf, uint32_t host_mntns);
/* Recognise other credwatch agents' token reads (enrich/peers.h); NULL: never. */
struct peers;
void enrich_set_peers(struct enrich *e, struct peers *peers);

/* cgroup lifecycle records: the id -> path map, and a removed container's cache entry */
void enrich_cgroup_added(struct enrich *e, const struct cw_ev_cgroup *ev);
void enrich_cgroup_removed(struct enrich *e, const struct cw_ev_cgroup *ev);

/* false: not credential access after all (counted, and the event goes no further) */
bool enrich_what(struct enrich *e, struct cw_event *ev);
void enrich_who(struct enrich *e, struct cw_event *ev, uint64_t now);
void enrich_details(struct enrich *e, struct cw_event *ev, uint64_t now);

const struct enrich_stats *enrich_stats(const struct enrich *e);

#endif
