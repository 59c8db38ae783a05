/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The characterization test's fixed world: pods, processes and kernel records
 * (scenario.c), the fixture node built from them (replay.c), and the one file that knows
 * how to drive the agent's pipeline (pipeline.c).
 */
#ifndef CREDWATCH_GOLDEN_H
#define CREDWATCH_GOLDEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "credwatch_abi.h"

#define GOLDEN_MAXVOL 4
#define GOLDEN_MAXCTR 4
#define GOLDEN_EXP    1796083200 /* 2026-12-01T00:00:00Z */
#define GOLDEN_TSDIR  "..2026_11_29_00_00_00.000000001"
/* planted secrets: none of them may appear in any output */
#define GOLDEN_SIG	   "CWGOLDENSIGnotARealSignature0123456789"
#define GOLDEN_SESSION	   "AQAEAGOLDENSESSIONTOKENnotReal=="
#define GOLDEN_AUTH	   "GOLDENAUTHORIZATIONTOKENnotReal"
#define GOLDEN_ARGV_SECRET "GOLDENARGVSECRETnotReal"
#define GOLDEN_ENV_SECRET  "GOLDENENVSECRETnotReal"
#define GOLDEN_SECRET_KEY  "GOLDENSECRETACCESSKEYnotReal/0000000000"
#define GOLDEN_STS_TOKEN   "GOLDENSTSSESSIONTOKENnotReal"
/* boot time of the first record, and CLOCK_REALTIME - CLOCK_BOOTTIME: the first record is
 * at 2026-11-30T00:00:00Z */
#define GOLDEN_BOOT_NS	    1000000000000ULL
#define GOLDEN_BOOT_TO_REAL (1795996800000000000LL - (long long)GOLDEN_BOOT_NS)
#define GOLDEN_HOST_NETNS   4026531840u
#define GOLDEN_HOST_MNTNS   (GOLDEN_HOST_NETNS + 100) /* as scenario.c's task() makes it */

struct gvol {
	const char *name, *leaf, *aud, *mountpoint;
	uint32_t dev; /* filled by replay.c */
	uint64_t ino;
};

struct gctr {
	const char *id, *name, *image;
	const char *env[8];
	bool sandbox;
	bool spec; /* its config.json exists */
	uint64_t cgid;
};

struct gpod {
	const char *uid, *ns, *name, *sa;
	bool hostnet;
	uint32_t netns;
	struct gvol vol[GOLDEN_MAXVOL];
	struct gctr ctr[GOLDEN_MAXCTR]; /* ctr[0] is the sandbox */
};

struct gproc {
	uint32_t pid, ppid;
	uint64_t exec_id, start_ns;
	uint32_t flags;
	const char *comm, *exe;
	uint16_t exe_len; /* 0: strlen(exe) */
	const char *args;
	uint16_t args_len;
	bool in_map; /* its record is in the BPF process table */
	/* file side (issue 14) */
	uint64_t origin_cgid; /* the pod cgroup it left (cw_proc.origin_cgid) */
	bool host_file;	      /* exe is a file of the fixture's host root: its (dev, ino) */
};

extern struct gpod golden_pods[];
extern struct gproc golden_procs[];
extern uint32_t golden_sock_dev;
extern uint64_t golden_sock_ino;

void golden_cgroup_path(const struct gpod *p, const struct gctr *c, char *out, size_t cap);

/* How the scenario hands records to the pipeline. */
struct gsink {
	void (*push)(void *ctx, const void *rec, size_t size);
	/* let the agent's clock move on by ns (response timeouts) */
	void (*advance)(void *ctx, uint64_t ns);
	void *ctx;
};

void golden_init(void); /* before the fixture is built */
void golden_feed(const struct gsink *s);

/* pipeline.c: set up the agent on the fixture node, feed, flush, write agent_stats */
int golden_run(const char *host_root, const char *cgroup_mount, const char *proc_root, int procs_fd,
	       int socks_fd);

#endif
