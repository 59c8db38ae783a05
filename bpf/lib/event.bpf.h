/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writing events: counters, failed-helper accounting, the record header, who-did-it, and
 * the one reserve/fill/submit discipline every program follows (a failed reservation is
 * counted, never silent).
 */
#ifndef CREDWATCH_EVENT_BPF_H
#define CREDWATCH_EVENT_BPF_H

#include "lib/maps.bpf.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#ifndef container_of
#define container_of(ptr, type, member) ((type *)((void *)(ptr) - __builtin_offsetof(type, member)))
#endif

/*
 * Mask a length in a register the compiler cannot optimise away: after a clamp like
 * `if (len > N) len = N`, clang drops a following `len & mask` as redundant and the verifier,
 * which tracked another copy, no longer sees the bound. The asm keeps the AND where the
 * verifier can see it.
 */
#define cw_mask(v, mask)                                          \
	({                                                        \
		__u64 __v = (v);                                  \
		asm volatile("%0 &= %1" : "+r"(__v) : "i"(mask)); \
		__v;                                              \
	})

static __always_inline bool cw_is_self(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == cw_self_tgid;
}

static __always_inline void cw_count(__u32 stat)
{
	__u64 *v = bpf_map_lookup_elem(&cw_stats, &stat);

	if (v)
		*v += 1;
}

/* A helper call failed: count it by (helper, errno, where) (the agent's agent_stats.errors) */
static __always_inline void cw_err(__u32 helper, long err, __u32 where)
{
	struct cw_err_key k = { .helper = helper, .err = (__s32)err, .where = where };
	__u64 *v = bpf_map_lookup_elem(&cw_errs, &k), one = 1;

	if (v)
		*v += 1;
	else if (bpf_map_update_elem(&cw_errs, &k, &one, BPF_NOEXIST))
		cw_count(CW_STAT_ERRS_FULL);
}

/* Call a helper that returns 0 or -errno; count a failure at `where`. Evaluates to the result. */
#define CW_TRY(helper, where, call)                            \
	({                                                     \
		long __r = (call);                             \
		if (__r < 0)                                   \
			cw_err(BPF_FUNC_##helper, __r, where); \
		__r;                                           \
	})

static __always_inline struct cw_scratch *cw_scratch_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&cw_scratch, &zero);
}

/* Reserve a ring-buffer record of a fixed type, counting a full buffer. */
/* A record of cgroup cgid was lost (full) or refused (!full): count it, extend the episode. */
static __always_inline void cw_drop(__u64 cgid, bool full, __u32 tgid)
{
	struct cw_cg_drop *d = bpf_map_lookup_elem(&cw_cg_drops, &cgid);
	__u64 now = bpf_ktime_get_boot_ns();

	if (!d) {
		struct cw_cg_drop z = { .episode_ns = now };

		bpf_map_update_elem(&cw_cg_drops, &cgid, &z, BPF_NOEXIST);
		d = bpf_map_lookup_elem(&cw_cg_drops, &cgid);
		if (!d)
			return;
	}
	if (full)
		__sync_fetch_and_add(&d->full, 1);
	else
		__sync_fetch_and_add(&d->low_refused, 1);
	/* (racy between CPUs, and only a time: the worst is an episode begun a moment late) */
	/* signed: another CPU may have stored a later last_ns since this one read the clock */
	if (!d->last_ns || (__s64)(now - d->last_ns) > (__s64)CW_DROP_GAP_NS)
		d->episode_ns = now;
	d->last_ns = now;
	d->last_tgid = tgid;
}

/* Reserve a record; when the ring is full, count the loss against the cgroup (cgid) and
 * process (tgid) whose record it was (expressions evaluated only then). */
#define cw_reserve(type, cgid, tgid)                                          \
	({                                                                    \
		type *__r = bpf_ringbuf_reserve(&cw_events, sizeof(type), 0); \
		if (!__r) {                                                   \
			cw_count(CW_STAT_RINGBUF_FULL);                       \
			cw_drop((cgid), true, (tgid));                        \
		}                                                             \
		__r;                                                          \
	})
/* the current task's cgroup and process, for cw_reserve in task context */
#define CW_CUR_CG   bpf_get_current_cgroup_id()
#define CW_CUR_TGID ((__u32)(bpf_get_current_pid_tgid() >> 32))

/*
 * Submit without waking the agent unless enough has piled up: at high event rates a wakeup
 * per record costs more than the record. The agent also polls with a timeout (<= 100 ms),
 * which bounds the delay of a lone event.
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

/* Send a variable-sized record built elsewhere (the scratch); false when the ring is full
 * (the loss is counted against cgid and tgid, as cw_reserve does). */
static __always_inline bool cw_output(void *rec, __u64 size, __u64 cgid, __u32 tgid)
{
	if (bpf_ringbuf_output(&cw_events, rec, size, cw_wake_flag())) {
		cw_count(CW_STAT_RINGBUF_FULL);
		cw_drop(cgid, true, tgid);
		return false;
	}
	return true;
}

static __always_inline void cw_hdr_fill(struct cw_hdr *h, __u16 type, __u16 size)
{
	h->type = type;
	h->size = size;
	h->flags = 0;
	h->ts_boot_ns = bpf_ktime_get_boot_ns();
}

/*
 * Fill who-did-it from the current task: ids, namespaces, cgroup and three ancestors, all
 * read from kernel memory at the moment of the event, so an already-exited parent or a
 * process that exits right after is still named.
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
	t->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(t->comm, sizeof(t->comm));
	t->netns_ino = BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
	t->mntns_ino = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	t->start_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	/* the key must be on the stack: 6.1's verifier refuses ring-buffer memory */
	self = t->pid;
	pr = bpf_map_lookup_elem(&cw_procs, &self);
	t->exec_id = pr ? pr->exec_id : 0;
	/* a process that left a pod's cgroup is attributed to that pod (the agent reads it) */
	t->flags = pr && pr->origin_cgid ? CW_TF_LEFT_POD : 0;
	/* an executable deleted after exec (the exec-time record cannot know) */
	if (!BPF_CORE_READ(task, mm, exe_file, f_inode, i_nlink) &&
	    BPF_CORE_READ(task, mm, exe_file))
		t->flags |= CW_TF_EXE_UNLINKED;

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

#endif
