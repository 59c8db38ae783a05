// SPDX-License-Identifier: GPL-2.0
/*
 * replay: the characterization test of the agent's event pipeline.
 *
 * It builds a fixed node (pods with containerd config.json files, pod log directories,
 * projected token volumes each on its own tmpfs in the kubelet's atomic-writer layout, a
 * watched unix socket, a fake cgroup2 tree), fills a real BPF process table, and feeds a fixed
 * list of kernel records (the bytes the BPF programs would send) through the agent's pipeline
 * with a fixed clock. The JSON lines are written to stdout; tests/golden/run.sh replaces the
 * few values that depend on the machine (device numbers, inode numbers, the agent's pid, the
 * wall clock of agent_ready/agent_stats/finding_summary) and compares with expected.jsonl.
 *
 * The records are the contract: if the pipeline is restructured, the output must not change.
 * Run as root (a private mount namespace for the tmpfs volumes, BPF maps).
 *
 *   replay SUBST_FILE    writes events to stdout and "real symbol" lines to SUBST_FILE
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "golden.h"

/* ---------------------------------------------------------------------------------------- */
/* fixture node */

static char base[256], root[300], cgmnt[300], procroot[300];
static FILE *subst;

static void die(const char *what)
{
	fprintf(stderr, "replay: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void mkdir_p(const char *path)
{
	char p[1024];

	snprintf(p, sizeof(p), "%s", path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0755) && errno != EEXIST)
			die(p);
		*s = '/';
	}
	if (mkdir(p, 0755) && errno != EEXIST)
		die(p);
}

static void write_file(const char *path, const char *content)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(content, f) < 0 || fclose(f))
		die(path);
}

static void b64url(const char *in, char *out)
{
	static const char tbl[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t n = strlen(in), o = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)in[i] << 16;

		if (i + 1 < n)
			v |= (unsigned char)in[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)in[i + 2];
		out[o++] = tbl[(v >> 18) & 63];
		out[o++] = tbl[(v >> 12) & 63];
		if (i + 1 < n)
			out[o++] = tbl[(v >> 6) & 63];
		if (i + 2 < n)
			out[o++] = tbl[v & 63];
	}
	out[o] = 0;
}

/* A fixture JWT; the signature part is a marker the test greps for (never printed). */
static void mkjwt(char *out, size_t cap, const struct gpod *p, const char *aud)
{
	char payload[2048], h[256], b[4096];

	snprintf(payload, sizeof(payload),
		 "{\"aud\":[\"%s\"],\"exp\":%d,\"iat\":%d,\"nbf\":%d,"
		 "\"iss\":\"https://oidc.eks.us-east-1.amazonaws.com/id/CWGOLDEN\","
		 "\"kubernetes.io\":{\"namespace\":\"%s\",\"node\":{\"name\":\"golden-node\","
		 "\"uid\":\"00000000-0000-4000-8000-00000000000f\"},\"pod\":{\"name\":\"%s\","
		 "\"uid\":\"%s\"},\"serviceaccount\":{\"name\":\"%s\","
		 "\"uid\":\"00000000-0000-4000-8000-0000000000aa\"}},"
		 "\"sub\":\"system:serviceaccount:%s:%s\"}",
		 aud, GOLDEN_EXP, GOLDEN_EXP - 86400, GOLDEN_EXP - 86400, p->ns, p->name, p->uid,
		 p->sa, p->ns, p->sa);
	b64url("{\"alg\":\"RS256\",\"kid\":\"golden\"}", h);
	b64url(payload, b);
	snprintf(out, cap, "%s.%s.%s", h, b, GOLDEN_SIG);
}

/* A projected volume: its own tmpfs, one atomic-writer generation, leaf symlinks. */
static void volume(struct gpod *p, struct gvol *v)
{
	char dir[1024], gen[1200], path[1400], jwt[8192];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/var/lib/kubelet/pods/%s/volumes/kubernetes.io~projected/%s",
		 root, p->uid, v->name);
	mkdir_p(dir);
	if (mount("golden", dir, "tmpfs", 0, "size=1m,mode=0755"))
		die(dir);
	snprintf(gen, sizeof(gen), "%s/" GOLDEN_TSDIR, dir);
	mkdir_p(gen);
	mkjwt(jwt, sizeof(jwt), p, v->aud);
	snprintf(path, sizeof(path), "%s/%s", gen, v->leaf);
	write_file(path, jwt);
	if (stat(path, &st))
		die(path);
	v->dev = (uint32_t)(major(st.st_dev) << 20 | minor(st.st_dev));
	v->ino = st.st_ino;
	fprintf(subst, "\"dev\":\"%u:%u\" \"dev\":\"<dev:%s>\"\n", major(st.st_dev),
		minor(st.st_dev), v->name);
	snprintf(path, sizeof(path), "%s/..data", dir);
	if (symlink(GOLDEN_TSDIR, path))
		die(path);
	snprintf(path, sizeof(path), "%s/%s", dir, v->leaf);
	snprintf(gen, sizeof(gen), "..data/%s", v->leaf);
	if (symlink(gen, path))
		die(path);
}

/* config.json of one container, as containerd's CRI plugin writes it (the fields read). */
static void container_spec(const struct gpod *p, const struct gctr *c)
{
	char dir[1024], path[1100], env[2048] = "", mounts[4096] = "", js[16384];
	bool sandbox = c->sandbox;

	if (!c->spec)
		return; /* its config.json never appears (late metadata) */
	snprintf(dir, sizeof(dir), "%s/run/containerd/io.containerd.runtime.v2.task/k8s.io/%s",
		 root, c->id);
	mkdir_p(dir);
	for (int i = 0; c->env[i]; i++)
		snprintf(env + strlen(env), sizeof(env) - strlen(env), ",\"%s\"", c->env[i]);
	for (int i = 0; !sandbox && i < GOLDEN_MAXVOL && p->vol[i].name; i++) {
		const struct gvol *v = &p->vol[i];

		snprintf(mounts + strlen(mounts), sizeof(mounts) - strlen(mounts),
			 ",{\"destination\":\"%s\",\"type\":\"bind\",\"source\":\"/var/lib/kubelet/"
			 "pods/%s/volumes/kubernetes.io~projected/%s\",\"options\":[\"rbind\","
			 "\"rprivate\",\"ro\"]}",
			 v->mountpoint, p->uid, v->name);
	}
	if (sandbox)
		snprintf(js, sizeof(js),
			 "{\"ociVersion\":\"1.1.0\",\"process\":{\"args\":[\"/pause\"],\"env\":["
			 "\"PATH=/usr/bin\"]},\"mounts\":[{\"destination\":\"/proc\",\"type\":"
			 "\"proc\",\"source\":\"proc\"}],\"annotations\":{"
			 "\"io.kubernetes.cri.container-type\":\"sandbox\","
			 "\"io.kubernetes.cri.sandbox-id\":\"%s\","
			 "\"io.kubernetes.cri.sandbox-name\":\"%s\","
			 "\"io.kubernetes.cri.sandbox-namespace\":\"%s\","
			 "\"io.kubernetes.cri.sandbox-uid\":\"%s\"},"
			 "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"}%s]}}",
			 c->id, p->name, p->ns, p->uid,
			 p->hostnet ? "" : ",{\"type\":\"network\",\"path\":\"/var/run/netns/x\"}");
	else
		snprintf(js, sizeof(js),
			 "{\"ociVersion\":\"1.1.0\",\"process\":{\"args\":[\"/bin/sh\"],\"env\":["
			 "\"PATH=/usr/bin\"%s]},\"mounts\":[{\"destination\":\"/proc\",\"type\":"
			 "\"proc\",\"source\":\"proc\"}%s],\"annotations\":{"
			 "\"io.kubernetes.cri.container-name\":\"%s\","
			 "\"io.kubernetes.cri.container-type\":\"container\","
			 "\"io.kubernetes.cri.image-name\":\"%s\","
			 "\"io.kubernetes.cri.sandbox-id\":\"%s\","
			 "\"io.kubernetes.cri.sandbox-name\":\"%s\","
			 "\"io.kubernetes.cri.sandbox-namespace\":\"%s\","
			 "\"io.kubernetes.cri.sandbox-uid\":\"%s\"},"
			 "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"}%s]}}",
			 env, mounts, c->name, c->image, p->ctr[0].id, p->name, p->ns, p->uid,
			 p->hostnet ? ""
				    : ",{\"type\":\"network\",\"path\":\"/proc/1234/ns/net\"}");
	snprintf(path, sizeof(path), "%s/config.json", dir);
	write_file(path, js);
}

void golden_cgroup_path(const struct gpod *p, const struct gctr *c, char *out, size_t cap)
{
	char uidu[40];

	snprintf(uidu, sizeof(uidu), "%s", p->uid);
	for (char *s = uidu; *s; s++)
		if (*s == '-')
			*s = '_';
	snprintf(out, cap,
		 "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod%s.slice/"
		 "cri-containerd-%s.scope",
		 uidu, c->id);
}

static void pod(struct gpod *p)
{
	char path[1024], cg[600];

	snprintf(path, sizeof(path), "%s/var/log/pods/%s_%s_%s", root, p->ns, p->name, p->uid);
	mkdir_p(path);
	for (int i = 0; i < GOLDEN_MAXVOL && p->vol[i].name; i++)
		volume(p, &p->vol[i]);
	for (int i = 0; i < GOLDEN_MAXCTR && p->ctr[i].id; i++) {
		container_spec(p, &p->ctr[i]);
		golden_cgroup_path(p, &p->ctr[i], cg, sizeof(cg));
		snprintf(path, sizeof(path), "%s%s", cgmnt, cg);
		mkdir_p(path);
	}
}

static int runtime_sock = -1;

static void node(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char path[1024];
	struct stat st;

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		die("private mount namespace");
	snprintf(base, sizeof(base), "/tmp/cw-golden-XXXXXX");
	if (!mkdtemp(base))
		die("mkdtemp");
	/* everything below base lives and dies with this mount namespace */
	if (mount("golden", base, "tmpfs", 0, "size=16m,mode=0755"))
		die(base);
	snprintf(root, sizeof(root), "%s/root", base);
	snprintf(cgmnt, sizeof(cgmnt), "%s/cgroup", base);
	snprintf(procroot, sizeof(procroot), "%s/proc", base);
	mkdir_p(root);
	mkdir_p(cgmnt);
	mkdir_p(procroot); /* empty: nothing is described from /proc */
	for (int i = 0; golden_pods[i].uid; i++)
		pod(&golden_pods[i]);
	/* the host's kubelet binary: a host_exe entry resolves to its inode */
	snprintf(path, sizeof(path), "%s/usr/bin", root);
	mkdir_p(path);
	snprintf(path, sizeof(path), "%s/usr/bin/kubelet", root);
	{
		FILE *f = fopen(path, "w");

		if (!f || fputs("#!/bin/false\n", f) < 0 || fclose(f))
			die(path);
	}
	/* the container runtime's socket, bound for real: watched by (dev, ino) */
	snprintf(path, sizeof(path), "%s/run/containerd", root);
	mkdir_p(path);
	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path),
			     "%.80s/run/containerd/containerd.sock", root) >= sizeof(sa.sun_path))
		die("socket path too long");
	runtime_sock = socket(AF_UNIX, SOCK_STREAM, 0);
	if (runtime_sock < 0 || bind(runtime_sock, (struct sockaddr *)&sa, sizeof(sa)) ||
	    stat(sa.sun_path, &st))
		die("runtime socket");
	golden_sock_dev = (uint32_t)(major(st.st_dev) << 20 | minor(st.st_dev));
	golden_sock_ino = st.st_ino;
	fprintf(subst, "\"dev\":\"%u:%u\" \"dev\":\"<dev:run>\"\n", major(st.st_dev),
		minor(st.st_dev));
}

static void cleanup(void)
{
	if (runtime_sock >= 0)
		close(runtime_sock);
	/* the private mount namespace goes with the process; the directory does not */
	if (base[0]) {
		umount2(base, MNT_DETACH);
		rmdir(base);
	}
}

/* ---------------------------------------------------------------------------------------- */
/* BPF maps: the process table and the watched sockets, as the loader would create them */

static int procs_fd, socks_fd;

static void maps(void)
{
	procs_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "golden_procs", sizeof(uint32_t),
				  sizeof(struct cw_proc), 1024, NULL);
	socks_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "golden_socks", sizeof(struct cw_sock_key),
				  sizeof(struct cw_sock_val), 256, NULL);
	if (procs_fd < 0 || socks_fd < 0)
		die("bpf_map_create (run as root)");
	for (int i = 0; golden_procs[i].pid; i++) {
		const struct gproc *gp = &golden_procs[i];
		struct cw_proc r = { 0 };

		if (!gp->in_map)
			continue;
		r.start_ns = gp->start_ns;
		r.exec_id = gp->exec_id;
		r.ppid = gp->ppid;
		r.flags = gp->flags;
		snprintf((char *)r.comm, sizeof(r.comm), "%s", gp->comm);
		r.exe_len = gp->exe_len ? gp->exe_len : strlen(gp->exe);
		memcpy(r.exe, gp->exe, r.exe_len);
		r.args_len = gp->args_len;
		memcpy(r.args, gp->args, gp->args_len);
		r.origin_cgid = gp->origin_cgid;
		if (gp->host_file) {
			/* the executable on the fixture's host root: what host_exe resolves to */
			char path[1024];
			struct stat st;

			snprintf(path, sizeof(path), "%s%s", root, gp->exe);
			if (stat(path, &st))
				die(path);
			r.exe_dev = (uint32_t)(major(st.st_dev) << 20 | minor(st.st_dev));
			r.exe_ino = st.st_ino;
		}
		if (bpf_map_update_elem(procs_fd, &gp->pid, &r, BPF_ANY))
			die("procs map");
	}
}

int main(int argc, char **argv)
{
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: replay SUBST_FILE\n");
		return 2;
	}
	subst = fopen(argv[1], "w");
	if (!subst)
		die(argv[1]);
	atexit(cleanup);
	golden_init();
	node();
	maps();
	fflush(subst);
	rc = golden_run(root, cgmnt, procroot, procs_fd, socks_fd);
	fclose(subst);
	return rc;
}
