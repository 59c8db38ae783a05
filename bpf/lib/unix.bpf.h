/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Unix connects, decided from the socket file the kernel connected to (sockets.bpf.c for
 * connect(2), uring.bpf.c for io_uring). After the connect the kernel has resolved the
 * address: a connected socket's peer carries the path (dentry + mount) of the socket file it
 * was bound to, whatever spelling the process used (symlink, relative path,
 * /proc/<pid>/root/..., a bind mount). The peer's (dev, ino) is looked up in cw_sockets. A
 * failed connect has no peer; its requested path is sent only if it names a .sock file, for
 * the agent to match against its list.
 *
 * Two ways in, chosen at load (cw_unix_hook):
 *  - 6.7+: cgroup/connect_unix runs for every unix connect, syscall or io_uring, and parks the
 *    connecting socket and the kernel's copy of the address by thread; the exit takes it. A
 *    connect with nothing parked is not a unix one and costs one hash lookup.
 *  - older kernels: the exit finds the socket in the fd table and re-reads the requested
 *    address from user memory (a failed connect's only clue).
 * Either way the verdict comes from the peer the kernel connected to.
 */
#ifndef CREDWATCH_UNIX_BPF_H
#define CREDWATCH_UNIX_BPF_H

#include "lib/files.bpf.h"

#define S_IFMT	     00170000
#define S_IFSOCK     0140000
#define AF_UNIX	     1
#define SUN_PATH_MAX 108

/* The connect results this hook reports (a TCP connect in progress, ENETUNREACH, ... are not
 * unix connects to report) */
static __always_inline bool cw_connect_reported(long ret)
{
	return ret == 0 || ret == -ENOENT || ret == -EACCES || ret == -ECONNREFUSED ||
	       ret == -EPERM;
}

/* Is this (connected or failed) unix connect one to report? f is the socket's
 * file; ret the connect's result. The requested address comes from what
 * connect_unix parked (6.7+) or, for a syscall, from user memory (uaddr, the syscall's
 * address argument; NULL for io_uring). hflags: CW_F_COMPAT for a compat syscall. */
static __always_inline int cw_unix_connected(long ret, struct file *f, __u8 sys,
					     const struct sockaddr_un *uaddr, __u32 hflags)
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
	__u32 tid;
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
			rn = CW_TRY(
				probe_read_kernel_str, CW_W_UNIX_ADDR,
				bpf_probe_read_kernel_str(s->req, SUN_PATH_MAX + 1, pend->addr));
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
		if (!uaddr)
			rn = 0; /* io_uring without connect_unix: no address to read */
		else
			rn = bpf_probe_read_user_str(s->req, SUN_PATH_MAX + 1, uaddr->sun_path);
	}
	if (rn > 0)
		rn--;
	if (rn < 0)
		rn = 0;
	if (!val && (rn == 0 || !cw_tail_is(s->req, rn, ".sock", 5)))
		return 0;

	ev = cw_reserve(struct cw_ev_sock, CW_CUR_CG, CW_CUR_TGID);
	if (!ev)
		return 0;
	cw_hdr_fill(&ev->hdr, CW_EV_SOCKET_CONNECT, sizeof(*ev));
	ev->hdr.flags = hflags;
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
		ev->path_len =
			cw_path_copy(&ppath, s, ev->path, CW_PATH_MAX, &trunc, CW_STAT_PATH_TRUNC);
		if (trunc)
			ev->hdr.flags |= CW_F_PATH_TRUNC;
	}
	cw_count(CW_STAT_EV_SOCKET);
	cw_submit(ev);
	return 0;
}

/*
 * Is a connect's exit worth looking at: on 6.7+ a connect with nothing parked by connect_unix
 * is not a unix one (one hash lookup; the parked entry is taken by cw_unix_connected), before
 * that only the results this hook reports.
 */
static __always_inline bool cw_connect_wanted(long ret)
{
	__u32 tid;

	if (cw_unix_hook) {
		tid = bpf_get_current_pid_tgid();
		return bpf_map_lookup_elem(&cw_unix_inflight, &tid) != NULL;
	}
	return cw_connect_reported(ret);
}

/* i386 socketcall(2)'s call number for connect (include/uapi/linux/net.h) */
#define CW_SYS_SOCKETCALL_CONNECT 3

/* A compat connect (connect, or socketcall(SYS_CONNECT, args) whose three arguments are in
 * user memory) at the raw syscall exit. */
static __always_inline int cw_compat_connect_exit(struct task_struct *task, struct pt_regs *regs,
						  long nr, long ret)
{
	__u32 fd, addr, args[2];

	if (nr == CW_NR32_SOCKETCALL) {
		if (cw_sys32_arg1(regs) != CW_SYS_SOCKETCALL_CONNECT)
			return 0;
		if (bpf_probe_read_user(args, sizeof(args),
					(const void *)(unsigned long)cw_sys32_arg2(regs)))
			return 0;
		fd = args[0];
		addr = args[1];
	} else {
		fd = cw_sys32_arg1(regs);
		addr = cw_sys32_arg2(regs);
	}
	if (!cw_connect_wanted(ret))
		return 0;
	return cw_unix_connected(ret, cw_fd_file(task, fd), CW_SYS_CONNECT,
				 (const struct sockaddr_un *)(unsigned long)addr, CW_F_COMPAT);
}

#endif
