// SPDX-License-Identifier: GPL-2.0
/*
 * jsonw: allocation-free, bounded JSON writer for credwatch event lines.
 *
 * Space accounting: with cap bytes of buffer, cap - 1 are usable (one is kept
 * for the final NUL) and one byte per open container is reserved for its
 * closer, so the invariant len + depth <= cap - 1 holds at every return. A
 * value is written speculatively (comma, key, value) straight into the buffer
 * and rolled back by resetting len if any part does not fit, so nothing needs
 * to be measured twice.
 *
 * Strings may come from hostile processes, so the escaper treats its input as
 * arbitrary bytes and only ever emits whole "units": one plain byte, one escape
 * sequence, one valid UTF-8 sequence or one U+FFFD. Truncation always happens
 * at a unit boundary so the output stays valid JSON and valid UTF-8.
 */
#include <string.h>

#include "util/jsonw.h"

#define JW_MARK_LEN (sizeof(JW_TRUNC_MARK) - 1)

/* Byte classes: anything non-zero leaves the plain-ASCII fast path. */
enum { JW_PLAIN = 0, JW_ESC = 1, JW_HIGH = 2 };

#define JW_R4(i, v)  [(i)] = (v), [(i) + 1] = (v), [(i) + 2] = (v), [(i) + 3] = (v)
#define JW_R16(i, v) JW_R4(i, v), JW_R4((i) + 4, v), JW_R4((i) + 8, v), JW_R4((i) + 12, v)
#define JW_R64(i, v) JW_R16(i, v), JW_R16((i) + 16, v), JW_R16((i) + 32, v), JW_R16((i) + 48, v)

static const unsigned char jw_class[256] = {
	JW_R16(0x00, JW_ESC), JW_R16(0x10, JW_ESC),  ['"'] = JW_ESC,	    ['\\'] = JW_ESC,
	[0x7f] = JW_ESC,      JW_R64(0x80, JW_HIGH), JW_R64(0xc0, JW_HIGH),
};

/* Bytes with a two-character escape; every other JW_ESC byte uses \u00XX. */
static const char jw_short[128] = {
	['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n',  ['\f'] = 'f',
	['\r'] = 'r', ['"'] = '"',  ['\\'] = '\\',
};

static const char jw_hex[16] = "0123456789abcdef";

/*
 * Generic vectors (SSE2 on x86-64, NEON on arm64) check 16 bytes per step for
 * the common case of long plain runs such as paths and argv.
 */
typedef unsigned char jw_v16 __attribute__((vector_size(16)));
typedef uint64_t jw_v2x64 __attribute__((vector_size(16)));

/* Number of leading plain bytes in the 16 at p (16 if all are plain). */
static inline size_t jw_plain16(const unsigned char *p)
{
	jw_v16 v, m;
	jw_v2x64 q;

	memcpy(&v, p, sizeof(v));
	/* Unsigned compare: >= 0x7f covers DEL and every non-ASCII byte. */
	m = (jw_v16)((v < 0x20) | (v >= 0x7f) | (v == '"') | (v == '\\'));
	q = (jw_v2x64)m;
	if (!(q[0] | q[1]))
		return 16;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* Flagged bytes are 0xff, so the lowest set bit locates the first. */
	return q[0] ? (size_t)__builtin_ctzll(q[0]) / 8 : 8 + (size_t)__builtin_ctzll(q[1]) / 8;
#else
	{
		size_t i = 0;

		while (jw_class[p[i]] == JW_PLAIN)
			i++;
		return i;
	}
#endif
}

/* Length of the leading run of plain ASCII bytes in s[0..n). */
static size_t jw_plain_run(const unsigned char *s, size_t n)
{
	size_t i = 0, k;

	while (n - i >= 16) {
		k = jw_plain16(s + i);
		i += k;
		if (k < 16)
			return i;
	}
	while (i < n && jw_class[s[i]] == JW_PLAIN)
		i++;
	return i;
}

/*
 * Length of the UTF-8 sequence at s (n >= 1 bytes available). *ok says whether
 * it is well formed (shortest form, no surrogates, <= U+10FFFF); if not, the
 * length is that of the maximal ill-formed subpart, which becomes one U+FFFD.
 * Restricting the second byte's range per lead byte rejects overlongs,
 * surrogates and out-of-range code points without decoding the value.
 */
static size_t jw_utf8_len(const unsigned char *s, size_t n, bool *ok)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t need, k;

	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		*ok = false;
		return 1;
	}
	for (k = 1; k <= need; k++) {
		if (k >= n || s[k] < lo || s[k] > hi) {
			*ok = false;
			return k;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	*ok = true;
	return need + 1;
}

/*
 * Escape s[0..n) into out, writing at most lim bytes (no NUL). Returns the
 * number of bytes written and sets *trunc when not all input fit; a truncated
 * result ends with JW_TRUNC_MARK inside lim, or is empty if lim cannot hold the
 * marker (a bare prefix would be mistaken for the whole value).
 *
 * keep tracks the last unit boundary that leaves room for the marker, so
 * output that turns out to fit entirely never pays for the marker's space.
 */
static size_t jw_esc_body(char *out, size_t lim, const unsigned char *s, size_t n, bool *trunc)
{
	size_t soft = lim >= JW_MARK_LEN ? lim - JW_MARK_LEN : 0;
	size_t o = 0, keep = 0, i = 0, run, k;
	unsigned char c;
	bool ok;

	while (i < n) {
		/* Scanning past lim - o + 1 bytes cannot change the outcome. */
		run = n - i;
		if (run > lim - o + 1)
			run = lim - o + 1;
		/* Hostile strings are mostly special bytes: don't scan for nothing. */
		run = jw_class[s[i]] == JW_PLAIN ? jw_plain_run(s + i, run) : 0;
		if (run) {
			if (run > lim - o) {
				/* Every byte of a run is a boundary: keep up to soft. */
				if (o < soft) {
					memcpy(out + o, s + i, soft - o);
					keep = soft;
				}
				goto truncated;
			}
			memcpy(out + o, s + i, run);
			if (o < soft)
				keep = o + run < soft ? o + run : soft;
			o += run;
			i += run;
			if (i == n)
				break;
		}

		c = s[i];
		if (jw_class[c] == JW_ESC) {
			if (jw_short[c]) {
				if (lim - o < 2)
					goto truncated;
				out[o] = '\\';
				out[o + 1] = jw_short[c];
				o += 2;
			} else {
				if (lim - o < 6)
					goto truncated;
				memcpy(out + o, "\\u00", 4);
				out[o + 4] = jw_hex[c >> 4];
				out[o + 5] = jw_hex[c & 15];
				o += 6;
			}
			i++;
		} else {
			k = jw_utf8_len(s + i, n - i, &ok);
			if (!ok) {
				if (lim - o < 3)
					goto truncated;
				memcpy(out + o, "\xef\xbf\xbd", 3);
				o += 3;
			} else if (k == 3 && c == 0xe2 && s[i + 1] == 0x80 &&
				   (s[i + 2] == 0xa8 || s[i + 2] == 0xa9)) {
				/* Legal in JSON, but line terminators to JavaScript readers. */
				if (lim - o < 6)
					goto truncated;
				memcpy(out + o, s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
				o += 6;
			} else {
				if (lim - o < k)
					goto truncated;
				memcpy(out + o, s + i, k);
				o += k;
			}
			i += k;
		}
		if (o <= soft)
			keep = o;
	}
	*trunc = false;
	return o;

truncated:
	*trunc = true;
	if (lim < JW_MARK_LEN)
		return 0;
	memcpy(out + keep, JW_TRUNC_MARK, JW_MARK_LEN);
	return keep + JW_MARK_LEN;
}

bool jw_escape(char *out, size_t out_cap, const char *s, size_t n)
{
	size_t len;
	bool trunc;

	if (!out_cap)
		return n > 0;
	if (!s)
		n = 0;
	len = jw_esc_body(out, out_cap - 1, (const unsigned char *)s, n, &trunc);
	out[len] = '\0';
	return trunc;
}

void jw_init(struct jw *w, char *buf, size_t cap)
{
	w->buf = buf;
	w->cap = buf ? cap : 0;
	w->len = 0;
	w->depth = 0;
	w->skip = 0;
	w->overflow = false;
	if (w->cap)
		buf[0] = '\0';
}

/* Bytes still usable for new output, closers of open containers excluded. */
static inline size_t jw_room(const struct jw *w)
{
	return w->cap ? w->cap - 1 - w->len - (size_t)w->depth : 0;
}

static inline bool jw_put(struct jw *w, const char *p, size_t k)
{
	if (k > jw_room(w))
		return false;
	memcpy(w->buf + w->len, p, k);
	w->len += k;
	return true;
}

static inline void jw_rollback(struct jw *w, size_t mark)
{
	w->len = mark;
	w->overflow = true;
}

/*
 * Write the separator and key that precede a value, remembering in *mark where
 * the value started so it can be rolled back. Fails (with overflow set) inside
 * a skipped container, after a complete top-level value (a second one would
 * not be one JSON document) and when the prefix itself does not fit.
 *
 * The key is ignored outside objects; a missing key inside an object becomes
 * "" so the line still parses and the caller's bug shows in the output.
 */
static bool jw_begin(struct jw *w, const char *key, size_t *mark)
{
	size_t klen, out, room;
	bool trunc;
	int d = w->depth - 1;

	*mark = w->len;
	if (w->skip || !w->cap || (!w->depth && w->len))
		goto fail;
	if (!w->depth)
		return true;
	if (!w->first[d] && !jw_put(w, ",", 1))
		goto fail;
	if (w->closer[d] != '}')
		return true;
	if (!jw_put(w, "\"", 1))
		goto fail;
	/*
	 * Keys are short literals, usually all plain: copy them unescaped. A byte
	 * loop, as a block read could run past the key's NUL.
	 */
	room = jw_room(w);
	klen = 0;
	while (key && klen <= room && jw_class[(unsigned char)key[klen]] == JW_PLAIN)
		klen++;
	if (key && !key[klen]) {
		if (!jw_put(w, key, klen))
			goto fail;
		goto colon;
	}
	/* A cut key would be misleading: the whole value goes instead. */
	klen = key ? strnlen(key, jw_room(w) + 1) : 0;
	out = jw_esc_body(w->buf + w->len, jw_room(w), (const unsigned char *)key, klen, &trunc);
	if (trunc)
		goto fail;
	w->len += out;
colon:
	if (!jw_put(w, "\":", 2))
		goto fail;
	return true;
fail:
	jw_rollback(w, *mark);
	return false;
}

static inline void jw_commit(struct jw *w)
{
	if (w->depth)
		w->first[w->depth - 1] = false;
}

static void jw_scalar(struct jw *w, const char *key, const char *v, size_t n)
{
	size_t mark;

	if (!jw_begin(w, key, &mark))
		return;
	if (!jw_put(w, v, n)) {
		jw_rollback(w, mark);
		return;
	}
	jw_commit(w);
}

static void jw_open(struct jw *w, const char *key, char open, char close)
{
	size_t mark;

	/* Count it as skipped so the caller's matching close is absorbed. */
	if (w->skip || w->depth >= JW_MAX_DEPTH || !jw_begin(w, key, &mark))
		goto skip;
	/* The opener and the reserved closer. */
	if (jw_room(w) < 2) {
		jw_rollback(w, mark);
		goto skip;
	}
	w->buf[w->len++] = open;
	jw_commit(w);
	w->first[w->depth] = true;
	w->closer[w->depth] = close;
	w->depth++;
	return;
skip:
	w->skip++;
	w->overflow = true;
}

/*
 * Close the innermost container whatever its kind: the stack knows what is
 * open, and trusting it keeps the output well formed if a caller mismatches.
 */
static void jw_close(struct jw *w)
{
	if (w->skip) {
		w->skip--;
		return;
	}
	if (!w->depth)
		return;
	w->depth--;
	/* Reserved when the container was opened. */
	w->buf[w->len++] = w->closer[w->depth];
}

void jw_obj_open(struct jw *w, const char *key)
{
	jw_open(w, key, '{', '}');
}

void jw_obj_close(struct jw *w)
{
	jw_close(w);
}

void jw_arr_open(struct jw *w, const char *key)
{
	jw_open(w, key, '[', ']');
}

void jw_arr_close(struct jw *w)
{
	jw_close(w);
}

/*
 * nul: s is NUL-terminated and n is ignored. Its length is only looked at up to
 * the output limit + 1: every input byte yields at least one output byte, so
 * that many bytes already decide truncation and a huge string costs no more
 * than a short one.
 */
static bool jw_string(struct jw *w, const char *key, const char *s, size_t n, bool nul,
		      size_t max_out)
{
	size_t mark, room, lim, out;
	bool doc_bound, trunc;

	if (!s) {
		jw_null(w, key);
		return false;
	}
	if (!jw_begin(w, key, &mark))
		return true;
	room = jw_room(w);
	if (room < 2) {
		jw_rollback(w, mark);
		return true;
	}
	w->buf[w->len++] = '"';
	room -= 2;
	/* Only truncation forced by the document, not by max_out, is overflow. */
	lim = room;
	doc_bound = true;
	if (max_out && max_out <= room) {
		lim = max_out;
		doc_bound = false;
	}
	if (nul)
		n = strnlen(s, lim + 1);
	out = jw_esc_body(w->buf + w->len, lim, (const unsigned char *)s, n, &trunc);
	if (trunc && doc_bound) {
		w->overflow = true;
		/* Without the marker a cut string would look complete: drop it. */
		if (lim < JW_MARK_LEN) {
			jw_rollback(w, mark);
			return true;
		}
	}
	w->len += out;
	w->buf[w->len++] = '"';
	jw_commit(w);
	return trunc;
}

bool jw_str(struct jw *w, const char *key, const char *s, size_t max_out)
{
	return jw_string(w, key, s, 0, true, max_out);
}

bool jw_strn(struct jw *w, const char *key, const char *s, size_t n, size_t max_out)
{
	return jw_string(w, key, s, n, false, max_out);
}

static const char jw_digits2[200] = "0001020304050607080910111213141516171819"
				    "2021222324252627282930313233343536373839"
				    "4041424344454647484950515253545556575859"
				    "6061626364656667686970717273747576777879"
				    "8081828384858687888990919293949596979899";

/*
 * Digits are produced backwards into the tail of a 21-byte buffer, two per
 * division since timestamps are 19 digits long.
 */
static char *jw_fmt_u64(char *end, uint64_t v)
{
	unsigned int d;

	while (v >= 100) {
		d = (unsigned int)(v % 100) * 2;
		v /= 100;
		end -= 2;
		memcpy(end, jw_digits2 + d, 2);
	}
	if (v >= 10) {
		end -= 2;
		memcpy(end, jw_digits2 + v * 2, 2);
	} else {
		*--end = (char)('0' + v);
	}
	return end;
}

void jw_u64(struct jw *w, const char *key, uint64_t v)
{
	char tmp[21], *p = jw_fmt_u64(tmp + sizeof(tmp), v);

	jw_scalar(w, key, p, (size_t)(tmp + sizeof(tmp) - p));
}

void jw_i64(struct jw *w, const char *key, int64_t v)
{
	/* Negating in unsigned arithmetic is defined for INT64_MIN too. */
	uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	char tmp[21], *p = jw_fmt_u64(tmp + sizeof(tmp), mag);

	if (v < 0)
		*--p = '-';
	jw_scalar(w, key, p, (size_t)(tmp + sizeof(tmp) - p));
}

void jw_bool(struct jw *w, const char *key, bool v)
{
	if (v)
		jw_scalar(w, key, "true", 4);
	else
		jw_scalar(w, key, "false", 5);
}

void jw_null(struct jw *w, const char *key)
{
	jw_scalar(w, key, "null", 4);
}

size_t jw_finish(struct jw *w)
{
	w->skip = 0;
	while (w->depth)
		jw_close(w);
	if (w->cap)
		w->buf[w->len] = '\0';
	return w->len;
}
