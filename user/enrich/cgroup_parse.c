// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup_parse: cgroup v2 path -> pod attribution. See cgroup_parse.h for the layouts.
 *
 * The path is never copied: components are (pointer, length) views into the caller's string,
 * and only validated pieces (pod UID, container id) are written to the fixed-size outputs.
 */
#include "enrich/cgroup_parse.h"
#include "util/names.h"

#include <errno.h>
#include <string.h>

struct comp {
	const char *s;
	size_t len;
};

/* A cursor over the non-empty '/'-separated components of path[0..plen). */
struct comp_iter {
	const char *path;
	size_t plen;
	size_t pos;
};

static bool comp_next(struct comp_iter *it, struct comp *c)
{
	while (it->pos < it->plen && it->path[it->pos] == '/')
		it->pos++;
	if (it->pos >= it->plen)
		return false;
	c->s = it->path + it->pos;
	c->len = 0;
	while (it->pos < it->plen && it->path[it->pos] != '/') {
		it->pos++;
		c->len++;
	}
	return true;
}

static bool comp_eq(const struct comp *c, const char *lit)
{
	size_t n = strlen(lit);

	return c->len == n && memcmp(c->s, lit, n) == 0;
}

static bool mem_has_prefix(const char *s, size_t n, const char *pfx)
{
	size_t p = strlen(pfx);

	return n >= p && memcmp(s, pfx, p) == 0;
}

static bool mem_has_suffix(const char *s, size_t n, const char *sfx)
{
	size_t p = strlen(sfx);

	return n >= p && memcmp(s + n - p, sfx, p) == 0;
}

static bool is_lower_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
}

/* Exactly 64 lowercase hex digits, copied to out on success. */
static bool parse_id(const char *s, size_t n, char out[CG_CONTAINER_ID_BUF])
{
	if (n != CG_CONTAINER_ID_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_lower_hex(s[i]))
			return false;
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

/*
 * A pod UID: a canonical UUID with `sep` at the dash positions ('_' in systemd slice names,
 * '-' under cgroupfs), or 32 hex digits (static pods). Written out in dashed form.
 */
static bool parse_uid(const char *s, size_t n, char sep, char out[CG_POD_UID_BUF])
{
	if (n == 32) {
		for (size_t i = 0; i < n; i++)
			if (!is_lower_hex(s[i]))
				return false;
	} else if (n == 36) {
		for (size_t i = 0; i < n; i++) {
			bool dash_pos = i == 8 || i == 13 || i == 18 || i == 23;

			if (dash_pos ? s[i] != sep : !is_lower_hex(s[i]))
				return false;
		}
	} else {
		return false;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = s[i] == sep ? '-' : s[i];
	out[n] = '\0';
	return true;
}

/*
 * "kubepods.slice", or a slice whose name ends in "-kubepods" (kind's inner kubelet runs with
 * cgroup root "kubelet" and gets kubelet-kubepods.slice). *base_len gets the name without
 * ".slice": systemd names every child slice "<parent name>-<part>.slice".
 */
static bool is_systemd_root(const struct comp *c, size_t *base_len)
{
	size_t bl;

	if (!mem_has_suffix(c->s, c->len, ".slice"))
		return false;
	bl = c->len - strlen(".slice");
	if ((bl == 8 && memcmp(c->s, "kubepods", 8) == 0) ||
	    (bl > 9 && memcmp(c->s + bl - 9, "-kubepods", 9) == 0)) {
		*base_len = bl;
		return true;
	}
	return false;
}

static bool is_kube_root(const struct comp *c)
{
	size_t bl;

	return comp_eq(c, "kubepods") || is_systemd_root(c, &bl);
}

/*
 * "<parent>-<rest>.slice" directly below a slice named <parent> (parent_len bytes at parent).
 * On success rest and rest_len view <rest>.
 */
static bool child_slice(const struct comp *c, const char *parent, size_t parent_len,
			const char **rest, size_t *rest_len)
{
	size_t sl = strlen(".slice");

	if (c->len < parent_len + 1 + sl || !mem_has_suffix(c->s, c->len, ".slice"))
		return false;
	if (memcmp(c->s, parent, parent_len) != 0 || c->s[parent_len] != '-')
		return false;
	*rest = c->s + parent_len + 1;
	*rest_len = c->len - parent_len - 1 - sl;
	return *rest_len > 0;
}

/*
 * Runtime prefixes of a container's cgroup name. "crio-conmon-" comes before
 * "crio-": conmon monitors the container, it is not it. The systemd driver
 * names every runtime; the cgroupfs driver only CRI-O (a bare id there is
 * containerd or a dockershim-era node: the path cannot tell).
 */
static const struct {
	const char *prefix;
	enum cg_runtime runtime;
	bool conmon, cgroupfs;
} container_prefixes[] = {
	{ "cri-containerd-", CG_RT_CONTAINERD, false, false },
	{ "crio-conmon-", CG_RT_CRIO, true, true },
	{ "crio-", CG_RT_CRIO, false, true },
	{ "docker-", CG_RT_DOCKER, false, false }, /* dockershim / cri-dockerd pods */
};

/* A container scope/directory below a pod cgroup. Fills class, runtime and id. */
static bool parse_container(const struct comp *c, bool systemd, struct cg_info *out)
{
	const char *s = c->s;
	size_t n = c->len, i;

	if (systemd) {
		if (!mem_has_suffix(s, n, ".scope"))
			return false;
		n -= strlen(".scope");
	}
	for (i = 0; i < sizeof(container_prefixes) / sizeof(container_prefixes[0]); i++) {
		size_t pl = strlen(container_prefixes[i].prefix);

		if ((!systemd && !container_prefixes[i].cgroupfs) ||
		    !mem_has_prefix(s, n, container_prefixes[i].prefix))
			continue;
		out->runtime = container_prefixes[i].runtime;
		if (container_prefixes[i].conmon)
			out->cls = CG_CLASS_CONMON;
		s += pl;
		n -= pl;
		break;
	}
	if (i == sizeof(container_prefixes) / sizeof(container_prefixes[0])) {
		if (systemd)
			return false;
		out->runtime = CG_RT_UNKNOWN;
	}
	if (!parse_id(s, n, out->container_id)) {
		out->runtime = CG_RT_UNKNOWN;
		out->cls = CG_CLASS_UNKNOWN;
		return false;
	}
	if (out->cls != CG_CLASS_CONMON)
		out->cls = CG_CLASS_CONTAINER;
	return true;
}

/* QoS part of a slice or directory name. */
static enum cg_qos qos_of(const char *s, size_t n)
{
	if (n == 9 && memcmp(s, "burstable", 9) == 0)
		return CG_QOS_BURSTABLE;
	if (n == 10 && memcmp(s, "besteffort", 10) == 0)
		return CG_QOS_BESTEFFORT;
	return CG_QOS_UNKNOWN;
}

/* Everything after the container: only look for a second kubepods hierarchy. */
static void scan_nested(struct comp_iter *it, struct cg_info *out)
{
	struct comp c;

	while (comp_next(it, &c))
		if (is_kube_root(&c))
			out->nested = true;
}

/* root is "<base>.slice" with base_len bytes of base; the iterator stands after it. */
static int parse_systemd(struct comp_iter *it, const struct comp *root, size_t base_len,
			 struct cg_info *out)
{
	struct comp c, pod;
	const char *rest, *parent = root->s;
	size_t rest_len, parent_len = base_len;

	out->driver = CG_DRIVER_SYSTEMD;
	if (!comp_next(it, &c) || !child_slice(&c, parent, parent_len, &rest, &rest_len))
		return -EINVAL;
	out->qos = qos_of(rest, rest_len);
	if (out->qos != CG_QOS_UNKNOWN) {
		/* QoS slice: the pod slice is its child. */
		parent = c.s;
		parent_len = c.len - strlen(".slice");
		if (!comp_next(it, &pod) ||
		    !child_slice(&pod, parent, parent_len, &rest, &rest_len))
			return -EINVAL;
	} else {
		out->qos = CG_QOS_GUARANTEED;
	}
	if (!mem_has_prefix(rest, rest_len, "pod") ||
	    !parse_uid(rest + 3, rest_len - 3, '_', out->pod_uid)) {
		out->qos = CG_QOS_UNKNOWN;
		return -EINVAL;
	}
	if (!comp_next(it, &c)) {
		out->cls = CG_CLASS_POD;
		return 0;
	}
	if (!parse_container(&c, true, out))
		return -EINVAL;
	scan_nested(it, out);
	return 0;
}

/* The iterator stands after the "kubepods" directory. */
static int parse_cgroupfs(struct comp_iter *it, struct cg_info *out)
{
	struct comp c;

	out->driver = CG_DRIVER_CGROUPFS;
	if (!comp_next(it, &c))
		return -EINVAL;
	out->qos = qos_of(c.s, c.len);
	if (out->qos != CG_QOS_UNKNOWN) {
		if (!comp_next(it, &c))
			return -EINVAL;
	} else {
		out->qos = CG_QOS_GUARANTEED;
	}
	if (!mem_has_prefix(c.s, c.len, "pod") ||
	    !parse_uid(c.s + 3, c.len - 3, '-', out->pod_uid)) {
		out->qos = CG_QOS_UNKNOWN;
		return -EINVAL;
	}
	if (!comp_next(it, &c)) {
		out->cls = CG_CLASS_POD;
		return 0;
	}
	if (!parse_container(&c, false, out))
		return -EINVAL;
	scan_nested(it, out);
	return 0;
}

/*
 * No kubepods hierarchy: a Docker container ("docker-<id>.scope" under any slice, or
 * "docker/<id>") or a CRI-O conmon placed outside the pod (conmon_cgroup = "system.slice").
 * Returns true when something was recognised.
 */
static bool parse_outside(struct comp_iter *it, size_t skip, struct cg_info *out)
{
	struct comp c, prev = { NULL, 0 };
	char id[CG_CONTAINER_ID_BUF];

	while (comp_next(it, &c)) {
		size_t n = c.len;
		bool scope = mem_has_suffix(c.s, n, ".scope");

		if (scope)
			n -= strlen(".scope");
		if (scope && mem_has_prefix(c.s, n, "docker-") && parse_id(c.s + 7, n - 7, id)) {
			out->cls = CG_CLASS_DOCKER;
			out->runtime = CG_RT_DOCKER;
			out->driver = CG_DRIVER_SYSTEMD;
		} else if (!scope && prev.s && comp_eq(&prev, "docker") && parse_id(c.s, n, id)) {
			out->cls = CG_CLASS_DOCKER;
			out->runtime = CG_RT_DOCKER;
			out->driver = CG_DRIVER_CGROUPFS;
			c = prev; /* the prefix ends before "docker/" */
		} else if (mem_has_prefix(c.s, n, "crio-conmon-") &&
			   parse_id(c.s + 12, n - 12, id)) {
			out->cls = CG_CLASS_CONMON;
			out->runtime = CG_RT_CRIO;
			out->driver = scope ? CG_DRIVER_SYSTEMD : CG_DRIVER_CGROUPFS;
		} else {
			prev = c;
			continue;
		}
		memcpy(out->container_id, id, sizeof(id));
		out->prefix_len = (size_t)(c.s - it->path) - skip;
		return true;
	}
	return false;
}

int cg_parse(const char *path, struct cg_info *out)
{
	struct comp_iter it;
	struct comp c;
	size_t plen, skip = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!path)
		return -EINVAL;
	/* strnlen: never walk further than one byte past the cap, however long the input. */
	plen = strnlen(path, CG_PATH_MAX + 1);
	if (plen > CG_PATH_MAX)
		return -ENAMETOOLONG;
	if (plen == 0)
		return -EINVAL;
	while (skip < plen && path[skip] == '/')
		skip++;

	/* Refuse non-canonical paths whole: "." and ".." never name a real cgroup. */
	it = (struct comp_iter){ path, plen, 0 };
	while (comp_next(&it, &c))
		if (comp_eq(&c, ".") || comp_eq(&c, "..") || c.len > CG_NAME_MAX)
			return -EINVAL;

	/* The outermost kubepods hierarchy decides (see the header for why). */
	it = (struct comp_iter){ path, plen, 0 };
	while (comp_next(&it, &c)) {
		size_t base_len;

		if (is_systemd_root(&c, &base_len)) {
			out->prefix_len = (size_t)(c.s - path) - skip;
			rc = parse_systemd(&it, &c, base_len, out);
		} else if (comp_eq(&c, "kubepods")) {
			out->prefix_len = (size_t)(c.s - path) - skip;
			rc = parse_cgroupfs(&it, out);
		} else {
			continue;
		}
		if (rc)
			out->cls = CG_CLASS_UNKNOWN;
		return rc;
	}

	it = (struct comp_iter){ path, plen, 0 };
	if (parse_outside(&it, skip, out))
		return 0;
	out->cls = CG_CLASS_HOST;
	return 0;
}

static const char *const cg_class_names[] = {
	[CG_CLASS_HOST] = "host",	    [CG_CLASS_POD] = "pod",
	[CG_CLASS_CONTAINER] = "container", [CG_CLASS_CONMON] = "conmon",
	[CG_CLASS_DOCKER] = "docker",
};

const char *cg_class_str(enum cg_class c)
{
	return NAME_OF(cg_class_names, c, "unknown");
}

static const char *const cg_runtime_names[] = {
	[CG_RT_CONTAINERD] = "containerd",
	[CG_RT_CRIO] = "crio",
	[CG_RT_DOCKER] = "docker",
};

const char *cg_runtime_str(enum cg_runtime r)
{
	return NAME_OF(cg_runtime_names, r, "unknown");
}

static const char *const cg_driver_names[] = {
	[CG_DRIVER_SYSTEMD] = "systemd",
	[CG_DRIVER_CGROUPFS] = "cgroupfs",
};

const char *cg_driver_str(enum cg_driver d)
{
	return NAME_OF(cg_driver_names, d, "unknown");
}

static const char *const cg_qos_names[] = {
	[CG_QOS_GUARANTEED] = "guaranteed",
	[CG_QOS_BURSTABLE] = "burstable",
	[CG_QOS_BESTEFFORT] = "besteffort",
};

const char *cg_qos_str(enum cg_qos q)
{
	return NAME_OF(cg_qos_names, q, "unknown");
}
