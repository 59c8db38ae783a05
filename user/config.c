// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>
#include "config.h"
#include "credwatch_abi.h"

static const char *const kind_names[CW_EP_KIND_MAX] = {
	[CW_EP_NONE] = "none",
	[CW_EP_IMDS] = "imds",
	[CW_EP_POD_IDENTITY_AGENT] = "pod_identity_agent",
	[CW_EP_CONTAINER_CREDENTIALS] = "container_credentials",
	[CW_EP_OTHER] = "other",
};

const char *endpoint_kind_name(unsigned int kind)
{
	return kind < CW_EP_KIND_MAX ? kind_names[kind] : "unknown";
}

int endpoint_kind_parse(const char *s)
{
	for (int i = 1; i < CW_EP_KIND_MAX; i++)
		if (strcmp(s, kind_names[i]) == 0)
			return i;
	return -1;
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
}

static int parse_sockets(struct config *c, json_t *arr, const char *key, char *err, size_t errlen)
{
	struct socket_watch *w = &c->sockets;
	size_t i;
	json_t *so;

	if (!json_is_array(arr)) {
		snprintf(err, errlen, "\"%s\" must be an array", key);
		return -1;
	}
	json_array_foreach (arr, i, so) {
		struct socket_cfg e = { .kind = SOCK_KIND_OTHER };
		const char *k;
		json_t *v;
		int kind;

		if (!json_is_object(so)) {
			snprintf(err, errlen, "%s[%zu] must be an object", key, i);
			return -1;
		}
		json_object_foreach (so, k, v) {
			if (strcmp(k, "path") == 0) {
				const char *p = json_is_string(v) ? json_string_value(v) : NULL;

				if (!p || p[0] != '/' || strlen(p) >= sizeof(e.path)) {
					snprintf(err, errlen,
						 "%s[%zu].path: must be an absolute path under %zu "
						 "bytes",
						 key, i, sizeof(e.path));
					return -1;
				}
				snprintf(e.path, sizeof(e.path), "%s", p);
			} else if (strcmp(k, "kind") == 0) {
				kind = json_is_string(v) ? socket_kind_parse(json_string_value(v))
							 : -1;
				if (kind < 0) {
					snprintf(err, errlen,
						 "%s[%zu].kind: must be one of container_runtime, "
						 "kubelet_api, spire, csi, other",
						 key, i);
					return -1;
				}
				e.kind = kind;
			} else {
				snprintf(err, errlen, "%s[%zu]: unknown key \"%.64s\"", key, i, k);
				return -1;
			}
		}
		if (!e.path[0]) {
			snprintf(err, errlen, "%s[%zu]: \"path\" is required", key, i);
			return -1;
		}
		if (w->n >= SOCKETS_MAX) {
			snprintf(err, errlen, "%s: more than %d sockets", key, SOCKETS_MAX);
			return -1;
		}
		w->cfg[w->n++] = e;
	}
	return 0;
}

static int parse_endpoints(struct config *c, json_t *arr, const char *key, char *err, size_t errlen)
{
	size_t i;
	json_t *ep;

	if (!json_is_array(arr)) {
		snprintf(err, errlen, "\"%s\" must be an array", key);
		return -1;
	}
	json_array_foreach (arr, i, ep) {
		struct endpoint_cfg e = { .port = 80 };
		const char *k;
		json_t *v;
		int kind;

		if (!json_is_object(ep)) {
			snprintf(err, errlen, "%s[%zu] must be an object", key, i);
			return -1;
		}
		json_object_foreach (ep, k, v) {
			if (strcmp(k, "address") == 0) {
				if (!json_is_string(v) ||
				    config_parse_addr(json_string_value(v), e.addr)) {
					snprintf(err, errlen,
						 "%s[%zu].address: not an IPv4/IPv6 address", key,
						 i);
					return -1;
				}
			} else if (strcmp(k, "port") == 0) {
				if (!json_is_integer(v) || json_integer_value(v) < 1 ||
				    json_integer_value(v) > 65535) {
					snprintf(err, errlen,
						 "%s[%zu].port: must be an integer 1..65535", key,
						 i);
					return -1;
				}
				e.port = json_integer_value(v);
			} else if (strcmp(k, "kind") == 0) {
				kind = json_is_string(v) ? endpoint_kind_parse(json_string_value(v))
							 : -1;
				if (kind < 0) {
					snprintf(err, errlen,
						 "%s[%zu].kind: must be one of imds, "
						 "pod_identity_agent, "
						 "container_credentials, other",
						 key, i);
					return -1;
				}
				e.kind = kind;
			} else if (strcmp(k, "name") == 0) {
				if (!json_is_string(v)) {
					snprintf(err, errlen, "%s[%zu].name: must be a string", key,
						 i);
					return -1;
				}
				snprintf(e.name, sizeof(e.name), "%s", json_string_value(v));
			} else {
				snprintf(err, errlen, "%s[%zu]: unknown key \"%.64s\"", key, i, k);
				return -1;
			}
		}
		if (!json_object_get(ep, "address")) {
			snprintf(err, errlen, "%s[%zu]: \"address\" is required", key, i);
			return -1;
		}
		if (!e.kind)
			e.kind = CW_EP_OTHER;
		if (c->nendpoints >= CONFIG_MAX_ENDPOINTS) {
			snprintf(err, errlen, "%s: more than %d endpoints", key,
				 CONFIG_MAX_ENDPOINTS);
			return -1;
		}
		c->endpoints[c->nendpoints++] = e;
	}
	return 0;
}

int config_load(struct config *c, const char *path, char *err, size_t errlen)
{
	struct config n = *c;
	json_error_t jerr;
	json_t *root, *v;
	const char *key;
	char why[CONFIG_ERR_MAX] = "";
	int rc = -1;

	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		if (jerr.line > 0)
			snprintf(err, errlen, "%s:%d:%d: %s", path, jerr.line, jerr.column,
				 jerr.text);
		else
			snprintf(err, errlen, "%s: %s", path, jerr.text);
		return -1;
	}
	if (!json_is_object(root)) {
		snprintf(err, errlen, "%s: top level must be a JSON object", path);
		goto out;
	}
	json_object_foreach (root, key, v) {
		if (strcmp(key, "endpoints") == 0) {
			n.nendpoints = 0;
			if (parse_endpoints(&n, v, key, why, sizeof(why)))
				break;
		} else if (strcmp(key, "sockets") == 0) {
			n.sockets.n = 0;
			if (parse_sockets(&n, v, key, why, sizeof(why)))
				break;
		} else if (strcmp(key, "extra_endpoints") == 0 ||
			   strcmp(key, "extra_sockets") == 0) {
			continue; /* applied after the replacing keys, whatever the key order */
		} else {
			snprintf(why, sizeof(why), "unknown key \"%.64s\"", key);
			break;
		}
	}
	if (!why[0] && (v = json_object_get(root, "extra_endpoints")))
		parse_endpoints(&n, v, "extra_endpoints", why, sizeof(why));
	if (!why[0] && (v = json_object_get(root, "extra_sockets")))
		parse_sockets(&n, v, "extra_sockets", why, sizeof(why));
	if (why[0]) {
		snprintf(err, errlen, "%s: %s", path, why);
		goto out;
	}
	*c = n;
	rc = 0;
out:
	json_decref(root);
	return rc;
}
