/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which opened files are credentials, decided from the struct file's dentries and inode:
 * the leaf name's length and first/last 8 bytes, then (only for a name that could be a
 * credential's) the parents'. Cost for a non-credential open: a few loads, nothing sent.
 */
#ifndef CREDWATCH_CLASSIFY_BPF_H
#define CREDWATCH_CLASSIFY_BPF_H

#include "lib/event.bpf.h"

#define TMPFS_MAGIC 0x01021994 /* include/uapi/linux/magic.h */

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
	CW_TRY(probe_read_kernel, CW_W_NAME, bpf_probe_read_kernel(&head, 8, q.name));
	if (q.len >= 8) {
		CW_TRY(probe_read_kernel, CW_W_NAME,
		       bpf_probe_read_kernel(&tail, 8, q.name + q.len - 8));
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

#endif
