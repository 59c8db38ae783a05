/* SPDX-License-Identifier: GPL-2.0 */
/*
 * credfiles: the credential files this node holds, known by inode (issue 14). The name rules
 * of the BPF side (lib/classify.bpf.h) catch a credential by how its directory entries are
 * named; a hard link, a rename, a Secret volume's file (which lives in ..<timestamp>/, not in
 * .aws/) or AWS_SHARED_CREDENTIALS_FILE=/etc/aws/credentials escape them. This module finds
 * those files from node state and keeps the BPF map cw_credfiles ((dev, ino) -> kind, owner
 * pod's cgroup, source) equal to what it found, so the open hooks catch them whatever name
 * they are opened by:
 *
 *  - projected token files: every pod's var/lib/kubelet/pods/<uid>/volumes/
 *    kubernetes.io~projected/<vol>/..data/{token,eks-pod-identity-token}, the current
 *    generation; after a rotation the previous one is kept (marked retired) while its volume
 *    is mounted, up to a day (a token's longest life), since a hard link keeps it readable;
 *    likewise a file a container's spec named that is not there any more (renamed, replaced)
 *    stays while that container runs;
 *  - Secret volumes a container mounts at <dir>/.aws (every file) or <dir>/.aws/credentials,
 *    <dir>/.aws/config (config.json mounts);
 *  - the files AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE, AWS_WEB_IDENTITY_TOKEN_FILE and
 *    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE name in a container's environment, resolved in
 *    the container's mount namespace (/proc/<pid>/root of one of its processes, with
 *    RESOLVE_IN_ROOT: absolute symlinks and ".." stay inside the container's root).
 *
 * Running pods and containers come from the cgroup v2 tree (their cgroups), their volumes and
 * specs from below the host root. credfiles_refresh() rescans all of it (the agent calls it
 * every few seconds: a new pod, a rotation, a restarted container); entries of files no
 * longer found are removed from the map. Bounded: the table holds `capacity` files (the BPF
 * map's size); past that the least recently confirmed entry (a retired token first) is
 * evicted from both, and counted.
 *
 * Nothing read here is a secret: no file is opened for reading, only stat()ed (O_PATH).
 */
#ifndef CREDWATCH_CREDFILES_H
#define CREDWATCH_CREDFILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "enrich/attrib.h"

#define CREDFILES_NAME_BUF 64
#define CREDFILES_PATH_BUF 192

/* One credential file: value of the table, and what an event says about it. */
struct credfile {
	uint64_t ino;
	uint32_t dev;	     /* kernel encoding: major << 20 | minor */
	uint8_t kind;	     /* enum file_kind (== enum cw_cred_kind) */
	uint8_t src;	     /* CW_CRED_* */
	bool in_map;	     /* written to the BPF map */
	uint64_t pod_cgid;   /* the owner pod's pod-level cgroup id, 0 unknown */
	uint64_t gen;	     /* the last scan that found it */
	uint64_t retired_ns; /* when a rotation replaced it (0: current) */
	char pod_uid[ATTRIB_UID_BUF];
	uint64_t ctr; /* the container whose spec named it (first 16 hex digits), 0: a volume */
	char name[CREDFILES_NAME_BUF]; /* the volume, or the variable that named the file */
	char path[CREDFILES_PATH_BUF]; /* the volume file's path below the host root, or the
					  variable's path in the container */
};

struct credfiles_limits {
	size_t capacity;	  /* files (default 8192: the BPF map's max_entries) */
	uint64_t retired_keep_ns; /* how long a rotated-out token stays (default 24 h) */
	const char *proc_root;	  /* default /proc (the host's: the DaemonSet runs hostPID) */
};

struct credfiles_stats {
	uint64_t entries, capacity, evictions;
	uint64_t scans, last_scan_us;
	uint64_t pods, containers;	 /* running, seen by the last scan */
	uint64_t projected, secret, env; /* entries by source (last scan) */
	uint64_t env_unresolved;	 /* variables naming a file that could not be resolved */
	uint64_t map_errors;		 /* BPF map updates that failed */
};

struct credfiles;

/* host_root: the node's root (--host-root); cgroup_mount: the cgroup2 mount; map_fd: the BPF
 * map cw_credfiles (-1: keep the table only, for tests). NULL with errno on failure. */
struct credfiles *credfiles_new(const char *host_root, const char *cgroup_mount, int map_fd,
				const struct credfiles_limits *lim);
/* The BPF map cw_credbits (mmapable, one struct of CW_CREDBITS_WORDS words): the bitmap the
 * open hooks test before looking an inode up. 0 or -errno (then every open looks up nothing:
 * set it before the first refresh). */
int credfiles_set_bitmap(struct credfiles *cf, int bits_fd);
void credfiles_free(struct credfiles *cf);

/* Rescan the node and bring the map up to date. now_ns: CLOCK_MONOTONIC. Returns the number
 * of files known. */
int credfiles_refresh(struct credfiles *cf, uint64_t now_ns);

/* What the table knows of (dev, ino), or NULL. Valid until the next refresh. */
const struct credfile *credfiles_lookup(struct credfiles *cf, uint32_t dev, uint64_t ino);

/* Call fn for every known file (agent_ready, tests). */
void credfiles_each(struct credfiles *cf, void (*fn)(void *ctx, const struct credfile *f),
		    void *ctx);

void credfiles_stats(const struct credfiles *cf, struct credfiles_stats *out);

/* "projected", "secret", "env" for one CW_CRED_* source bit */
const char *credfiles_source_name(unsigned int src);

#endif
