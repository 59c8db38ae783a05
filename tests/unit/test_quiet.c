// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for judge/quiet.c against a stand-in for the kernel map that also plays the BPF side
 * (bpf/lib/flood.bpf.h cw_quiet_hit: count while now <= until). Exact counts, windows, the
 * grace period, capacity, flush, a stale entry, and the path hash shared with the BPF side.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "judge/quiet.h"
#include "unit.h"

#define FAKE_MAX 64

static struct {
	struct cw_quiet_key k[FAKE_MAX];
	struct cw_quiet_val v[FAKE_MAX];
	bool used[FAKE_MAX];
	int cap; /* entries the fake map holds (<= FAKE_MAX) */
	int removes_fail;
} m;

static int find(const struct cw_quiet_key *k)
{
	for (int i = 0; i < FAKE_MAX; i++)
		if (m.used[i] && !memcmp(&m.k[i], k, sizeof(*k)))
			return i;
	return -1;
}

static int f_insert(void *ctx, const struct cw_quiet_key *k, const struct cw_quiet_val *v)
{
	int n = 0;

	(void)ctx;
	if (find(k) >= 0)
		return -EEXIST;
	for (int i = 0; i < FAKE_MAX; i++)
		n += m.used[i];
	if (n >= m.cap)
		return -E2BIG;
	for (int i = 0; i < FAKE_MAX; i++)
		if (!m.used[i]) {
			m.used[i] = true;
			m.k[i] = *k;
			m.v[i] = *v;
			return 0;
		}
	return -E2BIG;
}

static int f_lookup(void *ctx, const struct cw_quiet_key *k, struct cw_quiet_val *v)
{
	int i = find(k);

	(void)ctx;
	if (i < 0)
		return -ENOENT;
	*v = m.v[i];
	return 0;
}

static int f_remove(void *ctx, const struct cw_quiet_key *k)
{
	int i = find(k);

	(void)ctx;
	if (m.removes_fail) {
		m.removes_fail--;
		return -EIO;
	}
	if (i < 0)
		return -ENOENT;
	m.used[i] = false;
	return 0;
}

static const struct quiet_map_ops fake = { f_insert, f_lookup, f_remove };

/* the BPF side: true when the repeat was counted (not sent) */
static bool bpf_hit(const struct cw_quiet_key *k, uint64_t now)
{
	int i = find(k);

	if (!k->exec_id || i < 0 || now > m.v[i].until_ns)
		return false;
	m.v[i].count++;
	if (!m.v[i].first_ns)
		m.v[i].first_ns = now;
	m.v[i].last_ns = now;
	return true;
}

static struct quiet_summary got[FAKE_MAX * 4];
static struct quiet_info got_info[FAKE_MAX * 4];
static int ngot;

static void cb(const struct quiet_summary *s, void *ctx)
{
	(void)ctx;
	if (ngot < (int)(sizeof(got) / sizeof(got[0]))) {
		got_info[ngot] = *s->info;
		got[ngot] = *s;
		got[ngot].info = &got_info[ngot];
		got[ngot].key = NULL;
	}
	ngot++;
}

static void reset(int cap)
{
	memset(&m, 0, sizeof(m));
	m.cap = cap;
	ngot = 0;
}

static struct cw_quiet_key key(uint64_t cg, uint32_t tgid, uint64_t ino)
{
	struct cw_quiet_key k = { .cgroup_id = cg,
				  .exec_id = 1000 + tgid,
				  .ino = ino,
				  .dev = 7,
				  .tgid = tgid,
				  .what = CW_QUIET_WHAT(CW_EV_FILE_OPEN, 0, 0) };
	return k;
}

static struct quiet_info info(const char *pod, uint32_t pid)
{
	struct quiet_info i = { .pid = pid, .file_kind = "irsa_token" };

	snprintf(i.pod_name, sizeof(i.pod_name), "%s", pod);
	snprintf(i.path, sizeof(i.path), "/var/run/secrets/eks.amazonaws.com/serviceaccount/token");
	return i;
}

#define S 1000000000ULL

static void test_window_exact(void)
{
	struct quiet *q;
	struct cw_quiet_key k = key(1, 42, 99);
	struct quiet_info in = info("web-1", 42);
	int sent = 0, counted = 0;

	reset(FAKE_MAX);
	q = quiet_new(&fake, NULL, 16, 60 * S, cb, NULL);
	ASSERT_NOTNULL(q);
	/* before arming, every repeat is sent */
	ASSERT_FALSE(bpf_hit(&k, 10 * S));
	ASSERT_EQ(quiet_arm(q, &k, &in, 10 * S), 0);
	/* arming twice is harmless */
	ASSERT_EQ(quiet_arm(q, &k, &in, 10 * S + 5), 0);
	for (uint64_t t = 10 * S + 1; t <= 70 * S; t += S / 100) {
		if (bpf_hit(&k, t))
			counted++;
		else
			sent++;
	}
	/* every repeat inside [10 s, 70 s] was counted, none sent */
	ASSERT_EQ(sent, 0);
	ASSERT_EQ(counted, 6000);
	/* not retired before the end + grace */
	ASSERT_EQ(quiet_sweep(q, 70 * S), 0);
	ASSERT_EQ(quiet_sweep(q, 71 * S - 1), 0);
	/* after the end, a repeat is sent again (the agent judges it again) */
	ASSERT_FALSE(bpf_hit(&k, 70 * S + 1));
	ASSERT_EQ(quiet_sweep(q, 71 * S), 1);
	ASSERT_EQ(ngot, 1);
	ASSERT_EQ(got[0].repeats, 6000);
	ASSERT_EQ(got[0].start_ns, 10 * S);
	ASSERT_EQ(got[0].end_ns, 70 * S);
	ASSERT_EQ(got[0].first_ns, 10 * S + 1);
	ASSERT_EQ(got[0].last_ns, 10 * S + 1 + 5999 * (S / 100));
	ASSERT_EQ(got[0].why, QUIET_END_WINDOW);
	ASSERT_STREQ(got[0].info->pod_name, "web-1");
	ASSERT_EQ(got[0].info->pid, 42);
	/* the entry is gone from the kernel map and from the table */
	ASSERT_EQ(find(&k), -1);
	{
		struct quiet_stats st;

		quiet_stats(q, &st);
		ASSERT_EQ(st.active, 0);
		ASSERT_EQ(st.armed, 1);
		ASSERT_EQ(st.summaries, 1);
		ASSERT_EQ(st.repeats, 6000);
	}
	/* and a new window can be armed */
	ASSERT_EQ(quiet_arm(q, &k, &in, 72 * S), 0);
	ASSERT_TRUE(bpf_hit(&k, 73 * S));
	quiet_free(q);
}

static void test_no_repeats_no_summary(void)
{
	struct quiet *q;
	struct cw_quiet_key k = key(1, 43, 99);
	struct quiet_info in = info("web-1", 43);

	reset(FAKE_MAX);
	q = quiet_new(&fake, NULL, 16, 5 * S, cb, NULL);
	ASSERT_EQ(quiet_arm(q, &k, &in, 0), 0);
	ASSERT_EQ(quiet_sweep(q, 6 * S), 1);
	ASSERT_EQ(ngot, 0);
	ASSERT_EQ(find(&k), -1);
	quiet_free(q);
}

static void test_off_and_unknown_image(void)
{
	struct quiet *q;
	struct cw_quiet_key k = key(1, 44, 99);
	struct quiet_info in = info("web-1", 44);

	reset(FAKE_MAX);
	/* window 0: folding is off, nothing is quieted */
	q = quiet_new(&fake, NULL, 16, 0, cb, NULL);
	ASSERT_EQ(quiet_arm(q, &k, &in, 0), 0);
	ASSERT_FALSE(bpf_hit(&k, 1));
	quiet_free(q);
	/* a process whose image is unknown (exec_id 0) is never quieted */
	q = quiet_new(&fake, NULL, 16, 60 * S, cb, NULL);
	k.exec_id = 0;
	ASSERT_EQ(quiet_arm(q, &k, &in, 0), 0);
	ASSERT_EQ(find(&k), -1);
	ASSERT_FALSE(bpf_hit(&k, 1));
	quiet_free(q);
}

static void test_capacity(void)
{
	struct quiet *q;
	struct quiet_info in = info("web-1", 1);
	struct quiet_stats st;

	/* the agent's table full */
	reset(FAKE_MAX);
	q = quiet_new(&fake, NULL, 4, 60 * S, cb, NULL);
	for (uint32_t i = 0; i < 4; i++) {
		struct cw_quiet_key k = key(1, i + 1, 5);

		ASSERT_EQ(quiet_arm(q, &k, &in, 0), 0);
	}
	{
		struct cw_quiet_key k = key(1, 9, 5);

		ASSERT_EQ(quiet_arm(q, &k, &in, 0), -ENOSPC);
		ASSERT_FALSE(bpf_hit(&k, 1)); /* its repeats keep flowing */
	}
	quiet_stats(q, &st);
	ASSERT_EQ(st.full, 1);
	ASSERT_EQ(st.active, 4);
	quiet_free(q);
	/* the kernel map full */
	reset(2);
	q = quiet_new(&fake, NULL, 16, 60 * S, cb, NULL);
	for (uint32_t i = 0; i < 3; i++) {
		struct cw_quiet_key k = key(1, i + 1, 5);

		ASSERT_EQ(quiet_arm(q, &k, &in, 0), i < 2 ? 0 : -ENOSPC);
	}
	quiet_stats(q, &st);
	ASSERT_EQ(st.full, 1);
	ASSERT_EQ(st.active, 2);
	quiet_free(q);
}

static void test_many_and_flush(void)
{
	struct quiet *q;
	uint64_t want = 0, sum = 0;

	reset(FAKE_MAX);
	q = quiet_new(&fake, NULL, FAKE_MAX, 10 * S, cb, NULL);
	/* windows armed at different times, swept in several rounds (the table's removal keeps
	 * it dense: every entry is found and retired once) */
	for (uint32_t i = 0; i < FAKE_MAX; i++) {
		struct cw_quiet_key k = key(i % 3, i, 100 + i);
		struct quiet_info in = info("p", i);

		ASSERT_EQ(quiet_arm(q, &k, &in, i * S / 4), 0);
		for (uint32_t r = 0; r <= i; r++)
			ASSERT_TRUE(bpf_hit(&k, i * S / 4 + r));
		want += i + 1;
	}
	/* window i ends at i/4 + 10 s and retires a grace second later: i <= 16 by 15 s */
	ASSERT_EQ(quiet_sweep(q, 15 * S), 17);
	ASSERT_EQ(ngot, 17);
	/* the rest at shutdown: end = now (before their window's end) */
	ASSERT_EQ(quiet_flush(q, 16 * S), FAKE_MAX - 17);
	ASSERT_EQ(ngot, FAKE_MAX);
	for (int i = 0; i < ngot; i++)
		sum += got[i].repeats;
	ASSERT_EQ(sum, want);
	ASSERT_EQ(got[ngot - 1].why, QUIET_END_FLUSHED);
	ASSERT_EQ(got[ngot - 1].end_ns, 16 * S);
	for (int i = 0; i < FAKE_MAX; i++)
		ASSERT_FALSE(m.used[i]);
	quiet_free(q);
}

static void test_stale_entry(void)
{
	struct quiet *q;
	struct cw_quiet_key k = key(2, 50, 7);
	struct quiet_info in = info("web-2", 50);
	struct quiet_stats st;

	reset(FAKE_MAX);
	q = quiet_new(&fake, NULL, 16, 5 * S, cb, NULL);
	ASSERT_EQ(quiet_arm(q, &k, &in, 0), 0);
	ASSERT_TRUE(bpf_hit(&k, 1));
	/* the delete fails: the table forgets it, the kernel keeps an expired entry */
	m.removes_fail = 1;
	ASSERT_EQ(quiet_sweep(q, 7 * S), 1);
	ASSERT_EQ(ngot, 1);
	ASSERT_TRUE(find(&k) >= 0);
	quiet_stats(q, &st);
	ASSERT_EQ(st.errors, 1);
	/* arming the same key later replaces the stale entry */
	ASSERT_EQ(quiet_arm(q, &k, &in, 20 * S), 0);
	ASSERT_TRUE(bpf_hit(&k, 21 * S));
	ASSERT_EQ(quiet_flush(q, 22 * S), 1);
	ASSERT_EQ(ngot, 2);
	ASSERT_EQ(got[1].repeats, 1);
	quiet_free(q);
}

static void test_path_hash(void)
{
	/* FNV-1a 64 reference values */
	ASSERT_EQ(quiet_path_hash("", 0), 0xcbf29ce484222325ULL);
	ASSERT_EQ(quiet_path_hash("a", 1), 0xaf63dc4c8601ec8cULL);
	ASSERT_EQ(quiet_path_hash("foobar", 6), 0x85944171f73967e8ULL);
	/* only the first 256 bytes count, as on the BPF side */
	{
		char a[300], b[300];

		memset(a, 'x', sizeof(a));
		memcpy(b, a, sizeof(b));
		b[299] = 'y';
		ASSERT_EQ(quiet_path_hash(a, 300), quiet_path_hash(b, 300));
		b[255] = 'y';
		ASSERT_TRUE(quiet_path_hash(a, 300) != quiet_path_hash(b, 300));
	}
}

int main(void)
{
	RUN(test_window_exact);
	RUN(test_no_repeats_no_summary);
	RUN(test_off_and_unknown_image);
	RUN(test_capacity);
	RUN(test_many_and_flush);
	RUN(test_stale_entry);
	RUN(test_path_hash);
	return unit_report("quiet");
}
