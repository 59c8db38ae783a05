// SPDX-License-Identifier: GPL-2.0
/*
 * jwt: claims of a projected service-account token, payload only. See jwt.h.
 */
#include "enrich/jwt.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <string.h>
#include "util/textutil.h"
#include "util/names.h"
#include <sys/types.h>

/* Decoded payload bound: base64 turns 4 characters into 3 bytes. */
#define JWT_PAYLOAD_BUF (JWT_MAX_TOKEN / 4 * 3 + 3)

static int b64url_val(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '-')
		return 62;
	if (ch == '_')
		return 63;
	return -1;
}

/*
 * base64url, padding optional (JWS omits it; some encoders add it). The standard alphabet's
 * '+' and '/' are refused: a JWT never contains them, so seeing one means this is not a JWT.
 * Returns the decoded length, or -1.
 */
static ssize_t b64url_decode(const char *in, size_t n, unsigned char *out, size_t cap)
{
	size_t pad = 0, o = 0;
	uint32_t acc = 0;
	unsigned int bits = 0;

	while (pad < 2 && n > 0 && in[n - 1] == '=') {
		n--;
		pad++;
	}
	/* With padding, the padded length must be a multiple of 4. */
	if (pad && (n + pad) % 4 != 0)
		return -1;
	/* One leftover character carries 6 bits: not a whole byte, never valid. */
	if (n % 4 == 1)
		return -1;
	if (n / 4 * 3 + 3 > cap)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int v = b64url_val((unsigned char)in[i]);

		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	return (ssize_t)o;
}

/* Copy a string member; absent is fine, another type counts as a type error. */
static void get_str(json_t *obj, const char *key, char *dst, size_t cap, unsigned int trunc_bit,
		    struct jwt_claims *c)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return;
	if (!json_is_string(v)) {
		c->type_errors++;
		return;
	}
	if (bounded_copy(dst, cap, json_string_value(v), json_string_length(v)))
		c->truncated |= trunc_bit;
}

/* NumericDate: an integer, or a finite real (RFC 7519 allows fractions) within int64. */
static void get_time(json_t *obj, const char *key, bool *has, int64_t *val, struct jwt_claims *c)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return;
	if (json_is_integer(v)) {
		*val = (int64_t)json_integer_value(v);
		*has = true;
	} else if (json_is_real(v) && isfinite(json_real_value(v)) &&
		   json_real_value(v) > -9.2e18 && json_real_value(v) < 9.2e18) {
		*val = (int64_t)json_real_value(v);
		*has = true;
	} else {
		c->type_errors++;
	}
}

static void add_aud(struct jwt_claims *c, json_t *v)
{
	if (!json_is_string(v)) {
		c->type_errors++;
		return;
	}
	c->aud_total++;
	if (c->aud_count >= JWT_MAX_AUD)
		return;
	if (bounded_copy(c->aud[c->aud_count], JWT_AUD_BUF, json_string_value(v),
			 json_string_length(v)))
		c->truncated |= JWT_TRUNC_AUD;
	c->aud_count++;
}

static void get_aud(json_t *root, struct jwt_claims *c)
{
	json_t *v = json_object_get(root, "aud"), *e;
	size_t i;

	if (!v)
		return;
	if (json_is_array(v)) {
		c->aud_is_array = true;
		json_array_foreach (v, i, e) {
			add_aud(c, e);
		}
	} else {
		add_aud(c, v);
	}
}

static void get_ref(json_t *k8s, const char *key, struct jwt_k8s_ref *ref, struct jwt_claims *c)
{
	json_t *v = json_object_get(k8s, key);

	if (!v)
		return;
	if (!json_is_object(v)) {
		c->type_errors++;
		return;
	}
	get_str(v, "name", ref->name, sizeof(ref->name), JWT_TRUNC_K8S, c);
	get_str(v, "uid", ref->uid, sizeof(ref->uid), JWT_TRUNC_K8S, c);
}

static void get_k8s(json_t *root, struct jwt_claims *c)
{
	json_t *k8s = json_object_get(root, "kubernetes.io");

	if (!k8s)
		return;
	if (!json_is_object(k8s)) {
		c->type_errors++;
		return;
	}
	c->has_k8s = true;
	get_str(k8s, "namespace", c->k8s_namespace, sizeof(c->k8s_namespace), JWT_TRUNC_K8S, c);
	get_ref(k8s, "pod", &c->pod, c);
	get_ref(k8s, "serviceaccount", &c->serviceaccount, c);
	get_ref(k8s, "node", &c->node, c);
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* Parse the decoded payload bytes into claims. */
static int parse_payload(const unsigned char *p, size_t n, struct jwt_claims *out)
{
	json_error_t jerr;
	json_t *root;

	if (!json_depth_ok(p, n, JWT_MAX_DEPTH))
		return -ELOOP;
	root = json_loadb((const char *)p, n, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return json_error_code(&jerr) == json_error_out_of_memory ? -ENOMEM : -EBADMSG;
	if (!json_is_object(root)) {
		json_decref(root);
		return -EBADMSG;
	}
	get_str(root, "iss", out->iss, sizeof(out->iss), JWT_TRUNC_ISS, out);
	get_str(root, "sub", out->sub, sizeof(out->sub), JWT_TRUNC_SUB, out);
	get_aud(root, out);
	get_time(root, "exp", &out->has_exp, &out->exp, out);
	get_time(root, "iat", &out->has_iat, &out->iat, out);
	get_time(root, "nbf", &out->has_nbf, &out->nbf, out);
	get_k8s(root, out);
	json_decref(root);
	return 0;
}

int jwt_decode_claims(const char *token, size_t len, struct jwt_claims *out)
{
	unsigned char buf[JWT_PAYLOAD_BUF];
	const char *dot1, *dot2;
	ssize_t n;
	int rc;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!token)
		return -EINVAL;
	/* The cap comes first: an oversized input is not even scanned for dots. */
	if (len > JWT_MAX_TOKEN)
		return -E2BIG;
	while (len > 0 && is_space(token[len - 1]))
		len--;

	dot1 = memchr(token, '.', len);
	if (!dot1)
		return -EINVAL;
	dot2 = memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token));
	if (!dot2 || dot1 == token || dot2 == dot1 + 1)
		return -EINVAL;
	/* A third dot means JWE (five parts) or garbage. The signature itself is not examined. */
	if (memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)))
		return -EINVAL;

	n = b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), buf, sizeof(buf));
	if (n < 0) {
		rc = -EBADMSG;
	} else {
		rc = parse_payload(buf, (size_t)n, out);
		if (rc)
			memset(out, 0, sizeof(*out)); /* no half-filled claims on failure */
	}
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

enum jwt_audience jwt_audience_of(const char *aud)
{
	if (!aud || !*aud)
		return JWT_AUD_NONE;
	if (strcmp(aud, "sts.amazonaws.com") == 0)
		return JWT_AUD_IRSA;
	if (strcmp(aud, "pods.eks.amazonaws.com") == 0)
		return JWT_AUD_POD_IDENTITY;
	return JWT_AUD_KUBERNETES;
}

enum jwt_audience jwt_classify_audience(const struct jwt_claims *c)
{
	enum jwt_audience best = JWT_AUD_NONE;

	for (unsigned int i = 0; i < c->aud_count && i < JWT_MAX_AUD; i++) {
		enum jwt_audience a = jwt_audience_of(c->aud[i]);

		/* Precedence: Pod Identity > IRSA > Kubernetes > none (enum order). */
		if (a > best)
			best = a;
	}
	return best;
}

static const char *const jwt_audience_names[] = {
	[JWT_AUD_KUBERNETES] = "kubernetes",
	[JWT_AUD_IRSA] = "irsa",
	[JWT_AUD_POD_IDENTITY] = "pod_identity",
};

const char *jwt_audience_str(enum jwt_audience a)
{
	return NAME_OF(jwt_audience_names, a, "none");
}
