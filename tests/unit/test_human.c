// SPDX-License-Identifier: GPL-2.0
/*
 * The human view (render/human.c, cli/jsonview.c, cli/filter.c) and oci_host_mounts
 * (enrich/ocispec.c): the terminal escaper, the line format, JSON lines to a view, filters.
 */
#include <errno.h>
#include <stdlib.h>

#include "cli/filter.h"
#include "cli/jsonview.h"
#include "enrich/ocispec.h"
#include "judge/policy.h"
#include "render/human.h"
#include "unit.h"

static const char *escn(const char *s, size_t n, size_t max)
{
	static char out[4096];

	human_escape(out, sizeof(out), s, n, max);
	return out;
}

#define ESC(lit, max) escn(lit, sizeof(lit) - 1, max)

static void test_escape(void)
{
	ASSERT_STREQ(ESC("plain/path-1.2", 0), "plain/path-1.2");
	ASSERT_STREQ(ESC("a\nb\rc\td", 0), "a\\nb\\rc\\td");
	ASSERT_STREQ(ESC("\x1b[2J\x1b]0;t\x07", 0), "\\e[2J\\e]0;t\\x07");
	ASSERT_STREQ(ESC("back\\slash", 0), "back\\\\slash");
	ASSERT_STREQ(ESC("nul\0del\x7f", 0), "nul\\x00del\\x7f");
	/* invalid UTF-8: each byte of it visible */
	ASSERT_STREQ(ESC("x\xff\xfey", 0), "x\\xff\\xfey");
	ASSERT_STREQ(ESC("\xc3\x28", 0), "\\xc3(");		 /* a lead byte without its tail */
	ASSERT_STREQ(ESC("\xed\xa0\x80", 0), "\\xed\\xa0\\x80"); /* a surrogate */
	ASSERT_STREQ(ESC("\xc0\xaf", 0), "\\xc0\\xaf");		 /* overlong */
	/* valid UTF-8 kept; C1 controls, bidi overrides, line separators, BOM escaped */
	ASSERT_STREQ(ESC("caf\xc3\xa9 \xe2\x9c\x93", 0), "caf\xc3\xa9 \xe2\x9c\x93");
	ASSERT_STREQ(ESC("\xc2\x9b"
			 "31m",
			 0),
		     "\\u{009b}31m");
	ASSERT_STREQ(ESC("a\xe2\x80\xae"
			 "b",
			 0),
		     "a\\u{202e}b");
	ASSERT_STREQ(ESC("\xe2\x80\xa8\xe2\x81\xa6\xef\xbb\xbf", 0), "\\u{2028}\\u{2066}\\u{feff}");
	ASSERT_STREQ(ESC("\xe2\x80\x8b", 0), "\\u{200b}");
}

static void test_escape_bounds(void)
{
	char big[5000], out[64];
	size_t n;

	memset(big, 'x', sizeof(big));
	/* cut: the bound holds, the value ends with the mark */
	ASSERT_STREQ(escn(big, sizeof(big), 10), "xxxxxxx...");
	ASSERT_STREQ(ESC("abcdefghij", 10), "abcdefghij"); /* exactly fits: no mark */
	ASSERT_STREQ(ESC("abcdefghijk", 10), "abcdefg...");
	/* never in the middle of an escape or a UTF-8 sequence */
	ASSERT_STREQ(ESC("ab\x1b\x1b\x1b\x1b", 8), "ab\\e...");
	ASSERT_STREQ(ESC("ab\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 8), "ab\xc3\xa9...");
	/* the output buffer bounds it too */
	n = human_escape(out, sizeof(out), big, sizeof(big), 0);
	ASSERT_EQ(n, sizeof(out) - 1);
	ASSERT_EQ(strlen(out), n);
	ASSERT_STREQ(out + n - 3, "...");
	/* no room even for the mark: empty */
	ASSERT_STREQ(ESC("abcdef", 3), "");
}

static struct hview v;

static void base_view(void)
{
	memset(&v, 0, sizeof(v));
	v.kind = HV_HTTP;
	v.time_ns = 1795996800022000000LL; /* 2026-11-30T00:00:00.022Z */
	hstr_sets(&v.event, "imds_request");
	v.severity = SEV_HIGH;
	hstr_sets(&v.rule, "agent_bypass");
	hstr_sets(&v.summary, "pod payments/api fetched node-role credentials");
	v.nfindings = 2;
	v.has_pod = true;
	hstr_sets(&v.ns, "payments");
	hstr_sets(&v.pod, "api");
	hstr_sets(&v.container, "app");
	hstr_sets(&v.exe, "/usr/bin/curl");
	v.have_pid = true;
	v.pid = 2001;
	hstr_sets(&v.ep_kind, "imds");
	v.request_seen = true;
	hstr_sets(&v.method, "GET");
	hstr_sets(&v.path, "/latest/meta-data/iam/security-credentials/role");
	hstr_sets(&v.imds_ver, "v1");
	v.status = 200;
}

static const char *fmt(bool color)
{
	static char buf[8192];
	struct human_style st = { color };

	human_format(&v, &st, buf, sizeof(buf));
	return buf;
}

static void test_format(void)
{
	base_view();
	ASSERT_STREQ(fmt(false),
		     "00:00:00.022  HIGH      payments/api  app  /usr/bin/curl[2001]  "
		     "IMDS GET /latest/meta-data/iam/security-credentials/role (v1, 200)  "
		     "agent_bypass: pod payments/api fetched node-role credentials (+1 more)");
	ASSERT_TRUE(strstr(fmt(true), "\033[31mHIGH    \033[0m") != NULL);
	v.severity = SEV_CRITICAL;
	ASSERT_TRUE(strstr(fmt(true), "\033[1;31mCRITICAL\033[0m") != NULL);
	/* no finding: no colour, no rule */
	v.severity = SEV_NONE;
	ASSERT_TRUE(strchr(fmt(true), '\033') == NULL);
	ASSERT_TRUE(strstr(fmt(false), "agent_bypass") == NULL);
	/* no response, blocked */
	v.status = 0;
	hstr_sets(&v.response, "timeout");
	v.blocked = true;
	ASSERT_TRUE(strstr(fmt(false), "(v1, no response, blocked)") != NULL);

	base_view();
	v.kind = HV_FILE;
	hstr_sets(&v.file_kind, "irsa_token");
	hstr_sets(&v.result, "ok");
	hstr_sets(&v.owner_ns, "web");
	hstr_sets(&v.owner_pod, "front-1");
	ASSERT_TRUE(strstr(fmt(false), "  read irsa_token of web/front-1  ") != NULL);
	hstr_sets(&v.result, "ENOENT");
	hstr_sets(&v.path, "/root/.aws/credentials");
	hstr_sets(&v.file_kind, "aws_credentials");
	ASSERT_TRUE(strstr(fmt(false),
			   "  open aws_credentials /root/.aws/credentials failed (ENOENT)") !=
		    NULL);

	base_view();
	v.kind = HV_SOCKET;
	hstr_sets(&v.path, "/run/containerd/containerd.sock");
	hstr_sets(&v.result, "ok");
	ASSERT_TRUE(strstr(fmt(false), "  connect /run/containerd/containerd.sock  ") != NULL);

	/* a host process; an unknown workload */
	base_view();
	v.host = true;
	ASSERT_TRUE(strstr(fmt(false), "  host  app  ") != NULL);
	base_view();
	v.ns.n = v.pod.n = 0;
	v.container.n = 0;
	ASSERT_TRUE(strstr(fmt(false), "  ?  -  ") != NULL);
}

static void test_format_hostile(void)
{
	char name[3000];
	const char *line;

	base_view();
	memset(name, 'p', sizeof(name));
	memcpy(name, "\x1b[2J\n", 5);
	hstr_set(&v.pod, name, sizeof(name));
	hstr_sets(&v.exe, "/tmp/\x9b\xff\nx");
	line = fmt(true);
	ASSERT_TRUE(strstr(line, "payments/\\e[2J\\npppp") != NULL);
	ASSERT_TRUE(strstr(line, "/tmp/\\x9b\\xff\\nx[2001]") != NULL);
	/* the pod name's bound (96 bytes of output) */
	ASSERT_TRUE(strstr(line, "ppp...  app  ") != NULL);
	ASSERT_TRUE(strlen(line) < 1200);
	for (const char *p = line; *p; p++)
		if (*p == '\033') /* only the colour of the severity */
			ASSERT_TRUE(!strncmp(p, "\033[31m", 5) || !strncmp(p, "\033[0m", 4));
		else
			ASSERT_TRUE((unsigned char)*p >= 0x20);
}

static void test_stats_line(void)
{
	memset(&v, 0, sizeof(v));
	v.kind = HV_STATS;
	ASSERT_STREQ(fmt(false), ""); /* no drops: no line */
	v.drop_ringbuf = 7;
	ASSERT_STREQ(fmt(false), "-- DROPPED: ringbuf_full 7, bad_record 0, output_error 0");
}

static int jv(const char *line)
{
	char why[200];

	return hview_from_json(&v, line, strlen(line), why, sizeof(why));
}

static void test_jsonview(void)
{
	ASSERT_EQ(jv(""), JV_BLANK);
	ASSERT_EQ(jv("   \t"), JV_BLANK);
	ASSERT_EQ(jv("not json"), JV_MALFORMED);
	ASSERT_EQ(jv("{\"schema\":"), JV_MALFORMED);
	ASSERT_EQ(jv("[1,2]"), JV_MALFORMED);
	ASSERT_EQ(jv("{\"level\":\"info\"}"), JV_FOREIGN);
	ASSERT_EQ(jv("{\"schema\":\"credwatch/v2\",\"event\":\"x\"}"), JV_FOREIGN);
	ASSERT_EQ(jv("2026-11-30T00:00:00Z stdout F {\"schema\":\"credwatch/v1\",\"time\":"
		     "\"2026-11-30T00:00:01.5Z\",\"event\":\"socket_connect\",\"host\":true,"
		     "\"process\":{\"pid\":3,\"exe\":null,\"comm\":\"nc\"},\"socket\":{\"path\":"
		     "\"/run/x.sock\",\"result\":\"ECONNREFUSED\"},\"finding\":{\"rule\":\"r\","
		     "\"severity\":\"high\",\"summary\":\"s\"},\"findings\":[{},{}]}"),
		  JV_OK);
	ASSERT_EQ(v.kind, HV_SOCKET);
	ASSERT_EQ(v.time_ns, 1795996801500000000LL);
	ASSERT_EQ(v.severity, SEV_HIGH);
	ASSERT_EQ(v.nfindings, 2);
	ASSERT_TRUE(v.host);
	ASSERT_STREQ(fmt(false),
		     "00:00:01.500  HIGH      host  -  nc[3]  connect /run/x.sock failed "
		     "(ECONNREFUSED)  r: s (+1 more)");
	/* nesting bombs are refused before parsing */
	{
		char *bomb = malloc(200001);

		memset(bomb, '[', 200000);
		bomb[200000] = 0;
		bomb[0] = '{';
		ASSERT_EQ(jv(bomb), JV_MALFORMED);
		free(bomb);
	}
	ASSERT_EQ(jsonview_parse_time("2026-11-30T00:00:00.000000001Z"), 1795996800000000001LL);
	ASSERT_EQ(jsonview_parse_time("2026-11-30T01:00:00+01:00"), 1795996800000000000LL);
	ASSERT_EQ(jsonview_parse_time("2026-11-30 00:00:00"), 0);
	ASSERT_EQ(jsonview_parse_time(NULL), 0);
}

static void test_filter(void)
{
	struct view_filter f;
	char err[600];

	memset(&f, 0, sizeof(f));
	base_view();
	ASSERT_TRUE(filter_match(&f, &v)); /* no filter */
	ASSERT_EQ(filter_option(&f, FILTER_OPT_NAMESPACE, "web,payments", err, sizeof(err)), 0);
	ASSERT_TRUE(filter_match(&f, &v));
	ASSERT_EQ(filter_option(&f, FILTER_OPT_POD, "ap", err, sizeof(err)), 0);
	ASSERT_TRUE(filter_match(&f, &v));
	ASSERT_EQ(filter_option(&f, FILTER_OPT_SEVERITY, "critical", err, sizeof(err)), 0);
	ASSERT_FALSE(filter_match(&f, &v));
	ASSERT_EQ(filter_option(&f, FILTER_OPT_SEVERITY, "high", err, sizeof(err)), 0);
	ASSERT_TRUE(filter_match(&f, &v));
	v.host = true;
	ASSERT_FALSE(filter_match(&f, &v)); /* a namespace filter never matches the host */
	v.host = false;
	hstr_sets(&v.pod, "web-1");
	ASSERT_FALSE(filter_match(&f, &v)); /* not the prefix */
	memset(&f, 0, sizeof(f));
	ASSERT_EQ(filter_option(&f, FILTER_OPT_FINDINGS_ONLY, NULL, err, sizeof(err)), 0);
	v.severity = SEV_NONE;
	ASSERT_FALSE(filter_match(&f, &v));
	v.kind = HV_STATS; /* status lines always pass */
	ASSERT_TRUE(filter_match(&f, &v));
	memset(&f, 0, sizeof(f));
	base_view();
	ASSERT_EQ(
		filter_option(&f, FILTER_OPT_EVENT, "file_open,finding_summary", err, sizeof(err)),
		0);
	ASSERT_FALSE(filter_match(&f, &v));
	ASSERT_EQ(filter_option(&f, FILTER_OPT_EVENT, "imds_request", err, sizeof(err)), 0);
	ASSERT_TRUE(filter_match(&f, &v));
	ASSERT_EQ(filter_option(&f, FILTER_OPT_CONTAINER, "sidecar", err, sizeof(err)), 0);
	ASSERT_FALSE(filter_match(&f, &v));
	/* bad values name the option */
	ASSERT_EQ(filter_option(&f, FILTER_OPT_SEVERITY, "urgent", err, sizeof(err)), -1);
	ASSERT_TRUE(strstr(err, "--severity: 'urgent'") != NULL);
	ASSERT_EQ(filter_option(&f, FILTER_OPT_EVENT, "imds", err, sizeof(err)), -1);
	ASSERT_EQ(filter_option(&f, FILTER_OPT_NAMESPACE, "a,,b", err, sizeof(err)), -1);
}

static void test_host_mounts(void)
{
	static const char spec[] =
		"{\"mounts\":["
		"{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
		"{\"destination\":\"/run/containerd/containerd.sock\",\"type\":\"bind\","
		"\"source\":\"/run/containerd/containerd.sock\",\"options\":[\"rbind\",\"rw\"]},"
		"{\"destination\":\"/host\",\"source\":\"/\",\"options\":[\"rbind\",\"ro\"]},"
		"{\"destination\":\"/var/run/secrets/eks.amazonaws.com/serviceaccount\","
		"\"type\":\"bind\",\"source\":\"/var/lib/kubelet/pods/u/volumes/"
		"kubernetes.io~projected/aws-iam-token\"},"
		"{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\"}]}";
	struct oci_host_mount m[4];
	unsigned int n = 9;
	bool cut = true;

	ASSERT_EQ(oci_host_mounts(spec, sizeof(spec) - 1, m, 4, &n, &cut), 0);
	ASSERT_EQ(n, 2);
	ASSERT_FALSE(cut);
	ASSERT_STREQ(m[0].source, "/run/containerd/containerd.sock");
	ASSERT_FALSE(m[0].read_only);
	ASSERT_STREQ(m[1].source, "/");
	ASSERT_STREQ(m[1].destination, "/host");
	ASSERT_TRUE(m[1].read_only);
	/* more than the caller's room: cut */
	ASSERT_EQ(oci_host_mounts(spec, sizeof(spec) - 1, m, 1, &n, &cut), 0);
	ASSERT_EQ(n, 1);
	ASSERT_TRUE(cut);
	ASSERT_EQ(oci_host_mounts("{", 1, m, 4, &n, &cut), -EBADMSG);
}

int main(void)
{
	RUN(test_escape);
	RUN(test_escape_bounds);
	RUN(test_format);
	RUN(test_format_hostile);
	RUN(test_stats_line);
	RUN(test_jsonview);
	RUN(test_filter);
	RUN(test_host_mounts);
	return unit_report("human");
}
