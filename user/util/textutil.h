/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers for parsing untrusted node state (config.json, tokens). */
#ifndef CREDWATCH_TEXTUTIL_H
#define CREDWATCH_TEXTUTIL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Nesting depth of JSON text, counting brackets outside strings: true when it
 * stays within max_depth. Linear and allocation-free, so a depth bomb is
 * refused before a parser builds anything. Malformed text is left for the
 * parser to refuse; this only has to be right about depth.
 */
bool json_depth_ok(const void *text, size_t n, int max_depth);

/* Copy n bytes into dst (cap bytes, NUL-terminated); true when cut. */
bool bounded_copy(char *dst, size_t cap, const char *src, size_t n);

#endif
