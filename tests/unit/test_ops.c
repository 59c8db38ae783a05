// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for the operational modules (user/ops) and their parts elsewhere: the health verdict
 * from a status document (with fake link and process lookups), the reload diff, the socket
 * glob bounds (check at config time, the bounded walk), --config refusing a FIFO at once,
 * and the metrics text (labels from the enums only; promtool checks it for real in
 * tests/integration/test_ops_metrics.sh).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "enrich/sockets.h"
#include "ops/health.h"
#include "ops/metrics.h"
#include "ops/reload.h"
#include "unit.h"

static char dir[PATH_MAX];

/* --- health ------------------------------------------------------------------------------- */

static int fake_link_err;	 /* what the lookup of link 2 returns */
static uint32_t fake_prog = 11;	 /* link 2's program */
static uint64_t fake_cgroup = 1; /* link 2's cgroup */
static bool fake_alive = true;

static int fake_link(uint32_t pid, uint32_t id, uint32_t *prog, uint64_t *cg, bool *is_cg)
{
	if (pid != 42)
		return -ESRCH;
	if (id == 1) {
		*prog = 10;
		*cg = 0;
		*is_cg = false;
		return 0;
	}
	if (fake_link_err)
		return fake_link_err;
	*prog = fake_prog;
	*cg = fake_cgroup;
	*is_cg = true;
	return 0;
}

static bool fake_pid(uint32_t pid)
{
	(void)pid;
	return fake_alive;
}

static int judge(const char *doc, uint64_t now, bool liveness, char *msg)
{
	struct health_opts o = { .status_file = "/run/credwatch/status.json",
				 .max_age_s = 5,
				 .max_drop_intervals = 3,
				 .liveness = liveness };

	return health_judge(doc, strlen(doc), now, &o, fake_link, fake_pid, msg, 512);
}

#define STATUS(streak, oerr)                                                                   \
	"{\"pid\": 42, \"heartbeat_boot_ns\": 1000000000, \"drop_window_ms\": 60000, "         \
	"\"ringbuf_drop_intervals\": " #streak ", \"output_error\": " oerr ", "                \
	"\"lines_lost\": 7, \"links\": [{\"hook\": \"tp_btf/sched_process_exec\", \"id\": 1, " \
	"\"prog_id\": 10}, {\"hook\": \"cgroup/connect4\", \"id\": 2, \"prog_id\": 11, "       \
	"\"cgroup_id\": 1}]}"

static void test_health(void)
{
	const char *ok = STATUS(0, "null");
	char msg[512];

	ASSERT_EQ(judge(ok, 2000000000ULL, false, msg), 0);
	ASSERT_TRUE(strncmp(msg, "ok: agent pid 42, heartbeat 1.0 s ago, 2 hooks", 46) == 0);
	/* stale: 10 s after the heartbeat, limit 5 */
	ASSERT_EQ(judge(ok, 11000000000ULL, false, msg), 1);
	ASSERT_TRUE(strstr(msg, "heartbeat is 10.0 s old (limit 5.0 s)") != NULL);
	/* gone */
	fake_alive = false;
	ASSERT_EQ(judge(ok, 2000000000ULL, false, msg), 1);
	ASSERT_TRUE(strstr(msg, "agent pid 42") && strstr(msg, "is not running"));
	fake_alive = true;
	/* a link that no longer exists */
	fake_link_err = -ENOENT;
	ASSERT_EQ(judge(ok, 2000000000ULL, true, msg), 1);
	ASSERT_STREQ(msg, "unhealthy: hook cgroup/connect4 (BPF link 2) is gone");
	fake_link_err = -EPERM;
	ASSERT_EQ(judge(ok, 2000000000ULL, false, msg), 1);
	ASSERT_TRUE(strstr(msg, "run as root") != NULL);
	fake_link_err = 0;
	/* detached from its cgroup (BPF_LINK_DETACH leaves cgroup id 0) */
	fake_cgroup = 0;
	ASSERT_EQ(judge(ok, 2000000000ULL, true, msg), 1);
	ASSERT_TRUE(strstr(msg, "hook cgroup/connect4 (BPF link 2) is detached") != NULL);
	fake_cgroup = 1;
	/* another program on the link */
	fake_prog = 99;
	ASSERT_EQ(judge(ok, 2000000000ULL, false, msg), 1);
	ASSERT_TRUE(strstr(msg, "runs program 99, not the agent's 11") != NULL);
	fake_prog = 11;
	/* drops: 3 intervals in a row is unhealthy, 2 is not; liveness does not look */
	ASSERT_EQ(judge(STATUS(2, "null"), 2000000000ULL, false, msg), 0);
	ASSERT_TRUE(strstr(msg, "recent ring-buffer drops") != NULL);
	ASSERT_EQ(judge(STATUS(3, "null"), 2000000000ULL, false, msg), 1);
	ASSERT_TRUE(strstr(msg, "dropped records in 3 consecutive intervals of 60 s") != NULL);
	ASSERT_EQ(judge(STATUS(3, "null"), 2000000000ULL, true, msg), 0);
	/* a failing output */
	ASSERT_EQ(judge(STATUS(0, "\"No space left on device\""), 2000000000ULL, false, msg), 1);
	ASSERT_STREQ(msg, "unhealthy: the output is failing (No space left on device): 7 lines "
			  "lost so far");
	ASSERT_EQ(judge(STATUS(0, "\"No space left on device\""), 2000000000ULL, true, msg), 0);
	/* malformed */
	ASSERT_EQ(judge("{\"pid\": 1", 0, false, msg), 1);
	ASSERT_TRUE(strstr(msg, "not valid JSON") != NULL);
	ASSERT_EQ(judge("{\"pid\": 1}", 0, false, msg), 1);
	ASSERT_TRUE(strstr(msg, "lacks pid, heartbeat or links") != NULL);
}

/* --- reload diff -------------------------------------------------------------------------- */

static int parse(struct config *c, const char *text)
{
	char err[CONFIG_ERR_MAX];

	config_defaults(c);
	return config_load_text(c, "t.json", text, strlen(text), err, sizeof(err));
}

static bool has(const char *const *v, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

static void test_reload_diff(void)
{
	static struct config a, b;
	static struct reload_text t;
	struct reload_info ri;

	ASSERT_EQ(parse(&a, "{}"), 0);
	ASSERT_EQ(parse(&b, "{}"), 0);
	memset(&ri, 0, sizeof(ri));
	ASSERT_EQ(reload_diff(&a, &b, &ri, &t), 0);

	ASSERT_EQ(parse(&b, "{\"policy\": {\"imds_credential_fetch\": {\"extra_allow\": "
			    "[{\"namespace\": \"web\"}]}, \"imds_v1\": {\"severity\": \"low\"}, "
			    "\"fold_window_seconds\": 30}, \"extra_endpoints\": [{\"address\": "
			    "\"10.99.0.1\", \"port\": 8080}], \"extra_sockets\": [{\"path\": "
			    "\"/run/vault/agent.sock\"}]}"),
		  0);
	memset(&ri, 0, sizeof(ri));
	ASSERT_EQ(reload_diff(&a, &b, &ri, &t), 5);
	ASSERT_TRUE(has(ri.changed, ri.nchanged, "policy.imds_credential_fetch"));
	ASSERT_TRUE(has(ri.changed, ri.nchanged, "policy.imds_v1"));
	ASSERT_TRUE(has(ri.changed, ri.nchanged, "policy.fold_window_seconds"));
	ASSERT_TRUE(has(ri.changed, ri.nchanged, "endpoints"));
	ASSERT_TRUE(has(ri.changed, ri.nchanged, "sockets"));
	ASSERT_FALSE(has(ri.changed, ri.nchanged, "policy.imds_v1_x"));
	ASSERT_EQ(ri.nendpoints_added, 1);
	ASSERT_STREQ(ri.endpoints_added[0], "10.99.0.1:8080 other");
	ASSERT_EQ(ri.nendpoints_removed, 0);
	ASSERT_EQ(ri.nsockets_added, 1);
	ASSERT_STREQ(ri.sockets_added[0], "/run/vault/agent.sock");
	/* and back: removals */
	memset(&ri, 0, sizeof(ri));
	ASSERT_EQ(reload_diff(&b, &a, &ri, &t), 5);
	ASSERT_EQ(ri.nendpoints_removed, 1);
	ASSERT_EQ(ri.nsockets_removed, 1);
	/* "endpoints": [] removes the defaults */
	ASSERT_EQ(parse(&b, "{\"endpoints\": []}"), 0);
	memset(&ri, 0, sizeof(ri));
	reload_diff(&a, &b, &ri, &t);
	ASSERT_EQ(ri.nendpoints_removed, 5);
	ASSERT_TRUE(has(ri.endpoints_removed, ri.nendpoints_removed, "[fd00:ec2::254]:80 imds"));
}

/* reload_config without BPF: applied, unchanged, refused (old config kept) */
static void test_reload_config(void)
{
	static struct config live;
	static struct reload_text t;
	char path[PATH_MAX + 16];
	struct reload_info ri;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cfg.json", dir);
	config_defaults(&live);
	f = fopen(path, "w");
	fputs("{\"policy\": {\"imds_v1\": {\"enabled\": false}, \"fold_window_seconds\": 5}}", f);
	fclose(f);
	memset(&ri, 0, sizeof(ri));
	reload_config(&live, path, NULL, -1, "/", &ri, &t);
	ASSERT_STREQ(ri.result, "applied");
	ASSERT_FALSE(live.policy.rule[RULE_IMDS_V1].enabled);
	ASSERT_TRUE(ri.policy == &live.policy);
	/* the fold window is not changed by a reload, and that is said */
	ASSERT_EQ(live.policy.fold_window_s, POLICY_DEFAULT_FOLD_S);
	ASSERT_EQ(ri.nnot_applied, 1);
	ASSERT_STREQ(ri.not_applied[0].key, "policy.fold_window_seconds");

	memset(&ri, 0, sizeof(ri));
	reload_config(&live, path, NULL, -1, "/", &ri, &t);
	ASSERT_STREQ(ri.result, "unchanged");

	f = fopen(path, "w");
	fputs("{\n  \"policy\": {\n    \"imds_v1\": {\"enabled\": true,}\n  }\n}\n", f);
	fclose(f);
	memset(&ri, 0, sizeof(ri));
	reload_config(&live, path, NULL, -1, "/", &ri, &t);
	ASSERT_STREQ(ri.result, "refused");
	ASSERT_TRUE(ri.error && strstr(ri.error, "cfg.json:3:") != NULL);
	ASSERT_FALSE(live.policy.rule[RULE_IMDS_V1].enabled);
}

/* --- config: a FIFO is refused at once ---------------------------------------------------- */

static void test_config_fifo(void)
{
	static struct config c;
	char path[PATH_MAX + 16], err[CONFIG_ERR_MAX];
	struct timespec t0, t1;

	snprintf(path, sizeof(path), "%s/fifo", dir);
	ASSERT_EQ(mkfifo(path, 0600), 0);
	config_defaults(&c);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(config_load(&c, path, err, sizeof(err)), -1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ASSERT_TRUE(strstr(err, "not a regular file (a FIFO)") != NULL);
	ASSERT_TRUE(t1.tv_sec - t0.tv_sec < 2);
	ASSERT_EQ(config_load(&c, dir, err, sizeof(err)), -1);
	ASSERT_TRUE(strstr(err, "not a regular file (a directory)") != NULL);
}

/* --- socket globs ------------------------------------------------------------------------- */

static void test_glob_check(void)
{
	static struct config c;
	char why[160], err[CONFIG_ERR_MAX];
	const char *bad = "{\n  \"extra_sockets\": [\n    {\"path\": "
			  "\"/proc/*/root/*/*/*/*/*/*/*/*.sock\"}\n  ]\n}\n";

	ASSERT_EQ(sockets_check_pattern("/var/lib/kubelet/plugins/*/csi.sock", why, sizeof(why)),
		  0);
	ASSERT_EQ(sockets_check_pattern("/a/*/b/*/c/*.sock", why, sizeof(why)), 0);
	ASSERT_EQ(sockets_check_pattern("/a/*/b/*/c/*/*.sock", why, sizeof(why)), -1);
	ASSERT_TRUE(strstr(why, "4 path components with glob characters: unbounded") != NULL);
	ASSERT_EQ(sockets_check_pattern("/run/**/x.sock", why, sizeof(why)), -1);
	ASSERT_EQ(
		sockets_check_pattern("/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q.sock", why, sizeof(why)),
		-1);
	/* the config names where */
	config_defaults(&c);
	ASSERT_EQ(config_load_text(&c, "c.json", bad, strlen(bad), err, sizeof(err)), -1);
	ASSERT_TRUE(strstr(err, "c.json:3:") != NULL);
	ASSERT_TRUE(strstr(err, "extra_sockets[0].path: 9 path components with glob characters: "
				"unbounded (at most 3)") != NULL);
}

static void mksock(const char *path)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (strlen(path) >= sizeof(un.sun_path))
		return;
	memcpy(un.sun_path, path, strlen(path) + 1);
	if (fd < 0 || bind(fd, (struct sockaddr *)&un, sizeof(un)))
		perror(path);
	close(fd);
}

static void test_glob_walk(void)
{
	static struct socket_watch w;
	char p[PATH_MAX + 64];
	struct timespec t0, t1;

	/* root/plugins/{a,b,.hidden}/csi.sock, root/plugins/c/other.sock */
	const char *const sub[] = { "a", "b", ".hidden", "c" };

	snprintf(p, sizeof(p), "%s/root", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/root/plugins", dir);
	mkdir(p, 0755);
	for (int i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s/root/plugins/%s", dir, sub[i]);
		mkdir(p, 0755);
		snprintf(p + strlen(p), 64, "/%s", i == 3 ? "other.sock" : "csi.sock");
		if (strlen(p) < 100)
			mksock(p);
	}
	snprintf(p, sizeof(p), "%s/root", dir);
	memset(&w, 0, sizeof(w));
	snprintf(w.cfg[0].path, sizeof(w.cfg[0].path), "/plugins/*/csi.sock");
	snprintf(w.cfg[1].path, sizeof(w.cfg[1].path), "/plugins/c/*.sock");
	w.n = 2;
	ASSERT_EQ(sockets_refresh(&w, -1, p), 3);
	ASSERT_TRUE(sockets_path_of(&w, w.live[0].ino, w.live[0].dev) != NULL);
	for (int i = 0; i < w.nlive; i++) {
		ASSERT_TRUE(strncmp(w.live[i].path, "/plugins/", 9) == 0);
		ASSERT_TRUE(strstr(w.live[i].path, ".hidden") == NULL);
	}
	ASSERT_EQ(w.globs_cut, 0);
	/* a walk over a big tree is cut at its bound, quickly */
	memset(&w, 0, sizeof(w));
	snprintf(w.cfg[0].path, sizeof(w.cfg[0].path), "/proc/*/*/*.sock");
	w.n = 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	sockets_refresh(&w, -1, "/");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ASSERT_TRUE((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 <
		    SOCKETS_GLOB_MAX_MS * 20);
}

/* --- metrics ------------------------------------------------------------------------------ */

static void test_metrics_format(void)
{
	static struct metrics_counts c;
	static struct stats_snapshot st;
	static char buf[128 * 1024];
	size_t n;

	c.findings[RULE_IMDS_V1][SEV_MEDIUM] = 3;
	c.repeats[RULE_AGENT_BYPASS][SEV_HIGH] = 41;
	st.written[0] = 5;
	st.kernel[CW_STAT_RINGBUF_FULL] = 9;
	st.uptime_ms = 1500;
	n = metrics_format(&c, &st, "1.2.3\"x", buf, sizeof(buf));
	ASSERT_TRUE(n > 0);
	ASSERT_TRUE(strstr(buf, "credwatch_build_info{version=\"1.2.3\\\"x\"} 1\n") != NULL);
	ASSERT_TRUE(strstr(buf, "credwatch_uptime_seconds 1.500\n") != NULL);
	ASSERT_TRUE(strstr(buf, "credwatch_events_total{event=\"endpoint_connect\"} 5\n") != NULL);
	ASSERT_TRUE(strstr(buf, "credwatch_drops_total{reason=\"ringbuf_full\"} 9\n") != NULL);
	ASSERT_TRUE(strstr(buf, "credwatch_findings_total{rule=\"imds_v1\",severity=\"medium\"} "
				"3\n") != NULL);
	ASSERT_TRUE(strstr(buf, "credwatch_finding_repeats_total{rule=\"agent_bypass\",severity="
				"\"high\"} 41\n") != NULL);
	/* every label is one of the four low-cardinality ones */
	for (const char *p = buf; (p = strchr(p, '{')); p++) {
		ASSERT_TRUE(!strncmp(p + 1, "event=", 6) || !strncmp(p + 1, "rule=", 5) ||
			    !strncmp(p + 1, "reason=", 7) || !strncmp(p + 1, "version=", 8));
	}
	ASSERT_TRUE(strstr(buf, "pod=") == NULL && strstr(buf, "pod_uid") == NULL);
	/* too small a buffer: 0, not a cut exposition */
	ASSERT_EQ(metrics_format(&c, &st, "1", buf, 100), 0);
}

int main(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(dir, sizeof(dir), "/tmp/cw-unit-ops.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	RUN(test_health);
	RUN(test_reload_diff);
	RUN(test_reload_config);
	RUN(test_config_fifo);
	RUN(test_glob_check);
	RUN(test_glob_walk);
	RUN(test_metrics_format);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
	return unit_report("ops");
}
