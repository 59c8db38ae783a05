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
#include "log.h"
#include "procs.h"

#define CREDWATCH_VERSION "0.1.0"

uint64_t now_ns(int clock)
{
	struct timespec ts;

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

	gmtime_r(&sec, &tm);
	n = strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
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

/* argv as recorded: NUL-separated, possibly cut mid-argument */
static void put_args(struct jw *w, const struct cw_proc *r)
{
	size_t len = r->args_len > CW_ARGS_MAX ? CW_ARGS_MAX : r->args_len;
	const char *p = (const char *)r->args, *end = p + len;
	bool trunc = r->flags & CW_F_ARGS_TRUNC;
	int n = 0;

	jw_arr_open(w, "args");
	while (p < end) {
		const char *nul = memchr(p, 0, end - p);
		size_t alen = nul ? (size_t)(nul - p) : (size_t)(end - p);

		if (n == EMIT_MAX_ARGS) {
			trunc = true;
			break;
		}
		if (!nul)
			trunc = true; /* the last argument was cut by the byte bound */
		if (jw_strn(w, NULL, p, alen, 1024))
			trunc = true;
		n++;
		p += alen + 1;
	}
	jw_arr_close(w);
	jw_bool(w, "args_truncated", trunc);
}

void emit_task(struct agent *a, struct jw *w, const struct cw_task *t)
{
	struct proc_view v;
	bool removed = false;
	const char *cgpath;

	procs_lookup(a->procs, t->pid, t->exec_id, t->start_ns, &v);
	jw_obj_open(w, "process");
	jw_u64(w, "pid", t->pid);
	jw_u64(w, "tid", t->tid);
	jw_u64(w, "ppid", t->ppid);
	jw_u64(w, "uid", t->uid);
	jw_u64(w, "gid", t->gid);
	jw_strn(w, "comm", (const char *)t->comm, strnlen((const char *)t->comm, CW_COMM_LEN), 0);
	if (v.source != PROC_SRC_UNKNOWN) {
		jw_strn(w, "exe", (const char *)v.rec.exe, v.rec.exe_len, 1024);
		jw_bool(w, "exe_truncated", v.rec.flags & CW_F_EXE_TRUNC);
		put_args(w, &v.rec);
	} else {
		jw_null(w, "exe");
		jw_arr_open(w, "args");
		jw_arr_close(w);
		jw_bool(w, "args_truncated", false);
	}
	jw_str(w, "source", source_name(v.source), 0);
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
	cgpath = cgroups_path(a->cgroups, t->cgroup_id, &removed);
	if (cgpath)
		jw_str(w, "path", cgpath, 2048);
	else
		jw_null(w, "path");
	if (removed)
		jw_bool(w, "removed", true);
	jw_obj_close(w);

	jw_obj_open(w, "namespaces");
	jw_u64(w, "net", t->netns_ino);
	jw_u64(w, "mnt", t->mntns_ino);
	jw_obj_close(w);
}

void emit_endpoint(struct agent *a, const struct cw_ev_endpoint *ev)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	char buf[EMIT_LINE_MAX], addr[64];
	bool is_mapped = memcmp(ev->addr, mapped, 12) == 0;
	struct jw w;

	emit_begin(a, &w, buf, sizeof(buf), "endpoint_connect", ev->hdr.ts_boot_ns);
	emit_task(a, &w, &ev->task);
	jw_obj_open(&w, "endpoint");
	jw_str(&w, "kind", endpoint_kind_name(ev->kind), 0);
	config_format_addr(ev->addr, addr, sizeof(addr));
	jw_str(&w, "addr", addr, 0);
	jw_u64(&w, "port", ev->port);
	jw_str(&w, "family", ev->family == 10 ? "ipv6" : "ipv4", 0);
	/* an IPv4 endpoint reached through an AF_INET6 socket (::ffff:a.b.c.d) */
	jw_bool(&w, "ipv4_mapped", ev->family == 10 && is_mapped);
	jw_str(&w, "protocol", ev->protocol == 6 ? "tcp" : ev->protocol == 17 ? "udp" : "other", 0);
	jw_obj_close(&w);
	jw_obj_open(&w, "socket");
	jw_u64(&w, "cookie", ev->sock_cookie);
	jw_obj_close(&w);
	emit_end(a, &w);
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
	jw_obj_open(&w, "config");
	jw_str(&w, "cgroup2_mount", a->cgroup_mount, 512);
	jw_u64(&w, "ringbuf_size", a->opts.ringbuf_size);
	jw_u64(&w, "max_procs", a->opts.max_procs);
	jw_str(&w, "mounted", a->mounted, 0);
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
	int fd = bpf_map__fd(a->skel->maps.cw_stats);
	uint64_t vals[ncpu > 0 ? ncpu : 1];

	memset(out, 0, sizeof(uint64_t) * CW_STAT_MAX);
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
	jw_obj_close(&w);
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
	jw_obj_close(&w);
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
