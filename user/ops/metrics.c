// SPDX-License-Identifier: GPL-2.0
/* The Prometheus endpoint (metrics.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "intake/conns.h"
#include "ops/metrics.h"
#include "util/clock.h"
#include "util/log.h"

#define METRICS_BUF  (128 * 1024)
#define REQUEST_MAX  4096
#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* ---------------------------------------------------------------------------------------- */
/* the exposition text */

struct tb {
	char *buf;
	size_t len, cap;
	bool full;
};

__attribute__((format(printf, 2, 3))) static void tb_printf(struct tb *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= t->cap - t->len) {
		t->full = true;
		return;
	}
	t->len += n;
}

static void head(struct tb *t, const char *name, const char *type, const char *help)
{
	tb_printf(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void one(struct tb *t, const char *name, const char *type, const char *help, uint64_t v)
{
	head(t, name, type, help);
	tb_printf(t, "%s %llu\n", name, (unsigned long long)v);
}

static void labelled(struct tb *t, const char *name, const char *label, const char *value,
		     uint64_t v)
{
	tb_printf(t, "%s{%s=\"%s\"} %llu\n", name, label, value, (unsigned long long)v);
}

/* a label value from outside the enums (the version): escaped per the text format */
static void put_escaped(struct tb *t, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			tb_printf(t, "\\%c", *s);
		else if (*s == '\n')
			tb_printf(t, "\\n");
		else
			tb_printf(t, "%c", *s);
	}
}

size_t metrics_format(const struct metrics_counts *c, const struct stats_snapshot *st,
		      const char *version, char *buf, size_t len)
{
	static const char *const written[] = { "endpoint_connect", "file_open",
					       "socket_connect",   "imds_request",
					       "agent_request",	   "endpoint_unparsed",
					       "cgroup_move",	   "event_flood" };
	const uint64_t *k = st->kernel;
	struct tb t = { .buf = buf, .cap = len };

	if (!len)
		return 0;
	buf[0] = 0;
	head(&t, "credwatch_build_info", "gauge", "The running agent's version (always 1).");
	tb_printf(&t, "credwatch_build_info{version=\"");
	put_escaped(&t, version);
	tb_printf(&t, "\"} 1\n");
	head(&t, "credwatch_uptime_seconds", "gauge", "Seconds since the agent started.");
	tb_printf(&t, "credwatch_uptime_seconds %.3f\n", st->uptime_ms / 1e3);

	head(&t, "credwatch_events_total", "counter", "Event lines written, by event type.");
	for (size_t i = 0; i < sizeof(written) / sizeof(written[0]); i++)
		labelled(&t, "credwatch_events_total", "event", written[i], st->written[i]);
	labelled(&t, "credwatch_events_total", "event", "finding_summary", st->summaries);

	head(&t, "credwatch_kernel_submitted_total", "counter",
	     "Records the BPF programs submitted to the ring buffer, by event type.");
	labelled(&t, "credwatch_kernel_submitted_total", "event", "endpoint_connect",
		 k[CW_STAT_EV_ENDPOINT]);
	labelled(&t, "credwatch_kernel_submitted_total", "event", "file_open", k[CW_STAT_EV_FILE]);
	labelled(&t, "credwatch_kernel_submitted_total", "event", "socket_connect",
		 k[CW_STAT_EV_SOCKET]);
	labelled(&t, "credwatch_kernel_submitted_total", "event", "cgroup", k[CW_STAT_EV_CGROUP]);
	labelled(&t, "credwatch_kernel_submitted_total", "event", "http", k[CW_STAT_EV_HTTP]);

	head(&t, "credwatch_drops_total", "counter",
	     "Events lost, by reason (ring buffer full, bad record, output error).");
	labelled(&t, "credwatch_drops_total", "reason", "ringbuf_full", k[CW_STAT_RINGBUF_FULL]);
	labelled(&t, "credwatch_drops_total", "reason", "bad_record", st->bad_records);
	labelled(&t, "credwatch_drops_total", "reason", "output_error", st->output_errors);
	labelled(&t, "credwatch_drops_total", "reason", "low_priority_refused",
		 k[CW_STAT_LOW_REFUSED]);

	head(&t, "credwatch_errors_total", "counter",
	     "Internal errors of the BPF side, by reason.");
	labelled(&t, "credwatch_errors_total", "reason", "proc_map_full", k[CW_STAT_PROC_MAP_FULL]);
	labelled(&t, "credwatch_errors_total", "reason", "proc_read_fail",
		 k[CW_STAT_PROC_READ_FAIL]);
	labelled(&t, "credwatch_errors_total", "reason", "requested_path_unreadable",
		 k[CW_STAT_REQ_READ_FAIL]);
	labelled(&t, "credwatch_errors_total", "reason", "helper_errors_unrecorded",
		 k[CW_STAT_ERRS_FULL]);

	head(&t, "credwatch_truncations_total", "counter",
	     "Values cut at their bound, by what was cut.");
	labelled(&t, "credwatch_truncations_total", "reason", "args", k[CW_STAT_ARGS_TRUNC]);
	labelled(&t, "credwatch_truncations_total", "reason", "exe", k[CW_STAT_EXE_TRUNC]);
	labelled(&t, "credwatch_truncations_total", "reason", "path", k[CW_STAT_PATH_TRUNC]);
	labelled(&t, "credwatch_truncations_total", "reason", "cgroup_path",
		 k[CW_STAT_CGPATH_TRUNC]);
	labelled(&t, "credwatch_truncations_total", "reason", "line", st->lines_overflowed);

	one(&t, "credwatch_userspace_filtered_total", "counter",
	    "Records the BPF side sent that the agent's rules discarded.", st->userspace_filtered);

	head(&t, "credwatch_findings_total", "counter",
	     "Findings in written events, by rule and severity.");
	for (int r = 0; r < RULE__COUNT; r++)
		for (int s = SEV_LOW; s <= SEV_CRITICAL; s++)
			tb_printf(&t,
				  "credwatch_findings_total{rule=\"%s\",severity=\"%s\"} %llu\n",
				  rule_name(r), severity_name(s),
				  (unsigned long long)c->findings[r][s]);
	head(&t, "credwatch_finding_repeats_total", "counter",
	     "Repeats of a finding folded into a window (reported by its finding_summary), by "
	     "rule and severity.");
	for (int r = 0; r < RULE__COUNT; r++)
		for (int s = SEV_LOW; s <= SEV_CRITICAL; s++)
			tb_printf(&t,
				  "credwatch_finding_repeats_total{rule=\"%s\",severity=\"%s\"} "
				  "%llu\n",
				  rule_name(r), severity_name(s),
				  (unsigned long long)c->repeats[r][s]);
	one(&t, "credwatch_folded_total", "counter",
	    "Events counted into a fold window instead of written.", st->folded);

	if (st->have_http) {
		one(&t, "credwatch_http_requests_total", "counter",
		    "HTTP requests seen on credential endpoint connections.", st->http.requests);
		one(&t, "credwatch_http_responses_total", "counter",
		    "HTTP responses paired with their request.", st->http.responses);
		one(&t, "credwatch_http_response_timeouts_total", "counter",
		    "Requests written without a response (none came in time).", st->http.timeouts);
	}

	one(&t, "credwatch_held_back_total", "counter",
	    "Events held back for container metadata at least once.", st->held_back);
	one(&t, "credwatch_held_back_overflow_total", "counter",
	    "Events let go early because the hold-back queue was full.", st->held_back_overflow);
	one(&t, "credwatch_cgroup_cache_entries", "gauge", "Entries in the cgroup path cache.",
	    st->cgroups_entries);
	one(&t, "credwatch_cgroup_cache_evictions_total", "counter",
	    "Entries evicted from the cgroup path cache.", st->cgroups_evictions);
	one(&t, "credwatch_attrib_memory_bytes", "gauge", "Memory held by the attribution caches.",
	    st->attrib.memory_bytes);
	if (st->fold_on)
		one(&t, "credwatch_fold_open_windows", "gauge", "Fold windows open now.",
		    st->fold_open);

	one(&t, "credwatch_output_lines_total", "counter", "Lines the output took.",
	    st->out_lines_written);
	one(&t, "credwatch_output_bytes_total", "counter",
	    "Bytes written to the output (compressed, for gzip).", st->out_bytes_written);
	one(&t, "credwatch_output_pending_lines", "gauge",
	    "Lines buffered, not yet taken by the output.", st->out_lines_pending);
	one(&t, "credwatch_output_failed_writes_total", "counter",
	    "Writes to the output that failed.", st->out_failed_writes);
	one(&t, "credwatch_output_rotations_total", "counter", "Output files rotated by size.",
	    st->out_rotations);
	one(&t, "credwatch_output_reopens_total", "counter", "Output files reopened (SIGHUP).",
	    st->out_reopens);
	one(&t, "credwatch_output_failing", "gauge",
	    "1 while writes to the output fail (lines are being held, then lost).",
	    st->out_err != 0);

	head(&t, "credwatch_config_reloads_total", "counter",
	     "SIGHUP configuration reloads, by outcome.");
	labelled(&t, "credwatch_config_reloads_total", "reason", "applied", st->reloads_applied);
	labelled(&t, "credwatch_config_reloads_total", "reason", "unchanged",
		 st->reloads_unchanged);
	labelled(&t, "credwatch_config_reloads_total", "reason", "refused", st->reloads_refused);
	one(&t, "credwatch_ringbuf_drop_intervals", "gauge",
	    "Consecutive intervals in which the ring buffer dropped records.",
	    st->ringbuf_drop_intervals);
	return t.full ? 0 : t.len;
}

/* ---------------------------------------------------------------------------------------- */
/* the renderer: findings by rule and severity */

struct metrics_renderer {
	struct renderer base;
	struct metrics_counts *c;
};

static void m_event(struct renderer *r, const struct cw_event *e)
{
	struct metrics_counts *c = ((struct metrics_renderer *)r)->c;

	for (int i = 0; i < e->v.n; i++)
		if (e->v.f[i].rule < RULE__COUNT && e->v.f[i].severity < SEV__COUNT)
			c->findings[e->v.f[i].rule][e->v.f[i].severity]++;
}

static void m_summary(struct renderer *r, const struct fold_summary *s, int64_t now_real)
{
	struct metrics_counts *c = ((struct metrics_renderer *)r)->c;

	(void)now_real;
	c->summaries++;
	if (s->rule < RULE__COUNT && s->severity < SEV__COUNT && s->count > 1)
		c->repeats[s->rule][s->severity] += s->count - 1;
}

static void m_ready(struct renderer *r, const struct ready_info *ri)
{
	(void)r;
	(void)ri;
}

static void m_stats(struct renderer *r, const struct stats_snapshot *st)
{
	(void)r;
	(void)st;
}

static void m_free(struct renderer *r)
{
	(void)r; /* part of struct metrics */
}

static const struct renderer_ops metrics_ops = {
	.event = m_event,
	.summary = m_summary,
	.ready = m_ready,
	.stats = m_stats,
	.free = m_free,
};

/* ---------------------------------------------------------------------------------------- */
/* the HTTP side */

struct client {
	int fd; /* -1: free */
	uint64_t deadline;
	char req[REQUEST_MAX];
	size_t reqlen;
	char *out; /* the response, once the request is complete */
	size_t outlen, outoff;
};

struct metrics {
	int fd;
	char addr[256];
	char unix_path[108]; /* "" for TCP */
	struct metrics_counts counts;
	struct metrics_renderer r;
	struct client clients[METRICS_MAX_CLIENTS];
	char *body;
};

static int parse_inet(const char *addr, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[128];
	const char *colon;
	char *end;
	unsigned long port;

	if (addr[0] == '[') {
		const char *close = strchr(addr, ']');

		if (!close || close[1] != ':' || (size_t)(close - addr - 1) >= sizeof(host))
			return -EINVAL;
		snprintf(host, sizeof(host), "%.*s", (int)(close - addr - 1), addr + 1);
		colon = close + 1;
	} else {
		colon = strrchr(addr, ':');
		if (!colon || (size_t)(colon - addr) >= sizeof(host))
			return -EINVAL;
		snprintf(host, sizeof(host), "%.*s", (int)(colon - addr), addr);
	}
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || port > 65535)
		return -EINVAL;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		((struct sockaddr_in *)ss)->sin_family = AF_INET;
		((struct sockaddr_in *)ss)->sin_port = htons(port);
		*len = sizeof(struct sockaddr_in);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
		*len = sizeof(struct sockaddr_in6);
		return 0;
	}
	return -EINVAL;
}

struct metrics *metrics_new(const char *addr, char *err, size_t errlen)
{
	struct metrics *m = calloc(1, sizeof(*m));
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1;

	if (!m) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	m->fd = -1;
	for (int i = 0; i < METRICS_MAX_CLIENTS; i++)
		m->clients[i].fd = -1;
	m->r.base.ops = &metrics_ops;
	m->r.c = &m->counts;
	m->body = malloc(METRICS_BUF);
	if (!m->body) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		goto fail;
	}
	if (addr[0] == '/') {
		struct sockaddr_un *un = (struct sockaddr_un *)&ss;
		struct stat st;

		if (strlen(addr) >= sizeof(un->sun_path)) {
			snprintf(err, errlen, "%s: unix socket path longer than %zu bytes", addr,
				 sizeof(un->sun_path) - 1);
			goto fail;
		}
		memset(&ss, 0, sizeof(ss));
		un->sun_family = AF_UNIX;
		snprintf(un->sun_path, sizeof(un->sun_path), "%s", addr);
		sl = sizeof(*un);
		m->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (m->fd < 0)
			goto fail_errno;
		if (lstat(addr, &st) == 0) {
			int probe;

			if (!S_ISSOCK(st.st_mode)) {
				snprintf(err, errlen, "%s exists and is not a socket", addr);
				goto fail;
			}
			/* a socket someone answers on is in use; a dead one is left over */
			probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (probe >= 0 && connect(probe, (struct sockaddr *)&ss, sl) == 0) {
				close(probe);
				snprintf(err, errlen, "%s is in use by another process", addr);
				goto fail;
			}
			if (probe >= 0)
				close(probe);
			unlink(addr);
		}
		if (bind(m->fd, (struct sockaddr *)&ss, sl))
			goto fail_errno;
		snprintf(m->unix_path, sizeof(m->unix_path), "%s", addr);
		snprintf(m->addr, sizeof(m->addr), "%s", addr);
	} else {
		char host[INET6_ADDRSTRLEN];

		if (parse_inet(addr, &ss, &sl)) {
			snprintf(
				err, errlen,
				"'%s': want IPv4:PORT, [IPv6]:PORT or an absolute unix socket path",
				addr);
			goto fail;
		}
		m->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (m->fd < 0)
			goto fail_errno;
		setsockopt(m->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(m->fd, (struct sockaddr *)&ss, sl))
			goto fail_errno;
		sl = sizeof(ss);
		getsockname(m->fd, (struct sockaddr *)&ss, &sl);
		if (ss.ss_family == AF_INET) {
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host,
				  sizeof(host));
			snprintf(m->addr, sizeof(m->addr), "%s:%u", host,
				 ntohs(((struct sockaddr_in *)&ss)->sin_port));
		} else {
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host,
				  sizeof(host));
			snprintf(m->addr, sizeof(m->addr), "[%s]:%u", host,
				 ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
		}
	}
	if (listen(m->fd, 16))
		goto fail_errno;
	return m;
fail_errno:
	snprintf(err, errlen, "%s: %s", addr, strerror(errno));
fail:
	metrics_free(m);
	return NULL;
}

const char *metrics_address(const struct metrics *m)
{
	return m->addr;
}

struct renderer *metrics_renderer(struct metrics *m)
{
	return &m->r.base;
}

static void client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static void respond(struct metrics *m, struct client *c, metrics_snapshot_fn snap, void *ctx,
		    const char *version)
{
	static struct stats_snapshot st;
	char method[16] = "", path[256] = "";
	const char *status = "200 OK", *ctype = CONTENT_TYPE, *body = m->body;
	size_t blen = 0;

	sscanf(c->req, "%15s %255s", method, path);
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		status = "405 Method Not Allowed";
		ctype = "text/plain";
		body = "only GET /metrics\n";
		blen = strlen(body);
	} else if (strcmp(path, "/metrics") && strncmp(path, "/metrics?", 9)) {
		status = "404 Not Found";
		ctype = "text/plain";
		body = "credwatch serves /metrics\n";
		blen = strlen(body);
	} else {
		snap(ctx, &st);
		blen = metrics_format(&m->counts, &st, version, m->body, METRICS_BUF);
		if (!blen) {
			status = "500 Internal Server Error";
			ctype = "text/plain";
			body = "metrics larger than the buffer\n";
			blen = strlen(body);
		}
	}
	c->out = malloc(blen + 256);
	if (!c->out) {
		client_close(c);
		return;
	}
	c->outlen = snprintf(c->out, 256,
			     "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			     "Connection: close\r\n\r\n",
			     status, ctype, blen);
	if (strcmp(method, "HEAD")) { /* HEAD: the length of the body, without it */
		memcpy(c->out + c->outlen, body, blen);
		c->outlen += blen;
	}
	c->outoff = 0;
}

void metrics_poll(struct metrics *m, uint64_t now_mono, metrics_snapshot_fn snap, void *ctx,
		  const char *version)
{
	if (!m)
		return;
	for (;;) {
		int fd = accept4(m->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		int i;

		if (fd < 0)
			break;
		for (i = 0; i < METRICS_MAX_CLIENTS && m->clients[i].fd >= 0; i++)
			;
		if (i == METRICS_MAX_CLIENTS) {
			close(fd); /* busy: the scraper retries */
			continue;
		}
		m->clients[i].fd = fd;
		m->clients[i].deadline = now_mono + METRICS_CLIENT_TIMEOUT_NS;
	}
	for (int i = 0; i < METRICS_MAX_CLIENTS; i++) {
		struct client *c = &m->clients[i];

		if (c->fd < 0)
			continue;
		if (now_mono > c->deadline) {
			client_close(c);
			continue;
		}
		if (!c->out) {
			ssize_t n =
				recv(c->fd, c->req + c->reqlen, sizeof(c->req) - 1 - c->reqlen, 0);

			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
				client_close(c);
				continue;
			}
			if (n > 0) {
				c->reqlen += n;
				c->req[c->reqlen] = 0;
			}
			if (!strstr(c->req, "\r\n\r\n") && !strstr(c->req, "\n\n")) {
				if (c->reqlen >= sizeof(c->req) - 1)
					client_close(c); /* a request head that big is not ours */
				continue;
			}
			respond(m, c, snap, ctx, version);
			if (c->fd < 0)
				continue;
		}
		while (c->outoff < c->outlen) {
			ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
					 MSG_NOSIGNAL);

			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				break; /* the rest at the next turn of the loop */
			if (n <= 0) {
				c->outoff = c->outlen; /* the client went away: drop it */
				break;
			}
			c->outoff += n;
		}
		if (c->outoff >= c->outlen)
			client_close(c);
	}
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	for (int i = 0; i < METRICS_MAX_CLIENTS; i++)
		if (m->clients[i].fd >= 0)
			client_close(&m->clients[i]);
	if (m->fd >= 0)
		close(m->fd);
	if (m->unix_path[0])
		unlink(m->unix_path);
	free(m->body);
	free(m);
}
