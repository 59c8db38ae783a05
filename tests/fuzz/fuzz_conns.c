// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_conns: the connection layer (user/intake/conns.c): segments of both directions of up
 * to four connections (socket cookies) in a table of three, reassembled, framed, paired
 * request to response, timed out, evicted, flushed.
 *
 * The input is a list of records, as intake/decode.c hands them over (see tests/golden
 * scenario.c for the real shapes): endpoint_connect records, http segment records (cookie,
 * direction, TCP flags, sequence number near where that direction is, length, captured bytes
 * taken from the input), canned messages (a whole request or response from the table below,
 * sent in order as a few segments: credentials responses and requests that carry the planted
 * secrets), timer ticks and flushes.
 *
 * Checked, for every request or response written (struct conn_done):
 *  - bounds of everything in it; a late answer or a credential delivery carries credentials;
 *  - no run of a planted secret (the SecretAccessKey and Token of a credentials response, the
 *    IMDSv2 session token in a request header or a PUT's answer, a Pod Identity bearer token)
 *    appears in it, unless the fuzz input has such a run of its own. Raw segments never
 *    overlap a canned message's sequence numbers, so a canned message reaches the parser as
 *    it was written.
 * and at the end (everything flushed): every request the parser saw was written exactly once
 * (not counting late answers), every response that carried credentials was written exactly
 * once with them, and every parser buffer went back to the budget.
 */
#include "credwatch_abi.h"
#include "intake/conns.h"
#include "fuzz.h"

#define NCOOKIES 4
#define TABLE	 3

struct flow {
	uint32_t next;	     /* the sender's next sequence number (end of everything sent) */
	uint32_t canned_end; /* raw segments stay at or after this */
	bool started;
};

struct harness {
	struct conns *c;
	struct cw_ev_http *ev;
	struct flow fl[NCOOKIES + 1][2];
	uint64_t now, ts;
	bool check_secrets;
	uint64_t written_requests, credential_writes, unparsed;
};

/* --- canned messages ----------------------------------------------------------------------- */

#define IMDS_BODY                                                                         \
	"{\n  \"Code\" : \"Success\",\n  \"LastUpdated\" : \"2026-11-30T00:00:00Z\",\n  " \
	"\"Type\" : \"AWS-HMAC\",\n  \"AccessKeyId\" : \"ASIACWFUZZ0000000001\",\n  "     \
	"\"SecretAccessKey\" : \"" FZ_SECRET_KEY "\",\n  \"Token\" : \"" FZ_SESSION_TOKEN \
	"\",\n  \"Expiration\" : \"2026-11-30T06:00:00Z\"\n}"
#define PI_BODY                                                                          \
	"{\"AccessKeyId\":\"ASIACWFUZZ0000000002\",\"SecretAccessKey\":\"" FZ_SECRET_KEY \
	"\",\"Token\":\"" FZ_SESSION_TOKEN                                               \
	"\",\"AccountId\":\"111122223333\",\"Expiration\":\"2026-11-30T06:00:00Z\"}"

struct canned {
	uint8_t dir;
	const char *head; /* a response head takes the body's length (%zu) where it has one */
	const char *body;
};

static const struct canned canned[] = {
	{ CW_HTTP_INGRESS,
	  "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\nServer: "
	  "EC2ws\r\n\r\n",
	  IMDS_BODY },
	{ CW_HTTP_INGRESS, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%zx\r\n",
	  IMDS_BODY },
	{ CW_HTTP_INGRESS, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", PI_BODY },
	{ CW_HTTP_INGRESS, "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n", IMDS_BODY },
	{ CW_HTTP_INGRESS, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", FZ_IMDS_TOKEN },
	{ CW_HTTP_INGRESS, "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n", "" },
	{ CW_HTTP_EGRESS,
	  "GET /latest/meta-data/iam/security-credentials/node-role HTTP/1.1\r\nHost: "
	  "169.254.169.254\r\nUser-Agent: aws-sdk-go/1.44.0 (go1.21; linux; amd64)\r\n"
	  "X-aws-ec2-metadata-token: " FZ_IMDS_TOKEN "\r\n\r\n",
	  "" },
	{ CW_HTTP_EGRESS,
	  "PUT /latest/api/token HTTP/1.1\r\nHost: 169.254.169.254\r\n"
	  "X-aws-ec2-metadata-token-ttl-seconds: 21600\r\n\r\n",
	  "" },
	{ CW_HTTP_EGRESS,
	  "GET /v1/credentials HTTP/1.1\r\nHost: 169.254.170.23\r\nAuthorization: " FZ_BEARER_TOKEN
	  "\r\nUser-Agent: aws-sdk-java/2.20.0 Linux/6.1\r\n\r\n",
	  "" },
	{ CW_HTTP_EGRESS, "HEAD /latest/meta-data/ HTTP/1.1\r\nHost: 169.254.169.254\r\n\r\n", "" },
};
#define NCANNED (sizeof(canned) / sizeof(canned[0]))

/* The message's bytes (chunked bodies get their closing chunk). */
static size_t canned_text(const struct canned *m, char *out, size_t cap)
{
	size_t bl = strlen(m->body);
	int n = snprintf(out, cap, m->head, bl);

	n += snprintf(out + n, cap - (size_t)n, "%s", m->body);
	if (strstr(m->head, "chunked"))
		n += snprintf(out + n, cap - (size_t)n, "\r\n0\r\n\r\n");
	return (size_t)n;
}

/* --- checks on what conns writes ----------------------------------------------------------- */

static void check_req(const struct conn_req *r)
{
	const struct http_request *q = &r->req;
	const struct http_class *c = &r->cls;

	FUZZ_CHECK(q->status != HTTP_NOT_HTTP, "a request that is not HTTP");
	FUZZ_CHECK(q->path_len <= HTTP_PATH_MAX && q->path[q->path_len] == 0, "path_len %u",
		   q->path_len);
	FUZZ_CHECK(q->host_len <= HTTP_HOST_MAX && q->host[q->host_len] == 0, "host_len %u",
		   q->host_len);
	FUZZ_CHECK(q->ua_len <= HTTP_UA_MAX && q->user_agent[q->ua_len] == 0, "ua_len %u",
		   q->ua_len);
	FUZZ_CHECK(c->cls != REQ_NOT_HTTP && c->cls <= REQ_ECS_CREDENTIALS, "class %d", c->cls);
	FUZZ_CHECK(c->role_len <= HTTP_ROLE_MAX && c->role[c->role_len] == 0, "role_len %u",
		   c->role_len);
	FUZZ_CHECK(c->normalized_len <= HTTP_PATH_MAX && c->normalized[c->normalized_len] == 0,
		   "normalized_len %u", c->normalized_len);
	FUZZ_CHECK(r->sdk.name != NULL, "no SDK name");
	FZ_STR(r->sdk.version);
	FZ_STR(r->sdk.aux_version);
}

static void on_emit(void *ctx, const struct conn_done *d)
{
	struct harness *h = ctx;

	FUZZ_CHECK(d->connect != NULL, "no connection");
	FUZZ_CHECK(d->status == 0 || (d->status >= 200 && d->status <= 999), "status %d",
		   d->status);
	FUZZ_CHECK(!d->timed_out || (d->r && !d->status), "a timeout with a status or no request");
	FUZZ_CHECK(!d->late || d->creds, "a late answer written without credentials");
	FUZZ_CHECK(d->r || d->creds, "neither a request nor credentials");
	if (d->r) {
		check_req(d->r);
		if (!d->late)
			h->written_requests++;
		if (h->check_secrets)
			fz_check_no_secret(d->r, sizeof(*d->r), "a written request");
	}
	if (d->creds) {
		FUZZ_CHECK(d->creds->found && d->creds->access_key_id[0],
			   "credentials without an access key id");
		FZ_STR(d->creds->access_key_id);
		FZ_STR(d->creds->expiration);
		FZ_STR(d->creds->role_arn);
		FZ_STR(d->creds->account_id);
		FZ_STR(d->creds->code);
		h->credential_writes++;
		if (h->check_secrets)
			fz_check_no_secret(d->creds, sizeof(*d->creds), "written credentials");
	}
}

static void on_unparsed(void *ctx, const struct conn_unparsed *u)
{
	struct harness *h = ctx;

	FUZZ_CHECK(u->connect != NULL, "no connection");
	FUZZ_CHECK(u->dir <= CW_HTTP_INGRESS, "direction %u", u->dir);
	FUZZ_CHECK(u->why > HTTPMSG_OK && u->why < HTTPMSG__COUNT, "reason %d", u->why);
	h->unparsed++;
}

/* --- records ------------------------------------------------------------------------------- */

static void connect_rec(struct harness *h, struct fz *f)
{
	struct cw_ev_endpoint ev = { 0 };
	uint8_t b = fz_u8(f), cookie = 1 + b % NCOOKIES;

	ev.hdr.type = CW_EV_ENDPOINT_CONNECT;
	ev.hdr.size = sizeof(ev);
	ev.hdr.ts_boot_ns = h->ts;
	ev.hdr.flags = (b & 0x10) ? CW_F_FOUND_AT_START : 0;
	if (b & 0x20)
		ev.hdr.flags |= CW_F_VIA_NAT;
	ev.sock_cookie = cookie;
	ev.kind = (b >> 2) % CW_EP_KIND_MAX;
	ev.protocol = (b & 0xc0) == 0xc0 ? 17 : 6;
	ev.family = 2;
	ev.port = 80;
	ev.addr[10] = ev.addr[11] = 0xff;
	ev.addr[12] = 169;
	ev.addr[13] = 254;
	ev.addr[14] = 169;
	ev.addr[15] = 254;
	conns_connect(h->c, &ev);
	for (int d = 0; d < 2; d++) {
		h->fl[cookie][d].next = fz_u32(f);
		h->fl[cookie][d].canned_end = h->fl[cookie][d].next;
		h->fl[cookie][d].started = false;
	}
}

static void send_seg(struct harness *h, uint8_t cookie, uint8_t dir, uint32_t seq, const uint8_t *p,
		     uint32_t cap, uint32_t len, uint8_t flags)
{
	struct cw_ev_http *ev = h->ev;

	memset(ev, 0, offsetof(struct cw_ev_http, data));
	ev->hdr.type = CW_EV_HTTP;
	ev->hdr.size = (uint16_t)(offsetof(struct cw_ev_http, data) + cap);
	ev->hdr.ts_boot_ns = h->ts;
	ev->sock_cookie = cookie;
	ev->seq = seq;
	ev->seg_len = len;
	ev->cap_len = (uint16_t)cap;
	ev->dir = dir;
	ev->tcp_flags = flags;
	memcpy(ev->data, p, cap);
	/* only the captured bytes may be read */
	ASAN_POISON_MEMORY_REGION(ev->data + cap, CW_HTTP_CAP - cap);
	conns_http(h->c, ev, h->now);
	ASAN_UNPOISON_MEMORY_REGION(ev->data, CW_HTTP_CAP);
	explicit_bzero(ev->data, cap);
}

static void raw_seg(struct harness *h, struct fz *f, uint8_t op)
{
	uint8_t b = fz_u8(f), cookie = 1 + b % NCOOKIES, dir = (b >> 2) & 1, flags = 0;
	struct flow *fl = &h->fl[cookie][dir];
	int8_t delta = (int8_t)fz_u8(f);
	uint32_t len = fz_u16(f), cap, seq;
	size_t got;
	const uint8_t *p;

	if (b & 0x08)
		flags |= CW_TCP_FIN;
	if (b & 0x10)
		flags |= CW_TCP_SYN;
	if ((b & 0x60) == 0x60)
		flags |= CW_TCP_RST;
	len = (op & 0x80) ? len % 20000 : len % 600;
	cap = len < CW_HTTP_CAP ? len : CW_HTTP_CAP;
	if ((b & 0x80) && cap)
		cap = fz_u8(f) % (cap + 1); /* a cut segment */
	p = fz_bytes(f, cap, &got);
	cap = (uint32_t)got;
	if (len < cap)
		len = cap;
	seq = (flags & CW_TCP_SYN) && !fl->started ? fl->next : fl->next + (int32_t)delta;
	/* never into a canned message's sequence numbers */
	if ((int32_t)(seq - fl->canned_end) < 0)
		seq = fl->canned_end + (uint32_t)(delta < 0 ? -delta : delta);
	send_seg(h, cookie, dir, seq, p, cap, len, flags);
	fl->started = true;
	seq += len + ((flags & (CW_TCP_SYN | CW_TCP_FIN)) ? 1 : 0);
	if ((int32_t)(seq - fl->next) > 0)
		fl->next = seq;
}

static void canned_msg(struct harness *h, struct fz *f)
{
	static char text[2048];
	uint8_t b = fz_u8(f), cookie = 1 + b % NCOOKIES;
	const struct canned *m = &canned[fz_u8(f) % NCANNED];
	struct flow *fl = &h->fl[cookie][m->dir];
	uint32_t seed = fz_u8(f) + 1u, seq = fl->next;
	size_t n = canned_text(m, text, sizeof(text)), off = 0;
	int pieces = 1 + (b >> 4) % 4;

	while (off < n) {
		size_t k = pieces-- > 1 ? 1 + fz_rand(&seed) % (n - off) : n - off;

		send_seg(h, cookie, m->dir, seq, (const uint8_t *)text + off, (uint32_t)k,
			 (uint32_t)k, 0);
		seq += (uint32_t)k;
		off += k;
	}
	fl->started = true;
	fl->next = fl->canned_end = seq;
	explicit_bzero(text, sizeof(text));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct harness h = { 0 };
	struct conns_stats st;
	uint64_t next;
	int records = 0;

	h.c = conns_new(TABLE, on_emit, on_unparsed, &h);
	h.ev = malloc(sizeof(*h.ev));
	if (!h.c || !h.ev)
		abort();
	h.check_secrets = !fz_input_has_secret(data, size);
	h.now = 1000000000ull;
	h.ts = 5000000000ull;
	while (f.n && records++ < 512) {
		uint8_t op = fz_u8(&f);

		h.ts += 1000;
		switch (op & 7) {
		case 0:
			connect_rec(&h, &f);
			break;
		case 1:
		case 2:
		case 3:
			raw_seg(&h, &f, op);
			break;
		case 4:
		case 5:
			canned_msg(&h, &f);
			break;
		case 6:
			h.now += (uint64_t)fz_u16(&f) * 100000ull; /* up to 6.5 s */
			next = conns_expire(h.c, h.now, false);
			FUZZ_CHECK(!next || next > h.now,
				   "next deadline %llu is not after now %llu",
				   (unsigned long long)next, (unsigned long long)h.now);
			break;
		default:
			conns_expire(h.c, h.now, true);
			break;
		}
	}
	/* everything out: what the streams hold, the requests still waiting */
	conns_expire(h.c, h.now, true);
	st = *conns_stats(h.c);
	FUZZ_CHECK(h.written_requests == st.requests,
		   "%llu requests parsed, %llu written (each must be written once)",
		   (unsigned long long)st.requests, (unsigned long long)h.written_requests);
	FUZZ_CHECK(h.credential_writes == st.credential_responses,
		   "%llu responses delivered credentials, %llu written with them",
		   (unsigned long long)st.credential_responses,
		   (unsigned long long)h.credential_writes);
	conns_free(h.c);
	FUZZ_CHECK(h.written_requests == st.requests, "requests written again at conns_free");
	FUZZ_CHECK(httpmsg_buffered() == 0, "%zu parser bytes still counted after conns_free",
		   httpmsg_buffered());
	free(h.ev);
	return 0;
}
