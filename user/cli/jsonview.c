// SPDX-License-Identifier: GPL-2.0
/* A credwatch/v1 JSON line as a struct hview (see jsonview.h). */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "cli/jsonview.h"
#include "judge/policy.h"
#include "util/textutil.h"

#define JV_MAX_DEPTH 32

int64_t jsonview_parse_time(const char *s)
{
	int Y, M, D, h, m, sec, used = 0;
	int64_t frac = 0, scale = 1000000000;
	struct tm tm = { 0 };
	const char *p;
	time_t t;

	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &Y, &M, &D, &h, &m, &sec, &used) != 6 ||
	    used != 19)
		return 0;
	p = s + used;
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++)
			if (scale > 1) {
				scale /= 10;
				frac += (*p - '0') * scale;
			}
	}
	tm.tm_year = Y - 1900;
	tm.tm_mon = M - 1;
	tm.tm_mday = D;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return 0;
	if (*p == '+' || *p == '-') {
		int oh, om;

		if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2)
			return 0;
		t -= (*p == '+' ? 1 : -1) * (oh * 3600 + om * 60);
	} else if (*p != 'Z' && *p != 'z') {
		return 0;
	}
	return (int64_t)t * 1000000000 + frac;
}

static json_t *path(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(o, a);

	return b ? json_object_get(v, b) : v;
}

/* a string member (absent, null or not a string: empty) */
static void str(struct hstr *h, json_t *v)
{
	if (json_is_string(v))
		hstr_set(h, json_string_value(v), json_string_length(v));
	else
		hstr_set(h, NULL, 0);
}

static uint64_t num(json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v)
							       : 0;
}

static void set_finding(struct hview *v, json_t *root)
{
	json_t *f = json_object_get(root, "finding");
	json_t *sev = json_object_get(f, "severity");
	int s = json_is_string(sev) ? severity_parse(json_string_value(sev)) : -1;

	v->severity = s > 0 ? s : SEV_NONE;
	if (v->severity == SEV_NONE)
		return;
	str(&v->rule, json_object_get(f, "rule"));
	str(&v->summary, json_object_get(f, "summary"));
	v->nfindings = json_is_array(json_object_get(root, "findings"))
			       ? (int)json_array_size(json_object_get(root, "findings"))
			       : 1;
	if (v->nfindings < 1)
		v->nfindings = 1;
}

static void set_endpoint(struct hview *v, json_t *root)
{
	str(&v->ep_kind, path(root, "endpoint", "kind"));
	str(&v->addr, path(root, "endpoint", "addr"));
	v->port = (uint32_t)num(path(root, "endpoint", "port"));
}

static void set_who(struct hview *v, json_t *root)
{
	json_t *pod = json_object_get(root, "pod");

	v->host = json_is_true(json_object_get(root, "host"));
	v->has_pod = json_is_object(pod);
	str(&v->ns, json_object_get(pod, "namespace"));
	str(&v->pod, json_object_get(pod, "name"));
	str(&v->pod_uid, json_object_get(pod, "uid"));
	str(&v->container, path(root, "container", "name"));
	str(&v->exe, path(root, "process", "exe"));
	str(&v->comm, path(root, "process", "comm"));
	if (json_is_integer(path(root, "process", "pid"))) {
		v->have_pid = true;
		v->pid = (uint32_t)num(path(root, "process", "pid"));
	}
}

/* a summary's subject, count and window (finding_summary, repeat_summary) */
static void set_subject(struct hview *v, json_t *root)
{
	json_t *s = json_object_get(root, "subject");

	v->host = json_is_true(json_object_get(s, "host"));
	str(&v->ns, json_object_get(s, "namespace"));
	str(&v->pod, json_object_get(s, "pod_name"));
	str(&v->pod_uid, json_object_get(s, "pod_uid"));
	v->has_pod = v->pod_uid.n > 0;
	str(&v->container, json_object_get(s, "container"));
	str(&v->exe, json_object_get(s, "exe"));
	v->count = num(json_object_get(root, "count"));
	v->window_start = jsonview_parse_time(json_string_value(path(root, "window", "start")));
	v->window_end = jsonview_parse_time(json_string_value(path(root, "window", "end")));
}

static void set_summary(struct hview *v, json_t *root)
{
	v->kind = HV_SUMMARY;
	set_subject(v, root);
	str(&v->target, json_object_get(root, "target"));
	/* a summary's finding has no summary text: the count says it */
	str(&v->summary, NULL);
	v->nfindings = 1;
}

/* a cgroup_move side as the line names it (human.c's move_side, from the JSON line) */
static void move_side(struct hstr *h, json_t *side)
{
	json_t *name = json_object_get(side, "pod_name"), *uid = json_object_get(side, "pod_uid");
	json_t *cg = json_object_get(side, "cgroup_path");

	if (json_is_string(name) && json_string_length(name)) {
		str(h, name);
	} else if (json_is_string(uid) && json_string_length(uid)) {
		str(h, uid);
	} else if (json_is_string(cg)) {
		char buf[HV_STR];
		size_t n = json_string_length(cg);

		buf[0] = '/';
		if (n > sizeof(buf) - 1)
			n = sizeof(buf) - 1;
		memcpy(buf + 1, json_string_value(cg), n);
		hstr_set(h, buf, n + 1);
		h->cut |= json_string_length(cg) + 1 > sizeof(buf);
	} else {
		hstr_sets(h, "?");
	}
}

static void fill(struct hview *v, json_t *root, const char *ev)
{
	v->time_ns = jsonview_parse_time(json_string_value(json_object_get(root, "time")));
	hstr_sets(&v->event, ev);
	if (!strcmp(ev, "agent_ready")) {
		v->kind = HV_READY;
		str(&v->version, path(root, "agent", "version"));
		str(&v->node, path(root, "node", "name"));
		str(&v->file_hook, json_object_get(path(root, "hook_selection", "file"), "chosen"));
		str(&v->sock_hook,
		    json_object_get(path(root, "hook_selection", "socket"), "chosen"));
		v->nhooks = json_is_array(json_object_get(root, "hooks"))
				    ? (int)json_array_size(json_object_get(root, "hooks"))
				    : 0;
		return;
	}
	if (!strcmp(ev, "agent_stats")) {
		v->kind = HV_STATS;
		v->drop_ringbuf = num(path(root, "drops", "ringbuf_full"));
		v->drop_bad = num(path(root, "drops", "bad_record"));
		v->drop_output = num(path(root, "drops", "output_error"));
		return;
	}
	set_finding(v, root);
	if (!strcmp(ev, "finding_summary")) {
		set_summary(v, root);
		return;
	}
	set_who(v, root);
	if (!strcmp(ev, "endpoint_connect")) {
		v->kind = HV_ENDPOINT;
		set_endpoint(v, root);
	} else if (!strcmp(ev, "imds_request") || !strcmp(ev, "agent_request")) {
		json_t *h = json_object_get(root, "http");

		v->kind = HV_HTTP;
		set_endpoint(v, root);
		v->request_seen = !json_is_false(json_object_get(h, "request_seen"));
		v->blocked = json_is_true(json_object_get(h, "blocked"));
		v->status = (int)num(json_object_get(h, "status"));
		str(&v->method, json_object_get(h, "method"));
		str(&v->path, json_object_get(h, "path"));
		str(&v->imds_ver, json_object_get(h, "imds_version"));
		str(&v->response, json_object_get(h, "response"));
	} else if (!strcmp(ev, "file_open")) {
		json_t *f = json_object_get(root, "file");

		v->kind = HV_FILE;
		str(&v->file_kind, json_object_get(f, "kind"));
		str(&v->result, json_object_get(f, "result"));
		str(&v->path, json_object_get(f, "path"));
		if (!v->path.n)
			str(&v->path, json_object_get(f, "requested_path"));
		str(&v->owner_ns, path(f, "owner", "namespace"));
		str(&v->owner_pod, path(f, "owner", "pod_name"));
	} else if (!strcmp(ev, "socket_connect")) {
		v->kind = HV_SOCKET;
		str(&v->path, path(root, "socket", "path"));
		str(&v->result, path(root, "socket", "result"));
	} else if (!strcmp(ev, "endpoint_unparsed")) {
		v->kind = HV_UNPARSED;
		set_endpoint(v, root);
		str(&v->direction, path(root, "unparsed", "direction"));
		str(&v->reason, path(root, "unparsed", "reason"));
	} else if (!strcmp(ev, "repeat_summary")) {
		json_t *pid = path(root, "subject", "pid");

		v->kind = HV_REPEAT;
		set_subject(v, root);
		v->have_pid = json_is_integer(pid);
		v->pid = v->have_pid ? (uint32_t)json_integer_value(pid) : 0;
		str(&v->file_kind, path(root, "file", "kind"));
		str(&v->path, path(root, "file", "path"));
	} else if (!strcmp(ev, "event_flood")) {
		v->kind = HV_FLOOD;
		v->flood_full = num(path(root, "flood", "full"));
		v->flood_refused = num(path(root, "flood", "low_refused"));
		v->flood_secs = num(path(root, "flood", "seconds"));
	} else if (!strcmp(ev, "cgroup_move")) {
		json_t *m = json_object_get(root, "move");
		json_t *pid = json_object_get(m, "pid");

		v->kind = HV_MOVE;
		v->moved_pid = json_is_integer(pid) ? (uint32_t)json_integer_value(pid) : 0;
		v->move_self = json_is_true(json_object_get(m, "self"));
		move_side(&v->move_from, json_object_get(m, "from"));
		move_side(&v->move_to, json_object_get(m, "to"));
	} else {
		v->kind = HV_OTHER;
	}
}

int hview_from_json(struct hview *v, const char *line, size_t n, char *why, size_t whylen)
{
	const char *p = memchr(line, '{', n);
	json_error_t jerr;
	json_t *root, *ev, *schema;
	size_t i;

	memset(v, 0, sizeof(*v));
	why[0] = 0;
	for (i = 0; i < n && isspace((unsigned char)line[i]); i++)
		;
	if (i == n)
		return JV_BLANK;
	if (n > JSONVIEW_LINE_MAX) {
		snprintf(why, whylen, "longer than %u bytes", JSONVIEW_LINE_MAX);
		return JV_MALFORMED;
	}
	if (!p) {
		snprintf(why, whylen, "no JSON object");
		return JV_MALFORMED;
	}
	n -= (size_t)(p - line);
	if (!json_depth_ok(p, n, JV_MAX_DEPTH)) {
		snprintf(why, whylen, "nested deeper than %d", JV_MAX_DEPTH);
		return JV_MALFORMED;
	}
	root = json_loadb(p, n, JSON_ALLOW_NUL, &jerr);
	if (!root) {
		snprintf(why, whylen, "column %d: %s", jerr.column + (int)(p - line), jerr.text);
		return JV_MALFORMED;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		snprintf(why, whylen, "not a JSON object");
		return JV_MALFORMED;
	}
	schema = json_object_get(root, "schema");
	ev = json_object_get(root, "event");
	if (!json_is_string(schema) || strcmp(json_string_value(schema), "credwatch/v1") != 0 ||
	    !json_is_string(ev)) {
		json_decref(root);
		return JV_FOREIGN;
	}
	fill(v, root, json_string_value(ev));
	json_decref(root);
	return JV_OK;
}
