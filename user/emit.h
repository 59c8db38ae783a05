/* SPDX-License-Identifier: GPL-2.0 */
/*
 * emit: turns records into event lines (schema credwatch/v1): one JSON object
 * per line, UTF-8, every string escaped and bounded, every line under 16 KiB
 * (containerd splits longer lines). The schema is tests/schema/events.schema.json.
 */
#ifndef CREDWATCH_EMIT_H
#define CREDWATCH_EMIT_H

#include "agent.h"
#include "attrib.h"
#include "jsonw.h"
#include "procs.h"

/* What the agent resolved about an event's process before writing it. */
struct ev_ctx {
	const char *cgpath; /* relative to the cgroup2 mount, NULL if unknown */
	bool cg_removed;
	struct attrib_result res;
	struct proc_view proc;	  /* the process image (exe, argv) */
	char exe[CW_EXE_MAX + 1]; /* proc.rec.exe, NUL-terminated ("" if unknown) */
};

#define EMIT_SCHEMA   "credwatch/v1"
#define EMIT_LINE_MAX 16000 /* < 16 KiB with room for the newline */
#define EMIT_MAX_ARGS 8

void emit_init(struct agent *a);
void emit_ready(struct agent *a);
void emit_stats(struct agent *a);
void emit_endpoint(struct agent *a, const struct cw_ev_endpoint *ev, const struct ev_ctx *c);
/* Return whether a line was written (false: not credential access after all,
 * or a repeat folded into a finding window). */
bool emit_file(struct agent *a, const struct cw_ev_file *ev, const struct ev_ctx *c);
bool emit_socket(struct agent *a, const struct cw_ev_sock *ev, const struct ev_ctx *c);
struct conn_done;
/* imds_request / agent_request for one request on a watched connection */
bool emit_http(struct agent *a, const struct conn_done *d, const struct ev_ctx *c);
/* Would emit_file/emit_socket write this record? (decided before holding it back) */
bool emit_file_wanted(const struct cw_ev_file *ev);
bool emit_socket_wanted(const struct agent *a, const struct cw_ev_sock *ev);

/* Shared building blocks for event types added by other modules. */
void emit_begin(struct agent *a, struct jw *w, char *buf, size_t cap, const char *event,
		uint64_t ts_boot_ns);
void emit_task(struct agent *a, struct jw *w, const struct cw_task *t, const struct ev_ctx *c);
void emit_end(struct agent *a, struct jw *w);

/* Format ns since the epoch as RFC 3339 UTC with nanoseconds. */
void emit_format_time(int64_t epoch_ns, char *out, size_t len);

#endif
