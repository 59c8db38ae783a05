// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "enrich/args.h"
#include "enrich/attrib.h"
#include "enrich/cgroup_parse.h"
#include "enrich/cgroups.h"
#include "enrich/enrich.h"
#include "enrich/filekind.h"
#include "enrich/procs.h"
#include "enrich/sdk.h"
#include "enrich/sockets.h"
#include "util/log.h"

struct enrich {
	struct cgroups *cgroups;
	struct procs *procs;
	struct attrib *attrib;
	const struct socket_watch *sockets;
	struct args_cache args;
	struct enrich_stats st;
};

struct enrich *enrich_new(struct cgroups *cg, struct procs *procs, struct attrib *attrib,
			  const struct socket_watch *sockets)
{
	struct enrich *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->cgroups = cg;
	e->procs = procs;
	e->attrib = attrib;
	e->sockets = sockets;
	return e;
}

void enrich_free(struct enrich *e)
{
	free(e);
}

static size_t cgpath_len(const struct cw_ev_cgroup *ev)
{
	return ev->path_len < CW_CGPATH_MAX ? ev->path_len : CW_CGPATH_MAX;
}

void enrich_cgroup_added(struct enrich *e, const struct cw_ev_cgroup *ev)
{
	cgroups_added(e->cgroups, ev->id, (const char *)ev->path, cgpath_len(ev));
}

void enrich_cgroup_removed(struct enrich *e, const struct cw_ev_cgroup *ev)
{
	struct cg_info info;
	char path[CW_CGPATH_MAX + 1];
	size_t n = cgpath_len(ev);

	memcpy(path, ev->path, n);
	path[n] = 0;
	if (cg_parse(path, &info) == 0 && info.container_id[0])
		attrib_forget_container(e->attrib, info.container_id);
	cgroups_removed(e->cgroups, ev->id);
}

/* --- what ---------------------------------------------------------------------------------- */

static bool file_what(struct cw_event *ev)
{
	const struct cw_ev_file *r = ev->rec.file;
	struct cw_file_info *fi = &ev->x.file;

	memset(fi, 0, sizeof(*fi));
	fi->path = (const char *)r->path;
	fi->path_len = r->path_len < CW_PATH_MAX ? r->path_len : CW_PATH_MAX;
	fi->req = (const char *)r->req;
	fi->req_len = r->req_len < CW_REQPATH_MAX ? r->req_len : CW_REQPATH_MAX;
	fi->kind = filekind_classify(r->rule, fi->path, fi->path_len, fi->req, fi->req_len);
	return fi->kind != FK_NONE;
}

static bool sock_what(struct enrich *e, struct cw_event *ev)
{
	const struct cw_ev_sock *r = ev->rec.sock;
	struct cw_sock_info *si = &ev->x.sock;
	int i;

	si->node_path = NULL;
	si->path = (const char *)r->path;
	si->path_len = r->path_len < CW_PATH_MAX ? r->path_len : CW_PATH_MAX;
	si->req_len = r->req_len < sizeof(r->req) ? r->req_len : sizeof(r->req);
	memcpy(si->req, r->req, si->req_len);
	si->req[si->req_len] = 0;
	if (r->resolved) {
		si->kind = r->kind;
		return true;
	}
	/* failed connect: no socket file to go by, only the requested path */
	i = sockets_match_path(e->sockets, si->req);
	if (i < 0)
		return false;
	si->kind = e->sockets->cfg[i].kind;
	return true;
}

bool enrich_what(struct enrich *e, struct cw_event *ev)
{
	bool wanted = true;

	switch (ev->kind) {
	case CWE_FILE_OPEN:
		wanted = file_what(ev);
		if (!wanted)
			pr_debug("discarded file_open of pid %u: not a credential path",
				 ev->task->pid);
		break;
	case CWE_SOCKET_CONNECT:
		wanted = sock_what(e, ev);
		if (!wanted)
			pr_debug("discarded socket_connect of pid %u: not a watched socket",
				 ev->task->pid);
		break;
	default:
		break;
	}
	if (!wanted)
		e->st.filtered++;
	return wanted;
}

/* --- who ----------------------------------------------------------------------------------- */

void enrich_who(struct enrich *e, struct cw_event *ev, uint64_t now)
{
	const struct cw_task *t = ev->task;
	struct cw_who *w = &ev->who;

	w->cg_removed = false;
	w->cgpath = cgroups_path(e->cgroups, t->cgroup_id, &w->cg_removed);
	/* the root cgroup's path is "": a host process, not an unknown cgroup */
	attrib_workload(e->attrib, w->cgpath && !w->cgpath[0] ? "/" : w->cgpath, t->netns_ino, now,
			&w->res);
	procs_lookup(e->procs, t->pid, t->exec_id, t->start_ns, &w->proc);
	w->argv = NULL;
	if (w->proc.source != PROC_SRC_UNKNOWN) {
		size_t n = w->proc.rec.exe_len < CW_EXE_MAX ? w->proc.rec.exe_len : CW_EXE_MAX;

		memcpy(w->exe, w->proc.rec.exe, n);
		w->exe[n] = 0;
	} else {
		w->exe[0] = 0;
	}
}

/* --- details ------------------------------------------------------------------------------- */

static void ancestors(struct enrich *e, struct cw_event *ev)
{
	const struct cw_task *t = ev->task;

	for (int i = 0; i < CW_ANCESTORS; i++) {
		struct proc_view av;

		ev->who.anc[i].known = false;
		if (!t->anc[i].pid)
			break;
		procs_lookup(e->procs, t->anc[i].pid, t->anc[i].exec_id, 0, &av);
		if (av.source == PROC_SRC_UNKNOWN)
			continue;
		ev->who.anc[i].known = true;
		ev->who.anc[i].exe_len = av.rec.exe_len < CW_EXE_MAX ? av.rec.exe_len : CW_EXE_MAX;
		memcpy(ev->who.anc[i].exe, av.rec.exe, ev->who.anc[i].exe_len);
	}
}

static void file_details(struct enrich *e, struct cw_event *ev, uint64_t now)
{
	const struct cw_ev_file *r = ev->rec.file;
	struct cw_file_info *fi = &ev->x.file;

	fi->volume_len = filekind_volume(fi->path, fi->path_len, &fi->volume);
	if (!fi->volume_len)
		fi->volume_len = filekind_volume(fi->req, fi->req_len, &fi->volume);
	fi->token = !r->result && file_kind_is_token(fi->kind);
	if (!fi->token)
		return;
	attrib_file_owner(e->attrib, r->dev, fi->path, fi->path_len, now, &fi->owner);
	if (fi->owner.found) {
		const char *slash = memrchr(fi->path, '/', fi->path_len);
		size_t ll = slash ? fi->path_len - (slash + 1 - fi->path) : fi->path_len;
		char leaf[256];

		if (ll >= sizeof(leaf))
			ll = sizeof(leaf) - 1;
		memcpy(leaf, slash ? slash + 1 : fi->path, ll);
		leaf[ll] = 0;
		attrib_token(e->attrib, r->dev, r->ino, leaf, now, &fi->tok);
		fi->have_token = true;
	}
}

static void http_details(struct cw_event *ev)
{
	struct cw_http_info *hi = &ev->x.http;
	const struct conn_req *r = hi->d->r;

	hi->imds = hi->d->connect->kind == CW_EP_IMDS;
	hi->credential_path =
		r && (r->cls.cls == REQ_IMDS_CREDENTIALS || r->cls.cls == REQ_PI_CREDENTIALS ||
		      r->cls.cls == REQ_ECS_CREDENTIALS);
	/* the response is the ground truth: credentials delivered make it a credential fetch,
	 * whatever the request looked like */
	hi->delivered = hi->d->creds != NULL;
	hi->credential_request = hi->credential_path || hi->delivered;
	/* refused (401/403), failed (any other 4xx/5xx) or never answered: no credentials left
	 * the endpoint. A 2xx whose body could not be read as credentials is not lowered. */
	hi->blocked = !hi->delivered && (hi->d->timed_out || hi->d->status >= 400);
	hi->pi_support = r ? sdk_pod_identity_support(&r->sdk) : SDK_PI_UNKNOWN;
	hi->pi_minimum = r ? sdk_pod_identity_min(r->sdk.id) : NULL;
}

void enrich_details(struct enrich *e, struct cw_event *ev, uint64_t now)
{
	if (ev->who.proc.source != PROC_SRC_UNKNOWN)
		ev->who.argv = args_of(&e->args, &ev->who.proc.rec);
	ancestors(e, ev);
	switch (ev->kind) {
	case CWE_FILE_OPEN:
		file_details(e, ev, now);
		break;
	case CWE_SOCKET_CONNECT:
		if (ev->rec.sock->resolved)
			ev->x.sock.node_path =
				sockets_path_of(e->sockets, ev->rec.sock->ino, ev->rec.sock->dev);
		break;
	case CWE_HTTP_REQUEST:
		http_details(ev);
		break;
	default:
		break;
	}
}

const struct enrich_stats *enrich_stats(const struct enrich *e)
{
	return &e->st;
}
