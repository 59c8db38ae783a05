// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_ocispec: a container's OCI runtime spec (oci_parse, user/enrich/ocispec.c), the
 * config.json the runtime writes from the pod spec: its env and its annotations are the pod
 * author's.
 *
 * The first input byte picks the variant:
 *  - raw: the rest is the file;
 *  - planted: the rest is parsed with jansson and, when it is an object whose "process" and
 *    "process.env" are absent or of the right type, secret-bearing variables with planted
 *    values are put first in process.env (AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
 *    AWS_CONTAINER_AUTHORIZATION_TOKEN); the document is written out again and parsed.
 * Checked: the result is 0 or a documented error, and an error leaves nothing set; every
 * string is NUL-terminated in its buffer, the counts are within their limits, host_network
 * only for a Kubernetes container; in the planted variant the variables are recorded as set
 * and no run of their values appears anywhere in struct oci_info.
 */
#include <errno.h>
#include <jansson.h>
#include "enrich/ocispec.h"
#include "fuzz.h"

static void check(const struct oci_info *o, int rc)
{
	static const struct oci_info zero;

	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -E2BIG || rc == -EBADMSG || rc == -ELOOP ||
			   rc == -ENOMEM,
		   "returned %d", rc);
	if (rc) {
		FUZZ_CHECK(!memcmp(o, &zero, sizeof(*o)), "fields set after error %d", rc);
		return;
	}
	FZ_STR(o->sandbox_id);
	FZ_STR(o->pod_name);
	FZ_STR(o->pod_namespace);
	FZ_STR(o->pod_uid);
	FZ_STR(o->container_name);
	FZ_STR(o->image);
	FZ_STR(o->pod_identity_uri);
	FZ_STR(o->pod_identity_token_file);
	FZ_STR(o->role_arn);
	FZ_STR(o->web_identity_token_file);
	FUZZ_CHECK(o->n_mounts <= OCI_MAX_TOKEN_MOUNTS, "%u mounts", o->n_mounts);
	for (unsigned int i = 0; i < o->n_mounts; i++) {
		FZ_STR(o->mounts[i].source);
		FZ_STR(o->mounts[i].destination);
		FZ_STR(o->mounts[i].volume);
		FZ_STR(o->mounts[i].pod_uid);
	}
	FUZZ_CHECK(o->flavour <= OCI_FLAVOUR_CRIO && o->ctype <= OCI_CTYPE_CONTAINER,
		   "flavour %d, type %d", o->flavour, o->ctype);
	FUZZ_CHECK(!o->host_network || (o->flavour != OCI_FLAVOUR_UNKNOWN && o->has_linux),
		   "host_network on a spec that is not a Kubernetes container's");
	FUZZ_CHECK(!o->has_netns || o->has_linux, "a network namespace without \"linux\"");
	FUZZ_CHECK(oci_flavour_str(o->flavour) && oci_ctype_str(o->ctype),
		   "a value without a name");
	for (unsigned int b = 1; b; b <<= 1)
		if (o->secret_env & b)
			FUZZ_CHECK(oci_secret_env_name(b) != NULL, "secret bit %#x without a name",
				   b);
}

/* Put the planted variables first in process.env; false when the document has no room. */
static bool plant(json_t *root)
{
	static const char *const vars[] = {
		"AWS_SECRET_ACCESS_KEY=" FZ_ENV_SECRET,
		"AWS_SESSION_TOKEN=" FZ_SESSION_TOKEN,
		"AWS_CONTAINER_AUTHORIZATION_TOKEN=" FZ_BEARER_TOKEN,
	};
	json_t *proc = json_object_get(root, "process"), *env;

	if (!proc) {
		proc = json_object();
		if (json_object_set_new(root, "process", proc))
			return false;
	}
	if (!json_is_object(proc))
		return false;
	env = json_object_get(proc, "env");
	if (!env) {
		env = json_array();
		if (json_object_set_new(proc, "env", env))
			return false;
	}
	if (!json_is_array(env))
		return false;
	for (int i = 2; i >= 0; i--)
		if (json_array_insert_new(env, 0, json_string(vars[i])))
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oci_info o;
	json_error_t jerr;
	json_t *root;
	char *text;
	int rc;

	if (!size)
		return 0;
	if (!(data[0] & 1) || fz_input_has_secret(data, size)) {
		/* raw: the file in an allocation of its own size */
		text = malloc(size - 1 ? size - 1 : 1);
		if (!text)
			abort();
		memcpy(text, data + 1, size - 1);
		rc = oci_parse(text, size - 1, &o);
		check(&o, rc);
		free(text);
		return 0;
	}
	root = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, &jerr);
	if (!root || !json_is_object(root) || !plant(root)) {
		json_decref(root);
		return 0;
	}
	text = json_dumps(root, JSON_COMPACT | (data[0] & 2 ? JSON_INDENT(2) : 0));
	json_decref(root);
	if (!text)
		return 0;
	rc = oci_parse(text, strlen(text), &o);
	check(&o, rc);
	if (rc == 0) {
		FUZZ_CHECK(
			(o.secret_env & (OCI_SECRET_SECRET_ACCESS_KEY | OCI_SECRET_SESSION_TOKEN |
					 OCI_SECRET_CONTAINER_AUTH_TOKEN)) ==
				(OCI_SECRET_SECRET_ACCESS_KEY | OCI_SECRET_SESSION_TOKEN |
				 OCI_SECRET_CONTAINER_AUTH_TOKEN),
			"planted secret variables not recorded: %#x", o.secret_env);
		FUZZ_CHECK(o.cred & OCI_CRED_STATIC_KEYS, "static keys not recorded");
		fz_check_no_secret(&o, sizeof(o), "struct oci_info");
	}
	free(text);
	return 0;
}
