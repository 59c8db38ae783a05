// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for rules: every rule's positive and negative cases (own token, associated pod at the
 * agent, allowlisted node components, host processes), the pod union (another container
 * configured), severity lowering for blocked attempts, policy overrides and switches, and the
 * "finding" / "findings" JSON.
 */
#include "enrich/attrib.h"
#include "util/jsonw.h"
#include "judge/rules.h"
#include "render/json.h"
#include "unit.h"

static struct policy pol;

static struct cw_subject pod(const char *ns, const char *name, unsigned int pod_cred,
			     unsigned int ctr_cred)
{
	struct cw_subject s = {
		.pod_uid = "0b0e2f7a-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
		.pod_namespace = ns,
		.pod_name = name,
		.service_account = "default",
		.image = "docker.io/library/python:3.12",
		.container = "app",
		.exe = "/usr/bin/python3",
		.pod_cred = pod_cred,
		.container_cred = ctr_cred,
	};
	return s;
}

/* A stand-in for the inode a path resolves to on the host (config_resolve_host_exe). */
static uint64_t fake_ino(const char *path)
{
	uint64_t h = 1469598103934665603ULL;

	for (; path && *path; path++)
		h = (h ^ (unsigned char)*path) * 1099511628211ULL;
	return h | 1;
}

#define FAKE_DEV (259u << 20 | 1)

/* every host_exe entry of p, resolved as if each path were its own file */
static void resolve_all(struct policy *p)
{
	for (int i = 0; i < p->nallow; i++)
		if (p->allow[i].host_exe[0]) {
			p->allow[i].exe_resolved = true;
			p->allow[i].exe_dev = FAKE_DEV;
			p->allow[i].exe_ino = fake_ino(p->allow[i].host_exe);
		}
}

/* a host process in the host's mount namespace running the file at exe */
static struct cw_subject host(const char *exe)
{
	struct cw_subject s = { .host = true, .exe = exe, .host_mntns = true };

	if (exe) {
		s.exe_dev = FAKE_DEV;
		s.exe_ino = fake_ino(exe);
	}
	return s;
}

static struct sdk_info sdk(const char *ua)
{
	struct sdk_info i;

	sdk_parse_ua(ua, strlen(ua), &i);
	return i;
}

static struct rules_http imds_creds(enum imds_version v, const struct sdk_info *sdk)
{
	struct rules_http r = {
		.endpoint = EP_IMDS,
		.imds_ver = v,
		.credential_request = true,
		.sdk = sdk,
	};
	return r;
}

/* n findings; the rule of each in order */
static int http(const struct cw_subject *s, const struct rules_http *r, struct finding *f)
{
	return rules_eval_http(&pol, s, r, f);
}

static void expect(const char *name, int n, const struct finding *f, int want_n, enum cw_rule r0,
		   enum cw_severity s0, enum cw_rule r1, enum cw_severity s1)
{
	const char *saved = unit_current;

	unit_current = name;
	ASSERT_EQ(n, want_n);
	if (n >= 1 && want_n >= 1) {
		ASSERT_STREQ(f[0].name, rule_name(r0));
		ASSERT_EQ(f[0].severity, s0);
		ASSERT_STREQ(f[0].mitre, rule_mitre(r0));
		ASSERT_TRUE(f[0].summary[0] != 0);
	}
	if (n >= 2 && want_n >= 2) {
		ASSERT_STREQ(f[1].name, rule_name(r1));
		ASSERT_EQ(f[1].severity, s1);
	}
	unit_current = saved;
}

#define CONTAINS(hay, needle) ASSERT_TRUE(strstr((hay), (needle)) != NULL)

static void test_names(void)
{
	ASSERT_STREQ(rule_name(RULE_AGENT_BYPASS), "agent_bypass");
	ASSERT_STREQ(rule_mitre(RULE_AGENT_BYPASS), "T1552.005");
	ASSERT_STREQ(rule_mitre(RULE_IMDS_CREDENTIAL_FETCH), "T1552.005");
	ASSERT_STREQ(rule_mitre(RULE_IMDS_V1), "T1552.005");
	ASSERT_STREQ(rule_mitre(RULE_LEGACY_SDK), "T1552.005");
	ASSERT_STREQ(rule_mitre(RULE_POD_IDENTITY_UNASSOCIATED), "T1528");
	ASSERT_STREQ(rule_mitre(RULE_FOREIGN_TOKEN_READ), "T1528");
	ASSERT_STREQ(rule_mitre(RULE_HOST_TOKEN_READ), "T1528");
	ASSERT_STREQ(rule_mitre(RULE_STATIC_CREDENTIALS_READ), "T1552.001");
	ASSERT_STREQ(rule_mitre(RULE_CREDENTIAL_SOCKET_ACCESS), "T1552.007");
	ASSERT_EQ(rule_default_severity(RULE_FOREIGN_TOKEN_READ), SEV_CRITICAL);
	ASSERT_EQ(rule_default_severity(RULE_LEGACY_SDK), SEV_MEDIUM);
	ASSERT_NULL(rule_name(RULE__COUNT));
	ASSERT_NULL(rule_mitre(99));
	for (int i = 0; i < RULE__COUNT; i++)
		ASSERT_EQ(rule_parse(rule_name(i)), i);
	ASSERT_EQ(rule_parse("IMDS_V1"), -1);
	ASSERT_EQ(severity_parse("critical"), SEV_CRITICAL);
	ASSERT_EQ(severity_parse("none"), -1);
	ASSERT_STREQ(severity_name(SEV_LOW), "low");
	ASSERT_EQ(severity_lower(SEV_CRITICAL), SEV_HIGH);
	ASSERT_EQ(severity_lower(SEV_HIGH), SEV_MEDIUM);
	ASSERT_EQ(severity_lower(SEV_MEDIUM), SEV_LOW);
	ASSERT_EQ(severity_lower(SEV_LOW), SEV_LOW);
	ASSERT_EQ(file_kind_parse("irsa_token"), FK_IRSA_TOKEN);
	ASSERT_EQ(file_kind_parse("kubelet_credentials"), FK_KUBELET_CREDENTIALS);
	ASSERT_EQ(file_kind_parse("aws_sso_cache"), FK_AWS_SSO_CACHE);
	ASSERT_EQ(file_kind_parse("bogus"), FK_NONE);
	ASSERT_EQ(file_kind_parse(NULL), FK_NONE);
	ASSERT_STREQ(file_kind_name(FK_AWS_CLI_CACHE), "aws_cli_cache");
}

static void test_agent_bypass(void)
{
	struct finding f[RULES_MAX_FINDINGS];
	struct cw_subject s;
	struct rules_http r = imds_creds(IMDS_VER_2, NULL);
	int n;

	s = pod("shop", "cart-1", ATTRIB_CRED_POD_IDENTITY, ATTRIB_CRED_POD_IDENTITY);
	n = http(&s, &r, f);
	expect("pod identity", n, f, 1, RULE_AGENT_BYPASS, SEV_HIGH, 0, 0);
	CONTAINS(f[0].summary, "shop/cart-1");
	CONTAINS(f[0].summary, "Pod Identity");

	s = pod("shop", "cart-1", ATTRIB_CRED_IRSA, ATTRIB_CRED_IRSA);
	n = http(&s, &r, f);
	expect("irsa", n, f, 1, RULE_AGENT_BYPASS, SEV_HIGH, 0, 0);
	CONTAINS(f[0].summary, "IRSA");

	/* only another container of the pod is configured: the pod union */
	s = pod("shop", "cart-1", ATTRIB_CRED_POD_IDENTITY | ATTRIB_CRED_NODE_ROLE,
		ATTRIB_CRED_NODE_ROLE);
	n = http(&s, &r, f);
	expect("pod union", n, f, 1, RULE_AGENT_BYPASS, SEV_HIGH, 0, 0);
	CONTAINS(f[0].summary, "another container");

	s = pod("shop", "cart-1", ATTRIB_CRED_NODE_ROLE, ATTRIB_CRED_NODE_ROLE);
	s.pod_identity_associated = true;
	n = http(&s, &r, f);
	expect("associated", n, f, 1, RULE_AGENT_BYPASS, SEV_HIGH, 0, 0);

	/* unknown container config (0) with an IRSA sibling */
	s = pod("shop", "cart-1", ATTRIB_CRED_IRSA, 0);
	n = http(&s, &r, f);
	expect("irsa sibling", n, f, 1, RULE_AGENT_BYPASS, SEV_HIGH, 0, 0);

	/* metadata only (not a credential path): nothing */
	s = pod("shop", "cart-1", ATTRIB_CRED_POD_IDENTITY, ATTRIB_CRED_POD_IDENTITY);
	r.credential_request = false;
	ASSERT_EQ(http(&s, &r, f), 0);

	/* blocked (401 / timeout): one step lower */
	r = imds_creds(IMDS_VER_2, NULL);
	r.blocked = true;
	n = http(&s, &r, f);
	expect("blocked", n, f, 1, RULE_AGENT_BYPASS, SEV_MEDIUM, 0, 0);
	CONTAINS(f[0].summary, "(blocked)");
}

static void test_imds_credential_fetch(void)
{
	struct finding f[RULES_MAX_FINDINGS];
	struct cw_subject s;
	struct rules_http r = imds_creds(IMDS_VER_2, NULL);
	int n;

	s = pod("default", "web-1", ATTRIB_CRED_NODE_ROLE, ATTRIB_CRED_NODE_ROLE);
	n = http(&s, &r, f);
	expect("plain pod", n, f, 1, RULE_IMDS_CREDENTIAL_FETCH, SEV_HIGH, 0, 0);
	CONTAINS(f[0].summary, "default/web-1");
	CONTAINS(f[0].summary, "container app");

	/* names unknown: the UID */
	s.pod_namespace = s.pod_name = NULL;
	n = http(&s, &r, f);
	expect("uid only", n, f, 1, RULE_IMDS_CREDENTIAL_FETCH, SEV_HIGH, 0, 0);
	CONTAINS(f[0].summary, "0b0e2f7a-1c2d-4e5f-8a9b-0c1d2e3f4a5b");

	/* the node components of facts section 6 */
	s = pod("kube-system", "aws-node-x7k2p", ATTRIB_CRED_NODE_ROLE, ATTRIB_CRED_NODE_ROLE);
	ASSERT_EQ(http(&s, &r, f), 0);
	s = pod("kube-system", "eks-pod-identity-agent-5xq9z", ATTRIB_CRED_NODE_ROLE,
		ATTRIB_CRED_NODE_ROLE);
	ASSERT_EQ(http(&s, &r, f), 0);
	/* the same names elsewhere are not node components */
	s = pod("default", "aws-node-x7k2p", ATTRIB_CRED_NODE_ROLE, ATTRIB_CRED_NODE_ROLE);
	n = http(&s, &r, f);
	expect("aws-node outside kube-system", n, f, 1, RULE_IMDS_CREDENTIAL_FETCH, SEV_HIGH, 0, 0);
	s = pod("kube-system", "aws-nodex", ATTRIB_CRED_NODE_ROLE, ATTRIB_CRED_NODE_ROLE);
	ASSERT_EQ(http(&s, &r, f), 1);
	s = pod("kube-system", NULL, ATTRIB_CRED_NODE_ROLE, ATTRIB_CRED_NODE_ROLE);
	ASSERT_EQ(http(&s, &r, f), 1); /* an unknown name matches no prefix */

	/* host processes (kubelet, nodeadm, SSM agent) use IMDS by design */
	s = host("/usr/bin/kubelet");
	ASSERT_EQ(http(&s, &r, f), 0);
	s = host("/usr/bin/curl");
	ASSERT_EQ(http(&s, &r, f), 0);

	/* other endpoints are not IMDS */
	s = pod("default", "web-1", ATTRIB_CRED_NODE_ROLE, ATTRIB_CRED_NODE_ROLE);
	r.endpoint = EP_ECS;
	r.imds_ver = IMDS_VER_NA;
	ASSERT_EQ(http(&s, &r, f), 0);
}

static void test_imds_v1(void)
{
	struct finding f[RULES_MAX_FINDINGS];
	struct sdk_info old = sdk("Botocore/1.29.27 Python/3.11.2 Linux/6.1.0");
	struct sdk_info curl = sdk("curl/7.88.1");
	struct cw_subject s;
	struct rules_http r;
	int n;

	/* a host process too, on a metadata path, naming the SDK */
	s = host("/usr/bin/python3");
	r = imds_creds(IMDS_VER_1, &old);
	r.credential_request = false;
	n = http(&s, &r, f);
	expect("host v1", n, f, 1, RULE_IMDS_V1, SEV_MEDIUM, 0, 0);
	CONTAINS(f[0].summary, "host process /usr/bin/python3");
	CONTAINS(f[0].summary, "botocore 1.29.27");

	/* a tool is named as such */
	r.sdk = &curl;
	n = http(&s, &r, f);
	expect("curl", n, f, 1, RULE_IMDS_V1, SEV_MEDIUM, 0, 0);
	CONTAINS(f[0].summary, "curl");

	/* v2 and the token PUT are not v1 */
	r.imds_ver = IMDS_VER_2;
	ASSERT_EQ(http(&s, &r, f), 0);
	r.imds_ver = IMDS_VER_TOKEN_PUT;
	ASSERT_EQ(http(&s, &r, f), 0);

	/* a pod fetching credentials over v1: two findings, most severe first */
	s = pod("default", "web-1", ATTRIB_CRED_NODE_ROLE, ATTRIB_CRED_NODE_ROLE);
	r = imds_creds(IMDS_VER_1, NULL);
	n = http(&s, &r, f);
	expect("pod v1 creds", n, f, 2, RULE_IMDS_CREDENTIAL_FETCH, SEV_HIGH, RULE_IMDS_V1,
	       SEV_MEDIUM);

	/* an allowlisted node component still gets imds_v1: allowlists are per rule */
	s = pod("kube-system", "aws-node-x7k2p", ATTRIB_CRED_NODE_ROLE, ATTRIB_CRED_NODE_ROLE);
	n = http(&s, &r, f);
	expect("aws-node v1", n, f, 1, RULE_IMDS_V1, SEV_MEDIUM, 0, 0);

	/* refused with 401 (HttpTokens=required): low, still reported */
	r.blocked = true;
	n = http(&s, &r, f);
	expect("v1 401", n, f, 1, RULE_IMDS_V1, SEV_LOW, 0, 0);
}

static void test_legacy_sdk(void)
{
	struct finding f[RULES_MAX_FINDINGS];
	struct sdk_info old = sdk("Botocore/1.29.27 Python/3.11.2 Linux/6.1.0");
	struct sdk_info cli =
		sdk("aws-cli/2.9.19 Python/3.11.2 Linux/6.1.0 source/x86_64.debian.12");
	struct sdk_info js =
		sdk("aws-sdk-js/3.600.0 ua/2.0 os/linux#6.1.0 lang/js md/nodejs#20.11.0");
	struct sdk_info unknown = sdk("python-requests/2.31.0");
	struct cw_subject s;
	struct rules_http r;
	int n;

	/* an old SDK in a Pod Identity pod falls through to IMDS */
	s = pod("shop", "cart-1", ATTRIB_CRED_POD_IDENTITY, ATTRIB_CRED_POD_IDENTITY);
	r = imds_creds(IMDS_VER_2, &old);
	n = http(&s, &r, f);
	expect("old botocore", n, f, 2, RULE_AGENT_BYPASS, SEV_HIGH, RULE_LEGACY_SDK, SEV_MEDIUM);
	CONTAINS(f[1].summary, "botocore 1.29.27");
	CONTAINS(f[1].summary, "1.34.41");

	r.sdk = &cli;
	n = http(&s, &r, f);
	expect("old cli", n, f, 2, RULE_AGENT_BYPASS, SEV_HIGH, RULE_LEGACY_SDK, SEV_MEDIUM);
	CONTAINS(f[1].summary, "2.15.0");

	/* metadata request with the old SDK (region lookup): still the SDK's age */
	r.credential_request = false;
	r.sdk = &old;
	n = http(&s, &r, f);
	expect("old sdk, metadata", n, f, 1, RULE_LEGACY_SDK, SEV_MEDIUM, 0, 0);

	/* the pod union: only a sibling is configured */
	s = pod("shop", "cart-1", ATTRIB_CRED_POD_IDENTITY | ATTRIB_CRED_NODE_ROLE,
		ATTRIB_CRED_NODE_ROLE);
	n = http(&s, &r, f);
	expect("old sdk, sibling", n, f, 1, RULE_LEGACY_SDK, SEV_MEDIUM, 0, 0);

	/* a current SDK at the agent: nothing */
	s = pod("shop", "cart-1", ATTRIB_CRED_POD_IDENTITY, ATTRIB_CRED_POD_IDENTITY);
	r = (struct rules_http){ .endpoint = EP_POD_IDENTITY,
				 .credential_request = true,
				 .sdk = &js };
	ASSERT_EQ(http(&s, &r, f), 0);
	/* unknown version / not an SDK: nothing */
	r.sdk = &unknown;
	ASSERT_EQ(http(&s, &r, f), 0);
	r.sdk = NULL;
	ASSERT_EQ(http(&s, &r, f), 0);

	/* not configured for Pod Identity (IRSA): an old SDK is fine */
	s = pod("shop", "cart-1", ATTRIB_CRED_IRSA, ATTRIB_CRED_IRSA);
	r = imds_creds(IMDS_VER_2, &old);
	r.credential_request = false;
	ASSERT_EQ(http(&s, &r, f), 0);
	/* nor on a host */
	s = host("/usr/bin/aws");
	ASSERT_EQ(http(&s, &r, f), 0);
}

static void test_pod_identity_unassociated(void)
{
	struct finding f[RULES_MAX_FINDINGS];
	struct rules_http r = { .endpoint = EP_POD_IDENTITY, .credential_request = true };
	struct cw_subject s;
	int n;

	s = pod("default", "web-1", ATTRIB_CRED_NODE_ROLE, ATTRIB_CRED_NODE_ROLE);
	n = http(&s, &r, f);
	expect("unassociated", n, f, 1, RULE_POD_IDENTITY_UNASSOCIATED, SEV_MEDIUM, 0, 0);
	ASSERT_STREQ(f[0].mitre, "T1528");

	s = pod("default", "web-1", ATTRIB_CRED_IRSA, ATTRIB_CRED_IRSA);
	ASSERT_EQ(http(&s, &r, f), 1);

	/* associated (own container, sibling, or the flag): the intended path */
	s = pod("default", "web-1", ATTRIB_CRED_POD_IDENTITY, ATTRIB_CRED_POD_IDENTITY);
	ASSERT_EQ(http(&s, &r, f), 0);
	s = pod("default", "web-1", ATTRIB_CRED_POD_IDENTITY | ATTRIB_CRED_NODE_ROLE,
		ATTRIB_CRED_NODE_ROLE);
	ASSERT_EQ(http(&s, &r, f), 0);
	s = pod("default", "web-1", 0, 0);
	s.pod_identity_associated = true;
	ASSERT_EQ(http(&s, &r, f), 0);

	/* not the credential path (health, anything else) */
	s = pod("default", "web-1", ATTRIB_CRED_NODE_ROLE, ATTRIB_CRED_NODE_ROLE);
	r.credential_request = false;
	ASSERT_EQ(http(&s, &r, f), 0);

	/* blocked by the agent (no association: 4xx) */
	r.credential_request = true;
	r.blocked = true;
	n = http(&s, &r, f);
	expect("unassociated blocked", n, f, 1, RULE_POD_IDENTITY_UNASSOCIATED, SEV_LOW, 0, 0);

	s = host("/usr/bin/curl");
	ASSERT_EQ(http(&s, &r, f), 0);
}

static struct rules_file token_of(const char *uid, bool verified)
{
	struct rules_file fa = {
		.kind = FK_IRSA_TOKEN,
		.owner_found = true,
		.owner_verified = verified,
		.owner_pod_uid = uid,
		.owner_namespace = "payments",
		.owner_pod_name = "api-0",
	};
	return fa;
}

static void test_tokens(void)
{
	struct finding f[RULES_MAX_FINDINGS];
	struct cw_subject s = pod("default", "web-1", ATTRIB_CRED_NODE_ROLE, ATTRIB_CRED_NODE_ROLE);
	const char *own = s.pod_uid, *other = "99999999-8888-7777-6666-555555555555";
	struct rules_file fa;
	int n;

	/* its own token: nothing */
	fa = token_of(own, true);
	ASSERT_EQ(rules_eval_file(&pol, &s, &fa, f), 0);
	fa.kind = FK_POD_IDENTITY_TOKEN;
	ASSERT_EQ(rules_eval_file(&pol, &s, &fa, f), 0);
	fa.kind = FK_SA_TOKEN;
	ASSERT_EQ(rules_eval_file(&pol, &s, &fa, f), 0);

	/* another pod's, verified: critical */
	fa = token_of(other, true);
	n = rules_eval_file(&pol, &s, &fa, f);
	expect("foreign", n, f, 1, RULE_FOREIGN_TOKEN_READ, SEV_CRITICAL, 0, 0);
	CONTAINS(f[0].summary, "payments/api-0");
	CONTAINS(f[0].summary, "IRSA token");
	fa.kind = FK_SA_TOKEN;
	ASSERT_EQ(rules_eval_file(&pol, &s, &fa, f), 1);
	/* a failed open (denied, missing) has no file: audit only, unless it is a pattern */
	fa.blocked = fa.failed = true;
	ASSERT_EQ(rules_eval_file(&pol, &s, &fa, f), 0);
	fa.recon = RULES_RECON_MIN - 1;
	ASSERT_EQ(rules_eval_file(&pol, &s, &fa, f), 0);
	fa.recon = RULES_RECON_MIN;
	n = rules_eval_file(&pol, &s, &fa, f);
	expect("recon", n, f, 1, RULE_CREDENTIAL_RECONNAISSANCE, SEV_MEDIUM, 0, 0);
	CONTAINS(f[0].summary, "probed 3 distinct credential locations");
	fa.blocked = fa.failed = false;
	fa.recon = 0;
	/* a fileless process reading another pod's token: both findings */
	s.fileless = true;
	s.exe = "memfd:x";
	n = rules_eval_file(&pol, &s, &fa, f);
	expect("foreign, fileless", n, f, 2, RULE_FOREIGN_TOKEN_READ, SEV_CRITICAL,
	       RULE_FILELESS_CREDENTIAL_ACCESS, SEV_HIGH);
	CONTAINS(f[1].summary, "(memfd:x)");
	s.fileless = false;
	s.exe = "/usr/bin/python3";
	/* an open that could not be looked at */
	fa.unseen = true;
	n = rules_eval_file(&pol, &s, &fa, f);
	expect("unseen", n, f, 1, RULE_UNOBSERVED_FILE_OPEN, SEV_MEDIUM, 0, 0);
	fa.unseen = false;

	/* path-only owner (spoofable) or none: no finding */
	fa = token_of(other, false);
	ASSERT_EQ(rules_eval_file(&pol, &s, &fa, f), 0);
	fa = token_of(other, true);
	fa.owner_found = false;
	ASSERT_EQ(rules_eval_file(&pol, &s, &fa, f), 0);
	fa = token_of(NULL, true);
	ASSERT_EQ(rules_eval_file(&pol, &s, &fa, f), 0);

	/* a container that is not a pod (no UID) reading a pod's token */
	s.pod_uid = NULL;
	fa = token_of(other, true);
	ASSERT_EQ(rules_eval_file(&pol, &s, &fa, f), 1);

	/* host processes: the kubelet and containerd are node components, by identity */
	s = host("/usr/bin/kubelet");
	ASSERT_EQ(rules_eval_file(&pol, &s, &fa, f), 0);
	s.host_mntns = false; /* the host's kubelet binary, exec'd from a pod's namespace */
	ASSERT_EQ(rules_eval_file(&pol, &s, &fa, f), 1);
	s = host("/usr/bin/kubelet");
	s.exe_ino++; /* another file at the kubelet's path (a pod moved to the root cgroup) */
	ASSERT_EQ(rules_eval_file(&pol, &s, &fa, f), 1);
	s = host("/usr/bin/kubelet");
	s.fileless = true; /* a memfd named kubelet */
	ASSERT_EQ(rules_eval_file(&pol, &s, &fa, f), 2);
	s = host("/usr/bin/kubelet");
	ASSERT_EQ(rules_eval_file(&pol, &s, &fa, f), 0);
	s = host("/usr/local/bin/kubelet");
	ASSERT_EQ(rules_eval_file(&pol, &s, &fa, f), 0);
	s = host("/usr/bin/containerd");
	ASSERT_EQ(rules_eval_file(&pol, &s, &fa, f), 0);
	s = host("/usr/bin/cat");
	n = rules_eval_file(&pol, &s, &fa, f);
	expect("host cat", n, f, 1, RULE_HOST_TOKEN_READ, SEV_HIGH, 0, 0);
	CONTAINS(f[0].summary, "host process /usr/bin/cat");
	/* even with the owner unknown */
	fa.owner_found = fa.owner_verified = false;
	fa.owner_namespace = fa.owner_pod_name = NULL;
	ASSERT_EQ(rules_eval_file(&pol, &s, &fa, f), 1);
	s = host(NULL);
	ASSERT_EQ(rules_eval_file(&pol, &s, &fa, f), 1);
}

static void test_static_files(void)
{
	static const enum file_kind kinds[] = { FK_AWS_CREDENTIALS, FK_AWS_CONFIG, FK_AWS_SSO_CACHE,
						FK_AWS_CLI_CACHE, FK_KUBELET_CREDENTIALS };
	struct finding f[RULES_MAX_FINDINGS];
	struct cw_subject p = pod("default", "web-1", ATTRIB_CRED_NODE_ROLE, ATTRIB_CRED_NODE_ROLE);
	struct cw_subject h = host("/usr/bin/cat");
	struct cw_subject kubelet = host("/usr/bin/kubelet");
	struct rules_file fa = { 0 };
	int n;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		fa.kind = kinds[i];
		n = rules_eval_file(&pol, &p, &fa, f);
		expect("static, pod", n, f, 1, RULE_STATIC_CREDENTIALS_READ, SEV_MEDIUM, 0, 0);
		ASSERT_STREQ(f[0].mitre, "T1552.001");
		CONTAINS(f[0].summary, file_kind_name(kinds[i]));
		n = rules_eval_file(&pol, &h, &fa, f);
		expect("static, host", n, f, 1, RULE_STATIC_CREDENTIALS_READ, SEV_MEDIUM, 0, 0);
		/* the kubelet reading its own kubeconfig / certificate is by design */
		ASSERT_EQ(rules_eval_file(&pol, &kubelet, &fa, f), 0);
	}
	fa.kind = FK_NONE;
	ASSERT_EQ(rules_eval_file(&pol, &p, &fa, f), 0);
	ASSERT_EQ(rules_eval_file(&pol, &h, &fa, f), 0);
}

static void test_sockets(void)
{
	struct finding f[RULES_MAX_FINDINGS];
	struct cw_subject s = pod("default", "web-1", ATTRIB_CRED_NODE_ROLE, ATTRIB_CRED_NODE_ROLE);
	struct rules_socket k = { 0 };
	int n;

	for (int kind = 0; kind < SOCK_KIND_MAX; kind++) {
		k.kind = kind;
		n = rules_eval_socket(&pol, &s, &k, f);
		expect("socket", n, f, 1, RULE_CREDENTIAL_SOCKET_ACCESS, SEV_HIGH, 0, 0);
		ASSERT_STREQ(f[0].mitre, "T1552.007");
		CONTAINS(f[0].summary, socket_kind_name(kind));
	}
	k.kind = SOCK_KIND_CONTAINER_RUNTIME;
	k.blocked = true;
	n = rules_eval_socket(&pol, &s, &k, f);
	expect("socket denied", n, f, 1, RULE_CREDENTIAL_SOCKET_ACCESS, SEV_MEDIUM, 0, 0);
	/* CSI node plugins (registrar sidecars) */
	s = pod("kube-system", "ebs-csi-node-abcde", 0, 0);
	k.kind = SOCK_KIND_CSI;
	ASSERT_EQ(rules_eval_socket(&pol, &s, &k, f), 0);
	/* host processes: the kubelet and friends */
	s = host("/usr/bin/crictl");
	ASSERT_EQ(rules_eval_socket(&pol, &s, &k, f), 0);
}

static void test_policy_effects(void)
{
	struct finding f[RULES_MAX_FINDINGS];
	struct policy p;
	struct cw_subject s = pod("default", "web-1", ATTRIB_CRED_NODE_ROLE, ATTRIB_CRED_NODE_ROLE);
	struct rules_http r = imds_creds(IMDS_VER_1, NULL);
	struct policy_allow *a;
	int n;

	policy_defaults(&p);
	/* off */
	p.rule[RULE_IMDS_CREDENTIAL_FETCH].enabled = false;
	n = rules_eval_http(&p, &s, &r, f);
	expect("disabled", n, f, 1, RULE_IMDS_V1, SEV_MEDIUM, 0, 0);
	/* severity override, then the blocked step */
	p.rule[RULE_IMDS_V1].severity = SEV_CRITICAL;
	n = rules_eval_http(&p, &s, &r, f);
	expect("override", n, f, 1, RULE_IMDS_V1, SEV_CRITICAL, 0, 0);
	r.blocked = true;
	n = rules_eval_http(&p, &s, &r, f);
	expect("override blocked", n, f, 1, RULE_IMDS_V1, SEV_HIGH, 0, 0);
	p.rule[RULE_IMDS_V1].severity = SEV_LOW;
	n = rules_eval_http(&p, &s, &r, f);
	expect("low blocked", n, f, 1, RULE_IMDS_V1, SEV_LOW, 0, 0);

	/* allow by image prefix and by service account (all fields must match) */
	policy_defaults(&p);
	r.blocked = false;
	a = &p.allow[p.nallow++];
	memset(a, 0, sizeof(*a));
	a->rule = RULE_IMDS_V1;
	snprintf(a->image_prefix, sizeof(a->image_prefix), "docker.io/library/python:");
	snprintf(a->service_account, sizeof(a->service_account), "default");
	n = rules_eval_http(&p, &s, &r, f);
	expect("allowed v1", n, f, 1, RULE_IMDS_CREDENTIAL_FETCH, SEV_HIGH, 0, 0);
	s.service_account = "other";
	ASSERT_EQ(rules_eval_http(&p, &s, &r, f), 2);
	s.service_account = NULL;
	ASSERT_EQ(rules_eval_http(&p, &s, &r, f), 2);
	/* host_exe entries match host processes only, by the file's identity */
	a->image_prefix[0] = a->service_account[0] = 0;
	snprintf(a->host_exe, sizeof(a->host_exe), "/usr/bin/python3");
	resolve_all(&p);
	s.exe_dev = FAKE_DEV;
	s.exe_ino = fake_ino("/usr/bin/python3");
	ASSERT_EQ(rules_eval_http(&p, &s, &r, f), 2); /* a pod running the very same file */
	s = host("/usr/bin/python3");
	ASSERT_EQ(rules_eval_http(&p, &s, &r, f), 0);
	s = host("/usr/bin/python3.11");
	ASSERT_EQ(rules_eval_http(&p, &s, &r, f), 1);

	/* NULL policy: every rule on at its default severity, nothing allowlisted */
	s = pod("kube-system", "aws-node-x7k2p", ATTRIB_CRED_NODE_ROLE, ATTRIB_CRED_NODE_ROLE);
	n = rules_eval_http(NULL, &s, &r, f);
	expect("no policy", n, f, 2, RULE_IMDS_CREDENTIAL_FETCH, SEV_HIGH, RULE_IMDS_V1,
	       SEV_MEDIUM);
}

static void test_put(void)
{
	static const char want[] =
		"{\"finding\":{\"rule\":\"imds_credential_fetch\",\"severity\":\"high\","
		"\"mitre\":\"T1552.005\",\"summary\":\"pod default/web-1 container app "
		"fetched node-role credentials from IMDS\"},\"findings\":[{\"rule\":"
		"\"imds_v1\",\"severity\":\"medium\",\"mitre\":\"T1552.005\",";
	struct finding f[RULES_MAX_FINDINGS];
	struct cw_subject s = pod("default", "web-1", ATTRIB_CRED_NODE_ROLE, ATTRIB_CRED_NODE_ROLE);
	struct rules_http r = imds_creds(IMDS_VER_1, NULL);
	char buf[2048];
	struct jw w;
	int n;

	/* none: nothing written */
	jw_init(&w, buf, sizeof(buf));
	jw_obj_open(&w, NULL);
	json_put_findings(&w, f, 0);
	jw_finish(&w);
	ASSERT_STREQ(buf, "{}");

	n = http(&s, &r, f);
	ASSERT_EQ(n, 2);
	/* even if given least severe first, "finding" is the most severe */
	{
		struct finding t = f[0];

		f[0] = f[1];
		f[1] = t;
	}
	jw_init(&w, buf, sizeof(buf));
	jw_obj_open(&w, NULL);
	json_put_findings(&w, f, n);
	jw_finish(&w);
	ASSERT_TRUE(strncmp(buf, want, strlen(want)) == 0);
	CONTAINS(buf, "\"findings\":[{\"rule\":\"imds_v1\"");
	CONTAINS(buf, "},{\"rule\":\"imds_credential_fetch\"");
	ASSERT_EQ(buf[strlen(buf) - 1], '}');
	ASSERT_EQ(buf[strlen(buf) - 2], ']');
}

/* Hostile strings stay bounded and the output stays one JSON line. */
static void test_bounds(void)
{
	struct finding f[RULES_MAX_FINDINGS];
	char big[4096];
	struct cw_subject s;
	struct rules_http r = imds_creds(IMDS_VER_1, NULL);
	char buf[4096];
	struct jw w;
	int n;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	big[10] = '\n';
	big[11] = '"';
	s = pod(big, big, ATTRIB_CRED_POD_IDENTITY, ATTRIB_CRED_POD_IDENTITY);
	s.container = big;
	s.exe = big;
	n = http(&s, &r, f);
	ASSERT_EQ(n, 2);
	for (int i = 0; i < n; i++)
		ASSERT_TRUE(strlen(f[i].summary) < RULES_SUMMARY_MAX);
	jw_init(&w, buf, sizeof(buf));
	jw_obj_open(&w, NULL);
	json_put_findings(&w, f, n);
	jw_finish(&w);
	ASSERT_FALSE(jw_overflowed(&w));
	ASSERT_NULL(strchr(buf, '\n'));
}

int main(void)
{
	policy_defaults(&pol);
	resolve_all(&pol);
	RUN(test_names);
	RUN(test_agent_bypass);
	RUN(test_imds_credential_fetch);
	RUN(test_imds_v1);
	RUN(test_legacy_sdk);
	RUN(test_pod_identity_unassociated);
	RUN(test_tokens);
	RUN(test_static_files);
	RUN(test_sockets);
	RUN(test_policy_effects);
	RUN(test_put);
	RUN(test_bounds);
	return unit_report("rules");
}
