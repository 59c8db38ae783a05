// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "intake/conns.h"
#include "intake/stream.h"
#include "util/lru.h"

struct conn {
	struct conns *owner; /* for the release callback */
	struct cw_ev_endpoint connect;
	struct stream st[2];   /* [CW_HTTP_EGRESS], [CW_HTTP_INGRESS] */
	struct httpmsg msg[2]; /* requests, responses */
	uint64_t dir_bytes[2];
	bool reported[2]; /* its unparsed event was written */
	uint8_t qn;
	struct conn_req *q[CONNS_QUEUE_MAX]; /* waiting for a response, oldest first */
	uint32_t skip;			     /* responses whose request left the queue unanswered */
};

struct conns {
	struct lru *map;
	conns_emit_fn emit;
	conns_unparsed_fn unparsed;
	void *ctx;
	size_t pending; /* queued requests, all connections */
	struct conns_stats st;
};

/* What the stream and message callbacks need about the segment being handled. */
struct seg_ctx {
	struct conns *c;
	struct conn *cn;
	uint8_t dir;
	uint64_t ts, now;
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

struct conns *conns_new(size_t capacity, conns_emit_fn emit, conns_unparsed_fn unparsed, void *ctx)
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
	c->unparsed = unparsed;
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

static void req_free(struct conns *c, struct conn_req *r)
{
	explicit_bzero(r, sizeof(*r));
	free(r);
	c->pending--;
}

/* Remove the oldest queued request. */
static struct conn_req *pop(struct conn *cn)
{
	struct conn_req *r = cn->q[0];

	memmove(&cn->q[0], &cn->q[1], (cn->qn - 1) * sizeof(cn->q[0]));
	cn->qn--;
	return r;
}

static void emit(struct conns *c, struct conn *cn, const struct conn_req *r, int status,
		 bool timed_out, bool queue_full, bool late, const struct http_creds *creds,
		 uint64_t ts)
{
	struct conn_done d = {
		.connect = &cn->connect,
		.r = r,
		.status = status,
		.timed_out = timed_out,
		.queue_full = queue_full,
		.late = late,
		.creds = creds && creds->found ? creds : NULL,
		.ts_boot_ns = r ? r->ts_boot_ns : ts,
	};

	c->emit(c->ctx, &d);
}

/* --- message callbacks -------------------------------------------------------------------- */

static void on_request(void *ctx, const struct http_request *req)
{
	struct seg_ctx *x = ctx;
	struct conns *c = x->c;
	struct conn *cn = x->cn;
	struct conn_req *r;

	c->st.requests++;
	/* room in the queue: the oldest is written without its response (which, when it
	 * comes, is known to be its: skipped) */
	if (cn->qn == CONNS_QUEUE_MAX || c->pending >= CONNS_PENDING_MAX) {
		if (!cn->qn)
			return; /* the budget is taken by other connections: counted */
		r = pop(cn);
		c->st.queue_full++;
		if (!r->written)
			emit(c, cn, r, 0, false, true, false, NULL, 0);
		req_free(c, r);
		cn->skip++;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		c->st.queue_full++;
		return;
	}
	c->pending++;
	r->ts_boot_ns = x->ts;
	r->seen_ns = x->now;
	r->req = *req;
	http_classify(&r->req, ep_of(cn->connect.kind), &r->cls);
	if (r->req.has_user_agent)
		sdk_parse_ua(r->req.user_agent, r->req.ua_len, &r->sdk);
	else
		sdk_parse_ua("", 0, &r->sdk);
	cn->q[cn->qn++] = r;
}

static void on_response(void *ctx, const struct http_response *resp, const struct http_creds *creds)
{
	struct seg_ctx *x = ctx;
	struct conns *c = x->c;
	struct conn *cn = x->cn;
	struct conn_req *r;

	c->st.responses++;
	if (creds->found)
		c->st.credential_responses++;
	if (cn->skip) {
		/* the answer to a request written early: credentials it delivered are still
		 * reported, without the request */
		cn->skip--;
		if (creds->found)
			emit(c, cn, NULL, resp->code, false, false, true, creds, x->ts);
		return;
	}
	if (!cn->qn) {
		c->st.unmatched_responses++;
		if (creds->found)
			emit(c, cn, NULL, resp->code, false, false, false, creds, x->ts);
		return;
	}
	r = pop(cn);
	if (!r->written) {
		emit(c, cn, r, resp->code, false, false, false, creds, 0);
	} else {
		/* its event went out on the timeout: a late answer matters if it delivered */
		c->st.late_responses++;
		if (creds->found)
			emit(c, cn, r, resp->code, false, false, true, creds, 0);
	}
	req_free(c, r);
}

static void on_failed(void *ctx, enum httpmsg_fail why)
{
	struct seg_ctx *x = ctx;
	struct conn *cn = x->cn;
	struct conn_unparsed u = {
		.connect = &cn->connect,
		.dir = x->dir,
		.why = why,
		.ts_boot_ns = x->ts,
		.bytes = cn->dir_bytes[x->dir],
	};

	x->c->st.unparsed[why < HTTPMSG__COUNT ? why : 0]++;
	if (cn->reported[x->dir])
		return;
	cn->reported[x->dir] = true;
	x->c->unparsed(x->c->ctx, &u);
}

static bool answers_head(void *ctx)
{
	struct seg_ctx *x = ctx;
	struct conn *cn = x->cn;

	return !cn->skip && cn->qn && cn->q[0]->req.method == HTTP_M_HEAD;
}

static const struct httpmsg_ops msg_ops = {
	.request = on_request,
	.response = on_response,
	.failed = on_failed,
	.answers_head = answers_head,
};

/* --- stream callbacks --------------------------------------------------------------------- */

static void on_data(void *ctx, const uint8_t *p, size_t n)
{
	struct seg_ctx *x = ctx;

	x->cn->dir_bytes[x->dir] += n;
	httpmsg_data(&x->cn->msg[x->dir], &msg_ops, ctx, p, n);
}

static void on_gap(void *ctx, size_t n)
{
	struct seg_ctx *x = ctx;

	x->cn->dir_bytes[x->dir] += n;
	httpmsg_gap(&x->cn->msg[x->dir], &msg_ops, ctx, n);
}

static void on_fin(void *ctx)
{
	struct seg_ctx *x = ctx;

	httpmsg_fin(&x->cn->msg[x->dir], &msg_ops, ctx);
}

static const struct stream_ops stream_ops = {
	.data = on_data,
	.gap = on_gap,
	.fin = on_fin,
};

static void add_stream_stats(struct conns_stats *to, const struct stream_stats *s)
{
	to->segments += s->segments;
	to->bytes += s->bytes;
	to->retransmitted_bytes += s->retransmitted_bytes;
	to->out_of_order += s->out_of_order;
	to->gaps += s->gaps;
	to->gap_bytes += s->gap_bytes;
}

/* --- connections -------------------------------------------------------------------------- */

/* Everything still held goes out: what the streams hold (holes as gaps), the parsers' partial
 * messages, the requests still waiting (without a response). */
static void conn_flush(struct conns *c, struct conn *cn, uint64_t now)
{
	for (int d = 0; d < 2; d++) {
		struct seg_ctx x = { c, cn, (uint8_t)d, 0, now };
		struct stream_stats ss = { 0 };

		stream_flush(&cn->st[d], &stream_ops, &x, &ss);
		add_stream_stats(&c->st, &ss);
	}
	while (cn->qn) {
		struct conn_req *r = pop(cn);

		if (!r->written)
			emit(c, cn, r, 0, false, false, false, NULL, 0);
		req_free(c, r);
	}
}

/* A connection leaves the table (LRU eviction, cookie reuse, shutdown). */
static void conn_release(void *value)
{
	struct conn *cn = value;

	if (!cn->owner)
		return;
	if (cn->qn)
		cn->owner->st.evicted_requests += cn->qn;
	conn_flush(cn->owner, cn, 0);
	for (int d = 0; d < 2; d++) {
		stream_free(&cn->st[d]);
		httpmsg_free(&cn->msg[d]);
	}
	cn->owner = NULL;
}

void conns_connect(struct conns *c, const struct cw_ev_endpoint *ev)
{
	struct conn *cn;
	size_t before = lru_evictions(c->map);
	bool joined = ev->hdr.flags & CW_F_FOUND_AT_START;

	if (ev->protocol != 6)
		return;
	/* an evicted (or reused) connection's queued requests are written by conn_release()
	 * before its slot is reused: none is lost */
	cn = lru_put(c->map, ev->sock_cookie, 0);
	if (lru_evictions(c->map) != before)
		c->st.evictions++;
	memset(cn, 0, sizeof(*cn));
	cn->owner = c;
	cn->connect = *ev;
	httpmsg_init(&cn->msg[CW_HTTP_EGRESS], false, joined);
	httpmsg_init(&cn->msg[CW_HTTP_INGRESS], true, joined);
}

void conns_http(struct conns *c, const struct cw_ev_http *ev, uint64_t now)
{
	size_t cap = ev->cap_len < CW_HTTP_CAP ? ev->cap_len : CW_HTTP_CAP;
	struct conn *cn = lru_get(c->map, ev->sock_cookie, 0);
	struct stream_stats ss = { 0 };
	struct seg_ctx x;

	if (!cn) {
		c->st.orphan_segments++;
		return;
	}
	if (ev->dir > CW_HTTP_INGRESS)
		return;
	x = (struct seg_ctx){ c, cn, ev->dir, ev->hdr.ts_boot_ns, now };
	stream_segment(&cn->st[ev->dir], &stream_ops, &x, &ss, ev->seq, ev->data, cap, ev->seg_len,
		       ev->tcp_flags);
	add_stream_stats(&c->st, &ss);
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
	if (e->all) {
		conn_flush(e->c, cn, e->now);
		return;
	}
	for (int i = 0; i < cn->qn; i++) {
		struct conn_req *r = cn->q[i];
		uint64_t due = r->seen_ns + CONNS_RESPONSE_TIMEOUT_NS;

		if (r->written)
			continue;
		if (due > e->now) {
			if (!e->next || due < e->next)
				e->next = due;
			continue;
		}
		/* no answer in time: written now, kept in the queue for its late answer */
		e->c->st.timeouts++;
		r->written = true;
		emit(e->c, cn, r, 0, true, false, false, NULL, 0);
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
