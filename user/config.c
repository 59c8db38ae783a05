// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>
#include "config.h"
#include "util/names.h"
#include "credwatch_abi.h"
#include "util/jsonpos.h"
#include "util/safefile.h"

static const char *const kind_names[CW_EP_KIND_MAX] = {
	[CW_EP_NONE] = "none",
	[CW_EP_IMDS] = "imds",
	[CW_EP_POD_IDENTITY_AGENT] = "pod_identity_agent",
	[CW_EP_CONTAINER_CREDENTIALS] = "container_credentials",
	[CW_EP_OTHER] = "other",
};

const char *endpoint_kind_name(unsigned int kind)
{
	return NAME_OF(kind_names, kind, "unknown");
}

int endpoint_kind_parse(const char *s)
{
	int i = NAME_FIND(kind_names, s);

	return i > CW_EP_NONE ? i : -1;
}

int config_parse_addr(const char *s, uint8_t out[16])
{
	struct in_addr v4;

	if (inet_pton(AF_INET, s, &v4) == 1) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &v4, 4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, out) == 1)
		return 0;
	return -EINVAL;
}

void config_format_addr(const uint8_t addr[16], char *out, size_t len)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (memcmp(addr, mapped, 12) == 0)
		inet_ntop(AF_INET, addr + 12, out, len);
	else
		inet_ntop(AF_INET6, addr, out, len);
}

static void add_default(struct config *c, const char *addr, unsigned int kind, const char *name)
{
	struct endpoint_cfg *e = &c->endpoints[c->nendpoints++];

	config_parse_addr(addr, e->addr);
	e->port = 80;
	e->kind = kind;
	snprintf(e->name, sizeof(e->name), "%s", name);
}

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	add_default(c, "169.254.169.254", CW_EP_IMDS, "imds");
	add_default(c, "fd00:ec2::254", CW_EP_IMDS, "imds-ipv6");
	add_default(c, "169.254.170.23", CW_EP_POD_IDENTITY_AGENT, "eks-pod-identity-agent");
	add_default(c, "fd00:ec2::23", CW_EP_POD_IDENTITY_AGENT, "eks-pod-identity-agent-ipv6");
	add_default(c, "169.254.170.2", CW_EP_CONTAINER_CREDENTIALS, "container-credentials");
	sockets_defaults(&c->sockets);
	policy_defaults(&c->policy);
}

/* Where an error is and why: the message is "<path>: <reason>" (the existing wording), where
 * locates it in the file. */
struct cerr {
	struct jsonpos_path *where;
	char *why;
	size_t whylen;
};

__attribute__((format(printf, 2, 3))) static int cfail(struct cerr *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->why, e->whylen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Point the error at the key k of the current object (an unknown key). */
static void at_key(struct cerr *e, const char *k)
{
	jsonpos_push_key(e->where, k);
	e->where->at_key = true;
}

static int parse_sockets(struct config *c, json_t *arr, const char *key, struct cerr *e)
{
	struct socket_watch *w = &c->sockets;
	size_t i;
	json_t *so;

	if (!json_is_array(arr))
		return cfail(e, "\"%s\" must be an array", key);
	json_array_foreach (arr, i, so) {
		struct socket_cfg s = { .kind = SOCK_KIND_OTHER };
		const char *k;
		json_t *v;
		int kind;

		jsonpos_push_index(e->where, i);
		if (!json_is_object(so))
			return cfail(e, "%s[%zu] must be an object", key, i);
		json_object_foreach (so, k, v) {
			if (strcmp(k, "path") == 0) {
				const char *p = json_is_string(v) ? json_string_value(v) : NULL;

				jsonpos_push_key(e->where, k);
				char why[160];

				if (!p || p[0] != '/' || strlen(p) >= sizeof(s.path))
					return cfail(e,
						     "%s[%zu].path: must be an absolute path under "
						     "%zu bytes",
						     key, i, sizeof(s.path));
				if (sockets_check_pattern(p, why, sizeof(why)))
					return cfail(e, "%s[%zu].path: %s", key, i, why);
				jsonpos_pop(e->where);
				snprintf(s.path, sizeof(s.path), "%s", p);
			} else if (strcmp(k, "kind") == 0) {
				jsonpos_push_key(e->where, k);
				kind = json_is_string(v) ? socket_kind_parse(json_string_value(v))
							 : -1;
				if (kind < 0)
					return cfail(
						e,
						"%s[%zu].kind: must be one of container_runtime, "
						"kubelet_api, spire, csi, other",
						key, i);
				jsonpos_pop(e->where);
				s.kind = kind;
			} else {
				at_key(e, k);
				return cfail(e, "%s[%zu]: unknown key \"%.64s\"", key, i, k);
			}
		}
		if (!s.path[0])
			return cfail(e, "%s[%zu]: \"path\" is required", key, i);
		if (w->n >= SOCKETS_MAX)
			return cfail(e, "%s: more than %d sockets", key, SOCKETS_MAX);
		w->cfg[w->n++] = s;
		jsonpos_pop(e->where);
	}
	return 0;
}

static int parse_endpoints(struct config *c, json_t *arr, const char *key, struct cerr *e)
{
	size_t i;
	json_t *ep;

	if (!json_is_array(arr))
		return cfail(e, "\"%s\" must be an array", key);
	json_array_foreach (arr, i, ep) {
		struct endpoint_cfg n = { .port = 80 };
		const char *k;
		json_t *v;
		int kind;

		jsonpos_push_index(e->where, i);
		if (!json_is_object(ep))
			return cfail(e, "%s[%zu] must be an object", key, i);
		json_object_foreach (ep, k, v) {
			if (strcmp(k, "address") == 0) {
				jsonpos_push_key(e->where, k);
				if (!json_is_string(v) ||
				    config_parse_addr(json_string_value(v), n.addr))
					return cfail(e, "%s[%zu].address: not an IPv4/IPv6 address",
						     key, i);
				jsonpos_pop(e->where);
			} else if (strcmp(k, "port") == 0) {
				jsonpos_push_key(e->where, k);
				if (!json_is_integer(v) || json_integer_value(v) < 1 ||
				    json_integer_value(v) > 65535)
					return cfail(e, "%s[%zu].port: must be an integer 1..65535",
						     key, i);
				jsonpos_pop(e->where);
				n.port = json_integer_value(v);
			} else if (strcmp(k, "kind") == 0) {
				jsonpos_push_key(e->where, k);
				kind = json_is_string(v) ? endpoint_kind_parse(json_string_value(v))
							 : -1;
				if (kind < 0)
					return cfail(
						e,
						"%s[%zu].kind: must be one of imds, "
						"pod_identity_agent, container_credentials, other",
						key, i);
				jsonpos_pop(e->where);
				n.kind = kind;
			} else if (strcmp(k, "name") == 0) {
				jsonpos_push_key(e->where, k);
				if (!json_is_string(v))
					return cfail(e, "%s[%zu].name: must be a string", key, i);
				jsonpos_pop(e->where);
				snprintf(n.name, sizeof(n.name), "%s", json_string_value(v));
			} else {
				at_key(e, k);
				return cfail(e, "%s[%zu]: unknown key \"%.64s\"", key, i, k);
			}
		}
		if (!json_object_get(ep, "address"))
			return cfail(e, "%s[%zu]: \"address\" is required", key, i);
		if (!n.kind)
			n.kind = CW_EP_OTHER;
		if (c->nendpoints >= CONFIG_MAX_ENDPOINTS)
			return cfail(e, "%s: more than %d endpoints", key, CONFIG_MAX_ENDPOINTS);
		c->endpoints[c->nendpoints++] = n;
		jsonpos_pop(e->where);
	}
	return 0;
}

/* Parse one of the replacing keys (or a later "extra_" one) with where = [key]. */
static int parse_key(struct config *n, const char *key, json_t *v, struct cerr *e)
{
	int rc;

	jsonpos_push_key(e->where, key);
	if (strcmp(key, "endpoints") == 0) {
		n->nendpoints = 0;
		rc = parse_endpoints(n, v, key, e);
	} else if (strcmp(key, "extra_endpoints") == 0) {
		rc = parse_endpoints(n, v, key, e);
	} else if (strcmp(key, "sockets") == 0) {
		n->sockets.n = 0;
		rc = parse_sockets(n, v, key, e);
	} else if (strcmp(key, "extra_sockets") == 0) {
		rc = parse_sockets(n, v, key, e);
	} else {
		rc = policy_parse(&n->policy, v, e->where, e->why, e->whylen);
	}
	if (!rc)
		jsonpos_pop(e->where);
	return rc;
}

int config_load_text(struct config *c, const char *name, const char *text, size_t len, char *err,
		     size_t errlen)
{
	struct config *n; /* large (policy, socket table): not on the stack */
	struct jsonpos_path where;
	char why[CONFIG_ERR_MAX] = "";
	struct cerr e = { .where = &where, .why = why, .whylen = sizeof(why) };
	json_error_t jerr;
	json_t *root, *v;
	const char *key;
	int line, col, rc = -1;

	jsonpos_init(&where);
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		if (jerr.line > 0)
			snprintf(err, errlen, "%s:%d:%d: %s", name, jerr.line, jerr.column,
				 jerr.text);
		else
			snprintf(err, errlen, "%s: %s", name, jerr.text);
		return -1;
	}
	n = malloc(sizeof(*n));
	if (!n) {
		snprintf(err, errlen, "%s: %s", name, strerror(ENOMEM));
		json_decref(root);
		return -1;
	}
	*n = *c;
	if (!json_is_object(root)) {
		cfail(&e, "top level must be a JSON object");
		goto out;
	}
	json_object_foreach (root, key, v) {
		if (strcmp(key, "endpoints") == 0 || strcmp(key, "sockets") == 0 ||
		    strcmp(key, "policy") == 0) {
			if (parse_key(n, key, v, &e))
				goto out;
		} else if (strcmp(key, "extra_endpoints") == 0 ||
			   strcmp(key, "extra_sockets") == 0) {
			continue; /* applied after the replacing keys, whatever the key order */
		} else {
			at_key(&e, key);
			cfail(&e, "unknown key \"%.64s\"", key);
			goto out;
		}
	}
	if ((v = json_object_get(root, "extra_endpoints")) &&
	    parse_key(n, "extra_endpoints", v, &e))
		goto out;
	if ((v = json_object_get(root, "extra_sockets")) && parse_key(n, "extra_sockets", v, &e))
		goto out;
	*c = *n;
	rc = 0;
out:
	if (rc) {
		if (jsonpos_locate(text, len, &where, &line, &col) == 0)
			snprintf(err, errlen, "%s:%d:%d: %s", name, line, col, why);
		else
			snprintf(err, errlen, "%s: %s", name, why);
	}
	free(n);
	json_decref(root);
	return rc;
}

int config_load(struct config *c, const char *path, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	struct stat st = { 0 };
	FILE *f;
	int fd, rc;

	/* a regular file only: O_NONBLOCK so that a FIFO without a writer cannot block the
	 * open, and fstat on what was opened (no window between a check and the open) */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file (%s)", path,
			 S_ISFIFO(st.st_mode)			      ? "a FIFO"
			 : S_ISDIR(st.st_mode)			      ? "a directory"
			 : S_ISSOCK(st.st_mode)			      ? "a socket"
			 : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
								      : "not a file");
		close(fd);
		return -1;
	}
	f = fdopen(fd, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	text = malloc(CONFIG_MAX_BYTES + 1);
	if (!text) {
		snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
		fclose(f);
		return -1;
	}
	len = fread(text, 1, CONFIG_MAX_BYTES + 1, f);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		rc = -1;
	} else if (len > CONFIG_MAX_BYTES) {
		snprintf(err, errlen, "%s: larger than %d bytes", path, CONFIG_MAX_BYTES);
		rc = -1;
	} else {
		rc = config_load_text(c, path, text, len, err, errlen);
	}
	fclose(f);
	free(text);
	return rc;
}

int config_resolve_host_exe(struct config *c, const char *host_root)
{
	struct policy *p = &c->policy;
	int rootfd = open(host_root, O_PATH | O_DIRECTORY | O_CLOEXEC), n = 0;

	for (int i = 0; i < p->nallow; i++) {
		struct policy_allow *a = &p->allow[i];
		struct stat st;

		if (!a->host_exe[0])
			continue;
		if (rootfd >= 0 && safefile_stat(rootfd, a->host_exe, &st) == 0 &&
		    S_ISREG(st.st_mode)) {
			a->exe_resolved = true;
			a->exe_dev =
				(uint32_t)(major(st.st_dev) << 20 | (minor(st.st_dev) & 0xfffff));
			a->exe_ino = st.st_ino;
			n++;
		} else {
			a->exe_resolved = false;
			a->exe_dev = 0;
			a->exe_ino = 0;
		}
	}
	if (rootfd >= 0)
		close(rootfd);
	return n;
}
