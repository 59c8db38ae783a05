// SPDX-License-Identifier: GPL-2.0
/*
 * VFS-level file opens, where the kernel allows BPF there: the LSM hook file_open (with "bpf"
 * in the active LSM list) or fentry on security_file_open. Every open that reaches the VFS
 * passes here, including io_uring's IORING_OP_OPENAT and opens by any other path into the
 * kernel, with the struct file already set up. The agent loads at most one of the two
 * (autoload), and then tells the syscall-exit programs to report only failed opens
 * (cw_vfs_files). The syscall, for file.syscall and the requested path, comes from the task's
 * saved user registers (lib/syscall.bpf.h).
 */
#include "lib/files.bpf.h"

/* include/linux/sched.h: "Task is an IO worker" (io-wq, 5.12+) */
#define PF_IO_WORKER 0x00000010

static __always_inline int cw_vfs_open(struct file *file)
{
	struct task_struct *task;
	bool compat = false;
	__u8 sys;

	if (cw_is_self())
		return 0;
	task = bpf_get_current_task_btf();
	/* io_uring workers (io-wq, SQPOLL) have no syscall of their own; everything else names
	 * the syscall it is in: the open family, open_by_handle_at, io_uring_enter (an io_uring
	 * open done inline), a compat syscall (by the 32-bit table), or "other" */
	if (BPF_CORE_READ(task, flags) & PF_IO_WORKER) {
		sys = CW_SYS_IO_URING;
	} else {
		compat = cw_compat_syscall(task);
		sys = cw_open_syscall(cw_syscall_nr(cw_user_regs(task)), compat);
	}
	return cw_file_opened(task, file, 0, sys,
			      sys != CW_SYS_IO_URING && sys != CW_SYS_OTHER &&
				      sys != CW_SYS_OPEN_BY_HANDLE_AT,
			      compat ? CW_F_COMPAT : 0);
}

/* BPF LSM: the strongest hook; never denies (returns 0). */
SEC("lsm/file_open")
int BPF_PROG(cw_lsm_file_open, struct file *file)
{
	cw_vfs_open(file);
	return 0;
}

/* Where BPF LSM is not enabled but fentry works. */
SEC("fentry/security_file_open")
int BPF_PROG(cw_fentry_file_open, struct file *file)
{
	cw_vfs_open(file);
	return 0;
}
