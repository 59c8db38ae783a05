// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "judge/quiet.h"

struct ent {
	struct cw_quiet_key key;
	struct quiet_info info;
	uint64_t start_ns, until_ns;
	uint64_t hash;
	struct ent *next; /* bucket chain */
	size_t slot;	  /* index in q->all */
};

struct quiet {
	const struct quiet_map_ops *ops;
	void *map_ctx;
	quiet_cb cb;
	void *cb_ctx;
	uint64_t window_ns;
	size_t capacity, n, nbuckets;
	struct ent **all; /* the n active entries, in no order */
	struct ent **bucket;
	struct quiet_stats st;
};

uint64_t quiet_path_hash(const char *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	if (len > 256)
		len = 256;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	return h ? h : 1;
}

static uint64_t key_hash(const struct cw_quiet_key *k)
{
	/* the key is agent-chosen except for ids and the path hash, all fixed-size: FNV over
	 * its bytes is enough for a table that never holds more than the map */
	return quiet_path_hash((const char *)k, sizeof(*k)) ^ (k->ino * 0x9e3779b97f4a7c15ULL);
}

struct quiet *quiet_new(const struct quiet_map_ops *ops, void *map_ctx, size_t capacity,
			uint64_t window_ns, quiet_cb cb, void *cb_ctx)
{
	struct quiet *q;

	if (!ops || !cb || !capacity) {
		errno = EINVAL;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->ops = ops;
	q->map_ctx = map_ctx;
	q->cb = cb;
	q->cb_ctx = cb_ctx;
	q->window_ns = window_ns;
	q->capacity = capacity;
	q->nbuckets = 1;
	while (q->nbuckets < capacity * 2)
		q->nbuckets <<= 1;
	q->all = calloc(capacity, sizeof(*q->all));
	q->bucket = calloc(q->nbuckets, sizeof(*q->bucket));
	if (!q->all || !q->bucket) {
		quiet_free(q);
		errno = ENOMEM;
		return NULL;
	}
	q->st.capacity = capacity;
	return q;
}

void quiet_free(struct quiet *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->n; i++)
		free(q->all[i]);
	free(q->all);
	free(q->bucket);
	free(q);
}

static struct ent *find(const struct quiet *q, const struct cw_quiet_key *k, uint64_t h)
{
	for (struct ent *e = q->bucket[h & (q->nbuckets - 1)]; e; e = e->next)
		if (e->hash == h && !memcmp(&e->key, k, sizeof(*k)))
			return e;
	return NULL;
}

static void unlink_ent(struct quiet *q, struct ent *e)
{
	struct ent **pp = &q->bucket[e->hash & (q->nbuckets - 1)];

	while (*pp && *pp != e)
		pp = &(*pp)->next;
	if (*pp)
		*pp = e->next;
	/* keep q->all dense: the last entry takes e's slot */
	q->all[e->slot] = q->all[q->n - 1];
	q->all[e->slot]->slot = e->slot;
	q->n--;
	free(e);
}

/* Read the window's count, report it (when there were repeats), delete it. */
static void retire(struct quiet *q, struct ent *e, uint64_t now, enum quiet_end why)
{
	struct cw_quiet_val v;
	int err = q->ops->lookup(q->map_ctx, &e->key, &v);

	if (err) {
		if (err != -ENOENT)
			q->st.errors++;
		memset(&v, 0, sizeof(v));
	}
	if (v.count) {
		struct quiet_summary s = {
			.key = &e->key,
			.info = &e->info,
			.repeats = v.count,
			.start_ns = e->start_ns,
			.end_ns = why == QUIET_END_WINDOW || now > e->until_ns ? e->until_ns : now,
			.first_ns = v.first_ns,
			.last_ns = v.last_ns,
			.why = why,
		};

		q->st.summaries++;
		q->st.repeats += v.count;
		q->cb(&s, q->cb_ctx);
	}
	if (!err && q->ops->remove(q->map_ctx, &e->key))
		q->st.errors++;
	unlink_ent(q, e);
}

int quiet_arm(struct quiet *q, const struct cw_quiet_key *k, const struct quiet_info *info,
	      uint64_t now)
{
	struct cw_quiet_val v = { 0 };
	uint64_t h;
	struct ent *e;
	int err;

	if (!q->window_ns || !k->exec_id)
		return 0; /* folding off, or a process the kernel would never quiet */
	h = key_hash(k);
	if (find(q, k, h))
		return 0; /* armed (or retiring): the event was sent before the kernel knew */
	if (q->n == q->capacity) {
		q->st.full++;
		return -ENOSPC;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	v.until_ns = now + q->window_ns;
	err = q->ops->insert(q->map_ctx, k, &v);
	if (err == -EEXIST) {
		/* an entry the agent lost track of (a failed delete): retire it as ours */
		struct cw_quiet_val old;

		if (q->ops->lookup(q->map_ctx, k, &old) == 0 &&
		    old.until_ns + QUIET_GRACE_NS < now && q->ops->remove(q->map_ctx, k) == 0)
			err = q->ops->insert(q->map_ctx, k, &v);
	}
	if (err) {
		free(e);
		if (err == -E2BIG || err == -ENOMEM || err == -ENOSPC) {
			q->st.full++;
			return -ENOSPC;
		}
		q->st.errors++;
		return err;
	}
	e->key = *k;
	e->info = *info;
	e->start_ns = now;
	e->until_ns = v.until_ns;
	e->hash = h;
	e->next = q->bucket[h & (q->nbuckets - 1)];
	q->bucket[h & (q->nbuckets - 1)] = e;
	e->slot = q->n;
	q->all[q->n++] = e;
	q->st.armed++;
	return 0;
}

size_t quiet_sweep(struct quiet *q, uint64_t now)
{
	size_t done = 0;

	/* backwards: retiring moves the last entry into the freed slot */
	for (size_t i = q->n; i-- > 0;) {
		struct ent *e = q->all[i];

		if (e->until_ns + QUIET_GRACE_NS <= now) {
			retire(q, e, now, QUIET_END_WINDOW);
			done++;
		}
	}
	return done;
}

size_t quiet_flush(struct quiet *q, uint64_t now)
{
	size_t done = 0;

	while (q->n) {
		retire(q, q->all[q->n - 1], now, QUIET_END_FLUSHED);
		done++;
	}
	return done;
}

void quiet_stats(const struct quiet *q, struct quiet_stats *st)
{
	*st = q->st;
	st->active = q->n;
	st->bytes = sizeof(*q) + q->capacity * sizeof(*q->all) + q->nbuckets * sizeof(*q->bucket) +
		    q->n * sizeof(struct ent);
}
