// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_jwt: the claims of a projected service-account token (jwt_decode_claims,
 * user/enrich/jwt.c), read from token files any pod can write into its volumes.
 *
 * The first input byte picks the variant:
 *  - raw: the rest is the token file;
 *  - payload: the rest is the JSON payload, which is base64url-encoded (with or without
 *    padding) between a fixed header and a planted signature (FZ_JWT_SIGNATURE, itself
 *    base64url text), so the fuzzer works on the JSON directly.
 * Checked: the result is 0 or one of the documented errors, and a failure leaves no claim
 * set; every string is NUL-terminated in its buffer, the audience counts agree; the signature
 * never appears in the claims; and in the payload variant, whatever jansson accepts as an
 * object within the depth limit decodes (0), and a payload nested deeper is refused (-ELOOP).
 */
#include <errno.h>
#include <jansson.h>
#include "enrich/jwt.h"
#include "fuzz.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static size_t b64url(const uint8_t *s, size_t n, char *out, bool pad)
{
	size_t o = 0, i;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];

		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = b64[v >> 6 & 63];
		out[o++] = b64[v & 63];
	}
	if (n - i == 1) {
		out[o++] = b64[s[i] >> 2];
		out[o++] = b64[(s[i] & 3) << 4];
		if (pad) {
			out[o++] = '=';
			out[o++] = '=';
		}
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8;

		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = b64[v >> 6 & 63];
		if (pad)
			out[o++] = '=';
	}
	return o;
}

/* Nesting as the limit counts it: every object and array is one level. */
static int depth_of(json_t *v)
{
	int d = 0;

	if (json_is_object(v)) {
		const char *k;
		json_t *e;

		json_object_foreach (v, k, e) {
			int x = depth_of(e);

			if (x > d)
				d = x;
		}
		return d + 1;
	}
	if (json_is_array(v)) {
		size_t i;
		json_t *e;

		json_array_foreach (v, i, e) {
			int x = depth_of(e);

			if (x > d)
				d = x;
		}
		return d + 1;
	}
	return 0;
}

static void check_claims(const struct jwt_claims *c, int rc)
{
	static const struct jwt_claims zero;

	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -E2BIG || rc == -EBADMSG || rc == -ELOOP ||
			   rc == -ENOMEM,
		   "returned %d", rc);
	if (rc) {
		FUZZ_CHECK(!memcmp(c, &zero, sizeof(*c)), "claims left set after error %d", rc);
		return;
	}
	FZ_STR(c->iss);
	FZ_STR(c->sub);
	for (int i = 0; i < JWT_MAX_AUD; i++)
		FZ_STR(c->aud[i]);
	FZ_STR(c->k8s_namespace);
	FZ_STR(c->pod.name);
	FZ_STR(c->pod.uid);
	FZ_STR(c->serviceaccount.name);
	FZ_STR(c->serviceaccount.uid);
	FZ_STR(c->node.name);
	FZ_STR(c->node.uid);
	FUZZ_CHECK(c->aud_count <= JWT_MAX_AUD && c->aud_count <= c->aud_total,
		   "aud_count %u, aud_total %u", c->aud_count, c->aud_total);
	FUZZ_CHECK(jwt_classify_audience(c) <= JWT_AUD_POD_IDENTITY, "audience class");
	FUZZ_CHECK(jwt_audience_str(jwt_classify_audience(c)) != NULL, "no audience name");
	fz_check_no_secret(c, sizeof(*c), "struct jwt_claims");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char header[] = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImN3ZnV6eiJ9"; /* {"alg":..} */
	struct jwt_claims c;
	char *tok;
	size_t n;
	int rc;

	if (!size || fz_input_has_secret(data, size))
		return 0;
	tok = malloc(sizeof(header) + size * 2 + sizeof(FZ_JWT_SIGNATURE) + 8);
	if (!tok)
		abort();
	if (!(data[0] & 1)) {
		/* raw: the token file itself (in an allocation of its size) */
		memcpy(tok, data + 1, size - 1);
		tok = realloc(tok, size - 1 ? size - 1 : 1);
		rc = jwt_decode_claims(tok, size - 1, &c);
		check_claims(&c, rc);
		free(tok);
		return 0;
	}
	n = sizeof(header) - 1;
	memcpy(tok, header, n);
	tok[n++] = '.';
	n += b64url(data + 1, size - 1, tok + n, data[0] & 2);
	tok[n++] = '.';
	memcpy(tok + n, FZ_JWT_SIGNATURE, sizeof(FZ_JWT_SIGNATURE) - 1);
	n += sizeof(FZ_JWT_SIGNATURE) - 1;
	if (data[0] & 4)
		tok[n++] = '\n'; /* as a token file ends */
	rc = jwt_decode_claims(tok, n, &c);
	check_claims(&c, rc);
	if (n <= JWT_MAX_TOKEN && size > 1) {
		json_error_t jerr;
		json_t *root =
			json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, &jerr);

		if (root && json_is_object(root)) {
			int d = depth_of(root);

			FUZZ_CHECK(d > JWT_MAX_DEPTH || rc == 0,
				   "a payload jansson accepts (depth %d) is refused: %d", d, rc);
			FUZZ_CHECK(d <= JWT_MAX_DEPTH || rc == -ELOOP,
				   "a payload nested %d deep gives %d, not -ELOOP", d, rc);
		}
		json_decref(root);
	}
	free(tok);
	return 0;
}
