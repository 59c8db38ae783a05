// SPDX-License-Identifier: GPL-2.0
/* Network: sends nothing; addresses are parse input only (no netns needed). */
#include "unit.h"
#include "enrich/redact.h"

static const char *r(const char *prev, const char *arg, bool *red)
{
	static char out[512];

	redact_arg(prev, prev ? strlen(prev) : 0, arg, strlen(arg), out, sizeof(out), red);
	return out;
}

#define SECRET "AQAEAKmL0ZsTOPSECRETVALUE0123456789abcdefXYZ=="
#define JWT    "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlU0VDUkVU"

static void test_headers(void)
{
	bool red;

	ASSERT_STREQ(r("-H", "X-aws-ec2-metadata-token: " SECRET, &red),
		     "X-aws-ec2-metadata-token: [REDACTED]");
	ASSERT_TRUE(red);
	ASSERT_STREQ(r(NULL, "x-aws-ec2-metadata-token:" SECRET, &red),
		     "x-aws-ec2-metadata-token: [REDACTED]");
	ASSERT_STREQ(r("--header", "Authorization: " JWT, &red), "Authorization: [REDACTED]");
	ASSERT_STREQ(r("-H", "AUTHORIZATION : abc", &red), "AUTHORIZATION : [REDACTED]");
	ASSERT_STREQ(r("-H", "X-aws-ec2-metadata-token-ttl-seconds: 21600", &red),
		     "X-aws-ec2-metadata-token-ttl-seconds: 21600");
	ASSERT_FALSE(red);
}

static void test_flags_and_env(void)
{
	bool red;

	ASSERT_STREQ(r("aws_secret_access_key", SECRET, &red), "[REDACTED]");
	ASSERT_TRUE(red);
	ASSERT_STREQ(r("--session-token", SECRET, &red), "[REDACTED]");
	/* the end of a flag whose start was cut off still counts */
	ASSERT_STREQ(r("ion-token", SECRET, &red), "[REDACTED]");
	ASSERT_STREQ(r("n--session-token", SECRET, &red), "[REDACTED]");
	ASSERT_STREQ(r(NULL, "AWS_SECRET_ACCESS_KEY=" SECRET, &red),
		     "AWS_SECRET_ACCESS_KEY=[REDACTED]");
	ASSERT_STREQ(r(NULL, "AWS_SESSION_TOKEN=" SECRET, &red), "AWS_SESSION_TOKEN=[REDACTED]");
	ASSERT_STREQ(r(NULL, "db_password=hunter2", &red), "db_password=[REDACTED]");
	ASSERT_STREQ(r(NULL, "AWS_REGION=us-east-1", &red), "AWS_REGION=us-east-1");
	ASSERT_STREQ(r(NULL, "--aws-session-token=abc", &red), "--aws-session-token=[REDACTED]");
	/* a script, not an assignment: left alone */
	ASSERT_STREQ(r(NULL, "import botocore.session\ns = botocore.session.get_session()", &red),
		     "import botocore.session\ns = botocore.session.get_session()");
	ASSERT_FALSE(red);
	ASSERT_FALSE(red);
	ASSERT_STREQ(r(NULL, "http://169.254.169.254/latest/meta-data/", &red),
		     "http://169.254.169.254/latest/meta-data/");
	ASSERT_FALSE(red);
}

static void test_jwt(void)
{
	bool red;

	ASSERT_STREQ(r(NULL, JWT, &red), "[REDACTED]");
	ASSERT_TRUE(red);
	ASSERT_STREQ(r(NULL, "token=" JWT, &red), "token=[REDACTED]");
	ASSERT_STREQ(r(NULL, "x" JWT, &red), "x" JWT); /* not at a word start */
	ASSERT_STREQ(r(NULL, "--data={\"t\":\"" JWT "\"}", &red), "--data={\"t\":\"[REDACTED]\"}");
	ASSERT_TRUE(red);
	ASSERT_STREQ(r(NULL, "eyJ.not", &red), "eyJ.not");
}

/* forms found in review: the secret is not at the start of the argument */
static void test_embedded(void)
{
	bool red;

	ASSERT_STREQ(r(NULL, "--header=X-aws-ec2-metadata-token: " SECRET, &red),
		     "--header=X-aws-ec2-metadata-token: [REDACTED]");
	ASSERT_TRUE(red);
	ASSERT_STREQ(r(NULL, "-HX-aws-ec2-metadata-token: " SECRET, &red),
		     "-HX-aws-ec2-metadata-token: [REDACTED]");
	ASSERT_STREQ(r("-H", " Authorization: Bearer " SECRET, &red), " Authorization: [REDACTED]");
	ASSERT_STREQ(r("-c", "export AWS_SECRET_ACCESS_KEY=" SECRET "; aws s3 ls", &red),
		     "export AWS_SECRET_ACCESS_KEY=[REDACTED]; aws s3 ls");
	ASSERT_STREQ(r("-c",
		       "curl -H 'X-aws-ec2-metadata-token: " SECRET "' http://169.254.169.254/",
		       &red),
		     "curl -H 'X-aws-ec2-metadata-token: [REDACTED]' http://169.254.169.254/");
	ASSERT_TRUE(strstr(r("-c", "a=1 AWS_SESSION_TOKEN=" SECRET " cmd", &red), "AQAE") == NULL);
	/* not a header: a word that merely ends like one */
	ASSERT_STREQ(r(NULL, "xauthorization: 1", &red), "xauthorization: 1");
	ASSERT_FALSE(red);
}

static void test_bounds(void)
{
	char out[16];
	bool red;
	size_t n = redact_arg(NULL, 0, "Authorization: " SECRET, strlen("Authorization: " SECRET),
			      out, sizeof(out), &red);

	ASSERT_TRUE(n < sizeof(out));
	ASSERT_TRUE(red);
	ASSERT_TRUE(strstr(out, "AQAE") == NULL);
	n = redact_arg(NULL, 0, JWT, strlen(JWT), out, sizeof(out), &red);
	ASSERT_TRUE(strstr(out, "eyJ") == NULL);
}

int main(void)
{
	RUN(test_headers);
	RUN(test_flags_and_env);
	RUN(test_jwt);
	RUN(test_embedded);
	RUN(test_bounds);
	return unit_report("redact");
}
