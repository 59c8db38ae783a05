/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Diagnostics go to stderr, never stdout (stdout carries the JSON events).
 * pr_debug is shown only with -v.
 */
#ifndef CREDWATCH_LOG_H
#define CREDWATCH_LOG_H

#include <stdarg.h>

enum log_level { LOG_WARN = 0, LOG_INFO = 1, LOG_DEBUG = 2 };

extern int log_verbosity;

void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define pr_warn(fmt, ...)  log_msg(LOG_WARN, fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...)  log_msg(LOG_INFO, fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...) log_msg(LOG_DEBUG, fmt, ##__VA_ARGS__)

#endif
