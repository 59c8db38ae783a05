/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Agent configuration file (--config, JSON). Everything has a built-in
 * default; the file only changes what it names. A malformed file is rejected
 * as a whole with its name, the line:column, the JSON path (for a wrong key or
 * value), and the reason: no half-applied config.
 *
 *   {
 *     "endpoints":       [ {"address": "169.254.169.254", "port": 80, "kind": "imds"} ],
 *     "extra_endpoints": [ {"address": "10.0.0.9", "port": 8080, "kind": "other",
 *                           "name": "vault-agent"} ]
 *   }
 *
 *     "sockets":         [ {"path": "/run/containerd/containerd.sock", "kind": "container_runtime"} ],
 *     "extra_sockets":   [ {"path": "/run/vault/agent.sock", "kind": "other"} ]
 *
 * "endpoints" replaces the default endpoint table, "extra_endpoints" adds to
 * it; likewise "sockets" and "extra_sockets" (paths as seen on the node, glob
 * characters allowed; kinds: container_runtime, kubelet_api, spire, csi, other).
 *
 *     "policy":          { "fold_window_seconds": 60, "<rule>": {"allow": [..], ...} }
 *
 * "policy" is the rule engine's policy (allowlists, severity overrides, rules
 * switched off, the folding window): see user/policy.h.
 *
 * Errors: "file:line:column: reason" whenever the offending key or value can be
 * located in the file (user/jsonpos.h): syntax errors (from jansson), unknown
 * keys (the key), wrong types and bad values (the value), a missing required key
 * (the object). Otherwise "file: reason".
 */
#ifndef CREDWATCH_CONFIG_H
#define CREDWATCH_CONFIG_H

#include <stdint.h>
#include <stddef.h>
#include "judge/policy.h"
#include "enrich/sockets.h"

#define CONFIG_MAX_ENDPOINTS 64
#define CONFIG_ERR_MAX	     512
#define CONFIG_MAX_BYTES     (1 << 20) /* a larger file is rejected */

struct endpoint_cfg {
	uint8_t addr[16]; /* IPv6, or IPv4-mapped IPv6 */
	uint16_t port;
	uint8_t kind; /* enum cw_endpoint_kind */
	char name[64];
};

struct config {
	struct endpoint_cfg endpoints[CONFIG_MAX_ENDPOINTS];
	int nendpoints;
	struct socket_watch sockets;
	struct policy policy;
};

/* Built-in defaults: the credential endpoints of an EKS node. */
void config_defaults(struct config *c);

/* Load path over the defaults. On error returns -1, leaves *c untouched and err says where and
 * why. */
int config_load(struct config *c, const char *path, char *err, size_t errlen);
/* The same for a document already in memory; name is what errors call it. */
int config_load_text(struct config *c, const char *name, const char *text, size_t len, char *err,
		     size_t errlen);

/* Parse "1.2.3.4" or "fd00::1" into the table's 16-byte form. */
int config_parse_addr(const char *s, uint8_t out[16]);
/* Format a table address (IPv4-mapped shown as dotted IPv4). */
void config_format_addr(const uint8_t addr[16], char *out, size_t len);

/*
 * file side (issue 14): resolve every host_exe allow entry of the policy to the (dev, ino) of
 * its file below host_root (symlinks followed inside the root), as a host process running it
 * would show. An entry whose path does not resolve matches nothing until it does. Called at
 * start and every few seconds (a kubelet upgrade replaces the binary: another inode).
 * Returns how many entries resolved.
 */
int config_resolve_host_exe(struct config *c, const char *host_root);

const char *endpoint_kind_name(unsigned int kind);
int endpoint_kind_parse(const char *s);

#endif
