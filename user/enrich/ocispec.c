// SPDX-License-Identifier: GPL-2.0
/*
 * ocispec: pod identity and AWS credential configuration from an OCI runtime spec. See
 * ocispec.h for the API and limits.
 *
 * Annotation keys, and where they come from:
 *
 * containerd (CRI plugin, pkg/cri/annotations): io.kubernetes.cri.container-type,
 *   .sandbox-id, .sandbox-name, .sandbox-namespace, .sandbox-uid, .container-name,
 *   .image-name. sandbox-uid only exists since containerd 1.6.11 / 1.7.0 (containerd PRs
 *   #7735 / #7697, as cited by inspektor-gadget's ociannotations containerd resolver); older
 *   nodes fall back to io.kubernetes.pod.uid when present. containerd does not copy the
 *   kubelet's labels into the spec, so that fallback is usually empty there.
 *
 * CRI-O (checked in cri-o/cri-o: pkg/annotations/internal.go for the key names,
 *   server/sandbox_run_linux.go for the sandbox, internal/factory/container/container.go
 *   SpecAddAnnotations for containers):
 *   - both sandbox and container specs get io.kubernetes.cri-o.ContainerType
 *     ("sandbox"|"container"), .SandboxID, .SandboxName (CRI-O's "k8s_<pod>_<ns>_<uid>_<n>"
 *     name, not the pod name), .Name, .Labels/.Annotations (JSON strings), and every kubelet
 *     label and annotation copied as its own key - so io.kubernetes.pod.name,
 *     io.kubernetes.pod.namespace, io.kubernetes.pod.uid and io.kubernetes.container.name
 *     are real OCI annotations on CRI-O (they are kubelet labels, not CRI-O's own keys).
 *   - only the sandbox gets .Namespace, .KubeName (the pod name), .ContainerName (the infra
 *     container's name) and .HostNetwork.
 *   - containers get .ImageName (some name of the image) and .Image (what was requested);
 *     .Name on a container is "k8s_<container>_<pod>_<ns>_<uid>_<attempt>".
 *   So for CRI-O the kubelet labels are the primary source, CRI-O's keys the fallback.
 *   CRI-O is moving its *user-settable* annotations to "<feature>.crio.io"
 *   (ANNOTATION_MIGRATION.md); the internal keys above are unchanged.
 *
 * Secret values pass through jansson's heap while the tree exists (jansson allocates and frees
 * its strings without scrubbing; hooking json_set_alloc_funcs() would be process-global state).
 * Nothing of them is copied into struct oci_info.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include "enrich/ocispec.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>
#include "util/textutil.h"
#include "util/names.h"

#define PROJECTED_MARK "/volumes/kubernetes.io~projected/"

/* Copy annotation `key` into dst if dst is still empty. Returns true when it was present. */
static bool get_annot(json_t *ann, const char *key, char *dst, size_t cap, struct oci_info *o)
{
	json_t *v = json_object_get(ann, key);

	if (!v)
		return false;
	if (!json_is_string(v)) {
		o->type_errors++;
		return false;
	}
	if (dst && !dst[0] && bounded_copy(dst, cap, json_string_value(v), json_string_length(v)))
		o->truncated |= OCI_TRUNC_ANNOTATION;
	return true;
}

static enum oci_ctype ctype_of(json_t *ann, const char *key)
{
	const char *v = json_string_value(json_object_get(ann, key));

	if (v && strcmp(v, "sandbox") == 0)
		return OCI_CTYPE_SANDBOX;
	if (v && strcmp(v, "container") == 0)
		return OCI_CTYPE_CONTAINER;
	return OCI_CTYPE_UNKNOWN;
}

#define ANN(o, ann, key, field) get_annot(ann, key, (o)->field, sizeof((o)->field), o)

static void parse_annotations(json_t *root, struct oci_info *o)
{
	json_t *ann = json_object_get(root, "annotations");

	if (!ann)
		return;
	if (!json_is_object(ann)) {
		o->type_errors++;
		return;
	}
	/*
	 * containerd's own type key wins when both are present: the runtime sets it itself,
	 * whereas a foreign key could only have come from a (passed-through) pod annotation.
	 */
	if (json_object_get(ann, "io.kubernetes.cri.container-type") ||
	    json_object_get(ann, "io.kubernetes.cri.sandbox-id")) {
		o->flavour = OCI_FLAVOUR_CONTAINERD;
		o->ctype = ctype_of(ann, "io.kubernetes.cri.container-type");
		ANN(o, ann, "io.kubernetes.cri.sandbox-id", sandbox_id);
		ANN(o, ann, "io.kubernetes.cri.sandbox-name", pod_name);
		ANN(o, ann, "io.kubernetes.cri.sandbox-namespace", pod_namespace);
		ANN(o, ann, "io.kubernetes.cri.sandbox-uid", pod_uid);
		ANN(o, ann, "io.kubernetes.cri.container-name", container_name);
		ANN(o, ann, "io.kubernetes.cri.image-name", image);
	} else if (json_object_get(ann, "io.kubernetes.cri-o.ContainerType") ||
		   json_object_get(ann, "io.kubernetes.cri-o.SandboxID")) {
		o->flavour = OCI_FLAVOUR_CRIO;
		o->ctype = ctype_of(ann, "io.kubernetes.cri-o.ContainerType");
		ANN(o, ann, "io.kubernetes.cri-o.SandboxID", sandbox_id);
		ANN(o, ann, "io.kubernetes.cri-o.ImageName", image);
		ANN(o, ann, "io.kubernetes.cri-o.Image", image);
	} else {
		return;
	}
	/* Kubelet labels: primary on CRI-O, fallback on old containerd (before sandbox-uid). */
	ANN(o, ann, "io.kubernetes.pod.name", pod_name);
	ANN(o, ann, "io.kubernetes.pod.namespace", pod_namespace);
	ANN(o, ann, "io.kubernetes.pod.uid", pod_uid);
	ANN(o, ann, "io.kubernetes.container.name", container_name);
	if (o->flavour == OCI_FLAVOUR_CRIO) {
		/* Sandbox-only keys. */
		ANN(o, ann, "io.kubernetes.cri-o.KubeName", pod_name);
		ANN(o, ann, "io.kubernetes.cri-o.Namespace", pod_namespace);
	}
}

/* Variables whose value is a secret: only their presence is recorded. */
static const char *const secret_names[OCI_SECRET_COUNT] = {
	"AWS_ACCESS_KEY_ID",
	"AWS_SECRET_ACCESS_KEY",
	"AWS_SESSION_TOKEN",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN",
};

/* Variables whose value is configuration, kept (bounded). */
enum kept_env {
	ENV_FULL_URI,
	ENV_AUTH_TOKEN_FILE,
	ENV_ROLE_ARN,
	ENV_WEB_IDENTITY_FILE,
	ENV_RELATIVE_URI, /* presence only, see the header */
	ENV_SHARED_CREDENTIALS_FILE,
	ENV_CONFIG_FILE,
	ENV_KEPT_COUNT,
};

static const char *const kept_names[ENV_KEPT_COUNT] = {
	"AWS_CONTAINER_CREDENTIALS_FULL_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	"AWS_ROLE_ARN",
	"AWS_WEB_IDENTITY_TOKEN_FILE",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	"AWS_SHARED_CREDENTIALS_FILE",
	"AWS_CONFIG_FILE",
};

static bool name_is(const char *name, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(name, lit, n) == 0;
}

static void parse_env(json_t *root, struct oci_info *o)
{
	json_t *proc = json_object_get(root, "process"), *env, *e;
	unsigned int seen = 0;
	size_t i;

	if (!proc)
		return;
	if (!json_is_object(proc)) {
		o->type_errors++;
		return;
	}
	env = json_object_get(proc, "env");
	if (!env)
		return;
	if (!json_is_array(env)) {
		o->type_errors++;
		return;
	}
	json_array_foreach (env, i, e) {
		const char *s, *eq;
		size_t len, nlen;
		int k;

		if (i >= OCI_MAX_ITEMS) {
			o->truncated |= OCI_TRUNC_ENV_LIST;
			break;
		}
		if (!json_is_string(e)) {
			o->type_errors++;
			continue;
		}
		s = json_string_value(e);
		len = json_string_length(e);
		eq = memchr(s, '=', len);
		if (!eq)
			continue;
		nlen = (size_t)(eq - s);

		/* Secrets first, and nothing but a bit for them. */
		for (k = 0; k < OCI_SECRET_COUNT; k++)
			if (name_is(s, nlen, secret_names[k]))
				break;
		if (k < OCI_SECRET_COUNT) {
			o->secret_env |= 1u << k;
			continue;
		}
		for (k = 0; k < ENV_KEPT_COUNT; k++)
			if (name_is(s, nlen, kept_names[k]))
				break;
		/* First occurrence wins, as with getenv(3) on a duplicated environment. */
		if (k == ENV_KEPT_COUNT || (seen & (1u << k)))
			continue;
		seen |= 1u << k;

		const char *val = eq + 1;
		size_t vlen = len - nlen - 1;
		char *dst = NULL;
		size_t cap = 0;

		switch (k) {
		case ENV_FULL_URI:
			dst = o->pod_identity_uri;
			cap = sizeof(o->pod_identity_uri);
			break;
		case ENV_AUTH_TOKEN_FILE:
			dst = o->pod_identity_token_file;
			cap = sizeof(o->pod_identity_token_file);
			break;
		case ENV_ROLE_ARN:
			dst = o->role_arn;
			cap = sizeof(o->role_arn);
			break;
		case ENV_WEB_IDENTITY_FILE:
			dst = o->web_identity_token_file;
			cap = sizeof(o->web_identity_token_file);
			break;
		case ENV_SHARED_CREDENTIALS_FILE:
			dst = o->shared_credentials_file;
			cap = sizeof(o->shared_credentials_file);
			break;
		case ENV_CONFIG_FILE:
			dst = o->config_file;
			cap = sizeof(o->config_file);
			break;
		default:
			break;
		}
		if (dst && bounded_copy(dst, cap, val, vlen))
			o->truncated |= OCI_TRUNC_ENV;
	}
	if (seen & ((1u << ENV_FULL_URI) | (1u << ENV_AUTH_TOKEN_FILE)))
		o->cred |= OCI_CRED_POD_IDENTITY;
	if ((seen & (1u << ENV_ROLE_ARN)) && (seen & (1u << ENV_WEB_IDENTITY_FILE)))
		o->cred |= OCI_CRED_IRSA;
	if (o->secret_env &
	    (OCI_SECRET_ACCESS_KEY_ID | OCI_SECRET_SECRET_ACCESS_KEY | OCI_SECRET_SESSION_TOKEN))
		o->cred |= OCI_CRED_STATIC_KEYS;
	if (seen & (1u << ENV_RELATIVE_URI))
		o->cred |= OCI_CRED_ECS_RELATIVE;
}

/*
 * source = ".../pods/<uid>/volumes/kubernetes.io~projected/<volume>[/...]": fill volume and
 * pod_uid from it. mark points at PROJECTED_MARK inside source.
 */
static bool split_projected(const char *src, size_t len, const char *mark,
			    struct oci_token_mount *m)
{
	const char *vol = mark + strlen(PROJECTED_MARK), *end = src + len, *p;
	bool cut = false;

	for (p = vol; p < end && *p != '/'; p++)
		;
	cut |= bounded_copy(m->volume, sizeof(m->volume), vol, (size_t)(p - vol));
	/* The component before "/volumes/", when the one before that is "pods". */
	for (p = mark; p > src && p[-1] != '/'; p--)
		;
	if ((size_t)(p - src) >= strlen("/pods/") &&
	    memcmp(p - strlen("/pods/"), "/pods/", strlen("/pods/")) == 0)
		cut |= bounded_copy(m->pod_uid, sizeof(m->pod_uid), p, (size_t)(mark - p));
	return cut;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t l = strlen(suffix);

	return n >= l && memcmp(s + n - l, suffix, l) == 0;
}

/* A mount at <dir>/.aws, <dir>/.aws/credentials or <dir>/.aws/config: kept for the
 * credential-file inode map (a Secret volume holding shared credentials). */
static void keep_aws_mount(struct oci_info *o, json_t *e, const char *s, size_t len)
{
	json_t *dst = json_object_get(e, "destination");
	const char *d = json_string_value(dst);
	size_t dl = json_string_length(dst);
	struct oci_aws_mount *m;
	bool cut;

	if (!d || !(ends_with(d, dl, "/.aws") || ends_with(d, dl, "/.aws/") ||
		    ends_with(d, dl, "/.aws/credentials") || ends_with(d, dl, "/.aws/config")))
		return;
	if (o->n_aws_mounts >= OCI_MAX_AWS_MOUNTS) {
		o->truncated |= OCI_TRUNC_MOUNT_LIST;
		return;
	}
	m = &o->aws_mounts[o->n_aws_mounts++];
	cut = bounded_copy(m->source, sizeof(m->source), s, len);
	cut |= bounded_copy(m->destination, sizeof(m->destination), d, dl);
	if (cut)
		o->truncated |= OCI_TRUNC_MOUNT;
}

static void parse_mounts(json_t *root, struct oci_info *o)
{
	json_t *mounts = json_object_get(root, "mounts"), *e;
	size_t i;

	if (!mounts)
		return;
	if (!json_is_array(mounts)) {
		o->type_errors++;
		return;
	}
	json_array_foreach (mounts, i, e) {
		json_t *src, *dst;
		const char *s, *mark;
		size_t len;
		struct oci_token_mount *m;
		bool cut;

		if (i >= OCI_MAX_ITEMS) {
			o->truncated |= OCI_TRUNC_MOUNT_LIST;
			break;
		}
		if (!json_is_object(e)) {
			o->type_errors++;
			continue;
		}
		src = json_object_get(e, "source");
		if (!src)
			continue; /* e.g. a tmpfs with no source */
		if (!json_is_string(src)) {
			o->type_errors++;
			continue;
		}
		s = json_string_value(src);
		len = json_string_length(src);
		keep_aws_mount(o, e, s, len);
		mark = memmem(s, len, PROJECTED_MARK, strlen(PROJECTED_MARK));
		if (!mark)
			continue;
		if (o->n_mounts >= OCI_MAX_TOKEN_MOUNTS) {
			o->truncated |= OCI_TRUNC_MOUNT_LIST;
			continue;
		}
		m = &o->mounts[o->n_mounts++];
		cut = bounded_copy(m->source, sizeof(m->source), s, len);
		cut |= split_projected(s, len, mark, m);
		dst = json_object_get(e, "destination");
		if (json_is_string(dst))
			cut |= bounded_copy(m->destination, sizeof(m->destination),
					    json_string_value(dst), json_string_length(dst));
		else if (dst)
			o->type_errors++;
		if (cut)
			o->truncated |= OCI_TRUNC_MOUNT;
	}
}

static void parse_namespaces(json_t *root, struct oci_info *o)
{
	json_t *lnx = json_object_get(root, "linux"), *nss, *e;
	bool have_list = false;
	size_t i;

	if (lnx && !json_is_object(lnx)) {
		o->type_errors++;
		lnx = NULL;
	}
	if (lnx) {
		o->has_linux = true;
		nss = json_object_get(lnx, "namespaces");
		if (nss && !json_is_array(nss)) {
			o->type_errors++;
		} else if (nss) {
			have_list = true;
			json_array_foreach (nss, i, e) {
				const char *t;

				if (i >= OCI_MAX_ITEMS) {
					o->truncated |= OCI_TRUNC_NS_LIST;
					/* Unread entries might hold the netns: claim nothing. */
					have_list = false;
					break;
				}
				t = json_string_value(json_object_get(e, "type"));
				if (!t) {
					o->type_errors++;
					continue;
				}
				if (strcmp(t, "network") == 0) {
					json_t *np = json_object_get(e, "path");

					o->has_netns = true;
					if (json_is_string(np) &&
					    bounded_copy(o->netns_path, sizeof(o->netns_path),
							 json_string_value(np),
							 json_string_length(np)))
						o->truncated |= OCI_TRUNC_NS_LIST;
				}
			}
		}
	}
	o->host_network = o->flavour != OCI_FLAVOUR_UNKNOWN && have_list && !o->has_netns;
}

int oci_parse(const char *buf, size_t len, struct oci_info *out)
{
	json_error_t jerr;
	json_t *root;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!buf)
		return -EINVAL;
	if (len > OCI_MAX_INPUT)
		return -E2BIG;
	if (!json_depth_ok(buf, len, OCI_MAX_DEPTH))
		return -ELOOP;
	/* Go's encoder never writes a key twice: duplicates mean someone crafted the file. */
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return json_error_code(&jerr) == json_error_out_of_memory ? -ENOMEM : -EBADMSG;
	if (!json_is_object(root)) {
		json_decref(root);
		return -EBADMSG;
	}
	parse_annotations(root, out);
	parse_env(root, out);
	parse_mounts(root, out);
	parse_namespaces(root, out);
	json_decref(root);
	return 0;
}

/* a bind mount: type "bind", or "bind"/"rbind" among the options (runc's test) */
static bool is_bind(json_t *e, bool *ro)
{
	json_t *type = json_object_get(e, "type"), *opts = json_object_get(e, "options"), *o;
	bool bind = json_is_string(type) && strcmp(json_string_value(type), "bind") == 0;
	size_t i;

	*ro = false;
	if (!json_is_array(opts))
		return bind;
	json_array_foreach (opts, i, o) {
		const char *v = json_string_value(o);

		if (i >= OCI_MAX_ITEMS || !v)
			break;
		if (!strcmp(v, "bind") || !strcmp(v, "rbind"))
			bind = true;
		else if (!strcmp(v, "ro"))
			*ro = true;
	}
	return bind;
}

int oci_host_mounts(const char *buf, size_t len, struct oci_host_mount *out, unsigned int max,
		    unsigned int *n, bool *truncated)
{
	json_t *root, *mounts, *e;
	json_error_t jerr;
	size_t i;

	if (!buf || !n || !truncated || (max && !out))
		return -EINVAL;
	*n = 0;
	*truncated = false;
	if (len > OCI_MAX_INPUT)
		return -E2BIG;
	if (!json_depth_ok(buf, len, OCI_MAX_DEPTH))
		return -ELOOP;
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return json_error_code(&jerr) == json_error_out_of_memory ? -ENOMEM : -EBADMSG;
	mounts = json_object_get(root, "mounts");
	if (json_is_array(mounts)) {
		json_array_foreach (mounts, i, e) {
			json_t *src = json_object_get(e, "source"), *dst;
			const char *s = json_string_value(src);
			struct oci_host_mount *m;
			bool ro;

			if (i >= OCI_MAX_ITEMS) {
				*truncated = true;
				break;
			}
			if (!s || s[0] != '/' || !is_bind(e, &ro) ||
			    memmem(s, json_string_length(src), PROJECTED_MARK,
				   strlen(PROJECTED_MARK)))
				continue;
			if (*n >= max) {
				*truncated = true;
				break;
			}
			m = &out[(*n)++];
			m->read_only = ro;
			*truncated |= bounded_copy(m->source, sizeof(m->source), s,
						   json_string_length(src));
			dst = json_object_get(e, "destination");
			m->destination[0] = 0;
			if (json_is_string(dst))
				*truncated |= bounded_copy(m->destination, sizeof(m->destination),
							   json_string_value(dst),
							   json_string_length(dst));
		}
	}
	json_decref(root);
	return 0;
}

const char *oci_secret_env_name(unsigned int bit)
{
	if (!bit || (bit & (bit - 1)))
		return NULL; /* not exactly one bit */
	return NAME_OF(secret_names, __builtin_ctz(bit), NULL);
}

static const char *const oci_flavour_names[] = {
	[OCI_FLAVOUR_CONTAINERD] = "containerd",
	[OCI_FLAVOUR_CRIO] = "crio",
};

const char *oci_flavour_str(enum oci_flavour f)
{
	return NAME_OF(oci_flavour_names, f, "unknown");
}

static const char *const oci_ctype_names[] = {
	[OCI_CTYPE_SANDBOX] = "sandbox",
	[OCI_CTYPE_CONTAINER] = "container",
};

const char *oci_ctype_str(enum oci_ctype t)
{
	return NAME_OF(oci_ctype_names, t, "unknown");
}
