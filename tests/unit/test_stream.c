// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for intake/stream.c (TCP reassembly) and intake/httpmsg.c (HTTP framing on the
 * reassembled stream): the shapes an attacker can give a request (split anywhere, byte by
 * byte, retransmitted, out of order, pipelined, leading empty lines, chunked) must all come
 * out as the same requests; what cannot be framed must say why.
 */
#include <stdlib.h>
#include <string.h>
#include "credwatch_abi.h"
#include "intake/httpmsg.h"
#include "intake/stream.h"
#include "unit.h"

/* --- a recording consumer ----------------------------------------------------------------- */

struct rec {
	char data[16384];
	size_t len;
	size_t gaps, gap_bytes;
	int fins;
	size_t after_fin; /* data and gap bytes handed over after fin() */
};

static void r_data(void *ctx, const uint8_t *p, size_t n)
{
	struct rec *r = ctx;

	if (r->fins)
		r->after_fin += n;
	if (r->len + n <= sizeof(r->data)) {
		memcpy(r->data + r->len, p, n);
		r->len += n;
	}
}

static void r_gap(void *ctx, size_t n)
{
	struct rec *r = ctx;

	if (r->fins)
		r->after_fin += n;
	r->gaps++;
	r->gap_bytes += n;
}

static void r_fin(void *ctx)
{
	((struct rec *)ctx)->fins++;
}

static const struct stream_ops rops = { r_data, r_gap, r_fin };

static void seg(struct stream *s, struct rec *r, struct stream_stats *st, uint32_t seq,
		const char *d, uint32_t len, uint8_t flags)
{
	stream_segment(s, &rops, r, st, seq, (const uint8_t *)d, len, len, flags);
}

static void test_in_order_and_syn(void)
{
	struct stream s = { 0 };
	struct stream_stats st = { 0 };
	struct rec r = { 0 };

	seg(&s, &r, &st, 1000, "", 0, CW_TCP_SYN);
	seg(&s, &r, &st, 1001, "GET ", 4, 0);
	seg(&s, &r, &st, 1005, "/x", 2, 0);
	seg(&s, &r, &st, 1007, "", 0, CW_TCP_FIN);
	ASSERT_EQ(r.len, 6);
	ASSERT_TRUE(!memcmp(r.data, "GET /x", 6));
	ASSERT_EQ(r.fins, 1);
	ASSERT_EQ(r.gaps, 0);
	ASSERT_FALSE(s.joined);
	ASSERT_EQ(st.segments, 4);
	stream_free(&s);
}

static void test_retransmission_and_overlap(void)
{
	struct stream s = { 0 };
	struct stream_stats st = { 0 };
	struct rec r = { 0 };

	seg(&s, &r, &st, 0, "", 0, CW_TCP_SYN);
	seg(&s, &r, &st, 1, "abcdef", 6, 0);
	seg(&s, &r, &st, 1, "abcdef", 6, 0); /* the same segment again */
	seg(&s, &r, &st, 4, "defghi", 6, 0); /* overlapping: only "ghi" is new */
	ASSERT_EQ(r.len, 9);
	ASSERT_TRUE(!memcmp(r.data, "abcdefghi", 9));
	ASSERT_EQ(st.retransmitted_bytes, 9);
	stream_free(&s);
}

static void test_out_of_order(void)
{
	struct stream s = { 0 };
	struct stream_stats st = { 0 };
	struct rec r = { 0 };

	seg(&s, &r, &st, 99, "", 0, CW_TCP_SYN);
	seg(&s, &r, &st, 104, "world", 5, 0); /* ahead of a hole */
	ASSERT_EQ(r.len, 0);
	ASSERT_EQ(st.out_of_order, 1);
	seg(&s, &r, &st, 100, "hell", 4, 0); /* fills it */
	ASSERT_EQ(r.len, 9);
	ASSERT_TRUE(!memcmp(r.data, "hellworld", 9));
	ASSERT_EQ(r.gaps, 0);
	stream_free(&s);
}

static void test_hole_given_up(void)
{
	struct stream s = { 0 };
	struct stream_stats st = { 0 };
	struct rec r = { 0 };

	seg(&s, &r, &st, 0, "", 0, CW_TCP_SYN);
	seg(&s, &r, &st, 11, "tail", 4, 0);
	stream_flush(&s, &rops, &r, &st);
	ASSERT_EQ(r.gaps, 1);
	ASSERT_EQ(r.gap_bytes, 10);
	ASSERT_EQ(r.len, 4);
	stream_free(&s);
}

static void test_cut_segment_is_a_gap(void)
{
	struct stream s = { 0 };
	struct stream_stats st = { 0 };
	struct rec r = { 0 };

	seg(&s, &r, &st, 0, "", 0, CW_TCP_SYN);
	/* 10 bytes on the wire, 4 captured */
	stream_segment(&s, &rops, &r, &st, 1, (const uint8_t *)"abcd", 4, 10, 0);
	seg(&s, &r, &st, 11, "next", 4, 0);
	ASSERT_EQ(r.len, 8);
	ASSERT_EQ(r.gaps, 1);
	ASSERT_EQ(r.gap_bytes, 6);
	stream_free(&s);
}

static void test_wraparound_and_join(void)
{
	struct stream s = { 0 };
	struct stream_stats st = { 0 };
	struct rec r = { 0 };

	/* joined mid-stream (no SYN), across the 2^32 wrap */
	seg(&s, &r, &st, 0xfffffffeu, "ab", 2, 0);
	seg(&s, &r, &st, 0, "cd", 2, 0);
	seg(&s, &r, &st, 0xffffffffu, "bc", 2, 0); /* old */
	ASSERT_TRUE(s.joined);
	ASSERT_EQ(r.len, 4);
	ASSERT_TRUE(!memcmp(r.data, "abcd", 4));
	stream_free(&s);
}

static void test_ooo_bounded(void)
{
	struct stream s = { 0 };
	struct stream_stats st = { 0 };
	struct rec r = { 0 };

	seg(&s, &r, &st, 0, "", 0, CW_TCP_SYN);
	/* more held segments than allowed: the hole before them is given up, nothing grows */
	for (int i = 0; i < STREAM_OOO_MAX + 3; i++)
		seg(&s, &r, &st, 100 + 10 * i, "0123456789", 10, 0);
	ASSERT_TRUE(s.nooo <= STREAM_OOO_MAX);
	ASSERT_TRUE(r.gaps >= 1);
	ASSERT_EQ(r.len, (STREAM_OOO_MAX + 3) * 10 - s.nooo * 10);
	stream_free(&s);
}

/* Found by fuzzing (tests/fuzz/fuzz_stream): a bare FIN held ahead of a hole has no captured
 * bytes (data NULL); it was wiped with explicit_bzero(NULL, 0), undefined behaviour. */
static void test_held_bare_fin(void)
{
	struct stream s = { 0 };
	struct stream_stats st = { 0 };
	struct rec r = { 0 };

	seg(&s, &r, &st, 0, "", 0, CW_TCP_SYN);
	seg(&s, &r, &st, 5, "", 0, CW_TCP_FIN); /* ahead of "abcd" */
	seg(&s, &r, &st, 9, "", 0, CW_TCP_RST); /* another one, dropped at the close */
	ASSERT_EQ(s.nooo, 2);
	seg(&s, &r, &st, 1, "abcd", 4, 0);
	ASSERT_EQ(r.len, 4);
	ASSERT_EQ(r.fins, 1);
	ASSERT_EQ(s.nooo, 0);
	stream_free(&s);
}

/* Found by fuzzing: segments held beyond a FIN were handed over after fin(), when the FIN
 * arrived in order (drain) or when giving up a hole reached a held FIN. */
static void test_nothing_after_fin(void)
{
	struct stream s = { 0 };
	struct stream_stats st = { 0 };
	struct rec r = { 0 };

	seg(&s, &r, &st, 0, "", 0, CW_TCP_SYN);
	seg(&s, &r, &st, 11, "beyond", 6, 0);		   /* held, past the FIN below */
	seg(&s, &r, &st, 1, "0123456789", 10, CW_TCP_FIN); /* data, then the close at 11 */
	ASSERT_EQ(r.fins, 1);
	ASSERT_EQ(r.len, 10);
	ASSERT_EQ(r.after_fin, 0);
	stream_flush(&s, &rops, &r, &st);
	ASSERT_EQ(r.after_fin, 0);
	stream_free(&s);

	/* the table is full; giving its first hole up reaches a held FIN: the new segment,
	 * past that FIN, is neither handed over nor held */
	memset(&r, 0, sizeof(r));
	memset(&st, 0, sizeof(st));
	seg(&s, &r, &st, 0, "", 0, CW_TCP_SYN);
	seg(&s, &r, &st, 10, "", 0, CW_TCP_FIN);
	for (int i = 1; i < STREAM_OOO_MAX; i++)
		seg(&s, &r, &st, 100 + 10 * i, "0123456789", 10, 0);
	ASSERT_EQ(s.nooo, STREAM_OOO_MAX);
	seg(&s, &r, &st, 500, "late", 4, 0);
	ASSERT_EQ(r.fins, 1);
	ASSERT_EQ(r.after_fin, 0);
	ASSERT_EQ(s.nooo, 0);
	stream_flush(&s, &rops, &r, &st);
	ASSERT_EQ(r.after_fin, 0);
	stream_free(&s);
}

/* Found by fuzzing: a hole was given up once per new segment, which could leave more than
 * STREAM_OOO_BYTES held (a small first segment given up for a big new one). */
static void test_ooo_bytes_bounded(void)
{
	static char big[4000];
	struct stream s = { 0 };
	struct stream_stats st = { 0 };
	struct rec r = { 0 };

	memset(big, 'b', sizeof(big));
	seg(&s, &r, &st, 0, "", 0, CW_TCP_SYN);
	seg(&s, &r, &st, 100, "0123456789", 10, 0);
	for (int i = 0; i < 4; i++)
		seg(&s, &r, &st, 1000 + 5000 * i, big, sizeof(big), 0);
	ASSERT_EQ(s.ooo_bytes, 10 + 4 * sizeof(big));
	seg(&s, &r, &st, 30000, big, sizeof(big), 0);
	ASSERT_TRUE(s.ooo_bytes <= STREAM_OOO_BYTES);
	/* nothing lost on the way: every byte is handed over as data or as a gap */
	stream_flush(&s, &rops, &r, &st);
	ASSERT_EQ(st.bytes, 10 + 5 * sizeof(big));
	ASSERT_EQ(st.bytes + st.gap_bytes, 30000 + sizeof(big) - 1);
	ASSERT_EQ(st.gap_bytes, r.gap_bytes);
	stream_free(&s);
}

/* --- httpmsg ------------------------------------------------------------------------------ */

struct msgs {
	int requests, responses, creds;
	char paths[8][64];
	char methods[8][HTTP_METHOD_MAX + 1];
	bool token[8];
	int codes[8];
	char akid[8][HTTP_AKID_MAX + 1];
	enum httpmsg_fail failed;
	int nfailed;
	bool head_next;
};

static void m_request(void *ctx, const struct http_request *req)
{
	struct msgs *m = ctx;

	if (m->requests < 8) {
		snprintf(m->paths[m->requests], sizeof(m->paths[0]), "%.*s", (int)req->path_len,
			 req->path);
		snprintf(m->methods[m->requests], sizeof(m->methods[0]), "%s", req->method_raw);
		m->token[m->requests] = req->has_token;
	}
	m->requests++;
}

static void m_response(void *ctx, const struct http_response *resp, const struct http_creds *c)
{
	struct msgs *m = ctx;

	if (m->responses < 8) {
		m->codes[m->responses] = resp->code;
		snprintf(m->akid[m->responses], sizeof(m->akid[0]), "%s",
			 c->found ? c->access_key_id : "");
	}
	m->responses++;
	m->creds += c->found;
}

static void m_failed(void *ctx, enum httpmsg_fail why)
{
	struct msgs *m = ctx;

	m->failed = why;
	m->nfailed++;
}

static bool m_head(void *ctx)
{
	return ((struct msgs *)ctx)->head_next;
}

static const struct httpmsg_ops mops = { m_request, m_response, m_failed, m_head };

/* Feed s to a parser in pieces of `step` bytes (0: all at once). */
static void feed(struct httpmsg *h, struct msgs *m, const char *s, size_t len, size_t step)
{
	if (!step)
		step = len;
	for (size_t i = 0; i < len; i += step)
		httpmsg_data(h, &mops, m, (const uint8_t *)s + i, len - i < step ? len - i : step);
}

#define REQ_CREDS                                                                     \
	"GET /latest/meta-data/iam/security-credentials/node-role HTTP/1.1\r\nHost: " \
	"169.254.169.254"                                                             \
	"\r\nX-aws-ec2-metadata-token: SECRETTOKEN\r\n\r\n"

static void test_request_any_split(void)
{
	static const char req[] = REQ_CREDS;

	/* every split size gives the same one request, with its token header */
	for (size_t step = 1; step <= sizeof(req); step++) {
		struct httpmsg h;
		struct msgs m = { 0 };

		httpmsg_init(&h, false, false);
		feed(&h, &m, req, sizeof(req) - 1, step);
		if (m.requests != 1 ||
		    strcmp(m.paths[0], "/latest/meta-data/iam/security-"
				       "credentials/node-role") ||
		    !m.token[0] || m.nfailed) {
			UNIT_FAIL("split every %zu bytes: %d requests, path '%s', token %d, failed "
				  "%d",
				  step, m.requests, m.paths[0], m.token[0], m.nfailed);
			httpmsg_free(&h);
			return;
		}
		httpmsg_free(&h);
	}
	UNIT_OK();
}

static void test_pipelined_crlf_body(void)
{
	static const char in[] =
		"\r\n\r\nGET /a HTTP/1.1\r\nHost: x\r\n\r\n"
		"PUT /latest/api/token HTTP/1.1\r\nContent-Length: 5\r\n\r\nHELLO"
		"POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
		"GET /c HTTP/1.1\r\n\r\n";
	struct httpmsg h;
	struct msgs m = { 0 };

	httpmsg_init(&h, false, false);
	feed(&h, &m, in, sizeof(in) - 1, 7);
	ASSERT_EQ(m.requests, 4);
	ASSERT_STREQ(m.paths[0], "/a");
	ASSERT_STREQ(m.paths[1], "/latest/api/token");
	ASSERT_STREQ(m.paths[2], "/b");
	ASSERT_STREQ(m.paths[3], "/c");
	ASSERT_EQ(m.nfailed, 0);
	httpmsg_free(&h);
}

static void test_not_http_and_limits(void)
{
	struct httpmsg h;
	struct msgs m = { 0 };
	char big[HTTPMSG_HEAD_MAX + 100];

	httpmsg_init(&h, false, false);
	feed(&h, &m, "\x16\x03\x01\x02\x00", 5, 0);
	ASSERT_EQ(m.nfailed, 1);
	ASSERT_EQ(m.failed, HTTPMSG_NOT_HTTP);
	/* nothing more is looked at, nothing reported twice */
	feed(&h, &m, REQ_CREDS, sizeof(REQ_CREDS) - 1, 0);
	ASSERT_EQ(m.requests, 0);
	ASSERT_EQ(m.nfailed, 1);
	httpmsg_free(&h);

	memset(&m, 0, sizeof(m));
	httpmsg_init(&h, false, false);
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
	memset(big + 19, 'a', sizeof(big) - 19);
	feed(&h, &m, big, sizeof(big), 1000);
	ASSERT_EQ(m.failed, HTTPMSG_HEAD_TOO_LONG);
	httpmsg_free(&h);

	/* a head cut by the close */
	memset(&m, 0, sizeof(m));
	httpmsg_init(&h, false, false);
	feed(&h, &m, "GET /latest/meta", 16, 0);
	httpmsg_fin(&h, &mops, &m);
	ASSERT_EQ(m.failed, HTTPMSG_TRUNCATED);
	httpmsg_free(&h);

	/* a gap inside a head */
	memset(&m, 0, sizeof(m));
	httpmsg_init(&h, false, false);
	feed(&h, &m, "GET /lat", 8, 0);
	httpmsg_gap(&h, &mops, &m, 10);
	ASSERT_EQ(m.failed, HTTPMSG_GAP);
	httpmsg_free(&h);
}

#define CREDS_JSON                                                                          \
	"{\"Code\":\"Success\",\"AccessKeyId\":\"ASIATEST0000000001\",\"SecretAccessKey\":" \
	"\"SECRETVALUE\",\"Token\":\"TOKENVALUE\",\"Expiration\":\"2026-11-30T06:00:00Z\"}"

static void test_responses(void)
{
	char in[2048];
	struct httpmsg h;
	struct msgs m = { 0 };
	int n;

	n = snprintf(in, sizeof(in),
		     "HTTP/1.1 100 Continue\r\n\r\n"
		     "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s"
		     "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n"
		     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		     "5\r\n{\"Acc\r\n%zx;ext=1\r\n%s\r\n0\r\nX-Trailer: y\r\n\r\n",
		     strlen(CREDS_JSON), CREDS_JSON, strlen(CREDS_JSON + 5), CREDS_JSON + 5);
	httpmsg_init(&h, true, false);
	for (int step = 1; step <= 64; step *= 4) {
		memset(&m, 0, sizeof(m));
		httpmsg_free(&h);
		httpmsg_init(&h, true, false);
		feed(&h, &m, in, (size_t)n, (size_t)step);
		ASSERT_EQ(m.responses, 3); /* the 100 is not an answer */
		ASSERT_EQ(m.codes[0], 200);
		ASSERT_STREQ(m.akid[0], "ASIATEST0000000001");
		ASSERT_EQ(m.codes[1], 401);
		ASSERT_STREQ(m.akid[2], "ASIATEST0000000001"); /* across chunks */
		ASSERT_EQ(m.creds, 2);
		ASSERT_EQ(m.nfailed, 0);
	}
	httpmsg_free(&h);

	/* an answer to HEAD has no body, however long its Content-Length */
	memset(&m, 0, sizeof(m));
	m.head_next = true;
	httpmsg_init(&h, true, false);
	feed(&h, &m, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nHTTP/1.1 204 No\r\n\r\n", 60,
	     0);
	ASSERT_EQ(m.responses, 2);
	httpmsg_free(&h);

	/* a body until the close */
	memset(&m, 0, sizeof(m));
	httpmsg_init(&h, true, false);
	feed(&h, &m, "HTTP/1.0 200 OK\r\n\r\n" CREDS_JSON, 19 + strlen(CREDS_JSON), 3);
	ASSERT_EQ(m.responses, 0);
	httpmsg_fin(&h, &mops, &m);
	ASSERT_EQ(m.responses, 1);
	ASSERT_EQ(m.creds, 1);
	httpmsg_free(&h);
}

static void test_joined_resync(void)
{
	static const char in[] =
		"tials/node-role HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\n\r\n";
	struct httpmsg h;
	struct msgs m = { 0 };

	/* started mid-request: skipped to the next message, which is parsed */
	httpmsg_init(&h, false, true);
	feed(&h, &m, in, sizeof(in) - 1, 5);
	ASSERT_EQ(m.requests, 1);
	ASSERT_STREQ(m.paths[0], "/next");
	ASSERT_EQ(m.nfailed, 0);
	httpmsg_free(&h);
}

/* Found by fuzzing (tests/fuzz/fuzz_httpmsg): a request whose first piece ended after its
 * leading empty line, or inside a method token the one-segment parser does not know, was
 * taken for something that is not HTTP; in one piece it was a request. */
static void test_split_after_crlf_or_in_method(void)
{
	static const char *const shapes[][3] = {
		{ "\r\n", "GET /latest/meta-data/iam/security-credentials/r HTTP/1.1\r\n\r\n" },
		{ "\r\n\r\n", "GET /latest/meta-data/iam/security-credentials/r HTTP/1.1\r\n\r\n" },
		{ "PROP", "FIND /latest/meta-data/iam/security-credentials/r HTTP/1.1\r\n\r\n" },
		{ "g", "et /latest/meta-data/iam/security-credentials/r HTTP/1.1\r\n\r\n" },
	};

	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		struct httpmsg h;
		struct msgs m = { 0 };

		httpmsg_init(&h, false, false);
		feed(&h, &m, shapes[i][0], strlen(shapes[i][0]), 0);
		feed(&h, &m, shapes[i][1], strlen(shapes[i][1]), 0);
		ASSERT_EQ(m.requests, 1);
		ASSERT_EQ(m.nfailed, 0);
		ASSERT_STREQ(m.paths[0], "/latest/meta-data/iam/security-credentials/r");
		httpmsg_free(&h);
	}
	/* a client's stray CRLF before the close is not a message cut short */
	{
		struct httpmsg h;
		struct msgs m = { 0 };

		httpmsg_init(&h, false, false);
		feed(&h, &m, "GET /a HTTP/1.1\r\n\r\n\r\n", 21, 0);
		httpmsg_fin(&h, &mops, &m);
		ASSERT_EQ(m.requests, 1);
		ASSERT_EQ(m.nfailed, 0);
		httpmsg_free(&h);
	}
	/* ...but the start of a method is */
	{
		struct httpmsg h;
		struct msgs m = { 0 };

		httpmsg_init(&h, false, false);
		feed(&h, &m, "GE", 2, 0);
		httpmsg_fin(&h, &mops, &m);
		ASSERT_EQ(m.failed, HTTPMSG_TRUNCATED);
		httpmsg_free(&h);
	}
}

/* Found by fuzzing: a head whose empty line is a bare CR at the end of a piece ends before
 * the next piece; the first byte of that piece (the next message's) was skipped. */
static void test_bare_cr_end_keeps_next_byte(void)
{
	struct httpmsg h;
	struct msgs m = { 0 };

	httpmsg_init(&h, false, false);
	feed(&h, &m, "GET /a HTTP/1.1\r\n\r", 18, 0);
	feed(&h, &m, "GET /b HTTP/1.1\r\n\r\n", 19, 0);
	ASSERT_EQ(m.requests, 2);
	ASSERT_STREQ(m.methods[1], "GET");
	ASSERT_STREQ(m.paths[1], "/b");
	ASSERT_EQ(m.nfailed, 0);
	httpmsg_free(&h);
}

/* Found by fuzzing: a joined direction skipped to the next line in one piece, but started
 * over at the next piece when a line was split, and gave up on a plausible start that a
 * line end then refuted; the same bytes gave other requests when split otherwise. */
static void test_joined_resync_any_split(void)
{
	static const char *const in[] = {
		"a:GET /x HTTP/1.1\r\n\r\nGET /y HTTP/1.1\r\n\r\n",
		"GE\nGET /y HTTP/1.1\r\n\r\n",
	};

	for (size_t i = 0; i < 2; i++) {
		for (size_t step = 0; step <= 5; step++) {
			struct httpmsg h;
			struct msgs m = { 0 };

			httpmsg_init(&h, false, true);
			feed(&h, &m, in[i], strlen(in[i]), step);
			if (m.requests != 1 || strcmp(m.paths[0], "/y") || m.nfailed)
				UNIT_FAIL("input %zu, pieces of %zu: %d requests, first '%s', %d "
					  "failed",
					  i, step, m.requests, m.paths[0], m.nfailed);
			else
				UNIT_OK();
			httpmsg_free(&h);
		}
	}
}

/* Found by fuzzing: the same shape on the stream, a response reported not_http. */
static void test_response_bare_cr_head(void)
{
	static const char in[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\rok";
	struct httpmsg h;
	struct msgs m = { 0 };

	httpmsg_init(&h, true, false);
	feed(&h, &m, in, sizeof(in) - 1, 0);
	ASSERT_EQ(m.responses, 1);
	ASSERT_EQ(m.codes[0], 200);
	ASSERT_EQ(m.nfailed, 0);
	httpmsg_free(&h);
}

int main(void)
{
	RUN(test_in_order_and_syn);
	RUN(test_retransmission_and_overlap);
	RUN(test_out_of_order);
	RUN(test_hole_given_up);
	RUN(test_cut_segment_is_a_gap);
	RUN(test_wraparound_and_join);
	RUN(test_ooo_bounded);
	RUN(test_held_bare_fin);
	RUN(test_nothing_after_fin);
	RUN(test_ooo_bytes_bounded);
	RUN(test_request_any_split);
	RUN(test_pipelined_crlf_body);
	RUN(test_not_http_and_limits);
	RUN(test_responses);
	RUN(test_joined_resync);
	RUN(test_split_after_crlf_or_in_method);
	RUN(test_bare_cr_end_keeps_next_byte);
	RUN(test_joined_resync_any_split);
	RUN(test_response_bare_cr_head);
	ASSERT_EQ(httpmsg_buffered(), 0); /* every buffer was given back */
	return unit_report("stream");
}
