/* SPDX-License-Identifier: GPL-2.0 */
/*
 * credwatch kernel/userspace ABI: the one contract between the BPF programs in
 * bpf/ and the agent in user/.
 *
 * Wire format. Every ring-buffer record starts with struct cw_hdr; hdr.type
 * says which struct follows and hdr.size is the full record size in bytes.
 * Records are fixed-size per type (bpf_ringbuf_reserve needs a constant), all
 * fields are fixed-width little-endian host integers, strings are byte arrays
 * with an explicit length field (never trust a NUL to be present), and padding
 * is explicit so both compilers see the same layout (checked by the
 * _Static_asserts at the bottom).
 *
 * Evolution. CW_ABI_VERSION is bumped whenever a layout changes. New event
 * types get new enum values; new fields are appended to the end of a record
 * and its size grows, so the agent can tell old and new layouts apart by
 * hdr.size. Agent and BPF objects ship in one binary (the skeleton embeds the
 * object), so a mismatch can only come from a build error; the agent still
 * rejects records whose size it does not know and counts them.
 */
#ifndef CREDWATCH_ABI_H
#define CREDWATCH_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define CW_ABI_VERSION 1

#define CW_COMM_LEN    16
#define CW_ANCESTORS   3
#define CW_EXE_MAX     256 /* tail of the executable path kept per process */
#define CW_ARGS_MAX    512 /* argv bytes (NUL separated) kept per process */
#define CW_CGPATH_MAX  512 /* cgroup path from the mkdir tracepoint */
#define CW_PATH_MAX    512 /* resolved file / socket path */
#define CW_REQPATH_MAX 256 /* user-supplied path string (advisory) */

enum cw_event_type {
	CW_EV_CGROUP_MKDIR = 1,
	CW_EV_CGROUP_RMDIR = 2,
	CW_EV_ENDPOINT_CONNECT = 3,
	CW_EV_FILE_OPEN = 4,
	CW_EV_SOCKET_CONNECT = 5,
	CW_EV_TYPE_MAX,
};

/* Credential endpoint kinds (value of the endpoints map). */
enum cw_endpoint_kind {
	CW_EP_NONE = 0,
	CW_EP_IMDS = 1,
	CW_EP_POD_IDENTITY_AGENT = 2,
	CW_EP_CONTAINER_CREDENTIALS = 3,
	CW_EP_OTHER = 4, /* user-defined endpoint */
	CW_EP_KIND_MAX,
};

/*
 * Per-CPU counters (cw_stats map index). Every record the BPF side wanted to
 * send but could not, and every value it had to cut, is counted here and
 * reported by the agent in agent_stats.
 */
enum cw_stat {
	CW_STAT_RINGBUF_FULL = 0, /* bpf_ringbuf_reserve failed: event lost */
	CW_STAT_ARGS_TRUNC,	  /* argv longer than CW_ARGS_MAX */
	CW_STAT_EXE_TRUNC,	  /* exe path deeper/longer than the walk bound */
	CW_STAT_PATH_TRUNC,	  /* file/socket path longer than the walk bound */
	CW_STAT_CGPATH_TRUNC,	  /* cgroup path longer than CW_CGPATH_MAX */
	CW_STAT_PROC_MAP_FULL,	  /* process table insert failed */
	CW_STAT_PROC_READ_FAIL,	  /* exec-time read of exe/args failed */
	CW_STAT_EV_ENDPOINT,	  /* endpoint_connect records submitted */
	CW_STAT_EV_CGROUP,	  /* cgroup records submitted */
	CW_STAT_EV_FILE,	  /* file_open records submitted */
	CW_STAT_EV_SOCKET,	  /* socket_connect records submitted */
	CW_STAT_MAX,
};

struct cw_hdr {
	__u16 type;	  /* enum cw_event_type */
	__u16 size;	  /* total record size */
	__u32 flags;	  /* CW_F_* */
	__u64 ts_boot_ns; /* bpf_ktime_get_boot_ns() */
};

/* Bits in cw_hdr.flags and cw_proc.flags */
#define CW_F_ARGS_TRUNC	 (1u << 0)
#define CW_F_EXE_TRUNC	 (1u << 1)
#define CW_F_PATH_TRUNC	 (1u << 2)
#define CW_F_FROM_PROCFS (1u << 3) /* cw_proc filled from /proc by the agent */
#define CW_F_EXITED	 (1u << 4)
#define CW_F_FORKED	 (1u << 5) /* copied from the parent at fork, no exec yet */

struct cw_ancestor {
	__u32 pid;
	__u32 _pad;
	__u64 exec_id; /* its cw_proc.exec_id at event time (0: no record) */
	__u8 comm[CW_COMM_LEN];
};

/* Who did it: read from current task at the moment of the event. */
struct cw_task {
	__u32 pid; /* tgid */
	__u32 tid;
	__u32 ppid;
	__u32 uid;
	__u32 gid;
	__u32 netns_ino;
	__u32 mntns_ino;
	__u32 _pad;
	__u64 cgroup_id; /* cgroup v2 id (kernfs inode) */
	__u64 start_ns;	 /* group leader's start_boottime, for pid reuse checks */
	__u64 exec_id;	 /* cw_proc.exec_id of the process image (0: no record) */
	__u8 comm[CW_COMM_LEN];
	struct cw_ancestor anc[CW_ANCESTORS];
};

/*
 * Process table value (map cw_procs, key = tgid). Written at exec (and fork)
 * by the BPF side, or from /proc by the agent at start-up, so a process that
 * has exited before the agent reads its event is still described.
 */
struct cw_proc {
	__u64 start_ns;
	__u64 exec_id; /* unique per image (exec/fork time; agent-assigned for /proc) */
	__u32 ppid;
	__u32 flags;
	__u16 exe_len;
	__u16 args_len;
	__u32 _pad;
	__u8 comm[CW_COMM_LEN];
	__u8 exe[CW_EXE_MAX];
	__u8 args[CW_ARGS_MAX];
};

/* Key of the endpoints map: IPv4 endpoints stored as IPv4-mapped IPv6. */
struct cw_ep_key {
	__u8 addr[16];
	__u16 port; /* host byte order */
	__u16 _pad;
};

struct cw_ep_val {
	__u32 kind; /* enum cw_endpoint_kind */
};

struct cw_ev_cgroup {
	struct cw_hdr hdr;
	__u64 id;
	__u32 level;
	__u16 path_len;
	__u16 _pad;
	__u8 path[CW_CGPATH_MAX];
};

struct cw_ev_endpoint {
	struct cw_hdr hdr;
	struct cw_task task;
	__u64 sock_cookie;
	__u8 addr[16]; /* as the process gave it (v4 as ::ffff:a.b.c.d for family 2) */
	__u16 port;    /* host byte order */
	__u8 family;   /* AF_INET or AF_INET6 of the socket */
	__u8 protocol; /* IPPROTO_TCP / IPPROTO_UDP */
	__u8 kind;     /* enum cw_endpoint_kind */
	__u8 _pad[3];
};

#define CW_STATIC_SIZE(type, n) _Static_assert(sizeof(type) == (n), #type " size changed")
CW_STATIC_SIZE(struct cw_hdr, 16);
CW_STATIC_SIZE(struct cw_ancestor, 32);
CW_STATIC_SIZE(struct cw_task, 32 + 24 + 16 + 96);
CW_STATIC_SIZE(struct cw_proc, 48 + CW_EXE_MAX + CW_ARGS_MAX);
CW_STATIC_SIZE(struct cw_ep_key, 20);
CW_STATIC_SIZE(struct cw_ev_cgroup, 16 + 16 + CW_CGPATH_MAX);
CW_STATIC_SIZE(struct cw_ev_endpoint, 16 + 168 + 8 + 24);

#endif
