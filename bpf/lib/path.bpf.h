/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A struct path as a string, the way d_path() would show it from the task's root: walk
 * dentries up to the mount root, hop to the parent mount, until the task's root (or the
 * namespace's root mount) is reached. Bounded by CW_PATH_DEPTH components; a deeper path is
 * marked truncated and keeps its leaf-most components.
 *
 * Why not bpf_d_path(): it is only allowed from fentry/LSM on an allowlist of functions, not
 * from the tracepoints this must also run from. Why bpf_loop() (5.17+): an unrolled or
 * bounded loop with this many branches per step makes the verifier explore too many states;
 * a bpf_loop callback is verified once.
 */
#ifndef CREDWATCH_PATH_BPF_H
#define CREDWATCH_PATH_BPF_H

#include "lib/event.bpf.h"

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

	/* Opaque copies: clang 14 otherwise folds the loads from *c into the CO-RE access
	 * chains below and emits relocations against cw_walk_ctx, which the kernel's BTF does
	 * not have. */
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
	if (CW_TRY(probe_read_kernel, CW_W_PATH_WALK,
		   bpf_probe_read_kernel(&walk[cw_mask(off + 1, CW_PATH_MAX - 1)], len,
					 name.name))) {
		c->fail = true;
		return 1;
	}
	walk[cw_mask(off, CW_PATH_MAX - 1)] = '/';
	c->off = off;
	c->d = parent;
	return 0;
}

/* Walk path into the END of walk[0 .. CW_PATH_MAX); *startp is where it begins. Returns its
 * length (without NUL), or 0 on failure. */
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

/*
 * Resolve path into out (max bytes, a power of two <= CW_PATH_MAX): walk, keep the tail when
 * it is longer than max - 1 (the leaf names matter more than the prefix), copy. A cut is
 * counted in stat and reported in *truncp. Evaluates to the length copied (0: nothing).
 */
#define cw_path_copy(path, s, out, max, truncp, stat)                                             \
	({                                                                                        \
		__u32 __start = 0, __len;                                                         \
		bool __t = false;                                                                 \
		__len = cw_path_walk(path, (s)->walk, &__start, &__t);                            \
		if (__len > (max)-1) {                                                            \
			__start += __len - ((max)-1);                                             \
			__len = (max)-1;                                                          \
			__t = true;                                                               \
		}                                                                                 \
		if (__t)                                                                          \
			cw_count(stat);                                                           \
		*(truncp) = __t;                                                                  \
		if (__len &&                                                                      \
		    CW_TRY(probe_read_kernel, CW_W_PATH_COPY,                                     \
			   bpf_probe_read_kernel(out, cw_mask(__len, (max)-1),                    \
						 &(s)->walk[cw_mask(__start, CW_PATH_MAX - 1)]))) \
			__len = 0;                                                                \
		__len;                                                                            \
	})

#endif
