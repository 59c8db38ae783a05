// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for lru: basic map operations, recency order and eviction, (key, tag)
 * distinctness, the release callback (exactly once per value), capacity 1, and a
 * randomized run against a simple reference model.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "util/lru.h"
#include "unit.h"

/* Values used with the release callback: serial identifies each stored value. */
struct val {
	uint64_t key, tag;
	uint64_t serial;
};

#define MAX_SERIAL 400000

static unsigned char released[MAX_SERIAL]; /* times each serial was released */
static uint64_t next_serial = 1;
static long release_calls, release_bad;
static struct val last_released;

static void val_release(void *p)
{
	struct val *v = p;

	release_calls++;
	last_released = *v;
	if (!v->serial || v->serial >= MAX_SERIAL) {
		release_bad++; /* released a slot that was never filled */
		return;
	}
	if (released[v->serial]++)
		release_bad++; /* released twice */
}

static void reset_release(void)
{
	memset(released, 0, sizeof(released));
	release_calls = release_bad = 0;
	next_serial = 1;
	memset(&last_released, 0, sizeof(last_released));
}

static uint64_t put_val(struct lru *l, uint64_t key, uint64_t tag)
{
	struct val *v = lru_put(l, key, tag);

	v->key = key;
	v->tag = tag;
	v->serial = next_serial++;
	return v->serial;
}

static void test_basic(void)
{
	struct lru *l = lru_new(8, sizeof(uint64_t));
	uint64_t *v;

	ASSERT_NOTNULL(l);
	if (!l)
		return;
	ASSERT_EQ(lru_capacity(l), 8);
	ASSERT_EQ(lru_count(l), 0);
	ASSERT_NULL(lru_get(l, 1, 0));
	ASSERT_FALSE(lru_del(l, 1, 0));

	v = lru_put(l, 1, 0);
	ASSERT_NOTNULL(v);
	ASSERT_EQ(*v, 0); /* a fresh slot is zeroed */
	*v = 100;
	v = lru_put(l, 2, 0);
	*v = 200;
	ASSERT_EQ(lru_count(l), 2);
	v = lru_get(l, 1, 0);
	ASSERT_NOTNULL(v);
	ASSERT_EQ(v ? *v : 0, 100);
	v = lru_get(l, 2, 0);
	ASSERT_EQ(v ? *v : 0, 200);
	ASSERT_NULL(lru_get(l, 3, 0));

	ASSERT_TRUE(lru_del(l, 1, 0));
	ASSERT_FALSE(lru_del(l, 1, 0));
	ASSERT_NULL(lru_get(l, 1, 0));
	ASSERT_EQ(lru_count(l), 1);
	v = lru_get(l, 2, 0);
	ASSERT_EQ(v ? *v : 0, 200);

	/* a deleted slot is reused, zeroed */
	v = lru_put(l, 1, 0);
	ASSERT_EQ(*v, 0);
	ASSERT_EQ(lru_count(l), 2);
	ASSERT_EQ(lru_evictions(l), 0);

	/* extreme keys */
	v = lru_put(l, UINT64_MAX, UINT64_MAX);
	*v = 7;
	v = lru_put(l, 0, 0);
	*v = 8;
	v = lru_get(l, UINT64_MAX, UINT64_MAX);
	ASSERT_EQ(v ? *v : 0, 7);
	v = lru_get(l, 0, 0);
	ASSERT_EQ(v ? *v : 0, 8);
	lru_free(l);

	ASSERT_NULL(lru_new(0, 8));
	lru_free(NULL);
}

static void test_replace(void)
{
	struct lru *l = lru_new(4, sizeof(uint64_t));
	uint64_t *v;

	v = lru_put(l, 5, 1);
	*v = 55;
	v = lru_put(l, 5, 1); /* replacement: same key, slot zeroed, count unchanged */
	ASSERT_EQ(*v, 0);
	*v = 56;
	ASSERT_EQ(lru_count(l), 1);
	v = lru_get(l, 5, 1);
	ASSERT_EQ(v ? *v : 0, 56);
	ASSERT_EQ(lru_evictions(l), 0);

	/* replacing refreshes recency: fill, replace the oldest, then overflow */
	lru_put(l, 6, 1);
	lru_put(l, 7, 1);
	lru_put(l, 8, 1); /* order (MRU..LRU): 8 7 6 5 */
	lru_put(l, 5, 1); /* 5 8 7 6 */
	lru_put(l, 9, 1); /* evicts 6 */
	ASSERT_NULL(lru_get(l, 6, 1));
	ASSERT_NOTNULL(lru_get(l, 5, 1));
	ASSERT_EQ(lru_count(l), 4);
	ASSERT_EQ(lru_evictions(l), 1);
	lru_free(l);
}

static void test_tags_distinct(void)
{
	struct lru *l = lru_new(16, sizeof(uint64_t));
	uint64_t *v;

	for (uint64_t t = 0; t < 4; t++) {
		v = lru_put(l, 42, t);
		*v = 1000 + t;
	}
	/* (key, tag) vs (tag, key) must not collide either */
	v = lru_put(l, 1, 42);
	*v = 9;
	ASSERT_EQ(lru_count(l), 5);
	for (uint64_t t = 0; t < 4; t++) {
		v = lru_get(l, 42, t);
		ASSERT_EQ(v ? *v : 0, 1000 + t);
	}
	v = lru_get(l, 1, 42);
	ASSERT_EQ(v ? *v : 0, 9);
	v = lru_get(l, 42, 1);
	ASSERT_EQ(v ? *v : 0, 1001);
	ASSERT_NULL(lru_get(l, 42, 4));
	ASSERT_NULL(lru_get(l, 43, 0));

	ASSERT_TRUE(lru_del(l, 42, 2));
	ASSERT_NULL(lru_get(l, 42, 2));
	v = lru_get(l, 42, 3);
	ASSERT_EQ(v ? *v : 0, 1003);
	ASSERT_EQ(lru_count(l), 4);
	lru_free(l);
}

static void test_eviction_order(void)
{
	struct lru *l = lru_new(3, sizeof(uint64_t));

	lru_put(l, 1, 0);
	lru_put(l, 2, 0);
	lru_put(l, 3, 0); /* 3 2 1 */
	lru_put(l, 4, 0); /* evicts 1: 4 3 2 */
	ASSERT_NULL(lru_get(l, 1, 0));
	ASSERT_EQ(lru_count(l), 3);
	ASSERT_EQ(lru_evictions(l), 1);

	ASSERT_NOTNULL(lru_get(l, 2, 0)); /* get refreshes: 2 4 3 */
	lru_put(l, 5, 0);		  /* evicts 3: 5 2 4 */
	ASSERT_NULL(lru_get(l, 3, 0));
	ASSERT_NOTNULL(lru_get(l, 4, 0)); /* 4 5 2 */
	lru_put(l, 6, 0);		  /* evicts 2: 6 4 5 */
	ASSERT_NULL(lru_get(l, 2, 0));
	ASSERT_NOTNULL(lru_get(l, 4, 0));
	ASSERT_NOTNULL(lru_get(l, 5, 0));
	ASSERT_NOTNULL(lru_get(l, 6, 0));
	ASSERT_EQ(lru_evictions(l), 3);

	/* a failed get does not disturb the order: 6 5 4 */
	ASSERT_NULL(lru_get(l, 99, 0));
	lru_put(l, 7, 0); /* evicts 4 */
	ASSERT_NULL(lru_get(l, 4, 0));

	/* deleting frees a slot: no eviction on the next put */
	ASSERT_TRUE(lru_del(l, 7, 0));
	lru_put(l, 8, 0);
	ASSERT_EQ(lru_evictions(l), 4);
	ASSERT_NOTNULL(lru_get(l, 5, 0));
	ASSERT_NOTNULL(lru_get(l, 6, 0));
	ASSERT_NOTNULL(lru_get(l, 8, 0));
	ASSERT_EQ(lru_count(l), 3);

	/* deleting the most and least recent entries keeps the list consistent */
	ASSERT_TRUE(lru_del(l, 8, 0)); /* MRU */
	ASSERT_TRUE(lru_del(l, 5, 0)); /* LRU */
	lru_put(l, 9, 0);
	lru_put(l, 10, 0); /* 10 9 6 */
	lru_put(l, 11, 0); /* evicts 6 */
	ASSERT_NULL(lru_get(l, 6, 0));
	ASSERT_NOTNULL(lru_get(l, 9, 0));
	ASSERT_NOTNULL(lru_get(l, 10, 0));
	ASSERT_NOTNULL(lru_get(l, 11, 0));
	lru_free(l);
}

static void test_release(void)
{
	struct lru *l = lru_new_release(4, sizeof(struct val), val_release);
	uint64_t s[8];

	reset_release();
	for (int i = 0; i < 4; i++)
		s[i] = put_val(l, 10 + i, 0);
	ASSERT_EQ(release_calls, 0);

	/* eviction releases the evicted value (key 10, the oldest) */
	s[4] = put_val(l, 14, 0);
	ASSERT_EQ(release_calls, 1);
	ASSERT_EQ(last_released.serial, s[0]);
	ASSERT_EQ(last_released.key, 10);

	/* deletion releases */
	ASSERT_TRUE(lru_del(l, 12, 0));
	ASSERT_EQ(release_calls, 2);
	ASSERT_EQ(last_released.serial, s[2]);
	ASSERT_FALSE(lru_del(l, 12, 0)); /* nothing more to release */
	ASSERT_EQ(release_calls, 2);

	/* replacement releases the old value, before the caller refills it */
	s[5] = put_val(l, 11, 0);
	ASSERT_EQ(release_calls, 3);
	ASSERT_EQ(last_released.serial, s[1]);
	ASSERT_EQ(lru_count(l), 3);

	/* get releases nothing */
	ASSERT_NOTNULL(lru_get(l, 11, 0));
	ASSERT_EQ(release_calls, 3);

	/* free releases every remaining value once: 13, 14, 11 */
	lru_free(l);
	ASSERT_EQ(release_calls, 6);
	ASSERT_EQ(released[s[3]], 1);
	ASSERT_EQ(released[s[4]], 1);
	ASSERT_EQ(released[s[5]], 1);
	for (int i = 0; i < 6; i++)
		ASSERT_EQ(released[s[i]], 1);
	ASSERT_EQ(release_bad, 0);

	/* an empty table releases nothing on free */
	reset_release();
	l = lru_new_release(4, sizeof(struct val), val_release);
	lru_free(l);
	ASSERT_EQ(release_calls, 0);

	/* a table whose entries were all deleted releases nothing more on free */
	l = lru_new_release(2, sizeof(struct val), val_release);
	put_val(l, 1, 0);
	put_val(l, 2, 0);
	lru_del(l, 1, 0);
	lru_del(l, 2, 0);
	ASSERT_EQ(release_calls, 2);
	lru_free(l);
	ASSERT_EQ(release_calls, 2);
	ASSERT_EQ(release_bad, 0);
}

static void test_capacity_one(void)
{
	struct lru *l = lru_new_release(1, sizeof(struct val), val_release);
	struct val *v;
	uint64_t s1, s2, s3;

	reset_release();
	ASSERT_EQ(lru_capacity(l), 1);
	s1 = put_val(l, 1, 0);
	v = lru_get(l, 1, 0);
	ASSERT_EQ(v ? v->serial : 0, s1);

	s2 = put_val(l, 2, 0); /* evicts 1 */
	ASSERT_EQ(lru_count(l), 1);
	ASSERT_EQ(lru_evictions(l), 1);
	ASSERT_NULL(lru_get(l, 1, 0));
	v = lru_get(l, 2, 0);
	ASSERT_EQ(v ? v->serial : 0, s2);
	ASSERT_EQ(last_released.serial, s1);

	s3 = put_val(l, 2, 0); /* replace, no eviction */
	ASSERT_EQ(lru_evictions(l), 1);
	ASSERT_EQ(last_released.serial, s2);
	v = lru_get(l, 2, 0);
	ASSERT_EQ(v ? v->serial : 0, s3);

	put_val(l, 2, 1); /* same key, other tag: evicts (2, 0) */
	ASSERT_NULL(lru_get(l, 2, 0));
	ASSERT_NOTNULL(lru_get(l, 2, 1));
	ASSERT_EQ(lru_evictions(l), 2);

	ASSERT_TRUE(lru_del(l, 2, 1));
	ASSERT_EQ(lru_count(l), 0);
	put_val(l, 3, 0);
	ASSERT_EQ(lru_evictions(l), 2);
	lru_free(l);
	ASSERT_EQ(release_calls, (long)next_serial - 1);
	ASSERT_EQ(release_bad, 0);
}

/* Reference model: entries ordered by recency, [0] = most recent. */
#define MODEL_CAP 64
struct ment {
	uint64_t key, tag, serial;
};
static struct ment model[MODEL_CAP];
static int model_n;

static int model_find(uint64_t key, uint64_t tag)
{
	for (int i = 0; i < model_n; i++)
		if (model[i].key == key && model[i].tag == tag)
			return i;
	return -1;
}

static void model_to_front(int i)
{
	struct ment e = model[i];

	memmove(&model[1], &model[0], i * sizeof(model[0]));
	model[0] = e;
}

static void model_remove(int i)
{
	memmove(&model[i], &model[i + 1], (model_n - i - 1) * sizeof(model[0]));
	model_n--;
}

/* Looks every model entry up, least recent first, which leaves the recency
 * order as it was; compares values. Returns mismatches. */
static int check_contents(struct lru *l)
{
	int bad = 0;

	if (lru_count(l) != (size_t)model_n)
		bad++;
	for (int i = model_n - 1; i >= 0; i--) {
		struct val *v = lru_get(l, model[i].key, model[i].tag);

		if (!v || v->serial != model[i].serial || v->key != model[i].key ||
		    v->tag != model[i].tag)
			bad++;
	}
	return bad;
}

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t rng(void)
{
	/* xorshift64*: fixed seed, reproducible */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static void test_random_model(void)
{
	struct lru *l = lru_new_release(MODEL_CAP, sizeof(struct val), val_release);
	long ops = 200000, mismatches = 0, evictions = 0, puts = 0;
	long count_bad = 0, evict_bad = 0, get_bad = 0, del_bad = 0, content_bad = 0;

	reset_release();
	model_n = 0;
	for (long n = 0; n < ops; n++) {
		/* 96 keys x 2 tags over 64 slots: plenty of hits, misses and evictions */
		uint64_t key = rng() % 96, tag = rng() % 2, r = rng() % 100;
		int i = model_find(key, tag);

		if (r < 50) {
			long before = release_calls;
			uint64_t s;

			if (i >= 0) {
				uint64_t old = model[i].serial;

				s = put_val(l, key, tag);
				model[i].serial = s;
				model_to_front(i);
				if (release_calls != before + 1 || last_released.serial != old)
					evict_bad++;
			} else {
				struct ment victim = { 0 };
				bool full = model_n == MODEL_CAP;

				if (full) {
					victim = model[model_n - 1];
					model_n--;
					evictions++;
				}
				s = put_val(l, key, tag);
				memmove(&model[1], &model[0], model_n * sizeof(model[0]));
				model[0] = (struct ment){ key, tag, s };
				model_n++;
				if (full && (release_calls != before + 1 ||
					     last_released.serial != victim.serial ||
					     last_released.key != victim.key ||
					     last_released.tag != victim.tag))
					evict_bad++;
				if (!full && release_calls != before)
					evict_bad++;
			}
			puts++;
		} else if (r < 85) {
			struct val *v = lru_get(l, key, tag);

			if (i >= 0) {
				if (!v || v->serial != model[i].serial)
					get_bad++;
				model_to_front(i);
			} else if (v) {
				get_bad++;
			}
		} else {
			long before = release_calls;
			bool ok = lru_del(l, key, tag);

			if (ok != (i >= 0))
				del_bad++;
			if (i >= 0) {
				if (release_calls != before + 1 ||
				    last_released.serial != model[i].serial)
					del_bad++;
				model_remove(i);
			}
		}
		if (lru_count(l) != (size_t)model_n)
			count_bad++;
		if (n % 997 == 0)
			content_bad += check_contents(l);
	}
	content_bad += check_contents(l);
	mismatches = count_bad + evict_bad + get_bad + del_bad + content_bad;
	ASSERT_EQ(count_bad, 0);
	ASSERT_EQ(evict_bad, 0);
	ASSERT_EQ(get_bad, 0);
	ASSERT_EQ(del_bad, 0);
	ASSERT_EQ(content_bad, 0);
	ASSERT_EQ(mismatches, 0);
	ASSERT_EQ(lru_evictions(l), evictions);
	ASSERT_TRUE(evictions > 1000); /* the run exercised eviction */
	ASSERT_TRUE(puts > 0);
	lru_free(l);
	/* every value ever stored was released exactly once */
	ASSERT_EQ(release_calls, (long)next_serial - 1);
	ASSERT_EQ(release_bad, 0);
	for (uint64_t s = 1; s < next_serial; s++)
		if (released[s] != 1) {
			UNIT_FAIL("serial %llu released %d times", (unsigned long long)s,
				  released[s]);
			break;
		}
}

static void test_bytes(void)
{
	struct lru *a = lru_new(16, 32), *b = lru_new(1024, 32), *c = lru_new(16, 0);
	size_t before;

	ASSERT_TRUE(lru_bytes(a) >= 16 * 32);
	ASSERT_TRUE(lru_bytes(b) >= 1024 * 32);
	ASSERT_TRUE(lru_bytes(b) > lru_bytes(a));
	/* sane: tens of bytes of overhead per slot, not megabytes */
	ASSERT_TRUE(lru_bytes(b) < 1024 * (32 + 128) + 4096);
	ASSERT_TRUE(lru_bytes(c) >= 16);
	/* all memory is allocated up front: use does not change it */
	before = lru_bytes(a);
	for (uint64_t k = 0; k < 100; k++)
		lru_put(a, k, 0);
	ASSERT_EQ(lru_bytes(a), before);
	lru_free(a);
	lru_free(b);
	lru_free(c);
}

int main(void)
{
	RUN(test_basic);
	RUN(test_replace);
	RUN(test_tags_distinct);
	RUN(test_eviction_order);
	RUN(test_release);
	RUN(test_capacity_one);
	RUN(test_random_model);
	RUN(test_bytes);
	return unit_report("lru");
}
