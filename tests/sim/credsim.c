// SPDX-License-Identifier: GPL-2.0
/*
 * credsim: a simulated EC2 instance metadata service (IMDS), EKS Pod Identity Agent and STS
 * AssumeRoleWithWebIdentity endpoint, for credwatch's integration tests. Also prints
 * JWT-shaped fixture tokens (mkjwt).
 *
 * One process, one thread, poll(). HTTP/1.1 with keep-alive and Content-Length bodies only.
 * Every buffer is bounded: request head <= 16 KiB, body <= 64 KiB, pending output per
 * connection <= 256 KiB (reading stops until it drains), a fixed number of connections.
 *
 * Every secret it hands out (IMDSv2 session tokens, SecretAccessKey, session Token) is
 * random, starts with an obvious "CWSIM" prefix and is appended to --secrets-out, so tests
 * can grep everything credwatch printed for a leak. The request log never holds the value of
 * X-aws-ec2-metadata-token or Authorization, nor the WebIdentityToken (only its SHA-256).
 *
 * Pod Identity Agent behaviour follows aws/eks-pod-identity-agent (pkg/handlers,
 * internal/validation): the Host check comes first and fails with 403, an empty or missing
 * Authorization fails with 400, then the token goes to EKS Auth, whose AccessDeniedException
 * (403) we return for a token that does not match --pia-token-file.
  * Network: run only inside a test's own network namespace (fn_sim: ip netns exec),
 * where the endpoint addresses are local.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HEAD_MAX	(16 * 1024)
#define BODY_MAX	(64 * 1024)
#define IN_MAX		(HEAD_MAX + BODY_MAX)
#define IN_INIT		4096
#define OUT_HIGH	(256 * 1024)
#define MAX_LISTENERS	16
#define MAX_CONNS	4096
#define ACCEPT_BURST	64
#define IDLE_TIMEOUT	60    /* s: keep-alive connection without a partial request */
#define PARTIAL_TIMEOUT 30    /* s: a request head/body that never completes */
#define HUNG_TIMEOUT	600   /* s: --hang connections are dropped after this */
#define TOKEN_SLOTS	16384 /* IMDSv2 session tokens remembered (ring) */
#define TOKEN_RAND	44
#define TOKEN_LEN	(8 + 4 + TOKEN_RAND) /* "CWSIMTOK" + 4 hex slot + random */
#define PIA_TOKEN_MAX	(16 * 1024)
#define LOG_LINE_MAX	4096

#define SVC_IMDS	0x1
#define SVC_PIA		0x2
#define SVC_STS		0x4
#define SVC_ALL		(SVC_IMDS | SVC_PIA | SVC_STS)

#define ACCOUNT_ID	"000000000000"
#define INSTANCE_ID	"i-0sim0000000000001"
#define REGION		"us-east-1"
#define AZ		"us-east-1a"
#define AMI_ID		"ami-0sim0000000000001"
#define LOCAL_IPV4	"10.0.0.10"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

enum imdsv2_mode { V2_OPTIONAL, V2_REQUIRED, V2_DISABLED };

struct listener {
	int fd;
	int svc;
	char name[64]; /* "169.254.169.254:80", "[fd00:ec2::254]:80" */
	struct sockaddr_storage sa;
	socklen_t salen;
};

struct conn {
	int fd;
	int li; /* listener index */
	char *in;
	size_t inlen, incap;
	size_t scan; /* bytes of in[] already searched for the end of the head */
	char *out;
	size_t outoff, outlen, outcap;
	time_t last;	      /* last activity */
	time_t partial_since; /* 0 unless in[] holds an incomplete request */
	bool close_after;     /* close once out[] is flushed */
	bool hung;	      /* never answer again; discard input */
	char peer[64];
};

struct creds {
	char akid[40];
	char secret[48];
	char token[256];
};

struct token_slot {
	char v[TOKEN_LEN + 1];
	time_t exp;
};

/* A parsed request; every pointer points into the connection's input buffer. */
struct req {
	char *method;
	char *target; /* path only: a query string is cut off at '?' */
	bool has_query;
	int minor; /* HTTP/1.<minor> */
	char *host, *ua, *token, *ttl, *auth, *xff, *conn_hdr, *te;
	bool has_clen;
	size_t clen;
	char *body;
	size_t body_len;
	bool is_head;
};

/* Extra facts a handler wants in the log line. */
struct logx {
	const char *service;
	const char *imds; /* "v1", "v2", "v2-invalid", "v2-expired" */
	bool hung;
	char wit_sha256[65];  /* STS WebIdentityToken */
	char auth_sha256[65]; /* Pod Identity Authorization value */
	char action[64];
	char role_arn[256];
};

static struct {
	enum imdsv2_mode v2;
	bool hang;
	bool hang_put;
	bool pia_check_jwt;
	const char *role;
	const char *akid;
	const char *pia_token_file;
	const char *secrets_out;
	const char *log_path;
	const char *ready_file;
	const char *creds_alias; /* an extra IMDS path that answers the role's credentials */
} opt = {
	.v2 = V2_OPTIONAL,
	.role = "credwatch-sim-node-role",
	.akid = "ASIASIMULATED000001",
};

static struct listener listeners[MAX_LISTENERS];
static int nlisteners;
static struct conn **conns;
static int nconns, max_conns;
static struct token_slot *tokens;
static unsigned int token_next;
static struct creds role_creds, ident_creds, pia_creds, ecs_creds, sts_creds;
static char started_iso[32], expire_iso[32];
static int urandom_fd = -1, log_fd = -1, secrets_fd = -1;
static volatile sig_atomic_t stop_flag;
static unsigned long nrequests;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("credsim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* ---------------------------------------------------------------------------------------- */
/* SHA-256 (FIPS 180-4)                                                                     */

struct sha256 {
	uint32_t h[8];
	uint64_t nbytes;
	uint8_t blk[64];
	size_t blen;
};

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

static inline uint32_t ror32(uint32_t x, unsigned int n)
{
	return (x >> n) | (x << (32 - n));
}

static void sha256_init(struct sha256 *s)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(s->h, iv, sizeof(iv));
	s->nbytes = 0;
	s->blen = 0;
}

static void sha256_block(struct sha256 *s, const uint8_t *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 64; i++) {
		uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = s->h[0];
	b = s->h[1];
	c = s->h[2];
	d = s->h[3];
	e = s->h[4];
	f = s->h[5];
	g = s->h[6];
	h = s->h[7];
	for (i = 0; i < 64; i++) {
		t1 = h + (ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25)) + ((e & f) ^ (~e & g)) +
		     sha256_k[i] + w[i];
		t2 = (ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		h = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	s->h[0] += a;
	s->h[1] += b;
	s->h[2] += c;
	s->h[3] += d;
	s->h[4] += e;
	s->h[5] += f;
	s->h[6] += g;
	s->h[7] += h;
}

static void sha256_update(struct sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;

	s->nbytes += len;
	while (len) {
		size_t n = 64 - s->blen;

		if (n > len)
			n = len;
		memcpy(s->blk + s->blen, p, n);
		s->blen += n;
		p += n;
		len -= n;
		if (s->blen == 64) {
			sha256_block(s, s->blk);
			s->blen = 0;
		}
	}
}

static void sha256_hex(const void *data, size_t len, char out[65])
{
	static const char hx[] = "0123456789abcdef";
	struct sha256 s;
	uint64_t bits;
	uint8_t pad[72];
	size_t padlen;
	int i;

	sha256_init(&s);
	sha256_update(&s, data, len);
	bits = s.nbytes * 8;
	padlen = (s.blen < 56) ? 56 - s.blen : 120 - s.blen;
	memset(pad, 0, sizeof(pad));
	pad[0] = 0x80;
	for (i = 0; i < 8; i++)
		pad[padlen + i] = (uint8_t)(bits >> (56 - 8 * i));
	sha256_update(&s, pad, padlen + 8);
	for (i = 0; i < 32; i++) {
		uint8_t byte = (uint8_t)(s.h[i / 4] >> (24 - 8 * (i % 4)));

		out[2 * i] = hx[byte >> 4];
		out[2 * i + 1] = hx[byte & 15];
	}
	out[64] = '\0';
}

/* ---------------------------------------------------------------------------------------- */
/* small helpers                                                                            */

static void rand_bytes(void *buf, size_t n)
{
	uint8_t *p = buf;

	if (urandom_fd < 0) {
		urandom_fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
		if (urandom_fd < 0)
			die("open /dev/urandom: %s", strerror(errno));
	}
	while (n) {
		ssize_t r = read(urandom_fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("read /dev/urandom: %s", r < 0 ? strerror(errno) : "EOF");
		p += r;
		n -= (size_t)r;
	}
}

/* n random characters from [A-Za-z0-9], unbiased; dst gets a terminating NUL. */
static void rand_alnum(char *dst, size_t n)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	uint8_t buf[64];
	size_t have = 0, used = 0;

	while (n) {
		if (used == have) {
			rand_bytes(buf, sizeof(buf));
			have = sizeof(buf);
			used = 0;
		}
		if (buf[used] < 248) { /* 248 = 4 * 62 */
			*dst++ = set[buf[used] % 62];
			n--;
		}
		used++;
	}
	*dst = '\0';
}

static void rand_uuid(char out[37])
{
	uint8_t b[16];

	rand_bytes(b, sizeof(b));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

static void fmt_iso(time_t t, char out[32])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t r = write(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return; /* logging must never take the server down */
		p += r;
		n -= (size_t)r;
	}
}

static void record_secret(const char *s)
{
	char line[512];
	int n;

	if (secrets_fd < 0)
		return;
	n = snprintf(line, sizeof(line), "%s\n", s);
	if (n > 0 && (size_t)n < sizeof(line))
		write_all(secrets_fd, line, (size_t)n);
}

static bool str_charset(const char *s, const char *extra, size_t maxlen)
{
	size_t n = 0;

	for (; *s; s++, n++) {
		if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
			return false;
	}
	return n > 0 && n <= maxlen;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static const char *b64url_set = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* base64url without padding; out must hold 4 * ((n + 2) / 3) + 1 bytes. */
static void b64url_encode(const uint8_t *in, size_t n, char *out)
{
	size_t i;
	char *o = out;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		*o++ = b64url_set[v >> 18];
		*o++ = b64url_set[(v >> 12) & 63];
		*o++ = b64url_set[(v >> 6) & 63];
		*o++ = b64url_set[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;

		*o++ = b64url_set[v >> 18];
		*o++ = b64url_set[(v >> 12) & 63];
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;

		*o++ = b64url_set[v >> 18];
		*o++ = b64url_set[(v >> 12) & 63];
		*o++ = b64url_set[(v >> 6) & 63];
	}
	*o = '\0';
}

/* Decode base64url (padding and standard alphabet tolerated). Returns length or -1. */
static ssize_t b64url_decode(const char *in, size_t n, uint8_t *out, size_t outcap)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0, i;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)in[i], v;

		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '-' || c == '+')
			v = 62;
		else if (c == '_' || c == '/')
			v = 63;
		else if (c == '=')
			break;
		else
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= outcap)
				return -1;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	return (ssize_t)o;
}

/* ---------------------------------------------------------------------------------------- */
/* bounded JSON line builder                                                                */

struct jb {
	char *p;
	size_t len, cap;
};

static void jb_raw(struct jb *j, const char *s, size_t n)
{
	if (j->len + n >= j->cap)
		n = j->cap - 1 - j->len;
	memcpy(j->p + j->len, s, n);
	j->len += n;
	j->p[j->len] = '\0';
}

static void jb_puts(struct jb *j, const char *s)
{
	jb_raw(j, s, strlen(s));
}

/* A JSON string of at most maxlen input bytes; control and non-ASCII bytes escaped. */
static void jb_str(struct jb *j, const char *s, size_t maxlen)
{
	char esc[8];
	size_t i;

	if (!s) {
		jb_puts(j, "null");
		return;
	}
	jb_puts(j, "\"");
	for (i = 0; s[i] && i < maxlen; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			jb_raw(j, esc, 2);
		} else if (c < 0x20 || c >= 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			jb_raw(j, esc, 6);
		} else {
			jb_raw(j, (const char *)&s[i], 1);
		}
	}
	jb_puts(j, "\"");
}

static void jb_kstr(struct jb *j, const char *key, const char *val, size_t maxlen)
{
	jb_puts(j, ",\"");
	jb_puts(j, key);
	jb_puts(j, "\":");
	jb_str(j, val, maxlen);
}

static void jb_kbool(struct jb *j, const char *key, bool v, bool first)
{
	jb_puts(j, first ? "\"" : ",\"");
	jb_puts(j, key);
	jb_puts(j, v ? "\":true" : "\":false");
}

/* ---------------------------------------------------------------------------------------- */
/* connections and output                                                                   */

static const char *reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 413:
		return "Payload Too Large";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 505:
		return "HTTP Version Not Supported";
	default:
		return "Unknown";
	}
}

static bool out_append(struct conn *c, const char *p, size_t n)
{
	if (c->outoff && c->outoff == c->outlen) {
		c->outoff = 0;
		c->outlen = 0;
	}
	if (c->outlen + n > c->outcap) {
		size_t cap = c->outcap ? c->outcap : 4096;
		char *np;

		while (cap < c->outlen + n)
			cap *= 2;
		if (cap > 2 * OUT_HIGH) {
			/* compact before giving up */
			if (c->outoff) {
				memmove(c->out, c->out + c->outoff, c->outlen - c->outoff);
				c->outlen -= c->outoff;
				c->outoff = 0;
			}
			if (c->outlen + n > 2 * OUT_HIGH)
				return false;
			cap = 2 * OUT_HIGH;
		}
		np = realloc(c->out, cap);
		if (!np)
			return false;
		c->out = np;
		c->outcap = cap;
	}
	memcpy(c->out + c->outlen, p, n);
	c->outlen += n;
	return true;
}

/*
 * Queue a complete response. extra: additional header lines, each ending in CRLF, or NULL.
 * Returns status for convenient "return reply(...)".
 */
static int reply(struct conn *c, const struct req *r, int status, const char *ctype,
		 const char *extra, const char *body, size_t blen)
{
	char head[1024], date[64];
	struct tm tm;
	time_t now = time(NULL);
	int n;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	n = snprintf(head, sizeof(head),
		     "HTTP/1.1 %d %s\r\nDate: %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		     "%sConnection: %s\r\n\r\n",
		     status, reason(status), date, ctype, blen, extra ? extra : "",
		     c->close_after ? "close" : "keep-alive");
	if (n < 0 || (size_t)n >= sizeof(head) || !out_append(c, head, (size_t)n) ||
	    ((!r || !r->is_head) && blen && !out_append(c, body, blen)))
		c->close_after = true;
	return status;
}

static int reply_text(struct conn *c, const struct req *r, int status, const char *text)
{
	return reply(c, r, status, "text/plain", NULL, text, strlen(text));
}

/* Go net/http's http.Error(), as the Pod Identity Agent answers errors. */
static int reply_go_error(struct conn *c, const struct req *r, int status, const char *msg)
{
	char body[512];
	int n = snprintf(body, sizeof(body), "%s\n", msg);

	if (n < 0 || (size_t)n >= sizeof(body))
		n = 0;
	return reply(c, r, status, "text/plain; charset=utf-8",
		     "X-Content-Type-Options: nosniff\r\n", body, (size_t)n);
}

static void conn_free(struct conn *c)
{
	close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
}

/* ---------------------------------------------------------------------------------------- */
/* request log                                                                              */

static void log_request(const struct conn *c, const struct req *r, int status, const struct logx *x)
{
	char line[LOG_LINE_MAX];
	struct jb j = { line, 0, sizeof(line) - 2 };
	char ts[32];

	if (log_fd < 0)
		return;
	fmt_iso(time(NULL), ts);
	jb_puts(&j, "{\"ts\":");
	jb_str(&j, ts, 32);
	jb_kstr(&j, "listener", listeners[c->li].name, 64);
	jb_kstr(&j, "peer", c->peer, 64);
	jb_kstr(&j, "service", x->service, 16);
	jb_kstr(&j, "method", r ? r->method : NULL, 16);
	jb_kstr(&j, "path", r ? r->target : NULL, 512);
	jb_puts(&j, ",\"query\":");
	jb_puts(&j, r && r->has_query ? "true" : "false");
	snprintf(ts, sizeof(ts), ",\"status\":%d", status);
	jb_puts(&j, ts);
	jb_puts(&j, ",\"hung\":");
	jb_puts(&j, x->hung ? "true" : "false");
	if (x->imds)
		jb_kstr(&j, "imds", x->imds, 16);
	jb_puts(&j, ",\"headers\":{");
	jb_kbool(&j, "host", r && r->host, true);
	jb_kbool(&j, "user_agent", r && r->ua, false);
	jb_kbool(&j, "x_aws_ec2_metadata_token", r && r->token, false);
	jb_kbool(&j, "x_aws_ec2_metadata_token_ttl_seconds", r && r->ttl, false);
	jb_kbool(&j, "authorization", r && r->auth, false);
	jb_kbool(&j, "x_forwarded_for", r && r->xff, false);
	jb_puts(&j, "}");
	jb_kstr(&j, "host", r ? r->host : NULL, 256);
	jb_kstr(&j, "user_agent", r ? r->ua : NULL, 256);
	if (x->auth_sha256[0])
		jb_kstr(&j, "authorization_sha256", x->auth_sha256, 64);
	if (x->action[0])
		jb_kstr(&j, "action", x->action, sizeof(x->action));
	if (x->role_arn[0])
		jb_kstr(&j, "role_arn", x->role_arn, sizeof(x->role_arn));
	if (x->wit_sha256[0])
		jb_kstr(&j, "web_identity_token_sha256", x->wit_sha256, 64);
	/* always leave room to close the object */
	j.cap = sizeof(line);
	jb_puts(&j, "}\n");
	write_all(log_fd, line, j.len);
}

/* ---------------------------------------------------------------------------------------- */
/* IMDS                                                                                     */

static void token_issue(char out[TOKEN_LEN + 1], long ttl)
{
	unsigned int slot = token_next++ % TOKEN_SLOTS;
	struct token_slot *t = &tokens[slot];

	snprintf(t->v, sizeof(t->v), "CWSIMTOK%04x", slot);
	rand_alnum(t->v + 12, TOKEN_RAND);
	t->exp = time(NULL) + ttl;
	memcpy(out, t->v, TOKEN_LEN + 1);
	record_secret(t->v);
}

/* 1: valid, 0: unknown, -1: expired. *left: seconds of life left. */
static int token_check(const char *v, long *left)
{
	unsigned int slot;
	const struct token_slot *t;
	char hex[5];
	char *end;
	time_t now;

	if (strlen(v) != TOKEN_LEN || strncmp(v, "CWSIMTOK", 8) != 0)
		return 0;
	memcpy(hex, v + 8, 4);
	hex[4] = '\0';
	if (!isxdigit((unsigned char)hex[0]))
		return 0;
	slot = (unsigned int)strtoul(hex, &end, 16);
	if (*end || slot >= TOKEN_SLOTS)
		return 0;
	t = &tokens[slot];
	if (!t->exp || strcmp(t->v, v) != 0)
		return 0;
	now = time(NULL);
	if (now >= t->exp)
		return -1;
	*left = (long)(t->exp - now);
	return 1;
}

static int imds_token_put(struct conn *c, struct req *r, struct logx *x)
{
	char tok[TOKEN_LEN + 1], hdr[96];
	char *end;
	long ttl;

	if (opt.v2 == V2_DISABLED)
		return reply_text(c, r, 403, "Forbidden\n");
	if (opt.hang_put) {
		x->hung = true;
		c->hung = true;
		return 0;
	}
	if (r->xff) /* IMDS refuses token requests that went through a proxy */
		return reply_text(c, r, 403, "Forbidden\n");
	if (!r->ttl || !*r->ttl)
		return reply_text(c, r, 400, "Missing or invalid parameters\n");
	errno = 0;
	ttl = strtol(r->ttl, &end, 10);
	if (errno || *end || end == r->ttl || ttl < 1 || ttl > 21600)
		return reply_text(c, r, 400, "Missing or invalid parameters\n");
	token_issue(tok, ttl);
	x->imds = "v2";
	snprintf(hdr, sizeof(hdr), "X-Aws-Ec2-Metadata-Token-Ttl-Seconds: %ld\r\n", ttl);
	return reply(c, r, 200, "text/plain", hdr, tok, TOKEN_LEN);
}

static int imds_creds_json(struct conn *c, struct req *r, const char *extra, const struct creds *cr)
{
	char body[1024];
	int n;

	n = snprintf(body, sizeof(body),
		     "{\n  \"Code\" : \"Success\",\n  \"LastUpdated\" : \"%s\",\n"
		     "  \"Type\" : \"AWS-HMAC\",\n  \"AccessKeyId\" : \"%s\",\n"
		     "  \"SecretAccessKey\" : \"%s\",\n  \"Token\" : \"%s\",\n"
		     "  \"Expiration\" : \"%s\"\n}",
		     started_iso, cr->akid, cr->secret, cr->token, expire_iso);
	if (n < 0 || (size_t)n >= sizeof(body))
		return reply_text(c, r, 500, "Internal Server Error\n");
	return reply(c, r, 200, "text/plain", extra, body, (size_t)n);
}

static bool path_is(const char *p, const char *dir)
{
	size_t n = strlen(dir);

	/* "dir" or "dir/" */
	return strncmp(p, dir, n) == 0 && (p[n] == '\0' || (p[n] == '/' && p[n + 1] == '\0'));
}

/* Strip "/latest" or "/YYYY-MM-DD" or "/1.0"; NULL if the path has no version prefix. */
static const char *imds_strip_version(const char *p)
{
	const char *q;

	if (*p != '/')
		return NULL;
	p++;
	if (starts_with(p, "latest"))
		q = p + 6;
	else if (starts_with(p, "1.0"))
		q = p + 3;
	else if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
		 isdigit((unsigned char)p[2]) && isdigit((unsigned char)p[3]) && p[4] == '-' &&
		 isdigit((unsigned char)p[5]) && isdigit((unsigned char)p[6]) && p[7] == '-' &&
		 isdigit((unsigned char)p[8]) && isdigit((unsigned char)p[9]))
		q = p + 10;
	else
		return NULL;
	if (*q == '\0')
		return q;
	if (*q != '/')
		return NULL;
	return q + 1;
}

static int imds(struct conn *c, struct req *r, struct logx *x)
{
	static const struct {
		const char *path;
		const char *text;
	} fixed[] = {
		{ "meta-data/ami-id", AMI_ID },
		{ "meta-data/hostname", "ip-10-0-0-10.ec2.internal" },
		{ "meta-data/local-hostname", "ip-10-0-0-10.ec2.internal" },
		{ "meta-data/instance-id", INSTANCE_ID },
		{ "meta-data/instance-type", "m5.large" },
		{ "meta-data/local-ipv4", LOCAL_IPV4 },
		{ "meta-data/mac", "02:00:00:00:00:01" },
		{ "meta-data/placement/region", REGION },
		{ "meta-data/placement/availability-zone", AZ },
		{ "meta-data/placement/availability-zone-id", "use1-az1" },
	};
	static const struct {
		const char *dir;
		const char *list;
	} dirs[] = {
		{ "meta-data", "ami-id\nhostname\niam/\nidentity-credentials/\ninstance-id\n"
			       "instance-type\nlocal-hostname\nlocal-ipv4\nmac\nplacement/" },
		{ "meta-data/placement", "availability-zone\navailability-zone-id\nregion" },
		{ "meta-data/iam", "info\nsecurity-credentials/" },
		{ "meta-data/identity-credentials", "ec2/" },
		{ "meta-data/identity-credentials/ec2", "info\nsecurity-credentials/" },
		{ "meta-data/identity-credentials/ec2/security-credentials", "ec2-instance" },
		{ "dynamic", "instance-identity/" },
		{ "dynamic/instance-identity", "document" },
	};
	char extra[96] = "";
	char body[1024];
	const char *p;
	long left = 0;
	size_t i;
	int n;

	if (strcmp(r->target, "/latest/api/token") == 0) {
		if (strcmp(r->method, "PUT") == 0)
			return imds_token_put(c, r, x);
		return reply(c, r, 405, "text/plain", "Allow: PUT\r\n", "", 0);
	}
	if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0)
		return reply(c, r, 405, "text/plain", "Allow: GET, HEAD\r\n", "", 0);

	/* IMDSv2 session check */
	if (r->token && opt.v2 != V2_DISABLED) {
		int v = token_check(r->token, &left);

		if (v <= 0) {
			x->imds = v < 0 ? "v2-expired" : "v2-invalid";
			return reply_text(c, r, 401, "Unauthorized\n");
		}
		x->imds = "v2";
		snprintf(extra, sizeof(extra), "X-Aws-Ec2-Metadata-Token-Ttl-Seconds: %ld\r\n",
			 left);
	} else {
		x->imds = "v1";
		if (opt.v2 == V2_REQUIRED)
			return reply_text(c, r, 401, "Unauthorized\n");
	}

	if (strcmp(r->target, "/") == 0) {
		const char *v = "1.0\n2021-07-15\nlatest";

		return reply(c, r, 200, "text/plain", extra, v, strlen(v));
	}
	p = imds_strip_version(r->target);
	if (!p)
		return reply_text(c, r, 404, "Not Found\n");
	if (*p == '\0') {
		const char *v = "dynamic\nmeta-data";

		return reply(c, r, 200, "text/plain", extra, v, strlen(v));
	}
	for (i = 0; i < ARRAY_SIZE(fixed); i++)
		if (strcmp(p, fixed[i].path) == 0)
			return reply(c, r, 200, "text/plain", extra, fixed[i].text,
				     strlen(fixed[i].text));
	for (i = 0; i < ARRAY_SIZE(dirs); i++)
		if (path_is(p, dirs[i].dir))
			return reply(c, r, 200, "text/plain", extra, dirs[i].list,
				     strlen(dirs[i].list));
	/* --creds-alias: a path no credential classifier knows (think of a proxy in front of IMDS
	 * that maps its own paths), answered with the role's credentials */
	if (opt.creds_alias && strcmp(r->target, opt.creds_alias) == 0)
		return imds_creds_json(c, r, extra, &role_creds);
	if (path_is(p, "meta-data/iam/security-credentials"))
		return reply(c, r, 200, "text/plain", extra, opt.role, strlen(opt.role));
	if (starts_with(p, "meta-data/iam/security-credentials/") &&
	    strcmp(p + strlen("meta-data/iam/security-credentials/"), opt.role) == 0)
		return imds_creds_json(c, r, extra, &role_creds);
	if (strcmp(p, "meta-data/identity-credentials/ec2/security-credentials/ec2-instance") == 0)
		return imds_creds_json(c, r, extra, &ident_creds);
	if (strcmp(p, "meta-data/iam/info") == 0) {
		n = snprintf(body, sizeof(body),
			     "{\n  \"Code\" : \"Success\",\n  \"LastUpdated\" : \"%s\",\n"
			     "  \"InstanceProfileArn\" : \"arn:aws:iam::" ACCOUNT_ID
			     ":instance-profile/%s\",\n"
			     "  \"InstanceProfileId\" : \"AIPASIMULATED0000001\"\n}",
			     started_iso, opt.role);
	} else if (strcmp(p, "meta-data/identity-credentials/ec2/info") == 0) {
		n = snprintf(body, sizeof(body),
			     "{\n  \"Code\" : \"Success\",\n  \"LastUpdated\" : \"%s\",\n"
			     "  \"AccountId\" : \"" ACCOUNT_ID "\"\n}",
			     started_iso);
	} else if (strcmp(p, "dynamic/instance-identity/document") == 0) {
		n = snprintf(body, sizeof(body),
			     "{\n  \"accountId\" : \"" ACCOUNT_ID "\",\n"
			     "  \"architecture\" : \"x86_64\",\n"
			     "  \"availabilityZone\" : \"" AZ "\",\n"
			     "  \"billingProducts\" : null,\n  \"devpayProductCodes\" : null,\n"
			     "  \"marketplaceProductCodes\" : null,\n"
			     "  \"imageId\" : \"" AMI_ID "\",\n"
			     "  \"instanceId\" : \"" INSTANCE_ID "\",\n"
			     "  \"instanceType\" : \"m5.large\",\n  \"kernelId\" : null,\n"
			     "  \"pendingTime\" : \"%s\",\n"
			     "  \"privateIp\" : \"" LOCAL_IPV4 "\",\n  \"ramdiskId\" : null,\n"
			     "  \"region\" : \"" REGION "\",\n  \"version\" : \"2017-09-30\"\n}",
			     started_iso);
	} else {
		return reply_text(c, r, 404, "Not Found\n");
	}
	if (n < 0 || (size_t)n >= sizeof(body))
		return reply_text(c, r, 500, "Internal Server Error\n");
	return reply(c, r, 200, "text/plain", extra, body, (size_t)n);
}

/* ---------------------------------------------------------------------------------------- */
/* Pod Identity Agent and ECS-style container credentials                                   */

/* Host must name the agent: 169.254.170.23 or fd00:ec2::23, brackets and any port allowed. */
static bool pia_host_ok(const char *host)
{
	char h[80];
	size_t n;
	char *colon;

	if (!host)
		return false;
	n = strlen(host);
	if (n == 0 || n >= sizeof(h))
		return false;
	memcpy(h, host, n + 1);
	if (h[0] == '[') {
		char *rb = strchr(h, ']');

		if (!rb || (rb[1] != '\0' && rb[1] != ':'))
			return false;
		*rb = '\0';
		return strcmp(h + 1, "fd00:ec2::23") == 0;
	}
	if (strcmp(h, "fd00:ec2::23") == 0)
		return true;
	colon = strchr(h, ':');
	if (colon) {
		if (strchr(colon + 1, ':'))
			return false;
		*colon = '\0';
	}
	return strcmp(h, "169.254.170.23") == 0;
}

static bool jwt_shaped(const char *t)
{
	int parts = 1;
	size_t seg = 0;

	for (; *t; t++) {
		if (*t == '.') {
			if (!seg)
				return false;
			parts++;
			seg = 0;
		} else if (!strchr(b64url_set, *t)) {
			return false;
		} else {
			seg++;
		}
	}
	return parts == 3 && seg;
}

/* Read the expected Pod Identity token; re-read every time so tests can rotate it. */
static int pia_expected(char *buf, size_t cap)
{
	int fd = open(opt.pia_token_file, O_RDONLY | O_CLOEXEC);
	size_t len = 0, start = 0;
	ssize_t r;

	if (fd < 0)
		return -1;
	while (len < cap - 1) {
		r = read(fd, buf + len, cap - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	while (len && isspace((unsigned char)buf[len - 1]))
		buf[--len] = '\0';
	while (start < len && isspace((unsigned char)buf[start]))
		start++;
	memmove(buf, buf + start, len - start + 1);
	return buf[0] ? 0 : -1;
}

static int pia(struct conn *c, struct req *r, struct logx *x)
{
	static char expected[PIA_TOKEN_MAX];
	char body[1024];
	int n;

	x->service = "pia";
	if (!pia_host_ok(r->host))
		return reply_go_error(c, r, 403,
				      "Access Denied. Called agent through invalid address, please "
				      "use either [169.254.170.23 fd00:ec2::23] address");
	if (!r->auth || !*r->auth)
		return reply_go_error(c, r, 400, "Service account token cannot be empty");
	sha256_hex(r->auth, strlen(r->auth), x->auth_sha256);
	if (opt.pia_check_jwt && !jwt_shaped(r->auth))
		return reply_go_error(c, r, 400, "Service account token cannot be parsed");
	if (opt.pia_token_file) {
		if (pia_expected(expected, sizeof(expected)) < 0)
			return reply_go_error(c, r, 500, "credsim: cannot read --pia-token-file");
		if (strcmp(expected, r->auth) != 0)
			return reply_go_error(c, r, 403,
					      "(AccessDeniedException): credsim: token does not "
					      "match, fault: client");
	}
	n = snprintf(body, sizeof(body),
		     "{\"AccessKeyId\":\"%s\",\"SecretAccessKey\":\"%s\",\"Token\":\"%s\","
		     "\"AccountId\":\"" ACCOUNT_ID "\",\"Expiration\":\"%s\"}",
		     pia_creds.akid, pia_creds.secret, pia_creds.token, expire_iso);
	if (n < 0 || (size_t)n >= sizeof(body))
		return reply_go_error(c, r, 500, "Unable to serialize credentials");
	return reply(c, r, 200, "application/json", NULL, body, (size_t)n);
}

/* ECS agent style relative-URI credentials (169.254.170.2/v2/credentials/<id>). */
static int ecs(struct conn *c, struct req *r, struct logx *x)
{
	char body[1024];
	int n;

	x->service = "ecs";
	if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0)
		return reply_text(c, r, 405, "Method Not Allowed\n");
	n = snprintf(body, sizeof(body),
		     "{\"RoleArn\":\"arn:aws:iam::" ACCOUNT_ID ":role/credwatch-sim-task-role\","
		     "\"AccessKeyId\":\"%s\",\"SecretAccessKey\":\"%s\",\"Token\":\"%s\","
		     "\"Expiration\":\"%s\"}",
		     ecs_creds.akid, ecs_creds.secret, ecs_creds.token, expire_iso);
	if (n < 0 || (size_t)n >= sizeof(body))
		return reply_text(c, r, 500, "Internal Server Error\n");
	return reply(c, r, 200, "application/json", NULL, body, (size_t)n);
}

/* ---------------------------------------------------------------------------------------- */
/* STS AssumeRoleWithWebIdentity                                                            */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* application/x-www-form-urlencoded decode into dst (NUL-terminated); -1 if too long. */
static ssize_t form_decode(const char *s, size_t n, char *dst, size_t cap)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		int ch = (unsigned char)s[i];

		if (ch == '+') {
			ch = ' ';
		} else if (ch == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
			   hexval(s[i + 2]) >= 0) {
			ch = hexval(s[i + 1]) << 4 | hexval(s[i + 2]);
			i += 2;
		}
		if (o + 1 >= cap)
			return -1;
		dst[o++] = (char)ch;
	}
	dst[o] = '\0';
	return (ssize_t)o;
}

static int sts_error(struct conn *c, struct req *r, int status, const char *code, const char *msg)
{
	char body[1024], rid[37];
	int n;

	rand_uuid(rid);
	n = snprintf(body, sizeof(body),
		     "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
		     "  <Error>\n    <Type>Sender</Type>\n    <Code>%s</Code>\n"
		     "    <Message>%s</Message>\n  </Error>\n  <RequestId>%s</RequestId>\n"
		     "</ErrorResponse>\n",
		     code, msg, rid);
	if (n < 0 || (size_t)n >= sizeof(body))
		n = 0;
	return reply(c, r, status, "text/xml", NULL, body, (size_t)n);
}

/* The "sub" claim of a JWT, if it is plain enough to echo into XML; else "". */
static void jwt_sub(const char *tok, char *out, size_t cap)
{
	static uint8_t payload[BODY_MAX];
	const char *a = strchr(tok, '.'), *b, *s;
	ssize_t n;
	size_t i = 0;

	out[0] = '\0';
	if (!a)
		return;
	b = strchr(a + 1, '.');
	if (!b)
		return;
	n = b64url_decode(a + 1, (size_t)(b - a - 1), payload, sizeof(payload) - 1);
	if (n <= 0)
		return;
	payload[n] = '\0';
	s = strstr((const char *)payload, "\"sub\":\"");
	if (!s)
		return;
	s += 7;
	while (s[i] && s[i] != '"' && i + 1 < cap) {
		if (!isalnum((unsigned char)s[i]) && !strchr(":-_.@", s[i])) {
			out[0] = '\0';
			return;
		}
		out[i] = s[i];
		i++;
	}
	out[s[i] == '"' ? i : 0] = '\0';
}

static int sts(struct conn *c, struct req *r, struct logx *x)
{
	static char wit[BODY_MAX + 1];
	char action[64] = "", role_arn[256] = "", session[128] = "", dur[16] = "";
	char role[80], sub[128], rid[37], exp_iso[32];
	static char body[4096];
	const char *p = r->body, *end = r->body + r->body_len;
	bool have_wit = false;
	long duration = 3600;
	const char *slash;
	int n;

	x->service = "sts";
	wit[0] = '\0';
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *pe = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(pe - p));
		char key[64];

		if (eq && form_decode(p, (size_t)(eq - p), key, sizeof(key)) >= 0) {
			const char *v = eq + 1;
			size_t vl = (size_t)(pe - v);

			if (strcmp(key, "Action") == 0) {
				form_decode(v, vl, action, sizeof(action));
			} else if (strcmp(key, "RoleArn") == 0) {
				form_decode(v, vl, role_arn, sizeof(role_arn));
			} else if (strcmp(key, "RoleSessionName") == 0) {
				form_decode(v, vl, session, sizeof(session));
			} else if (strcmp(key, "DurationSeconds") == 0) {
				form_decode(v, vl, dur, sizeof(dur));
			} else if (strcmp(key, "WebIdentityToken") == 0) {
				have_wit = form_decode(v, vl, wit, sizeof(wit)) > 0;
			}
		}
		p = amp ? amp + 1 : end;
	}
	if (str_charset(action, "", sizeof(x->action) - 1))
		snprintf(x->action, sizeof(x->action), "%s", action);
	if (str_charset(role_arn, ":/+=,.@_-", sizeof(x->role_arn) - 1))
		snprintf(x->role_arn, sizeof(x->role_arn), "%s", role_arn);
	if (have_wit)
		sha256_hex(wit, strlen(wit), x->wit_sha256);

	if (!action[0])
		return sts_error(c, r, 400, "MissingAction", "Missing Action");
	if (strcmp(action, "AssumeRoleWithWebIdentity") != 0)
		return sts_error(c, r, 400, "InvalidAction", "Could not find operation");
	if (!have_wit)
		return sts_error(c, r, 400, "ValidationError",
				 "Value at 'webIdentityToken' failed to satisfy constraint");
	if (!role_arn[0])
		return sts_error(c, r, 400, "ValidationError",
				 "Value at 'roleArn' failed to satisfy constraint");
	if (dur[0]) {
		duration = strtol(dur, NULL, 10);
		if (duration < 900 || duration > 43200)
			return sts_error(c, r, 400, "ValidationError",
					 "Value at 'durationSeconds' failed to satisfy constraint");
	}
	slash = strrchr(role_arn, '/');
	if (!slash || !str_charset(slash + 1, "+=,.@_-", 64))
		slash = "/credwatch-sim-irsa-role";
	snprintf(role, sizeof(role), "%s", slash + 1);
	if (!str_charset(session, "+=,.@_-", 64))
		snprintf(session, sizeof(session), "credwatch-sim-session");
	jwt_sub(wit, sub, sizeof(sub));
	rand_uuid(rid);
	fmt_iso(time(NULL) + duration, exp_iso);
	n = snprintf(body, sizeof(body),
		     "<AssumeRoleWithWebIdentityResponse "
		     "xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
		     "  <AssumeRoleWithWebIdentityResult>\n"
		     "    <SubjectFromWebIdentityToken>%s</SubjectFromWebIdentityToken>\n"
		     "    <Audience>sts.amazonaws.com</Audience>\n"
		     "    <AssumedRoleUser>\n"
		     "      <Arn>arn:aws:sts::" ACCOUNT_ID ":assumed-role/%s/%s</Arn>\n"
		     "      <AssumedRoleId>AROASIMULATED0000001:%s</AssumedRoleId>\n"
		     "    </AssumedRoleUser>\n"
		     "    <Credentials>\n"
		     "      <AccessKeyId>%s</AccessKeyId>\n"
		     "      <SecretAccessKey>%s</SecretAccessKey>\n"
		     "      <SessionToken>%s</SessionToken>\n"
		     "      <Expiration>%s</Expiration>\n"
		     "    </Credentials>\n"
		     "    <Provider>arn:aws:iam::" ACCOUNT_ID ":oidc-provider/oidc.eks." REGION
		     ".amazonaws.com/id/CWSIM</Provider>\n"
		     "  </AssumeRoleWithWebIdentityResult>\n"
		     "  <ResponseMetadata>\n    <RequestId>%s</RequestId>\n  </ResponseMetadata>\n"
		     "</AssumeRoleWithWebIdentityResponse>\n",
		     sub, role, session, session, sts_creds.akid, sts_creds.secret, sts_creds.token,
		     exp_iso, rid);
	if (n < 0 || (size_t)n >= sizeof(body))
		return sts_error(c, r, 500, "InternalFailure", "response too large");
	return reply(c, r, 200, "text/xml", NULL, body, (size_t)n);
}

/* ---------------------------------------------------------------------------------------- */
/* HTTP parsing and dispatch                                                                */

static void dispatch(struct conn *c, struct req *r)
{
	struct logx x = { .service = "none" };
	int svc = listeners[c->li].svc;
	int status;

	nrequests++;
	if (opt.hang) {
		x.hung = true;
		c->hung = true;
		status = 0;
	} else if ((svc & SVC_PIA) && strcmp(r->target, "/v1/credentials") == 0) {
		status = pia(c, r, &x);
	} else if ((svc & SVC_PIA) && starts_with(r->target, "/v2/credentials/")) {
		status = ecs(c, r, &x);
	} else if ((svc & SVC_STS) && strcmp(r->target, "/") == 0 &&
		   strcmp(r->method, "POST") == 0) {
		status = sts(c, r, &x);
	} else if (svc & SVC_IMDS) {
		x.service = "imds";
		status = imds(c, r, &x);
	} else {
		status = reply_go_error(c, r, 404, "404 page not found");
	}
	log_request(c, r, status, &x);
}

static void bad_request(struct conn *c, struct req *r, int status)
{
	struct logx x = { .service = "none" };

	nrequests++;
	c->close_after = true;
	reply_text(c, r, status, reason(status));
	log_request(c, r, status, &x);
}

static bool is_tchar(int ch)
{
	return isalnum(ch) || (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

/*
 * Parse the head in buf[0..headlen) (which ends with an empty line). NUL-terminates fields in
 * place. Returns 0, or an HTTP status for a request that must be refused.
 */
static int parse_head(char *buf, size_t headlen, struct req *r)
{
	char *p = buf, *end = buf + headlen, *line, *eol, *sp1, *sp2;
	bool first = true;

	if (memchr(buf, '\0', headlen))
		return 400;
	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			break;
		line = p;
		*eol = '\0';
		if (eol > line && eol[-1] == '\r')
			eol[-1] = '\0';
		p = eol + 1;
		if (!*line)
			break; /* end of head */
		if (first) {
			first = false;
			sp1 = strchr(line, ' ');
			if (!sp1)
				return 400;
			*sp1 = '\0';
			sp2 = strchr(sp1 + 1, ' ');
			if (!sp2)
				return 400;
			*sp2 = '\0';
			r->method = line;
			r->target = sp1 + 1;
			if (!*r->method || strlen(r->method) > 16 || !*r->target)
				return 400;
			for (char *m = r->method; *m; m++)
				if (!is_tchar((unsigned char)*m))
					return 400;
			for (char *t = r->target; *t; t++)
				if ((unsigned char)*t <= 0x20 || (unsigned char)*t >= 0x7f)
					return 400;
			if (strcmp(sp2 + 1, "HTTP/1.1") == 0)
				r->minor = 1;
			else if (strcmp(sp2 + 1, "HTTP/1.0") == 0)
				r->minor = 0;
			else if (starts_with(sp2 + 1, "HTTP/"))
				return 505;
			else
				return 400;
			r->is_head = strcmp(r->method, "HEAD") == 0;
			continue;
		}
		{
			char *colon, *v, *ve;

			if (*line == ' ' || *line == '\t')
				return 400; /* obsolete line folding */
			colon = strchr(line, ':');
			if (!colon || colon == line)
				return 400;
			for (char *h = line; h < colon; h++)
				if (!is_tchar((unsigned char)*h))
					return 400;
			*colon = '\0';
			v = colon + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			ve = v + strlen(v);
			while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
				*--ve = '\0';
			if (!strcasecmp(line, "Host")) {
				if (r->host)
					return 400;
				r->host = v;
			} else if (!strcasecmp(line, "User-Agent")) {
				r->ua = v;
			} else if (!strcasecmp(line, "X-aws-ec2-metadata-token")) {
				r->token = v;
			} else if (!strcasecmp(line, "X-aws-ec2-metadata-token-ttl-seconds")) {
				r->ttl = v;
			} else if (!strcasecmp(line, "Authorization")) {
				r->auth = v;
			} else if (!strcasecmp(line, "X-Forwarded-For")) {
				r->xff = v;
			} else if (!strcasecmp(line, "Connection")) {
				r->conn_hdr = v;
			} else if (!strcasecmp(line, "Transfer-Encoding")) {
				r->te = v;
			} else if (!strcasecmp(line, "Content-Length")) {
				size_t n = 0, digits = 0;
				char *d;

				for (d = v; *d; d++, digits++) {
					if (!isdigit((unsigned char)*d) || digits >= 9)
						return 400;
					n = n * 10 + (size_t)(*d - '0');
				}
				if (!digits || (r->has_clen && r->clen != n))
					return 400;
				r->has_clen = true;
				r->clen = n;
			}
		}
	}
	if (first)
		return 400;
	/* origin-form only; absolute-form "http://host/path" is reduced to its path */
	if (starts_with(r->target, "http://")) {
		char *slash = strchr(r->target + 7, '/');

		r->target = slash ? slash : (char *)"/";
	}
	if (r->target[0] != '/' && strcmp(r->target, "*") != 0)
		return 400;
	{
		char *q = strchr(r->target, '?');

		if (q) {
			*q = '\0';
			r->has_query = true;
		}
	}
	return 0;
}

static bool token_has(const char *list, const char *tok)
{
	size_t n = strlen(tok);
	const char *p = list;

	while (p && *p) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (!strncasecmp(p, tok, n) && (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
			return true;
		p = strchr(p, ',');
	}
	return false;
}

/* Returns the end of the head (offset just past the empty line), or 0. */
static size_t find_head_end(struct conn *c)
{
	size_t lim = c->inlen < HEAD_MAX ? c->inlen : HEAD_MAX;
	size_t i = c->scan;

	for (; i < lim; i++) {
		if (c->in[i] != '\n')
			continue;
		if (i + 1 < c->inlen && c->in[i + 1] == '\n')
			return i + 2;
		if (i + 2 < c->inlen && c->in[i + 1] == '\r' && c->in[i + 2] == '\n')
			return i + 3;
		if (i + 2 >= c->inlen)
			break; /* need more bytes to decide */
	}
	c->scan = i;
	return 0;
}

static void consume(struct conn *c, size_t n)
{
	memmove(c->in, c->in + n, c->inlen - n);
	c->inlen -= n;
	c->scan = 0;
}

static void process_input(struct conn *c, time_t now)
{
	while (!c->close_after) {
		struct req r;
		size_t head, skip = 0;
		int st;

		if (c->hung) {
			c->inlen = 0;
			c->scan = 0;
			return;
		}
		/* tolerate stray CRLFs between requests */
		while (skip < c->inlen && (c->in[skip] == '\r' || c->in[skip] == '\n'))
			skip++;
		if (skip)
			consume(c, skip);
		if (!c->inlen) {
			c->partial_since = 0;
			return;
		}
		if (!c->partial_since)
			c->partial_since = now;
		if (c->outlen - c->outoff > OUT_HIGH)
			return; /* wait for the peer to read */
		head = find_head_end(c);
		if (!head) {
			if (c->inlen >= HEAD_MAX)
				bad_request(c, NULL, 431);
			return;
		}
		memset(&r, 0, sizeof(r));
		st = parse_head(c->in, head, &r);
		if (!st && r.te)
			st = 501;
		if (!st && r.clen > BODY_MAX)
			st = 413;
		if (st) {
			bad_request(c, (st == 501 || st == 413) ? &r : NULL, st);
			return;
		}
		if (c->inlen < head + r.clen)
			return; /* body incomplete */
		r.body = c->in + head;
		r.body_len = r.clen;
		if (r.minor == 0)
			c->close_after = !token_has(r.conn_hdr, "keep-alive");
		else if (token_has(r.conn_hdr, "close"))
			c->close_after = true;
		dispatch(c, &r);
		consume(c, head + r.clen);
		c->partial_since = 0;
	}
}

/* ---------------------------------------------------------------------------------------- */
/* sockets                                                                                  */

static int parse_listen(const char *spec, struct listener *l)
{
	char buf[128], *host, *port, *at, *end;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&l->sa;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&l->sa;
	long pn;

	if (strlen(spec) >= sizeof(buf))
		return -1;
	strcpy(buf, spec);
	memset(l, 0, sizeof(*l));
	l->fd = -1;
	at = strchr(buf, '@');
	l->svc = 0;
	if (at) {
		char *tok, *save = NULL;

		*at = '\0';
		for (tok = strtok_r(at + 1, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (!strcmp(tok, "imds"))
				l->svc |= SVC_IMDS;
			else if (!strcmp(tok, "pia"))
				l->svc |= SVC_PIA;
			else if (!strcmp(tok, "sts"))
				l->svc |= SVC_STS;
			else if (!strcmp(tok, "all"))
				l->svc |= SVC_ALL;
			else
				return -1;
		}
		if (!l->svc)
			return -1;
	}
	if (buf[0] == '[') {
		host = buf + 1;
		end = strchr(host, ']');
		if (!end || end[1] != ':')
			return -1;
		*end = '\0';
		port = end + 2;
		s6->sin6_family = AF_INET6;
		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
			return -1;
		l->salen = sizeof(*s6);
	} else {
		host = buf;
		port = strrchr(buf, ':');
		if (!port)
			return -1;
		*port++ = '\0';
		s4->sin_family = AF_INET;
		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return -1;
		l->salen = sizeof(*s4);
	}
	errno = 0;
	pn = strtol(port, &end, 10);
	if (errno || *end || end == port || pn < 0 || pn > 65535)
		return -1;
	if (l->sa.ss_family == AF_INET6) {
		s6->sin6_port = htons((uint16_t)pn);
		snprintf(l->name, sizeof(l->name), "[%.46s]:%ld", host, pn);
	} else {
		s4->sin_port = htons((uint16_t)pn);
		snprintf(l->name, sizeof(l->name), "%.46s:%ld", host, pn);
	}
	if (!l->svc) {
		/* which service lives at this address on a real node */
		if (!strcmp(host, "169.254.169.254") || !strcmp(host, "fd00:ec2::254"))
			l->svc = SVC_IMDS;
		else if (!strcmp(host, "169.254.170.23") || !strcmp(host, "fd00:ec2::23") ||
			 !strcmp(host, "169.254.170.2"))
			l->svc = SVC_PIA;
		else
			l->svc = SVC_ALL;
	}
	return 0;
}

static void open_listener(struct listener *l)
{
	int one = 1;

	l->fd = socket(l->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0)
		die("socket for %s: %s", l->name, strerror(errno));
	setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l->sa.ss_family == AF_INET6)
		setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(l->fd, (struct sockaddr *)&l->sa, l->salen) < 0)
		die("bind %s: %s", l->name, strerror(errno));
	if (listen(l->fd, 1024) < 0)
		die("listen %s: %s", l->name, strerror(errno));
}

static void fmt_peer(const struct sockaddr_storage *ss, char *out, size_t cap)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &s->sin_addr, a, sizeof(a));
		snprintf(out, cap, "%s:%u", a, ntohs(s->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &s->sin6_addr, a, sizeof(a));
		snprintf(out, cap, "[%s]:%u", a, ntohs(s->sin6_port));
	} else {
		snprintf(out, cap, "?");
	}
}

static void accept_some(int li, time_t now)
{
	int i;

	for (i = 0; i < ACCEPT_BURST; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		struct conn *c;
		int one = 1;
		int fd = accept4(listeners[li].fd, (struct sockaddr *)&ss, &sl,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return; /* EAGAIN, or a transient error: try again on next poll */
		if (nconns >= max_conns) {
			close(fd); /* full: refuse rather than grow without bound */
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (c)
			c->in = malloc(IN_INIT);
		if (!c || !c->in) {
			if (c)
				free(c);
			close(fd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->fd = fd;
		c->li = li;
		c->incap = IN_INIT;
		c->last = now;
		fmt_peer(&ss, c->peer, sizeof(c->peer));
		conns[nconns++] = c;
	}
}

/* Read what is available. Returns false when the connection is finished. */
static bool conn_read(struct conn *c, time_t now)
{
	for (;;) {
		ssize_t r;

		if (c->hung)
			c->inlen = 0;
		if (c->inlen == c->incap) {
			size_t cap = c->incap * 2;
			char *np;

			if (c->incap >= IN_MAX)
				return true; /* full: process_input will make room */
			if (cap > IN_MAX)
				cap = IN_MAX;
			np = realloc(c->in, cap);
			if (!np)
				return false;
			c->in = np;
			c->incap = cap;
		}
		r = recv(c->fd, c->in + c->inlen, c->incap - c->inlen, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (r <= 0)
			return false; /* EOF or error */
		c->inlen += (size_t)r;
		c->last = now;
		process_input(c, now);
		if (c->close_after)
			return true;
	}
}

/* Returns false on a write error. */
static bool conn_flush(struct conn *c, time_t now)
{
	while (c->outoff < c->outlen) {
		ssize_t w = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (w <= 0)
			return false;
		c->outoff += (size_t)w;
		c->last = now;
	}
	c->outoff = c->outlen = 0;
	return true;
}

static bool conn_timed_out(const struct conn *c, time_t now)
{
	if (c->hung)
		return now - c->last > HUNG_TIMEOUT;
	if (c->partial_since && now - c->partial_since > PARTIAL_TIMEOUT)
		return true;
	return now - c->last > IDLE_TIMEOUT;
}

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void make_creds(struct creds *cr, const char *akid, const char *tag)
{
	snprintf(cr->akid, sizeof(cr->akid), "%s", akid);
	snprintf(cr->secret, sizeof(cr->secret), "CWSIMSECRET");
	rand_alnum(cr->secret + 11, 29); /* 40 chars, like a real secret key */
	snprintf(cr->token, sizeof(cr->token), "CWSIMSESS%s", tag);
	rand_alnum(cr->token + strlen(cr->token), 180);
	record_secret(cr->secret);
	record_secret(cr->token);
}

static int open_out(const char *path, int flags)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0600);

	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	return fd;
}

static void write_ready_file(void)
{
	char tmp[PATH_MAX], buf[32];
	int fd, n;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", opt.ready_file, (int)getpid()) >=
	    (int)sizeof(tmp))
		die("--ready-file path too long");
	fd = open_out(tmp, O_TRUNC);
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	write_all(fd, buf, (size_t)n);
	close(fd);
	if (rename(tmp, opt.ready_file) < 0)
		die("rename %s: %s", opt.ready_file, strerror(errno));
}

static void usage_serve(void)
{
	fputs("usage: credsim serve --listen ADDR:PORT[@imds,pia,sts|@all] [--listen ...]\n"
	      "         [--imdsv2 optional|required|disabled] [--hang] [--hang-put]\n"
	      "         [--role NAME] [--access-key-id ID] [--pia-token-file PATH]\n"
	      "         [--pia-check-jwt] [--secrets-out PATH] [--log PATH] [--ready-file PATH]\n"
	      "         [--creds-alias /PATH]\n",
	      stderr);
	exit(2);
}

static int cmd_serve(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "imdsv2", required_argument, NULL, 'v' },
		{ "hang", no_argument, NULL, 'H' },
		{ "hang-put", no_argument, NULL, 'P' },
		{ "role", required_argument, NULL, 'r' },
		{ "access-key-id", required_argument, NULL, 'a' },
		{ "pia-token-file", required_argument, NULL, 't' },
		{ "pia-check-jwt", no_argument, NULL, 'j' },
		{ "secrets-out", required_argument, NULL, 's' },
		{ "log", required_argument, NULL, 'L' },
		{ "ready-file", required_argument, NULL, 'R' },
		{ "creds-alias", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pollfd *pfd;
	struct sigaction sa;
	struct rlimit rl;
	time_t last_sweep = 0;
	char buf[PIA_TOKEN_MAX];
	int ch, i;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'l':
			if (nlisteners >= MAX_LISTENERS)
				die("too many --listen (max %d)", MAX_LISTENERS);
			if (parse_listen(optarg, &listeners[nlisteners]) < 0)
				die("bad --listen '%s' (want 1.2.3.4:80 or [::1]:80, optional "
				    "@svc)",
				    optarg);
			nlisteners++;
			break;
		case 'v':
			if (!strcmp(optarg, "optional"))
				opt.v2 = V2_OPTIONAL;
			else if (!strcmp(optarg, "required"))
				opt.v2 = V2_REQUIRED;
			else if (!strcmp(optarg, "disabled"))
				opt.v2 = V2_DISABLED;
			else
				die("bad --imdsv2 '%s'", optarg);
			break;
		case 'H':
			opt.hang = true;
			break;
		case 'P':
			opt.hang_put = true;
			break;
		case 'r':
			opt.role = optarg;
			break;
		case 'a':
			opt.akid = optarg;
			break;
		case 't':
			opt.pia_token_file = optarg;
			break;
		case 'j':
			opt.pia_check_jwt = true;
			break;
		case 's':
			opt.secrets_out = optarg;
			break;
		case 'L':
			opt.log_path = optarg;
			break;
		case 'R':
			opt.ready_file = optarg;
			break;
		case 'C':
			if (optarg[0] != '/' || strlen(optarg) > 200)
				die("bad --creds-alias '%s' (an absolute request target)", optarg);
			opt.creds_alias = optarg;
			break;
		default:
			usage_serve();
		}
	}
	if (optind != argc || !nlisteners)
		usage_serve();
	if (!str_charset(opt.role, "+=,.@_-", 64))
		die("bad --role '%s' (IAM role name characters, 1-64)", opt.role);
	if (!str_charset(opt.akid, "", 32))
		die("bad --access-key-id '%s' (alphanumeric, 1-32)", opt.akid);
	if (opt.pia_token_file && pia_expected(buf, sizeof(buf)) < 0)
		die("--pia-token-file %s: unreadable or empty", opt.pia_token_file);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	max_conns = MAX_CONNS;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		if (rl.rlim_cur < rl.rlim_max && rl.rlim_cur < MAX_CONNS + 64) {
			rl.rlim_cur = rl.rlim_max < MAX_CONNS + 64 ? rl.rlim_max : MAX_CONNS + 64;
			setrlimit(RLIMIT_NOFILE, &rl);
			getrlimit(RLIMIT_NOFILE, &rl);
		}
		if (rl.rlim_cur < (rlim_t)MAX_CONNS + 64)
			max_conns = (int)rl.rlim_cur - 64 - MAX_LISTENERS;
		if (max_conns < 16)
			die("RLIMIT_NOFILE too small");
	}
	conns = calloc((size_t)max_conns, sizeof(*conns));
	tokens = calloc(TOKEN_SLOTS, sizeof(*tokens));
	pfd = calloc((size_t)(max_conns + MAX_LISTENERS), sizeof(*pfd));
	if (!conns || !tokens || !pfd)
		die("out of memory");

	if (opt.secrets_out)
		secrets_fd = open_out(opt.secrets_out, O_APPEND);
	if (opt.log_path)
		log_fd = open_out(opt.log_path, O_APPEND);
	fmt_iso(time(NULL), started_iso);
	fmt_iso(time(NULL) + 6 * 3600, expire_iso);
	make_creds(&role_creds, opt.akid, "IMDS");
	make_creds(&ident_creds, "ASIASIMULATEDEC2ID01", "EC2ID");
	make_creds(&pia_creds, "ASIASIMULATEDPIA0001", "PIA");
	make_creds(&ecs_creds, "ASIASIMULATEDECS0001", "ECS");
	make_creds(&sts_creds, "ASIASIMULATEDSTS0001", "STS");

	for (i = 0; i < nlisteners; i++)
		open_listener(&listeners[i]);
	if (opt.ready_file)
		write_ready_file();

	while (!stop_flag) {
		time_t now;
		int n = 0, rc;

		for (i = 0; i < nlisteners; i++) {
			pfd[n].fd = listeners[i].fd;
			pfd[n].events = nconns < max_conns ? POLLIN : 0;
			pfd[n].revents = 0;
			n++;
		}
		for (i = 0; i < nconns; i++) {
			struct conn *c = conns[i];
			short ev = 0;

			if (c->outoff < c->outlen)
				ev |= POLLOUT;
			if (!c->close_after &&
			    (c->hung || (c->outlen - c->outoff <= OUT_HIGH && c->inlen < IN_MAX)))
				ev |= POLLIN;
			pfd[n].fd = c->fd;
			pfd[n].events = ev;
			pfd[n].revents = 0;
			n++;
		}
		rc = poll(pfd, (nfds_t)n, 1000);
		if (rc < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		now = time(NULL);
		/* connections first (their indices are stable until we compact below) */
		for (i = 0; rc > 0 && i < nconns; i++) {
			struct conn *c = conns[i];
			short re = pfd[nlisteners + i].revents;
			bool ok = true;

			if (!re)
				continue;
			if (re & POLLIN)
				ok = conn_read(c, now);
			else if (re & (POLLERR | POLLHUP | POLLNVAL))
				ok = false;
			if (ok && (c->outoff < c->outlen))
				ok = conn_flush(c, now);
			/* input may have waited for output to drain */
			if (ok && !c->close_after && c->inlen && c->outoff == c->outlen) {
				process_input(c, now);
				if (c->outoff < c->outlen)
					ok = conn_flush(c, now);
			}
			if (ok && c->close_after && c->outoff >= c->outlen)
				ok = false;
			if (!ok) {
				conn_free(c);
				conns[i] = NULL;
			}
		}
		if (now != last_sweep) {
			last_sweep = now;
			for (i = 0; i < nconns; i++)
				if (conns[i] && conn_timed_out(conns[i], now)) {
					conn_free(conns[i]);
					conns[i] = NULL;
				}
		}
		{
			int w = 0;

			for (i = 0; i < nconns; i++)
				if (conns[i])
					conns[w++] = conns[i];
			nconns = w;
		}
		for (i = 0; rc > 0 && i < nlisteners; i++)
			if (pfd[i].revents & POLLIN)
				accept_some(i, now);
	}
	for (i = 0; i < nconns; i++)
		conn_free(conns[i]);
	for (i = 0; i < nlisteners; i++)
		close(listeners[i].fd);
	free(conns);
	free(tokens);
	free(pfd);
	return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* mkjwt                                                                                    */

static void usage_mkjwt(void)
{
	fputs("usage: credsim mkjwt [--iss URL] [--sub S] [--aud A [--aud B ...]] [--ns NS]\n"
	      "         [--pod NAME] [--pod-uid UID] [--sa NAME] [--sa-uid UID] [--node NAME]\n"
	      "         [--node-uid UID] [--exp UNIX] [--iat UNIX] [--secrets-out PATH]\n"
	      "  prints header.payload.signature; the signature decodes to \"CWSIMSIG\" + random\n",
	      stderr);
	exit(2);
}

static long parse_unix(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 0)
		die("bad unix time '%s'", s);
	return v;
}

static int cmd_mkjwt(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "iss", required_argument, NULL, 'i' },
		{ "sub", required_argument, NULL, 's' },
		{ "aud", required_argument, NULL, 'a' },
		{ "ns", required_argument, NULL, 'n' },
		{ "pod", required_argument, NULL, 'p' },
		{ "pod-uid", required_argument, NULL, 'P' },
		{ "sa", required_argument, NULL, 'S' },
		{ "sa-uid", required_argument, NULL, 'U' },
		{ "node", required_argument, NULL, 'N' },
		{ "node-uid", required_argument, NULL, 'D' },
		{ "exp", required_argument, NULL, 'e' },
		{ "iat", required_argument, NULL, 't' },
		{ "secrets-out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *iss =
		"https://oidc.eks.us-east-1.amazonaws.com/id/CWSIM0000000000000000000000000";
	const char *sub = NULL, *ns = "default", *pod = "credwatch-sim-pod", *sa = "default";
	const char *pod_uid = NULL, *sa_uid = NULL, *node = NULL, *node_uid = NULL;
	const char *secrets = NULL, *aud[16];
	char u1[37], u2[37], u3[37], jti[37], subbuf[512];
	static char payload[16384], header[256], enc[32768];
	uint8_t sig[256];
	char sigenc[352];
	struct jb j = { payload, 0, sizeof(payload) };
	long iat = (long)time(NULL), exp = -1;
	int naud = 0, ch, i;
	size_t pos;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'i':
			iss = optarg;
			break;
		case 's':
			sub = optarg;
			break;
		case 'a':
			if (naud >= (int)ARRAY_SIZE(aud))
				die("too many --aud");
			aud[naud++] = optarg;
			break;
		case 'n':
			ns = optarg;
			break;
		case 'p':
			pod = optarg;
			break;
		case 'P':
			pod_uid = optarg;
			break;
		case 'S':
			sa = optarg;
			break;
		case 'U':
			sa_uid = optarg;
			break;
		case 'N':
			node = optarg;
			break;
		case 'D':
			node_uid = optarg;
			break;
		case 'e':
			exp = parse_unix(optarg);
			break;
		case 't':
			iat = parse_unix(optarg);
			break;
		case 'o':
			secrets = optarg;
			break;
		default:
			usage_mkjwt();
		}
	}
	if (optind != argc)
		usage_mkjwt();
	if (!naud)
		aud[naud++] = "sts.amazonaws.com";
	if (exp < 0)
		exp = iat + 86400;
	if (!sub) {
		snprintf(subbuf, sizeof(subbuf), "system:serviceaccount:%s:%s", ns, sa);
		sub = subbuf;
	}
	rand_uuid(u1);
	rand_uuid(u2);
	rand_uuid(u3);
	rand_uuid(jti);

	/* claims in the order the API server emits them */
	jb_puts(&j, "{\"aud\":[");
	for (i = 0; i < naud; i++) {
		if (i)
			jb_puts(&j, ",");
		jb_str(&j, aud[i], 1024);
	}
	snprintf(header, sizeof(header), "],\"exp\":%ld,\"iat\":%ld", exp, iat);
	jb_puts(&j, header);
	jb_kstr(&j, "iss", iss, 1024);
	jb_kstr(&j, "jti", jti, 64);
	jb_puts(&j, ",\"kubernetes.io\":{\"namespace\":");
	jb_str(&j, ns, 256);
	if (node) {
		jb_puts(&j, ",\"node\":{\"name\":");
		jb_str(&j, node, 256);
		jb_kstr(&j, "uid", node_uid ? node_uid : u3, 64);
		jb_puts(&j, "}");
	}
	jb_puts(&j, ",\"pod\":{\"name\":");
	jb_str(&j, pod, 256);
	jb_kstr(&j, "uid", pod_uid ? pod_uid : u1, 64);
	jb_puts(&j, "},\"serviceaccount\":{\"name\":");
	jb_str(&j, sa, 256);
	jb_kstr(&j, "uid", sa_uid ? sa_uid : u2, 64);
	snprintf(header, sizeof(header), "}},\"nbf\":%ld", iat);
	jb_puts(&j, header);
	jb_kstr(&j, "sub", sub, 1024);
	jb_puts(&j, "}");
	if (j.len + 1 >= j.cap)
		die("claims too long");

	snprintf(header, sizeof(header), "{\"alg\":\"RS256\",\"kid\":\"credwatch-sim-key\"}");
	b64url_encode((const uint8_t *)header, strlen(header), enc);
	pos = strlen(enc);
	enc[pos++] = '.';
	b64url_encode((const uint8_t *)payload, j.len, enc + pos);
	pos += strlen(enc + pos);
	enc[pos++] = '.';
	memcpy(sig, "CWSIMSIG", 8);
	rand_bytes(sig + 8, sizeof(sig) - 8);
	b64url_encode(sig, sizeof(sig), sigenc);
	memcpy(enc + pos, sigenc, strlen(sigenc) + 1);
	if (secrets) {
		secrets_fd = open_out(secrets, O_APPEND);
		record_secret(sigenc);
		close(secrets_fd);
	}
	printf("%s\n", enc);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* ---------------------------------------------------------------------------------------- */

static int cmd_sha256(int argc, char **argv)
{
	static char buf[1 << 20];
	char hex[65];
	size_t len = 0;
	ssize_t r;

	(void)argv;
	if (argc != 1)
		die("usage: credsim sha256 < data (max 1 MiB)");
	while (len < sizeof(buf)) {
		r = read(0, buf + len, sizeof(buf) - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	sha256_hex(buf, len, hex);
	printf("%s\n", hex);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs("usage: credsim serve|mkjwt|sha256 ... (--help for each)\n", stderr);
		return 2;
	}
	if (!strcmp(argv[1], "serve"))
		return cmd_serve(argc - 1, argv + 1);
	if (!strcmp(argv[1], "mkjwt"))
		return cmd_mkjwt(argc - 1, argv + 1);
	if (!strcmp(argv[1], "sha256"))
		return cmd_sha256(argc - 1, argv + 1);
	fprintf(stderr, "credsim: unknown command '%s'\n", argv[1]);
	return 2;
}
