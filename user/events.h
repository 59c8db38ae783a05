/* SPDX-License-Identifier: GPL-2.0 */
/* events: the ring-buffer consumer: checks each record's type and size and
 * hands it to the module that turns it into state or an event line. */
#ifndef CREDWATCH_EVENTS_H
#define CREDWATCH_EVENTS_H

#include <stddef.h>

int events_handle(void *ctx, void *data, size_t size);

#endif
