/* SPDX-License-Identifier: GPL-2.0 */
/*
 * credwatch kernel/userspace ABI: the one contract between the BPF programs in
 * bpf/ and the agent in user/.
 *
 * Wire format. Every ring-buffer record starts with struct cw_hdr; hdr.type says which
 * struct follows and hdr.size is the record's size in bytes. Records are fixed-size per type,
 * except file_open: its resolved path comes last and the record ends after path_len bytes of
 * it (hdr.size = CW_EV_FILE_MIN + path_len); the agent pads it back to the full layout. All
 * fields are fixed-width little-endian host integers, strings are byte arrays with an
 * explicit length field (never trust a NUL to be present), and padding is explicit so both
 * compilers see the same layout (checked by the _Static_asserts at the bottom).
 *
 * Evolution. CW_ABI_VERSION is bumped whenever a layout changes. New event types get new enum
 * values; new fields are appended to the end of a record (before a variable-sized tail) and
 * its size grows, so the agent can tell old and new layouts apart by hdr.size. Agent and BPF
 * objects ship in one binary (the skeleton embeds the object), so a mismatch can only come
 * from a build error; the agent still rejects records whose size it does not know and counts
 * them.
 */
#ifndef CREDWATCH_ABI_H
#define CREDWATCH_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* 2: file records end after path_len bytes of path; socket.syscall
 * 3: http records are TCP stream segments (seq, flags, up to CW_HTTP_CAP bytes, variable size);
 *    endpoint records carry the connected address (NAT) and how the connection was found;
 *    cw_proc exe inode, cgroup and origin; cw_task.flags; cw_ev_file.known; cgroup_attach
 *    records (file side, issue 14) */
#define CW_ABI_VERSION 3

#define CW_COMM_LEN    16
#define CW_ANCESTORS   3
#define CW_EXE_MAX     256 /* tail of the executable path kept per process */
#define CW_ARGS_MAX    512 /* argv bytes (NUL separated) kept per process */
#define CW_ARGS_HEAD   384 /* of which the head, when argv is longer (CW_F_ARGS_SPLIT) */
#define CW_CGPATH_MAX  512 /* cgroup path from the mkdir tracepoint */
#define CW_PATH_MAX    512 /* resolved file / socket path */
#define CW_REQPATH_MAX 256 /* user-supplied path string (advisory) */

enum cw_event_type {
	CW_EV_CGROUP_MKDIR = 1,
	CW_EV_CGROUP_RMDIR = 2,
	CW_EV_ENDPOINT_CONNECT = 3,
	CW_EV_FILE_OPEN = 4,
	CW_EV_SOCKET_CONNECT = 5,
	CW_EV_HTTP = 6,
	/* file side (issue 14) */
	CW_EV_CGROUP_ATTACH = 20, /* a process moved to another cgroup (struct cw_ev_attach) */
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
	CW_STAT_REQ_READ_FAIL,	  /* requested path (user memory) unreadable */
	CW_STAT_EV_HTTP,	  /* http records submitted */
	CW_STAT_HTTP_NOT_PARSED,  /* packet on a watched connection that could not be parsed */
	CW_STAT_ERRS_FULL,	  /* a failed helper call whose key did not fit in cw_errs */
	/* file side (issue 14) */
	CW_STAT_EV_ATTACH,	/* cgroup_attach records submitted */
	CW_STAT_CRED_INODE,	/* opens matched by the credential-file inode map */
	CW_STAT_COMPAT_OPEN,	/* compat (32-bit) opens seen at the raw syscall exit */
	CW_STAT_URING_FIXED,	/* io_uring opens into a fixed-file slot, looked up in the table */
	CW_STAT_URING_UNSEEN,	/* ... whose file could not be read (reported as unobserved) */
	CW_STAT_ORIGIN_UNKNOWN, /* a process moved whose previous cgroup was not recorded */
	/* network side (issue 13) */
	CW_STAT_HTTP_SEG_CUT, /* segment longer than CW_HTTP_CAP: the rest is a gap */
	CW_STAT_EV_NAT,	      /* of the endpoint_connect records: found under another address */
	CW_STAT_EV_FOUND,     /* of the endpoint_connect records: found established at start */
	/* floods (issue 13) */
	CW_STAT_QUIETED,     /* repeats absorbed by cw_quiet (reported by count in summaries) */
	CW_STAT_LOW_REFUSED, /* low-priority records refused to keep the ring's reserve free */
	CW_STAT_MAX,
};

/*
 * Failed helper calls (map cw_errs), counted by (helper, errno, where) in the manner of
 * Tetragon's errmetrics: helper is the kernel's enum bpf_func_id value, err the negative
 * errno the helper returned, where one of the call sites below.
 */
enum cw_err_where {
	CW_W_NONE = 0,
	CW_W_PATH_WALK,	    /* a dentry name while resolving a path */
	CW_W_PATH_COPY,	    /* the resolved path into a record */
	CW_W_NAME,	    /* a file name's first/last bytes (classification) */
	CW_W_CGROUP_PATH,   /* a new or removed cgroup's path */
	CW_W_PROCS,	    /* the process table (exec, fork) */
	CW_W_HTTP_SOCKS,    /* marking a TCP connection to an endpoint for HTTP capture */
	CW_W_HTTP_CAPTURE,  /* copying a watched connection's payload */
	CW_W_UNIX_INFLIGHT, /* parking a unix connect for its exit */
	CW_W_UNIX_ADDR,	    /* a unix connect's address */
	/* file side (issue 14) */
	CW_W_ORIGIN = 20, /* the process table at a cgroup move */
	CW_W__COUNT,
};

struct cw_err_key {
	__u32 helper; /* enum bpf_func_id */
	__s32 err;    /* -errno */
	__u32 where;  /* enum cw_err_where */
	__u32 _pad;
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
#define CW_F_ARGS_SPLIT	 (1u << 6) /* args: the first CW_ARGS_HEAD bytes, then the last ones */
/* endpoint records: how the connection to the endpoint was found */
#define CW_F_VIA_NAT	    (1u << 7) /* its packets reach the endpoint under another destination */
#define CW_F_FOUND_AT_START (1u << 8) /* established before the agent started (iterator) */
#define CW_F_NO_TASK	    (1u << 9) /* no task at hand (a packet hook): task = cgroup id only */
/* file side (issue 14) */
#define CW_F_FILELESS	 (1u << 10) /* proc: the executable has no name on disk (nlink 0) */
#define CW_F_MEMFD	 (1u << 11) /* proc: the executable is a memfd; exe is "memfd:<name>" */
#define CW_F_COMPAT	 (1u << 12) /* hdr: made by a compat (32-bit) syscall */
#define CW_F_URING_FIXED (1u << 13) /* hdr: an io_uring open into a fixed-file slot (no fd) */

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
	__u32 flags;	 /* CW_TF_* */
	__u64 cgroup_id; /* cgroup v2 id (kernfs inode) */
	__u64 start_ns;	 /* group leader's start_boottime, for pid reuse checks */
	__u64 exec_id;	 /* cw_proc.exec_id of the process image (0: no record) */
	__u8 comm[CW_COMM_LEN];
	struct cw_ancestor anc[CW_ANCESTORS];
};

/* Bits in cw_task.flags. CW_TF_LEFT_POD: the process (or the image it came from) left a pod's
 * cgroup; cw_procs[pid].origin_cgid is the cgroup it left. CW_TF_EXE_UNLINKED: at the event,
 * the process's executable has no name on disk (deleted since exec, or a memfd). */
#define CW_TF_LEFT_POD	   (1u << 0)
#define CW_TF_EXE_UNLINKED (1u << 1)

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
	__u32 exe_dev; /* the executable's superblock dev (kernel encoding), 0 unknown */
	__u64 exe_ino; /* and inode */
	/* file side (issue 14): where the process is, and the pod cgroup it came from */
	__u64 cgroup_id;   /* cgroup at exec, fork, or its last move */
	__u64 origin_cgid; /* the container/pod cgroup it left (sticky; inherited by its children
			      and later images), 0: never left a pod */
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
	struct cw_hdr hdr; /* flags: CW_F_VIA_NAT, CW_F_FOUND_AT_START */
	struct cw_task task;
	__u64 sock_cookie;
	__u8 addr[16]; /* the endpoint (v4 as ::ffff:a.b.c.d); with NAT, the packets' destination */
	__u16 port;    /* host byte order */
	__u8 family;   /* AF_INET or AF_INET6 of the socket */
	__u8 protocol; /* IPPROTO_TCP / IPPROTO_UDP */
	__u8 kind;     /* enum cw_endpoint_kind */
	__u8 _pad[3];
	__u8 conn_addr[16]; /* what the socket connected to (differs from addr under NAT) */
	__u16 conn_port;
	__u8 _pad2[6];
};

/* Which kernel rule matched a file (userspace refines it into file.kind). */
enum cw_file_rule {
	CW_FR_NONE = 0,
	CW_FR_PROJECTED_TOKEN = 1, /* token in an atomic-writer volume (..<timestamp>/token) */
	CW_FR_AWS_CREDENTIALS = 2, /* .aws/credentials */
	CW_FR_AWS_CONFIG = 3,	   /* .aws/config */
	CW_FR_AWS_SSO_CACHE = 4,   /* .aws/sso/cache/<40 hex>.json */
	CW_FR_AWS_CLI_CACHE = 5,   /* .aws/cli/cache/<40 hex>.json */
	CW_FR_KUBELET =
		6, /* kubelet/kubeconfig, kubelet/pki/kubelet-*.pem, kubernetes/pki/<name>.key */
	CW_FR_PATH_HINT = 7, /* failed open: only the requested path string matched */
	/* file side (issue 14) */
	CW_FR_KNOWN = 8,  /* no name rule: the inode is in cw_credfiles (cw_ev_file.known) */
	CW_FR_UNSEEN = 9, /* an open whose file could not be looked at (an io_uring fixed-file slot
			     on a kernel whose table layout is unknown): who and how only */
};

/* Which syscall (or io_uring op) produced a file_open / socket_connect. */
enum cw_syscall {
	CW_SYS_OPEN = 1,
	CW_SYS_OPENAT = 2,
	CW_SYS_OPENAT2 = 3,
	CW_SYS_CREAT = 4,
	CW_SYS_CONNECT = 5,
	CW_SYS_IO_URING = 6,
	/* file side (issue 14) */
	CW_SYS_OPEN_BY_HANDLE_AT = 7,
	CW_SYS_OTHER = 8, /* the VFS hook saw an open from another entry point */
};

/*
 * file_open: a credential file opened (result 0, decided from the opened
 * struct file) or a failed open of a credential-looking path (result -errno,
 * decided from the requested path: there is no file to look at).
 */
struct cw_ev_file {
	struct cw_hdr hdr;
	struct cw_task task;
	__u64 ino;
	__u32 dev;    /* kernel dev_t of the superblock: major << 20 | minor */
	__u32 flags;  /* open flags (f_flags, or as requested for a failed open) */
	__s32 result; /* 0 or -errno */
	__u32 mode;   /* i_mode */
	__u32 nlink;
	__u32 fs_magic; /* superblock s_magic */
	__u8 rule;	/* enum cw_file_rule */
	__u8 syscall;	/* enum cw_syscall */
	__u16 path_len; /* resolved path (CW_F_PATH_TRUNC if cut) */
	__u16 req_len;	/* requested path as passed by the process (advisory) */
	__u8 known;	/* enum cw_cred_kind of the inode in cw_credfiles, 0 if not there */
	__u8 _pad;
	__u8 req[CW_REQPATH_MAX];
	/* Last, and sent only up to path_len: a file record is variable-sized,
	 * hdr.size = offsetof(path) + path_len (most paths are short, and the
	 * ring buffer holds 2-3x more records than at the full size). */
	__u8 path[CW_PATH_MAX];
};
#define CW_EV_FILE_MIN ((unsigned long)&((struct cw_ev_file *)0)->path)

/* Key/value of the watched-sockets map: unix socket files by (dev, ino). */
struct cw_sock_key {
	__u64 ino;
	__u32 dev; /* kernel dev_t */
	__u32 _pad;
};

struct cw_sock_val {
	__u32 kind; /* the agent's socket kind (container_runtime, kubelet_api, ...) */
};

/*
 * socket_connect: a unix-socket connect whose peer is a watched socket file
 * (result 0), or a failed connect whose requested path looks like one
 * (resolved = 0, decided in userspace from the advisory path).
 */
struct cw_ev_sock {
	struct cw_hdr hdr;
	struct cw_task task;
	__u64 ino;
	__u32 dev;
	__s32 result;
	__u32 kind;	 /* cw_sock_val.kind, 0 if unresolved */
	__u16 sock_type; /* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	__u8 resolved;	 /* 1: decided from the connected peer's socket file */
	__u8 abstract;	 /* requested address is in the abstract namespace */
	__u16 path_len;
	__u16 req_len;
	__u8 syscall; /* CW_SYS_CONNECT or CW_SYS_IO_URING */
	__u8 _pad[3];
	__u8 path[CW_PATH_MAX];
	__u8 req[128];
};

/*
 * http: one TCP segment of a connection to a watched endpoint (joined to its endpoint_connect
 * by the socket cookie), in either direction: its sequence number, TCP flags and length, and
 * its first bytes (up to CW_HTTP_CAP). The agent reassembles each direction's byte stream in
 * sequence order (retransmissions overlap, a cut segment leaves a gap it can see) and parses
 * every request and response on it. Segments with neither payload nor SYN/FIN/RST are not
 * sent. The record is variable-sized: hdr.size = CW_EV_HTTP_MIN + cap_len.
 *
 * The bytes may hold secrets (the IMDSv2 token in a header or a PUT's response body, an
 * Authorization token, a credentials response): the agent parses them in memory, keeps only
 * what the event needs, and wipes its copies.
 */
#define CW_HTTP_CAP	4096 /* bytes of one segment captured (a power of two) */
#define CW_HTTP_EGRESS	0
#define CW_HTTP_INGRESS 1
#define CW_TCP_FIN	0x01
#define CW_TCP_SYN	0x02
#define CW_TCP_RST	0x04
struct cw_ev_http {
	struct cw_hdr hdr;
	__u64 sock_cookie;
	__u32 seq;	/* TCP sequence number of the first byte (of the SYN itself for a SYN) */
	__u32 seg_len;	/* payload bytes in this segment */
	__u16 cap_len;	/* bytes captured in data[] */
	__u8 dir;	/* CW_HTTP_EGRESS / CW_HTTP_INGRESS */
	__u8 kind;	/* enum cw_endpoint_kind of the connection */
	__u8 tcp_flags; /* CW_TCP_* */
	__u8 _pad[3];
	/* last, and sent only up to cap_len */
	__u8 data[CW_HTTP_CAP];
};
#define CW_EV_HTTP_MIN ((unsigned long)&((struct cw_ev_http *)0)->data)

/* Value of the watched-connections map (key: socket cookie). */
struct cw_http_sock {
	__u32 kind;
	__u32 tgid;  /* who connected */
	__u32 flags; /* CW_F_VIA_NAT, CW_F_FOUND_AT_START */
	__u32 _pad;
};

/*
 * Floods (bpf/lib/flood.bpf.h). cw_quiet: repeats the agent has already judged as audit
 * events (no finding), counted in the kernel instead of sent, for a time window the agent sets.
 * The key is what decides the verdict: who (cgroup, process image), what (the file's inode,
 * or a hash of the requested path for an open that failed), how (access mode, result).
 */
struct cw_quiet_key {
	__u64 cgroup_id;
	__u64 exec_id; /* the process image (cw_proc.exec_id; 0: unknown, never quieted) */
	__u64 ino;     /* the inode; for a failed open, cw_path_hash of the requested path */
	__u32 dev;     /* kernel dev_t; 0 for a failed open */
	__u32 tgid;
	__u32 what; /* CW_QUIET_WHAT(kind, accmode, result) */
	__u32 _pad;
};
/* bit 31 of what: the parity of the window (ts / window): the next window's entry is another
 * key, armed while the last one waits out its grace period */
#define CW_QUIET_GEN(ts, window) ((__u32)(((ts) / (window)) & 1) << 31)
#define CW_QUIET_WHAT(rec_type, accmode, result)                  \
	(((__u32)(rec_type)&0xff) | (((__u32)(accmode)&3) << 8) | \
	 (((__u32)(-(result)) & 0xfff) << 16))

struct cw_quiet_val {
	__u64 until_ns; /* boot-time ns: repeats before then are counted, not sent (agent) */
	__u64 count;	/* repeats counted (BPF, atomic) */
	__u64 first_ns; /* first and last repeat (BPF) */
	__u64 last_ns;
};

/* cw_cg_drops: records of a cgroup that the ring lost (full) or refused (low priority), and
 * the current episode: drops with no gap of more than CW_DROP_GAP_NS between them. */
#define CW_DROP_GAP_NS	  1000000000ULL
#define CW_QUIET_ENTRIES  4096 /* cw_quiet's size */
#define CW_FLOOD_MIN_SECS 3    /* drops going on this long: an event_flood finding */
struct cw_cg_drop {
	__u64 full;	   /* the ring was full */
	__u64 low_refused; /* a low-priority record, refused while the ring was half full */
	__u64 episode_ns;  /* when the current episode began */
	__u64 last_ns;	   /* the last drop */
	__u32 last_tgid;   /* who, at the last drop (0 in a packet hook) */
	__u32 _pad;
};

/*
 * file side (issue 14): credential files the agent knows from node state, by inode (map
 * cw_credfiles): projected token files, files of Secret volumes mounted at <dir>/.aws, files named
 * by AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE / AWS_WEB_IDENTITY_TOKEN_FILE /
 * AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE in a container's environment.
 */
enum cw_cred_kind {
	CW_CK_NONE = 0,
	CW_CK_POD_IDENTITY_TOKEN = 1,
	CW_CK_IRSA_TOKEN = 2,
	CW_CK_SA_TOKEN = 3,
	CW_CK_AWS_CREDENTIALS = 4,
	CW_CK_AWS_CONFIG = 5,
	CW_CK_AWS_SSO_CACHE = 6,
	CW_CK_AWS_CLI_CACHE = 7,
	CW_CK_KUBELET = 8,
};

/* Key of cw_credfiles: the file's (dev, ino) as the kernel sees them. */
struct cw_file_key {
	__u64 ino;
	__u32 dev; /* kernel dev_t of the superblock: major << 20 | minor */
	__u32 _pad;
};

/* Where the agent found a credential file (cw_cred_val.flags) */
#define CW_CRED_PROJECTED (1u << 0) /* a projected volume's token */
#define CW_CRED_SECRET	  (1u << 1) /* a Secret volume mounted at .../.aws[/credentials] */
#define CW_CRED_ENV	  (1u << 2) /* named by an AWS_* variable of a container */
#define CW_CRED_RETIRED	  (1u << 3) /* replaced by a rotation, still linked: kept until expiry */

/*
 * cw_credbits: a bitmap in front of cw_credfiles, so that an open costs an inlined array
 * access and one read of the inode number instead of a hash lookup: the bit of a file's inode
 * number (cw_credbit()) is set for every file in cw_credfiles (and, for a while, for some
 * that were removed: a false positive only costs the hash lookup). One element of
 * CW_CREDBITS_WORDS words.
 */
#define CW_CREDBITS_SHIFT \
	18 /* 2^18 bits (32 KiB): a false positive for ~0.1 % of opens
				with 300 files known, ~3 % with 8192 */
#define CW_CREDBITS_WORDS ((1u << CW_CREDBITS_SHIFT) / 64)
#define cw_credbit(ino)	  ((__u32)(((__u64)(ino)*0x9e3779b97f4a7c15ULL) >> (64 - CW_CREDBITS_SHIFT)))

struct cw_cred_val {
	__u64 owner_pod_cgid; /* cgroup id of the owner pod's pod-level cgroup
				 (kubepods-...-pod<uid>.slice, kubepods/<qos>/pod<uid>), 0 unknown */
	__u32 kind;	      /* enum cw_cred_kind */
	__u32 flags;	      /* CW_CRED_* */
};

/* How a process came to another cgroup (cw_ev_attach.how) */
#define CW_MOVE_ATTACH 1 /* written into cgroup.procs (the cgroup_attach_task tracepoint) */
#define CW_MOVE_CLONE  2 /* born in another cgroup than its parent's (clone3 CLONE_INTO_CGROUP) */

/*
 * cgroup_attach: a process moved into another cgroup (v2 hierarchy). task is who did it (the
 * writer of cgroup.procs, or the parent for a clone); moved_pid the process that moved. The
 * pod-level cgroup ids come from cw_podcgs (0: not a pod's, or not known yet).
 */
struct cw_ev_attach {
	struct cw_hdr hdr;
	struct cw_task task;
	__u64 from_cgid; /* the moved process's cgroup before (cw_procs), 0 unknown */
	__u64 to_cgid;
	__u64 from_pod_cgid;
	__u64 to_pod_cgid;
	__u64 origin_cgid; /* the moved process's origin after the move (cw_proc.origin_cgid) */
	__u32 moved_pid;
	__u8 how; /* CW_MOVE_* */
	__u8 _pad[3];
};

#define CW_STATIC_SIZE(type, n) _Static_assert(sizeof(type) == (n), #type " size changed")
CW_STATIC_SIZE(struct cw_quiet_key, 40);
CW_STATIC_SIZE(struct cw_quiet_val, 32);
CW_STATIC_SIZE(struct cw_cg_drop, 40);
CW_STATIC_SIZE(struct cw_hdr, 16);
CW_STATIC_SIZE(struct cw_ancestor, 32);
CW_STATIC_SIZE(struct cw_task, 32 + 24 + 16 + 96);
CW_STATIC_SIZE(struct cw_proc, 72 + CW_EXE_MAX + CW_ARGS_MAX);
CW_STATIC_SIZE(struct cw_ep_key, 20);
CW_STATIC_SIZE(struct cw_ev_cgroup, 16 + 16 + CW_CGPATH_MAX);
CW_STATIC_SIZE(struct cw_ev_endpoint, 16 + 168 + 8 + 24 + 24);
CW_STATIC_SIZE(struct cw_ev_file, 16 + 168 + 40 + CW_PATH_MAX + CW_REQPATH_MAX);
CW_STATIC_SIZE(struct cw_ev_sock, 16 + 168 + 32 + CW_PATH_MAX + 128);
CW_STATIC_SIZE(struct cw_ev_http, 16 + 24 + CW_HTTP_CAP);
CW_STATIC_SIZE(struct cw_err_key, 16);
CW_STATIC_SIZE(struct cw_file_key, 16);
CW_STATIC_SIZE(struct cw_cred_val, 16);
CW_STATIC_SIZE(struct cw_ev_attach, 16 + 168 + 48);

#endif
