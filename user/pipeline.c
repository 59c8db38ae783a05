// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "enrich/enrich.h"
#include "event.h"
#include "intake/conns.h"
#include "intake/decode.h"
#include "intake/holdback.h"
#include "judge/judge.h"
#include "judge/quiet.h"
#include "pipeline.h"
#include "util/clock.h"

/* Lines written, by what agent_stats.events calls them. */
enum { W_ENDPOINT, W_FILE, W_SOCKET, W_IMDS, W_AGENT, W_UNPARSED, W_MOVE, W_FLOOD, W__COUNT };

struct pipeline {
	struct pipeline_parts parts;
	struct enrich *enrich;
	struct conns *conns;
	struct holdback *holdback;
	struct judge *judge;
	struct quiet *quiet; /* NULL: no aggregation in the kernel */
	uint64_t quiet_window_ns;
	unsigned int batch; /* records since the last tick */
	int64_t boot_to_real;
	struct decode_stats dec;
	uint64_t written[W__COUNT];
};

static void render_event(struct pipeline *p, const struct cw_event *e)
{
	for (int i = 0; i < p->parts.nrenderers; i++)
		p->parts.renderers[i]->ops->event(p->parts.renderers[i], e);
}

static void count_written(struct pipeline *p, const struct cw_event *e)
{
	switch (e->kind) {
	case CWE_ENDPOINT_CONNECT:
		p->written[W_ENDPOINT]++;
		break;
	case CWE_FILE_OPEN:
		p->written[W_FILE]++;
		break;
	case CWE_SOCKET_CONNECT:
		p->written[W_SOCKET]++;
		break;
	case CWE_HTTP_REQUEST:
		p->written[e->x.http.imds ? W_IMDS : W_AGENT]++;
		break;
	case CWE_CGROUP_MOVE:
		p->written[W_MOVE]++;
		break;
	case CWE_ENDPOINT_UNPARSED:
		p->written[W_UNPARSED]++;
		break;
	case CWE_EVENT_FLOOD:
		p->written[W_FLOOD]++;
		break;
	default:
		break;
	}
}

static void copy_cut(char *dst, size_t cap, const char *src, size_t n, bool *cut)
{
	if (!src)
		n = 0;
	if (n >= cap) {
		n = cap - 1;
		if (cut)
			*cut = true;
	}
	memcpy(dst, src ? src : "", n);
	dst[n] = 0;
}

/*
 * An audit file_open (no finding, whole attribution): the kernel counts this process's
 * repeats of it for one fold window instead of sending them (judge/quiet.h). The key is the
 * one bpf/lib/files.bpf.h builds from the same record.
 */
static void quiet_file(struct pipeline *p, const struct cw_event *e)
{
	const struct cw_ev_file *r = e->rec.file;
	const struct cw_file_info *fi = &e->x.file;
	const struct attrib_result *res = &e->who.res;
	bool by_path = r->rule == CW_FR_PATH_HINT || r->rule == CW_FR_UNSEEN;
	struct cw_quiet_key k = {
		.cgroup_id = e->task->cgroup_id,
		.exec_id = e->task->exec_id,
		.ino = by_path ? quiet_path_hash((const char *)r->req, r->req_len) : r->ino,
		.dev = by_path ? 0 : r->dev,
		.tgid = e->task->pid,
		.what = CW_QUIET_WHAT(CW_EV_FILE_OPEN, r->flags & 3, r->result),
	};
	struct quiet_info qi = {
		.pid = e->task->pid,
		.host = res->host,
		.file_kind = file_kind_name(fi->kind),
		.result = r->result,
	};

	if (!k.exec_id || !res->complete || res->pending)
		return;
	/* windows aligned to multiples of their length, the parity in the key (as the BPF side
	 * computes it from the same timestamp): the next window is armed at once, while this one
	 * waits out its grace period */
	k.what |= CW_QUIET_GEN(e->ts_boot_ns, p->quiet_window_ns);
	copy_cut(qi.pod_uid, sizeof(qi.pod_uid), res->pod_uid, strlen(res->pod_uid), NULL);
	copy_cut(qi.pod_namespace, sizeof(qi.pod_namespace), res->pod_namespace,
		 strlen(res->pod_namespace), NULL);
	copy_cut(qi.pod_name, sizeof(qi.pod_name), res->pod_name, strlen(res->pod_name), NULL);
	copy_cut(qi.container, sizeof(qi.container), res->container_name,
		 strlen(res->container_name), NULL);
	copy_cut(qi.exe, sizeof(qi.exe), e->who.exe, strlen(e->who.exe), &qi.exe_cut);
	if (fi->path_len)
		copy_cut(qi.path, sizeof(qi.path), fi->path, fi->path_len, &qi.path_cut);
	else
		copy_cut(qi.path, sizeof(qi.path), fi->req, fi->req_len, &qi.path_cut);
	quiet_arm(p->quiet, &k, &qi, e->ts_boot_ns / p->quiet_window_ns * p->quiet_window_ns);
}

/* The stages after "who": details, judge, fold, render. */
static void finish(struct pipeline *p, struct cw_event *e, uint64_t now)
{
	enrich_details(p->enrich, e, now);
	judge_event(p->judge, e);
	if (e->v.folded)
		return; /* counted in its fold window, not written */
	render_event(p, e);
	count_written(p, e);
	if (p->quiet && e->kind == CWE_FILE_OPEN && !e->v.n)
		quiet_file(p, e);
}

/* a quiet window retired: its repeat_summary goes to every renderer that writes one */
static void repeat_summary(const struct quiet_summary *s, void *ctx)
{
	struct pipeline *p = ctx;

	for (int i = 0; i < p->parts.nrenderers; i++)
		if (p->parts.renderers[i]->ops->repeat)
			p->parts.renderers[i]->ops->repeat(p->parts.renderers[i], s,
							   p->boot_to_real);
}

void pipeline_flood(struct pipeline *p, uint64_t cgroup_id, const struct cw_cg_drop *d,
		    uint64_t secs, uint64_t now)
{
	struct cw_flood_rec f = { .d = *d, .episode_secs = secs };
	struct cw_event e = { .kind = CWE_EVENT_FLOOD };

	f.task.cgroup_id = cgroup_id;
	f.task.pid = f.task.tid = d->last_tgid;
	e.ts_boot_ns = d->last_ns;
	e.real_ns = (int64_t)d->last_ns + p->boot_to_real;
	e.task = &f.task;
	e.rec.flood = &f;
	enrich_who(p->enrich, &e, now);
	finish(p, &e, now);
}

/* A held-back record, resolved again (holdback_resolve_fn). */
static bool resolve_held(void *ctx, const void *rec, size_t size, uint64_t now, bool final,
			 uint64_t *retry_at)
{
	struct pipeline *p = ctx;
	struct decoded d = { .type = ((const struct cw_hdr *)rec)->type, .rec = rec, .size = size };
	struct cw_event e;

	decode_event(&e, &d, p->boot_to_real);
	enrich_what(p->enrich, &e);
	enrich_who(p->enrich, &e, now);
	if (!final && e.who.res.pending) {
		*retry_at = e.who.res.retry_at_ns;
		return false;
	}
	finish(p, &e, now);
	return true;
}

/* conns calls back here when a request is complete (or overdue) */
static void http_done(void *ctx, const struct conn_done *d)
{
	struct pipeline *p = ctx;
	uint64_t now = clock_now(CLOCK_MONOTONIC);
	struct cw_event e;

	if (!d->connect)
		return; /* counted by conns as requests_without_connect */
	decode_http_event(&e, d, p->boot_to_real);
	enrich_who(p->enrich, &e, now);
	finish(p, &e, now);
}

/* conns calls back here when a connection's bytes cannot be parsed */
static void http_unparsed(void *ctx, const struct conn_unparsed *u)
{
	struct pipeline *p = ctx;
	uint64_t now = clock_now(CLOCK_MONOTONIC);
	struct cw_event e;

	decode_unparsed_event(&e, u, p->boot_to_real);
	enrich_who(p->enrich, &e, now);
	finish(p, &e, now);
}

static void summary(void *ctx, const struct fold_summary *s, int64_t now_real)
{
	struct pipeline *p = ctx;

	for (int i = 0; i < p->parts.nrenderers; i++)
		p->parts.renderers[i]->ops->summary(p->parts.renderers[i], s, now_real);
}

static void record(struct pipeline *p, void *data, size_t size);

int pipeline_record(void *ctx, void *data, size_t size)
{
	struct pipeline *p = ctx;

	record(p, data, size);
	if (p->parts.batch_max && ++p->batch >= p->parts.batch_max) {
		p->batch = 0;
		return PIPELINE_YIELD;
	}
	return 0;
}

static void record(struct pipeline *p, void *data, size_t size)
{
	struct decoded d;
	struct cw_event e;
	uint64_t now;

	if (!decode_record(&p->dec, data, size, &d))
		return;
	switch (d.type) {
	case CW_EV_CGROUP_MKDIR:
		enrich_cgroup_added(p->enrich, d.rec);
		return;
	case CW_EV_CGROUP_RMDIR:
		enrich_cgroup_removed(p->enrich, d.rec);
		return;
	case CW_EV_HTTP:
		/* always the padded private copy (the ring is read-only); it held payload
		 * bytes: wiped once parsed */
		conns_http(p->conns, d.rec, clock_now(CLOCK_MONOTONIC));
		explicit_bzero(&d.pad.http, sizeof(d.pad.http));
		return;
	case CW_EV_ENDPOINT_CONNECT:
		conns_connect(p->conns, d.rec);
		break;
	default:
		break;
	}
	decode_event(&e, &d, p->boot_to_real);
	if (!enrich_what(p->enrich, &e))
		return;
	now = clock_now(CLOCK_MONOTONIC);
	enrich_who(p->enrich, &e, now);
	/* (a cgroup move is not held: it is about two cgroups, and counted as it is decided) */
	if (e.who.res.pending && e.kind != CWE_CGROUP_MOVE &&
	    holdback_put(p->holdback, d.rec, d.size, now, e.who.res.retry_at_ns))
		return;
	finish(p, &e, now);
}

uint64_t pipeline_tick(struct pipeline *p, uint64_t now)
{
	p->batch = 0;
	uint64_t next = holdback_retry(p->holdback, now, false);
	uint64_t next_http = conns_expire(p->conns, now, false);

	judge_expire(p->judge, false);
	if (p->quiet)
		quiet_sweep(p->quiet, clock_now(CLOCK_BOOTTIME));
	if (next_http && (!next || next_http < next))
		next = next_http;
	return next;
}

void pipeline_flush(struct pipeline *p, uint64_t now)
{
	holdback_retry(p->holdback, now, true);
	conns_expire(p->conns, now, true);
	judge_expire(p->judge, true);
	if (p->quiet)
		quiet_flush(p->quiet, clock_now(CLOCK_BOOTTIME));
}

void pipeline_stats(const struct pipeline *p, struct stats_snapshot *st)
{
	const struct holdback_stats *hb = holdback_stats(p->holdback);
	struct judge_stats js;

	memcpy(st->written, p->written, sizeof(st->written));
	st->have_http = true;
	st->http = *conns_stats(p->conns);
	st->bad_records = p->dec.bad_records;
	st->userspace_filtered = enrich_stats(p->enrich)->filtered;
	st->enrich = *enrich_stats(p->enrich);
	judge_stats(p->judge, &js);
	memcpy(st->findings, js.findings, sizeof(st->findings));
	st->folded = js.folded;
	st->summaries = js.summaries;
	st->fold_on = js.fold_on;
	st->fold_open = js.fold_open;
	st->fold_closed_early = js.fold_closed_early;
	st->fold_capacity = js.fold_capacity;
	st->fold_bytes = js.fold_bytes;
	st->held_back = hb->held_back;
	st->held_back_overflow = hb->overflow;
	if (p->quiet) {
		st->have_quiet = true;
		quiet_stats(p->quiet, &st->quiet);
	}
}

struct pipeline *pipeline_new(const struct pipeline_parts *parts)
{
	struct pipeline *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->parts = *parts;
	p->boot_to_real = clock_boot_to_real();
	p->enrich = enrich_new(parts->cgroups, parts->procs, parts->attrib, &parts->cfg->sockets);
	if (p->enrich) {
		enrich_set_node(p->enrich, parts->credfiles, parts->host_mntns);
		enrich_set_peers(p->enrich, parts->peers);
	}
	p->conns = conns_new(4096, http_done, http_unparsed, p);
	p->holdback = holdback_new(resolve_held, p, parts->holdback_ns);
	p->judge = judge_new(&parts->cfg->policy, summary, p);
	if (parts->quiet_ops && parts->cfg->policy.fold_window_s) {
		/* the length the loader gave the BPF side (cw_quiet_window_ns): the policy's at
		 * start; a reload does not change it */
		p->quiet_window_ns = (uint64_t)parts->cfg->policy.fold_window_s * 1000000000ULL;
		p->quiet = quiet_new(parts->quiet_ops, parts->quiet_ctx, parts->quiet_capacity,
				     p->quiet_window_ns, repeat_summary, p);
		if (!p->quiet) {
			pipeline_free(p);
			return NULL;
		}
	}
	if (!p->enrich || !p->conns || !p->holdback || !p->judge) {
		pipeline_free(p);
		return NULL;
	}
	return p;
}

void pipeline_free(struct pipeline *p)
{
	if (!p)
		return;
	enrich_free(p->enrich);
	conns_free(p->conns);
	holdback_free(p->holdback);
	judge_free(p->judge);
	quiet_free(p->quiet);
	free(p);
}
