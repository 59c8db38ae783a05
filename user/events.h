/* SPDX-License-Identifier: GPL-2.0 */
/* events: the ring-buffer consumer and the hold-back queue for events whose
 * container metadata has not appeared yet (see events.c). */
#ifndef CREDWATCH_EVENTS_H
#define CREDWATCH_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct agent;

int events_handle(void *ctx, void *data, size_t size);
/* Resolve held-back events that are due (all of them if flush_all) and
 * write those that are complete or out of time. Returns the monotonic time
 * of the next retry, or 0 if nothing is held. */
uint64_t events_retry_pending(struct agent *a, uint64_t now, bool flush_all);
void events_free(struct agent *a);
struct conn_done;
void events_http_done(void *ctx, const struct conn_done *d);

#endif
