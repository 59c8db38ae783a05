// SPDX-License-Identifier: GPL-2.0
/*
 * jsonw unit tests. Hostile input is checked two ways: exact output for known
 * cases, and against a reference escaper written here in a deliberately
 * different style (it decodes code points and derives U+FFFD spans from code
 * point ranges rather than per-lead-byte tables), so a shared misreading of
 * UTF-8 would have to be made twice to go unnoticed. Every document is parsed
 * back with jansson, and buffers are malloc'ed at their exact size so ASan
 * catches any write past cap.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <jansson.h>

#include "util/jsonw.h"
#include "unit.h"

#define MARK	 JW_TRUNC_MARK
#define MARK_LEN (sizeof(MARK) - 1)

/* ---- reference UTF-8 handling ---- */

/*
 * Could s[0..k) (all present) start a well-formed sequence of total length L?
 * It can if the code points it may still complete to intersect the valid
 * range for L, minus the surrogates.
 */
static bool ref_prefix_ok(const unsigned char *s, size_t k, size_t L)
{
	static const uint32_t min_cp[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	static const uint32_t max_cp[5] = { 0, 0, 0x7ff, 0xffff, 0x10ffff };
	uint32_t cp = s[0] & (0x7f >> L), lo, hi;
	size_t j;

	for (j = 1; j < k; j++) {
		if ((s[j] & 0xc0) != 0x80)
			return false;
		cp = (cp << 6) | (s[j] & 0x3f);
	}
	lo = cp << (6 * (L - k));
	hi = lo | ((1u << (6 * (L - k))) - 1);
	if (lo < min_cp[L])
		lo = min_cp[L];
	if (hi > max_cp[L])
		hi = max_cp[L];
	return lo <= hi && (lo < 0xd800 || hi > 0xdfff);
}

/*
 * Decode one code point at s. Returns its length with *cp set, or 0 with *bad
 * set to the length of the maximal ill-formed subpart (at least 1).
 */
static size_t ref_decode(const unsigned char *s, size_t n, uint32_t *cp, size_t *bad)
{
	size_t L, k, best = 0;
	uint32_t v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc0 && s[0] < 0xe0)
		L = 2;
	else if (s[0] >= 0xe0 && s[0] < 0xf0)
		L = 3;
	else if (s[0] >= 0xf0 && s[0] < 0xf8)
		L = 4;
	else
		L = 0;
	for (k = 1; L && k <= L && k <= n; k++) {
		if (!ref_prefix_ok(s, k, L))
			break;
		best = k;
	}
	if (L && best == L) {
		v = s[0] & (0x7f >> L);
		for (k = 1; k < L; k++)
			v = (v << 6) | (s[k] & 0x3f);
		*cp = v;
		return L;
	}
	*bad = best ? best : 1;
	return 0;
}

/* Own strict validator: shortest form, no surrogates, nothing above U+10FFFF. */
static bool utf8_valid(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, k, bad;
	uint32_t cp;

	while (i < n) {
		k = ref_decode(s + i, n - i, &cp, &bad);
		if (!k)
			return false;
		i += k;
	}
	return true;
}

/* Reference escaper: full (unbounded) JSON string body for s[0..n). */
static size_t ref_escape(char *out, const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, o = 0, k, bad;
	uint32_t cp;

	while (i < n) {
		k = ref_decode(s + i, n - i, &cp, &bad);
		if (!k) {
			o += (size_t)sprintf(out + o, "\xef\xbf\xbd");
			i += bad;
			continue;
		}
		switch (cp) {
		case '"':
			o += (size_t)sprintf(out + o, "\\\"");
			break;
		case '\\':
			o += (size_t)sprintf(out + o, "\\\\");
			break;
		case '\n':
			o += (size_t)sprintf(out + o, "\\n");
			break;
		case '\r':
			o += (size_t)sprintf(out + o, "\\r");
			break;
		case '\t':
			o += (size_t)sprintf(out + o, "\\t");
			break;
		case '\b':
			o += (size_t)sprintf(out + o, "\\b");
			break;
		case '\f':
			o += (size_t)sprintf(out + o, "\\f");
			break;
		default:
			if (cp < 0x20 || cp == 0x7f || cp == 0x2028 || cp == 0x2029) {
				o += (size_t)sprintf(out + o, "\\u%04x", (unsigned int)cp);
			} else {
				memcpy(out + o, s + i, k);
				o += k;
			}
		}
		i += k;
	}
	out[o] = '\0';
	return o;
}

/*
 * What a bounded escape must produce, given the full escaped body f: f itself
 * if it fits, else the longest prefix ending on a unit boundary that leaves
 * room for the marker, then the marker; empty if lim cannot hold the marker.
 */
static size_t ref_bounded(char *out, const char *f, size_t flen, size_t lim, bool *trunc)
{
	size_t i = 0, b = 0, step;
	unsigned char c;

	*trunc = flen > lim;
	if (!*trunc) {
		memcpy(out, f, flen + 1);
		return flen;
	}
	if (lim < MARK_LEN) {
		out[0] = '\0';
		return 0;
	}
	while (i < flen) {
		c = (unsigned char)f[i];
		if (c == '\\')
			step = f[i + 1] == 'u' ? 6 : 2;
		else if (c < 0x80)
			step = 1;
		else if (c < 0xe0)
			step = 2;
		else if (c < 0xf0)
			step = 3;
		else
			step = 4;
		if (i + step > lim - MARK_LEN)
			break;
		i += step;
		b = i;
	}
	memcpy(out, f, b);
	memcpy(out + b, MARK, MARK_LEN + 1);
	return b + MARK_LEN;
}

/* ---- helpers ---- */

static bool parses(const char *doc)
{
	json_error_t err;
	json_t *j = json_loads(doc, JSON_ALLOW_NUL, &err);

	if (!j) {
		fprintf(stderr, "  json_loads: %s at %d in: %s\n", err.text, err.position, doc);
		return false;
	}
	json_decref(j);
	return true;
}

static char g_out[1 << 16];

/* jw_escape into a generous buffer; returns g_out. */
static const char *esc(const char *s, size_t n)
{
	jw_escape(g_out, sizeof(g_out), s, n);
	return g_out;
}

/* {"v":"<s>"} built with jw_strn, max_out 0, into a generous buffer. */
static const char *doc1(const char *s, size_t n)
{
	struct jw w;

	jw_init(&w, g_out, sizeof(g_out));
	jw_obj_open(&w, NULL);
	jw_strn(&w, "v", s, n, 0);
	jw_obj_close(&w);
	jw_finish(&w);
	return g_out;
}

/* ---- structure ---- */

static void test_empty_object(void)
{
	char buf[16];
	struct jw w;

	jw_init(&w, buf, sizeof(buf));
	jw_obj_open(&w, NULL);
	jw_obj_close(&w);
	ASSERT_EQ(jw_finish(&w), 2);
	ASSERT_STREQ(buf, "{}");
	ASSERT_FALSE(jw_overflowed(&w));
}

static void test_scalars(void)
{
	char buf[256];
	struct jw w;

	jw_init(&w, buf, sizeof(buf));
	jw_obj_open(&w, NULL);
	jw_u64(&w, "z", 0);
	jw_u64(&w, "u", UINT64_MAX);
	jw_i64(&w, "min", INT64_MIN);
	jw_i64(&w, "max", INT64_MAX);
	jw_i64(&w, "m1", -1);
	jw_i64(&w, "i0", 0);
	jw_bool(&w, "t", true);
	jw_bool(&w, "f", false);
	jw_null(&w, "n");
	jw_str(&w, "e", "", 0);
	jw_obj_close(&w);
	jw_finish(&w);
	ASSERT_STREQ(buf, "{\"z\":0,\"u\":18446744073709551615,\"min\":-9223372036854775808,"
			  "\"max\":9223372036854775807,\"m1\":-1,\"i0\":0,\"t\":true,"
			  "\"f\":false,\"n\":null,\"e\":\"\"}");
	/* jansson stops at INT64_MAX, so parse-check the rest without "u". */
	memmove(buf + 7, buf + 32, strlen(buf + 32) + 1);
	ASSERT_TRUE(parses(buf));
	ASSERT_FALSE(jw_overflowed(&w));
}

static void test_nested_commas(void)
{
	char buf[256];
	struct jw w;

	jw_init(&w, buf, sizeof(buf));
	jw_obj_open(&w, NULL);
	jw_u64(&w, "a", 1);
	jw_arr_open(&w, "b");
	jw_u64(&w, NULL, 1);
	jw_str(&w, NULL, "two", 0);
	jw_obj_open(&w, NULL);
	jw_str(&w, "c", "x", 0);
	jw_arr_open(&w, "d");
	jw_arr_close(&w);
	jw_obj_close(&w);
	jw_arr_open(&w, NULL);
	jw_arr_close(&w);
	jw_arr_open(&w, NULL);
	jw_null(&w, NULL);
	jw_arr_close(&w);
	jw_arr_close(&w);
	jw_obj_open(&w, "e");
	jw_obj_close(&w);
	jw_obj_open(&w, "f");
	jw_bool(&w, "g", true);
	jw_obj_open(&w, "h");
	jw_i64(&w, "i", -5);
	jw_obj_close(&w);
	jw_obj_close(&w);
	jw_obj_close(&w);
	ASSERT_EQ(jw_finish(&w), strlen(buf));
	ASSERT_STREQ(buf, "{\"a\":1,\"b\":[1,\"two\",{\"c\":\"x\",\"d\":[]},[],[null]],\"e\":{},"
			  "\"f\":{\"g\":true,\"h\":{\"i\":-5}}}");
	ASSERT_TRUE(parses(buf));
	ASSERT_FALSE(jw_overflowed(&w));
}

static void test_top_level_array(void)
{
	char buf[64];
	struct jw w;

	jw_init(&w, buf, sizeof(buf));
	jw_arr_open(&w, "ignored");
	jw_u64(&w, "ignored", 7);
	jw_str(&w, NULL, "s", 0);
	jw_finish(&w);
	ASSERT_STREQ(buf, "[7,\"s\"]");
	ASSERT_FALSE(jw_overflowed(&w));
}

static void test_finish_closes_all(void)
{
	char buf[64];
	struct jw w;

	jw_init(&w, buf, sizeof(buf));
	jw_obj_open(&w, NULL);
	jw_arr_open(&w, "a");
	jw_obj_open(&w, NULL);
	jw_u64(&w, "x", 1);
	ASSERT_EQ(jw_finish(&w), 15);
	ASSERT_STREQ(buf, "{\"a\":[{\"x\":1}]}");
	/* Idempotent, and nothing more is accepted after a complete value. */
	jw_u64(&w, "y", 2);
	ASSERT_EQ(jw_finish(&w), 15);
	ASSERT_STREQ(buf, "{\"a\":[{\"x\":1}]}");
	ASSERT_TRUE(jw_overflowed(&w));
}

/* ---- escaping ---- */

static void test_control_bytes(void)
{
	static const char *const want[32] = {
		"\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006",
		"\\u0007", "\\b",     "\\t",	 "\\n",	    "\\u000b", "\\f",	  "\\r",
		"\\u000e", "\\u000f", "\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014",
		"\\u0015", "\\u0016", "\\u0017", "\\u0018", "\\u0019", "\\u001a", "\\u001b",
		"\\u001c", "\\u001d", "\\u001e", "\\u001f",
	};
	char in[3], exp[64];
	int c;

	for (c = 0; c < 32; c++) {
		in[0] = (char)c;
		ASSERT_STREQ(esc(in, 1), want[c]);
		/* Inside a run, and inside a document. */
		in[0] = 'a';
		in[1] = (char)c;
		in[2] = 'b';
		snprintf(exp, sizeof(exp), "a%sb", want[c]);
		ASSERT_STREQ(esc(in, 3), exp);
		snprintf(exp, sizeof(exp), "{\"v\":\"a%sb\"}", want[c]);
		ASSERT_STREQ(doc1(in, 3), exp);
		ASSERT_TRUE(parses(g_out));
	}
}

static void test_quote_backslash_del(void)
{
	ASSERT_STREQ(esc("\"", 1), "\\\"");
	ASSERT_STREQ(esc("\\", 1), "\\\\");
	ASSERT_STREQ(esc("\x7f", 1), "\\u007f");
	ASSERT_STREQ(esc("a\"b\\c\x7f"
			 "d/e",
			 9),
		     "a\\\"b\\\\c\\u007fd/e");
	ASSERT_STREQ(esc("\\\"\\\"", 4), "\\\\\\\"\\\\\\\"");
	/* Every printable ASCII byte except the two specials passes through. */
	{
		char in[95], exp[200];
		size_t i, o = 0;

		for (i = 0; i < 95; i++) {
			in[i] = (char)(0x20 + i);
			if (in[i] == '"' || in[i] == '\\')
				exp[o++] = '\\';
			exp[o++] = in[i];
		}
		exp[o] = '\0';
		ASSERT_STREQ(esc(in, 95), exp);
	}
	ASSERT_STREQ(doc1("say \"hi\"\\", 9), "{\"v\":\"say \\\"hi\\\"\\\\\"}");
	ASSERT_TRUE(parses(g_out));
}

static void test_line_separators(void)
{
	ASSERT_STREQ(esc("\xe2\x80\xa8", 3), "\\u2028");
	ASSERT_STREQ(esc("\xe2\x80\xa9", 3), "\\u2029");
	ASSERT_STREQ(esc("a\xe2\x80\xa8"
			 "b\xe2\x80\xa9"
			 "c",
			 9),
		     "a\\u2028b\\u2029c");
	/* Neighbours are ordinary characters. */
	ASSERT_STREQ(esc("\xe2\x80\xa7", 3), "\xe2\x80\xa7");
	ASSERT_STREQ(esc("\xe2\x80\xaa", 3), "\xe2\x80\xaa");
	/* A cut U+2028 is just invalid. */
	ASSERT_STREQ(esc("\xe2\x80", 2), "\xef\xbf\xbd");
}

static void test_valid_multibyte(void)
{
	static const char *const ok[] = {
		"\xc2\x80",	    /* U+0080 */
		"\xc3\xa9",	    /* é */
		"\xdf\xbf",	    /* U+07FF */
		"\xe0\xa0\x80",	    /* U+0800 */
		"\xe2\x82\xac",	    /* € */
		"\xed\x9f\xbf",	    /* U+D7FF, last before surrogates */
		"\xee\x80\x80",	    /* U+E000, first after */
		"\xef\xbf\xbd",	    /* U+FFFD itself */
		"\xef\xbf\xbf",	    /* U+FFFF */
		"\xf0\x90\x80\x80", /* U+10000 */
		"\xf0\x9f\x98\x80", /* 😀 */
		"\xf3\xbf\xbf\xbf", /* U+FFFFF */
		"\xf4\x8f\xbf\xbf", /* U+10FFFF */
		"caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x94\x91 /etc/shadow",
	};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ASSERT_STREQ(esc(ok[i], strlen(ok[i])), ok[i]);
		doc1(ok[i], strlen(ok[i]));
		ASSERT_TRUE(parses(g_out));
	}
}

static void test_invalid_utf8(void)
{
	static const struct {
		const char *in;
		size_t n;
		const char *want;
	} t[] = {
#define R "\xef\xbf\xbd"
		/* overlong encodings */
		{ "\xc0\x80", 2, R R },
		{ "\xc1\xbf", 2, R R },
		{ "\xc0\xaf", 2, R R },
		{ "\xe0\x80\x80", 3, R R R },
		{ "\xe0\x9f\xbf", 3, R R R },
		{ "\xf0\x80\x80\x80", 4, R R R R },
		{ "\xf0\x8f\xbf\xbf", 4, R R R R },
		/* surrogates */
		{ "\xed\xa0\x80", 3, R R R },
		{ "\xed\xbf\xbf", 3, R R R },
		{ "\xed\xa0\xbd\xed\xb8\x80", 6, R R R R R R },
		/* above U+10FFFF */
		{ "\xf4\x90\x80\x80", 4, R R R R },
		{ "\xf7\xbf\xbf\xbf", 4, R R R R },
		/* bytes that never occur */
		{ "\xf5", 1, R },
		{ "\xf8\x88\x80\x80\x80", 5, R R R R R },
		{ "\xfe\xff", 2, R R },
		{ "a\xffz", 3, "a" R "z" },
		/* lone continuation bytes */
		{ "\x80", 1, R },
		{ "\xbf\x80", 2, R R },
		/* truncated at end of input: one U+FFFD for the whole stub */
		{ "\xc3", 1, R },
		{ "a\xe2\x82", 3, "a" R },
		{ "\xf0\x9f\x98", 3, R },
		{ "\xf0\x9f", 2, R },
		{ "x\xf4", 2, "x" R },
		/* truncated in the middle */
		{ "\xe2\x82"
		  "a",
		  3, R "a" },
		{ "\xf0\x9f\x98"
		  "\xc3\xa9",
		  5, R "\xc3\xa9" },
		{ "\xc3\"", 2, R "\\\"" },
		{ "\xe2\n", 2, R "\\n" },
		{ "\xc3\xc3\xa9", 3, R "\xc3\xa9" },
#undef R
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ASSERT_STREQ(esc(t[i].in, t[i].n), t[i].want);
		ASSERT_TRUE(utf8_valid(g_out, strlen(g_out)));
		doc1(t[i].in, t[i].n);
		ASSERT_TRUE(parses(g_out));
	}
}

/* The reference agrees with jsonw on every 1- and 2-byte input. */
static void test_all_short_inputs(void)
{
	char in[2], ref[64];
	int a, b, bad = 0;

	for (a = 0; a < 256; a++) {
		in[0] = (char)a;
		ref_escape(ref, in, 1);
		bad += strcmp(esc(in, 1), ref) != 0;
		for (b = 0; b < 256; b++) {
			in[1] = (char)b;
			ref_escape(ref, in, 2);
			bad += strcmp(esc(in, 2), ref) != 0 || !utf8_valid(g_out, strlen(g_out));
		}
	}
	ASSERT_EQ(bad, 0);
}

static void test_nul_bytes(void)
{
	char buf[64];
	struct jw w;

	ASSERT_STREQ(esc("a\0b", 3), "a\\u0000b");
	ASSERT_STREQ(esc("\0\0", 2), "\\u0000\\u0000");
	ASSERT_STREQ(doc1("\0", 1), "{\"v\":\"\\u0000\"}");
	ASSERT_TRUE(parses(g_out));

	/* jw_str stops at the first NUL. */
	jw_init(&w, buf, sizeof(buf));
	jw_obj_open(&w, NULL);
	ASSERT_FALSE(jw_str(&w, "v", "ab\0cd", 0));
	jw_finish(&w);
	ASSERT_STREQ(buf, "{\"v\":\"ab\"}");
}

static void test_null_string(void)
{
	char buf[64];
	struct jw w;

	jw_init(&w, buf, sizeof(buf));
	jw_obj_open(&w, NULL);
	ASSERT_FALSE(jw_str(&w, "a", NULL, 0));
	ASSERT_FALSE(jw_strn(&w, "b", NULL, 5, 0));
	jw_finish(&w);
	ASSERT_STREQ(buf, "{\"a\":null,\"b\":null}");
}

static void test_key_escaping(void)
{
	char buf[64];
	struct jw w;

	jw_init(&w, buf, sizeof(buf));
	jw_obj_open(&w, NULL);
	jw_u64(&w, "a\"b\n", 1);
	jw_finish(&w);
	ASSERT_STREQ(buf, "{\"a\\\"b\\n\":1}");
	ASSERT_TRUE(parses(buf));
}

/* ---- per-string bound ---- */

static void test_truncation_ascii(void)
{
	char a[64], buf[128];
	struct jw w;

	memset(a, 'a', sizeof(a));

	/* Exactly max_out fits whole: no marker. */
	jw_init(&w, buf, sizeof(buf));
	jw_obj_open(&w, NULL);
	ASSERT_FALSE(jw_strn(&w, "s", a, 20, 20));
	ASSERT_TRUE(jw_strn(&w, "t", a, 21, 20));
	ASSERT_TRUE(jw_str(&w, "u", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 20));
	jw_finish(&w);
	ASSERT_STREQ(buf, "{\"s\":\"aaaaaaaaaaaaaaaaaaaa\",\"t\":\"aaaaaa" MARK "\","
			  "\"u\":\"aaaaaa" MARK "\"}");
	/* Truncation by max_out is not a document overflow. */
	ASSERT_FALSE(jw_overflowed(&w));
	ASSERT_TRUE(parses(buf));

	/* An escape straddling the marker's start is dropped whole. */
	ASSERT_TRUE(jw_escape(buf, 20 + 1, "aaaaa\nbbbbbbbbbbbbbbbbbbbb", 26));
	ASSERT_STREQ(buf, "aaaaa" MARK);
	/* Ending exactly where the marker must start is fine. */
	ASSERT_TRUE(jw_escape(buf, 20 + 1, "aaaa\nbbbbbbbbbbbbbbbbbbbb", 25));
	ASSERT_STREQ(buf, "aaaa\\n" MARK);
	ASSERT_TRUE(jw_escape(buf, 20 + 1,
			      "aaaa\x01"
			      "bbbbbbbbbbbbbbbbbbb",
			      24));
	ASSERT_STREQ(buf, "aaaa" MARK);
	ASSERT_TRUE(jw_escape(buf, 20 + 1,
			      "\x01"
			      "bbbbbbbbbbbbbbbbbbbbbb",
			      23));
	ASSERT_STREQ(buf, "\\u0001" MARK);
	/* A multibyte character straddling it likewise. */
	ASSERT_TRUE(jw_escape(buf, 20 + 1,
			      "aaaa\xe2\x82\xac"
			      "bbbbbbbbbbbbbbbbb",
			      24));
	ASSERT_STREQ(buf, "aaaa" MARK);
	ASSERT_TRUE(jw_escape(buf, 20 + 1,
			      "aaa\xe2\x82\xac"
			      "bbbbbbbbbbbbbbbbb",
			      23));
	ASSERT_STREQ(buf, "aaa\xe2\x82\xac" MARK);
	ASSERT_TRUE(jw_escape(buf, 20 + 1,
			      "aaa\xf0\x9f\x98\x80"
			      "bbbbbbbbbbbbbb",
			      21));
	ASSERT_STREQ(buf, "aaa" MARK);
}

static void test_max_out_below_marker(void)
{
	char buf[64];
	struct jw w;

	jw_init(&w, buf, sizeof(buf));
	jw_obj_open(&w, NULL);
	/* Too small for the marker: the value is emptied rather than cut. */
	ASSERT_TRUE(jw_str(&w, "a", "abcdefghijklmnopqrstuvwxyz", 5));
	/* But a value that fits is kept. */
	ASSERT_FALSE(jw_str(&w, "b", "abcde", 5));
	/* max_out equal to the marker: marker alone. */
	ASSERT_TRUE(jw_str(&w, "c", "abcdefghijklmnopqrstuvwxyz", MARK_LEN));
	jw_finish(&w);
	ASSERT_STREQ(buf, "{\"a\":\"\",\"b\":\"abcde\",\"c\":\"" MARK "\"}");
	ASSERT_FALSE(jw_overflowed(&w));
}

static void test_jw_escape_bounds(void)
{
	char out[32];

	memset(out, 'x', sizeof(out));
	ASSERT_TRUE(jw_escape(out, 0, "a", 1));
	ASSERT_EQ(out[0], 'x');
	ASSERT_FALSE(jw_escape(out, 0, "", 0));
	ASSERT_TRUE(jw_escape(out, 1, "a", 1));
	ASSERT_STREQ(out, "");
	ASSERT_FALSE(jw_escape(out, 1, "", 0));
	ASSERT_FALSE(jw_escape(out, 2, "a", 1));
	ASSERT_STREQ(out, "a");
	ASSERT_TRUE(jw_escape(out, 2, "\n", 1));
	ASSERT_STREQ(out, "");
	ASSERT_FALSE(jw_escape(out, 3, "\n", 1));
	ASSERT_STREQ(out, "\\n");
	ASSERT_FALSE(jw_escape(out, sizeof(out), NULL, 0));
	ASSERT_STREQ(out, "");
	ASSERT_TRUE(jw_escape(out, sizeof(out), "0123456789abcdefghijklmnopqrstuvwxyz", 36));
	ASSERT_STREQ(out, "0123456789abcdefg" MARK);
	ASSERT_EQ(strlen(out), sizeof(out) - 1);
}

static const char *const hostile[] = {
	"plain ascii text /usr/bin/cat /etc/shadow and some more of it",
	"\n\r\t\"\\\x01\x7f\x1f\b\f a\"b\\c\nd\xe2\x80\xa8\x65\xe2\x80\xa9",
	"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80x\xf4\x8f\xbf\xbf",
	"\xc0\x80\xed\xa0\x80\xf5\xff\x80\xe2\x82\xf0\x9f\x98\xf4\x90\x80\x80z\xe0\x80",
	"mix\x00\x01\xc3\xa9\"\\\xe2\x80\xa8\xff\x80\xf0\x9f\x98\x80\n\x7f...[truncated]\xe2",
};

/*
 * Every bound on every hostile string: exactly the reference result, so never a
 * split escape or sequence, always the marker, always maximal.
 */
static void test_truncation_all_bounds(void)
{
	char full[1024], want[1024], got[1024];
	size_t i, n, flen, lim, wlen, bad = 0;
	bool wt, gt;

	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		n = i == 4 ? 35 : strlen(hostile[i]);
		flen = ref_escape(full, hostile[i], n);
		for (lim = 0; lim <= flen + 2; lim++) {
			wlen = ref_bounded(want, full, flen, lim, &wt);
			gt = jw_escape(got, lim + 1, hostile[i], n);
			if (gt != wt || strcmp(got, want) || strlen(got) > lim ||
			    !utf8_valid(got, strlen(got)) || wlen != strlen(got)) {
				fprintf(stderr, "  string %zu lim %zu: got \"%s\" want \"%s\"\n", i,
					lim, got, want);
				bad++;
			}
		}
	}
	ASSERT_EQ(bad, 0);
}

/* Same through jw_strn in a document: the marker counts within max_out. */
static void test_truncation_in_doc(void)
{
	char full[1024], want[1024], exp[1200], buf[2048];
	size_t i, n, flen, max_out, bad = 0;
	struct jw w;
	bool wt, t;

	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		n = i == 4 ? 35 : strlen(hostile[i]);
		flen = ref_escape(full, hostile[i], n);
		for (max_out = 1; max_out <= flen + 2; max_out++) {
			ref_bounded(want, full, flen, max_out, &wt);
			jw_init(&w, buf, sizeof(buf));
			jw_obj_open(&w, NULL);
			t = jw_strn(&w, "s", hostile[i], n, max_out);
			jw_u64(&w, "n", 1);
			jw_finish(&w);
			snprintf(exp, sizeof(exp), "{\"s\":\"%s\",\"n\":1}", want);
			if (t != wt || strcmp(buf, exp) || jw_overflowed(&w) || !parses(buf)) {
				fprintf(stderr, "  string %zu max_out %zu: %s\n", i, max_out, buf);
				bad++;
			}
		}
	}
	ASSERT_EQ(bad, 0);
}

/* ---- large inputs ---- */

static void test_4k_string(void)
{
	static char in[4096 + 7], ref[6 * sizeof(in)], want[sizeof(ref)], buf[32768];
	size_t i, flen;
	struct jw w;
	bool t;

	for (i = 0; i < 4096; i++)
		in[i] = "abc/\"\\\n\xc3\xa9\xe2\x82\xac\xff\x01 "[i % 16];
	memcpy(in + 4096, "\xf0\x9f\x98\x80tail", 7);
	flen = ref_escape(ref, in, sizeof(in));

	/* Unbounded: all of it, exactly. */
	jw_init(&w, buf, sizeof(buf));
	jw_obj_open(&w, NULL);
	ASSERT_FALSE(jw_strn(&w, "argv", in, sizeof(in), 0));
	jw_finish(&w);
	ASSERT_EQ(strlen(buf), flen + 11);
	ASSERT_TRUE(strncmp(buf + 9, ref, flen) == 0);
	ASSERT_TRUE(parses(buf));
	ASSERT_TRUE(utf8_valid(buf, strlen(buf)));

	/* Bounded to 1 KiB of output. */
	ref_bounded(want, ref, flen, 1024, &t);
	jw_init(&w, buf, sizeof(buf));
	jw_obj_open(&w, NULL);
	ASSERT_TRUE(jw_strn(&w, "argv", in, sizeof(in), 1024));
	jw_finish(&w);
	ASSERT_TRUE(strlen(buf) <= 1024 + 11);
	ASSERT_TRUE(strncmp(buf + 9, want, strlen(want)) == 0);
	ASSERT_TRUE(strcmp(buf + strlen(buf) - MARK_LEN - 2, MARK "\"}") == 0);
	ASSERT_TRUE(parses(buf));
	ASSERT_FALSE(jw_overflowed(&w));
}

static void test_1m_string(void)
{
	size_t n = 1 << 20, i, len;
	char *in = malloc(n + 1), *buf = malloc(16384);
	json_t *j;
	struct jw w;

	if (!in || !buf) {
		UNIT_FAIL("malloc");
		free(in);
		free(buf);
		return;
	}
	for (i = 0; i < n; i++)
		in[i] = (i % 997 == 0) ? '\n' : (i % 499 == 0) ? '\xe2' : 'A' + (char)(i % 26);
	in[n] = '\0';

	/* Per-string bound, NUL-terminated input. */
	jw_init(&w, buf, 16384);
	jw_obj_open(&w, NULL);
	jw_u64(&w, "pid", 42);
	ASSERT_TRUE(jw_str(&w, "path", in, 4096));
	jw_u64(&w, "uid", 0);
	len = jw_finish(&w);
	ASSERT_TRUE(len < 4096 + 64);
	ASSERT_FALSE(jw_overflowed(&w));
	j = json_loads(buf, 0, NULL);
	ASSERT_NOTNULL(j);
	if (j) {
		ASSERT_TRUE(json_integer_value(json_object_get(j, "uid")) == 0);
		ASSERT_TRUE(json_object_get(j, "uid") != NULL);
		json_decref(j);
	}

	/* Only the document bound (16 KiB, like containerd's line limit). */
	jw_init(&w, buf, 16384);
	jw_obj_open(&w, NULL);
	jw_u64(&w, "pid", 42);
	ASSERT_TRUE(jw_strn(&w, "argv", in, n, 0));
	jw_u64(&w, "uid", 0);
	len = jw_finish(&w);
	/* Filled up to the last whole unit (at most 6 bytes) before the marker. */
	ASSERT_TRUE(len <= 16383 && len >= 16383 - 5);
	ASSERT_EQ(strlen(buf), len);
	ASSERT_TRUE(jw_overflowed(&w));
	ASSERT_TRUE(strcmp(buf + len - MARK_LEN - 2, MARK "\"}") == 0);
	ASSERT_TRUE(parses(buf));
	ASSERT_TRUE(utf8_valid(buf, len));
	free(in);
	free(buf);
}

/* ---- document bound ---- */

/* A typical event, written into whatever buffer it is given. */
static void write_event(struct jw *w)
{
	static const char argv[] = "cat\0/etc/shadow\0--evil=\"\n\"\0\xff\xfe";
	int i;

	jw_obj_open(w, NULL);
	jw_str(w, "type", "cred_read", 0);
	jw_u64(w, "ts", 1732841234567890123ULL);
	jw_obj_open(w, "proc");
	jw_u64(w, "pid", 31337);
	jw_i64(w, "ret", -13);
	jw_str(w, "comm", "evil\ncomm\"", 16);
	jw_arr_open(w, "argv");
	for (i = 0; i < 4; i++)
		jw_strn(w, NULL, argv, sizeof(argv) - 1, 64);
	jw_arr_close(w);
	jw_obj_open(w, "parent");
	jw_u64(w, "pid", 1);
	jw_str(w, "exe", "/sbin/init", 0);
	jw_obj_close(w);
	jw_obj_close(w);
	jw_str(w, "path", "/etc/shadow\xe2\x80\xa8\xc0\xaf", 256);
	jw_str(w, "cgroup", "/kubepods/burstable/pod1234/0123456789abcdef", 0);
	jw_bool(w, "denied", true);
	jw_null(w, "container");
	jw_arr_open(w, "flags");
	jw_u64(w, NULL, 1);
	jw_u64(w, NULL, 2);
	jw_arr_close(w);
	jw_u64(w, "seq", 99);
	jw_obj_close(w);
}

static void test_tiny_buffer(void)
{
	char *buf = malloc(64);
	struct jw w;

	if (!buf) {
		UNIT_FAIL("malloc");
		return;
	}
	jw_init(&w, buf, 64);
	write_event(&w);
	ASSERT_TRUE(jw_finish(&w) <= 63);
	ASSERT_TRUE(jw_overflowed(&w));
	ASSERT_TRUE(parses(buf));
	/* "proc" itself fitted, nothing inside it did, and it was still closed. */
	ASSERT_STREQ(buf, "{\"type\":\"cred_read\",\"ts\":1732841234567890123,\"proc\":{}}");

	/*
	 * With 55 bytes "proc" does not fit: its contents and closes are absorbed
	 * and later small fields still land in the top-level object.
	 */
	jw_init(&w, buf, 55);
	write_event(&w);
	ASSERT_TRUE(jw_finish(&w) <= 54);
	ASSERT_TRUE(jw_overflowed(&w));
	ASSERT_TRUE(parses(buf));
	ASSERT_STREQ(buf, "{\"type\":\"cred_read\",\"ts\":1732841234567890123,\"seq\":99}");
	free(buf);
}

/* Every buffer size from nothing up to the full event. */
static void test_all_caps(void)
{
	char full[4096], *buf;
	size_t cap, flen, len, bad = 0;
	struct jw w;

	jw_init(&w, full, sizeof(full));
	write_event(&w);
	flen = jw_finish(&w);
	ASSERT_FALSE(jw_overflowed(&w));
	ASSERT_TRUE(parses(full));
	ASSERT_TRUE(utf8_valid(full, flen));

	for (cap = 0; cap <= flen + 2; cap++) {
		buf = malloc(cap ? cap : 1);
		if (!buf)
			break;
		jw_init(&w, cap ? buf : NULL, cap);
		write_event(&w);
		len = jw_finish(&w);
		if (cap == 0) {
			bad += len != 0;
		} else if (cap < 3) {
			/* Not even "{}" fits: empty, still NUL-terminated. */
			bad += len != 0 || buf[0] != '\0';
		} else {
			bad += len > cap - 1 || strlen(buf) != len || !parses(buf) ||
			       !utf8_valid(buf, len);
		}
		if (cap > flen)
			bad += strcmp(buf, full) != 0 || jw_overflowed(&w);
		else
			bad += !jw_overflowed(&w);
		free(buf);
	}
	ASSERT_EQ(bad, 0);
}

/* A string limited by the document: marker within the space, or dropped. */
static void test_doc_bound_string(void)
{
	char buf[40];
	struct jw w;

	/* 39 usable, less {"a":"b","s":" and "} leaves the body 23. */
	jw_init(&w, buf, sizeof(buf));
	jw_obj_open(&w, NULL);
	jw_str(&w, "a", "b", 0);
	ASSERT_TRUE(jw_str(&w, "s", "0123456789abcdefghijklmnopqrstuvwxyz", 0));
	jw_finish(&w);
	ASSERT_STREQ(buf, "{\"a\":\"b\",\"s\":\"012345678" MARK "\"}");
	ASSERT_EQ(strlen(buf), 39);
	ASSERT_TRUE(jw_overflowed(&w));

	/* max_out larger than the room: still the document's doing. */
	jw_init(&w, buf, sizeof(buf));
	jw_obj_open(&w, NULL);
	jw_str(&w, "a", "b", 0);
	ASSERT_TRUE(jw_str(&w, "s", "0123456789abcdefghijklmnopqrstuvwxyz", 30));
	jw_finish(&w);
	ASSERT_STREQ(buf, "{\"a\":\"b\",\"s\":\"012345678" MARK "\"}");
	ASSERT_TRUE(jw_overflowed(&w));

	/* max_out exactly the room: max_out alone would cut it, not overflow. */
	jw_init(&w, buf, sizeof(buf));
	jw_obj_open(&w, NULL);
	jw_str(&w, "a", "b", 0);
	ASSERT_TRUE(jw_str(&w, "s", "0123456789abcdefghijklmnopqrstuvwxyz", 23));
	jw_finish(&w);
	ASSERT_STREQ(buf, "{\"a\":\"b\",\"s\":\"012345678" MARK "\"}");
	ASSERT_FALSE(jw_overflowed(&w));

	/* No room for the marker: dropped whole, smaller values still go in. */
	jw_init(&w, buf, sizeof(buf));
	jw_obj_open(&w, NULL);
	jw_str(&w, "a", "0123456789abcdef", 0);
	ASSERT_TRUE(jw_str(&w, "s", "0123456789abcdefghijklmnopqrstuvwxyz", 0));
	jw_u64(&w, "n", 7);
	jw_finish(&w);
	ASSERT_STREQ(buf, "{\"a\":\"0123456789abcdef\",\"n\":7}");
	ASSERT_TRUE(jw_overflowed(&w));

	/* A string that fits exactly is not truncated. */
	jw_init(&w, buf, sizeof(buf));
	jw_obj_open(&w, NULL);
	/* 39 - strlen({"s":""}) = 31 bytes of room. */
	ASSERT_FALSE(jw_str(&w, "s", "0123456789abcdefghijklmnopqrstu", 0));
	jw_finish(&w);
	ASSERT_EQ(strlen(buf), 39);
	ASSERT_FALSE(jw_overflowed(&w));
}

static void test_scalar_skipped(void)
{
	char buf[17];
	struct jw w;

	/* 16 usable: {"a":1 is 6 and its closer 1, leaving 9. */
	jw_init(&w, buf, sizeof(buf));
	jw_obj_open(&w, NULL);
	jw_u64(&w, "a", 1);
	jw_u64(&w, "big", UINT64_MAX);
	jw_bool(&w, "b", false); /* ,"b":false is 10 */
	jw_bool(&w, "c", true);	 /* ,"c":true is 9: exactly */
	jw_null(&w, "d");
	jw_finish(&w);
	ASSERT_STREQ(buf, "{\"a\":1,\"c\":true}");
	ASSERT_EQ(strlen(buf), 16);
	ASSERT_TRUE(jw_overflowed(&w));
}

static void test_depth_limit(void)
{
	char buf[512], want[128];
	json_t *j, *a;
	struct jw w;
	int i, depth = 0;
	size_t o;

	jw_init(&w, buf, sizeof(buf));
	jw_obj_open(&w, NULL);
	jw_arr_open(&w, "deep");
	for (i = 0; i < 20; i++)
		jw_arr_open(&w, NULL);
	jw_u64(&w, NULL, 5);
	for (i = 0; i < 20; i++)
		jw_arr_close(&w);
	jw_u64(&w, NULL, 6);
	jw_arr_close(&w);
	jw_u64(&w, "after", 1);
	jw_obj_close(&w);
	jw_finish(&w);
	ASSERT_TRUE(jw_overflowed(&w));
	ASSERT_TRUE(parses(buf));
	/* 16 levels: the object, "deep" and 14 more arrays, innermost empty. */
	o = (size_t)sprintf(want, "{\"deep\":[");
	for (i = 0; i < JW_MAX_DEPTH - 2; i++)
		want[o++] = '[';
	for (i = 0; i < JW_MAX_DEPTH - 2; i++)
		want[o++] = ']';
	sprintf(want + o, ",6],\"after\":1}");
	ASSERT_STREQ(buf, want);
	j = json_loads(buf, 0, NULL);
	ASSERT_NOTNULL(j);
	if (j) {
		ASSERT_EQ(json_integer_value(json_object_get(j, "after")), 1);
		for (a = json_object_get(j, "deep"); json_is_array(a); a = json_array_get(a, 0))
			depth++;
		ASSERT_EQ(depth, JW_MAX_DEPTH - 1);
		json_decref(j);
	}
}

/* A container that did not fit must not let its close end the parent. */
static void test_skipped_container_close(void)
{
	char buf[48];
	struct jw w;

	jw_init(&w, buf, sizeof(buf));
	jw_obj_open(&w, NULL);
	jw_obj_open(&w, "outer");
	jw_u64(&w, "x", 1);
	jw_obj_open(&w, "a_key_long_enough_not_to_fit_here");
	jw_u64(&w, "y", 2);
	jw_arr_open(&w, "z");
	jw_arr_close(&w);
	jw_obj_close(&w);
	jw_u64(&w, "w", 3);
	jw_obj_close(&w);
	jw_u64(&w, "v", 4);
	jw_obj_close(&w);
	jw_finish(&w);
	ASSERT_STREQ(buf, "{\"outer\":{\"x\":1,\"w\":3},\"v\":4}");
	ASSERT_TRUE(jw_overflowed(&w));
	ASSERT_TRUE(parses(buf));
}

static void test_misuse(void)
{
	char buf[64];
	struct jw w;

	/* Missing key in an object: "" so the line parses and the bug shows. */
	jw_init(&w, buf, sizeof(buf));
	jw_obj_open(&w, NULL);
	jw_u64(&w, NULL, 1);
	jw_obj_close(&w);
	jw_obj_close(&w); /* extra close: ignored */
	jw_finish(&w);
	ASSERT_STREQ(buf, "{\"\":1}");
	ASSERT_TRUE(parses(buf));

	/* Mismatched close closes what is actually open. */
	jw_init(&w, buf, sizeof(buf));
	jw_obj_open(&w, NULL);
	jw_arr_open(&w, "a");
	jw_obj_close(&w);
	jw_u64(&w, "b", 2);
	jw_finish(&w);
	ASSERT_STREQ(buf, "{\"a\":[],\"b\":2}");

	/* A second top-level value would break one-object-per-line. */
	jw_init(&w, buf, sizeof(buf));
	jw_obj_open(&w, NULL);
	jw_obj_close(&w);
	jw_obj_open(&w, NULL);
	jw_u64(&w, "x", 1);
	jw_obj_close(&w);
	jw_u64(&w, NULL, 1);
	jw_finish(&w);
	ASSERT_STREQ(buf, "{}");
	ASSERT_TRUE(jw_overflowed(&w));

	/* No buffer at all. */
	jw_init(&w, NULL, 100);
	jw_obj_open(&w, NULL);
	jw_u64(&w, "x", 1);
	ASSERT_EQ(jw_finish(&w), 0);
	ASSERT_TRUE(jw_overflowed(&w));
}

/* ---- randomized ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	/* xorshift64*: fixed seed, so failures reproduce. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dULL) >> 32);
}

/* Random bytes biased towards the troublesome ones. */
static size_t rnd_string(char *s, size_t max)
{
	static const char *const frag[] = {
		"\xe2\x80\xa8",
		"\xe2\x80\xa9",
		"\xc3\xa9",
		"\xe2\x82\xac",
		"\xf0\x9f\x98\x80",
		"\xf4\x8f\xbf\xbf",
		"\xed\xa0\x80",
		"\xc0\x80",
		"\xe0\x80\x80",
		"\xf4\x90\x80\x80",
		"\\",
		"\"",
		"\n",
		"\x7f",
		"\xef\xbf\xbd",
	};
	size_t n = rnd() % (max + 1), i = 0, k;
	const char *f;

	while (i < n) {
		switch (rnd() % 6) {
		case 0:
			s[i++] = (char)(rnd() & 0xff);
			break;
		case 1:
			s[i++] = (char)(0x80 + rnd() % 0x80);
			break;
		case 2:
			s[i++] = (char)(rnd() % 0x20);
			break;
		case 3:
			f = frag[rnd() % (sizeof(frag) / sizeof(frag[0]))];
			/* Sometimes cut, to make truncated sequences. */
			k = strlen(f) - (rnd() % 4 == 0 ? rnd() % strlen(f) : 0);
			if (k > n - i)
				k = n - i;
			memcpy(s + i, f, k);
			i += k;
			break;
		default:
			s[i++] = (char)(0x20 + rnd() % 0x5f);
			break;
		}
	}
	return n;
}

/* The string body between "s":" and its closing quote in doc, or NULL. */
static const char *find_body(const char *doc, size_t *len)
{
	const char *p = strstr(doc, "\"s\":\""), *q;

	if (!p)
		return NULL;
	p += 5;
	for (q = p; *q != '"'; q++)
		if (*q == '\\')
			q++;
	*len = (size_t)(q - p);
	return p;
}

static void test_random(void)
{
	static char in[600], full[6 * sizeof(in) + 1], want[sizeof(full)], body[sizeof(full)];
	size_t iter, n, flen, cap, max_out, over, room, lim, len, blen = 0, bad = 0;
	const char *b;
	struct jw w;
	char *buf;
	bool wt, t, nul, doc_bound;

	for (iter = 0; iter < 20000; iter++) {
		n = rnd_string(in, rnd() % 8 ? 120 : sizeof(in) - 1);
		nul = rnd() % 4 == 0;
		if (nul)
			in[n] = '\0';
		flen = ref_escape(full, in, nul ? strlen(in) : n);
		cap = 8 + rnd() % 300;
		max_out = rnd() % 3 ? 0 : rnd() % 200;
		buf = malloc(cap);
		if (!buf)
			break;

		jw_init(&w, buf, cap);
		jw_obj_open(&w, NULL);
		jw_u64(&w, "pid", rnd());
		if (rnd() % 2) {
			jw_arr_open(&w, "a");
			jw_strn(&w, NULL, in, n / 2, 0);
			jw_arr_close(&w);
		}
		/* Room jsonw should give the body: cap less text, closer, quotes. */
		over = w.len + (size_t)w.depth + (w.first[0] ? 0 : 1) + 6;
		room = cap - 1 >= over ? cap - 1 - over : 0;
		doc_bound = !(max_out && max_out <= room);
		lim = doc_bound ? room : max_out;
		if (nul)
			t = jw_str(&w, "s", in, max_out);
		else
			t = jw_strn(&w, "s", in, n, max_out);
		jw_bool(&w, "ok", true);
		jw_obj_close(&w);
		len = jw_finish(&w);

		ref_bounded(want, full, flen, lim, &wt);
		b = find_body(buf, &blen);
		if (len > cap - 1 || strlen(buf) != len || !parses(buf) || !utf8_valid(buf, len)) {
			bad++;
		} else if (wt && doc_bound && lim < MARK_LEN) {
			/* Dropped: not there at all. */
			bad += b != NULL || !t || !jw_overflowed(&w);
		} else if (!b) {
			/* Only acceptable if not even the key fitted. */
			bad += !t || !jw_overflowed(&w) || lim >= MARK_LEN;
		} else {
			memcpy(body, b, blen);
			body[blen] = '\0';
			bad += strcmp(body, want) != 0 || t != wt;
			bad += wt && doc_bound && !jw_overflowed(&w);
		}
		if (bad) {
			fprintf(stderr, "  iteration %zu cap %zu max_out %zu: %s\n", iter, cap,
				max_out, buf);
			free(buf);
			break;
		}
		free(buf);

		/* And the bare escaper against the reference at a random bound. */
		lim = rnd() % (flen + 3);
		ref_bounded(want, full, flen, lim, &wt);
		t = jw_escape(body, lim + 1, in, nul ? strlen(in) : n);
		if (t != wt || strcmp(body, want)) {
			fprintf(stderr, "  iteration %zu escape lim %zu\n", iter, lim);
			bad++;
			break;
		}
	}
	ASSERT_EQ(iter, 20000);
	ASSERT_EQ(bad, 0);
}

int main(void)
{
	RUN(test_empty_object);
	RUN(test_scalars);
	RUN(test_nested_commas);
	RUN(test_top_level_array);
	RUN(test_finish_closes_all);
	RUN(test_control_bytes);
	RUN(test_quote_backslash_del);
	RUN(test_line_separators);
	RUN(test_valid_multibyte);
	RUN(test_invalid_utf8);
	RUN(test_all_short_inputs);
	RUN(test_nul_bytes);
	RUN(test_null_string);
	RUN(test_key_escaping);
	RUN(test_truncation_ascii);
	RUN(test_max_out_below_marker);
	RUN(test_jw_escape_bounds);
	RUN(test_truncation_all_bounds);
	RUN(test_truncation_in_doc);
	RUN(test_4k_string);
	RUN(test_1m_string);
	RUN(test_tiny_buffer);
	RUN(test_all_caps);
	RUN(test_doc_bound_string);
	RUN(test_scalar_skipped);
	RUN(test_depth_limit);
	RUN(test_skipped_container_close);
	RUN(test_misuse);
	RUN(test_random);
	return unit_report("jsonw");
}
