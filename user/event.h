/* SPDX-License-Identifier: GPL-2.0 */
/*
 * event: one credential-access event on its way through the pipeline (user/pipeline.c).
 *
 *   decode  (intake/decode.c)   the ring-buffer record, checked: kind, kernel time, task
 *   enrich  (enrich/enrich.c)   who (cgroup -> pod/container, process image and argv,
 *                               ancestors), what (file kind, owner pod, token claims;
 *                               socket kind and node path; endpoint, HTTP classification)
 *   judge   (judge/judge.c)     findings from the rules and the policy, the fold target
 *   fold    (judge/judge.c)     first of its window (written) or a repeat (counted)
 *   render  (render/)           the finished event, formatted; nothing is looked up there
 *
 * Each stage fills its own part, once; later stages only read earlier parts. Pointers point
 * into the record the event was decoded from (valid until the event is rendered) or into the
 * caches of the enrich modules (valid until the next enrichment).
 */
#ifndef CREDWATCH_EVENT_H
#define CREDWATCH_EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include "credwatch_abi.h"
#include "enrich/args.h"
#include "enrich/attrib.h"
#include "enrich/credfiles.h"
#include "enrich/filekind.h"
#include "enrich/procs.h"
#include "enrich/sockets.h"
#include "intake/conns.h"
#include "judge/rules.h"

enum cw_event_kind {
	CWE_ENDPOINT_CONNECT = 0, /* endpoint_connect */
	CWE_HTTP_REQUEST,	  /* imds_request / agent_request: a request on a connection */
	CWE_FILE_OPEN,		  /* file_open */
	CWE_SOCKET_CONNECT,	  /* socket_connect */
	CWE_CGROUP_MOVE,	  /* cgroup_move: a process moved out of (or into) a pod's cgroup */
	CWE_ENDPOINT_UNPARSED,	  /* endpoint_unparsed: a connection's bytes are not HTTP */
	CWE_EVENT_FLOOD,	  /* event_flood: a cgroup's records were lost for a while */
	CWE__COUNT,
};

/* enrich: who did it */
struct cw_who {
	const char *cgpath; /* relative to the cgroup2 mount, NULL if unknown */
	bool cg_removed;
	struct attrib_result res;
	struct proc_view proc;	    /* the process image (exe, argv) */
	char exe[CW_EXE_MAX + 1];   /* proc.rec.exe, NUL-terminated ("" if unknown) */
	const struct cw_argv *argv; /* split and redacted (NULL when the image is unknown) */
	struct {
		bool known;
		uint16_t exe_len;
		uint8_t exe[CW_EXE_MAX];
	} anc[CW_ANCESTORS]; /* the ancestors' executables, as the process table knew them */
	/* file side (issue 14) */
	bool fileless, memfd; /* the image's executable has no file on disk (proc.rec.flags) */
	bool host_mntns;      /* the task is in the host's mount namespace */
	/* The process left a pod's cgroup (cw_task.flags): res describes the pod it came from,
	 * origin_* that cgroup, cur_pod_uid the pod of the cgroup it is in now ("" none). */
	bool moved;
	uint64_t origin_cgid;
	const char *origin_cgpath; /* NULL if unknown */
	char cur_pod_uid[ATTRIB_UID_BUF];
	uint32_t netns_pod_ino; /* the pod's own network namespace, when known (0: not) */
};

/* enrich: a file_open's file */
struct cw_file_info {
	enum file_kind kind;
	const char *path, *req; /* the record's resolved and requested paths */
	size_t path_len, req_len;
	const char *volume; /* projected-volume name in path (or req), NULL if none */
	size_t volume_len;
	bool token; /* a token kind opened successfully: owner and token are looked up */
	struct attrib_owner owner;
	bool have_token; /* the owner was found, so its claims were read */
	struct attrib_token tok;
	/* file side (issue 14) */
	bool have_cred;	      /* the inode is a credential file known from node state */
	struct credfile cred; /* what credfiles knows of it */
	unsigned int recon;   /* failed opens: distinct credential locations of this process
				 image in the current window (judge) */
	/* a token read by another credwatch agent (enrich/peers.h): its attribution, not theft */
	bool peer_agent;
};

/* enrich: a cgroup_move's two cgroups (file side, issue 14) */
struct cw_move_side {
	const char *cgpath; /* relative to the cgroup2 mount, NULL if unknown */
	bool pod;	    /* a pod's cgroup (from the path, else from the kernel's pod map) */
	char pod_uid[ATTRIB_UID_BUF];
	char pod_name[ATTRIB_NS_BUF + ATTRIB_NAME_BUF]; /* "ns/name", "" if unknown */
	char container[ATTRIB_LABEL_BUF];
};

struct cw_move_info {
	struct cw_move_side from, to;
	bool same_pod;
};

/* enrich: a socket_connect's socket */
struct cw_sock_info {
	enum socket_kind kind;
	const char *node_path; /* the watched socket's path on the node, NULL if unresolved */
	const char *path;      /* the record's resolved path */
	size_t path_len;
	char req[sizeof(((struct cw_ev_sock *)0)->req) + 1]; /* requested path, NUL-terminated */
	size_t req_len;
};

/* enrich: an imds_request / agent_request */
struct cw_http_info {
	const struct conn_done *d;	/* d->r NULL: credentials whose request was unseen */
	bool imds;			/* to IMDS (else: the agent or container credentials) */
	bool credential_path;		/* the request was classified as a credential fetch */
	bool delivered;			/* the response carried credentials */
	bool credential_request;	/* either: a credential fetch by its request or answer */
	bool blocked;			/* 4xx/5xx or no response in time */
	enum sdk_pi_support pi_support; /* does the client's SDK speak Pod Identity */
	const char *pi_minimum;		/* the SDK's first version that does, NULL if unknown */
};

/* an endpoint_unparsed */
struct cw_unparsed_info {
	const struct conn_unparsed *u;
};

/* an event_flood: made by the agent from the kernel's per-cgroup drop counters (not a
 * ring-buffer record): the task is the cgroup and the last process a drop was counted for */
struct cw_flood_rec {
	struct cw_task task;
	struct cw_cg_drop d;   /* the counters when the finding was made */
	uint64_t episode_secs; /* how long the drops have gone on */
};

/* judge + fold */
struct cw_verdict {
	struct finding f[RULES_MAX_FINDINGS]; /* most severe first */
	int n;
	char target[600]; /* what was accessed, for folding: kind + path, endpoint + request */
	bool folded;	  /* a repeat inside an open window: counted, not written */
};

struct cw_event {
	/* decode */
	enum cw_event_kind kind;
	uint64_t ts_boot_ns; /* the kernel's time of the event */
	int64_t real_ns;     /* the same, as ns since the epoch */
	const struct cw_task *task;
	union {
		const struct cw_ev_endpoint *ep; /* CWE_ENDPOINT_CONNECT, CWE_HTTP_REQUEST */
		const struct cw_ev_file *file;
		const struct cw_ev_sock *sock;
		const struct cw_ev_attach *move;
		const struct cw_flood_rec *flood;
	} rec;
	/* enrich */
	struct cw_who who;
	union {
		struct cw_file_info file;
		struct cw_sock_info sock;
		struct cw_http_info http;
		struct cw_move_info move;
		struct cw_unparsed_info unparsed;
	} x;
	/* judge, fold */
	struct cw_verdict v;
};

#endif
