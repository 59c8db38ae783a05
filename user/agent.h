/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The agent's state, shared by its modules: options (main.c), BPF objects and
 * attached hooks (loader.c), caches (cgroups.c, procs.c), output and counters
 * (emit.c, events.c).
 */
#ifndef CREDWATCH_AGENT_H
#define CREDWATCH_AGENT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "credwatch_abi.h"
#include "config.h"

#define AGENT_MAX_HOOKS 32
#define AGENT_NAME_MAX	256

struct credwatch_bpf;
struct bpf_link;
struct ring_buffer;
struct cgroups;
struct procs;
struct attrib;
struct pending;
struct conns;
struct fold;

struct hook {
	const char *family;  /* "network", "process", "cgroup", "file", "socket" */
	const char *name;    /* e.g. "cgroup/connect4" */
	const char *program; /* BPF program name */
	char target[128];    /* attach point (cgroup path) or "" */
	struct bpf_link *link;
};

/* How successful file opens are observed (strongest first). */
enum file_hook {
	FILE_HOOK_LSM = 0,    /* lsm/file_open */
	FILE_HOOK_FENTRY,     /* fentry/security_file_open */
	FILE_HOOK_TRACEPOINT, /* syscall-exit tracepoints + io_uring completion */
	FILE_HOOK_AUTO,
};

/* How unix connects are observed (strongest first). */
enum sock_hook {
	SOCK_HOOK_CONNECT_UNIX = 0, /* cgroup/connect_unix (6.7+) + the connect's exit */
	SOCK_HOOK_TRACEPOINT,	    /* sys_exit_connect alone (fd table, user address) */
	SOCK_HOOK_AUTO,
};

struct agent_opts {
	const char *output;	 /* NULL: stdout */
	const char *config_path; /* NULL: built-in defaults */
	double duration;	 /* seconds, 0 = until signalled */
	uint32_t ringbuf_size;	 /* bytes */
	uint32_t max_procs;	 /* BPF process table entries */
	uint32_t cgroup_cache;	 /* cgroup id -> path entries */
	int verbose;
	enum file_hook file_hook; /* --hooks file=..., FILE_HOOK_AUTO by default */
	enum sock_hook sock_hook; /* --hooks socket=..., SOCK_HOOK_AUTO by default */
	const char *host_root;	  /* node filesystem root (DaemonSet: /host), default "/" */
	char node_name[AGENT_NAME_MAX];
	char cluster_name[AGENT_NAME_MAX];
};

struct agent {
	struct agent_opts opts;
	struct config cfg;

	/* loader.c */
	struct credwatch_bpf *skel;
	struct hook hooks[AGENT_MAX_HOOKS];
	int nhooks;
	int cgroup_fd;
	char cgroup_mount[4096];
	char kernel_release[128];
	char mounted[128]; /* filesystems the agent mounted, for agent_ready */
	struct ring_buffer *rb;
	enum file_hook file_hook;   /* chosen */
	char file_hook_reason[512]; /* why (candidates that failed) */
	enum sock_hook sock_hook;   /* chosen */
	char sock_hook_reason[256];
	bool probing; /* loading a candidate: keep libbpf quiet */

	/* caches */
	struct cgroups *cgroups;
	struct procs *procs;
	struct attrib *attrib;
	struct pending *pending;  /* events held back (<= 1 s) for missing metadata */
	struct conns *conns;	  /* HTTP on connections to endpoints */
	uint64_t http_emitted[2]; /* imds_request, agent_request */
	struct fold *fold;	  /* folding of repeated findings (NULL: off) */
	uint64_t findings[8];	  /* events written with a finding, by severity */
	uint64_t folded;	  /* repeats counted into a window instead of written */
	uint64_t summaries;	  /* finding_summary lines */
	char instance_id[64];	  /* EC2 instance id from DMI, "" if not on EC2 */

	/* emit.c */
	FILE *out;
	int64_t boot_to_real_ns; /* CLOCK_REALTIME - CLOCK_BOOTTIME */
	uint64_t started_mono_ns;
	uint64_t ev_count[CW_EV_TYPE_MAX];
	uint64_t bad_records; /* records of unknown type/size */
	uint64_t lines_written;
	uint64_t lines_overflowed; /* lines whose content hit the line bound */
	uint64_t write_errors;
	uint64_t userspace_filtered; /* records the agent's full rules discarded */
	uint64_t last_socket_refresh_ns;
	uint64_t held_back;	     /* events held back for metadata at least once */
	uint64_t held_back_overflow; /* emitted early because the hold-back queue was full */
};

uint64_t now_ns(int clock);
extern uint64_t (*now_ns_hook)(int clock);

#endif
