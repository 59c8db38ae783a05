/* SPDX-License-Identifier: GPL-2.0 */
/*
 * filekind: names what kind of credential a file is (file.kind), from the
 * rule the BPF side matched on the opened file's dentries plus the resolved
 * path, or, for a failed open (no file), from the requested path alone.
 *
 * Rules (documented in README "File kinds"):
 *  - a token in an atomic-writer volume (..<timestamp>/token):
 *      pod_identity_token  if named eks-pod-identity-token, or its path is under
 *                          pods.eks.amazonaws.com/serviceaccount/ or volume
 *                          eks-pod-identity-token
 *      irsa_token          path under eks.amazonaws.com/serviceaccount/ or volume
 *                          aws-iam-token
 *      sa_token            everything else (kubernetes.io/serviceaccount/,
 *                          kube-api-access-*, a secret volume's token)
 *  - .aws/credentials, .aws/config, .aws/sso/cache/<sha1>.json, .aws/cli/cache/<sha1>.json
 *  - kubelet_credentials: kubelet/kubeconfig, kubelet/pki/kubelet-<x>.pem,
 *    kubernetes/pki/<name>.key
 */
#ifndef CREDWATCH_FILEKIND_H
#define CREDWATCH_FILEKIND_H

#include <stdbool.h>
#include <stddef.h>

enum file_kind {
	FK_NONE = 0, /* not credential access */
	FK_POD_IDENTITY_TOKEN,
	FK_IRSA_TOKEN,
	FK_SA_TOKEN,
	FK_AWS_CREDENTIALS,
	FK_AWS_CONFIG,
	FK_AWS_SSO_CACHE,
	FK_AWS_CLI_CACHE,
	FK_KUBELET_CREDENTIALS,
	/* file side (issue 14) */
	FK_UNKNOWN, /* an open whose file could not be looked at (CW_FR_UNSEEN) */
	FK__COUNT,
};

/* "pod_identity_token", ...; "none" for FK_NONE and unknown values */
const char *file_kind_name(unsigned int k);
/* name -> kind; FK_NONE for NULL or an unknown name */
enum file_kind file_kind_parse(const char *name);
/* a service-account token of some kind (pod_identity, irsa, sa) */
bool file_kind_is_token(enum file_kind k);

/* rule: enum cw_file_rule. path/req: not NUL-terminated, with lengths.
 * Returns the kind, FK_NONE if this is not credential access (only possible
 * for CW_FR_PATH_HINT, i.e. a failed open). */
enum file_kind filekind_classify(unsigned int rule, const char *path, size_t path_len,
				 const char *req, size_t req_len);

/* file side (issue 14): the kind of an opened file the agent knows from node state
 * (cw_ev_file.known, enum cw_cred_kind), combined with the name rule's: node state names it
 * best (a token's volume, the variable that named a file); FK_NONE for neither. */
enum file_kind filekind_of(unsigned int rule, unsigned int known, const char *path, size_t path_len,
			   const char *req, size_t req_len);

/* Projected-volume name in a host-side kubelet path
 * (.../volumes/kubernetes.io~projected/<vol>/...), or 0 if none; *vol points
 * into path. */
size_t filekind_volume(const char *path, size_t len, const char **vol);

#endif
