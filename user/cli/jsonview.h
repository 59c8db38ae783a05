/* SPDX-License-Identifier: GPL-2.0 */
/*
 * jsonview: a credwatch/v1 JSON line (what `credwatch run` wrote) as the human view's struct
 * hview, for `credwatch view`. The line may carry a prefix before its JSON object, as
 * `kubectl logs --timestamps`, a CRI log file ("<time> stdout F ") or a CloudWatch Logs
 * export ("<time> ") write it: everything before the first '{' is skipped.
 */
#ifndef CREDWATCH_CLI_JSONVIEW_H
#define CREDWATCH_CLI_JSONVIEW_H

#include <stddef.h>
#include <stdint.h>
#include "render/human.h"

#define JSONVIEW_LINE_MAX (1u << 20) /* longer lines are malformed */

enum jsonview_result {
	JV_OK = 0,
	JV_BLANK,     /* an empty or whitespace-only line */
	JV_MALFORMED, /* not a JSON object (or too long, or nested too deep) */
	JV_FOREIGN,   /* a JSON object, but not a credwatch/v1 event */
};

/* Fill *v from line[0..n). Returns enum jsonview_result; on JV_MALFORMED why says what. */
int hview_from_json(struct hview *v, const char *line, size_t n, char *why, size_t whylen);

/* RFC 3339 ("2026-11-30T00:00:00.019000000Z", or with a +hh:mm offset) to ns since the epoch;
 * 0 when it does not parse. */
int64_t jsonview_parse_time(const char *s);

#endif
