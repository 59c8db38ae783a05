// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <string.h>
#include "credwatch_abi.h"
#include "enrich/filekind.h"
#include "util/names.h"

#define PROJ "/volumes/kubernetes.io~projected/"

static const char *const kind_names[FK__COUNT] = {
	[FK_NONE] = "none",
	[FK_POD_IDENTITY_TOKEN] = "pod_identity_token",
	[FK_IRSA_TOKEN] = "irsa_token",
	[FK_SA_TOKEN] = "sa_token",
	[FK_AWS_CREDENTIALS] = "aws_credentials",
	[FK_AWS_CONFIG] = "aws_config",
	[FK_AWS_SSO_CACHE] = "aws_sso_cache",
	[FK_AWS_CLI_CACHE] = "aws_cli_cache",
	[FK_KUBELET_CREDENTIALS] = "kubelet_credentials",
	[FK_UNKNOWN] = "unknown",
};

/* the BPF side's enum cw_cred_kind names the same kinds with the same values */
#define SAME(ck, fk) ((int)(ck) == (int)(fk))
_Static_assert(SAME(CW_CK_POD_IDENTITY_TOKEN, FK_POD_IDENTITY_TOKEN) &&
		       SAME(CW_CK_IRSA_TOKEN, FK_IRSA_TOKEN) && SAME(CW_CK_SA_TOKEN, FK_SA_TOKEN) &&
		       SAME(CW_CK_AWS_CREDENTIALS, FK_AWS_CREDENTIALS) &&
		       SAME(CW_CK_AWS_CONFIG, FK_AWS_CONFIG) &&
		       SAME(CW_CK_AWS_SSO_CACHE, FK_AWS_SSO_CACHE) &&
		       SAME(CW_CK_AWS_CLI_CACHE, FK_AWS_CLI_CACHE) &&
		       SAME(CW_CK_KUBELET, FK_KUBELET_CREDENTIALS),
	       "enum cw_cred_kind and enum file_kind differ");

const char *file_kind_name(unsigned int k)
{
	return NAME_OF(kind_names, k, "none");
}

enum file_kind file_kind_parse(const char *name)
{
	int k = NAME_FIND(kind_names, name);

	return k > 0 ? (enum file_kind)k : FK_NONE;
}

bool file_kind_is_token(enum file_kind k)
{
	return k == FK_POD_IDENTITY_TOKEN || k == FK_IRSA_TOKEN || k == FK_SA_TOKEN;
}

static bool contains(const char *s, size_t n, const char *needle)
{
	return memmem(s, n, needle, strlen(needle)) != NULL;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t l = strlen(suffix);

	return n >= l && memcmp(s + n - l, suffix, l) == 0;
}

size_t filekind_volume(const char *path, size_t len, const char **vol)
{
	const char *p = memmem(path, len, PROJ, strlen(PROJ));
	const char *end, *v;

	if (!p)
		return 0;
	v = p + strlen(PROJ);
	end = memchr(v, '/', len - (v - path));
	if (!end || end == v)
		return 0;
	*vol = v;
	return end - v;
}

static bool volume_is(const char *path, size_t len, const char *name, bool prefix)
{
	const char *v;
	size_t vl = filekind_volume(path, len, &v);
	size_t nl = strlen(name);

	if (!vl)
		return false;
	return prefix ? vl >= nl && memcmp(v, name, nl) == 0 : vl == nl && memcmp(v, name, nl) == 0;
}

static enum file_kind token_kind(const char *p, size_t n)
{
	if (ends_with(p, n, "/eks-pod-identity-token") ||
	    contains(p, n, "/pods.eks.amazonaws.com/serviceaccount/") ||
	    volume_is(p, n, "eks-pod-identity-token", false))
		return FK_POD_IDENTITY_TOKEN;
	if (contains(p, n, "/eks.amazonaws.com/serviceaccount/") ||
	    volume_is(p, n, "aws-iam-token", false))
		return FK_IRSA_TOKEN;
	return FK_SA_TOKEN;
}

/* A failed open: is the requested path one of the credential locations? */
static enum file_kind hint_kind(const char *p, size_t n)
{
	if (ends_with(p, n, "/eks-pod-identity-token"))
		return FK_POD_IDENTITY_TOKEN;
	if (ends_with(p, n, "/token") && (contains(p, n, "/serviceaccount/") ||
					  contains(p, n, PROJ) || contains(p, n, "/..data/")))
		return token_kind(p, n);
	if (ends_with(p, n, ".aws/credentials"))
		return FK_AWS_CREDENTIALS;
	if (ends_with(p, n, ".aws/config"))
		return FK_AWS_CONFIG;
	if (ends_with(p, n, "kubelet/kubeconfig"))
		return FK_KUBELET_CREDENTIALS;
	return FK_NONE;
}

enum file_kind filekind_classify(unsigned int rule, const char *path, size_t path_len,
				 const char *req, size_t req_len)
{
	switch (rule) {
	case CW_FR_PROJECTED_TOKEN:
		/* the resolved path decides; the requested one may be a symlink elsewhere */
		return token_kind(path, path_len);
	case CW_FR_AWS_CREDENTIALS:
		return FK_AWS_CREDENTIALS;
	case CW_FR_AWS_CONFIG:
		return FK_AWS_CONFIG;
	case CW_FR_AWS_SSO_CACHE:
		return FK_AWS_SSO_CACHE;
	case CW_FR_AWS_CLI_CACHE:
		return FK_AWS_CLI_CACHE;
	case CW_FR_KUBELET:
		return FK_KUBELET_CREDENTIALS;
	case CW_FR_PATH_HINT:
		return hint_kind(req, req_len);
	default:
		return FK_NONE;
	}
}

enum file_kind filekind_of(unsigned int rule, unsigned int known, const char *path, size_t path_len,
			   const char *req, size_t req_len)
{
	if (rule == CW_FR_UNSEEN)
		return FK_UNKNOWN;
	if (known >= CW_CK_POD_IDENTITY_TOKEN && known <= CW_CK_KUBELET)
		return (enum file_kind)known;
	return filekind_classify(rule, path, path_len, req, req_len);
}
