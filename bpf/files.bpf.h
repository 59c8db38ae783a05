/* SPDX-License-Identifier: GPL-2.0 */
/*
 * File classification shared by the syscall-exit programs (files.bpf.c) and
 * the VFS-level programs (vfs.bpf.c): which opened files are credentials,
 * decided from the struct file's dentries and inode; and the event writer.
 */
#ifndef CREDWATCH_FILES_BPF_H
#define CREDWATCH_FILES_BPF_H

#include "common.bpf.h"

#define TMPFS_MAGIC  0x01021994
#define S_IFMT	     00170000
#define S_IFREG	     0100000
#define S_IFSOCK     0140000
#define AF_UNIX	     1

#define ENOENT	     2
#define EPERM	     1
#define EACCES	     13
#define ENOTDIR	     20
#define ELOOP	     40
#define ECONNREFUSED 111

/* little-endian 8-byte string constants */
#define S8(a, b, c, d, e, f, g, h)                                                               \
	((__u64)(a) | (__u64)(b) << 8 | (__u64)(c) << 16 | (__u64)(d) << 24 | (__u64)(e) << 32 | \
	 (__u64)(f) << 40 | (__u64)(g) << 48 | (__u64)(h) << 56)

struct cw_name {
	__u32 len;
	__u64 head; /* first 8 bytes, zero-padded past len */
	__u64 tail; /* last 8 bytes, left-aligned: the last byte is the top byte */
};

static __always_inline void cw_name_of(struct dentry *d, struct cw_name *n)
{
	struct qstr q = BPF_CORE_READ(d, d_name);
	__u64 head = 0, tail = 0;

	n->len = q.len;
	bpf_probe_read_kernel(&head, 8, q.name);
	if (q.len >= 8) {
		bpf_probe_read_kernel(&tail, 8, q.name + q.len - 8);
	} else {
		/* bytes past the name's NUL may be stale: mask them off */
		head &= q.len ? (~0ULL >> (8 * (8 - q.len))) : 0;
		tail = q.len ? head << (8 * (8 - q.len)) : 0;
	}
	n->head = head;
	n->tail = tail;
}

static __always_inline bool cw_name_is(const struct cw_name *n, __u32 len, __u64 head, __u64 tail)
{
	return n->len == len && n->head == head && (len <= 8 || n->tail == tail);
}

#define TAIL4(t) ((t) >> 32)
#define TAIL5(t) ((t) >> 24)

/* "token" / "eks-pod-identity-token" inside an atomic-writer "..<timestamp>" dir */
static __always_inline bool cw_is_projected_token(struct dentry *d, const struct cw_name *n)
{
	struct cw_name p;

	if (!cw_name_is(n, 5, S8('t', 'o', 'k', 'e', 'n', 0, 0, 0), 0) &&
	    !cw_name_is(n, 22, S8('e', 'k', 's', '-', 'p', 'o', 'd', '-'),
			S8('t', 'y', '-', 't', 'o', 'k', 'e', 'n')))
		return false;
	cw_name_of(BPF_CORE_READ(d, d_parent), &p);
	return p.len > 2 && (p.head & 0xffff) == S8('.', '.', 0, 0, 0, 0, 0, 0);
}

/*
 * Classify an opened file by its dentry chain. Hard links: a token reached
 * through another name in the same tmpfs (nlink > 1) is found through the
 * inode's other dentries (tmpfs keeps every name of a file in the dcache).
 */
static __always_inline __u8 cw_classify(struct dentry *d, struct inode *inode, __u32 nlink)
{
	struct cw_name n, p, g, gg;
	struct dentry *parent, *gp;

	cw_name_of(d, &n);
	switch (n.len) {
	case 5:
	case 22:
		if (cw_is_projected_token(d, &n))
			return CW_FR_PROJECTED_TOKEN;
		break;
	case 11: /* credentials */
	case 6:	 /* config */
		if (!cw_name_is(&n, 11, S8('c', 'r', 'e', 'd', 'e', 'n', 't', 'i'),
				S8('d', 'e', 'n', 't', 'i', 'a', 'l', 's')) &&
		    !cw_name_is(&n, 6, S8('c', 'o', 'n', 'f', 'i', 'g', 0, 0), 0))
			break;
		cw_name_of(BPF_CORE_READ(d, d_parent), &p);
		if (cw_name_is(&p, 4, S8('.', 'a', 'w', 's', 0, 0, 0, 0), 0))
			return n.len == 11 ? CW_FR_AWS_CREDENTIALS : CW_FR_AWS_CONFIG;
		break;
	case 10: /* kubeconfig */
		if (!cw_name_is(&n, 10, S8('k', 'u', 'b', 'e', 'c', 'o', 'n', 'f'),
				S8('b', 'e', 'c', 'o', 'n', 'f', 'i', 'g')))
			break;
		cw_name_of(BPF_CORE_READ(d, d_parent), &p);
		if (cw_name_is(&p, 7, S8('k', 'u', 'b', 'e', 'l', 'e', 't', 0), 0))
			return CW_FR_KUBELET;
		break;
	case 45: /* <sha1 hex>.json in .aws/{sso,cli}/cache */
		if (TAIL5(n.tail) != (S8('.', 'j', 's', 'o', 'n', 0, 0, 0)))
			break;
		parent = BPF_CORE_READ(d, d_parent);
		cw_name_of(parent, &p);
		if (!cw_name_is(&p, 5, S8('c', 'a', 'c', 'h', 'e', 0, 0, 0), 0))
			break;
		gp = BPF_CORE_READ(parent, d_parent);
		cw_name_of(gp, &g);
		cw_name_of(BPF_CORE_READ(gp, d_parent), &gg);
		if (!cw_name_is(&gg, 4, S8('.', 'a', 'w', 's', 0, 0, 0, 0), 0))
			break;
		if (cw_name_is(&g, 3, S8('s', 's', 'o', 0, 0, 0, 0, 0), 0))
			return CW_FR_AWS_SSO_CACHE;
		if (cw_name_is(&g, 3, S8('c', 'l', 'i', 0, 0, 0, 0, 0), 0))
			return CW_FR_AWS_CLI_CACHE;
		break;
	}
	/* kubelet/pki/kubelet-<x>.pem and kubernetes/pki/<x>.key */
	if (n.len >= 5 && (TAIL4(n.tail) == S8('.', 'p', 'e', 'm', 0, 0, 0, 0) ||
			   TAIL4(n.tail) == S8('.', 'k', 'e', 'y', 0, 0, 0, 0))) {
		parent = BPF_CORE_READ(d, d_parent);
		cw_name_of(parent, &p);
		if (cw_name_is(&p, 3, S8('p', 'k', 'i', 0, 0, 0, 0, 0), 0)) {
			cw_name_of(BPF_CORE_READ(parent, d_parent), &g);
			if (TAIL4(n.tail) == S8('.', 'p', 'e', 'm', 0, 0, 0, 0) &&
			    n.head == S8('k', 'u', 'b', 'e', 'l', 'e', 't', '-') &&
			    cw_name_is(&g, 7, S8('k', 'u', 'b', 'e', 'l', 'e', 't', 0), 0))
				return CW_FR_KUBELET;
			if (TAIL4(n.tail) == S8('.', 'k', 'e', 'y', 0, 0, 0, 0) &&
			    cw_name_is(&g, 10, S8('k', 'u', 'b', 'e', 'r', 'n', 'e', 't'),
				       S8('b', 'e', 'r', 'n', 'e', 't', 'e', 's')))
				return CW_FR_KUBELET;
		}
	}
	/* another name of a projected token (hard link in the same tmpfs) */
	if (nlink > 1 && BPF_CORE_READ(inode, i_sb, s_magic) == TMPFS_MAGIC) {
		struct hlist_node *node = BPF_CORE_READ(inode, i_dentry.first);
		__u32 off = bpf_core_field_offset(struct dentry, d_u.d_alias);

		for (int i = 0; i < 4 && node; i++) {
			struct dentry *alias = (struct dentry *)((void *)node - off);
			struct cw_name an;

			if (alias != d) {
				cw_name_of(alias, &an);
				if (cw_is_projected_token(alias, &an))
					return CW_FR_PROJECTED_TOKEN;
			}
			node = BPF_CORE_READ(node, next);
		}
	}
	return CW_FR_NONE;
}

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

/* The path argument of the syscall, from the saved user registers. */
static __always_inline long cw_read_req(struct task_struct *task, __u8 sys, char *out, __u32 size)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
	const char *up;
	long n;

	/* open(path, ...), creat(path, ...): 1st arg; openat(dfd, path, ...): 2nd */
	if (sys == CW_SYS_OPEN || sys == CW_SYS_CREAT)
		up = (const char *)BPF_CORE_READ(regs, di);
	else
		up = (const char *)BPF_CORE_READ(regs, si);
	n = bpf_probe_read_user_str(out, size, up);
	if (n < 0) {
		cw_count(CW_STAT_REQ_READ_FAIL);
		out[0] = 0;
		return 0;
	}
	return n - 1;
}

static __always_inline bool cw_tail_is(const char *s, long n, const char *suffix, int slen)
{
	if (n < slen)
		return false;
	for (int i = 0; i < slen; i++)
		if (s[(n - slen + i) & (CW_REQPATH_MAX - 1)] != suffix[i])
			return false;
	return true;
}

/*
 * A failed open has no file: the requested path is all there is. Keep it
 * only if it ends like a credential path; the agent applies the full path
 * rules and counts what it discards.
 */
static __always_inline bool cw_req_looks_credential(const char *s, long n)
{
	return cw_tail_is(s, n, "/token", 6) || cw_tail_is(s, n, "-token", 6) ||
	       cw_tail_is(s, n, ".aws/credentials", 16) || cw_tail_is(s, n, ".aws/config", 11) ||
	       cw_tail_is(s, n, "/kubeconfig", 11);
}

/*
 * Write a file_open record for an opened file (f != NULL, ret >= 0) or a
 * failed open (f == NULL, ret < 0, rule CW_FR_PATH_HINT, s->req holding the
 * requested path of length rn).
 */
static __always_inline int cw_emit_file(struct task_struct *task, struct cw_scratch *s,
					struct file *f, struct inode *inode, __u32 nlink, long ret,
					__u8 sys, __u8 rule, long rn)
{
	struct cw_ev_file *ev = &s->fev;
	__u32 start = 0, len, size;
	bool trunc = false;

	cw_hdr_fill(&ev->hdr, CW_EV_FILE_OPEN, sizeof(*ev));
	/* the scratch holds the previous record: no stale bytes past req_len */
	__builtin_memset(ev->req, 0, sizeof(ev->req));
	cw_task_fill(&ev->task);
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
		len = cw_path_walk(&f->f_path, s->walk, &start, &trunc);
		if (trunc) {
			ev->hdr.flags |= CW_F_PATH_TRUNC;
			cw_count(CW_STAT_PATH_TRUNC);
		}
		ev->path_len = 0;
		if (len && bpf_probe_read_kernel(ev->path, cw_mask(len, CW_PATH_MAX - 1),
						 &s->walk[cw_mask(start, CW_PATH_MAX - 1)]) == 0)
			ev->path_len = len;
	} else {
		struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);

		ev->ino = 0;
		ev->dev = 0;
		ev->fs_magic = 0;
		ev->mode = 0;
		ev->nlink = 0;
		ev->path_len = 0;
		/* openat(dfd, path, flags): 3rd arg; open(path, flags): 2nd; creat: none */
		ev->flags = sys == CW_SYS_OPEN	   ? BPF_CORE_READ(regs, si)
			    : sys == CW_SYS_OPENAT ? BPF_CORE_READ(regs, dx)
						   : 0;
	}
	/* sent up to the end of the path (bpf_ringbuf_reserve wants a constant
	 * size, so the record is built in the per-CPU scratch and copied) */
	len = ev->path_len;
	if (len > CW_PATH_MAX)
		len = CW_PATH_MAX;
	size = CW_EV_FILE_MIN + cw_mask(len, 1023);
	if (size > sizeof(*ev))
		size = sizeof(*ev);
	ev->hdr.size = size;
	if (bpf_ringbuf_output(&cw_events, ev, size, cw_wake_flag())) {
		cw_count(CW_STAT_RINGBUF_FULL);
		return 0;
	}
	cw_count(CW_STAT_EV_FILE);
	return 0;
}

/* Classify an opened file; write an event if it is a credential. */
static __always_inline int cw_file_opened(struct task_struct *task, struct file *f, long ret,
					  __u8 sys, bool read_req)
{
	struct dentry *d = BPF_CORE_READ(f, f_path.dentry);
	struct inode *inode = BPF_CORE_READ(d, d_inode);
	__u32 nlink = BPF_CORE_READ(inode, i_nlink);
	struct cw_scratch *s;
	__u8 rule;
	long rn = 0;

	rule = cw_classify(d, inode, nlink);
	if (rule == CW_FR_NONE)
		return 0;
	s = cw_scratch_get();
	if (!s)
		return 0;
	if (read_req)
		rn = cw_read_req(task, sys, s->req, sizeof(s->req));
	else
		s->req[0] = 0;
	return cw_emit_file(task, s, f, inode, nlink, ret, sys, rule, rn);
}

#endif
