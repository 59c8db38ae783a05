/* SPDX-License-Identifier: GPL-2.0 */
/*
 * args: a process image's argv as events show it. The process table holds argv as the
 * kernel saw it (NUL-separated, at most CW_ARGS_MAX bytes, possibly head + tail of a longer
 * one); this splits it into at most ARGS_MAX_ITEMS arguments, redacts secrets (enrich/redact.h)
 * and remembers the result for the last few images, so a process that causes events in a loop
 * is split and redacted once.
 *
 * A long argv kept as head + tail (CW_F_ARGS_SPLIT) becomes the head's arguments, a "[...]"
 * marker, then the tail's whole arguments (its first, partial one is dropped: it may be the
 * end of a secret, but it still serves as the context for redacting the next one).
 */
#ifndef CREDWATCH_ARGS_H
#define CREDWATCH_ARGS_H

#include <stdbool.h>
#include <stdint.h>
#include "credwatch_abi.h"
#include "enrich/redact.h"

#define ARGS_MAX_ITEMS 8 /* arguments shown, the "[...]" marker included */
#define ARGS_CACHE_N   8 /* process images remembered (round robin) */
#define ARGS_ITEM_MAX  (CW_ARGS_MAX + sizeof(REDACT_MARK) + 4)

struct cw_argv {
	uint8_t n;
	bool truncated; /* not every argument, or not every byte of one, is shown */
	bool redacted;	/* a secret was replaced by REDACT_MARK */
	struct {
		uint16_t off, len;
	} item[ARGS_MAX_ITEMS];
	char buf[ARGS_MAX_ITEMS * ARGS_ITEM_MAX];
};

struct args_cache {
	struct {
		uint64_t exec_id;
		uint32_t flags;
		uint16_t args_len;
		struct cw_argv argv;
	} slot[ARGS_CACHE_N + 1]; /* the last one: images without an exec id, never reused */
	unsigned int next;
};

/* argv of a process record; the result lives in the cache until ARGS_CACHE_N other images
 * have been asked for (an image without an exec id: until the next call). */
const struct cw_argv *args_of(struct args_cache *c, const struct cw_proc *r);

#endif
