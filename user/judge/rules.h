/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rules: the rule engine. Given who did something (struct cw_subject, user/policy.h) and what
 * (an HTTP request to a credential endpoint, a credential file read, a connect to a credential
 * socket), decide which findings it is. Pure: no I/O, no allocation, no state.
 *
 *   rule                       sev.      MITRE      fires when
 *   agent_bypass               high      T1552.005  a pod configured for Pod Identity or IRSA
 *                                                   (any of its containers: pod union, or
 *                                                   pod_identity_associated) fetches
 *                                                   credentials from IMDS (the node role)
 *   imds_credential_fetch      high      T1552.005  any other pod fetches credentials from
 *                                                   IMDS; host processes never (kubelet,
 *                                                   nodeadm, SSM agent use IMDS by design)
 *   imds_v1                    medium    T1552.005  an IMDSv1 request (no session token, not the
 *                                                   token PUT), any path, any caller, host too
 *   legacy_sdk                 medium    T1552.005  a pod configured for Pod Identity (pod
 *                                                   union) sends a request to a credential
 *                                                   endpoint with an SDK older than the Pod
 *                                                   Identity minimum (facts section 8)
 *   pod_identity_unassociated  medium    T1528      a pod without Pod Identity configuration
 *                                                   calls the agent's credential path
 *   foreign_token_read         critical  T1528      a process in a container reads a token
 *                                                   whose owner pod (verified device) is not
 *                                                   its own pod
 *   host_token_read            high      T1528      a host process reads a pod's token
 *   static_credentials_read    medium    T1552.001  a container or host process reads
 *                                                   .aws/credentials, .aws/config, the SSO or
 *                                                   CLI cache, or the kubelet's credentials
 *                                                   (kubeconfig, client certificate, PKI keys:
 *                                                   node credentials in a file; the kubelet
 *                                                   itself is on the default allowlist)
 *   credential_socket_access   high      T1552.007  a container connects to a credential
 *                                                   socket, of any kind (container_runtime,
 *                                                   kubelet_api, spire, csi, other)
 *   pod_cgroup_escape          critical  T1036      a process moves (or is born, with
 *                                                   CLONE_INTO_CGROUP) out of a pod's cgroup
 *                                                   into another pod's or a non-pod cgroup
 *   fileless_credential_access high      T1620      a process whose executable has no file on
 *                                                   disk (memfd, deleted) opens a credential
 *                                                   file, fetches credentials or connects to a
 *                                                   credential socket
 *   credential_reconnaissance  medium    T1552.001  the processes of one container (or one
 *                                                   host cgroup) fail to open RULES_RECON_MIN or
 *                                                   more distinct credential locations within a
 *                                                   fold window
 *   unobserved_file_open       medium    T1562      an open credwatch could not look at (an
 *                                                   io_uring fixed-file slot on a kernel whose
 *                                                   table layout it does not know)
 *
 * A failed open is never a finding by itself: there is no file, only the path string the
 * process chose, and every AWS SDK probes ~/.aws/config and ~/.aws/credentials at start-up.
 * A finding needs an open credential file, or the reconnaissance pattern above.
 *
 * No finding: a pod reading its own token, an associated pod fetching from the Pod Identity
 * Agent, metadata lookups, a token whose owner is unknown or path-only (unverified: a container
 * can build the same directory names in its own filesystem). Every rule can be switched off,
 * re-graded or allowlisted by the policy; the allowlist is checked per rule (an allowed
 * imds_credential_fetch does not hide imds_v1).
 *
 * A blocked attempt (HTTP 4xx/5xx, no response within the timeout, a denied open/connect) lowers
 * the severity one step (critical -> high -> medium -> low): the attempt still matters.
 */
#ifndef CREDWATCH_RULES_H
#define CREDWATCH_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "enrich/filekind.h"
#include "intake/http.h"
#include "judge/policy.h"
#include "enrich/sdk.h"
#include "enrich/sockets.h"

#define RULES_MAX_FINDINGS 4
#define RULES_SUMMARY_MAX  320

struct finding {
	enum cw_rule rule;
	enum cw_severity severity; /* after the policy override and the blocked step */
	const char *name;	   /* rule_name(rule), static */
	const char *mitre;	   /* rule_mitre(rule), static */
	char summary[RULES_SUMMARY_MAX];
};

/* An HTTP request to a credential endpoint (the classification of user/http.h). */
struct rules_http {
	enum cred_endpoint endpoint; /* EP_IMDS, EP_POD_IDENTITY, EP_ECS; EP_UNKNOWN: none */
	enum imds_version imds_ver;  /* IMDS_VER_1 / _2 / _TOKEN_PUT; NA off IMDS */
	/* A credential fetch: a credential path (REQ_IMDS_CREDENTIALS, REQ_PI_CREDENTIALS,
	 * REQ_ECS_CREDENTIALS), or a response that carried credentials. */
	bool credential_request;
	/* The response carried credentials but the request was not recognisable as a credential
	 * fetch (or was not seen at all): the request was shaped to avoid detection. */
	bool evasive;
	bool request_seen;	    /* false: only the response was parsed */
	const struct sdk_info *sdk; /* from the User-Agent; NULL when none */
	bool blocked;		    /* 4xx/5xx, or no response within the timeout */
};

/* A connection to a credential endpoint whose bytes could not be parsed as HTTP. */
struct rules_unparsed {
	enum cred_endpoint endpoint;
	const char *why; /* httpmsg_fail_name() */
	bool responses;	 /* the server's direction (else the client's) */
};

/* credential_reconnaissance: this many distinct failed credential locations (an SDK probes
 * two: the shared config and credentials files) */
#define RULES_RECON_MIN 3

struct rules_file {
	enum file_kind kind;
	/* file side (issue 14) */
	bool failed;		   /* the open failed: no file, decided from the requested path */
	bool unseen;		   /* the file could not be looked at (CW_FR_UNSEEN) */
	unsigned int recon;	   /* distinct failed credential locations of this process image in
				the current window, this one included (failed opens only) */
	bool owner_found;	   /* attrib_owner.found */
	bool owner_verified;	   /* attrib_owner.verified */
	const char *owner_pod_uid; /* attrib_owner.pod_uid */
	const char *owner_namespace, *owner_pod_name; /* for the summary; may be NULL */
	bool blocked;				      /* the open was denied */
	bool peer_agent; /* read by another credwatch agent (its attribution): no token rule */
};

struct rules_socket {
	enum socket_kind kind;
	bool blocked; /* the connect was denied */
};

/*
 * Evaluate one event. p: the policy (NULL: policy_defaults()). out: RULES_MAX_FINDINGS slots.
 * Returns the number of findings (0..RULES_MAX_FINDINGS), sorted most severe first (ties in
 * the order of the table above).
 */
int rules_eval_http(const struct policy *p, const struct cw_subject *s, const struct rules_http *r,
		    struct finding *out);
int rules_eval_file(const struct policy *p, const struct cw_subject *s, const struct rules_file *f,
		    struct finding *out);
int rules_eval_socket(const struct policy *p, const struct cw_subject *s,
		      const struct rules_socket *k, struct finding *out);
int rules_eval_unparsed(const struct policy *p, const struct cw_subject *s,
			const struct rules_unparsed *u, struct finding *out);

/* file side (issue 14): a process moved to another cgroup (the subject: who moved it) */
struct rules_move {
	uint32_t moved_pid;
	bool from_pod;		   /* it left a pod's cgroup */
	bool to_pod;		   /* into a pod's cgroup */
	bool same_pod;		   /* from and to are the same pod */
	bool clone;		   /* born there (CLONE_INTO_CGROUP) rather than moved */
	const char *from_pod_name; /* "ns/name" or the UID, for the summary; may be NULL */
	const char *to_pod_name;
};
/* floods (issue 13): a cgroup whose records the kernel lost or refused for secs seconds */
struct rules_flood {
	uint64_t full, low_refused, secs;
};
int rules_eval_flood(const struct policy *p, const struct cw_subject *s,
		     const struct rules_flood *f, struct finding *out);

int rules_eval_move(const struct policy *p, const struct cw_subject *s, const struct rules_move *m,
		    struct finding *out);

#endif
