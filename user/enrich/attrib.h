/* SPDX-License-Identifier: GPL-2.0 */
/*
 * attrib: who an event belongs to, from the node's own state (facts sections 2-5), without the
 * API server.
 *
 *  - a process, by its cgroup path and network namespace: host process, or pod + container,
 *    with the container's and the pod's AWS credential configuration, service account and
 *    hostNetwork (attrib_workload);
 *  - a file on a projected-volume tmpfs, by its device: the pod and volume it belongs to
 *    (attrib_file_owner);
 *  - a token file, by device + inode: the claims it carries (attrib_token).
 *
 * Sources, all below the host root (the agent's --host-root) and read with safefile:
 *   run/containerd/io.containerd.runtime.v2.task/k8s.io/<id>/config.json     (containerd)
 *   var/lib/containers/storage/overlay-containers/<id>/userdata/config.json  (CRI-O)
 *   var/log/pods/<namespace>_<name>_<uid>/                                   (names fallback)
 *   var/lib/kubelet/pods/<uid>/volumes/kubernetes.io~projected/<vol>/..data/<file>  (tokens)
 * and, outside it: the cgroup2 mount (listing a pod's container cgroups, to know every
 * container of the pod), a mountinfo file (projected-volume tmpfs devices), and
 * <proc>/1/ns/net (the host's network namespace).
 *
 * Everything is cached in bounded LRUs (user/lru.h): containers by id, pods by UID, volumes by
 * device, tokens by device + inode, the var/log/pods index by UID. Cache entries keep only what
 * events print (a few hundred bytes of strings), never a whole config.json or token.
 *
 * Secrets: the values of AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN /
 * AWS_CONTAINER_AUTHORIZATION_TOKEN never reach this module (ocispec records presence bits
 * only); a token is read into a stack buffer that is scrubbed after jwt_decode_claims() and
 * only its claims are kept. Nothing read from a file is logged: debug lines name the
 * container id or pod UID (validated hex) and an errno.
 *
 * Strings read from files are bounded by the buffers below; a value that did not fit is cut
 * and ends with JW_TRUNC_MARK so the reader of the event sees it. The JSON writer escapes
 * them.
 *
 * Time: every call takes the caller's CLOCK_MONOTONIC (or any monotonic) now_ns; retries and
 * rescans are rate-limited against it. Not thread-safe: one struct attrib per thread.
 */
#ifndef CREDWATCH_ATTRIB_H
#define CREDWATCH_ATTRIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "enrich/jwt.h"

/* Buffer sizes, NUL included. */
#define ATTRIB_UID_BUF	 37  /* canonical UUID (36); static pods use 32 hex digits */
#define ATTRIB_ID_BUF	 65  /* container id: 64 hex */
#define ATTRIB_NS_BUF	 64  /* namespace: DNS label, 63 */
#define ATTRIB_NAME_BUF	 254 /* pod / service-account name: DNS subdomain, 253 */
#define ATTRIB_LABEL_BUF 64  /* container / volume name: DNS label, 63 */
#define ATTRIB_IMAGE_BUF 384
#define ATTRIB_ARN_BUF	 320
#define ATTRIB_AUD_BUF	 128

/* Bits of attrib_result.sources / .missing and attrib_owner.sources. */
enum {
	ATTRIB_SRC_CGROUP = 1u << 0,	/* the cgroup path (cg_parse) */
	ATTRIB_SRC_OCI_SPEC = 1u << 1,	/* the container's config.json */
	ATTRIB_SRC_POD_LOGS = 1u << 2,	/* var/log/pods/<ns>_<name>_<uid> */
	ATTRIB_SRC_SA_TOKEN = 1u << 3,	/* claims of the pod's service-account token */
	ATTRIB_SRC_NETNS = 1u << 4,	/* netns inode compared with the host's */
	ATTRIB_SRC_SIBLINGS = 1u << 5,	/* config.json of every container of the pod */
	ATTRIB_SRC_MOUNTINFO = 1u << 6, /* file owner: tmpfs device found in mountinfo */
	ATTRIB_SRC_PATH = 1u << 7,	/* file owner: parsed from the file's path */
	ATTRIB_SRC_VOLUMES = 1u << 8,	/* the pod's projected volumes (Pod Identity / IRSA) */
	ATTRIB_SRC_CREDFILES = 1u << 9, /* file owner: the inode is known from node state */
	ATTRIB_SRC_COUNT = 10,
};

/* Bits of attrib_result.conflicts: sources that disagree (the event is not complete). */
enum {
	ATTRIB_CONFLICT_POD_UID = 1u << 0, /* config.json or token names another pod than the
					      cgroup; its pod fields were not used */
	ATTRIB_CONFLICT_NESTED = 1u << 1,  /* a kubepods hierarchy below the container's cgroup
					      (kind-in-pod, or a spoof; cg_info.nested) */
	/* file side (issue 14) */
	ATTRIB_CONFLICT_NETNS = 1u << 2, /* the process's network namespace is not its pod's (or,
					    for a host process, is a pod's): netns_pod_uid */
	ATTRIB_CONFLICT_MOVED = 1u << 3, /* the process left its pod's cgroup (set by enrich) */
};

/* Credential configuration bits (attrib_result.container_cred / .pod_cred). */
enum {
	ATTRIB_CRED_POD_IDENTITY = 1u << 0,	     /* "pod_identity" */
	ATTRIB_CRED_IRSA = 1u << 1,		     /* "irsa" */
	ATTRIB_CRED_STATIC_KEYS = 1u << 2,	     /* "static_keys" */
	ATTRIB_CRED_CONTAINER_CREDENTIALS = 1u << 3, /* "container_credentials" (ECS relative) */
	ATTRIB_CRED_NODE_ROLE = 1u << 4,	     /* "node_role": none of the above */
};

struct attrib_limits {
	/* cgroup2 mount, as the agent sees it (e.g. /sys/fs/cgroup). NULL: the other containers
	 * of a pod are not looked for and the pod's credential_mode is its container's. */
	const char *cgroup_mount;
	/* Default /proc/self/mountinfo. Must show the projected-volume tmpfs mounts. */
	const char *mountinfo_path;
	/* Where the host root appears in mountinfo's mount points. Default: host_root made
	 * absolute ("" for "/"), e.g. "/host" in the DaemonSet. */
	const char *mount_prefix;
	/* Host network namespace inode; 0: stat <proc_root>/1/ns/net (default /proc). */
	uint64_t host_netns_ino;
	const char *proc_root;
	/* Cache capacities (entries); 0 = default. */
	size_t max_containers;	 /* 2048 */
	size_t max_pods;	 /* 1024 */
	size_t max_volumes;	 /* 4096 */
	size_t max_tokens;	 /* 512 */
	size_t max_logdirs;	 /* 1024 */
	size_t max_config_bytes; /* config.json size cap, default and maximum OCI_MAX_INPUT */
	/* Missing config.json: retried after retry_min_ns, doubling up to retry_max_ns; the result
	 * says `pending` while the container was first seen less than pending_ns ago. */
	uint64_t retry_min_ns; /* 50 ms */
	uint64_t retry_max_ns; /* 5 s */
	uint64_t pending_ns;   /* 1 s */
	/* Minimum interval between two rescans of var/log/pods, of mountinfo, and between two
	 * attempts at a pod's service-account token. */
	uint64_t rescan_ns; /* 1 s */
};

struct attrib_result {
	bool host;	/* a host process (cgroup outside kubepods and Docker) */
	bool has_pod;	/* pod_* fields describe a pod (at least its UID) */
	bool sa_absent; /* the pod mounts no service-account token: none to name (not missing) */
	bool has_container; /* container_* fields describe a container (at least its id) */

	char pod_uid[ATTRIB_UID_BUF];
	char pod_namespace[ATTRIB_NS_BUF];     /* "" when unknown (null in JSON) */
	char pod_name[ATTRIB_NAME_BUF];	       /* "" when unknown */
	char service_account[ATTRIB_NAME_BUF]; /* "" when unknown */
	char role_arn[ATTRIB_ARN_BUF];	       /* IRSA role of the container, else of the pod */
	unsigned int pod_cred;		       /* union over the pod's containers, ATTRIB_CRED_* */
	bool pod_identity_associated;	       /* a container of the pod has the Pod Identity env,
						  or the pod has the eks-pod-identity-token volume */
	unsigned int volume_cred; /* ATTRIB_CRED_POD_IDENTITY / _IRSA from the pod's projected
				     volumes (eks-pod-identity-token, aws-iam-token), in pod_cred */
	unsigned int spec_cred;	  /* pod_cred as the containers' specs alone show it */
	char netns_pod_uid[ATTRIB_UID_BUF]; /* ATTRIB_CONFLICT_NETNS: whose netns it is ("" ?) */
	int host_network;		    /* 1, 0, or -1 unknown */

	char container_id[ATTRIB_ID_BUF];
	char container_name[ATTRIB_LABEL_BUF];
	char image[ATTRIB_IMAGE_BUF];
	const char *runtime; /* "containerd", "crio", "docker", "unknown" (static string) */
	const char *type;    /* "container", "sandbox", "conmon", "unknown" (static string) */
	unsigned int container_cred; /* ATTRIB_CRED_*, 0 = unknown (config.json not read) */
	unsigned int static_key_env; /* OCI_SECRET_* bits: which variables are set (names only) */

	unsigned int sources, missing, conflicts;
	bool complete; /* nothing missing, no conflict */
	/* The config.json is not there (yet): resolving again at or after retry_at_ns may
	 * complete the result. False once the container is older than limits.pending_ns. */
	bool pending;
	uint64_t retry_at_ns;
};

struct attrib_owner {
	bool found;
	/* The device was confirmed: from mountinfo, or a stat of the volume directory below the
	 * host root gave the same device. A path-only answer (verified false) may be spoofed by
	 * a container that builds the same directory names in its own filesystem. */
	bool verified;
	unsigned int sources; /* ATTRIB_SRC_MOUNTINFO or _PATH, plus where the names came from */
	char pod_uid[ATTRIB_UID_BUF];
	char pod_namespace[ATTRIB_NS_BUF];
	char pod_name[ATTRIB_NAME_BUF];
	char volume[ATTRIB_LABEL_BUF];
};

struct attrib_token {
	bool found;
	int err;	    /* why not found: negative errno (-ENOENT: unknown device, ...) */
	bool inode_matched; /* the file read is the inode that was opened (else: rotated since) */
	enum jwt_audience kind;
	unsigned int n_aud;
	char aud[JWT_MAX_AUD][ATTRIB_AUD_BUF];
	char service_account[ATTRIB_NAME_BUF];
	char pod_namespace[ATTRIB_NS_BUF];
	char pod_name[ATTRIB_NAME_BUF];
	char pod_uid[ATTRIB_UID_BUF];
	bool has_exp;
	int64_t exp; /* seconds since the epoch */
};

struct attrib;

/* Opens host_root (a directory) and, if given, limits->cgroup_mount. lim may be NULL.
 * Returns NULL with errno set on failure. */
struct attrib *attrib_new(const char *host_root, const struct attrib_limits *lim);
void attrib_free(struct attrib *a);

/*
 * Resolve the workload of an event. cgroup_path: relative to the cgroup2 mount (a leading '/'
 * is fine), NULL when unknown. netns_ino: the process's network namespace inode, 0 if unknown.
 * *out is always filled. Returns 0, or -EINVAL for NULL a/out. A partial answer is not an
 * error: see out->complete / missing / pending.
 */
int attrib_workload(struct attrib *a, const char *cgroup_path, uint32_t netns_ino, uint64_t now_ns,
		    struct attrib_result *out);

/* The cgroup of container `id` (64 hex) was removed: drop its entry and make its pod's
 * credential union be recomputed. */
void attrib_forget_container(struct attrib *a, const char *id);

/*
 * Owner of a file on a projected volume: kdev is the superblock device as the kernel encodes
 * it (major << 20 | minor); path (path_len bytes, need not be NUL-terminated, may be NULL) the
 * resolved path if known. Returns 0 when out->found, else -ENOENT.
 */
int attrib_file_owner(struct attrib *a, uint32_t kdev, const char *path, size_t path_len,
		      uint64_t now_ns, struct attrib_owner *out);

/*
 * Claims of the token file (kdev, ino) opened under the name leaf_name (its last path
 * component, e.g. "token" or "eks-pod-identity-token") in a projected volume known to
 * attrib_file_owner (the device must be verified). Reads <volume>/..data/<leaf_name> below the
 * host root, and only trusts it when its device is kdev. Returns 0 when out->found, else a
 * negative errno (also in out->err).
 */
int attrib_token(struct attrib *a, uint32_t kdev, uint64_t ino, const char *leaf_name,
		 uint64_t now_ns, struct attrib_token *out);

struct attrib_cache_stats {
	uint64_t entries, capacity, evictions;
};

/* What the caches hold and what reading node state cost (agent_stats.attrib). */
struct attrib_stats {
	struct attrib_cache_stats containers, pods, volumes, tokens, pod_logs;
	uint64_t config_reads, token_reads, read_errors;
	uint64_t refused;      /* symlink / too large / not a regular file */
	uint64_t parse_errors; /* config.json or JWT */
	uint64_t logdir_scans, mountinfo_reads;
	uint64_t memory_bytes;
};
void attrib_stats(const struct attrib *a, struct attrib_stats *out);
/* Bytes allocated by the caches and the parse scratch buffer. */
size_t attrib_memory_bytes(const struct attrib *a);

/* Names for the bits above ("cgroup", "pod_identity", "pod_uid"...), NULL for others. */
const char *attrib_source_str(unsigned int bit);
const char *attrib_cred_str(unsigned int bit);
const char *attrib_conflict_str(unsigned int bit);

#endif
