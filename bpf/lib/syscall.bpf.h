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

/* file side (issue 14): io_uring_enter (an io_uring open done inline by the submitter), and
 * compat (32-bit) syscalls: their numbers, how to tell a task is in one, their arguments */
#define CW_NR_IO_URING_ENTER 426 /* the same on x86-64 and arm64 */
#if defined(__TARGET_ARCH_x86)
/* arch/x86/entry/syscalls/syscall_32.tbl: int $0x80, sysenter, a 32-bit binary's syscall */
#define CW_NR32_OPEN		  5
#define CW_NR32_CREAT		  8
#define CW_NR32_OPENAT		  295
#define CW_NR32_OPEN_BY_HANDLE_AT 342
#define CW_NR32_OPENAT2		  437
#define CW_NR32_IO_URING_ENTER	  426
#define CW_NR32_CONNECT		  362
#define CW_NR32_SOCKETCALL	  102
/* arch/x86/include/asm/thread_info.h: "32bit syscall active" (set at every compat entry,
 * cleared on the way back to user mode, after the sys_exit tracepoint) */
#define CW_TS_COMPAT 0x0002
/* task: a BTF pointer (bpf_get_current_task_btf()): a direct load, no helper call (this runs
 * at every syscall's exit) */
#define cw_compat_syscall(task) (((task)->thread_info.status & CW_TS_COMPAT) != 0)
/* the i386 syscall ABI: ebx, ecx, edx */
#define cw_sys32_arg1(regs) ((__u32)BPF_CORE_READ(regs, bx))
#define cw_sys32_arg2(regs) ((__u32)BPF_CORE_READ(regs, cx))
#define cw_sys32_arg3(regs) ((__u32)BPF_CORE_READ(regs, dx))
#elif defined(__TARGET_ARCH_arm64)
/* AArch32 tasks (arch/arm/tools/syscall.tbl, EABI) */
#define CW_NR32_OPEN		  5
#define CW_NR32_CREAT		  8
#define CW_NR32_OPENAT		  322
#define CW_NR32_OPEN_BY_HANDLE_AT 371
#define CW_NR32_OPENAT2		  437
#define CW_NR32_IO_URING_ENTER	  426
#define CW_NR32_CONNECT		  283
#define CW_NR32_SOCKETCALL	  (-1) /* OABI only */
/* arch/arm64/include/asm/thread_info.h: TIF_32BIT, an AArch32 task (all its syscalls) */
#define CW_TIF_32BIT		  22
#define cw_compat_syscall(task)	  (((task)->thread_info.flags >> CW_TIF_32BIT) & 1)
/* AArch32: r0, r1, r2 (regs[0] holds the return value at exit: orig_x0 is the first) */
#define cw_sys32_arg1(regs)	  ((__u32)BPF_CORE_READ(regs, orig_x0))
#define cw_sys32_arg2(regs)	  ((__u32)BPF_CORE_READ(regs, regs[1]))
#define cw_sys32_arg3(regs)	  ((__u32)BPF_CORE_READ(regs, regs[2]))
#endif

/*
 * The 64-bit syscalls' entry functions (the syscall table's wrappers, each taking the saved
 * user registers: long __x64_sys_openat(const struct pt_regs *)), for fexit programs where
 * BPF trampolines work (issue 19: no syscall tracepoint there). CW_SYSFN(openat) is the
 * function's name as a string.
 *
 * cw_wrapper_compat(task): a compat (32-bit) syscall running a 64-bit wrapper. On x86 the
 * i386 table has wrappers of its own (__ia32_*): never. On arm64 the AArch32 table shares some
 * (openat2, connect): there the 64-bit programs leave compat tasks to the compat ones.
 */
#if defined(__TARGET_ARCH_x86)
#define CW_SYSFN(name)		"__x64_sys_" #name
#define cw_wrapper_compat(task) false
#elif defined(__TARGET_ARCH_arm64)
#define CW_SYSFN(name)		"__arm64_sys_" #name
#define cw_wrapper_compat(task) cw_compat_syscall(task)
#endif

#define cw_sys_arg1(regs) PT_REGS_PARM1_CORE_SYSCALL(regs)
#define cw_sys_arg2(regs) PT_REGS_PARM2_CORE_SYSCALL(regs)
#define cw_sys_arg3(regs) PT_REGS_PARM3_CORE_SYSCALL(regs)

static __always_inline struct pt_regs *cw_user_regs(struct task_struct *task)
{
	return (struct pt_regs *)bpf_task_pt_regs(task);
}

/*
 * enum cw_syscall of the syscall a task is in, for an open the VFS hook saw: the open family,
 * io_uring_enter (an io_uring open done inline by the submitter), or CW_SYS_OTHER (an open
 * from another entry point: exec, a fanotify read, ...). compat: the task is in a compat
 * (32-bit) syscall, whose numbers are the 32-bit table's.
 */
static __always_inline __u8 cw_open_syscall(long nr, bool compat)
{
	if (compat)
		return nr == CW_NR32_OPENAT		 ? CW_SYS_OPENAT
		       : nr == CW_NR32_OPEN		 ? CW_SYS_OPEN
		       : nr == CW_NR32_OPENAT2		 ? CW_SYS_OPENAT2
		       : nr == CW_NR32_CREAT		 ? CW_SYS_CREAT
		       : nr == CW_NR32_OPEN_BY_HANDLE_AT ? CW_SYS_OPEN_BY_HANDLE_AT
		       : nr == CW_NR32_IO_URING_ENTER	 ? CW_SYS_IO_URING
							 : CW_SYS_OTHER;
	return nr == CW_NR_OPENAT	       ? CW_SYS_OPENAT
	       : nr == CW_NR_OPEN	       ? CW_SYS_OPEN
	       : nr == CW_NR_OPENAT2	       ? CW_SYS_OPENAT2
	       : nr == CW_NR_CREAT	       ? CW_SYS_CREAT
	       : nr == CW_NR_OPEN_BY_HANDLE_AT ? CW_SYS_OPEN_BY_HANDLE_AT
	       : nr == CW_NR_IO_URING_ENTER    ? CW_SYS_IO_URING
					       : CW_SYS_OTHER;
}

/* The path argument of an open-family syscall: open(path, ..) and creat(path, ..) take it
 * first, openat(dfd, path, ..) and openat2 second; open_by_handle_at has none. */
static __always_inline const char *cw_open_path_arg(struct pt_regs *regs, __u8 sys, bool compat)
{
	if (sys == CW_SYS_OPEN_BY_HANDLE_AT || sys == CW_SYS_IO_URING || sys == CW_SYS_OTHER)
		return NULL;
	if (compat)
		return (const char *)(unsigned long)(sys == CW_SYS_OPEN || sys == CW_SYS_CREAT
							     ? cw_sys32_arg1(regs)
							     : cw_sys32_arg2(regs));
	if (sys == CW_SYS_OPEN || sys == CW_SYS_CREAT)
		return (const char *)cw_sys_arg1(regs);
	return (const char *)cw_sys_arg2(regs);
}

/* The flags argument: open(path, flags), openat(dfd, path, flags),
 * open_by_handle_at(mount_fd, handle, flags); creat has none and openat2 passes a struct. */
static __always_inline __u32 cw_open_flags_arg(struct pt_regs *regs, __u8 sys, bool compat)
{
	if (compat)
		return sys == CW_SYS_OPEN ? cw_sys32_arg2(regs)
		       : sys == CW_SYS_OPENAT || sys == CW_SYS_OPEN_BY_HANDLE_AT
			       ? cw_sys32_arg3(regs)
			       : 0;
	return sys == CW_SYS_OPEN					 ? cw_sys_arg2(regs)
	       : sys == CW_SYS_OPENAT || sys == CW_SYS_OPEN_BY_HANDLE_AT ? cw_sys_arg3(regs)
									 : 0;
}

#endif
