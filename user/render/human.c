// SPDX-License-Identifier: GPL-2.0
/*
 * The human view: struct hview from what the pipeline hands a renderer, the one-line format,
 * the terminal escaper, the Ctrl-C summary, and the renderer for `credwatch trace`. Like every
 * renderer, it formats what it is handed and looks nothing up (user/README.md).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "config.h"
#include "intake/decode.h"
#include "render/human.h"

/* output bounds of the fields of a line, in bytes */
#define W_NS	    63
#define W_POD	    96
#define W_CONTAINER 63
#define W_EXE	    128
#define W_PATH	    256
#define W_WHAT	    400
#define W_SUMMARY   360
#define W_SHORT	    64
#define ELLIPSIS    "..."

void hstr_set(struct hstr *h, const char *s, size_t n)
{
	h->cut = n >= sizeof(h->s);
	if (h->cut)
		n = sizeof(h->s) - 1;
	if (n)
		memcpy(h->s, s, n);
	h->s[n] = 0;
	h->n = (uint16_t)n;
}

/* ---------------------------------------------------------------------------------------- */
/* the escaper */

/* Length of a well-formed UTF-8 sequence at s (n bytes available) and its code point, 0 if
 * ill-formed (overlong, surrogate, beyond U+10FFFF, cut). */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t need;
	uint32_t v;

	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	for (size_t k = 1; k <= need; k++) {
		if (k >= n || s[k] < lo || s[k] > hi)
			return 0;
		v = v << 6 | (s[k] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = v;
	return need + 1;
}

/* Code points a terminal must not get raw: C1 controls (CSI is 0x9b), line and paragraph
 * separators, zero-width and bidirectional controls (they reorder what is shown), BOM. */
static bool cp_hidden(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff;
}

size_t human_escape(char *out, size_t cap, const char *s, size_t n, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = 0, i = 0, keep = 0;

	if (!cap)
		return 0;
	if (!max || max > cap - 1)
		max = cap - 1;
	out[0] = 0;
	if (max < sizeof(ELLIPSIS))
		return 0;
	while (i < n) {
		char unit[16];
		size_t ul, adv = 1;
		unsigned char c = p[i];
		uint32_t cp;

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			unit[0] = (char)c;
			ul = 1;
		} else if (c == '\\') {
			ul = (size_t)snprintf(unit, sizeof(unit), "\\\\");
		} else if (c == '\n') {
			ul = (size_t)snprintf(unit, sizeof(unit), "\\n");
		} else if (c == '\r') {
			ul = (size_t)snprintf(unit, sizeof(unit), "\\r");
		} else if (c == '\t') {
			ul = (size_t)snprintf(unit, sizeof(unit), "\\t");
		} else if (c == 0x1b) {
			ul = (size_t)snprintf(unit, sizeof(unit), "\\e");
		} else if (c < 0x80) {
			ul = (size_t)snprintf(unit, sizeof(unit), "\\x%02x", c);
		} else if ((adv = utf8_seq(p + i, n - i, &cp)) == 0) {
			adv = 1;
			ul = (size_t)snprintf(unit, sizeof(unit), "\\x%02x", c);
		} else if (cp_hidden(cp)) {
			ul = (size_t)snprintf(unit, sizeof(unit), "\\u{%04x}", cp);
		} else {
			memcpy(unit, p + i, adv);
			ul = adv;
		}
		if (len + ul > max) {
			/* cut at the last unit boundary that leaves room for the mark */
			memcpy(out + keep, ELLIPSIS, sizeof(ELLIPSIS));
			return keep + sizeof(ELLIPSIS) - 1;
		}
		memcpy(out + len, unit, ul);
		len += ul;
		if (len + sizeof(ELLIPSIS) - 1 <= max)
			keep = len;
		i += adv;
	}
	out[len] = 0;
	return len;
}

/* ---------------------------------------------------------------------------------------- */
/* a bounded line builder */

struct sb {
	char *buf;
	size_t cap, len;
};

static void sb_raw(struct sb *b, const char *s, size_t n)
{
	if (b->len + n >= b->cap)
		n = b->cap - 1 - b->len;
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = 0;
}

static void sb_put(struct sb *b, const char *s)
{
	sb_raw(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void sb_printf(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len + 1 >= b->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->buf + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n < b->cap - b->len ? (size_t)n : b->cap - 1 - b->len;
}

/* an untrusted string, escaped and bounded; a value cut at the source ends with "..." too */
static void sb_esc(struct sb *b, const struct hstr *h, size_t max)
{
	char tmp[4 * HV_STR + 16];
	size_t n = human_escape(tmp, sizeof(tmp), h->s, h->n, max);

	if (h->cut && (n < sizeof(ELLIPSIS) - 1 || strcmp(tmp + n - 3, ELLIPSIS) != 0))
		memcpy(tmp + n, ELLIPSIS, sizeof(ELLIPSIS)), n += 3;
	sb_raw(b, tmp, n);
}

static bool has(const struct hstr *h)
{
	return h->n > 0;
}

static bool is(const struct hstr *h, const char *s)
{
	return h->n == strlen(s) && memcmp(h->s, s, h->n) == 0;
}

/* ---------------------------------------------------------------------------------------- */
/* the line */

static const char *const sev_label[] = { "-       ", "LOW     ", "MEDIUM  ", "HIGH    ",
					 "CRITICAL" };
static const char *const sev_color[] = { "", "\033[36m", "\033[33m", "\033[31m", "\033[1;31m" };
#define COLOR_OFF "\033[0m"

static void put_severity(struct sb *b, int sev, const struct human_style *st)
{
	if (sev < SEV_NONE || sev > SEV_CRITICAL)
		sev = SEV_NONE;
	if (st && st->color && sev != SEV_NONE) {
		sb_put(b, sev_color[sev]);
		sb_put(b, sev_label[sev]);
		sb_put(b, COLOR_OFF);
	} else {
		sb_put(b, sev_label[sev]);
	}
}

static void put_time(struct sb *b, int64_t t)
{
	time_t s = (time_t)(t / 1000000000);
	struct tm tm;

	if (t <= 0 || !gmtime_r(&s, &tm)) {
		sb_put(b, "--:--:--.---");
		return;
	}
	sb_printf(b, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
		  (int)((t % 1000000000) / 1000000));
}

static const char *endpoint_label(const struct hstr *k)
{
	if (is(k, "imds"))
		return "IMDS";
	if (is(k, "pod_identity_agent"))
		return "Pod Identity Agent";
	if (is(k, "container_credentials"))
		return "container credentials";
	return "endpoint";
}

static void put_who(struct sb *b, const struct hview *v)
{
	if (v->host) {
		sb_put(b, "host");
	} else if (has(&v->ns) || has(&v->pod)) {
		sb_esc(b, &v->ns, W_NS);
		sb_put(b, "/");
		sb_esc(b, &v->pod, W_POD);
	} else if (has(&v->pod_uid)) {
		sb_put(b, "pod:");
		sb_esc(b, &v->pod_uid, W_SHORT);
	} else {
		sb_put(b, "?");
	}
	sb_put(b, "  ");
	if (has(&v->container))
		sb_esc(b, &v->container, W_CONTAINER);
	else
		sb_put(b, "-");
}

static void put_proc(struct sb *b, const struct hview *v)
{
	if (has(&v->exe))
		sb_esc(b, &v->exe, W_EXE);
	else if (has(&v->comm))
		sb_esc(b, &v->comm, W_SHORT);
	else
		sb_put(b, "?");
	if (v->have_pid)
		sb_printf(b, "[%u]", v->pid);
}

static void put_addr(struct sb *b, const struct hview *v)
{
	bool v6 = memchr(v->addr.s, ':', v->addr.n) != NULL;

	sb_put(b, v6 ? "[" : "");
	sb_esc(b, &v->addr, W_SHORT);
	sb_printf(b, "%s:%u", v6 ? "]" : "", v->port);
}

static void put_what(struct sb *b, const struct hview *v)
{
	switch (v->kind) {
	case HV_ENDPOINT:
		sb_printf(b, "connect %s ", endpoint_label(&v->ep_kind));
		put_addr(b, v);
		break;
	case HV_HTTP:
		sb_printf(b, "%s ", endpoint_label(&v->ep_kind));
		if (!v->request_seen) {
			sb_printf(b, "response %d (request not seen)", v->status);
			break;
		}
		sb_esc(b, &v->method, W_SHORT);
		sb_put(b, " ");
		sb_esc(b, &v->path, W_PATH);
		sb_put(b, " (");
		if (has(&v->imds_ver)) {
			sb_esc(b, &v->imds_ver, W_SHORT);
			sb_put(b, ", ");
		}
		if (v->status)
			sb_printf(b, "%d", v->status);
		else if (is(&v->response, "timeout"))
			sb_put(b, "no response");
		else
			sb_esc(b, has(&v->response) ? &v->response : &v->event, W_SHORT);
		sb_put(b, v->blocked ? ", blocked)" : ")");
		break;
	case HV_FILE: {
		bool ok = !has(&v->result) || is(&v->result, "ok");

		sb_put(b, ok ? "read " : "open ");
		sb_esc(b, &v->file_kind, W_SHORT);
		if (ok && (has(&v->owner_ns) || has(&v->owner_pod))) {
			sb_put(b, " of ");
			sb_esc(b, &v->owner_ns, W_NS);
			sb_put(b, "/");
			sb_esc(b, &v->owner_pod, W_POD);
		} else {
			sb_put(b, " ");
			sb_esc(b, &v->path, W_PATH);
		}
		if (!ok) {
			sb_put(b, " failed (");
			sb_esc(b, &v->result, W_SHORT);
			sb_put(b, ")");
		}
		break;
	}
	case HV_SOCKET:
		sb_put(b, "connect ");
		sb_esc(b, &v->path, W_PATH);
		if (has(&v->result) && !is(&v->result, "ok")) {
			sb_put(b, " failed (");
			sb_esc(b, &v->result, W_SHORT);
			sb_put(b, ")");
		}
		break;
	case HV_UNPARSED:
		sb_printf(b, "%s ", endpoint_label(&v->ep_kind));
		sb_esc(b, &v->direction, W_SHORT);
		sb_put(b, " not HTTP (");
		sb_esc(b, &v->reason, W_SHORT);
		sb_put(b, ")");
		break;
	case HV_REPEAT: {
		int64_t d = v->window_end > v->window_start ? v->window_end - v->window_start : 0;

		sb_printf(b, "%llux in %lld.%01llds: repeats of ", (unsigned long long)v->count,
			  (long long)(d / 1000000000), (long long)((d % 1000000000) / 100000000));
		sb_esc(b, &v->file_kind, W_SHORT);
		sb_put(b, " ");
		sb_esc(b, &v->path, W_PATH);
		break;
	}
	case HV_FLOOD:
		sb_printf(b, "events lost for %llu s (%llu lost, %llu refused)",
			  (unsigned long long)v->flood_secs, (unsigned long long)v->flood_full,
			  (unsigned long long)v->flood_refused);
		break;
	case HV_MOVE:
		if (v->move_self)
			sb_put(b, "moved itself from ");
		else
			sb_printf(b, "moved pid %u from ", v->moved_pid);
		sb_esc(b, &v->move_from, W_PATH);
		sb_put(b, " to ");
		sb_esc(b, &v->move_to, W_PATH);
		break;
	case HV_SUMMARY: {
		int64_t d = v->window_end > v->window_start ? v->window_end - v->window_start : 0;

		sb_printf(b, "%llux in %lld.%01llds: ", (unsigned long long)v->count,
			  (long long)(d / 1000000000), (long long)((d % 1000000000) / 100000000));
		if (has(&v->target))
			sb_esc(b, &v->target, W_PATH);
		else
			sb_put(b, "-");
		break;
	}
	default:
		sb_esc(b, &v->event, W_SHORT);
		break;
	}
}

size_t human_format(const struct hview *v, const struct human_style *st, char *buf, size_t cap)
{
	struct sb b = { buf, cap, 0 };

	if (!cap)
		return 0;
	buf[0] = 0;
	if (v->kind == HV_READY) {
		sb_put(&b, "-- credwatch ");
		sb_esc(&b, &v->version, W_SHORT);
		sb_put(&b, " watching node ");
		sb_esc(&b, &v->node, W_POD);
		sb_printf(&b, " (%d hooks; file: ", v->nhooks);
		sb_esc(&b, &v->file_hook, W_SHORT);
		sb_put(&b, ", socket: ");
		sb_esc(&b, &v->sock_hook, W_SHORT);
		sb_put(&b, ")");
		return b.len;
	}
	if (v->kind == HV_STATS) {
		if (!v->drop_ringbuf && !v->drop_bad && !v->drop_output)
			return 0;
		sb_put(&b, "-- ");
		if (st && st->color)
			sb_put(&b, sev_color[SEV_HIGH]);
		sb_printf(&b, "DROPPED: ringbuf_full %llu, bad_record %llu, output_error %llu",
			  (unsigned long long)v->drop_ringbuf, (unsigned long long)v->drop_bad,
			  (unsigned long long)v->drop_output);
		if (st && st->color)
			sb_put(&b, COLOR_OFF);
		return b.len;
	}
	put_time(&b, v->time_ns);
	sb_put(&b, "  ");
	put_severity(&b, v->severity, st);
	sb_put(&b, "  ");
	put_who(&b, v);
	sb_put(&b, "  ");
	put_proc(&b, v);
	sb_put(&b, "  ");
	{
		char what[W_WHAT + 8];
		struct sb w = { what, sizeof(what), 0 };

		what[0] = 0;
		put_what(&w, v);
		sb_raw(&b, what, w.len);
	}
	if (v->severity != SEV_NONE && has(&v->rule)) {
		sb_put(&b, "  ");
		sb_esc(&b, &v->rule, W_SHORT);
		if (has(&v->summary)) {
			sb_put(&b, ": ");
			sb_esc(&b, &v->summary, W_SUMMARY);
		}
		if (v->nfindings > 1)
			sb_printf(&b, " (+%d more)", v->nfindings - 1);
	}
	return b.len;
}

size_t human_date_line(int64_t t, int64_t *day, char *buf, size_t cap)
{
	time_t s = (time_t)(t / 1000000000);
	struct tm tm;
	int64_t d;

	if (t <= 0 || !gmtime_r(&s, &tm))
		return 0;
	d = t / 1000000000 / 86400;
	if (d == *day)
		return 0;
	*day = d;
	return (size_t)snprintf(buf, cap, "-- %04d-%02d-%02d (UTC)", tm.tm_year + 1900,
				tm.tm_mon + 1, tm.tm_mday);
}

/* ---------------------------------------------------------------------------------------- */
/* from the pipeline */

static void set_finding(struct hview *v, const struct finding *f, int n)
{
	int top = 0;

	v->severity = SEV_NONE;
	if (!f || n <= 0)
		return;
	for (int i = 1; i < n; i++)
		if (f[i].severity > f[top].severity)
			top = i;
	v->severity = f[top].severity;
	hstr_sets(&v->rule, f[top].name);
	hstr_sets(&v->summary, f[top].summary);
	v->nfindings = n;
}

static void set_endpoint(struct hview *v, const struct cw_ev_endpoint *ep)
{
	char addr[64];

	hstr_sets(&v->ep_kind, endpoint_kind_name(ep->kind));
	config_format_addr(ep->addr, addr, sizeof(addr));
	hstr_sets(&v->addr, addr);
	v->port = ep->port;
}

static void set_http(struct hview *v, const struct cw_event *e)
{
	const struct cw_http_info *hi = &e->x.http;
	const struct conn_done *d = hi->d;
	const struct conn_req *r = d->r;

	v->status = d->status;
	v->request_seen = r != NULL;
	if (!r)
		return;
	v->blocked = hi->blocked;
	hstr_set(&v->method, r->req.method_raw, strnlen(r->req.method_raw, HTTP_METHOD_MAX));
	hstr_set(&v->path, r->req.path, r->req.path_len);
	if (hi->imds && r->cls.imds_ver != IMDS_VER_NA)
		hstr_sets(&v->imds_ver, imds_version_name(r->cls.imds_ver));
	/* as the JSON renderer names it */
	hstr_sets(&v->response, d->late && d->status ? "late"
				: d->status	     ? "received"
				: d->timed_out	     ? "timeout"
				: d->queue_full	     ? "not_matched"
						     : "not_seen");
}

/* a cgroup_move side as the line names it: the pod ("ns/name"), its UID, or the cgroup path */
static void move_side(struct hstr *h, const struct cw_move_side *m)
{
	char buf[HV_STR];

	if (m->pod_name[0]) {
		hstr_sets(h, m->pod_name);
	} else if (m->pod_uid[0]) {
		hstr_sets(h, m->pod_uid);
	} else if (m->cgpath) {
		snprintf(buf, sizeof(buf), "/%s", m->cgpath);
		hstr_sets(h, buf);
		h->cut |= strlen(m->cgpath) + 1 >= sizeof(buf);
	} else {
		hstr_sets(h, "?");
	}
}

void hview_from_event(struct hview *v, const struct cw_event *e)
{
	const struct cw_who *w = &e->who;
	const struct attrib_result *r = &w->res;

	memset(v, 0, sizeof(*v));
	v->time_ns = e->real_ns;
	set_finding(v, e->v.f, e->v.n);
	v->host = r->host;
	v->has_pod = r->has_pod;
	if (r->has_pod) {
		hstr_sets(&v->ns, r->pod_namespace);
		hstr_sets(&v->pod, r->pod_name);
		hstr_sets(&v->pod_uid, r->pod_uid);
	}
	if (r->has_container)
		hstr_sets(&v->container, r->container_name);
	if (w->proc.source != PROC_SRC_UNKNOWN && w->argv)
		hstr_set(&v->exe, (const char *)w->proc.rec.exe, w->proc.rec.exe_len);
	hstr_set(&v->comm, (const char *)e->task->comm,
		 strnlen((const char *)e->task->comm, CW_COMM_LEN));
	v->have_pid = true;
	v->pid = e->task->pid;
	switch (e->kind) {
	case CWE_ENDPOINT_CONNECT:
		v->kind = HV_ENDPOINT;
		hstr_sets(&v->event, "endpoint_connect");
		set_endpoint(v, e->rec.ep);
		break;
	case CWE_HTTP_REQUEST:
		v->kind = HV_HTTP;
		hstr_sets(&v->event, e->x.http.imds ? "imds_request" : "agent_request");
		set_endpoint(v, e->rec.ep);
		set_http(v, e);
		break;
	case CWE_FILE_OPEN: {
		const struct cw_file_info *fi = &e->x.file;

		v->kind = HV_FILE;
		hstr_sets(&v->event, "file_open");
		hstr_sets(&v->file_kind, file_kind_name(fi->kind));
		hstr_sets(&v->result, cw_errno_name(-e->rec.file->result));
		if (fi->path_len)
			hstr_set(&v->path, fi->path, fi->path_len);
		else
			hstr_set(&v->path, fi->req, fi->req_len);
		if (fi->token && fi->owner.found) {
			hstr_sets(&v->owner_ns, fi->owner.pod_namespace);
			hstr_sets(&v->owner_pod, fi->owner.pod_name);
		}
		break;
	}
	case CWE_SOCKET_CONNECT: {
		const struct cw_sock_info *si = &e->x.sock;

		v->kind = HV_SOCKET;
		hstr_sets(&v->event, "socket_connect");
		hstr_sets(&v->result, cw_errno_name(-e->rec.sock->result));
		/* the path the JSON line calls socket.path */
		if (si->node_path)
			hstr_sets(&v->path, si->node_path);
		else if (si->path_len)
			hstr_set(&v->path, si->path, si->path_len);
		else
			hstr_set(&v->path, si->req, si->req_len);
		break;
	}
	case CWE_ENDPOINT_UNPARSED:
		v->kind = HV_UNPARSED;
		hstr_sets(&v->event, "endpoint_unparsed");
		set_endpoint(v, e->rec.ep);
		hstr_sets(&v->direction,
			  e->x.unparsed.u->dir == CW_HTTP_INGRESS ? "responses" : "requests");
		hstr_sets(&v->reason, httpmsg_fail_name(e->x.unparsed.u->why));
		break;
	case CWE_EVENT_FLOOD:
		v->kind = HV_FLOOD;
		hstr_sets(&v->event, "event_flood");
		v->flood_full = e->rec.flood->d.full;
		v->flood_refused = e->rec.flood->d.low_refused;
		v->flood_secs = e->rec.flood->episode_secs;
		break;
	case CWE_CGROUP_MOVE:
		v->kind = HV_MOVE;
		hstr_sets(&v->event, "cgroup_move");
		v->moved_pid = e->rec.move->moved_pid;
		v->move_self = e->rec.move->moved_pid == e->task->pid;
		move_side(&v->move_from, &e->x.move.from);
		move_side(&v->move_to, &e->x.move.to);
		break;
	default:
		v->kind = HV_OTHER;
		hstr_sets(&v->event, "event");
		break;
	}
}

void hview_from_summary(struct hview *v, const struct fold_summary *s, int64_t now_real)
{
	memset(v, 0, sizeof(*v));
	v->kind = HV_SUMMARY;
	v->time_ns = now_real;
	hstr_sets(&v->event, "finding_summary");
	v->severity = s->severity;
	hstr_sets(&v->rule, rule_name(s->rule) ? rule_name(s->rule) : "unknown");
	v->nfindings = 1;
	v->host = s->host;
	v->has_pod = s->pod_uid && s->pod_uid[0];
	hstr_sets(&v->ns, s->pod_namespace);
	hstr_sets(&v->pod, s->pod_name);
	hstr_sets(&v->pod_uid, s->pod_uid);
	hstr_sets(&v->container, s->container);
	hstr_sets(&v->exe, s->exe);
	/* a slot-cut string is marked like the JSON line marks it */
	v->ns.cut |= !!(s->cut & FOLD_CUT_NAMESPACE);
	v->pod.cut |= !!(s->cut & FOLD_CUT_POD_NAME);
	v->container.cut |= !!(s->cut & FOLD_CUT_CONTAINER);
	v->exe.cut |= !!(s->cut & FOLD_CUT_EXE);
	hstr_sets(&v->target, s->target);
	v->target.cut |= !!(s->cut & FOLD_CUT_TARGET);
	v->count = s->count;
	v->window_start = (int64_t)s->start_ns;
	v->window_end = (int64_t)s->end_ns;
}

void hview_from_repeat(struct hview *v, const struct quiet_summary *s, int64_t boot_to_real)
{
	const struct quiet_info *qi = s->info;

	memset(v, 0, sizeof(*v));
	v->kind = HV_REPEAT;
	v->time_ns = (int64_t)s->end_ns + boot_to_real;
	hstr_sets(&v->event, "repeat_summary");
	v->host = qi->host;
	v->has_pod = qi->pod_uid[0] != 0;
	hstr_sets(&v->ns, qi->pod_namespace);
	hstr_sets(&v->pod, qi->pod_name);
	hstr_sets(&v->pod_uid, qi->pod_uid);
	hstr_sets(&v->container, qi->container);
	hstr_sets(&v->exe, qi->exe);
	v->exe.cut |= qi->exe_cut;
	v->have_pid = true;
	v->pid = qi->pid;
	hstr_sets(&v->file_kind, qi->file_kind);
	hstr_sets(&v->path, qi->path);
	v->path.cut |= qi->path_cut;
	v->count = s->repeats + 1;
	v->window_start = (int64_t)s->start_ns + boot_to_real;
	v->window_end = (int64_t)s->end_ns + boot_to_real;
}

void hview_from_ready(struct hview *v, const struct ready_info *ri, const char *node)
{
	memset(v, 0, sizeof(*v));
	v->kind = HV_READY;
	v->time_ns = ri->time_real;
	hstr_sets(&v->event, "agent_ready");
	hstr_sets(&v->version, ri->version);
	hstr_sets(&v->node, node);
	hstr_sets(&v->file_hook, ri->file_hook);
	hstr_sets(&v->sock_hook, ri->sock_hook);
	v->nhooks = ri->nhooks;
}

void hview_from_stats(struct hview *v, const struct stats_snapshot *st)
{
	memset(v, 0, sizeof(*v));
	v->kind = HV_STATS;
	v->time_ns = st->time_real;
	hstr_sets(&v->event, "agent_stats");
	v->drop_ringbuf = st->kernel[CW_STAT_RINGBUF_FULL];
	v->drop_bad = st->bad_records;
	v->drop_output = st->output_errors;
}

/* ---------------------------------------------------------------------------------------- */
/* the summary */

static void who_key(const struct hview *v, char *out, size_t cap)
{
	struct sb b = { out, cap, 0 };

	out[0] = 0;
	if (v->host) {
		sb_put(&b, "host");
	} else if (has(&v->ns) || has(&v->pod)) {
		sb_esc(&b, &v->ns, 40);
		sb_put(&b, "/");
		sb_esc(&b, &v->pod, 80);
	} else if (has(&v->pod_uid)) {
		sb_put(&b, "pod:");
		sb_esc(&b, &v->pod_uid, 40);
	} else {
		sb_put(&b, "?");
	}
}

void human_tally_add(struct htally *t, const struct hview *v, bool shown)
{
	char rule[48], who[160];
	uint64_t n;
	int i;

	if (v->kind == HV_STATS) {
		t->have_drops = true;
		t->drop_ringbuf = v->drop_ringbuf;
		t->drop_bad = v->drop_bad;
		t->drop_output = v->drop_output;
		return;
	}
	if (v->kind == HV_READY)
		return;
	if (!shown) {
		t->hidden++;
		return;
	}
	t->shown++;
	if (v->time_ns > 0) {
		if (!t->first_ns || v->time_ns < t->first_ns)
			t->first_ns = v->time_ns;
		if (v->time_ns > t->last_ns)
			t->last_ns = v->time_ns;
	}
	for (i = 0; i < t->nevents; i++)
		if (strcmp(t->events[i].name, v->event.s) == 0)
			break;
	if (i == t->nevents && i < HT_MAX_EVENTS) {
		human_escape(t->events[i].name, sizeof(t->events[i].name), v->event.s, v->event.n,
			     0);
		t->nevents++;
	}
	if (i < t->nevents)
		t->events[i].n++;
	if (v->severity <= SEV_NONE || v->severity > SEV_CRITICAL)
		return;
	/* a summary's count includes its first event, which was counted when it was shown */
	n = v->kind == HV_SUMMARY ? (v->count > 1 ? v->count - 1 : 0) : 1;
	if (!n)
		return;
	t->findings[v->severity] += n;
	human_escape(rule, sizeof(rule), v->rule.s, v->rule.n, 0);
	who_key(v, who, sizeof(who));
	for (i = 0; i < t->npairs; i++)
		if (strcmp(t->pairs[i].rule, rule) == 0 && strcmp(t->pairs[i].who, who) == 0)
			break;
	if (i == t->npairs) {
		if (i == HT_MAX_PAIRS) {
			t->pairs_dropped += n;
			return;
		}
		snprintf(t->pairs[i].rule, sizeof(t->pairs[i].rule), "%s", rule);
		snprintf(t->pairs[i].who, sizeof(t->pairs[i].who), "%s", who);
		t->npairs++;
	}
	t->pairs[i].n += n;
	if (v->severity > t->pairs[i].severity)
		t->pairs[i].severity = v->severity;
}

#define SUMMARY_PAIRS 14

void human_tally_print(const struct htally *t, const struct human_style *st,
		       void (*write)(void *ctx, const char *line, size_t n), void *ctx)
{
	char line[1024];
	struct sb b = { line, sizeof(line), 0 };
	int order[HT_MAX_PAIRS], n = t->npairs;
	uint64_t total = 0;

	sb_put(&b, "-- summary");
	if (t->first_ns) {
		sb_put(&b, ": ");
		put_time(&b, t->first_ns);
		sb_put(&b, " to ");
		put_time(&b, t->last_ns);
		sb_put(&b, " UTC");
	}
	write(ctx, line, b.len);
	b.len = 0;
	sb_printf(&b, "events    %llu shown, %llu hidden by the filters",
		  (unsigned long long)t->shown, (unsigned long long)t->hidden);
	write(ctx, line, b.len);
	if (t->nevents) {
		b.len = 0;
		sb_put(&b, "         ");
		for (int i = 0; i < t->nevents; i++)
			sb_printf(&b, " %s %llu", t->events[i].name,
				  (unsigned long long)t->events[i].n);
		write(ctx, line, b.len);
	}
	for (int s = SEV_LOW; s <= SEV_CRITICAL; s++)
		total += t->findings[s];
	b.len = 0;
	sb_printf(&b, "findings  %llu", (unsigned long long)total);
	if (total) {
		const char *sep = ": ";

		for (int s = SEV_CRITICAL; s >= SEV_LOW; s--) {
			if (!t->findings[s])
				continue;
			sb_printf(&b, "%s%s %llu", sep, severity_name(s),
				  (unsigned long long)t->findings[s]);
			sep = ", ";
		}
	}
	write(ctx, line, b.len);
	/* by severity, then count, then name */
	for (int i = 0; i < n; i++)
		order[i] = i;
	for (int i = 1; i < n; i++) {
		int k = order[i], j = i;

		while (j > 0) {
			const __typeof__(t->pairs[0]) *a = &t->pairs[order[j - 1]],
						      *c = &t->pairs[k];
			int cmp = c->severity != a->severity	  ? c->severity - a->severity
				  : c->n != a->n		  ? (c->n > a->n ? 1 : -1)
				  : strcmp(a->rule, c->rule) != 0 ? strcmp(a->rule, c->rule)
								  : strcmp(a->who, c->who);

			if (cmp <= 0)
				break;
			order[j] = order[j - 1];
			j--;
		}
		order[j] = k;
	}
	for (int i = 0; i < n && i < SUMMARY_PAIRS; i++) {
		const __typeof__(t->pairs[0]) *p = &t->pairs[order[i]];

		b.len = 0;
		sb_put(&b, "  ");
		put_severity(&b, p->severity, st);
		sb_printf(&b, "  %-26s %-40s %llu", p->rule, p->who, (unsigned long long)p->n);
		write(ctx, line, b.len);
	}
	if (n > SUMMARY_PAIRS || t->pairs_dropped) {
		uint64_t more = t->pairs_dropped;

		for (int i = SUMMARY_PAIRS; i < n; i++)
			more += t->pairs[order[i]].n;
		b.len = 0;
		sb_printf(&b, "  ... %llu more findings of %d other rule and pod pairs",
			  (unsigned long long)more, n > SUMMARY_PAIRS ? n - SUMMARY_PAIRS : 0);
		write(ctx, line, b.len);
	}
	b.len = 0;
	if (!t->have_drops)
		sb_put(&b, "drops     unknown (no agent_stats seen)");
	else if (!t->drop_ringbuf && !t->drop_bad && !t->drop_output)
		sb_put(&b, "drops     none");
	else
		sb_printf(&b, "drops     ringbuf_full %llu, bad_record %llu, output_error %llu",
			  (unsigned long long)t->drop_ringbuf, (unsigned long long)t->drop_bad,
			  (unsigned long long)t->drop_output);
	write(ctx, line, b.len);
}

/* ---------------------------------------------------------------------------------------- */
/* the renderer */

struct human_renderer {
	struct renderer base;
	struct human_opts o;
	struct hview v;
	struct htally tally;
	int64_t day;
	uint64_t last_drops[3];
	char line[8192];
};

static void emit(struct human_renderer *hr, size_t n)
{
	if (n)
		hr->o.write(hr->o.write_ctx, hr->line, n);
}

static void show(struct human_renderer *hr)
{
	bool keep = !hr->o.keep || hr->o.keep(hr->o.keep_ctx, &hr->v);

	human_tally_add(&hr->tally, &hr->v, keep);
	if (!keep)
		return;
	emit(hr, human_date_line(hr->v.time_ns, &hr->day, hr->line, sizeof(hr->line) - 1));
	emit(hr, human_format(&hr->v, &hr->o.style, hr->line, sizeof(hr->line) - 1));
}

static void human_event(struct renderer *r, const struct cw_event *e)
{
	struct human_renderer *hr = (struct human_renderer *)r;

	hview_from_event(&hr->v, e);
	show(hr);
}

static void human_summary_op(struct renderer *r, const struct fold_summary *s, int64_t now_real)
{
	struct human_renderer *hr = (struct human_renderer *)r;

	hview_from_summary(&hr->v, s, now_real);
	show(hr);
}

static void human_repeat_op(struct renderer *r, const struct quiet_summary *s, int64_t boot_to_real)
{
	struct human_renderer *hr = (struct human_renderer *)r;

	hview_from_repeat(&hr->v, s, boot_to_real);
	show(hr);
}

static void human_ready(struct renderer *r, const struct ready_info *ri)
{
	struct human_renderer *hr = (struct human_renderer *)r;

	hview_from_ready(&hr->v, ri, hr->o.node);
	emit(hr, human_format(&hr->v, &hr->o.style, hr->line, sizeof(hr->line) - 1));
}

/* a status line when the drop counters are non-zero and have changed */
static void drops_now(struct human_renderer *hr)
{
	uint64_t d[3] = { hr->v.drop_ringbuf, hr->v.drop_bad, hr->v.drop_output };

	human_tally_add(&hr->tally, &hr->v, true);
	if (!memcmp(d, hr->last_drops, sizeof(d)))
		return;
	memcpy(hr->last_drops, d, sizeof(d));
	emit(hr, human_format(&hr->v, &hr->o.style, hr->line, sizeof(hr->line) - 1));
}

static void human_stats(struct renderer *r, const struct stats_snapshot *st)
{
	struct human_renderer *hr = (struct human_renderer *)r;

	hview_from_stats(&hr->v, st);
	drops_now(hr);
}

void human_status(struct renderer *r, uint64_t ringbuf_full, uint64_t bad_records,
		  uint64_t output_errors)
{
	struct human_renderer *hr = (struct human_renderer *)r;

	memset(&hr->v, 0, sizeof(hr->v));
	hr->v.kind = HV_STATS;
	hr->v.drop_ringbuf = ringbuf_full;
	hr->v.drop_bad = bad_records;
	hr->v.drop_output = output_errors;
	drops_now(hr);
}

static void write_summary_line(void *ctx, const char *line, size_t n)
{
	struct human_renderer *hr = ctx;

	if (n > sizeof(hr->line) - 1)
		n = sizeof(hr->line) - 1;
	memmove(hr->line, line, n);
	hr->line[n] = 0;
	emit(hr, n);
}

void human_summary(struct renderer *r)
{
	struct human_renderer *hr = (struct human_renderer *)r;

	human_tally_print(&hr->tally, &hr->o.style, write_summary_line, hr);
}

static void human_free(struct renderer *r)
{
	free(r);
}

static const struct renderer_ops human_ops = {
	.event = human_event,
	.summary = human_summary_op,
	.ready = human_ready,
	.stats = human_stats,
	.free = human_free,
	.repeat = human_repeat_op,
};

struct renderer *human_renderer_new(const struct human_opts *o)
{
	struct human_renderer *hr = calloc(1, sizeof(*hr));

	if (!hr)
		return NULL;
	hr->base.ops = &human_ops;
	hr->o = *o;
	hr->day = -1;
	return &hr->base;
}
