/* SPDX-License-Identifier: GPL-2.0 */
/*
 * names: enum <-> name tables. Each enum that appears in the output has one table, written
 * with designated initializers next to the enum's module:
 *
 *	static const char *const kind_names[] = { [KIND_A] = "a", [KIND_B] = "b" };
 *	const char *kind_name(unsigned int k) { return NAME_OF(kind_names, k, "other"); }
 *	int kind_parse(const char *s) { return NAME_FIND(kind_names, s); }
 *
 * and sparse keys (errno values, filesystem magics) use a pair table with names_pair_find().
 */
#ifndef CREDWATCH_NAMES_H
#define CREDWATCH_NAMES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define NAMES_COUNT(tbl) (sizeof(tbl) / sizeof((tbl)[0]))

/* tbl[v], or dflt when v is out of range or has no name */
#define NAME_OF(tbl, v, dflt) names_of((tbl), NAMES_COUNT(tbl), (v), (dflt))
/* the index of name s in tbl, or -1 */
#define NAME_FIND(tbl, s) names_find((tbl), NAMES_COUNT(tbl), (s))

static inline const char *names_of(const char *const *tbl, size_t n, unsigned long v,
				   const char *dflt)
{
	return v < n && tbl[v] ? tbl[v] : dflt;
}

static inline int names_find(const char *const *tbl, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (tbl[i] && strcmp(tbl[i], s) == 0)
			return (int)i;
	return -1;
}

struct name_pair {
	uint64_t key;
	const char *name;
};

#define PAIR_NAME(tbl, key, dflt) names_pair_find((tbl), NAMES_COUNT(tbl), (key), (dflt))

static inline const char *names_pair_find(const struct name_pair *tbl, size_t n, uint64_t key,
					  const char *dflt)
{
	for (size_t i = 0; i < n; i++)
		if (tbl[i].key == key)
			return tbl[i].name;
	return dflt;
}

#endif
