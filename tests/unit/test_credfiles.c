// SPDX-License-Identifier: GPL-2.0
/*
 * credfiles: credential files found from node state, by (dev, ino). A fake node in a
 * temporary directory: a cgroup tree of plain directories (the pod's and its container's;
 * the container's cgroup.procs names this test process, so the container's "mount namespace"
 * is the test's own), the kubelet's projected volumes, a Secret volume mounted at /root/.aws
 * and a variable naming a file (config.json). No BPF map (fd -1): the table alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "credwatch_abi.h"
#include "enrich/credfiles.h"
#include "enrich/filekind.h"
#include "unit.h"

#define UID  "0b0e2f7a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
#define UIDU "0b0e2f7a_1c2d_4e5f_8a9b_0c1d2e3f4a5b"
#define CID  "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1"
#define POD  "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UIDU ".slice"
#define VOLS "var/lib/kubelet/pods/" UID "/volumes/"

static char base[256], root[300], cg[300];

static void path_of(char *out, size_t cap, const char *top, const char *rel)
{
	snprintf(out, cap, "%s/%s", top, rel);
}

static void mkdirs(const char *top, const char *rel)
{
	char p[1024], *s;

	path_of(p, sizeof(p), top, rel);
	for (s = p + strlen(top) + 1; (s = strchr(s, '/')); s++) {
		*s = 0;
		mkdir(p, 0755);
		*s = '/';
	}
	mkdir(p, 0755);
}

static void put(const char *top, const char *rel, const char *text)
{
	char p[1024];
	FILE *f;

	path_of(p, sizeof(p), top, rel);
	f = fopen(p, "w");
	if (!f) {
		UNIT_FAIL("cannot write %s", p);
		return;
	}
	fputs(text, f);
	fclose(f);
}

static void link_to(const char *top, const char *target, const char *rel)
{
	char p[1024];

	path_of(p, sizeof(p), top, rel);
	unlink(p);
	if (symlink(target, p))
		UNIT_FAIL("symlink %s", p);
}

/* the kernel's (dev, ino) of a file below root */
static void id_of(const char *top, const char *rel, uint32_t *dev, uint64_t *ino)
{
	char p[1024];
	struct stat st;

	path_of(p, sizeof(p), top, rel);
	if (stat(p, &st)) {
		UNIT_FAIL("stat %s", p);
		*dev = 0;
		*ino = 0;
		return;
	}
	*dev = (uint32_t)(major(st.st_dev) << 20 | (minor(st.st_dev) & 0xfffff));
	*ino = st.st_ino;
}

static const struct credfile *look(struct credfiles *cf, const char *top, const char *rel)
{
	uint32_t dev;
	uint64_t ino;

	id_of(top, rel, &dev, &ino);
	return credfiles_lookup(cf, dev, ino);
}

static void node(void)
{
	char spec[4096], procs[64];

	snprintf(base, sizeof(base), "/tmp/cw-credfiles-XXXXXX");
	if (!mkdtemp(base)) {
		UNIT_FAIL("mkdtemp");
		exit(1);
	}
	snprintf(root, sizeof(root), "%s/root", base);
	snprintf(cg, sizeof(cg), "%s/cg", base);
	mkdir(root, 0755);
	mkdir(cg, 0755);
	/* the pod's cgroup and its container's, this process in it */
	mkdirs(cg, POD "/cri-containerd-" CID ".scope");
	snprintf(procs, sizeof(procs), "%d\n", (int)getpid());
	put(cg, POD "/cri-containerd-" CID ".scope/cgroup.procs", procs);
	/* projected volumes in the atomic-writer layout */
	mkdirs(root, VOLS "kubernetes.io~projected/aws-iam-token/..2026_01");
	put(root, VOLS "kubernetes.io~projected/aws-iam-token/..2026_01/token", "t1");
	link_to(root, "..2026_01", VOLS "kubernetes.io~projected/aws-iam-token/..data");
	mkdirs(root, VOLS "kubernetes.io~projected/kube-api-access-abcde/..2026_01");
	put(root, VOLS "kubernetes.io~projected/kube-api-access-abcde/..2026_01/token", "t2");
	put(root, VOLS "kubernetes.io~projected/kube-api-access-abcde/..2026_01/ca.crt", "ca");
	link_to(root, "..2026_01", VOLS "kubernetes.io~projected/kube-api-access-abcde/..data");
	/* a Secret volume */
	mkdirs(root, VOLS "kubernetes.io~secret/aws/..2026_01");
	put(root, VOLS "kubernetes.io~secret/aws/..2026_01/credentials", "[default]\n");
	put(root, VOLS "kubernetes.io~secret/aws/..2026_01/config", "[default]\n");
	link_to(root, "..2026_01", VOLS "kubernetes.io~secret/aws/..data");
	/* the file a variable names (in this process's own root) */
	put(base, "envcreds", "[default]\n");
	mkdirs(root, "run/containerd/io.containerd.runtime.v2.task/k8s.io/" CID);
	snprintf(spec, sizeof(spec),
		 "{\"process\":{\"env\":[\"PATH=/bin\",\"AWS_SHARED_CREDENTIALS_FILE=%s/envcreds\","
		 "\"AWS_CONFIG_FILE=/nonexistent/config\"]},"
		 "\"mounts\":[{\"destination\":\"/root/.aws\",\"type\":\"bind\","
		 "\"source\":\"/" VOLS "kubernetes.io~secret/aws\"}],"
		 "\"annotations\":{\"io.kubernetes.cri.container-type\":\"container\","
		 "\"io.kubernetes.cri.sandbox-uid\":\"" UID "\","
		 "\"io.kubernetes.cri.container-name\":\"app\"}}",
		 base);
	put(root, "run/containerd/io.containerd.runtime.v2.task/k8s.io/" CID "/config.json", spec);
}

static void test_scan(void)
{
	struct credfiles_limits lim = { .capacity = 16 };
	struct credfiles *cf = credfiles_new(root, cg, -1, &lim);
	struct credfiles_stats st;
	const struct credfile *f;

	ASSERT_NOTNULL(cf);
	if (!cf)
		return;
	ASSERT_EQ(credfiles_refresh(cf, 1000), 5);
	f = look(cf, root, VOLS "kubernetes.io~projected/aws-iam-token/..2026_01/token");
	ASSERT_NOTNULL(f);
	if (f) {
		ASSERT_EQ(f->kind, FK_IRSA_TOKEN);
		ASSERT_EQ(f->src, CW_CRED_PROJECTED);
		ASSERT_STREQ(f->pod_uid, UID);
		ASSERT_STREQ(f->name, "aws-iam-token");
		ASSERT_EQ(f->pod_cgid, 0); /* plain directories: no cgroup id */
	}
	f = look(cf, root, VOLS "kubernetes.io~projected/kube-api-access-abcde/..2026_01/token");
	ASSERT_TRUE(f && f->kind == FK_SA_TOKEN);
	ASSERT_NULL(look(cf, root,
			 VOLS "kubernetes.io~projected/kube-api-access-abcde/..2026_01/ca.crt"));
	f = look(cf, root, VOLS "kubernetes.io~secret/aws/..2026_01/credentials");
	ASSERT_TRUE(f && f->kind == FK_AWS_CREDENTIALS && f->src == CW_CRED_SECRET);
	f = look(cf, root, VOLS "kubernetes.io~secret/aws/..2026_01/config");
	ASSERT_TRUE(f && f->kind == FK_AWS_CONFIG && f->src == CW_CRED_SECRET);
	f = look(cf, base, "envcreds");
	ASSERT_NOTNULL(f);
	if (f) {
		ASSERT_EQ(f->kind, FK_AWS_CREDENTIALS);
		ASSERT_EQ(f->src, CW_CRED_ENV);
		ASSERT_STREQ(f->name, "AWS_SHARED_CREDENTIALS_FILE");
		ASSERT_STREQ(f->pod_uid, UID);
	}
	credfiles_stats(cf, &st);
	ASSERT_EQ(st.pods, 1);
	ASSERT_EQ(st.containers, 1);
	ASSERT_EQ(st.projected, 2);
	ASSERT_EQ(st.secret, 2);
	ASSERT_EQ(st.env, 1);
	ASSERT_EQ(st.env_unresolved, 1); /* AWS_CONFIG_FILE names nothing */

	/* a rotation: the new token is known, the old one (still linked) retired */
	mkdirs(root, VOLS "kubernetes.io~projected/aws-iam-token/..2026_02");
	put(root, VOLS "kubernetes.io~projected/aws-iam-token/..2026_02/token", "t3");
	{
		char a[1024], b[1024];

		path_of(a, sizeof(a), root,
			VOLS "kubernetes.io~projected/aws-iam-token/..2026_01/token");
		path_of(b, sizeof(b), root, VOLS "kubernetes.io~projected/aws-iam-token/keep");
		ASSERT_EQ(link(a, b), 0);
		ASSERT_EQ(unlink(a), 0);
	}
	link_to(root, "..2026_02", VOLS "kubernetes.io~projected/aws-iam-token/..data");
	/* the variable's file renamed: still known while its container runs */
	{
		char a[1024], b[1024];

		path_of(a, sizeof(a), base, "envcreds");
		path_of(b, sizeof(b), base, "renamed");
		ASSERT_EQ(rename(a, b), 0);
	}
	ASSERT_EQ(credfiles_refresh(cf, 2000), 6);
	f = look(cf, root, VOLS "kubernetes.io~projected/aws-iam-token/..2026_02/token");
	ASSERT_TRUE(f && f->kind == FK_IRSA_TOKEN && !f->retired_ns);
	f = look(cf, root, VOLS "kubernetes.io~projected/aws-iam-token/keep");
	ASSERT_TRUE(f && f->kind == FK_IRSA_TOKEN && f->retired_ns == 2000);
	f = look(cf, base, "renamed");
	ASSERT_TRUE(f && f->src == CW_CRED_ENV && f->retired_ns == 2000);
	/* retired entries go after retired_keep_ns (default a day) */
	ASSERT_EQ(credfiles_refresh(cf, 2000 + 25ull * 3600 * 1000000000ull), 4);
	ASSERT_NULL(look(cf, root, VOLS "kubernetes.io~projected/aws-iam-token/keep"));

	/* the container stops: its files go; the pod goes: every file goes */
	{
		char p[1024];

		path_of(p, sizeof(p), cg, POD "/cri-containerd-" CID ".scope/cgroup.procs");
		unlink(p);
		path_of(p, sizeof(p), cg, POD "/cri-containerd-" CID ".scope");
		ASSERT_EQ(rmdir(p), 0);
	}
	ASSERT_EQ(credfiles_refresh(cf, 3000), 2); /* the two projected tokens */
	ASSERT_NULL(look(cf, root, VOLS "kubernetes.io~secret/aws/..2026_01/credentials"));
	{
		char p[1024];

		path_of(p, sizeof(p), cg, POD);
		ASSERT_EQ(rmdir(p), 0);
	}
	ASSERT_EQ(credfiles_refresh(cf, 4000), 0);
	credfiles_free(cf);
}

static void test_capacity(void)
{
	struct credfiles_limits lim = { .capacity = 1 };
	struct credfiles *cf;
	struct credfiles_stats st;

	/* the pod again, no container: two projected tokens for a table of one */
	mkdirs(cg, POD);
	cf = credfiles_new(root, cg, -1, &lim);
	ASSERT_NOTNULL(cf);
	if (!cf)
		return;
	ASSERT_EQ(credfiles_refresh(cf, 1000), 1);
	credfiles_stats(cf, &st);
	ASSERT_EQ(st.capacity, 1);
	ASSERT_EQ(st.projected, 2);
	ASSERT_TRUE(st.evictions >= 1);
	credfiles_free(cf);
	ASSERT_NULL(credfiles_new("/nonexistent-cw", cg, -1, NULL));
}

static void rm_tree(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", base);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", base);
}

int main(void)
{
	node();
	RUN(test_scan);
	RUN(test_capacity);
	rm_tree();
	return unit_report("credfiles");
}
