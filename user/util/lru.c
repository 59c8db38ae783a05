// SPDX-License-Identifier: GPL-2.0
/*
 * Fixed-capacity hash table (chaining through indices) plus an intrusive
 * doubly linked recency list. All slots are allocated up front.
 */
#include <stdlib.h>
#include <string.h>
#include "util/lru.h"

#define NIL UINT32_MAX

struct slot {
	uint64_t key, tag;
	uint32_t next_hash;  /* chain in bucket */
	uint32_t prev, next; /* recency list; head = most recent */
	uint32_t used;
};

struct lru {
	size_t cap, vsize, count, nbuckets;
	uint64_t evictions;
	uint32_t head, tail, free_list;
	void (*release)(void *value);
	uint32_t *buckets;
	struct slot *slots;
	unsigned char *values;
};

static inline uint64_t mix(uint64_t k, uint64_t t)
{
	k ^= t * 0x9e3779b97f4a7c15ULL;
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return k;
}

struct lru *lru_new(size_t capacity, size_t value_size)
{
	struct lru *l;
	size_t nb = 1;

	if (!capacity || capacity >= NIL)
		return NULL;
	while (nb < capacity * 2)
		nb <<= 1;
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->cap = capacity;
	l->vsize = value_size;
	l->nbuckets = nb;
	l->buckets = malloc(nb * sizeof(*l->buckets));
	l->slots = calloc(capacity, sizeof(*l->slots));
	l->values = calloc(capacity, value_size ? value_size : 1);
	if (!l->buckets || !l->slots || !l->values) {
		lru_free(l);
		return NULL;
	}
	memset(l->buckets, 0xff, nb * sizeof(*l->buckets));
	l->head = l->tail = NIL;
	for (size_t i = 0; i < capacity; i++)
		l->slots[i].next_hash = i + 1 < capacity ? (uint32_t)(i + 1) : NIL;
	l->free_list = 0;
	return l;
}

struct lru *lru_new_release(size_t capacity, size_t value_size, void (*release)(void *value))
{
	struct lru *l = lru_new(capacity, value_size);

	if (l)
		l->release = release;
	return l;
}

void lru_free(struct lru *l)
{
	if (!l)
		return;
	if (l->release && l->slots && l->values)
		for (size_t i = 0; i < l->cap; i++)
			if (l->slots[i].used)
				l->release(l->values + i * l->vsize);
	free(l->buckets);
	free(l->slots);
	free(l->values);
	free(l);
}

static void list_unlink(struct lru *l, uint32_t i)
{
	struct slot *s = &l->slots[i];

	if (s->prev != NIL)
		l->slots[s->prev].next = s->next;
	else
		l->head = s->next;
	if (s->next != NIL)
		l->slots[s->next].prev = s->prev;
	else
		l->tail = s->prev;
}

static void list_push_front(struct lru *l, uint32_t i)
{
	struct slot *s = &l->slots[i];

	s->prev = NIL;
	s->next = l->head;
	if (l->head != NIL)
		l->slots[l->head].prev = i;
	l->head = i;
	if (l->tail == NIL)
		l->tail = i;
}

static uint32_t *find_link(struct lru *l, uint64_t key, uint64_t tag)
{
	uint32_t *link = &l->buckets[mix(key, tag) & (l->nbuckets - 1)];

	while (*link != NIL) {
		struct slot *s = &l->slots[*link];

		if (s->key == key && s->tag == tag)
			return link;
		link = &s->next_hash;
	}
	return link;
}

static void remove_slot(struct lru *l, uint32_t *link)
{
	uint32_t i = *link;

	*link = l->slots[i].next_hash;
	list_unlink(l, i);
	if (l->release)
		l->release(l->values + (size_t)i * l->vsize);
	l->slots[i].used = 0;
	l->slots[i].next_hash = l->free_list;
	l->free_list = i;
	l->count--;
}

void *lru_get(struct lru *l, uint64_t key, uint64_t tag)
{
	uint32_t *link = find_link(l, key, tag);
	uint32_t i = *link;

	if (i == NIL)
		return NULL;
	if (l->head != i) {
		list_unlink(l, i);
		list_push_front(l, i);
	}
	return l->values + (size_t)i * l->vsize;
}

void *lru_put(struct lru *l, uint64_t key, uint64_t tag)
{
	uint32_t *link = find_link(l, key, tag);
	uint32_t i;

	if (*link != NIL) {
		i = *link;
		list_unlink(l, i);
		list_push_front(l, i);
		if (l->release)
			l->release(l->values + (size_t)i * l->vsize);
		memset(l->values + (size_t)i * l->vsize, 0, l->vsize);
		return l->values + (size_t)i * l->vsize;
	}
	if (l->free_list == NIL) {
		struct slot *old = &l->slots[l->tail];

		remove_slot(l, find_link(l, old->key, old->tag));
		l->evictions++;
		link = find_link(l, key, tag); /* chain may have changed */
	}
	i = l->free_list;
	l->free_list = l->slots[i].next_hash;
	l->slots[i] = (struct slot){ .key = key, .tag = tag, .next_hash = NIL, .used = 1 };
	*link = i;
	list_push_front(l, i);
	l->count++;
	memset(l->values + (size_t)i * l->vsize, 0, l->vsize);
	return l->values + (size_t)i * l->vsize;
}

bool lru_del(struct lru *l, uint64_t key, uint64_t tag)
{
	uint32_t *link = find_link(l, key, tag);

	if (*link == NIL)
		return false;
	remove_slot(l, link);
	return true;
}

void lru_each(struct lru *l, void (*fn)(void *ctx, uint64_t key, uint64_t tag, void *value),
	      void *ctx)
{
	for (uint32_t i = l->head; i != NIL; i = l->slots[i].next)
		fn(ctx, l->slots[i].key, l->slots[i].tag, l->values + (size_t)i * l->vsize);
}

size_t lru_count(const struct lru *l)
{
	return l->count;
}

size_t lru_capacity(const struct lru *l)
{
	return l->cap;
}

uint64_t lru_evictions(const struct lru *l)
{
	return l->evictions;
}

size_t lru_bytes(const struct lru *l)
{
	return sizeof(*l) + l->nbuckets * sizeof(*l->buckets) + l->cap * sizeof(*l->slots) +
	       l->cap * l->vsize;
}
