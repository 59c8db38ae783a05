// SPDX-License-Identifier: GPL-2.0
/* Unit tests for user/http.c: request/response head parsing and request classification. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem; the Makefile passes -D_GNU_SOURCE */
#endif
#include <stdlib.h>
#include <string.h>

#include "intake/http.h"
/* Network: sends nothing; addresses are parse input only (no netns needed). */
#include "unit.h"

static enum http_status parse(const char *s, struct http_request *r)
{
	return http_parse_request(s, strlen(s), r);
}

/* Parse s and classify it for endpoint ep. */
static void cls(const char *s, enum cred_endpoint ep, struct http_request *r, struct http_class *c)
{
	parse(s, r);
	http_classify(r, ep, c);
}

static void test_complete_v2_get(void)
{
	struct http_request r;
	const char *s = "GET /latest/meta-data/iam/security-credentials/node-role HTTP/1.1\r\n"
			"Host: 169.254.169.254\r\n"
			"User-Agent: Botocore/1.29.27 Python/3.11.2 Linux/6.1.0-13-amd64\r\n"
			"X-aws-ec2-metadata-token: AQAEAKnotarealtoken==\r\n"
			"Accept: */*\r\n"
			"\r\n";

	ASSERT_EQ(parse(s, &r), HTTP_COMPLETE);
	ASSERT_EQ(r.method, HTTP_M_GET);
	ASSERT_STREQ(r.method_raw, "GET");
	ASSERT_STREQ(r.path, "/latest/meta-data/iam/security-credentials/node-role");
	ASSERT_EQ(r.path_len, strlen("/latest/meta-data/iam/security-credentials/node-role"));
	ASSERT_FALSE(r.path_truncated);
	ASSERT_TRUE(r.line_complete);
	ASSERT_TRUE(r.has_version);
	ASSERT_EQ(r.version_major, 1);
	ASSERT_EQ(r.version_minor, 1);
	ASSERT_TRUE(r.has_token);
	ASSERT_FALSE(r.has_token_ttl);
	ASSERT_FALSE(r.has_authorization);
	ASSERT_TRUE(r.has_host);
	ASSERT_STREQ(r.host, "169.254.169.254");
	ASSERT_FALSE(r.host_truncated);
	ASSERT_TRUE(r.has_user_agent);
	ASSERT_STREQ(r.user_agent, "Botocore/1.29.27 Python/3.11.2 Linux/6.1.0-13-amd64");
	ASSERT_FALSE(r.ua_truncated);
	ASSERT_EQ(r.header_count, 4);
	ASSERT_EQ(r.bad_header_lines, 0);
}

static void test_lf_only_and_http10(void)
{
	struct http_request r;

	ASSERT_EQ(parse("GET /latest/meta-data/ HTTP/1.0\nHost: a\nUser-Agent:  curl/7.88.1  \n\n",
			&r),
		  HTTP_COMPLETE);
	ASSERT_EQ(r.version_minor, 0);
	ASSERT_STREQ(r.host, "a");
	ASSERT_STREQ(r.user_agent, "curl/7.88.1"); /* OWS trimmed both sides */
	/* Mixed CRLF / LF, leading empty line before the request line. */
	ASSERT_EQ(parse("\r\nPUT /latest/api/token HTTP/1.1\r\n"
			"X-aws-ec2-metadata-token-ttl-seconds: "
			"21600\n\r\n",
			&r),
		  HTTP_COMPLETE);
	ASSERT_EQ(r.method, HTTP_M_PUT);
	ASSERT_TRUE(r.has_token_ttl);
	ASSERT_FALSE(r.has_token);
}

static void test_header_case_and_methods(void)
{
	struct http_request r;

	/* JS SDK v3 sends lower-case names (@smithy/credential-provider-imds). */
	parse("GET /latest/meta-data/iam/security-credentials/ HTTP/1.1\r\n"
	      "x-aws-ec2-metadata-token: t\r\nHOST: 169.254.169.254\r\nuser-AGENT: x/1\r\n"
	      "AUTHORIZATION: y\r\n\r\n",
	      &r);
	ASSERT_TRUE(r.has_token);
	ASSERT_FALSE(r.has_token_ttl);
	ASSERT_TRUE(r.has_host);
	ASSERT_TRUE(r.has_user_agent);
	ASSERT_STREQ(r.user_agent, "x/1");
	ASSERT_TRUE(r.has_authorization);

	/* The ttl header name is a superstring of the token header name: no confusion. */
	parse("PUT /latest/api/token HTTP/1.1\r\nX-AWS-EC2-METADATA-TOKEN-TTL-SECONDS: 1\r\n\r\n",
	      &r);
	ASSERT_TRUE(r.has_token_ttl);
	ASSERT_FALSE(r.has_token);
	/* Near misses are not the token header. */
	parse("GET / HTTP/1.1\r\nX-aws-ec2-metadata-tokenx: 1\r\nX-aws-ec2-metadata: 1\r\n\r\n",
	      &r);
	ASSERT_FALSE(r.has_token);
	ASSERT_FALSE(r.has_token_ttl);
	/* Whitespace before the colon is tolerated for matching. */
	parse("GET / HTTP/1.1\r\nX-aws-ec2-metadata-token : 1\r\n\r\n", &r);
	ASSERT_TRUE(r.has_token);

	parse("POST / HTTP/1.1\r\n\r\n", &r);
	ASSERT_EQ(r.method, HTTP_M_POST);
	parse("HEAD / HTTP/1.1\r\n\r\n", &r);
	ASSERT_EQ(r.method, HTTP_M_HEAD);
	parse("DELETE / HTTP/1.1\r\n\r\n", &r);
	ASSERT_EQ(r.method, HTTP_M_DELETE);
	parse("OPTIONS * HTTP/1.1\r\n\r\n", &r);
	ASSERT_EQ(r.method, HTTP_M_OPTIONS);
	parse("PATCH / HTTP/1.1\r\n\r\n", &r);
	ASSERT_EQ(r.method, HTTP_M_PATCH);
	ASSERT_EQ(parse("PROPFIND /x HTTP/1.1\r\n\r\n", &r), HTTP_COMPLETE);
	ASSERT_EQ(r.method, HTTP_M_OTHER);
	ASSERT_STREQ(r.method_raw, "PROPFIND");
	/* Methods are case-sensitive: "get" is a valid token but not GET. */
	ASSERT_EQ(parse("get / HTTP/1.1\r\n\r\n", &r), HTTP_COMPLETE);
	ASSERT_EQ(r.method, HTTP_M_OTHER);
}

static void test_truncated(void)
{
	struct http_request r;

	/* Capture ends inside a header value: head truncated, UA marked truncated. */
	ASSERT_EQ(parse("GET /latest/meta-data/ HTTP/1.1\r\nHost: 169.254.169.254\r\n"
			"User-Agent: aws-sdk-go/1.4",
			&r),
		  HTTP_TRUNCATED);
	ASSERT_TRUE(r.line_complete);
	ASSERT_TRUE(r.has_user_agent);
	ASSERT_STREQ(r.user_agent, "aws-sdk-go/1.4");
	ASSERT_TRUE(r.ua_truncated);
	ASSERT_FALSE(r.host_truncated);
	/* Ends after a full header line but before the empty line. */
	ASSERT_EQ(parse("GET / HTTP/1.1\r\nHost: x\r\n", &r), HTTP_TRUNCATED);
	ASSERT_FALSE(r.host_truncated);
	/* Ends inside a header name. */
	ASSERT_EQ(parse("GET / HTTP/1.1\r\nX-aws-ec2-meta", &r), HTTP_TRUNCATED);
	ASSERT_FALSE(r.has_token);
	ASSERT_EQ(r.bad_header_lines, 0);
	/* A request split across segments: only part of the request line. */
	ASSERT_EQ(parse("GET /latest/meta-da", &r), HTTP_TRUNCATED);
	ASSERT_EQ(r.method, HTTP_M_GET);
	ASSERT_STREQ(r.path, "/latest/meta-da");
	ASSERT_TRUE(r.path_truncated);
	ASSERT_FALSE(r.line_complete);
	ASSERT_EQ(parse("GET /latest/meta-data/ HTTP/1.", &r), HTTP_TRUNCATED);
	ASSERT_FALSE(r.path_truncated);
	ASSERT_FALSE(r.has_version);
	ASSERT_EQ(parse("GET /latest/meta-data/ HT", &r), HTTP_TRUNCATED);
	ASSERT_EQ(parse("GET /x HTTP/1.1", &r), HTTP_TRUNCATED); /* no line end yet */
	ASSERT_EQ(parse("GET ", &r), HTTP_TRUNCATED);
	ASSERT_EQ(r.path_len, 0);
	ASSERT_TRUE(r.path_truncated);
	ASSERT_EQ(parse("GE", &r), HTTP_TRUNCATED);
	ASSERT_EQ(r.method, HTTP_M_OTHER);
	ASSERT_EQ(parse("PU", &r), HTTP_TRUNCATED);
	/* Absolute-form target cut inside the scheme. */
	ASSERT_EQ(parse("GET ht", &r), HTTP_TRUNCATED);
	/* CR of the terminating CRLF present, LF cut off: the head is all there. */
	ASSERT_EQ(parse("GET / HTTP/1.1\r\nHost: x\r\n\r", &r), HTTP_COMPLETE);
}

static void test_not_http(void)
{
	struct http_request r;
	/* TLS 1.2 ClientHello record header + start of handshake. */
	static const unsigned char tls[] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01,
					     0xfc, 0x03, 0x03, 0x5a, 0x1b, 0x00, 0x00 };
	static const unsigned char garbage[] = { 0xff, 0xfe, 'G', 'E', 'T', ' ', '/', 0x00 };
	static const unsigned char nul_first[] = { 0x00, 'G', 'E', 'T', ' ', '/', '\r', '\n' };
	char longmethod[64];

	ASSERT_EQ(http_parse_request("", 0, &r), HTTP_NOT_HTTP);
	ASSERT_EQ(http_parse_request(NULL, 0, &r), HTTP_NOT_HTTP);
	ASSERT_EQ(http_parse_request(tls, sizeof(tls), &r), HTTP_NOT_HTTP);
	ASSERT_EQ(http_parse_request(garbage, sizeof(garbage), &r), HTTP_NOT_HTTP);
	ASSERT_EQ(http_parse_request(nul_first, sizeof(nul_first), &r), HTTP_NOT_HTTP);
	ASSERT_EQ(parse("\r\n\r\n", &r), HTTP_NOT_HTTP);
	ASSERT_EQ(parse("hello world\r\n", &r), HTTP_NOT_HTTP);
	ASSERT_EQ(parse("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", &r), HTTP_NOT_HTTP);
	ASSERT_EQ(parse("GET  / HTTP/1.1\r\n\r\n", &r), HTTP_NOT_HTTP); /* empty target */
	ASSERT_EQ(parse("GET / FTP/1.1\r\n\r\n", &r), HTTP_NOT_HTTP);
	ASSERT_EQ(parse("GET / HTTP/x.1\r\n\r\n", &r), HTTP_NOT_HTTP);
	ASSERT_EQ(parse("GET / HTTP/1.1x\r\n\r\n", &r), HTTP_NOT_HTTP);
	ASSERT_EQ(parse("GET\t/ HTTP/1.1\r\n\r\n", &r), HTTP_NOT_HTTP);
	ASSERT_EQ(parse("XY", &r), HTTP_NOT_HTTP); /* cannot become a known method */
	memset(longmethod, 'A', sizeof(longmethod));
	ASSERT_EQ(http_parse_request(longmethod, sizeof(longmethod), &r), HTTP_NOT_HTTP);
	ASSERT_EQ(r.path_len, 0);
}

static void test_nul_and_binary_inside(void)
{
	struct http_request r;
	static const char with_nul[] = "GET /a\0b HTTP/1.1\r\nHost: h\0x\r\n\r\n";
	/* A capture buffer padded with zeros after the head, as a BPF copy may be. */
	static const char padded[] = "GET / HTTP/1.1\r\nHost: h\r\n\r\n\0\0\0\0\0\0\0\0";

	ASSERT_EQ(http_parse_request(with_nul, sizeof(with_nul) - 1, &r), HTTP_COMPLETE);
	ASSERT_EQ(r.path_len, 4);
	ASSERT_TRUE(memcmp(r.path, "/a\0b", 4) == 0);
	ASSERT_EQ(r.host_len, 3);
	ASSERT_TRUE(memcmp(r.host, "h\0x", 3) == 0);
	ASSERT_EQ(http_parse_request(padded, sizeof(padded) - 1, &r), HTTP_COMPLETE);
	ASSERT_STREQ(r.host, "h");
	/* HTTP/0.9-style request line without version. */
	ASSERT_EQ(parse("GET /latest/meta-data/\r\n\r\n", &r), HTTP_COMPLETE);
	ASSERT_FALSE(r.has_version);
	ASSERT_EQ(r.version_minor, 9);
}

static void test_bounds(void)
{
	struct http_request r;
	char buf[2048], ua[600];
	int n;

	memset(ua, 'u', sizeof(ua) - 1);
	ua[sizeof(ua) - 1] = '\0';
	n = snprintf(buf, sizeof(buf),
		     "GET /%0300d HTTP/1.1\r\nUser-Agent: %s\r\nHost: %0200d\r\n\r\n", 7, ua, 1);
	ASSERT_EQ(http_parse_request(buf, (size_t)n, &r), HTTP_COMPLETE);
	ASSERT_EQ(r.path_len, HTTP_PATH_MAX);
	ASSERT_TRUE(r.path_truncated);
	ASSERT_TRUE(r.line_complete);
	ASSERT_EQ(strlen(r.path), HTTP_PATH_MAX);
	ASSERT_EQ(r.ua_len, HTTP_UA_MAX);
	ASSERT_TRUE(r.ua_truncated);
	ASSERT_EQ(strlen(r.user_agent), HTTP_UA_MAX);
	ASSERT_EQ(r.host_len, HTTP_HOST_MAX);
	ASSERT_TRUE(r.host_truncated);

	/* Exactly at the bounds: not truncated. */
	n = snprintf(buf, sizeof(buf), "GET /%0255d HTTP/1.1\r\nUser-Agent: %.256s\r\n\r\n", 0, ua);
	ASSERT_EQ(http_parse_request(buf, (size_t)n, &r), HTTP_COMPLETE);
	ASSERT_EQ(r.path_len, 256);
	ASSERT_FALSE(r.path_truncated);
	ASSERT_EQ(r.ua_len, 256);
	ASSERT_FALSE(r.ua_truncated);

	/* Every prefix of a real request parses without reading past the end (ASan checks). */
	{
		static const char full[] =
			"GET /latest/meta-data/iam/security-credentials/r HTTP/1.1\r\n"
			"Host: 169.254.169.254\r\nUser-Agent: a/1\r\n"
			"X-aws-ec2-metadata-token: zz\r\n\r\n";
		size_t i, ok = 0;

		for (i = 1; i < sizeof(full) - 1; i++) {
			char *copy = malloc(i); /* exact-size heap copy so ASan sees overreads */

			memcpy(copy, full, i);
			if (http_parse_request(copy, i, &r) == HTTP_TRUNCATED)
				ok++;
			free(copy);
		}
		ASSERT_EQ(ok, sizeof(full) - 3); /* all but the last (CR-only end is complete) */
	}
}

static void test_duplicates_fold_bad_lines(void)
{
	struct http_request r;

	parse("GET / HTTP/1.1\r\nHost: first\r\nHost: second\r\nUser-Agent: a/1\r\n"
	      " folded-continuation\r\nUser-Agent: b/2\r\nno colon here\r\n: empty-name\r\n\r\n",
	      &r);
	ASSERT_STREQ(r.host, "first");
	ASSERT_TRUE(r.host_duplicate);
	ASSERT_STREQ(r.user_agent, "a/1");
	ASSERT_EQ(r.bad_header_lines, 2);
	ASSERT_EQ(r.header_count, 7);
}

/*
 * SECURITY: the values of X-aws-ec2-metadata-token and Authorization must never be copied. Plant
 * a unique secret in every shape we can think of and look for it (and for a long chunk of it)
 * anywhere in the parsed and classified structs.
 */
#define SECRET "S3CR3T-9f1c2e7a-credwatch-canary-Zq"

static int leaks(const void *obj, size_t n)
{
	return memmem(obj, n, SECRET, strlen(SECRET)) != NULL ||
	       memmem(obj, n, &SECRET[8], 12) != NULL;
}

static void test_secrets_never_copied(void)
{
	static const char *const reqs[] = {
		"GET /latest/meta-data/iam/security-credentials/r HTTP/1.1\r\n"
		"X-aws-ec2-metadata-token: " SECRET "\r\nUser-Agent: a/1\r\nHost: h\r\n\r\n",
		"GET /v1/credentials HTTP/1.1\r\nHost: 169.254.170.23\r\n"
		"Authorization: " SECRET "\r\nUser-Agent: aws-sdk-js/3.600.0\r\n\r\n",
		/* Lower-case names, LF only. */
		"GET /v1/credentials HTTP/1.1\nauthorization: " SECRET "\nuser-agent: x/1\n\n",
		/* Capture ends inside the secret. */
		"GET / HTTP/1.1\r\nUser-Agent: a/1\r\nX-aws-ec2-metadata-token: " SECRET,
		"GET / HTTP/1.1\r\nAuthorization: Bearer " SECRET,
		/* Bare CR after the UA: must not fold the Authorization line into the UA. */
		"GET / HTTP/1.1\r\nUser-Agent: a/1\rAuthorization: " SECRET "\r\nHost: h\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\rX-aws-ec2-metadata-token: " SECRET "\r\n\r\n",
		/* obs-fold continuation of the secret header. */
		"GET / HTTP/1.1\r\nAuthorization: x\r\n " SECRET "\r\nUser-Agent: a/1\r\n\r\n",
		/* Whitespace before the colon; duplicate secret headers. */
		"GET / HTTP/1.1\r\nAuthorization : " SECRET "\r\nAuthorization: " SECRET "\r\n\r\n",
		/* Secret first, UA and Host later: copies must not run into earlier lines. */
		"PUT /latest/api/token HTTP/1.1\r\nX-aws-ec2-metadata-token:" SECRET
		"\r\nX-aws-ec2-metadata-token-ttl-seconds: 21600\r\nUser-Agent: b/2\r\n\r\n",
		/* No space after the colon, tab OWS. */
		"GET / HTTP/1.1\r\nX-aws-ec2-metadata-token:\t" SECRET "\t\r\n\r\n",
	};
	size_t i;

	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		struct http_request r;
		struct http_class c;
		enum cred_endpoint ep;

		/* Fill with a pattern first so stale bytes cannot hide anything. */
		memset(&r, 0xa5, sizeof(r));
		parse(reqs[i], &r);
		ASSERT_TRUE(r.status != HTTP_NOT_HTTP);
		ASSERT_TRUE(r.has_token || r.has_authorization);
		if (leaks(&r, sizeof(r)))
			UNIT_FAIL("secret found in struct http_request for case %zu", i);
		else
			UNIT_OK();
		for (ep = EP_UNKNOWN; ep <= EP_ECS; ep++) {
			memset(&c, 0xa5, sizeof(c));
			http_classify(&r, ep, &c);
			if (leaks(&c, sizeof(c)))
				UNIT_FAIL("secret found in struct http_class for case %zu", i);
			else
				UNIT_OK();
		}
	}

	/* The test's own detector works: a secret placed in the UA is found. */
	{
		struct http_request r;

		parse("GET / HTTP/1.1\r\nUser-Agent: " SECRET "\r\n\r\n", &r);
		ASSERT_TRUE(leaks(&r, sizeof(r)));
	}
	/* The bare-CR case still yields the UA before the CR. */
	{
		struct http_request r;

		parse(reqs[5], &r);
		ASSERT_STREQ(r.user_agent, "a/1");
		ASSERT_TRUE(r.has_authorization);
		ASSERT_STREQ(r.host, "h");
	}
}

static void test_response(void)
{
	struct http_response s;

	ASSERT_EQ(http_parse_response("HTTP/1.1 401 Unauthorized\r\n", 27, &s), HTTP_COMPLETE);
	ASSERT_EQ(s.code, 401);
	ASSERT_EQ(s.version_major, 1);
	ASSERT_EQ(s.version_minor, 1);
	ASSERT_EQ(http_parse_response("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", 40, &s),
		  HTTP_COMPLETE);
	ASSERT_EQ(s.code, 200);
	ASSERT_EQ(s.version_minor, 0);
	ASSERT_EQ(http_parse_response("HTTP/1.1 404\r\n", 14, &s), HTTP_COMPLETE);
	ASSERT_EQ(s.code, 404);
	ASSERT_EQ(http_parse_response("HTTP/1.1 200", 12, &s), HTTP_COMPLETE);
	ASSERT_EQ(s.code, 200);
	ASSERT_EQ(http_parse_response("HTTP/1.1 40", 11, &s), HTTP_TRUNCATED);
	ASSERT_EQ(s.code, 0);
	ASSERT_EQ(http_parse_response("HTT", 3, &s), HTTP_TRUNCATED);
	ASSERT_EQ(http_parse_response("", 0, &s), HTTP_NOT_HTTP);
	ASSERT_EQ(http_parse_response(NULL, 0, &s), HTTP_NOT_HTTP);
	ASSERT_EQ(http_parse_response("http/1.1 200 OK\r\n", 17, &s), HTTP_NOT_HTTP);
	ASSERT_EQ(http_parse_response("HTTP/1.1 2000 OK\r\n", 18, &s), HTTP_NOT_HTTP);
	ASSERT_EQ(http_parse_response("HTTP/1.1 20x OK\r\n", 17, &s), HTTP_NOT_HTTP);
	ASSERT_EQ(http_parse_response("HTTP/1.1 099 X\r\n", 16, &s), HTTP_NOT_HTTP);
	ASSERT_EQ(http_parse_response("GET / HTTP/1.1\r\n", 16, &s), HTTP_NOT_HTTP);
	ASSERT_EQ(http_parse_response("\x16\x03\x03\x00\x5a", 5, &s), HTTP_NOT_HTTP);
	ASSERT_EQ(s.code, 0);
}

static void test_classify_imds_paths(void)
{
	struct http_request r;
	struct http_class c;

	cls("GET /latest/meta-data/iam/security-credentials/ HTTP/1.1\r\n\r\n", EP_IMDS, &r, &c);
	ASSERT_EQ(c.cls, REQ_IMDS_CREDENTIALS);
	ASSERT_EQ(c.cred_kind, IMDS_CRED_LISTING);
	ASSERT_EQ(c.imds_ver, IMDS_VER_1);
	ASSERT_FALSE(c.uncertain);
	ASSERT_FALSE(c.nonstandard_path);
	ASSERT_EQ(c.role_len, 0);

	cls("GET /latest/meta-data/iam/security-credentials HTTP/1.1\r\n\r\n", EP_IMDS, &r, &c);
	ASSERT_EQ(c.cls, REQ_IMDS_CREDENTIALS);
	ASSERT_EQ(c.cred_kind, IMDS_CRED_LISTING);

	cls("GET /latest/meta-data/iam/security-credentials/eks-node-role HTTP/1.1\r\n"
	    "X-aws-ec2-metadata-token: t\r\n\r\n",
	    EP_IMDS, &r, &c);
	ASSERT_EQ(c.cls, REQ_IMDS_CREDENTIALS);
	ASSERT_EQ(c.cred_kind, IMDS_CRED_ROLE);
	ASSERT_EQ(c.imds_ver, IMDS_VER_2);
	ASSERT_STREQ(c.role, "eks-node-role");
	ASSERT_FALSE(c.nonstandard_path);
	ASSERT_STREQ(imds_version_name(c.imds_ver), "v2");

	cls("GET /latest/meta-data/iam/security-credentials/eks-node-role/ HTTP/1.1\r\n\r\n",
	    EP_IMDS, &r, &c);
	ASSERT_EQ(c.cred_kind, IMDS_CRED_ROLE);
	ASSERT_STREQ(c.role, "eks-node-role");

	cls("GET /2021-07-15/meta-data/iam/security-credentials/r HTTP/1.1\r\n\r\n", EP_IMDS, &r,
	    &c);
	ASSERT_EQ(c.cls, REQ_IMDS_CREDENTIALS);
	ASSERT_FALSE(c.nonstandard_path);
	cls("GET /1.0/meta-data/iam/security-credentials/r HTTP/1.1\r\n\r\n", EP_IMDS, &r, &c);
	ASSERT_EQ(c.cls, REQ_IMDS_CREDENTIALS);
	ASSERT_FALSE(c.nonstandard_path);

	cls("GET /latest/meta-data/identity-credentials/ec2/security-credentials/ec2-instance "
	    "HTTP/1.1\r\n\r\n",
	    EP_IMDS, &r, &c);
	ASSERT_EQ(c.cls, REQ_IMDS_CREDENTIALS);
	ASSERT_EQ(c.cred_kind, IMDS_CRED_IDENTITY);
	ASSERT_FALSE(c.uncertain);

	cls("GET /latest/meta-data/instance-id HTTP/1.1\r\n\r\n", EP_IMDS, &r, &c);
	ASSERT_EQ(c.cls, REQ_IMDS_METADATA);
	ASSERT_EQ(c.cred_kind, IMDS_CRED_NONE);
	cls("GET /latest/meta-data/iam/info HTTP/1.1\r\n\r\n", EP_IMDS, &r, &c);
	ASSERT_EQ(c.cls, REQ_IMDS_METADATA);
	cls("GET /latest/meta-data/identity-credentials/ec2/info HTTP/1.1\r\n\r\n", EP_IMDS, &r,
	    &c);
	ASSERT_EQ(c.cls, REQ_IMDS_METADATA);
	cls("GET /latest/meta-data/placement/region HTTP/1.1\r\n\r\n", EP_IMDS, &r, &c);
	ASSERT_EQ(c.cls, REQ_IMDS_METADATA);
	cls("GET /latest/meta-data/ HTTP/1.1\r\n\r\n", EP_IMDS, &r, &c);
	ASSERT_EQ(c.cls, REQ_IMDS_METADATA);
	ASSERT_FALSE(c.uncertain);
	cls("GET /latest/user-data HTTP/1.1\r\n\r\n", EP_IMDS, &r, &c);
	ASSERT_EQ(c.cls, REQ_IMDS_OTHER);
	ASSERT_EQ(c.imds_ver, IMDS_VER_1);
	cls("GET / HTTP/1.1\r\n\r\n", EP_IMDS, &r, &c);
	ASSERT_EQ(c.cls, REQ_IMDS_OTHER);
	ASSERT_STREQ(http_class_name(c.cls), "imds_other");
}

static void test_classify_imds_token(void)
{
	struct http_request r;
	struct http_class c;

	cls("PUT /latest/api/token HTTP/1.1\r\nX-aws-ec2-metadata-token-ttl-seconds: 21600\r\n\r\n",
	    EP_IMDS, &r, &c);
	ASSERT_EQ(c.cls, REQ_IMDS_TOKEN);
	ASSERT_EQ(c.imds_ver, IMDS_VER_TOKEN_PUT);
	ASSERT_STREQ(http_class_name(c.cls), "imds_token");
	/* GET on the token path is not the handshake (IMDS refuses it). */
	cls("GET /latest/api/token HTTP/1.1\r\n\r\n", EP_IMDS, &r, &c);
	ASSERT_EQ(c.cls, REQ_IMDS_OTHER);
	cls("PUT //latest/api/token/ HTTP/1.1\r\n\r\n", EP_IMDS, &r, &c);
	ASSERT_EQ(c.cls, REQ_IMDS_TOKEN);
	ASSERT_TRUE(c.nonstandard_path);
}

static void test_classify_evasion(void)
{
	static const char *const creds[] = {
		"GET /latest/meta-data/iam/security-credentials/r?x=1 HTTP/1.1\r\n\r\n",
		"GET //latest//meta-data/iam//security-credentials/r HTTP/1.1\r\n\r\n",
		"GET /latest/meta-data/%69am/security-credentials/r HTTP/1.1\r\n\r\n",
		"GET /latest/meta-data/%69%61%6D/%73ecurity-credentials/ HTTP/1.1\r\n\r\n",
		"GET /latest/meta-data/iam%2Fsecurity-credentials/r HTTP/1.1\r\n\r\n",
		"GET /latest/meta-data/x/../iam/security-credentials/r HTTP/1.1\r\n\r\n",
		"GET /latest/./meta-data/iam/./security-credentials/r HTTP/1.1\r\n\r\n",
		"GET /latest/meta-data/iam/%2e%2e/iam/security-credentials/ HTTP/1.1\r\n\r\n",
		"GET /LATEST/META-DATA/IAM/SECURITY-CREDENTIALS/r HTTP/1.1\r\n\r\n",
		"GET http://169.254.169.254/latest/meta-data/iam/security-credentials/r "
		"HTTP/1.1\r\n\r\n",
		"GET HTTP://169.254.169.254:80/latest/meta-data/iam/security-credentials/ HTTP/1.1"
		"\r\n\r\n",
		"GET /latest\\meta-data\\iam\\security-credentials\\r HTTP/1.1\r\n\r\n",
		"GET /meta-data/iam/security-credentials/ HTTP/1.1\r\n\r\n",
		"GET /foo/meta-data/iam/security-credentials/r HTTP/1.1\r\n\r\n",
		"GET /latest/meta-data/iam/security-credentials/r#frag HTTP/1.1\r\n\r\n",
	};
	struct http_request r;
	struct http_class c;
	size_t i;

	for (i = 0; i < sizeof(creds) / sizeof(creds[0]); i++) {
		cls(creds[i], EP_IMDS, &r, &c);
		if (c.cls != REQ_IMDS_CREDENTIALS)
			UNIT_FAIL("case %zu: class %s, want imds_credentials", i,
				  http_class_name(c.cls));
		else
			UNIT_OK();
		/* Only the query case is an ordinary request. */
		if (c.nonstandard_path != (i != 0))
			UNIT_FAIL("case %zu: nonstandard_path %d", i, c.nonstandard_path);
		else
			UNIT_OK();
	}
	cls(creds[0], EP_IMDS, &r, &c);
	ASSERT_TRUE(c.has_query);
	ASSERT_STREQ(c.role, "r");
	cls(creds[2], EP_IMDS, &r, &c);
	ASSERT_EQ(c.cred_kind, IMDS_CRED_ROLE);

	/* Percent-encoded reserved characters in a role name are ordinary, and decoded. */
	cls("GET /latest/meta-data/iam/security-credentials/a%2Bb%40c HTTP/1.1\r\n\r\n", EP_IMDS,
	    &r, &c);
	ASSERT_EQ(c.cls, REQ_IMDS_CREDENTIALS);
	ASSERT_STREQ(c.role, "a+b@c");
	ASSERT_FALSE(c.nonstandard_path);
	/* Double encoding is decoded once only: "%2569am" is "%69am", not "iam". */
	cls("GET /latest/meta-data/%2569am/security-credentials/ HTTP/1.1\r\n\r\n", EP_IMDS, &r,
	    &c);
	ASSERT_EQ(c.cls, REQ_IMDS_METADATA);
	/* Dot segments that climb out of meta-data are not credentials. */
	cls("GET /latest/meta-data/iam/../../user-data HTTP/1.1\r\n\r\n", EP_IMDS, &r, &c);
	ASSERT_EQ(c.cls, REQ_IMDS_OTHER);
	/* Malformed escapes stay literal. */
	cls("GET /latest/meta-data/%zzam/security-credentials/ HTTP/1.1\r\n\r\n", EP_IMDS, &r, &c);
	ASSERT_EQ(c.cls, REQ_IMDS_METADATA);
}

static void test_classify_truncated_paths(void)
{
	struct http_request r;
	struct http_class c;
	char buf[600];
	int n;

	cls("GET /latest/meta-data/iam/secur", EP_IMDS, &r, &c);
	ASSERT_EQ(c.cls, REQ_IMDS_CREDENTIALS);
	ASSERT_TRUE(c.uncertain);
	cls("GET /latest/meta-data/i", EP_IMDS, &r, &c);
	ASSERT_EQ(c.cls, REQ_IMDS_CREDENTIALS);
	ASSERT_TRUE(c.uncertain);
	cls("GET /latest/meta-data/inst", EP_IMDS, &r, &c);
	ASSERT_EQ(c.cls, REQ_IMDS_METADATA);
	ASSERT_FALSE(c.uncertain);
	cls("GET /latest/meta-data/iam/security-credentials/eks-no", EP_IMDS, &r, &c);
	ASSERT_EQ(c.cred_kind, IMDS_CRED_ROLE);
	ASSERT_STREQ(c.role, "eks-no");
	ASSERT_TRUE(c.role_truncated);
	ASSERT_FALSE(c.uncertain);
	cls("GET /latest/meta-data/iam/security-credentials/", EP_IMDS, &r, &c);
	ASSERT_EQ(c.cred_kind, IMDS_CRED_LISTING);
	ASSERT_TRUE(c.uncertain);
	cls("GET /latest/meta-data/%6", EP_IMDS, &r, &c);
	ASSERT_EQ(c.cls, REQ_IMDS_CREDENTIALS);
	ASSERT_TRUE(c.uncertain);
	cls("GET ", EP_IMDS, &r, &c);
	ASSERT_EQ(c.cls, REQ_IMDS_CREDENTIALS);
	ASSERT_TRUE(c.uncertain);
	cls("GE", EP_IMDS, &r, &c);
	ASSERT_EQ(c.cls, REQ_IMDS_CREDENTIALS);
	ASSERT_TRUE(c.uncertain);
	cls("GET /v1/cred", EP_POD_IDENTITY, &r, &c);
	ASSERT_EQ(c.cls, REQ_PI_CREDENTIALS);
	ASSERT_TRUE(c.uncertain);

	/* A long role name: the request-target exceeds HTTP_PATH_MAX. */
	n = snprintf(buf, sizeof(buf),
		     "GET /latest/meta-data/iam/security-credentials/%0250d HTTP/1.1\r\n\r\n", 1);
	http_parse_request(buf, (size_t)n, &r);
	ASSERT_TRUE(r.path_truncated);
	http_classify(&r, EP_IMDS, &c);
	ASSERT_EQ(c.cls, REQ_IMDS_CREDENTIALS);
	ASSERT_EQ(c.cred_kind, IMDS_CRED_ROLE);
	ASSERT_TRUE(c.role_truncated);
	ASSERT_EQ(c.role_len, HTTP_ROLE_MAX); /* 213 bytes of role kept to the role bound */
}

static void test_classify_pod_identity_and_ecs(void)
{
	static const char *const pi[] = {
		"GET /v1/credentials HTTP/1.1\r\nHost: 169.254.170.23\r\nAuthorization: t\r\n\r\n",
		"GET /v1/credentials/ HTTP/1.1\r\n\r\n",
		"GET /v1/credentials?x=1 HTTP/1.1\r\n\r\n",
		"GET //v1//credentials HTTP/1.1\r\n\r\n",
		"GET /v1/%63redentials HTTP/1.1\r\n\r\n",
		"GET /V1/Credentials HTTP/1.1\r\n\r\n",
		"GET /x/../v1/credentials HTTP/1.1\r\n\r\n",
		"GET http://[fd00:ec2::23]/v1/credentials HTTP/1.1\r\n\r\n",
	};
	struct http_request r;
	struct http_class c;
	size_t i;

	for (i = 0; i < sizeof(pi) / sizeof(pi[0]); i++) {
		cls(pi[i], EP_POD_IDENTITY, &r, &c);
		if (c.cls != REQ_PI_CREDENTIALS)
			UNIT_FAIL("pi case %zu: class %s", i, http_class_name(c.cls));
		else
			UNIT_OK();
		if (c.nonstandard_path != (i > 2))
			UNIT_FAIL("pi case %zu: nonstandard_path %d", i, c.nonstandard_path);
		else
			UNIT_OK();
		ASSERT_EQ(c.imds_ver, IMDS_VER_NA);
	}
	cls(pi[0], EP_POD_IDENTITY, &r, &c);
	ASSERT_TRUE(r.has_authorization);
	ASSERT_STREQ(r.host, "169.254.170.23");
	cls("GET /v1/credentials/extra HTTP/1.1\r\n\r\n", EP_POD_IDENTITY, &r, &c);
	ASSERT_EQ(c.cls, REQ_PI_CREDENTIALS);
	ASSERT_TRUE(c.nonstandard_path);
	cls("GET /v2/credentials HTTP/1.1\r\n\r\n", EP_POD_IDENTITY, &r, &c);
	ASSERT_EQ(c.cls, REQ_OTHER);
	cls("GET /v1/credentialsX HTTP/1.1\r\n\r\n", EP_POD_IDENTITY, &r, &c);
	ASSERT_EQ(c.cls, REQ_OTHER);
	cls("GET /healthz HTTP/1.1\r\n\r\n", EP_POD_IDENTITY, &r, &c);
	ASSERT_EQ(c.cls, REQ_OTHER);

	cls("GET /v2/credentials/5f3c1b2a-1111-2222-3333-444455556666 HTTP/1.1\r\n\r\n", EP_ECS, &r,
	    &c);
	ASSERT_EQ(c.cls, REQ_ECS_CREDENTIALS);
	cls("GET /v2/metadata HTTP/1.1\r\n\r\n", EP_ECS, &r, &c);
	ASSERT_EQ(c.cls, REQ_OTHER);

	/* Unknown endpoint: shape decides; IMDS "odd version" flag must not leak into PI. */
	cls("GET /v1/credentials HTTP/1.1\r\n\r\n", EP_UNKNOWN, &r, &c);
	ASSERT_EQ(c.cls, REQ_PI_CREDENTIALS);
	ASSERT_FALSE(c.nonstandard_path);
	cls("GET /latest/meta-data/iam/security-credentials/ HTTP/1.1\r\n\r\n", EP_UNKNOWN, &r, &c);
	ASSERT_EQ(c.cls, REQ_IMDS_CREDENTIALS);
	cls("GET /latest/meta-data/ami-id HTTP/1.1\r\n\r\n", EP_UNKNOWN, &r, &c);
	ASSERT_EQ(c.cls, REQ_IMDS_METADATA);
	cls("GET /index.html HTTP/1.1\r\n\r\n", EP_UNKNOWN, &r, &c);
	ASSERT_EQ(c.cls, REQ_OTHER);
	ASSERT_EQ(c.imds_ver, IMDS_VER_NA);

	cls("\x16\x03\x01\x00", EP_IMDS, &r, &c);
	ASSERT_EQ(c.cls, REQ_NOT_HTTP);
	ASSERT_EQ(c.imds_ver, IMDS_VER_NA);
	ASSERT_STREQ(http_status_name(r.status), "not_http");
}

/* A credentials document: what is copied out, what never is. */
static void test_scan_credentials(void)
{
	static const char imds[] =
		"{\n  \"Code\" : \"Success\",\n  \"LastUpdated\" : \"2026-11-30T00:00:00Z\",\n"
		"  \"Type\" : \"AWS-HMAC\",\n  \"AccessKeyId\" : \"ASIAUNITTEST00000001\",\n"
		"  \"SecretAccessKey\" : \"UNITSECRETKEY/with\\\"escapes\",\n  \"Token\" : "
		"\"UNITSESSIONTOKEN\",\n  \"Expiration\" : \"2026-11-30T06:00:00Z\"\n}";
	static const char pia[] =
		"{\"Expiration\":\"2026-11-30T06:00:00Z\",\"Token\":\"T\","
		"\"AccountId\":\"111122223333\",\"nested\":{\"a\":[1,2,{\"b\":null}]},"
		"\"AccessKeyId\":\"ASIAUNITTESTPIA00001\",\"SecretAccessKey\":\"S\"}";
	static const char ecs[] =
		"{\"RoleArn\":\"arn:aws:iam::111122223333:role/app-role\","
		"\"AccessKeyId\":\"ASIAUNITTESTECS00001\",\"SecretAccessKey\":\"S\","
		"\"Token\":\"T\",\"Expiration\":\"2026-11-30T06:00:00Z\"}";
	struct http_creds c;

	ASSERT_TRUE(http_scan_credentials(imds, sizeof(imds) - 1, &c));
	ASSERT_STREQ(c.access_key_id, "ASIAUNITTEST00000001");
	ASSERT_STREQ(c.expiration, "2026-11-30T06:00:00Z");
	ASSERT_STREQ(c.code, "Success");
	/* nothing of the secrets is anywhere in the result */
	ASSERT_NULL(memmem(&c, sizeof(c), "UNITSECRET", 10));
	ASSERT_NULL(memmem(&c, sizeof(c), "UNITSESSION", 11));

	/* any key order, nested values skipped */
	ASSERT_TRUE(http_scan_credentials(pia, sizeof(pia) - 1, &c));
	ASSERT_STREQ(c.access_key_id, "ASIAUNITTESTPIA00001");
	ASSERT_STREQ(c.account_id, "111122223333");
	ASSERT_TRUE(http_scan_credentials(ecs, sizeof(ecs) - 1, &c));
	ASSERT_STREQ(c.role_arn, "arn:aws:iam::111122223333:role/app-role");

	/* an access key id alone, without a secret next to it, is not a delivery */
	ASSERT_FALSE(http_scan_credentials("{\"AccessKeyId\":\"ASIAUNITTEST00000001\"}", 38, &c));
	/* not JSON, cut short, or an id of the wrong shape */
	ASSERT_FALSE(http_scan_credentials("node-role", 9, &c));
	ASSERT_FALSE(http_scan_credentials(imds, 40, &c));
	ASSERT_FALSE(
		http_scan_credentials("{\"AccessKeyId\":\"asia-lower\",\"Token\":\"T\"}", 40, &c));
	ASSERT_FALSE(http_scan_credentials(NULL, 0, &c));
	/* a document cut after the keys it needs still counts (a body cut by the close) */
	ASSERT_TRUE(http_scan_credentials(ecs, sizeof(ecs) - 20, &c));
}

#define HEAD_END(lit) http_head_end(lit, sizeof(lit) - 1)

static void test_head_end(void)
{
	ASSERT_EQ(HEAD_END("GET / HTTP/1.1\r\n\r\nrest"), 18);
	ASSERT_EQ(HEAD_END("GET / HTTP/1.1\n\nrest"), 16);
	ASSERT_EQ(HEAD_END("\r\n\r\nGET / HTTP/1.1\r\nA: b\r\n\r\n"), 28);
	ASSERT_EQ(HEAD_END("GET / HTTP/1.1\r\nA: b\r\n\r"), 0);	  /* the CR may become CRLF */
	ASSERT_EQ(HEAD_END("GET / HTTP/1.1\r\nA: b\r\n\rX"), 23); /* a bare CR ends the line */
	ASSERT_EQ(HEAD_END("GET / HTTP/1.1\r\nA: b\r\n"), 0);
	ASSERT_EQ(HEAD_END("\r\n\r\n"), 0);
	ASSERT_EQ(http_head_end(NULL, 0), 0);
}

static void test_framing_headers(void)
{
	struct http_request req;
	struct http_response resp;
	static const char r1[] =
		"PUT /x HTTP/1.1\r\nContent-Length: 12\r\nConnection: keep-alive, Close\r\n\r\n";
	static const char r2[] =
		"POST /x HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 5\r\n\r\n";
	static const char r3[] =
		"GET /x HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n";
	static const char s1[] =
		"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\ncontent-length: 1280\r\n\r\n";

	http_parse_request(r1, sizeof(r1) - 1, &req);
	ASSERT_EQ(req.content_length, 12);
	ASSERT_TRUE(req.conn_close);
	ASSERT_FALSE(req.chunked);
	http_parse_request(r2, sizeof(r2) - 1, &req);
	ASSERT_TRUE(req.chunked);
	http_parse_request(r3, sizeof(r3) - 1, &req);
	ASSERT_EQ(req.content_length, -1); /* two different lengths: unknown */
	ASSERT_EQ(http_parse_response_head(s1, sizeof(s1) - 1, &resp), HTTP_COMPLETE);
	ASSERT_EQ(resp.code, 200);
	ASSERT_EQ(resp.content_length, 1280);
	ASSERT_EQ(http_parse_response_head(s1, 30, &resp), HTTP_TRUNCATED);
}

/* Found by fuzzing (tests/fuzz/fuzz_http): a response head that ends with a bare CR as its
 * empty line is complete for http_head_end(), which gives it to the head parser up to that
 * CR; the parser called it truncated, so the stream parser reported the response not_http. */
static void test_response_head_bare_cr_end(void)
{
	static const char in[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\rok";
	struct http_response resp;
	size_t he = http_head_end(in, sizeof(in) - 1);

	ASSERT_EQ(he, sizeof(in) - 3);
	ASSERT_EQ(http_parse_response_head(in, he, &resp), HTTP_COMPLETE);
	ASSERT_EQ(resp.content_length, 2);
	/* a status line alone that ends in CR is still no head */
	ASSERT_EQ(http_parse_response_head("HTTP/1.1 200 OK\r", 16, &resp), HTTP_TRUNCATED);
}

/* Found by fuzzing (tests/fuzz/fuzz_creds): a second AccessKeyId whose string was cut short
 * (or malformed) was copied over the first before the scanner gave up, leaving a mix of the
 * two that is in no document: "ASIA2" over "ASIACWFUZZFIRST00001". */
static void test_scan_credentials_cut_duplicate(void)
{
	static const char body[] = "{\"AccessKeyId\":\"ASIACWFUZZFIRST00001\",\"SecretAccessKey\":"
				   "\"CWFUZZ-secret\",\"AccessKeyId\":\"ASIA2";
	static const char ctl[] = "{\"Code\":\"Success\",\"AccessKeyId\":\"ASIACWFUZZFIRST00001\","
				  "\"Token\":\"CWFUZZ-secret\",\"Code\":\"Fa\x01il\"}";
	struct http_creds c;

	ASSERT_TRUE(http_scan_credentials(body, sizeof(body) - 1, &c));
	ASSERT_STREQ(c.access_key_id, "ASIACWFUZZFIRST00001");
	http_scan_credentials(ctl, sizeof(ctl) - 1, &c);
	ASSERT_STREQ(c.code, "Success");
}

int main(void)
{
	RUN(test_complete_v2_get);
	RUN(test_lf_only_and_http10);
	RUN(test_header_case_and_methods);
	RUN(test_truncated);
	RUN(test_not_http);
	RUN(test_nul_and_binary_inside);
	RUN(test_bounds);
	RUN(test_duplicates_fold_bad_lines);
	RUN(test_secrets_never_copied);
	RUN(test_response);
	RUN(test_classify_imds_paths);
	RUN(test_classify_imds_token);
	RUN(test_classify_evasion);
	RUN(test_classify_truncated_paths);
	RUN(test_classify_pod_identity_and_ecs);
	RUN(test_scan_credentials);
	RUN(test_head_end);
	RUN(test_framing_headers);
	RUN(test_response_head_bare_cr_end);
	RUN(test_scan_credentials_cut_duplicate);
	return unit_report("http");
}
