// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_httpmsg: HTTP/1.x message framing on a reassembled stream (user/intake/httpmsg.c):
 * requests and responses, Content-Length / chunked / close framing, 1xx, HEAD, gaps, the
 * close.
 *
 * Input: a control byte (direction, joined, FIN at the end, a gap), a split seed, the gap's
 * place and size, a HEAD pattern, then the stream bytes. The same stream is fed twice: once in
 * as few pieces as the gap allows, once cut into pieces chosen by the seed (down to byte by
 * byte). The parser promises the same messages however the stream is split ("any split into
 * segments, byte by byte", httpmsg.h), so both runs must report the same requests, responses
 * (with their credentials) and failures, in the same order. Each callback's output is checked
 * for bounds, nothing may be reported after a failure, and every buffer goes back to the
 * budget.
 */
#include "intake/httpmsg.h"
#include "fuzz.h"

struct run {
	uint8_t *log; /* one record per callback */
	size_t len, cap;
	int responses;
	bool failed;
	uint8_t head_pattern; /* bit k: the (k % 8)-th response answers a HEAD */
};

static void log_add(struct run *r, uint8_t tag, const void *p, size_t n)
{
	if (r->len + 1 + n > r->cap) {
		size_t cap = (r->len + 1 + n) * 2;
		uint8_t *nb = realloc(r->log, cap);

		if (!nb)
			abort();
		r->log = nb;
		r->cap = cap;
	}
	r->log[r->len++] = tag;
	memcpy(r->log + r->len, p, n);
	r->len += n;
}

static void check_request(const struct http_request *q)
{
	FUZZ_CHECK(q->status != HTTP_NOT_HTTP, "a request that is not HTTP was handed over");
	FUZZ_CHECK(q->path_len <= HTTP_PATH_MAX && q->path[q->path_len] == 0,
		   "path_len %u (max %d) or no NUL after it", q->path_len, HTTP_PATH_MAX);
	FUZZ_CHECK(q->host_len <= HTTP_HOST_MAX && q->host[q->host_len] == 0, "host_len %u",
		   q->host_len);
	FUZZ_CHECK(q->ua_len <= HTTP_UA_MAX && q->user_agent[q->ua_len] == 0, "ua_len %u",
		   q->ua_len);
	FUZZ_CHECK(FZ_STR(q->method_raw) <= HTTP_METHOD_MAX, "method too long");
	FUZZ_CHECK(q->content_length >= -1, "content_length %lld", (long long)q->content_length);
}

static void on_request(void *ctx, const struct http_request *req)
{
	struct run *r = ctx;

	FUZZ_CHECK(!r->failed, "a request after the direction failed");
	check_request(req);
	log_add(r, 'Q', req, sizeof(*req));
}

static void on_response(void *ctx, const struct http_response *resp, const struct http_creds *c)
{
	struct run *r = ctx;

	FUZZ_CHECK(!r->failed, "a response after the direction failed");
	FUZZ_CHECK(resp->status == HTTP_COMPLETE, "a response with status %d", resp->status);
	FUZZ_CHECK(resp->code >= 200 && resp->code <= 999,
		   "a response with code %u (1xx and "
		   "unknown ones are not answers)",
		   resp->code);
	FZ_STR(c->access_key_id);
	FZ_STR(c->expiration);
	FZ_STR(c->role_arn);
	FZ_STR(c->account_id);
	FZ_STR(c->code);
	FUZZ_CHECK(!c->found || c->access_key_id[0], "credentials found without an access key id");
	r->responses++;
	log_add(r, 'R', resp, sizeof(*resp));
	log_add(r, 'C', c, sizeof(*c));
}

static void on_failed(void *ctx, enum httpmsg_fail why)
{
	struct run *r = ctx;

	FUZZ_CHECK(!r->failed, "failed() twice");
	FUZZ_CHECK(why > HTTPMSG_OK && why < HTTPMSG__COUNT, "failure reason %d", why);
	r->failed = true;
	log_add(r, 'F', &why, sizeof(why));
}

static bool answers_head(void *ctx)
{
	struct run *r = ctx;

	return r->head_pattern >> (r->responses % 8) & 1;
}

static const struct httpmsg_ops ops = { on_request, on_response, on_failed, answers_head };

struct input {
	bool response, joined, fin, gap;
	size_t gap_at, gap_len;
	uint32_t seed;
	uint8_t max_piece; /* 0: the seed decides each piece's size */
	const uint8_t *p;
	size_t n;
};

/* Feed p[0..n) in pieces of `piece` bytes (0: sizes from the seed; SIZE_MAX: at once). */
static void feed(struct httpmsg *h, struct run *r, const uint8_t *p, size_t n, uint32_t *seed,
		 size_t piece)
{
	while (n) {
		size_t k = piece ? piece : 1 + fz_rand(seed) % 96;
		uint8_t *copy;

		if (k > n)
			k = n;
		/* each piece in its own allocation: a read past it is caught */
		copy = malloc(k);
		if (!copy)
			abort();
		memcpy(copy, p, k);
		httpmsg_data(h, &ops, r, copy, k);
		free(copy);
		FUZZ_CHECK(h->len <= h->cap, "len %zu > cap %zu", h->len, h->cap);
		FUZZ_CHECK(httpmsg_buffered() <= HTTPMSG_BUDGET, "%zu bytes buffered",
			   httpmsg_buffered());
		p += k;
		n -= k;
	}
}

/* whole: one piece per side of the gap; otherwise pieces from the seed */
static void run_once(const struct input *in, struct run *r, bool whole)
{
	struct httpmsg h;
	uint32_t seed = in->seed;
	size_t at = in->gap && in->gap_at < in->n ? in->gap_at : in->n;
	size_t piece = whole ? SIZE_MAX : in->max_piece;

	httpmsg_init(&h, in->response, in->joined);
	feed(&h, r, in->p, at, &seed, piece);
	if (at < in->n)
		httpmsg_gap(&h, &ops, r, in->gap_len);
	feed(&h, r, in->p + at, in->n - at, &seed, piece);
	if (in->fin)
		httpmsg_fin(&h, &ops, r);
	httpmsg_free(&h);
	FUZZ_CHECK(h.buf == NULL, "a buffer kept after httpmsg_free");
}

static void describe(const struct run *r, const char *name)
{
	size_t i = 0;

	fprintf(stderr, "%s run:\n", name);
	while (i < r->len) {
		uint8_t tag = r->log[i++];
		struct http_request q;
		struct http_response s;
		struct http_creds c;
		enum httpmsg_fail why;

		if (tag == 'Q') {
			memcpy(&q, r->log + i, sizeof(q));
			fprintf(stderr, "  request %s %.*s (status %d)\n", q.method_raw,
				(int)q.path_len, q.path, q.status);
			i += sizeof(q);
		} else if (tag == 'R') {
			memcpy(&s, r->log + i, sizeof(s));
			fprintf(stderr, "  response %u\n", s.code);
			i += sizeof(s);
		} else if (tag == 'C') {
			memcpy(&c, r->log + i, sizeof(c));
			fprintf(stderr, "    credentials found=%d akid=%s\n", c.found,
				c.access_key_id);
			i += sizeof(c);
		} else {
			memcpy(&why, r->log + i, sizeof(why));
			fprintf(stderr, "  failed: %s\n", httpmsg_fail_name(why));
			i += sizeof(why);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct input in = { 0 };
	struct run a = { 0 }, b = { 0 };
	uint8_t ctl = fz_u8(&f);
	static const uint8_t pieces[8] = { 0, 0, 1, 2, 3, 7, 64, 0 };

	in.response = ctl & 1;
	in.joined = ctl & 2;
	in.fin = ctl & 4;
	in.gap = ctl & 8;
	in.max_piece = pieces[ctl >> 5];
	in.seed = fz_u8(&f) + 1;
	in.gap_at = fz_u16(&f);
	in.gap_len = 1 + fz_u8(&f) * (size_t)((ctl & 16) ? 1000 : 1);
	a.head_pattern = b.head_pattern = fz_u8(&f);
	in.p = f.p;
	in.n = f.n;

	run_once(&in, &a, true);
	FUZZ_CHECK(httpmsg_buffered() == 0, "%zu bytes still counted after httpmsg_free",
		   httpmsg_buffered());
	run_once(&in, &b, false);
	FUZZ_CHECK(httpmsg_buffered() == 0, "%zu bytes still counted after httpmsg_free",
		   httpmsg_buffered());
	if (a.len != b.len || (a.len && memcmp(a.log, b.log, a.len))) {
		describe(&a, "whole");
		describe(&b, "split");
		FUZZ_CHECK(false,
			   "the same %s stream (%zu bytes, joined %d) gives other messages "
			   "when it is split differently",
			   in.response ? "response" : "request", in.n, in.joined);
	}
	free(a.log);
	free(b.log);
	return 0;
}
