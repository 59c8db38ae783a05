/* SPDX-License-Identifier: GPL-2.0 */
/*
 * conns: HTTP on connections to credential endpoints. A connection is known
 * from its endpoint_connect record (socket cookie -> who connected, where).
 * Each request segment the packet hooks capture is parsed at once (the raw
 * bytes, which may hold the IMDSv2 token or an Authorization token, are wiped
 * right after) and queued on its connection until the response's status line
 * arrives or CONNS_RESPONSE_TIMEOUT_NS passes; then one imds_request /
 * agent_request event is written. Bounded: an LRU of connections, a short
 * queue per connection (an overflowing request is written without a status).
 */
#ifndef CREDWATCH_CONNS_H
#define CREDWATCH_CONNS_H

#include <stdbool.h>
#include <stdint.h>
#include "credwatch_abi.h"
#include "intake/http.h"
#include "enrich/sdk.h"

#define CONNS_QUEUE 2
/* No response after this long: blocked (hop limit 1 drops the PUT's answer;
 * SDKs give up after 1 s). */
#define CONNS_RESPONSE_TIMEOUT_NS (1500ULL * 1000000ULL)

struct conn_req {
	uint64_t ts_boot_ns; /* when the request left */
	uint64_t seen_ns;    /* monotonic, for the timeout */
	uint32_t seg_len;
	struct http_request req;
	struct http_class cls;
	struct sdk_info sdk;
};

/* What is written for one request. */
struct conn_done {
	const struct cw_ev_endpoint *connect; /* NULL if the connection was not seen */
	const struct conn_req *r;
	int status;	 /* HTTP status, or 0 when none was seen */
	bool timed_out;	 /* no response within the timeout */
	bool queue_full; /* written early: too many requests outstanding */
};

struct conns;
typedef void (*conns_emit_fn)(void *ctx, const struct conn_done *d);

struct conns *conns_new(size_t capacity, conns_emit_fn emit, void *ctx);
void conns_free(struct conns *c);

void conns_connect(struct conns *c, const struct cw_ev_endpoint *ev);
/* Parses an http record (a private copy, wiped after parsing). */
void conns_http(struct conns *c, const struct cw_ev_http *ev, uint64_t now);
/* Write requests whose response is overdue (all of them with flush_all).
 * Returns the monotonic time of the next deadline, 0 if none. */
uint64_t conns_expire(struct conns *c, uint64_t now, bool flush_all);

struct conns_stats {
	uint64_t requests, responses, unmatched_responses, orphan_requests, not_http,
		head_truncated, timeouts, queue_full, evictions, evicted_requests;
};
const struct conns_stats *conns_stats(const struct conns *c);

#endif
