// SPDX-License-Identifier: GPL-2.0
/*
 * sdk: User-Agent -> AWS SDK name/version, version comparison, Pod Identity minimums.
 *
 * What the User-Agents really look like, and where that was checked:
 *  - botocore, boto3, AWS CLI v1: generated on this machine with the installed libraries
 *    (botocore/boto3 1.43.11, awscli 1.45.11; Session.user_agent() is also what botocore's
 *    IMDSFetcher sends, credentials.py passes session.user_agent()):
 *      "Botocore/1.43.11 Python/3.11.7 Linux/6.x"
 *      "Boto3/1.43.11 Python/3.11.7 Linux/6.x Botocore/1.43.11"   (boto3/session.py)
 *      "aws-cli/1.45.11 Python/3.11.7 Linux/6.x botocore/1.43.11" (note: lower-case botocore)
 *    botocore's newer "ua/2.x" format keeps the same leading "Name/version" token and names
 *    botocore as "md/Botocore#x"; boto3 and the CLI win over botocore either way.
 *  - AWS CLI v2: Debian's awscli 2.9.19 on this machine:
 *      "aws-cli/2.9.19 Python/3.11.2 Linux/6.x source/x86_64.debian.12" (no botocore token;
 *    it bundles its own botocore fork, versioned 2.0.0devN).
 *  - JavaScript v3: @aws-sdk/core util-user-agent-node (npm, 3.973.x): sections
 *    ["aws-sdk-js", clientVersion], ["ua","2.1"], os/..., lang/js, md/nodejs... ->
 *      "aws-sdk-js/3.600.0 ua/2.1 os/linux#6.1 lang/js md/nodejs#20.11.0 api/sts#3.600.0".
 *    Its IMDS provider (@smithy/credential-provider-imds) sends no User-Agent at all.
 *  - Go v2: the UA leads with "aws-sdk-go-v2/<core module version>" (aws/aws-sdk-go-v2).
 *  - Rust: "aws-sdk-rust/<version>", where the version is aws-types' build_metadata
 *    core_pkg_version, documented as "the version number of the aws-types crate" (smithy-rs).
 *  - .NET: AWSSDK.Core InternalSDKUtils.BuildUserAgentString formats
 *    "{base}/{serviceSdkVersion} aws-sdk-dotnet-core/{CoreVersion} {framework} OS/{platform}"
 *    with base "aws-sdk-dotnet-coreclr" (or -45/-35 on .NET Framework); seen in a fork of
 *    AWSSDK.Core. The Pod Identity minimum is an AWSSDK.Core version, so the core token wins.
 *  - Not verified against source here (taken from the brief / common knowledge, formats may
 *    differ in detail): Go v1 "aws-sdk-go/1.47.11 (go1.21.4; linux; amd64)", JS v2
 *    "aws-sdk-nodejs/2.x linux/v18" (browser builds "aws-sdk-js/2.x"), Java v1 and v2 both
 *    "aws-sdk-java/<ver> ..." (split by major), Ruby "aws-sdk-ruby3/<core gem ver>", PHP
 *    "aws-sdk-php/", C++ "aws-sdk-cpp/", Kotlin "aws-sdk-kotlin/", PowerShell
 *    "AWSPowerShell/", "AWSPowerShell.NetCore/", "AWSPowerShell.Common/" (any token whose name
 *    starts with AWSPowerShell; it rides on a .NET UA, and wins over the .NET tokens).
 *
 * When several SDK tokens appear the most specific product wins: PowerShell > aws-cli >
 * boto3 > any SDK > botocore. The loser that carries the underlying SDK is kept as aux.
 */
#include "enrich/sdk.h"
#include "util/names.h"

#include <string.h>

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static unsigned char to_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static bool ci_eq(const char *s, size_t n, const char *lit)
{
	size_t i;

	if (strlen(lit) != n)
		return false;
	for (i = 0; i < n; i++)
		if (to_lower((unsigned char)s[i]) != (unsigned char)lit[i])
			return false;
	return true;
}

static bool ci_starts(const char *s, size_t n, const char *lit)
{
	size_t i, l = strlen(lit);

	if (n < l)
		return false;
	for (i = 0; i < l; i++)
		if (to_lower((unsigned char)s[i]) != (unsigned char)lit[i])
			return false;
	return true;
}

/* ------------------------------------------------------------------------------------------ */
/* Names and minimums                                                                         */
/* ------------------------------------------------------------------------------------------ */

static const char *const names[SDK__COUNT] = {
	[SDK_UNKNOWN] = "unknown",
	[SDK_BOTOCORE] = "botocore",
	[SDK_BOTO3] = "boto3",
	[SDK_AWS_CLI] = "aws-cli",
	[SDK_AWS_CLI_V1] = "aws-cli", /* the major version is in sdk.version */
	[SDK_AWS_CLI_V2] = "aws-cli",
	[SDK_JS] = "aws-sdk-js",
	[SDK_JS_V2] = "aws-sdk-js-v2",
	[SDK_JS_V3] = "aws-sdk-js-v3",
	[SDK_JAVA] = "aws-sdk-java",
	[SDK_JAVA_V1] = "aws-sdk-java-v1",
	[SDK_JAVA_V2] = "aws-sdk-java-v2",
	[SDK_GO_V1] = "aws-sdk-go-v1",
	[SDK_GO_V2] = "aws-sdk-go-v2",
	[SDK_RUST] = "aws-sdk-rust",
	[SDK_DOTNET] = "aws-sdk-dotnet",
	[SDK_RUBY] = "aws-sdk-ruby",
	[SDK_PHP] = "aws-sdk-php",
	[SDK_CPP] = "aws-sdk-cpp",
	[SDK_KOTLIN] = "aws-sdk-kotlin",
	[SDK_POWERSHELL] = "aws-powershell",
};

const char *sdk_name(enum sdk_id id)
{
	return NAME_OF(names, id, "unknown");
}

/*
 * Minimum versions that speak EKS Pod Identity (EKS user guide "pod-id-minimum-sdk", copied in
 * shared/eks-node-facts.md section 8). `min` is compared with sdk_info.version; `msg` is what a
 * human reads.
 *
 * Two entries are only lower bounds ("necessary, not sufficient"), because the table names a
 * release date while the UA carries a different module's version and the modules are versioned
 * independently:
 *  - Go v2, release-2023-11-14: the feature is credentials module v1.16.0 ("Add support for
 *    dynamic auth token from file and EKS container host in absolute/relative URIs in the HTTP
 *    credential provider", credentials/CHANGELOG.md, and the root CHANGELOG's
 *    "Release (2023-11-14)" general highlight). That release did not bump the core module: the
 *    core was v1.22.2 (2023-11-09) and went to v1.23.0 on 2023-11-15 (root CHANGELOG). A core
 *    older than 1.22.2 means a build older than that release, so too old (assuming, as the
 *    SDK's release tooling does, that credentials v1.16.0 requires the then-current core; not
 *    checked in its go.mod). A newer core does not prove a new enough credentials module:
 *    unknown.
 *  - Rust, release-2024-03-13: "EKS Pod Identity is now supported as part of the default ECS
 *    credential provider" (smithy-rs#3416; awslabs/aws-sdk-rust CHANGELOG "March 13th, 2024"),
 *    crate table aws-config 1.1.8 and aws-types 1.1.8 (the day before: both 1.1.7). The UA
 *    carries aws-types' version; aws-types < 1.1.8 rules out aws-config >= 1.1.8 (the runtime
 *    crates are released in lockstep and depend on the current sibling version; inferred, not
 *    read from aws-config's Cargo.toml). Cargo resolves aws-types to the newest 1.x whatever
 *    aws-config is, so a newer aws-types proves nothing: unknown.
 */
static const struct {
	const char *min;
	const char *msg;
	bool lower_bound_only;
} minimums[SDK__COUNT] = {
	[SDK_BOTOCORE] = { "1.34.41", "1.34.41", false },
	[SDK_BOTO3] = { "1.34.41", "1.34.41 (and botocore 1.34.41)", false },
	[SDK_AWS_CLI_V1] = { "1.30.0", "1.30.0", false },
	[SDK_AWS_CLI_V2] = { "2.15.0", "2.15.0", false },
	[SDK_JS_V2] = { "2.1550.0", "2.1550.0", false },
	[SDK_JS_V3] = { "3.458.0", "3.458.0", false },
	[SDK_JAVA_V1] = { "1.12.746", "1.12.746", false },
	[SDK_JAVA_V2] = { "2.21.30", "2.21.30", false },
	[SDK_GO_V1] = { "1.47.11", "1.47.11", false },
	[SDK_GO_V2] = { "1.22.2",
			"release-2023-11-14 (credentials module v1.16.0; UA core version 1.22.2 "
			"or later is necessary, not sufficient)",
			true },
	[SDK_RUST] = { "1.1.8",
		       "release-2024-03-13 (aws-config 1.1.8; UA aws-types version 1.1.8 or "
		       "later is necessary, not sufficient)",
		       true },
	[SDK_DOTNET] = { "3.7.302", "3.7.734.0 (AWSSDK.Core 3.7.302)", false },
	[SDK_RUBY] = { "3.188.0", "3.188.0 (aws-sdk-core)", false },
	[SDK_PHP] = { "3.287.1", "3.287.1", false },
	[SDK_CPP] = { "1.11.263", "1.11.263", false },
	[SDK_KOTLIN] = { "1.0.1", "1.0.1", false },
	[SDK_POWERSHELL] = { "4.1.502", "4.1.502", false },
};

const char *sdk_pod_identity_min(enum sdk_id id)
{
	if (id < 0 || id >= SDK__COUNT)
		return NULL;
	return minimums[id].msg;
}

static const char *const sdk_pi_support_names[] = {
	[SDK_PI_SUPPORTED] = "supported",
	[SDK_PI_TOO_OLD] = "too_old",
};

const char *sdk_pi_support_name(enum sdk_pi_support s)
{
	return NAME_OF(sdk_pi_support_names, s, "unknown");
}

/* ------------------------------------------------------------------------------------------ */
/* Version comparison                                                                         */
/* ------------------------------------------------------------------------------------------ */

#define VER_MAX_COMPONENTS 16

struct ver {
	unsigned long long c[VER_MAX_COMPONENTS];
	int n;
	const char *suffix; /* pre/post-release text after the numbers, "" when none */
	int rank;	    /* -1 pre-release, 0 release, +1 post-release */
};

static bool ver_parse(const char *s, struct ver *v)
{
	memset(v, 0, sizeof(*v));
	v->suffix = "";
	if (!s || !is_digit((unsigned char)*s))
		return false;
	for (;;) {
		unsigned long long x = 0;

		while (is_digit((unsigned char)*s)) {
			/* Saturate instead of overflowing on hostile input. */
			if (x < 100000000000000000ULL)
				x = x * 10 + (unsigned long long)(*s - '0');
			s++;
		}
		if (v->n < VER_MAX_COMPONENTS)
			v->c[v->n++] = x;
		if (*s == '.' && is_digit((unsigned char)s[1])) {
			s++;
			continue;
		}
		break;
	}
	/* "+build" metadata does not order (semver); anything else is a suffix. */
	if (*s == '\0' || *s == '+')
		return true;
	while (*s == '.' || *s == '-' || *s == '_')
		s++;
	v->suffix = s;
	/* PEP 440 ".postN" and "-pN" patch levels come after the release; the rest before. */
	v->rank =
		(!strncmp(s, "post", 4) || (s[0] == 'p' && is_digit((unsigned char)s[1]))) ? 1 : -1;
	return true;
}

int sdk_version_cmp(const char *a, const char *b)
{
	struct ver va, vb;
	bool oka = ver_parse(a, &va), okb = ver_parse(b, &vb);
	int i, n;

	if (!oka || !okb)
		return (int)oka - (int)okb;
	n = va.n > vb.n ? va.n : vb.n;
	for (i = 0; i < n; i++) {
		unsigned long long x = i < va.n ? va.c[i] : 0, y = i < vb.n ? vb.c[i] : 0;

		if (x != y)
			return x < y ? -1 : 1;
	}
	if (va.rank != vb.rank)
		return va.rank < vb.rank ? -1 : 1;
	if (va.rank == 0)
		return 0;
	i = strcmp(va.suffix, vb.suffix);
	return (i > 0) - (i < 0);
}

/* ------------------------------------------------------------------------------------------ */
/* User-Agent parsing                                                                         */
/* ------------------------------------------------------------------------------------------ */

struct found {
	bool seen;
	const char *v; /* version text, not NUL-terminated */
	size_t vlen;
};

struct scan {
	struct found sdk[SDK__COUNT];
	struct found dotnet_core;  /* aws-sdk-dotnet-core/ */
	struct found dotnet_other; /* aws-sdk-dotnet-coreclr/, -45/, -35/ ... */
	enum sdk_tool tool;
};

/* Leading decimal number of a version, -1 when there is none. Bounded against overflow. */
static long major_of(const char *v, size_t n)
{
	long m = 0;
	size_t i;

	if (n == 0 || !is_digit((unsigned char)v[0]))
		return -1;
	for (i = 0; i < n && is_digit((unsigned char)v[i]); i++)
		if (m < 100000)
			m = m * 10 + (v[i] - '0');
	return m;
}

static void remember(struct found *f, const char *v, size_t n)
{
	if (f->seen)
		return; /* the first occurrence wins */
	f->seen = true;
	f->v = v;
	f->vlen = n;
}

static void note_tool(struct scan *sc, enum sdk_tool t)
{
	if (sc->tool == TOOL_NONE)
		sc->tool = t;
}

/* One "name/version" product token (version may be empty; name never is). */
static void classify_token(struct scan *sc, const char *nm, size_t nl, const char *v, size_t vl,
			   bool has_slash)
{
	long major = major_of(v, vl);

	if (!has_slash) {
		/* busybox wget sends just "Wget". */
		if (ci_eq(nm, nl, "wget"))
			note_tool(sc, TOOL_WGET);
		return;
	}
	if (ci_eq(nm, nl, "botocore")) {
		remember(&sc->sdk[SDK_BOTOCORE], v, vl);
	} else if (ci_eq(nm, nl, "boto3")) {
		remember(&sc->sdk[SDK_BOTO3], v, vl);
	} else if (ci_eq(nm, nl, "aws-cli")) {
		remember(&sc->sdk[major == 1   ? SDK_AWS_CLI_V1
				  : major == 2 ? SDK_AWS_CLI_V2
					       : SDK_AWS_CLI],
			 v, vl);
	} else if (ci_eq(nm, nl, "aws-sdk-js")) {
		/* v3 and browser builds of v2 share the name; the major tells them apart. */
		remember(&sc->sdk[major == 3 ? SDK_JS_V3 : major == 2 ? SDK_JS_V2 : SDK_JS], v, vl);
	} else if (ci_eq(nm, nl, "aws-sdk-nodejs")) {
		remember(&sc->sdk[major == 2 ? SDK_JS_V2 : SDK_JS], v, vl);
	} else if (ci_eq(nm, nl, "aws-sdk-java")) {
		remember(&sc->sdk[major == 1   ? SDK_JAVA_V1
				  : major == 2 ? SDK_JAVA_V2
					       : SDK_JAVA],
			 v, vl);
	} else if (ci_eq(nm, nl, "aws-sdk-go")) {
		remember(&sc->sdk[SDK_GO_V1], v, vl);
	} else if (ci_eq(nm, nl, "aws-sdk-go-v2")) {
		remember(&sc->sdk[SDK_GO_V2], v, vl);
	} else if (ci_eq(nm, nl, "aws-sdk-rust")) {
		remember(&sc->sdk[SDK_RUST], v, vl);
	} else if (ci_eq(nm, nl, "aws-sdk-dotnet-core")) {
		remember(&sc->dotnet_core, v, vl);
		remember(&sc->sdk[SDK_DOTNET], v, vl);
	} else if (ci_starts(nm, nl, "aws-sdk-dotnet")) {
		remember(&sc->dotnet_other, v, vl);
		remember(&sc->sdk[SDK_DOTNET], v, vl);
	} else if (ci_eq(nm, nl, "aws-sdk-ruby3") || ci_eq(nm, nl, "aws-sdk-ruby2") ||
		   ci_eq(nm, nl, "aws-sdk-ruby")) {
		remember(&sc->sdk[SDK_RUBY], v, vl);
	} else if (ci_eq(nm, nl, "aws-sdk-php")) {
		remember(&sc->sdk[SDK_PHP], v, vl);
	} else if (ci_eq(nm, nl, "aws-sdk-cpp")) {
		remember(&sc->sdk[SDK_CPP], v, vl);
	} else if (ci_eq(nm, nl, "aws-sdk-kotlin")) {
		remember(&sc->sdk[SDK_KOTLIN], v, vl);
	} else if (ci_starts(nm, nl, "awspowershell")) {
		remember(&sc->sdk[SDK_POWERSHELL], v, vl);
	} else if (ci_eq(nm, nl, "curl")) {
		note_tool(sc, TOOL_CURL);
	} else if (ci_eq(nm, nl, "wget")) {
		note_tool(sc, TOOL_WGET);
	} else if (ci_eq(nm, nl, "python-requests")) {
		note_tool(sc, TOOL_PYTHON_REQUESTS);
	} else if (ci_eq(nm, nl, "python-urllib3") || ci_eq(nm, nl, "python-urllib")) {
		note_tool(sc, TOOL_PYTHON_URLLIB);
	} else if (ci_eq(nm, nl, "go-http-client")) {
		note_tool(sc, TOOL_GO_HTTP);
	} else if (ci_eq(nm, nl, "windowspowershell") || ci_eq(nm, nl, "powershell")) {
		note_tool(sc, TOOL_POWERSHELL_IWR);
	}
}

/* Copy a version: only printable non-space bytes, must start with a digit, bounded. */
static void copy_version(char *dst, bool *trunc, const char *v, size_t n)
{
	size_t i;

	dst[0] = '\0';
	if (trunc)
		*trunc = false;
	if (!v || n == 0 || !is_digit((unsigned char)v[0]))
		return;
	for (i = 0; i < n && i < SDK_VERSION_MAX; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c <= 0x20 || c >= 0x7f)
			break;
		dst[i] = (char)c;
	}
	dst[i] = '\0';
	if (trunc && i == SDK_VERSION_MAX && n > SDK_VERSION_MAX)
		*trunc = true;
}

static int priority(enum sdk_id id)
{
	switch (id) {
	case SDK_POWERSHELL:
		return 5;
	case SDK_AWS_CLI:
	case SDK_AWS_CLI_V1:
	case SDK_AWS_CLI_V2:
		return 4;
	case SDK_BOTO3:
		return 3;
	case SDK_BOTOCORE:
		return 1;
	default:
		return 2;
	}
}

static const char *const tool_names[] = {
	[TOOL_NONE] = NULL,
	[TOOL_CURL] = "curl",
	[TOOL_WGET] = "wget",
	[TOOL_PYTHON_REQUESTS] = "python-requests",
	[TOOL_PYTHON_URLLIB] = "python-urllib",
	[TOOL_GO_HTTP] = "go-http-client",
	[TOOL_POWERSHELL_IWR] = "powershell-webrequest",
};

void sdk_parse_ua(const char *ua, size_t len, struct sdk_info *out)
{
	struct scan sc;
	const char *p = ua, *end;
	enum sdk_id best = SDK_UNKNOWN;
	int id;

	memset(out, 0, sizeof(*out));
	memset(&sc, 0, sizeof(sc));
	out->name = names[SDK_UNKNOWN];
	if (!ua)
		return; /* (and NULL + 0 would be undefined behaviour) */
	end = p + len;

	/*
	 * Tokens are separated by whitespace; "(...)" comments (RFC 9110 10.1.5, e.g. Go v1's
	 * "(go1.21.4; linux; amd64)") are skipped with a bounded depth. A NUL byte counts as a
	 * separator so a binary UA cannot glue tokens together.
	 */
	while (p < end) {
		const char *t, *slash = NULL;

		if (is_space((unsigned char)*p) || *p == '\0') {
			p++;
			continue;
		}
		if (*p == '(') {
			int depth = 0;

			for (; p < end; p++) {
				if (*p == '(' && depth < 64)
					depth++;
				else if (*p == ')' && --depth == 0) {
					p++;
					break;
				}
			}
			continue;
		}
		t = p;
		while (p < end && !is_space((unsigned char)*p) && *p != '\0' && *p != '(') {
			if (*p == '/' && !slash)
				slash = p;
			p++;
		}
		if (slash && slash > t) {
			const char *ve = p;

			/* Trailing separators some clients glue on ("x/1.2;"). */
			while (ve > slash + 1 && (ve[-1] == ';' || ve[-1] == ','))
				ve--;
			classify_token(&sc, t, (size_t)(slash - t), slash + 1,
				       (size_t)(ve - slash - 1), true);
		} else if (!slash) {
			classify_token(&sc, t, (size_t)(p - t), NULL, 0, false);
		}
	}

	for (id = SDK_UNKNOWN + 1; id < SDK__COUNT; id++)
		if (sc.sdk[id].seen && (best == SDK_UNKNOWN || priority(id) > priority(best)))
			best = id;

	if (best == SDK_UNKNOWN) {
		out->tool = sc.tool;
		out->tool_name = tool_names[sc.tool];
		return;
	}
	out->id = best;
	out->name = names[best];

	switch (best) {
	case SDK_DOTNET:
		/* The core token carries the version that matters; the service one is aux. */
		copy_version(out->version, &out->version_truncated, sc.dotnet_core.v,
			     sc.dotnet_core.vlen);
		if (sc.dotnet_other.seen) {
			out->aux_name = "aws-sdk-dotnet-service";
			copy_version(out->aux_version, NULL, sc.dotnet_other.v,
				     sc.dotnet_other.vlen);
		}
		return;
	case SDK_BOTO3:
	case SDK_AWS_CLI_V1:
		if (sc.sdk[SDK_BOTOCORE].seen) {
			out->aux_name = names[SDK_BOTOCORE];
			copy_version(out->aux_version, NULL, sc.sdk[SDK_BOTOCORE].v,
				     sc.sdk[SDK_BOTOCORE].vlen);
		}
		break;
	case SDK_POWERSHELL:
		if (sc.dotnet_core.seen) {
			out->aux_name = "aws-sdk-dotnet-core";
			copy_version(out->aux_version, NULL, sc.dotnet_core.v, sc.dotnet_core.vlen);
		}
		break;
	default:
		break;
	}
	copy_version(out->version, &out->version_truncated, sc.sdk[best].v, sc.sdk[best].vlen);
}

enum sdk_pi_support sdk_pod_identity_support(const struct sdk_info *info)
{
	const char *min;

	if (!info || info->id <= SDK_UNKNOWN || info->id >= SDK__COUNT)
		return SDK_PI_UNKNOWN;
	min = minimums[info->id].min;
	if (!min || !is_digit((unsigned char)info->version[0]))
		return SDK_PI_UNKNOWN;
	if (sdk_version_cmp(info->version, min) < 0)
		return SDK_PI_TOO_OLD;
	if (minimums[info->id].lower_bound_only)
		return SDK_PI_UNKNOWN;
	/* boto3 delegates credentials to botocore: an old botocore underneath is too old. */
	if (info->id == SDK_BOTO3 && is_digit((unsigned char)info->aux_version[0]) &&
	    sdk_version_cmp(info->aux_version, minimums[SDK_BOTOCORE].min) < 0)
		return SDK_PI_TOO_OLD;
	return SDK_PI_SUPPORTED;
}
