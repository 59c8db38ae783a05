/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sdk: recognise which AWS SDK (or CLI tool) sent a request from its User-Agent, and whether
 * that SDK version is new enough to use EKS Pod Identity (shared/eks-node-facts.md section 8).
 *
 * Allocation-free, bounded, safe on any bytes (the UA comes from an untrusted process). When no
 * SDK is recognised the name is "unknown" and the caller reports the raw UA it already holds.
 * Plain HTTP tools (curl, wget, ...) are not SDKs: their name stays "unknown" and the separate
 * `tool` field names them, so "is this an SDK?" is one test (id != SDK_UNKNOWN) and "is this
 * someone typing curl?" is another.
 */
#ifndef CREDWATCH_SDK_H
#define CREDWATCH_SDK_H

#include <stdbool.h>
#include <stddef.h>

#define SDK_VERSION_MAX 32 /* bytes kept of a version string (excl. NUL) */

enum sdk_id {
	SDK_UNKNOWN = 0,
	SDK_BOTOCORE,
	SDK_BOTO3,
	SDK_AWS_CLI, /* "aws-cli/" with no usable major version */
	SDK_AWS_CLI_V1,
	SDK_AWS_CLI_V2,
	SDK_JS, /* "aws-sdk-js/" with no usable major version */
	SDK_JS_V2,
	SDK_JS_V3,
	SDK_JAVA, /* "aws-sdk-java/" with no usable major version */
	SDK_JAVA_V1,
	SDK_JAVA_V2,
	SDK_GO_V1,
	SDK_GO_V2,
	SDK_RUST,
	SDK_DOTNET,
	SDK_RUBY,
	SDK_PHP,
	SDK_CPP,
	SDK_KOTLIN,
	SDK_POWERSHELL,
	SDK__COUNT,
};

enum sdk_tool {
	TOOL_NONE = 0,
	TOOL_CURL,
	TOOL_WGET, /* GNU Wget and busybox ("Wget") */
	TOOL_PYTHON_REQUESTS,
	TOOL_PYTHON_URLLIB,  /* urllib3 and urllib (Python-urllib) */
	TOOL_GO_HTTP,	     /* Go-http-client */
	TOOL_POWERSHELL_IWR, /* Invoke-WebRequest: "WindowsPowerShell/", "PowerShell/" */
};

struct sdk_info {
	enum sdk_id id;
	const char *name; /* canonical name, static storage; "unknown" when not recognised */
	/*
	 * The version the Pod Identity check compares, NUL-terminated, "" when absent or not
	 * starting with a digit. Which token it comes from matters for some SDKs:
	 *  - .NET: the aws-sdk-dotnet-core/ token (the AWSSDK.Core version, where the
	 *    credential chain lives), not aws-sdk-dotnet-coreclr/ (a service package version).
	 *  - Go v2: the core module (github.com/aws/aws-sdk-go-v2) version.
	 *  - Rust: the aws-types crate version (aws-types build_metadata core_pkg_version).
	 */
	char version[SDK_VERSION_MAX + 1];
	bool version_truncated;
	/* An underlying SDK named in the same UA (botocore under boto3 / aws-cli v1, .NET core
	 * under PowerShell, the aws-sdk-dotnet-coreclr service version under .NET). */
	const char *aux_name; /* NULL when none */
	char aux_version[SDK_VERSION_MAX + 1];
	enum sdk_tool tool;
	const char *tool_name; /* NULL when none */
};

/* Parse a User-Agent value (len bytes, need not be NUL-terminated). Always fills *out. */
void sdk_parse_ua(const char *ua, size_t len, struct sdk_info *out);

/*
 * Compare dotted numeric versions with any number of components: <0, 0, >0 like strcmp.
 * Missing components count as 0 ("1.2" == "1.2.0"). A suffix after the numbers ("-dev",
 * ".dev0", "rc1", "b2") marks a pre-release, which sorts before the plain release; two
 * pre-releases of the same numbers compare by suffix text. "+build" metadata is ignored.
 * NULL or non-numeric input sorts before everything numeric.
 */
int sdk_version_cmp(const char *a, const char *b);

enum sdk_pi_support {
	SDK_PI_UNKNOWN = 0, /* not an SDK, no version, or the UA cannot prove it either way */
	SDK_PI_SUPPORTED,
	SDK_PI_TOO_OLD,
};

enum sdk_pi_support sdk_pod_identity_support(const struct sdk_info *info);

/* The minimum for messages ("needs aws-sdk-java-v2 >= 2.21.30"); NULL when there is none. */
const char *sdk_pod_identity_min(enum sdk_id id);

const char *sdk_name(enum sdk_id id);
const char *sdk_pi_support_name(enum sdk_pi_support s);

#endif
