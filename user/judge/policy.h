/* SPDX-License-Identifier: GPL-2.0 */
/*
 * policy: which findings the rule engine (user/rules.h) reports, and how loudly. The rules,
 * their severities and MITRE ATT&CK techniques, the subject a finding is about, and the
 * operator's policy: per rule an allowlist, a severity override and an on/off switch, plus the
 * folding window (user/fold.h).
 *
 * In the agent's config file (user/config.h) under "policy":
 *
 *   "policy": {
 *     "fold_window_seconds": 60,
 *     "imds_credential_fetch": {
 *       "allow": [ {"namespace": "kube-system", "pod_prefix": "aws-node-"} ],
 *       "extra_allow": [ {"namespace": "monitoring", "service_account": "exporter"} ],
 *       "severity": "medium",
 *       "enabled": true
 *     },
 *     "host_token_read": { "extra_allow": [ {"host_exe": "/opt/bin/backup-agent"} ] }
 *   }
 *
 * "allow" replaces the rule's shipped allowlist (an empty array removes it), "extra_allow" adds
 * to it, whatever the key order (like "endpoints" / "extra_endpoints"). An allow entry matches
 * a subject when every field it names matches:
 *   namespace        the pod's namespace, exactly
 *   pod_prefix       the start of the pod's name
 *   service_account  the pod's service account, exactly
 *   image_prefix     the start of the container's image reference
 *   host_exe         a host process's executable: the path is resolved on the host (below
 *                    --host-root) to a (dev, ino) when the agent starts and every few
 *                    seconds; a process matches when it runs that inode, from the host's
 *                    mount namespace (a pod's copy at the same path, the host binary exec'd
 *                    from a pod's namespace, a memfd: no match)
 * An entry names at least one field, and host_exe cannot be combined with the pod fields (a
 * host process has no pod). A field the attribution does not know never matches.
 * Unknown keys and values of the wrong type are errors; nothing is applied from a rejected file.
 *
 * Shipped defaults (policy_defaults(); eks-node-facts.md section 6):
 *   imds_credential_fetch    kube-system/aws-node-*, kube-system/eks-pod-identity-agent-*
 *                            (the VPC CNI without IRSA and the Pod Identity Agent take the node
 *                            role by design). Host processes (kubelet, nodeadm, SSM agent) are
 *                            never subject to this rule; they are to imds_v1.
 *   host_token_read          /usr/bin/kubelet, /usr/local/bin/kubelet, /usr/bin/containerd,
 *                            /usr/local/bin/containerd
 *   static_credentials_read  /usr/bin/kubelet, /usr/local/bin/kubelet, /usr/bin/nodeadm (the
 *                            kubelet's own kubeconfig and client certificate)
 *   credential_socket_access kube-system/ebs-csi-node-*, kube-system/efs-csi-node-* (their
 *                            node-driver-registrar and livenessprobe sidecars connect to the
 *                            driver's csi.sock)
 *   every other rule         nothing
 * Metadata lookups (region, instance id, ENIs) are not findings at all, so the metadata-only
 * readers of section 6 need no entry.
 */
#ifndef CREDWATCH_POLICY_H
#define CREDWATCH_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "util/jsonpos.h"

enum cw_rule {
	RULE_AGENT_BYPASS = 0,
	RULE_IMDS_CREDENTIAL_FETCH,
	RULE_IMDS_V1,
	RULE_LEGACY_SDK,
	RULE_POD_IDENTITY_UNASSOCIATED,
	RULE_FOREIGN_TOKEN_READ,
	RULE_HOST_TOKEN_READ,
	RULE_STATIC_CREDENTIALS_READ,
	RULE_CREDENTIAL_SOCKET_ACCESS,
	/* file side (issue 14) */
	RULE_POD_CGROUP_ESCAPE,
	RULE_FILELESS_CREDENTIAL_ACCESS,
	RULE_CREDENTIAL_RECONNAISSANCE,
	RULE_UNOBSERVED_FILE_OPEN,
	/* network side (issue 13) */
	RULE_EVASIVE_CREDENTIAL_FETCH,
	RULE_ENDPOINT_UNPARSED,
	/* floods (issue 13) */
	RULE_EVENT_FLOOD,
	RULE__COUNT,
};

enum cw_severity {
	SEV_NONE = 0, /* "use the rule's default" in an override; never in a finding */
	SEV_LOW,
	SEV_MEDIUM,
	SEV_HIGH,
	SEV_CRITICAL,
	SEV__COUNT,
};

/* "agent_bypass", ...; NULL for an unknown id. */
const char *rule_name(unsigned int rule);
int rule_parse(const char *name); /* -1 when unknown */
/* MITRE ATT&CK technique id ("T1552.005"); NULL for an unknown id. */
const char *rule_mitre(unsigned int rule);
enum cw_severity rule_default_severity(unsigned int rule);

const char *severity_name(enum cw_severity s); /* "low".."critical", "none" */
int severity_parse(const char *s);	       /* SEV_LOW..SEV_CRITICAL, -1 otherwise */
/* One step down (critical -> high -> medium -> low); low stays low. */
enum cw_severity severity_lower(enum cw_severity s);

/* Who did it. Strings may be NULL or "" when unknown. */
struct cw_subject {
	bool host; /* a host process; otherwise a process in a container (a pod, if pod_uid) */
	const char *pod_uid;
	const char *pod_namespace;
	const char *pod_name;
	const char *service_account;
	const char *image;
	const char *container;
	const char *exe;	     /* executable path */
	unsigned int pod_cred;	     /* ATTRIB_CRED_* union over the pod's containers */
	unsigned int container_cred; /* ATTRIB_CRED_* of this container, 0 = unknown */
	bool pod_identity_associated;
	/* file side (issue 14): the executable's identity, what host_exe entries match */
	uint32_t exe_dev; /* kernel encoding; 0 with exe_ino 0: unknown */
	uint64_t exe_ino;
	unsigned int volume_cred; /* ATTRIB_CRED_* the pod's projected volumes show */
	unsigned int spec_cred;	  /* ATTRIB_CRED_* its containers' specs show (pod union) */
	bool host_mntns;	  /* the process is in the host's mount namespace */
	bool fileless;		  /* its executable has no file on disk (memfd, deleted) */
};

#define POLICY_MAX_ALLOW      64 /* allow entries, all rules together */
#define POLICY_NS_MAX	      64
#define POLICY_NAME_MAX	      254
#define POLICY_IMAGE_MAX      384
#define POLICY_EXE_MAX	      256
#define POLICY_DEFAULT_FOLD_S 60
#define POLICY_MAX_FOLD_S     86400

struct policy_allow {
	uint8_t rule; /* enum cw_rule */
	char namespace[POLICY_NS_MAX];
	char pod_prefix[POLICY_NAME_MAX];
	char service_account[POLICY_NAME_MAX];
	char image_prefix[POLICY_IMAGE_MAX];
	char host_exe[POLICY_EXE_MAX];
	/* host_exe resolved on the host (config_resolve_host_exe): a host process matches when
	 * its executable is this inode; an entry that did not resolve matches nothing */
	bool exe_resolved;
	uint32_t exe_dev; /* kernel encoding: major << 20 | minor */
	uint64_t exe_ino;
};

struct policy_rule {
	bool enabled;
	enum cw_severity severity; /* the rule's default, or the override */
};

struct policy {
	struct policy_rule rule[RULE__COUNT];
	struct policy_allow allow[POLICY_MAX_ALLOW];
	int nallow;
	unsigned int fold_window_s; /* 0: no folding */
};

void policy_defaults(struct policy *p);

/*
 * Apply the "policy" object v over *p. On error returns -1, leaves *p in an unspecified state
 * (parse into a copy), sets *where to the offending key or value (where->at_key for an unknown
 * key) and writes "<path>: <reason>" to why (path as jsonpos_format, starting at "policy").
 * where must hold the path of v itself on entry ("policy").
 */
int policy_parse(struct policy *p, json_t *v, struct jsonpos_path *where, char *why, size_t whylen);

/* The subject is on the rule's allowlist. */
bool policy_allowed(const struct policy *p, enum cw_rule rule, const struct cw_subject *s);

#endif
