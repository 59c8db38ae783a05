// SPDX-License-Identifier: GPL-2.0
/*
 * attribbench: cost of attribution (user/attrib.c, linked from the objects in build/user/) on a
 * synthetic node. Usage:
 *
 *   attribbench HOST_ROOT CGROUP2_MOUNT LIST PASSES
 *
 * LIST holds one container cgroup path per line, relative to CGROUP2_MOUNT (as the agent
 * gets it from its cgroup cache). The program makes one cold pass over LIST (every
 * container's config.json read and parsed, every pod's cgroup directory listed), then
 * PASSES warm passes, timing each attrib_workload() call, and prints key=value pairs:
 *
 *   cold_us         mean µs per call on the cold pass
 *   warm_us_med     median over the warm passes of the mean µs per call
 *   warm_us_min/max
 *   complete        calls of the last pass whose result was complete
 *   missing         attrib_result.missing of the last call (ATTRIB_SRC_* bits)
 *   rss_before_kib / rss_after_kib   VmRSS before the cold pass and after the warm passes
 *   attrib_bytes    attrib_memory_bytes(): the caches are allocated at full capacity by
 *                   attrib_new(), so this does not grow with entries
 *   slot_bytes_container / slot_bytes_pod
 *                   bytes one more container / pod slot adds to attrib_memory_bytes()
 *                   (from two instances with different capacities)
 *
 * What it does not include: the cgroup id -> path lookup (cgroups.c), the process lookup and
 * the JSON formatting of an event; the agent-level figure in run.sh includes them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "enrich/attrib.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &v) == 1)
			break;
	fclose(f);
	return v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static size_t mem_with(const char *root, const struct attrib_limits *base, size_t conts,
		       size_t pods)
{
	struct attrib_limits l = *base;
	struct attrib *a;
	size_t n;

	l.max_containers = conts;
	l.max_pods = pods;
	a = attrib_new(root, &l);
	if (!a)
		return 0;
	n = attrib_memory_bytes(a);
	attrib_free(a);
	return n;
}

int main(int argc, char **argv)
{
	struct attrib_limits lim = { .proc_root = "/proc" };
	struct attrib_result r;
	struct attrib *a;
	char **paths = NULL, line[4096];
	size_t n = 0, cap = 0, complete = 0;
	double *pass_us, cold_us;
	long passes, rss0, rss1;
	uint64_t t0;
	struct stat st;
	FILE *f;

	if (argc != 5 || (passes = atol(argv[4])) <= 0) {
		fprintf(stderr, "usage: attribbench HOST_ROOT CGROUP2_MOUNT LIST PASSES\n");
		return 2;
	}
	lim.cgroup_mount = argv[2];
	if (stat("/proc/1/ns/net", &st) == 0)
		lim.host_netns_ino = st.st_ino;
	f = fopen(argv[3], "re");
	if (!f) {
		perror(argv[3]);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!line[0])
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			paths = realloc(paths, cap * sizeof(*paths));
			if (!paths)
				return 1;
		}
		paths[n++] = strdup(line);
	}
	fclose(f);
	pass_us = calloc(passes, sizeof(*pass_us));
	if (!n || !pass_us) {
		fprintf(stderr, "attribbench: empty list\n");
		return 1;
	}

	a = attrib_new(argv[1], &lim);
	if (!a) {
		fprintf(stderr, "attribbench: attrib_new: %s\n", strerror(errno));
		return 1;
	}
	rss0 = rss_kib();
	t0 = mono_ns();
	for (size_t i = 0; i < n; i++)
		attrib_workload(a, paths[i], 0, mono_ns(), &r);
	cold_us = (mono_ns() - t0) / 1e3 / n;
	for (long p = 0; p < passes; p++) {
		complete = 0;
		t0 = mono_ns();
		for (size_t i = 0; i < n; i++) {
			attrib_workload(a, paths[i], 0, mono_ns(), &r);
			complete += r.complete;
		}
		pass_us[p] = (mono_ns() - t0) / 1e3 / n;
	}
	rss1 = rss_kib();
	qsort(pass_us, passes, sizeof(*pass_us), cmp_double);
	printf("containers=%zu cold_us=%.3f warm_us_med=%.3f warm_us_min=%.3f warm_us_max=%.3f "
	       "complete=%zu missing=0x%x rss_before_kib=%ld rss_after_kib=%ld attrib_bytes=%zu "
	       "slot_bytes_container=%.1f slot_bytes_pod=%.1f\n",
	       n, cold_us, pass_us[passes / 2], pass_us[0], pass_us[passes - 1], complete, r.missing,
	       rss0,
	       rss1, attrib_memory_bytes(a),
	       ((double)mem_with(argv[1], &lim, 4096, 1024) - mem_with(argv[1], &lim, 2048, 1024)) /
		       2048,
	       ((double)mem_with(argv[1], &lim, 2048, 2048) - mem_with(argv[1], &lim, 2048, 1024)) /
		       1024);
	attrib_free(a);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	free(pass_us);
	return 0;
}
