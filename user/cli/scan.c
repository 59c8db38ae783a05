// SPDX-License-Identifier: GPL-2.0
/*
 * credwatch scan: who on this node is touching AWS credentials right now, and who could, from
 * the node's state alone (no BPF, so it also works where loading programs is not allowed).
 *
 * Sources, through the agent's own enrich modules:
 *   containers     every container's OCI spec (ocispec.c: pod, names, image, the credential
 *                  environment - variable names only for keys - and its host bind mounts),
 *                  containerd's and CRI-O's, below --host-root (safefile.c)
 *   pods           those specs, var/lib/kubelet/pods/<uid>, names from var/log/pods
 *   token volumes  var/lib/kubelet/pods/<uid>/volumes/kubernetes.io~projected/<vol>: each its
 *                  own tmpfs; claims through attrib_file_owner + attrib_token (attrib.c, which
 *                  reads a token into a scrubbed buffer and keeps only its claims, jwt.c)
 *   processes      /proc/<pid>/cgroup (cgroup_parse.c: pod and container), /proc/<pid>/fd:
 *                  credential files open now (by device: the pod a token belongs to), and the
 *                  sockets each process holds
 *   connections    /proc/<pid>/net/tcp{,6} of one process per network namespace: established
 *                  connections to the credential endpoints (config.c's table), each tied to
 *                  the process holding its socket
 * Each item found is judged with a severity and a one-line reason when it is risky, using
 * the agent's policy (judge/policy.c: the shipped allowlists, or --config's).
 *
 * Output: a table (default) or one JSON document (schema credwatch/scan/v1,
 * tests/schema/scan.schema.json). Every string from the node is escaped (render/human.c for
 * the terminal, util/jsonw.c for JSON) and bounded. No token, key or credential value is read
 * into this file's memory: static keys are variable names (ocispec records presence bits),
 * tokens are claims.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"
#include "config.h"
#include "enrich/attrib.h"
#include "enrich/cgroup_parse.h"
#include "enrich/cgroups.h"
#include "enrich/filekind.h"
#include "enrich/ocispec.h"
#include "judge/policy.h"
#include "render/human.h"
#include "util/clock.h"
#include "util/jsonw.h"
#include "util/safefile.h"
#include "util/textutil.h"

#define SCAN_SCHEMA	 "credwatch/scan/v1"
#define MAX_PODS	 4096
#define MAX_CTRS	 16384
#define MAX_ITEMS	 16384 /* per section */
#define MAX_PROCS	 65536
#define MAX_SOCKS	 262144
#define MAX_FDS		 65536 /* looked at per process */
#define MAX_BINDS	 64    /* host bind mounts looked at per container */
#define MAX_ENTRIES	 65536 /* directory entries looked at */

#define CONTAINERD_TASKS "run/containerd/io.containerd.runtime.v2.task/k8s.io"
#define CRIO_CONTAINERS	 "var/lib/containers/storage/overlay-containers"
#define KUBELET_PODS	 "var/lib/kubelet/pods"
#define PROJECTED	 "volumes/kubernetes.io~projected"

struct risk {
	const char *rule; /* NULL: not risky */
	int sev;	  /* enum cw_severity */
	char reason[400];
};

struct pod {
	char uid[ATTRIB_UID_BUF];
	char ns[ATTRIB_NS_BUF], name[ATTRIB_NAME_BUF], sa[ATTRIB_NAME_BUF];
	char role_arn[OCI_ARN_BUF];
	int host_network; /* 1, 0, -1 unknown */
	unsigned int cred;
	bool from_spec;
	bool listed; /* from a spec or the kubelet's pod directory (not only a process's cgroup) */
};

struct ctr {
	int pod;
	char id[OCI_ID_BUF], name[OCI_NAME_BUF], image[OCI_IMAGE_BUF];
	char role_arn[OCI_ARN_BUF];
	const char *runtime;
	bool sandbox;
	unsigned int cred, secret_env;
};

struct mountitem {
	int ctr;
	struct oci_host_mount m;
	const char *gives;
	struct risk r;
};

struct tokenitem {
	int pod;
	char volume[ATTRIB_LABEL_BUF], file[64];
	bool read; /* the claims were read */
	int err;
	struct attrib_token t;
	struct risk r;
};

struct proc {
	uint32_t pid;
	bool host, known; /* known: its cgroup was read */
	int pod;	  /* -1: none known */
	char container[OCI_NAME_BUF];
	char exe[512], comm[32];
	uint64_t netns;
};

struct openitem {
	int proc;
	int fd;
	char path[1024];
	enum file_kind kind;
	struct attrib_owner owner;
	int owner_pod; /* index, -1 unknown */
	struct risk r;
};

struct connitem {
	int proc; /* -1: no process holds the socket */
	uint64_t netns, ino;
	int ep; /* config endpoint index */
	char local[64];
	struct risk r;
};

struct simpleitem { /* static keys (ctr), hostNetwork pods (pod), associations (pod) */
	int idx;
	const char *mode;
	char missing[512]; /* associations: containers without the configuration */
	struct risk r;
};

struct scan {
	struct config cfg;
	const char *host_root;
	int rootfd;
	struct attrib *attrib;
	char node[256], cluster[256];
	int64_t now_real;
	bool root_user;
	struct pod *pods;
	int npods;
	struct ctr *ctrs;
	int nctrs;
	struct mountitem *mounts;
	int nmounts;
	struct tokenitem *tokens;
	int ntokens;
	struct proc *procs;
	int nprocs;
	struct openitem *opens;
	int nopens;
	struct connitem *conns;
	int nconns;
	struct simpleitem *statics, *hostnets, *assocs;
	int nstatics, nhostnets, nassocs;
	struct {
		uint64_t ino;
		int proc;
	} * socks;
	int nsocks;
	/* what could not be looked at */
	uint64_t spec_errors, proc_denied, claims_unread, truncated;
};

/* ---------------------------------------------------------------------------------------- */
/* small helpers */

static bool uid_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 32 || n > 36)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			if (s[i] != '-')
				return false;
	return true;
}

static bool hex64_ok(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return s[i] == 0;
}

static bool dns_ok(const char *s, size_t n, bool dots)
{
	if (!n || n > 253)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-' ||
		      (dots && s[i] == '.')))
			return false;
	return true;
}

static void cpy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

__attribute__((format(printf, 4, 5))) static void set_risk(struct risk *r, const char *rule,
							   int sev, const char *fmt, ...)
{
	va_list ap;

	r->rule = rule;
	r->sev = sev;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

static int pod_find(struct scan *s, const char *uid)
{
	for (int i = 0; i < s->npods; i++)
		if (!strcmp(s->pods[i].uid, uid))
			return i;
	return -1;
}

static int pod_add(struct scan *s, const char *uid)
{
	int i = pod_find(s, uid);

	if (i >= 0 || !uid_ok(uid))
		return i;
	if (s->npods >= MAX_PODS) {
		s->truncated++;
		return -1;
	}
	i = s->npods++;
	memset(&s->pods[i], 0, sizeof(s->pods[i]));
	cpy(s->pods[i].uid, sizeof(s->pods[i].uid), uid);
	s->pods[i].host_network = -1;
	return i;
}

/* an escaped, bounded copy of an untrusted string, for a table cell or a reason */
static const char *esc(const char *s, size_t max)
{
	static char bufs[8][2048];
	static int k;
	char *b = bufs[k++ % 8];

	human_escape(b, sizeof(bufs[0]), s ? s : "", s ? strlen(s) : 0, max);
	return b;
}

static const char *pod_label(const struct scan *s, int i)
{
	static char bufs[4][512];
	static int k;
	char *b;

	if (i < 0)
		return "-";
	b = bufs[k++ % 4];
	if (s->pods[i].ns[0] || s->pods[i].name[0])
		snprintf(b, sizeof(bufs[0]), "%s/%s", esc(s->pods[i].ns, 63),
			 esc(s->pods[i].name, 253));
	else
		snprintf(b, sizeof(bufs[0]), "pod:%s", esc(s->pods[i].uid, 64));
	return b;
}

static struct cw_subject subject_of(const struct scan *s, int pod, const char *image,
				    const char *container)
{
	struct cw_subject sub = { 0 };

	if (pod >= 0) {
		sub.pod_uid = s->pods[pod].uid;
		sub.pod_namespace = s->pods[pod].ns;
		sub.pod_name = s->pods[pod].name;
		sub.service_account = s->pods[pod].sa;
		sub.pod_cred = s->pods[pod].cred;
	}
	sub.image = image;
	sub.container = container;
	return sub;
}

/* ---------------------------------------------------------------------------------------- */
/* containers and pods */

static void read_spec(struct scan *s, const char *dir, const char *id, const char *runtime,
		      struct oci_info *o, struct oci_host_mount *binds)
{
	char rel[512], *buf = NULL;
	unsigned int nb = 0;
	bool cut = false;
	size_t len = 0;
	struct ctr *c;
	int rc, p;

	snprintf(rel, sizeof(rel), "%s/%s/config.json", dir, id);
	rc = safefile_read(s->rootfd, rel, OCI_MAX_INPUT, &buf, &len);
	if (rc) {
		if (rc != -ENOENT)
			s->spec_errors++;
		return;
	}
	rc = oci_parse(buf, len, o);
	if (!rc)
		rc = oci_host_mounts(buf, len, binds, MAX_BINDS, &nb, &cut);
	/* the spec holds the container's environment: secret values too */
	explicit_bzero(buf, len);
	free(buf);
	if (rc) {
		s->spec_errors++;
		return;
	}
	if (cut || o->truncated)
		s->truncated++;
	if (!o->pod_uid[0] && o->n_mounts)
		cpy(o->pod_uid, sizeof(o->pod_uid), o->mounts[0].pod_uid);
	if (o->flavour == OCI_FLAVOUR_UNKNOWN || !uid_ok(o->pod_uid))
		return; /* not a Kubernetes container */
	p = pod_add(s, o->pod_uid);
	if (p < 0 || s->nctrs >= MAX_CTRS) {
		s->truncated++;
		return;
	}
	s->pods[p].from_spec = s->pods[p].listed = true;
	if (!s->pods[p].ns[0] && dns_ok(o->pod_namespace, strlen(o->pod_namespace), false)) {
		cpy(s->pods[p].ns, sizeof(s->pods[p].ns), o->pod_namespace);
		cpy(s->pods[p].name, sizeof(s->pods[p].name), o->pod_name);
	}
	c = &s->ctrs[s->nctrs++];
	memset(c, 0, sizeof(*c));
	c->pod = p;
	cpy(c->id, sizeof(c->id), id);
	cpy(c->name, sizeof(c->name), o->container_name);
	cpy(c->image, sizeof(c->image), o->image);
	c->runtime = runtime;
	c->sandbox = o->ctype == OCI_CTYPE_SANDBOX;
	if (c->sandbox) {
		/* the sandbox spec has no network namespace on a hostNetwork pod */
		s->pods[p].host_network = o->host_network;
	} else {
		c->cred = o->cred;
		c->secret_env = o->secret_env;
		if (o->cred & OCI_CRED_IRSA)
			cpy(c->role_arn, sizeof(c->role_arn), o->role_arn);
		if (s->pods[p].host_network < 0 && o->host_network)
			s->pods[p].host_network = 1;
	}
	for (unsigned int i = 0; i < nb && s->nmounts < MAX_ITEMS; i++) {
		struct mountitem *m = &s->mounts[s->nmounts];

		memset(m, 0, sizeof(*m));
		m->ctr = s->nctrs - 1;
		m->m = binds[i];
		s->nmounts++;
	}
}

static void scan_specs(struct scan *s, const char *dir, const char *runtime)
{
	static struct oci_info o;
	static struct oci_host_mount binds[MAX_BINDS];
	struct dirent *de;
	unsigned int n = 0;
	DIR *d;

	if (safefile_opendir(s->rootfd, dir, 0, &d))
		return;
	while ((de = readdir(d)) && n++ < MAX_ENTRIES)
		if (hex64_ok(de->d_name))
			read_spec(s, dir, de->d_name, runtime, &o, binds);
	closedir(d);
}

static void scan_kubelet_pods(struct scan *s)
{
	struct dirent *de;
	unsigned int n = 0;
	DIR *d;

	if (safefile_opendir(s->rootfd, KUBELET_PODS, 0, &d))
		return;
	while ((de = readdir(d)) && n++ < MAX_ENTRIES)
		if (uid_ok(de->d_name)) {
			int p = pod_add(s, de->d_name);

			if (p >= 0)
				s->pods[p].listed = true;
		}
	closedir(d);
}

/* names of pods without a spec, from var/log/pods/<ns>_<name>_<uid> */
static void scan_logs(struct scan *s)
{
	struct dirent *de;
	unsigned int n = 0;
	DIR *d;

	if (safefile_opendir(s->rootfd, "var/log/pods", 0, &d))
		return;
	while ((de = readdir(d)) && n++ < MAX_ENTRIES) {
		const char *a = strchr(de->d_name, '_'), *b = a ? strchr(a + 1, '_') : NULL;
		int p;

		if (!b || strchr(b + 1, '_') ||
		    !dns_ok(de->d_name, (size_t)(a - de->d_name), false) ||
		    !dns_ok(a + 1, (size_t)(b - a - 1), true))
			continue;
		p = pod_find(s, b + 1);
		if (p < 0 || s->pods[p].ns[0])
			continue;
		snprintf(s->pods[p].ns, sizeof(s->pods[p].ns), "%.*s", (int)(a - de->d_name),
			 de->d_name);
		snprintf(s->pods[p].name, sizeof(s->pods[p].name), "%.*s", (int)(b - a - 1), a + 1);
	}
	closedir(d);
}

/* the pods' credential configuration: the union over their application containers */
static void pod_creds(struct scan *s)
{
	for (int i = 0; i < s->nctrs; i++) {
		struct ctr *c = &s->ctrs[i];
		struct pod *p = &s->pods[c->pod];

		if (c->sandbox)
			continue;
		if (c->cred & OCI_CRED_POD_IDENTITY)
			p->cred |= ATTRIB_CRED_POD_IDENTITY;
		if (c->cred & OCI_CRED_IRSA) {
			p->cred |= ATTRIB_CRED_IRSA;
			if (!p->role_arn[0])
				cpy(p->role_arn, sizeof(p->role_arn), c->role_arn);
		}
		if (c->cred & OCI_CRED_STATIC_KEYS)
			p->cred |= ATTRIB_CRED_STATIC_KEYS;
		if (c->cred & OCI_CRED_ECS_RELATIVE)
			p->cred |= ATTRIB_CRED_CONTAINER_CREDENTIALS;
	}
	for (int i = 0; i < s->npods; i++)
		if (!s->pods[i].cred && s->pods[i].from_spec)
			s->pods[i].cred = ATTRIB_CRED_NODE_ROLE;
}

/* ---------------------------------------------------------------------------------------- */
/* token volumes */

static void scan_volume(struct scan *s, int p, const char *vol, uint64_t now)
{
	static const char *const leaves[] = { "token", "eks-pod-identity-token" };
	char rel[1024];
	struct stat st, pst;
	DIR *d;
	int dfd;

	snprintf(rel, sizeof(rel), KUBELET_PODS "/%s/" PROJECTED "/%s", s->pods[p].uid, vol);
	if (safefile_opendir(s->rootfd, rel, 0, &d))
		return;
	dfd = dirfd(d);
	for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		struct tokenitem *t;
		struct attrib_owner own;
		char path[1200];
		uint32_t kdev;

		if (fstatat(dfd, leaves[i], &st, AT_SYMLINK_NOFOLLOW) || s->ntokens >= MAX_ITEMS)
			continue;
		t = &s->tokens[s->ntokens++];
		memset(t, 0, sizeof(*t));
		t->pod = p;
		cpy(t->volume, sizeof(t->volume), vol);
		cpy(t->file, sizeof(t->file), leaves[i]);
		/* only a volume that is its own tmpfs (as the kubelet makes them) is tied to
		 * its pod by its device: its parent directory is on another device */
		if (fstat(dfd, &st) || fstatat(dfd, "..", &pst, 0) || st.st_dev == pst.st_dev) {
			t->err = -EXDEV;
			s->claims_unread++;
			continue;
		}
		kdev = (uint32_t)(major(st.st_dev) << 20 | (minor(st.st_dev) & 0xfffff));
		snprintf(path, sizeof(path), "%s/%s", rel, leaves[i]);
		if (attrib_file_owner(s->attrib, kdev, path, strlen(path), now, &own) ||
		    strcmp(own.pod_uid, s->pods[p].uid) != 0) {
			t->err = -ENOENT;
			s->claims_unread++;
			continue;
		}
		t->err = attrib_token(s->attrib, kdev, 0, leaves[i], now, &t->t);
		t->read = t->err == 0;
		if (!t->read) {
			s->claims_unread++;
			continue;
		}
		if (t->t.pod_uid[0] && strcmp(t->t.pod_uid, s->pods[p].uid) != 0)
			set_risk(&t->r, "token_of_another_pod", SEV_HIGH,
				 "the token in this pod's volume names pod %s/%s (%s)",
				 esc(t->t.pod_namespace, 63), esc(t->t.pod_name, 253),
				 esc(t->t.pod_uid, 64));
		/* the pod's service account: the API token's, else any token's */
		if (t->t.service_account[0] &&
		    (!s->pods[p].sa[0] || !strncmp(vol, "kube-api-access-", 16)))
			cpy(s->pods[p].sa, sizeof(s->pods[p].sa), t->t.service_account);
		if (!s->pods[p].ns[0] && t->t.pod_namespace[0] && !t->r.rule) {
			cpy(s->pods[p].ns, sizeof(s->pods[p].ns), t->t.pod_namespace);
			cpy(s->pods[p].name, sizeof(s->pods[p].name), t->t.pod_name);
		}
	}
	closedir(d);
}

static void scan_tokens(struct scan *s, uint64_t now)
{
	for (int p = 0; p < s->npods; p++) {
		char rel[512];
		struct dirent *de;
		unsigned int n = 0;
		DIR *d;

		snprintf(rel, sizeof(rel), KUBELET_PODS "/%s/" PROJECTED, s->pods[p].uid);
		if (safefile_opendir(s->rootfd, rel, 0, &d))
			continue;
		while ((de = readdir(d)) && n++ < MAX_ENTRIES)
			if (dns_ok(de->d_name, strlen(de->d_name), true) && de->d_name[0] != '.')
				scan_volume(s, p, de->d_name, now);
		closedir(d);
	}
}

/* ---------------------------------------------------------------------------------------- */
/* processes, open files, sockets */

static ssize_t read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return n;
}

static void proc_cgroup(struct scan *s, struct proc *pr)
{
	char path[64], buf[8192], *line, *sp = NULL;
	struct cg_info ci;

	snprintf(path, sizeof(path), "/proc/%u/cgroup", pr->pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return;
	for (line = strtok_r(buf, "\n", &sp); line; line = strtok_r(NULL, "\n", &sp)) {
		if (strncmp(line, "0::", 3) != 0)
			continue;
		pr->known = true;
		cg_parse(line + 3, &ci);
		if (ci.cls == CG_CLASS_HOST) {
			pr->host = true;
		} else if (ci.pod_uid[0]) {
			pr->pod = pod_find(s, ci.pod_uid);
			if (pr->pod < 0)
				pr->pod = pod_add(s, ci.pod_uid);
			for (int i = 0; ci.container_id[0] && i < s->nctrs; i++)
				if (!strcmp(s->ctrs[i].id, ci.container_id))
					cpy(pr->container, sizeof(pr->container), s->ctrs[i].name);
		}
		break;
	}
}

/* a credential file a process holds, by what its path says (tokens are found by device) */
static enum file_kind path_kind(const char *p)
{
	size_t n = strlen(p);
	enum file_kind k = filekind_classify(CW_FR_PATH_HINT, p, n, p, n);
	const char *base = strrchr(p, '/');

	if (k != FK_NONE && !file_kind_is_token(k))
		return k;
	if (strstr(p, "/.aws/sso/cache/"))
		return FK_AWS_SSO_CACHE;
	if (strstr(p, "/.aws/cli/cache/"))
		return FK_AWS_CLI_CACHE;
	if (base && ((strstr(p, "kubelet/pki/") && !strncmp(base, "/kubelet-", 9) && n > 4 &&
		      !strcmp(p + n - 4, ".pem")) ||
		     (strstr(p, "kubernetes/pki/") && n > 4 && !strcmp(p + n - 4, ".key"))))
		return FK_KUBELET_CREDENTIALS;
	return FK_NONE;
}

static enum file_kind volume_token_kind(const char *vol, const char *leaf)
{
	if (!strcmp(leaf, "ca.crt") || !strcmp(leaf, "namespace") || leaf[0] == '.')
		return FK_NONE;
	if (!strcmp(vol, "eks-pod-identity-token") || !strcmp(leaf, "eks-pod-identity-token"))
		return FK_POD_IDENTITY_TOKEN;
	if (!strcmp(vol, "aws-iam-token"))
		return FK_IRSA_TOKEN;
	return !strcmp(leaf, "token") ? FK_SA_TOKEN : FK_NONE;
}

static void proc_fds(struct scan *s, int pi, uint64_t now)
{
	struct proc *pr = &s->procs[pi];
	char dir[64];
	struct dirent *de;
	unsigned int n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%u/fd", pr->pid);
	d = opendir(dir);
	if (!d) {
		if (errno == EACCES || errno == EPERM)
			s->proc_denied++;
		return;
	}
	while ((de = readdir(d)) && n++ < MAX_FDS) {
		char link[1024], fdpath[360];
		const char *leaf;
		struct attrib_owner own;
		enum file_kind k = FK_NONE;
		struct stat st;
		ssize_t ln;
		uint32_t kdev;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(fdpath, sizeof(fdpath), "%s/%s", dir, de->d_name);
		ln = readlinkat(dirfd(d), de->d_name, link, sizeof(link) - 1);
		if (ln <= 0)
			continue;
		link[ln] = 0;
		if (!strncmp(link, "socket:[", 8)) {
			if (s->nsocks < MAX_SOCKS) {
				s->socks[s->nsocks].ino = strtoull(link + 8, NULL, 10);
				s->socks[s->nsocks].proc = pi;
				s->nsocks++;
			}
			continue;
		}
		if (stat(fdpath, &st) || !S_ISREG(st.st_mode))
			continue;
		kdev = (uint32_t)(major(st.st_dev) << 20 | (minor(st.st_dev) & 0xfffff));
		leaf = strrchr(link, '/');
		leaf = leaf ? leaf + 1 : link;
		/* a file on a projected volume's tmpfs: the device says whose */
		if (!attrib_file_owner(s->attrib, kdev, NULL, 0, now, &own) && own.verified)
			k = volume_token_kind(own.volume, leaf);
		else
			memset(&own, 0, sizeof(own));
		if (k == FK_NONE)
			k = path_kind(link);
		if (k == FK_NONE || s->nopens >= MAX_ITEMS)
			continue;
		{
			struct openitem *o = &s->opens[s->nopens++];

			memset(o, 0, sizeof(*o));
			o->proc = pi;
			o->fd = atoi(de->d_name);
			cpy(o->path, sizeof(o->path), link);
			o->kind = k;
			o->owner = own;
			o->owner_pod = own.found ? pod_find(s, own.pod_uid) : -1;
		}
	}
	closedir(d);
}

static void scan_procs(struct scan *s, uint64_t now)
{
	struct dirent *de;
	DIR *d = opendir("/proc");
	pid_t self = getpid();

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[64];
		struct proc *pr;
		struct stat st;
		ssize_t n;

		if (!isdigit((unsigned char)de->d_name[0]) || atoi(de->d_name) == self)
			continue;
		if (s->nprocs >= MAX_PROCS) {
			s->truncated++;
			break;
		}
		pr = &s->procs[s->nprocs];
		memset(pr, 0, sizeof(*pr));
		pr->pid = (uint32_t)atoi(de->d_name);
		pr->pod = -1;
		snprintf(path, sizeof(path), "/proc/%u/ns/net", pr->pid);
		if (stat(path, &st))
			continue; /* gone, or a kernel thread we may not look at */
		pr->netns = st.st_ino;
		snprintf(path, sizeof(path), "/proc/%u/exe", pr->pid);
		n = readlink(path, pr->exe, sizeof(pr->exe) - 1);
		pr->exe[n > 0 ? n : 0] = 0;
		snprintf(path, sizeof(path), "/proc/%u/comm", pr->pid);
		if (read_small(path, pr->comm, sizeof(pr->comm)) > 0)
			pr->comm[strcspn(pr->comm, "\n")] = 0;
		proc_cgroup(s, pr);
		s->nprocs++;
		proc_fds(s, s->nprocs - 1, now);
	}
	closedir(d);
}

/* ---------------------------------------------------------------------------------------- */
/* connections */

static int find_endpoint(const struct scan *s, const uint8_t addr[16], uint16_t port)
{
	for (int i = 0; i < s->cfg.nendpoints; i++)
		if (s->cfg.endpoints[i].port == port && !memcmp(s->cfg.endpoints[i].addr, addr, 16))
			return i;
	return -1;
}

/* "0100007F:0050" (IPv4, host order words) or 32 hex digits (IPv6, 4 host-order words) */
static bool parse_addr(const char *s, bool v6, uint8_t out[16], uint16_t *port)
{
	const char *colon = strchr(s, ':');
	unsigned int w[4];

	memset(out, 0, 16);
	if (!colon)
		return false;
	if (!v6) {
		if (colon - s != 8 || sscanf(s, "%8x", &w[0]) != 1)
			return false;
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &w[0], 4);
	} else {
		if (colon - s != 32 || sscanf(s, "%8x%8x%8x%8x", &w[0], &w[1], &w[2], &w[3]) != 4)
			return false;
		memcpy(out, w, 16);
	}
	*port = (uint16_t)strtoul(colon + 1, NULL, 16);
	return true;
}

static int sock_owner(const struct scan *s, uint64_t ino)
{
	for (int i = 0; i < s->nsocks; i++)
		if (s->socks[i].ino == ino)
			return s->socks[i].proc;
	return -1;
}

static void read_tcp(struct scan *s, uint32_t pid, uint64_t netns, bool v6)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/net/tcp%s", pid, v6 ? "6" : "");
	f = fopen(path, "re");
	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		char loc[64], rem[64];
		unsigned int st;
		unsigned long long ino;
		uint8_t la[16], ra[16];
		uint16_t lp, rp;
		int ep;
		struct connitem *c;

		/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
		if (sscanf(line, " %*d: %63s %63s %x %*s %*s %*s %*u %*u %llu", loc, rem, &st,
			   &ino) != 4 ||
		    st != 1 /* TCP_ESTABLISHED */)
			continue;
		if (!parse_addr(loc, v6, la, &lp) || !parse_addr(rem, v6, ra, &rp))
			continue;
		ep = find_endpoint(s, ra, rp);
		if (ep < 0 || s->nconns >= MAX_ITEMS)
			continue;
		c = &s->conns[s->nconns++];
		memset(c, 0, sizeof(*c));
		c->netns = netns;
		c->ino = ino;
		c->ep = ep;
		c->proc = sock_owner(s, ino);
		{
			char a[64];

			config_format_addr(la, a, sizeof(a));
			snprintf(c->local, sizeof(c->local), strchr(a, ':') ? "[%s]:%u" : "%s:%u",
				 a, lp);
		}
	}
	free(line);
	fclose(f);
}

static void scan_conns(struct scan *s)
{
	for (int i = 0; i < s->nprocs; i++) {
		bool seen = false;

		for (int j = 0; j < i && !seen; j++)
			seen = s->procs[j].netns == s->procs[i].netns;
		if (seen)
			continue;
		read_tcp(s, s->procs[i].pid, s->procs[i].netns, false);
		read_tcp(s, s->procs[i].pid, s->procs[i].netns, true);
	}
}

/* ---------------------------------------------------------------------------------------- */
/* judging */

static const char *cred_list(unsigned int bits, char *buf, size_t cap)
{
	size_t len = 0;

	buf[0] = 0;
	for (unsigned int b = 1; b && b <= ATTRIB_CRED_NODE_ROLE; b <<= 1)
		if ((bits & b) && attrib_cred_str(b))
			len += (size_t)snprintf(buf + len, len < cap ? cap - len : 0, "%s%s",
						len ? "," : "", attrib_cred_str(b));
	return buf[0] ? buf : "-";
}

static const char *secret_list(unsigned int bits, char *buf, size_t cap)
{
	size_t len = 0;

	buf[0] = 0;
	for (unsigned int b = 1; b < (1u << OCI_SECRET_COUNT); b <<= 1)
		if ((bits & b) && oci_secret_env_name(b))
			len += (size_t)snprintf(buf + len, len < cap ? cap - len : 0, "%s%s",
						len ? ", " : "", oci_secret_env_name(b));
	return buf;
}

/* a is an ancestor of (or equal to) b, both absolute, component-wise */
static bool path_covers(const char *a, const char *b)
{
	size_t n = strlen(a);

	while (n > 1 && a[n - 1] == '/')
		n--;
	if (n == 1 && a[0] == '/')
		return true;
	return !strncmp(a, b, n) && (b[n] == 0 || b[n] == '/');
}

/* the socket path before its first glob character, and whether it had one */
static void socket_base(const char *p, char *out, size_t cap)
{
	size_t n = strcspn(p, "*?[");

	if (p[n]) /* cut back to the last whole component */
		while (n && p[n - 1] != '/')
			n--;
	snprintf(out, cap, "%.*s", (int)n, p);
}

static void judge_mount(struct scan *s, struct mountitem *m)
{
	const struct ctr *c = &s->ctrs[m->ctr];
	const char *src = m->m.source;
	char own[256];
	struct cw_subject sub = subject_of(s, c->pod, c->image, c->name);

	snprintf(own, sizeof(own), "/var/lib/kubelet/pods/%s", s->pods[c->pod].uid);
	if (!strcmp(src, "/") || strspn(src, "/") == strlen(src)) {
		m->gives = "host_root";
		set_risk(&m->r, "host_path_root", SEV_CRITICAL,
			 "hostPath / mounted at %s: the node's whole filesystem (every pod's "
			 "tokens, the kubelet's credentials, the runtime socket)",
			 esc(m->m.destination, 200));
		return;
	}
	for (int i = 0; i < s->cfg.sockets.n; i++) {
		char base[256];
		bool runtime = s->cfg.sockets.cfg[i].kind == SOCK_KIND_CONTAINER_RUNTIME;

		socket_base(s->cfg.sockets.cfg[i].path, base, sizeof(base));
		if (!base[0] || !path_covers(src, base))
			continue;
		m->gives = runtime ? "container_runtime_socket" : "credential_socket";
		if (policy_allowed(&s->cfg.policy, RULE_CREDENTIAL_SOCKET_ACCESS, &sub))
			set_risk(&m->r, "host_path_credential_socket", SEV_LOW,
				 "hostPath %s gives %s (%s); the policy allows this pod",
				 esc(src, 200), esc(s->cfg.sockets.cfg[i].path, 200),
				 socket_kind_name(s->cfg.sockets.cfg[i].kind));
		else if (runtime)
			set_risk(&m->r, "host_path_runtime_socket", SEV_CRITICAL,
				 "hostPath %s gives the container runtime socket %s: exec into any "
				 "container, read every container's environment",
				 esc(src, 200), esc(s->cfg.sockets.cfg[i].path, 200));
		else
			set_risk(&m->r, "host_path_credential_socket", SEV_HIGH,
				 "hostPath %s gives the credential socket %s (%s)", esc(src, 200),
				 esc(s->cfg.sockets.cfg[i].path, 200),
				 socket_kind_name(s->cfg.sockets.cfg[i].kind));
		return;
	}
	if (path_covers(src, "/var/lib/kubelet") ||
	    (path_covers("/var/lib/kubelet", src) && !path_covers(own, src))) {
		bool other = path_covers("/var/lib/kubelet/pods", src) &&
			     !path_covers(src, "/var/lib/kubelet/pods");

		m->gives = "kubelet_state";
		set_risk(&m->r, "host_path_kubelet", SEV_CRITICAL,
			 other ? "hostPath %s: another pod's volumes (its tokens)"
			       : "hostPath %s: the kubelet's state (every pod's service-account "
				 "tokens, the kubelet's credentials)",
			 esc(src, 200));
		return;
	}
	if (path_covers(src, "/etc/kubernetes") || path_covers("/etc/kubernetes", src)) {
		m->gives = "kubernetes_config";
		set_risk(&m->r, "host_path_kubernetes_config", SEV_HIGH,
			 "hostPath %s: the node's Kubernetes configuration and PKI", esc(src, 200));
		return;
	}
	if (path_covers(src, "/root/.aws") || path_covers("/root/.aws", src) ||
	    path_covers(src, "/home") || (!strncmp(src, "/home/", 6) && strstr(src, "/.aws"))) {
		m->gives = "aws_credentials";
		set_risk(&m->r, "host_path_aws_credentials", SEV_HIGH,
			 "hostPath %s: AWS shared credentials of the node's users", esc(src, 200));
	}
}

static void judge(struct scan *s)
{
	char buf[512];
	int w = 0;

	/* only the mounts that give something away are kept */
	for (int i = 0; i < s->nmounts; i++) {
		judge_mount(s, &s->mounts[i]);
		if (s->mounts[i].r.rule)
			s->mounts[w++] = s->mounts[i];
	}
	s->nmounts = w;

	for (int i = 0; i < s->nctrs; i++) {
		const struct ctr *c = &s->ctrs[i];
		struct simpleitem *it;

		if (c->sandbox || !c->secret_env || s->nstatics >= MAX_ITEMS)
			continue;
		it = &s->statics[s->nstatics++];
		memset(it, 0, sizeof(*it));
		it->idx = i;
		secret_list(c->secret_env, buf, sizeof(buf));
		if (c->cred & OCI_CRED_STATIC_KEYS)
			set_risk(&it->r, "static_keys", SEV_HIGH,
				 "static AWS keys in the environment of container %s (%s)",
				 esc(c->name, 63), buf);
		else
			set_risk(&it->r, "static_keys", SEV_MEDIUM,
				 "a credential in the environment of container %s (%s)",
				 esc(c->name, 63), buf);
	}
	for (int p = 0; p < s->npods; p++) {
		struct cw_subject sub = subject_of(s, p, NULL, NULL);
		struct simpleitem *it;

		if (s->pods[p].host_network != 1 || s->nhostnets >= MAX_ITEMS)
			continue;
		it = &s->hostnets[s->nhostnets++];
		memset(it, 0, sizeof(*it));
		it->idx = p;
		if (policy_allowed(&s->cfg.policy, RULE_IMDS_CREDENTIAL_FETCH, &sub))
			set_risk(&it->r, "host_network", SEV_LOW,
				 "hostNetwork: reaches IMDS whatever its hop limit (the policy "
				 "allows this pod the node role)");
		else
			set_risk(&it->r, "host_network", SEV_MEDIUM,
				 "hostNetwork: reaches IMDS and the node role's credentials "
				 "whatever the hop limit");
	}
	for (int p = 0; p < s->npods; p++) {
		const struct pod *pd = &s->pods[p];
		struct simpleitem *it;
		size_t len = 0;
		unsigned int want = pd->cred & (ATTRIB_CRED_POD_IDENTITY | ATTRIB_CRED_IRSA);

		if (!want || s->nassocs >= MAX_ITEMS)
			continue;
		it = &s->assocs[s->nassocs++];
		memset(it, 0, sizeof(*it));
		it->idx = p;
		it->mode = (want & ATTRIB_CRED_POD_IDENTITY) ? "pod_identity" : "irsa";
		for (int i = 0; i < s->nctrs; i++) {
			const struct ctr *c = &s->ctrs[i];

			if (c->pod != p || c->sandbox ||
			    (c->cred & (OCI_CRED_POD_IDENTITY | OCI_CRED_IRSA)))
				continue;
			len += (size_t)snprintf(
				it->missing + len,
				len < sizeof(it->missing) ? sizeof(it->missing) - len : 0, "%s%s",
				len ? "," : "", c->name);
		}
		if (len >= sizeof(it->missing))
			it->missing[sizeof(it->missing) - 1] = 0;
		if (it->missing[0])
			set_risk(&it->r, "association_partial", SEV_MEDIUM,
				 "container %s has no %s configuration: its SDK falls through to "
				 "IMDS (the node role)",
				 esc(it->missing, 200),
				 want & ATTRIB_CRED_POD_IDENTITY ? "Pod Identity" : "IRSA");
	}
	for (int i = 0; i < s->nopens; i++) {
		struct openitem *o = &s->opens[i];
		const struct proc *pr = &s->procs[o->proc];
		struct cw_subject sub = subject_of(s, pr->pod, NULL, pr->container);
		bool token = file_kind_is_token(o->kind);

		sub.host = pr->host;
		sub.exe = pr->exe;
		if (token && o->owner.found) {
			if (pr->host) {
				if (!policy_allowed(&s->cfg.policy, RULE_HOST_TOKEN_READ, &sub))
					set_risk(&o->r, "host_token_open", SEV_HIGH,
						 "host process %s holds a token of pod %s open",
						 esc(pr->exe[0] ? pr->exe : pr->comm, 200),
						 pod_label(s, o->owner_pod));
			} else if (pr->pod >= 0 && strcmp(s->pods[pr->pod].uid, o->owner.pod_uid)) {
				set_risk(&o->r, "foreign_token_open", SEV_CRITICAL,
					 "a process of pod %s holds a token of pod %s open",
					 pod_label(s, pr->pod), pod_label(s, o->owner_pod));
			}
		} else if (!token &&
			   !policy_allowed(&s->cfg.policy, RULE_STATIC_CREDENTIALS_READ, &sub)) {
			set_risk(&o->r, "credential_file_open", SEV_MEDIUM, "%s %s holds %s open",
				 pr->host ? "host process" : "a process of pod",
				 pr->host ? esc(pr->exe[0] ? pr->exe : pr->comm, 200)
					  : pod_label(s, pr->pod),
				 file_kind_name(o->kind));
		}
	}
	for (int i = 0; i < s->nconns; i++) {
		struct connitem *c = &s->conns[i];
		const struct proc *pr = c->proc >= 0 ? &s->procs[c->proc] : NULL;
		unsigned int kind = s->cfg.endpoints[c->ep].kind;
		int p = pr ? pr->pod : -1;
		struct cw_subject sub;
		unsigned int cred;

		if (!pr || pr->host || p < 0)
			continue; /* the node's own processes use IMDS by design */
		sub = subject_of(s, p, NULL, pr->container);
		cred = s->pods[p].cred;
		if (kind == CW_EP_IMDS) {
			if (policy_allowed(&s->cfg.policy, RULE_IMDS_CREDENTIAL_FETCH, &sub))
				set_risk(&c->r, "imds_connection", SEV_LOW,
					 "connected to IMDS now (the policy allows this pod the "
					 "node "
					 "role)");
			else if (cred & (ATTRIB_CRED_POD_IDENTITY | ATTRIB_CRED_IRSA))
				set_risk(&c->r, "imds_connection", SEV_HIGH,
					 "connected to IMDS now although configured for %s: the "
					 "node "
					 "role's credentials are one request away",
					 cred & ATTRIB_CRED_POD_IDENTITY ? "Pod Identity" : "IRSA");
			else
				set_risk(&c->r, "imds_connection", SEV_MEDIUM,
					 "connected to IMDS now: the node role's credentials are "
					 "one "
					 "request away");
		} else if (kind == CW_EP_POD_IDENTITY_AGENT && !(cred & ATTRIB_CRED_POD_IDENTITY)) {
			set_risk(&c->r, "agent_connection_unassociated", SEV_MEDIUM,
				 "connected to the Pod Identity Agent without a Pod Identity "
				 "configuration");
		} else if (kind == CW_EP_CONTAINER_CREDENTIALS) {
			set_risk(&c->r, "container_credentials_connection", SEV_MEDIUM,
				 "connected to the ECS container credentials endpoint");
		}
	}
}

/* ---------------------------------------------------------------------------------------- */
/* JSON output (credwatch/scan/v1) */

static char jbuf[1 << 16];

static void j_risk(struct jw *w, const struct risk *r)
{
	if (!r->rule) {
		jw_null(w, "risk");
		return;
	}
	jw_obj_open(w, "risk");
	jw_str(w, "rule", r->rule, 0);
	jw_str(w, "severity", severity_name(r->sev), 0);
	jw_str(w, "reason", r->reason, 0);
	jw_obj_close(w);
}

static void j_known(struct jw *w, const char *key, const char *s)
{
	if (s && s[0])
		jw_str(w, key, s, 512);
	else
		jw_null(w, key);
}

static void j_pod_ref(struct jw *w, const struct scan *s, int p)
{
	if (p < 0) {
		jw_null(w, "pod");
		return;
	}
	jw_obj_open(w, "pod");
	jw_str(w, "uid", s->pods[p].uid, 0);
	j_known(w, "namespace", s->pods[p].ns);
	j_known(w, "name", s->pods[p].name);
	jw_obj_close(w);
}

static void j_bits(struct jw *w, const char *key, unsigned int bits,
		   const char *(*name)(unsigned int), unsigned int max)
{
	jw_arr_open(w, key);
	for (unsigned int b = 1; b && b <= max; b <<= 1)
		if ((bits & b) && name(b))
			jw_str(w, NULL, name(b), 0);
	jw_arr_close(w);
}

static void j_process(struct jw *w, const struct scan *s, const struct proc *pr)
{
	if (!pr) {
		jw_null(w, "process");
		jw_bool(w, "host", false);
		jw_null(w, "pod");
		jw_null(w, "container");
		return;
	}
	jw_obj_open(w, "process");
	jw_u64(w, "pid", pr->pid);
	j_known(w, "exe", pr->exe);
	jw_str(w, "comm", pr->comm, 64);
	jw_obj_close(w);
	jw_bool(w, "host", pr->host);
	j_pod_ref(w, s, pr->pod);
	j_known(w, "container", pr->container);
}

static void j_time(struct jw *w, const char *key, int64_t sec)
{
	char t[40];
	time_t tt = (time_t)sec;
	struct tm tm;

	if (gmtime_r(&tt, &tm) && strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", &tm))
		jw_str(w, key, t, 0);
	else
		jw_null(w, key);
}

struct jsec {
	bool first;
};

static void j_begin(struct jw *w)
{
	jw_init(w, jbuf, sizeof(jbuf));
	jw_obj_open(w, NULL);
}

static void j_end(struct jw *w, struct jsec *sec)
{
	jw_finish(w);
	printf("%s\n    %s", sec->first ? "" : ",", jbuf);
	sec->first = false;
}

static void j_section(const char *key, struct jsec *sec, bool open)
{
	if (open) {
		printf(",\n  \"%s\": [", key);
		sec->first = true;
	} else {
		printf("%s]", sec->first ? "" : "\n  ");
	}
}

static void j_finding(struct jw *w, const char *section, const struct risk *r, const struct scan *s,
		      int pod)
{
	jw_str(w, "section", section, 0);
	jw_str(w, "rule", r->rule, 0);
	jw_str(w, "severity", severity_name(r->sev), 0);
	j_pod_ref(w, s, pod);
	jw_str(w, "reason", r->reason, 0);
}

static int listed_pods(const struct scan *s)
{
	int n = 0;

	for (int p = 0; p < s->npods; p++)
		n += s->pods[p].listed;
	return n;
}

static void print_json(const struct scan *s)
{
	struct jw w;
	struct jsec sec;
	char t[CLOCK_RFC3339_LEN + 8], buf[512];
	uint64_t bysev[SEV__COUNT] = { 0 };
	size_t n;

	/* the document's head: an object whose closing brace is left off */
	clock_format_rfc3339(s->now_real, t, sizeof(t));
	jw_init(&w, jbuf, sizeof(jbuf));
	jw_obj_open(&w, NULL);
	jw_str(&w, "schema", SCAN_SCHEMA, 0);
	jw_str(&w, "time", t, 0);
	jw_obj_open(&w, "node");
	jw_str(&w, "name", s->node, 256);
	if (s->cluster[0])
		jw_str(&w, "cluster", s->cluster, 256);
	jw_obj_close(&w);
	jw_str(&w, "host_root", s->host_root, 512);
	n = jw_finish(&w);
	jbuf[n - 1] = 0;
	fputs(jbuf, stdout);

	j_section("pods", &sec, true);
	for (int p = 0; p < s->npods; p++) {
		const struct pod *pd = &s->pods[p];

		if (!pd->listed)
			continue;
		j_begin(&w);
		jw_str(&w, "uid", pd->uid, 0);
		j_known(&w, "namespace", pd->ns);
		j_known(&w, "name", pd->name);
		j_known(&w, "service_account", pd->sa);
		j_bits(&w, "credential_mode", pd->cred, attrib_cred_str, ATTRIB_CRED_NODE_ROLE);
		j_known(&w, "role_arn", pd->role_arn);
		if (pd->host_network >= 0)
			jw_bool(&w, "host_network", pd->host_network);
		else
			jw_null(&w, "host_network");
		jw_bool(&w, "pod_identity_associated", pd->cred & ATTRIB_CRED_POD_IDENTITY);
		jw_bool(&w, "irsa_associated", pd->cred & ATTRIB_CRED_IRSA);
		jw_arr_open(&w, "containers");
		for (int i = 0; i < s->nctrs; i++) {
			const struct ctr *c = &s->ctrs[i];
			unsigned int cc = 0;

			if (c->pod != p || c->sandbox)
				continue;
			jw_obj_open(&w, NULL);
			jw_str(&w, "id", c->id, 0);
			j_known(&w, "name", c->name);
			j_known(&w, "image", c->image);
			jw_str(&w, "runtime", c->runtime, 0);
			cc |= c->cred & OCI_CRED_POD_IDENTITY ? ATTRIB_CRED_POD_IDENTITY : 0;
			cc |= c->cred & OCI_CRED_IRSA ? ATTRIB_CRED_IRSA : 0;
			cc |= c->cred & OCI_CRED_STATIC_KEYS ? ATTRIB_CRED_STATIC_KEYS : 0;
			cc |= c->cred & OCI_CRED_ECS_RELATIVE ? ATTRIB_CRED_CONTAINER_CREDENTIALS
							      : 0;
			j_bits(&w, "credential_mode", cc ? cc : ATTRIB_CRED_NODE_ROLE,
			       attrib_cred_str, ATTRIB_CRED_NODE_ROLE);
			j_bits(&w, "static_key_env", c->secret_env, oci_secret_env_name,
			       1u << (OCI_SECRET_COUNT - 1));
			j_known(&w, "role_arn", c->role_arn);
			jw_obj_close(&w);
		}
		jw_arr_close(&w);
		j_end(&w, &sec);
	}
	j_section("pods", &sec, false);

	j_section("static_keys", &sec, true);
	for (int i = 0; i < s->nstatics; i++) {
		const struct ctr *c = &s->ctrs[s->statics[i].idx];

		j_begin(&w);
		j_pod_ref(&w, s, c->pod);
		j_known(&w, "container", c->name);
		j_bits(&w, "variables", c->secret_env, oci_secret_env_name,
		       1u << (OCI_SECRET_COUNT - 1));
		j_risk(&w, &s->statics[i].r);
		j_end(&w, &sec);
	}
	j_section("static_keys", &sec, false);

	j_section("token_volumes", &sec, true);
	for (int i = 0; i < s->ntokens; i++) {
		const struct tokenitem *tk = &s->tokens[i];

		j_begin(&w);
		j_pod_ref(&w, s, tk->pod);
		jw_str(&w, "volume", tk->volume, 0);
		jw_str(&w, "file", tk->file, 0);
		jw_bool(&w, "claims_read", tk->read);
		if (tk->read) {
			jw_str(&w, "kind", jwt_audience_str(tk->t.kind), 0);
			jw_arr_open(&w, "audience");
			for (unsigned int a = 0; a < tk->t.n_aud && a < JWT_MAX_AUD; a++)
				jw_str(&w, NULL, tk->t.aud[a], 0);
			jw_arr_close(&w);
			j_known(&w, "service_account", tk->t.service_account);
			if (tk->t.has_exp) {
				j_time(&w, "expires", tk->t.exp);
				jw_bool(&w, "expired", tk->t.exp * 1000000000LL < s->now_real);
			} else {
				jw_null(&w, "expires");
				jw_null(&w, "expired");
			}
		} else {
			jw_null(&w, "kind");
			jw_arr_open(&w, "audience");
			jw_arr_close(&w);
			jw_null(&w, "service_account");
			jw_null(&w, "expires");
			jw_null(&w, "expired");
		}
		j_risk(&w, &tk->r);
		j_end(&w, &sec);
	}
	j_section("token_volumes", &sec, false);

	j_section("host_network_pods", &sec, true);
	for (int i = 0; i < s->nhostnets; i++) {
		j_begin(&w);
		j_pod_ref(&w, s, s->hostnets[i].idx);
		j_risk(&w, &s->hostnets[i].r);
		j_end(&w, &sec);
	}
	j_section("host_network_pods", &sec, false);

	j_section("mounts", &sec, true);
	for (int i = 0; i < s->nmounts; i++) {
		const struct mountitem *m = &s->mounts[i];

		j_begin(&w);
		j_pod_ref(&w, s, s->ctrs[m->ctr].pod);
		j_known(&w, "container", s->ctrs[m->ctr].name);
		jw_str(&w, "source", m->m.source, 1024);
		jw_str(&w, "destination", m->m.destination, 1024);
		jw_bool(&w, "read_only", m->m.read_only);
		jw_str(&w, "gives", m->gives, 0);
		j_risk(&w, &m->r);
		j_end(&w, &sec);
	}
	j_section("mounts", &sec, false);

	j_section("open_credential_files", &sec, true);
	for (int i = 0; i < s->nopens; i++) {
		const struct openitem *o = &s->opens[i];

		j_begin(&w);
		j_process(&w, s, &s->procs[o->proc]);
		jw_u64(&w, "fd", (uint64_t)o->fd);
		jw_str(&w, "path", o->path, 1024);
		jw_str(&w, "kind", file_kind_name(o->kind), 0);
		if (o->owner.found) {
			jw_obj_open(&w, "owner");
			jw_str(&w, "pod_uid", o->owner.pod_uid, 0);
			j_known(&w, "namespace", o->owner.pod_namespace);
			j_known(&w, "pod_name", o->owner.pod_name);
			j_known(&w, "volume", o->owner.volume);
			jw_obj_close(&w);
		} else {
			jw_null(&w, "owner");
		}
		j_risk(&w, &o->r);
		j_end(&w, &sec);
	}
	j_section("open_credential_files", &sec, false);

	j_section("connections", &sec, true);
	for (int i = 0; i < s->nconns; i++) {
		const struct connitem *c = &s->conns[i];
		const struct endpoint_cfg *ep = &s->cfg.endpoints[c->ep];

		j_begin(&w);
		j_process(&w, s, c->proc >= 0 ? &s->procs[c->proc] : NULL);
		jw_obj_open(&w, "endpoint");
		jw_str(&w, "kind", endpoint_kind_name(ep->kind), 0);
		config_format_addr(ep->addr, buf, sizeof(buf));
		jw_str(&w, "addr", buf, 0);
		jw_u64(&w, "port", ep->port);
		jw_obj_close(&w);
		jw_str(&w, "local", c->local, 0);
		jw_u64(&w, "netns", c->netns);
		j_risk(&w, &c->r);
		j_end(&w, &sec);
	}
	j_section("connections", &sec, false);

	j_section("associations", &sec, true);
	for (int i = 0; i < s->nassocs; i++) {
		const struct simpleitem *a = &s->assocs[i];

		j_begin(&w);
		j_pod_ref(&w, s, a->idx);
		jw_str(&w, "mode", a->mode, 0);
		j_known(&w, "role_arn", s->pods[a->idx].role_arn);
		jw_arr_open(&w, "containers_without");
		for (const char *p = a->missing; *p;) {
			size_t k = strcspn(p, ",");

			jw_strn(&w, NULL, p, k, 256);
			p += k + (p[k] == ',');
		}
		jw_arr_close(&w);
		j_risk(&w, &a->r);
		j_end(&w, &sec);
	}
	j_section("associations", &sec, false);

	/* every flagged item once more, most severe first */
	j_section("findings", &sec, true);
	for (int sev = SEV_CRITICAL; sev >= SEV_LOW; sev--) {
#define FIND(arr, cnt, sect, podexpr)                                    \
	for (int i = 0; i < s->cnt; i++)                                 \
		if (s->arr[i].r.rule && s->arr[i].r.sev == sev) {        \
			j_begin(&w);                                     \
			j_finding(&w, sect, &s->arr[i].r, s, (podexpr)); \
			j_end(&w, &sec);                                 \
			bysev[sev]++;                                    \
		}
		FIND(statics, nstatics, "static_keys", s->ctrs[s->statics[i].idx].pod)
		FIND(tokens, ntokens, "token_volumes", s->tokens[i].pod)
		FIND(hostnets, nhostnets, "host_network_pods", s->hostnets[i].idx)
		FIND(mounts, nmounts, "mounts", s->ctrs[s->mounts[i].ctr].pod)
		FIND(opens, nopens, "open_credential_files", s->procs[s->opens[i].proc].pod)
		FIND(conns, nconns, "connections",
		     s->conns[i].proc >= 0 ? s->procs[s->conns[i].proc].pod : -1)
		FIND(assocs, nassocs, "associations", s->assocs[i].idx)
#undef FIND
	}
	j_section("findings", &sec, false);

	printf(",\n  \"counts\": {\"pods\": %d, \"containers\": %d, \"processes\": %d, "
	       "\"findings\": {\"critical\": %llu, \"high\": %llu, \"medium\": %llu, \"low\": "
	       "%llu}},\n",
	       listed_pods(s), s->nctrs, s->nprocs, (unsigned long long)bysev[SEV_CRITICAL],
	       (unsigned long long)bysev[SEV_HIGH], (unsigned long long)bysev[SEV_MEDIUM],
	       (unsigned long long)bysev[SEV_LOW]);
	printf("  \"incomplete\": {\"not_root\": %s, \"processes_denied\": %llu, "
	       "\"specs_unreadable\": %llu, \"token_claims_unread\": %llu, \"truncated\": "
	       "%llu}\n}\n",
	       s->root_user ? "false" : "true", (unsigned long long)s->proc_denied,
	       (unsigned long long)s->spec_errors, (unsigned long long)s->claims_unread,
	       (unsigned long long)s->truncated);
}

/* ---------------------------------------------------------------------------------------- */
/* the table */

#define TMAX_COLS 8
#define TMAX_CELL 600

struct table {
	const char *title;
	const char *head[TMAX_COLS];
	int ncols;
	char (*cells)[TMAX_COLS][TMAX_CELL];
	int sev[MAX_ITEMS];
	int nrows, cap;
};

static void t_row(struct table *t, int sev, ...)
{
	va_list ap;

	if (t->nrows >= t->cap) {
		int ncap = t->cap ? t->cap * 2 : 64;
		void *p = realloc(t->cells, (size_t)ncap * sizeof(*t->cells));

		if (!p || ncap > MAX_ITEMS)
			return;
		t->cells = p;
		t->cap = ncap;
	}
	t->sev[t->nrows] = sev;
	va_start(ap, sev);
	for (int c = 0; c < t->ncols; c++)
		snprintf(t->cells[t->nrows][c], TMAX_CELL, "%s", va_arg(ap, const char *));
	va_end(ap);
	t->nrows++;
}

static size_t cell_width(const char *s)
{
	size_t w = 0;

	/* display columns: UTF-8 continuation bytes take none */
	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void t_print(struct table *t, const struct human_style *st, bool with_sev)
{
	size_t width[TMAX_COLS] = { 0 };
	static const char *const labels[] = { "-", "LOW", "MEDIUM", "HIGH", "CRITICAL" };
	static const char *const colors[] = { "", "\033[36m", "\033[33m", "\033[31m",
					      "\033[1;31m" };

	printf("\n%s (%d)\n", t->title, t->nrows);
	if (!t->nrows) {
		free(t->cells);
		return;
	}
	for (int c = 0; c < t->ncols; c++) {
		width[c] = cell_width(t->head[c]);
		for (int r = 0; r < t->nrows; r++)
			if (cell_width(t->cells[r][c]) > width[c] && c < t->ncols - 1)
				width[c] = cell_width(t->cells[r][c]);
		if (width[c] > 60)
			width[c] = 60;
	}
	printf("  %s%s", with_sev ? "SEVERITY  " : "", "");
	for (int c = 0; c < t->ncols; c++)
		printf("%-*s%s", c < t->ncols - 1 ? (int)width[c] : 0, t->head[c],
		       c < t->ncols - 1 ? "  " : "\n");
	for (int r = 0; r < t->nrows; r++) {
		int sv = t->sev[r] >= SEV_NONE && t->sev[r] <= SEV_CRITICAL ? t->sev[r] : 0;

		printf("  ");
		if (with_sev) {
			if (st->color && sv)
				printf("%s%-8s\033[0m  ", colors[sv], labels[sv]);
			else
				printf("%-8s  ", labels[sv]);
		}
		for (int c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r][c];
			size_t w = cell_width(cell);

			fputs(cell, stdout);
			if (c < t->ncols - 1)
				printf("%*s", (int)(w < width[c] ? width[c] - w + 2 : 2), "");
		}
		putchar('\n');
	}
	free(t->cells);
}

static const char *reason(const struct risk *r)
{
	return r->rule ? r->reason : "";
}

static void print_table(const struct scan *s, const struct human_style *st)
{
	char t[CLOCK_RFC3339_LEN + 8], b1[512], b2[512];
	uint64_t bysev[SEV__COUNT] = { 0 };

	clock_format_rfc3339(s->now_real, t, sizeof(t));
	printf("credwatch scan of node %s (host root %s) at %s\n", esc(s->node, 253),
	       esc(s->host_root, 400), t);
	{
		struct table tb = { .title = "PODS",
				    .head = { "NAMESPACE/POD", "UID", "SERVICE ACCOUNT",
					      "CREDENTIALS", "ROLE ARN", "NETWORK", "CONTAINERS" },
				    .ncols = 7 };

		for (int p = 0; p < s->npods; p++) {
			const struct pod *pd = &s->pods[p];
			size_t len = 0;

			if (!pd->listed)
				continue;
			b2[0] = 0;
			for (int i = 0; i < s->nctrs; i++)
				if (s->ctrs[i].pod == p && !s->ctrs[i].sandbox)
					len += (size_t)snprintf(
						b2 + len, len < sizeof(b2) ? sizeof(b2) - len : 0,
						"%s%s", len ? "," : "", esc(s->ctrs[i].name, 63));
			t_row(&tb, SEV_NONE, pod_label(s, p), pd->uid,
			      pd->sa[0] ? esc(pd->sa, 253) : "-",
			      cred_list(pd->cred, b1, sizeof(b1)),
			      pd->role_arn[0] ? esc(pd->role_arn, 200) : "-",
			      pd->host_network == 1   ? "host"
			      : pd->host_network == 0 ? "pod"
						      : "?",
			      b2[0] ? b2 : "-");
		}
		t_print(&tb, st, false);
	}
	{
		struct table tb = { .title = "STATIC AWS KEYS (variable names)",
				    .head = { "POD", "CONTAINER", "VARIABLES", "REASON" },
				    .ncols = 4 };

		for (int i = 0; i < s->nstatics; i++) {
			const struct ctr *c = &s->ctrs[s->statics[i].idx];

			t_row(&tb, s->statics[i].r.sev, pod_label(s, c->pod), esc(c->name, 63),
			      secret_list(c->secret_env, b1, sizeof(b1)), reason(&s->statics[i].r));
		}
		t_print(&tb, st, true);
	}
	{
		struct table tb = { .title = "PROJECTED TOKEN VOLUMES",
				    .head = { "POD", "VOLUME", "FILE", "AUDIENCE",
					      "SERVICE ACCOUNT", "EXPIRES", "REASON" },
				    .ncols = 7 };

		for (int i = 0; i < s->ntokens; i++) {
			const struct tokenitem *tk = &s->tokens[i];
			char exp[40] = "-";
			size_t len = 0;

			b1[0] = 0;
			for (unsigned int a = 0; tk->read && a < tk->t.n_aud && a < JWT_MAX_AUD;
			     a++)
				len += (size_t)snprintf(
					b1 + len, len < sizeof(b1) ? sizeof(b1) - len : 0, "%s%s",
					len ? "," : "", esc(tk->t.aud[a], 120));
			if (tk->read && tk->t.has_exp) {
				time_t tt = (time_t)tk->t.exp;
				struct tm tm;

				if (gmtime_r(&tt, &tm))
					strftime(exp, sizeof(exp), "%Y-%m-%dT%H:%M:%SZ", &tm);
				if (tk->t.exp * 1000000000LL < s->now_real)
					strcat(exp, " (expired)");
			}
			t_row(&tb, tk->r.sev, pod_label(s, tk->pod), esc(tk->volume, 63),
			      esc(tk->file, 63),
			      tk->read ? (b1[0] ? b1 : "-") : "(claims not read)",
			      tk->read && tk->t.service_account[0] ? esc(tk->t.service_account, 253)
								   : "-",
			      exp, reason(&tk->r));
		}
		t_print(&tb, st, true);
	}
	{
		struct table tb = { .title = "HOSTNETWORK PODS",
				    .head = { "POD", "REASON" },
				    .ncols = 2 };

		for (int i = 0; i < s->nhostnets; i++)
			t_row(&tb, s->hostnets[i].r.sev, pod_label(s, s->hostnets[i].idx),
			      reason(&s->hostnets[i].r));
		t_print(&tb, st, true);
	}
	{
		struct table tb = { .title = "MOUNTS THAT GIVE CREDENTIALS AWAY",
				    .head = { "POD", "CONTAINER", "HOST PATH", "MOUNTED AT",
					      "REASON" },
				    .ncols = 5 };

		for (int i = 0; i < s->nmounts; i++) {
			const struct mountitem *m = &s->mounts[i];

			t_row(&tb, m->r.sev, pod_label(s, s->ctrs[m->ctr].pod),
			      esc(s->ctrs[m->ctr].name, 63), esc(m->m.source, 200),
			      esc(m->m.destination, 200), reason(&m->r));
		}
		t_print(&tb, st, true);
	}
	{
		struct table tb = { .title = "CREDENTIAL FILES OPEN NOW",
				    .head = { "PROCESS", "POD", "FILE", "KIND", "OWNER POD",
					      "REASON" },
				    .ncols = 6 };

		for (int i = 0; i < s->nopens; i++) {
			const struct openitem *o = &s->opens[i];
			const struct proc *pr = &s->procs[o->proc];

			snprintf(b1, sizeof(b1), "%s[%u]",
				 esc(pr->exe[0] ? pr->exe : pr->comm, 120), pr->pid);
			if (o->owner.found && (o->owner.pod_namespace[0] || o->owner.pod_name[0]))
				snprintf(b2, sizeof(b2), "%s/%s", esc(o->owner.pod_namespace, 63),
					 esc(o->owner.pod_name, 253));
			else if (o->owner.found)
				snprintf(b2, sizeof(b2), "pod:%s", o->owner.pod_uid);
			else
				snprintf(b2, sizeof(b2), "-");
			t_row(&tb, o->r.sev, b1, pr->host ? "host" : pod_label(s, pr->pod),
			      esc(o->path, 200), file_kind_name(o->kind), b2, reason(&o->r));
		}
		t_print(&tb, st, true);
	}
	{
		struct table tb = { .title = "CONNECTIONS TO CREDENTIAL ENDPOINTS",
				    .head = { "PROCESS", "POD", "ENDPOINT", "LOCAL", "REASON" },
				    .ncols = 5 };

		for (int i = 0; i < s->nconns; i++) {
			const struct connitem *c = &s->conns[i];
			const struct proc *pr = c->proc >= 0 ? &s->procs[c->proc] : NULL;
			const struct endpoint_cfg *ep = &s->cfg.endpoints[c->ep];
			char a[64];

			config_format_addr(ep->addr, a, sizeof(a));
			snprintf(b2, sizeof(b2), strchr(a, ':') ? "%s [%s]:%u" : "%s %s:%u",
				 endpoint_kind_name(ep->kind), a, ep->port);
			if (pr)
				snprintf(b1, sizeof(b1), "%s[%u]",
					 esc(pr->exe[0] ? pr->exe : pr->comm, 120), pr->pid);
			else
				snprintf(b1, sizeof(b1), "? (netns %llu)",
					 (unsigned long long)c->netns);
			t_row(&tb, c->r.sev, b1,
			      !pr	 ? "?"
			      : pr->host ? "host"
					 : pod_label(s, pr->pod),
			      b2, c->local, reason(&c->r));
		}
		t_print(&tb, st, true);
	}
	{
		struct table tb = { .title = "POD IDENTITY AND IRSA",
				    .head = { "POD", "MODE", "ROLE ARN", "CONTAINERS WITHOUT",
					      "REASON" },
				    .ncols = 5 };

		for (int i = 0; i < s->nassocs; i++) {
			const struct simpleitem *a = &s->assocs[i];

			t_row(&tb, a->r.sev, pod_label(s, a->idx), a->mode,
			      s->pods[a->idx].role_arn[0] ? esc(s->pods[a->idx].role_arn, 200)
							  : "-",
			      a->missing[0] ? esc(a->missing, 200) : "-", reason(&a->r));
		}
		t_print(&tb, st, true);
	}
#define COUNT(arr, cnt)                  \
	for (int i = 0; i < s->cnt; i++) \
		if (s->arr[i].r.rule)    \
			bysev[s->arr[i].r.sev]++;
	COUNT(statics, nstatics)
	COUNT(tokens, ntokens)
	COUNT(hostnets, nhostnets)
	COUNT(mounts, nmounts)
	COUNT(opens, nopens)
	COUNT(conns, nconns)
	COUNT(assocs, nassocs)
#undef COUNT
	printf("\nFINDINGS: critical %llu, high %llu, medium %llu, low %llu\n",
	       (unsigned long long)bysev[SEV_CRITICAL], (unsigned long long)bysev[SEV_HIGH],
	       (unsigned long long)bysev[SEV_MEDIUM], (unsigned long long)bysev[SEV_LOW]);
	if (!s->root_user || s->proc_denied || s->spec_errors || s->claims_unread || s->truncated)
		printf("INCOMPLETE:%s processes denied %llu, specs unreadable %llu, token claims "
		       "unread %llu, truncated %llu\n",
		       s->root_user ? "" : " not root;", (unsigned long long)s->proc_denied,
		       (unsigned long long)s->spec_errors, (unsigned long long)s->claims_unread,
		       (unsigned long long)s->truncated);
}

/* ---------------------------------------------------------------------------------------- */

static const char scan_usage[] =
	"usage: credwatch scan [--host-root DIR] [-o table|json] [options]\n"
	"\n"
	"A snapshot of this node from its state alone (no BPF): every pod with its credential\n"
	"configuration, static AWS key variables (names only), projected token volumes,\n"
	"hostNetwork pods, mounts that give credentials away, processes holding a credential\n"
	"file open, connections to IMDS and the Pod Identity Agent, Pod Identity and IRSA\n"
	"associations; each risky item with a severity and a reason.\n"
	"\n"
	"      --host-root DIR      the node's filesystem root (DaemonSet: /host; default /)\n"
	"  -o, --output FORMAT      table (default) or json (schema credwatch/scan/v1)\n"
	"  -c, --config PATH        the agent's configuration file (sockets, endpoints, policy)\n"
	"      --node-name NAME     node name (default: $NODE_NAME, else hostname)\n"
	"      --cluster-name NAME  cluster name (default: $CLUSTER_NAME)\n"
	"      --color WHEN         always, never or auto (default: auto)\n"
	"  -h, --help               this text\n";

static void scan_usage_error(const char *msg)
{
	fprintf(stderr,
		"credwatch scan: %s\nusage: credwatch scan [--host-root DIR] "
		"[-o table|json] (credwatch scan --help for all options)\n",
		msg);
	exit(2);
}

int cli_scan(int argc, char **argv)
{
	enum { OPT_HOSTROOT = 256, OPT_NODE, OPT_CLUSTER, OPT_COLOR };
	static const struct option longopts[] = {
		{ "host-root", required_argument, NULL, OPT_HOSTROOT },
		{ "output", required_argument, NULL, 'o' },
		{ "config", required_argument, NULL, 'c' },
		{ "node-name", required_argument, NULL, OPT_NODE },
		{ "cluster-name", required_argument, NULL, OPT_CLUSTER },
		{ "color", required_argument, NULL, OPT_COLOR },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	static struct scan s;
	struct human_style style = { 0 };
	enum cli_color color = CLI_COLOR_AUTO;
	const char *config = NULL, *env;
	bool json = false;
	char err[CONFIG_ERR_MAX + 64], mnt[4096] = "";
	uint64_t now;
	int c;

	s.host_root = "/";
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:c:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_HOSTROOT: {
			struct stat st;

			if (stat(optarg, &st) || !S_ISDIR(st.st_mode)) {
				snprintf(err, sizeof(err),
					 "invalid value for --host-root: '%s' (not a directory)",
					 optarg);
				scan_usage_error(err);
			}
			s.host_root = optarg;
			break;
		}
		case 'o':
			if (!strcmp(optarg, "json") || !strcmp(optarg, "table")) {
				json = !strcmp(optarg, "json");
				break;
			}
			snprintf(err, sizeof(err),
				 "invalid value for --output: '%s' (want table or json)", optarg);
			scan_usage_error(err);
			break;
		case 'c':
			config = optarg;
			break;
		case OPT_NODE:
			cpy(s.node, sizeof(s.node), optarg);
			break;
		case OPT_CLUSTER:
			cpy(s.cluster, sizeof(s.cluster), optarg);
			break;
		case OPT_COLOR: {
			int v = cli_color_parse(optarg);

			if (v < 0) {
				snprintf(err, sizeof(err),
					 "invalid value for --color: '%s' (want always, never or "
					 "auto)",
					 optarg);
				scan_usage_error(err);
			}
			color = v;
			break;
		}
		case 'h':
			fputs(scan_usage, stdout);
			return 0;
		case ':':
			snprintf(err, sizeof(err), "option '%s' needs a value", argv[optind - 1]);
			scan_usage_error(err);
			break;
		default:
			snprintf(err, sizeof(err), "unknown option '%s'", argv[optind - 1]);
			scan_usage_error(err);
		}
	}
	if (optind < argc) {
		snprintf(err, sizeof(err), "unexpected argument '%s'", argv[optind]);
		scan_usage_error(err);
	}
	config_defaults(&s.cfg);
	if (config && config_load(&s.cfg, config, err, CONFIG_ERR_MAX)) {
		fprintf(stderr, "credwatch scan: invalid configuration: %s\n", err);
		return 2;
	}
	if (!s.node[0]) {
		env = getenv("NODE_NAME");
		if (env && env[0])
			cpy(s.node, sizeof(s.node), env);
		else if (gethostname(s.node, sizeof(s.node) - 1))
			cpy(s.node, sizeof(s.node), "unknown");
	}
	env = getenv("CLUSTER_NAME");
	if (!s.cluster[0] && env)
		cpy(s.cluster, sizeof(s.cluster), env);
	s.root_user = geteuid() == 0;
	s.rootfd = open(s.host_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	cgroups_find_mount("/proc/self/mountinfo", mnt, sizeof(mnt));
	{
		struct attrib_limits lim = { .cgroup_mount = mnt[0] ? mnt : NULL,
					     .proc_root = "/proc" };

		s.attrib = attrib_new(s.host_root, &lim);
	}
	s.pods = calloc(MAX_PODS, sizeof(*s.pods));
	s.ctrs = calloc(MAX_CTRS, sizeof(*s.ctrs));
	s.mounts = calloc(MAX_ITEMS, sizeof(*s.mounts));
	s.tokens = calloc(MAX_ITEMS, sizeof(*s.tokens));
	s.procs = calloc(MAX_PROCS, sizeof(*s.procs));
	s.opens = calloc(MAX_ITEMS, sizeof(*s.opens));
	s.conns = calloc(MAX_ITEMS, sizeof(*s.conns));
	s.statics = calloc(MAX_ITEMS, sizeof(*s.statics));
	s.hostnets = calloc(MAX_ITEMS, sizeof(*s.hostnets));
	s.assocs = calloc(MAX_ITEMS, sizeof(*s.assocs));
	s.socks = calloc(MAX_SOCKS, sizeof(*s.socks));
	if (s.rootfd < 0 || !s.attrib || !s.pods || !s.ctrs || !s.mounts || !s.tokens || !s.procs ||
	    !s.opens || !s.conns || !s.statics || !s.hostnets || !s.assocs || !s.socks) {
		fprintf(stderr, "credwatch scan: cannot read node state under %s: %s\n",
			s.host_root, strerror(errno));
		return 1;
	}
	now = clock_now(CLOCK_MONOTONIC);
	s.now_real = (int64_t)clock_now(CLOCK_REALTIME);

	scan_specs(&s, CONTAINERD_TASKS, "containerd");
	scan_specs(&s, CRIO_CONTAINERS, "crio");
	scan_kubelet_pods(&s);
	scan_logs(&s);
	pod_creds(&s);
	scan_tokens(&s, now);
	scan_procs(&s, now);
	scan_conns(&s);
	judge(&s);

	style.color = cli_use_color(color, 1);
	if (json)
		print_json(&s);
	else
		print_table(&s, &style);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "credwatch scan: writing: %s\n", strerror(errno));
		return 1;
	}
	attrib_free(s.attrib);
	close(s.rootfd);
	free(s.pods);
	free(s.ctrs);
	free(s.mounts);
	free(s.tokens);
	free(s.procs);
	free(s.opens);
	free(s.conns);
	free(s.statics);
	free(s.hostnets);
	free(s.assocs);
	free(s.socks);
	return 0;
}
