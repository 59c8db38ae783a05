// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for fold: one emit and one exact summary per window, key identity (every key field,
 * exact comparison of long strings), eviction at capacity (oldest first, counts never lost),
 * window rollover, flush at shutdown, the SipHash reference vectors, and the summary JSON.
 */
#include <stdlib.h>

#include "judge/fold.h"
#include "util/jsonw.h"
#include "render/json.h"
#include "unit.h"

#define SEC	 1000000000ULL
#define T0	 (1795910400ULL * SEC) /* 2026-11-29T00:00:00Z */
#define MAX_SUMS 4096

static struct fold_summary sums[MAX_SUMS];
static char sum_exe[MAX_SUMS][FOLD_EXE_MAX];
static char sum_target[MAX_SUMS][FOLD_TARGET_MAX];
static int nsums;

static void on_summary(const struct fold_summary *s, void *ctx)
{
	int *calls = ctx;

	if (calls)
		(*calls)++;
	if (nsums >= MAX_SUMS)
		return;
	sums[nsums] = *s;
	snprintf(sum_exe[nsums], sizeof(sum_exe[0]), "%s", s->exe);
	snprintf(sum_target[nsums], sizeof(sum_target[0]), "%s", s->target);
	/* the strings die with the callback: keep copies */
	sums[nsums].exe = sum_exe[nsums];
	sums[nsums].target = sum_target[nsums];
	sums[nsums].pod_uid = sums[nsums].pod_namespace = sums[nsums].pod_name =
		sums[nsums].container = NULL;
	nsums++;
}

static struct fold_key key(const char *exe, const char *target)
{
	struct fold_key k = {
		.rule = RULE_IMDS_CREDENTIAL_FETCH,
		.severity = SEV_HIGH,
		.pod_uid = "0b0e2f7a-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
		.pod_namespace = "default",
		.pod_name = "web-5d9c7",
		.container = "app",
		.exe = exe,
		.target = target,
	};
	return k;
}

static void test_siphash(void)
{
	/* reference vectors of the SipHash paper / reference implementation (key 00..0f) */
	unsigned char msg[64];
	uint64_t k0 = 0x0706050403020100ULL, k1 = 0x0f0e0d0c0b0a0908ULL;

	for (int i = 0; i < 64; i++)
		msg[i] = i;
	ASSERT_TRUE(fold_siphash(k0, k1, msg, 0) == 0x726fdb47dd0e0e31ULL);
	ASSERT_TRUE(fold_siphash(k0, k1, msg, 1) == 0x74f839c593dc67fdULL);
	ASSERT_TRUE(fold_siphash(k0, k1, msg, 8) == 0x93f5f5799a932462ULL);
	ASSERT_TRUE(fold_siphash(k0, k1, msg, 15) == 0xa129ca6149be45e5ULL);
	ASSERT_TRUE(fold_siphash(k0, k1, msg, 63) == 0x958a324ceb064572ULL);
	ASSERT_TRUE(fold_siphash(k0 + 1, k1, msg, 15) != 0xa129ca6149be45e5ULL);
}

static void test_ten_thousand(void)
{
	struct fold *f;
	struct fold_key k =
		key("/usr/bin/curl", "imds:/latest/meta-data/iam/security-credentials/r");
	int emits = 0, calls = 0;

	nsums = 0;
	f = fold_new(16, 60 * SEC, on_summary, &calls);
	ASSERT_NOTNULL(f);
	for (int i = 0; i < 10000; i++)
		emits += fold_hit(f, &k, T0 + (uint64_t)i * 5000000ULL) == FOLD_EMIT; /* 50 s */
	ASSERT_EQ(emits, 1);
	ASSERT_EQ(fold_count(f), 1);
	ASSERT_EQ(fold_expire(f, T0 + 59 * SEC), 0);
	ASSERT_EQ(calls, 0);
	ASSERT_EQ(fold_expire(f, T0 + 60 * SEC), 1);
	ASSERT_EQ(calls, 1);
	ASSERT_EQ(nsums, 1);
	ASSERT_EQ(sums[0].count, 10000);
	ASSERT_EQ(sums[0].why, FOLD_END_WINDOW);
	ASSERT_TRUE(sums[0].start_ns == T0 && sums[0].first_ns == T0);
	ASSERT_TRUE(sums[0].last_ns == T0 + 9999ULL * 5000000ULL);
	ASSERT_TRUE(sums[0].end_ns == T0 + 60 * SEC);
	ASSERT_EQ(sums[0].rule, RULE_IMDS_CREDENTIAL_FETCH);
	ASSERT_EQ(sums[0].severity, SEV_HIGH);
	ASSERT_STREQ(sums[0].exe, "/usr/bin/curl");
	ASSERT_EQ(fold_count(f), 0);
	/* nothing left: a later expire or flush reports nothing */
	ASSERT_EQ(fold_expire(f, T0 + 1000 * SEC), 0);
	ASSERT_EQ(fold_flush_all(f, T0 + 1000 * SEC), 0);
	ASSERT_EQ(calls, 1);
	/* the next hit starts a new window */
	ASSERT_EQ(fold_hit(f, &k, T0 + 61 * SEC), FOLD_EMIT);
	fold_free(f);
}

static void test_distinct_keys(void)
{
	struct fold *f = fold_new(64, 60 * SEC, on_summary, NULL);
	struct fold_key base = key("/bin/sh", "t"), k;

	nsums = 0;
	ASSERT_EQ(fold_hit(f, &base, T0), FOLD_EMIT);
	ASSERT_EQ(fold_hit(f, &base, T0 + 1), FOLD_SUPPRESS);

	k = base;
	k.rule = RULE_IMDS_V1;
	ASSERT_EQ(fold_hit(f, &k, T0 + 2), FOLD_EMIT);
	k = base;
	k.host = true;
	ASSERT_EQ(fold_hit(f, &k, T0 + 3), FOLD_EMIT);
	k = base;
	k.pod_uid = "11111111-2222-3333-4444-555555555555";
	ASSERT_EQ(fold_hit(f, &k, T0 + 4), FOLD_EMIT);
	k = base;
	k.container = "sidecar";
	ASSERT_EQ(fold_hit(f, &k, T0 + 5), FOLD_EMIT);
	k = base;
	k.exe = "/bin/bash";
	ASSERT_EQ(fold_hit(f, &k, T0 + 6), FOLD_EMIT);
	k = base;
	k.target = "u";
	ASSERT_EQ(fold_hit(f, &k, T0 + 7), FOLD_EMIT);
	/* field boundaries are part of the key: "ab"+"c" is not "a"+"bc" */
	k = base;
	k.container = "appx";
	k.exe = "/bin/sh";
	ASSERT_EQ(fold_hit(f, &k, T0 + 8), FOLD_EMIT);
	k = base;
	k.container = NULL; /* NULL is "" */
	ASSERT_EQ(fold_hit(f, &k, T0 + 9), FOLD_EMIT);
	k.container = "";
	ASSERT_EQ(fold_hit(f, &k, T0 + 10), FOLD_SUPPRESS);

	/* not part of the key: namespace / pod name (the UID is), severity */
	k = base;
	k.pod_namespace = "other";
	k.pod_name = "renamed";
	k.severity = SEV_CRITICAL;
	ASSERT_EQ(fold_hit(f, &k, T0 + 11), FOLD_SUPPRESS);
	ASSERT_EQ(fold_count(f), 9);

	ASSERT_EQ(fold_flush_all(f, T0 + 20 * SEC), 9);
	ASSERT_EQ(nsums, 9);
	/* oldest first; the base key counted 3 hits, with the highest severity seen */
	ASSERT_EQ(sums[0].count, 3);
	ASSERT_EQ(sums[0].severity, SEV_CRITICAL);
	ASSERT_EQ(sums[0].why, FOLD_END_FLUSHED);
	ASSERT_TRUE(sums[0].end_ns == T0 + 20 * SEC); /* closed early: at the flush */
	ASSERT_EQ(sums[8].count, 2);		      /* container NULL and "" */
	fold_free(f);
}

static void test_long_strings(void)
{
	struct fold *f = fold_new(8, 60 * SEC, on_summary, NULL);
	char a[600], b[600];
	struct fold_key ka, kb;

	memset(a, 'x', sizeof(a) - 1);
	a[sizeof(a) - 1] = 0;
	memcpy(b, a, sizeof(b));
	b[500] = 'y'; /* differs far beyond the stored 255 bytes */
	ka = key(a, "t");
	kb = key(b, "t");
	nsums = 0;
	ASSERT_EQ(fold_hit(f, &ka, T0), FOLD_EMIT);
	ASSERT_EQ(fold_hit(f, &kb, T0 + 1), FOLD_EMIT);
	ASSERT_EQ(fold_hit(f, &ka, T0 + 2), FOLD_SUPPRESS);
	ASSERT_EQ(fold_hit(f, &kb, T0 + 3), FOLD_SUPPRESS);
	/* a shorter string with the same stored prefix is another key too */
	a[FOLD_EXE_MAX - 1] = 0;
	ASSERT_EQ(fold_hit(f, &ka, T0 + 4), FOLD_EMIT);
	ASSERT_EQ(fold_count(f), 3);
	ASSERT_EQ(fold_flush_all(f, T0 + 5), 3);
	ASSERT_EQ(sums[0].count, 2);
	ASSERT_TRUE((sums[0].cut & FOLD_CUT_EXE) != 0);
	ASSERT_EQ(strlen(sums[0].exe), FOLD_EXE_MAX - 1);
	ASSERT_EQ(sums[2].cut, 0); /* exactly fits: not cut */
	fold_free(f);
}

static void test_eviction(void)
{
	struct fold *f = fold_new(4, 60 * SEC, on_summary, NULL);
	char exe[8][32];
	struct fold_key k[8];

	nsums = 0;
	for (int i = 0; i < 8; i++) {
		snprintf(exe[i], sizeof(exe[i]), "/bin/p%d", i);
		k[i] = key(exe[i], "t");
	}
	/* 4 keys fill the table; key i is hit i + 1 times */
	for (int i = 0; i < 4; i++)
		for (int j = 0; j <= i; j++)
			ASSERT_EQ(fold_hit(f, &k[i], T0 + i * SEC + j),
				  j ? FOLD_SUPPRESS : FOLD_EMIT);
	ASSERT_EQ(fold_count(f), 4);
	ASSERT_EQ(nsums, 0);
	/* a fifth key: the oldest window (key 0) is flushed early, with its exact count */
	ASSERT_EQ(fold_hit(f, &k[4], T0 + 10 * SEC), FOLD_EMIT);
	ASSERT_EQ(nsums, 1);
	ASSERT_STREQ(sums[0].exe, "/bin/p0");
	ASSERT_EQ(sums[0].count, 1);
	ASSERT_EQ(sums[0].why, FOLD_END_EVICTED);
	ASSERT_TRUE(sums[0].end_ns == T0 + 10 * SEC);
	ASSERT_EQ(fold_evictions(f), 1);
	ASSERT_EQ(fold_count(f), 4);
	/* two more: keys 1 and 2 go, in age order */
	ASSERT_EQ(fold_hit(f, &k[5], T0 + 11 * SEC), FOLD_EMIT);
	ASSERT_EQ(fold_hit(f, &k[6], T0 + 12 * SEC), FOLD_EMIT);
	ASSERT_EQ(nsums, 3);
	ASSERT_STREQ(sums[1].exe, "/bin/p1");
	ASSERT_EQ(sums[1].count, 2);
	ASSERT_STREQ(sums[2].exe, "/bin/p2");
	ASSERT_EQ(sums[2].count, 3);
	/* key 3 is still open and counting */
	ASSERT_EQ(fold_hit(f, &k[3], T0 + 13 * SEC), FOLD_SUPPRESS);
	/* an evicted key comes back as a new window */
	ASSERT_EQ(fold_hit(f, &k[0], T0 + 14 * SEC), FOLD_EMIT);
	ASSERT_EQ(nsums, 4);
	ASSERT_STREQ(sums[3].exe, "/bin/p3");
	ASSERT_EQ(sums[3].count, 5);
	ASSERT_EQ(fold_evictions(f), 4);
	ASSERT_EQ(fold_flush_all(f, T0 + 100 * SEC), 4);
	/* windows that ran their length by then say so, with end = start + window */
	ASSERT_EQ(sums[4].why, FOLD_END_WINDOW);
	ASSERT_TRUE(sums[4].end_ns == sums[4].start_ns + 60 * SEC);
	fold_free(f);
}

static void test_rollover(void)
{
	struct fold *f = fold_new(8, 60 * SEC, on_summary, NULL);
	struct fold_key k = key("/usr/bin/aws", "t");

	nsums = 0;
	ASSERT_EQ(fold_hit(f, &k, T0), FOLD_EMIT);
	ASSERT_EQ(fold_hit(f, &k, T0 + 60 * SEC - 1), FOLD_SUPPRESS);
	/* the window ended without fold_expire: the hit closes it and opens the next */
	ASSERT_EQ(fold_hit(f, &k, T0 + 60 * SEC), FOLD_EMIT);
	ASSERT_EQ(nsums, 1);
	ASSERT_EQ(sums[0].count, 2);
	ASSERT_EQ(sums[0].why, FOLD_END_WINDOW);
	ASSERT_TRUE(sums[0].end_ns == T0 + 60 * SEC);
	ASSERT_TRUE(sums[0].last_ns == T0 + 60 * SEC - 1);
	ASSERT_EQ(fold_hit(f, &k, T0 + 70 * SEC), FOLD_SUPPRESS);
	ASSERT_EQ(fold_expire(f, T0 + 119 * SEC), 0);
	ASSERT_EQ(fold_expire(f, T0 + 125 * SEC), 1);
	ASSERT_EQ(sums[1].count, 2);
	ASSERT_TRUE(sums[1].start_ns == T0 + 60 * SEC);
	ASSERT_TRUE(sums[1].end_ns == T0 + 120 * SEC);

	/* a single hit still gets its (count 1) close, so nothing is ever unaccounted */
	ASSERT_EQ(fold_hit(f, &k, T0 + 200 * SEC), FOLD_EMIT);
	ASSERT_EQ(fold_expire(f, T0 + 300 * SEC), 1);
	ASSERT_EQ(sums[2].count, 1);
	/* a clock that steps back: still counted in the open window */
	ASSERT_EQ(fold_hit(f, &k, T0 + 400 * SEC), FOLD_EMIT);
	ASSERT_EQ(fold_hit(f, &k, T0 + 399 * SEC), FOLD_SUPPRESS);
	ASSERT_EQ(fold_flush_all(f, T0 + 401 * SEC), 1);
	ASSERT_EQ(sums[3].count, 2);
	ASSERT_TRUE(sums[3].end_ns == T0 + 401 * SEC);
	fold_free(f);
}

static void test_disabled_and_args(void)
{
	struct fold *f = fold_new(4, 0, on_summary, NULL);
	struct fold_key k = key("/bin/sh", "t");

	nsums = 0;
	for (int i = 0; i < 100; i++)
		ASSERT_EQ(fold_hit(f, &k, T0 + i), FOLD_EMIT);
	ASSERT_EQ(fold_count(f), 0);
	ASSERT_EQ(fold_flush_all(f, T0 + 1000 * SEC), 0);
	ASSERT_EQ(nsums, 0);
	fold_free(f);

	ASSERT_NULL(fold_new(4, SEC, NULL, NULL));
	ASSERT_NULL(fold_new((size_t)1 << 40, SEC, on_summary, NULL));
	f = fold_new(0, SEC, on_summary, NULL);
	ASSERT_EQ(fold_capacity(f), FOLD_DEFAULT_CAPACITY);
	ASSERT_TRUE(fold_bytes(f) > FOLD_DEFAULT_CAPACITY * FOLD_EXE_MAX);
	fold_free(f);
	fold_free(NULL);
}

/* Random keys, tiny table, random clock: every hit is in exactly one summary. */
static void test_accounting(void)
{
	struct fold *f = fold_new(7, 10 * SEC, on_summary, NULL);
	char exe[40][32];
	uint64_t now = T0, total = 0;
	unsigned int seed = 12345;
	int emits = 0;
	size_t maxn = 0;

	fold_seed(f, 0x1234, 0x5678);
	nsums = 0;
	for (int i = 0; i < 40; i++)
		snprintf(exe[i], sizeof(exe[i]), "/bin/k%d", i);
	for (int i = 0; i < 20000; i++) {
		struct fold_key k = key(exe[rand_r(&seed) % 40], "t");

		now += rand_r(&seed) % (SEC / 100);
		emits += fold_hit(f, &k, now) == FOLD_EMIT;
		if (i % 97 == 0)
			fold_expire(f, now);
		if (fold_count(f) > maxn)
			maxn = fold_count(f);
		if (nsums > MAX_SUMS - 100) {
			for (int j = 0; j < nsums; j++)
				total += sums[j].count;
			emits -= nsums;
			nsums = 0;
		}
	}
	fold_flush_all(f, now);
	for (int j = 0; j < nsums; j++)
		total += sums[j].count;
	emits -= nsums;
	ASSERT_TRUE(total == 20000);
	ASSERT_EQ(emits, 0); /* one summary per emitted first hit */
	ASSERT_EQ(maxn, 7);  /* bounded, and the bound was reached */
	ASSERT_TRUE(fold_evictions(f) > 0);
	fold_free(f);
}

static void test_put_summary(void)
{
	struct fold_summary s = {
		.rule = RULE_FOREIGN_TOKEN_READ,
		.severity = SEV_CRITICAL,
		.pod_uid = "0b0e2f7a-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
		.pod_namespace = "default",
		.pod_name = "web",
		.container = "app",
		.exe = "/bin/cat",
		.target = "/var/run/secrets/\"x\"",
		.count = 10000,
		.start_ns = T0 + 5,
		.end_ns = T0 + 60 * SEC + 5,
	};
	char buf[1024];
	struct jw w;

	jw_init(&w, buf, sizeof(buf));
	jw_obj_open(&w, NULL);
	json_put_summary(&w, &s);
	jw_finish(&w);
	ASSERT_STREQ(buf,
		     "{\"finding\":{\"rule\":"
		     "\"foreign_token_read\",\"severity\":\"critical\",\"mitre\":\"T1528\"},"
		     "\"count\":10000,\"window\":{\"start\":\"2026-11-29T00:00:00.000000005Z\","
		     "\"end\":\"2026-11-29T00:01:00.000000005Z\"},\"subject\":{\"pod_uid\":"
		     "\"0b0e2f7a-1c2d-4e5f-8a9b-0c1d2e3f4a5b\",\"namespace\":\"default\","
		     "\"pod_name\":\"web\",\"container\":\"app\",\"exe\":\"/bin/cat\","
		     "\"host\":false},\"target\":\"/var/run/secrets/\\\"x\\\"\"}");

	/* a host process: no pod; a cut exe carries the marker */
	s.host = true;
	s.pod_uid = s.pod_namespace = s.pod_name = s.container = "";
	s.cut = FOLD_CUT_EXE;
	s.rule = RULE_HOST_TOKEN_READ;
	s.severity = SEV_HIGH;
	jw_init(&w, buf, sizeof(buf));
	jw_obj_open(&w, NULL);
	json_put_summary(&w, &s);
	jw_finish(&w);
	ASSERT_TRUE(strstr(buf, "\"subject\":{\"pod_uid\":null,\"namespace\":null,\"pod_name\":"
				"null,\"container\":null,\"exe\":\"/bin/cat" JW_TRUNC_MARK
				"\",\"host\":true}") != NULL);
	ASSERT_TRUE(strstr(buf, "\"mitre\":\"T1528\"") != NULL);
}

static void test_end_to_end_json(void)
{
	/* what the agent does at a tick: expire, and write a summary for counts > 1 */
	struct fold *f = fold_new(8, 60 * SEC, on_summary, NULL);
	struct fold_key k =
		key("/usr/bin/curl", "imds:/latest/meta-data/iam/security-credentials/");
	char buf[1024];
	struct jw w;

	nsums = 0;
	for (int i = 0; i < 10000; i++)
		fold_hit(f, &k, T0 + i);
	fold_expire(f, T0 + 60 * SEC);
	ASSERT_EQ(nsums, 1);
	sums[0].pod_uid = "p";
	sums[0].pod_namespace = sums[0].pod_name = sums[0].container = "";
	jw_init(&w, buf, sizeof(buf));
	jw_obj_open(&w, NULL);
	json_put_summary(&w, &sums[0]);
	jw_finish(&w);
	ASSERT_TRUE(strstr(buf, "\"count\":10000,") != NULL);
	ASSERT_TRUE(strstr(buf, "\"rule\":\"imds_credential_fetch\",\"severity\":\"high\","
				"\"mitre\":\"T1552.005\"") != NULL);
	ASSERT_TRUE(strstr(buf, "\"start\":\"2026-11-29T00:00:00.000000000Z\",\"end\":"
				"\"2026-11-29T00:01:00.000000000Z\"") != NULL);
	fold_free(f);
}

int main(void)
{
	RUN(test_siphash);
	RUN(test_ten_thousand);
	RUN(test_distinct_keys);
	RUN(test_long_strings);
	RUN(test_eviction);
	RUN(test_rollover);
	RUN(test_disabled_and_args);
	RUN(test_accounting);
	RUN(test_put_summary);
	RUN(test_end_to_end_json);
	return unit_report("fold");
}
