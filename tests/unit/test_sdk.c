// SPDX-License-Identifier: GPL-2.0
/* Unit tests for user/sdk.c: User-Agent -> SDK, version comparison, Pod Identity minimums. */
#include <stdlib.h>
#include <string.h>

#include "enrich/sdk.h"
#include "unit.h"

static void ua(const char *s, struct sdk_info *i)
{
	sdk_parse_ua(s, strlen(s), i);
}

static void test_version_cmp(void)
{
	ASSERT_EQ(sdk_version_cmp("1.2.3", "1.2.3"), 0);
	ASSERT_EQ(sdk_version_cmp("1.2", "1.2.0"), 0);
	ASSERT_EQ(sdk_version_cmp("3.7.302.0", "3.7.302"), 0);
	ASSERT_EQ(sdk_version_cmp("1.10", "1.9"), 1);
	ASSERT_EQ(sdk_version_cmp("1.9", "1.10"), -1);
	ASSERT_EQ(sdk_version_cmp("2.1550.0", "2.999.99"), 1);
	ASSERT_EQ(sdk_version_cmp("1.12.746", "1.12.745"), 1);
	ASSERT_EQ(sdk_version_cmp("1.2.3.4.5.6.7", "1.2.3.4.5.6.8"), -1);
	/* Pre-release suffixes sort before the release, in text order among themselves. */
	ASSERT_EQ(sdk_version_cmp("1.2.3-dev", "1.2.3"), -1);
	ASSERT_EQ(sdk_version_cmp("1.2.3.dev0", "1.2.3"), -1);
	ASSERT_EQ(sdk_version_cmp("1.2.3rc1", "1.2.3"), -1);
	ASSERT_EQ(sdk_version_cmp("1.2.3rc1", "1.2.3rc2"), -1);
	ASSERT_EQ(sdk_version_cmp("1.2.3.dev0", "1.2.3rc1"), -1);
	ASSERT_EQ(sdk_version_cmp("1.2.4-dev", "1.2.3"), 1);
	ASSERT_EQ(sdk_version_cmp("2.0.0dev155", "2.0.0"), -1); /* CLI v2's bundled botocore */
	ASSERT_EQ(sdk_version_cmp("1.2.3.post1", "1.2.3"), 1);
	ASSERT_EQ(sdk_version_cmp("1.2.3+build.7", "1.2.3"), 0);
	/* Non-numeric and NULL sort first; hostile lengths saturate instead of overflowing. */
	ASSERT_EQ(sdk_version_cmp(NULL, "1"), -1);
	ASSERT_EQ(sdk_version_cmp("1", NULL), 1);
	ASSERT_EQ(sdk_version_cmp(NULL, NULL), 0);
	ASSERT_EQ(sdk_version_cmp("", "0"), -1);
	ASSERT_EQ(sdk_version_cmp("abc", "def"), 0);
	ASSERT_EQ(sdk_version_cmp("v1.2", "1.2"), -1);
	ASSERT_EQ(sdk_version_cmp("99999999999999999999999999999", "1"), 1);
	ASSERT_EQ(sdk_version_cmp("1.", "1"), -1); /* "." with nothing after is a suffix */
}

/* One SDK: a real-format UA template with %s for the version, and versions around the min. */
struct sdk_case {
	const char *fmt;
	enum sdk_id id;
	const char *name;
	const char *below, *equal, *above;
	enum sdk_pi_support at_equal; /* SUPPORTED, or UNKNOWN for lower-bound-only SDKs */
};

static const struct sdk_case cases[] = {
	{ "Botocore/%s Python/3.11.2 Linux/6.1.0-13-amd64", SDK_BOTOCORE, "botocore", "1.29.27",
	  "1.34.41", "1.43.11", SDK_PI_SUPPORTED },
	/* botocore's newer ua/2.x layout keeps the leading token. */
	{ "Botocore/%s ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.6 md/pyimpl#CPython "
	  "cfg/retry-mode#legacy",
	  SDK_BOTOCORE, "botocore", "1.34.40", "1.34.41", "1.35.0", SDK_PI_SUPPORTED },
	{ "Boto3/%s Python/3.11.7 Linux/6.18.44 Botocore/1.43.11", SDK_BOTO3, "boto3", "1.34.40",
	  "1.34.41", "1.43.11", SDK_PI_SUPPORTED },
	{ "aws-cli/%s Python/3.11.7 Linux/6.18.44 botocore/1.43.11", SDK_AWS_CLI_V1, "aws-cli",
	  "1.29.85", "1.30.0", "1.45.11", SDK_PI_SUPPORTED },
	{ "aws-cli/%s Python/3.11.2 Linux/6.1.0 source/x86_64.debian.12 prompt/off "
	  "command/sts.get-caller-identity",
	  SDK_AWS_CLI_V2, "aws-cli", "2.9.19", "2.15.0", "2.17.3", SDK_PI_SUPPORTED },
	{ "aws-cli/%s Python/3.11.6 Linux/5.10.205-195.807.amzn2.x86_64 exe/x86_64.amzn.2",
	  SDK_AWS_CLI_V2, "aws-cli", "2.14.6", "2.15.0", "2.15.1", SDK_PI_SUPPORTED },
	{ "aws-sdk-nodejs/%s linux/v18.17.0 exec-env/AWS_ECS_EC2", SDK_JS_V2, "aws-sdk-js-v2",
	  "2.1549.0", "2.1550.0", "2.1691.0", SDK_PI_SUPPORTED },
	{ "aws-sdk-js/%s callback", SDK_JS_V2, "aws-sdk-js-v2", "2.1400.0", "2.1550.0", "2.1551.0",
	  SDK_PI_SUPPORTED },
	{ "aws-sdk-js/%s ua/2.1 os/linux#6.1.0 lang/js md/nodejs#20.11.0 api/sts#3.600.0",
	  SDK_JS_V3, "aws-sdk-js-v3", "3.457.0", "3.458.0", "3.600.0", SDK_PI_SUPPORTED },
	{ "aws-sdk-java/%s Linux/5.10.205 OpenJDK_64-Bit_Server_VM/17.0.9+8-LTS java/17.0.9 "
	  "vendor/Amazon.com_Inc.",
	  SDK_JAVA_V1, "aws-sdk-java-v1", "1.12.745", "1.12.746", "1.12.767", SDK_PI_SUPPORTED },
	{ "aws-sdk-java/%s Linux/5.10.205 OpenJDK_64-Bit_Server_VM/17.0.9+8-LTS Java/17.0.9 "
	  "vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
	  SDK_JAVA_V2, "aws-sdk-java-v2", "2.21.29", "2.21.30", "2.25.0", SDK_PI_SUPPORTED },
	{ "aws-sdk-go/%s (go1.21.4; linux; amd64)", SDK_GO_V1, "aws-sdk-go-v1", "1.47.10",
	  "1.47.11", "1.55.5", SDK_PI_SUPPORTED },
	{ "aws-sdk-go-v2/%s os/linux lang/go#1.21.4 md/GOOS#linux md/GOARCH#amd64 api/sts#1.25.3",
	  SDK_GO_V2, "aws-sdk-go-v2", "1.22.1", "1.22.2", "1.30.0", SDK_PI_UNKNOWN },
	{ "aws-sdk-rust/%s os/linux lang/rust/1.76.0", SDK_RUST, "aws-sdk-rust", "1.1.7", "1.1.8",
	  "1.3.2", SDK_PI_UNKNOWN },
	{ "aws-sdk-dotnet-coreclr/3.7.300.2 aws-sdk-dotnet-core/%s .NET_Core/6.0.25 "
	  "OS/Linux_5.10.205 ClientAsync",
	  SDK_DOTNET, "aws-sdk-dotnet", "3.7.301.9", "3.7.302", "3.7.400.0", SDK_PI_SUPPORTED },
	{ "aws-sdk-ruby3/%s ruby/3.2.2 x86_64-linux aws-sdk-s3/1.141.0", SDK_RUBY, "aws-sdk-ruby",
	  "3.187.1", "3.188.0", "3.201.0", SDK_PI_SUPPORTED },
	{ "aws-sdk-php/%s OS/Linux/5.10 lang/php/8.2.13 GuzzleHttp/7", SDK_PHP, "aws-sdk-php",
	  "3.287.0", "3.287.1", "3.300.0", SDK_PI_SUPPORTED },
	{ "aws-sdk-cpp/%s Linux/5.10.205 x86_64 GCC/11.4.0", SDK_CPP, "aws-sdk-cpp", "1.11.262",
	  "1.11.263", "1.11.300", SDK_PI_SUPPORTED },
	{ "aws-sdk-kotlin/%s ua/2.0 api/sts#1.0.1 os/linux#5.10 lang/kotlin#1.9.21 "
	  "md/javaVersion#17.0.9",
	  SDK_KOTLIN, "aws-sdk-kotlin", "1.0.0", "1.0.1", "1.2.0", SDK_PI_SUPPORTED },
	{ "aws-sdk-dotnet-coreclr/3.7.300.2 aws-sdk-dotnet-core/3.7.300.2 .NET_Core/6.0 "
	  "OS/Linux ClientAsync AWSPowerShell.Common/%s .NET_Core/6.0 PowerShellCore/7.4",
	  SDK_POWERSHELL, "aws-powershell", "4.1.501", "4.1.502", "4.1.600", SDK_PI_SUPPORTED },
	{ "AWSPowerShell/%s .NET_Framework/4.8", SDK_POWERSHELL, "aws-powershell", "4.0.0.0",
	  "4.1.502.0", "4.1.502.1", SDK_PI_SUPPORTED },
};

static void check_case(const struct sdk_case *c, const char *ver, enum sdk_pi_support want)
{
	char buf[512];
	struct sdk_info i;

	snprintf(buf, sizeof(buf), c->fmt, ver);
	ua(buf, &i);
	if (i.id != c->id || strcmp(i.name, c->name) != 0 || strcmp(i.version, ver) != 0) {
		UNIT_FAIL("\"%s\": got %s %s, want %s %s", buf, i.name, i.version, c->name, ver);
		return;
	}
	UNIT_OK();
	if (sdk_pod_identity_support(&i) != want)
		UNIT_FAIL("\"%s\": support %s, want %s", buf,
			  sdk_pi_support_name(sdk_pod_identity_support(&i)),
			  sdk_pi_support_name(want));
	else
		UNIT_OK();
	ASSERT_NOTNULL(sdk_pod_identity_min(i.id));
	ASSERT_EQ(i.tool, TOOL_NONE);
}

static void test_every_sdk_around_minimum(void)
{
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct sdk_case *c = &cases[k];

		check_case(c, c->below, SDK_PI_TOO_OLD);
		check_case(c, c->equal, c->at_equal);
		check_case(c, c->above, c->at_equal);
	}
}

static void test_combinations(void)
{
	struct sdk_info i;

	/* boto3 wins over the Botocore token it appends; botocore kept as aux. */
	ua("Boto3/1.34.41 Python/3.11.7 Linux/6.1 Botocore/1.34.41", &i);
	ASSERT_EQ(i.id, SDK_BOTO3);
	ASSERT_STREQ(i.version, "1.34.41");
	ASSERT_STREQ(i.aux_name, "botocore");
	ASSERT_STREQ(i.aux_version, "1.34.41");
	ASSERT_EQ(sdk_pod_identity_support(&i), SDK_PI_SUPPORTED);
	/* Order does not matter; an old botocore under a new boto3 is too old. */
	ua("Botocore/1.33.0 Boto3/1.34.50", &i);
	ASSERT_EQ(i.id, SDK_BOTO3);
	ASSERT_STREQ(i.aux_version, "1.33.0");
	ASSERT_EQ(sdk_pod_identity_support(&i), SDK_PI_TOO_OLD);
	/* boto3 ua/2.x: botocore as md/Botocore#x is not a product token. */
	ua("Boto3/1.34.41 md/Botocore#1.34.41 ua/2.0 os/linux#6.1 lang/python#3.11.6", &i);
	ASSERT_EQ(i.id, SDK_BOTO3);
	ASSERT_TRUE(i.aux_name == NULL);

	/* aws-cli v1 wins over botocore (lower-case token). */
	ua("aws-cli/1.45.11 Python/3.11.7 Linux/6.18.44-fc-v782 botocore/1.43.11", &i);
	ASSERT_EQ(i.id, SDK_AWS_CLI_V1);
	ASSERT_STREQ(i.aux_version, "1.43.11");
	ASSERT_EQ(sdk_pod_identity_support(&i), SDK_PI_SUPPORTED);

	/* .NET: the core token carries the version whichever order the tokens come in. */
	ua("aws-sdk-dotnet-core/3.7.302.0 aws-sdk-dotnet-coreclr/3.7.1.0", &i);
	ASSERT_EQ(i.id, SDK_DOTNET);
	ASSERT_STREQ(i.version, "3.7.302.0");
	ASSERT_STREQ(i.aux_version, "3.7.1.0");
	ASSERT_EQ(sdk_pod_identity_support(&i), SDK_PI_SUPPORTED);
	ua("aws-sdk-dotnet-coreclr/3.7.500.0 aws-sdk-dotnet-core/3.7.100.0", &i);
	ASSERT_STREQ(i.version, "3.7.100.0");
	ASSERT_EQ(sdk_pod_identity_support(&i), SDK_PI_TOO_OLD);
	/* Only the service token: we cannot tell the core version. */
	ua("aws-sdk-dotnet-45/3.7.500.0 .NET_Runtime/4.0", &i);
	ASSERT_EQ(i.id, SDK_DOTNET);
	ASSERT_STREQ(i.version, "");
	ASSERT_STREQ(i.aux_version, "3.7.500.0");
	ASSERT_EQ(sdk_pod_identity_support(&i), SDK_PI_UNKNOWN);

	/* PowerShell wins over the .NET tokens it rides on. */
	ua("aws-sdk-dotnet-coreclr/3.7.0 aws-sdk-dotnet-core/3.7.302.0 "
	   "AWSPowerShell.NetCore/4.1.400",
	   &i);
	ASSERT_EQ(i.id, SDK_POWERSHELL);
	ASSERT_STREQ(i.aux_name, "aws-sdk-dotnet-core");
	ASSERT_EQ(sdk_pod_identity_support(&i), SDK_PI_TOO_OLD);

	/* An app name appended after the SDK token does not disturb it. */
	ua("aws-sdk-go/1.50.0 (go1.22.1; linux; amd64) karpenter/0.35.0", &i);
	ASSERT_EQ(i.id, SDK_GO_V1);
	ASSERT_EQ(sdk_pod_identity_support(&i), SDK_PI_SUPPORTED);
	/* Unknown majors of shared names: recognised family, no verdict. */
	ua("aws-sdk-java/3.0.0", &i);
	ASSERT_EQ(i.id, SDK_JAVA);
	ASSERT_EQ(sdk_pod_identity_support(&i), SDK_PI_UNKNOWN);
	ASSERT_TRUE(sdk_pod_identity_min(SDK_JAVA) == NULL);
	ua("aws-cli/3.0.0", &i);
	ASSERT_EQ(i.id, SDK_AWS_CLI);
	ua("aws-sdk-ruby2/2.11.632 ruby/2.7.8 x86_64-linux", &i);
	ASSERT_EQ(i.id, SDK_RUBY);
	ASSERT_EQ(sdk_pod_identity_support(&i), SDK_PI_TOO_OLD);
	/* Case-insensitive names, separators glued to the version. */
	ua("AWS-SDK-GO-V2/1.20.0;", &i);
	ASSERT_EQ(i.id, SDK_GO_V2);
	ASSERT_STREQ(i.version, "1.20.0");
	ASSERT_EQ(sdk_pod_identity_support(&i), SDK_PI_TOO_OLD);
}

static void test_tools_and_unknown(void)
{
	static const struct {
		const char *ua;
		enum sdk_tool tool;
		const char *name;
	} tools[] = {
		{ "curl/7.88.1", TOOL_CURL, "curl" },
		{ "Wget", TOOL_WGET, "wget" }, /* busybox */
		{ "Wget/1.21.3", TOOL_WGET, "wget" },
		{ "python-requests/2.31.0", TOOL_PYTHON_REQUESTS, "python-requests" },
		{ "python-urllib3/2.0.7", TOOL_PYTHON_URLLIB, "python-urllib" },
		{ "Python-urllib/3.11", TOOL_PYTHON_URLLIB, "python-urllib" },
		{ "Go-http-client/1.1", TOOL_GO_HTTP, "go-http-client" },
		{ "Mozilla/5.0 (Windows NT 10.0; Microsoft Windows 10.0.17763; en-US) "
		  "WindowsPowerShell/5.1.17763.2931",
		  TOOL_POWERSHELL_IWR, "powershell-webrequest" },
		{ "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0", TOOL_NONE, NULL },
	};
	struct sdk_info i;
	size_t k;

	for (k = 0; k < sizeof(tools) / sizeof(tools[0]); k++) {
		ua(tools[k].ua, &i);
		ASSERT_EQ(i.id, SDK_UNKNOWN);
		ASSERT_STREQ(i.name, "unknown");
		ASSERT_EQ(i.tool, tools[k].tool);
		if (tools[k].name)
			ASSERT_STREQ(i.tool_name, tools[k].name);
		else
			ASSERT_NULL(i.tool_name);
		ASSERT_EQ(sdk_pod_identity_support(&i), SDK_PI_UNKNOWN);
	}
	/* An SDK beats a tool token in the same UA. */
	ua("curl/8.0 aws-sdk-php/3.300.0", &i);
	ASSERT_EQ(i.id, SDK_PHP);
	ASSERT_EQ(i.tool, TOOL_NONE);
	ASSERT_STREQ(sdk_name(SDK_UNKNOWN), "unknown");
	ASSERT_STREQ(sdk_name((enum sdk_id)999), "unknown");
	ASSERT_NULL(sdk_pod_identity_min(SDK_UNKNOWN));
	ASSERT_EQ(sdk_pod_identity_support(NULL), SDK_PI_UNKNOWN);
}

static void test_hostile(void)
{
	struct sdk_info i;
	char *big;
	unsigned char bin[256];
	size_t k;

	ua("", &i);
	ASSERT_EQ(i.id, SDK_UNKNOWN);
	ASSERT_STREQ(i.name, "unknown");
	sdk_parse_ua(NULL, 10, &i);
	ASSERT_EQ(i.id, SDK_UNKNOWN);

	/* Only the name and a slash: recognised, but no version and no verdict. */
	ua("aws-sdk-go/", &i);
	ASSERT_EQ(i.id, SDK_GO_V1);
	ASSERT_STREQ(i.version, "");
	ASSERT_EQ(sdk_pod_identity_support(&i), SDK_PI_UNKNOWN);
	ua("aws-sdk-go/abc", &i);
	ASSERT_STREQ(i.version, "");
	ASSERT_EQ(sdk_pod_identity_support(&i), SDK_PI_UNKNOWN);
	ua("/1.2.3 //// aws-sdk-go", &i);
	ASSERT_EQ(i.id, SDK_UNKNOWN);
	ua("aws-sdk-js/", &i);
	ASSERT_EQ(i.id, SDK_JS);

	/* 4 KiB: huge version is cut to the bound and flagged, nothing overruns (ASan). */
	big = malloc(4096);
	memcpy(big, "aws-sdk-java/2.", 15);
	memset(big + 15, '9', 4096 - 15);
	sdk_parse_ua(big, 4096, &i);
	ASSERT_EQ(i.id, SDK_JAVA_V2);
	ASSERT_EQ(strlen(i.version), SDK_VERSION_MAX);
	ASSERT_TRUE(i.version_truncated);
	ASSERT_EQ(sdk_pod_identity_support(&i), SDK_PI_SUPPORTED);
	/* 4 KiB of nested comment openers and spaces. */
	for (k = 0; k < 4096; k++)
		big[k] = (k % 3) ? '(' : ' ';
	sdk_parse_ua(big, 4096, &i);
	ASSERT_EQ(i.id, SDK_UNKNOWN);
	/* An unbalanced comment swallows the rest, by design (no SDK hides in it). */
	ua("(unterminated aws-sdk-go/1.50.0", &i);
	ASSERT_EQ(i.id, SDK_UNKNOWN);
	ua("(x) aws-sdk-go/1.50.0 (y", &i);
	ASSERT_EQ(i.id, SDK_GO_V1);
	free(big);

	/* Binary: every byte value, then a NUL glued before a token. */
	for (k = 0; k < sizeof(bin); k++)
		bin[k] = (unsigned char)k;
	sdk_parse_ua((const char *)bin, sizeof(bin), &i);
	ASSERT_EQ(i.id, SDK_UNKNOWN);
	{
		static const char nul[] = "garbage\0aws-sdk-php/3.300.0\x01\xff";

		sdk_parse_ua(nul, sizeof(nul) - 1, &i);
		ASSERT_EQ(i.id, SDK_PHP);
		ASSERT_STREQ(i.version, "3.300.0"); /* stops at the control byte */
	}
	/* Not NUL-terminated: only len bytes are read. */
	{
		char *exact = malloc(17);

		memcpy(exact, "aws-sdk-cpp/1.11.", 17);
		sdk_parse_ua(exact, 17, &i);
		ASSERT_EQ(i.id, SDK_CPP);
		ASSERT_STREQ(i.version, "1.11.");
		free(exact);
	}
}

int main(void)
{
	RUN(test_version_cmp);
	RUN(test_every_sdk_around_minimum);
	RUN(test_combinations);
	RUN(test_tools_and_unknown);
	RUN(test_hostile);
	return unit_report("sdk");
}
