/* SPDX-License-Identifier: GPL-2.0 */
/*
 * procs: who a pid is (exe, argv, parent), for events and their ancestors.
 * Sources, best first: the BPF process table (written at exec/fork, so it
 * describes processes that have already exited), then /proc (for processes
 * that started before the agent), else unknown. A bounded userspace cache keyed
 * by (pid, exec_id) keeps the hot path free of syscalls.
 */
#ifndef CREDWATCH_PROCS_H
#define CREDWATCH_PROCS_H

#include <stdbool.h>
#include <stdint.h>
#include "credwatch_abi.h"

enum proc_source { PROC_SRC_UNKNOWN = 0, PROC_SRC_EXEC, PROC_SRC_FORK, PROC_SRC_PROCFS };

/* "exec", "fork", "procfs", "unknown" */
const char *proc_source_name(enum proc_source s);

struct proc_view {
	struct cw_proc rec; /* exe/args/comm as recorded */
	enum proc_source source;
};

struct procs;

/* map_fd: the cw_procs BPF map. proc_root: normally "/proc". */
struct procs *procs_new(int map_fd, const char *proc_root, size_t cache_capacity);
void procs_free(struct procs *p);

/* file side (issue 14): the cgroup2 mount, for the cgroup id of prefilled processes */
void procs_set_cgroup_mount(struct procs *p, const char *mount);

/* The cgroup a process left a pod from (cw_proc.origin_cgid), read from the BPF table now
 * (it changes after the image was described). start_ns: the event's, to reject a reused pid
 * (0: not checked). Returns 0, -ENOENT (no record) or -ESRCH (another process). */
int procs_origin(struct procs *p, uint32_t pid, uint64_t start_ns, uint64_t *origin_cgid);

/* Fill the BPF table from /proc for processes that started before the agent
 * (never overwriting a record the BPF side wrote). Returns processes added. */
int procs_prefill(struct procs *p);

/* Describe (pid, exec_id) into *out. start_ns is the event's start time (0 if
 * unknown), used to reject a /proc entry of a reused pid. out->source is
 * PROC_SRC_UNKNOWN when nothing matched. */
void procs_lookup(struct procs *p, uint32_t pid, uint64_t exec_id, uint64_t start_ns,
		  struct proc_view *out);

/* Read /proc/<pid> into rec (exe, args, comm, ppid, start). For tests too. */
int procs_read_procfs(const char *proc_root, uint32_t pid, struct cw_proc *rec);

uint64_t procs_cache_evictions(const struct procs *p);

#endif
