// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_jsonpos: the JSON locator (user/util/jsonpos.c) that points configuration errors at a
 * line and column. It reads the configuration text, which reaches it from the --config file
 * (fuzz_config drives it that way too); here it is driven directly.
 *
 * Input: a path spec (up to 9 segments: pick the n-th key or element of what jansson parsed,
 * or a key given in the input, or an index) and the text. Checked, on any text: the answer
 * is "not found" or a position inside the text. When jansson (which the agent parses the file
 * with, JSON_REJECT_DUPLICATES) accepts the text, the locator must find exactly the paths
 * that exist in jansson's tree, and the position it gives must be where that value starts
 * ('{' for an object, '"' for a string or for the key itself with at_key, ...).
 */
#include <jansson.h>
#include "util/jsonpos.h"
#include "fuzz.h"

/* The byte offset of (line, col) in text, as the locator counts them: lines after '\n',
 * columns in UTF-8 characters (a continuation byte is not a column), a leading BOM not
 * counted. The first byte at that place that is not a continuation byte, else (malformed
 * text) the first byte there at all; -1 when there is no such byte. */
static long offset_of(const uint8_t *t, size_t n, int line, int col)
{
	size_t i = (n >= 3 && !memcmp(t, "\xef\xbb\xbf", 3)) ? 3 : 0;
	long any = -1;
	int l = 1, c = 1;

	for (; i < n; i++) {
		if (l == line && c == col) {
			if ((t[i] & 0xc0) != 0x80)
				return (long)i;
			if (any < 0)
				any = (long)i;
		}
		if (t[i] == '\n') {
			l++;
			c = 1;
		} else if ((t[i] & 0xc0) != 0x80) {
			c++;
		}
	}
	return any;
}

static char first_char_of(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return '{';
	case JSON_ARRAY:
		return '[';
	case JSON_STRING:
		return '"';
	case JSON_TRUE:
		return 't';
	case JSON_FALSE:
		return 'f';
	case JSON_NULL:
		return 'n';
	default:
		return '0'; /* a number: a digit or '-' */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct jsonpos_path path;
	uint8_t spec[9], nseg = fz_u8(&f) % 10, at_key;
	json_t *root, *v;
	json_error_t jerr;
	bool exists = true, exact = true;
	int line = 0, col = 0, rc;
	char *text;
	char key[160];
	size_t tn;

	at_key = fz_u8(&f) & 1;
	for (int i = 0; i < 9; i++)
		spec[i] = fz_u8(&f);
	/* the text in an allocation of its own size */
	tn = f.n;
	text = malloc(tn ? tn : 1);
	if (!text)
		abort();
	memcpy(text, f.p, tn);
	root = json_loadb(text, tn, JSON_REJECT_DUPLICATES, &jerr);
	v = root;
	jsonpos_init(&path);
	for (int i = 0; i < nseg; i++) {
		uint8_t s = spec[i];

		if (v && json_is_object(v) && json_object_size(v) && !(s & 0x80)) {
			/* the n-th key of this object */
			void *it = json_object_iter(v);
			const char *k;

			for (int k2 = s % json_object_size(v); k2 > 0; k2--)
				it = json_object_iter_next(v, it);
			k = json_object_iter_key(it);
			jsonpos_push_key(&path, k);
			/* a key with a NUL cannot be named by a C string */
			if (strlen(k) != json_object_iter_key_len(it))
				exact = false;
			v = json_object_iter_value(it);
		} else if (v && json_is_array(v) && json_array_size(v) && !(s & 0x80)) {
			size_t idx = s % json_array_size(v);

			jsonpos_push_index(&path, idx);
			v = json_array_get(v, idx);
		} else if (s & 0x40) {
			size_t idx = s & 0x3f;

			jsonpos_push_index(&path, idx);
			v = v && json_is_array(v) ? json_array_get(v, idx) : NULL;
		} else {
			/* a key of the spec's own: the next byte's worth of letters */
			snprintf(key, sizeof(key), "%c%c", 'a' + s % 26, 'a' + (s / 26) % 26);
			jsonpos_push_key(&path, key);
			v = v && json_is_object(v) ? json_object_get(v, key) : NULL;
		}
		if (!v)
			exists = false;
	}
	/* at_key names the last key; the locator refuses it for an index or the top */
	if (at_key && nseg && !path.seg[path.depth - 1].is_index && !path.overflow)
		path.at_key = true;
	for (int i = 0; i < path.depth; i++)
		if (path.seg[i].key_truncated)
			exact = false;
	if (path.overflow)
		exact = false;

	rc = jsonpos_locate(text, tn, &path, &line, &col);
	FUZZ_CHECK(rc == 0 || rc == -1, "returned %d", rc);
	if (rc == 0) {
		long off = offset_of((const uint8_t *)text, tn, line, col);

		FUZZ_CHECK(off >= 0 && (size_t)off < tn, "line %d column %d is not in the text",
			   line, col);
		if (root && exact) {
			FUZZ_CHECK(exists, "found a path jansson does not have (line %d col %d)",
				   line, col);
			if (path.at_key)
				FUZZ_CHECK(text[off] == '"',
					   "the key is located at '%c', not at its quote",
					   text[off]);
			else if (first_char_of(v) == '0')
				FUZZ_CHECK((text[off] >= '0' && text[off] <= '9') ||
						   text[off] == '-',
					   "a number located at '%c'", text[off]);
			else
				FUZZ_CHECK(text[off] == first_char_of(v),
					   "a %c value located at '%c' (line %d col %d)",
					   first_char_of(v), text[off], line, col);
		}
	} else if (root && exact) {
		FUZZ_CHECK(!exists, "jansson has the path, the locator did not find it");
	}
	json_decref(root);
	free(text);
	return 0;
}
