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

#define FOLD_CAPACITY 4096

struct judge {
	const struct policy *policy;
	struct fold *fold; /* NULL: folding off */
	judge_summary_fn sink;
	void *ctx;
	struct judge_stats st;
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
	if (!window)
		return j; /* folding off */
	j->fold = fold_new(FOLD_CAPACITY, window, summary_cb, j);
	if (!j->fold) {
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

static int judge_file(const struct judge *j, const struct cw_subject *s, struct cw_event *e)
{
	const struct cw_file_info *fi = &e->x.file;
	const struct attrib_owner *o = &fi->owner;
	int32_t result = e->rec.file->result;
	struct rules_file rf = {
		.kind = fi->kind,
		.owner_found = o->found,
		.owner_verified = o->verified,
		.owner_pod_uid = o->pod_uid[0] ? o->pod_uid : NULL,
		.owner_namespace = o->pod_namespace[0] ? o->pod_namespace : NULL,
		.owner_pod_name = o->pod_name[0] ? o->pod_name : NULL,
		.blocked = result == -EACCES || result == -EPERM,
	};

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
	case CWE_ENDPOINT_UNPARSED:
		e->v.n = judge_unparsed(j, &s, e);
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
