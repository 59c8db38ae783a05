// SPDX-License-Identifier: GPL-2.0
/*
 * http: HTTP/1.x request/response head parsing and credential-request classification for
 * credwatch. See http.h for the contract; the comments here explain the choices.
 *
 * Facts this relies on (sources):
 *  - IMDS versions: GET http://169.254.169.254/ lists "1.0", dated versions ("2007-01-19" ...)
 *    and "latest" (EC2 instance metadata docs; the OpenStack EC2-compatible metadata docs show
 *    the same list). So a version segment is "latest", "1.0" or YYYY-MM-DD.
 *  - Credential paths and the v2 handshake: shared/eks-node-facts.md section 1.
 *  - JavaScript SDK v3 sends the token headers in lower case ("x-aws-ec2-metadata-token",
 *    verified in @smithy/credential-provider-imds fromInstanceMetadata.js), so header names
 *    must be matched case-insensitively (RFC 9110 says so anyway).
 *
 * Unknowns, and what we do about them: I found no public statement of whether IMDS or the Pod
 * Identity Agent collapse repeated slashes, resolve dot segments, decode percent-escapes of
 * unreserved characters, or match path case-insensitively. Each of those could let a request
 * that fetches credentials slip past an exact string match, so the classifier applies all of
 * them before matching (erring on the side of reporting) and raises nonstandard_path when any
 * of them was needed. A server that does not normalise answers such a request with 404, which
 * the response status line shows.
 */
#include "intake/http.h"
#include "util/names.h"

#include <string.h>

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* RFC 9110 token characters. Written out rather than via <ctype.h>: no locale, no sign bugs. */
static bool is_tchar(unsigned char c)
{
	if (is_alpha(c) || is_digit(c))
		return true;
	switch (c) {
	case '!':
	case '#':
	case '$':
	case '%':
	case '&':
	case '\'':
	case '*':
	case '+':
	case '-':
	case '.':
	case '^':
	case '_':
	case '`':
	case '|':
	case '~':
		return true;
	}
	return false;
}

static unsigned char to_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* Case-insensitive compare of n bytes against a lower-case literal. */
static bool ci_eq(const unsigned char *s, size_t n, const char *lit)
{
	size_t i;

	if (strlen(lit) != n)
		return false;
	for (i = 0; i < n; i++)
		if (to_lower(s[i]) != (unsigned char)lit[i])
			return false;
	return true;
}

/* Is s[0..n) a case-insensitive prefix of lit? */
static bool ci_prefix_of(const unsigned char *s, size_t n, const char *lit)
{
	size_t i;

	if (n > strlen(lit))
		return false;
	for (i = 0; i < n; i++)
		if (to_lower(s[i]) != (unsigned char)lit[i])
			return false;
	return true;
}

static int hexval(unsigned char c)
{
	if (is_digit(c))
		return c - '0';
	c = to_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* ------------------------------------------------------------------------------------------ */
/* Request head                                                                               */
/* ------------------------------------------------------------------------------------------ */

static const struct {
	const char *name;
	enum http_method m;
} methods[] = {
	{ "GET", HTTP_M_GET },	   { "PUT", HTTP_M_PUT },	{ "POST", HTTP_M_POST },
	{ "HEAD", HTTP_M_HEAD },   { "DELETE", HTTP_M_DELETE }, { "OPTIONS", HTTP_M_OPTIONS },
	{ "PATCH", HTTP_M_PATCH },
};

/* Methods are case-sensitive (RFC 9110 9.1): "get" is not GET. */
static enum http_method method_lookup(const char *tok, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strlen(methods[i].name) == n && memcmp(methods[i].name, tok, n) == 0)
			return methods[i].m;
	return HTTP_M_OTHER;
}

/*
 * A capture that ends inside the first token ("GE") is only worth calling HTTP if it can still
 * become a method we know; otherwise any short run of letters would qualify.
 */
static bool method_prefix_known(const char *tok, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strlen(methods[i].name) >= n && memcmp(methods[i].name, tok, n) == 0)
			return true;
	return n <= 7 && memcmp("CONNECT", tok, n) == 0;
}

/*
 * Accept only targets a server would: origin-form ("/..."), asterisk-form ("*"), absolute-form
 * ("http://host/...", case-insensitive scheme) or, for CONNECT, authority-form. Requiring this
 * is what turns "hello world\r\n" from a chat protocol into NOT_HTTP. A target cut short by the
 * capture only needs to be a prefix of one of those.
 */
static bool target_plausible(const unsigned char *t, size_t n, bool cut, bool is_connect)
{
	if (is_connect)
		return true;
	if (n == 0)
		return cut;
	if (t[0] == '/' || t[0] == '*')
		return true;
	if (n >= 7 && ci_eq(t, 7, "http://"))
		return true;
	if (n >= 8 && ci_eq(t, 8, "https://"))
		return true;
	return cut && (ci_prefix_of(t, n, "http://") || ci_prefix_of(t, n, "https://"));
}

static bool is_ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* Copy a header value (OWS-trimmed) into a bounded field; truncated when cut or too long. */
static void copy_value(const unsigned char *v, const unsigned char *ve, bool line_complete,
		       char *dst, size_t cap, uint16_t *dst_len, bool *trunc)
{
	size_t n;

	while (v < ve && is_ows(*v))
		v++;
	while (ve > v && is_ows(ve[-1]))
		ve--;
	n = (size_t)(ve - v);
	*trunc = !line_complete || n > cap;
	if (n > cap)
		n = cap;
	memcpy(dst, v, n);
	dst[n] = '\0';
	*dst_len = (uint16_t)n;
}

/* Content-Length: digits only (OWS trimmed); anything else, or an absurd size, is invalid (-1) */
static int64_t parse_length(const unsigned char *v, const unsigned char *ve)
{
	int64_t n = 0;
	int digits = 0;

	while (v < ve && is_ows(*v))
		v++;
	while (ve > v && is_ows(ve[-1]))
		ve--;
	if (v == ve)
		return -1;
	for (; v < ve; v++) {
		if (!is_digit(*v) || ++digits > 15)
			return -1;
		n = n * 10 + (*v - '0');
	}
	return n;
}

/* Does the comma-separated header value [v, ve) hold token tok (case-insensitive)? If last,
 * only as its last element. */
static bool has_token(const unsigned char *v, const unsigned char *ve, const char *tok, bool last)
{
	bool found = false;

	while (v < ve) {
		const unsigned char *e = v, *te;

		while (e < ve && *e != ',')
			e++;
		te = e;
		while (v < te && is_ows(*v))
			v++;
		while (te > v && is_ows(te[-1]))
			te--;
		found = ci_eq(v, (size_t)(te - v), tok);
		if (found && !last)
			return true;
		v = e < ve ? e + 1 : e;
	}
	return found;
}

/* The headers that frame a message (RFC 9112 6): length, chunking, connection close. A second,
 * different Content-Length makes the length unknown. */
static void frame_header(const unsigned char *name, size_t nlen, const unsigned char *v,
			 const unsigned char *ve, bool complete, int64_t *cl, bool *seen_cl,
			 bool *chunked, bool *close)
{
	if (ci_eq(name, nlen, "content-length")) {
		int64_t n = complete ? parse_length(v, ve) : -1;

		*cl = *seen_cl && *cl != n ? -1 : n;
		*seen_cl = true;
	} else if (ci_eq(name, nlen, "transfer-encoding")) {
		*chunked = has_token(v, ve, "chunked", true);
	} else if (ci_eq(name, nlen, "connection")) {
		*close |= has_token(v, ve, "close", false);
	}
}

/*
 * One header line [ls, le). The secret-bearing headers only ever set a flag: their value bytes
 * are not even looked at, so no later change to this function can leak them by accident
 * through a shared copy path.
 */
static void parse_header_line(struct http_request *req, const unsigned char *ls,
			      const unsigned char *le, bool complete)
{
	const unsigned char *colon, *ne;
	size_t nlen, i;

	req->header_count++;
	/* obs-fold continuation (RFC 9112 5.2): deprecated; we ignore its content. */
	if (is_ows(*ls))
		return;
	colon = memchr(ls, ':', (size_t)(le - ls));
	if (!colon) {
		/* A name cut by the end of the capture is not malformed, just unknown. */
		if (complete)
			req->bad_header_lines++;
		return;
	}
	/* Servers must reject whitespace before the colon; we tolerate it for matching. */
	ne = colon;
	while (ne > ls && is_ows(ne[-1]))
		ne--;
	nlen = (size_t)(ne - ls);
	for (i = 0; i < nlen; i++)
		if (!is_tchar(ls[i]))
			break;
	if (nlen == 0 || i != nlen) {
		req->bad_header_lines++;
		return;
	}

	if (ci_eq(ls, nlen, "x-aws-ec2-metadata-token")) {
		req->has_token = true;
	} else if (ci_eq(ls, nlen, "x-aws-ec2-metadata-token-ttl-seconds")) {
		req->has_token_ttl = true;
	} else if (ci_eq(ls, nlen, "authorization")) {
		req->has_authorization = true;
	} else if (ci_eq(ls, nlen, "host")) {
		if (req->has_host) {
			req->host_duplicate = true;
			return;
		}
		req->has_host = true;
		copy_value(colon + 1, le, complete, req->host, HTTP_HOST_MAX, &req->host_len,
			   &req->host_truncated);
	} else if (ci_eq(ls, nlen, "user-agent")) {
		if (req->has_user_agent)
			return;
		req->has_user_agent = true;
		copy_value(colon + 1, le, complete, req->user_agent, HTTP_UA_MAX, &req->ua_len,
			   &req->ua_truncated);
	} else {
		frame_header(ls, nlen, colon + 1, le, complete, &req->content_length,
			     &req->seen_content_length, &req->chunked, &req->conn_close);
	}
}

enum http_status http_parse_request(const void *buf, size_t len, struct http_request *req)
{
	const unsigned char *p = buf, *end, *t;
	size_t mlen = 0, tlen, keep;

	memset(req, 0, sizeof(*req));
	req->content_length = -1;
	if (!buf)
		return req->status = HTTP_NOT_HTTP; /* (and NULL + 0 would be undefined) */
	end = p + len;

	/* RFC 9112 2.2: a server SHOULD ignore empty lines before the request line. */
	while (p < end && (*p == '\r' || *p == '\n'))
		p++;

	/* Method token. */
	while (p < end && is_tchar(*p)) {
		if (mlen >= HTTP_METHOD_MAX)
			return req->status = HTTP_NOT_HTTP; /* no real method is that long */
		req->method_raw[mlen++] = (char)*p++;
	}
	if (mlen == 0)
		return req->status = HTTP_NOT_HTTP;
	if (p == end) {
		/* Capture ended inside the method: a split first segment ("GE" | "T /..."). */
		if (!method_prefix_known(req->method_raw, mlen))
			return req->status = HTTP_NOT_HTTP;
		req->path_truncated = true;
		return req->status = HTTP_TRUNCATED;
	}
	if (*p != ' ')
		return req->status = HTTP_NOT_HTTP;
	p++;
	req->method = method_lookup(req->method_raw, mlen);

	/* Request-target: anything up to SP or a line end; kept raw. */
	t = p;
	while (p < end && *p != ' ' && *p != '\r' && *p != '\n')
		p++;
	tlen = (size_t)(p - t);
	if (!target_plausible(t, tlen, p == end,
			      mlen == 7 && !memcmp(req->method_raw, "CONNECT", 7)))
		return req->status = HTTP_NOT_HTTP;
	keep = tlen > HTTP_PATH_MAX ? HTTP_PATH_MAX : tlen;
	memcpy(req->path, t, keep);
	req->path[keep] = '\0';
	req->path_len = (uint16_t)keep;
	req->path_truncated = tlen > HTTP_PATH_MAX || p == end;
	if (p == end)
		return req->status = HTTP_TRUNCATED;

	if (*p == ' ') {
		static const char proto[] = "HTTP/";
		size_t i;

		p++;
		/* "HTTP/" DIGIT "." DIGIT; a capture that stops inside it is still HTTP. */
		for (i = 0; i < 5; i++, p++) {
			if (p == end)
				return req->status = HTTP_TRUNCATED;
			if (*p != (unsigned char)proto[i])
				return req->status = HTTP_NOT_HTTP;
		}
		if (p == end)
			return req->status = HTTP_TRUNCATED;
		if (!is_digit(*p))
			return req->status = HTTP_NOT_HTTP;
		req->version_major = (uint8_t)(*p++ - '0');
		if (p == end)
			return req->status = HTTP_TRUNCATED;
		if (*p++ != '.')
			return req->status = HTTP_NOT_HTTP;
		if (p == end)
			return req->status = HTTP_TRUNCATED;
		if (!is_digit(*p))
			return req->status = HTTP_NOT_HTTP;
		req->version_minor = (uint8_t)(*p++ - '0');
		if (p == end)
			return req->status = HTTP_TRUNCATED;
		if (*p != '\r' && *p != '\n')
			return req->status = HTTP_NOT_HTTP;
		req->has_version = true;
	} else {
		/* "GET /path\r\n": an HTTP/0.9 simple request. Kept as HTTP; servers reject it. */
		req->version_major = 0;
		req->version_minor = 9;
	}
	/* Line end: CRLF, LF, or a bare CR (treated as a line end, see below). */
	if (*p == '\r')
		p++;
	if (p < end && *p == '\n')
		p++;
	req->line_complete = true;

	/*
	 * Header lines. A line ends at LF, CRLF or a bare CR. Treating a bare CR as a line end
	 * (RFC 9112 allows rejecting it or reading it as SP) is the safe choice here: reading it
	 * as SP would fold "User-Agent: x\rAuthorization: <secret>" into one User-Agent value and
	 * copy the secret.
	 */
	while (p < end) {
		const unsigned char *ls = p, *le = p;
		bool complete;

		while (le < end && *le != '\r' && *le != '\n')
			le++;
		complete = le < end;
		if (le == ls)
			return req->status = HTTP_COMPLETE; /* the empty line (a lone CR counts) */
		parse_header_line(req, ls, le, complete);
		if (!complete)
			break;
		p = le;
		if (*p == '\r')
			p++;
		if (p < end && *p == '\n')
			p++;
	}
	return req->status = HTTP_TRUNCATED;
}

/* ------------------------------------------------------------------------------------------ */
/* Response status line                                                                       */
/* ------------------------------------------------------------------------------------------ */

enum http_status http_parse_response(const void *buf, size_t len, struct http_response *resp)
{
	static const char proto[] = "HTTP/";
	const unsigned char *p = buf, *end;
	unsigned int code = 0;
	size_t i;

	memset(resp, 0, sizeof(*resp));
	if (!buf || len == 0)
		return resp->status = HTTP_NOT_HTTP;
	end = p + len;
	for (i = 0; i < 5; i++, p++) {
		if (p == end)
			return resp->status = HTTP_TRUNCATED;
		if (*p != (unsigned char)proto[i])
			return resp->status = HTTP_NOT_HTTP;
	}
	if (p == end)
		return resp->status = HTTP_TRUNCATED;
	if (!is_digit(*p))
		return resp->status = HTTP_NOT_HTTP;
	resp->version_major = (uint8_t)(*p++ - '0');
	if (p == end)
		return resp->status = HTTP_TRUNCATED;
	if (*p++ != '.')
		return resp->status = HTTP_NOT_HTTP;
	if (p == end)
		return resp->status = HTTP_TRUNCATED;
	if (!is_digit(*p))
		return resp->status = HTTP_NOT_HTTP;
	resp->version_minor = (uint8_t)(*p++ - '0');
	if (p == end)
		return resp->status = HTTP_TRUNCATED;
	if (*p++ != ' ')
		return resp->status = HTTP_NOT_HTTP;
	for (i = 0; i < 3; i++, p++) {
		if (p == end)
			return resp->status = HTTP_TRUNCATED;
		if (!is_digit(*p))
			return resp->status = HTTP_NOT_HTTP;
		code = code * 10 + (unsigned int)(*p - '0');
	}
	/* RFC 9112 4: status-code is exactly three digits, then SP (reason may be empty). */
	if (p < end && *p != ' ' && *p != '\r' && *p != '\n')
		return resp->status = HTTP_NOT_HTTP;
	if (code < 100)
		return resp->status = HTTP_NOT_HTTP;
	resp->code = (uint16_t)code;
	return resp->status = HTTP_COMPLETE;
}

/* The end of the line starting at p: *next is where the next line starts; false when the line
 * has not ended inside [p, end) yet (a CR as the last byte may still become CRLF). */
static bool line_end(const unsigned char *p, const unsigned char *end, const unsigned char **le,
		     const unsigned char **next)
{
	const unsigned char *e = p;

	while (e < end && *e != '\r' && *e != '\n')
		e++;
	if (e == end)
		return false;
	*le = e;
	if (*e == '\r') {
		if (e + 1 == end)
			return false;
		*next = e[1] == '\n' ? e + 2 : e + 1;
	} else {
		*next = e + 1;
	}
	return true;
}

size_t http_head_end(const void *buf, size_t len)
{
	const unsigned char *p = buf, *end, *le, *next;

	if (!buf)
		return 0;
	end = p + len;
	/* empty lines before a request line are not its end (RFC 9112 2.2) */
	while (p < end && (*p == '\r' || *p == '\n')) {
		if (*p == '\r' && p + 1 == end)
			return 0;
		p++;
	}
	if (p == end)
		return 0;
	while (line_end(p, end, &le, &next)) {
		if (le == p)
			return (size_t)(next - (const unsigned char *)buf);
		p = next;
	}
	return 0;
}

enum http_status http_parse_response_head(const void *buf, size_t len, struct http_response *resp)
{
	const unsigned char *p = buf, *end, *le, *next;
	bool seen_cl = false;

	if (http_parse_response(buf, len, resp) != HTTP_COMPLETE)
		return resp->status;
	resp->content_length = -1;
	end = p + len;
	if (!line_end(p, end, &le, &next))
		return resp->status = HTTP_TRUNCATED;
	for (p = next; line_end(p, end, &le, &next); p = next) {
		const unsigned char *colon, *ne;

		if (le == p)
			return resp->status = HTTP_COMPLETE; /* the empty line */
		colon = memchr(p, ':', (size_t)(le - p));
		if (!colon || is_ows(*p))
			continue;
		ne = colon;
		while (ne > p && is_ows(ne[-1]))
			ne--;
		frame_header(p, (size_t)(ne - p), colon + 1, le, true, &resp->content_length,
			     &seen_cl, &resp->chunked, &resp->conn_close);
	}
	/* A CR that starts the last line is the empty line, whether a LF follows it or not (as
	 * http_head_end() reads a head that a bare CR ends) */
	if (p + 1 == end && *p == '\r')
		return resp->status = HTTP_COMPLETE;
	return resp->status = HTTP_TRUNCATED;
}

/* --- credentials documents ---------------------------------------------------------------- */

struct js {
	const unsigned char *p, *end;
};

static void js_ws(struct js *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\r' || *j->p == '\n'))
		j->p++;
}

/*
 * A string at j->p (the opening quote). Its bytes are copied into out (cap bytes with NUL)
 * only when out is given and the string has no escapes; *escaped says it had some. The string
 * is always skipped. False on malformed input.
 */
static bool js_string(struct js *j, char *out, size_t cap, size_t *outlen, bool *escaped)
{
	size_t n = 0;

	*escaped = false;
	if (j->p >= j->end || *j->p != '"')
		return false;
	j->p++;
	while (j->p < j->end && *j->p != '"') {
		if (*j->p == '\\') {
			*escaped = true;
			if (++j->p >= j->end)
				return false;
		} else if (out && n + 1 < cap) {
			out[n] = (char)*j->p;
		}
		if (*j->p < 0x20)
			return false;
		n++;
		j->p++;
	}
	if (j->p >= j->end)
		return false;
	j->p++;
	if (out && cap) {
		if (*escaped || n + 1 > cap)
			n = 0; /* not copied: escapes or too long */
		out[n] = 0;
	}
	if (outlen)
		*outlen = n;
	return true;
}

/* Skip any JSON value (bounded nesting). */
static bool js_skip(struct js *j, int depth)
{
	bool esc;

	js_ws(j);
	if (j->p >= j->end || depth > 16)
		return false;
	if (*j->p == '"')
		return js_string(j, NULL, 0, NULL, &esc);
	if (*j->p == '{' || *j->p == '[') {
		unsigned char close = *j->p == '{' ? '}' : ']';

		j->p++;
		js_ws(j);
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return true;
		}
		for (;;) {
			if (close == '}') {
				if (!js_string(j, NULL, 0, NULL, &esc))
					return false;
				js_ws(j);
				if (j->p >= j->end || *j->p++ != ':')
					return false;
			}
			if (!js_skip(j, depth + 1))
				return false;
			js_ws(j);
			if (j->p >= j->end)
				return false;
			if (*j->p == ',') {
				j->p++;
				js_ws(j);
				continue;
			}
			if (*j->p++ != close)
				return false;
			return true;
		}
	}
	/* number, true, false, null */
	while (j->p < j->end &&
	       (is_alpha(*j->p) || is_digit(*j->p) || *j->p == '-' || *j->p == '+' || *j->p == '.'))
		j->p++;
	return true;
}

static bool charset_ok(const char *s, const char *extra)
{
	for (; *s; s++)
		if (!is_alpha((unsigned char)*s) && !is_digit((unsigned char)*s) &&
		    !strchr(extra, *s))
			return false;
	return true;
}

bool http_scan_credentials(const void *body, size_t len, struct http_creds *out)
{
	struct js j = { body, (const unsigned char *)body + len };
	bool secret = false;

	memset(out, 0, sizeof(*out));
	if (!body)
		return false;
	js_ws(&j);
	if (j.p >= j.end || *j.p != '{')
		return false;
	j.p++;
	js_ws(&j);
	while (j.p < j.end && *j.p != '}') {
		char key[32], *dst = NULL;
		size_t klen, cap = 0;
		bool esc;

		if (!js_string(&j, key, sizeof(key), &klen, &esc))
			break;
		js_ws(&j);
		if (j.p >= j.end || *j.p++ != ':')
			break;
		js_ws(&j);
		if (!strcmp(key, "AccessKeyId")) {
			dst = out->access_key_id;
			cap = sizeof(out->access_key_id);
		} else if (!strcmp(key, "Expiration")) {
			dst = out->expiration;
			cap = sizeof(out->expiration);
		} else if (!strcmp(key, "RoleArn")) {
			dst = out->role_arn;
			cap = sizeof(out->role_arn);
		} else if (!strcmp(key, "AccountId")) {
			dst = out->account_id;
			cap = sizeof(out->account_id);
		} else if (!strcmp(key, "Code")) {
			dst = out->code;
			cap = sizeof(out->code);
		} else if (!strcmp(key, "SecretAccessKey") || !strcmp(key, "Token")) {
			secret = true; /* its value is skipped below, never copied */
		}
		if (dst && j.p < j.end && *j.p == '"') {
			/* into dst only when the whole string is good: a string cut short or
			 * malformed would leave its start over a value kept before */
			char val[HTTP_ARN_MAX + 1];
			bool ok = js_string(&j, val, cap, NULL, &esc);

			if (ok)
				memcpy(dst, val, strlen(val) + 1);
			explicit_bzero(val, sizeof(val));
			if (!ok)
				break;
		} else if (!js_skip(&j, 0)) {
			break;
		}
		js_ws(&j);
		if (j.p < j.end && *j.p == ',') {
			j.p++;
			js_ws(&j);
		}
	}
	/* only what has the expected shape is kept */
	if (!charset_ok(out->access_key_id, ""))
		out->access_key_id[0] = 0;
	if (!charset_ok(out->expiration, ":.+-"))
		out->expiration[0] = 0;
	if (!charset_ok(out->role_arn, ":/+=,.@_-"))
		out->role_arn[0] = 0;
	if (!charset_ok(out->account_id, ""))
		out->account_id[0] = 0;
	if (!charset_ok(out->code, ""))
		out->code[0] = 0;
	out->found = out->access_key_id[0] && secret;
	return out->found;
}

/* ------------------------------------------------------------------------------------------ */
/* Classification                                                                             */
/* ------------------------------------------------------------------------------------------ */

#define NP_MAX_SEGS 32

struct npath {
	unsigned char buf[HTTP_PATH_MAX + 1];
	size_t len;
	struct {
		uint16_t off, len;
	} seg[NP_MAX_SEGS];
	int nseg;
	bool incomplete;   /* the request-target was cut short: more may follow */
	bool last_partial; /* ...and the cut fell inside the last segment */
	bool nonstandard;
	bool has_query;
};

/* Unreserved characters (RFC 3986 2.3): escaping them never changes meaning, so no ordinary
 * client does it. An escaped '/' or '\\' is likewise only useful for evasion. */
static bool escape_is_evasive(int c)
{
	return is_alpha((unsigned char)c) || is_digit((unsigned char)c) || c == '-' || c == '.' ||
	       c == '_' || c == '~' || c == '/' || c == '\\';
}

static void np_push(struct npath *np, size_t off, size_t len)
{
	if (np->nseg < NP_MAX_SEGS) {
		np->seg[np->nseg].off = (uint16_t)off;
		np->seg[np->nseg].len = (uint16_t)len;
		np->nseg++;
	} else {
		/* Deeper than any credential path: keep the count growing past the matchers. */
		np->nonstandard = true;
	}
}

/*
 * Normalise the request-target for matching: strip absolute-form, cut the query, decode every
 * percent-escape once, treat '\\' as '/', drop empty and "." segments and resolve "..". This is
 * a superset of what any server might do before routing; matching after it can only report
 * more, never less.
 */
static void normalize(const struct http_request *req, struct npath *np)
{
	const unsigned char *s = (const unsigned char *)req->path;
	size_t n = req->path_len, i = 0, start, k;

	memset(np, 0, sizeof(*np));
	np->incomplete = req->path_truncated;

	if ((n >= 7 && ci_eq(s, 7, "http://")) || (n >= 8 && ci_eq(s, 8, "https://"))) {
		i = (s[4] == ':') ? 7 : 8;
		while (i < n && s[i] != '/' && s[i] != '?' && s[i] != '#')
			i++;
		np->nonstandard = true;
	}

	for (; i < n; i++) {
		int c = s[i];

		if (c == '?') {
			np->has_query = true;
			break;
		}
		if (c == '#') { /* fragments are never sent by clients */
			np->nonstandard = true;
			break;
		}
		if (c == '%') {
			if (i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
				c = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);
				if (escape_is_evasive(c))
					np->nonstandard = true;
				i += 2;
			} else if (np->incomplete && i + 2 >= n) {
				/* "%6" at the cut: the byte is unknown, stop here. */
				break;
			}
		}
		if (c == '\\') {
			c = '/';
			np->nonstandard = true;
		}
		np->buf[np->len++] = (unsigned char)c;
	}
	np->buf[np->len] = '\0';

	/* Split into segments, resolving dot segments (RFC 3986 5.2.4). */
	start = 0;
	for (k = 0; k <= np->len; k++) {
		size_t sl;

		if (k < np->len && np->buf[k] != '/')
			continue;
		sl = k - start;
		if (sl == 0) {
			/* Leading slash, or one after another: clients never send "//". */
			if (k > 0 && k < np->len)
				np->nonstandard = true;
		} else if (sl == 1 && np->buf[start] == '.') {
			np->nonstandard = true;
		} else if (sl == 2 && np->buf[start] == '.' && np->buf[start + 1] == '.') {
			np->nonstandard = true;
			if (np->nseg > 0)
				np->nseg--;
		} else {
			np_push(np, start, sl);
		}
		start = k + 1;
	}
	/* Did the cut fall inside the last segment (no '/' after it)? */
	np->last_partial = np->incomplete && np->len > 0 && np->buf[np->len - 1] != '/' &&
			   np->nseg > 0 &&
			   np->seg[np->nseg - 1].off + np->seg[np->nseg - 1].len == np->len;
}

/*
 * 2: segment i is word (case-insensitively; a case difference marks the path nonstandard).
 * 1: it may still be, because the path was cut short there.
 * 0: it is not.
 */
static int seg_is(struct npath *np, int i, const char *word)
{
	const unsigned char *s;
	size_t n;

	if (i >= np->nseg)
		return np->incomplete ? 1 : 0;
	s = np->buf + np->seg[i].off;
	n = np->seg[i].len;
	if (i == np->nseg - 1 && np->last_partial)
		return ci_prefix_of(s, n, word) ? 1 : 0;
	if (!ci_eq(s, n, word))
		return 0;
	if (memcmp(s, word, n) != 0)
		np->nonstandard = true;
	return 2;
}

/* "latest", "1.0" or a date "YYYY-MM-DD", the forms IMDS lists at its root. */
static bool is_imds_version(const unsigned char *s, size_t n)
{
	size_t i;

	if (ci_eq(s, n, "latest"))
		return true;
	if (n == 3 && !memcmp(s, "1.0", 3))
		return true;
	if (n != 10)
		return false;
	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return false;
		} else if (!is_digit(s[i])) {
			return false;
		}
	}
	return true;
}

/* Combine match results: 0 if any is 0, 1 if any is only "maybe", else 2. */
static int all_of(int a, int b, int c)
{
	int m = a < b ? a : b;

	return m < c ? m : c;
}

static void set_role(struct npath *np, int i, struct http_class *out)
{
	size_t n;

	if (i >= np->nseg)
		return;
	n = np->seg[i].len;
	out->role_truncated = n > HTTP_ROLE_MAX || (i == np->nseg - 1 && np->last_partial);
	if (n > HTTP_ROLE_MAX)
		n = HTTP_ROLE_MAX;
	memcpy(out->role, np->buf + np->seg[i].off, n);
	out->role[n] = '\0';
	out->role_len = (uint8_t)n;
}

static void classify_imds(const struct http_request *req, struct npath *np, struct http_class *out)
{
	int v, m, r;

	/* Version segment; a missing or odd one is still matched (and flagged). */
	if (np->nseg == 0) {
		v = 0;
	} else if (seg_is(np, 0, "meta-data") == 2) {
		v = 0;
		np->nonstandard = true;
	} else {
		const unsigned char *s = np->buf + np->seg[0].off;

		v = 1;
		if (!is_imds_version(s, np->seg[0].len) && !(np->nseg == 1 && np->last_partial))
			np->nonstandard = true;
	}

	m = seg_is(np, v, "meta-data");
	if (m) {
		r = all_of(m, seg_is(np, v + 1, "iam"), seg_is(np, v + 2, "security-credentials"));
		if (r) {
			out->cls = REQ_IMDS_CREDENTIALS;
			out->uncertain = r == 1;
			if (np->nseg > v + 3) {
				out->cred_kind = IMDS_CRED_ROLE;
				set_role(np, v + 3, out);
				if (np->nseg > v + 4)
					np->nonstandard = true;
			} else {
				out->cred_kind = IMDS_CRED_LISTING;
				/* Cut right after the listing path: a role may follow. */
				if (np->incomplete)
					out->uncertain = true;
			}
			return;
		}
		r = all_of(m, seg_is(np, v + 1, "identity-credentials"), seg_is(np, v + 2, "ec2"));
		r = all_of(r, seg_is(np, v + 3, "security-credentials"), 2);
		if (r) {
			out->cls = REQ_IMDS_CREDENTIALS;
			out->cred_kind = IMDS_CRED_IDENTITY;
			out->uncertain = r == 1 || np->incomplete;
			return;
		}
		out->cls = REQ_IMDS_METADATA;
		/* A cut inside "meta-data" itself leaves metadata vs other open; keep metadata. */
		out->uncertain = m == 1;
		return;
	}

	r = all_of(seg_is(np, v, "api"), seg_is(np, v + 1, "token"), 2);
	if (r && np->nseg <= v + 2 && req->method == HTTP_M_PUT) {
		out->cls = REQ_IMDS_TOKEN;
		out->uncertain = r == 1;
		return;
	}
	out->cls = REQ_IMDS_OTHER;
}

/* /v1/credentials on the Pod Identity Agent; extra segments still count, flagged. */
static bool classify_pi(struct npath *np, struct http_class *out)
{
	int r = all_of(seg_is(np, 0, "v1"), seg_is(np, 1, "credentials"), 2);

	if (!r)
		return false;
	out->cls = REQ_PI_CREDENTIALS;
	out->uncertain = r == 1;
	if (np->nseg > 2)
		np->nonstandard = true;
	return true;
}

/* ECS agent credentials: /v2/credentials/<id> (and the older /v1/credentials?id=...). */
static bool classify_ecs(struct npath *np, struct http_class *out)
{
	int a = seg_is(np, 0, "v2"), b = seg_is(np, 0, "v1");
	int r = all_of(a > b ? a : b, seg_is(np, 1, "credentials"), 2);

	if (!r)
		return false;
	out->cls = REQ_ECS_CREDENTIALS;
	out->uncertain = r == 1;
	return true;
}

/* The path as matched: "/" + the segments, a trailing slash kept. */
static void normalized_path(const struct http_request *req, const struct npath *np,
			    struct http_class *out)
{
	size_t n = 0;

	for (int i = 0; i < np->nseg; i++) {
		size_t l = np->seg[i].len;

		if (n + 1 + l > HTTP_PATH_MAX)
			break;
		out->normalized[n++] = '/';
		memcpy(out->normalized + n, np->buf + np->seg[i].off, l);
		n += l;
	}
	if ((!n || (np->len && np->buf[np->len - 1] == '/')) && n < HTTP_PATH_MAX)
		out->normalized[n++] = '/';
	out->normalized[n] = 0;
	out->normalized_len = (uint16_t)n;
	(void)req;
}

void http_classify(const struct http_request *req, enum cred_endpoint ep, struct http_class *out)
{
	struct npath np;

	memset(out, 0, sizeof(*out));
	if (req->status == HTTP_NOT_HTTP) {
		out->cls = REQ_NOT_HTTP;
		return;
	}
	normalize(req, &np);
	out->has_query = np.has_query;
	normalized_path(req, &np, out);

	switch (ep) {
	case EP_IMDS:
		classify_imds(req, &np, out);
		break;
	case EP_POD_IDENTITY:
		if (!classify_pi(&np, out))
			out->cls = REQ_OTHER;
		break;
	case EP_ECS:
		if (!classify_ecs(&np, out))
			out->cls = REQ_OTHER;
		break;
	default: {
		/* Unknown destination: credential shapes first, whichever endpoint they fit. */
		bool ns = np.nonstandard, imds_ns;
		struct http_class imds;

		classify_imds(req, &np, out);
		if (out->cls == REQ_IMDS_CREDENTIALS || out->cls == REQ_IMDS_TOKEN)
			break;
		/* The IMDS matcher flags e.g. "v1" as an odd version; start the others clean. */
		imds = *out;
		imds_ns = np.nonstandard;
		memset(out, 0, sizeof(*out));
		out->has_query = np.has_query;
		np.nonstandard = ns;
		if (classify_pi(&np, out) || classify_ecs(&np, out))
			break;
		*out = imds;
		np.nonstandard = imds_ns;
		if (out->cls == REQ_IMDS_OTHER)
			out->cls = REQ_OTHER;
		break;
	}
	}

	switch (out->cls) {
	case REQ_IMDS_TOKEN:
		out->imds_ver = IMDS_VER_TOKEN_PUT;
		break;
	case REQ_IMDS_CREDENTIALS:
	case REQ_IMDS_METADATA:
	case REQ_IMDS_OTHER:
		out->imds_ver = req->has_token ? IMDS_VER_2 : IMDS_VER_1;
		break;
	default:
		out->imds_ver = IMDS_VER_NA;
	}
	out->nonstandard_path = np.nonstandard;
}

static const char *const http_status_names[] = {
	[HTTP_TRUNCATED] = "truncated",
	[HTTP_COMPLETE] = "complete",
};

const char *http_status_name(enum http_status s)
{
	return NAME_OF(http_status_names, s, "not_http");
}

static const char *const http_class_names[] = {
	[REQ_OTHER] = "other",
	[REQ_IMDS_TOKEN] = "imds_token",
	[REQ_IMDS_CREDENTIALS] = "imds_credentials",
	[REQ_IMDS_METADATA] = "imds_metadata",
	[REQ_IMDS_OTHER] = "imds_other",
	[REQ_PI_CREDENTIALS] = "pod_identity_credentials",
	[REQ_ECS_CREDENTIALS] = "container_credentials",
};

const char *http_class_name(enum http_req_class c)
{
	return NAME_OF(http_class_names, c, "not_http");
}

static const char *const imds_version_names[] = {
	[IMDS_VER_1] = "v1",
	[IMDS_VER_2] = "v2",
	[IMDS_VER_TOKEN_PUT] = "token_put",
};

const char *imds_version_name(enum imds_version v)
{
	return NAME_OF(imds_version_names, v, "n/a");
}
