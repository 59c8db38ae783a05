/* SPDX-License-Identifier: GPL-2.0 */
/*
 * jsonw: a small, allocation-free JSON writer for credwatch's event lines.
 *
 * Every event is one JSON object on one line, built into a caller-provided
 * buffer. The writer guarantees, whatever bytes it is given:
 *  - the output is valid JSON and valid UTF-8 (invalid sequences become U+FFFD),
 *  - control characters, quotes and backslashes are escaped (no raw newline can
 *    split a line), as are U+2028/U+2029,
 *  - every string is bounded (max_out bytes of *output*, escapes included) and a
 *    truncated string ends with the marker JW_TRUNC_MARK so a reader sees it,
 *  - the whole document never exceeds the buffer: once the remaining space is
 *    needed to close the open containers, further values are skipped and
 *    jw_overflowed() reports it. The closers always fit.
 */
#ifndef CREDWATCH_JSONW_H
#define CREDWATCH_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JW_MAX_DEPTH  16
#define JW_TRUNC_MARK "...[truncated]"

struct jw {
	char *buf;
	size_t cap;		   /* bytes available in buf, including the final NUL */
	size_t len;		   /* bytes written so far (excluding NUL) */
	int depth;		   /* open containers */
	bool first[JW_MAX_DEPTH];  /* no element written yet at this depth */
	char closer[JW_MAX_DEPTH]; /* '}' or ']' */
	bool overflow;		   /* something was skipped for lack of space */
	/* Containers whose open was skipped (no space, or beyond JW_MAX_DEPTH): their
	 * contents are dropped and their closes must not close a real container. */
	int skip;
};

/* Start a document in buf (cap bytes incl. NUL). */
void jw_init(struct jw *w, char *buf, size_t cap);

/* key is NULL inside arrays and for the top-level value. */
void jw_obj_open(struct jw *w, const char *key);
void jw_obj_close(struct jw *w);
void jw_arr_open(struct jw *w, const char *key);
void jw_arr_close(struct jw *w);

/* A NUL-terminated string, bounded to max_out bytes of output (0 = no extra
 * bound beyond the buffer). Returns true when the value was truncated. */
bool jw_str(struct jw *w, const char *key, const char *s, size_t max_out);
/* n raw bytes (may contain NUL bytes, which are escaped as \u0000). */
bool jw_strn(struct jw *w, const char *key, const char *s, size_t n, size_t max_out);

void jw_u64(struct jw *w, const char *key, uint64_t v);
void jw_i64(struct jw *w, const char *key, int64_t v);
void jw_bool(struct jw *w, const char *key, bool v);
void jw_null(struct jw *w, const char *key);

/* Close every open container and NUL-terminate. Returns the length. */
size_t jw_finish(struct jw *w);
static inline bool jw_overflowed(const struct jw *w)
{
	return w->overflow;
}

/* Escape s (n bytes) into out as a JSON string body (no quotes), bounded to
 * out_cap-1 bytes; returns true if truncated. Used by jw_strn and by callers
 * that need an escaped fragment (e.g. log messages). */
bool jw_escape(char *out, size_t out_cap, const char *s, size_t n);

#endif
