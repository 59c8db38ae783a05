// SPDX-License-Identifier: GPL-2.0
/*
 * Connections opened before the agent started: a connection to a credential endpoint held
 * open across a DaemonSet rollout carries requests the connect hooks never saw. The agent runs
 * two iterators once, after every hook is attached:
 *
 *  1. iter/tcp, in each network namespace in turn (a TCP iterator sees the namespace it was
 *     created in): a socket in SYN_SENT or ESTABLISHED whose peer is an endpoint is marked for
 *     segment capture like a new connection, and remembered by its socket inode. Only this
 *     iterator hands out a socket the cookie helper accepts.
 *  2. iter/task_file, once: it visits every open file of every task on the node; a socket
 *     remembered in 1 is reported, once, flagged CW_F_FOUND_AT_START, as its holder's (the
 *     first task found holding it).
 *
 * Connections reaching an endpoint through NAT keep their pre-NAT peer in the socket: those
 * are not found here (their next SYN would be).
 */
#include "lib/event.bpf.h"
#include <bpf/bpf_endian.h>

#define AF_INET	    2
#define AF_INET6    10
#define IPPROTO_TCP 6
#define S_IFMT	    00170000
#define S_IFSOCK    0140000

/* A connection found by iter/tcp, waiting for iter/task_file to name its holder. */
struct cw_found {
	__u64 cookie;
	struct cw_ep_key key;
	__u32 kind;
	__u16 family;
	__u16 _pad;
};

/* cw_found: socket inode -> the connection, from iter/tcp to iter/task_file (one agent start;
 * entries are taken when reported, what is left is never looked at again). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct cw_found);
} cw_found SEC(".maps");

/* who-did-it for a task that is not the current one (the agent runs the iterator) */
static __always_inline void cw_task_fill_from(struct cw_task *t, struct task_struct *task)
{
	struct task_struct *p;
	struct cw_proc *pr;
	__u32 self;

	t->pid = BPF_CORE_READ(task, tgid);
	t->tid = BPF_CORE_READ(task, pid);
	t->uid = BPF_CORE_READ(task, cred, uid.val);
	t->gid = BPF_CORE_READ(task, cred, gid.val);
	t->cgroup_id = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
	bpf_probe_read_kernel(t->comm, sizeof(t->comm), &task->comm);
	t->netns_ino = BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
	t->mntns_ino = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	t->start_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	self = t->pid;
	pr = bpf_map_lookup_elem(&cw_procs, &self);
	t->exec_id = pr ? pr->exec_id : 0;
	t->flags = pr && pr->origin_cgid ? CW_TF_LEFT_POD : 0;
	if (!BPF_CORE_READ(task, mm, exe_file, f_inode, i_nlink) &&
	    BPF_CORE_READ(task, mm, exe_file))
		t->flags |= CW_TF_EXE_UNLINKED;
	p = BPF_CORE_READ(task, real_parent);
	t->ppid = BPF_CORE_READ(p, tgid);
#pragma unroll
	for (int i = 0; i < CW_ANCESTORS; i++) {
		__u32 apid;

		t->anc[i]._pad = 0;
		t->anc[i].exec_id = 0;
		if (!p) {
			t->anc[i].pid = 0;
			t->anc[i].comm[0] = 0;
			continue;
		}
		apid = BPF_CORE_READ(p, tgid);
		t->anc[i].pid = apid;
		bpf_probe_read_kernel(t->anc[i].comm, sizeof(t->anc[i].comm), &p->comm);
		pr = bpf_map_lookup_elem(&cw_procs, &apid);
		if (pr)
			t->anc[i].exec_id = pr->exec_id;
		p = apid <= 1 ? NULL : BPF_CORE_READ(p, real_parent);
	}
}

SEC("iter/tcp")
int cw_iter_tcp(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct cw_found f = {};
	struct cw_http_sock hs = {};
	struct cw_ep_val *val;
	struct tcp_sock *tp;
	struct socket *so;
	__u64 ino;
	__u8 state;

	if (!skc)
		return 0;
	state = skc->skc_state;
	if (state != TCP_ESTABLISHED && state != TCP_SYN_SENT)
		return 0;
	f.family = skc->skc_family;
	if (f.family == AF_INET) {
		__u32 a = skc->skc_daddr;

		f.key.addr[10] = f.key.addr[11] = 0xff;
		__builtin_memcpy(&f.key.addr[12], &a, 4);
	} else if (f.family == AF_INET6) {
		BPF_CORE_READ_INTO(&f.key.addr, skc, skc_v6_daddr.in6_u.u6_addr8);
	} else {
		return 0;
	}
	f.key.port = bpf_ntohs(skc->skc_dport);
	val = bpf_map_lookup_elem(&cw_endpoints, &f.key);
	if (!val)
		return 0;
	tp = bpf_skc_to_tcp_sock(skc);
	if (!tp)
		return 0;
	f.cookie = bpf_get_socket_cookie(skc);
	f.kind = val->kind;
	/* the socket's inode, by which iter/task_file knows it: SOCK_INODE() */
	so = BPF_CORE_READ(tp, inet_conn.icsk_inet.sk.sk_socket);
	if (!so)
		return 0;
	ino = BPF_CORE_READ((struct socket_alloc *)container_of(so, struct socket_alloc, socket),
			    vfs_inode.i_ino);
	/* captured from now on (its holder is named by iter/task_file) */
	hs.kind = val->kind;
	hs.flags = CW_F_FOUND_AT_START;
	if (bpf_map_update_elem(&cw_http_socks, &f.cookie, &hs, BPF_NOEXIST))
		return 0; /* already watched: it connected after the hooks attached */
	CW_TRY(map_update_elem, CW_W_HTTP_SOCKS, bpf_map_update_elem(&cw_found, &ino, &f, BPF_ANY));
	return 0;
}

SEC("iter/task_file")
int cw_iter_conns(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct cw_ev_endpoint *ev;
	struct cw_found *f;
	__u64 ino;

	if (!task || !file)
		return 0;
	if ((file->f_inode->i_mode & S_IFMT) != S_IFSOCK)
		return 0;
	ino = file->f_inode->i_ino;
	f = bpf_map_lookup_elem(&cw_found, &ino);
	if (!f)
		return 0;
	ev = cw_reserve(struct cw_ev_endpoint, BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id),
			BPF_CORE_READ(task, tgid));
	if (ev) {
		cw_hdr_fill(&ev->hdr, CW_EV_ENDPOINT_CONNECT, sizeof(*ev));
		ev->hdr.flags = CW_F_FOUND_AT_START;
		cw_task_fill_from(&ev->task, task);
		ev->sock_cookie = f->cookie;
		__builtin_memcpy(ev->addr, f->key.addr, sizeof(ev->addr));
		ev->port = f->key.port;
		ev->family = f->family;
		ev->protocol = IPPROTO_TCP;
		ev->kind = f->kind;
		ev->_pad[0] = ev->_pad[1] = ev->_pad[2] = 0;
		__builtin_memcpy(ev->conn_addr, f->key.addr, sizeof(ev->conn_addr));
		ev->conn_port = f->key.port;
		__builtin_memset(ev->_pad2, 0, sizeof(ev->_pad2));
		cw_count(CW_STAT_EV_ENDPOINT);
		cw_count(CW_STAT_EV_FOUND);
		cw_submit(ev);
	}
	/* one report per socket, however many fds and tasks share it */
	bpf_map_delete_elem(&cw_found, &ino);
	return 0;
}
