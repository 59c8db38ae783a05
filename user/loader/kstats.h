/* SPDX-License-Identifier: GPL-2.0 */
/* kstats: the BPF side's counters (map cw_stats, per CPU, enum cw_stat), summed. */
#ifndef CREDWATCH_KSTATS_H
#define CREDWATCH_KSTATS_H

#include <stdint.h>
#include "credwatch_abi.h"
#include "loader/loader.h"

/* All zero when nothing is loaded. */
void kstats_read(const struct loader *l, uint64_t out[CW_STAT_MAX]);

/* A failed helper call site (map cw_errs, struct cw_err_key) and how often it failed. */
struct kstat_err {
	uint32_t helper; /* enum bpf_func_id */
	int32_t err;	 /* -errno */
	uint32_t where;	 /* enum cw_err_where */
	uint64_t count;
};

/* Up to max of them into out; returns how many (0 when nothing is loaded). */
int kstats_read_errs(const struct loader *l, struct kstat_err *out, int max);

/* One cgroup's lost and refused records (map cw_cg_drops, struct cw_cg_drop). */
struct kstat_cg_drop {
	uint64_t cgroup_id;
	struct cw_cg_drop d;
};

/* The cgroups with the most drops, most first, at most max (out sorted); *total: how many
 * cgroups have drops. */
int kstats_read_cg_drops(const struct loader *l, struct kstat_cg_drop *out, int max,
			 uint64_t *total);

/* quiet_map_ops over the loaded cw_quiet map (ctx: the struct loader) */
struct quiet_map_ops;
extern const struct quiet_map_ops kstats_quiet_map_ops;

#endif
