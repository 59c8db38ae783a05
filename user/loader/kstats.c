// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "credwatch.skel.h"
#include "judge/quiet.h"
#include "loader/kstats.h"

void kstats_read(const struct loader *l, uint64_t out[CW_STAT_MAX])
{
	int ncpu = libbpf_num_possible_cpus();
	int fd = l && l->skel ? bpf_map__fd(l->skel->maps.cw_stats) : -1;
	uint64_t vals[ncpu > 0 ? ncpu : 1];

	memset(out, 0, sizeof(uint64_t) * CW_STAT_MAX);
	if (fd < 0)
		return;
	for (uint32_t k = 0; k < CW_STAT_MAX; k++) {
		if (ncpu <= 0 || bpf_map_lookup_elem(fd, &k, vals))
			continue;
		for (int c = 0; c < ncpu; c++)
			out[k] += vals[c];
	}
}

int kstats_read_errs(const struct loader *l, struct kstat_err *out, int max)
{
	int ncpu = libbpf_num_possible_cpus();
	int fd = l && l->skel ? bpf_map__fd(l->skel->maps.cw_errs) : -1;
	uint64_t vals[ncpu > 0 ? ncpu : 1];
	struct cw_err_key k, *prev = NULL;
	int n = 0;

	if (fd < 0 || ncpu <= 0)
		return 0;
	while (n < max && bpf_map_get_next_key(fd, prev, &k) == 0) {
		out[n].helper = k.helper;
		out[n].err = k.err;
		out[n].where = k.where;
		out[n].count = 0;
		if (bpf_map_lookup_elem(fd, &k, vals) == 0)
			for (int c = 0; c < ncpu; c++)
				out[n].count += vals[c];
		n++;
		prev = &k;
	}
	return n;
}

int kstats_read_cg_drops(const struct loader *l, struct kstat_cg_drop *out, int max,
			 uint64_t *total)
{
	int fd = l && l->skel ? bpf_map__fd(l->skel->maps.cw_cg_drops) : -1;
	uint64_t k, *prev = NULL;
	struct cw_cg_drop d;
	int n = 0;

	*total = 0;
	if (fd < 0 || max <= 0)
		return 0;
	/* an insertion sort of the top max: the map holds at most 2048 */
	while (bpf_map_get_next_key(fd, prev, &k) == 0) {
		prev = &k;
		if (bpf_map_lookup_elem(fd, &k, &d))
			continue;
		(*total)++;
		uint64_t sum = d.full + d.low_refused;
		int i = n < max ? n++ : max;

		if (i == max) {
			if (sum <= out[max - 1].d.full + out[max - 1].d.low_refused)
				continue;
			i = max - 1;
		}
		while (i > 0 && out[i - 1].d.full + out[i - 1].d.low_refused < sum) {
			out[i] = out[i - 1];
			i--;
		}
		out[i].cgroup_id = k;
		out[i].d = d;
	}
	return n;
}

static int bpf_fd_of(void *ctx)
{
	const struct loader *l = ctx;

	return l && l->skel ? bpf_map__fd(l->skel->maps.cw_quiet) : -1;
}

static int q_insert(void *ctx, const struct cw_quiet_key *k, const struct cw_quiet_val *v)
{
	return bpf_map_update_elem(bpf_fd_of(ctx), k, v, BPF_NOEXIST) ? -errno : 0;
}

static int q_lookup(void *ctx, const struct cw_quiet_key *k, struct cw_quiet_val *v)
{
	return bpf_map_lookup_elem(bpf_fd_of(ctx), k, v) ? -errno : 0;
}

static int q_remove(void *ctx, const struct cw_quiet_key *k)
{
	return bpf_map_delete_elem(bpf_fd_of(ctx), k) ? -errno : 0;
}

const struct quiet_map_ops kstats_quiet_map_ops = {
	.insert = q_insert,
	.lookup = q_lookup,
	.remove = q_remove,
};
