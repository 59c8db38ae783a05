// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for policy (defaults, parsing from the config file, matching, JSON) and for jsonpos
 * (line/column of keys and values in multi-line JSON with strings holding braces, quotes and
 * escapes), and the config errors that use it: unknown key, wrong type, bad JSON, each with
 * file:line:column.
 */
#include <stdlib.h>

#include "config.h"
#include "util/jsonpos.h"
#include "util/jsonw.h"
#include "judge/policy.h"
#include "render/json.h"
#include "unit.h"

#define CONTAINS(hay, needle)                                                \
	do {                                                                 \
		const char *_h = (hay), *_n = (needle);                      \
		if (strstr(_h, _n))                                          \
			UNIT_OK();                                           \
		else                                                         \
			UNIT_FAIL("\"%s\" does not contain \"%s\"", _h, _n); \
	} while (0)

/* --- jsonpos --------------------------------------------------------------------------------- */

/* Build a path from "k:policy", "i:3" items, NULL-terminated. */
static struct jsonpos_path mkpath(bool at_key, const char *const *items)
{
	struct jsonpos_path p;

	jsonpos_init(&p);
	for (; *items; items++) {
		if ((*items)[0] == 'i')
			jsonpos_push_index(&p, strtoul(*items + 2, NULL, 10));
		else
			jsonpos_push_key(&p, *items + 2);
	}
	p.at_key = at_key;
	return p;
}

static void expect_pos(const char *text, bool at_key, const char *const *items, int want_line,
		       int want_col)
{
	struct jsonpos_path p = mkpath(at_key, items);
	int line = -1, col = -1, rc;

	rc = jsonpos_locate(text, strlen(text), &p, &line, &col);
	if (want_line < 0) {
		ASSERT_EQ(rc, -1);
		return;
	}
	ASSERT_EQ(rc, 0);
	ASSERT_EQ(line, want_line);
	ASSERT_EQ(col, want_col);
}

#define P(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const char doc[] = "{\n"								  /* 1 */
			  "  \"a\": \"x{\\\"}[ ,: \\\\\",\n"				  /* 2 */
			  "  \"b}\": {\"c\": [1, \"]\", {\"d\": null}]},\n"		  /* 3 */
			  "  \"policy\": {\n"						  /* 4 */
			  "    \"imds_v1\": {\n"					  /* 5 */
			  "      \"allow\": [\n"					  /* 6 */
			  "        {\"namespace\": \"kube-system\"},\n"			  /* 7 */
			  "        { \"pod_prefix\" : \"p\\u00e9\\\\\", \"namespace\":\n" /* 8 */
			  "\t\"default\" }\n"						  /* 9 */
			  "      ]\n"							  /* 10 */
			  "    }\n"							  /* 11 */
			  "  },\n"							  /* 12 */
			  "  \"\\u0070olicy2\": [1, {\"k\": [true, null]}, -3.5e2],\n"	  /* 13 */
			  "  \"\\ud83d\\ude00\": 1, \"é\": {\"x\": [ ]}, \"z\": \"é\"\n"  /* 14 */
			  "}\n";

static void test_jsonpos_locate(void)
{
	/* the whole document */
	expect_pos(doc, false, (const char *const[]){ NULL }, 1, 1);
	/* a value that is a string full of JSON punctuation */
	expect_pos(doc, false, P("k:a"), 2, 8);
	expect_pos(doc, true, P("k:a"), 2, 3);
	/* a key with a brace in it; nested array with a string "]" before the target */
	expect_pos(doc, true, P("k:b}"), 3, 3);
	expect_pos(doc, false, P("k:b}", "k:c", "i:2", "k:d"), 3, 30);
	expect_pos(doc, false, P("k:b}", "k:c", "i:1"), 3, 19);
	/* the policy path */
	expect_pos(doc, false, P("k:policy", "k:imds_v1", "k:allow", "i:0", "k:namespace"), 7, 23);
	expect_pos(doc, true, P("k:policy", "k:imds_v1", "k:allow", "i:0", "k:namespace"), 7, 10);
	expect_pos(doc, true, P("k:policy", "k:imds_v1", "k:allow", "i:1", "k:namespace"), 8, 39);
	/* a value on the next line, after a tab */
	expect_pos(doc, false, P("k:policy", "k:imds_v1", "k:allow", "i:1", "k:namespace"), 9, 2);
	/* spaces around the colon; escapes in the value before */
	expect_pos(doc, false, P("k:policy", "k:imds_v1", "k:allow", "i:1", "k:pod_prefix"), 8, 26);
	expect_pos(doc, false, P("k:policy", "k:imds_v1", "k:allow", "i:1"), 8, 9);
	expect_pos(doc, false, P("k:policy", "k:imds_v1", "k:allow"), 6, 16);
	/* a key written with a \u escape is found by its decoded name */
	expect_pos(doc, true, P("k:policy2"), 13, 3);
	expect_pos(doc, false, P("k:policy2", "i:2"), 13, 44);
	expect_pos(doc, false, P("k:policy2", "i:1", "k:k", "i:1"), 13, 36);
	/* surrogate pair key; columns count characters, not bytes */
	expect_pos(doc, true, P("k:\xf0\x9f\x98\x80"), 14, 3);
	expect_pos(doc, true, P("k:é"), 14, 22);
	expect_pos(doc, false, P("k:é", "k:x"), 14, 33);
	expect_pos(doc, false, P("k:z"), 14, 44);

	/* not there */
	expect_pos(doc, false, P("k:nope"), -1, -1);
	expect_pos(doc, false, P("k:polic"), -1, -1);
	expect_pos(doc, false, P("k:policy", "k:imds_v1", "k:allow", "i:2"), -1, -1);
	expect_pos(doc, false, P("k:é", "k:x", "i:0"), -1, -1); /* empty array */
	expect_pos(doc, false, P("k:a", "k:x"), -1, -1);	/* into a string */
	expect_pos(doc, false, P("i:0"), -1, -1);		/* the top is an object */
	expect_pos(doc, true, P("k:policy2", "i:0"), -1, -1);	/* an index has no key */
	expect_pos(doc, true, (const char *const[]){ NULL }, -1, -1);
	/* broken text: no crash, no position */
	expect_pos("{\"a\": [1, 2", false, P("k:a", "i:5"), -1, -1);
	expect_pos("{\"a\": \"unterminated", false, P("k:b"), -1, -1);
	expect_pos("{\"a\\u12", false, P("k:a"), -1, -1);
	expect_pos("", false, P("k:a"), -1, -1);
	expect_pos("", false, (const char *const[]){ NULL }, -1, -1);
	/* a BOM is not a column; CRLF line ends */
	expect_pos("\xef\xbb\xbf{\r\n \"a\": 1}", false, P("k:a"), 2, 7);
}

static void test_jsonpos_path(void)
{
	struct jsonpos_path p;
	char buf[128], big[300];
	int line, col;

	jsonpos_init(&p);
	jsonpos_format(&p, buf, sizeof(buf));
	ASSERT_STREQ(buf, "");
	jsonpos_push_key(&p, "policy");
	jsonpos_push_key(&p, "imds_v1");
	jsonpos_push_key(&p, "allow");
	jsonpos_push_index(&p, 12);
	jsonpos_push_key(&p, "namespace");
	ASSERT_EQ(jsonpos_format(&p, buf, sizeof(buf)),
		  strlen("policy.imds_v1.allow[12].namespace"));
	ASSERT_STREQ(buf, "policy.imds_v1.allow[12].namespace");
	jsonpos_pop(&p);
	jsonpos_pop(&p);
	jsonpos_push_key(&p, "x.y");
	jsonpos_format(&p, buf, sizeof(buf));
	ASSERT_STREQ(buf, "policy.imds_v1.allow[\"x.y\"]");
	/* a short buffer is cut, NUL-terminated, and the needed length returned */
	ASSERT_EQ(jsonpos_format(&p, buf, 8), strlen("policy.imds_v1.allow[\"x.y\"]"));
	ASSERT_STREQ(buf, "policy.");

	/* deeper than the maximum: the path is marked and cannot be located */
	jsonpos_init(&p);
	for (int i = 0; i < JSONPOS_MAX_DEPTH + 3; i++)
		jsonpos_push_index(&p, 0);
	ASSERT_EQ(p.depth, JSONPOS_MAX_DEPTH);
	ASSERT_EQ(p.overflow, 3);
	ASSERT_EQ(jsonpos_locate("[[[[[[[[[[[1]]]]]]]]]]]", 23, &p, &line, &col), -1);
	for (int i = 0; i < 3; i++)
		jsonpos_pop(&p);
	ASSERT_EQ(p.overflow, 0);
	ASSERT_EQ(jsonpos_locate("[[[[[[[[[[[1]]]]]]]]]]]", 23, &p, &line, &col), 0);
	ASSERT_EQ(col, 9);

	/* a key too long to keep cannot be located (never a wrong position) */
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	jsonpos_init(&p);
	jsonpos_push_key(&p, big);
	ASSERT_TRUE(p.seg[0].key_truncated);
	ASSERT_EQ(jsonpos_locate("{}", 2, &p, &line, &col), -1);
}

/* --- policy ---------------------------------------------------------------------------------- */

static int count_allow(const struct policy *p, enum cw_rule r)
{
	int n = 0;

	for (int i = 0; i < p->nallow; i++)
		n += p->allow[i].rule == r;
	return n;
}

static void test_defaults(void)
{
	struct policy p;
	struct cw_subject s = { 0 };

	memset(&p, 0xa5, sizeof(p));
	policy_defaults(&p);
	ASSERT_EQ(p.fold_window_s, 60);
	for (int r = 0; r < RULE__COUNT; r++) {
		ASSERT_TRUE(p.rule[r].enabled);
		ASSERT_EQ(p.rule[r].severity, rule_default_severity(r));
	}
	ASSERT_EQ(count_allow(&p, RULE_IMDS_CREDENTIAL_FETCH), 2);
	ASSERT_EQ(count_allow(&p, RULE_HOST_TOKEN_READ), 4);
	ASSERT_EQ(count_allow(&p, RULE_STATIC_CREDENTIALS_READ), 3);
	ASSERT_EQ(count_allow(&p, RULE_CREDENTIAL_SOCKET_ACCESS), 2);
	ASSERT_EQ(count_allow(&p, RULE_AGENT_BYPASS), 0);
	ASSERT_EQ(count_allow(&p, RULE_IMDS_V1), 0);
	ASSERT_EQ(count_allow(&p, RULE_FOREIGN_TOKEN_READ), 0);
	ASSERT_EQ(p.nallow, 11);

	s.pod_namespace = "kube-system";
	s.pod_name = "eks-pod-identity-agent-abcde";
	ASSERT_TRUE(policy_allowed(&p, RULE_IMDS_CREDENTIAL_FETCH, &s));
	ASSERT_FALSE(policy_allowed(&p, RULE_AGENT_BYPASS, &s));
	s.pod_name = "eks-pod-identity-agent"; /* the prefix includes the dash */
	ASSERT_FALSE(policy_allowed(&p, RULE_IMDS_CREDENTIAL_FETCH, &s));
	/* host_exe: by the inode the path resolved to, never by the path string */
	s.host = true;
	s.host_mntns = true;
	s.exe = "/usr/bin/kubelet";
	s.exe_dev = 259u << 20 | 1;
	s.exe_ino = 4242;
	ASSERT_FALSE(policy_allowed(&p, RULE_HOST_TOKEN_READ, &s)); /* nothing resolved yet */
	for (int i = 0; i < p.nallow; i++)
		if (!strcmp(p.allow[i].host_exe, "/usr/bin/kubelet")) {
			p.allow[i].exe_resolved = true;
			p.allow[i].exe_dev = 259u << 20 | 1;
			p.allow[i].exe_ino = 4242;
		}
	ASSERT_TRUE(policy_allowed(&p, RULE_HOST_TOKEN_READ, &s));
	ASSERT_FALSE(policy_allowed(&p, RULE_IMDS_CREDENTIAL_FETCH, &s));
	s.exe = "/usr/bin/kubelet2"; /* the path is not what is matched */
	ASSERT_TRUE(policy_allowed(&p, RULE_HOST_TOKEN_READ, &s));
	s.exe_ino = 4243; /* another file at the kubelet's path: no */
	s.exe = "/usr/bin/kubelet";
	ASSERT_FALSE(policy_allowed(&p, RULE_HOST_TOKEN_READ, &s));
	s.exe_ino = 4242;
	s.exe_dev = 259u << 20 | 2; /* the same inode number on another filesystem: no */
	ASSERT_FALSE(policy_allowed(&p, RULE_HOST_TOKEN_READ, &s));
	s.exe_dev = 259u << 20 | 1;
	s.host_mntns = false; /* the host's binary run from a pod's mount namespace: no */
	ASSERT_FALSE(policy_allowed(&p, RULE_HOST_TOKEN_READ, &s));
	s.host_mntns = true;
	s.fileless = true; /* never a fileless image */
	ASSERT_FALSE(policy_allowed(&p, RULE_HOST_TOKEN_READ, &s));
	s.fileless = false;
	s.host = false; /* a pod process */
	ASSERT_FALSE(policy_allowed(&p, RULE_HOST_TOKEN_READ, &s));
}

static int load(struct config *c, const char *text, char *err, size_t len)
{
	config_defaults(c);
	err[0] = 0;
	return config_load_text(c, "cw.json", text, strlen(text), err, len);
}

static void test_parse(void)
{
	static struct config c;
	char err[CONFIG_ERR_MAX];
	const struct policy *p = &c.policy;
	struct cw_subject s = { 0 };
	int rc;

	rc = load(
		&c,
		"{\"policy\": {\n"
		"  \"fold_window_seconds\": 120,\n"
		"  \"imds_credential_fetch\": {\n"
		"    \"extra_allow\": [{\"namespace\": \"monitoring\", \"service_account\": "
		"\"exporter\"}],\n"
		"    \"allow\": [{\"namespace\": \"kube-system\", \"pod_prefix\": "
		"\"aws-node-\"}],\n"
		"    \"severity\": \"medium\"\n"
		"  },\n"
		"  \"imds_v1\": {\"enabled\": false},\n"
		"  \"host_token_read\": {\"extra_allow\": [{\"host_exe\": \"/opt/bin/backup\"}]},\n"
		"  \"credential_socket_access\": {\"allow\": []},\n"
		"  \"legacy_sdk\": {\"allow\": [{\"image_prefix\": \"registry.local/legacy/\"}],\n"
		"                 \"enabled\": true, \"severity\": \"low\"}\n"
		"}}\n",
		err, sizeof(err));
	ASSERT_EQ(rc, 0);
	ASSERT_STREQ(err, "");
	ASSERT_EQ(p->fold_window_s, 120);
	ASSERT_EQ(p->rule[RULE_IMDS_CREDENTIAL_FETCH].severity, SEV_MEDIUM);
	ASSERT_TRUE(p->rule[RULE_IMDS_CREDENTIAL_FETCH].enabled);
	ASSERT_FALSE(p->rule[RULE_IMDS_V1].enabled);
	ASSERT_EQ(p->rule[RULE_IMDS_V1].severity, SEV_MEDIUM);
	ASSERT_EQ(p->rule[RULE_LEGACY_SDK].severity, SEV_LOW);
	/* allow replaced (eks-pod-identity-agent gone), extra_allow added, whatever the order */
	ASSERT_EQ(count_allow(p, RULE_IMDS_CREDENTIAL_FETCH), 2);
	s.pod_namespace = "kube-system";
	s.pod_name = "eks-pod-identity-agent-abcde";
	ASSERT_FALSE(policy_allowed(p, RULE_IMDS_CREDENTIAL_FETCH, &s));
	s.pod_name = "aws-node-abcde";
	ASSERT_TRUE(policy_allowed(p, RULE_IMDS_CREDENTIAL_FETCH, &s));
	s.pod_namespace = "monitoring";
	s.pod_name = "x";
	ASSERT_FALSE(policy_allowed(p, RULE_IMDS_CREDENTIAL_FETCH, &s)); /* SA unknown */
	s.service_account = "exporter";
	ASSERT_TRUE(policy_allowed(p, RULE_IMDS_CREDENTIAL_FETCH, &s));
	/* extra_allow alone keeps the defaults */
	ASSERT_EQ(count_allow(p, RULE_HOST_TOKEN_READ), 5);
	ASSERT_EQ(count_allow(p, RULE_CREDENTIAL_SOCKET_ACCESS), 0);
	ASSERT_EQ(count_allow(p, RULE_LEGACY_SDK), 1);
	s.image = "registry.local/legacy/app:1";
	ASSERT_TRUE(policy_allowed(p, RULE_LEGACY_SDK, &s));
	/* other config is untouched */
	ASSERT_EQ(c.nendpoints, 5);

	/* folding off; an empty policy changes nothing */
	ASSERT_EQ(load(&c, "{\"policy\": {\"fold_window_seconds\": 0}}", err, sizeof(err)), 0);
	ASSERT_EQ(c.policy.fold_window_s, 0);
	ASSERT_EQ(load(&c, "{\"policy\": {}}", err, sizeof(err)), 0);
	{
		struct policy d;

		policy_defaults(&d);
		ASSERT_TRUE(memcmp(&d, &c.policy, sizeof(d)) == 0);
	}
	ASSERT_EQ(load(&c, "{\"policy\": {\"fold_window_seconds\": 86400}}", err, sizeof(err)), 0);
}

static void test_policy_put(void)
{
	struct policy p;
	char *buf = malloc(16384);
	struct jw w;

	policy_defaults(&p);
	jw_init(&w, buf, 16384);
	jw_obj_open(&w, NULL);
	json_put_policy(&w, &p);
	jw_finish(&w);
	ASSERT_FALSE(jw_overflowed(&w));
	CONTAINS(buf,
		 "{\"policy\":{\"fold_window_seconds\":60,\"rules\":{\"agent_bypass\":{"
		 "\"enabled\":true,\"severity\":\"high\",\"mitre\":\"T1552.005\",\"allow\":[]}");
	CONTAINS(buf, "\"imds_credential_fetch\":{\"enabled\":true,\"severity\":\"high\",\"mitre\":"
		      "\"T1552.005\",\"allow\":[{\"namespace\":\"kube-system\",\"pod_prefix\":"
		      "\"aws-node-\"},{\"namespace\":\"kube-system\",\"pod_prefix\":"
		      "\"eks-pod-identity-agent-\"}]}");
	/* not resolved on a host yet: the inode it would match is null */
	CONTAINS(buf, "{\"host_exe\":\"/usr/bin/kubelet\",\"host_exe_inode\":null}");
	/* resolved: the inode agent_ready shows */
	for (int i = 0; i < p.nallow; i++)
		if (!strcmp(p.allow[i].host_exe, "/usr/bin/kubelet")) {
			p.allow[i].exe_resolved = true;
			p.allow[i].exe_dev = 259u << 20 | 1;
			p.allow[i].exe_ino = 4242;
		}
	jw_init(&w, buf, 16384);
	jw_obj_open(&w, NULL);
	json_put_policy(&w, &p);
	jw_finish(&w);
	CONTAINS(buf, "{\"host_exe\":\"/usr/bin/kubelet\",\"host_exe_inode\":{\"dev\":\"259:1\","
		      "\"ino\":4242}}");
	free(buf);
}

/* A rejected document: the error is exactly want (after "cw.json:"), the config untouched. */
static void expect_err(const char *name, const char *text, const char *want)
{
	static struct config c, before;
	char err[CONFIG_ERR_MAX], full[CONFIG_ERR_MAX + 16];
	int rc;

	unit_current = name;
	config_defaults(&c);
	c.policy.fold_window_s = 7;
	c.policy.rule[RULE_IMDS_V1].enabled = false;
	before = c;
	rc = config_load_text(&c, "cw.json", text, strlen(text), err, sizeof(err));
	ASSERT_EQ(rc, -1);
	ASSERT_TRUE(memcmp(&c, &before, sizeof(c)) == 0);
	snprintf(full, sizeof(full), "cw.json:%s", want);
	ASSERT_STREQ(err, full);
}

static void test_errors(void)
{
	char big[8192];
	size_t off;

	/* unknown keys: at the key */
	expect_err("unknown policy key", "{\n  \"policy\": {\n    \"imds_v2\": {}\n  }\n}",
		   "3:5: policy: unknown key \"imds_v2\" (not a rule name or fold_window_seconds)");
	expect_err("unknown rule key",
		   "{\"policy\": {\"imds_v1\": {\"enabled\": true, \"sev\": 1}}}",
		   "1:42: policy.imds_v1: unknown key \"sev\" (rules take allow, extra_allow, "
		   "severity, enabled)");
	expect_err("unknown allow key",
		   "{\"policy\": {\n"
		   "  \"imds_v1\": {\"allow\": [\n"
		   "    {\"namespace\": \"a\"},\n"
		   "    {\"namespace\": \"b\", \"pod\": \"x\"}\n"
		   "  ]}}}",
		   "4:24: policy.imds_v1.allow[1]: unknown key \"pod\" (allow entries take "
		   "namespace, pod_prefix, service_account, image_prefix, host_exe)");
	/* a key spelled with escapes is located by its decoded name */
	expect_err("escaped key", "{\"policy\": {\"im\\u0064s_v1\": {\"x{\\\"}\": 1}}}",
		   "1:30: policy.imds_v1: unknown key \"x{\"}\" (rules take allow, extra_allow, "
		   "severity, enabled)");

	/* wrong types and values: at the value */
	expect_err("policy not an object", "{\"policy\": [ ]}", "1:12: policy: must be an object");
	expect_err("rule not an object", "{\"policy\": {\"imds_v1\": true}}",
		   "1:24: policy.imds_v1: must be an object");
	expect_err("severity", "{\"policy\": {\"imds_v1\": {\n\t\"severity\": \"urgent\"}}}",
		   "2:14: policy.imds_v1.severity: must be one of low, medium, high, critical");
	expect_err("severity none", "{\"policy\": {\"imds_v1\": {\"severity\": \"none\"}}}",
		   "1:37: policy.imds_v1.severity: must be one of low, medium, high, critical");
	expect_err("enabled string", "{\"policy\": {\"imds_v1\": {\"enabled\": \"no\"}}}",
		   "1:36: policy.imds_v1.enabled: must be true or false");
	expect_err("allow not an array", "{\"policy\": {\"imds_v1\": {\"allow\": {}}}}",
		   "1:34: policy.imds_v1.allow: must be an array");
	expect_err("extra_allow entry not an object",
		   "{\"policy\": {\"imds_v1\": {\"extra_allow\": [\"kube-system\"]}}}",
		   "1:41: policy.imds_v1.extra_allow[0]: must be an object");
	expect_err("namespace number",
		   "{\"policy\": {\"imds_v1\": {\"allow\": [{\"namespace\": 7}]}}}",
		   "1:49: policy.imds_v1.allow[0].namespace: must be a non-empty string under 64 "
		   "bytes");
	expect_err("namespace empty",
		   "{\"policy\": {\"imds_v1\": {\"allow\": [{\"namespace\": \"\"}]}}}",
		   "1:49: policy.imds_v1.allow[0].namespace: must be a non-empty string under 64 "
		   "bytes");
	expect_err("empty entry", "{\"policy\": {\"imds_v1\": {\"allow\": [{}]}}}",
		   "1:35: policy.imds_v1.allow[0]: an allow entry must name at least one of "
		   "namespace, pod_prefix, service_account, image_prefix, host_exe");
	expect_err("host_exe with pod fields",
		   "{\"policy\": {\"host_token_read\": {\"allow\": [{\"host_exe\": \"/bin/x\", "
		   "\"namespace\": \"a\"}]}}}",
		   "1:43: policy.host_token_read.allow[0]: host_exe (a host process) cannot be "
		   "combined with pod fields");
	expect_err(
		"host_exe relative",
		"{\"policy\": {\"host_token_read\": {\"allow\": [{\"host_exe\": \"kubelet\"}]}}}",
		"1:56: policy.host_token_read.allow[0].host_exe: must be an absolute path");
	expect_err("fold string", "{\"policy\": {\"fold_window_seconds\": \"60\"}}",
		   "1:36: policy.fold_window_seconds: must be an integer 0..86400 (0: no folding)");
	expect_err("fold negative", "{\"policy\": {\"fold_window_seconds\": -1}}",
		   "1:36: policy.fold_window_seconds: must be an integer 0..86400 (0: no folding)");
	expect_err("fold too long", "{\"policy\": {\"fold_window_seconds\": 86401}}",
		   "1:36: policy.fold_window_seconds: must be an integer 0..86400 (0: no folding)");
	expect_err("fold real", "{\"policy\": {\"fold_window_seconds\": 6e1}}",
		   "1:36: policy.fold_window_seconds: must be an integer 0..86400 (0: no folding)");

	/* more allow entries than the table holds */
	off = snprintf(big, sizeof(big), "{\"policy\": {\"imds_v1\": {\"allow\": [");
	for (int i = 0; i < POLICY_MAX_ALLOW; i++)
		off += snprintf(big + off, sizeof(big) - off, "%s{\"namespace\": \"n%d\"}",
				i ? "," : "", i);
	snprintf(big + off, sizeof(big) - off, "]}}}");
	expect_err("too many allow entries", big,
		   "1:1138: policy.imds_v1.allow[53]: more than 64 allow entries in the policy");

	/* the rest of the config file reports positions too */
	expect_err("unknown top-level key", "{\"endpoints\": [], \"frobs\": 1}",
		   "1:19: unknown key \"frobs\"");
	expect_err("wrong type",
		   "{\"extra_endpoints\": [{\"address\": \"10.1.2.3\", \"port\": \"80\"}]}",
		   "1:54: extra_endpoints[0].port: must be an integer 1..65535");
	expect_err("bad address",
		   "{\n  \"extra_endpoints\": [\n    {\"address\": \"not-an-ip\"}\n  ]\n}\n",
		   "3:17: extra_endpoints[0].address: not an IPv4/IPv6 address");
	expect_err("unknown endpoint key",
		   "{\"endpoints\": [{\"address\": \"10.0.0.1\", \"prot\": 80}]}",
		   "1:40: endpoints[0]: unknown key \"prot\"");
	expect_err("missing address", "{\"endpoints\": [{\"port\": 80}]}",
		   "1:16: endpoints[0]: \"address\" is required");
	expect_err("endpoints not an array", "{\"endpoints\": {}}",
		   "1:15: \"endpoints\" must be an array");
	expect_err("socket kind", "{\"sockets\": [{\"path\": \"/x.sock\", \"kind\": \"tcp\"}]}",
		   "1:42: sockets[0].kind: must be one of container_runtime, kubelet_api, spire, "
		   "csi, other");
	expect_err("socket path", "{\"extra_sockets\": [{\"path\": \"x.sock\"}]}",
		   "1:29: extra_sockets[0].path: must be an absolute path under 256 bytes");
	expect_err("top-level array", "\n  [1]", "2:3: top level must be a JSON object");
	/* an error in policy also rejects valid endpoints before it */
	expect_err("valid endpoints, bad policy",
		   "{\"endpoints\": [], \"policy\": {\"foreign_token_read\": {\"enabled\": 1}}}",
		   "1:64: policy.foreign_token_read.enabled: must be true or false");

	/* bad JSON: jansson's own line:column */
	expect_err("syntax", "{\n  \"policy\": {\n    \"imds_v1\": {,}\n  }\n}",
		   "3:17: string or '}' expected near ','");
	expect_err("duplicate rule", "{\"policy\": {\"imds_v1\": {}, \"imds_v1\": {}}}",
		   "1:36: duplicate object key near '\"imds_v1\"'");
}

int main(void)
{
	RUN(test_jsonpos_locate);
	RUN(test_jsonpos_path);
	RUN(test_defaults);
	RUN(test_parse);
	RUN(test_policy_put);
	RUN(test_errors);
	return unit_report("policy");
}
