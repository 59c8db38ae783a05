/* SPDX-License-Identifier: GPL-2.0 */
/*
 * quiet: the agent's side of in-kernel aggregation (bpf/lib/flood.bpf.h, map cw_quiet).
 *
 * When an event has been judged to carry no finding (an audit event: a pod reading its own
 * token, say), quiet_arm() tells the kernel to count that process's repeats of it - same
 * cgroup, process image, object, access mode and result - instead of sending them, until the
 * window ends. quiet_sweep(), from the periodic tick, retires each window a grace period after
 * its end: it reads the kernel's count, hands a summary with the exact count to the callback
 * (a repeat_summary line), and deletes the entry. The next repeat after the window is sent
 * again, judged again, and arms a new window: a verdict is never older than one window.
 *
 * Exactness: the kernel counts into an entry only while now <= until, and the entry is read
 * and deleted only after until + grace, so no count can land after the read (a BPF program
 * runs for microseconds; the grace is a second). At shutdown, quiet_flush() must run after the
 * programs are detached, for the same reason.
 *
 * Bounded: at most `capacity` windows (the map's size); beyond that nothing is armed and the
 * events flow as before (counted: full). The kernel map is reached through quiet_map_ops, so
 * the logic is tested without BPF.
 */
#ifndef CREDWATCH_QUIET_H
#define CREDWATCH_QUIET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "credwatch_abi.h"

#define QUIET_GRACE_NS 1000000000ULL
#define QUIET_UID_MAX  37
#define QUIET_NS_MAX   64
#define QUIET_POD_MAX  254
#define QUIET_CTR_MAX  64
#define QUIET_EXE_MAX  256
#define QUIET_PATH_MAX 256

/* The kernel map (or a stand-in). Each returns 0 or -errno; insert fails with -EEXIST when
 * the key is there and -E2BIG (or -ENOMEM) when the map is full. */
struct quiet_map_ops {
	int (*insert)(void *ctx, const struct cw_quiet_key *k, const struct cw_quiet_val *v);
	int (*lookup)(void *ctx, const struct cw_quiet_key *k, struct cw_quiet_val *v);
	int (*remove)(void *ctx, const struct cw_quiet_key *k);
};

/* What a summary says about its window's subject, copied when it is armed (strings are cut
 * to their size; *_cut says so). */
struct quiet_info {
	uint32_t pid;
	bool host;
	char pod_uid[QUIET_UID_MAX], pod_namespace[QUIET_NS_MAX], pod_name[QUIET_POD_MAX];
	char container[QUIET_CTR_MAX];
	char exe[QUIET_EXE_MAX];
	char path[QUIET_PATH_MAX];
	bool exe_cut, path_cut;
	const char *file_kind; /* a static name (filekind), or NULL */
	int32_t result;	       /* 0 or -errno */
};

enum quiet_end {
	QUIET_END_WINDOW = 0, /* the window ran its length */
	QUIET_END_FLUSHED,    /* the agent is stopping */
};

struct quiet_summary {
	const struct cw_quiet_key *key;
	const struct quiet_info *info;
	uint64_t repeats;	    /* counted in the kernel, not sent (>= 1) */
	uint64_t start_ns, end_ns;  /* boot-time ns: the window (armed .. until, or flush time) */
	uint64_t first_ns, last_ns; /* boot-time ns: first and last repeat */
	enum quiet_end why;
};

typedef void (*quiet_cb)(const struct quiet_summary *s, void *ctx);

struct quiet_stats {
	uint64_t armed;	    /* windows armed */
	uint64_t summaries; /* windows retired with repeats (summaries written) */
	uint64_t repeats;   /* repeats reported in summaries */
	uint64_t full;	    /* not armed: the table was full */
	uint64_t errors;    /* map calls that failed otherwise */
	size_t active;	    /* windows open now */
	size_t capacity;
	size_t bytes; /* memory held */
};

struct quiet;

/* window_ns 0: nothing is ever armed (quiet_arm returns 0 and does nothing). */
struct quiet *quiet_new(const struct quiet_map_ops *ops, void *map_ctx, size_t capacity,
			uint64_t window_ns, quiet_cb cb, void *cb_ctx);
void quiet_free(struct quiet *q); /* does not flush */

/* Arm a window for k (from now, boot-time ns) describing info. 0 when armed or already armed,
 * -ENOSPC when full, another -errno on a map error. */
int quiet_arm(struct quiet *q, const struct cw_quiet_key *k, const struct quiet_info *info,
	      uint64_t now);
/* Retire windows whose end + grace has passed. Returns how many. */
size_t quiet_sweep(struct quiet *q, uint64_t now);
/* Retire every window now (after the BPF programs are detached). Returns how many. */
size_t quiet_flush(struct quiet *q, uint64_t now);
void quiet_stats(const struct quiet *q, struct quiet_stats *st);

/* FNV-1a of a requested path, as bpf/lib/flood.bpf.h cw_path_hash (its first 256 bytes). */
uint64_t quiet_path_hash(const char *p, size_t len);

#endif
