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
 *
 * Where BPF trampolines work (the agent's file hook is then lsm/file_open or fentry), no
 * syscall tracepoint is attached at all (issue 19): any syscall tracepoint puts every task on
 * the syscall slow path, so every syscall on the node would pay for it, not only opens. There
 * the same exits are taken by fexit programs on the syscalls' entry functions (below).
 *
 * Compat (32-bit) syscalls never fire the per-syscall tracepoints (the kernel's syscall trace
 * events ignore them on x86 and arm64: ARCH_TRACE_IGNORE_COMPAT_SYSCALLS): fexit programs on
 * the compat entry points take them where BPF trampolines work, else cw_sys_exit_compat at
 * the raw sys_exit tracepoint, after one test of the task's compat state.
 */
#include "lib/unix.bpf.h"

static __always_inline int cw_open_exit(long ret, __u8 sys, __u32 hflags)
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
		return cw_file_opened(task, f, ret, sys, true, hflags);
	}
	if (ret != -ENOENT && ret != -EACCES && ret != -EPERM && ret != -ELOOP && ret != -ENOTDIR)
		return 0;
	/* a failed open_by_handle_at names no path: nothing to decide from */
	if (sys == CW_SYS_OPEN_BY_HANDLE_AT)
		return 0;
	s = cw_scratch_get();
	if (!s)
		return 0;
	rn = cw_read_req(task, sys, hflags & CW_F_COMPAT, s->req, sizeof(s->req));
	if (!cw_req_looks_credential(s->req, rn))
		return 0;
	return cw_emit_file(task, s, NULL, NULL, 0, ret, sys, CW_FR_PATH_HINT, rn, hflags, 0, 0);
}

/* One program per open-family syscall; open/creat do not exist on every architecture, the
 * agent disables those it cannot attach. */
SEC("tp/syscalls/sys_exit_openat")
int cw_exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	return cw_open_exit(ctx->ret, CW_SYS_OPENAT, 0);
}

SEC("tp/syscalls/sys_exit_openat2")
int cw_exit_openat2(struct trace_event_raw_sys_exit *ctx)
{
	return cw_open_exit(ctx->ret, CW_SYS_OPENAT2, 0);
}

SEC("tp/syscalls/sys_exit_open")
int cw_exit_open(struct trace_event_raw_sys_exit *ctx)
{
	return cw_open_exit(ctx->ret, CW_SYS_OPEN, 0);
}

SEC("tp/syscalls/sys_exit_creat")
int cw_exit_creat(struct trace_event_raw_sys_exit *ctx)
{
	return cw_open_exit(ctx->ret, CW_SYS_CREAT, 0);
}

/* open_by_handle_at(2) (with name_to_handle_at): opens a file by its handle, no path at all */
SEC("tp/syscalls/sys_exit_open_by_handle_at")
int cw_exit_open_by_handle_at(struct trace_event_raw_sys_exit *ctx)
{
	return cw_open_exit(ctx->ret, CW_SYS_OPEN_BY_HANDLE_AT, 0);
}

/*
 * The same exits where BPF trampolines work, without a syscall tracepoint (issue 19): fexit on
 * the 64-bit syscall table's entry functions (lib/syscall.bpf.h: __x64_sys_openat, ...). They
 * are called once per syscall, through the table (never inlined), with the saved user
 * registers, and return the syscall's result: the program sees exactly what the tracepoint
 * does (the fd installed, or the error; the arguments in the registers), and runs only at
 * these syscalls instead of putting every task on the slow path.
 *
 * Not a VFS function: do_sys_openat2 is static (it may be inlined, and BTF would not say)
 * and open_by_handle_at does not pass through it; do_filp_open also runs for io_uring's and
 * the kernel's own opens (the VFS hook and io_uring_complete see those already) and knows
 * neither the syscall nor its fd. The agent attaches all of these or none (then the
 * tracepoints above), each checked in the kernel's BTF first.
 */
#define CW_SYS_OPEN_FEXIT(prog, name, sys)                           \
	SEC("fexit/" CW_SYSFN(name))                                 \
	int BPF_PROG(prog, const struct pt_regs *regs, long ret)     \
	{                                                            \
		if (cw_wrapper_compat(bpf_get_current_task_btf()))   \
			return 0; /* the compat programs' (arm64) */ \
		return cw_open_exit(ret, sys, 0);                    \
	}
CW_SYS_OPEN_FEXIT(cw_fx_openat, openat, CW_SYS_OPENAT)
CW_SYS_OPEN_FEXIT(cw_fx_openat2, openat2, CW_SYS_OPENAT2)
CW_SYS_OPEN_FEXIT(cw_fx_open_by_handle_at, open_by_handle_at, CW_SYS_OPEN_BY_HANDLE_AT)
#if defined(__TARGET_ARCH_x86)
/* the generic syscall table (arm64) has no open or creat */
CW_SYS_OPEN_FEXIT(cw_fx_open, open, CW_SYS_OPEN)
CW_SYS_OPEN_FEXIT(cw_fx_creat, creat, CW_SYS_CREAT)
#endif

/* A compat syscall's exit: its opens are classified like any other (the file is in the fd
 * table); its unix connects are decided like connect(2)'s. */
static __noinline int cw_compat_exit(struct task_struct *task, struct pt_regs *regs, long ret)
{
	long nr = cw_syscall_nr(regs);
	__u8 sys;

	if (nr == CW_NR32_CONNECT || nr == CW_NR32_SOCKETCALL)
		return cw_compat_connect_exit(task, regs, nr, ret);
	sys = cw_open_syscall(nr, true);
	if (sys == CW_SYS_IO_URING || sys == CW_SYS_OTHER)
		return 0;
	cw_count(CW_STAT_COMPAT_OPEN);
	return cw_open_exit(ret, sys, CW_F_COMPAT);
}

/*
 * Every syscall's exit (raw tracepoint): only compat syscalls go past the first test. Costs
 * one program run per syscall of every task (the per-syscall tracepoints above already put
 * every task on the syscall slow path): the fallback where the fexit programs below cannot
 * attach (no BPF trampolines: tracepoint-only kernels; a compat entry point missing).
 */
SEC("tp_btf/sys_exit")
int BPF_PROG(cw_sys_exit_compat, struct pt_regs *regs, long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (!cw_compat_syscall(task))
		return 0;
	return cw_compat_exit(task, regs, ret);
}

#if defined(__TARGET_ARCH_x86)
/*
 * x86: the i386 syscall table's own entry points (arch/x86/entry/syscalls/syscall_32.tbl),
 * reached by compat syscalls only: nothing runs at a 64-bit syscall. The agent attaches all of
 * them or, if any is missing, cw_sys_exit_compat instead.
 */
#define CW_IA32_EXIT(prog, fn)                                                                  \
	SEC("fexit/" #fn)                                                                       \
	int BPF_PROG(prog, const struct pt_regs *regs, long ret)                                \
	{                                                                                       \
		return cw_compat_exit(bpf_get_current_task_btf(), (struct pt_regs *)regs, ret); \
	}
CW_IA32_EXIT(cw_ia32_open, __ia32_compat_sys_open)
CW_IA32_EXIT(cw_ia32_openat, __ia32_compat_sys_openat)
CW_IA32_EXIT(cw_ia32_openat2, __ia32_sys_openat2)
CW_IA32_EXIT(cw_ia32_creat, __ia32_sys_creat)
CW_IA32_EXIT(cw_ia32_open_by_handle_at, __ia32_compat_sys_open_by_handle_at)
CW_IA32_EXIT(cw_ia32_connect, __ia32_sys_connect)
CW_IA32_EXIT(cw_ia32_socketcall, __ia32_compat_sys_socketcall)
#elif defined(__TARGET_ARCH_arm64)
/*
 * arm64: the AArch32 table's entry points for the open family and connect
 * (arch/arm64/include/asm/unistd32.h). Its open, openat and open_by_handle_at have compat
 * wrappers of their own; creat is sys_creat, which the 64-bit table does not have; openat2
 * and connect are the 64-bit wrappers themselves, so each program first tests that the task
 * is an AArch32 one (the 64-bit programs leave those to these). All or none, as on x86.
 */
#define CW_A32_EXIT(prog, fn)                                             \
	SEC("fexit/" #fn)                                                 \
	int BPF_PROG(prog, const struct pt_regs *regs, long ret)          \
	{                                                                 \
		struct task_struct *task = bpf_get_current_task_btf();    \
                                                                          \
		if (!cw_compat_syscall(task))                             \
			return 0;                                         \
		return cw_compat_exit(task, (struct pt_regs *)regs, ret); \
	}
CW_A32_EXIT(cw_a32_open, __arm64_compat_sys_open)
CW_A32_EXIT(cw_a32_openat, __arm64_compat_sys_openat)
CW_A32_EXIT(cw_a32_openat2, __arm64_sys_openat2)
CW_A32_EXIT(cw_a32_creat, __arm64_sys_creat)
CW_A32_EXIT(cw_a32_open_by_handle_at, __arm64_compat_sys_open_by_handle_at)
CW_A32_EXIT(cw_a32_connect, __arm64_sys_connect)
#endif
