// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "credwatch_abi.h"
#include "intake/holdback.h"

#define RETRY_DEFAULT_NS 50000000ULL /* when the attribution names no time */

_Static_assert(sizeof(struct cw_ev_file) <= HOLDBACK_RECORD_MAX, "record too big for the queue");
_Static_assert(sizeof(struct cw_ev_sock) <= HOLDBACK_RECORD_MAX, "record too big for the queue");
_Static_assert(sizeof(struct cw_ev_endpoint) <= HOLDBACK_RECORD_MAX, "record too big");

struct slot {
	uint64_t deadline_ns, retry_ns;
	uint32_t size;
	bool used;
	_Alignas(8) unsigned char rec[HOLDBACK_RECORD_MAX]; /* records hold u64 fields */
};

struct holdback {
	holdback_resolve_fn resolve;
	void *ctx;
	uint64_t max_ns;
	int n;
	struct holdback_stats st;
	struct slot slot[HOLDBACK_SLOTS];
};

struct holdback *holdback_new(holdback_resolve_fn fn, void *ctx, uint64_t max_ns)
{
	struct holdback *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->resolve = fn;
	h->ctx = ctx;
	h->max_ns = max_ns ? max_ns : HOLDBACK_MAX_NS;
	return h;
}

void holdback_free(struct holdback *h)
{
	free(h);
}

static struct slot *oldest(struct holdback *h)
{
	struct slot *o = NULL;

	for (int i = 0; i < HOLDBACK_SLOTS; i++)
		if (h->slot[i].used && (!o || h->slot[i].deadline_ns < o->deadline_ns))
			o = &h->slot[i];
	return o;
}

static uint64_t retry_time(uint64_t retry_at, uint64_t now)
{
	return retry_at > now ? retry_at : now + RETRY_DEFAULT_NS;
}

bool holdback_put(struct holdback *h, const void *rec, size_t size, uint64_t now, uint64_t retry_at)
{
	struct slot *s = NULL;
	uint64_t unused;

	if (size > HOLDBACK_RECORD_MAX)
		return false;
	if (h->n == HOLDBACK_SLOTS) {
		s = oldest(h);
		h->st.overflow++;
		h->resolve(h->ctx, s->rec, s->size, now, true, &unused);
		s->used = false;
		h->n--;
	}
	for (int i = 0; i < HOLDBACK_SLOTS && !s; i++)
		if (!h->slot[i].used)
			s = &h->slot[i];
	memcpy(s->rec, rec, size);
	s->size = size;
	s->deadline_ns = now + h->max_ns;
	s->retry_ns = retry_time(retry_at, now);
	s->used = true;
	h->n++;
	h->st.held_back++;
	return true;
}

uint64_t holdback_retry(struct holdback *h, uint64_t now, bool flush_all)
{
	uint64_t next = 0;

	if (!h || !h->n)
		return 0;
	for (int i = 0; i < HOLDBACK_SLOTS; i++) {
		struct slot *s = &h->slot[i];
		uint64_t retry_at = 0;

		if (!s->used || (!flush_all && now < s->retry_ns && now < s->deadline_ns)) {
			if (s->used && (!next || s->retry_ns < next))
				next = s->retry_ns < s->deadline_ns ? s->retry_ns : s->deadline_ns;
			continue;
		}
		if (!h->resolve(h->ctx, s->rec, s->size, now, flush_all || now >= s->deadline_ns,
				&retry_at)) {
			s->retry_ns = retry_time(retry_at, now);
			if (s->retry_ns > s->deadline_ns)
				s->retry_ns = s->deadline_ns;
			if (!next || s->retry_ns < next)
				next = s->retry_ns;
			continue;
		}
		s->used = false;
		h->n--;
	}
	return next;
}

const struct holdback_stats *holdback_stats(const struct holdback *h)
{
	return &h->st;
}
