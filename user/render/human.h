/* SPDX-License-Identifier: GPL-2.0 */
/*
 * human: the human view of events (credwatch trace, credwatch view). One line per event:
 *
 *   TIME  SEVERITY  NAMESPACE/POD  CONTAINER  EXE[PID]  WHAT HAPPENED  RULE: SUMMARY
 *
 * An event reaches the view as a struct hview, filled either from a finished pipeline event
 * (hview_from_event, hview_from_summary: what `trace` sees) or from a JSON line the agent
 * wrote (user/cli/jsonview.c: what `view` reads), so both commands print the same line for
 * the same event and filter it the same way. A hview holds bounded copies of what the line
 * shows; it looks nothing up.
 *
 * Everything that comes from a pod, a process or a path is untrusted: it is escaped for the
 * terminal (control bytes, ESC, C1 controls, invisible and bidirectional-override code
 * points and invalid UTF-8 become visible escapes: \n, \e, \x9b, \u{202e}) and bounded
 * (a cut value ends with "..."), so nothing in an event can move the cursor, change colours
 * or forge a line.
 */
#ifndef CREDWATCH_HUMAN_H
#define CREDWATCH_HUMAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "render/render.h"

#define HV_STR 1024 /* bytes kept of one string (raw, before escaping) */

struct hstr {
	uint16_t n;	/* bytes in s (s is also NUL-terminated; it may contain NUL bytes) */
	bool cut;	/* the source was longer */
	char s[HV_STR]; /* raw bytes */
};

enum hv_kind {
	HV_OTHER = 0, /* an event this view does not describe: its name only */
	HV_ENDPOINT,  /* endpoint_connect */
	HV_HTTP,      /* imds_request, agent_request */
	HV_FILE,      /* file_open */
	HV_SOCKET,    /* socket_connect */
	HV_UNPARSED,  /* endpoint_unparsed */
	HV_MOVE,      /* cgroup_move */
	HV_REPEAT,    /* repeat_summary */
	HV_FLOOD,     /* event_flood */
	HV_SUMMARY,   /* finding_summary */
	HV_READY,     /* agent_ready */
	HV_STATS,     /* agent_stats */
};

struct hview {
	enum hv_kind kind;
	int64_t time_ns; /* ns since the epoch, 0 when unknown */
	struct hstr event;
	/* the most severe finding */
	int severity; /* enum cw_severity; SEV_NONE: no finding */
	struct hstr rule, summary;
	int nfindings;
	/* who */
	bool host, has_pod;
	struct hstr ns, pod, pod_uid, container, exe, comm;
	bool have_pid;
	uint32_t pid;
	/* what: endpoint and HTTP */
	struct hstr ep_kind, addr;
	uint32_t port;
	bool request_seen, blocked;
	struct hstr method, path, imds_ver, response;
	int status;
	/* file (path above), socket (path above) */
	struct hstr file_kind, result, owner_ns, owner_pod;
	/* endpoint_unparsed */
	struct hstr direction, reason;
	/* cgroup_move: the moved process and where from and to (pod "ns/name", its UID, or
	 * "/"-rooted cgroup path) */
	bool move_self;
	uint32_t moved_pid;
	struct hstr move_from, move_to;
	/* event_flood */
	uint64_t flood_full, flood_refused, flood_secs;
	/* finding_summary, repeat_summary (count, window; file_kind and path above) */
	uint64_t count;
	int64_t window_start, window_end;
	struct hstr target;
	/* agent_ready, agent_stats */
	struct hstr version, node, file_hook, sock_hook;
	int nhooks;
	uint64_t drop_ringbuf, drop_bad, drop_output;
};

/* Bounded copy into a hstr (n bytes; s may be NULL). */
void hstr_set(struct hstr *h, const char *s, size_t n);
static inline void hstr_sets(struct hstr *h, const char *s)
{
	hstr_set(h, s, s ? __builtin_strlen(s) : 0);
}

/* Fill *v (zeroed first) from what the pipeline hands a renderer. */
void hview_from_event(struct hview *v, const struct cw_event *e);
void hview_from_summary(struct hview *v, const struct fold_summary *s, int64_t now_real);
void hview_from_repeat(struct hview *v, const struct quiet_summary *s, int64_t boot_to_real);
void hview_from_ready(struct hview *v, const struct ready_info *ri, const char *node);
void hview_from_stats(struct hview *v, const struct stats_snapshot *st);

struct human_style {
	bool color; /* ANSI colours for the severity */
};

/*
 * Escape n untrusted bytes of s for a terminal into out (cap bytes, always NUL-terminated),
 * writing at most max bytes of output (0: cap - 1); a cut value ends with "...". Returns the
 * length written.
 */
size_t human_escape(char *out, size_t cap, const char *s, size_t n, size_t max);

/* The line for v, without a newline, into buf (NUL-terminated). Returns its length. Status
 * lines (agent_ready, agent_stats with drops) start with "-- ". An agent_stats without drops
 * has no line: returns 0. */
size_t human_format(const struct hview *v, const struct human_style *st, char *buf, size_t cap);

/* A date line ("-- 2026-11-30 (UTC)") when t is on another UTC day than *day (updated);
 * 0 when not. */
size_t human_date_line(int64_t t, int64_t *day, char *buf, size_t cap);

/* ---------------------------------------------------------------------------------------- */
/* the Ctrl-C summary: counts of what was shown, findings by rule and pod */

#define HT_MAX_EVENTS 16
#define HT_MAX_PAIRS  256

struct htally {
	int64_t first_ns, last_ns;
	uint64_t shown, hidden;
	struct {
		char name[32];
		uint64_t n;
	} events[HT_MAX_EVENTS];
	int nevents;
	uint64_t findings[8]; /* by enum cw_severity */
	struct {
		char rule[48];
		char who[160]; /* "ns/pod" or "host" (escaped) */
		int severity;
		uint64_t n;
	} pairs[HT_MAX_PAIRS];
	int npairs;
	uint64_t pairs_dropped; /* findings whose (rule, pod) did not fit the table */
	bool have_drops;
	uint64_t drop_ringbuf, drop_bad, drop_output;
};

void human_tally_add(struct htally *t, const struct hview *v, bool shown);
/* Write the summary, one line at a time, through write(ctx, line, len). At most ~24 lines. */
void human_tally_print(const struct htally *t, const struct human_style *st,
		       void (*write)(void *ctx, const char *line, size_t n), void *ctx);

/* ---------------------------------------------------------------------------------------- */
/* the renderer (credwatch trace) */

struct human_opts {
	struct human_style style;
	const char *node; /* for the start line */
	/* where lines go: buf has room for one more byte than n (for a newline) */
	void (*write)(void *ctx, char *buf, size_t n);
	void *write_ctx;
	/* which events are shown (NULL: all) */
	bool (*keep)(void *ctx, const struct hview *v);
	void *keep_ctx;
};

struct renderer *human_renderer_new(const struct human_opts *o);
/* Drop counters now (a status line is written when they are non-zero and changed). */
void human_status(struct renderer *r, uint64_t ringbuf_full, uint64_t bad_records,
		  uint64_t output_errors);
/* The summary of everything seen so far (Ctrl-C). */
void human_summary(struct renderer *r);

#endif
