/* SPDX-License-Identifier: GPL-2.0 */
/*
 * http: parse the first bytes of an HTTP/1.x exchange with a credential endpoint (EC2 IMDS, EKS
 * Pod Identity Agent, ECS-style container credentials) and classify the request.
 *
 * The input is what the BPF program copied: the first ~512 bytes of the first TCP payload
 * segment. It may end anywhere (mid request line, mid header), contain NUL bytes, be binary
 * garbage or a TLS ClientHello. Everything here is allocation-free, works on fixed-size output
 * structs and never reads past (buf, len).
 *
 * Secrets: the VALUES of X-aws-ec2-metadata-token and Authorization are bearer credentials (an
 * IMDSv2 session token, a Pod Identity service-account token). They are never copied anywhere;
 * only their presence is recorded. The output structs hold no pointer into the input buffer, so
 * a parsed struct can be logged or queued without dragging the capture along.
 */
#ifndef CREDWATCH_HTTP_H
#define CREDWATCH_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_METHOD_MAX 16  /* longest method token kept (bytes, excl. NUL) */
#define HTTP_PATH_MAX	256 /* request-target bytes kept */
#define HTTP_HOST_MAX	128 /* Host value bytes kept */
#define HTTP_UA_MAX	256 /* User-Agent value bytes kept */
#define HTTP_ROLE_MAX	128 /* role name bytes kept (IAM allows 64; slack for odd input) */

enum http_status {
	HTTP_NOT_HTTP = 0, /* not an HTTP/1.x request (or response) */
	HTTP_TRUNCATED,	   /* HTTP, but the capture ended before the blank line */
	HTTP_COMPLETE,	   /* the whole head (through the empty line) was captured */
};

enum http_method {
	HTTP_M_OTHER = 0, /* a syntactically valid but unlisted token, or an incomplete one */
	HTTP_M_GET,
	HTTP_M_PUT,
	HTTP_M_POST,
	HTTP_M_HEAD,
	HTTP_M_DELETE,
	HTTP_M_OPTIONS,
	HTTP_M_PATCH,
};

struct http_request {
	enum http_status status;
	enum http_method method;
	char method_raw[HTTP_METHOD_MAX + 1]; /* NUL-terminated token as sent (tchars only) */

	/*
	 * Request-target as raw bytes (no decoding, may hold any byte but SP/CR/LF, including
	 * NUL): path_len is authoritative, path[path_len] is a NUL for convenience only. The
	 * JSON writer escapes it. path_truncated: the stored bytes are not the whole target,
	 * because it was longer than HTTP_PATH_MAX or the capture ended inside it.
	 */
	char path[HTTP_PATH_MAX + 1];
	uint16_t path_len;
	bool path_truncated;

	bool line_complete;    /* the request line ended (CRLF/LF) inside the capture */
	bool has_version;      /* "HTTP/x.y" was present and well formed */
	uint8_t version_major; /* 0.9 for a version-less request line */
	uint8_t version_minor;

	bool has_token;		/* X-aws-ec2-metadata-token: IMDSv2 session token present */
	bool has_token_ttl;	/* X-aws-ec2-metadata-token-ttl-seconds: token PUT */
	bool has_authorization; /* Authorization (Pod Identity token, or anything else) */

	bool has_host;
	bool host_truncated; /* longer than HTTP_HOST_MAX or capture ended inside it */
	bool host_duplicate; /* more than one Host header (the first is kept) */
	uint16_t host_len;
	char host[HTTP_HOST_MAX + 1];

	bool has_user_agent;
	bool ua_truncated; /* longer than HTTP_UA_MAX or capture ended inside it */
	uint16_t ua_len;
	char user_agent[HTTP_UA_MAX + 1];

	uint16_t header_count;	   /* header lines seen (complete or not) */
	uint16_t bad_header_lines; /* lines without a colon or with an empty name */

	/* Message framing (RFC 9112 6): what follows the head on the stream. */
	int64_t content_length; /* Content-Length, -1 when absent or invalid */
	bool seen_content_length;
	bool chunked;	 /* Transfer-Encoding ends with chunked */
	bool conn_close; /* Connection: close */
};

/* Parse a request head from a possibly truncated capture. Always fills *req (zeroed first). */
enum http_status http_parse_request(const void *buf, size_t len, struct http_request *req);

struct http_response {
	enum http_status status; /* COMPLETE once the status code is known */
	uint8_t version_major;
	uint8_t version_minor;
	uint16_t code; /* 100..999, 0 when unknown */
	/* framing, from http_parse_response_head() */
	int64_t content_length; /* -1 when absent or invalid */
	bool chunked;
	bool conn_close;
};

/* Parse "HTTP/1.1 401 Unauthorized" from the start of a response capture. */
enum http_status http_parse_response(const void *buf, size_t len, struct http_response *resp);

/* A whole response head (status line and headers, through the empty line): the status and
 * the framing headers. */
enum http_status http_parse_response_head(const void *buf, size_t len, struct http_response *resp);

/*
 * Where a message head ends in buf: the offset just past its empty line, 0 when it is not
 * complete yet. Lines end as http_parse_request reads them: CRLF, LF, or a bare CR (a CR that
 * is the last byte may still become a CRLF, so it does not end a line yet). Empty lines
 * before a request line are skipped (RFC 9112 2.2) and not taken for the end.
 */
size_t http_head_end(const void *buf, size_t len);

/*
 * A credentials document in a response body (IMDS role or instance-identity credentials, the
 * Pod Identity Agent, ECS-style container credentials): a JSON object whose AccessKeyId is
 * given with a SecretAccessKey or a Token. Only what events may carry is copied out; the
 * secret values are skipped over, never copied (the caller wipes the body).
 */
#define HTTP_AKID_MAX 128
#define HTTP_EXP_MAX  48
#define HTTP_ARN_MAX  320
struct http_creds {
	bool found;			       /* AccessKeyId with a secret next to it */
	char access_key_id[HTTP_AKID_MAX + 1]; /* "ASIA..." (charset-checked) */
	char expiration[HTTP_EXP_MAX + 1];     /* as given, e.g. "2026-11-30T06:00:00Z" */
	char role_arn[HTTP_ARN_MAX + 1];       /* ECS-style RoleArn, when present */
	char account_id[16];		       /* Pod Identity Agent AccountId, when present */
	char code[32];			       /* IMDS "Code" ("Success"), when present */
};
bool http_scan_credentials(const void *body, size_t len, struct http_creds *out);

/* Which endpoint the connection went to; the caller knows it from the destination address. */
enum cred_endpoint {
	EP_UNKNOWN = 0,	 /* try every rule set */
	EP_IMDS,	 /* 169.254.169.254, fd00:ec2::254 */
	EP_POD_IDENTITY, /* 169.254.170.23, fd00:ec2::23 */
	EP_ECS,		 /* 169.254.170.2 */
};

enum http_req_class {
	REQ_NOT_HTTP = 0,     /* nothing to classify */
	REQ_OTHER,	      /* HTTP, but none of the paths below */
	REQ_IMDS_TOKEN,	      /* PUT /latest/api/token: the IMDSv2 session handshake */
	REQ_IMDS_CREDENTIALS, /* role listing, role credentials or instance identity creds */
	REQ_IMDS_METADATA,    /* anything else under /<version>/meta-data/ */
	REQ_IMDS_OTHER,	      /* IMDS but outside meta-data: /, user-data, dynamic/, ... */
	REQ_PI_CREDENTIALS,   /* Pod Identity Agent: /v1/credentials */
	REQ_ECS_CREDENTIALS,  /* ECS-style endpoint: /v2/credentials/<id>, /v1/... */
};

enum imds_cred_kind {
	IMDS_CRED_NONE = 0,
	IMDS_CRED_LISTING,  /* .../iam/security-credentials/ : names the role */
	IMDS_CRED_ROLE,	    /* .../iam/security-credentials/<role> : the keys */
	IMDS_CRED_IDENTITY, /* .../identity-credentials/ec2/security-credentials/[ec2-instance] */
};

enum imds_version {
	IMDS_VER_NA = 0,    /* not an IMDS request */
	IMDS_VER_1,	    /* no session token header */
	IMDS_VER_2,	    /* X-aws-ec2-metadata-token present */
	IMDS_VER_TOKEN_PUT, /* the v2 handshake itself */
};

struct http_class {
	enum http_req_class cls;
	enum imds_cred_kind cred_kind;
	enum imds_version imds_ver;
	/*
	 * The path was cut short (HTTP_PATH_MAX, or the capture ended inside the request line)
	 * and the class was decided on a prefix that could still become a credential path. We
	 * report it as one: a false alarm is cheaper than a missed credential fetch.
	 */
	bool uncertain;
	/*
	 * The path only matched after normalisation a plain client never needs: percent-escapes,
	 * dot segments, repeated slashes, backslashes, absolute-form, letter case, a version
	 * segment that is not latest / YYYY-MM-DD / 1.0. Worth surfacing: it is how one dodges
	 * a naive string matcher.
	 */
	bool nonstandard_path;
	bool has_query; /* a '?' query was present (ignored for matching) */
	/* Role name from .../security-credentials/<role>, after percent-decoding. */
	bool role_truncated;
	uint8_t role_len;
	char role[HTTP_ROLE_MAX + 1];
	/* The path as it was matched (decoded, dot segments resolved, one slash between
	 * segments, no query), when it differs from the raw path (nonstandard_path). */
	uint16_t normalized_len;
	char normalized[HTTP_PATH_MAX + 1];
};

/* Classify a parsed request sent to endpoint ep. Always fills *out (zeroed first). */
void http_classify(const struct http_request *req, enum cred_endpoint ep, struct http_class *out);

const char *http_status_name(enum http_status s);
const char *http_class_name(enum http_req_class c);
const char *imds_version_name(enum imds_version v);

#endif
