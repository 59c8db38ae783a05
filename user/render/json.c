// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON lines renderer. Everything here formats what it is handed; nothing is looked up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "config.h"
#include "enrich/jwt.h"
#include "enrich/ocispec.h"
#include "enrich/sdk.h"
#include "intake/decode.h"
#include "render/json.h"
#include "util/clock.h"

struct json_renderer {
	struct renderer base;
	struct output *out;
	struct node_ident node;
	char line[JSON_LINE_MAX];
};

/* ---------------------------------------------------------------------------------------- */
/* line frame */

static void begin(struct json_renderer *jr, struct jw *w, const char *event, int64_t real_ns)
{
	char t[CLOCK_RFC3339_LEN + 8];

	clock_format_rfc3339(real_ns, t, sizeof(t));
	jw_init(w, jr->line, sizeof(jr->line));
	jw_obj_open(w, NULL);
	jw_str(w, "schema", JSON_SCHEMA, 0);
	jw_str(w, "time", t, 0);
	jw_str(w, "event", event, 0);
	jw_obj_open(w, "node");
	jw_str(w, "name", jr->node.name, 256);
	if (jr->node.instance_id && jr->node.instance_id[0])
		jw_str(w, "instance_id", jr->node.instance_id, 64);
	if (jr->node.cluster && jr->node.cluster[0])
		jw_str(w, "cluster", jr->node.cluster, 256);
	jw_obj_close(w);
}

static void end(struct json_renderer *jr, struct jw *w)
{
	size_t n = jw_finish(w);

	output_line(jr->out, w->buf, n, jw_overflowed(w));
}

/* ---------------------------------------------------------------------------------------- */
/* parts */

static void put_bits(struct jw *w, const char *key, unsigned int bits,
		     const char *(*name)(unsigned int))
{
	jw_arr_open(w, key);
	for (unsigned int i = 0; i < 32; i++) {
		const char *s = (bits & (1u << i)) ? name(1u << i) : NULL;

		if (s)
			jw_str(w, NULL, s, 0);
	}
	jw_arr_close(w);
}

/* a string, null when unknown ("") */
static void put_known(struct jw *w, const char *key, const char *s)
{
	if (s && s[0])
		jw_str(w, key, s, 0);
	else
		jw_null(w, key);
}

/* file side (issue 14): a process that left its pod's cgroup, in its "attribution" */
static void put_origin(struct jw *w, const struct attrib_result *r, const struct cw_who *who)
{
	if (!who || !who->moved)
		return;
	jw_obj_open(w, "origin");
	jw_u64(w, "cgroup_id", who->origin_cgid);
	put_known(w, "cgroup_path", who->origin_cgpath);
	put_known(w, "pod_uid", who->origin_cgpath ? r->pod_uid : NULL);
	jw_obj_close(w);
	put_known(w, "current_pod_uid", who->cur_pod_uid);
}

static void put_workload(struct jw *w, const struct attrib_result *r, const struct cw_who *who);

void json_put_workload(struct jw *w, const struct attrib_result *r)
{
	put_workload(w, r, NULL);
}

static void put_workload(struct jw *w, const struct attrib_result *r, const struct cw_who *who)
{
	jw_bool(w, "host", r->host);
	if (r->has_pod) {
		jw_obj_open(w, "pod");
		put_known(w, "uid", r->pod_uid);
		put_known(w, "namespace", r->pod_namespace);
		put_known(w, "name", r->pod_name);
		put_known(w, "service_account", r->service_account);
		put_bits(w, "credential_mode", r->pod_cred, attrib_cred_str);
		put_known(w, "role_arn", r->role_arn);
		if (r->host_network >= 0)
			jw_bool(w, "host_network", r->host_network);
		else
			jw_null(w, "host_network");
		jw_bool(w, "pod_identity_associated", r->pod_identity_associated);
		jw_obj_close(w);
	} else {
		jw_null(w, "pod");
	}
	if (r->has_container) {
		jw_obj_open(w, "container");
		put_known(w, "id", r->container_id);
		put_known(w, "name", r->container_name);
		put_known(w, "image", r->image);
		put_known(w, "runtime", r->runtime);
		put_known(w, "type", r->type);
		put_bits(w, "credential_mode", r->container_cred, attrib_cred_str);
		if (r->static_key_env)
			put_bits(w, "static_key_env", r->static_key_env, oci_secret_env_name);
		jw_obj_close(w);
	} else {
		jw_null(w, "container");
	}
	jw_obj_open(w, "attribution");
	jw_bool(w, "complete", r->complete);
	put_bits(w, "sources", r->sources, attrib_source_str);
	put_bits(w, "missing", r->missing, attrib_source_str);
	/* known not to exist on the node (not missing): a pod without a service-account token */
	if (r->sa_absent)
		put_bits(w, "absent", ATTRIB_SRC_SA_TOKEN, attrib_source_str);
	if (r->pending)
		jw_bool(w, "pending", true);
	if (r->conflicts)
		put_bits(w, "conflicts", r->conflicts, attrib_conflict_str);
	if (r->conflicts & ATTRIB_CONFLICT_NETNS)
		put_known(w, "netns_pod_uid", r->netns_pod_uid);
	put_origin(w, r, who);
	jw_obj_close(w);
}

void json_put_owner(struct jw *w, const struct attrib_owner *o)
{
	if (!o->found) {
		jw_null(w, "owner");
		return;
	}
	jw_obj_open(w, "owner");
	put_known(w, "pod_uid", o->pod_uid);
	put_known(w, "namespace", o->pod_namespace);
	put_known(w, "pod_name", o->pod_name);
	put_known(w, "volume", o->volume);
	jw_str(w, "source",
	       (o->sources & ATTRIB_SRC_MOUNTINFO) ? "mountinfo"
	       : (o->sources & ATTRIB_SRC_PATH)	   ? "path"
						   : "credfiles",
	       0);
	jw_bool(w, "verified", o->verified);
	jw_obj_close(w);
}

void json_put_token(struct jw *w, const struct attrib_token *t)
{
	char ts[32];

	if (!t->found) {
		jw_null(w, "token");
		return;
	}
	jw_obj_open(w, "token");
	jw_str(w, "kind", jwt_audience_str(t->kind), 0);
	jw_arr_open(w, "audience");
	for (unsigned int i = 0; i < t->n_aud && i < JWT_MAX_AUD; i++)
		jw_str(w, NULL, t->aud[i], 0);
	jw_arr_close(w);
	put_known(w, "service_account", t->service_account);
	put_known(w, "namespace", t->pod_namespace);
	put_known(w, "pod_name", t->pod_name);
	put_known(w, "pod_uid", t->pod_uid);
	if (t->has_exp) {
		time_t s = (time_t)t->exp;
		struct tm tm;

		/* whole seconds: a token's exp claim has no fraction */
		if (gmtime_r(&s, &tm) && strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm))
			jw_str(w, "expires", ts, 0);
		else
			jw_null(w, "expires");
	} else {
		jw_null(w, "expires");
	}
	jw_bool(w, "inode_matched", t->inode_matched);
	jw_obj_close(w);
}

static void put_finding(struct jw *w, const char *key, const struct finding *f)
{
	jw_obj_open(w, key);
	jw_str(w, "rule", f->name, 0);
	jw_str(w, "severity", severity_name(f->severity), 0);
	jw_str(w, "mitre", f->mitre, 0);
	jw_str(w, "summary", f->summary, 0);
	jw_obj_close(w);
}

void json_put_findings(struct jw *w, const struct finding *f, int n)
{
	int top = 0;

	if (!f || n <= 0)
		return;
	for (int i = 1; i < n; i++)
		if (f[i].severity > f[top].severity)
			top = i;
	put_finding(w, "finding", &f[top]);
	jw_arr_open(w, "findings");
	for (int i = 0; i < n; i++)
		put_finding(w, NULL, &f[i]);
	jw_arr_close(w);
}

/* A string, null when empty; with the truncation marker when the fold slot cut it. */
static void put_cut(struct jw *w, const char *key, const char *s, bool cut)
{
	char buf[FOLD_EXE_MAX + FOLD_TARGET_MAX + sizeof(JW_TRUNC_MARK)];

	if (!s || !s[0]) {
		jw_null(w, key);
		return;
	}
	if (!cut) {
		jw_str(w, key, s, 0);
		return;
	}
	snprintf(buf, sizeof(buf), "%s%s", s, JW_TRUNC_MARK);
	jw_str(w, key, buf, 0);
}

void json_put_summary(struct jw *w, const struct fold_summary *s)
{
	char t[CLOCK_RFC3339_LEN + 8];

	jw_obj_open(w, "finding");
	jw_str(w, "rule", rule_name(s->rule) ? rule_name(s->rule) : "unknown", 0);
	jw_str(w, "severity", severity_name(s->severity), 0);
	if (rule_mitre(s->rule))
		jw_str(w, "mitre", rule_mitre(s->rule), 0);
	else
		jw_null(w, "mitre");
	jw_obj_close(w);
	jw_u64(w, "count", s->count);
	jw_obj_open(w, "window");
	clock_format_rfc3339((int64_t)s->start_ns, t, sizeof(t));
	jw_str(w, "start", t, 0);
	clock_format_rfc3339((int64_t)s->end_ns, t, sizeof(t));
	jw_str(w, "end", t, 0);
	jw_obj_close(w);
	jw_obj_open(w, "subject");
	put_cut(w, "pod_uid", s->pod_uid, s->cut & FOLD_CUT_UID);
	put_cut(w, "namespace", s->pod_namespace, s->cut & FOLD_CUT_NAMESPACE);
	put_cut(w, "pod_name", s->pod_name, s->cut & FOLD_CUT_POD_NAME);
	put_cut(w, "container", s->container, s->cut & FOLD_CUT_CONTAINER);
	put_cut(w, "exe", s->exe, s->cut & FOLD_CUT_EXE);
	jw_bool(w, "host", s->host);
	jw_obj_close(w);
	put_cut(w, "target", s->target, s->cut & FOLD_CUT_TARGET);
}

/* an allow entry's field, left out when empty */
static void put_opt(struct jw *w, const char *key, const char *s)
{
	if (s[0])
		jw_str(w, key, s, 0);
}

void json_put_policy(struct jw *w, const struct policy *p)
{
	jw_obj_open(w, "policy");
	jw_u64(w, "fold_window_seconds", p->fold_window_s);
	jw_obj_open(w, "rules");
	for (int r = 0; r < RULE__COUNT; r++) {
		jw_obj_open(w, rule_name(r));
		jw_bool(w, "enabled", p->rule[r].enabled);
		jw_str(w, "severity", severity_name(p->rule[r].severity), 0);
		jw_str(w, "mitre", rule_mitre(r), 0);
		jw_arr_open(w, "allow");
		for (int i = 0; i < p->nallow; i++) {
			const struct policy_allow *a = &p->allow[i];

			if (a->rule != r)
				continue;
			jw_obj_open(w, NULL);
			put_opt(w, "namespace", a->namespace);
			put_opt(w, "pod_prefix", a->pod_prefix);
			put_opt(w, "service_account", a->service_account);
			put_opt(w, "image_prefix", a->image_prefix);
			put_opt(w, "host_exe", a->host_exe);
			if (a->host_exe[0]) {
				/* what the path resolved to on the host: what is matched */
				if (a->exe_resolved) {
					char dev[32];

					jw_obj_open(w, "host_exe_inode");
					snprintf(dev, sizeof(dev), "%u:%u", a->exe_dev >> 20,
						 a->exe_dev & 0xfffff);
					jw_str(w, "dev", dev, 0);
					jw_u64(w, "ino", a->exe_ino);
					jw_obj_close(w);
				} else {
					jw_null(w, "host_exe_inode");
				}
			}
			jw_obj_close(w);
		}
		jw_arr_close(w);
		jw_obj_close(w);
	}
	jw_obj_close(w);
	jw_obj_close(w);
}

static void put_cache(struct jw *w, const char *key, const struct attrib_cache_stats *c)
{
	jw_obj_open(w, key);
	jw_u64(w, "entries", c->entries);
	jw_u64(w, "capacity", c->capacity);
	jw_u64(w, "evictions", c->evictions);
	jw_obj_close(w);
}

void json_put_attrib_stats(struct jw *w, const struct attrib_stats *s)
{
	jw_obj_open(w, "attrib");
	put_cache(w, "containers", &s->containers);
	put_cache(w, "pods", &s->pods);
	put_cache(w, "volumes", &s->volumes);
	put_cache(w, "tokens", &s->tokens);
	put_cache(w, "pod_logs", &s->pod_logs);
	jw_u64(w, "config_reads", s->config_reads);
	jw_u64(w, "token_reads", s->token_reads);
	jw_u64(w, "read_errors", s->read_errors);
	jw_u64(w, "refused", s->refused);
	jw_u64(w, "parse_errors", s->parse_errors);
	jw_u64(w, "logdir_scans", s->logdir_scans);
	jw_u64(w, "mountinfo_reads", s->mountinfo_reads);
	jw_u64(w, "memory_bytes", s->memory_bytes);
	jw_obj_close(w);
}

/* ---------------------------------------------------------------------------------------- */
/* events */

static void put_argv(struct jw *w, const struct cw_argv *a)
{
	bool trunc = a->truncated;

	jw_arr_open(w, "args");
	for (int i = 0; i < a->n; i++)
		trunc |= jw_strn(w, NULL, a->buf + a->item[i].off, a->item[i].len, 1024);
	jw_arr_close(w);
	jw_bool(w, "args_truncated", trunc);
	if (a->redacted)
		jw_bool(w, "args_redacted", true);
}

static void put_process(struct jw *w, const struct cw_task *t, const struct cw_who *who)
{
	const struct proc_view *vp = &who->proc;

	jw_obj_open(w, "process");
	jw_u64(w, "pid", t->pid);
	jw_u64(w, "tid", t->tid);
	jw_u64(w, "ppid", t->ppid);
	jw_u64(w, "uid", t->uid);
	jw_u64(w, "gid", t->gid);
	jw_strn(w, "comm", (const char *)t->comm, strnlen((const char *)t->comm, CW_COMM_LEN), 0);
	if (vp->source != PROC_SRC_UNKNOWN && who->argv) {
		jw_strn(w, "exe", (const char *)vp->rec.exe, vp->rec.exe_len, 1024);
		jw_bool(w, "exe_truncated", vp->rec.flags & CW_F_EXE_TRUNC);
		/* no file on disk: "memfd:<name>", or a deleted file's last path */
		jw_bool(w, "fileless", who->fileless);
		put_argv(w, who->argv);
	} else {
		jw_null(w, "exe");
		jw_arr_open(w, "args");
		jw_arr_close(w);
		jw_bool(w, "args_truncated", false);
	}
	jw_str(w, "source", proc_source_name(vp->source), 0);
	jw_arr_open(w, "ancestors");
	for (int i = 0; i < CW_ANCESTORS && t->anc[i].pid; i++) {
		const struct cw_ancestor *an = &t->anc[i];

		jw_obj_open(w, NULL);
		jw_u64(w, "pid", an->pid);
		jw_strn(w, "comm", (const char *)an->comm,
			strnlen((const char *)an->comm, CW_COMM_LEN), 0);
		if (who->anc[i].known)
			jw_strn(w, "exe", (const char *)who->anc[i].exe, who->anc[i].exe_len, 1024);
		else
			jw_null(w, "exe");
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_obj_close(w);

	jw_obj_open(w, "cgroup");
	jw_u64(w, "id", t->cgroup_id);
	if (who->cgpath)
		jw_str(w, "path", who->cgpath, 2048);
	else
		jw_null(w, "path");
	if (who->cg_removed)
		jw_bool(w, "removed", true);
	jw_obj_close(w);

	jw_obj_open(w, "namespaces");
	jw_u64(w, "net", t->netns_ino);
	jw_u64(w, "mnt", t->mntns_ino);
	jw_obj_close(w);
	put_workload(w, &who->res, who);
}

static void put_dev(struct jw *w, const char *key, uint32_t kdev)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%u:%u", kdev >> 20, kdev & 0xfffff);
	jw_str(w, key, buf, 0);
}

static void put_result(struct jw *w, int32_t result)
{
	jw_str(w, "result", cw_errno_name(-result), 0);
	if (result)
		jw_i64(w, "errno", -result);
}

static void put_endpoint(struct jw *w, const struct cw_ev_endpoint *ev)
{
	char addr[64];

	jw_obj_open(w, "endpoint");
	jw_str(w, "kind", endpoint_kind_name(ev->kind), 0);
	config_format_addr(ev->addr, addr, sizeof(addr));
	jw_str(w, "addr", addr, 0);
	jw_u64(w, "port", ev->port);
	jw_str(w, "family", ev->family == CW_AF_INET6 ? "ipv6" : "ipv4", 0);
	/* an IPv4 endpoint reached through an AF_INET6 socket (::ffff:a.b.c.d) */
	jw_bool(w, "ipv4_mapped", ev->family == CW_AF_INET6 && cw_addr_is_v4mapped(ev->addr));
	jw_str(w, "protocol", cw_protocol_name(ev->protocol), 0);
	if (ev->hdr.flags & CW_F_VIA_NAT) {
		/* the process connected elsewhere; its packets reached the endpoint */
		jw_bool(w, "via_nat", true);
		config_format_addr(ev->conn_addr, addr, sizeof(addr));
		jw_str(w, "connected_addr", addr, 0);
		jw_u64(w, "connected_port", ev->conn_port);
	}
	if (ev->hdr.flags & CW_F_FOUND_AT_START)
		jw_bool(w, "found_at_start", true);
	jw_obj_close(w);
	jw_obj_open(w, "socket");
	jw_u64(w, "cookie", ev->sock_cookie);
	jw_obj_close(w);
}

static void put_file(struct jw *w, const struct cw_event *e)
{
	const struct cw_ev_file *ev = e->rec.file;
	const struct cw_file_info *fi = &e->x.file;

	jw_obj_open(w, "file");
	jw_str(w, "kind", file_kind_name(fi->kind), 0);
	put_result(w, ev->result);
	if (fi->peer_agent)
		jw_bool(w, "credwatch_agent", true);
	if (fi->path_len) {
		jw_strn(w, "path", fi->path, fi->path_len, 2048);
		jw_bool(w, "path_truncated", ev->hdr.flags & CW_F_PATH_TRUNC);
	} else {
		jw_null(w, "path");
	}
	/* advisory: the string the process passed, not what the kernel opened */
	jw_strn(w, "requested_path", fi->req, fi->req_len, 2048);
	jw_str(w, "syscall", cw_syscall_name(ev->syscall), 0);
	if (ev->hdr.flags & CW_F_COMPAT)
		jw_bool(w, "compat", true); /* a 32-bit syscall */
	if (ev->hdr.flags & CW_F_URING_FIXED)
		jw_bool(w, "fixed_file", true); /* io_uring, into a fixed-file slot */
	jw_u64(w, "flags", ev->flags);
	/* what identified it: the kernel's name rules, the inode map (node state), both, or
	 * (a failed open) the requested path */
	jw_str(w, "matched_by",
	       ev->rule == CW_FR_PATH_HINT ? "path"
	       : ev->rule == CW_FR_UNSEEN  ? "none"
	       : ev->rule == CW_FR_KNOWN   ? "inode"
	       : ev->known		   ? "name_and_inode"
					   : "name",
	       0);
	if (ev->rule == CW_FR_UNSEEN)
		jw_bool(w, "observed", false); /* the file could not be looked at */
	else if (!ev->result) {
		put_dev(w, "dev", ev->dev);
		jw_u64(w, "ino", ev->ino);
		jw_str(w, "fs", cw_fs_name(ev->fs_magic), 0);
		jw_u64(w, "mode", ev->mode & 07777);
		jw_u64(w, "nlink", ev->nlink);
	}
	if (fi->volume_len)
		jw_strn(w, "volume", fi->volume, fi->volume_len, 256);
	if (fi->token)
		json_put_owner(w, &fi->owner);
	if (fi->have_cred) {
		/* known from node state by its inode (file side, issue 14) */
		jw_obj_open(w, "credential_file");
		jw_str(w, "source", credfiles_source_name(fi->cred.src), 0);
		jw_str(w, "name", fi->cred.name, 0);
		put_known(w, "pod_uid", fi->cred.pod_uid);
		jw_u64(w, "pod_cgroup_id", fi->cred.pod_cgid);
		if (fi->cred.retired_ns)
			jw_bool(w, "retired", true);
		jw_obj_close(w);
	}
	/* (another agent's failed opens are not counted as probes) */
	if (ev->result && !fi->peer_agent)
		jw_u64(w, "distinct_failed", fi->recon);
	jw_obj_close(w);
	if (fi->have_token)
		json_put_token(w, &fi->tok);
	else if (fi->token)
		jw_null(w, "token");
}

static void put_socket(struct jw *w, const struct cw_event *e)
{
	const struct cw_ev_sock *ev = e->rec.sock;
	const struct cw_sock_info *si = &e->x.sock;

	jw_obj_open(w, "socket");
	jw_str(w, "kind", socket_kind_name(si->kind), 0);
	if (si->node_path)
		jw_str(w, "path", si->node_path, 512);
	else if (si->path_len)
		jw_strn(w, "path", si->path, si->path_len, 2048);
	else
		jw_strn(w, "path", si->req, si->req_len, 512);
	if (si->path_len)
		jw_strn(w, "resolved_path", si->path, si->path_len, 2048);
	jw_strn(w, "requested_path", si->req, si->req_len, 512);
	jw_bool(w, "success", ev->result == 0);
	put_result(w, ev->result);
	jw_bool(w, "resolved", ev->resolved);
	jw_str(w, "type", cw_sock_type_name(ev->sock_type), 0);
	jw_str(w, "syscall", cw_syscall_name(ev->syscall), 0);
	if (ev->hdr.flags & CW_F_COMPAT)
		jw_bool(w, "compat", true);
	if (ev->resolved) {
		put_dev(w, "dev", ev->dev);
		jw_u64(w, "ino", ev->ino);
	}
	jw_obj_close(w);
}

/* A response with credentials: what CloudTrail and GuardDuty findings can be traced back by
 * (the access key id), never the secret parts (the parser never copied them). */
static void put_credentials(struct jw *w, const struct http_creds *c, const char *role)
{
	jw_obj_open(w, "credentials");
	if (c->access_key_id[0])
		jw_str(w, "access_key_id", c->access_key_id, 0);
	else
		jw_null(w, "access_key_id");
	if (c->expiration[0])
		jw_str(w, "expiration", c->expiration, 0);
	else
		jw_null(w, "expiration");
	/* the role: the IMDS role name of the request path, else the ARN the response named */
	if (role && role[0])
		jw_str(w, "role", role, 256);
	else if (c->role_arn[0])
		jw_str(w, "role", c->role_arn, 0);
	else
		jw_null(w, "role");
	if (c->role_arn[0])
		jw_str(w, "role_arn", c->role_arn, 0);
	if (c->account_id[0])
		jw_str(w, "account_id", c->account_id, 0);
	jw_obj_close(w);
}

/* An HTTP exchange whose request was not seen: what the response says. */
static void put_http_unseen(struct jw *w, const struct cw_event *e)
{
	const struct cw_http_info *hi = &e->x.http;
	const struct conn_done *d = hi->d;

	jw_obj_open(w, "http");
	jw_null(w, "method");
	jw_null(w, "path");
	jw_bool(w, "request_seen", false);
	jw_u64(w, "status", d->status);
	jw_str(w, "response", d->late ? "late" : "received", 0);
	jw_bool(w, "blocked", false);
	jw_null(w, "imds_version");
	jw_bool(w, "credential_request", hi->credential_request);
	jw_bool(w, "credentials_delivered", hi->delivered);
	jw_obj_close(w);
	jw_null(w, "sdk");
	if (d->creds)
		put_credentials(w, d->creds, NULL);
}

static void put_http(struct jw *w, const struct cw_event *e)
{
	const struct cw_http_info *hi = &e->x.http;
	const struct conn_done *d = hi->d;
	const struct conn_req *r = d->r;
	const struct http_class *cls;

	if (!r) {
		put_http_unseen(w, e);
		return;
	}
	cls = &r->cls;
	jw_obj_open(w, "http");
	jw_strn(w, "method", r->req.method_raw, strnlen(r->req.method_raw, HTTP_METHOD_MAX), 0);
	jw_strn(w, "path", r->req.path, r->req.path_len, 1024);
	jw_bool(w, "path_truncated", r->req.path_truncated);
	if (cls->nonstandard_path && cls->normalized_len)
		jw_strn(w, "normalized_path", cls->normalized, cls->normalized_len, 1024);
	if (d->status)
		jw_u64(w, "status", d->status);
	else
		jw_null(w, "status");
	jw_str(w, "response",
	       d->late && d->status ? "late"
	       : d->status	    ? "received"
	       : d->timed_out	    ? "timeout"
	       : d->queue_full	    ? "not_matched"
				    : "not_seen",
	       0);
	jw_bool(w, "blocked", hi->blocked);
	if (hi->imds && cls->imds_ver != IMDS_VER_NA)
		jw_str(w, "imds_version", imds_version_name(cls->imds_ver), 0);
	else
		jw_null(w, "imds_version");
	jw_bool(w, "credential_request", hi->credential_request);
	jw_bool(w, "credentials_delivered", hi->delivered);
	jw_str(w, "class", http_class_name(cls->cls), 0);
	if (cls->role_len)
		jw_strn(w, "role", cls->role, cls->role_len, 256);
	jw_bool(w, "token_header", r->req.has_token);
	jw_bool(w, "authorization_header", r->req.has_authorization);
	if (r->req.has_user_agent)
		jw_strn(w, "user_agent", r->req.user_agent, r->req.ua_len, 512);
	else
		jw_null(w, "user_agent");
	/* the request line or headers went on past what was captured */
	jw_bool(w, "head_truncated", r->req.status != HTTP_COMPLETE);
	if (cls->nonstandard_path)
		jw_bool(w, "nonstandard_path", true);
	if (cls->uncertain)
		jw_bool(w, "uncertain", true);
	jw_obj_close(w);
	if (r->sdk.id != SDK_UNKNOWN) {
		jw_obj_open(w, "sdk");
		jw_str(w, "name", r->sdk.name, 0);
		jw_str(w, "version", r->sdk.version, 64);
		jw_str(w, "pod_identity_support", sdk_pi_support_name(hi->pi_support), 0);
		if (hi->pi_minimum)
			jw_str(w, "pod_identity_minimum", hi->pi_minimum, 64);
		jw_obj_close(w);
	} else if (r->sdk.tool_name) {
		jw_obj_open(w, "sdk");
		jw_str(w, "name", "unknown", 0);
		jw_str(w, "tool", r->sdk.tool_name, 0);
		jw_obj_close(w);
	} else {
		jw_null(w, "sdk");
	}
	if (d->creds)
		put_credentials(w, d->creds, cls->role_len ? cls->role : NULL);
}

static void put_unparsed(struct jw *w, const struct cw_event *e)
{
	const struct conn_unparsed *u = e->x.unparsed.u;

	jw_obj_open(w, "unparsed");
	jw_str(w, "direction", u->dir == CW_HTTP_INGRESS ? "responses" : "requests", 0);
	jw_str(w, "reason", httpmsg_fail_name(u->why), 0);
	jw_u64(w, "bytes", u->bytes);
	jw_obj_close(w);
}

static void put_side(struct jw *w, const char *key, uint64_t cgid, const struct cw_move_side *m)
{
	jw_obj_open(w, key);
	jw_u64(w, "cgroup_id", cgid);
	if (m->cgpath)
		jw_str(w, "cgroup_path", m->cgpath, 2048); /* "" is the root cgroup */
	else
		jw_null(w, "cgroup_path");
	jw_bool(w, "pod", m->pod);
	put_known(w, "pod_uid", m->pod_uid);
	put_known(w, "pod_name", m->pod_name);
	put_known(w, "container", m->container);
	jw_obj_close(w);
}

/* cgroup_move (file side, issue 14): who moved which process from where to where */
static void put_move(struct jw *w, const struct cw_event *e)
{
	const struct cw_ev_attach *r = e->rec.move;
	const struct cw_move_info *mi = &e->x.move;

	jw_obj_open(w, "move");
	jw_u64(w, "pid", r->moved_pid);
	jw_bool(w, "self", r->moved_pid == e->task->pid);
	jw_str(w, "how", r->how == CW_MOVE_CLONE ? "clone_into_cgroup" : "cgroup_procs", 0);
	put_side(w, "from", r->from_cgid, &mi->from);
	put_side(w, "to", r->to_cgid, &mi->to);
	jw_obj_close(w);
}

static void put_boot_time(struct jw *w, const char *key, uint64_t boot_ns, int64_t boot_to_real)
{
	char t[CLOCK_RFC3339_LEN + 8];

	if (!boot_ns) {
		jw_null(w, key);
		return;
	}
	clock_format_rfc3339((int64_t)boot_ns + boot_to_real, t, sizeof(t));
	jw_str(w, key, t, 0);
}

/* event_flood (issue 13): a cgroup's drop counters and how long its drops have gone on */
static void put_flood(struct jw *w, const struct cw_flood_rec *f, int64_t boot_to_real)
{
	jw_obj_open(w, "flood");
	jw_u64(w, "full", f->d.full);
	jw_u64(w, "low_refused", f->d.low_refused);
	put_boot_time(w, "episode_start", f->d.episode_ns, boot_to_real);
	jw_u64(w, "seconds", f->episode_secs);
	jw_obj_close(w);
}

static const char *const event_names[CWE__COUNT] = {
	[CWE_ENDPOINT_CONNECT] = "endpoint_connect",   [CWE_FILE_OPEN] = "file_open",
	[CWE_SOCKET_CONNECT] = "socket_connect",       [CWE_CGROUP_MOVE] = "cgroup_move",
	[CWE_ENDPOINT_UNPARSED] = "endpoint_unparsed", [CWE_EVENT_FLOOD] = "event_flood",
};

static void json_event(struct renderer *r, const struct cw_event *e)
{
	struct json_renderer *jr = (struct json_renderer *)r;
	const char *name = e->kind == CWE_HTTP_REQUEST
				   ? (e->x.http.imds ? "imds_request" : "agent_request")
				   : event_names[e->kind];
	struct jw w;

	begin(jr, &w, name, e->real_ns);
	put_process(&w, e->task, &e->who);
	switch (e->kind) {
	case CWE_ENDPOINT_CONNECT:
		put_endpoint(&w, e->rec.ep);
		break;
	case CWE_HTTP_REQUEST:
		put_endpoint(&w, e->rec.ep);
		put_http(&w, e);
		break;
	case CWE_FILE_OPEN:
		put_file(&w, e);
		break;
	case CWE_SOCKET_CONNECT:
		put_socket(&w, e);
		break;
	case CWE_CGROUP_MOVE:
		put_move(&w, e);
		break;
	case CWE_ENDPOINT_UNPARSED:
		put_endpoint(&w, e->rec.ep);
		put_unparsed(&w, e);
		break;
	case CWE_EVENT_FLOOD:
		put_flood(&w, e->rec.flood, e->real_ns - (int64_t)e->ts_boot_ns);
		break;
	default:
		break;
	}
	json_put_findings(&w, e->v.f, e->v.n);
	end(jr, &w);
}

/* repeat_summary (issue 13): repeats of an audit event the kernel counted instead of sending */
static void json_repeat(struct renderer *r, const struct quiet_summary *s, int64_t boot_to_real)
{
	struct json_renderer *jr = (struct json_renderer *)r;
	const struct quiet_info *qi = s->info;
	struct jw w;

	begin(jr, &w, "repeat_summary", (int64_t)s->end_ns + boot_to_real);
	jw_obj_open(&w, "subject");
	jw_u64(&w, "pid", qi->pid);
	jw_bool(&w, "host", qi->host);
	put_known(&w, "pod_uid", qi->pod_uid);
	put_known(&w, "namespace", qi->pod_namespace);
	put_known(&w, "pod_name", qi->pod_name);
	put_known(&w, "container", qi->container);
	put_cut(&w, "exe", qi->exe, qi->exe_cut);
	jw_obj_close(&w);
	jw_obj_open(&w, "file");
	put_known(&w, "kind", qi->file_kind);
	put_cut(&w, "path", qi->path, qi->path_cut);
	jw_str(&w, "result", cw_errno_name(-qi->result), 0);
	jw_obj_close(&w);
	jw_u64(&w, "cgroup_id", s->key->cgroup_id);
	jw_u64(&w, "repeats", s->repeats);
	jw_u64(&w, "count", s->repeats + 1);
	jw_obj_open(&w, "window");
	put_boot_time(&w, "start", s->start_ns, boot_to_real);
	put_boot_time(&w, "end", s->end_ns, boot_to_real);
	jw_obj_close(&w);
	put_boot_time(&w, "first_repeat", s->first_ns, boot_to_real);
	put_boot_time(&w, "last_repeat", s->last_ns, boot_to_real);
	jw_str(&w, "reason", s->why == QUIET_END_FLUSHED ? "flushed" : "window", 0);
	end(jr, &w);
}

static void json_summary(struct renderer *r, const struct fold_summary *s, int64_t now_real)
{
	struct json_renderer *jr = (struct json_renderer *)r;
	struct jw w;

	begin(jr, &w, "finding_summary", now_real);
	json_put_summary(&w, s);
	end(jr, &w);
}

/* ---------------------------------------------------------------------------------------- */
/* the agent's own lines */

static void json_ready(struct renderer *r, const struct ready_info *ri)
{
	struct json_renderer *jr = (struct json_renderer *)r;
	const struct config *cfg = ri->cfg;
	char addr[64];
	struct jw w;

	begin(jr, &w, "agent_ready", ri->time_real);
	jw_obj_open(&w, "agent");
	jw_str(&w, "version", ri->version, 0);
	jw_u64(&w, "pid", ri->pid);
	jw_u64(&w, "abi", ri->abi);
	jw_u64(&w, "startup_ms", ri->startup_ms);
	jw_obj_close(&w);
	jw_obj_open(&w, "kernel");
	jw_str(&w, "release", ri->kernel_release, 0);
	jw_obj_close(&w);
	jw_arr_open(&w, "hooks");
	for (int i = 0; i < ri->nhooks; i++) {
		jw_obj_open(&w, NULL);
		jw_str(&w, "family", ri->hooks[i].family, 0);
		jw_str(&w, "hook", ri->hooks[i].name, 0);
		jw_str(&w, "program", ri->hooks[i].program, 0);
		if (ri->hooks[i].target && ri->hooks[i].target[0])
			jw_str(&w, "target", ri->hooks[i].target, 512);
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	/* which hook each family uses, and why (the stronger ones that failed) */
	jw_obj_open(&w, "hook_selection");
	jw_obj_open(&w, "file");
	jw_str(&w, "chosen", ri->file_hook, 0);
	jw_str(&w, "reason", ri->file_hook_reason, 1024);
	jw_obj_close(&w);
	jw_obj_open(&w, "socket");
	jw_str(&w, "chosen", ri->sock_hook, 0);
	jw_str(&w, "reason", ri->sock_hook_reason, 512);
	jw_obj_close(&w);
	/* connections first seen by the packet hooks (NAT): by process, or by cgroup only */
	jw_obj_open(&w, "packet");
	jw_str(&w, "chosen", "cgroup_skb", 0);
	jw_str(&w, "nat_attribution", ri->skb_task ? "process" : "cgroup", 0);
	jw_str(&w, "reason",
	       ri->skb_task ? "cgroup_skb programs may read the current task"
			    : "cgroup_skb programs may not read the current task (on this kernel, "
			      "or --hooks packet=cgroup): a connection found through NAT is "
			      "attributed to its socket's cgroup (pod, container), without the "
			      "process",
	       0);
	jw_obj_close(&w);
	/* issue 19: the exits of the open family and connect, without a syscall tracepoint
	 * where BPF trampolines work; compat syscalls' exits */
	if (ri->syscall_exits) {
		jw_obj_open(&w, "syscall_exits");
		jw_str(&w, "chosen", ri->syscall_exits, 0);
		jw_str(&w, "reason", ri->syscall_exits_reason ? ri->syscall_exits_reason : "", 512);
		jw_str(&w, "compat", ri->compat_exits ? ri->compat_exits : "", 0);
		jw_obj_close(&w);
	}
	jw_obj_close(&w);
	jw_obj_open(&w, "config");
	jw_str(&w, "cgroup2_mount", ri->cgroup_mount, 512);
	jw_u64(&w, "ringbuf_size", ri->ringbuf_size);
	jw_u64(&w, "max_procs", ri->max_procs);
	jw_u64(&w, "holdback_ms", ri->holdback_ms);
	jw_str(&w, "host_root", ri->host_root, 512);
	jw_arr_open(&w, "sockets");
	for (int i = 0; i < ri->sockets->nlive; i++)
		jw_str(&w, NULL, ri->sockets->live[i].path, 256);
	jw_arr_close(&w);
	jw_str(&w, "mounted", ri->mounted, 0);
	json_put_policy(&w, ri->policy);
	jw_arr_open(&w, "endpoints");
	for (int i = 0; i < cfg->nendpoints; i++) {
		const struct endpoint_cfg *ep = &cfg->endpoints[i];

		jw_obj_open(&w, NULL);
		jw_str(&w, "kind", endpoint_kind_name(ep->kind), 0);
		config_format_addr(ep->addr, addr, sizeof(addr));
		jw_str(&w, "addr", addr, 0);
		jw_u64(&w, "port", ep->port);
		if (ep->name[0])
			jw_str(&w, "name", ep->name, 64);
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	jw_obj_close(&w);
	end(jr, &w);
	output_flush(jr->out);
}

/* file side (issue 14): opens by inode, compat and io_uring fixed-file opens, cgroup moves */
static void put_file_side_stats(struct jw *w, const struct stats_snapshot *st)
{
	const uint64_t *k = st->kernel;
	const struct credfiles_stats *c = &st->credfiles;
	const struct enrich_stats *e = &st->enrich;

	jw_obj_open(w, "file_hooks");
	jw_u64(w, "opens_by_inode", k[CW_STAT_CRED_INODE]);
	jw_u64(w, "compat_opens", k[CW_STAT_COMPAT_OPEN]);
	jw_u64(w, "uring_fixed_opens", k[CW_STAT_URING_FIXED]);
	jw_u64(w, "uring_fixed_unseen", k[CW_STAT_URING_UNSEEN]);
	jw_obj_close(w);
	if (st->have_credfiles) {
		jw_obj_open(w, "credfiles");
		jw_u64(w, "entries", c->entries);
		jw_u64(w, "capacity", c->capacity);
		jw_u64(w, "evictions", c->evictions);
		jw_u64(w, "projected", c->projected);
		jw_u64(w, "secret", c->secret);
		jw_u64(w, "env", c->env);
		jw_u64(w, "env_unresolved", c->env_unresolved);
		jw_u64(w, "pods", c->pods);
		jw_u64(w, "containers", c->containers);
		jw_u64(w, "scans", c->scans);
		jw_u64(w, "last_scan_us", c->last_scan_us);
		jw_u64(w, "map_errors", c->map_errors);
		jw_obj_close(w);
	}
	jw_obj_open(w, "cgroup_moves");
	jw_u64(w, "seen", e->moves);
	jw_u64(w, "out_of_pod", e->moves_out_of_pod);
	jw_u64(w, "into_pod", e->moves_into_pod);
	jw_u64(w, "within_pod", e->moves_within_pod);
	jw_u64(w, "back_home", e->moves_home);
	jw_u64(w, "unknown_origin", e->moves_unknown_origin + k[CW_STAT_ORIGIN_UNKNOWN]);
	jw_u64(w, "events_origin_unknown", e->origin_unknown);
	jw_u64(w, "pod_cgroups", st->pod_cgroups);
	jw_obj_close(w);
}

/* agent_stats' operational part: the interval since the previous line, the output, reloads */
static void put_ops_stats(struct jw *w, const struct stats_snapshot *st)
{
	if (st->have_interval) {
		jw_obj_open(w, "interval");
		jw_u64(w, "ms", st->interval_ms);
		jw_u64(w, "drops", st->interval_drops);
		jw_u64(w, "errors", st->interval_errors);
		jw_u64(w, "events", st->interval_events);
		jw_obj_close(w);
	}
	if (st->have_output) {
		jw_obj_open(w, "output");
		jw_u64(w, "lines_written", st->out_lines_written);
		jw_u64(w, "lines_pending", st->out_lines_pending);
		jw_u64(w, "lines_lost", st->output_errors);
		jw_u64(w, "bytes_written", st->out_bytes_written);
		jw_u64(w, "failed_writes", st->out_failed_writes);
		jw_u64(w, "reopens", st->out_reopens);
		jw_u64(w, "rotations", st->out_rotations);
		if (st->out_err)
			jw_str(w, "failing", strerror(st->out_err), 0);
		jw_obj_close(w);
		jw_obj_open(w, "config_reloads");
		jw_u64(w, "applied", st->reloads_applied);
		jw_u64(w, "unchanged", st->reloads_unchanged);
		jw_u64(w, "refused", st->reloads_refused);
		jw_obj_close(w);
		jw_u64(w, "ringbuf_drop_intervals", st->ringbuf_drop_intervals);
	}
}

static void json_stats(struct renderer *r, const struct stats_snapshot *st)
{
	struct json_renderer *jr = (struct json_renderer *)r;
	const uint64_t *k = st->kernel;
	struct jw w;

	begin(jr, &w, "agent_stats", st->time_real);
	jw_u64(&w, "uptime_ms", st->uptime_ms);
	jw_obj_open(&w, "events");
	jw_u64(&w, "endpoint_connect", st->written[0]);
	jw_u64(&w, "file_open", st->written[1]);
	jw_u64(&w, "socket_connect", st->written[2]);
	jw_u64(&w, "imds_request", st->written[3]);
	jw_u64(&w, "agent_request", st->written[4]);
	jw_u64(&w, "cgroup_move", st->written[6]);
	jw_u64(&w, "event_flood", st->written[7]);
	jw_u64(&w, "endpoint_unparsed", st->written[5]);
	jw_obj_close(&w);
	if (st->have_http) {
		const struct conns_stats *cs = &st->http;

		/* what the HTTP capture could and could not do (README: limits) */
		jw_obj_open(&w, "http");
		jw_u64(&w, "requests", cs->requests);
		jw_u64(&w, "responses", cs->responses);
		jw_u64(&w, "credential_responses", cs->credential_responses);
		jw_u64(&w, "response_timeouts", cs->timeouts);
		jw_u64(&w, "late_responses", cs->late_responses);
		jw_u64(&w, "unmatched_responses", cs->unmatched_responses);
		jw_u64(&w, "segments_without_connect", cs->orphan_segments);
		jw_u64(&w, "queue_full", cs->queue_full);
		jw_u64(&w, "connections_evicted", cs->evictions);
		jw_u64(&w, "written_at_eviction", cs->evicted_requests);
		/* the streams: what TCP reassembly saw */
		jw_u64(&w, "segments", cs->segments);
		jw_u64(&w, "bytes", cs->bytes);
		jw_u64(&w, "retransmitted_bytes", cs->retransmitted_bytes);
		jw_u64(&w, "out_of_order_segments", cs->out_of_order);
		jw_u64(&w, "gaps", cs->gaps);
		jw_u64(&w, "gap_bytes", cs->gap_bytes);
		/* directions that could not be parsed, by reason */
		for (unsigned int i = 1; i < HTTPMSG__COUNT; i++) {
			char key[48];

			snprintf(key, sizeof(key), "unparsed_%s", httpmsg_fail_name(i));
			jw_u64(&w, key, cs->unparsed[i]);
		}
		jw_u64(&w, "kernel_records", k[CW_STAT_EV_HTTP]);
		jw_u64(&w, "kernel_segments_cut", k[CW_STAT_HTTP_SEG_CUT]);
		jw_u64(&w, "kernel_unparsed_packets", k[CW_STAT_HTTP_NOT_PARSED]);
		jw_obj_close(&w);
	}
	jw_obj_open(&w, "kernel_submitted");
	jw_u64(&w, "endpoint_connect", k[CW_STAT_EV_ENDPOINT]);
	jw_u64(&w, "endpoint_connect_via_nat", k[CW_STAT_EV_NAT]);
	jw_u64(&w, "endpoint_connect_found_at_start", k[CW_STAT_EV_FOUND]);
	jw_u64(&w, "file_open", k[CW_STAT_EV_FILE]);
	jw_u64(&w, "socket_connect", k[CW_STAT_EV_SOCKET]);
	jw_u64(&w, "cgroup", k[CW_STAT_EV_CGROUP]);
	jw_u64(&w, "cgroup_attach", k[CW_STAT_EV_ATTACH]);
	jw_obj_close(&w);
	jw_obj_open(&w, "drops");
	jw_u64(&w, "ringbuf_full", k[CW_STAT_RINGBUF_FULL]);
	jw_u64(&w, "bad_record", st->bad_records);
	jw_u64(&w, "output_error", st->output_errors);
	/* floods (issue 13): refused to keep the ring's reserve, and whose records were lost */
	jw_u64(&w, "low_priority_refused", k[CW_STAT_LOW_REFUSED]);
	jw_u64(&w, "cgroups_dropping", st->cgroups_dropping);
	jw_arr_open(&w, "by_cgroup");
	for (int i = 0; i < st->ndrop_cgroups; i++) {
		const struct render_cg_drop *c = &st->drop_cgroups[i];

		jw_obj_open(&w, NULL);
		jw_u64(&w, "cgroup_id", c->cgroup_id);
		put_known(&w, "cgroup_path", c->cgroup_path);
		jw_bool(&w, "host", c->host);
		put_known(&w, "namespace", c->pod_namespace);
		put_known(&w, "pod_name", c->pod_name);
		put_known(&w, "container", c->container);
		jw_u64(&w, "full", c->d.full);
		jw_u64(&w, "low_refused", c->d.low_refused);
		jw_u64(&w, "last_pid", c->d.last_tgid);
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	jw_obj_close(&w);
	if (st->have_quiet) {
		jw_obj_open(&w, "quiet");
		jw_u64(&w, "armed", st->quiet.armed);
		jw_u64(&w, "summaries", st->quiet.summaries);
		jw_u64(&w, "repeats", st->quiet.repeats);
		jw_u64(&w, "kernel_counted", k[CW_STAT_QUIETED]);
		jw_u64(&w, "full", st->quiet.full);
		jw_u64(&w, "errors", st->quiet.errors);
		jw_u64(&w, "active", st->quiet.active);
		jw_u64(&w, "capacity", st->quiet.capacity);
		jw_obj_close(&w);
	}
	/* records the BPF side sent that the agent's full rules discarded */
	jw_u64(&w, "userspace_filtered", st->userspace_filtered);
	jw_obj_open(&w, "truncations");
	jw_u64(&w, "args", k[CW_STAT_ARGS_TRUNC]);
	jw_u64(&w, "exe", k[CW_STAT_EXE_TRUNC]);
	jw_u64(&w, "path", k[CW_STAT_PATH_TRUNC]);
	jw_u64(&w, "cgroup_path", k[CW_STAT_CGPATH_TRUNC]);
	jw_u64(&w, "line", st->lines_overflowed);
	jw_obj_close(&w);
	jw_obj_open(&w, "errors");
	jw_u64(&w, "proc_map_full", k[CW_STAT_PROC_MAP_FULL]);
	jw_u64(&w, "proc_read_fail", k[CW_STAT_PROC_READ_FAIL]);
	jw_u64(&w, "requested_path_unreadable", k[CW_STAT_REQ_READ_FAIL]);
	jw_u64(&w, "helper_errors_unrecorded", k[CW_STAT_ERRS_FULL]);
	jw_obj_close(&w);
	/* failed BPF helper calls, by helper, errno and call site */
	jw_arr_open(&w, "helper_errors");
	for (int i = 0; i < st->nhelper_errs; i++) {
		const struct kstat_err *he = &st->helper_errs[i];
		const char *en = strerrorname_np(-he->err);

		jw_obj_open(&w, NULL);
		jw_str(&w, "helper", cw_helper_name(he->helper), 0);
		if (en)
			jw_str(&w, "errno", en, 0);
		else
			jw_i64(&w, "errno", -he->err);
		jw_str(&w, "where", cw_err_where_name(he->where), 0);
		jw_u64(&w, "count", he->count);
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	jw_obj_open(&w, "finding_counts");
	for (int i = SEV_LOW; i <= SEV_CRITICAL; i++)
		jw_u64(&w, severity_name(i), st->findings[i]);
	/* repeats counted into a fold window instead of written, and the summaries */
	jw_u64(&w, "folded", st->folded);
	jw_u64(&w, "summaries", st->summaries);
	if (st->fold_on) {
		jw_u64(&w, "open_windows", st->fold_open);
		jw_u64(&w, "windows_closed_early", st->fold_closed_early);
	}
	jw_obj_close(&w);
	json_put_attrib_stats(&w, &st->attrib);
	put_file_side_stats(&w, st);
	jw_u64(&w, "held_back", st->held_back);
	jw_u64(&w, "held_back_overflow", st->held_back_overflow);
	jw_obj_open(&w, "caches");
	jw_obj_open(&w, "cgroups");
	jw_u64(&w, "entries", st->cgroups_entries);
	jw_u64(&w, "evictions", st->cgroups_evictions);
	jw_u64(&w, "memory_bytes", st->cgroups_bytes);
	jw_obj_close(&w);
	jw_obj_open(&w, "procs");
	jw_u64(&w, "evictions", st->procs_evictions);
	jw_obj_close(&w);
	if (st->fold_on) {
		jw_obj_open(&w, "fold_windows");
		jw_u64(&w, "capacity", st->fold_capacity);
		jw_u64(&w, "memory_bytes", st->fold_bytes);
		jw_obj_close(&w);
	}
	jw_obj_close(&w);
	put_ops_stats(&w, st);
	end(jr, &w);
	output_flush(jr->out);
}

/* config_reloaded */
static void put_strs(struct jw *w, const char *key, const char *const *v, int n)
{
	jw_arr_open(w, key);
	for (int i = 0; i < n; i++)
		jw_str(w, NULL, v[i], 512);
	jw_arr_close(w);
}

static void json_reloaded(struct renderer *r, const struct reload_info *ri)
{
	struct json_renderer *jr = (struct json_renderer *)r;
	struct jw w;

	begin(jr, &w, "config_reloaded", ri->time_real);
	jw_obj_open(&w, "reload");
	if (ri->path)
		jw_str(&w, "path", ri->path, 1024);
	else
		jw_null(&w, "path");
	jw_str(&w, "result", ri->result, 0);
	if (ri->error)
		jw_str(&w, "error", ri->error, 1024);
	put_strs(&w, "changed", ri->changed, ri->nchanged);
	jw_arr_open(&w, "not_applied");
	for (int i = 0; i < ri->nnot_applied; i++) {
		jw_obj_open(&w, NULL);
		jw_str(&w, "key", ri->not_applied[i].key, 0);
		jw_str(&w, "reason", ri->not_applied[i].reason, 512);
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	if (ri->nendpoints_added || ri->nendpoints_removed) {
		put_strs(&w, "endpoints_added", ri->endpoints_added, ri->nendpoints_added);
		put_strs(&w, "endpoints_removed", ri->endpoints_removed, ri->nendpoints_removed);
	}
	if (ri->nsockets_added || ri->nsockets_removed) {
		put_strs(&w, "sockets_added", ri->sockets_added, ri->nsockets_added);
		put_strs(&w, "sockets_removed", ri->sockets_removed, ri->nsockets_removed);
	}
	jw_bool(&w, "output_reopened", ri->output_reopened);
	if (ri->output_error)
		jw_str(&w, "output_error", ri->output_error, 512);
	jw_obj_close(&w);
	if (ri->policy)
		json_put_policy(&w, ri->policy);
	end(jr, &w);
	output_flush(jr->out);
}

/* output_recovered */
static void json_output_recovered(struct renderer *r, const struct output_gap_info *gi)
{
	struct json_renderer *jr = (struct json_renderer *)r;
	char since[CLOCK_RFC3339_LEN + 8];
	struct jw w;

	clock_format_rfc3339(gi->since_real, since, sizeof(since));
	begin(jr, &w, "output_recovered", gi->time_real);
	jw_obj_open(&w, "output");
	jw_str(&w, "path", gi->output, 1024);
	jw_str(&w, "error", gi->error, 256);
	jw_str(&w, "failing_since", since, 0);
	jw_u64(&w, "lines_lost", gi->lost);
	jw_obj_close(&w);
	end(jr, &w);
	output_flush(jr->out);
}

static void json_free(struct renderer *r)
{
	free(r);
}

static const struct renderer_ops json_ops = {
	.event = json_event,
	.summary = json_summary,
	.ready = json_ready,
	.stats = json_stats,
	.free = json_free,
	.reloaded = json_reloaded,
	.output_recovered = json_output_recovered,
	.repeat = json_repeat,
};

struct renderer *json_renderer_new(struct output *out, const struct node_ident *node)
{
	struct json_renderer *jr = calloc(1, sizeof(*jr));

	if (!jr)
		return NULL;
	jr->base.ops = &json_ops;
	jr->out = out;
	jr->node = *node;
	return &jr->base;
}
