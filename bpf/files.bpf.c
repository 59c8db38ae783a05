// SPDX-License-Identifier: GPL-2.0
/*
 * Opens of credential files at the open-family syscalls' exits, decided from the opened
 * struct file (lib/classify.bpf.h), never from the path string the process passed: that
 * string is carried along as advisory only, and decides only when there is no kernel object
 * (a failed open).
 *
 * Why syscall exit tracepoints: they exist on every kernel credwatch supports (fentry/LSM do
 * not everywhere; see vfs.bpf.c for the VFS hooks where they exist), and at exit the file is
 * installed in the fd table, so the kernel object is there to look at. Where a VFS hook runs
 * (cw_vfs_files), only failed opens are reported from here.
 */
#include "lib/files.bpf.h"

static __always_inline int cw_open_exit(long ret, __u8 sys)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct cw_scratch *s;
	struct file *f;
	long rn;

	if (cw_is_self())
		return 0;
	if (ret >= 0) {
		if (cw_vfs_files)
			return 0;
		f = cw_fd_file(task, ret);
		if (!f)
			return 0;
		return cw_file_opened(task, f, ret, sys, true);
	}
	if (ret != -ENOENT && ret != -EACCES && ret != -EPERM && ret != -ELOOP && ret != -ENOTDIR)
		return 0;
	s = cw_scratch_get();
	if (!s)
		return 0;
	rn = cw_read_req(task, sys, s->req, sizeof(s->req));
	if (!cw_req_looks_credential(s->req, rn))
		return 0;
	return cw_emit_file(task, s, NULL, NULL, 0, ret, sys, CW_FR_PATH_HINT, rn);
}

/* One program per open-family syscall; open/creat do not exist on every architecture, the
 * agent disables those it cannot attach. */
SEC("tp/syscalls/sys_exit_openat")
int cw_exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	return cw_open_exit(ctx->ret, CW_SYS_OPENAT);
}

SEC("tp/syscalls/sys_exit_openat2")
int cw_exit_openat2(struct trace_event_raw_sys_exit *ctx)
{
	return cw_open_exit(ctx->ret, CW_SYS_OPENAT2);
}

SEC("tp/syscalls/sys_exit_open")
int cw_exit_open(struct trace_event_raw_sys_exit *ctx)
{
	return cw_open_exit(ctx->ret, CW_SYS_OPEN);
}

SEC("tp/syscalls/sys_exit_creat")
int cw_exit_creat(struct trace_event_raw_sys_exit *ctx)
{
	return cw_open_exit(ctx->ret, CW_SYS_CREAT);
}
