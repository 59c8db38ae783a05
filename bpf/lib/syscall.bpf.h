/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only place in bpf/ that knows the CPU: which syscall a task is in, and its arguments,
 * from the user registers the kernel saved at syscall entry (bpf_task_pt_regs). Arguments go
 * through libbpf's PT_REGS_PARMn_CORE_SYSCALL (arm64 keeps the first in orig_x0, x86-64 the
 * fourth in r10); the syscall number and the numbers themselves come from the tables below.
 */
#ifndef CREDWATCH_SYSCALL_BPF_H
#define CREDWATCH_SYSCALL_BPF_H

#include "lib/event.bpf.h"

#if defined(__TARGET_ARCH_x86)
/* arch/x86/entry/syscalls/syscall_64.tbl */
#define CW_NR_OPEN		2
#define CW_NR_CONNECT		42
#define CW_NR_CREAT		85
#define CW_NR_OPENAT		257
#define CW_NR_OPEN_BY_HANDLE_AT 304
#define CW_NR_OPENAT2		437
#define cw_syscall_nr(regs)	BPF_CORE_READ(regs, orig_ax)
#elif defined(__TARGET_ARCH_arm64)
/* include/uapi/asm-generic/unistd.h: no open or creat on arm64 */
#define CW_NR_OPEN		(-1)
#define CW_NR_CREAT		(-1)
#define CW_NR_CONNECT		203
#define CW_NR_OPEN_BY_HANDLE_AT 265
#define CW_NR_OPENAT		56
#define CW_NR_OPENAT2		437
#define cw_syscall_nr(regs)	BPF_CORE_READ(regs, syscallno)
#else
#error "credwatch: no syscall table for this architecture (lib/syscall.bpf.h)"
#endif

#define cw_sys_arg1(regs) PT_REGS_PARM1_CORE_SYSCALL(regs)
#define cw_sys_arg2(regs) PT_REGS_PARM2_CORE_SYSCALL(regs)
#define cw_sys_arg3(regs) PT_REGS_PARM3_CORE_SYSCALL(regs)

static __always_inline struct pt_regs *cw_user_regs(struct task_struct *task)
{
	return (struct pt_regs *)bpf_task_pt_regs(task);
}

/* enum cw_syscall of an open-family syscall number; CW_SYS_IO_URING for any other (an open
 * that reached the VFS by another way: io_uring workers, open_by_handle_at, ...) */
static __always_inline __u8 cw_open_syscall(long nr)
{
	return nr == CW_NR_OPENAT    ? CW_SYS_OPENAT
	       : nr == CW_NR_OPEN    ? CW_SYS_OPEN
	       : nr == CW_NR_OPENAT2 ? CW_SYS_OPENAT2
	       : nr == CW_NR_CREAT   ? CW_SYS_CREAT
				     : CW_SYS_IO_URING;
}

/* The path argument of an open-family syscall: open(path, ..) and creat(path, ..) take it
 * first, openat(dfd, path, ..) and openat2 second. */
static __always_inline const char *cw_open_path_arg(struct pt_regs *regs, __u8 sys)
{
	if (sys == CW_SYS_OPEN || sys == CW_SYS_CREAT)
		return (const char *)cw_sys_arg1(regs);
	return (const char *)cw_sys_arg2(regs);
}

/* The flags argument: open(path, flags), openat(dfd, path, flags); creat has none and
 * openat2 passes a struct. */
static __always_inline __u32 cw_open_flags_arg(struct pt_regs *regs, __u8 sys)
{
	return sys == CW_SYS_OPEN     ? cw_sys_arg2(regs)
	       : sys == CW_SYS_OPENAT ? cw_sys_arg3(regs)
				      : 0;
}

#endif
