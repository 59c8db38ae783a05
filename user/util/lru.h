/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lru: a bounded map from a 64-bit key (plus an optional 64-bit tag) to a
 * fixed-size value, with least-recently-used eviction. Every cache in the
 * agent is one of these, so every cache has a size limit and an eviction rule.
 * Values are stored inline (one allocation at creation, none afterwards).
 */
#ifndef CREDWATCH_LRU_H
#define CREDWATCH_LRU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lru;

struct lru *lru_new(size_t capacity, size_t value_size);
/* As lru_new, with release() called on a value before its slot is reused or
 * freed (eviction, deletion, replacement, lru_free): for values that own memory. */
struct lru *lru_new_release(size_t capacity, size_t value_size, void (*release)(void *value));
void lru_free(struct lru *l);

/* Returns the value for (key, tag) and marks it most recently used, or NULL. */
void *lru_get(struct lru *l, uint64_t key, uint64_t tag);
/* Inserts or replaces; evicts the least recently used entry when full.
 * Returns the value slot (to be filled by the caller). Never fails. */
void *lru_put(struct lru *l, uint64_t key, uint64_t tag);
bool lru_del(struct lru *l, uint64_t key, uint64_t tag);

/* Call fn for every entry, most recent first, without changing recency. fn
 * must not insert or delete. */
void lru_each(struct lru *l, void (*fn)(void *ctx, uint64_t key, uint64_t tag, void *value),
	      void *ctx);

size_t lru_count(const struct lru *l);
size_t lru_capacity(const struct lru *l);
uint64_t lru_evictions(const struct lru *l);
/* Bytes allocated for the table, for the agent's memory report. */
size_t lru_bytes(const struct lru *l);

#endif
