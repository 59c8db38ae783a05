/* SPDX-License-Identifier: GPL-2.0 */
/*
 * json: the JSON lines renderer (schema credwatch/v1, tests/schema/events.schema.json). One
 * object per line, UTF-8, every string escaped and bounded, every line under 16 KiB
 * (containerd splits longer lines into partial records).
 */
#ifndef CREDWATCH_RENDER_JSON_H
#define CREDWATCH_RENDER_JSON_H

#include "render/output.h"
#include "render/render.h"
#include "util/jsonw.h"

#define JSON_SCHEMA   "credwatch/v1"
#define JSON_LINE_MAX 16000 /* < 16 KiB with room for the newline */

/* The node an agent runs on, for every line's "node" object ("" fields are left out). */
struct node_ident {
	const char *name, *cluster, *instance_id;
};

struct renderer *json_renderer_new(struct output *out, const struct node_ident *node);

/*
 * Parts of an event, into the caller's open object (used by the renderer; exposed for unit
 * tests):
 *   "host", "pod", "container", "attribution"           json_put_workload
 *   "owner": {...} | null                               json_put_owner (inside "file")
 *   "token": {...} | null                               json_put_token
 *   "finding": {...}, "findings": [...] (nothing if n 0) json_put_findings
 *   the body of a finding_summary                       json_put_summary
 *   "policy": {...}                                     json_put_policy
 *   "attrib": {...}                                     json_put_attrib_stats
 */
void json_put_workload(struct jw *w, const struct attrib_result *r);
void json_put_owner(struct jw *w, const struct attrib_owner *o);
void json_put_token(struct jw *w, const struct attrib_token *t);
void json_put_findings(struct jw *w, const struct finding *f, int n);
void json_put_summary(struct jw *w, const struct fold_summary *s);
void json_put_policy(struct jw *w, const struct policy *p);
void json_put_attrib_stats(struct jw *w, const struct attrib_stats *s);

#endif
