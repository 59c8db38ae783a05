// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "intake/httpmsg.h"
#include "util/names.h"

static const char *const fail_names[HTTPMSG__COUNT] = {
	[HTTPMSG_OK] = "ok",
	[HTTPMSG_NOT_HTTP] = "not_http",
	[HTTPMSG_HEAD_TOO_LONG] = "head_too_long",
	[HTTPMSG_GAP] = "capture_gap",
	[HTTPMSG_TRUNCATED] = "truncated_at_close",
	[HTTPMSG_BAD_FRAMING] = "bad_framing",
	[HTTPMSG_NO_MEMORY] = "agent_buffer_full",
};

const char *httpmsg_fail_name(unsigned int f)
{
	return NAME_OF(fail_names, f, "unknown");
}

/* every parser's buffers together, against HTTPMSG_BUDGET */
static size_t buffered;

size_t httpmsg_buffered(void)
{
	return buffered;
}

void httpmsg_init(struct httpmsg *h, bool response, bool joined)
{
	memset(h, 0, sizeof(*h));
	h->response = response;
	h->joined = joined;
}

static void buf_drop(struct httpmsg *h)
{
	if (h->buf) {
		explicit_bzero(h->buf, h->cap);
		free(h->buf);
		buffered -= h->cap;
	}
	h->buf = NULL;
	h->len = h->cap = 0;
}

void httpmsg_free(struct httpmsg *h)
{
	buf_drop(h);
	h->st = HM_FAILED;
}

/* Make room for `want` bytes in total. Never realloc: the old block may hold secrets. */
static bool buf_reserve(struct httpmsg *h, size_t want)
{
	size_t cap = h->cap ? h->cap : 256;
	uint8_t *nb;

	if (want <= h->cap)
		return true;
	while (cap < want)
		cap *= 2;
	if (buffered - h->cap + cap > HTTPMSG_BUDGET || !(nb = malloc(cap)))
		return false;
	if (h->len)
		memcpy(nb, h->buf, h->len);
	if (h->buf) {
		explicit_bzero(h->buf, h->cap);
		free(h->buf);
	}
	buffered += cap - h->cap;
	h->buf = nb;
	h->cap = cap;
	return true;
}

static void buf_clear(struct httpmsg *h)
{
	if (h->len)
		explicit_bzero(h->buf, h->len);
	h->len = 0;
	/* small messages are the norm: give big buffers back */
	if (h->cap > 1024)
		buf_drop(h);
}

static void fail(struct httpmsg *h, const struct httpmsg_ops *ops, void *ctx, enum httpmsg_fail why)
{
	buf_drop(h);
	h->st = HM_FAILED;
	ops->failed(ctx, why);
}

/* RFC 9110 token characters (5.6.2) */
static bool is_tchar(uint8_t c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Bytes of p that are CR or LF, from its start. */
static size_t strspn_crlf(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n && (p[i] == '\r' || p[i] == '\n'))
		i++;
	return i;
}

/*
 * Empty lines (RFC 9112 2.2), then a method token not ended yet: what any request starts
 * with while it is still arriving. http_parse_request() refuses such a prefix when the token
 * cannot become a method it knows (right for one segment's capture); a stream that is still
 * arriving must wait for the byte after the token, or the same request split after "\r\n"
 * or inside its method would be taken for something that is not HTTP.
 */
static bool request_start(const uint8_t *p, size_t n)
{
	size_t i = strspn_crlf(p, n), m = 0;

	for (; i < n; i++, m++)
		if (!is_tchar(p[i]))
			return false;
	return m <= HTTP_METHOD_MAX;
}

/* Could buf[0..len) still be the start of a message of this direction? */
static bool plausible(const struct httpmsg *h)
{
	if (h->response) {
		struct http_response r;

		return http_parse_response(h->buf, h->len, &r) != HTTP_NOT_HTTP;
	} else {
		struct http_request r;
		bool ok = http_parse_request(h->buf, h->len, &r) != HTTP_NOT_HTTP;

		explicit_bzero(&r, sizeof(r));
		return ok || request_start(h->buf, h->len);
	}
}

/* A joined direction: drop the bytes up to the next line end, so the next line is tried. When
 * the line has not ended yet, the rest of it is skipped as it arrives (mid_line). */
static bool resync(struct httpmsg *h)
{
	uint8_t *nl = memchr(h->buf, '\n', h->len);
	size_t drop = nl ? (size_t)(nl + 1 - h->buf) : h->len;

	if (!drop)
		drop = 1;
	h->mid_line = !nl;
	h->skipped += drop;
	memmove(h->buf, h->buf + drop, h->len - drop);
	explicit_bzero(h->buf + h->len - drop, drop);
	h->len -= drop;
	return h->skipped <= HTTPMSG_RESYNC_MAX;
}

static void finish_response(struct httpmsg *h, const struct httpmsg_ops *ops, void *ctx)
{
	struct http_creds creds = { 0 };

	if (h->scan && h->len)
		http_scan_credentials(h->buf, h->len, &creds);
	buf_clear(h);
	h->scan = false;
	h->st = HM_HEAD;
	ops->response(ctx, &h->resp, &creds);
	explicit_bzero(&creds, sizeof(creds));
}

static void finish_body(struct httpmsg *h, const struct httpmsg_ops *ops, void *ctx)
{
	if (h->response) {
		finish_response(h, ops, ctx);
	} else {
		buf_clear(h);
		h->st = HM_HEAD;
	}
}

/* The head buf[0..he) is complete: parse it, choose how its body is framed. */
static void head_done(struct httpmsg *h, const struct httpmsg_ops *ops, void *ctx, size_t he)
{
	if (!h->response) {
		struct http_request req;

		if (http_parse_request(h->buf, he, &req) == HTTP_NOT_HTTP) {
			explicit_bzero(&req, sizeof(req));
			fail(h, ops, ctx, HTTPMSG_NOT_HTTP);
			return;
		}
		buf_clear(h);
		ops->request(ctx, &req);
		if (req.chunked) {
			h->st = HM_CHUNK_SIZE;
		} else if (req.content_length > 0) {
			h->body_left = (uint64_t)req.content_length;
			h->st = HM_BODY;
		} else {
			h->st = HM_HEAD;
		}
		explicit_bzero(&req, sizeof(req));
		return;
	}
	http_parse_response_head(h->buf, he, &h->resp);
	buf_clear(h);
	if (h->resp.status != HTTP_COMPLETE) {
		fail(h, ops, ctx, HTTPMSG_NOT_HTTP);
		return;
	}
	if (h->resp.code == 101) {
		fail(h, ops, ctx, HTTPMSG_NOT_HTTP); /* another protocol from here on */
		return;
	}
	if (h->resp.code < 200) {
		h->st = HM_HEAD; /* 1xx: informational, the real response follows */
		return;
	}
	h->scan = true;
	if (ops->answers_head(ctx) || h->resp.code == 204 || h->resp.code == 304) {
		finish_response(h, ops, ctx);
	} else if (h->resp.chunked) {
		h->st = HM_CHUNK_SIZE;
	} else if (h->resp.content_length >= 0) {
		h->body_left = (uint64_t)h->resp.content_length;
		h->st = HM_BODY;
		if (!h->body_left)
			finish_response(h, ops, ctx);
	} else {
		h->st = HM_BODY_CLOSE;
	}
}

/* Keep response body bytes to look for credentials: only a JSON object, only its start. */
static void keep_body(struct httpmsg *h, const uint8_t *p, size_t n)
{
	size_t room;

	if (!h->scan)
		return;
	if (!h->len) {
		while (n && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
			p++;
			n--;
		}
		if (!n)
			return;
		if (*p != '{') {
			h->scan = false; /* not a credentials document */
			return;
		}
	}
	room = HTTPMSG_BODY_SCAN - h->len;
	if (n > room)
		n = room;
	if (!n || !buf_reserve(h, h->len + n))
		return;
	memcpy(h->buf + h->len, p, n);
	h->len += n;
}

/* Consume HEAD-state input: returns the bytes of p taken. */
static size_t on_head(struct httpmsg *h, const struct httpmsg_ops *ops, void *ctx, const uint8_t *p,
		      size_t n)
{
	size_t old = h->len, take = n, he;

	if (h->mid_line) {
		/* joined: the rest of a line that cannot start a message, however it is split */
		const uint8_t *nl = memchr(p, '\n', n);

		take = nl ? (size_t)(nl + 1 - p) : n;
		h->mid_line = !nl;
		h->skipped += take;
		if (h->skipped > HTTPMSG_RESYNC_MAX)
			fail(h, ops, ctx, HTTPMSG_NOT_HTTP);
		return take;
	}
	if (take > HTTPMSG_HEAD_MAX - old)
		take = HTTPMSG_HEAD_MAX - old;
	if (!buf_reserve(h, old + take)) {
		fail(h, ops, ctx, HTTPMSG_NO_MEMORY);
		return n;
	}
	memcpy(h->buf + old, p, take);
	h->len += take;
	while (h->len && !plausible(h)) {
		if (!h->joined) {
			fail(h, ops, ctx, HTTPMSG_NOT_HTTP);
			return n;
		}
		if (!resync(h)) {
			fail(h, ops, ctx, HTTPMSG_NOT_HTTP);
			return n;
		}
	}
	if (!h->len)
		return take; /* all skipped (resync) */
	he = http_head_end(h->buf, h->len);
	if (!he) {
		if (h->len >= HTTPMSG_HEAD_MAX)
			fail(h, ops, ctx, HTTPMSG_HEAD_TOO_LONG);
		return take;
	}
	/* a whole head: in sync from here (not before: a plausible start may still turn out to be
	 * the middle of a line, whichever byte the segment ended on) */
	h->joined = false;
	/* bytes after the head's end are the body or the next message: given back */
	if (he < h->len) {
		size_t back = h->len - he;

		explicit_bzero(h->buf + he, back);
		h->len = he;
		take -= back;
	}
	head_done(h, ops, ctx, he);
	return take;
}

/* A chunk-size line ("1a;ext\r\n") or a trailer line, byte by byte: returns the bytes taken. */
static size_t on_line(struct httpmsg *h, const struct httpmsg_ops *ops, void *ctx, const uint8_t *p,
		      size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		int v;

		if (c == '\n') {
			if (h->st == HM_TRAILERS) {
				if (!h->line_len)
					finish_body(h, ops,
						    ctx); /* the empty line ends the message */
				h->line_len = 0;
				return i + 1;
			}
			if (!h->chunk_digits) {
				fail(h, ops, ctx, HTTPMSG_BAD_FRAMING);
				return n;
			}
			h->body_left = h->chunk_size;
			h->st = h->chunk_size ? HM_CHUNK_DATA : HM_TRAILERS;
			h->chunk_size = h->chunk_digits = 0;
			h->chunk_ext = false;
			h->line_len = 0;
			return i + 1;
		}
		if (c == '\r')
			continue;
		if (h->st == HM_TRAILERS) {
			h->line_len++;
			continue;
		}
		v = c >= '0' && c <= '9'		     ? c - '0'
		    : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10
							     : -1;
		if (v < 0 || h->chunk_ext) {
			h->chunk_ext = true; /* extensions (or junk) up to the line end: ignored */
			continue;
		}
		if (++h->chunk_digits > 15) {
			fail(h, ops, ctx, HTTPMSG_BAD_FRAMING);
			return n;
		}
		h->chunk_size = h->chunk_size * 16 + (uint64_t)v;
	}
	return n;
}

void httpmsg_data(struct httpmsg *h, const struct httpmsg_ops *ops, void *ctx, const uint8_t *p,
		  size_t n)
{
	while (n && h->st != HM_FAILED) {
		size_t used = 0, m, len0 = h->len;
		enum httpmsg_state st0 = h->st;

		switch (h->st) {
		case HM_HEAD:
			used = on_head(h, ops, ctx, p, n);
			break;
		case HM_BODY:
		case HM_CHUNK_DATA:
			m = n < h->body_left ? n : (size_t)h->body_left;
			if (h->response)
				keep_body(h, p, m);
			h->body_left -= m;
			used = m;
			if (!h->body_left) {
				if (h->st == HM_CHUNK_DATA)
					h->st = HM_CHUNK_CRLF;
				else
					finish_body(h, ops, ctx);
			}
			break;
		case HM_BODY_CLOSE:
			keep_body(h, p, n);
			used = n;
			break;
		case HM_CHUNK_CRLF:
			if (*p == '\r') {
				used = 1;
			} else if (*p == '\n') {
				used = 1;
				h->st = HM_CHUNK_SIZE;
			} else {
				fail(h, ops, ctx, HTTPMSG_BAD_FRAMING);
				used = n;
			}
			break;
		case HM_CHUNK_SIZE:
		case HM_TRAILERS:
			used = on_line(h, ops, ctx, p, n);
			break;
		default:
			used = n;
			break;
		}
		/* Never loop without progress. A head whose empty line was a CR at the end of the
		 * previous piece ends before this one: none of its bytes were taken, yet the head
		 * is done (its bytes are the next message's, not to be skipped). */
		if (!used && h->st == st0 && h->len == len0)
			used = 1;
		if (used > n)
			used = n;
		p += used;
		n -= used;
	}
}

void httpmsg_gap(struct httpmsg *h, const struct httpmsg_ops *ops, void *ctx, size_t n)
{
	switch (h->st) {
	case HM_FAILED:
		return;
	case HM_BODY:
	case HM_CHUNK_DATA:
		if (n <= h->body_left) {
			/* skipped body bytes: a kept body has a hole, so it is not scanned */
			h->body_left -= n;
			h->scan = false;
			if (!h->body_left) {
				if (h->st == HM_CHUNK_DATA)
					h->st = HM_CHUNK_CRLF;
				else
					finish_body(h, ops, ctx);
			}
			return;
		}
		break;
	case HM_BODY_CLOSE:
		h->scan = false;
		return;
	case HM_HEAD:
		if (h->joined && !h->len) {
			h->skipped += n; /* still looking for the start of a message */
			if (h->skipped <= HTTPMSG_RESYNC_MAX)
				return;
		}
		break;
	default:
		break;
	}
	fail(h, ops, ctx, HTTPMSG_GAP);
}

void httpmsg_fin(struct httpmsg *h, const struct httpmsg_ops *ops, void *ctx)
{
	switch (h->st) {
	case HM_HEAD:
		/* a message start cut by the close (empty lines alone are not one) */
		if (h->len && h->len != strspn_crlf(h->buf, h->len)) {
			fail(h, ops, ctx, HTTPMSG_TRUNCATED);
			return;
		}
		break;
	case HM_BODY_CLOSE:
	case HM_BODY:
	case HM_CHUNK_DATA:
	case HM_CHUNK_CRLF:
	case HM_CHUNK_SIZE:
	case HM_TRAILERS:
		/* the body ends with the connection: what arrived is the response */
		if (h->response)
			finish_response(h, ops, ctx);
		break;
	default:
		break;
	}
	buf_drop(h);
	if (h->st != HM_FAILED)
		h->st = HM_HEAD;
}
