// SPDX-License-Identifier: GPL-2.0
/* Table-driven tests for cgroup_parse: every layout of facts section 4, then garbage. */
#include <errno.h>
#include <stdlib.h>

#include "enrich/cgroup_parse.h"
#include "unit.h"

#define ID	   "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID2	   "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define UID	   "8f2c1b9e-3d4a-4c5b-9e6f-7a8b9c0d1e2f"
#define UID_	   "8f2c1b9e_3d4a_4c5b_9e6f_7a8b9c0d1e2f"
#define UID2	   "11111111-2222-4333-8444-555555555555"
#define UID2_	   "11111111_2222_4333_8444_555555555555"
#define STATIC_UID "6d1d4f0c2d8a4e0e9b1f0c3a5e7d9b21"

#define BU	   "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice"
#define BE	   "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_ ".slice"
#define GU	   "kubepods.slice/kubepods-pod" UID_ ".slice"

struct tc {
	const char *name;
	const char *path;
	int rc;
	enum cg_class cls;
	enum cg_runtime rt;
	enum cg_driver drv;
	enum cg_qos qos;
	const char *uid;
	const char *id;
	bool nested;
	size_t prefix_len;
};

/* clang-format off */
static const struct tc cases[] = {
	/* --- containerd, systemd driver (AL2023, Bottlerocket) --- */
	{ "burstable container", BU "/cri-containerd-" ID ".scope", 0, CG_CLASS_CONTAINER,
	  CG_RT_CONTAINERD, CG_DRIVER_SYSTEMD, CG_QOS_BURSTABLE, UID, ID, false, 0 },
	{ "burstable, leading slash", "/" BU "/cri-containerd-" ID ".scope", 0, CG_CLASS_CONTAINER,
	  CG_RT_CONTAINERD, CG_DRIVER_SYSTEMD, CG_QOS_BURSTABLE, UID, ID, false, 0 },
	{ "besteffort container", BE "/cri-containerd-" ID ".scope", 0, CG_CLASS_CONTAINER,
	  CG_RT_CONTAINERD, CG_DRIVER_SYSTEMD, CG_QOS_BESTEFFORT, UID, ID, false, 0 },
	{ "guaranteed container", GU "/cri-containerd-" ID ".scope", 0, CG_CLASS_CONTAINER,
	  CG_RT_CONTAINERD, CG_DRIVER_SYSTEMD, CG_QOS_GUARANTEED, UID, ID, false, 0 },
	{ "burstable pod level", BU, 0, CG_CLASS_POD, CG_RT_UNKNOWN, CG_DRIVER_SYSTEMD,
	  CG_QOS_BURSTABLE, UID, "", false, 0 },
	{ "guaranteed pod level, trailing slash", GU "/", 0, CG_CLASS_POD, CG_RT_UNKNOWN,
	  CG_DRIVER_SYSTEMD, CG_QOS_GUARANTEED, UID, "", false, 0 },
	{ "static pod uid (32 hex)",
	  "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" STATIC_UID ".slice"
	  "/cri-containerd-" ID ".scope", 0, CG_CLASS_CONTAINER, CG_RT_CONTAINERD,
	  CG_DRIVER_SYSTEMD, CG_QOS_BURSTABLE, STATIC_UID, ID, false, 0 },
	{ "sub-cgroup inside a container", BU "/cri-containerd-" ID ".scope/init", 0,
	  CG_CLASS_CONTAINER, CG_RT_CONTAINERD, CG_DRIVER_SYSTEMD, CG_QOS_BURSTABLE, UID, ID,
	  false, 0 },
	{ "test prefix", "credwatch-test.123/" BU "/cri-containerd-" ID ".scope", 0,
	  CG_CLASS_CONTAINER, CG_RT_CONTAINERD, CG_DRIVER_SYSTEMD, CG_QOS_BURSTABLE, UID, ID,
	  false, 19 },
	{ "double slashes", "kubepods.slice//kubepods-pod" UID_ ".slice//cri-containerd-" ID
	  ".scope", 0, CG_CLASS_CONTAINER, CG_RT_CONTAINERD, CG_DRIVER_SYSTEMD, CG_QOS_GUARANTEED,
	  UID, ID, false, 0 },
	/* --- kind: a docker container running a kubelet with cgroup root "kubelet" --- */
	{ "kind node pod container",
	  "system.slice/docker-" ID2 ".scope/kubelet.slice/kubelet-kubepods.slice/"
	  "kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod" UID_ ".slice/"
	  "cri-containerd-" ID ".scope", 0, CG_CLASS_CONTAINER, CG_RT_CONTAINERD,
	  CG_DRIVER_SYSTEMD, CG_QOS_BESTEFFORT, UID, ID, false,
	  sizeof("system.slice/docker-" ID2 ".scope/kubelet.slice/") - 1 },
	{ "kind node itself is a docker container", "system.slice/docker-" ID2 ".scope", 0,
	  CG_CLASS_DOCKER, CG_RT_DOCKER, CG_DRIVER_SYSTEMD, CG_QOS_UNKNOWN, "", ID2, false, 13 },
	{ "kind cgroupfs", "kubelet/kubepods/burstable/pod" UID "/" ID, 0, CG_CLASS_CONTAINER,
	  CG_RT_UNKNOWN, CG_DRIVER_CGROUPFS, CG_QOS_BURSTABLE, UID, ID, false, 8 },
	/* a second hierarchy below a container: the outer pod stays responsible */
	{ "nested kubepods is flagged, outer wins",
	  GU "/cri-containerd-" ID ".scope/kubepods.slice/kubepods-pod" UID2_ ".slice/"
	  "cri-containerd-" ID2 ".scope", 0, CG_CLASS_CONTAINER, CG_RT_CONTAINERD,
	  CG_DRIVER_SYSTEMD, CG_QOS_GUARANTEED, UID, ID, true, 0 },
	/* --- cgroupfs driver --- */
	{ "cgroupfs burstable", "kubepods/burstable/pod" UID "/" ID, 0, CG_CLASS_CONTAINER,
	  CG_RT_UNKNOWN, CG_DRIVER_CGROUPFS, CG_QOS_BURSTABLE, UID, ID, false, 0 },
	{ "cgroupfs besteffort", "/kubepods/besteffort/pod" UID "/" ID, 0, CG_CLASS_CONTAINER,
	  CG_RT_UNKNOWN, CG_DRIVER_CGROUPFS, CG_QOS_BESTEFFORT, UID, ID, false, 0 },
	{ "cgroupfs guaranteed", "kubepods/pod" UID "/" ID, 0, CG_CLASS_CONTAINER, CG_RT_UNKNOWN,
	  CG_DRIVER_CGROUPFS, CG_QOS_GUARANTEED, UID, ID, false, 0 },
	{ "cgroupfs pod level", "kubepods/pod" UID, 0, CG_CLASS_POD, CG_RT_UNKNOWN,
	  CG_DRIVER_CGROUPFS, CG_QOS_GUARANTEED, UID, "", false, 0 },
	{ "cgroupfs crio", "kubepods/burstable/pod" UID "/crio-" ID, 0, CG_CLASS_CONTAINER,
	  CG_RT_CRIO, CG_DRIVER_CGROUPFS, CG_QOS_BURSTABLE, UID, ID, false, 0 },
	/* --- CRI-O --- */
	{ "crio container", BU "/crio-" ID ".scope", 0, CG_CLASS_CONTAINER, CG_RT_CRIO,
	  CG_DRIVER_SYSTEMD, CG_QOS_BURSTABLE, UID, ID, false, 0 },
	{ "crio conmon in the pod", BU "/crio-conmon-" ID ".scope", 0, CG_CLASS_CONMON,
	  CG_RT_CRIO, CG_DRIVER_SYSTEMD, CG_QOS_BURSTABLE, UID, ID, false, 0 },
	{ "crio conmon in system.slice", "system.slice/crio-conmon-" ID ".scope", 0,
	  CG_CLASS_CONMON, CG_RT_CRIO, CG_DRIVER_SYSTEMD, CG_QOS_UNKNOWN, "", ID, false, 13 },
	{ "cgroupfs crio conmon", "kubepods/pod" UID "/crio-conmon-" ID, 0, CG_CLASS_CONMON,
	  CG_RT_CRIO, CG_DRIVER_CGROUPFS, CG_QOS_GUARANTEED, UID, ID, false, 0 },
	/* --- Docker --- */
	{ "dockershim pod", GU "/docker-" ID ".scope", 0, CG_CLASS_CONTAINER, CG_RT_DOCKER,
	  CG_DRIVER_SYSTEMD, CG_QOS_GUARANTEED, UID, ID, false, 0 },
	{ "docker.slice", "docker.slice/docker-" ID ".scope", 0, CG_CLASS_DOCKER, CG_RT_DOCKER,
	  CG_DRIVER_SYSTEMD, CG_QOS_UNKNOWN, "", ID, false, 13 },
	{ "docker cgroupfs", "/docker/" ID, 0, CG_CLASS_DOCKER, CG_RT_DOCKER, CG_DRIVER_CGROUPFS,
	  CG_QOS_UNKNOWN, "", ID, false, 0 },
	{ "docker, bad id is a host path", "docker/" ID "0", 0, CG_CLASS_HOST, CG_RT_UNKNOWN,
	  CG_DRIVER_UNKNOWN, CG_QOS_UNKNOWN, "", "", false, 0 },
	/* --- host --- */
	{ "root", "/", 0, CG_CLASS_HOST, CG_RT_UNKNOWN, CG_DRIVER_UNKNOWN, CG_QOS_UNKNOWN, "", "",
	  false, 0 },
	{ "kubelet service", "system.slice/kubelet.service", 0, CG_CLASS_HOST, CG_RT_UNKNOWN,
	  CG_DRIVER_UNKNOWN, CG_QOS_UNKNOWN, "", "", false, 0 },
	{ "containerd shim is host", "system.slice/containerd.service", 0, CG_CLASS_HOST,
	  CG_RT_UNKNOWN, CG_DRIVER_UNKNOWN, CG_QOS_UNKNOWN, "", "", false, 0 },
	{ "user session", "user.slice/user-1000.slice/session-3.scope", 0, CG_CLASS_HOST,
	  CG_RT_UNKNOWN, CG_DRIVER_UNKNOWN, CG_QOS_UNKNOWN, "", "", false, 0 },
	{ "unicode host path", "system.slice/caf\xc3\xa9-\xe2\x98\x83.service", 0, CG_CLASS_HOST,
	  CG_RT_UNKNOWN, CG_DRIVER_UNKNOWN, CG_QOS_UNKNOWN, "", "", false, 0 },
	{ "kubepods lookalike is host", "system.slice/kubepodsx.slice", 0, CG_CLASS_HOST,
	  CG_RT_UNKNOWN, CG_DRIVER_UNKNOWN, CG_QOS_UNKNOWN, "", "", false, 0 },
	/* --- garbage --- */
	{ "empty", "", -EINVAL, CG_CLASS_UNKNOWN, CG_RT_UNKNOWN, CG_DRIVER_UNKNOWN, CG_QOS_UNKNOWN,
	  "", "", false, 0 },
	{ "dotdot", "kubepods.slice/../system.slice", -EINVAL, CG_CLASS_UNKNOWN, CG_RT_UNKNOWN,
	  CG_DRIVER_UNKNOWN, CG_QOS_UNKNOWN, "", "", false, 0 },
	{ "dot", "./kubepods/pod" UID, -EINVAL, CG_CLASS_UNKNOWN, CG_RT_UNKNOWN, CG_DRIVER_UNKNOWN,
	  CG_QOS_UNKNOWN, "", "", false, 0 },
	{ "kubepods slice alone", "kubepods.slice", -EINVAL, CG_CLASS_UNKNOWN, CG_RT_UNKNOWN,
	  CG_DRIVER_SYSTEMD, CG_QOS_UNKNOWN, "", "", false, 0 },
	{ "empty uid", "kubepods.slice/kubepods-pod.slice", -EINVAL, CG_CLASS_UNKNOWN,
	  CG_RT_UNKNOWN, CG_DRIVER_SYSTEMD, CG_QOS_UNKNOWN, "", "", false, 0 },
	{ "uid with dashes in a slice", "kubepods.slice/kubepods-pod" UID ".slice", -EINVAL,
	  CG_CLASS_UNKNOWN, CG_RT_UNKNOWN, CG_DRIVER_SYSTEMD, CG_QOS_UNKNOWN, "", "", false, 0 },
	{ "uid with bad characters",
	  "kubepods.slice/kubepods-pod8f2c1b9e_3d4a_4c5b_9e6f_7a8b9c0d1e2%.slice", -EINVAL,
	  CG_CLASS_UNKNOWN, CG_RT_UNKNOWN, CG_DRIVER_SYSTEMD, CG_QOS_UNKNOWN, "", "", false, 0 },
	{ "uppercase uid", "kubepods/pod8F2C1B9E-3D4A-4C5B-9E6F-7A8B9C0D1E2F", -EINVAL,
	  CG_CLASS_UNKNOWN, CG_RT_UNKNOWN, CG_DRIVER_CGROUPFS, CG_QOS_UNKNOWN, "", "", false, 0 },
	{ "uid too long", "kubepods/pod" UID "0/" ID, -EINVAL, CG_CLASS_UNKNOWN, CG_RT_UNKNOWN,
	  CG_DRIVER_CGROUPFS, CG_QOS_UNKNOWN, "", "", false, 0 },
	{ "qos slice of another parent",
	  "kubepods.slice/other-burstable.slice/kubepods-burstable-pod" UID_ ".slice", -EINVAL,
	  CG_CLASS_UNKNOWN, CG_RT_UNKNOWN, CG_DRIVER_SYSTEMD, CG_QOS_UNKNOWN, "", "", false, 0 },
	{ "id too short", BU "/cri-containerd-" "0123456789abcdef" ".scope", -EINVAL,
	  CG_CLASS_UNKNOWN, CG_RT_UNKNOWN, CG_DRIVER_SYSTEMD, CG_QOS_BURSTABLE, UID, "", false, 0 },
	{ "id uppercase hex",
	  BU "/cri-containerd-0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"
	  ".scope", -EINVAL, CG_CLASS_UNKNOWN, CG_RT_UNKNOWN, CG_DRIVER_SYSTEMD, CG_QOS_BURSTABLE,
	  UID, "", false, 0 },
	{ "id non-hex",
	  "kubepods/pod" UID "/0123456789abcdeg0123456789abcdef0123456789abcdef0123456789abcdef",
	  -EINVAL, CG_CLASS_UNKNOWN, CG_RT_UNKNOWN, CG_DRIVER_CGROUPFS, CG_QOS_GUARANTEED, UID, "",
	  false, 0 },
	{ "unknown runtime scope", BU "/runc-" ID ".scope", -EINVAL, CG_CLASS_UNKNOWN,
	  CG_RT_UNKNOWN, CG_DRIVER_SYSTEMD, CG_QOS_BURSTABLE, UID, "", false, 0 },
	{ "unicode in a uid", "kubepods/pod8f2c1b9e-3d4a-4c5b-9e6f-7a8b9c0d1\xc3\xa9", -EINVAL,
	  CG_CLASS_UNKNOWN, CG_RT_UNKNOWN, CG_DRIVER_CGROUPFS, CG_QOS_UNKNOWN, "", "", false, 0 },
};
/* clang-format on */

static void test_table(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tc *t = &cases[i];
		struct cg_info ci;
		int rc;

		unit_current = t->name;
		rc = cg_parse(t->path, &ci);
		ASSERT_EQ(rc, t->rc);
		ASSERT_EQ(ci.cls, t->cls);
		ASSERT_EQ(ci.runtime, t->rt);
		ASSERT_EQ(ci.driver, t->drv);
		ASSERT_EQ(ci.qos, t->qos);
		ASSERT_STREQ(ci.pod_uid, t->uid);
		ASSERT_STREQ(ci.container_id, t->id);
		ASSERT_EQ(ci.nested, t->nested);
		ASSERT_EQ(ci.prefix_len, t->prefix_len);
	}
}

static void test_null(void)
{
	struct cg_info ci;

	ASSERT_EQ(cg_parse(NULL, &ci), -EINVAL);
	ASSERT_EQ(ci.cls, CG_CLASS_UNKNOWN);
}

/* Exactly CG_PATH_MAX bytes is looked at; one more is refused without being parsed. */
static void test_long_paths(void)
{
	struct cg_info ci;
	char *p = malloc(CG_PATH_MAX + 64);
	size_t n;

	if (!p) {
		UNIT_FAIL("malloc");
		return;
	}
	/* A valid container path padded in front up to exactly CG_PATH_MAX bytes. */
	const char *tail = "/" BU "/cri-containerd-" ID ".scope";
	size_t tl = strlen(tail);

	memset(p, 'a', CG_PATH_MAX - tl);
	for (size_t i = 200; i < CG_PATH_MAX - tl; i += 200)
		p[i] = '/'; /* keep components under NAME_MAX */
	memcpy(p + CG_PATH_MAX - tl, tail, tl + 1);
	ASSERT_EQ(strlen(p), CG_PATH_MAX);
	ASSERT_EQ(cg_parse(p, &ci), 0);
	ASSERT_EQ(ci.cls, CG_CLASS_CONTAINER);
	ASSERT_STREQ(ci.container_id, ID);

	/* One byte more. */
	memmove(p + 1, p, CG_PATH_MAX + 1);
	p[0] = 'b';
	ASSERT_EQ(cg_parse(p, &ci), -ENAMETOOLONG);
	ASSERT_EQ(ci.cls, CG_CLASS_UNKNOWN);
	free(p);

	/* 64 KiB of slashes and names, no NUL inside the cap. */
	n = 65536;
	p = malloc(n + 1);
	if (!p) {
		UNIT_FAIL("malloc");
		return;
	}
	for (size_t i = 0; i < n; i++)
		p[i] = (i % 9 == 8) ? '/' : 'x';
	p[n] = '\0';
	ASSERT_EQ(cg_parse(p, &ci), -ENAMETOOLONG);
	free(p);

	/* A single component longer than NAME_MAX. */
	p = malloc(300);
	if (!p) {
		UNIT_FAIL("malloc");
		return;
	}
	memset(p, 'k', 299);
	p[299] = '\0';
	ASSERT_EQ(cg_parse(p, &ci), -EINVAL);
	free(p);
}

static void test_strings(void)
{
	ASSERT_STREQ(cg_class_str(CG_CLASS_CONMON), "conmon");
	ASSERT_STREQ(cg_class_str((enum cg_class)99), "unknown");
	ASSERT_STREQ(cg_runtime_str(CG_RT_CRIO), "crio");
	ASSERT_STREQ(cg_driver_str(CG_DRIVER_CGROUPFS), "cgroupfs");
	ASSERT_STREQ(cg_qos_str(CG_QOS_BESTEFFORT), "besteffort");
}

int main(void)
{
	RUN(test_table);
	RUN(test_null);
	RUN(test_long_paths);
	RUN(test_strings);
	return unit_report("cgroup_parse");
}
