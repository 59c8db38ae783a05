/* SPDX-License-Identifier: GPL-2.0 */
/*
 * jwt: read the claims of a Kubernetes projected service-account token (facts section 3).
 *
 * Only the payload (the middle part) is decoded. The signature is the secret-bearing part: it is
 * never copied, decoded, logged or even looked at beyond finding where the payload ends. The
 * token itself is not copied either: the payload is base64url-decoded from the caller's buffer
 * into a stack buffer that is scrubbed with explicit_bzero() before returning. The result holds
 * bounded copies of the claims only.
 *
 * Nothing here verifies the signature: claims are what the token *says*. That is enough to
 * attribute a token file to a pod and to tell IRSA / Pod Identity / API tokens apart; it is not
 * proof of anything.
 *
 * Limits, checked before any decoding work: JWT_MAX_TOKEN bytes of token, JWT_MAX_DEPTH levels
 * of JSON nesting (a pre-scan over the decoded bytes, so a "[[[[..." bomb costs one linear pass
 * and never reaches the JSON parser). Duplicate keys are refused: a token whose "aud" appears
 * twice could be read one way here and another way by its verifier.
 */
#ifndef CREDWATCH_JWT_H
#define CREDWATCH_JWT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JWT_MAX_TOKEN 16384
#define JWT_MAX_DEPTH 32
#define JWT_MAX_AUD   4

/* Buffer sizes (including the NUL). Kubernetes bounds: namespace 63, names 253, UID 36. */
#define JWT_ISS_BUF  256
#define JWT_SUB_BUF  352 /* "system:serviceaccount:" + 63 + ":" + 253 */
#define JWT_AUD_BUF  256
#define JWT_NS_BUF   64
#define JWT_NAME_BUF 254
#define JWT_UID_BUF  64

/* Bits of jwt_claims.truncated: a value did not fit and was cut (still NUL-terminated). */
enum {
	JWT_TRUNC_ISS = 1u << 0,
	JWT_TRUNC_SUB = 1u << 1,
	JWT_TRUNC_AUD = 1u << 2, /* an audience string was cut */
	JWT_TRUNC_K8S = 1u << 3, /* a kubernetes.io string was cut */
};

struct jwt_k8s_ref {
	char name[JWT_NAME_BUF];
	char uid[JWT_UID_BUF];
};

struct jwt_claims {
	char iss[JWT_ISS_BUF];
	char sub[JWT_SUB_BUF];
	char aud[JWT_MAX_AUD][JWT_AUD_BUF];
	unsigned int aud_count; /* entries filled in aud[] */
	unsigned int aud_total; /* string audiences in the token (may exceed JWT_MAX_AUD) */
	bool aud_is_array;	/* "aud" was an array (Kubernetes always writes one) */
	bool has_exp, has_iat, has_nbf;
	int64_t exp, iat, nbf; /* seconds since the epoch, valid when has_* */
	bool has_k8s;	       /* a "kubernetes.io" object was present */
	char k8s_namespace[JWT_NS_BUF];
	struct jwt_k8s_ref pod, serviceaccount, node;
	unsigned int truncated; /* JWT_TRUNC_* bits */
	/* Claims present with the wrong JSON type (they are left unset). */
	unsigned int type_errors;
};

/*
 * Decode the payload of token[0..len) into *out (always initialised). A trailing newline or
 * other ASCII whitespace is ignored. Returns 0 or a negative errno:
 *   -EINVAL   NULL arguments, or not three non-empty dot-separated parts
 *   -E2BIG    len > JWT_MAX_TOKEN (refused before looking at the content)
 *   -EBADMSG  payload is not valid base64url, not valid JSON, or not a JSON object
 *   -ELOOP    JSON nested deeper than JWT_MAX_DEPTH
 *   -ENOMEM   the JSON parser ran out of memory
 * Claims that are missing or of the wrong type are left unset and do not fail the decode; the
 * wrong-type ones are counted in type_errors.
 */
int jwt_decode_claims(const char *token, size_t len, struct jwt_claims *out);

enum jwt_audience {
	JWT_AUD_NONE = 0,     /* no audience at all */
	JWT_AUD_KUBERNETES,   /* anything else: the API server (or some other consumer) */
	JWT_AUD_IRSA,	      /* sts.amazonaws.com */
	JWT_AUD_POD_IDENTITY, /* pods.eks.amazonaws.com */
};

/* One audience string (exact, case-sensitive match as the AWS services do). */
enum jwt_audience jwt_audience_of(const char *aud);
/* The token: Pod Identity if any audience is pods.eks.amazonaws.com, else IRSA if any is
 * sts.amazonaws.com, else Kubernetes if there is any audience, else none. */
enum jwt_audience jwt_classify_audience(const struct jwt_claims *c);
const char *jwt_audience_str(enum jwt_audience a);

#endif
