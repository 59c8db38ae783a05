// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for jwt: tokens are built here by base64url-encoding JSON written in this file, with an
 * obviously fake signature. No real token is used anywhere.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "enrich/jwt.h"
#include "unit.h"

#define FAKE_SIG "CWTESTSIG"
#define HEADER	 "{\"alg\":\"RS256\",\"kid\":\"credwatch-test\"}"

static const char b64url_alpha[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* base64url of s[0..n) into out (NUL-terminated); pad adds '=' padding. Returns length. */
static size_t b64url(const char *s, size_t n, char *out, bool pad)
{
	size_t o = 0, i;

	for (i = 0; i + 2 < n; i += 3) {
		unsigned int v = (unsigned char)s[i] << 16 | (unsigned char)s[i + 1] << 8 |
				 (unsigned char)s[i + 2];

		out[o++] = b64url_alpha[v >> 18 & 63];
		out[o++] = b64url_alpha[v >> 12 & 63];
		out[o++] = b64url_alpha[v >> 6 & 63];
		out[o++] = b64url_alpha[v & 63];
	}
	if (n - i == 1) {
		unsigned int v = (unsigned char)s[i] << 16;

		out[o++] = b64url_alpha[v >> 18 & 63];
		out[o++] = b64url_alpha[v >> 12 & 63];
		if (pad) {
			out[o++] = '=';
			out[o++] = '=';
		}
	} else if (n - i == 2) {
		unsigned int v = (unsigned char)s[i] << 16 | (unsigned char)s[i + 1] << 8;

		out[o++] = b64url_alpha[v >> 18 & 63];
		out[o++] = b64url_alpha[v >> 12 & 63];
		out[o++] = b64url_alpha[v >> 6 & 63];
		if (pad)
			out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

/* header.payload.signature for a JSON payload; caller frees. */
static char *make_token(const char *payload, bool pad)
{
	size_t pl = strlen(payload), hl = strlen(HEADER);
	char *t = malloc(hl * 2 + pl * 2 + sizeof(FAKE_SIG) + 16);
	size_t o;

	if (!t)
		abort();
	o = b64url(HEADER, hl, t, false);
	t[o++] = '.';
	o += b64url(payload, pl, t + o, pad);
	t[o++] = '.';
	strcpy(t + o, FAKE_SIG);
	return t;
}

static int decode_json(const char *payload, struct jwt_claims *c)
{
	char *t = make_token(payload, false);
	int rc = jwt_decode_claims(t, strlen(t), c);

	free(t);
	return rc;
}

#define POD_IDENTITY_PAYLOAD                                                                       \
	"{\"aud\":[\"pods.eks.amazonaws.com\"],\"exp\":1764460800,\"iat\":1764374400,"             \
	"\"iss\":\"https://oidc.eks.eu-west-1.amazonaws.com/id/"                                   \
	"EXAMPLED539D4633E53DE1B71EXAMPLE\","                                                      \
	"\"jti\":\"6c1e7f3a-0000-4000-8000-000000000001\",\"kubernetes.io\":{\"namespace\":"       \
	"\"shop\","                                                                                \
	"\"node\":{\"name\":\"ip-10-0-1-23.eu-west-1.compute.internal\","                          \
	"\"uid\":\"a1b2c3d4-0000-4000-8000-00000000000a\"},\"pod\":{\"name\":\"cart-7d9f8-"        \
	"abcde\","                                                                                 \
	"\"uid\":\"8f2c1b9e-3d4a-4c5b-9e6f-7a8b9c0d1e2f\"},\"serviceaccount\":{\"name\":\"cart\"," \
	"\"uid\":\"0f0e0d0c-0000-4000-8000-0000000000bb\"}},\"nbf\":1764374400,"                   \
	"\"sub\":\"system:serviceaccount:shop:cart\"}"

static void test_valid_pod_identity(void)
{
	struct jwt_claims c;
	char *t = make_token(POD_IDENTITY_PAYLOAD, false);

	ASSERT_EQ(jwt_decode_claims(t, strlen(t), &c), 0);
	ASSERT_STREQ(c.iss, "https://oidc.eks.eu-west-1.amazonaws.com/id/"
			    "EXAMPLED539D4633E53DE1B71EXAMPLE");
	ASSERT_STREQ(c.sub, "system:serviceaccount:shop:cart");
	ASSERT_EQ(c.aud_count, 1);
	ASSERT_EQ(c.aud_total, 1);
	ASSERT_TRUE(c.aud_is_array);
	ASSERT_STREQ(c.aud[0], "pods.eks.amazonaws.com");
	ASSERT_TRUE(c.has_exp && c.has_iat && c.has_nbf);
	ASSERT_EQ(c.exp, 1764460800);
	ASSERT_EQ(c.iat, 1764374400);
	ASSERT_EQ(c.nbf, 1764374400);
	ASSERT_TRUE(c.has_k8s);
	ASSERT_STREQ(c.k8s_namespace, "shop");
	ASSERT_STREQ(c.pod.name, "cart-7d9f8-abcde");
	ASSERT_STREQ(c.pod.uid, "8f2c1b9e-3d4a-4c5b-9e6f-7a8b9c0d1e2f");
	ASSERT_STREQ(c.serviceaccount.name, "cart");
	ASSERT_STREQ(c.serviceaccount.uid, "0f0e0d0c-0000-4000-8000-0000000000bb");
	ASSERT_STREQ(c.node.name, "ip-10-0-1-23.eu-west-1.compute.internal");
	ASSERT_STREQ(c.node.uid, "a1b2c3d4-0000-4000-8000-00000000000a");
	ASSERT_EQ(c.truncated, 0);
	ASSERT_EQ(c.type_errors, 0);
	ASSERT_EQ(jwt_classify_audience(&c), JWT_AUD_POD_IDENTITY);
	ASSERT_STREQ(jwt_audience_str(jwt_classify_audience(&c)), "pod_identity");
	/* The signature is never copied: the fake one appears nowhere in the result. */
	ASSERT_NULL(memmem(&c, sizeof(c), FAKE_SIG, strlen(FAKE_SIG)));
	ASSERT_NULL(memmem(&c, sizeof(c), "RS256", 5));
	/* A trailing newline (as from a file) is tolerated. */
	strcat(t, "\n");
	ASSERT_EQ(jwt_decode_claims(t, strlen(t), &c), 0);
	ASSERT_STREQ(c.sub, "system:serviceaccount:shop:cart");
	free(t);
}

static void test_irsa_and_api(void)
{
	struct jwt_claims c;

	ASSERT_EQ(decode_json("{\"aud\":[\"sts.amazonaws.com\"],\"sub\":\"system:serviceaccount:"
			      "a:b\",\"exp\":2}",
			      &c),
		  0);
	ASSERT_EQ(jwt_classify_audience(&c), JWT_AUD_IRSA);

	/* aud as a plain string (RFC 7519 allows it). */
	ASSERT_EQ(decode_json("{\"aud\":\"https://kubernetes.default.svc\"}", &c), 0);
	ASSERT_FALSE(c.aud_is_array);
	ASSERT_EQ(c.aud_count, 1);
	ASSERT_STREQ(c.aud[0], "https://kubernetes.default.svc");
	ASSERT_EQ(jwt_classify_audience(&c), JWT_AUD_KUBERNETES);

	ASSERT_EQ(decode_json("{\"aud\":\"sts.amazonaws.com\"}", &c), 0);
	ASSERT_EQ(jwt_classify_audience(&c), JWT_AUD_IRSA);

	/* More audiences than kept: the first 4 are kept, all are counted. */
	ASSERT_EQ(
		decode_json("{\"aud\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"pods.eks.amazonaws.com\"]}",
			    &c),
		0);
	ASSERT_EQ(c.aud_count, 4);
	ASSERT_EQ(c.aud_total, 6);
	ASSERT_STREQ(c.aud[3], "d");
	ASSERT_EQ(jwt_classify_audience(&c), JWT_AUD_KUBERNETES);

	/* Mixed: Pod Identity wins over IRSA and API. */
	ASSERT_EQ(decode_json("{\"aud\":[\"https://kubernetes.default.svc\",\"sts.amazonaws.com\","
			      "\"pods.eks.amazonaws.com\"]}",
			      &c),
		  0);
	ASSERT_EQ(jwt_classify_audience(&c), JWT_AUD_POD_IDENTITY);

	/* Case matters, as for the AWS services. */
	ASSERT_EQ(jwt_audience_of("STS.amazonaws.com"), JWT_AUD_KUBERNETES);
	ASSERT_EQ(jwt_audience_of(""), JWT_AUD_NONE);
	ASSERT_EQ(jwt_audience_of(NULL), JWT_AUD_NONE);
}

static void test_expiry(void)
{
	struct jwt_claims c;

	ASSERT_EQ(decode_json("{\"exp\":1000,\"nbf\":500}", &c), 0);
	ASSERT_TRUE(c.has_exp);
	ASSERT_EQ(c.exp, 1000);
	ASSERT_TRUE(c.has_nbf);
	ASSERT_EQ(c.nbf, 500);

	/* A fractional NumericDate is allowed by RFC 7519. */
	ASSERT_EQ(decode_json("{\"exp\":1764460800.75}", &c), 0);
	ASSERT_TRUE(c.has_exp);
	ASSERT_EQ(c.exp, 1764460800);

	/* No exp at all: not reported as expired, has_exp says why. */
	ASSERT_EQ(decode_json("{\"sub\":\"x\"}", &c), 0);
	ASSERT_FALSE(c.has_exp);
}

static void test_padding(void)
{
	struct jwt_claims c;
	/* Lengths 1 and 2 mod 3 produce '==' and '=' padding respectively. */
	const char *p1 = "{\"sub\":\"abcd\"}";	 /* 14 bytes: 14 % 3 == 2 */
	const char *p2 = "{\"sub\":\"abcde\"}";	 /* 15 bytes: 0 */
	const char *p3 = "{\"sub\":\"abcdef\"}"; /* 16 bytes: 1 */
	const char *ps[] = { p1, p2, p3 };

	for (int i = 0; i < 3; i++) {
		char *a = make_token(ps[i], false), *b = make_token(ps[i], true);

		ASSERT_EQ(jwt_decode_claims(a, strlen(a), &c), 0);
		ASSERT_TRUE(strncmp(c.sub, "abcd", 4) == 0);
		ASSERT_EQ(jwt_decode_claims(b, strlen(b), &c), 0);
		ASSERT_TRUE(strncmp(c.sub, "abcd", 4) == 0);
		free(a);
		free(b);
	}
	/* "e30" is "{}": it takes exactly one '=' of padding, or none. */
	ASSERT_EQ(jwt_decode_claims("x.e30.s", 7, &c), 0);
	ASSERT_EQ(jwt_decode_claims("x.e30=.s", 8, &c), 0);
	ASSERT_EQ(jwt_decode_claims("x.e30==.s", 9, &c), -EBADMSG);
	ASSERT_EQ(jwt_decode_claims("x.e30K.s", 8, &c), 0); /* "{}\n" */
}

static void test_not_jwt(void)
{
	struct jwt_claims c;
	const char *bad[] = {
		"", "abc", "a.b", "a.b.c.d", ".e30.s", "x..s", "x.e30.s.t.u", "...."
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ASSERT_EQ(jwt_decode_claims(bad[i], strlen(bad[i]), &c), -EINVAL);
	ASSERT_EQ(jwt_decode_claims(NULL, 5, &c), -EINVAL);
	ASSERT_EQ(jwt_decode_claims("a.b.c", 5, NULL), -EINVAL);
	/* The signature is not examined, so an empty one ("alg": "none") still decodes. */
	ASSERT_EQ(jwt_decode_claims("x.e30.", 6, &c), 0);
}

static void test_huge_input(void)
{
	struct jwt_claims c;
	size_t n = 1 << 20;
	char *t = malloc(n);
	struct timespec a, b;

	if (!t) {
		UNIT_FAIL("malloc");
		return;
	}
	/* Full of dots: were it scanned it would be -EINVAL, so -E2BIG shows the cap came first. */
	memset(t, '.', n);
	clock_gettime(CLOCK_MONOTONIC, &a);
	ASSERT_EQ(jwt_decode_claims(t, n, &c), -E2BIG);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ASSERT_TRUE((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) < 1000000L);
	ASSERT_EQ(jwt_decode_claims(t, JWT_MAX_TOKEN + 1, &c), -E2BIG);
	free(t);
}

static void test_invalid_base64(void)
{
	struct jwt_claims c;
	const char *bad[] = {
		"x.eyJzdWIiOiJhIn0+.s",	  /* standard alphabet '+' */
		"x.eyJzdWIiOiJhIn0/.s",	  /* standard alphabet '/' */
		"x.eyJzdWIi*iJhIn0.s",	  /* not base64 at all */
		"x.eyJzdWIiOiJhIn0A.s",	  /* 16 chars: a trailing NUL, not JSON */
		"x.eyJzdWIiOiJhIn0AA.s",  /* 17 chars: length % 4 == 1 */
		"x.eyJzdWIiOiJhIn0===.s", /* three '=' */
		"x.eyJ zdWIiOiJhIn0.s",	  /* space inside */
		"x.=.s",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unit_current = bad[i];
		ASSERT_EQ(jwt_decode_claims(bad[i], strlen(bad[i]), &c), -EBADMSG);
	}
	unit_current = "test_invalid_base64";
	/* Sanity: the good one ({"sub":"a"}) decodes. */
	ASSERT_EQ(jwt_decode_claims("x.eyJzdWIiOiJhIn0.s", 19, &c), 0);
	ASSERT_STREQ(c.sub, "a");
}

static char *repeat(const char *pre, char ch, size_t n, const char *post)
{
	size_t pl = strlen(pre), sl = strlen(post);
	char *s = malloc(pl + n + sl + 1);

	if (!s)
		abort();
	memcpy(s, pre, pl);
	memset(s + pl, ch, n);
	memcpy(s + pl + n, post, sl + 1);
	return s;
}

static void test_bombs(void)
{
	struct jwt_claims c;
	char *p, *q;

	/* 10k open brackets: refused by the pre-scan, the parser never sees it. */
	p = repeat("", '[', 10000, "");
	ASSERT_EQ(decode_json(p, &c), -ELOOP);
	free(p);

	/* Depth 10k inside an object member. */
	p = repeat("{\"a\":", '[', 9000, "");
	ASSERT_EQ(decode_json(p, &c), -ELOOP);
	free(p);

	/* Just over and just under the limit, properly closed. */
	p = repeat("", '[', JWT_MAX_DEPTH + 1, "");
	q = repeat(p, ']', JWT_MAX_DEPTH + 1, "");
	ASSERT_EQ(decode_json(q, &c), -ELOOP);
	free(p);
	free(q);
	p = repeat("{\"x\":", '[', JWT_MAX_DEPTH - 1, "");
	q = repeat(p, ']', JWT_MAX_DEPTH - 1, ",\"sub\":\"deep\"}");
	ASSERT_EQ(decode_json(q, &c), 0);
	ASSERT_STREQ(c.sub, "deep");
	free(p);
	free(q);

	/* Brackets inside strings (with escaped quotes) are not nesting. */
	p = repeat("{\"sub\":\"\\\"", '[', 1000, "\"}");
	ASSERT_EQ(decode_json(p, &c), 0);
	ASSERT_EQ(c.truncated, JWT_TRUNC_SUB);
	ASSERT_EQ(strlen(c.sub), JWT_SUB_BUF - 1);
	free(p);

	/* A payload that decodes over the cap is refused as too big, not parsed. */
	p = repeat("{\"sub\":\"", 'a', 13000, "\"}");
	ASSERT_EQ(decode_json(p, &c), -E2BIG);
	free(p);
}

static void test_not_object(void)
{
	struct jwt_claims c;

	ASSERT_EQ(decode_json("[\"sub\",\"x\"]", &c), -EBADMSG);
	ASSERT_EQ(decode_json("42", &c), -EBADMSG);
	ASSERT_EQ(decode_json("\"str\"", &c), -EBADMSG);
	ASSERT_EQ(decode_json("null", &c), -EBADMSG);
	ASSERT_EQ(decode_json("{\"sub\":", &c), -EBADMSG);
	ASSERT_EQ(decode_json("{\"sub\":\"x\"} trailing", &c), -EBADMSG);
	/* Duplicate keys could be read differently by the verifier: refused. */
	ASSERT_EQ(decode_json("{\"aud\":\"a\",\"aud\":\"sts.amazonaws.com\"}", &c), -EBADMSG);
	/* On failure nothing half-parsed is left behind. */
	ASSERT_EQ(c.aud_count, 0);
	ASSERT_STREQ(c.sub, "");
}

static void test_missing_claims(void)
{
	struct jwt_claims c;

	ASSERT_EQ(decode_json("{}", &c), 0);
	ASSERT_STREQ(c.iss, "");
	ASSERT_STREQ(c.sub, "");
	ASSERT_EQ(c.aud_count, 0);
	ASSERT_FALSE(c.has_exp || c.has_iat || c.has_nbf || c.has_k8s);
	ASSERT_EQ(c.type_errors, 0);
	ASSERT_EQ(jwt_classify_audience(&c), JWT_AUD_NONE);

	/* kubernetes.io without pod or node (pre-1.30 tokens have no node). */
	ASSERT_EQ(decode_json("{\"kubernetes.io\":{\"namespace\":\"ns\",\"serviceaccount\":"
			      "{\"name\":\"sa\"}}}",
			      &c),
		  0);
	ASSERT_TRUE(c.has_k8s);
	ASSERT_STREQ(c.k8s_namespace, "ns");
	ASSERT_STREQ(c.serviceaccount.name, "sa");
	ASSERT_STREQ(c.serviceaccount.uid, "");
	ASSERT_STREQ(c.pod.name, "");
	ASSERT_STREQ(c.node.name, "");
	ASSERT_EQ(c.type_errors, 0);
}

static void test_wrong_types(void)
{
	struct jwt_claims c;

	ASSERT_EQ(decode_json("{\"iss\":5,\"sub\":null,\"aud\":7,\"exp\":\"tomorrow\",\"iat\":true,"
			      "\"nbf\":[1],\"kubernetes.io\":\"shop\"}",
			      &c),
		  0);
	ASSERT_EQ(c.type_errors, 7);
	ASSERT_STREQ(c.iss, "");
	ASSERT_STREQ(c.sub, "");
	ASSERT_EQ(c.aud_count, 0);
	ASSERT_FALSE(c.has_exp || c.has_iat || c.has_nbf || c.has_k8s);

	ASSERT_EQ(
		decode_json("{\"aud\":[\"sts.amazonaws.com\",3,{},null],\"kubernetes.io\":"
			    "{\"namespace\":3,\"pod\":\"p\",\"node\":{\"name\":[],\"uid\":\"u\"}}}",
			    &c),
		0);
	ASSERT_EQ(c.aud_count, 1);
	ASSERT_EQ(c.aud_total, 1);
	ASSERT_EQ(jwt_classify_audience(&c), JWT_AUD_IRSA);
	ASSERT_TRUE(c.has_k8s);
	ASSERT_STREQ(c.k8s_namespace, "");
	ASSERT_STREQ(c.pod.name, "");
	ASSERT_STREQ(c.node.name, "");
	ASSERT_STREQ(c.node.uid, "u");
	ASSERT_EQ(c.type_errors, 3 + 3);

	/* An exp too large for int64 is a type error, not an overflow. */
	ASSERT_EQ(decode_json("{\"exp\":1e300}", &c), 0);
	ASSERT_FALSE(c.has_exp);
	ASSERT_EQ(c.type_errors, 1);
}

static void test_truncation(void)
{
	struct jwt_claims c;
	char *p = repeat("{\"iss\":\"https://", 'i', 1000, "\",\"aud\":[\"");
	char *q = repeat(p, 'a', 600, "\"],\"kubernetes.io\":{\"pod\":{\"name\":\"");
	char *r = repeat(q, 'n', 400, "\"}}}");

	ASSERT_EQ(decode_json(r, &c), 0);
	ASSERT_EQ(c.truncated, JWT_TRUNC_ISS | JWT_TRUNC_AUD | JWT_TRUNC_K8S);
	ASSERT_EQ(strlen(c.iss), JWT_ISS_BUF - 1);
	ASSERT_EQ(strlen(c.aud[0]), JWT_AUD_BUF - 1);
	ASSERT_EQ(strlen(c.pod.name), JWT_NAME_BUF - 1);
	free(p);
	free(q);
	free(r);
}

int main(void)
{
	RUN(test_valid_pod_identity);
	RUN(test_irsa_and_api);
	RUN(test_expiry);
	RUN(test_padding);
	RUN(test_not_jwt);
	RUN(test_huge_input);
	RUN(test_invalid_base64);
	RUN(test_bombs);
	RUN(test_not_object);
	RUN(test_missing_claims);
	RUN(test_wrong_types);
	RUN(test_truncation);
	return unit_report("jwt");
}
