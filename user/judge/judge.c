// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "config.h"
#include "judge/judge.h"
#include "judge/rules.h"
#include "util/clock.h"
#include "util/lru.h"

#define FOLD_CAPACITY 4096

/*
 * credential_reconnaissance: per workload (the container's cgroup, or the origin cgroup of a
 * process that left it; a host process's own cgroup), the distinct credential locations its
 * processes failed to open in the current window (by a hash of the requested path). Per
 * cgroup rather than per process: `for h in /home/x /home/y ...; do cat $h/.aws/credentials; done` is one
 * cat per location. An SDK probes two (the shared config and credentials files), however
 * often its container starts it. Bounded: RECON_PROCS workloads (LRU), RECON_PATHS locations
 * each (past that the count stays, which is enough).
 */
#define RECON_PROCS 1024
#define RECON_PATHS 8
struct recon_ent {
	uint64_t first_ns;
	uint32_t n;
	uint64_t seen[RECON_PATHS];
};

struct judge {
	const struct policy *policy;
	struct fold *fold; /* NULL: folding off */
	judge_summary_fn sink;
	void *ctx;
	struct judge_stats st;
	struct lru *recon;
	uint64_t recon_window_ns;
};

static void summary_cb(const struct fold_summary *s, void *ctx)
{
	struct judge *j = ctx;

	/* a window whose only hit was the written event needs no summary */
	if (s->count < 2)
		return;
	j->st.summaries++;
	j->sink(j->ctx, s, (int64_t)clock_now(CLOCK_REALTIME));
}

struct judge *judge_new(const struct policy *p, judge_summary_fn sink, void *ctx)
{
	uint64_t window = (uint64_t)p->fold_window_s * 1000000000ULL;
	struct judge *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->policy = p;
	j->sink = sink;
	j->ctx = ctx;
	j->recon_window_ns = window ? window : (uint64_t)POLICY_DEFAULT_FOLD_S * 1000000000ULL;
	j->recon = lru_new(RECON_PROCS, sizeof(struct recon_ent));
	if (!j->recon) {
		free(j);
		errno = ENOMEM;
		return NULL;
	}
	if (!window)
		return j; /* folding off */
	j->fold = fold_new(FOLD_CAPACITY, window, summary_cb, j);
	if (!j->fold) {
		lru_free(j->recon);
		free(j);
		errno = ENOMEM;
		return NULL;
	}
	fold_seed(j->fold, clock_now(CLOCK_REALTIME), (uint64_t)getpid() * 0x9e3779b97f4a7c15ULL);
	return j;
}

void judge_free(struct judge *j)
{
	if (!j)
		return;
	fold_free(j->fold);
	lru_free(j->recon);
	free(j);
}

/* The rule subject of an event's process. */
static void subject(const struct cw_event *e, struct cw_subject *s)
{
	const struct attrib_result *r = &e->who.res;

	memset(s, 0, sizeof(*s));
	s->host = r->host;
	s->pod_uid = r->pod_uid[0] ? r->pod_uid : NULL;
	s->pod_namespace = r->pod_namespace[0] ? r->pod_namespace : NULL;
	s->pod_name = r->pod_name[0] ? r->pod_name : NULL;
	s->service_account = r->service_account[0] ? r->service_account : NULL;
	s->image = r->image[0] ? r->image : NULL;
	s->container = r->container_name[0] ? r->container_name : NULL;
	s->exe = e->who.exe[0] ? e->who.exe : NULL;
	s->pod_cred = r->pod_cred;
	s->container_cred = r->container_cred;
	s->pod_identity_associated = r->pod_identity_associated;
	s->volume_cred = r->volume_cred;
	s->spec_cred = r->spec_cred;
	if (e->who.proc.source != PROC_SRC_UNKNOWN) {
		s->exe_dev = e->who.proc.rec.exe_dev;
		s->exe_ino = e->who.proc.rec.exe_ino;
	}
	s->host_mntns = e->who.host_mntns;
	s->fileless = e->who.fileless;
}

static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* How many distinct credential locations this workload failed to open in the window, this
 * one included. */
static unsigned int recon_count(struct judge *j, const struct cw_event *e)
{
	const struct cw_file_info *fi = &e->x.file;
	uint64_t h = fnv1a(fi->req, fi->req_len) | 1;
	uint64_t cg = e->who.moved && e->who.origin_cgid ? e->who.origin_cgid : e->task->cgroup_id;
	struct recon_ent *r = lru_get(j->recon, cg, 0);

	if (r && (uint64_t)e->real_ns - r->first_ns > j->recon_window_ns)
		r = NULL; /* the window ended: start again */
	if (!r) {
		r = lru_put(j->recon, cg, 0);
		memset(r, 0, sizeof(*r));
		r->first_ns = (uint64_t)e->real_ns;
	}
	for (uint32_t i = 0; i < r->n && i < RECON_PATHS; i++)
		if (r->seen[i] == h)
			return r->n;
	if (r->n < RECON_PATHS)
		r->seen[r->n] = h;
	r->n++;
	return r->n;
}

static enum cred_endpoint endpoint_of(unsigned int kind)
{
	return kind == CW_EP_IMDS		     ? EP_IMDS
	       : kind == CW_EP_POD_IDENTITY_AGENT    ? EP_POD_IDENTITY
	       : kind == CW_EP_CONTAINER_CREDENTIALS ? EP_ECS
						     : EP_UNKNOWN;
}

static int judge_http(const struct judge *j, const struct cw_subject *s, struct cw_event *e)
{
	const struct cw_http_info *hi = &e->x.http;
	const struct conn_req *r = hi->d->r;
	const struct cw_ev_endpoint *ce = hi->d->connect;
	struct rules_http rh = {
		.endpoint = endpoint_of(ce->kind),
		.imds_ver = r ? r->cls.imds_ver : IMDS_VER_NA,
		.credential_request = hi->credential_request,
		.evasive = hi->delivered && !hi->credential_path,
		.request_seen = r != NULL,
		.sdk = r && r->sdk.id != SDK_UNKNOWN ? &r->sdk : NULL,
		.blocked = hi->blocked,
	};

	if (r)
		snprintf(e->v.target, sizeof(e->v.target), "%s:%s %.*s",
			 endpoint_kind_name(ce->kind), r->req.method_raw, (int)r->req.path_len,
			 r->req.path);
	else
		snprintf(e->v.target, sizeof(e->v.target), "%s:(request not seen)",
			 endpoint_kind_name(ce->kind));
	return rules_eval_http(j->policy, s, &rh, e->v.f);
}

static int judge_unparsed(const struct judge *j, const struct cw_subject *s, struct cw_event *e)
{
	const struct conn_unparsed *u = e->x.unparsed.u;
	struct rules_unparsed ru = {
		.endpoint = endpoint_of(u->connect->kind),
		.why = httpmsg_fail_name(u->why),
		.responses = u->dir == CW_HTTP_INGRESS,
	};

	snprintf(e->v.target, sizeof(e->v.target), "%s:unparsed %s",
		 endpoint_kind_name(u->connect->kind), ru.responses ? "responses" : "requests");
	return rules_eval_unparsed(j->policy, s, &ru, e->v.f);
}

static int judge_file(struct judge *j, const struct cw_subject *s, struct cw_event *e)
{
	struct cw_file_info *fi = &e->x.file;
	const struct attrib_owner *o = &fi->owner;
	int32_t result = e->rec.file->result;
	struct rules_file rf = {
		.kind = fi->kind,
		.failed = result != 0,
		.unseen = e->rec.file->rule == CW_FR_UNSEEN,
		.owner_found = o->found,
		.owner_verified = o->verified,
		.owner_pod_uid = o->pod_uid[0] ? o->pod_uid : NULL,
		.owner_namespace = o->pod_namespace[0] ? o->pod_namespace : NULL,
		.owner_pod_name = o->pod_name[0] ? o->pod_name : NULL,
		.blocked = result == -EACCES || result == -EPERM,
		.peer_agent = fi->peer_agent,
	};

	if (rf.failed && !rf.peer_agent) {
		fi->recon = rf.recon = recon_count(j, e);
		if (rf.recon >= RULES_RECON_MIN) {
			/* one window per workload and image: the probes after the threshold fold */
			snprintf(e->v.target, sizeof(e->v.target), "credential_reconnaissance");
			return rules_eval_file(j->policy, s, &rf, e->v.f);
		}
	}
	/* the same file of the same owner: one target (a rotated token is the same) */
	if (o->found)
		snprintf(e->v.target, sizeof(e->v.target), "%s:pod/%s/%s", file_kind_name(fi->kind),
			 o->pod_uid, o->volume);
	else
		snprintf(e->v.target, sizeof(e->v.target), "%s:%.*s", file_kind_name(fi->kind),
			 (int)(fi->path_len ? fi->path_len : fi->req_len),
			 fi->path_len ? fi->path : fi->req);
	return rules_eval_file(j->policy, s, &rf, e->v.f);
}

static int judge_socket(const struct judge *j, const struct cw_subject *s, struct cw_event *e)
{
	const struct cw_sock_info *si = &e->x.sock;
	int32_t result = e->rec.sock->result;
	struct rules_socket rs = { .kind = si->kind,
				   .blocked = result == -EACCES || result == -EPERM };

	snprintf(e->v.target, sizeof(e->v.target), "%s:%s", socket_kind_name(si->kind),
		 si->node_path ? si->node_path : si->req);
	return rules_eval_socket(j->policy, s, &rs, e->v.f);
}

static int judge_move(const struct judge *j, const struct cw_subject *s, struct cw_event *e)
{
	const struct cw_move_info *mi = &e->x.move;
	struct rules_move rm = {
		.moved_pid = e->rec.move->moved_pid,
		.from_pod = mi->from.pod,
		.to_pod = mi->to.pod,
		.same_pod = mi->same_pod,
		.clone = e->rec.move->how == CW_MOVE_CLONE,
		.from_pod_name = mi->from.pod_name[0] ? mi->from.pod_name : mi->from.pod_uid,
		.to_pod_name = mi->to.pod_name[0] ? mi->to.pod_name : mi->to.pod_uid,
	};

	snprintf(e->v.target, sizeof(e->v.target), "cgroup:%s",
		 mi->to.cgpath ? mi->to.cgpath : "?");
	return rules_eval_move(j->policy, s, &rm, e->v.f);
}

static int judge_flood(const struct judge *j, const struct cw_subject *s, struct cw_event *e)
{
	const struct cw_flood_rec *f = e->rec.flood;
	struct rules_flood rf = {
		.full = f->d.full,
		.low_refused = f->d.low_refused,
		.secs = f->episode_secs,
	};

	snprintf(e->v.target, sizeof(e->v.target), "flood:cgroup %llu",
		 (unsigned long long)f->task.cgroup_id);
	return rules_eval_flood(j->policy, s, &rf, e->v.f);
}

/* fold: false when this event is a repeat inside an open window */
static bool admit(struct judge *j, const struct cw_subject *s, const struct cw_event *e)
{
	const struct finding *top = &e->v.f[0];
	struct fold_key k;

	j->st.findings[top->severity < SEV__COUNT ? top->severity : 0]++;
	if (!j->fold)
		return true;
	k = (struct fold_key){
		.rule = top->rule,
		.severity = top->severity,
		.host = s->host,
		.pod_uid = s->pod_uid,
		.pod_namespace = s->pod_namespace,
		.pod_name = s->pod_name,
		.container = s->container,
		.exe = s->exe,
		.target = e->v.target,
	};
	if (fold_hit(j->fold, &k, (uint64_t)e->real_ns) == FOLD_EMIT)
		return true;
	j->st.folded++;
	return false;
}

void judge_event(struct judge *j, struct cw_event *e)
{
	struct cw_subject s;

	subject(e, &s);
	e->v.n = 0;
	e->v.target[0] = 0;
	switch (e->kind) {
	case CWE_HTTP_REQUEST:
		e->v.n = judge_http(j, &s, e);
		break;
	case CWE_FILE_OPEN:
		e->v.n = judge_file(j, &s, e);
		break;
	case CWE_SOCKET_CONNECT:
		e->v.n = judge_socket(j, &s, e);
		break;
	case CWE_CGROUP_MOVE:
		e->v.n = judge_move(j, &s, e);
		break;
	case CWE_ENDPOINT_UNPARSED:
		e->v.n = judge_unparsed(j, &s, e);
		break;
	case CWE_EVENT_FLOOD:
		e->v.n = judge_flood(j, &s, e);
		break;
	default:
		break; /* endpoint_connect: an audit record, no rule */
	}
	e->v.folded = e->v.n && !admit(j, &s, e);
}

void judge_expire(struct judge *j, bool flush)
{
	if (!j->fold)
		return;
	if (flush)
		fold_flush_all(j->fold, clock_now(CLOCK_REALTIME));
	else
		fold_expire(j->fold, clock_now(CLOCK_REALTIME));
}

void judge_stats(const struct judge *j, struct judge_stats *out)
{
	*out = j->st;
	out->fold_on = j->fold != NULL;
	if (j->fold) {
		out->fold_open = fold_count(j->fold);
		out->fold_closed_early = fold_evictions(j->fold);
		out->fold_capacity = fold_capacity(j->fold);
		out->fold_bytes = fold_bytes(j->fold);
	}
}
