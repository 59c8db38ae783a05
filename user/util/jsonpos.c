// SPDX-License-Identifier: GPL-2.0
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "util/jsonpos.h"

void jsonpos_push_key(struct jsonpos_path *p, const char *key)
{
	struct jsonpos_seg *s;
	size_t n = strlen(key);

	if (p->overflow || p->depth >= JSONPOS_MAX_DEPTH) {
		p->overflow++;
		return;
	}
	s = &p->seg[p->depth++];
	s->is_index = false;
	s->index = 0;
	s->key_truncated = n >= sizeof(s->key);
	if (s->key_truncated)
		n = sizeof(s->key) - 1;
	memcpy(s->key, key, n);
	s->key[n] = 0;
}

void jsonpos_push_index(struct jsonpos_path *p, size_t index)
{
	struct jsonpos_seg *s;

	if (p->overflow || p->depth >= JSONPOS_MAX_DEPTH) {
		p->overflow++;
		return;
	}
	s = &p->seg[p->depth++];
	s->is_index = true;
	s->key_truncated = false;
	s->index = index;
	s->key[0] = 0;
}

void jsonpos_pop(struct jsonpos_path *p)
{
	if (p->overflow)
		p->overflow--;
	else if (p->depth > 0)
		p->depth--;
}

static bool plain_key(const char *k)
{
	if (!*k)
		return false;
	for (; *k; k++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
		      (*k >= '0' && *k <= '9') || *k == '_' || *k == '-'))
			return false;
	return true;
}

size_t jsonpos_format(const struct jsonpos_path *p, char *out, size_t len)
{
	size_t n = 0;
	int w;

	if (len)
		out[0] = 0;
	for (int i = 0; i < p->depth; i++) {
		const struct jsonpos_seg *s = &p->seg[i];
		char *dst = n < len ? out + n : NULL;
		size_t room = n < len ? len - n : 0;

		if (s->is_index)
			w = snprintf(dst, room, "[%zu]", s->index);
		else if (plain_key(s->key))
			w = snprintf(dst, room, "%s%s", i ? "." : "", s->key);
		else
			w = snprintf(dst, room, "[\"%s\"]", s->key);
		if (w > 0)
			n += w;
	}
	if (p->overflow) {
		char *dst = n < len ? out + n : NULL;

		w = snprintf(dst, n < len ? len - n : 0, "...");
		if (w > 0)
			n += w;
	}
	return n;
}

/* --- the tokenizer ------------------------------------------------------------------------- */

struct cur {
	const char *s;
	size_t len, i;
	int line, col;
};

static int peek(const struct cur *c)
{
	return c->i < c->len ? (unsigned char)c->s[c->i] : -1;
}

static void adv(struct cur *c)
{
	unsigned char b;

	if (c->i >= c->len)
		return;
	b = c->s[c->i++];
	if (b == '\n') {
		c->line++;
		c->col = 1;
	} else if ((b & 0xc0) != 0x80) {
		c->col++;
	}
}

static void skip_ws(struct cur *c)
{
	for (int b = peek(c); b == ' ' || b == '\t' || b == '\n' || b == '\r'; b = peek(c))
		adv(c);
}

static int hexval(int b)
{
	if (b >= '0' && b <= '9')
		return b - '0';
	if (b >= 'a' && b <= 'f')
		return b - 'a' + 10;
	if (b >= 'A' && b <= 'F')
		return b - 'A' + 10;
	return -1;
}

/* Four hex digits after "\u" (cursor on the first). -1 if malformed. */
static long hex4(struct cur *c)
{
	long v = 0;

	for (int k = 0; k < 4; k++) {
		int h = hexval(peek(c));

		if (h < 0)
			return -1;
		v = v * 16 + h;
		adv(c);
	}
	return v;
}

static size_t utf8_put(uint32_t cp, unsigned char out[4])
{
	if (cp < 0x80) {
		out[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = 0xc0 | (cp >> 6);
		out[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = 0xe0 | (cp >> 12);
		out[1] = 0x80 | ((cp >> 6) & 0x3f);
		out[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	out[0] = 0xf0 | (cp >> 18);
	out[1] = 0x80 | ((cp >> 12) & 0x3f);
	out[2] = 0x80 | ((cp >> 6) & 0x3f);
	out[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/*
 * Cursor on an opening quote: consume the string. When want is not NULL, decode it and set
 * *match to whether it equals want (NUL-terminated). Returns -1 on an unterminated or
 * malformed string.
 */
static int scan_string(struct cur *c, const char *want, bool *match)
{
	size_t wi = 0, wlen = want ? strlen(want) : 0;
	bool eq = true;

	if (peek(c) != '"')
		return -1;
	adv(c);
	for (;;) {
		unsigned char buf[4];
		size_t n = 0;
		int b = peek(c);

		if (b < 0)
			return -1;
		if (b == '"') {
			adv(c);
			break;
		}
		if (b == '\\') {
			adv(c);
			b = peek(c);
			if (b < 0)
				return -1;
			adv(c);
			switch (b) {
			case 'b':
				buf[n++] = '\b';
				break;
			case 'f':
				buf[n++] = '\f';
				break;
			case 'n':
				buf[n++] = '\n';
				break;
			case 'r':
				buf[n++] = '\r';
				break;
			case 't':
				buf[n++] = '\t';
				break;
			case 'u': {
				long cp = hex4(c), lo;

				if (cp < 0)
					return -1;
				if (cp >= 0xd800 && cp < 0xdc00 && peek(c) == '\\' &&
				    c->i + 1 < c->len && c->s[c->i + 1] == 'u') {
					adv(c);
					adv(c);
					lo = hex4(c);
					if (lo < 0)
						return -1;
					if (lo >= 0xdc00 && lo < 0xe000) {
						cp = 0x10000 + ((cp - 0xd800) << 10) +
						     (lo - 0xdc00);
						n = utf8_put(cp, buf);
					} else {
						/* a lone high surrogate, then another escape:
						 * neither is a key jansson accepted */
						eq = false;
					}
				} else {
					n = utf8_put(cp, buf);
				}
				break;
			}
			default: /* '"', '\\', '/' and anything else stands for itself */
				buf[n++] = b;
				break;
			}
		} else {
			buf[n++] = b;
			adv(c);
		}
		if (want && eq) {
			if (wi + n > wlen || memcmp(want + wi, buf, n) != 0)
				eq = false;
			else
				wi += n;
		}
	}
	if (match)
		*match = want && eq && wi == wlen;
	return 0;
}

/* Skip one value of any kind (cursor on its first character). Iterative: no recursion. */
static int skip_value(struct cur *c)
{
	long depth = 0;
	int b = peek(c);

	if (b == '"')
		return scan_string(c, NULL, NULL);
	if (b != '{' && b != '[') {
		/* a scalar: up to a delimiter */
		size_t start = c->i;

		while ((b = peek(c)) >= 0 && b != ',' && b != ']' && b != '}' && b != ' ' &&
		       b != '\t' && b != '\n' && b != '\r' && b != ':')
			adv(c);
		return c->i > start ? 0 : -1;
	}
	for (;;) {
		b = peek(c);
		if (b < 0)
			return -1;
		if (b == '"') {
			if (scan_string(c, NULL, NULL))
				return -1;
			continue;
		}
		if (b == '{' || b == '[')
			depth++;
		else if (b == '}' || b == ']')
			depth--;
		adv(c);
		if (depth == 0)
			return 0;
	}
}

int jsonpos_locate(const char *text, size_t len, const struct jsonpos_path *p, int *line, int *col)
{
	struct cur c = { .s = text, .len = len, .line = 1, .col = 1 };

	if (!text || p->overflow || p->depth < 0 || p->depth > JSONPOS_MAX_DEPTH)
		return -1;
	if (p->at_key && (p->depth == 0 || p->seg[p->depth - 1].is_index))
		return -1;
	/* a UTF-8 byte order mark is not a column */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		c.i = 3;
	skip_ws(&c);
	for (int d = 0; d < p->depth; d++) {
		const struct jsonpos_seg *s = &p->seg[d];
		bool last = d == p->depth - 1;

		if (s->is_index) {
			if (peek(&c) != '[')
				return -1;
			adv(&c);
			for (size_t i = 0;; i++) {
				skip_ws(&c);
				if (peek(&c) == ']' || peek(&c) < 0)
					return -1;
				if (i == s->index)
					break;
				if (skip_value(&c))
					return -1;
				skip_ws(&c);
				if (peek(&c) != ',')
					return -1;
				adv(&c);
			}
			continue;
		}
		if (s->key_truncated || peek(&c) != '{')
			return -1;
		adv(&c);
		for (;;) {
			int kl, kc;
			bool match = false;

			skip_ws(&c);
			if (peek(&c) != '"')
				return -1;
			kl = c.line;
			kc = c.col;
			if (scan_string(&c, s->key, &match))
				return -1;
			skip_ws(&c);
			if (peek(&c) != ':')
				return -1;
			adv(&c);
			skip_ws(&c);
			if (match) {
				if (last && p->at_key) {
					*line = kl;
					*col = kc;
					return 0;
				}
				break;
			}
			if (skip_value(&c))
				return -1;
			skip_ws(&c);
			if (peek(&c) != ',')
				return -1;
			adv(&c);
		}
	}
	if (peek(&c) < 0)
		return -1;
	*line = c.line;
	*col = c.col;
	return 0;
}
