/* SPDX-License-Identifier: GPL-2.0 */
/*
 * conns: HTTP on connections to credential endpoints, as the server sees it. A connection is
 * known from its endpoint_connect record (socket cookie -> who connected, where, how it was
 * found). Its segments (http records) are put back in sequence order per direction
 * (intake/stream.c) and framed into messages (intake/httpmsg.c); every request on the
 * connection is parsed and classified, every response is parsed (status, and a credentials
 * document in its body), and requests and responses are paired by position, as HTTP/1.1
 * does. One imds_request / agent_request is written per request when its response is complete
 * or CONNS_RESPONSE_TIMEOUT_NS has passed; a response carrying credentials whose request was
 * not seen is written too (r == NULL). A direction that cannot be parsed is reported once.
 *
 * Bounded: an LRU of connections, at most CONNS_QUEUE_MAX requests waiting per connection and
 * CONNS_PENDING_MAX in all (the oldest is written early; its response, when it comes, is
 * known to be its), parser buffers under HTTPMSG_BUDGET. Raw bytes are wiped after parsing.
 */
#ifndef CREDWATCH_CONNS_H
#define CREDWATCH_CONNS_H

#include <stdbool.h>
#include <stdint.h>
#include "credwatch_abi.h"
#include "enrich/sdk.h"
#include "intake/http.h"
#include "intake/httpmsg.h"

#define CONNS_QUEUE_MAX	  16
#define CONNS_PENDING_MAX 4096
/* No response after this long: blocked (hop limit 1 drops the PUT's answer; SDKs give up
 * after 1 s). */
#define CONNS_RESPONSE_TIMEOUT_NS (1500ULL * 1000000ULL)

struct conn_req {
	uint64_t ts_boot_ns; /* when its head was complete */
	uint64_t seen_ns;    /* monotonic, for the timeout */
	bool written;	     /* its event went out (timed out, or written early) */
	struct http_request req;
	struct http_class cls;
	struct sdk_info sdk;
};

/* What is written for one request (or one unexpected credentials response). */
struct conn_done {
	const struct cw_ev_endpoint *connect;
	const struct conn_req *r;	/* NULL: a response whose request was not seen */
	int status;			/* HTTP status, 0 when no response was seen */
	bool timed_out;			/* no response within the timeout */
	bool queue_full;		/* written early: too many requests outstanding */
	bool late;			/* a response after the request's event was written */
	const struct http_creds *creds; /* the response delivered credentials, else NULL */
	uint64_t ts_boot_ns;		/* the request's time, or the response's when r NULL */
};

/* A direction of a connection that could not be parsed (written once). */
struct conn_unparsed {
	const struct cw_ev_endpoint *connect;
	uint8_t dir; /* CW_HTTP_EGRESS (requests) / CW_HTTP_INGRESS (responses) */
	enum httpmsg_fail why;
	uint64_t ts_boot_ns;
	uint64_t bytes; /* bytes of that direction seen before it stopped */
};

struct conns;
typedef void (*conns_emit_fn)(void *ctx, const struct conn_done *d);
typedef void (*conns_unparsed_fn)(void *ctx, const struct conn_unparsed *u);

struct conns *conns_new(size_t capacity, conns_emit_fn emit, conns_unparsed_fn unparsed, void *ctx);
void conns_free(struct conns *c);

void conns_connect(struct conns *c, const struct cw_ev_endpoint *ev);
/* One segment record: the caller's private copy (decode pads it out of the read-only ring),
 * which the caller wipes after this returns. */
void conns_http(struct conns *c, const struct cw_ev_http *ev, uint64_t now);
/* Write requests whose response is overdue (all of them, and what parsers hold, with
 * flush_all). Returns the monotonic time of the next deadline, 0 if none. */
uint64_t conns_expire(struct conns *c, uint64_t now, bool flush_all);

struct conns_stats {
	uint64_t requests, responses, credential_responses, unmatched_responses, late_responses,
		orphan_segments, timeouts, queue_full, evictions, evicted_requests;
	uint64_t unparsed[HTTPMSG__COUNT]; /* directions that stopped, by reason */
	uint64_t segments, bytes, retransmitted_bytes, out_of_order, gaps, gap_bytes;
};
const struct conns_stats *conns_stats(const struct conns *c);

#endif
