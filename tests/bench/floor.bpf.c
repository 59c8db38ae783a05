// SPDX-License-Identifier: GPL-2.0
/*
 * The FLOOR of `make bench`: empty programs on exactly the hooks credwatch attaches, so the
 * difference between "no agent" and "floor" is what merely having a BPF program on those
 * hooks costs (for the syscall tracepoints: the syscall slow path every task takes while any
 * sys_enter/sys_exit tracepoint is enabled), and the difference between "floor" and
 * "credwatch" is what credwatch's own code costs.
 *
 * KEEP IN SYNC with user/loader.c (loader_load_attach): one program here per hook there,
 * same section names. tests/bench/run.sh compares this list (floor prints it) with the
 * "hooks" array of credwatch's agent_ready line and flags any difference in its output.
 *
 * Programs for hooks credwatch attaches only on some kernels or builds (cgroup_skb for HTTP
 * parsing, io_uring completion, lsm/fentry VFS hooks) are attached only when credwatch's
 * agent_ready names them (floor --hooks), or for cgroup_skb with --skb.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sched_process_exec")
int BPF_PROG(fl_exec)
{
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(fl_fork)
{
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(fl_exit)
{
	return 0;
}

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(fl_cgroup_mkdir)
{
	return 0;
}

SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(fl_cgroup_rmdir)
{
	return 0;
}

/* file side (issue 14): cgroup moves, compat syscalls (every syscall's exit),
 * open_by_handle_at */
SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(fl_cgroup_attach)
{
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(fl_sys_exit)
{
	return 0;
}

/* compat exits where trampolines work (the 6.1 VM): fexit on the i386 syscall table's entry
 * points, as user/loader/loader.c ia32_hooks (x86 only; loaded only when named) */
SEC("fexit/__ia32_compat_sys_open")
int BPF_PROG(fl_ia32_open)
{
	return 0;
}

SEC("fexit/__ia32_compat_sys_openat")
int BPF_PROG(fl_ia32_openat)
{
	return 0;
}

SEC("fexit/__ia32_sys_openat2")
int BPF_PROG(fl_ia32_openat2)
{
	return 0;
}

SEC("fexit/__ia32_sys_creat")
int BPF_PROG(fl_ia32_creat)
{
	return 0;
}

SEC("fexit/__ia32_compat_sys_open_by_handle_at")
int BPF_PROG(fl_ia32_open_by_handle_at)
{
	return 0;
}

SEC("fexit/__ia32_sys_connect")
int BPF_PROG(fl_ia32_connect)
{
	return 0;
}

SEC("fexit/__ia32_compat_sys_socketcall")
int BPF_PROG(fl_ia32_socketcall)
{
	return 0;
}

SEC("tp/syscalls/sys_exit_open_by_handle_at")
int fl_exit_open_by_handle_at(void *ctx)
{
	return 0;
}

SEC("tp/syscalls/sys_exit_openat")
int fl_exit_openat(void *ctx)
{
	return 0;
}

SEC("tp/syscalls/sys_exit_openat2")
int fl_exit_openat2(void *ctx)
{
	return 0;
}

SEC("tp/syscalls/sys_exit_open")
int fl_exit_open(void *ctx)
{
	return 0;
}

SEC("tp/syscalls/sys_exit_creat")
int fl_exit_creat(void *ctx)
{
	return 0;
}

SEC("tp/io_uring/io_uring_complete")
int fl_uring_complete(void *ctx)
{
	return 0;
}

/* VFS hooks credwatch uses where the kernel allows them (not on this machine's 6.18) */
SEC("lsm/file_open")
int BPF_PROG(fl_lsm_file_open)
{
	return 0;
}

SEC("fentry/security_file_open")
int BPF_PROG(fl_fentry_file_open)
{
	return 0;
}

SEC("tp/syscalls/sys_exit_connect")
int fl_exit_connect(void *ctx)
{
	return 0;
}

SEC("cgroup/connect4")
int fl_connect4(struct bpf_sock_addr *ctx)
{
	return 1;
}

SEC("cgroup/connect6")
int fl_connect6(struct bpf_sock_addr *ctx)
{
	return 1;
}

/* re-typed to BPF_CGROUP_UNIX_CONNECT by floor.c, as credwatch does */
SEC("cgroup/connect4")
int fl_connect_unix(struct bpf_sock_addr *ctx)
{
	return 1;
}

/* credwatch's HTTP parsing; without --hooks only with floor --skb */
SEC("cgroup_skb/egress")
int fl_skb_egress(struct __sk_buff *skb)
{
	return 1;
}

SEC("cgroup_skb/ingress")
int fl_skb_ingress(struct __sk_buff *skb)
{
	return 1;
}
