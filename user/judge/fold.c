// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "judge/fold.h"

#define FOLD_MAX_CAPACITY (1u << 22)
#define NIL		  (-1)

/* Key strings with a full length kept: the order of hashing. */
enum { KS_UID, KS_CTR, KS_EXE, KS_TARGET, KS__N };

struct ent {
	uint64_t hash;
	int32_t hnext;	    /* bucket chain */
	int32_t prev, next; /* age list, oldest first; next is the free list when unused */
	uint8_t rule, severity;
	bool host;
	uint32_t len[KS__N]; /* full lengths of the key strings */
	uint64_t count, first_ns, last_ns;
	char pod_uid[FOLD_UID_MAX];
	char ctr[FOLD_CTR_MAX];
	char exe[FOLD_EXE_MAX];
	char target[FOLD_TARGET_MAX];
	char ns[FOLD_NS_MAX];
	char pod[FOLD_POD_MAX];
	bool ns_cut, pod_cut;
};

struct fold {
	size_t cap, n;
	uint64_t window_ns;
	uint64_t k0, k1;
	uint64_t evictions;
	fold_cb cb;
	void *ctx;
	struct ent *ents;
	int32_t *buckets;
	uint32_t nbuckets; /* power of two */
	int32_t head, tail, free;
	int32_t fresh; /* slots below this have been handed out at least once */
};

/* --- SipHash-2-4 ---------------------------------------------------------------------------- */

struct sip {
	uint64_t v0, v1, v2, v3;
	uint64_t tail;
	unsigned int ntail;
	uint64_t total;
};

static inline uint64_t rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static inline void sipround(struct sip *s)
{
	s->v0 += s->v1;
	s->v1 = rotl(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = rotl(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotl(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = rotl(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = rotl(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = rotl(s->v2, 32);
}

static void sip_init(struct sip *s, uint64_t k0, uint64_t k1)
{
	s->v0 = k0 ^ 0x736f6d6570736575ULL;
	s->v1 = k1 ^ 0x646f72616e646f6dULL;
	s->v2 = k0 ^ 0x6c7967656e657261ULL;
	s->v3 = k1 ^ 0x7465646279746573ULL;
	s->tail = 0;
	s->ntail = 0;
	s->total = 0;
}

static void sip_block(struct sip *s, uint64_t m)
{
	s->v3 ^= m;
	sipround(s);
	sipround(s);
	s->v0 ^= m;
}

static void sip_update(struct sip *s, const void *data, size_t n)
{
	const unsigned char *p = data;

	s->total += n;
	for (size_t i = 0; i < n; i++) {
		s->tail |= (uint64_t)p[i] << (8 * s->ntail);
		if (++s->ntail == 8) {
			sip_block(s, s->tail);
			s->tail = 0;
			s->ntail = 0;
		}
	}
}

static uint64_t sip_final(struct sip *s)
{
	uint64_t b = (s->total << 56) | s->tail;

	sip_block(s, b);
	s->v2 ^= 0xff;
	for (int i = 0; i < 4; i++)
		sipround(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

uint64_t fold_siphash(uint64_t k0, uint64_t k1, const void *data, size_t n)
{
	struct sip s;

	sip_init(&s, k0, k1);
	sip_update(&s, data, n);
	return sip_final(&s);
}

/* --- table ---------------------------------------------------------------------------------- */

struct fold *fold_new(size_t capacity, uint64_t window_ns, fold_cb cb, void *ctx)
{
	struct fold *f;
	uint32_t nb = 1;

	if (!cb || capacity > FOLD_MAX_CAPACITY) {
		errno = EINVAL;
		return NULL;
	}
	if (!capacity)
		capacity = FOLD_DEFAULT_CAPACITY;
	while (nb < 2 * capacity)
		nb <<= 1;
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->ents = calloc(capacity, sizeof(*f->ents));
	f->buckets = malloc(nb * sizeof(*f->buckets));
	if (!f->ents || !f->buckets) {
		fold_free(f);
		errno = ENOMEM;
		return NULL;
	}
	f->cap = capacity;
	f->nbuckets = nb;
	f->window_ns = window_ns;
	f->cb = cb;
	f->ctx = ctx;
	/* a fixed default key; fold_seed() replaces it with a random one */
	f->k0 = 0x0706050403020100ULL;
	f->k1 = 0x0f0e0d0c0b0a0908ULL;
	for (uint32_t i = 0; i < nb; i++)
		f->buckets[i] = NIL;
	f->head = f->tail = NIL;
	/* slots are handed out in order (f->fresh) before the free list is used,
	 * so untouched slots cost no memory: the table is allocated at its bound */
	f->free = NIL;
	f->fresh = 0;
	return f;
}

void fold_free(struct fold *f)
{
	if (!f)
		return;
	free(f->ents);
	free(f->buckets);
	free(f);
}

void fold_seed(struct fold *f, uint64_t k0, uint64_t k1)
{
	if (f->n)
		return;
	f->k0 = k0;
	f->k1 = k1;
}

size_t fold_count(const struct fold *f)
{
	return f->n;
}

size_t fold_capacity(const struct fold *f)
{
	return f->cap;
}

uint64_t fold_evictions(const struct fold *f)
{
	return f->evictions;
}

size_t fold_bytes(const struct fold *f)
{
	return sizeof(*f) + f->cap * sizeof(*f->ents) + f->nbuckets * sizeof(*f->buckets);
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

static uint64_t key_hash(const struct fold *f, const struct fold_key *k, size_t len[KS__N])
{
	const char *strs[KS__N] = { nz(k->pod_uid), nz(k->container), nz(k->exe), nz(k->target) };
	unsigned char hdr[2] = { (unsigned char)k->rule, k->host };
	struct sip s;

	sip_init(&s, f->k0, f->k1);
	sip_update(&s, hdr, sizeof(hdr));
	for (int i = 0; i < KS__N; i++) {
		uint64_t n;

		len[i] = strlen(strs[i]);
		n = len[i];
		sip_update(&s, &n, sizeof(n));
		sip_update(&s, strs[i], len[i]);
	}
	return sip_final(&s);
}

/* Copy s cut to cap - 1 bytes; returns true when cut. */
static bool put_cut(char *dst, size_t cap, const char *s, size_t len)
{
	bool cut = len >= cap;

	if (cut)
		len = cap - 1;
	memcpy(dst, s, len);
	dst[len] = 0;
	return cut;
}

static bool stored_eq(const char *stored, size_t cap, const char *s, size_t len)
{
	size_t n = len >= cap ? cap - 1 : len;

	return memcmp(stored, s, n) == 0 && stored[n] == 0;
}

static bool key_eq(const struct ent *e, uint64_t h, const struct fold_key *k,
		   const size_t len[KS__N])
{
	if (e->hash != h || e->rule != k->rule || e->host != k->host)
		return false;
	for (int i = 0; i < KS__N; i++)
		if (e->len[i] != len[i])
			return false;
	return stored_eq(e->pod_uid, sizeof(e->pod_uid), nz(k->pod_uid), len[KS_UID]) &&
	       stored_eq(e->ctr, sizeof(e->ctr), nz(k->container), len[KS_CTR]) &&
	       stored_eq(e->exe, sizeof(e->exe), nz(k->exe), len[KS_EXE]) &&
	       stored_eq(e->target, sizeof(e->target), nz(k->target), len[KS_TARGET]);
}

static void unlink_ent(struct fold *f, int32_t i)
{
	struct ent *e = &f->ents[i];
	int32_t *pp = &f->buckets[e->hash & (f->nbuckets - 1)];

	while (*pp != NIL && *pp != i)
		pp = &f->ents[*pp].hnext;
	if (*pp == i)
		*pp = e->hnext;
	if (e->prev != NIL)
		f->ents[e->prev].next = e->next;
	else
		f->head = e->next;
	if (e->next != NIL)
		f->ents[e->next].prev = e->prev;
	else
		f->tail = e->prev;
	e->next = f->free;
	f->free = i;
	f->n--;
}

/* Run the callback for window i, ended at end_ns, and free its slot. */
static void close_ent(struct fold *f, int32_t i, uint64_t end_ns, enum fold_end why)
{
	struct ent *e = &f->ents[i];
	uint64_t wend = e->first_ns + f->window_ns;
	struct fold_summary s = {
		.rule = e->rule,
		.severity = e->severity,
		.host = e->host,
		.pod_uid = e->pod_uid,
		.pod_namespace = e->ns,
		.pod_name = e->pod,
		.container = e->ctr,
		.exe = e->exe,
		.target = e->target,
		.count = e->count,
		.first_ns = e->first_ns,
		.last_ns = e->last_ns,
		.start_ns = e->first_ns,
		.why = why,
	};

	if (end_ns > wend)
		end_ns = wend;
	if (end_ns < e->last_ns)
		end_ns = e->last_ns;
	s.end_ns = end_ns;
	s.cut = (e->len[KS_UID] >= FOLD_UID_MAX ? FOLD_CUT_UID : 0) |
		(e->len[KS_CTR] >= FOLD_CTR_MAX ? FOLD_CUT_CONTAINER : 0) |
		(e->len[KS_EXE] >= FOLD_EXE_MAX ? FOLD_CUT_EXE : 0) |
		(e->len[KS_TARGET] >= FOLD_TARGET_MAX ? FOLD_CUT_TARGET : 0) |
		(e->ns_cut ? FOLD_CUT_NAMESPACE : 0) | (e->pod_cut ? FOLD_CUT_POD_NAME : 0);
	f->cb(&s, f->ctx);
	unlink_ent(f, i);
}

enum fold_verdict fold_hit(struct fold *f, const struct fold_key *k, uint64_t now_ns)
{
	size_t len[KS__N];
	uint64_t h;
	int32_t i;
	struct ent *e;

	if (!f->window_ns)
		return FOLD_EMIT;
	h = key_hash(f, k, len);
	for (i = f->buckets[h & (f->nbuckets - 1)]; i != NIL; i = f->ents[i].hnext)
		if (key_eq(&f->ents[i], h, k, len))
			break;
	if (i != NIL) {
		e = &f->ents[i];
		if (now_ns < e->first_ns + f->window_ns) {
			e->count++;
			if (now_ns > e->last_ns)
				e->last_ns = now_ns;
			if ((uint8_t)k->severity > e->severity)
				e->severity = k->severity;
			return FOLD_SUPPRESS;
		}
		close_ent(f, i, e->first_ns + f->window_ns, FOLD_END_WINDOW);
	}
	if (f->n >= f->cap) {
		f->evictions++;
		close_ent(f, f->head, now_ns, FOLD_END_EVICTED);
	}
	if (f->free != NIL) {
		i = f->free;
		f->free = f->ents[i].next;
	} else {
		i = f->fresh++;
	}
	e = &f->ents[i];
	memset(e, 0, sizeof(*e));
	e->hash = h;
	e->rule = k->rule;
	e->severity = k->severity;
	e->host = k->host;
	for (int j = 0; j < KS__N; j++)
		e->len[j] = len[j] > UINT32_MAX ? UINT32_MAX : len[j];
	put_cut(e->pod_uid, sizeof(e->pod_uid), nz(k->pod_uid), len[KS_UID]);
	put_cut(e->ctr, sizeof(e->ctr), nz(k->container), len[KS_CTR]);
	put_cut(e->exe, sizeof(e->exe), nz(k->exe), len[KS_EXE]);
	put_cut(e->target, sizeof(e->target), nz(k->target), len[KS_TARGET]);
	e->ns_cut =
		put_cut(e->ns, sizeof(e->ns), nz(k->pod_namespace), strlen(nz(k->pod_namespace)));
	e->pod_cut = put_cut(e->pod, sizeof(e->pod), nz(k->pod_name), strlen(nz(k->pod_name)));
	e->count = 1;
	e->first_ns = e->last_ns = now_ns;
	/* newest at the tail */
	e->prev = f->tail;
	e->next = NIL;
	if (f->tail != NIL)
		f->ents[f->tail].next = i;
	else
		f->head = i;
	f->tail = i;
	e->hnext = f->buckets[h & (f->nbuckets - 1)];
	f->buckets[h & (f->nbuckets - 1)] = i;
	f->n++;
	return FOLD_EMIT;
}

size_t fold_expire(struct fold *f, uint64_t now_ns)
{
	size_t n = 0;

	while (f->head != NIL && f->ents[f->head].first_ns + f->window_ns <= now_ns) {
		close_ent(f, f->head, now_ns, FOLD_END_WINDOW);
		n++;
	}
	return n;
}

size_t fold_flush_all(struct fold *f, uint64_t now_ns)
{
	size_t n = 0;

	while (f->head != NIL) {
		const struct ent *e = &f->ents[f->head];
		bool ended = e->first_ns + f->window_ns <= now_ns;

		close_ent(f, f->head, now_ns, ended ? FOLD_END_WINDOW : FOLD_END_FLUSHED);
		n++;
	}
	return n;
}
