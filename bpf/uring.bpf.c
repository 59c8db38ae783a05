// SPDX-License-Identifier: GPL-2.0
/*
 * io_uring completions: opens and unix connects that make no syscall of their own, a
 * documented way past syscall-based monitors.
 *
 * Why the io_uring_complete tracepoint: it carries the request and its result, on every
 * kernel credwatch supports. IORING_OP_CONNECT is decided from the request's socket file
 * (lib/unix.bpf.h). IORING_OP_OPENAT/OPENAT2 return an fd installed in the ring owner's file
 * table, which the io-wq worker shares: the opened file is classified like any other. An open
 * into a fixed-file slot (sqe->file_index) installs no fd: the file is read from the ring's
 * fixed-file table instead (its layout differs between kernels: CO-RE, below); where neither
 * known layout matches, the open is still reported, as one whose file could not be looked at
 * (CW_FR_UNSEEN). Not needed for opens where the VFS programs run (they see io_uring opens).
 */
#include "lib/unix.bpf.h"

/* include/uapi/linux/io_uring.h: let the kernel pick the fixed-file slot */
#define CW_IORING_FILE_INDEX_ALLOC (~0U)
/* io_uring/filetable.h: FFS_NOWAIT, FFS_ISREG (and FFS_SCM before 6.7) in the low bits */
#define CW_FFS_MASK (~7UL)

/* Linux 6.1 - 6.12: ctx->file_table.files[i].file_ptr, ctx->nr_user_files slots (6.13
 * replaced it with io_rsrc_data: file_table.data.nodes[i]->file_ptr, file_table.data.nr) */
struct io_fixed_file___v61 {
	unsigned long file_ptr;
} __attribute__((preserve_access_index));

struct io_file_table___v61 {
	struct io_fixed_file___v61 *files;
} __attribute__((preserve_access_index));

struct io_ring_ctx___v61 {
	struct io_file_table___v61 file_table;
	unsigned int nr_user_files;
} __attribute__((preserve_access_index));

/* Linux 6.13+: both layouts are flavours, so the program builds against either vmlinux.h
 * (x86's is 6.18, arm64's 6.1) */
struct io_rsrc_node___v613 {
	unsigned long file_ptr;
} __attribute__((preserve_access_index));

struct io_rsrc_data___v613 {
	unsigned int nr;
	struct io_rsrc_node___v613 **nodes;
} __attribute__((preserve_access_index));

struct io_file_table___v613 {
	struct io_rsrc_data___v613 data;
} __attribute__((preserve_access_index));

struct io_ring_ctx___v613 {
	struct io_file_table___v613 file_table;
} __attribute__((preserve_access_index));

/* The file in fixed-file slot `slot` of the request's ring; NULL if not found. *layout_known:
 * whether this kernel's table layout is one of the two above. */
static __always_inline struct file *cw_uring_fixed_file(struct io_kiocb *req, __u32 slot,
							bool *layout_known)
{
	struct io_ring_ctx *ctx = BPF_CORE_READ(req, ctx);
	unsigned long ptr = 0;

	*layout_known = true;
	if (bpf_core_field_exists(struct io_file_table___v613, data)) {
		struct io_ring_ctx___v613 *c = (void *)ctx;
		struct io_rsrc_node___v613 **nodes = BPF_CORE_READ(c, file_table.data.nodes);
		struct io_rsrc_node___v613 *node = NULL;

		if (slot >= BPF_CORE_READ(c, file_table.data.nr))
			return NULL;
		bpf_probe_read_kernel(&node, sizeof(node), &nodes[slot]);
		if (!node)
			return NULL;
		ptr = BPF_CORE_READ(node, file_ptr);
	} else if (bpf_core_field_exists(struct io_file_table___v61, files)) {
		struct io_ring_ctx___v61 *c = (void *)ctx;
		struct io_fixed_file___v61 *files = BPF_CORE_READ(c, file_table.files);

		if (slot >= BPF_CORE_READ(c, nr_user_files))
			return NULL;
		bpf_probe_read_kernel(&ptr, sizeof(ptr), &files[slot].file_ptr);
	} else {
		*layout_known = false;
		return NULL;
	}
	return (struct file *)(ptr & CW_FFS_MASK);
}

/* An IORING_OP_OPENAT/OPENAT2 completion (res >= 0) */
static __always_inline int cw_uring_open(struct io_kiocb *req, long res)
{
	struct task_struct *task = bpf_get_current_task_btf();
	/* io_kiocb_to_cmd(): the request's command data */
	struct io_open *open = (void *)req + bpf_core_field_offset(struct io_kiocb, cmd);
	__u32 slot = BPF_CORE_READ(open, file_slot);
	struct cw_scratch *s;
	bool known = true;
	struct file *f;

	if (!slot) {
		f = cw_fd_file(task, res);
		return f ? cw_file_opened(task, f, res, CW_SYS_IO_URING, false, 0) : 0;
	}
	/* a fixed slot: 1-based in the request; with ALLOC the kernel's choice is the result */
	cw_count(CW_STAT_URING_FIXED);
	f = cw_uring_fixed_file(req, slot == CW_IORING_FILE_INDEX_ALLOC ? res : slot - 1, &known);
	if (f)
		return cw_file_opened(task, f, 0, CW_SYS_IO_URING, false, CW_F_URING_FIXED);
	/* not silent: who opened what kind of thing, without the file */
	cw_count(CW_STAT_URING_UNSEEN);
	s = cw_scratch_get();
	if (!s)
		return 0;
	s->req[0] = 0;
	return cw_emit_file(task, s, NULL, NULL, 0, 0, CW_SYS_IO_URING, CW_FR_UNSEEN, 0,
			    CW_F_URING_FIXED, 0, 0);
}

SEC("tp/io_uring/io_uring_complete")
int cw_uring_complete(struct trace_event_raw_io_uring_complete *ctx)
{
	struct io_kiocb *req = ctx->req;
	__u8 op;

	if (cw_is_self())
		return 0;
	op = BPF_CORE_READ(req, opcode);
	if (op == IORING_OP_CONNECT)
		return cw_unix_connected(ctx->res, BPF_CORE_READ(req, file), CW_SYS_IO_URING, NULL,
					 0);
	if (cw_vfs_files || (op != IORING_OP_OPENAT && op != IORING_OP_OPENAT2))
		return 0;
	if (ctx->res < 0)
		return 0;
	return cw_uring_open(req, ctx->res);
}
