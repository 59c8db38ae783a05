// SPDX-License-Identifier: GPL-2.0
/*
 * Process and cgroup lifecycle: keeps cw_procs (who is this pid: exe, argv,
 * parent) current from exec/fork/exit, and tells the agent about new and
 * removed cgroups so it can name a cgroup id even after the cgroup is gone.
 * Nothing here is sent per exec: process context costs no ring-buffer traffic
 * until a process touches a credential.
 */
#include "lib/path.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Exec: record exe (from the kernel's opened file, not the filename string)
 * and argv. tp_btf gives us bprm, whose ->file is the executable actually
 * mapped (for scripts: the interpreter, as /proc/pid/exe would say). */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(cw_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct cw_scratch *s = cw_scratch_get();
	struct cw_proc *pr;
	struct mm_struct *mm;
	unsigned long arg_start, arg_end, alen;
	__u32 tgid = BPF_CORE_READ(p, tgid);
	bool trunc = false;
	struct file *f;

	if (!s)
		return 0;
	pr = &s->proc;
	pr->start_ns = BPF_CORE_READ(p, group_leader, start_boottime);
	pr->exec_id = bpf_ktime_get_boot_ns();
	pr->ppid = BPF_CORE_READ(p, real_parent, tgid);
	pr->flags = 0;
	pr->_pad = 0;
	bpf_probe_read_kernel(pr->comm, sizeof(pr->comm), &p->comm);

	/* the tail is kept: the binary's name matters more than its prefix */
	f = BPF_CORE_READ(bprm, file);
	pr->exe_len =
		f ? cw_path_copy(&f->f_path, s, pr->exe, CW_EXE_MAX, &trunc, CW_STAT_EXE_TRUNC) : 0;
	if (trunc)
		pr->flags |= CW_F_EXE_TRUNC;
	if (!pr->exe_len)
		cw_count(CW_STAT_PROC_READ_FAIL);

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

/* Fork of a new process (not a thread): the child runs the parent's image
 * until it execs, so it inherits the parent's exe/argv record. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(cw_fork, struct task_struct *parent, struct task_struct *child)
{
	struct cw_scratch *s;
	struct cw_proc *src;
	__u32 ptgid, ctgid;

	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		return 0;
	ptgid = BPF_CORE_READ(parent, tgid);
	src = bpf_map_lookup_elem(&cw_procs, &ptgid);
	if (!src)
		return 0;
	s = cw_scratch_get();
	if (!s)
		return 0;
	__builtin_memcpy(&s->proc, src, sizeof(s->proc));
	s->proc.start_ns = BPF_CORE_READ(child, start_boottime);
	s->proc.exec_id = bpf_ktime_get_boot_ns();
	s->proc.ppid = ptgid;
	s->proc.flags = (src->flags & ~(CW_F_EXITED)) | CW_F_FORKED;
	ctgid = BPF_CORE_READ(child, tgid);
	if (CW_TRY(map_update_elem, CW_W_PROCS,
		   bpf_map_update_elem(&cw_procs, &ctgid, &s->proc, BPF_ANY)))
		cw_count(CW_STAT_PROC_MAP_FULL);
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
	ev = cw_reserve(struct cw_ev_cgroup);
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
