// SPDX-License-Identifier: GPL-2.0
/*
 * io_uring completions: opens and unix connects that make no syscall of their own, a
 * documented way past syscall-based monitors.
 *
 * Why the io_uring_complete tracepoint: it carries the request and its result, on every
 * kernel credwatch supports. IORING_OP_CONNECT is decided from the request's socket file
 * (lib/unix.bpf.h). IORING_OP_OPENAT/OPENAT2 return an fd installed in the ring owner's file
 * table, which the io-wq worker shares: the opened file is classified like any other. Not
 * needed for opens where the VFS programs run (they see io_uring opens); an open into a
 * fixed-file slot (no fd) cannot be inspected here.
 */
#include "lib/unix.bpf.h"

SEC("tp/io_uring/io_uring_complete")
int cw_uring_complete(struct trace_event_raw_io_uring_complete *ctx)
{
	struct task_struct *task;
	struct io_kiocb *req = ctx->req;
	struct file *f;
	__u8 op;

	if (cw_is_self())
		return 0;
	op = BPF_CORE_READ(req, opcode);
	if (op == IORING_OP_CONNECT)
		return cw_unix_connected(ctx->res, BPF_CORE_READ(req, file), CW_SYS_IO_URING);
	if (cw_vfs_files || (op != IORING_OP_OPENAT && op != IORING_OP_OPENAT2))
		return 0;
	if (ctx->res < 0)
		return 0;
	task = bpf_get_current_task_btf();
	f = cw_fd_file(task, ctx->res);
	if (!f)
		return 0;
	return cw_file_opened(task, f, ctx->res, CW_SYS_IO_URING, false);
}
