// SPDX-License-Identifier: GPL-2.0
/*
 * Files and unix sockets: opens of credential files, decided from the opened
 * struct file (its dentry names and their parents, its inode), and connects
 * to watched unix sockets, decided from the socket file the kernel connected
 * to. Never from the path string the process passed: that string is carried
 * along as advisory only, and decides only when there is no kernel object (a
 * failed open or connect).
 *
 * Why syscall exit tracepoints: they exist on every kernel credwatch supports
 * (fentry/LSM do not on this machine's 6.18; see vfs.bpf.c for the VFS
 * hooks where they exist), and at exit the file is installed in the fd table,
 * so the kernel object is there to look at.
 *
 * Cost for a non-credential open (the common case): a few direct loads to find
 * the struct file, then the leaf name's length and first/last 8 bytes and the
 * inode's link count; only a name that could be a credential's pays for the
 * parent checks, and only a match pays for the path walk and the ring buffer.
 */
#include "files.bpf.h"

/*
 * cw_vfs_files: set at load when the VFS-level programs (vfs.bpf.c) report
 * successful opens; the syscall-exit programs then only report failed opens,
 * which never reach the VFS hooks.
 */
const volatile bool cw_vfs_files = false;

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

/* One program per open-family syscall; open/creat do not exist on every
 * architecture, the agent disables those it cannot attach. */
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

#define IORING_OP_OPENAT  18
#define IORING_OP_OPENAT2 28
#define IORING_OP_CONNECT 16

static __always_inline int cw_unix_connected(long ret, struct file *f, __u8 sys);

/*
 * io_uring opens (IORING_OP_OPENAT/OPENAT2) make no open syscall, so the
 * programs above never see them: a documented way past syscall-based
 * monitors. The completion tracepoint carries the request and its result,
 * the new fd, installed in the ring owner's file table, which the io-wq
 * worker shares: the opened file is classified like any other. An open into
 * a fixed-file slot (no fd) cannot be inspected here: it is counted.
 * Not needed where the VFS programs run (they see io_uring opens).
 */
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

/*
 * Unix connects. At exit the kernel has resolved the address: a connected
 * socket's peer carries the path (dentry + mount) of the socket file it was
 * bound to, whatever spelling the process used (symlink, relative path,
 * /proc/<pid>/root/..., a bind mount). The peer's (dev, ino) is looked up in
 * cw_sockets. A failed connect has no peer; its requested path is sent only
 * if it names a .sock file, for the agent to match against its list.
 *
 * Two ways in, chosen at load (cw_unix_hook):
 *  - 6.7+: cgroup/connect_unix runs for every unix connect, syscall or
 *    io_uring, and parks the connecting socket and the kernel's copy of the
 *    address by thread; the exit takes it. A connect with nothing parked is
 *    not a unix one and costs one hash lookup.
 *  - older kernels: the exit finds the socket in the fd table and re-reads
 *    the requested address from user memory (a failed connect's only clue).
 * Either way the verdict comes from the peer the kernel connected to.
 */
const volatile bool cw_unix_hook = false;

#define SUN_PATH_MAX 108

/* The connect results this hook reports (a TCP connect in progress,
 * ENETUNREACH, ... are not unix connects to report) */
static __always_inline bool cw_connect_reported(long ret)
{
	return ret == 0 || ret == -ENOENT || ret == -EACCES || ret == -ECONNREFUSED ||
	       ret == -EPERM;
}

/* the kernel's sockaddr for a connect_unix program (6.7+; declared weak so
 * the object still loads on kernels without it, where this program is off) */
extern void *bpf_cast_to_kern_ctx(void *) __ksym __weak;

/*
 * Registered as cgroup/connect4 so libbpf 1.1 (which has no section name for
 * it) accepts it; the agent re-types it to BPF_CGROUP_UNIX_CONNECT before
 * load, and loads it only where the kernel has that attach type.
 */
SEC("cgroup/connect4")
int cw_connect_unix(struct bpf_sock_addr *ctx)
{
	struct bpf_sock_addr_kern *k;
	struct cw_unix_pending v = {};
	__u32 tid = bpf_get_current_pid_tgid(), len;

	if (cw_is_self())
		return 1;
	k = bpf_cast_to_kern_ctx(ctx);
	v.sk = (__u64)BPF_CORE_READ(k, sk);
	len = BPF_CORE_READ(k, uaddrlen);
	/* sun_family is 2 bytes; sun_path is what follows */
	if (len > 2) {
		len -= 2;
		if (len > SUN_PATH_MAX)
			len = SUN_PATH_MAX;
		if (bpf_probe_read_kernel(
			    v.addr, cw_mask(len, 127),
			    ((struct sockaddr_un *)BPF_CORE_READ(k, uaddr))->sun_path))
			len = 0;
	} else {
		len = 0;
	}
	v.addr_len = len;
	bpf_map_update_elem(&cw_unix_inflight, &tid, &v, BPF_ANY);
	return 1;
}

/* Is this (connected or failed) unix connect one to report? f is the socket's
 * file; ret the connect's result. The requested address comes from what
 * connect_unix parked (6.7+) or, for a syscall, from user memory. */
static __always_inline int cw_unix_connected(long ret, struct file *f, __u8 sys)
{
	struct cw_sock_key key = {};
	struct cw_sock_val *val = NULL;
	struct cw_unix_pending *pend;
	struct dentry *pd = NULL;
	struct cw_scratch *s;
	struct cw_ev_sock *ev;
	struct socket *sock;
	struct sock *sk, *peer;
	struct path ppath;
	__u64 psk = 0;
	__u32 start = 0, len, tid;
	bool trunc = false, parked = false;
	long rn = 0;

	s = cw_scratch_get();
	if (!s)
		return 0;
	if (cw_unix_hook) {
		tid = bpf_get_current_pid_tgid();
		pend = bpf_map_lookup_elem(&cw_unix_inflight, &tid);
		if (!pend && sys == CW_SYS_CONNECT)
			return 0; /* no unix connect in flight on this thread */
		if (pend) {
			psk = pend->sk;
			rn = bpf_probe_read_kernel_str(s->req, SUN_PATH_MAX + 1, pend->addr);
			parked = true;
			/* a syscall's exit takes what its connect parked, whatever
			 * the result; io_uring only its own (below) */
			if (sys == CW_SYS_CONNECT)
				bpf_map_delete_elem(&cw_unix_inflight, &tid);
		}
	}
	if (!cw_connect_reported(ret) || !f || cw_is_self())
		return 0;
	if ((BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return 0;
	sock = BPF_CORE_READ(f, private_data);
	sk = BPF_CORE_READ(sock, sk);
	if (BPF_CORE_READ(sk, __sk_common.skc_family) != AF_UNIX)
		return 0;
	if (parked && psk != (__u64)sk) {
		/* a syscall: a stale entry (a compat connect's), not a unix connect */
		if (sys == CW_SYS_CONNECT)
			return 0;
		/* io_uring: another request's (several connects in one submission
		 * complete after all were issued; an io-wq worker parks under its
		 * own id): decided from the peer alone, without the address */
		parked = false;
		rn = 0;
	} else if (parked) {
		bpf_map_delete_elem(&cw_unix_inflight, &tid);
	}

	if (ret == 0) {
		peer = BPF_CORE_READ((struct unix_sock *)sk, peer);
		if (!peer)
			return 0;
		ppath = BPF_CORE_READ((struct unix_sock *)peer, path);
		pd = ppath.dentry;
		if (!pd)
			return 0; /* abstract or unnamed peer */
		key.ino = BPF_CORE_READ(pd, d_inode, i_ino);
		key.dev = BPF_CORE_READ(pd, d_sb, s_dev);
		val = bpf_map_lookup_elem(&cw_sockets, &key);
		if (!val)
			return 0;
	}
	/* else a failed connect: decided below from the requested path */

	if (!parked) {
		struct sockaddr_un *uaddr;
		struct pt_regs *regs;

		if (sys != CW_SYS_CONNECT) {
			rn = 0; /* io_uring without connect_unix: no address to read */
		} else {
			regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
			uaddr = (struct sockaddr_un *)BPF_CORE_READ(regs, si);
			rn = bpf_probe_read_user_str(s->req, SUN_PATH_MAX + 1, uaddr->sun_path);
		}
	}
	if (rn > 0)
		rn--;
	if (rn < 0)
		rn = 0;
	if (!val && (rn == 0 || !cw_tail_is(s->req, rn, ".sock", 5)))
		return 0;

	ev = cw_reserve(struct cw_ev_sock);
	if (!ev)
		return 0;
	cw_hdr_fill(&ev->hdr, CW_EV_SOCKET_CONNECT, sizeof(*ev));
	cw_task_fill(&ev->task);
	ev->result = ret;
	ev->sock_type = BPF_CORE_READ(sock, type);
	ev->resolved = val != NULL;
	ev->kind = val ? val->kind : 0;
	ev->ino = key.ino;
	ev->dev = key.dev;
	ev->syscall = sys;
	ev->_pad[0] = ev->_pad[1] = ev->_pad[2] = 0;
	ev->abstract = rn == 0; /* abstract names start with a NUL byte */
	ev->req_len = rn;
	if (rn)
		bpf_probe_read_kernel(ev->req, cw_mask(rn, 127) + 1, s->req);
	ev->path_len = 0;
	if (pd) {
		len = cw_path_walk(&ppath, s->walk, &start, &trunc);
		if (trunc) {
			ev->hdr.flags |= CW_F_PATH_TRUNC;
			cw_count(CW_STAT_PATH_TRUNC);
		}
		if (len && bpf_probe_read_kernel(ev->path, cw_mask(len, CW_PATH_MAX - 1),
						 &s->walk[cw_mask(start, CW_PATH_MAX - 1)]) == 0)
			ev->path_len = len;
	}
	cw_count(CW_STAT_EV_SOCKET);
	cw_submit(ev);
	return 0;
}

SEC("tp/syscalls/sys_exit_connect")
int cw_exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	long ret = ctx->ret;
	struct task_struct *task;
	struct pt_regs *regs;
	__u32 tid;

	/* first what costs least: on 6.7+ a connect with nothing parked by
	 * connect_unix is not a unix one (the parked entry is taken below) */
	if (cw_unix_hook) {
		tid = bpf_get_current_pid_tgid();
		if (!bpf_map_lookup_elem(&cw_unix_inflight, &tid))
			return 0;
	} else if (!cw_connect_reported(ret)) {
		return 0;
	}
	task = bpf_get_current_task_btf();
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	return cw_unix_connected(ret, cw_fd_file(task, BPF_CORE_READ(regs, di)), CW_SYS_CONNECT);
}
