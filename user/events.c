// SPDX-License-Identifier: GPL-2.0
/*
 * The ring-buffer consumer: checks each record's type and size, resolves who
 * it belongs to (cgroup path, pod, container) and hands it to emit.c.
 *
 * Holding back: a container's metadata (its config.json) can appear a moment
 * after its first event. Such an event is copied into a small queue and
 * resolved again on the attribution module's retry schedule, for at most
 * PENDING_MAX_NS; then it goes out with what is known and says what is
 * missing. The queue is bounded: when full, the oldest entry is written at
 * once (counted as held_back_overflow). Events can therefore leave slightly
 * out of order; their "time" is the kernel's.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "agent.h"
#include "attrib.h"
#include "cgroup_parse.h"
#include "cgroups.h"
#include "conns.h"
#include "emit.h"
#include "events.h"
#include "log.h"

#define PENDING_SLOTS  256
#define PENDING_MAX_NS 1000000000ULL
#define RECORD_MAX     1024

_Static_assert(sizeof(struct cw_ev_file) <= RECORD_MAX, "record too big for the queue");
_Static_assert(sizeof(struct cw_ev_sock) <= RECORD_MAX, "record too big for the queue");
_Static_assert(sizeof(struct cw_ev_endpoint) <= RECORD_MAX, "record too big for the queue");

struct pending_slot {
	uint64_t deadline_ns, retry_ns;
	uint32_t size;
	bool used;
	_Alignas(8) unsigned char rec[RECORD_MAX]; /* records hold u64 fields */
};

struct pending {
	struct pending_slot slot[PENDING_SLOTS];
	int n;
};

static const size_t record_size[CW_EV_TYPE_MAX] = {
	[CW_EV_CGROUP_MKDIR] = sizeof(struct cw_ev_cgroup),
	[CW_EV_CGROUP_RMDIR] = sizeof(struct cw_ev_cgroup),
	[CW_EV_ENDPOINT_CONNECT] = sizeof(struct cw_ev_endpoint),
	[CW_EV_FILE_OPEN] = sizeof(struct cw_ev_file),
	[CW_EV_SOCKET_CONNECT] = sizeof(struct cw_ev_sock),
	[CW_EV_HTTP] = sizeof(struct cw_ev_http),
};

/* every record with a process has its struct cw_task right after the header */
_Static_assert(__builtin_offsetof(struct cw_ev_endpoint, task) == sizeof(struct cw_hdr), "");
_Static_assert(__builtin_offsetof(struct cw_ev_file, task) == sizeof(struct cw_hdr), "");
_Static_assert(__builtin_offsetof(struct cw_ev_sock, task) == sizeof(struct cw_hdr), "");

static void resolve(struct agent *a, const struct cw_task *t, uint64_t now, struct ev_ctx *c)
{
	c->cg_removed = false;
	c->cgpath = cgroups_path(a->cgroups, t->cgroup_id, &c->cg_removed);
	/* the root cgroup's path is "": a host process, not an unknown cgroup */
	attrib_workload(a->attrib, c->cgpath && !c->cgpath[0] ? "/" : c->cgpath, t->netns_ino, now,
			&c->res);
	procs_lookup(a->procs, t->pid, t->exec_id, t->start_ns, &c->proc);
	if (c->proc.source != PROC_SRC_UNKNOWN) {
		size_t n = c->proc.rec.exe_len < CW_EXE_MAX ? c->proc.rec.exe_len : CW_EXE_MAX;

		memcpy(c->exe, c->proc.rec.exe, n);
		c->exe[n] = 0;
	} else {
		c->exe[0] = 0;
	}
}

static void write_record(struct agent *a, const void *data, const struct ev_ctx *c)
{
	const struct cw_hdr *h = data;

	bool written = true;

	switch (h->type) {
	case CW_EV_ENDPOINT_CONNECT:
		emit_endpoint(a, data, c);
		break;
	case CW_EV_FILE_OPEN:
		written = emit_file(a, data, c);
		break;
	case CW_EV_SOCKET_CONNECT:
		written = emit_socket(a, data, c);
		break;
	}
	/* agent_stats.events: lines written (folded repeats are counted apart) */
	if (written)
		a->ev_count[h->type]++;
}

static struct pending_slot *pending_oldest(struct pending *p)
{
	struct pending_slot *o = NULL;

	for (int i = 0; i < PENDING_SLOTS; i++)
		if (p->slot[i].used && (!o || p->slot[i].deadline_ns < o->deadline_ns))
			o = &p->slot[i];
	return o;
}

static void pending_flush_one(struct agent *a, struct pending_slot *s, uint64_t now)
{
	struct ev_ctx c;

	resolve(a, (const struct cw_task *)(s->rec + sizeof(struct cw_hdr)), now, &c);
	write_record(a, s->rec, &c);
	s->used = false;
	a->pending->n--;
}

static bool hold_back(struct agent *a, const void *data, size_t size, uint64_t now,
		      const struct ev_ctx *c)
{
	struct pending *p = a->pending;
	struct pending_slot *s = NULL;

	if (!p) {
		p = a->pending = calloc(1, sizeof(*p));
		if (!p)
			return false;
	}
	if (p->n == PENDING_SLOTS) {
		a->held_back_overflow++;
		pending_flush_one(a, pending_oldest(p), now);
	}
	for (int i = 0; i < PENDING_SLOTS && !s; i++)
		if (!p->slot[i].used)
			s = &p->slot[i];
	memcpy(s->rec, data, size);
	s->size = size;
	s->deadline_ns = now + PENDING_MAX_NS;
	s->retry_ns = c->res.retry_at_ns > now ? c->res.retry_at_ns : now + 50000000ULL;
	s->used = true;
	p->n++;
	a->held_back++;
	return true;
}

uint64_t events_retry_pending(struct agent *a, uint64_t now, bool flush_all)
{
	struct pending *p = a->pending;
	uint64_t next = 0;

	if (!p || !p->n)
		return 0;
	for (int i = 0; i < PENDING_SLOTS; i++) {
		struct pending_slot *s = &p->slot[i];
		struct ev_ctx c;

		if (!s->used || (!flush_all && now < s->retry_ns && now < s->deadline_ns)) {
			if (s->used && (!next || s->retry_ns < next))
				next = s->retry_ns < s->deadline_ns ? s->retry_ns : s->deadline_ns;
			continue;
		}
		resolve(a, (const struct cw_task *)(s->rec + sizeof(struct cw_hdr)), now, &c);
		if (!flush_all && c.res.pending && now < s->deadline_ns) {
			s->retry_ns =
				c.res.retry_at_ns > now ? c.res.retry_at_ns : now + 50000000ULL;
			if (s->retry_ns > s->deadline_ns)
				s->retry_ns = s->deadline_ns;
			if (!next || s->retry_ns < next)
				next = s->retry_ns;
			continue;
		}
		write_record(a, s->rec, &c);
		s->used = false;
		p->n--;
	}
	return next;
}

/* conns calls back here when a request is complete (or overdue) */
void events_http_done(void *ctx, const struct conn_done *d)
{
	struct agent *a = ctx;
	struct ev_ctx c;

	if (!d->connect)
		return; /* counted by conns as requests_without_connect */
	resolve(a, &d->connect->task, now_ns(CLOCK_MONOTONIC), &c);
	if (emit_http(a, d, &c))
		a->http_emitted[d->connect->kind == CW_EP_IMDS ? 0 : 1]++;
}

void events_free(struct agent *a)
{
	free(a->pending);
	a->pending = NULL;
}

static void cgroup_removed(struct agent *a, const struct cw_ev_cgroup *ev)
{
	struct cg_info info;
	char path[CW_CGPATH_MAX + 1];
	size_t n = ev->path_len < CW_CGPATH_MAX ? ev->path_len : CW_CGPATH_MAX;

	memcpy(path, ev->path, n);
	path[n] = 0;
	if (cg_parse(path, &info) == 0 && info.container_id[0])
		attrib_forget_container(a->attrib, info.container_id);
	cgroups_removed(a->cgroups, ev->id);
}

int events_handle(void *ctx, void *data, size_t size)
{
	struct agent *a = ctx;
	const struct cw_hdr *h = data;
	struct cw_ev_file full;
	uint64_t now;
	struct ev_ctx c;

	/* file records end after their path: padded back to the full layout */
	if (size >= sizeof(*h) && h->type == CW_EV_FILE_OPEN && h->size == size &&
	    size >= CW_EV_FILE_MIN && size <= sizeof(full)) {
		memcpy(&full, data, size);
		memset((char *)&full + size, 0, sizeof(full) - size);
		full.hdr.size = sizeof(full);
		data = &full;
		h = data;
		size = sizeof(full);
	}
	if (size < sizeof(*h) || h->type >= CW_EV_TYPE_MAX || !record_size[h->type] ||
	    size < record_size[h->type] || h->size != record_size[h->type]) {
		a->bad_records++;
		pr_debug("dropping ring-buffer record: type %u size %zu",
			 size >= sizeof(*h) ? h->type : 0, size);
		return 0;
	}
	switch (h->type) {
	case CW_EV_CGROUP_MKDIR: {
		const struct cw_ev_cgroup *ev = data;

		cgroups_added(a->cgroups, ev->id, (const char *)ev->path,
			      ev->path_len < CW_CGPATH_MAX ? ev->path_len : CW_CGPATH_MAX);
		a->ev_count[h->type]++;
		return 0;
	}
	case CW_EV_CGROUP_RMDIR:
		cgroup_removed(a, data);
		a->ev_count[h->type]++;
		return 0;
	case CW_EV_HTTP:
		conns_http(a->conns, data, now_ns(CLOCK_MONOTONIC));
		a->ev_count[h->type]++;
		return 0;
	case CW_EV_ENDPOINT_CONNECT:
		conns_connect(a->conns, data);
		break;
	case CW_EV_FILE_OPEN:
		if (!emit_file_wanted(data)) {
			a->userspace_filtered++;
			pr_debug("discarded file_open of pid %u: not a credential path",
				 ((const struct cw_ev_file *)data)->task.pid);
			return 0;
		}
		break;
	case CW_EV_SOCKET_CONNECT:
		if (!emit_socket_wanted(a, data)) {
			a->userspace_filtered++;
			pr_debug("discarded socket_connect of pid %u: not a watched socket",
				 ((const struct cw_ev_sock *)data)->task.pid);
			return 0;
		}
		break;
	}
	now = now_ns(CLOCK_MONOTONIC);
	resolve(a, (const struct cw_task *)((const char *)data + sizeof(*h)), now, &c);
	if (c.res.pending && hold_back(a, data, record_size[h->type], now, &c))
		return 0;
	write_record(a, data, &c);
	return 0;
}
