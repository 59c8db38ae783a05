// SPDX-License-Identifier: GPL-2.0
/*
 * Network side: connections to credential endpoints (IMDS, the EKS Pod Identity Agent,
 * container credentials, user-defined ones), IPv4 and IPv6, and every TCP segment on them.
 *
 * Why cgroup/connect4/6 attached at the cgroup v2 root: it runs in the connecting task's
 * context for every TCP and UDP connect on the node (all network namespaces), sees the
 * destination the kernel is about to use after any earlier BPF rewrite, and costs one hash
 * lookup for non-matching connects. It only observes: it always returns 1 (allow).
 *
 * Why cgroup_skb egress/ingress at the root: they see every packet of every socket on the
 * node with its socket, after the output chain's NAT (egress) - so a connection that reaches
 * an endpoint under another address is seen by its packets' real destination. They never
 * drop: both programs return 1.
 */
#include "lib/event.bpf.h"
#include <bpf/bpf_endian.h>

#define AF_INET	    2
#define AF_INET6    10
#define IPPROTO_TCP 6
#define ETH_P_IP    0x0800
#define ETH_P_IPV6  0x86DD

/*
 * cw_ep_ports: the remote ports whose packets are looked at, one bit each (1024 x 64 bits).
 * The agent sets the endpoints' ports before attaching; a connection found through NAT adds
 * its socket's port (the address it connected to is not an endpoint's). A packet whose
 * socket's remote port has no bit cannot belong to a watched connection: it costs a load and
 * a test, not a cookie lookup. Bits are never cleared (bounded by the port space).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} cw_ep_ports SEC(".maps");

static __always_inline bool cw_port_watched(__u16 port)
{
	__u32 idx = port >> 6;
	__u64 *bits = bpf_map_lookup_elem(&cw_ep_ports, &idx);

	return bits && (*bits & (1ull << (port & 63)));
}

static __always_inline void cw_port_watch(__u16 port)
{
	__u32 idx = port >> 6;
	__u64 *bits = bpf_map_lookup_elem(&cw_ep_ports, &idx);

	if (bits)
		__sync_fetch_and_or(bits, 1ull << (port & 63));
}

/* Mark a TCP connection for segment capture and write its endpoint_connect record. skb: the
 * packet, when called from a packet hook (NULL from the connect hooks). task: the current task
 * is the one that made the connection and may be read (a compile-time constant at every call:
 * where it is false, the program has no task helper call at all, which 6.1 requires of
 * cgroup_skb programs). */
static __always_inline void cw_endpoint(__u64 cookie, const struct cw_ep_key *key, __u32 kind,
					__u8 family, __u8 proto, __u32 flags,
					const __u8 conn_addr[16], __u16 conn_port,
					struct __sk_buff *skb, const bool task)
{
	struct cw_ev_endpoint *ev;

	if (!task)
		flags |= CW_F_NO_TASK;
	if (proto == IPPROTO_TCP) {
		struct cw_http_sock hs = { .kind = kind,
					   .tgid = task ? bpf_get_current_pid_tgid() >> 32 : 0,
					   .flags = flags };

		/* the packet hooks capture this connection's segments from now on */
		CW_TRY(map_update_elem, CW_W_HTTP_SOCKS,
		       bpf_map_update_elem(&cw_http_socks, &cookie, &hs, BPF_ANY));
	}
	/* (a packet hook without task helpers counts a loss against the socket's cgroup) */
	ev = cw_reserve(struct cw_ev_endpoint, task ? CW_CUR_CG : bpf_skb_cgroup_id(skb),
			task ? CW_CUR_TGID : 0);
	if (!ev)
		return;
	cw_hdr_fill(&ev->hdr, CW_EV_ENDPOINT_CONNECT, sizeof(*ev));
	ev->hdr.flags = flags;
	if (task) {
		cw_task_fill(&ev->task);
	} else {
		/* the socket's cgroup: where the process that made it was */
		__builtin_memset(&ev->task, 0, sizeof(ev->task));
		ev->task.cgroup_id = bpf_skb_cgroup_id(skb);
	}
	ev->sock_cookie = cookie;
	__builtin_memcpy(ev->addr, key->addr, sizeof(ev->addr));
	ev->port = key->port;
	ev->family = family;
	ev->protocol = proto;
	ev->kind = kind;
	ev->_pad[0] = ev->_pad[1] = ev->_pad[2] = 0;
	__builtin_memcpy(ev->conn_addr, conn_addr, sizeof(ev->conn_addr));
	ev->conn_port = conn_port;
	__builtin_memset(ev->_pad2, 0, sizeof(ev->_pad2));
	cw_count(CW_STAT_EV_ENDPOINT);
	if (flags & CW_F_VIA_NAT)
		cw_count(CW_STAT_EV_NAT);
	cw_submit(ev);
}

static __always_inline int cw_connect_common(struct bpf_sock_addr *ctx, struct cw_ep_key *key)
{
	struct cw_ep_val *val = bpf_map_lookup_elem(&cw_endpoints, key);

	if (!val)
		return 1;
	cw_endpoint(bpf_get_socket_cookie(ctx), key, val->kind, ctx->user_family, ctx->protocol, 0,
		    key->addr, key->port, NULL, true);
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

/* IPv6 connects, including IPv4-mapped addresses on AF_INET6 sockets: the kernel runs only
 * this hook for those, never connect4. */
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

/* The packet's IP header: where TCP starts, and whether it is TCP at all. */
struct cw_pkt {
	__u32 tcp_off;
	bool v6;
	__u8 daddr[16]; /* egress: the destination as the packet carries it (after NAT) */
};

static __always_inline int cw_pkt_parse(struct __sk_buff *skb, __u32 proto3, struct cw_pkt *p)
{
	if (proto3 == bpf_htons(ETH_P_IP)) {
		__u8 vihl, proto;

		if (bpf_skb_load_bytes(skb, 0, &vihl, 1) || bpf_skb_load_bytes(skb, 9, &proto, 1))
			return -1;
		if (proto != IPPROTO_TCP)
			return 1;
		p->tcp_off = (vihl & 0x0f) * 4;
		p->v6 = false;
		__builtin_memset(p->daddr, 0, 10);
		p->daddr[10] = p->daddr[11] = 0xff;
		if (bpf_skb_load_bytes(skb, 16, &p->daddr[12], 4))
			return -1;
		return 0;
	}
	if (proto3 == bpf_htons(ETH_P_IPV6)) {
		__u8 nexthdr;

		if (bpf_skb_load_bytes(skb, 6, &nexthdr, 1))
			return -1;
		if (nexthdr != IPPROTO_TCP)
			return -1; /* extension headers: not parsed (counted) */
		p->tcp_off = 40;
		p->v6 = true;
		if (bpf_skb_load_bytes(skb, 24, p->daddr, 16))
			return -1;
		return 0;
	}
	return 1;
}

/* The socket's remote address (what it connected to) in the table's 16-byte form. Each ctx
 * field is read once, here: the verifier refuses a load through a ctx pointer clang has
 * computed once and reused. */
static __always_inline void cw_sock_daddr(struct __sk_buff *skb, bool v6, __u8 out[16])
{
	__u32 w[4];

	if (!v6) {
		w[0] = skb->remote_ip4;
		__builtin_memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		__builtin_memcpy(&out[12], &w[0], 4);
		return;
	}
	w[0] = skb->remote_ip6[0];
	w[1] = skb->remote_ip6[1];
	w[2] = skb->remote_ip6[2];
	w[3] = skb->remote_ip6[3];
	__builtin_memcpy(out, w, 16);
}

/*
 * An egress SYN of a socket not marked at connect, whose packet goes to another address than
 * the socket connected to: NAT (an output-chain DNAT in the process's network namespace) or a
 * raw socket. If the packet's real destination is an endpoint, the connection is watched from
 * here on, reported with both addresses.
 */
static __always_inline struct cw_http_sock *cw_nat_check(struct __sk_buff *skb,
							 const struct cw_pkt *p, __u64 cookie,
							 const __u8 sock_daddr[16], __u16 rport,
							 const bool task)
{
	struct cw_ep_key key = {};
	struct cw_ep_val *val;
	__u8 fl;
	__u16 dport;

	if (bpf_skb_load_bytes(skb, p->tcp_off + 13, &fl, 1) ||
	    bpf_skb_load_bytes(skb, p->tcp_off + 2, &dport, 2))
		return NULL;
	if ((fl & 0x12) != 0x02) /* SYN without ACK: the connection's first packet */
		return NULL;
	__builtin_memcpy(key.addr, p->daddr, 16);
	key.port = bpf_ntohs(dport);
	val = bpf_map_lookup_elem(&cw_endpoints, &key);
	if (!val)
		return NULL;
	/* the socket's own port, so the hooks look at this connection's packets from now on */
	cw_port_watch(rport);
	cw_endpoint(cookie, &key, val->kind, p->v6 ? AF_INET6 : AF_INET, IPPROTO_TCP, CW_F_VIA_NAT,
		    sock_daddr, rport, skb, task);
	return bpf_map_lookup_elem(&cw_http_socks, &cookie);
}

/* One segment of a watched connection: sequence number, flags, and its first bytes. */
static __always_inline void cw_segment(struct __sk_buff *skb, __u8 dir, const struct cw_pkt *p,
				       const struct cw_http_sock *hs, __u64 cookie)
{
	struct cw_scratch *s;
	struct cw_ev_http *ev;
	__u32 seq, off, plen, cap;
	__u8 doff, fl, tf = 0;

	if (bpf_skb_load_bytes(skb, p->tcp_off + 4, &seq, 4) ||
	    bpf_skb_load_bytes(skb, p->tcp_off + 12, &doff, 1) ||
	    bpf_skb_load_bytes(skb, p->tcp_off + 13, &fl, 1)) {
		cw_count(CW_STAT_HTTP_NOT_PARSED);
		return;
	}
	off = p->tcp_off + (doff >> 4) * 4;
	plen = skb->len > off ? skb->len - off : 0;
	tf = (fl & 0x01 ? CW_TCP_FIN : 0) | (fl & 0x02 ? CW_TCP_SYN : 0) |
	     (fl & 0x04 ? CW_TCP_RST : 0);
	if (!plen && !tf)
		return; /* a bare ACK */
	s = cw_scratch_get();
	if (!s)
		return;
	ev = &s->hev;
	cw_hdr_fill(&ev->hdr, CW_EV_HTTP, 0);
	ev->sock_cookie = cookie;
	ev->seq = bpf_ntohl(seq);
	ev->seg_len = plen;
	ev->dir = dir;
	ev->kind = hs->kind;
	ev->tcp_flags = tf;
	__builtin_memset(ev->_pad, 0, sizeof(ev->_pad));
	cap = plen;
	if (cap > CW_HTTP_CAP) {
		cap = CW_HTTP_CAP; /* the rest is a gap the agent sees (seg_len > cap_len) */
		cw_count(CW_STAT_HTTP_SEG_CUT);
	}
	if (cap &&
	    CW_TRY(skb_load_bytes, CW_W_HTTP_CAPTURE,
		   bpf_skb_load_bytes(skb, off, ev->data, cw_mask(cap - 1, CW_HTTP_CAP - 1) + 1)))
		cap = 0;
	ev->cap_len = cap;
	ev->hdr.size = CW_EV_HTTP_MIN + cap;
	/* ((cap - 1) & mask) + 1 == cap for 1..CW_HTTP_CAP, and proves the bound */
	if (cw_output(ev,
		      cap ? CW_EV_HTTP_MIN + cw_mask(cap - 1, CW_HTTP_CAP - 1) + 1 : CW_EV_HTTP_MIN,
		      bpf_skb_cgroup_id(skb), hs->tgid))
		cw_count(CW_STAT_EV_HTTP);
}

/*
 * Egress of a socket whose port is not watched: does the packet go where the socket connected
 * (the common case, decided from the packet's linear header in a few loads)? Sockets that
 * send elsewhere - NAT, unconnected (UDP sendto, raw sockets) - are looked at further.
 */
static __always_inline bool cw_goes_where_connected(struct __sk_buff *skb, __u32 proto3,
						    __u8 sock_daddr[16])
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;

	if (proto3 == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data;
		__u32 d;

		if ((void *)(ip + 1) > end)
			return false;
		if (ip->protocol != IPPROTO_TCP)
			return true;
		cw_sock_daddr(skb, false, sock_daddr);
		__builtin_memcpy(&d, &sock_daddr[12], 4);
		return ip->daddr == d;
	}
	if (proto3 == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data;
		__u32 d[4];

		if ((void *)(ip6 + 1) > end)
			return false;
		cw_sock_daddr(skb, true, sock_daddr);
		__builtin_memcpy(d, sock_daddr, 16);
		return ip6->daddr.in6_u.u6_addr32[0] == d[0] &&
		       ip6->daddr.in6_u.u6_addr32[1] == d[1] &&
		       ip6->daddr.in6_u.u6_addr32[2] == d[2] &&
		       ip6->daddr.in6_u.u6_addr32[3] == d[3];
	}
	return true;
}

static __always_inline int cw_http_packet(struct __sk_buff *skb, __u8 dir, const bool task)
{
	struct cw_http_sock *hs = NULL;
	__u8 sock_daddr[16];
	struct cw_pkt p;
	__u32 rport = skb->remote_port;
	/* read once: the verifier refuses a load through a ctx pointer clang has offset */
	__u32 proto3 = skb->protocol;
	__u64 cookie = 0;
	int rc;

	/* the socket's remote port, network order, in the upper half on little-endian kernels
	 * (the lower half elsewhere) */
	rport = bpf_ntohs(rport >> 16 ? rport >> 16 : rport);
	if (cw_port_watched(rport)) {
		cookie = bpf_get_socket_cookie(skb);
		hs = bpf_map_lookup_elem(&cw_http_socks, &cookie);
	}
	if (!hs && (dir == CW_HTTP_INGRESS || cw_goes_where_connected(skb, proto3, sock_daddr)))
		return 1;
	rc = cw_pkt_parse(skb, proto3, &p);
	if (rc) {
		if (rc < 0 && hs)
			cw_count(CW_STAT_HTTP_NOT_PARSED);
		return 1;
	}
	if (!hs) {
		/* NAT, or a raw / unconnected socket sending TCP (sock_daddr was read above) */
		if (!cookie)
			cookie = bpf_get_socket_cookie(skb);
		hs = bpf_map_lookup_elem(&cw_http_socks, &cookie);
		if (!hs)
			hs = cw_nat_check(skb, &p, cookie, sock_daddr, rport, task);
		if (!hs)
			return 1;
	}
	cw_segment(skb, dir, &p, hs, cookie);
	return 1;
}

/* Egress, twice: the agent loads the first where cgroup_skb programs may read the current task
 * (a connection found through NAT is then named by its process), the second elsewhere (6.1:
 * by its socket's cgroup). Ingress never finds a connection, so never needs the task. */
SEC("cgroup_skb/egress")
int cw_http_egress(struct __sk_buff *skb)
{
	return cw_http_packet(skb, CW_HTTP_EGRESS, true);
}

SEC("cgroup_skb/egress")
int cw_http_egress_notask(struct __sk_buff *skb)
{
	return cw_http_packet(skb, CW_HTTP_EGRESS, false);
}

SEC("cgroup_skb/ingress")
int cw_http_ingress(struct __sk_buff *skb)
{
	return cw_http_packet(skb, CW_HTTP_INGRESS, false);
}
