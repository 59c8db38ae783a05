// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_config: the agent's configuration file (config_load_text, user/config.c), with its
 * "policy" part (policy_parse, user/judge/policy.c) and the error locator it uses
 * (jsonpos_locate, user/util/jsonpos.c).
 *
 * The input is the file's text. Checked: a rejected file leaves the configuration exactly as
 * it was, with a NUL-terminated message that names the file and, when it gives a line and a
 * column, a place inside the text; an accepted one has every table within its limits, every
 * endpoint with a known kind and a valid port, every string NUL-terminated, and a policy with
 * known severities, which the matcher then walks for every rule and a few subjects.
 */
#include "config.h"
#include "credwatch_abi.h"
#include "fuzz.h"

static struct config defaults, cfg;

static void check_error(const char *err, const uint8_t *text, size_t n)
{
	size_t len = fz_strn(err, CONFIG_ERR_MAX, "the error message");
	int line = 0, col = 0, lines = 1;
	char c;

	FUZZ_CHECK(len > 0, "a rejected file without a message");
	FUZZ_CHECK(!strncmp(err, "fuzz.json:", 10), "the message does not name the file: %s", err);
	for (size_t i = 0; i < n; i++)
		lines += text[i] == '\n';
	if (sscanf(err, "fuzz.json:%d:%d%c", &line, &col, &c) == 3 && c == ':') {
		FUZZ_CHECK(line >= 1 && line <= lines && col >= 0 && (size_t)col <= n + 1,
			   "\"%s\" points outside a %zu-byte text of %d lines", err, n, lines);
	}
}

static void check_config(const struct config *c)
{
	FUZZ_CHECK(c->nendpoints >= 0 && c->nendpoints <= CONFIG_MAX_ENDPOINTS, "%d endpoints",
		   c->nendpoints);
	for (int i = 0; i < c->nendpoints; i++) {
		const struct endpoint_cfg *e = &c->endpoints[i];
		char addr[64];

		FUZZ_CHECK(e->kind > CW_EP_NONE && e->kind < CW_EP_KIND_MAX, "endpoint kind %u",
			   e->kind);
		FUZZ_CHECK(e->port >= 1, "port 0");
		FZ_STR(e->name);
		config_format_addr(e->addr, addr, sizeof(addr));
		FZ_STR(addr);
		FUZZ_CHECK(endpoint_kind_name(e->kind) != NULL, "no name for kind %u", e->kind);
	}
	FUZZ_CHECK(c->sockets.n >= 0 && c->sockets.n <= SOCKETS_MAX, "%d sockets", c->sockets.n);
	for (int i = 0; i < c->sockets.n; i++) {
		FUZZ_CHECK(c->sockets.cfg[i].path[0] == '/', "a socket path that is not absolute");
		FZ_STR(c->sockets.cfg[i].path);
		FUZZ_CHECK(c->sockets.cfg[i].kind < SOCK_KIND_MAX, "socket kind %u",
			   c->sockets.cfg[i].kind);
	}
	FUZZ_CHECK(c->policy.nallow >= 0 && c->policy.nallow <= POLICY_MAX_ALLOW,
		   "%d allow entries", c->policy.nallow);
	FUZZ_CHECK(c->policy.fold_window_s <= POLICY_MAX_FOLD_S, "fold window %u",
		   c->policy.fold_window_s);
	for (int r = 0; r < RULE__COUNT; r++)
		FUZZ_CHECK(c->policy.rule[r].severity >= SEV_LOW &&
				   c->policy.rule[r].severity <= SEV_CRITICAL,
			   "rule %s has severity %d", rule_name(r), c->policy.rule[r].severity);
	for (int i = 0; i < c->policy.nallow; i++) {
		const struct policy_allow *a = &c->policy.allow[i];

		FUZZ_CHECK(a->rule < RULE__COUNT, "allow entry for rule %u", a->rule);
		FZ_STR(a->namespace);
		FZ_STR(a->pod_prefix);
		FZ_STR(a->service_account);
		FZ_STR(a->image_prefix);
		FZ_STR(a->host_exe);
		FUZZ_CHECK(a->namespace[0] || a->pod_prefix[0] || a->service_account[0] ||
				   a->image_prefix[0] || a->host_exe[0],
			   "an allow entry that names nothing (it would allow everything)");
	}
}

static void walk_policy(const struct policy *p)
{
	static const struct cw_subject subjects[] = {
		{ .host = true, .exe = "/usr/bin/kubelet" },
		{ .host = true },
		{ .pod_namespace = "kube-system",
		  .pod_name = "aws-node-x1z2",
		  .service_account = "aws-node",
		  .image = "602401143452.dkr.ecr.us-east-1."
			   "amazonaws.com/amazon-k8s-cni:v1.18.0" },
		{ .pod_namespace = "", .pod_name = NULL },
		{ 0 },
	};

	for (int r = 0; r < RULE__COUNT; r++)
		for (size_t i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++)
			(void)policy_allowed(p, r, &subjects[i]);
	/* a subject allowed by an entry that names nothing would be a hole: none may match
	 * an unknown pod */
	for (int r = 0; r < RULE__COUNT; r++)
		FUZZ_CHECK(!policy_allowed(p, r, &subjects[4]), "rule %s allows an unknown subject",
			   rule_name(r));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[CONFIG_ERR_MAX];
	char *text;
	int rc;

	if (!defaults.nendpoints)
		config_defaults(&defaults);
	/* the text in an allocation of its own size: a read past it is caught */
	text = malloc(size ? size : 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	cfg = defaults;
	memset(err, 0x5a, sizeof(err));
	rc = config_load_text(&cfg, "fuzz.json", text, size, err, sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -1, "returned %d", rc);
	if (rc) {
		check_error(err, data, size);
		FUZZ_CHECK(!memcmp(&cfg, &defaults, sizeof(cfg)),
			   "a rejected file changed the configuration (%s)", err);
	} else {
		check_config(&cfg);
		walk_policy(&cfg.policy);
	}
	free(text);
	return 0;
}
