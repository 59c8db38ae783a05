/* SPDX-License-Identifier: GPL-2.0 */
/*
 * httpmsg: HTTP/1.x messages on one direction of a reassembled TCP stream (intake/stream.h),
 * framed the way a server or client does it (RFC 9112): a head through its empty line, then
 * a body of Content-Length bytes, chunked, or (responses) until the connection closes. Every
 * message on the connection is parsed: pipelined requests, leading empty lines, any split
 * into segments, byte by byte.
 *
 * What cannot be framed stops the direction and is reported once: bytes that are not HTTP
 * (garbage, TLS), a head longer than HTTPMSG_HEAD_MAX, bytes lost in a gap where the framing
 * needed them, a head cut off by the close. A direction joined mid-stream (a connection found
 * at start) first looks for the next line that starts a message.
 *
 * Response bodies that start with '{' are kept (up to HTTPMSG_BODY_SCAN bytes) and looked at
 * for a credentials document (http_scan_credentials); nothing of a body is kept after that,
 * and every buffer is wiped before it is freed or reused (heads can hold the IMDSv2 session
 * token or an Authorization token; bodies hold keys).
 */
#ifndef CREDWATCH_HTTPMSG_H
#define CREDWATCH_HTTPMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "intake/http.h"

#define HTTPMSG_HEAD_MAX   (8 << 10)  /* a longer head is not parsed (reported) */
#define HTTPMSG_BODY_SCAN  (4 << 10)  /* response body bytes kept to look for credentials */
#define HTTPMSG_RESYNC_MAX (64 << 10) /* bytes a joined direction may skip to find a message */

enum httpmsg_fail {
	HTTPMSG_OK = 0,
	HTTPMSG_NOT_HTTP,      /* the bytes are not an HTTP/1.x message (garbage, TLS, ...) */
	HTTPMSG_HEAD_TOO_LONG, /* no end of head within HTTPMSG_HEAD_MAX */
	HTTPMSG_GAP,	       /* bytes the framing needed were not captured */
	HTTPMSG_TRUNCATED,     /* the connection closed inside a head */
	HTTPMSG_BAD_FRAMING,   /* an invalid chunk size, or a length the agent cannot follow */
	HTTPMSG_NO_MEMORY,     /* the agent's buffer budget was exhausted */
	HTTPMSG__COUNT,
};

const char *httpmsg_fail_name(unsigned int f);

struct httpmsg_ops {
	/* a request head, complete */
	void (*request)(void *ctx, const struct http_request *req);
	/* a response, its body complete (or cut by the close); creds->found when it carried
	 * credentials */
	void (*response)(void *ctx, const struct http_response *resp,
			 const struct http_creds *creds);
	/* the direction cannot be parsed any further */
	void (*failed)(void *ctx, enum httpmsg_fail why);
	/* responses: is the request being answered a HEAD (its response has no body)? */
	bool (*answers_head)(void *ctx);
};

enum httpmsg_state {
	HM_HEAD = 0,
	HM_BODY,       /* body_left bytes */
	HM_BODY_CLOSE, /* until the connection closes */
	HM_CHUNK_SIZE, /* a chunk-size line */
	HM_CHUNK_DATA, /* body_left bytes of a chunk */
	HM_CHUNK_CRLF, /* the CRLF after a chunk's data */
	HM_TRAILERS,   /* trailer lines after the last chunk */
	HM_FAILED,
};

struct httpmsg {
	bool response; /* this direction carries responses */
	bool joined;   /* started mid-stream: find the start of a message first */
	enum httpmsg_state st;
	uint8_t *buf; /* head bytes, chunk lines, or the kept body */
	size_t len, cap;
	uint64_t body_left;
	uint64_t chunk_size; /* the chunk-size line being read */
	uint8_t chunk_digits;
	bool chunk_ext;		   /* past the size, in extensions */
	uint16_t line_len;	   /* bytes of the trailer line being read */
	bool scan;		   /* keeping this response's body */
	size_t skipped;		   /* resync: bytes skipped so far */
	bool mid_line;		   /* resync: skipping the rest of a line */
	struct http_response resp; /* the response whose body is being read */
};

void httpmsg_init(struct httpmsg *h, bool response, bool joined);
void httpmsg_data(struct httpmsg *h, const struct httpmsg_ops *ops, void *ctx, const uint8_t *p,
		  size_t n);
void httpmsg_gap(struct httpmsg *h, const struct httpmsg_ops *ops, void *ctx, size_t n);
void httpmsg_fin(struct httpmsg *h, const struct httpmsg_ops *ops, void *ctx);
/* Wipe and free what is held. */
void httpmsg_free(struct httpmsg *h);

/* Bytes all parsers hold now, and the most they may (a message that would go over it fails
 * with HTTPMSG_NO_MEMORY). */
size_t httpmsg_buffered(void);
#define HTTPMSG_BUDGET (8u << 20)

#endif
