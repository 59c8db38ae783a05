/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ocispec: what a container's OCI runtime spec (config.json) says about its pod and its AWS
 * credential configuration (facts sections 2 and 5).
 *
 * containerd: /run/containerd/io.containerd.runtime.v2.task/k8s.io/<id>/config.json
 * CRI-O:      /var/lib/containers/storage/overlay-containers/<id>/userdata/config.json
 *
 * The spec is parsed from a caller-provided buffer (read it with safefile_read()) into a
 * fixed-size struct: every string is a bounded copy, truncation is flagged, and the work is
 * capped (OCI_MAX_INPUT bytes, OCI_MAX_DEPTH nesting, OCI_MAX_ITEMS elements looked at per
 * array).
 *
 * Secrets: process.env may hold static AWS keys. For AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN and AWS_CONTAINER_AUTHORIZATION_TOKEN (the token itself, ECS style) only
 * the fact that the variable is set is recorded (a bit in secret_env); no byte of their values
 * is copied. AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is also recorded as present only: on ECS its
 * path is what selects the task's credentials. The jansson tree that held the values is freed
 * before returning (jansson does not scrub freed memory; see ocispec.c).
 */
#ifndef CREDWATCH_OCISPEC_H
#define CREDWATCH_OCISPEC_H

#include <stdbool.h>
#include <stddef.h>

#define OCI_MAX_INPUT	     (4u << 20) /* a real config.json is tens of KiB */
#define OCI_MAX_DEPTH	     32
#define OCI_MAX_ITEMS	     4096 /* env entries / mounts / namespaces looked at */
#define OCI_MAX_TOKEN_MOUNTS 16

#define OCI_ID_BUF	     72	 /* 64 hex + slack; longer ids are cut and flagged */
#define OCI_NAME_BUF	     254 /* Kubernetes names: 253 */
#define OCI_NS_BUF	     64	 /* namespaces: 63 */
#define OCI_UID_BUF	     64
#define OCI_IMAGE_BUF	     512
#define OCI_PATH_BUF	     512
#define OCI_ARN_BUF	     512 /* IAM allows 2048; real role ARNs are far shorter */

enum oci_flavour {
	OCI_FLAVOUR_UNKNOWN = 0, /* no CRI annotations: not a Kubernetes container */
	OCI_FLAVOUR_CONTAINERD,
	OCI_FLAVOUR_CRIO,
};

enum oci_ctype {
	OCI_CTYPE_UNKNOWN = 0,
	OCI_CTYPE_SANDBOX,   /* the pod's pause/infra container */
	OCI_CTYPE_CONTAINER, /* an application (or init / ephemeral) container */
};

/* oci_info.cred: the credential configurations present in process.env. */
enum {
	OCI_CRED_POD_IDENTITY = 1u << 0, /* AWS_CONTAINER_CREDENTIALS_FULL_URI or ..._TOKEN_FILE */
	OCI_CRED_IRSA = 1u << 1,	 /* AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE */
	OCI_CRED_STATIC_KEYS = 1u << 2,	 /* the three AWS key variables (secret_env) */
	OCI_CRED_ECS_RELATIVE = 1u << 3, /* AWS_CONTAINER_CREDENTIALS_RELATIVE_URI */
};

/* oci_info.secret_env: which secret-bearing variables are set (values never kept). */
enum {
	OCI_SECRET_ACCESS_KEY_ID = 1u << 0,	   /* AWS_ACCESS_KEY_ID */
	OCI_SECRET_SECRET_ACCESS_KEY = 1u << 1,	   /* AWS_SECRET_ACCESS_KEY */
	OCI_SECRET_SESSION_TOKEN = 1u << 2,	   /* AWS_SESSION_TOKEN */
	OCI_SECRET_CONTAINER_AUTH_TOKEN = 1u << 3, /* AWS_CONTAINER_AUTHORIZATION_TOKEN */
	OCI_SECRET_COUNT = 4,
};

/* oci_info.truncated bits */
enum {
	OCI_TRUNC_ANNOTATION = 1u << 0, /* an annotation value was cut */
	OCI_TRUNC_ENV = 1u << 1,	/* a kept env value was cut */
	OCI_TRUNC_MOUNT = 1u << 2,	/* a token mount string was cut */
	OCI_TRUNC_ENV_LIST = 1u << 3,	/* env entries past OCI_MAX_ITEMS were not read */
	OCI_TRUNC_MOUNT_LIST = 1u << 4, /* mounts not read past OCI_MAX_ITEMS, or more than
					   OCI_MAX_TOKEN_MOUNTS token mounts */
	OCI_TRUNC_NS_LIST = 1u << 5,
};

/* file side (issue 14): a mount at <dir>/.aws, <dir>/.aws/credentials or <dir>/.aws/config
 * (a Secret volume with AWS shared credentials, or one of its files by subPath) */
#define OCI_MAX_AWS_MOUNTS 4
struct oci_aws_mount {
	char source[OCI_PATH_BUF];	/* host path */
	char destination[OCI_PATH_BUF]; /* path in the container */
};

/* A projected volume (service-account token volumes among them) bind-mounted in. */
struct oci_token_mount {
	char source[OCI_PATH_BUF];	/* host path: /var/lib/kubelet/pods/<uid>/volumes/... */
	char destination[OCI_PATH_BUF]; /* path in the container */
	char volume[OCI_NAME_BUF];	/* component after kubernetes.io~projected/ */
	char pod_uid[OCI_UID_BUF];	/* component after /pods/ in the source, "" if absent */
};

struct oci_info {
	enum oci_flavour flavour;
	enum oci_ctype ctype;

	/* Pod and container identity from the annotations ("" when absent). */
	char sandbox_id[OCI_ID_BUF];
	char pod_name[OCI_NAME_BUF];
	char pod_namespace[OCI_NS_BUF];
	char pod_uid[OCI_UID_BUF];
	char container_name[OCI_NAME_BUF];
	char image[OCI_IMAGE_BUF];

	/* Credential configuration from process.env. */
	unsigned int cred;			    /* OCI_CRED_* */
	unsigned int secret_env;		    /* OCI_SECRET_* */
	char pod_identity_uri[OCI_PATH_BUF];	    /* AWS_CONTAINER_CREDENTIALS_FULL_URI */
	char pod_identity_token_file[OCI_PATH_BUF]; /* AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE */
	char role_arn[OCI_ARN_BUF];		    /* AWS_ROLE_ARN */
	char web_identity_token_file[OCI_PATH_BUF]; /* AWS_WEB_IDENTITY_TOKEN_FILE */

	/* Projected volumes mounted into the container. */
	struct oci_token_mount mounts[OCI_MAX_TOKEN_MOUNTS];
	unsigned int n_mounts;

	/* file side (issue 14): credential files the environment names (paths in the
	 * container), mounts at .aws, and the network namespace's path (sandbox specs) */
	char shared_credentials_file[OCI_PATH_BUF]; /* AWS_SHARED_CREDENTIALS_FILE */
	char config_file[OCI_PATH_BUF];		    /* AWS_CONFIG_FILE */
	struct oci_aws_mount aws_mounts[OCI_MAX_AWS_MOUNTS];
	unsigned int n_aws_mounts;
	char netns_path[OCI_PATH_BUF]; /* linux.namespaces[type=network].path, "" if none */

	/* linux.namespaces */
	bool has_linux; /* a "linux" object was present */
	bool has_netns; /* it lists a "network" namespace */
	/* The container shares the host's network namespace: a Kubernetes container (flavour
	 * known) whose spec lists no network namespace. The CRI runtimes only leave it out for
	 * hostNetwork pods. */
	bool host_network;

	unsigned int truncated;	  /* OCI_TRUNC_* */
	unsigned int type_errors; /* fields present with the wrong JSON type (left unset) */
};

/*
 * Parse buf[0..len) (need not be NUL-terminated) into *out, always initialised. Returns 0 or:
 *   -EINVAL   NULL arguments
 *   -E2BIG    len > OCI_MAX_INPUT (refused before parsing)
 *   -ELOOP    nesting deeper than OCI_MAX_DEPTH
 *   -EBADMSG  not JSON, or not a JSON object
 *   -ENOMEM   the JSON parser ran out of memory
 * Missing or mistyped fields do not fail the parse.
 */
int oci_parse(const char *buf, size_t len, struct oci_info *out);

/*
 * Bind mounts from the host (credwatch scan: hostPath volumes that give credentials away).
 * Every mount with an absolute source whose type is "bind" or whose options hold "bind" or
 * "rbind", in the spec's order, except the projected volumes oci_parse() already reports.
 * Bounded copies; *truncated is set when a string was cut or more than max mounts exist.
 * Same limits and return values as oci_parse(); *n is the number filled.
 */
struct oci_host_mount {
	char source[OCI_PATH_BUF];	/* path on the node */
	char destination[OCI_PATH_BUF]; /* path in the container */
	bool read_only;			/* options hold "ro" */
};
int oci_host_mounts(const char *buf, size_t len, struct oci_host_mount *out, unsigned int max,
		    unsigned int *n, bool *truncated);

/* Environment variable name for one OCI_SECRET_* bit, NULL for anything else. */
const char *oci_secret_env_name(unsigned int bit);
const char *oci_flavour_str(enum oci_flavour f);
const char *oci_ctype_str(enum oci_ctype t);

#endif
