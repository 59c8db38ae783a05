// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for config: the built-in endpoint table, config_load over files written
 * to a temporary directory (valid, invalid, and the rule that a rejected file
 * leaves the config untouched), and the address parse/format round trips.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "credwatch_abi.h"
/* Network: sends nothing; addresses are parse input only (no netns needed). */
#include "unit.h"

static char dir[PATH_MAX];
static char path[PATH_MAX + 32];

static void write_cfg(const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
}

/* Loads text over the defaults; returns config_load's result. */
static int load(struct config *c, const char *text, char *err, size_t errlen)
{
	config_defaults(c);
	err[0] = 0;
	write_cfg(text);
	return config_load(c, path, err, errlen);
}

static void fmt(const struct endpoint_cfg *e, char *out, size_t len)
{
	config_format_addr(e->addr, out, len);
}

#define ASSERT_CONTAINS(hay, needle)                                         \
	do {                                                                 \
		const char *_h = (hay), *_n = (needle);                      \
		if (strstr(_h, _n))                                          \
			UNIT_OK();                                           \
		else                                                         \
			UNIT_FAIL("\"%s\" does not contain \"%s\"", _h, _n); \
	} while (0)

static void test_defaults(void)
{
	struct config c;
	char a[64];

	memset(&c, 0xa5, sizeof(c));
	config_defaults(&c);
	ASSERT_EQ(c.nendpoints, 5);

	fmt(&c.endpoints[0], a, sizeof(a));
	ASSERT_STREQ(a, "169.254.169.254");
	ASSERT_EQ(c.endpoints[0].kind, CW_EP_IMDS);
	fmt(&c.endpoints[1], a, sizeof(a));
	ASSERT_STREQ(a, "fd00:ec2::254");
	ASSERT_EQ(c.endpoints[1].kind, CW_EP_IMDS);
	fmt(&c.endpoints[2], a, sizeof(a));
	ASSERT_STREQ(a, "169.254.170.23");
	ASSERT_EQ(c.endpoints[2].kind, CW_EP_POD_IDENTITY_AGENT);
	fmt(&c.endpoints[3], a, sizeof(a));
	ASSERT_STREQ(a, "fd00:ec2::23");
	ASSERT_EQ(c.endpoints[3].kind, CW_EP_POD_IDENTITY_AGENT);
	fmt(&c.endpoints[4], a, sizeof(a));
	ASSERT_STREQ(a, "169.254.170.2");
	ASSERT_EQ(c.endpoints[4].kind, CW_EP_CONTAINER_CREDENTIALS);
	for (int i = 0; i < 5; i++) {
		ASSERT_EQ(c.endpoints[i].port, 80);
		ASSERT_TRUE(c.endpoints[i].name[0] != 0);
	}
	ASSERT_STREQ(c.endpoints[0].name, "imds");
	/* the unused tail is cleared */
	ASSERT_EQ(c.endpoints[5].port, 0);
}

static void test_kinds(void)
{
	ASSERT_STREQ(endpoint_kind_name(CW_EP_IMDS), "imds");
	ASSERT_STREQ(endpoint_kind_name(CW_EP_POD_IDENTITY_AGENT), "pod_identity_agent");
	ASSERT_STREQ(endpoint_kind_name(CW_EP_CONTAINER_CREDENTIALS), "container_credentials");
	ASSERT_STREQ(endpoint_kind_name(CW_EP_OTHER), "other");
	ASSERT_STREQ(endpoint_kind_name(999), "unknown");
	ASSERT_EQ(endpoint_kind_parse("imds"), CW_EP_IMDS);
	ASSERT_EQ(endpoint_kind_parse("other"), CW_EP_OTHER);
	ASSERT_EQ(endpoint_kind_parse("none"), -1);
	ASSERT_EQ(endpoint_kind_parse("IMDS"), -1);
	ASSERT_EQ(endpoint_kind_parse(""), -1);
}

static void test_endpoints_replace(void)
{
	struct config c;
	char err[CONFIG_ERR_MAX], a[64];
	int rc;

	rc = load(&c,
		  "{\"endpoints\": [\n"
		  "  {\"address\": \"10.0.0.9\", \"port\": 8080, \"kind\": \"other\",\n"
		  "   \"name\": \"vault-agent\"},\n"
		  "  {\"address\": \"fd00::1\"}\n"
		  "]}\n",
		  err, sizeof(err));
	ASSERT_EQ(rc, 0);
	ASSERT_STREQ(err, "");
	ASSERT_EQ(c.nendpoints, 2);
	fmt(&c.endpoints[0], a, sizeof(a));
	ASSERT_STREQ(a, "10.0.0.9");
	ASSERT_EQ(c.endpoints[0].port, 8080);
	ASSERT_EQ(c.endpoints[0].kind, CW_EP_OTHER);
	ASSERT_STREQ(c.endpoints[0].name, "vault-agent");
	fmt(&c.endpoints[1], a, sizeof(a));
	ASSERT_STREQ(a, "fd00::1");
	ASSERT_EQ(c.endpoints[1].port, 80);	     /* default port */
	ASSERT_EQ(c.endpoints[1].kind, CW_EP_OTHER); /* default kind */
	ASSERT_STREQ(c.endpoints[1].name, "");

	/* an empty "endpoints" removes every default */
	rc = load(&c, "{\"endpoints\": []}", err, sizeof(err));
	ASSERT_EQ(rc, 0);
	ASSERT_EQ(c.nendpoints, 0);

	/* an empty object changes nothing */
	rc = load(&c, "{}", err, sizeof(err));
	ASSERT_EQ(rc, 0);
	ASSERT_EQ(c.nendpoints, 5);
}

static void test_extra_endpoints(void)
{
	struct config c;
	char err[CONFIG_ERR_MAX], a[64];
	int rc;

	rc = load(&c,
		  "{\"extra_endpoints\": [{\"address\": \"10.1.2.3\", \"port\": 8200, \"kind\": "
		  "\"imds\"}]}",
		  err, sizeof(err));
	ASSERT_EQ(rc, 0);
	ASSERT_EQ(c.nendpoints, 6);
	fmt(&c.endpoints[0], a, sizeof(a));
	ASSERT_STREQ(a, "169.254.169.254");
	fmt(&c.endpoints[5], a, sizeof(a));
	ASSERT_STREQ(a, "10.1.2.3");
	ASSERT_EQ(c.endpoints[5].port, 8200);
	ASSERT_EQ(c.endpoints[5].kind, CW_EP_IMDS);
}

static void test_key_order(void)
{
	static const char *const texts[] = {
		"{\"endpoints\": [{\"address\": \"10.0.0.1\"}],"
		" \"extra_endpoints\": [{\"address\": \"10.0.0.2\"}]}",
		"{\"extra_endpoints\": [{\"address\": \"10.0.0.2\"}],"
		" \"endpoints\": [{\"address\": \"10.0.0.1\"}]}",
	};
	struct config c[2];
	char err[CONFIG_ERR_MAX], a[64];

	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(load(&c[i], texts[i], err, sizeof(err)), 0);
		ASSERT_EQ(c[i].nendpoints, 2);
		fmt(&c[i].endpoints[0], a, sizeof(a));
		ASSERT_STREQ(a, "10.0.0.1");
		fmt(&c[i].endpoints[1], a, sizeof(a));
		ASSERT_STREQ(a, "10.0.0.2");
	}
	ASSERT_TRUE(memcmp(&c[0], &c[1], sizeof(c[0])) == 0);

	/* keys inside an endpoint in any order */
	ASSERT_EQ(load(&c[0],
		       "{\"endpoints\": [{\"name\": \"n\", \"kind\": \"imds\", \"port\": 81,"
		       " \"address\": \"10.0.0.3\"}]}",
		       err, sizeof(err)),
		  0);
	ASSERT_EQ(load(&c[1],
		       "{\"endpoints\": [{\"address\": \"10.0.0.3\", \"port\": 81, \"kind\": "
		       "\"imds\","
		       " \"name\": \"n\"}]}",
		       err, sizeof(err)),
		  0);
	ASSERT_TRUE(memcmp(&c[0], &c[1], sizeof(c[0])) == 0);
	ASSERT_EQ(c[0].endpoints[0].port, 81);
	ASSERT_EQ(c[0].endpoints[0].kind, CW_EP_IMDS);
}

/* A file that must be rejected: err mentions each of want1/want2 (if set) and
 * the config is byte-for-byte what it was. */
static void expect_error(const char *name, const char *text, const char *want1, const char *want2)
{
	struct config c, before;
	char err[CONFIG_ERR_MAX];
	int rc;

	unit_current = name;
	/* start from a non-default config, so "unchanged" is not "reset to defaults" */
	config_defaults(&c);
	c.nendpoints = 3;
	c.endpoints[2].port = 4242;
	snprintf(c.endpoints[2].name, sizeof(c.endpoints[2].name), "sentinel");
	before = c;
	err[0] = 0;
	write_cfg(text);
	rc = config_load(&c, path, err, sizeof(err));
	ASSERT_EQ(rc, -1);
	ASSERT_TRUE(memcmp(&c, &before, sizeof(c)) == 0);
	ASSERT_TRUE(err[0] != 0);
	ASSERT_TRUE(strncmp(err, path, strlen(path)) == 0); /* names the file */
	if (want1)
		ASSERT_CONTAINS(err, want1);
	if (want2)
		ASSERT_CONTAINS(err, want2);
}

static void test_errors(void)
{
	char want[PATH_MAX + 128];
	char *big;
	size_t off = 0;

	/* syntax error: file:line:column */
	snprintf(want, sizeof(want), "%s:3:", path);
	expect_error("syntax", "{\n  \"endpoints\": [\n    {\"address\": }\n  ]\n}\n", want, NULL);
	snprintf(want, sizeof(want), "%s:2:11:", path);
	expect_error("syntax column", "{\n  \"x\": [1,}", want, NULL);
	snprintf(want, sizeof(want), "%s:1:", path);
	expect_error("empty file", "", want, NULL);
	expect_error("trailing garbage", "{} {}", NULL, NULL);

	/* errors after parsing name the line:column of the offending key or value too */
	snprintf(want, sizeof(want), "%s:1:19: unknown key \"frobs\"", path);
	expect_error("unknown key position", "{\"endpoints\": [], \"frobs\": 1}", want, NULL);
	snprintf(want, sizeof(want), "%s:2:53: extra_endpoints[0].port: must be an integer", path);
	expect_error("wrong type position",
		     "{\n\"extra_endpoints\": [{\"address\": \"10.1.2.3\", \"port\": \"80\"}]}",
		     want, NULL);
	snprintf(want, sizeof(want), "%s:3:17: extra_endpoints[0].address: not an IPv4/IPv6", path);
	expect_error("bad address position",
		     "{\n  \"extra_endpoints\": [\n    {\"address\": \"not-an-ip\"}\n  ]\n}\n",
		     want, NULL);

	expect_error("top-level array", "[]", "top level must be a JSON object", NULL);
	expect_error("top-level array of endpoints", "[{\"address\": \"10.0.0.1\"}]",
		     "top level must be a JSON object", NULL);
	expect_error("unknown top-level key", "{\"endpoint\": []}", "unknown key \"endpoint\"",
		     NULL);
	expect_error("unknown key after a valid one",
		     "{\"endpoints\": [{\"address\": \"10.0.0.1\"}], \"verbose\": true}",
		     "unknown key \"verbose\"", NULL);
	expect_error("unknown endpoint key",
		     "{\"endpoints\": [{\"address\": \"10.0.0.1\", \"prot\": 80}]}", "endpoints[0]",
		     "unknown key \"prot\"");
	expect_error("endpoints not an array", "{\"endpoints\": {}}",
		     "\"endpoints\" must be an array", NULL);
	expect_error("extra_endpoints not an array", "{\"extra_endpoints\": \"10.0.0.1\"}",
		     "\"extra_endpoints\" must be an array", NULL);
	expect_error("endpoint not an object", "{\"endpoints\": [\"10.0.0.1\"]}", "endpoints[0]",
		     "must be an object");

	expect_error("port string",
		     "{\"endpoints\": [{\"address\": \"10.0.0.1\", \"port\": \"80\"}]}",
		     "endpoints[0].port", NULL);
	expect_error("port 0", "{\"endpoints\": [{\"address\": \"10.0.0.1\", \"port\": 0}]}",
		     "endpoints[0].port", "1..65535");
	expect_error("port 70000",
		     "{\"endpoints\": [{\"address\": \"10.0.0.1\", \"port\": 70000}]}",
		     "endpoints[0].port", NULL);
	expect_error("port 65536",
		     "{\"endpoints\": [{\"address\": \"10.0.0.1\", \"port\": 65536}]}",
		     "endpoints[0].port", NULL);
	expect_error("port negative",
		     "{\"endpoints\": [{\"address\": \"10.0.0.1\", \"port\": -80}]}",
		     "endpoints[0].port", NULL);
	expect_error("port real", "{\"endpoints\": [{\"address\": \"10.0.0.1\", \"port\": 80.0}]}",
		     "endpoints[0].port", NULL);
	expect_error(
		"address not an IP",
		"{\"endpoints\": [{\"address\": \"10.0.0.1\"}, {\"address\": \"imds.local\"}]}",
		"endpoints[1].address", NULL);
	expect_error("address with port", "{\"extra_endpoints\": [{\"address\": \"10.0.0.1:80\"}]}",
		     "extra_endpoints[0].address", NULL);
	expect_error("address number", "{\"endpoints\": [{\"address\": 167772161}]}",
		     "endpoints[0].address", NULL);
	expect_error("kind unknown",
		     "{\"endpoints\": [{\"address\": \"10.0.0.1\", \"kind\": \"vault\"}]}",
		     "endpoints[0].kind", NULL);
	expect_error("kind none",
		     "{\"endpoints\": [{\"address\": \"10.0.0.1\", \"kind\": \"none\"}]}",
		     "endpoints[0].kind", NULL);
	expect_error("kind number", "{\"endpoints\": [{\"address\": \"10.0.0.1\", \"kind\": 1}]}",
		     "endpoints[0].kind", NULL);
	expect_error("name number", "{\"endpoints\": [{\"address\": \"10.0.0.1\", \"name\": 1}]}",
		     "endpoints[0].name", NULL);
	expect_error("missing address", "{\"endpoints\": [{\"port\": 80, \"kind\": \"imds\"}]}",
		     "endpoints[0]", "\"address\" is required");
	expect_error("missing address in extra", "{\"extra_endpoints\": [{}]}",
		     "extra_endpoints[0]", "\"address\" is required");

	expect_error("duplicate top-level key", "{\"endpoints\": [], \"endpoints\": []}",
		     "duplicate", NULL);
	expect_error("duplicate endpoint key",
		     "{\"endpoints\": [{\"address\": \"10.0.0.1\", \"address\": \"10.0.0.2\"}]}",
		     "duplicate", NULL);

	/* an error in extra_endpoints also discards a valid "endpoints" */
	expect_error("valid endpoints, bad extra",
		     "{\"endpoints\": [{\"address\": \"10.0.0.1\"}],"
		     " \"extra_endpoints\": [{\"address\": \"x\"}]}",
		     "extra_endpoints[0].address", NULL);

	/* more than 64 endpoints */
	big = malloc(70 * 64 + 64);
	off += sprintf(big + off, "{\"endpoints\": [");
	for (int i = 0; i < 65; i++)
		off += sprintf(big + off, "%s{\"address\": \"10.0.%d.%d\"}", i ? "," : "", i / 256,
			       i % 256);
	sprintf(big + off, "]}");
	expect_error("65 endpoints", big, "more than 64 endpoints", NULL);

	/* 62 extra on top of the 3 endpoints expect_error starts from */
	off = sprintf(big, "{\"extra_endpoints\": [");
	for (int i = 0; i < 62; i++)
		off += sprintf(big + off, "%s{\"address\": \"10.0.0.%d\"}", i ? "," : "", i);
	sprintf(big + off, "]}");
	expect_error("3 + 62 endpoints", big, "more than 64 endpoints", NULL);
	free(big);

	/* a file that cannot be read */
	{
		struct config c, before;
		char err[CONFIG_ERR_MAX] = "";
		char missing[PATH_MAX + 32];

		unit_current = "missing file";
		snprintf(missing, sizeof(missing), "%s/does-not-exist.json", dir);
		config_defaults(&c);
		before = c;
		ASSERT_EQ(config_load(&c, missing, err, sizeof(err)), -1);
		ASSERT_TRUE(memcmp(&c, &before, sizeof(c)) == 0);
		ASSERT_CONTAINS(err, missing);
	}
}

static void test_limits(void)
{
	struct config c;
	char err[CONFIG_ERR_MAX], a[64];
	char *big = malloc(70 * 64 + 64);
	size_t off = 0;

	/* exactly 64 endpoints is fine */
	off += sprintf(big + off, "{\"endpoints\": [");
	for (int i = 0; i < 64; i++)
		off += sprintf(big + off, "%s{\"address\": \"10.0.0.%d\", \"port\": %d}",
			       i ? "," : "", i, 1000 + i);
	sprintf(big + off, "]}");
	ASSERT_EQ(load(&c, big, err, sizeof(err)), 0);
	ASSERT_EQ(c.nendpoints, 64);
	fmt(&c.endpoints[63], a, sizeof(a));
	ASSERT_STREQ(a, "10.0.0.63");
	ASSERT_EQ(c.endpoints[63].port, 1063);

	/* 5 defaults + 59 extra = 64 */
	off = sprintf(big, "{\"extra_endpoints\": [");
	for (int i = 0; i < 59; i++)
		off += sprintf(big + off, "%s{\"address\": \"10.0.0.%d\"}", i ? "," : "", i);
	sprintf(big + off, "]}");
	ASSERT_EQ(load(&c, big, err, sizeof(err)), 0);
	ASSERT_EQ(c.nendpoints, 64);
	free(big);

	/* port bounds */
	ASSERT_EQ(load(&c,
		       "{\"endpoints\": [{\"address\": \"::1\", \"port\": 1},"
		       " {\"address\": \"::2\", \"port\": 65535}]}",
		       err, sizeof(err)),
		  0);
	ASSERT_EQ(c.endpoints[0].port, 1);
	ASSERT_EQ(c.endpoints[1].port, 65535);

	/* a long name is cut to fit, NUL-terminated */
	ASSERT_EQ(load(&c,
		       "{\"endpoints\": [{\"address\": \"::1\", \"name\": \""
		       "0123456789012345678901234567890123456789012345678901234567890123456789"
		       "\"}]}",
		       err, sizeof(err)),
		  0);
	ASSERT_EQ(strlen(c.endpoints[0].name), sizeof(c.endpoints[0].name) - 1);
}

static void round_trip(const char *in, const char *out_want, const uint8_t want[16])
{
	uint8_t addr[16];
	char out[64];

	ASSERT_EQ(config_parse_addr(in, addr), 0);
	if (want)
		ASSERT_TRUE(memcmp(addr, want, 16) == 0);
	config_format_addr(addr, out, sizeof(out));
	ASSERT_STREQ(out, out_want);
}

static void test_addr(void)
{
	static const uint8_t imds[16] = { 0, 0, 0,    0,    0,	 0,   0,   0,
					  0, 0, 0xff, 0xff, 169, 254, 169, 254 };
	static const uint8_t zero4[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0 };
	static const uint8_t v6[16] = { 0xfd, 0, 0x0e, 0xc2, 0, 0, 0,	 0,
					0,    0, 0,    0,    0, 0, 0x02, 0x54 };
	static const uint8_t lo6[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	uint8_t addr[16], keep[16];
	char out[64];

	round_trip("169.254.169.254", "169.254.169.254", imds);
	round_trip("0.0.0.0", "0.0.0.0", zero4);
	round_trip("255.255.255.255", "255.255.255.255", NULL);
	round_trip("fd00:ec2::254", "fd00:ec2::254", v6);
	round_trip("::1", "::1", lo6);
	round_trip("FD00:EC2:0:0:0:0:0:254", "fd00:ec2::254", v6);
	/* an IPv4-mapped IPv6 address is the same table entry as the IPv4 one */
	round_trip("::ffff:169.254.169.254", "169.254.169.254", imds);
	round_trip("::ffff:a9fe:a9fe", "169.254.169.254", imds);
	/* IPv4-compatible (not mapped) stays IPv6 */
	round_trip("::a9fe:a9fe", "::169.254.169.254", NULL);

	memset(addr, 0x5a, sizeof(addr));
	memcpy(keep, addr, sizeof(keep));
	ASSERT_TRUE(config_parse_addr("", addr) != 0);
	ASSERT_TRUE(config_parse_addr("1.2.3", addr) != 0);
	ASSERT_TRUE(config_parse_addr("1.2.3.256", addr) != 0);
	ASSERT_TRUE(config_parse_addr("1.2.3.4 ", addr) != 0);
	ASSERT_TRUE(config_parse_addr("fd00::1::2", addr) != 0);
	ASSERT_TRUE(config_parse_addr("localhost", addr) != 0);
	ASSERT_TRUE(config_parse_addr("fe80::1%eth0", addr) != 0);
	ASSERT_TRUE(memcmp(addr, keep, 16) == 0); /* failures leave out alone */

	/* format of every address the defaults use */
	ASSERT_EQ(config_parse_addr("10.0.0.9", addr), 0);
	config_format_addr(addr, out, sizeof(out));
	ASSERT_STREQ(out, "10.0.0.9");
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/cw-test-config.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/config.json", dir);

	RUN(test_defaults);
	RUN(test_kinds);
	RUN(test_endpoints_replace);
	RUN(test_extra_endpoints);
	RUN(test_key_order);
	RUN(test_errors);
	RUN(test_limits);
	RUN(test_addr);

	unlink(path);
	rmdir(dir);
	return unit_report("config");
}
