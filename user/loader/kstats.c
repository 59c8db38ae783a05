// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "credwatch.skel.h"
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
