/* SPDX-License-Identifier: GPL-2.0 */
/*
 * loader: checks what the agent needs from the node (privileges, BTF, cgroup v2, ring
 * buffers), mounts bpffs/tracefs/securityfs when missing, picks the strongest hook of each
 * family the running kernel accepts (loader/probe.c), then opens, configures (before load:
 * rodata and map sizes), loads and attaches the BPF programs. Every failure says what failed
 * and what to do. It owns the BPF object, the links and what it learnt about the kernel.
 */
#ifndef CREDWATCH_LOADER_H
#define CREDWATCH_LOADER_H

#include <stdbool.h>
#include <stdint.h>
#include "config.h"

#define LOADER_MAX_HOOKS 48

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

/* How the exits of the open-family syscalls and connect(2) are observed (issue 19). */
enum sysx_hook {
	SYSX_HOOK_FEXIT = 0,  /* fexit on __x64_sys_openat, ... (no syscall tracepoint) */
	SYSX_HOOK_TRACEPOINT, /* tp/syscalls/sys_exit_openat, ... */
};

/* How compat (32-bit) syscalls' exits are observed. */
enum compat_hook {
	COMPAT_HOOK_FEXIT = 0, /* fexit on the compat table's entry points */
	COMPAT_HOOK_SYS_EXIT,  /* tp_btf/sys_exit, one test per syscall of every task */
	COMPAT_HOOK_NONE,      /* the kernel has no compat syscalls (trampoline kernels only) */
};

struct loader_opts {
	uint32_t ringbuf_size;	  /* bytes */
	uint32_t max_procs;	  /* BPF process table entries */
	uint32_t max_credfiles;	  /* cw_credfiles entries (0: the object's default) */
	enum file_hook file_hook; /* --hooks file=..., FILE_HOOK_AUTO by default */
	enum sock_hook sock_hook; /* --hooks socket=..., SOCK_HOOK_AUTO by default */
	bool packet_cgroup;	  /* --hooks packet=cgroup: never read the task in packet hooks */
	const struct config *cfg; /* endpoints (map and port filter) */
};

struct hook {
	const char *family;  /* "network", "process", "cgroup", "file", "socket", "http" */
	const char *name;    /* e.g. "cgroup/connect4" */
	const char *program; /* BPF program name */
	char target[128];    /* attach point (cgroup path) or "" */
	struct bpf_link *link;
};

struct credwatch_bpf;

struct loader {
	struct loader_opts opts;
	struct credwatch_bpf *skel;
	struct hook hooks[LOADER_MAX_HOOKS];
	int nhooks;
	int cgroup_fd;
	char cgroup_mount[4096];
	char kernel_release[128];
	char mounted[128];	    /* filesystems the loader mounted, for agent_ready */
	enum file_hook file_hook;   /* chosen */
	char file_hook_reason[512]; /* why (candidates that failed) */
	enum sock_hook sock_hook;   /* chosen */
	char sock_hook_reason[256];
	/* The syscall exits (failed opens, unix connects; issue 19): fexit on the 64-bit
	 * syscalls' entry functions where BPF trampolines work, else the syscall tracepoints */
	enum sysx_hook sysx_hook;
	char sysx_reason[256];
	/* file side (issue 14): compat syscalls' exits by fexit on the compat entry points, the
	 * raw sys_exit tracepoint, or nothing (a trampoline kernel without compat syscalls) */
	enum compat_hook compat_hook;
	bool skb_task; /* the packet hooks may read the current task (NAT'd connections' process) */
	bool probing;  /* loading a candidate: keep libbpf quiet */
};

void loader_init(struct loader *l, const struct loader_opts *o);
/* Returns 0, or a negative errno after printing a clear error. */
int loader_preflight(struct loader *l);
int loader_load_attach(struct loader *l);
int loader_find_connections(struct loader *l);
/* A config reload: the endpoint map and port filter become cfg's table (old: the table in
 * them now). Hooks stay attached. 0 or -errno. */
int loader_set_endpoints(struct loader *l, const struct config *old, const struct config *cfg);
/* Detach every program, keeping the maps (the final counts are read after this). */
void loader_detach(struct loader *l);
void loader_destroy(struct loader *l);

/* The maps the agent reads or fills (-1 before load). */
int loader_events_fd(const struct loader *l);
int loader_procs_fd(const struct loader *l);
int loader_sockets_fd(const struct loader *l);
/* file side (issue 14): credential files by inode, pod cgroups */
int loader_credfiles_fd(const struct loader *l);
int loader_podcgs_fd(const struct loader *l);
int loader_credbits_fd(const struct loader *l);

const char *loader_file_hook_name(enum file_hook h);
const char *loader_sock_hook_name(enum sock_hook h);
const char *loader_sysx_hook_name(enum sysx_hook h);
const char *loader_compat_hook_name(enum compat_hook h);

#endif
