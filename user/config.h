/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Agent configuration file (--config, JSON). Everything has a built-in
 * default; the file only changes what it names. A malformed file is rejected
 * as a whole with its name, the line/column (for syntax errors) or the JSON
 * path (for a wrong key or value), and the reason: no half-applied config.
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
 */
#ifndef CREDWATCH_CONFIG_H
#define CREDWATCH_CONFIG_H

#include <stdint.h>
#include <stddef.h>
#include "sockets.h"

#define CONFIG_MAX_ENDPOINTS 64
#define CONFIG_ERR_MAX	     512

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
};

/* Built-in defaults: the credential endpoints of an EKS node. */
void config_defaults(struct config *c);

/* Load path over the defaults. On error returns -1 and err says where and why. */
int config_load(struct config *c, const char *path, char *err, size_t errlen);

/* Parse "1.2.3.4" or "fd00::1" into the table's 16-byte form. */
int config_parse_addr(const char *s, uint8_t out[16]);
/* Format a table address (IPv4-mapped shown as dotted IPv4). */
void config_format_addr(const uint8_t addr[16], char *out, size_t len);

const char *endpoint_kind_name(unsigned int kind);
int endpoint_kind_parse(const char *s);

#endif
