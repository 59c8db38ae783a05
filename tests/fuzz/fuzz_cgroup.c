// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_cgroup: cgroup v2 paths to pod attribution (cg_parse, user/enrich/cgroup_parse.c).
 * A container that can write its own cgroupfs chooses the names below its cgroup.
 *
 * Input: a path, then (after a NUL) a suffix. Checked: the result is 0 exactly when the class
 * is known, or -EINVAL / -ENAMETOOLONG; the pod UID is empty or canonical (36 lowercase
 * dashed, or 32 hex) and written in the path (with '_' for '-' under systemd); the container
 * id is empty or 64 lowercase hex and in the path; prefix_len stays inside the path; the
 * classes have what they promise (a container has an id, a pod has a UID). And the spoofing
 * rule: what a container creates below its own cgroup (the suffix, appended as more path
 * components) never changes which pod and container the path belongs to.
 */
#include <errno.h>
#include "enrich/cgroup_parse.h"
#include "fuzz.h"

static bool lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static void check(const char *path, int rc, const struct cg_info *o)
{
	size_t plen = strlen(path), ul = FZ_STR(o->pod_uid), il = FZ_STR(o->container_id);

	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ENAMETOOLONG, "returned %d", rc);
	FUZZ_CHECK((rc == 0) == (o->cls != CG_CLASS_UNKNOWN), "rc %d with class %s", rc,
		   cg_class_str(o->cls));
	FUZZ_CHECK(o->prefix_len <= plen, "prefix_len %zu past a %zu-byte path", o->prefix_len,
		   plen);
	if (ul) {
		char alt[CG_POD_UID_BUF];

		FUZZ_CHECK(ul == 32 || ul == 36, "pod UID \"%s\"", o->pod_uid);
		for (size_t i = 0; i < ul; i++) {
			bool dash = ul == 36 && (i == 8 || i == 13 || i == 18 || i == 23);

			FUZZ_CHECK(dash ? o->pod_uid[i] == '-' : lower_hex(o->pod_uid + i, 1),
				   "pod UID \"%s\" is not canonical", o->pod_uid);
		}
		memcpy(alt, o->pod_uid, ul + 1);
		for (size_t i = 0; i < ul; i++)
			if (alt[i] == '-')
				alt[i] = '_';
		FUZZ_CHECK(strstr(path, o->pod_uid) || strstr(path, alt),
			   "pod UID %s is not in the path", o->pod_uid);
	}
	if (il) {
		FUZZ_CHECK(il == CG_CONTAINER_ID_LEN && lower_hex(o->container_id, il),
			   "container id \"%s\"", o->container_id);
		FUZZ_CHECK(strstr(path, o->container_id) != NULL, "container id not in the path");
	}
	switch (o->cls) {
	case CG_CLASS_CONTAINER:
	case CG_CLASS_DOCKER:
		FUZZ_CHECK(il, "class %s without a container id", cg_class_str(o->cls));
		/* fall through */
	case CG_CLASS_POD:
		FUZZ_CHECK(o->cls == CG_CLASS_DOCKER || ul, "class %s without a pod UID",
			   cg_class_str(o->cls));
		break;
	case CG_CLASS_CONMON:
		FUZZ_CHECK(il, "conmon without a container id");
		break;
	case CG_CLASS_HOST:
		FUZZ_CHECK(!il && !ul, "a host path with a pod or container");
		break;
	default:
		break;
	}
	FUZZ_CHECK(cg_class_str(o->cls) && cg_runtime_str(o->runtime) && cg_driver_str(o->driver) &&
			   cg_qos_str(o->qos),
		   "a value without a name");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t plen = nul ? (size_t)(nul - data) : size;
	size_t slen = nul ? size - plen - 1 : 0;
	struct cg_info o, o2;
	char *path, *longer;
	int rc, rc2;

	/* the path in an allocation of its own size */
	path = malloc(plen + 1);
	if (!path)
		abort();
	memcpy(path, data, plen);
	path[plen] = 0;
	rc = cg_parse(path, &o);
	check(path, rc, &o);

	/* the spoofing rule: names below a pod's container do not change who it is */
	if ((o.cls == CG_CLASS_CONTAINER || o.cls == CG_CLASS_CONMON) &&
	    o.driver != CG_DRIVER_UNKNOWN && o.pod_uid[0] && slen && !memchr(nul + 1, 0, slen)) {
		longer = malloc(plen + 1 + slen + 1);
		if (!longer)
			abort();
		memcpy(longer, path, plen);
		longer[plen] = '/';
		memcpy(longer + plen + 1, nul + 1, slen);
		longer[plen + 1 + slen] = 0;
		rc2 = cg_parse(longer, &o2);
		check(longer, rc2, &o2);
		if (rc2 == 0)
			FUZZ_CHECK(o2.cls == o.cls && !strcmp(o2.pod_uid, o.pod_uid) &&
					   !strcmp(o2.container_id, o.container_id) &&
					   o2.prefix_len == o.prefix_len,
				   "\"%s\" (%s of pod %s) + \"/%.*s\" became %s of pod %s", path,
				   cg_class_str(o.cls), o.pod_uid, (int)slen, nul + 1,
				   cg_class_str(o2.cls), o2.pod_uid);
		else
			FUZZ_CHECK(rc2 == -ENAMETOOLONG || rc2 == -EINVAL,
				   "the longer path gives %d", rc2);
		free(longer);
	}
	free(path);
	return 0;
}
