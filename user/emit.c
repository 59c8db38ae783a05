// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cgroups.h"
#include "config.h"
#include "credwatch.skel.h"
#include "emit.h"
#include "conns.h"
#include "filekind.h"
#include "findings.h"
#include "fold.h"
#include "loader.h"
#include "sockets.h"
#include "log.h"
#include "procs.h"
#include "redact.h"

#define CREDWATCH_VERSION "0.1.0"

/* a fixed clock for the pipeline's characterization test (tests/golden); NULL in the agent */
uint64_t (*now_ns_hook)(int clock);

uint64_t now_ns(int clock)
{
	struct timespec ts;

	if (now_ns_hook)
		return now_ns_hook(clock);
	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void emit_init(struct agent *a)
{
	a->boot_to_real_ns = (int64_t)now_ns(CLOCK_REALTIME) - (int64_t)now_ns(CLOCK_BOOTTIME);
	a->started_mono_ns = now_ns(CLOCK_MONOTONIC);
}

void emit_format_time(int64_t epoch_ns, char *out, size_t len)
{
	time_t sec = epoch_ns / 1000000000LL;
	long nsec = epoch_ns % 1000000000LL;
	struct tm tm;
	size_t n;

	/* C division truncates toward zero: before 1970 the remainder is
	 * negative, and the second has to be the one before */
	if (nsec < 0) {
		nsec += 1000000000L;
		sec--;
	}
	gmtime_r(&sec, &tm);
	n = strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!n) { /* too small: the contents are unspecified */
		if (len)
			out[0] = 0;
		return;
	}
	snprintf(out + n, len - n, ".%09ldZ", nsec);
}

void emit_begin(struct agent *a, struct jw *w, char *buf, size_t cap, const char *event,
		uint64_t ts_boot_ns)
{
	char t[64];
	int64_t real = ts_boot_ns ? (int64_t)ts_boot_ns + a->boot_to_real_ns
				  : (int64_t)now_ns(CLOCK_REALTIME);

	emit_format_time(real, t, sizeof(t));
	jw_init(w, buf, cap);
	jw_obj_open(w, NULL);
	jw_str(w, "schema", EMIT_SCHEMA, 0);
	jw_str(w, "time", t, 0);
	jw_str(w, "event", event, 0);
	jw_obj_open(w, "node");
	jw_str(w, "name", a->opts.node_name, 256);
	if (a->instance_id[0])
		jw_str(w, "instance_id", a->instance_id, 64);
	if (a->opts.cluster_name[0])
		jw_str(w, "cluster", a->opts.cluster_name, 256);
	jw_obj_close(w);
}

void emit_end(struct agent *a, struct jw *w)
{
	size_t n = jw_finish(w);

	if (jw_overflowed(w))
		a->lines_overflowed++;
	w->buf[n] = '\n';
	if (fwrite(w->buf, 1, n + 1, a->out) != n + 1)
		a->write_errors++;
	else
		a->lines_written++;
	w->buf[n] = 0;
}

static const char *source_name(enum proc_source s)
{
	switch (s) {
	case PROC_SRC_EXEC:
		return "exec";
	case PROC_SRC_FORK:
		return "fork";
	case PROC_SRC_PROCFS:
		return "procfs";
	default:
		return "unknown";
	}
}

/* argv as recorded: NUL-separated, possibly cut mid-argument; secrets redacted */
/* Append the NUL-separated arguments in [p, end) to the open array, at most
 * max of them, redacting secrets; returns how many were written. */
static int put_argv_run(struct jw *w, const char *p, const char *end, int max, bool *trunc,
			bool *redacted, const char *prev, size_t prev_len)
{
	char clean[CW_ARGS_MAX + sizeof(REDACT_MARK) + 4];
	int n = 0;

	while (p < end) {
		const char *nul = memchr(p, 0, end - p);
		size_t alen = nul ? (size_t)(nul - p) : (size_t)(end - p);
		size_t cl;
		bool red;

		if (n == max) {
			*trunc = true;
			break;
		}
		if (!nul)
			*trunc = true; /* the last argument was cut by the byte bound */
		cl = redact_arg(prev, prev_len, p, alen, clean, sizeof(clean), &red);
		*redacted |= red;
		if (jw_strn(w, NULL, clean, cl, 1024))
			*trunc = true;
		n++;
		prev = p;
		prev_len = alen;
		p += alen + 1;
	}
	return n;
}

/*
 * argv as recorded: NUL-separated, possibly cut mid-argument; secrets
 * redacted. A long argv was kept as head + tail (CW_F_ARGS_SPLIT): the
 * head's arguments, a "[...]" marker, then the tail's whole arguments (its
 * first, partial one is dropped: it may be the end of a secret).
 */
/*
 * The rendered "args" members of the last few process images: a process that
 * causes events in a loop (a client polling IMDS, a flood) is split, redacted
 * and escaped once. Keyed by exec_id (unique per image; its argv never
 * changes); 8 entries replaced round-robin; only fragments written whole.
 */
#define ARGS_CACHE_N 8
static struct args_frag {
	uint64_t exec_id;
	uint32_t flags;
	uint16_t args_len;
	uint16_t n;
	char buf[3072];
} args_cache[ARGS_CACHE_N];
static unsigned int args_cache_next;

static void put_args_render(struct jw *w, const struct cw_proc *r);

static void put_args(struct jw *w, const struct cw_proc *r)
{
	size_t mark = w->len;
	bool overflow = w->overflow;
	struct args_frag *c;

	for (int i = 0; r->exec_id && i < ARGS_CACHE_N; i++) {
		c = &args_cache[i];
		if (c->n && c->exec_id == r->exec_id && c->args_len == r->args_len &&
		    c->flags == r->flags && jw_raw_members(w, c->buf, c->n))
			return;
	}
	put_args_render(w, r);
	if (!r->exec_id || overflow || w->overflow || w->len - mark > sizeof(c->buf) ||
	    w->len == mark || w->buf[mark] != ',')
		return;
	c = &args_cache[args_cache_next++ % ARGS_CACHE_N];
	c->exec_id = r->exec_id;
	c->flags = r->flags;
	c->args_len = r->args_len;
	c->n = w->len - mark;
	memcpy(c->buf, w->buf + mark, c->n);
}

static void put_args_render(struct jw *w, const struct cw_proc *r)
{
	size_t len = r->args_len > CW_ARGS_MAX ? CW_ARGS_MAX : r->args_len;
	const char *p = (const char *)r->args;
	bool trunc = r->flags & CW_F_ARGS_TRUNC, redacted = false;

	jw_arr_open(w, "args");
	if ((r->flags & CW_F_ARGS_SPLIT) && len == CW_ARGS_MAX) {
		const char *tail = p + CW_ARGS_HEAD, *end = p + CW_ARGS_MAX;
		const char *first = memchr(tail, 0, end - tail);
		int n = put_argv_run(w, p, tail, EMIT_MAX_ARGS - 3, &trunc, &redacted, NULL, 0);

		jw_str(w, NULL, "[...]", 0);
		/* the dropped fragment is still context: "...-token" then its value */
		if (first)
			put_argv_run(w, first + 1, end, EMIT_MAX_ARGS - 1 - n, &trunc, &redacted,
				     tail, first - tail);
	} else {
		put_argv_run(w, p, p + len, EMIT_MAX_ARGS, &trunc, &redacted, NULL, 0);
	}
	jw_arr_close(w);
	jw_bool(w, "args_truncated", trunc);
	if (redacted)
		jw_bool(w, "args_redacted", true);
}

void emit_task(struct agent *a, struct jw *w, const struct cw_task *t, const struct ev_ctx *c)
{
	const struct proc_view *vp = &c->proc;

	jw_obj_open(w, "process");
	jw_u64(w, "pid", t->pid);
	jw_u64(w, "tid", t->tid);
	jw_u64(w, "ppid", t->ppid);
	jw_u64(w, "uid", t->uid);
	jw_u64(w, "gid", t->gid);
	jw_strn(w, "comm", (const char *)t->comm, strnlen((const char *)t->comm, CW_COMM_LEN), 0);
	if (vp->source != PROC_SRC_UNKNOWN) {
		jw_strn(w, "exe", (const char *)vp->rec.exe, vp->rec.exe_len, 1024);
		jw_bool(w, "exe_truncated", vp->rec.flags & CW_F_EXE_TRUNC);
		put_args(w, &vp->rec);
	} else {
		jw_null(w, "exe");
		jw_arr_open(w, "args");
		jw_arr_close(w);
		jw_bool(w, "args_truncated", false);
	}
	jw_str(w, "source", source_name(vp->source), 0);
	jw_arr_open(w, "ancestors");
	for (int i = 0; i < CW_ANCESTORS && t->anc[i].pid; i++) {
		const struct cw_ancestor *an = &t->anc[i];
		struct proc_view av;

		procs_lookup(a->procs, an->pid, an->exec_id, 0, &av);
		jw_obj_open(w, NULL);
		jw_u64(w, "pid", an->pid);
		jw_strn(w, "comm", (const char *)an->comm,
			strnlen((const char *)an->comm, CW_COMM_LEN), 0);
		if (av.source != PROC_SRC_UNKNOWN)
			jw_strn(w, "exe", (const char *)av.rec.exe, av.rec.exe_len, 1024);
		else
			jw_null(w, "exe");
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_obj_close(w);

	jw_obj_open(w, "cgroup");
	jw_u64(w, "id", t->cgroup_id);
	if (c->cgpath)
		jw_str(w, "path", c->cgpath, 2048);
	else
		jw_null(w, "path");
	if (c->cg_removed)
		jw_bool(w, "removed", true);
	jw_obj_close(w);

	jw_obj_open(w, "namespaces");
	jw_u64(w, "net", t->netns_ino);
	jw_u64(w, "mnt", t->mntns_ino);
	jw_obj_close(w);
	attrib_put_workload(w, &c->res);
}

static void put_endpoint(struct jw *w, const struct cw_ev_endpoint *ev);

void emit_endpoint(struct agent *a, const struct cw_ev_endpoint *ev, const struct ev_ctx *c)
{
	char buf[EMIT_LINE_MAX];
	struct jw w;

	emit_begin(a, &w, buf, sizeof(buf), "endpoint_connect", ev->hdr.ts_boot_ns);
	emit_task(a, &w, &ev->task, c);
	put_endpoint(&w, ev);
	emit_end(a, &w);
}

static const char *errno_name(int e)
{
	switch (e) {
	case 0:
		return "ok";
	case EPERM:
		return "EPERM";
	case ENOENT:
		return "ENOENT";
	case EACCES:
		return "EACCES";
	case ENOTDIR:
		return "ENOTDIR";
	case ELOOP:
		return "ELOOP";
	case ECONNREFUSED:
		return "ECONNREFUSED";
	default:
		return "error";
	}
}

static const char *syscall_name(unsigned int s)
{
	static const char *const names[] = { "?",     "open",	 "openat",  "openat2",
					     "creat", "connect", "io_uring" };

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static const char *fs_name(uint32_t magic)
{
	switch (magic) {
	case 0x01021994:
		return "tmpfs";
	case 0x794c7630:
		return "overlayfs";
	case 0xef53:
		return "ext4";
	case 0x58465342:
		return "xfs";
	case 0x9123683e:
		return "btrfs";
	case 0x9fa0:
		return "proc";
	case 0:
		return "none";
	default:
		return "other";
	}
}

static void put_dev(struct jw *w, const char *key, uint32_t kdev)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%u:%u", kdev >> 20, kdev & 0xfffff);
	jw_str(w, key, buf, 0);
}

static void put_result(struct jw *w, int32_t result)
{
	jw_str(w, "result", errno_name(-result), 0);
	if (result)
		jw_i64(w, "errno", -result);
}

bool emit_file_wanted(const struct cw_ev_file *ev)
{
	size_t plen = ev->path_len < CW_PATH_MAX ? ev->path_len : CW_PATH_MAX;
	size_t rlen = ev->req_len < CW_REQPATH_MAX ? ev->req_len : CW_REQPATH_MAX;

	return filekind_name(ev->rule, (const char *)ev->path, plen, (const char *)ev->req, rlen);
}

static bool is_token_kind(const char *kind)
{
	return strcmp(kind, "irsa_token") == 0 || strcmp(kind, "pod_identity_token") == 0 ||
	       strcmp(kind, "sa_token") == 0;
}

bool emit_file(struct agent *a, const struct cw_ev_file *ev, const struct ev_ctx *c)
{
	size_t plen = ev->path_len < CW_PATH_MAX ? ev->path_len : CW_PATH_MAX;
	size_t rlen = ev->req_len < CW_REQPATH_MAX ? ev->req_len : CW_REQPATH_MAX;
	const char *path = (const char *)ev->path, *req = (const char *)ev->req, *kind, *vol;
	struct attrib_owner owner = { 0 };
	struct attrib_token tok = { 0 };
	bool token = false, have_tok = false;
	char buf[EMIT_LINE_MAX], target[600];
	uint64_t now = now_ns(CLOCK_MONOTONIC);
	struct cw_subject subj;
	struct findings fs;
	struct rules_file rf;
	size_t vlen;
	struct jw w;

	kind = filekind_name(ev->rule, path, plen, req, rlen);
	if (!kind)
		return false;
	if (!ev->result && is_token_kind(kind)) {
		token = true;
		attrib_file_owner(a->attrib, ev->dev, path, plen, now, &owner);
		if (owner.found) {
			const char *slash = memrchr(path, '/', plen);
			char leaf[256];
			size_t ll = slash ? plen - (slash + 1 - path) : plen;

			if (ll >= sizeof(leaf))
				ll = sizeof(leaf) - 1;
			memcpy(leaf, slash ? slash + 1 : path, ll);
			leaf[ll] = 0;
			attrib_token(a->attrib, ev->dev, ev->ino, leaf, now, &tok);
			have_tok = true;
		}
	}
	findings_subject(c, &subj);
	rf = (struct rules_file){
		.kind = rules_file_kind_parse(kind),
		.owner_found = owner.found,
		.owner_verified = owner.verified,
		.owner_pod_uid = owner.pod_uid[0] ? owner.pod_uid : NULL,
		.owner_namespace = owner.pod_namespace[0] ? owner.pod_namespace : NULL,
		.owner_pod_name = owner.pod_name[0] ? owner.pod_name : NULL,
		.blocked = ev->result == -EACCES || ev->result == -EPERM,
	};
	fs.n = rules_eval_file(&a->cfg.policy, &subj, &rf, fs.f);
	/* the same file of the same owner: one target (a rotated token is the same) */
	if (owner.found)
		snprintf(target, sizeof(target), "%s:pod/%s/%s", kind, owner.pod_uid, owner.volume);
	else
		snprintf(target, sizeof(target), "%s:%.*s", kind, (int)(plen ? plen : rlen),
			 plen ? path : req);
	if (!findings_admit(a, &subj, &fs, target, ev->hdr.ts_boot_ns + a->boot_to_real_ns))
		return false; /* folded into a window: counted there, not written */

	emit_begin(a, &w, buf, sizeof(buf), "file_open", ev->hdr.ts_boot_ns);
	emit_task(a, &w, &ev->task, c);
	jw_obj_open(&w, "file");
	jw_str(&w, "kind", kind, 0);
	put_result(&w, ev->result);
	if (plen) {
		jw_strn(&w, "path", path, plen, 2048);
		jw_bool(&w, "path_truncated", ev->hdr.flags & CW_F_PATH_TRUNC);
	} else {
		jw_null(&w, "path");
	}
	/* advisory: the string the process passed, not what the kernel opened */
	jw_strn(&w, "requested_path", req, rlen, 2048);
	jw_str(&w, "syscall", syscall_name(ev->syscall), 0);
	jw_u64(&w, "flags", ev->flags);
	if (!ev->result) {
		put_dev(&w, "dev", ev->dev);
		jw_u64(&w, "ino", ev->ino);
		jw_str(&w, "fs", fs_name(ev->fs_magic), 0);
		jw_u64(&w, "mode", ev->mode & 07777);
		jw_u64(&w, "nlink", ev->nlink);
	}
	vlen = filekind_volume(path, plen, &vol);
	if (!vlen)
		vlen = filekind_volume(req, rlen, &vol);
	if (vlen)
		jw_strn(&w, "volume", vol, vlen, 256);
	if (token)
		attrib_put_owner(&w, &owner);
	jw_obj_close(&w);
	if (have_tok)
		attrib_put_token(&w, &tok);
	else if (token)
		jw_null(&w, "token");
	rules_put(&w, fs.f, fs.n);
	emit_end(a, &w);
	return true;
}

bool emit_socket_wanted(const struct agent *a, const struct cw_ev_sock *ev)
{
	size_t rlen = ev->req_len < sizeof(ev->req) ? ev->req_len : sizeof(ev->req);
	char req[sizeof(ev->req) + 1];

	if (ev->resolved)
		return true;
	memcpy(req, ev->req, rlen);
	req[rlen] = 0;
	return sockets_match_path(&a->cfg.sockets, req) >= 0;
}

bool emit_socket(struct agent *a, const struct cw_ev_sock *ev, const struct ev_ctx *c)
{
	size_t plen = ev->path_len < CW_PATH_MAX ? ev->path_len : CW_PATH_MAX;
	size_t rlen = ev->req_len < sizeof(ev->req) ? ev->req_len : sizeof(ev->req);
	const struct socket_watch *sw = &a->cfg.sockets;
	const char *node_path = NULL;
	char buf[EMIT_LINE_MAX], req[sizeof(ev->req) + 1], target[600];
	struct rules_socket rs;
	struct cw_subject subj;
	struct findings fs;
	unsigned int kind;
	struct jw w;

	memcpy(req, ev->req, rlen);
	req[rlen] = 0;
	if (ev->resolved) {
		kind = ev->kind;
		node_path = sockets_path_of(sw, ev->ino, ev->dev);
	} else {
		/* failed connect: no socket file to go by, only the requested path */
		int i = sockets_match_path(sw, req);

		if (i < 0)
			return false;
		kind = sw->cfg[i].kind;
	}
	findings_subject(c, &subj);
	rs = (struct rules_socket){ .kind = kind,
				    .blocked = ev->result == -EACCES || ev->result == -EPERM };
	fs.n = rules_eval_socket(&a->cfg.policy, &subj, &rs, fs.f);
	snprintf(target, sizeof(target), "%s:%s", socket_kind_name(kind),
		 node_path ? node_path : req);
	if (!findings_admit(a, &subj, &fs, target, ev->hdr.ts_boot_ns + a->boot_to_real_ns))
		return false; /* folded into a window: counted there, not written */
	emit_begin(a, &w, buf, sizeof(buf), "socket_connect", ev->hdr.ts_boot_ns);
	emit_task(a, &w, &ev->task, c);
	jw_obj_open(&w, "socket");
	jw_str(&w, "kind", socket_kind_name(kind), 0);
	if (node_path)
		jw_str(&w, "path", node_path, 512);
	else if (plen)
		jw_strn(&w, "path", (const char *)ev->path, plen, 2048);
	else
		jw_strn(&w, "path", req, rlen, 512);
	if (plen)
		jw_strn(&w, "resolved_path", (const char *)ev->path, plen, 2048);
	jw_strn(&w, "requested_path", req, rlen, 512);
	jw_bool(&w, "success", ev->result == 0);
	put_result(&w, ev->result);
	jw_bool(&w, "resolved", ev->resolved);
	jw_str(&w, "type",
	       ev->sock_type == 1   ? "stream"
	       : ev->sock_type == 2 ? "dgram"
	       : ev->sock_type == 5 ? "seqpacket"
				    : "other",
	       0);
	jw_str(&w, "syscall", syscall_name(ev->syscall), 0);
	if (ev->resolved) {
		put_dev(&w, "dev", ev->dev);
		jw_u64(&w, "ino", ev->ino);
	}
	jw_obj_close(&w);
	rules_put(&w, fs.f, fs.n);
	emit_end(a, &w);
	return true;
}

static void put_endpoint(struct jw *w, const struct cw_ev_endpoint *ev)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	bool is_mapped = memcmp(ev->addr, mapped, 12) == 0;
	char addr[64];

	jw_obj_open(w, "endpoint");
	jw_str(w, "kind", endpoint_kind_name(ev->kind), 0);
	config_format_addr(ev->addr, addr, sizeof(addr));
	jw_str(w, "addr", addr, 0);
	jw_u64(w, "port", ev->port);
	jw_str(w, "family", ev->family == 10 ? "ipv6" : "ipv4", 0);
	/* an IPv4 endpoint reached through an AF_INET6 socket (::ffff:a.b.c.d) */
	jw_bool(w, "ipv4_mapped", ev->family == 10 && is_mapped);
	jw_str(w, "protocol", ev->protocol == 6 ? "tcp" : ev->protocol == 17 ? "udp" : "other", 0);
	jw_obj_close(w);
	jw_obj_open(w, "socket");
	jw_u64(w, "cookie", ev->sock_cookie);
	jw_obj_close(w);
}

bool emit_http(struct agent *a, const struct conn_done *d, const struct ev_ctx *c)
{
	const struct cw_ev_endpoint *ce = d->connect;
	const struct conn_req *r = d->r;
	const struct http_class *cls = &r->cls;
	bool imds = ce->kind == CW_EP_IMDS;
	bool cred = cls->cls == REQ_IMDS_CREDENTIALS || cls->cls == REQ_PI_CREDENTIALS ||
		    cls->cls == REQ_ECS_CREDENTIALS;
	bool blocked = d->timed_out || d->status == 401 || d->status == 403;
	char buf[EMIT_LINE_MAX], target[600];
	struct cw_subject subj;
	struct findings fs;
	struct rules_http rh;
	struct jw w;

	findings_subject(c, &subj);
	rh = (struct rules_http){
		.endpoint = ce->kind == CW_EP_IMDS		      ? EP_IMDS
			    : ce->kind == CW_EP_POD_IDENTITY_AGENT    ? EP_POD_IDENTITY
			    : ce->kind == CW_EP_CONTAINER_CREDENTIALS ? EP_ECS
								      : EP_UNKNOWN,
		.imds_ver = cls->imds_ver,
		.credential_request = cred,
		.sdk = r->sdk.id != SDK_UNKNOWN ? &r->sdk : NULL,
		.blocked = blocked,
	};
	fs.n = rules_eval_http(&a->cfg.policy, &subj, &rh, fs.f);
	snprintf(target, sizeof(target), "%s:%s %.*s", endpoint_kind_name(ce->kind),
		 r->req.method_raw, (int)r->req.path_len, r->req.path);
	if (!findings_admit(a, &subj, &fs, target, r->ts_boot_ns + a->boot_to_real_ns))
		return false; /* folded */

	emit_begin(a, &w, buf, sizeof(buf), imds ? "imds_request" : "agent_request", r->ts_boot_ns);
	emit_task(a, &w, &ce->task, c);
	put_endpoint(&w, ce);
	jw_obj_open(&w, "http");
	jw_strn(&w, "method", r->req.method_raw, strnlen(r->req.method_raw, HTTP_METHOD_MAX), 0);
	jw_strn(&w, "path", r->req.path, r->req.path_len, 1024);
	jw_bool(&w, "path_truncated", r->req.path_truncated);
	if (d->status)
		jw_u64(&w, "status", d->status);
	else
		jw_null(&w, "status");
	jw_str(&w, "response",
	       d->status       ? "received"
	       : d->timed_out  ? "timeout"
	       : d->queue_full ? "not_matched"
			       : "not_seen",
	       0);
	jw_bool(&w, "blocked", blocked);
	if (imds && cls->imds_ver != IMDS_VER_NA)
		jw_str(&w, "imds_version", imds_version_name(cls->imds_ver), 0);
	else
		jw_null(&w, "imds_version");
	jw_bool(&w, "credential_request", cred);
	jw_str(&w, "class", http_class_name(cls->cls), 0);
	if (cls->role_len)
		jw_strn(&w, "role", cls->role, cls->role_len, 256);
	jw_bool(&w, "token_header", r->req.has_token);
	jw_bool(&w, "authorization_header", r->req.has_authorization);
	if (r->req.has_user_agent)
		jw_strn(&w, "user_agent", r->req.user_agent, r->req.ua_len, 512);
	else
		jw_null(&w, "user_agent");
	/* the request line or headers went on past what was captured */
	jw_bool(&w, "head_truncated", r->req.status != HTTP_COMPLETE);
	if (cls->nonstandard_path)
		jw_bool(&w, "nonstandard_path", true);
	if (cls->uncertain)
		jw_bool(&w, "uncertain", true);
	jw_obj_close(&w);
	if (r->sdk.id != SDK_UNKNOWN) {
		enum sdk_pi_support pi = sdk_pod_identity_support(&r->sdk);

		jw_obj_open(&w, "sdk");
		jw_str(&w, "name", r->sdk.name, 0);
		jw_str(&w, "version", r->sdk.version, 64);
		jw_str(&w, "pod_identity_support", sdk_pi_support_name(pi), 0);
		if (sdk_pod_identity_min(r->sdk.id))
			jw_str(&w, "pod_identity_minimum", sdk_pod_identity_min(r->sdk.id), 64);
		jw_obj_close(&w);
	} else if (r->sdk.tool_name) {
		jw_obj_open(&w, "sdk");
		jw_str(&w, "name", "unknown", 0);
		jw_str(&w, "tool", r->sdk.tool_name, 0);
		jw_obj_close(&w);
	} else {
		jw_null(&w, "sdk");
	}
	rules_put(&w, fs.f, fs.n);
	emit_end(a, &w);
	return true;
}

void emit_ready(struct agent *a)
{
	char buf[EMIT_LINE_MAX], addr[64];
	struct jw w;

	emit_begin(a, &w, buf, sizeof(buf), "agent_ready", 0);
	jw_obj_open(&w, "agent");
	jw_str(&w, "version", CREDWATCH_VERSION, 0);
	jw_u64(&w, "pid", getpid());
	jw_u64(&w, "abi", CW_ABI_VERSION);
	jw_u64(&w, "startup_ms", (now_ns(CLOCK_MONOTONIC) - a->started_mono_ns) / 1000000);
	jw_obj_close(&w);
	jw_obj_open(&w, "kernel");
	jw_str(&w, "release", a->kernel_release, 0);
	jw_obj_close(&w);
	jw_arr_open(&w, "hooks");
	for (int i = 0; i < a->nhooks; i++) {
		jw_obj_open(&w, NULL);
		jw_str(&w, "family", a->hooks[i].family, 0);
		jw_str(&w, "hook", a->hooks[i].name, 0);
		jw_str(&w, "program", a->hooks[i].program, 0);
		if (a->hooks[i].target[0])
			jw_str(&w, "target", a->hooks[i].target, 512);
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	/* which hook each family uses, and why (the stronger ones that failed) */
	jw_obj_open(&w, "hook_selection");
	jw_obj_open(&w, "file");
	jw_str(&w, "chosen", loader_file_hook_name(a->file_hook), 0);
	jw_str(&w, "reason", a->file_hook_reason, 1024);
	jw_obj_close(&w);
	jw_obj_open(&w, "socket");
	jw_str(&w, "chosen", loader_sock_hook_name(a->sock_hook), 0);
	jw_str(&w, "reason", a->sock_hook_reason, 512);
	jw_obj_close(&w);
	jw_obj_close(&w);
	jw_obj_open(&w, "config");
	jw_str(&w, "cgroup2_mount", a->cgroup_mount, 512);
	jw_u64(&w, "ringbuf_size", a->opts.ringbuf_size);
	jw_u64(&w, "max_procs", a->opts.max_procs);
	jw_str(&w, "host_root", a->opts.host_root, 512);
	jw_arr_open(&w, "sockets");
	for (int i = 0; i < a->cfg.sockets.nlive; i++)
		jw_str(&w, NULL, a->cfg.sockets.live[i].path, 256);
	jw_arr_close(&w);
	jw_str(&w, "mounted", a->mounted, 0);
	policy_put(&w, &a->cfg.policy);
	jw_arr_open(&w, "endpoints");
	for (int i = 0; i < a->cfg.nendpoints; i++) {
		const struct endpoint_cfg *e = &a->cfg.endpoints[i];

		jw_obj_open(&w, NULL);
		jw_str(&w, "kind", endpoint_kind_name(e->kind), 0);
		config_format_addr(e->addr, addr, sizeof(addr));
		jw_str(&w, "addr", addr, 0);
		jw_u64(&w, "port", e->port);
		if (e->name[0])
			jw_str(&w, "name", e->name, 64);
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	jw_obj_close(&w);
	emit_end(a, &w);
	fflush(a->out);
}

static void read_kernel_stats(struct agent *a, uint64_t out[CW_STAT_MAX])
{
	int ncpu = libbpf_num_possible_cpus();
	int fd = a->skel ? bpf_map__fd(a->skel->maps.cw_stats) : -1;
	uint64_t vals[ncpu > 0 ? ncpu : 1];

	memset(out, 0, sizeof(uint64_t) * CW_STAT_MAX);
	if (!a->skel)
		return; /* no BPF object (the pipeline's characterization test) */
	for (uint32_t k = 0; k < CW_STAT_MAX; k++) {
		if (ncpu <= 0 || bpf_map_lookup_elem(fd, &k, vals))
			continue;
		for (int c = 0; c < ncpu; c++)
			out[k] += vals[c];
	}
}

void emit_stats(struct agent *a)
{
	char buf[EMIT_LINE_MAX];
	uint64_t k[CW_STAT_MAX];
	struct jw w;

	read_kernel_stats(a, k);
	emit_begin(a, &w, buf, sizeof(buf), "agent_stats", 0);
	jw_u64(&w, "uptime_ms", (now_ns(CLOCK_MONOTONIC) - a->started_mono_ns) / 1000000);
	jw_obj_open(&w, "events");
	jw_u64(&w, "endpoint_connect", a->ev_count[CW_EV_ENDPOINT_CONNECT]);
	jw_u64(&w, "file_open", a->ev_count[CW_EV_FILE_OPEN]);
	jw_u64(&w, "socket_connect", a->ev_count[CW_EV_SOCKET_CONNECT]);
	jw_u64(&w, "imds_request", a->http_emitted[0]);
	jw_u64(&w, "agent_request", a->http_emitted[1]);
	jw_obj_close(&w);
	if (a->conns) {
		const struct conns_stats *cs = conns_stats(a->conns);

		/* what the HTTP capture could and could not do (README: limits) */
		jw_obj_open(&w, "http");
		jw_u64(&w, "requests", cs->requests);
		jw_u64(&w, "responses", cs->responses);
		jw_u64(&w, "response_timeouts", cs->timeouts);
		jw_u64(&w, "head_truncated", cs->head_truncated);
		jw_u64(&w, "not_http", cs->not_http);
		jw_u64(&w, "unmatched_responses", cs->unmatched_responses);
		jw_u64(&w, "requests_without_connect", cs->orphan_requests);
		jw_u64(&w, "queue_full", cs->queue_full);
		jw_u64(&w, "connections_evicted", cs->evictions);
		jw_u64(&w, "written_at_eviction", cs->evicted_requests);
		jw_u64(&w, "kernel_records", k[CW_STAT_EV_HTTP]);
		jw_u64(&w, "kernel_unparsed_packets", k[CW_STAT_HTTP_NOT_PARSED]);
		jw_obj_close(&w);
	}
	jw_obj_open(&w, "kernel_submitted");
	jw_u64(&w, "endpoint_connect", k[CW_STAT_EV_ENDPOINT]);
	jw_u64(&w, "file_open", k[CW_STAT_EV_FILE]);
	jw_u64(&w, "socket_connect", k[CW_STAT_EV_SOCKET]);
	jw_u64(&w, "cgroup", k[CW_STAT_EV_CGROUP]);
	jw_obj_close(&w);
	jw_obj_open(&w, "drops");
	jw_u64(&w, "ringbuf_full", k[CW_STAT_RINGBUF_FULL]);
	jw_u64(&w, "bad_record", a->bad_records);
	jw_u64(&w, "output_error", a->write_errors);
	jw_obj_close(&w);
	/* records the BPF side sent that the agent's full rules discarded */
	jw_u64(&w, "userspace_filtered", a->userspace_filtered);
	jw_obj_open(&w, "truncations");
	jw_u64(&w, "args", k[CW_STAT_ARGS_TRUNC]);
	jw_u64(&w, "exe", k[CW_STAT_EXE_TRUNC]);
	jw_u64(&w, "path", k[CW_STAT_PATH_TRUNC]);
	jw_u64(&w, "cgroup_path", k[CW_STAT_CGPATH_TRUNC]);
	jw_u64(&w, "line", a->lines_overflowed);
	jw_obj_close(&w);
	jw_obj_open(&w, "errors");
	jw_u64(&w, "proc_map_full", k[CW_STAT_PROC_MAP_FULL]);
	jw_u64(&w, "proc_read_fail", k[CW_STAT_PROC_READ_FAIL]);
	jw_u64(&w, "requested_path_unreadable", k[CW_STAT_REQ_READ_FAIL]);
	jw_obj_close(&w);
	jw_obj_open(&w, "finding_counts");
	for (int i = SEV_LOW; i <= SEV_CRITICAL; i++)
		jw_u64(&w, severity_name(i), a->findings[i]);
	/* repeats counted into a fold window instead of written, and the summaries */
	jw_u64(&w, "folded", a->folded);
	jw_u64(&w, "summaries", a->summaries);
	if (a->fold) {
		jw_u64(&w, "open_windows", fold_count(a->fold));
		jw_u64(&w, "windows_closed_early", fold_evictions(a->fold));
	}
	jw_obj_close(&w);
	attrib_put_stats(&w, a->attrib);
	jw_u64(&w, "held_back", a->held_back);
	jw_u64(&w, "held_back_overflow", a->held_back_overflow);
	jw_obj_open(&w, "caches");
	jw_obj_open(&w, "cgroups");
	jw_u64(&w, "entries", cgroups_count(a->cgroups));
	jw_u64(&w, "evictions", cgroups_evictions(a->cgroups));
	jw_obj_close(&w);
	jw_obj_open(&w, "procs");
	jw_u64(&w, "evictions", procs_cache_evictions(a->procs));
	jw_obj_close(&w);
	jw_obj_close(&w);
	emit_end(a, &w);
	fflush(a->out);
}
