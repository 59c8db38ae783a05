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
#include "lib/event.bpf.h"
#include <bpf/bpf_endian.h>

#define AF_INET	    2
#define AF_INET6    10
#define IPPROTO_TCP 6
#define ETH_P_IP    0x0800
#define ETH_P_IPV6  0x86DD

static __always_inline int cw_connect_common(struct bpf_sock_addr *ctx, struct cw_ep_key *key)
{
	struct cw_ep_val *val;
	struct cw_ev_endpoint *ev;
	__u64 cookie;

	val = bpf_map_lookup_elem(&cw_endpoints, key);
	if (!val)
		return 1;

	cookie = bpf_get_socket_cookie(ctx);
	if (ctx->protocol == IPPROTO_TCP) {
		struct cw_http_sock hs = { .kind = val->kind,
					   .tgid = bpf_get_current_pid_tgid() >> 32 };

		/* the packet hooks parse this connection's HTTP from now on */
		CW_TRY(map_update_elem, CW_W_HTTP_SOCKS,
		       bpf_map_update_elem(&cw_http_socks, &cookie, &hs, BPF_ANY));
	}
	ev = cw_reserve(struct cw_ev_endpoint);
	if (!ev)
		return 1;
	cw_hdr_fill(&ev->hdr, CW_EV_ENDPOINT_CONNECT, sizeof(*ev));
	cw_task_fill(&ev->task);
	ev->sock_cookie = cookie;
	__builtin_memcpy(ev->addr, key->addr, sizeof(ev->addr));
	ev->port = key->port;
	ev->family = ctx->user_family;
	ev->protocol = ctx->protocol;
	ev->kind = val->kind;
	ev->_pad[0] = ev->_pad[1] = ev->_pad[2] = 0;
	cw_count(CW_STAT_EV_ENDPOINT);
	cw_submit(ev);
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

/*
 * HTTP on watched connections. Why cgroup_skb at the cgroup v2 root: it sees
 * every IPv4 and IPv6 packet of every socket on the node (all network
 * namespaces) with its socket, so one cookie lookup tells whether the packet
 * belongs to a connection the connect hooks marked; everything else costs
 * that lookup only. It never drops: both programs return 1.
 *
 * Only the first CW_HTTP_MAX bytes of a segment are sent, and only segments
 * that start an HTTP request (egress) or response (ingress): a request whose
 * request line or headers continue in a later segment is parsed as far as it
 * goes and counted by the agent as truncated.
 */
/*
 * Ports of the configured endpoints, one bit each (set at load). A packet
 * whose socket's remote port is not one of them cannot belong to a marked
 * connection: it costs a load and a test, not a cookie lookup.
 */
const volatile __u64 cw_ep_ports[1024] = {};

static __always_inline int cw_http_packet(struct __sk_buff *skb, __u8 dir)
{
	struct cw_http_sock *hs;
	struct cw_ev_http *ev;
	__u32 off, plen, cap, rport = skb->remote_port;
	__u8 doff, first[4];
	__u64 cookie;

	/* the socket's remote port, network order, in the upper half on
	 * little-endian kernels (the lower half elsewhere) */
	rport = bpf_ntohs(rport >> 16 ? rport >> 16 : rport);
	if (!(cw_ep_ports[cw_mask(rport >> 6, 1023)] & (1ull << (rport & 63))))
		return 1;
	cookie = bpf_get_socket_cookie(skb);
	hs = bpf_map_lookup_elem(&cw_http_socks, &cookie);
	if (!hs)
		return 1;
	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		__u8 vihl, proto;

		if (bpf_skb_load_bytes(skb, 0, &vihl, 1) || bpf_skb_load_bytes(skb, 9, &proto, 1))
			goto unparsed;
		if (proto != IPPROTO_TCP)
			return 1;
		off = (vihl & 0x0f) * 4;
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		__u8 nexthdr;

		if (bpf_skb_load_bytes(skb, 6, &nexthdr, 1))
			goto unparsed;
		if (nexthdr != IPPROTO_TCP)
			goto unparsed; /* extension headers: not parsed */
		off = 40;
	} else {
		return 1;
	}
	if (bpf_skb_load_bytes(skb, off + 12, &doff, 1))
		goto unparsed;
	off += (doff >> 4) * 4;
	if (skb->len <= off)
		return 1; /* no payload: SYN, ACK, FIN */
	plen = skb->len - off;
	if (bpf_skb_load_bytes(skb, off, first, 4))
		return 1;
	/* egress: a request line starts with a method; ingress: "HTTP" */
	if (dir == CW_HTTP_INGRESS) {
		if (first[0] != 'H' || first[1] != 'T' || first[2] != 'T' || first[3] != 'P')
			return 1;
	} else if (first[0] < 'A' || first[0] > 'Z' || first[1] < 'A' || first[1] > 'Z') {
		return 1;
	}
	ev = cw_reserve(struct cw_ev_http);
	if (!ev)
		return 1;
	cw_hdr_fill(&ev->hdr, CW_EV_HTTP, sizeof(*ev));
	ev->sock_cookie = cookie;
	ev->seg_len = plen;
	ev->dir = dir;
	ev->kind = hs->kind;
	cap = plen > CW_HTTP_MAX ? CW_HTTP_MAX : plen;
	/* responses: the status line is all the agent reads */
	if (dir == CW_HTTP_INGRESS && cap > 64)
		cap = 64;
	ev->cap_len = 0;
	if (CW_TRY(skb_load_bytes, CW_W_HTTP_CAPTURE,
		   bpf_skb_load_bytes(skb, off, ev->data, cw_mask(cap - 1, CW_HTTP_MAX - 1) + 1)) ==
	    0)
		ev->cap_len = cap;
	cw_count(CW_STAT_EV_HTTP);
	cw_submit(ev);
	return 1;
unparsed:
	cw_count(CW_STAT_HTTP_NOT_PARSED);
	return 1;
}

SEC("cgroup_skb/egress")
int cw_http_egress(struct __sk_buff *skb)
{
	return cw_http_packet(skb, CW_HTTP_EGRESS);
}

SEC("cgroup_skb/ingress")
int cw_http_ingress(struct __sk_buff *skb)
{
	return cw_http_packet(skb, CW_HTTP_INGRESS);
}
