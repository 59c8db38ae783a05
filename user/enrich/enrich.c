// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "enrich/args.h"
#include "enrich/attrib.h"
#include "enrich/cgroup_parse.h"
#include "enrich/cgroups.h"
#include "enrich/credfiles.h"
#include "enrich/enrich.h"
#include "enrich/peers.h"
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
	struct credfiles *credfiles;
	uint32_t host_mntns;
	struct peers *peers; /* NULL: no other agent is looked for */
	struct args_cache args;
	struct enrich_stats st;
	/* the origin cgroup's path of a moved process, copied (a later cgroups lookup may
	 * replace the cache entry it came from) */
	char origin_buf[1024];
	char move_from[1024], move_to[1024]; /* a cgroup move's two paths, copied */
	struct attrib_result scratch;
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

void enrich_set_node(struct enrich *e, struct credfiles *cf, uint32_t host_mntns)
{
	e->credfiles = cf;
	e->host_mntns = host_mntns;
}

void enrich_set_peers(struct enrich *e, struct peers *peers)
{
	e->peers = peers;
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
	fi->kind = filekind_of(r->rule, r->known, fi->path, fi->path_len, fi->req, fi->req_len);
	return fi->kind != FK_NONE;
}

/* A cgroup move's side: the cgroup's path (copied) and whether it is a pod's. */
static void move_side(struct enrich *e, uint64_t cgid, uint64_t pod_cgid, char *buf, size_t cap,
		      struct cw_move_side *side)
{
	const char *p = cgid ? cgroups_path(e->cgroups, cgid, NULL) : NULL;
	struct cg_info ci;

	memset(side, 0, sizeof(*side));
	if (p) {
		snprintf(buf, cap, "%s", p);
		side->cgpath = buf;
		if (cg_parse(buf[0] ? buf : "/", &ci) == 0 && !ci.nested &&
		    (ci.cls == CG_CLASS_POD || ci.cls == CG_CLASS_CONTAINER ||
		     ci.cls == CG_CLASS_CONMON)) {
			side->pod = true;
			snprintf(side->pod_uid, sizeof(side->pod_uid), "%s", ci.pod_uid);
		}
	}
	/* the kernel's pod map says so even when the path is not known (any more) */
	if (pod_cgid)
		side->pod = true;
}

/* Which moves are written: out of a pod into anything but that pod. Moves into a pod from the
 * host (the runtime starting a container, kubectl exec) and within a pod are counted only. */
static bool move_what(struct enrich *e, struct cw_event *ev)
{
	const struct cw_ev_attach *r = ev->rec.move;
	struct cw_move_info *mi = &ev->x.move;

	move_side(e, r->from_cgid, r->from_pod_cgid, e->move_from, sizeof(e->move_from), &mi->from);
	move_side(e, r->to_cgid, r->to_pod_cgid, e->move_to, sizeof(e->move_to), &mi->to);
	mi->same_pod = mi->from.pod && mi->to.pod &&
		       ((mi->from.pod_uid[0] && !strcmp(mi->from.pod_uid, mi->to.pod_uid)) ||
			(r->from_pod_cgid && r->from_pod_cgid == r->to_pod_cgid));
	e->st.moves++;
	if (!r->from_cgid) {
		e->st.moves_unknown_origin++;
		return false;
	}
	if (!mi->from.pod) {
		e->st.moves_into_pod += mi->to.pod;
		return false;
	}
	if (mi->same_pod) {
		e->st.moves_within_pod++;
		return false;
	}
	/* back into the pod it came from (its origin): it returns, it does not escape */
	if (r->origin_cgid && mi->to.pod) {
		const char *op = cgroups_path(e->cgroups, r->origin_cgid, NULL);
		struct cg_info oi;

		if (op && !cg_parse(op[0] ? op : "/", &oi) && oi.pod_uid[0] &&
		    !strcmp(oi.pod_uid, mi->to.pod_uid)) {
			e->st.moves_home++;
			return false;
		}
	}
	e->st.moves_out_of_pod++;
	return true;
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
	case CWE_CGROUP_MOVE:
		/* not credential access: not counted as filtered, but by kind in moves_* */
		return move_what(e, ev);
	default:
		break;
	}
	if (!wanted)
		e->st.filtered++;
	return wanted;
}

/* --- who ----------------------------------------------------------------------------------- */

/*
 * A process that left a pod's cgroup (cw_task.flags): the pod it came from, whatever cgroup
 * it is in now. Returns the cgroup path attribution goes by (NULL: not known).
 */
static const char *origin_of(struct enrich *e, struct cw_event *ev)
{
	const struct cw_task *t = ev->task;
	struct cw_who *w = &ev->who;
	const char *p;

	w->moved = true;
	if (procs_origin(e->procs, t->pid, t->start_ns, &w->origin_cgid) || !w->origin_cgid) {
		e->st.origin_unknown++;
		return NULL;
	}
	p = cgroups_path(e->cgroups, w->origin_cgid, NULL);
	if (!p) {
		e->st.origin_unknown++;
		return NULL;
	}
	snprintf(e->origin_buf, sizeof(e->origin_buf), "%s", p);
	w->origin_cgpath = e->origin_buf;
	return w->origin_cgpath;
}

void enrich_who(struct enrich *e, struct cw_event *ev, uint64_t now)
{
	const struct cw_task *t = ev->task;
	struct cw_who *w = &ev->who;
	const char *origin = NULL;
	struct cg_info ci;

	w->cg_removed = false;
	w->moved = false;
	w->origin_cgid = 0;
	w->origin_cgpath = NULL;
	w->cur_pod_uid[0] = 0;
	/* the origin first: its path is copied, the current one stays in the cache */
	if (t->flags & CW_TF_LEFT_POD)
		origin = origin_of(e, ev);
	w->cgpath = cgroups_path(e->cgroups, t->cgroup_id, &w->cg_removed);
	if (w->cgpath && cg_parse(w->cgpath[0] ? w->cgpath : "/", &ci) == 0 && ci.pod_uid[0])
		snprintf(w->cur_pod_uid, sizeof(w->cur_pod_uid), "%s", ci.pod_uid);
	/* the root cgroup's path is "": a host process, not an unknown cgroup. A process that
	 * left a pod is that pod's, wherever it went. */
	if (origin)
		attrib_workload(e->attrib, origin[0] ? origin : "/", t->netns_ino, now, &w->res);
	else
		attrib_workload(e->attrib, w->cgpath && !w->cgpath[0] ? "/" : w->cgpath,
				t->netns_ino, now, &w->res);
	if (w->moved && strcmp(w->cur_pod_uid, w->res.pod_uid) != 0) {
		w->res.conflicts |= ATTRIB_CONFLICT_MOVED;
		w->res.complete = false;
	}
	w->host_mntns = e->host_mntns && t->mntns_ino == e->host_mntns;
	procs_lookup(e->procs, t->pid, t->exec_id, t->start_ns, &w->proc);
	/* no file on disk: at exec (memfd, O_TMPFILE), or deleted since (seen at the event) */
	w->fileless = (w->proc.source != PROC_SRC_UNKNOWN && (w->proc.rec.flags & CW_F_FILELESS)) ||
		      (t->flags & CW_TF_EXE_UNLINKED);
	w->memfd = w->proc.source != PROC_SRC_UNKNOWN && (w->proc.rec.flags & CW_F_MEMFD);
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

	const struct credfile *cf;
	const char *lpath = fi->path;
	size_t lpath_len = fi->path_len;

	fi->volume_len = filekind_volume(fi->path, fi->path_len, &fi->volume);
	if (!fi->volume_len)
		fi->volume_len = filekind_volume(fi->req, fi->req_len, &fi->volume);
	/* a credential file known from node state: who owns it, where it was found */
	cf = !r->result && r->rule != CW_FR_UNSEEN ? credfiles_lookup(e->credfiles, r->dev, r->ino)
						   : NULL;
	if (cf) {
		fi->cred = *cf;
		fi->have_cred = true;
	}
	fi->token = !r->result && file_kind_is_token(fi->kind);
	/* a failed open (no owner to compare with): another credwatch agent probing? */
	fi->peer_agent = r->result && e->peers &&
			 peers_is_agent(e->peers, ev->task->pid, ev->task->start_ns, now);
	if (!fi->token)
		return;
	attrib_file_owner(e->attrib, r->dev, fi->path, fi->path_len, now, &fi->owner);
	if (!fi->owner.found && fi->have_cred && fi->cred.pod_uid[0] &&
	    fi->cred.src == CW_CRED_PROJECTED) {
		/* the path names no volume (a mount of the volume elsewhere, a hard link in a
		 * directory the atomic writer does not own): the inode is the volume's token */
		attrib_file_owner(e->attrib, r->dev, fi->cred.path, strlen(fi->cred.path), now,
				  &fi->owner);
		fi->owner.sources |= ATTRIB_SRC_CREDFILES;
	}
	if (!fi->owner.found && fi->have_cred && fi->cred.pod_uid[0]) {
		/* named by a container's variable: the container's pod */
		fi->owner.found = fi->owner.verified = true;
		fi->owner.sources = ATTRIB_SRC_CREDFILES;
		snprintf(fi->owner.pod_uid, sizeof(fi->owner.pod_uid), "%s", fi->cred.pod_uid);
	}
	if (fi->owner.found) {
		const char *slash;
		size_t ll;
		char leaf[256];

		/* the claims are read from the volume under the file's name there */
		if (fi->have_cred && fi->cred.src == CW_CRED_PROJECTED) {
			lpath = fi->cred.path;
			lpath_len = strlen(lpath);
		}
		slash = memrchr(lpath, '/', lpath_len);
		ll = slash ? lpath_len - (slash + 1 - lpath) : lpath_len;
		if (ll >= sizeof(leaf))
			ll = sizeof(leaf) - 1;
		memcpy(leaf, slash ? slash + 1 : lpath, ll);
		leaf[ll] = 0;
		attrib_token(e->attrib, r->dev, r->ino, leaf, now, &fi->tok);
		fi->have_token = true;
	}
	/* a host process, or another pod's: is it another credwatch agent attributing? */
	if (e->peers && (ev->who.res.host || !fi->owner.found ||
			 strcmp(fi->owner.pod_uid, ev->who.res.pod_uid) != 0))
		fi->peer_agent = peers_is_agent(e->peers, ev->task->pid, ev->task->start_ns, now);
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

/* names of the pods on both sides of a move, for the event and the finding's summary */
static void move_names(struct enrich *e, struct cw_move_side *side, uint32_t netns, uint64_t now)
{
	struct attrib_result *r = &e->scratch;

	if (!side->pod || !side->cgpath)
		return;
	attrib_workload(e->attrib, side->cgpath, netns, now, r);
	if (r->pod_namespace[0])
		snprintf(side->pod_name, sizeof(side->pod_name), "%s/%s", r->pod_namespace,
			 r->pod_name);
	else if (r->pod_uid[0])
		snprintf(side->pod_name, sizeof(side->pod_name), "%s", r->pod_uid);
	snprintf(side->container, sizeof(side->container), "%s", r->container_name);
}

static void move_details(struct enrich *e, struct cw_event *ev, uint64_t now)
{
	move_names(e, &ev->x.move.from, 0, now);
	move_names(e, &ev->x.move.to, 0, now);
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
	case CWE_CGROUP_MOVE:
		move_details(e, ev, now);
		break;
	default:
		break;
	}
}

const struct enrich_stats *enrich_stats(const struct enrich *e)
{
	return &e->st;
}
