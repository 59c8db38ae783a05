// SPDX-License-Identifier: GPL-2.0
/*
 * Network side: connects to credential endpoints (IMDS, the EKS Pod Identity
 * Agent, container credentials, user-defined ones), IPv4 and IPv6.
 *
 * Why cgroup/connect4/6 attached at the cgroup v2 root: it runs in the
 * connecting task's context for every TCP and UDP connect on the node (all
 * network namespaces), sees the destination the kernel is about to use after
 * any earlier BPF rewrite, and costs one hash lookup for non-matching
 * connects. It only observes: it always returns 1 (allow).
 */
#include "common.bpf.h"

#define AF_INET	 2
#define AF_INET6 10

static __always_inline int cw_connect_common(struct bpf_sock_addr *ctx, struct cw_ep_key *key)
{
	struct cw_ep_val *val;
	struct cw_ev_endpoint *ev;

	val = bpf_map_lookup_elem(&cw_endpoints, key);
	if (!val)
		return 1;

	ev = cw_reserve(struct cw_ev_endpoint);
	if (!ev)
		return 1;
	cw_hdr_fill(&ev->hdr, CW_EV_ENDPOINT_CONNECT, sizeof(*ev));
	cw_task_fill(&ev->task);
	ev->sock_cookie = bpf_get_socket_cookie(ctx);
	__builtin_memcpy(ev->addr, key->addr, sizeof(ev->addr));
	ev->port = key->port;
	ev->family = ctx->user_family;
	ev->protocol = ctx->protocol;
	ev->kind = val->kind;
	ev->_pad[0] = ev->_pad[1] = ev->_pad[2] = 0;
	cw_count(CW_STAT_EV_ENDPOINT);
	bpf_ringbuf_submit(ev, 0);
	return 1;
}

/* IPv4 connects; the key is the IPv4-mapped form so one table serves both. */
SEC("cgroup/connect4")
int cw_connect4(struct bpf_sock_addr *ctx)
{
	struct cw_ep_key key = {};
	__u32 ip = ctx->user_ip4;

	key.addr[10] = 0xff;
	key.addr[11] = 0xff;
	__builtin_memcpy(&key.addr[12], &ip, 4);
	key.port = bpf_ntohs((__u16)ctx->user_port);
	return cw_connect_common(ctx, &key);
}

/* IPv6 connects, including IPv4-mapped addresses on AF_INET6 sockets: the
 * kernel runs only this hook for those, never connect4. */
SEC("cgroup/connect6")
int cw_connect6(struct bpf_sock_addr *ctx)
{
	struct cw_ep_key key = {};
	__u32 w;

	w = ctx->user_ip6[0];
	__builtin_memcpy(&key.addr[0], &w, 4);
	w = ctx->user_ip6[1];
	__builtin_memcpy(&key.addr[4], &w, 4);
	w = ctx->user_ip6[2];
	__builtin_memcpy(&key.addr[8], &w, 4);
	w = ctx->user_ip6[3];
	__builtin_memcpy(&key.addr[12], &w, 4);
	key.port = bpf_ntohs((__u16)ctx->user_port);
	return cw_connect_common(ctx, &key);
}
