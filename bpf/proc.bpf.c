// SPDX-License-Identifier: GPL-2.0
/*
 * Process and cgroup lifecycle: keeps cw_procs (who is this pid: exe, argv,
 * parent) current from exec/fork/exit, and tells the agent about new and
 * removed cgroups so it can name a cgroup id even after the cgroup is gone.
 * Nothing here is sent per exec: process context costs no ring-buffer traffic
 * until a process touches a credential.
 */
#include "lib/classify.bpf.h"
#include "lib/path.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define CW_MEMFD_PREFIX S8('m', 'e', 'm', 'f', 'd', ':', 0, 0)

/*
 * The executable: its path, or for a file with no name on disk its dentry's name ("memfd:x"
 * for a memfd: a pseudo file whose dentry is its own parent), and its (dev, ino), which
 * host_exe allowlist entries are matched against. nlink 0 (a memfd, a deleted file, an
 * O_TMPFILE) is fileless.
 */
static __always_inline void cw_exe_fill(struct cw_proc *pr, struct cw_scratch *s, struct file *f)
{
	struct dentry *d = BPF_CORE_READ(f, f_path.dentry);
	struct inode *inode = BPF_CORE_READ(f, f_inode);
	bool trunc = false;
	struct cw_name n;
	long len;

	pr->exe_len = 0;
	pr->exe_ino = 0;
	pr->exe_dev = 0;
	if (!f) {
		cw_count(CW_STAT_PROC_READ_FAIL);
		return;
	}
	pr->exe_ino = BPF_CORE_READ(inode, i_ino);
	pr->exe_dev = BPF_CORE_READ(inode, i_sb, s_dev);
	if (BPF_CORE_READ(inode, i_nlink) == 0)
		pr->flags |= CW_F_FILELESS;
	if (d && d == BPF_CORE_READ(d, d_parent)) {
		/* a pseudo file: no path, its name is all there is */
		cw_name_of(d, &n);
		if ((n.head & 0xffffffffffffull) == CW_MEMFD_PREFIX)
			pr->flags |= CW_F_MEMFD;
		len = CW_TRY(probe_read_kernel_str, CW_W_PATH_WALK,
			     bpf_probe_read_kernel_str(pr->exe, CW_EXE_MAX,
						       BPF_CORE_READ(d, d_name.name)));
		pr->exe_len = len > 0 ? len - 1 : 0;
	} else {
		pr->exe_len =
			cw_path_copy(&f->f_path, s, pr->exe, CW_EXE_MAX, &trunc, CW_STAT_EXE_TRUNC);
		if (trunc)
			pr->flags |= CW_F_EXE_TRUNC;
	}
	if (!pr->exe_len)
		cw_count(CW_STAT_PROC_READ_FAIL);
}

/* Exec: record exe (from the kernel's opened file, not the filename string)
 * and argv. tp_btf gives us bprm, whose ->file is the executable actually
 * mapped (for scripts: the interpreter, as /proc/pid/exe would say). */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(cw_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct cw_scratch *s = cw_scratch_get();
	struct cw_proc *pr;
	struct cw_proc *old;
	struct mm_struct *mm;
	unsigned long arg_start, arg_end, alen;
	__u32 tgid = BPF_CORE_READ(p, tgid);
	struct file *f;

	if (!s)
		return 0;
	pr = &s->proc;
	pr->start_ns = BPF_CORE_READ(p, group_leader, start_boottime);
	pr->exec_id = bpf_ktime_get_boot_ns();
	pr->ppid = BPF_CORE_READ(p, real_parent, tgid);
	pr->flags = 0;
	bpf_probe_read_kernel(pr->comm, sizeof(pr->comm), &p->comm);

	/* the tail is kept: the binary's name matters more than its prefix */
	f = BPF_CORE_READ(bprm, file);
	cw_exe_fill(pr, s, f);
	pr->cgroup_id = bpf_get_current_cgroup_id();
	/* the origin survives exec: a process that left a pod cannot launder it by exec'ing
	 * (the entry is the same process's if its start time matches) */
	old = bpf_map_lookup_elem(&cw_procs, &tgid);
	pr->origin_cgid = old && old->start_ns == pr->start_ns ? old->origin_cgid : 0;

	mm = BPF_CORE_READ(p, mm);
	arg_start = BPF_CORE_READ(mm, arg_start);
	arg_end = BPF_CORE_READ(mm, arg_end);
	alen = arg_end > arg_start ? arg_end - arg_start : 0;
	pr->args_len = 0;
	if (alen > CW_ARGS_MAX) {
		/* Too long: keep the head and the tail. The last arguments are
		 * often what matters (curl -H "<1 KiB token>" URL). */
		pr->flags |= CW_F_ARGS_TRUNC | CW_F_ARGS_SPLIT;
		cw_count(CW_STAT_ARGS_TRUNC);
		if (bpf_probe_read_user(pr->args, CW_ARGS_HEAD, (void *)arg_start) ||
		    bpf_probe_read_user(pr->args + CW_ARGS_HEAD, CW_ARGS_MAX - CW_ARGS_HEAD,
					(void *)(arg_end - (CW_ARGS_MAX - CW_ARGS_HEAD))))
			cw_count(CW_STAT_PROC_READ_FAIL);
		else
			pr->args_len = CW_ARGS_MAX;
		alen = 0;
	}
	/* ((alen - 1) & mask) + 1 == alen for 1..CW_ARGS_MAX, and proves the bound */
	if (alen && bpf_probe_read_user(pr->args, cw_mask(alen - 1, CW_ARGS_MAX - 1) + 1,
					(void *)arg_start) == 0)
		pr->args_len = alen;
	else if (alen)
		cw_count(CW_STAT_PROC_READ_FAIL);

	if (CW_TRY(map_update_elem, CW_W_PROCS, bpf_map_update_elem(&cw_procs, &tgid, pr, BPF_ANY)))
		cw_count(CW_STAT_PROC_MAP_FULL);
	return 0;
}

static __always_inline __u64 cw_pod_of(__u64 cgid)
{
	__u64 *v;

	if (!cgid)
		return 0;
	v = bpf_map_lookup_elem(&cw_podcgs, &cgid);
	return v ? *v : 0;
}

/*
 * Process moved_pid went from cgroup `from` (0: not recorded) to `to`. Leaving a pod's cgroup
 * for anything but that pod makes the pod's cgroup its origin, for good (pr: its process-table
 * entry, updated here; NULL if it has none). The agent hears of every move a pod is part of
 * (and of those whose start it does not know), not of moves between host cgroups.
 */
static __always_inline void cw_moved(struct cw_proc *pr, __u32 moved_pid, __u64 from, __u64 to,
				     __u8 how)
{
	__u64 op = cw_pod_of(from), np = cw_pod_of(to);
	struct cw_ev_attach *ev;

	if (pr) {
		if (!pr->origin_cgid && op && op != np)
			pr->origin_cgid = from;
		pr->cgroup_id = to;
	} else {
		cw_count(CW_STAT_ORIGIN_UNKNOWN);
	}
	if (from && !op && !np)
		return;
	ev = cw_reserve(struct cw_ev_attach, CW_CUR_CG, CW_CUR_TGID);
	if (!ev)
		return;
	cw_hdr_fill(&ev->hdr, CW_EV_CGROUP_ATTACH, sizeof(*ev));
	cw_task_fill(&ev->task);
	ev->from_cgid = from;
	ev->to_cgid = to;
	ev->from_pod_cgid = op;
	ev->to_pod_cgid = np;
	ev->origin_cgid = pr ? pr->origin_cgid : 0;
	ev->moved_pid = moved_pid;
	ev->how = how;
	ev->_pad[0] = ev->_pad[1] = ev->_pad[2] = 0;
	cw_count(CW_STAT_EV_ATTACH);
	cw_submit(ev);
}

/* Fork of a new process (not a thread): the child runs the parent's image
 * until it execs, so it inherits the parent's exe/argv record, and its origin. A child born
 * in another cgroup than its parent's (clone3 with CLONE_INTO_CGROUP) moved at birth. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(cw_fork, struct task_struct *parent, struct task_struct *child)
{
	struct cw_scratch *s;
	struct cw_proc *src;
	__u32 ptgid, ctgid;
	__u64 pcg, ccg;

	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		return 0;
	ptgid = BPF_CORE_READ(parent, tgid);
	ctgid = BPF_CORE_READ(child, tgid);
	/* the parent is current here; the child's cgroup is set by now (cgroup_post_fork) */
	pcg = bpf_get_current_cgroup_id();
	ccg = BPF_CORE_READ(child, cgroups, dfl_cgrp, kn, id);
	src = bpf_map_lookup_elem(&cw_procs, &ptgid);
	if (!src) {
		if (pcg != ccg)
			cw_moved(NULL, ctgid, pcg, ccg, CW_MOVE_CLONE);
		return 0;
	}
	s = cw_scratch_get();
	if (!s)
		return 0;
	__builtin_memcpy(&s->proc, src, sizeof(s->proc));
	s->proc.start_ns = BPF_CORE_READ(child, start_boottime);
	s->proc.exec_id = bpf_ktime_get_boot_ns();
	s->proc.ppid = ptgid;
	s->proc.flags = (src->flags & ~(CW_F_EXITED)) | CW_F_FORKED;
	s->proc.cgroup_id = ccg;
	if (pcg != ccg)
		cw_moved(&s->proc, ctgid, pcg, ccg, CW_MOVE_CLONE);
	if (CW_TRY(map_update_elem, CW_W_PROCS,
		   bpf_map_update_elem(&cw_procs, &ctgid, &s->proc, BPF_ANY)))
		cw_count(CW_STAT_PROC_MAP_FULL);
	return 0;
}

/*
 * A process written into a cgroup's cgroup.procs (after the move: the tracepoint gives the
 * destination; where it came from is the process table's record). Why this tracepoint: every
 * migration of the v2 hierarchy passes cgroup_attach_task, whoever writes the file.
 */
SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(cw_cgroup_attach, struct cgroup *dst, const char *path, struct task_struct *task,
	     bool threadgroup)
{
	struct cw_proc *pr;
	__u64 from, to;
	__u32 tgid;

	/* only the cgroup v2 (default) hierarchy: its hierarchy_id is 0 */
	if (BPF_CORE_READ(dst, root, hierarchy_id) != 0)
		return 0;
	to = BPF_CORE_READ(dst, kn, id);
	tgid = BPF_CORE_READ(task, tgid);
	pr = bpf_map_lookup_elem(&cw_procs, &tgid);
	from = pr ? pr->cgroup_id : 0;
	if (from == to)
		return 0;
	cw_moved(pr, tgid, from, to, CW_MOVE_ATTACH);
	return 0;
}

/* Exit of a thread-group leader: mark, do not delete (see cw_procs). */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(cw_exit, struct task_struct *p)
{
	struct cw_proc *pr;
	__u32 tgid;

	if (BPF_CORE_READ(p, pid) != BPF_CORE_READ(p, tgid))
		return 0;
	tgid = BPF_CORE_READ(p, tgid);
	pr = bpf_map_lookup_elem(&cw_procs, &tgid);
	if (pr)
		pr->flags |= CW_F_EXITED;
	return 0;
}

static __always_inline int cw_cgroup_event(struct cgroup *cgrp, const char *path, __u16 type)
{
	struct cw_ev_cgroup *ev;
	long n;

	/* only the cgroup v2 (default) hierarchy: its hierarchy_id is 0 */
	if (BPF_CORE_READ(cgrp, root, hierarchy_id) != 0)
		return 0;
	ev = cw_reserve(struct cw_ev_cgroup, CW_CUR_CG, CW_CUR_TGID);
	if (!ev)
		return 0;
	cw_hdr_fill(&ev->hdr, type, sizeof(*ev));
	ev->id = BPF_CORE_READ(cgrp, kn, id);
	ev->level = BPF_CORE_READ(cgrp, level);
	ev->_pad = 0;
	n = CW_TRY(probe_read_kernel_str, CW_W_CGROUP_PATH,
		   bpf_probe_read_kernel_str(ev->path, sizeof(ev->path), path));
	if (n < 0)
		n = 0;
	else if (n > 0)
		n--; /* drop the NUL */
	if (n >= (long)sizeof(ev->path) - 1) {
		ev->hdr.flags |= CW_F_PATH_TRUNC;
		cw_count(CW_STAT_CGPATH_TRUNC);
	}
	ev->path_len = n;
	cw_count(CW_STAT_EV_CGROUP);
	cw_submit(ev);
	return 0;
}

/* A new cgroup: the agent learns id -> path before any process can run in it,
 * so it can name the cgroup even if it is removed before its events are read. */
SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(cw_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	return cw_cgroup_event(cgrp, path, CW_EV_CGROUP_MKDIR);
}

/* A removed cgroup: the agent keeps the name for a grace period, then evicts. */
SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(cw_cgroup_rmdir, struct cgroup *cgrp, const char *path)
{
	return cw_cgroup_event(cgrp, path, CW_EV_CGROUP_RMDIR);
}
