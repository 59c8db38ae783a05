// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_http: the HTTP head parsers and the request classifier (user/intake/http.c):
 * http_parse_request, http_classify (for every endpoint), http_head_end,
 * http_parse_response, http_parse_response_head.
 *
 * The first input byte picks the variant; the rest is the captured bytes. Checked:
 *  - every output field stays in its bounds and is NUL-terminated where http.h says so;
 *    path, host and User-Agent are bytes of the input, never anything else;
 *  - a planted IMDSv2 session token and a planted Authorization token (inserted as header
 *    lines after the request line) never reach struct http_request or struct http_class;
 *  - where http_head_end() says a head ends, the request and response parsers see a
 *    complete head (the stream framing and the parser agree on where a head ends);
 *  - a response capture that is HTTP stays HTTP in every shorter prefix (the stream parser
 *    decides from prefixes);
 *  - classification cannot be dodged: writing a letter of the path as a percent-escape,
 *    doubling a slash or inserting a "./" segment leaves the class, the credential kind and
 *    the role unchanged (and marks the path nonstandard).
 */
#include "intake/http.h"
#include "fuzz.h"

static void check_request(const struct http_request *q, const uint8_t *in, size_t n)
{
	FUZZ_CHECK(q->status <= HTTP_COMPLETE, "status %d", q->status);
	FUZZ_CHECK(q->method <= HTTP_M_PATCH, "method %d", q->method);
	FUZZ_CHECK(FZ_STR(q->method_raw) <= HTTP_METHOD_MAX, "method too long");
	FUZZ_CHECK(q->path_len <= HTTP_PATH_MAX && q->path[q->path_len] == 0,
		   "path_len %u or no NUL after it", q->path_len);
	FUZZ_CHECK(q->host_len <= HTTP_HOST_MAX && q->host[q->host_len] == 0, "host_len %u",
		   q->host_len);
	FUZZ_CHECK(q->ua_len <= HTTP_UA_MAX && q->user_agent[q->ua_len] == 0, "ua_len %u",
		   q->ua_len);
	FUZZ_CHECK(q->content_length >= -1, "content_length %lld", (long long)q->content_length);
	FUZZ_CHECK(!q->path_len || memmem(in, n, q->path, q->path_len),
		   "the path is not bytes of the input");
	FUZZ_CHECK(!q->host_len || memmem(in, n, q->host, q->host_len),
		   "the host is not bytes of the input");
	FUZZ_CHECK(!q->ua_len || memmem(in, n, q->user_agent, q->ua_len),
		   "the User-Agent is not bytes of the input");
	FUZZ_CHECK(q->status != HTTP_NOT_HTTP || (!q->has_host && !q->has_user_agent),
		   "headers read from something that is not HTTP");
}

static void check_class(const struct http_request *q, enum cred_endpoint ep,
			const struct http_class *c)
{
	FUZZ_CHECK(c->cls <= REQ_ECS_CREDENTIALS, "class %d", c->cls);
	FUZZ_CHECK(c->role_len <= HTTP_ROLE_MAX && c->role[c->role_len] == 0, "role_len %u",
		   c->role_len);
	FUZZ_CHECK(c->normalized_len <= HTTP_PATH_MAX && c->normalized[c->normalized_len] == 0,
		   "normalized_len %u", c->normalized_len);
	FUZZ_CHECK(q->status != HTTP_NOT_HTTP || c->cls == REQ_NOT_HTTP,
		   "a class for something that is not HTTP");
	FUZZ_CHECK(c->cls != REQ_NOT_HTTP || q->status == HTTP_NOT_HTTP,
		   "HTTP classified as not HTTP");
	FUZZ_CHECK(c->cred_kind == IMDS_CRED_NONE || c->cls == REQ_IMDS_CREDENTIALS,
		   "a credential kind on class %s", http_class_name(c->cls));
	FUZZ_CHECK(!c->role_len || c->cred_kind == IMDS_CRED_ROLE, "a role without a role path");
	switch (c->cls) {
	case REQ_IMDS_TOKEN:
	case REQ_IMDS_CREDENTIALS:
	case REQ_IMDS_METADATA:
	case REQ_IMDS_OTHER:
		FUZZ_CHECK(ep == EP_IMDS || ep == EP_UNKNOWN, "an IMDS class on endpoint %d", ep);
		FUZZ_CHECK(c->imds_ver != IMDS_VER_NA, "no IMDS version on an IMDS class");
		break;
	case REQ_PI_CREDENTIALS:
		FUZZ_CHECK(ep == EP_POD_IDENTITY || ep == EP_UNKNOWN, "a Pod Identity class on %d",
			   ep);
		break;
	case REQ_ECS_CREDENTIALS:
		FUZZ_CHECK(ep == EP_ECS || ep == EP_UNKNOWN, "an ECS class on endpoint %d", ep);
		break;
	default:
		FUZZ_CHECK(c->imds_ver == IMDS_VER_NA, "an IMDS version on class %s",
			   http_class_name(c->cls));
		break;
	}
	FUZZ_CHECK(c->cls != REQ_IMDS_TOKEN || q->method == HTTP_M_PUT, "a token class for %s",
		   q->method_raw);
}

/* Insert the planted token header lines after the request line, where the parser sees it
 * end (CR, LF or CRLF after the first byte that is not one); when it has not ended, after a
 * CRLF of their own. out must hold n + 200 bytes. */
static size_t plant_tokens(const uint8_t *in, size_t n, uint8_t *out)
{
	static const char lines[] = "X-aws-ec2-metadata-token: " FZ_IMDS_TOKEN "\r\n"
				    "Authorization: Bearer " FZ_BEARER_TOKEN "\r\n";
	size_t i = 0, k;

	while (i < n && (in[i] == '\r' || in[i] == '\n'))
		i++;
	while (i < n && in[i] != '\r' && in[i] != '\n')
		i++;
	memcpy(out, in, i);
	k = i;
	if (i == n) {
		memcpy(out + k, "\r\n", 2);
		k += 2;
	} else {
		if (in[i] == '\r')
			out[k++] = in[i++];
		if (i < n && in[i] == '\n')
			out[k++] = in[i++];
	}
	memcpy(out + k, lines, sizeof(lines) - 1);
	k += sizeof(lines) - 1;
	memcpy(out + k, in + i, n - i);
	return k + n - i;
}

static void request_variant(const uint8_t *in, size_t n, bool plant, uint8_t mut)
{
	struct http_request q, q2;
	struct http_class c, c2;
	uint8_t *buf = NULL;
	size_t len = n, he;

	if (plant) {
		buf = malloc(n + 200);
		if (!buf)
			abort();
		len = plant_tokens(in, n, buf);
		in = buf;
	}
	http_parse_request(in, len, &q);
	check_request(&q, in, len);
	for (int ep = EP_UNKNOWN; ep <= EP_ECS; ep++) {
		http_classify(&q, ep, &c);
		check_class(&q, ep, &c);
		if (plant) {
			fz_check_no_secret(&q, sizeof(q), "struct http_request");
			fz_check_no_secret(&c, sizeof(c), "struct http_class");
		}
	}
	/* the framing and the parser agree on where a head ends */
	he = http_head_end(in, len);
	FUZZ_CHECK(he <= len, "head end %zu past %zu bytes", he, len);
	if (he) {
		FUZZ_CHECK(in[he - 1] == '\n' || in[he - 1] == '\r',
			   "a head that ends on byte 0x%02x", in[he - 1]);
		if (http_parse_request(in, he, &q2) != HTTP_NOT_HTTP)
			FUZZ_CHECK(q2.status == HTTP_COMPLETE,
				   "http_head_end says the head ends at %zu, the parser says %s",
				   he, http_status_name(q2.status));
	}

	/* evasion: the same request with one harmless change to its path classifies the same */
	if (q.status != HTTP_NOT_HTTP && !q.path_truncated && q.path_len && q.path[0] == '/' &&
	    q.path_len + 3 <= HTTP_PATH_MAX) {
		size_t end = strcspn(q.path, "?#"), at;

		if (end > q.path_len)
			end = q.path_len;
		at = end ? (size_t)mut * 7 % end : 0;
		q2 = q;
		if ((mut & 3) == 0) {
			unsigned char ch = (unsigned char)q.path[at];
			bool near_escape = (at >= 1 && q.path[at - 1] == '%') ||
					   (at >= 2 && q.path[at - 2] == '%');

			if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			      (ch >= '0' && ch <= '9')) ||
			    near_escape)
				goto out;
			snprintf(q2.path + at, 4, "%%%02X", ch);
			memcpy(q2.path + at + 3, q.path + at + 1, q.path_len - at - 1);
			q2.path_len = (uint16_t)(q.path_len + 2);
		} else {
			const char *ins = (mut & 3) == 1 ? "/" : "./";
			size_t il = strlen(ins);

			/* after a slash */
			while (at > 0 && q.path[at - 1] != '/')
				at--;
			if (at == 0)
				goto out;
			memcpy(q2.path + at, ins, il);
			memcpy(q2.path + at + il, q.path + at, q.path_len - at);
			q2.path_len = (uint16_t)(q.path_len + il);
		}
		q2.path[q2.path_len] = 0;
		for (int ep = EP_UNKNOWN; ep <= EP_ECS; ep++) {
			http_classify(&q, ep, &c);
			http_classify(&q2, ep, &c2);
			FUZZ_CHECK(c.cls == c2.cls && c.cred_kind == c2.cred_kind,
				   "endpoint %d: \"%s\" is %s/%d but \"%s\" is %s/%d", ep, q.path,
				   http_class_name(c.cls), c.cred_kind, q2.path,
				   http_class_name(c2.cls), c2.cred_kind);
			FUZZ_CHECK(!strcmp(c.role, c2.role), "role \"%s\" became \"%s\"", c.role,
				   c2.role);
			FUZZ_CHECK(c.cls <= REQ_OTHER || c2.nonstandard_path,
				   "\"%s\" (for \"%s\") is not marked nonstandard", q2.path,
				   q.path);
		}
	}
out:
	free(buf);
}

static void response_variant(const uint8_t *in, size_t n)
{
	struct http_response r, h;
	enum http_status st = http_parse_response(in, n, &r);
	size_t he;

	FUZZ_CHECK(st == r.status, "returned %d, stored %d", st, r.status);
	FUZZ_CHECK(st != HTTP_COMPLETE || (r.code >= 100 && r.code <= 999), "code %u", r.code);
	if (st != HTTP_NOT_HTTP)
		for (size_t k = 1; k < n && k < 64; k++)
			FUZZ_CHECK(http_parse_response(in, k, &h) != HTTP_NOT_HTTP,
				   "HTTP in %zu bytes, not HTTP in their first %zu", n, k);
	http_parse_response_head(in, n, &h);
	FUZZ_CHECK(h.status != HTTP_COMPLETE || h.code == r.code, "head code %u, line code %u",
		   h.code, r.code);
	FUZZ_CHECK(h.status == HTTP_NOT_HTTP || h.content_length >= -1, "content_length %lld",
		   (long long)h.content_length);
	he = http_head_end(in, n);
	FUZZ_CHECK(he <= n, "head end %zu past %zu bytes", he, n);
	if (he && st == HTTP_COMPLETE && http_parse_response(in, he, &h) == HTTP_COMPLETE) {
		http_parse_response_head(in, he, &h);
		FUZZ_CHECK(h.status == HTTP_COMPLETE,
			   "http_head_end says the head ends at %zu, the head parser says %s", he,
			   http_status_name(h.status));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t sel, *copy;

	if (!size)
		return 0;
	sel = data[0];
	/* the capture in an allocation of its own size: a read past it is caught */
	copy = malloc(size - 1 ? size - 1 : 1);
	if (!copy)
		abort();
	memcpy(copy, data + 1, size - 1);
	switch (sel & 3) {
	case 0:
	case 1:
		request_variant(copy, size - 1, false, sel >> 2);
		break;
	case 2:
		if (!fz_input_has_secret(data, size))
			request_variant(copy, size - 1, true, sel >> 2);
		else
			request_variant(copy, size - 1, false, sel >> 2);
		break;
	default:
		response_variant(copy, size - 1);
		break;
	}
	free(copy);
	return 0;
}
