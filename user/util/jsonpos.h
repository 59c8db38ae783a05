/* SPDX-License-Identifier: GPL-2.0 */
/*
 * jsonpos: where a JSON value or object key is in the text of a document, as a 1-based line and
 * column, so that configuration errors found after parsing (a wrong type, an unknown key) can be
 * reported like syntax errors: "file:line:column: path: reason".
 *
 * The locator is a minimal tokenizer that walks the text along a path of object keys and array
 * indices ("policy", "imds_v1", "allow", 0, "namespace"): strings (with every escape, \uXXXX and
 * surrogate pairs decoded before a key is compared), nested objects and arrays, scalars. It does
 * not validate the document (the caller parsed it already) and never reads past len; on text it
 * cannot follow it reports "not found". Nothing is allocated and nesting does not recurse.
 *
 * Columns count characters (UTF-8 sequences), not bytes, like jansson's syntax errors; a tab is
 * one column.
 */
#ifndef CREDWATCH_JSONPOS_H
#define CREDWATCH_JSONPOS_H

#include <stdbool.h>
#include <stddef.h>

#define JSONPOS_MAX_DEPTH 8
#define JSONPOS_KEY_MAX	  128 /* bytes of a key kept, NUL included */

struct jsonpos_seg {
	bool is_index;
	bool key_truncated; /* the key did not fit: it cannot be located */
	size_t index;
	char key[JSONPOS_KEY_MAX];
};

/* A path from the document's top-level value. */
struct jsonpos_path {
	int depth;
	/* Deeper than JSONPOS_MAX_DEPTH was pushed: the path names an ancestor only. */
	int overflow;
	/* Locate the last segment's key ("unknown key") instead of its value. Only for a key. */
	bool at_key;
	struct jsonpos_seg seg[JSONPOS_MAX_DEPTH];
};

static inline void jsonpos_init(struct jsonpos_path *p)
{
	p->depth = 0;
	p->overflow = 0;
	p->at_key = false;
}

void jsonpos_push_key(struct jsonpos_path *p, const char *key);
void jsonpos_push_index(struct jsonpos_path *p, size_t index);
void jsonpos_pop(struct jsonpos_path *p);

/* The path as "a.b[3].c" (keys that are not plain identifiers are quoted: a["x.y"]); "" for
 * the top level. Returns the length it needed (like snprintf). */
size_t jsonpos_format(const struct jsonpos_path *p, char *out, size_t len);

/*
 * Find p in text (len bytes). Returns 0 and sets *line, *col (1-based) to the first character
 * of the value (or of the key's opening quote when p->at_key), or -1 when the path is not in
 * the text (or the text cannot be followed, or p overflowed / has a truncated key).
 */
int jsonpos_locate(const char *text, size_t len, const struct jsonpos_path *p, int *line, int *col);

#endif
