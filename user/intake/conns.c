// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "intake/conns.h"
#include "util/lru.h"

struct conn {
	struct conns *owner; /* for the release callback */
	struct cw_ev_endpoint connect;
	bool have_connect;
	uint8_t qn;
	struct conn_req q[CONNS_QUEUE];
};

struct conns {
	struct lru *map;
	conns_emit_fn emit;
	void *ctx;
	struct conns_stats st;
	/* requests on connections whose connect was never seen (agent started
	 * mid-connection, or the LRU evicted it) are written at once */
	struct conn orphan;
};

static void conn_release(void *value);

static enum cred_endpoint ep_of(unsigned int kind)
{
	switch (kind) {
	case CW_EP_IMDS:
		return EP_IMDS;
	case CW_EP_POD_IDENTITY_AGENT:
		return EP_POD_IDENTITY;
	case CW_EP_CONTAINER_CREDENTIALS:
		return EP_ECS;
	default:
		return EP_UNKNOWN;
	}
}

struct conns *conns_new(size_t capacity, conns_emit_fn emit, void *ctx)
{
	struct conns *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->map = lru_new_release(capacity, sizeof(struct conn), conn_release);
	if (!c->map) {
		free(c);
		return NULL;
	}
	c->emit = emit;
	c->ctx = ctx;
	return c;
}

void conns_free(struct conns *c)
{
	if (!c)
		return;
	lru_free(c->map);
	free(c);
}

static void finish(struct conns *c, struct conn *cn, int i, int status, bool timed_out,
		   bool queue_full)
{
	struct conn_done d = {
		.connect = cn->have_connect ? &cn->connect : NULL,
		.r = &cn->q[i],
		.status = status,
		.timed_out = timed_out,
		.queue_full = queue_full,
	};

	c->emit(c->ctx, &d);
	memmove(&cn->q[i], &cn->q[i + 1], (cn->qn - i - 1) * sizeof(cn->q[0]));
	cn->qn--;
}

/* A connection leaves the table (LRU eviction, cookie reuse, shutdown): write
 * what is still queued on it, without a response. */
static void conn_release(void *value)
{
	struct conn *cn = value;

	while (cn->owner && cn->qn) {
		cn->owner->st.evicted_requests++;
		finish(cn->owner, cn, 0, 0, false, false);
	}
}

void conns_connect(struct conns *c, const struct cw_ev_endpoint *ev)
{
	struct conn *cn;
	size_t before = lru_evictions(c->map);

	if (ev->protocol != 6)
		return;
	/* an evicted (or reused) connection's queued requests are written by
	 * conn_release() before its slot is reused: none is lost */
	cn = lru_put(c->map, ev->sock_cookie, 0);
	if (lru_evictions(c->map) != before)
		c->st.evictions++;
	cn->owner = c;
	cn->connect = *ev;
	cn->have_connect = true;
	cn->qn = 0;
}

void conns_http(struct conns *c, const struct cw_ev_http *ev, uint64_t now)
{
	size_t len = ev->cap_len < CW_HTTP_MAX ? ev->cap_len : CW_HTTP_MAX;
	struct conn *cn = lru_get(c->map, ev->sock_cookie, 0);
	struct conn_req *r;
	/* The ring buffer is mapped read-only: parse a private copy, which is
	 * wiped as soon as it is parsed (it may hold the IMDSv2 session token or
	 * an Authorization token). */
	unsigned char data[CW_HTTP_MAX];

	memcpy(data, ev->data, len);

	if (ev->dir == CW_HTTP_INGRESS) {
		struct http_response resp;

		http_parse_response(data, len, &resp);
		explicit_bzero(data, sizeof(data));
		if (!cn || !cn->qn || resp.status != HTTP_COMPLETE) {
			c->st.unmatched_responses++;
			return;
		}
		c->st.responses++;
		finish(c, cn, 0, resp.code, false, false);
		return;
	}
	if (!cn) {
		c->st.orphan_requests++;
		cn = &c->orphan;
		memset(cn, 0, sizeof(*cn));
	} else if (cn->qn == CONNS_QUEUE) {
		c->st.queue_full++;
		finish(c, cn, 0, 0, false, true);
	}
	r = &cn->q[cn->qn];
	memset(r, 0, sizeof(*r));
	r->ts_boot_ns = ev->hdr.ts_boot_ns;
	r->seen_ns = now;
	r->seg_len = ev->seg_len;
	if (http_parse_request(data, len, &r->req) == HTTP_NOT_HTTP) {
		explicit_bzero(data, sizeof(data));
		c->st.not_http++;
		return;
	}
	/* the capture may hold the session token or an Authorization token */
	explicit_bzero(data, sizeof(data));
	if (r->req.status == HTTP_TRUNCATED)
		c->st.head_truncated++;
	http_classify(&r->req, ep_of(ev->kind), &r->cls);
	if (r->req.has_user_agent)
		sdk_parse_ua(r->req.user_agent, r->req.ua_len, &r->sdk);
	else
		sdk_parse_ua("", 0, &r->sdk);
	c->st.requests++;
	cn->qn++;
	if (cn == &c->orphan)
		finish(c, cn, 0, 0, false, false);
}

struct expire_ctx {
	struct conns *c;
	uint64_t now, next;
	bool all;
};

static void expire_one(void *ctx, uint64_t key, uint64_t tag, void *val)
{
	struct expire_ctx *e = ctx;
	struct conn *cn = val;

	(void)key;
	(void)tag;
	while (cn->qn) {
		uint64_t due = cn->q[0].seen_ns + CONNS_RESPONSE_TIMEOUT_NS;

		if (!e->all && due > e->now) {
			if (!e->next || due < e->next)
				e->next = due;
			break;
		}
		if (!e->all)
			e->c->st.timeouts++;
		finish(e->c, cn, 0, 0, !e->all, false);
	}
}

uint64_t conns_expire(struct conns *c, uint64_t now, bool flush_all)
{
	struct expire_ctx x = { c, now, 0, flush_all };

	lru_each(c->map, expire_one, &x);
	return x.next;
}

const struct conns_stats *conns_stats(const struct conns *c)
{
	return &c->st;
}
