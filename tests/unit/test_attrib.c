// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for attrib: a fake node under a mkdtemp directory - containerd and CRI-O config.json
 * files, var/log/pods, kubelet projected volumes in the atomic-writer layout holding fake JWTs
 * built here (signature "CWTESTSIG..."), a mountinfo fixture, a fake cgroup2 mount and a fake
 * /proc/1/ns/net. Every JSON object produced is checked for the fake signature and the fake
 * secret values, which must never appear.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "enrich/attrib.h"
#include "util/jsonw.h"
#include "util/log.h"
#include "render/json.h"
#include "unit.h"

#define FAKE_SIG      "CWTESTSIGnotARealSignature0123456789"
#define SECRET_KEY_ID "AKIACWTESTKEYID00001"
#define SECRET_VALUE  "cwTestSecretValueMustNeverAppear/0000000"
#define SESSION_VALUE "cwTestSessionTokenMustNeverAppear"
#define TS_DIR	      "..2026_11_29_00_00_00.123456789"
#define EXP	      1796083200 /* 2026-12-01T00:00:00Z */
#define EXP_STR	      "2026-12-01T00:00:00Z"
#define ROLE_ARN      "arn:aws:iam::111122223333:role/irsa-app-role"

#define PI_UID	      "11111111-1111-4111-8111-111111111111"
#define IRSA_UID      "22222222-2222-4222-8222-222222222222"
#define STATIC_UID    "33333333-3333-4333-8333-333333333333"
#define PLAIN_UID     "44444444-4444-4444-8444-444444444444"
#define CRIO_UID      "55555555-5555-4555-8555-555555555555"
#define LATE_UID      "66666666-6666-4666-8666-666666666666"
#define NEVER_UID     "66666666-6666-4666-8666-666666666667"
#define SHADOW_UID    "77777777-7777-4777-8777-777777777777"
#define BIG_UID	      "88888888-8888-4888-8888-888888888888"
#define BAD_UID	      "99999999-9999-4999-8999-999999999999"

#define POD_DIR(uid)  "var/lib/kubelet/pods/" uid "/volumes/kubernetes.io~projected/"

static char base[PATH_MAX], host[PATH_MAX + 16], cgmnt[PATH_MAX + 16], mi_path[PATH_MAX + 16],
	procroot[PATH_MAX + 16];
static uint32_t host_netns, real_kdev;
static struct attrib_limits lim;

/* container ids */
static char id_pi_app[65], id_pi_side[65], id_pi_sbx[65], id_irsa[65], id_irsa_sbx[65],
	id_static[65], id_plain[65], id_crio[65], id_late[65], id_never[65], id_shadow[65],
	id_big[65], id_bad[65];

static void must(int ok, const char *what)
{
	if (!ok) {
		perror(what);
		exit(2);
	}
}

static void mkdir_p(const char *path)
{
	char p[PATH_MAX * 2];

	snprintf(p, sizeof(p), "%s", path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		must(mkdir(p, 0755) == 0 || errno == EEXIST, p);
		*s = '/';
	}
	must(mkdir(p, 0755) == 0 || errno == EEXIST, p);
}

static void write_abs(const char *p, const char *text)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	must(fd >= 0, p);
	must(write(fd, text, strlen(text)) == (ssize_t)strlen(text), "write");
	close(fd);
}

/* Write rel below the host root, creating directories. */
static void write_host(const char *rel, const char *text)
{
	char p[PATH_MAX * 2], *slash;

	snprintf(p, sizeof(p), "%s/%s", host, rel);
	slash = strrchr(p, '/');
	*slash = '\0';
	mkdir_p(p);
	*slash = '/';
	write_abs(p, text);
}

static void make_id(char out[65], unsigned int seed)
{
	static const char hex[] = "0123456789abcdef";

	snprintf(out, 65, "%08x", seed);
	for (int i = 8; i < 64; i++)
		out[i] = hex[(seed * 7u + (unsigned int)i * 13u) % 16];
	out[64] = '\0';
}

/* ---- JWT ---- */

static const char b64_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static size_t b64url(const char *s, size_t n, char *out)
{
	size_t o = 0, i;

	for (i = 0; i + 2 < n; i += 3) {
		unsigned int v = (unsigned char)s[i] << 16 | (unsigned char)s[i + 1] << 8 |
				 (unsigned char)s[i + 2];

		out[o++] = b64_alpha[v >> 18 & 63];
		out[o++] = b64_alpha[v >> 12 & 63];
		out[o++] = b64_alpha[v >> 6 & 63];
		out[o++] = b64_alpha[v & 63];
	}
	if (n - i == 1) {
		unsigned int v = (unsigned char)s[i] << 16;

		out[o++] = b64_alpha[v >> 18 & 63];
		out[o++] = b64_alpha[v >> 12 & 63];
	} else if (n - i == 2) {
		unsigned int v = (unsigned char)s[i] << 16 | (unsigned char)s[i + 1] << 8;

		out[o++] = b64_alpha[v >> 18 & 63];
		out[o++] = b64_alpha[v >> 12 & 63];
		out[o++] = b64_alpha[v >> 6 & 63];
	}
	out[o] = '\0';
	return o;
}

/* A fake token for a pod; caller frees. */
static char *make_jwt(const char *aud, const char *ns, const char *pod, const char *uid,
		      const char *sa)
{
	static const char hdr[] = "{\"alg\":\"RS256\",\"kid\":\"credwatch-test\"}";
	char payload[2048], *t;
	size_t o;

	snprintf(payload, sizeof(payload),
		 "{\"aud\":[\"%s\"],\"exp\":%d,\"iat\":%d,\"nbf\":%d,"
		 "\"iss\":\"https://oidc.eks.us-east-1.amazonaws.com/id/CWTEST\","
		 "\"kubernetes.io\":{\"namespace\":\"%s\",\"pod\":{\"name\":\"%s\",\"uid\":\"%s\"},"
		 "\"serviceaccount\":{\"name\":\"%s\",\"uid\":\"0f0e0d0c-0000-4000-8000-"
		 "0000000000bb\"}},"
		 "\"sub\":\"system:serviceaccount:%s:%s\"}",
		 aud, EXP, EXP - 86400, EXP - 86400, ns, pod, uid, sa, ns, sa);
	t = malloc(8192);
	must(t != NULL, "malloc");
	o = b64url(hdr, strlen(hdr), t);
	t[o++] = '.';
	o += b64url(payload, strlen(payload), t + o);
	t[o++] = '.';
	strcpy(t + o, FAKE_SIG);
	return t;
}

/* Atomic-writer volume: <vol>/..<ts>/<file>, ..data -> ..<ts>, <file> -> ..data/<file>. */
static void make_volume(const char *uid, const char *vol, const char *file, const char *content)
{
	char d[PATH_MAX * 2], p[PATH_MAX * 3];

	snprintf(d, sizeof(d), "%s/var/lib/kubelet/pods/%s/volumes/kubernetes.io~projected/%s",
		 host, uid, vol);
	snprintf(p, sizeof(p), "%s/" TS_DIR, d);
	mkdir_p(p);
	snprintf(p, sizeof(p), "%s/" TS_DIR "/%s", d, file);
	write_abs(p, content);
	snprintf(p, sizeof(p), "%s/..data", d);
	if (access(p, F_OK) != 0)
		must(symlink(TS_DIR, p) == 0, p);
	snprintf(p, sizeof(p), "%s/%s", d, file);
	{
		char target[300];

		snprintf(target, sizeof(target), "..data/%s", file);
		must(symlink(target, p) == 0, p);
	}
}

static void make_sa_volume(const char *uid, const char *vol, const char *ns, const char *pod,
			   const char *sa)
{
	char *t = make_jwt("https://kubernetes.default.svc", ns, pod, uid, sa);

	make_volume(uid, vol, "token", t);
	free(t);
}

/* ---- config.json ---- */

struct spec {
	bool crio;
	const char *ctype; /* "container" / "sandbox" */
	const char *sandbox_id;
	const char *pod, *ns, *uid; /* NULL: annotations left out */
	const char *cname, *image;
	const char *env[6];
	const char *vols[3]; /* projected volumes mounted */
	bool hostnet;
};

static void write_spec(const char *id, const struct spec *s)
{
	char buf[16384], rel[512];
	size_t o = 0;

#define ADD(...) (o += (size_t)snprintf(buf + o, sizeof(buf) - o, __VA_ARGS__))
	ADD("{\"ociVersion\":\"1.1.0\",\"process\":{\"user\":{\"uid\":0},\"env\":"
	    "[\"PATH=/usr/local/sbin:/usr/bin\",\"HOSTNAME=x\"");
	for (int i = 0; i < 6 && s->env[i]; i++)
		ADD(",\"%s\"", s->env[i]);
	ADD("],\"cwd\":\"/\"},\"root\":{\"path\":\"rootfs\"},\"mounts\":["
	    "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"}");
	for (int i = 0; i < 3 && s->vols[i]; i++)
		ADD(",{\"destination\":\"/var/run/secrets/x%d\",\"type\":\"bind\",\"source\":"
		    "\"/var/lib/kubelet/pods/%s/volumes/kubernetes.io~projected/%s\","
		    "\"options\":[\"rbind\",\"ro\"]}",
		    i, s->uid ? s->uid : "", s->vols[i]);
	ADD("],\"annotations\":{");
	if (s->crio) {
		ADD("\"io.kubernetes.cri-o.ContainerType\":\"%s\",\"io.kubernetes.cri-o."
		    "SandboxID\":"
		    "\"%s\",\"io.kubernetes.cri-o.ImageName\":\"%s\"",
		    s->ctype, s->sandbox_id, s->image);
		if (s->pod)
			ADD(",\"io.kubernetes.pod.name\":\"%s\",\"io.kubernetes.pod.namespace\":\"%"
			    "s\","
			    "\"io.kubernetes.pod.uid\":\"%s\"",
			    s->pod, s->ns, s->uid);
		if (s->cname)
			ADD(",\"io.kubernetes.container.name\":\"%s\"", s->cname);
	} else {
		ADD("\"io.kubernetes.cri.container-type\":\"%s\",\"io.kubernetes.cri.sandbox-id\":"
		    "\"%s\"",
		    s->ctype, s->sandbox_id);
		if (s->pod)
			ADD(",\"io.kubernetes.cri.sandbox-name\":\"%s\","
			    "\"io.kubernetes.cri.sandbox-namespace\":\"%s\","
			    "\"io.kubernetes.cri.sandbox-uid\":\"%s\"",
			    s->pod, s->ns, s->uid);
		if (s->cname)
			ADD(",\"io.kubernetes.cri.container-name\":\"%s\"", s->cname);
		if (s->image)
			ADD(",\"io.kubernetes.cri.image-name\":\"%s\"", s->image);
	}
	ADD("},\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"ipc\"}");
	if (!s->hostnet)
		ADD(",{\"type\":\"network\",\"path\":\"/proc/4242/ns/net\"}");
	ADD(",{\"type\":\"mount\"}]}}");
#undef ADD
	must(o < sizeof(buf), "spec too long");
	if (s->crio)
		snprintf(rel, sizeof(rel),
			 "var/lib/containers/storage/overlay-containers/%s/userdata/config.json",
			 id);
	else
		snprintf(rel, sizeof(rel),
			 "run/containerd/io.containerd.runtime.v2.task/k8s.io/%s/config.json", id);
	write_host(rel, buf);
}

static const char *spec_rel(const char *id, char *out, size_t cap)
{
	snprintf(out, cap, "%s/run/containerd/io.containerd.runtime.v2.task/k8s.io/%s/config.json",
		 host, id);
	return out;
}

/* ---- cgroup paths ---- */

static char cg_pi_app[512], cg_pi_side[512], cg_pi_sbx[512], cg_irsa[512], cg_irsa_sbx[512],
	cg_static[512], cg_plain[512], cg_crio[512], cg_crio_conmon[512], cg_late[512],
	cg_never[512], cg_shadow[512], cg_big[512], cg_bad[512];

static void uid_(const char *uid, char *out)
{
	for (; *uid; uid++)
		*out++ = *uid == '-' ? '_' : *uid;
	*out = '\0';
}

static void cg_systemd(char *out, const char *qos, const char *uid, const char *pfx, const char *id)
{
	char u[40];

	uid_(uid, u);
	if (qos)
		snprintf(out, 512,
			 "kubepods.slice/kubepods-%s.slice/kubepods-%s-pod%s.slice/%s-%s.scope",
			 qos, qos, u, pfx, id);
	else
		snprintf(out, 512, "kubepods.slice/kubepods-pod%s.slice/%s-%s.scope", u, pfx, id);
}

static void cg_cgroupfs(char *out, const char *qos, const char *uid, const char *id)
{
	if (qos)
		snprintf(out, 512, "kubepods/%s/pod%s/%s", qos, uid, id);
	else
		snprintf(out, 512, "kubepods/pod%s/%s", uid, id);
}

static void cg_mk(const char *rel)
{
	char p[PATH_MAX * 2];

	snprintf(p, sizeof(p), "%s/%s", cgmnt, rel);
	mkdir_p(p);
	/* control files next to the container cgroups, as in a real pod cgroup */
	*strrchr(p, '/') = '\0';
	strcat(p, "/cgroup.procs");
	write_abs(p, "");
}

/* ---- fixture ---- */

static void log_dir(const char *ns, const char *pod, const char *uid)
{
	char p[PATH_MAX * 2];

	snprintf(p, sizeof(p), "%s/var/log/pods/%s_%s_%s/app", host, ns, pod, uid);
	mkdir_p(p);
}

static void setup(void)
{
	char p[PATH_MAX * 2], mi[8192];
	struct stat st;
	size_t o = 0;
	char *t;

	strcpy(base, "/tmp/cw-attrib.XXXXXX");
	must(mkdtemp(base) != NULL, "mkdtemp");
	snprintf(host, sizeof(host), "%s/host", base);
	snprintf(cgmnt, sizeof(cgmnt), "%s/cgroup", base);
	snprintf(mi_path, sizeof(mi_path), "%s/mountinfo", base);
	snprintf(procroot, sizeof(procroot), "%s/proc", base);
	mkdir_p(host);
	mkdir_p(cgmnt);
	snprintf(p, sizeof(p), "%s/1/ns", procroot);
	mkdir_p(p);
	strcat(p, "/net");
	write_abs(p, "");
	must(stat(p, &st) == 0, "stat netns");
	host_netns = (uint32_t)st.st_ino;

	make_id(id_pi_app, 1);
	make_id(id_pi_side, 2);
	make_id(id_pi_sbx, 3);
	make_id(id_irsa, 4);
	make_id(id_irsa_sbx, 5);
	make_id(id_static, 6);
	make_id(id_plain, 7);
	make_id(id_crio, 8);
	make_id(id_late, 9);
	make_id(id_never, 10);
	make_id(id_shadow, 11);
	make_id(id_big, 12);
	make_id(id_bad, 13);

	/* Pod Identity pod: app with the env, a sidecar left out (skip-containers), sandbox. */
	write_spec(
		id_pi_app,
		&(struct spec){ .ctype = "container",
				.sandbox_id = id_pi_sbx,
				.pod = "pi-app",
				.ns = "team-a",
				.uid = PI_UID,
				.cname = "app",
				.image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1.2",
				.env = { "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.23/"
					 "v1/credentials",
					 "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/var/run/secrets/"
					 "pods.eks.amazonaws.com/serviceaccount/"
					 "eks-pod-identity-token" },
				.vols = { "kube-api-access-abcde", "eks-pod-identity-token" } });
	write_spec(id_pi_side, &(struct spec){ .ctype = "container",
					       .sandbox_id = id_pi_sbx,
					       .pod = "pi-app",
					       .ns = "team-a",
					       .uid = PI_UID,
					       .cname = "sidecar",
					       .image = "busybox:1.36",
					       .vols = { "kube-api-access-abcde" } });
	write_spec(id_pi_sbx, &(struct spec){ .ctype = "sandbox",
					      .sandbox_id = id_pi_sbx,
					      .pod = "pi-app",
					      .ns = "team-a",
					      .uid = PI_UID,
					      .image = "registry.k8s.io/pause:3.9" });
	make_sa_volume(PI_UID, "kube-api-access-abcde", "team-a", "pi-app", "pi-sa");
	t = make_jwt("pods.eks.amazonaws.com", "team-a", "pi-app", PI_UID, "pi-sa");
	make_volume(PI_UID, "eks-pod-identity-token", "eks-pod-identity-token", t);
	free(t);
	cg_systemd(cg_pi_app, "burstable", PI_UID, "cri-containerd", id_pi_app);
	cg_systemd(cg_pi_side, "burstable", PI_UID, "cri-containerd", id_pi_side);
	cg_systemd(cg_pi_sbx, "burstable", PI_UID, "cri-containerd", id_pi_sbx);

	/* IRSA pod, guaranteed QoS */
	write_spec(id_irsa, &(struct spec){ .ctype = "container",
					    .sandbox_id = id_irsa_sbx,
					    .pod = "irsa-app",
					    .ns = "team-b",
					    .uid = IRSA_UID,
					    .cname = "worker",
					    .image = "worker:2",
					    .env = { "AWS_STS_REGIONAL_ENDPOINTS=regional",
						     "AWS_ROLE_ARN=" ROLE_ARN,
						     "AWS_WEB_IDENTITY_TOKEN_FILE=/var/run/secrets/"
						     "eks.amazonaws.com/serviceaccount/token" },
					    .vols = { "kube-api-access-fghij", "aws-iam-token" } });
	write_spec(id_irsa_sbx, &(struct spec){ .ctype = "sandbox",
						.sandbox_id = id_irsa_sbx,
						.pod = "irsa-app",
						.ns = "team-b",
						.uid = IRSA_UID });
	make_sa_volume(IRSA_UID, "kube-api-access-fghij", "team-b", "irsa-app", "irsa-sa");
	cg_systemd(cg_irsa, NULL, IRSA_UID, "cri-containerd", id_irsa);
	cg_systemd(cg_irsa_sbx, NULL, IRSA_UID, "cri-containerd", id_irsa_sbx);

	/* static keys, cgroupfs besteffort (runtime unknown from the path) */
	write_spec(id_static, &(struct spec){ .ctype = "container",
					      .sandbox_id = id_static,
					      .pod = "legacy",
					      .ns = "team-c",
					      .uid = STATIC_UID,
					      .cname = "legacy",
					      .image = "legacy:0.1",
					      .env = { "AWS_ACCESS_KEY_ID=" SECRET_KEY_ID,
						       "AWS_SECRET_ACCESS_KEY=" SECRET_VALUE,
						       "AWS_SESSION_TOKEN=" SESSION_VALUE },
					      .vols = { "kube-api-access-klmno" } });
	make_sa_volume(STATIC_UID, "kube-api-access-klmno", "team-c", "legacy", "default");
	cg_cgroupfs(cg_static, "besteffort", STATIC_UID, id_static);

	/* plain pod, no pod names in the spec: they come from var/log/pods */
	write_spec(id_plain, &(struct spec){ .ctype = "container",
					     .sandbox_id = id_plain,
					     .cname = "web",
					     .image = "nginx:1.27" });
	make_sa_volume(PLAIN_UID, "kube-api-access-pqrst", "web", "plain-web", "web-sa");
	cg_cgroupfs(cg_plain, NULL, PLAIN_UID, id_plain);

	/* CRI-O */
	write_spec(id_crio, &(struct spec){ .crio = true,
					    .ctype = "container",
					    .sandbox_id = id_crio,
					    .pod = "crio-pod",
					    .ns = "team-d",
					    .uid = CRIO_UID,
					    .cname = "crioapp",
					    .image = "quay.io/x/y:1",
					    .env = { "AWS_ROLE_ARN=" ROLE_ARN,
						     "AWS_WEB_IDENTITY_TOKEN_FILE=/var/run/secrets/"
						     "eks.amazonaws.com/serviceaccount/token" },
					    .vols = { "kube-api-access-uvwxy" } });
	make_sa_volume(CRIO_UID, "kube-api-access-uvwxy", "team-d", "crio-pod", "crio-sa");
	cg_systemd(cg_crio, "burstable", CRIO_UID, "crio", id_crio);
	cg_systemd(cg_crio_conmon, "burstable", CRIO_UID, "crio-conmon", id_crio);

	/* a container whose spec appears late, one whose spec never appears */
	cg_cgroupfs(cg_late, "burstable", LATE_UID, id_late);
	cg_cgroupfs(cg_never, "burstable", NEVER_UID, id_never);

	/* config.json -> /etc/shadow; token -> /etc/shadow */
	snprintf(p, sizeof(p), "%s/run/containerd/io.containerd.runtime.v2.task/k8s.io/%s", host,
		 id_shadow);
	mkdir_p(p);
	strcat(p, "/config.json");
	must(symlink("/etc/shadow", p) == 0, "symlink shadow");
	snprintf(p, sizeof(p), "%s/" POD_DIR(SHADOW_UID) "kube-api-access-zzzzz/" TS_DIR, host);
	mkdir_p(p);
	strcat(p, "/token");
	must(symlink("/etc/shadow", p) == 0, "symlink shadow token");
	snprintf(p, sizeof(p), "%s/" POD_DIR(SHADOW_UID) "kube-api-access-zzzzz/..data", host);
	must(symlink(TS_DIR, p) == 0, "symlink ..data");
	cg_cgroupfs(cg_shadow, "burstable", SHADOW_UID, id_shadow);

	/* 50 MiB sparse config.json */
	{
		int fd;

		spec_rel(id_big, p, sizeof(p));
		*strrchr(p, '/') = '\0';
		mkdir_p(p);
		strcat(p, "/config.json");
		fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		must(fd >= 0 && ftruncate(fd, 50 << 20) == 0, "sparse");
		close(fd);
	}
	cg_cgroupfs(cg_big, "burstable", BIG_UID, id_big);

	/* malformed config.json and token */
	write_host("run/containerd/io.containerd.runtime.v2.task/k8s.io/ID/config.json", "x");
	spec_rel(id_bad, p, sizeof(p));
	*strrchr(p, '/') = '\0';
	mkdir_p(p);
	strcat(p, "/config.json");
	write_abs(p, "{\"process\":{\"env\":[\"AWS_ROLE_ARN=x\",");
	make_volume(BAD_UID, "kube-api-access-bad00", "token", "eyJhbGciOiJub25lIn0.!!!." FAKE_SIG);
	cg_cgroupfs(cg_bad, "burstable", BAD_UID, id_bad);

	/* every cgroup directory */
	cg_mk(cg_pi_app);
	cg_mk(cg_pi_side);
	cg_mk(cg_pi_sbx);
	cg_mk(cg_irsa);
	cg_mk(cg_irsa_sbx);
	cg_mk(cg_static);
	cg_mk(cg_plain);
	cg_mk(cg_crio);
	cg_mk(cg_crio_conmon);
	cg_mk(cg_late);
	cg_mk(cg_never);
	cg_mk(cg_shadow);
	cg_mk(cg_big);
	cg_mk(cg_bad);

	log_dir("team-a", "pi-app", PI_UID);
	log_dir("team-b", "irsa-app", IRSA_UID);
	log_dir("web", "plain-web", PLAIN_UID);
	log_dir("team-e", "late-pod", LATE_UID);
	log_dir("bad_name_with_underscores", "x", BAD_UID); /* refused: four parts */

	/* mountinfo: the Pod Identity token volume on the real device of the fixture (so its
	 * token can be read and its device checked), the others on fake tmpfs devices. */
	snprintf(p, sizeof(p), "%s/" POD_DIR(PI_UID) "eks-pod-identity-token", host);
	must(stat(p, &st) == 0, "stat volume");
	real_kdev = (uint32_t)(major(st.st_dev) << 20 | minor(st.st_dev));
#define MI(...) (o += (size_t)snprintf(mi + o, sizeof(mi) - o, __VA_ARGS__))
	MI("22 1 259:1 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p1 rw\n");
	MI("30 22 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw\n");
	MI("101 22 0:101 / %s/" POD_DIR(PI_UID) "kube-api-access-abcde rw,relatime shared:50 - "
						"tmpfs tmpfs rw,size=65536k\n",
	   host);
	MI("102 22 %u:%u / %s/" POD_DIR(PI_UID) "eks-pod-identity-token rw shared:51 - tmpfs "
						"tmpfs rw\n",
	   major(st.st_dev), minor(st.st_dev), host);
	MI("103 22 0:103 / %s/" POD_DIR(IRSA_UID) "aws-iam-token rw shared:52 - tmpfs tmpfs rw\n",
	   host);
	/* not below the host root: ignored */
	MI("104 22 0:104 / /elsewhere/" POD_DIR(IRSA_UID) "aws-iam-token rw - tmpfs tmpfs rw\n");
	/* a file below a volume, not a volume: ignored */
	MI("105 22 0:105 / %s/" POD_DIR(IRSA_UID) "aws-iam-token/sub rw - tmpfs tmpfs rw\n", host);
	MI("106 22 0:106 /x %s/var/lib/kubelet/pods/not-a-uid/volumes/kubernetes.io~projected/v "
	   "rw - tmpfs tmpfs rw\n",
	   host);
	MI("garbage line\n");
#undef MI
	write_abs(mi_path, mi);

	lim = (struct attrib_limits){ .cgroup_mount = cgmnt,
				      .mountinfo_path = mi_path,
				      .proc_root = procroot };
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)f;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

static void teardown(void)
{
	nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- output checks ---- */

#define T0	    1000000000000ull /* "now" of the tests: 1000 s */
#define MS	    1000000ull
#define OTHER_NETNS 4026532999u

static char text[16000];
static json_t *doc;
static struct attrib_result R;

static bool clean_mem(const void *p, size_t n)
{
	static const char *const bad[] = { "CWTESTSIG", SECRET_KEY_ID, SECRET_VALUE, SESSION_VALUE,
					   "eyJhbGciOi" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (memmem(p, n, bad[i], strlen(bad[i])))
			return false;
	return true;
}

static json_t *finish(struct jw *w)
{
	jw_finish(w);
	ASSERT_FALSE(jw_overflowed(w));
	ASSERT_TRUE(clean_mem(text, strlen(text)));
	json_decref(doc);
	doc = json_loads(text, 0, NULL);
	ASSERT_NOTNULL(doc);
	return doc;
}

static json_t *render(const struct attrib_result *r)
{
	struct jw w;

	jw_init(&w, text, sizeof(text));
	jw_obj_open(&w, NULL);
	json_put_workload(&w, r);
	ASSERT_TRUE(clean_mem(r, sizeof(*r)));
	return finish(&w);
}

static json_t *render_stats(const struct attrib *a)
{
	struct attrib_stats st;
	struct jw w;

	attrib_stats(a, &st);
	jw_init(&w, text, sizeof(text));
	jw_obj_open(&w, NULL);
	json_put_attrib_stats(&w, &st);
	return finish(&w);
}

/* "a.b.c" in the current document */
static json_t *jp(const char *path)
{
	char buf[256], *sp = NULL, *k;
	json_t *v = doc;

	snprintf(buf, sizeof(buf), "%s", path);
	for (k = strtok_r(buf, ".", &sp); k && v; k = strtok_r(NULL, ".", &sp))
		v = json_object_get(v, k);
	return v;
}

static const char *js(const char *path)
{
	return json_string_value(jp(path));
}

static bool jnull(const char *path)
{
	return json_is_null(jp(path));
}

static int jb(const char *path)
{
	json_t *v = jp(path);

	return json_is_boolean(v) ? json_is_true(v) : -1;
}

static long long ji(const char *path)
{
	return json_integer_value(jp(path));
}

static long long jlen(const char *path)
{
	json_t *v = jp(path);

	return json_is_array(v) ? (long long)json_array_size(v) : -1;
}

static bool jhas(const char *path, const char *val)
{
	json_t *arr = jp(path), *e;
	size_t i;

	json_array_foreach (arr, i, e)
		if (json_is_string(e) && strcmp(json_string_value(e), val) == 0)
			return true;
	return false;
}

static void resolve(struct attrib *a, const char *cg, uint32_t netns, uint64_t now)
{
	ASSERT_EQ(attrib_workload(a, cg, netns, now, &R), 0);
	render(&R);
}

static long long stat_of(struct attrib *a, const char *key)
{
	char path[128];

	render_stats(a);
	snprintf(path, sizeof(path), "attrib.%s", key);
	return ji(path);
}

static struct attrib *new_attrib(const struct attrib_limits *l)
{
	struct attrib *a = attrib_new(host, l);

	must(a != NULL, "attrib_new");
	return a;
}

/* ---- cases ---- */

static void test_pod_identity(void)
{
	struct attrib *a = new_attrib(&lim);
	char lead[600];

	resolve(a, cg_pi_app, OTHER_NETNS, T0);
	if (getenv("CW_ATTRIB_SHOW"))
		fprintf(stdout, "pi app: %s\n", text);
	ASSERT_EQ(jb("host"), 0);
	ASSERT_STREQ(js("pod.uid"), PI_UID);
	ASSERT_STREQ(js("pod.namespace"), "team-a");
	ASSERT_STREQ(js("pod.name"), "pi-app");
	ASSERT_STREQ(js("pod.service_account"), "pi-sa");
	/* the sidecar left out by skip-containers falls through to the node role */
	ASSERT_EQ(jlen("pod.credential_mode"), 2);
	ASSERT_TRUE(jhas("pod.credential_mode", "pod_identity"));
	ASSERT_TRUE(jhas("pod.credential_mode", "node_role"));
	ASSERT_TRUE(jnull("pod.role_arn"));
	ASSERT_EQ(jb("pod.host_network"), 0);
	ASSERT_EQ(jb("pod.pod_identity_associated"), 1);
	ASSERT_STREQ(js("container.id"), id_pi_app);
	ASSERT_STREQ(js("container.name"), "app");
	ASSERT_STREQ(js("container.image"), "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1.2");
	ASSERT_STREQ(js("container.runtime"), "containerd");
	ASSERT_STREQ(js("container.type"), "container");
	ASSERT_EQ(jlen("container.credential_mode"), 1);
	ASSERT_TRUE(jhas("container.credential_mode", "pod_identity"));
	ASSERT_NULL(jp("container.static_key_env"));
	ASSERT_EQ(jb("attribution.complete"), 1);
	ASSERT_EQ(jlen("attribution.missing"), 0);
	ASSERT_TRUE(jhas("attribution.sources", "cgroup"));
	ASSERT_TRUE(jhas("attribution.sources", "oci_spec"));
	ASSERT_TRUE(jhas("attribution.sources", "sa_token"));
	ASSERT_TRUE(jhas("attribution.sources", "netns"));
	ASSERT_TRUE(jhas("attribution.sources", "siblings"));
	ASSERT_FALSE(jhas("attribution.sources", "pod_logs"));
	ASSERT_NULL(jp("attribution.pending"));

	/* the sidecar: no credentials of its own, Pod Identity configured in another container */
	resolve(a, cg_pi_side, OTHER_NETNS, T0 + 1);
	ASSERT_STREQ(js("container.name"), "sidecar");
	ASSERT_EQ(jlen("container.credential_mode"), 1);
	ASSERT_TRUE(jhas("container.credential_mode", "node_role"));
	ASSERT_TRUE(jhas("pod.credential_mode", "pod_identity"));
	ASSERT_EQ(jb("pod.pod_identity_associated"), 1);
	ASSERT_TRUE(!(R.container_cred & ATTRIB_CRED_POD_IDENTITY) && R.pod_identity_associated);
	ASSERT_EQ(jb("attribution.complete"), 1);

	/* the sandbox */
	resolve(a, cg_pi_sbx, OTHER_NETNS, T0 + 2);
	ASSERT_STREQ(js("container.type"), "sandbox");
	ASSERT_EQ(jlen("container.credential_mode"), 0);
	ASSERT_STREQ(js("pod.name"), "pi-app");

	/* leading slash, as in /proc/<pid>/cgroup */
	snprintf(lead, sizeof(lead), "/%s", cg_pi_app);
	resolve(a, lead, OTHER_NETNS, T0 + 3);
	ASSERT_STREQ(js("container.name"), "app");
	ASSERT_EQ(jb("attribution.complete"), 1);
	/* warm: nothing read again */
	ASSERT_EQ(stat_of(a, "config_reads"), 3);
	attrib_free(a);
}

static void test_irsa(void)
{
	struct attrib *a = new_attrib(&lim);

	resolve(a, cg_irsa, host_netns, T0);
	ASSERT_STREQ(js("pod.namespace"), "team-b");
	ASSERT_STREQ(js("pod.name"), "irsa-app");
	ASSERT_STREQ(js("pod.service_account"), "irsa-sa");
	ASSERT_STREQ(js("pod.role_arn"), ROLE_ARN);
	ASSERT_EQ(jlen("pod.credential_mode"), 1); /* the sandbox does not count */
	ASSERT_TRUE(jhas("pod.credential_mode", "irsa"));
	ASSERT_EQ(jb("pod.pod_identity_associated"), 0);
	ASSERT_STREQ(js("container.name"), "worker");
	/* the process is in the host's network namespace */
	ASSERT_EQ(jb("pod.host_network"), 1);
	ASSERT_EQ(jb("attribution.complete"), 1);

	/* netns unknown: the spec says it has its own; the event says netns is missing */
	resolve(a, cg_irsa, 0, T0 + 1);
	ASSERT_EQ(jb("pod.host_network"), 0);
	ASSERT_TRUE(jhas("attribution.missing", "netns"));
	ASSERT_EQ(jb("attribution.complete"), 0);
	attrib_free(a);
}

static void test_static_keys(void)
{
	struct attrib *a = new_attrib(&lim);

	resolve(a, cg_static, OTHER_NETNS, T0);
	ASSERT_STREQ(js("pod.name"), "legacy");
	ASSERT_STREQ(js("pod.service_account"), "default");
	ASSERT_STREQ(js("container.runtime"), "containerd"); /* cgroupfs: found by trying */
	ASSERT_TRUE(jhas("container.credential_mode", "static_keys"));
	ASSERT_TRUE(jhas("pod.credential_mode", "static_keys"));
	ASSERT_EQ(jlen("container.static_key_env"), 3);
	ASSERT_TRUE(jhas("container.static_key_env", "AWS_ACCESS_KEY_ID"));
	ASSERT_TRUE(jhas("container.static_key_env", "AWS_SECRET_ACCESS_KEY"));
	ASSERT_TRUE(jhas("container.static_key_env", "AWS_SESSION_TOKEN"));
	ASSERT_EQ(jb("attribution.complete"), 1);
	/* render() checked the JSON and the result struct; the stats too */
	render_stats(a);
	attrib_free(a);
}

static void test_plain_pod_logs(void)
{
	struct attrib *a = new_attrib(&lim);

	resolve(a, cg_plain, OTHER_NETNS, T0);
	ASSERT_STREQ(js("pod.namespace"), "web");
	ASSERT_STREQ(js("pod.name"), "plain-web");
	ASSERT_STREQ(js("pod.service_account"), "web-sa"); /* volume found by listing */
	ASSERT_EQ(jlen("pod.credential_mode"), 1);
	ASSERT_TRUE(jhas("pod.credential_mode", "node_role"));
	ASSERT_TRUE(jhas("attribution.sources", "pod_logs"));
	ASSERT_STREQ(js("container.name"), "web");
	ASSERT_EQ(jb("attribution.complete"), 1);
	attrib_free(a);
}

static void test_crio(void)
{
	struct attrib *a = new_attrib(&lim);

	resolve(a, cg_crio, OTHER_NETNS, T0);
	ASSERT_STREQ(js("container.runtime"), "crio");
	ASSERT_STREQ(js("container.name"), "crioapp");
	ASSERT_STREQ(js("container.image"), "quay.io/x/y:1");
	ASSERT_STREQ(js("pod.namespace"), "team-d");
	ASSERT_STREQ(js("pod.name"), "crio-pod");
	ASSERT_STREQ(js("pod.service_account"), "crio-sa");
	ASSERT_TRUE(jhas("pod.credential_mode", "irsa"));
	ASSERT_STREQ(js("pod.role_arn"), ROLE_ARN);
	ASSERT_EQ(jb("attribution.complete"), 1);

	/* conmon: runtime machinery of the pod, not the workload */
	resolve(a, cg_crio_conmon, OTHER_NETNS, T0 + 1);
	ASSERT_STREQ(js("container.type"), "conmon");
	ASSERT_EQ(jlen("container.credential_mode"), 0);
	ASSERT_STREQ(js("pod.name"), "crio-pod");
	ASSERT_EQ(jb("attribution.complete"), 1);
	attrib_free(a);
}

static void test_pending(void)
{
	struct attrib *a = new_attrib(&lim);

	make_sa_volume(LATE_UID, "kube-api-access-late0", "team-e", "late-pod", "late-sa");
	resolve(a, cg_late, OTHER_NETNS, T0);
	ASSERT_EQ(R.pending, 1);
	ASSERT_EQ(R.retry_at_ns, T0 + 50 * MS);
	ASSERT_EQ(jb("attribution.pending"), 1);
	ASSERT_EQ(jb("attribution.complete"), 0);
	ASSERT_TRUE(jhas("attribution.missing", "oci_spec"));
	ASSERT_STREQ(js("container.id"), id_late);
	ASSERT_TRUE(jnull("container.name"));
	ASSERT_STREQ(js("pod.name"), "late-pod"); /* from var/log/pods meanwhile */
	ASSERT_STREQ(js("pod.service_account"), "late-sa");

	write_spec(id_late, &(struct spec){ .ctype = "container",
					    .sandbox_id = id_late,
					    .pod = "late-pod",
					    .ns = "team-e",
					    .uid = LATE_UID,
					    .cname = "late",
					    .image = "late:1",
					    .vols = { "kube-api-access-late0" } });
	/* before the retry time: the cached answer, no read */
	resolve(a, cg_late, OTHER_NETNS, T0 + 10 * MS);
	ASSERT_EQ(R.pending, 1);
	ASSERT_TRUE(jnull("container.name"));
	/* at the retry time: resolved */
	resolve(a, cg_late, OTHER_NETNS, T0 + 50 * MS);
	ASSERT_EQ(R.pending, 0);
	ASSERT_STREQ(js("container.name"), "late");
	ASSERT_EQ(jb("attribution.complete"), 1);
	ASSERT_NULL(jp("attribution.pending"));

	/* never written: backoff doubles, and after the pending window retrying is pointless */
	resolve(a, cg_never, OTHER_NETNS, T0);
	ASSERT_EQ(R.pending, 1);
	ASSERT_EQ(R.retry_at_ns, T0 + 50 * MS);
	resolve(a, cg_never, OTHER_NETNS, T0 + 50 * MS);
	ASSERT_EQ(R.pending, 1);
	ASSERT_EQ(R.retry_at_ns, T0 + 150 * MS);
	resolve(a, cg_never, OTHER_NETNS, T0 + 150 * MS);
	ASSERT_EQ(R.retry_at_ns, T0 + 350 * MS);
	resolve(a, cg_never, OTHER_NETNS, T0 + 1200 * MS);
	ASSERT_EQ(R.pending, 0);
	ASSERT_TRUE(jhas("attribution.missing", "oci_spec"));
	ASSERT_EQ(jb("attribution.complete"), 0);
	attrib_free(a);
}

/* automountServiceAccountToken: false - the pod's volumes directory has no kube-api-access
 * volume: the service account is known to be unnamed, not missing (the attribution is
 * complete). Before the kubelet made the directory, it is missing. */
static void test_no_sa_token(void)
{
	struct attrib *a = new_attrib(&lim);
	const char *uid = "abababab-abab-4bab-8bab-abababababab";
	char id[65], sbx[65], cg[512], cg_sbx[512], dir[PATH_MAX * 2];

	make_id(id, 4242);
	make_id(sbx, 4243);
	write_spec(sbx, &(struct spec){ .ctype = "sandbox",
					.sandbox_id = sbx,
					.pod = "credwatch-x7k2p",
					.ns = "credwatch",
					.uid = uid });
	cg_cgroupfs(cg_sbx, "burstable", uid, sbx);
	cg_mk(cg_sbx);
	write_spec(id, &(struct spec){ .ctype = "container",
				       .sandbox_id = sbx,
				       .pod = "credwatch-x7k2p",
				       .ns = "credwatch",
				       .uid = uid,
				       .cname = "credwatch",
				       .image = "credwatch:0.1.0" });
	cg_cgroupfs(cg, "burstable", uid, id);
	cg_mk(cg);
	/* no volumes directory yet: missing */
	resolve(a, cg, OTHER_NETNS, T0);
	ASSERT_TRUE(jhas("attribution.missing", "sa_token"));
	ASSERT_NULL(jp("attribution.absent"));
	ASSERT_EQ(jb("attribution.complete"), 0);
	/* the kubelet's volumes directory, with an emptyDir and no token volume */
	snprintf(dir, sizeof(dir), "%s/var/lib/kubelet/pods/%s/volumes/kubernetes.io~empty-dir/tmp",
		 host, uid);
	mkdir_p(dir);
	resolve(a, cg, OTHER_NETNS, T0 + 60ULL * 1000 * MS);
	ASSERT_FALSE(jhas("attribution.missing", "sa_token"));
	ASSERT_TRUE(jhas("attribution.absent", "sa_token"));
	ASSERT_TRUE(jnull("pod.service_account"));
	ASSERT_STREQ(js("pod.name"), "credwatch-x7k2p");

	ASSERT_EQ(jb("attribution.complete"), 1);
	/* a projected volume that is not a token's does not change that */
	snprintf(dir, sizeof(dir),
		 "%s/var/lib/kubelet/pods/%s/volumes/kubernetes.io~projected/config-bundle", host,
		 uid);
	mkdir_p(dir);
	resolve(a, cg, OTHER_NETNS, T0 + 120ULL * 1000 * MS);
	ASSERT_TRUE(jhas("attribution.absent", "sa_token"));
	ASSERT_EQ(jb("attribution.complete"), 1);
	attrib_free(a);
}

/* hostNetwork with the process's netns unknown: containerd's container spec joins the
 * sandbox's namespace by path whatever the pod's mode (/proc/<pid>/ns/net), so only the
 * sandbox's spec (no network namespace at all) says the pod is on the node's network. */
static void test_hostnet_spec(void)
{
	struct attrib *a = new_attrib(&lim);
	const char *uid = "cdcdcdcd-cdcd-4dcd-8dcd-cdcdcdcdcdcd";
	char id[65], sbx[65], cg[512], cg_sbx[512];

	make_id(id, 5252);
	make_id(sbx, 5253);
	write_spec(sbx, &(struct spec){ .ctype = "sandbox",
					.sandbox_id = sbx,
					.pod = "node-agent",
					.ns = "kube-system",
					.uid = uid,
					.hostnet = true });
	cg_cgroupfs(cg_sbx, "burstable", uid, sbx);
	cg_mk(cg_sbx);
	/* the container's spec: the sandbox's netns by path, as for every pod */
	write_spec(id, &(struct spec){ .ctype = "container",
				       .sandbox_id = sbx,
				       .pod = "node-agent",
				       .ns = "kube-system",
				       .uid = uid,
				       .cname = "agent",
				       .image = "agent:1" });
	cg_cgroupfs(cg, "burstable", uid, id);
	cg_mk(cg);
	resolve(a, cg, 0, T0);
	ASSERT_STREQ(js("container.name"), "agent");
	ASSERT_EQ(jb("pod.host_network"), 1);
	attrib_free(a);
}

static void test_symlink_shadow(void)
{
	struct attrib *a = new_attrib(&lim);
	char ev[4096];
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	must(fd >= 0, "inotify_init1");
	must(inotify_add_watch(fd, "/etc/shadow", IN_OPEN | IN_ACCESS) >= 0, "watch shadow");
	resolve(a, cg_shadow, OTHER_NETNS, T0);
	ASSERT_TRUE(jhas("attribution.missing", "oci_spec"));
	ASSERT_TRUE(jhas("attribution.missing", "sa_token"));
	ASSERT_EQ(R.pending, 0); /* a refused symlink will not fix itself */
	ASSERT_EQ(jb("attribution.complete"), 0);
	ASSERT_STREQ(js("pod.uid"), SHADOW_UID);
	ASSERT_TRUE(stat_of(a, "refused") >= 1);
	/* retried later: still refused, still never opened */
	resolve(a, cg_shadow, OTHER_NETNS, T0 + 10000 * MS);
	ASSERT_EQ(read(fd, ev, sizeof(ev)), -1);
	ASSERT_EQ(errno, EAGAIN);
	close(fd);
	attrib_free(a);
}

static long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void test_big_config(void)
{
	struct attrib *a = new_attrib(&lim);
	long long t0 = mono_ns(), dt;

	ASSERT_EQ(attrib_workload(a, cg_big, OTHER_NETNS, T0, &R), 0);
	dt = mono_ns() - t0;
	render(&R);
	ASSERT_TRUE(jhas("attribution.missing", "oci_spec"));
	ASSERT_EQ(R.pending, 0);
	ASSERT_TRUE(stat_of(a, "refused") >= 1);
	printf("attrib: 50 MiB config.json refused in %lld us\n", dt / 1000);
	attrib_free(a);
}

static void test_malformed(void)
{
	struct attrib *a = new_attrib(&lim);

	resolve(a, cg_bad, OTHER_NETNS, T0);
	ASSERT_TRUE(jhas("attribution.missing", "oci_spec"));
	ASSERT_TRUE(jhas("attribution.missing", "sa_token"));
	ASSERT_TRUE(jhas("attribution.missing", "pod_logs")); /* its log dir name is invalid */
	ASSERT_TRUE(jnull("pod.namespace"));
	ASSERT_STREQ(js("pod.uid"), BAD_UID);
	ASSERT_EQ(jb("attribution.complete"), 0);
	ASSERT_TRUE(stat_of(a, "parse_errors") >= 2);
	/* maybe a half-written file: worth a retry for a while, not forever */
	resolve(a, cg_bad, OTHER_NETNS, T0 + 5000 * MS);
	ASSERT_EQ(R.pending, 0);
	attrib_free(a);
}

static void test_host_and_unknown(void)
{
	struct attrib *a = new_attrib(&lim);
	char p[1024];

	resolve(a, "/system.slice/kubelet.service", 0, T0);
	ASSERT_EQ(jb("host"), 1);
	ASSERT_TRUE(jnull("pod"));
	ASSERT_TRUE(jnull("container"));
	ASSERT_EQ(jb("attribution.complete"), 1);
	ASSERT_TRUE(jhas("attribution.sources", "cgroup"));

	resolve(a, "/", 0, T0);
	ASSERT_EQ(jb("host"), 1);

	resolve(a, NULL, 0, T0);
	ASSERT_EQ(jb("host"), 0);
	ASSERT_TRUE(jnull("pod"));
	ASSERT_TRUE(jhas("attribution.missing", "cgroup"));
	ASSERT_EQ(jb("attribution.complete"), 0);

	/* under kubepods, but not a known layout: what parsed (the pod) is still resolved */
	resolve(a, "kubepods/burstable/pod" PI_UID "/not-a-container", OTHER_NETNS, T0);
	ASSERT_EQ(jb("host"), 0);
	ASSERT_TRUE(jhas("attribution.missing", "cgroup"));
	ASSERT_STREQ(js("pod.uid"), PI_UID);
	ASSERT_STREQ(js("pod.name"), "pi-app");
	ASSERT_EQ(jb("attribution.complete"), 0);

	/* Docker outside Kubernetes */
	snprintf(p, sizeof(p), "system.slice/docker-%s.scope", id_pi_app);
	resolve(a, p, 0, T0);
	ASSERT_EQ(jb("host"), 0);
	ASSERT_TRUE(jnull("pod"));
	ASSERT_STREQ(js("container.runtime"), "docker");

	/* a kubepods hierarchy below a container: attributed to the outer one, flagged */
	snprintf(p, sizeof(p), "%s/kubepods/pod%s/%s", cg_pi_app, IRSA_UID, id_irsa);
	resolve(a, p, OTHER_NETNS, T0);
	if (getenv("CW_ATTRIB_SHOW"))
		fprintf(stdout, "nested: %s\n", text);
	ASSERT_STREQ(js("pod.uid"), PI_UID);
	ASSERT_STREQ(js("container.id"), id_pi_app);
	ASSERT_TRUE(jhas("attribution.conflicts", "nested_cgroup"));
	ASSERT_TRUE(jhas("attribution.missing", "siblings"));
	ASSERT_EQ(jb("attribution.complete"), 0);
	/* and the pod's union, computed from the real layout, is left alone */
	resolve(a, cg_pi_app, OTHER_NETNS, T0 + 1);
	ASSERT_TRUE(jhas("pod.credential_mode", "node_role"));
	ASSERT_EQ(jb("attribution.complete"), 1);
	attrib_free(a);
}

static json_t *render_owner(const struct attrib_owner *o)
{
	struct jw w;

	jw_init(&w, text, sizeof(text));
	jw_obj_open(&w, NULL);
	jw_obj_open(&w, "file");
	json_put_owner(&w, o);
	jw_obj_close(&w);
	return finish(&w);
}

static void append_mountinfo(const char *line)
{
	int fd = open(mi_path, O_WRONLY | O_APPEND | O_CLOEXEC);

	must(fd >= 0 && write(fd, line, strlen(line)) == (ssize_t)strlen(line), "append");
	close(fd);
}

static void test_file_owner(void)
{
	struct attrib *a = new_attrib(&lim);
	struct attrib_limits l2 = lim;
	struct attrib_owner o;
	char p[PATH_MAX * 2], mi2[PATH_MAX + 32];

	ASSERT_EQ(attrib_file_owner(a, 0 << 20 | 101, NULL, 0, T0, &o), 0);
	render_owner(&o);
	ASSERT_STREQ(js("file.owner.pod_uid"), PI_UID);
	ASSERT_STREQ(js("file.owner.volume"), "kube-api-access-abcde");
	ASSERT_STREQ(js("file.owner.namespace"), "team-a");
	ASSERT_STREQ(js("file.owner.pod_name"), "pi-app");
	ASSERT_STREQ(js("file.owner.source"), "mountinfo");
	ASSERT_EQ(jb("file.owner.verified"), 1);

	ASSERT_EQ(attrib_file_owner(a, 0 << 20 | 103, NULL, 0, T0, &o), 0);
	ASSERT_STREQ(o.volume, "aws-iam-token");
	ASSERT_STREQ(o.pod_name, "irsa-app");

	/* outside the host root, a sub-directory of a volume, a bad UID: not volumes */
	ASSERT_EQ(attrib_file_owner(a, 104, NULL, 0, T0, &o), -ENOENT);
	ASSERT_EQ(attrib_file_owner(a, 105, NULL, 0, T0, &o), -ENOENT);
	ASSERT_EQ(attrib_file_owner(a, 106, NULL, 0, T0, &o), -ENOENT);
	render_owner(&o);
	ASSERT_TRUE(jnull("file.owner"));

	/* a new mount is seen on a later miss, not sooner than the rescan interval */
	snprintf(p, sizeof(p),
		 "150 22 0:150 / %s/" POD_DIR(PLAIN_UID) "kube-api-access-pqrst rw - tmpfs x rw\n",
		 host);
	append_mountinfo(p);
	ASSERT_EQ(attrib_file_owner(a, 150, NULL, 0, T0 + 1 * MS, &o), -ENOENT);
	ASSERT_EQ(attrib_file_owner(a, 150, NULL, 0, T0 + 2000 * MS, &o), 0);
	ASSERT_STREQ(o.pod_name, "plain-web");
	ASSERT_EQ(stat_of(a, "mountinfo_reads"), 2);

	/* from the path: an unknown device gives an unverified answer */
	snprintf(p, sizeof(p), "%s/" POD_DIR(IRSA_UID) "kube-api-access-fghij/" TS_DIR "/token",
		 host);
	ASSERT_EQ(attrib_file_owner(a, 0 << 20 | 200, p, strlen(p), T0 + 2000 * MS, &o), 0);
	render_owner(&o);
	ASSERT_STREQ(js("file.owner.pod_uid"), IRSA_UID);
	ASSERT_STREQ(js("file.owner.volume"), "kube-api-access-fghij");
	ASSERT_STREQ(js("file.owner.source"), "path");
	ASSERT_EQ(jb("file.owner.verified"), 0);
	ASSERT_STREQ(js("file.owner.pod_name"), "irsa-app");
	/* not at a component start: a container's own "/xvar/lib/kubelet/..." */
	snprintf(p, sizeof(p),
		 "/xvar/lib/kubelet/pods/" PI_UID
		 "/volumes/kubernetes.io~projected/kube-api-access-abcde/token");
	ASSERT_EQ(attrib_file_owner(a, 201, p, strlen(p), T0 + 2000 * MS, &o), -ENOENT);
	attrib_free(a);

	/* with no mountinfo entry, the path is verified by the volume directory's device */
	snprintf(mi2, sizeof(mi2), "%s/mountinfo-empty", base);
	write_abs(mi2, "22 1 259:1 / / rw - ext4 /dev/root rw\n");
	l2.mountinfo_path = mi2;
	a = new_attrib(&l2);
	snprintf(p, sizeof(p),
		 "/var/lib/kubelet/pods/" IRSA_UID
		 "/volumes/kubernetes.io~projected/kube-api-access-fghij/..data/token");
	ASSERT_EQ(attrib_file_owner(a, real_kdev, p, strlen(p), T0, &o), 0);
	ASSERT_EQ(o.verified, 1);
	ASSERT_STREQ(o.pod_uid, IRSA_UID);
	/* and remembered by device */
	ASSERT_EQ(attrib_file_owner(a, real_kdev, NULL, 0, T0 + 1, &o), 0);
	ASSERT_STREQ(o.volume, "kube-api-access-fghij");
	ASSERT_EQ(o.verified, 1);
	attrib_free(a);
}

static json_t *render_token(const struct attrib_token *t)
{
	struct jw w;

	jw_init(&w, text, sizeof(text));
	jw_obj_open(&w, NULL);
	json_put_token(&w, t);
	ASSERT_TRUE(clean_mem(t, sizeof(*t)));
	return finish(&w);
}

static void test_token(void)
{
	struct attrib *a = new_attrib(&lim);
	struct attrib_token t;
	char p[PATH_MAX * 2];
	struct stat st;
	long long reads;

	snprintf(p, sizeof(p),
		 "%s/" POD_DIR(PI_UID) "eks-pod-identity-token/" TS_DIR "/eks-pod-identity-token",
		 host);
	must(stat(p, &st) == 0, "stat token");
	ASSERT_EQ(attrib_token(a, real_kdev, st.st_ino, "eks-pod-identity-token", T0, &t), 0);
	render_token(&t);
	ASSERT_STREQ(js("token.kind"), "pod_identity");
	ASSERT_EQ(jlen("token.audience"), 1);
	ASSERT_TRUE(jhas("token.audience", "pods.eks.amazonaws.com"));
	ASSERT_STREQ(js("token.service_account"), "pi-sa");
	ASSERT_STREQ(js("token.namespace"), "team-a");
	ASSERT_STREQ(js("token.pod_name"), "pi-app");
	ASSERT_STREQ(js("token.pod_uid"), PI_UID);
	ASSERT_STREQ(js("token.expires"), EXP_STR);
	ASSERT_EQ(jb("token.inode_matched"), 1);

	/* cached by device + inode */
	reads = stat_of(a, "token_reads");
	ASSERT_EQ(attrib_token(a, real_kdev, st.st_ino, "eks-pod-identity-token", T0 + 1, &t), 0);
	ASSERT_EQ(stat_of(a, "token_reads"), reads);

	/* another inode (rotated since): the current token's claims, flagged */
	ASSERT_EQ(attrib_token(a, real_kdev, st.st_ino + 1, "eks-pod-identity-token", T0, &t), 0);
	ASSERT_EQ(t.inode_matched, 0);
	ASSERT_STREQ(t.service_account, "pi-sa");

	/* a volume whose files are not on its device: refused */
	ASSERT_EQ(attrib_token(a, 101, 1, "token", T0, &t), -EXDEV);
	render_token(&t);
	ASSERT_TRUE(jnull("token"));
	/* unknown device, bad names */
	ASSERT_EQ(attrib_token(a, 999, 1, "token", T0, &t), -ENOENT);
	ASSERT_EQ(attrib_token(a, real_kdev, 1, "../token", T0, &t), -EINVAL);
	ASSERT_EQ(attrib_token(a, real_kdev, 1, "..data", T0, &t), -EINVAL);
	ASSERT_EQ(attrib_token(a, real_kdev, 1, "", T0, &t), -EINVAL);
	ASSERT_EQ(attrib_token(a, real_kdev, 1, "nope", T0, &t), -ENOENT);
	attrib_free(a);
}

static void test_eviction(void)
{
	struct attrib_limits l = lim;
	struct attrib *a;
	uint64_t now = T0;

	l.max_containers = 2;
	l.max_pods = 2;
	l.max_logdirs = 2;
	l.max_volumes = 1;
	l.max_tokens = 1;
	a = new_attrib(&l);
	for (int round = 0; round < 3; round++) {
		resolve(a, cg_pi_app, OTHER_NETNS, now += 2000 * MS);
		ASSERT_STREQ(js("pod.name"), "pi-app");
		ASSERT_TRUE(jhas("pod.credential_mode", "node_role"));
		ASSERT_STREQ(js("pod.service_account"), "pi-sa");
		resolve(a, cg_irsa, OTHER_NETNS, now += 2000 * MS);
		ASSERT_STREQ(js("pod.name"), "irsa-app");
		resolve(a, cg_static, OTHER_NETNS, now += 2000 * MS);
		ASSERT_STREQ(js("pod.name"), "legacy");
		resolve(a, cg_plain, OTHER_NETNS, now += 2000 * MS);
		ASSERT_STREQ(js("pod.name"), "plain-web");
		ASSERT_EQ(jb("attribution.complete"), 1);
	}
	render_stats(a);
	ASSERT_TRUE(ji("attrib.containers.evictions") > 0);
	ASSERT_TRUE(ji("attrib.pods.evictions") > 0);
	ASSERT_TRUE(ji("attrib.pod_logs.evictions") > 0);
	ASSERT_EQ(ji("attrib.containers.entries"), 2);
	ASSERT_EQ(ji("attrib.containers.capacity"), 2);
	attrib_free(a);
}

static void test_forget(void)
{
	struct attrib *a = new_attrib(&lim);
	long long reads;

	resolve(a, cg_pi_app, OTHER_NETNS, T0);
	reads = stat_of(a, "config_reads");
	resolve(a, cg_pi_app, OTHER_NETNS, T0 + 1);
	ASSERT_EQ(stat_of(a, "config_reads"), reads);
	attrib_forget_container(a, id_pi_app);
	attrib_forget_container(a, "not-an-id");
	resolve(a, cg_pi_app, OTHER_NETNS, T0 + 2);
	ASSERT_STREQ(js("container.name"), "app");
	ASSERT_EQ(jb("attribution.complete"), 1);
	ASSERT_EQ(stat_of(a, "config_reads"), reads + 1);
	attrib_free(a);
}

static void test_bad_args(void)
{
	struct attrib_limits l = lim;

	ASSERT_EQ(attrib_workload(NULL, "/", 0, T0, &R), -EINVAL);
	ASSERT_NULL(attrib_new(NULL, &lim));
	ASSERT_NULL(attrib_new("/nonexistent-cw-attrib", &lim));
	l.cgroup_mount = "/nonexistent-cw-attrib";
	ASSERT_NULL(attrib_new(host, &l));
	/* no cgroup mount: the pod union is the container's own and the pod's volumes, and it
	 * says so */
	l.cgroup_mount = NULL;
	{
		struct attrib *a = new_attrib(&l);

		resolve(a, cg_pi_side, OTHER_NETNS, T0);
		ASSERT_TRUE(jhas("attribution.missing", "siblings"));
		ASSERT_EQ(jlen("pod.credential_mode"), 2);
		ASSERT_TRUE(jhas("pod.credential_mode", "node_role"));	  /* its own */
		ASSERT_TRUE(jhas("pod.credential_mode", "pod_identity")); /* the pod's volume */
		ASSERT_TRUE(jhas("attribution.sources", "volumes"));
		ASSERT_EQ(jb("pod.pod_identity_associated"), 1);
		attrib_free(a);
	}
	attrib_free(NULL);
}

/* Not an assertion on time: prints the warm-cache cost. */
static void bench(void)
{
	struct attrib *a = new_attrib(&lim);
	const int n = 200000;
	long long t0, t1, t2;
	struct jw w;

	resolve(a, cg_pi_app, OTHER_NETNS, T0);
	t0 = mono_ns();
	for (int i = 0; i < n; i++)
		attrib_workload(a, cg_pi_app, OTHER_NETNS, T0 + 1000, &R);
	t1 = mono_ns();
	for (int i = 0; i < n; i++) {
		attrib_workload(a, cg_pi_app, OTHER_NETNS, T0 + 1000, &R);
		jw_init(&w, text, sizeof(text));
		jw_obj_open(&w, NULL);
		json_put_workload(&w, &R);
		jw_finish(&w);
	}
	t2 = mono_ns();
	ASSERT_EQ(stat_of(a, "config_reads"), 3);
#ifdef __SANITIZE_ADDRESS__
#define BUILD_KIND "ASan/UBSan build"
#else
#define BUILD_KIND "plain build"
#endif
	printf("attrib: attrib_workload warm %lld ns/op, with JSON %lld ns/op (" BUILD_KIND ")\n",
	       (t1 - t0) / n, (t2 - t1) / n);
	attrib_free(a);
}

static void bytes_per_entry(void)
{
	struct attrib_limits l1 = lim, l2 = lim;
	struct attrib *a1, *a2;
	size_t per_cont, per_pod, per_tok;

	l1.max_containers = 1000;
	l2.max_containers = 2000;
	a1 = new_attrib(&l1);
	a2 = new_attrib(&l2);
	per_cont = (attrib_memory_bytes(a2) - attrib_memory_bytes(a1)) / 1000;
	attrib_free(a1);
	attrib_free(a2);
	l1 = l2 = lim;
	l1.max_pods = 1000;
	l2.max_pods = 2000;
	a1 = new_attrib(&l1);
	a2 = new_attrib(&l2);
	per_pod = (attrib_memory_bytes(a2) - attrib_memory_bytes(a1)) / 1000;
	attrib_free(a1);
	attrib_free(a2);
	l1 = l2 = lim;
	l1.max_tokens = 1000;
	l2.max_tokens = 2000;
	a1 = new_attrib(&l1);
	a2 = new_attrib(&l2);
	per_tok = (attrib_memory_bytes(a2) - attrib_memory_bytes(a1)) / 1000;
	a1 = (attrib_free(a1), NULL);
	a1 = new_attrib(&lim);
	printf("attrib: %zu bytes per cached container, %zu per pod, %zu per token; "
	       "defaults: %zu bytes\n",
	       per_cont, per_pod, per_tok, attrib_memory_bytes(a1));
	ASSERT_TRUE(per_cont <= 4096);
	attrib_free(a1);
	attrib_free(a2);
}

int main(void)
{
	char logpath[PATH_MAX + 32], line[4096];
	int saved, logfd;
	FILE *f;

	setup();
	/* Debug logging on, into a file that is checked for secrets afterwards. */
	log_verbosity = LOG_DEBUG;
	snprintf(logpath, sizeof(logpath), "%s.log", base);
	logfd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	must(logfd >= 0, "log file");
	saved = dup(2);
	dup2(logfd, 2);

	RUN(test_pod_identity);
	RUN(test_irsa);
	RUN(test_static_keys);
	RUN(test_plain_pod_logs);
	RUN(test_crio);
	RUN(test_pending);
	RUN(test_no_sa_token);
	RUN(test_hostnet_spec);
	RUN(test_symlink_shadow);
	RUN(test_big_config);
	RUN(test_malformed);
	RUN(test_host_and_unknown);
	RUN(test_file_owner);
	RUN(test_token);
	RUN(test_eviction);
	RUN(test_forget);
	RUN(test_bad_args);
	RUN(bench);
	RUN(bytes_per_entry);

	fflush(stdout);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(logfd);
	unit_current = "debug log";
	f = fopen(logpath, "re");
	must(f != NULL, "log file");
	while (fgets(line, sizeof(line), f)) {
		ASSERT_TRUE(clean_mem(line, strlen(line)));
		if (strncmp(line, "credwatch: debug: ", 18) != 0)
			fputs(line, stderr); /* FAIL lines and anything unexpected */
	}
	fclose(f);
	unlink(logpath);
	json_decref(doc);
	teardown();
	return unit_report("attrib");
}
