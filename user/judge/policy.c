// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "judge/policy.h"
#include "util/names.h"

static const struct {
	const char *name;
	const char *mitre;
	enum cw_severity severity;
} rules[RULE__COUNT] = {
	[RULE_AGENT_BYPASS] = { "agent_bypass", "T1552.005", SEV_HIGH },
	[RULE_IMDS_CREDENTIAL_FETCH] = { "imds_credential_fetch", "T1552.005", SEV_HIGH },
	[RULE_IMDS_V1] = { "imds_v1", "T1552.005", SEV_MEDIUM },
	[RULE_LEGACY_SDK] = { "legacy_sdk", "T1552.005", SEV_MEDIUM },
	[RULE_POD_IDENTITY_UNASSOCIATED] = { "pod_identity_unassociated", "T1528", SEV_MEDIUM },
	[RULE_FOREIGN_TOKEN_READ] = { "foreign_token_read", "T1528", SEV_CRITICAL },
	[RULE_HOST_TOKEN_READ] = { "host_token_read", "T1528", SEV_HIGH },
	[RULE_STATIC_CREDENTIALS_READ] = { "static_credentials_read", "T1552.001", SEV_MEDIUM },
	[RULE_CREDENTIAL_SOCKET_ACCESS] = { "credential_socket_access", "T1552.007", SEV_HIGH },
	/* file side (issue 14) */
	[RULE_POD_CGROUP_ESCAPE] = { "pod_cgroup_escape", "T1036", SEV_CRITICAL },
	[RULE_FILELESS_CREDENTIAL_ACCESS] = { "fileless_credential_access", "T1620", SEV_HIGH },
	[RULE_CREDENTIAL_RECONNAISSANCE] = { "credential_reconnaissance", "T1552.001", SEV_MEDIUM },
	[RULE_UNOBSERVED_FILE_OPEN] = { "unobserved_file_open", "T1562", SEV_MEDIUM },
	[RULE_EVASIVE_CREDENTIAL_FETCH] = { "evasive_credential_fetch", "T1552.005", SEV_HIGH },
	[RULE_ENDPOINT_UNPARSED] = { "endpoint_unparsed", "T1552.005", SEV_HIGH },
	[RULE_EVENT_FLOOD] = { "event_flood", "T1562.006", SEV_HIGH },
};

static const char *const sev_names[] = {
	[SEV_NONE] = "none", [SEV_LOW] = "low",		  [SEV_MEDIUM] = "medium",
	[SEV_HIGH] = "high", [SEV_CRITICAL] = "critical",
};

const char *rule_name(unsigned int rule)
{
	return rule < RULE__COUNT ? rules[rule].name : NULL;
}

int rule_parse(const char *name)
{
	for (int i = 0; i < RULE__COUNT; i++)
		if (strcmp(name, rules[i].name) == 0)
			return i;
	return -1;
}

const char *rule_mitre(unsigned int rule)
{
	return rule < RULE__COUNT ? rules[rule].mitre : NULL;
}

enum cw_severity rule_default_severity(unsigned int rule)
{
	return rule < RULE__COUNT ? rules[rule].severity : SEV_NONE;
}

const char *severity_name(enum cw_severity s)
{
	return NAME_OF(sev_names, s, "none");
}

int severity_parse(const char *s)
{
	int i = NAME_FIND(sev_names, s);

	return i >= SEV_LOW ? i : -1;
}

enum cw_severity severity_lower(enum cw_severity s)
{
	return s > SEV_LOW ? s - 1 : s;
}

/* --- defaults -------------------------------------------------------------------------------- */

static void add_allow(struct policy *p, enum cw_rule rule, const char *ns, const char *pod_prefix,
		      const char *host_exe)
{
	struct policy_allow *a;

	if (p->nallow >= POLICY_MAX_ALLOW)
		return;
	a = &p->allow[p->nallow++];
	memset(a, 0, sizeof(*a));
	a->rule = rule;
	if (ns)
		snprintf(a->namespace, sizeof(a->namespace), "%s", ns);
	if (pod_prefix)
		snprintf(a->pod_prefix, sizeof(a->pod_prefix), "%s", pod_prefix);
	if (host_exe)
		snprintf(a->host_exe, sizeof(a->host_exe), "%s", host_exe);
}

void policy_defaults(struct policy *p)
{
	static const char *const kubelet[] = { "/usr/bin/kubelet", "/usr/local/bin/kubelet" };

	memset(p, 0, sizeof(*p));
	for (int i = 0; i < RULE__COUNT; i++) {
		p->rule[i].enabled = true;
		p->rule[i].severity = rules[i].severity;
	}
	p->fold_window_s = POLICY_DEFAULT_FOLD_S;

	/* facts section 6: node-role credentials by design */
	add_allow(p, RULE_IMDS_CREDENTIAL_FETCH, "kube-system", "aws-node-", NULL);
	add_allow(p, RULE_IMDS_CREDENTIAL_FETCH, "kube-system", "eks-pod-identity-agent-", NULL);

	/* the kubelet writes and rotates every projected token; containerd mounts them */
	for (int i = 0; i < 2; i++)
		add_allow(p, RULE_HOST_TOKEN_READ, NULL, NULL, kubelet[i]);
	add_allow(p, RULE_HOST_TOKEN_READ, NULL, NULL, "/usr/bin/containerd");
	add_allow(p, RULE_HOST_TOKEN_READ, NULL, NULL, "/usr/local/bin/containerd");

	/* the kubelet's own kubeconfig and client certificate (kind kubelet_credentials) */
	for (int i = 0; i < 2; i++)
		add_allow(p, RULE_STATIC_CREDENTIALS_READ, NULL, NULL, kubelet[i]);
	add_allow(p, RULE_STATIC_CREDENTIALS_READ, NULL, NULL, "/usr/bin/nodeadm");

	/* CSI node plugins: node-driver-registrar and livenessprobe talk to csi.sock */
	add_allow(p, RULE_CREDENTIAL_SOCKET_ACCESS, "kube-system", "ebs-csi-node-", NULL);
	add_allow(p, RULE_CREDENTIAL_SOCKET_ACCESS, "kube-system", "efs-csi-node-", NULL);
}

/* --- matching -------------------------------------------------------------------------------- */

static bool known(const char *s)
{
	return s && s[0];
}

static bool prefix(const char *s, const char *pre)
{
	return known(s) && strncmp(s, pre, strlen(pre)) == 0;
}

static bool policy_allow_match(const struct policy_allow *a, const struct cw_subject *s)
{
	/* by identity, not by string: the inode the path resolved to on the host, run from the
	 * host's mount namespace (a fileless image is never a node component) */
	if (a->host_exe[0])
		return s->host && s->host_mntns && !s->fileless && a->exe_resolved &&
		       s->exe_ino == a->exe_ino && s->exe_dev == a->exe_dev;
	if (s->host)
		return false;
	if (!a->namespace[0] && !a->pod_prefix[0] && !a->service_account[0] && !a->image_prefix[0])
		return false; /* rejected by the parser; never "allow everything" */
	if (a->namespace[0] &&
	    !(known(s->pod_namespace) && !strcmp(s->pod_namespace, a->namespace)))
		return false;
	if (a->pod_prefix[0] && !prefix(s->pod_name, a->pod_prefix))
		return false;
	if (a->service_account[0] &&
	    !(known(s->service_account) && !strcmp(s->service_account, a->service_account)))
		return false;
	if (a->image_prefix[0] && !prefix(s->image, a->image_prefix))
		return false;
	return true;
}

bool policy_allowed(const struct policy *p, enum cw_rule rule, const struct cw_subject *s)
{
	for (int i = 0; i < p->nallow; i++)
		if (p->allow[i].rule == rule && policy_allow_match(&p->allow[i], s))
			return true;
	return false;
}

/* --- parsing --------------------------------------------------------------------------------- */

struct perr {
	struct jsonpos_path *where;
	char *why;
	size_t whylen;
};

__attribute__((format(printf, 2, 3))) static int fail(struct perr *e, const char *fmt, ...)
{
	char path[256];
	size_t n;
	va_list ap;

	jsonpos_format(e->where, path, sizeof(path));
	n = snprintf(e->why, e->whylen, "%s: ", path);
	if (n >= e->whylen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(e->why + n, e->whylen - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* An unknown key k of the object at where: point at the key. */
static int unknown_key(struct perr *e, const char *k, const char *hint)
{
	char path[256];

	jsonpos_format(e->where, path, sizeof(path));
	jsonpos_push_key(e->where, k);
	e->where->at_key = true;
	snprintf(e->why, e->whylen, "%s: unknown key \"%.64s\"%s%s", path, k, hint ? " " : "",
		 hint ? hint : "");
	return -1;
}

static int str_field(struct perr *e, json_t *v, char *out, size_t cap)
{
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;

	if (!s || !s[0] || strlen(s) >= cap || strlen(s) != json_string_length(v))
		return fail(e, "must be a non-empty string under %zu bytes", cap);
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

static int parse_allow_entry(struct policy *p, enum cw_rule rule, json_t *ent, struct perr *e)
{
	struct policy_allow a;
	const char *k;
	json_t *v;

	memset(&a, 0, sizeof(a));
	a.rule = rule;
	if (!json_is_object(ent))
		return fail(e, "must be an object");
	json_object_foreach (ent, k, v) {
		char *dst;
		size_t cap;

		if (!strcmp(k, "namespace")) {
			dst = a.namespace;
			cap = sizeof(a.namespace);
		} else if (!strcmp(k, "pod_prefix")) {
			dst = a.pod_prefix;
			cap = sizeof(a.pod_prefix);
		} else if (!strcmp(k, "service_account")) {
			dst = a.service_account;
			cap = sizeof(a.service_account);
		} else if (!strcmp(k, "image_prefix")) {
			dst = a.image_prefix;
			cap = sizeof(a.image_prefix);
		} else if (!strcmp(k, "host_exe")) {
			dst = a.host_exe;
			cap = sizeof(a.host_exe);
		} else {
			return unknown_key(e, k,
					   "(allow entries take namespace, pod_prefix, "
					   "service_account, image_prefix, host_exe)");
		}
		jsonpos_push_key(e->where, k);
		if (str_field(e, v, dst, cap))
			return -1;
		jsonpos_pop(e->where);
	}
	if (a.host_exe[0] && a.host_exe[0] != '/') {
		jsonpos_push_key(e->where, "host_exe");
		return fail(e, "must be an absolute path");
	}
	if (!a.namespace[0] && !a.pod_prefix[0] && !a.service_account[0] && !a.image_prefix[0] &&
	    !a.host_exe[0])
		return fail(e, "an allow entry must name at least one of namespace, pod_prefix, "
			       "service_account, image_prefix, host_exe");
	if (a.host_exe[0] &&
	    (a.namespace[0] || a.pod_prefix[0] || a.service_account[0] || a.image_prefix[0]))
		return fail(e, "host_exe (a host process) cannot be combined with pod fields");
	if (p->nallow >= POLICY_MAX_ALLOW)
		return fail(e, "more than %d allow entries in the policy", POLICY_MAX_ALLOW);
	p->allow[p->nallow++] = a;
	return 0;
}

static int parse_allow(struct policy *p, enum cw_rule rule, json_t *arr, struct perr *e)
{
	size_t i;
	json_t *ent;

	if (!json_is_array(arr))
		return fail(e, "must be an array");
	json_array_foreach (arr, i, ent) {
		jsonpos_push_index(e->where, i);
		if (parse_allow_entry(p, rule, ent, e))
			return -1;
		jsonpos_pop(e->where);
	}
	return 0;
}

static void drop_allow(struct policy *p, enum cw_rule rule)
{
	int n = 0;

	for (int i = 0; i < p->nallow; i++)
		if (p->allow[i].rule != rule)
			p->allow[n++] = p->allow[i];
	p->nallow = n;
}

static int parse_rule(struct policy *p, enum cw_rule rule, json_t *obj, struct perr *e)
{
	const char *k;
	json_t *v;
	int sev;

	if (!json_is_object(obj))
		return fail(e, "must be an object");
	json_object_foreach (obj, k, v) {
		if (!strcmp(k, "allow") || !strcmp(k, "extra_allow"))
			continue; /* below, in a fixed order */
		if (!strcmp(k, "severity")) {
			jsonpos_push_key(e->where, k);
			sev = json_is_string(v) ? severity_parse(json_string_value(v)) : -1;
			if (sev < 0)
				return fail(e, "must be one of low, medium, high, critical");
			p->rule[rule].severity = sev;
			jsonpos_pop(e->where);
		} else if (!strcmp(k, "enabled")) {
			jsonpos_push_key(e->where, k);
			if (!json_is_boolean(v))
				return fail(e, "must be true or false");
			p->rule[rule].enabled = json_is_true(v);
			jsonpos_pop(e->where);
		} else {
			return unknown_key(e, k,
					   "(rules take allow, extra_allow, severity, enabled)");
		}
	}
	if ((v = json_object_get(obj, "allow"))) {
		drop_allow(p, rule);
		jsonpos_push_key(e->where, "allow");
		if (parse_allow(p, rule, v, e))
			return -1;
		jsonpos_pop(e->where);
	}
	if ((v = json_object_get(obj, "extra_allow"))) {
		jsonpos_push_key(e->where, "extra_allow");
		if (parse_allow(p, rule, v, e))
			return -1;
		jsonpos_pop(e->where);
	}
	return 0;
}

int policy_parse(struct policy *p, json_t *v, struct jsonpos_path *where, char *why, size_t whylen)
{
	struct perr e = { .where = where, .why = why, .whylen = whylen };
	const char *k;
	json_t *rv;

	if (whylen)
		why[0] = 0;
	if (!json_is_object(v))
		return fail(&e, "must be an object");
	json_object_foreach (v, k, rv) {
		int rule = rule_parse(k);

		jsonpos_push_key(where, k);
		if (rule >= 0) {
			if (parse_rule(p, rule, rv, &e))
				return -1;
		} else if (!strcmp(k, "fold_window_seconds")) {
			if (!json_is_integer(rv) || json_integer_value(rv) < 0 ||
			    json_integer_value(rv) > POLICY_MAX_FOLD_S)
				return fail(&e, "must be an integer 0..%d (0: no folding)",
					    POLICY_MAX_FOLD_S);
			p->fold_window_s = json_integer_value(rv);
		} else {
			jsonpos_pop(where);
			return unknown_key(&e, k, "(not a rule name or fold_window_seconds)");
		}
		jsonpos_pop(where);
	}
	return 0;
}
