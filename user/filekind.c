// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <string.h>
#include "credwatch_abi.h"
#include "filekind.h"

#define PROJ "/volumes/kubernetes.io~projected/"

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

static const char *token_kind(const char *p, size_t n)
{
	if (ends_with(p, n, "/eks-pod-identity-token") ||
	    contains(p, n, "/pods.eks.amazonaws.com/serviceaccount/") ||
	    volume_is(p, n, "eks-pod-identity-token", false))
		return "pod_identity_token";
	if (contains(p, n, "/eks.amazonaws.com/serviceaccount/") ||
	    volume_is(p, n, "aws-iam-token", false))
		return "irsa_token";
	return "sa_token";
}

/* A failed open: is the requested path one of the credential locations? */
static const char *hint_kind(const char *p, size_t n)
{
	if (ends_with(p, n, "/eks-pod-identity-token"))
		return "pod_identity_token";
	if (ends_with(p, n, "/token") && (contains(p, n, "/serviceaccount/") ||
					  contains(p, n, PROJ) || contains(p, n, "/..data/")))
		return token_kind(p, n);
	if (ends_with(p, n, ".aws/credentials"))
		return "aws_credentials";
	if (ends_with(p, n, ".aws/config"))
		return "aws_config";
	if (ends_with(p, n, "kubelet/kubeconfig"))
		return "kubelet_credentials";
	return NULL;
}

const char *filekind_name(unsigned int rule, const char *path, size_t path_len, const char *req,
			  size_t req_len)
{
	switch (rule) {
	case CW_FR_PROJECTED_TOKEN:
		/* the resolved path decides; the requested one may be a symlink elsewhere */
		return token_kind(path, path_len);
	case CW_FR_AWS_CREDENTIALS:
		return "aws_credentials";
	case CW_FR_AWS_CONFIG:
		return "aws_config";
	case CW_FR_AWS_SSO_CACHE:
		return "aws_sso_cache";
	case CW_FR_AWS_CLI_CACHE:
		return "aws_cli_cache";
	case CW_FR_KUBELET:
		return "kubelet_credentials";
	case CW_FR_PATH_HINT:
		return hint_kind(req, req_len);
	default:
		return NULL;
	}
}
