// SPDX-License-Identifier: GPL-2.0
/*
 * Unix-socket connects to credential-bearing sockets (container runtimes, the kubelet's APIs,
 * SPIRE, CSI drivers), decided from the connected peer's socket file (lib/unix.bpf.h).
 */
#include "lib/unix.bpf.h"

/* the kernel's sockaddr for a connect_unix program (6.7+; declared weak so the object still
 * loads on kernels without it, where this program is off) */
extern void *bpf_cast_to_kern_ctx(void *) __ksym __weak;

/*
 * cgroup/connect_unix (6.7+): runs for every unix connect before the kernel resolves the
 * address; it only parks, per thread, the connecting socket and the kernel's copy of the
 * address for the connect's exit to decide. Registered as cgroup/connect4 so libbpf 1.1
 * (which has no section name for it) accepts it; the agent re-types it to
 * BPF_CGROUP_UNIX_CONNECT before load, and loads it only where the kernel has that type.
 */
/* uaddrlen arrived in 6.7 with the hook itself: a local flavour of the struct, so the object
 * compiles against an older vmlinux.h (arm64's is 6.1); CO-RE resolves it at load, and the
 * program is loaded only where the field exists. */
struct bpf_sock_addr_kern___cw {
	struct sock *sk;
	struct sockaddr *uaddr;
	__u32 uaddrlen;
} __attribute__((preserve_access_index));

SEC("cgroup/connect4")
int cw_connect_unix(struct bpf_sock_addr *ctx)
{
	struct bpf_sock_addr_kern___cw *k;
	struct cw_unix_pending v = {};
	__u32 tid = bpf_get_current_pid_tgid(), len;

	if (cw_is_self())
		return 1;
	k = (struct bpf_sock_addr_kern___cw *)bpf_cast_to_kern_ctx(ctx);
	v.sk = (__u64)BPF_CORE_READ(k, sk);
	len = BPF_CORE_READ(k, uaddrlen);
	/* sun_family is 2 bytes; sun_path is what follows */
	if (len > 2) {
		len -= 2;
		if (len > SUN_PATH_MAX)
			len = SUN_PATH_MAX;
		if (CW_TRY(probe_read_kernel, CW_W_UNIX_ADDR,
			   bpf_probe_read_kernel(
				   v.addr, cw_mask(len, 127),
				   ((struct sockaddr_un *)BPF_CORE_READ(k, uaddr))->sun_path)))
			len = 0;
	} else {
		len = 0;
	}
	v.addr_len = len;
	CW_TRY(map_update_elem, CW_W_UNIX_INFLIGHT,
	       bpf_map_update_elem(&cw_unix_inflight, &tid, &v, BPF_ANY));
	return 1;
}

/* connect(2)'s exit: the peer is resolved (or the connect failed) */
static __always_inline int cw_connect_exit(long ret)
{
	struct task_struct *task;
	struct pt_regs *regs;

	/* first what costs least */
	if (!cw_connect_wanted(ret))
		return 0;
	task = bpf_get_current_task_btf();
	regs = cw_user_regs(task);
	return cw_unix_connected(ret, cw_fd_file(task, cw_sys_arg1(regs)), CW_SYS_CONNECT,
				 (const struct sockaddr_un *)cw_sys_arg2(regs), 0);
}

/* where BPF trampolines are refused (tracepoint-only kernels, --hooks file=tracepoint) */
SEC("tp/syscalls/sys_exit_connect")
int cw_exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	return cw_connect_exit(ctx->ret);
}

/*
 * Where BPF trampolines work, without a syscall tracepoint (issue 19): fexit on connect(2)'s
 * entry function (__x64_sys_connect; the reasons are files.bpf.c's, cw_fx_openat). It runs at
 * connect syscalls only (a TCP connect costs one trampoline and cw_connect_wanted's test).
 *
 * Not unix_stream_connect/unix_dgram_connect, although they run for unix sockets only and
 * are called through proto_ops (never inlined): they also run for io_uring's connects
 * (io_uring_complete decides those: they would be reported twice) and in-kernel ones, and the
 * 6.7+ path pairs connect_unix's parked entry with the connect syscall's exit on the same
 * thread; the syscall's exit keeps one logic for every kernel.
 */
SEC("fexit/" CW_SYSFN(connect))
int BPF_PROG(cw_fx_connect, const struct pt_regs *regs, long ret)
{
	if (cw_wrapper_compat(bpf_get_current_task_btf()))
		return 0; /* an AArch32 connect: cw_a32_connect's */
	return cw_connect_exit(ret);
}
