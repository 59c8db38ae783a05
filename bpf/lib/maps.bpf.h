/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every map and every load-time setting shared by credwatch's BPF programs, declared once.
 * Each *.bpf.c is compiled on its own and `bpftool gen object` links them into one object;
 * the definitions are __weak, so every object may carry them and the linker keeps one (in
 * any order). Each map says what its key and value are and how long entries live.
 */
#ifndef CREDWATCH_MAPS_BPF_H
#define CREDWATCH_MAPS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "credwatch_abi.h"

/*
 * cw_events: the one ring buffer to the agent. Its size is set by the agent before load
 * (--ringbuf-size). Every failed reservation is counted in cw_stats[CW_STAT_RINGBUF_FULL].
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} cw_events SEC(".maps") __weak;

/*
 * cw_procs: process table, key = tgid, value = struct cw_proc (exe, argv, ppid, start time).
 * Written at exec, copied to the child at fork, filled from /proc by the agent at start-up.
 * Entries are not deleted at exit: an event of an exited process may still be queued, so the
 * entry is only marked CW_F_EXITED and ages out of the LRU (exited processes are never looked
 * up again by the BPF side, so they are the first evicted). start_ns guards against pid reuse.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct cw_proc);
} cw_procs SEC(".maps") __weak;

/*
 * cw_endpoints: watched credential endpoints, (IPv4-mapped or IPv6 address, port) -> kind.
 * Filled by the agent before the connect hooks attach; read only afterwards. Lives as long as
 * the agent.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct cw_ep_key);
	__type(value, struct cw_ep_val);
} cw_endpoints SEC(".maps") __weak;

/*
 * cw_sockets: watched unix socket files, (dev, ino) -> kind. The agent stats its configured
 * socket paths at start and every few seconds (a restarted runtime binds a new inode) and
 * keeps this map equal to what it found. Bounded by the configured list.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct cw_sock_key);
	__type(value, struct cw_sock_val);
} cw_sockets SEC(".maps") __weak;

/*
 * cw_http_socks: TCP connections to watched endpoints, socket cookie -> struct cw_http_sock.
 * Inserted by the connect hooks; the packet hooks look every packet's socket cookie up here
 * and parse only these. Entries are not deleted at close (no cheap close hook on every
 * kernel): the LRU evicts the oldest, and the agent treats a cookie it has not seen connect
 * as unknown.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct cw_http_sock);
} cw_http_socks SEC(".maps") __weak;

/*
 * cw_unix_inflight: unix connects in flight, thread id -> the connecting socket and the
 * kernel's copy of the address, written by cgroup/connect_unix (6.7+) and taken (deleted) at
 * the connect's exit, where the kernel has resolved the peer. A thread has at most one connect
 * in flight; an entry whose exit never comes (io_uring's worker threads, compat syscalls) is
 * overwritten by the thread's next connect or evicted (LRU).
 */
struct cw_unix_pending {
	__u64 sk;
	__u32 addr_len;
	__u32 _pad;
	char addr[128]; /* sun_path (<= 108) */
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct cw_unix_pending);
} cw_unix_inflight SEC(".maps") __weak;

/* cw_stats: per-CPU counters indexed by enum cw_stat, read by the agent. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CW_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} cw_stats SEC(".maps") __weak;

/*
 * cw_errs: failed helper calls, (helper, errno, where) -> count, per CPU (lib/event.bpf.h
 * cw_err()). Entries live as long as the agent; a key that does not fit any more is counted
 * in cw_stats[CW_STAT_ERRS_FULL].
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 256);
	__type(key, struct cw_err_key);
	__type(value, __u64);
} cw_errs SEC(".maps") __weak;

/*
 * cw_scratch: one per-CPU scratch area for building paths and staging records, too big for
 * the 512-byte BPF stack. Programs run with preemption disabled for their duration (credwatch
 * has no sleepable programs), so a per-CPU buffer is private to one program run.
 */
#define CW_WALK_BUF 1024 /* power of two, >= 2 * CW_PATH_MAX */
struct cw_scratch {
	char walk[CW_WALK_BUF];
	struct cw_proc proc;
	char req[CW_REQPATH_MAX];
	struct cw_ev_file fev; /* a file record is built here, then sent at its length */
	struct cw_ev_http hev; /* likewise an http segment record */
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cw_scratch);
} cw_scratch SEC(".maps") __weak;

/*
 * Load-time configuration (rodata, set by the agent between open and load; after load a
 * write would silently do nothing).
 */
/* The agent's own process. It reads token files and config.json to attribute events; its own
 * opens must not become events (and could otherwise feed back into more reads). */
const volatile __u32 cw_self_tgid __weak = 0;
/* wake the agent once this much is queued (an eighth of the ring, <= 256 KiB) */
const volatile __u64 cw_wakeup_bytes __weak = 0;
/* the VFS-level programs (vfs.bpf.c) report successful opens: the syscall-exit and io_uring
 * programs then only report failed opens, which never reach the VFS hooks */
const volatile bool cw_vfs_files __weak = false;
/* floods: the length of cw_quiet's windows (the fold window), aligned to multiples of it; 0 off */
const volatile __u64 cw_quiet_window_ns __weak = 0;
/* cgroup/connect_unix is attached (6.7+): unix connects are selected there */
const volatile bool cw_unix_hook __weak = false;

/* --- file side (issue 14) ------------------------------------------------------------------ */

/*
 * cw_credfiles: credential files known from node state, (dev, ino) -> struct cw_cred_val
 * (kind, owner pod's pod-level cgroup id, where it was found). Written only by the agent
 * (enrich/credfiles.c), which rescans the node every few seconds and keeps this map equal to
 * what it found: projected token files (the current generation, and a rotated one while it is
 * still linked somewhere), Secret volume files mounted at <dir>/.aws, files named by a container's
 * AWS_* variables. An entry lives as long as its file is known; when the node holds more
 * credential files than fit, the agent drops the surplus and counts it (agent_stats
 * credfiles.evictions). The open hooks look every opened inode up here, whatever its name.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct cw_file_key);
	__type(value, struct cw_cred_val);
} cw_credfiles SEC(".maps") __weak;

/* cw_credbits: the prefilter of cw_credfiles (credwatch_abi.h), one element. The agent mmaps
 * it and sets a file's bit right after adding the file to cw_credfiles; after each rescan it
 * clears the bits no file has any more (word by word: a bit in use is never cleared). */
struct cw_credbits {
	__u64 w[CW_CREDBITS_WORDS];
};
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cw_credbits);
} cw_credbits SEC(".maps") __weak;

/*
 * cw_podcgs: the cgroups of pods, cgroup id -> the pod-level cgroup id (a container's cgroup
 * maps to its pod's; the pod's to itself). Written by the agent from its cgroup scan and the
 * cgroup_mkdir records; entries of removed cgroups are deleted. Read at a cgroup move to tell
 * a move out of a pod (the process keeps that pod as its origin). A cgroup created less than
 * a poll interval ago may not be in it yet: a move out of it sets no origin (a process can
 * only be inside a pod cgroup that new if it was just moved there, by the runtime).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u64);
} cw_podcgs SEC(".maps") __weak;

/* --- floods (issue 13) ---------------------------------------------------------------------- */

/*
 * cw_quiet: repeats of an audit event, counted here instead of sent (lib/flood.bpf.h).
 * struct cw_quiet_key -> struct cw_quiet_val. The agent inserts an entry when it has judged
 * an event to carry no finding, with the window's end (the fold window); the BPF side only
 * counts into existing entries. The agent removes an entry a grace period after its window
 * ended, reporting its count (repeat_summary). A plain hash, not an LRU: an entry is never
 * dropped with an unreported count; when full, the agent inserts nothing and events flow.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CW_QUIET_ENTRIES);
	__type(key, struct cw_quiet_key);
	__type(value, struct cw_quiet_val);
} cw_quiet SEC(".maps") __weak;

/*
 * cw_cg_drops: per-cgroup drop counters, cgroup id -> struct cw_cg_drop (lib/flood.bpf.h).
 * Cumulative; the agent reads them every second for agent_stats and the event_flood finding.
 * An LRU: a node with more dropping cgroups than fit forgets the quietest (their drops stay
 * in the global counters).
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 2048);
	__type(key, __u64);
	__type(value, struct cw_cg_drop);
} cw_cg_drops SEC(".maps") __weak;

#endif
