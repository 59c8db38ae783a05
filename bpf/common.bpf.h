/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Maps, load-time configuration and helpers shared by every credwatch BPF
 * program. The *.bpf.c files are compiled separately and linked into one
 * object (bpftool gen object), so the maps are defined once (in proc.bpf.c,
 * which defines CW_DEFINE_MAPS) and declared extern everywhere else.
 */
#ifndef CREDWATCH_COMMON_BPF_H
#define CREDWATCH_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "credwatch_abi.h"

#ifndef container_of
#define container_of(ptr, type, member) ((type *)((void *)(ptr) - __builtin_offsetof(type, member)))
#endif

/*
 * cw_events: the one ring buffer to the agent. Its size is set by the agent
 * before load (--ringbuf-size). Every failed reservation is counted in
 * cw_stats[CW_STAT_RINGBUF_FULL].
 */
typedef struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} cw_events_t;

/*
 * cw_procs: process table, key = tgid, value = struct cw_proc (exe, argv,
 * ppid, start time). Written at exec, copied to the child at fork, filled
 * from /proc by the agent at start-up. Entries are not deleted at exit: an
 * event of an exited process may still be queued, so the entry is only
 * marked CW_F_EXITED and ages out of the LRU (exited processes are never
 * looked up again by the BPF side, so they are the first evicted).
 * start_ns guards against pid reuse.
 */
typedef struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct cw_proc);
} cw_procs_t;

/*
 * cw_endpoints: watched credential endpoints, (IPv4-mapped or IPv6 address,
 * port) -> kind. Filled by the agent before the connect hooks attach; read
 * only afterwards. Lives as long as the agent.
 */
typedef struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct cw_ep_key);
	__type(value, struct cw_ep_val);
} cw_endpoints_t;

/*
 * cw_sockets: watched unix socket files, (dev, ino) -> kind. The agent stats
 * its configured socket paths at start and every few seconds (a restarted
 * runtime binds a new inode) and keeps this map current. Bounded by the
 * configured list.
 */
typedef struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct cw_sock_key);
	__type(value, struct cw_sock_val);
} cw_sockets_t;

/*
 * cw_http_socks: TCP connections to watched endpoints, socket cookie ->
 * struct cw_http_sock. Inserted by the connect hooks; the packet hooks look
 * every packet's socket cookie up here and parse only these. Entries are not
 * deleted at close (no cheap close hook on every kernel): the LRU evicts the
 * oldest, and the agent treats a cookie it has not seen connect as unknown.
 */
typedef struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct cw_http_sock);
} cw_http_socks_t;

/*
 * cw_unix_inflight: unix connects in flight, thread id -> the connecting
 * socket and the kernel's copy of the address, written by cgroup/connect_unix
 * (6.7+) and taken (deleted) at the connect's exit, where the kernel has
 * resolved the peer. A thread has at most one connect in flight; an entry
 * whose exit never comes (io_uring's worker threads) is overwritten by the
 * thread's next connect or evicted (LRU).
 */
struct cw_unix_pending {
	__u64 sk;
	__u32 addr_len;
	__u32 _pad;
	char addr[128]; /* sun_path (<= 108) */
};
typedef struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct cw_unix_pending);
} cw_unix_inflight_t;

/* cw_stats: per-CPU counters indexed by enum cw_stat, read by the agent. */
typedef struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CW_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} cw_stats_t;

/*
 * cw_scratch: one per-CPU scratch area for building paths and staging a
 * process record, too big for the 512-byte BPF stack. Programs run with
 * preemption disabled for their duration... except sleepable ones, which
 * credwatch does not use, so a per-CPU buffer is private to one program run.
 */
#define CW_WALK_BUF 1024 /* power of two, >= 2 * (CW_PATH_MAX) */
struct cw_scratch {
	char walk[CW_WALK_BUF];
	struct cw_proc proc;
	char req[CW_REQPATH_MAX];
	struct cw_ev_file fev; /* a file record is built here, then sent at its length */
};
typedef struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cw_scratch);
} cw_scratch_t;

/*
 * Load-time configuration (rodata, set by the agent between open and load).
 * cw_self_tgid: the agent's own process. The agent reads token files and
 * config.json to attribute events; its own opens must not become events (and
 * could otherwise feed back into more reads).
 */
#ifdef CW_DEFINE_MAPS
const volatile __u32 cw_self_tgid = 0;
/* wake the agent once this much is queued (an eighth of the ring, <= 256 KiB) */
const volatile __u64 cw_wakeup_bytes = 0;
#else
extern const volatile __u32 cw_self_tgid;
extern const volatile __u64 cw_wakeup_bytes;
#endif

static __always_inline bool cw_is_self(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == cw_self_tgid;
}

#ifdef CW_DEFINE_MAPS
cw_events_t cw_events SEC(".maps");
cw_procs_t cw_procs SEC(".maps");
cw_endpoints_t cw_endpoints SEC(".maps");
cw_sockets_t cw_sockets SEC(".maps");
cw_http_socks_t cw_http_socks SEC(".maps");
cw_unix_inflight_t cw_unix_inflight SEC(".maps");
cw_stats_t cw_stats SEC(".maps");
cw_scratch_t cw_scratch SEC(".maps");
#else
extern cw_events_t cw_events SEC(".maps");
extern cw_procs_t cw_procs SEC(".maps");
extern cw_endpoints_t cw_endpoints SEC(".maps");
extern cw_sockets_t cw_sockets SEC(".maps");
extern cw_http_socks_t cw_http_socks SEC(".maps");
extern cw_unix_inflight_t cw_unix_inflight SEC(".maps");
extern cw_stats_t cw_stats SEC(".maps");
extern cw_scratch_t cw_scratch SEC(".maps");
#endif

/*
 * Mask a length in a register the compiler cannot optimise away: after a
 * clamp like `if (len > N) len = N`, clang drops a following `len & mask`
 * as redundant and the verifier, which tracked another copy, no longer sees
 * the bound. The asm keeps the AND where the verifier can see it.
 */
#define cw_mask(v, mask)                                          \
	({                                                        \
		__u64 __v = (v);                                  \
		asm volatile("%0 &= %1" : "+r"(__v) : "i"(mask)); \
		__v;                                              \
	})

static __always_inline void cw_count(__u32 stat)
{
	__u64 *v = bpf_map_lookup_elem(&cw_stats, &stat);

	if (v)
		*v += 1;
}

static __always_inline struct cw_scratch *cw_scratch_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&cw_scratch, &zero);
}

/* Reserve a ring-buffer record of a fixed type, counting a full buffer. */
#define cw_reserve(type)                                                      \
	({                                                                    \
		type *__r = bpf_ringbuf_reserve(&cw_events, sizeof(type), 0); \
		if (!__r)                                                     \
			cw_count(CW_STAT_RINGBUF_FULL);                       \
		__r;                                                          \
	})

/*
 * Submit without waking the agent unless enough has piled up: at high event
 * rates a wakeup per record costs more than the record. The agent also polls
 * with a timeout (<= 100 ms), which bounds the delay of a lone event.
 */
static __always_inline __u64 cw_wake_flag(void)
{
	__u64 avail = bpf_ringbuf_query(&cw_events, BPF_RB_AVAIL_DATA);

	return avail >= cw_wakeup_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

static __always_inline void cw_submit(void *rec)
{
	bpf_ringbuf_submit(rec, cw_wake_flag());
}

static __always_inline void cw_hdr_fill(struct cw_hdr *h, __u16 type, __u16 size)
{
	h->type = type;
	h->size = size;
	h->flags = 0;
	h->ts_boot_ns = bpf_ktime_get_boot_ns();
}

/*
 * Fill who-did-it from the current task: ids, namespaces, cgroup and three
 * ancestors, all read from kernel memory at the moment of the event so an
 * already-exited parent or a process that exits right after is still named.
 */
static __always_inline void cw_task_fill(struct cw_task *t)
{
	__u32 self;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct task_struct *p;
	struct cw_proc *pr;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 uid_gid = bpf_get_current_uid_gid();

	t->pid = pid_tgid >> 32;
	t->tid = (__u32)pid_tgid;
	t->uid = (__u32)uid_gid;
	t->gid = uid_gid >> 32;
	t->_pad = 0;
	t->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(t->comm, sizeof(t->comm));
	t->netns_ino = BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
	t->mntns_ino = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	t->start_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	/* the key must be on the stack: 6.1's verifier refuses ring-buffer memory */
	self = t->pid;
	pr = bpf_map_lookup_elem(&cw_procs, &self);
	t->exec_id = pr ? pr->exec_id : 0;

	p = BPF_CORE_READ(task, real_parent);
	t->ppid = BPF_CORE_READ(p, tgid);
#pragma unroll
	for (int i = 0; i < CW_ANCESTORS; i++) {
		__u32 apid;

		t->anc[i]._pad = 0;
		t->anc[i].exec_id = 0;
		if (!p) {
			t->anc[i].pid = 0;
			t->anc[i].comm[0] = 0;
			continue;
		}
		apid = BPF_CORE_READ(p, tgid);
		t->anc[i].pid = apid;
		bpf_probe_read_kernel(t->anc[i].comm, sizeof(t->anc[i].comm), &p->comm);
		pr = bpf_map_lookup_elem(&cw_procs, &apid);
		if (pr)
			t->anc[i].exec_id = pr->exec_id;
		/* pid 1 and kthreadd end the chain */
		if (apid <= 1)
			p = NULL;
		else
			p = BPF_CORE_READ(p, real_parent);
	}
}

/*
 * Resolve a struct path to a string the way d_path() would, as seen from the
 * task's root: walk dentries up to the mount root, then hop to the parent
 * mount, until the task's root (or the namespace's root mount) is reached.
 * Bounded by CW_PATH_DEPTH components; a deeper path is marked truncated and
 * keeps its leaf-most components. The result is written at the END of
 * walk[0 .. CW_PATH_MAX) and *startp is where it begins; the return value is
 * its length (without NUL), or 0 on failure.
 *
 * Why not bpf_d_path(): it is only allowed from fentry/LSM on an allowlist of
 * functions, not from the tracepoints this must also run from. Why bpf_loop()
 * (5.17+): an unrolled or bounded loop with this many branches per step makes
 * the verifier explore too many states; a bpf_loop callback is verified once.
 */
#define CW_PATH_DEPTH 40
#define CW_NAME_MASK  255

struct cw_walk_ctx {
	struct dentry *d, *root_d;
	struct vfsmount *vm, *root_m;
	struct mount *mnt;
	char *walk;
	__u32 off;
	bool done, fail, trunc;
};

static long cw_walk_step(__u32 i, void *data)
{
	struct cw_walk_ctx *c = data;
	struct dentry *d = c->d, *mnt_root, *parent;
	struct vfsmount *vm = c->vm;
	struct mount *mnt = c->mnt;
	char *walk = c->walk;
	struct qstr name;
	__u32 len, off;

	/* Opaque copies: clang 14 otherwise folds the loads from *c into the
	 * CO-RE access chains below and emits relocations against cw_walk_ctx,
	 * which the kernel's BTF does not have. */
	asm volatile("" : "+r"(d), "+r"(vm), "+r"(mnt));
	if (d == c->root_d && vm == c->root_m) {
		c->done = true;
		return 1;
	}
	mnt_root = BPF_CORE_READ(vm, mnt_root);
	parent = BPF_CORE_READ(d, d_parent);
	if (d == mnt_root || d == parent) {
		struct mount *mp = BPF_CORE_READ(mnt, mnt_parent);

		if (mp == mnt || !mp) {
			c->done = true; /* root of this mount namespace */
			return 1;
		}
		c->d = BPF_CORE_READ(mnt, mnt_mountpoint);
		c->mnt = mp;
		c->vm = &mp->mnt;
		return 0;
	}
	name = BPF_CORE_READ(d, d_name);
	len = name.len & CW_NAME_MASK;
	off = c->off;
	if (len + 1 > off) {
		c->trunc = true;
		return 1;
	}
	off -= len + 1;
	/* off < CW_PATH_MAX, so off+1+len stays inside walk[CW_WALK_BUF] */
	if (bpf_probe_read_kernel(&walk[cw_mask(off + 1, CW_PATH_MAX - 1)], len, name.name)) {
		c->fail = true;
		return 1;
	}
	walk[cw_mask(off, CW_PATH_MAX - 1)] = '/';
	c->off = off;
	c->d = parent;
	return 0;
}

static __always_inline __u32 cw_path_walk(const struct path *path, char *walk, __u32 *startp,
					  bool *trunc)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct cw_walk_ctx c = {};
	struct vfsmount *vm = BPF_CORE_READ(path, mnt);

	c.root_d = BPF_CORE_READ(task, fs, root.dentry);
	c.root_m = BPF_CORE_READ(task, fs, root.mnt);
	c.d = BPF_CORE_READ(path, dentry);
	c.vm = vm;
	c.mnt = container_of(vm, struct mount, mnt);
	c.walk = walk;
	c.off = CW_PATH_MAX - 1;
	walk[CW_PATH_MAX - 1] = 0;
	bpf_loop(CW_PATH_DEPTH, cw_walk_step, &c, 0);
	*trunc = c.trunc || (!c.done && !c.fail);
	if (c.fail)
		return 0;
	if (c.off == CW_PATH_MAX - 1) {
		/* the root itself */
		c.off--;
		walk[CW_PATH_MAX - 2] = '/';
	}
	*startp = c.off;
	return CW_PATH_MAX - 1 - c.off;
}

#endif
