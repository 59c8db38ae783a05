// SPDX-License-Identifier: GPL-2.0
/*
 * VFS-level file opens, where the kernel allows BPF there: the LSM hook
 * file_open (with "bpf" in the active LSM list) or fentry on
 * security_file_open. Every open that reaches the VFS passes here, including
 * io_uring's IORING_OP_OPENAT and opens by any other path into the kernel,
 * with the struct file already set up. The agent loads at most one of the two
 * (autoload), and then tells the syscall-exit programs to report only failed
 * opens (cw_vfs_files).
 *
 * The syscall, for file.syscall and the requested path, comes from the
 * task's saved user registers: x86-64 syscall numbers.
 */
#include "files.bpf.h"

#define NR_open	   2
#define NR_creat   85
#define NR_openat  257
#define NR_openat2 437

static __always_inline int cw_vfs_open(struct file *file)
{
	struct task_struct *task;
	struct pt_regs *regs;
	__u8 sys;
	long nr;

	if (cw_is_self())
		return 0;
	task = bpf_get_current_task_btf();
	/* io_uring workers and kernel threads have no syscall of their own */
	if (BPF_CORE_READ(task, flags) & 0x00000010 /* PF_IO_WORKER */) {
		sys = CW_SYS_IO_URING;
	} else {
		regs = (struct pt_regs *)bpf_task_pt_regs(task);
		nr = BPF_CORE_READ(regs, orig_ax);
		sys = nr == NR_openat	 ? CW_SYS_OPENAT
		      : nr == NR_open	 ? CW_SYS_OPEN
		      : nr == NR_openat2 ? CW_SYS_OPENAT2
		      : nr == NR_creat	 ? CW_SYS_CREAT
					 : CW_SYS_IO_URING;
	}
	return cw_file_opened(task, file, 0, sys, sys != CW_SYS_IO_URING);
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
