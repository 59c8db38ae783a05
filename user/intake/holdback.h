/* SPDX-License-Identifier: GPL-2.0 */
/*
 * holdback: a container's metadata (its config.json) can appear a moment after its first
 * event. Such an event's record is copied into a small queue and resolved again on the
 * attribution module's retry schedule, for at most HOLDBACK_MAX_NS; then it goes out with
 * what is known and says what is missing. The queue is bounded: when full, the oldest entry
 * is resolved and written at once (counted as overflow). Events can therefore leave slightly
 * out of order; their "time" is the kernel's.
 */
#ifndef CREDWATCH_HOLDBACK_H
#define CREDWATCH_HOLDBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HOLDBACK_SLOTS	    256
#define HOLDBACK_MAX_NS	    1000000000ULL /* the default wait; --holdback-ms sets another */
#define HOLDBACK_RECORD_MAX 1024

/*
 * Resolve a held record again. final: it goes out now whatever is known. Returns true when
 * it was written; false to keep holding it, with *retry_at the attribution's next attempt
 * (0 when it has none).
 */
typedef bool (*holdback_resolve_fn)(void *ctx, const void *rec, size_t size, uint64_t now,
				    bool final, uint64_t *retry_at);

struct holdback_stats {
	uint64_t held_back; /* events held back for metadata at least once */
	uint64_t overflow;  /* written early because the queue was full */
};

struct holdback;

/* max_ns: how long a record may be held (0: HOLDBACK_MAX_NS) */
struct holdback *holdback_new(holdback_resolve_fn fn, void *ctx, uint64_t max_ns);
void holdback_free(struct holdback *h);

/* Hold a copy of a record (at most HOLDBACK_RECORD_MAX bytes) until retry_at. False when it
 * could not be held (the caller writes it now). */
bool holdback_put(struct holdback *h, const void *rec, size_t size, uint64_t now,
		  uint64_t retry_at);

/* Resolve the records that are due (all with flush_all). Returns the monotonic time of the
 * next retry, or 0 when nothing is held. */
uint64_t holdback_retry(struct holdback *h, uint64_t now, bool flush_all);

const struct holdback_stats *holdback_stats(const struct holdback *h);

#endif
