/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A credential file opened (or a credential path that failed to open): the record, written
 * from whichever hook saw it (syscall exits in files.bpf.c, the VFS hooks in vfs.bpf.c,
 * io_uring completions in uring.bpf.c).
 */
#ifndef CREDWATCH_FILES_BPF_H
#define CREDWATCH_FILES_BPF_H

#include "lib/classify.bpf.h"
#include "lib/flood.bpf.h"
#include "lib/path.bpf.h"
#include "lib/syscall.bpf.h"

#define ENOENT	     2
#define EPERM	     1
#define EACCES	     13
#define ENOTDIR	     20
#define ELOOP	     40
#define ECONNREFUSED 111

/* fd -> struct file of the current task, or NULL */
static __always_inline struct file *cw_fd_file(struct task_struct *task, long fd)
{
	struct fdtable *fdt = task->files->fdt;
	struct file **arr;
	struct file *f = NULL;

	if (fd < 0 || fd >= fdt->max_fds)
		return NULL;
	arr = fdt->fd;
	bpf_probe_read_kernel(&f, sizeof(f), &arr[fd]);
	return f;
}

/* The path argument of the task's open-family syscall (advisory), into out. */
static __always_inline long cw_read_req(struct task_struct *task, __u8 sys, bool compat, char *out,
					__u32 size)
{
	const char *arg = cw_open_path_arg(cw_user_regs(task), sys, compat);
	long n;

	if (!arg) {
		out[0] = 0; /* open_by_handle_at: no path */
		return 0;
	}
	n = bpf_probe_read_user_str(out, size, arg);
	if (n < 0) {
		cw_count(CW_STAT_REQ_READ_FAIL);
		out[0] = 0;
		return 0;
	}
	return n - 1;
}

/*
 * Write a file_open record for an opened file (f != NULL, ret >= 0), a failed open (f == NULL,
 * ret < 0, rule CW_FR_PATH_HINT, s->req holding the requested path of length rn) or an open
 * whose file could not be looked at (f == NULL, rule CW_FR_UNSEEN). hflags: CW_F_COMPAT,
 * CW_F_URING_FIXED; known: the cw_credfiles kind of the inode (0: not there).
 */
static __always_inline int cw_emit_file(struct task_struct *task, struct cw_scratch *s,
					struct file *f, struct inode *inode, __u32 nlink, long ret,
					__u8 sys, __u8 rule, long rn, __u32 hflags, __u8 known,
					__u64 owner_pod)
{
	struct cw_ev_file *ev = &s->fev;
	__u32 len, size, tgid;
	bool trunc = false;
	struct cw_quiet_key qk;
	struct cw_proc *pr;

	cw_hdr_fill(&ev->hdr, CW_EV_FILE_OPEN, sizeof(*ev));
	ev->hdr.flags = hflags;
	ev->known = known;
	/* the scratch holds the previous record: no stale bytes past req_len */
	__builtin_memset(ev->req, 0, sizeof(ev->req));
	ev->rule = rule;
	ev->syscall = sys;
	ev->result = ret < 0 ? ret : 0;
	ev->_pad = 0;
	ev->req_len = rn > 0 ? rn : 0;
	if (ev->req_len)
		bpf_probe_read_kernel(ev->req, cw_mask(ev->req_len, CW_REQPATH_MAX - 1) + 1,
				      s->req);
	if (f) {
		ev->ino = BPF_CORE_READ(inode, i_ino);
		ev->dev = BPF_CORE_READ(inode, i_sb, s_dev);
		ev->fs_magic = BPF_CORE_READ(inode, i_sb, s_magic);
		ev->mode = BPF_CORE_READ(inode, i_mode);
		ev->flags = BPF_CORE_READ(f, f_flags);
		ev->nlink = nlink;
		ev->path_len = cw_path_copy(&f->f_path, s, ev->path, CW_PATH_MAX, &trunc,
					    CW_STAT_PATH_TRUNC);
		if (trunc)
			ev->hdr.flags |= CW_F_PATH_TRUNC;
	} else {
		ev->ino = 0;
		ev->dev = 0;
		ev->fs_magic = 0;
		ev->mode = 0;
		ev->nlink = 0;
		ev->path_len = 0;
		ev->flags = rule == CW_FR_UNSEEN ? 0
						 : cw_open_flags_arg(cw_user_regs(task), sys,
								     hflags & CW_F_COMPAT);
	}
	/*
	 * Floods (lib/flood.bpf.h), before the costly part of the record. A repeat the agent
	 * judged an audit event is counted, not sent: same cgroup, process image, object (the
	 * inode; for a failed open, the requested path's hash), access mode and result.
	 */
	tgid = bpf_get_current_pid_tgid() >> 32;
	pr = bpf_map_lookup_elem(&cw_procs, &tgid);
	qk.cgroup_id = bpf_get_current_cgroup_id();
	qk.exec_id = pr ? pr->exec_id : 0;
	qk.ino = f ? ev->ino : cw_path_hash(s->req, ev->req_len);
	qk.dev = f ? ev->dev : 0;
	qk.tgid = tgid;
	qk.what = CW_QUIET_WHAT(CW_EV_FILE_OPEN, ev->flags & 3, ev->result);
	qk._pad = 0;
	if (cw_quiet_window_ns) {
		qk.what |= CW_QUIET_GEN(ev->hdr.ts_boot_ns, cw_quiet_window_ns);
		if (cw_quiet_hit(&qk, ev->hdr.ts_boot_ns))
			return 0;
	}
	/*
	 * Low priority: a pod's process opening its own pod's credential file (by inode) - never
	 * a finding, unless the process left another pod (it is that pod's) or runs a fileless
	 * executable. Refused while the ring is half full, so that it cannot crowd out a record
	 * that can be a finding.
	 */
	if (owner_pod && pr && !pr->origin_cgid && !(pr->flags & (CW_F_FILELESS | CW_F_MEMFD)) &&
	    !cw_low_admitted()) {
		__u64 *pc = bpf_map_lookup_elem(&cw_podcgs, &qk.cgroup_id);

		if (pc && *pc == owner_pod && BPF_CORE_READ(task, mm, exe_file, f_inode, i_nlink)) {
			cw_count(CW_STAT_LOW_REFUSED);
			cw_drop(qk.cgroup_id, false, tgid);
			return 0;
		}
	}
	cw_task_fill(&ev->task);
	/* sent up to the end of the path (bpf_ringbuf_reserve wants a constant size, so the
	 * record is built in the per-CPU scratch and copied) */
	len = ev->path_len;
	if (len > CW_PATH_MAX)
		len = CW_PATH_MAX;
	size = CW_EV_FILE_MIN + cw_mask(len, 1023);
	if (size > sizeof(*ev))
		size = sizeof(*ev);
	ev->hdr.size = size;
	if (cw_output(ev, size, qk.cgroup_id, tgid))
		cw_count(CW_STAT_EV_FILE);
	return 0;
}

/*
 * Classify an opened file; write an event if it is a credential: by its names (cw_classify),
 * or by its inode, when the agent knows it from node state (cw_credfiles: hard links, renames,
 * a Secret volume's file under ..<timestamp>/, AWS_SHARED_CREDENTIALS_FILE=/etc/aws/x). The
 * inode lookup is one hash lookup per open; it is what catches a name no rule can know.
 */
static __always_inline int cw_file_opened(struct task_struct *task, struct file *f, long ret,
					  __u8 sys, bool read_req, __u32 hflags)
{
	struct dentry *d = BPF_CORE_READ(f, f_path.dentry);
	struct inode *inode = BPF_CORE_READ(d, d_inode);
	__u32 nlink = BPF_CORE_READ(inode, i_nlink);
	struct cw_file_key key = {};
	struct cw_cred_val *cv = NULL;
	struct cw_credbits *bits;
	struct cw_scratch *s;
	__u8 rule, known = 0;
	__u32 zero = 0, b;
	long rn = 0;

	rule = cw_classify(d, inode, nlink);
	/* the inode map, behind its bitmap: most opens stop at one bit test */
	key.ino = BPF_CORE_READ(inode, i_ino);
	bits = bpf_map_lookup_elem(&cw_credbits, &zero);
	b = cw_credbit(key.ino);
	if (bits && (bits->w[b / 64] >> (b % 64)) & 1) {
		key.dev = BPF_CORE_READ(inode, i_sb, s_dev);
		cv = bpf_map_lookup_elem(&cw_credfiles, &key);
	}
	if (cv) {
		known = cv->kind;
		cw_count(CW_STAT_CRED_INODE);
		if (rule == CW_FR_NONE)
			rule = CW_FR_KNOWN;
	}
	if (rule == CW_FR_NONE)
		return 0;
	s = cw_scratch_get();
	if (!s)
		return 0;
	if (read_req)
		rn = cw_read_req(task, sys, hflags & CW_F_COMPAT, s->req, sizeof(s->req));
	else
		s->req[0] = 0;
	return cw_emit_file(task, s, f, inode, nlink, ret, sys, rule, rn, hflags, known,
			    cv ? cv->owner_pod_cgid : 0);
}

#endif
