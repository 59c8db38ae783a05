// SPDX-License-Identifier: GPL-2.0
/*
 * attrib: workload, file-owner and token attribution from the node's own state. See attrib.h.
 *
 * Cache entries are copied into the caller's result before any other entry of the same LRU is
 * inserted: lru_put() may reuse (evict) any slot, so a pointer from lru_get() is only good
 * until the next lru_put() on that LRU.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "enrich/attrib.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "enrich/cgroup_parse.h"
#include "util/log.h"
#include "util/lru.h"
#include "util/jsonw.h" /* JW_TRUNC_MARK */
#include "util/names.h"
#include "enrich/ocispec.h"
#include "util/safefile.h"

#define DEF_MAX_CONTAINERS 2048
#define DEF_MAX_PODS	   1024
#define DEF_MAX_VOLUMES	   4096
#define DEF_MAX_TOKENS	   512
#define DEF_MAX_LOGDIRS	   1024
#define DEF_RETRY_MIN_NS   (50ull * 1000000)
#define DEF_RETRY_MAX_NS   (5000ull * 1000000)
#define DEF_PENDING_NS	   (1000ull * 1000000)
#define DEF_RESCAN_NS	   (1000ull * 1000000)
/* A pod whose every container was read is looked at again after this many rescan_ns. */
#define UNION_REFRESH_MULT 10

#define MAX_SIBLINGS	   64	  /* container cgroups of one pod looked at */
#define MAX_DIR_ENTRIES	   4096	  /* entries read from one cgroup / volume directory */
#define MAX_LOGDIR_SCAN	   65536  /* entries read from var/log/pods per scan */
#define MAX_MI_LINES	   262144 /* mountinfo lines read */
#define MAX_MI_LINE	   16384  /* longer mountinfo lines are skipped */
#define MAX_RETRY_SHIFT	   16
#define KUBELET_PODS	   "var/lib/kubelet/pods/"
#define PROJECTED	   "/volumes/kubernetes.io~projected/"
#define KUBE_API_PREFIX	   "kube-api-access-"
#define PI_VOLUME	   "eks-pod-identity-token"
#define IRSA_VOLUME	   "aws-iam-token"
#define CONTAINERD_SPEC	   "run/containerd/io.containerd.runtime.v2.task/k8s.io/%s/config.json"
#define CRIO_SPEC	   "var/lib/containers/storage/overlay-containers/%s/userdata/config.json"
#define HOST_NETNS_UNSET   UINT64_MAX

enum { CE_OK = 1, CE_FAIL = 2 };
enum { CE_F_UID_CONFLICT = 1u << 0 };

/* ~1.3 KiB: only what events print. */
struct cont_ent {
	char id[ATTRIB_ID_BUF];
	char pod_uid[ATTRIB_UID_BUF]; /* the pod it was looked up for (from the cgroup) */
	char name[ATTRIB_LABEL_BUF];
	char pod_ns[ATTRIB_NS_BUF];
	char pod_name[ATTRIB_NAME_BUF];
	char sa_vol[ATTRIB_LABEL_BUF]; /* kube-api-access-* volume mounted, "" if none */
	char image[ATTRIB_IMAGE_BUF];
	char role_arn[ATTRIB_ARN_BUF];
	uint8_t state; /* CE_* */
	uint8_t rt;    /* enum cg_runtime of the spec that was read */
	uint8_t ctype; /* enum oci_ctype */
	uint8_t cred;  /* ATTRIB_CRED_* */
	uint8_t secret_env;
	int8_t host_network; /* -1 unknown */
	uint8_t flags;	     /* CE_F_* */
	uint8_t attempts;
	int32_t err; /* last error (negative errno) when CE_FAIL */
	uint64_t first_ns, next_ns;
};

struct pod_ent {
	char uid[ATTRIB_UID_BUF];
	char ns[ATTRIB_NS_BUF];
	char name[ATTRIB_NAME_BUF];
	char sa[ATTRIB_NAME_BUF];
	char sa_vol[ATTRIB_LABEL_BUF];
	char role_arn[ATTRIB_ARN_BUF]; /* first IRSA container's */
	uint8_t name_src;	       /* ATTRIB_SRC_* the names came from */
	uint8_t cred;		       /* union over the pod's application containers */
	bool pi_assoc;
	bool union_valid; /* every container cgroup of the pod was listed and its spec read */
	bool sa_conflict;
	bool sa_absent; /* the pod has no service-account token volume (known, not missing) */
	int8_t host_network;
	uint8_t vol_cred;   /* ATTRIB_CRED_* from the pod's projected volumes */
	bool vol_listed;    /* the projected-volume directory was read */
	uint32_t netns_ino; /* the sandbox's network namespace (0: unknown) */
	uint64_t union_next_ns, sa_next_ns;
};

/* network namespace -> pod (a host process in a pod's netns is an attribution conflict) */
struct netns_ent {
	char uid[ATTRIB_UID_BUF];
};

struct logdir_ent {
	char uid[ATTRIB_UID_BUF];
	char ns[ATTRIB_NS_BUF];
	char name[ATTRIB_NAME_BUF];
};

struct vol_ent {
	char uid[ATTRIB_UID_BUF];
	char vol[ATTRIB_LABEL_BUF];
	uint8_t src; /* ATTRIB_SRC_MOUNTINFO or ATTRIB_SRC_PATH (stat-verified) */
};

struct tok_ent {
	struct attrib_token t;
	uint64_t next_ns; /* negative entry: retry after */
};

struct attrib {
	int rootfd, cgfd;
	struct attrib_limits lim;
	char mountinfo[PATH_MAX];
	char prefix[PATH_MAX];
	size_t prefix_len;
	uint64_t host_netns; /* HOST_NETNS_UNSET when unknown */

	struct lru *cont, *pods, *vols, *toks, *logs, *netns;
	struct oci_info *oci; /* parse scratch */

	bool logs_scanned, mi_read;
	uint64_t logs_scan_ns, mi_read_ns;

	uint64_t st_config_reads, st_read_errors, st_parse_errors, st_refused, st_token_reads,
		st_logdir_scans, st_mountinfo_reads;
};

/* ------------------------------------------------------------------------------------------ */
/* small helpers */

/* Copy a string into dst (cap bytes); a value that does not fit is cut and marked. */
static void copy_mark(char *dst, size_t cap, const char *src)
{
	static const char mark[] = JW_TRUNC_MARK;
	size_t n = strnlen(src, cap);

	if (n < cap) {
		memcpy(dst, src, n + 1);
		return;
	}
	n = cap - sizeof(mark); /* room for the mark and the NUL */
	memcpy(dst, src, n);
	memcpy(dst + n, mark, sizeof(mark));
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool id_ok(const char *id)
{
	size_t i;

	for (i = 0; i < CG_CONTAINER_ID_LEN; i++)
		if (!is_hex(id[i]))
			return false;
	return id[i] == '\0';
}

/* Pod UID as the kubelet writes it in paths: lowercase hex and dashes, 32..36 chars. */
static bool uid_okn(const char *s, size_t n)
{
	if (n < 32 || n > 36)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_hex(s[i]) && s[i] != '-')
			return false;
	return true;
}

/* DNS label / subdomain characters (namespaces, pod and volume names), bounded. */
static bool dns_okn(const char *s, size_t n, size_t max, bool dots)
{
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
		      (dots && c == '.')))
			return false;
	}
	return s[0] != '.';
}

static void copy_n(char *dst, const char *src, size_t n)
{
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static uint64_t fnv(const char *s, uint64_t h)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void str_key(const char *s, uint64_t *key, uint64_t *tag)
{
	*key = fnv(s, 0xcbf29ce484222325ULL);
	*tag = fnv(s, 0x84222325cbf29ce4ULL);
}

static uint64_t hex64(const char *s)
{
	uint64_t v = 0;

	for (int i = 0; i < 16; i++)
		v = v << 4 | (uint64_t)(s[i] <= '9' ? s[i] - '0' : s[i] - 'a' + 10);
	return v;
}

static uint32_t to_kdev(dev_t d)
{
	return (uint32_t)(major(d) << 20 | (minor(d) & 0xfffff));
}

static bool transient(int err)
{
	return err == -ENOENT || err == -EBADMSG || err == -EAGAIN;
}

static unsigned int cred_of(const struct oci_info *o)
{
	unsigned int c = 0;

	if (o->cred & OCI_CRED_POD_IDENTITY)
		c |= ATTRIB_CRED_POD_IDENTITY;
	if (o->cred & OCI_CRED_IRSA)
		c |= ATTRIB_CRED_IRSA;
	if (o->cred & OCI_CRED_STATIC_KEYS)
		c |= ATTRIB_CRED_STATIC_KEYS;
	if (o->cred & OCI_CRED_ECS_RELATIVE)
		c |= ATTRIB_CRED_CONTAINER_CREDENTIALS;
	return c ? c : ATTRIB_CRED_NODE_ROLE;
}

/* ------------------------------------------------------------------------------------------ */
/* pod and log-directory caches */

static struct pod_ent *pod_get(struct attrib *a, const char *uid)
{
	uint64_t k, t;
	struct pod_ent *p;

	str_key(uid, &k, &t);
	p = lru_get(a->pods, k, t);
	return p && strcmp(p->uid, uid) == 0 ? p : NULL;
}

static struct pod_ent *pod_ensure(struct attrib *a, const char *uid)
{
	struct pod_ent *p = pod_get(a, uid);
	uint64_t k, t;

	if (p)
		return p;
	str_key(uid, &k, &t);
	p = lru_put(a->pods, k, t);
	copy_mark(p->uid, sizeof(p->uid), uid);
	p->host_network = -1;
	return p;
}

/* "<ns>_<name>_<uid>": none of the three may contain '_'. */
static bool parse_logdir(const char *d, struct logdir_ent *e)
{
	const char *u1 = strchr(d, '_'), *u2, *uid;

	if (!u1)
		return false;
	u2 = strchr(u1 + 1, '_');
	if (!u2 || strchr(u2 + 1, '_'))
		return false;
	uid = u2 + 1;
	if (!dns_okn(d, (size_t)(u1 - d), ATTRIB_NS_BUF - 1, false) ||
	    !dns_okn(u1 + 1, (size_t)(u2 - u1 - 1), ATTRIB_NAME_BUF - 1, true) ||
	    !uid_okn(uid, strlen(uid)))
		return false;
	copy_n(e->ns, d, (size_t)(u1 - d));
	copy_n(e->name, u1 + 1, (size_t)(u2 - u1 - 1));
	copy_n(e->uid, uid, strlen(uid));
	return true;
}

/*
 * Index var/log/pods. The entry for `want` (if seen) is also copied to *found, so that a scan of
 * more directories than the cache holds still answers the lookup that caused it.
 */
static bool logs_scan(struct attrib *a, uint64_t now, const char *want, struct logdir_ent *found)
{
	struct dirent *de;
	unsigned int n = 0;
	bool hit = false;
	DIR *d;
	int rc;

	a->logs_scanned = true;
	a->logs_scan_ns = now;
	a->st_logdir_scans++;
	rc = safefile_opendir(a->rootfd, "var/log/pods", 0, &d);
	if (rc) {
		if (rc != -ENOENT)
			a->st_read_errors++;
		pr_debug("attrib: var/log/pods: %s", strerror(-rc));
		return false;
	}
	while ((de = readdir(d)) && n++ < MAX_LOGDIR_SCAN) {
		struct logdir_ent e, *slot;
		uint64_t k, t;

		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if (!parse_logdir(de->d_name, &e))
			continue;
		str_key(e.uid, &k, &t);
		slot = lru_put(a->logs, k, t);
		*slot = e;
		if (!hit && strcmp(e.uid, want) == 0) {
			*found = e;
			hit = true;
		}
	}
	closedir(d);
	return hit;
}

static bool logs_lookup(struct attrib *a, const char *uid, uint64_t now, struct logdir_ent *out)
{
	struct logdir_ent *e;
	uint64_t k, t;

	str_key(uid, &k, &t);
	e = lru_get(a->logs, k, t);
	if (e && strcmp(e->uid, uid) == 0) {
		*out = *e;
		return true;
	}
	if (a->logs_scanned && now - a->logs_scan_ns < a->lim.rescan_ns)
		return false;
	return logs_scan(a, now, uid, out);
}

/* ------------------------------------------------------------------------------------------ */
/* tokens */

/*
 * Read the token at relpath (below the host root) and decode its claims. The token bytes live
 * in a stack buffer that is scrubbed before returning; *st gets the file's stat.
 */
static int read_claims(struct attrib *a, const char *relpath, struct jwt_claims *c, struct stat *st)
{
	char buf[JWT_MAX_TOKEN + 1];
	size_t len = 0;
	int fd, rc = 0;

	a->st_token_reads++;
	fd = safefile_open(a->rootfd, relpath, JWT_MAX_TOKEN, 0);
	if (fd < 0) {
		if (fd != -ENOENT)
			a->st_read_errors++;
		return fd;
	}
	if (fstat(fd, st) < 0) {
		rc = -errno;
		goto out;
	}
	while (len < sizeof(buf)) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > JWT_MAX_TOKEN) {
		rc = -EFBIG;
		goto out;
	}
	rc = jwt_decode_claims(buf, len, c);
	if (rc) {
		a->st_parse_errors++;
		pr_debug("attrib: token claims not decoded: %s", strerror(-rc));
	}
out:
	explicit_bzero(buf, len < sizeof(buf) ? len : sizeof(buf));
	close(fd);
	if (rc && rc != -EBADMSG && rc != -ELOOP && rc != -EINVAL)
		a->st_read_errors++;
	return rc;
}

/* Service account of the claims: kubernetes.io.serviceaccount.name, else from sub. */
static void claims_sa(const struct jwt_claims *c, char *out, size_t cap)
{
	static const char pfx[] = "system:serviceaccount:";
	const char *p;

	out[0] = '\0';
	if (c->serviceaccount.name[0]) {
		copy_mark(out, cap, c->serviceaccount.name);
		return;
	}
	if (strncmp(c->sub, pfx, sizeof(pfx) - 1) != 0)
		return;
	p = strchr(c->sub + sizeof(pfx) - 1, ':');
	if (p && p[1])
		copy_mark(out, cap, p + 1);
}

static void claims_ns(const struct jwt_claims *c, char *out, size_t cap)
{
	static const char pfx[] = "system:serviceaccount:";
	const char *s = c->sub + sizeof(pfx) - 1, *p;

	out[0] = '\0';
	if (c->k8s_namespace[0]) {
		copy_mark(out, cap, c->k8s_namespace);
		return;
	}
	if (strncmp(c->sub, pfx, sizeof(pfx) - 1) != 0)
		return;
	p = strchr(s, ':');
	if (p && (size_t)(p - s) < cap)
		copy_n(out, s, (size_t)(p - s));
}

/* Which token file of a projected volume names the pod's service account. */
static const char *sa_leaf(const char *vol, int *prio)
{
	if (strncmp(vol, KUBE_API_PREFIX, sizeof(KUBE_API_PREFIX) - 1) == 0) {
		*prio = 3;
		return "token";
	}
	if (strcmp(vol, IRSA_VOLUME) == 0) {
		*prio = 2;
		return "token";
	}
	if (strcmp(vol, PI_VOLUME) == 0) {
		*prio = 1;
		return PI_VOLUME;
	}
	*prio = 0;
	return NULL;
}

/* No volume known from a config.json: look at the pod's projected volumes. */
/*
 * The pod's service-account token volume (kube-api-access-*): 1 found (vol), 0 known to be
 * absent (the kubelet's volumes directory of the pod exists and holds none: a pod with
 * automountServiceAccountToken: false), -1 unknown (no such directory, yet or at all).
 */
static int find_sa_volume(struct attrib *a, const char *uid, char *vol, size_t cap)
{
	char rel[PATH_MAX];
	struct dirent *de;
	struct stat st;
	unsigned int n = 0;
	int best = 0, prio;
	DIR *d;

	snprintf(rel, sizeof(rel), KUBELET_PODS "%s/volumes/kubernetes.io~projected", uid);
	if (safefile_opendir(a->rootfd, rel, 0, &d)) {
		snprintf(rel, sizeof(rel), KUBELET_PODS "%s/volumes", uid);
		return safefile_stat(a->rootfd, rel, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
	}
	while ((de = readdir(d)) && n++ < MAX_DIR_ENTRIES) {
		size_t len = strlen(de->d_name);

		if (!dns_okn(de->d_name, len, cap - 1, true) || !sa_leaf(de->d_name, &prio))
			continue;
		if (prio > best) {
			best = prio;
			copy_n(vol, de->d_name, len);
		}
	}
	closedir(d);
	return best > 0 ? 1 : 0;
}

/* Fill pod->sa (and missing names) from a token of the pod. */
static void pod_read_sa(struct attrib *a, struct pod_ent *p, uint64_t now)
{
	char vol[ATTRIB_LABEL_BUF], rel[PATH_MAX];
	struct jwt_claims *c;
	const char *leaf;
	struct stat st;
	int prio;

	p->sa_next_ns = now + a->lim.rescan_ns;
	p->sa_absent = false;
	if (p->sa_vol[0]) {
		copy_mark(vol, sizeof(vol), p->sa_vol);
	} else {
		int r = find_sa_volume(a, p->uid, vol, sizeof(vol));

		p->sa_absent = r == 0;
		if (r <= 0)
			return;
	}
	leaf = sa_leaf(vol, &prio);
	if (!leaf)
		leaf = "token";
	snprintf(rel, sizeof(rel), KUBELET_PODS "%s" PROJECTED "%s/..data/%s", p->uid, vol, leaf);
	c = malloc(sizeof(*c));
	if (!c)
		return;
	if (read_claims(a, rel, c, &st) == 0) {
		if (c->pod.uid[0] && strcmp(c->pod.uid, p->uid) != 0) {
			p->sa_conflict = true;
			pr_debug("attrib: pod %s: token names another pod", p->uid);
		} else {
			claims_sa(c, p->sa, sizeof(p->sa));
			if (!p->ns[0] && c->pod.name[0]) {
				claims_ns(c, p->ns, sizeof(p->ns));
				copy_mark(p->name, sizeof(p->name), c->pod.name);
				p->name_src = ATTRIB_SRC_SA_TOKEN;
			}
		}
	}
	explicit_bzero(c, sizeof(*c));
	free(c);
}

/* ------------------------------------------------------------------------------------------ */
/* containers */

static void netns_note(struct attrib *a, uint32_t ino, const char *uid)
{
	struct netns_ent *n = lru_put(a->netns, ino, 0);

	copy_mark(n->uid, sizeof(n->uid), uid);
}

static int read_spec(struct attrib *a, const char *id, enum cg_runtime rt, enum cg_runtime *found,
		     char **buf, size_t *len)
{
	static const struct {
		enum cg_runtime rt;
		const char *fmt;
	} specs[] = { { CG_RT_CONTAINERD, CONTAINERD_SPEC }, { CG_RT_CRIO, CRIO_SPEC } };
	int err = -ENOENT;

	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		char rel[256];
		int rc;

		if ((rt == CG_RT_CONTAINERD || rt == CG_RT_CRIO) && rt != specs[i].rt)
			continue;
		snprintf(rel, sizeof(rel), specs[i].fmt, id);
		a->st_config_reads++;
		rc = safefile_read(a->rootfd, rel, a->lim.max_config_bytes, buf, len);
		if (rc == 0) {
			*found = specs[i].rt;
			return 0;
		}
		if (rc != -ENOENT) {
			a->st_read_errors++;
			if (rc == -ELOOP || rc == -EFBIG || rc == -EXDEV || rc == -EINVAL)
				a->st_refused++;
			if (err == -ENOENT)
				err = rc;
		}
	}
	return err;
}

/* (Re)load e (whose id is set) from its config.json. */
static void cont_load(struct attrib *a, struct cont_ent *e, enum cg_runtime rt, uint64_t now)
{
	struct oci_info *o = a->oci;
	enum cg_runtime found = CG_RT_UNKNOWN;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	rc = read_spec(a, e->id, rt, &found, &buf, &len);
	if (rc == 0) {
		rc = oci_parse(buf, len, o);
		/* the spec holds the container's environment: secret values too */
		explicit_bzero(buf, len);
		free(buf);
		if (rc) {
			a->st_parse_errors++;
			pr_debug("attrib: container %.12s: config.json not parsed: %s", e->id,
				 strerror(-rc));
		}
	} else {
		pr_debug("attrib: container %.12s: config.json: %s", e->id, strerror(-rc));
	}
	if (rc) {
		uint64_t d;

		e->state = CE_FAIL;
		e->err = rc;
		d = a->lim.retry_min_ns << (e->attempts < MAX_RETRY_SHIFT ? e->attempts : 16);
		if (d > a->lim.retry_max_ns || d < a->lim.retry_min_ns)
			d = a->lim.retry_max_ns;
		if (e->attempts < UINT8_MAX)
			e->attempts++;
		e->next_ns = now + d;
		/*
		 * One more look when the pending window closes: that is when an event held back
		 * for this container is written, and a backoff step past it would make the hold's
		 * last part useless (50, 150, 350, 750 ms, then 1550 ms).
		 */
		if (now - e->first_ns < a->lim.pending_ns &&
		    e->next_ns - e->first_ns > a->lim.pending_ns)
			e->next_ns = e->first_ns + a->lim.pending_ns;
		return;
	}
	e->state = CE_OK;
	e->err = 0;
	e->rt = (uint8_t)found;
	e->ctype = (uint8_t)o->ctype;
	e->cred = (uint8_t)cred_of(o);
	e->secret_env = (uint8_t)o->secret_env;
	/* hostNetwork from the spec: a sandbox's (no network namespace: the node's). A
	 * container's spec joins the sandbox's namespace by path (containerd writes
	 * /proc/<sandbox pid>/ns/net for hostNetwork pods too): it says nothing either way. */
	e->host_network = o->flavour == OCI_FLAVOUR_UNKNOWN		      ? -1
			  : o->ctype != OCI_CTYPE_SANDBOX && o->netns_path[0] ? -1
									      : o->host_network;
	copy_mark(e->name, sizeof(e->name), o->container_name);
	copy_mark(e->image, sizeof(e->image), o->image);
	if (o->cred & OCI_CRED_IRSA)
		copy_mark(e->role_arn, sizeof(e->role_arn), o->role_arn);
	if (o->pod_uid[0] && e->pod_uid[0] && strcmp(o->pod_uid, e->pod_uid) != 0) {
		e->flags |= CE_F_UID_CONFLICT;
		pr_debug("attrib: container %.12s: config.json names another pod", e->id);
	} else {
		if (dns_okn(o->pod_namespace, strlen(o->pod_namespace), ATTRIB_NS_BUF - 1, false))
			copy_mark(e->pod_ns, sizeof(e->pod_ns), o->pod_namespace);
		if (e->pod_ns[0])
			copy_mark(e->pod_name, sizeof(e->pod_name), o->pod_name);
		for (unsigned int i = 0; i < o->n_mounts; i++) {
			const struct oci_token_mount *m = &o->mounts[i];

			if (strncmp(m->volume, KUBE_API_PREFIX, sizeof(KUBE_API_PREFIX) - 1) == 0 &&
			    dns_okn(m->volume, strlen(m->volume), ATTRIB_LABEL_BUF - 1, true)) {
				copy_mark(e->sa_vol, sizeof(e->sa_vol), m->volume);
				break;
			}
		}
	}
	/* Pod-level facts go to the pod entry as well (another LRU: e stays valid). */
	if (e->pod_uid[0] && !(e->flags & CE_F_UID_CONFLICT)) {
		struct pod_ent *p = pod_ensure(a, e->pod_uid);

		/* the sandbox holds the pod's network namespace: its file below the host root
		 * (a bind mount of the netns, /var/run/netns/...), or none (hostNetwork) */
		if (o->ctype == OCI_CTYPE_SANDBOX && o->flavour != OCI_FLAVOUR_UNKNOWN) {
			struct stat st;

			if (o->host_network && a->host_netns != HOST_NETNS_UNSET)
				p->netns_ino = (uint32_t)a->host_netns;
			else if (o->netns_path[0] && !safefile_stat(a->rootfd, o->netns_path, &st))
				p->netns_ino = (uint32_t)st.st_ino;
			if (p->netns_ino && !o->host_network)
				netns_note(a, p->netns_ino, e->pod_uid);
		}

		if (!p->ns[0] && e->pod_ns[0]) {
			copy_mark(p->ns, sizeof(p->ns), e->pod_ns);
			copy_mark(p->name, sizeof(p->name), e->pod_name);
			p->name_src = ATTRIB_SRC_OCI_SPEC;
		}
		if (!p->sa_vol[0] && e->sa_vol[0]) {
			copy_mark(p->sa_vol, sizeof(p->sa_vol), e->sa_vol);
			p->sa_next_ns = 0;
		}
		if (o->ctype == OCI_CTYPE_SANDBOX && e->host_network >= 0)
			p->host_network = e->host_network; /* the sandbox's word is the pod's */
		else if (p->host_network < 0)
			p->host_network = e->host_network;
	}
}

/*
 * The cache entry for container id of pod uid, loading or retrying its config.json when due.
 * *fresh: the entry was created now. The pointer is valid until the next lru_put on a->cont.
 */
static struct cont_ent *cont_resolve(struct attrib *a, const char *id, enum cg_runtime rt,
				     const char *uid, uint64_t now, bool *fresh)
{
	struct cont_ent *e = lru_get(a->cont, hex64(id), hex64(id + 16));

	*fresh = false;
	if (e && strcmp(e->id, id) == 0) {
		if (e->state == CE_FAIL && now >= e->next_ns)
			cont_load(a, e, rt, now);
		return e;
	}
	e = lru_put(a->cont, hex64(id), hex64(id + 16));
	*fresh = true;
	copy_n(e->id, id, CG_CONTAINER_ID_LEN);
	copy_mark(e->pod_uid, sizeof(e->pod_uid), uid);
	e->first_ns = now;
	e->host_network = -1;
	cont_load(a, e, rt, now);
	return e;
}

void attrib_forget_container(struct attrib *a, const char *id)
{
	struct cont_ent *e;
	struct pod_ent *p;
	char uid[ATTRIB_UID_BUF];

	if (!a || !id || !id_ok(id))
		return;
	e = lru_get(a->cont, hex64(id), hex64(id + 16));
	if (!e || strcmp(e->id, id) != 0)
		return;
	memcpy(uid, e->pod_uid, sizeof(uid));
	lru_del(a->cont, hex64(id), hex64(id + 16));
	p = uid[0] ? pod_get(a, uid) : NULL;
	if (p)
		p->union_next_ns = 0;
}

/*
 * The association a pod's projected volumes show, whatever its running containers' variables
 * say (a container the webhook skipped, the configured one crash-looping): the
 * eks-pod-identity-token volume (Pod Identity), aws-iam-token (IRSA). *listed: the directory
 * could be read.
 */
static uint8_t pod_volume_cred(struct attrib *a, const char *uid, bool *listed)
{
	char rel[PATH_MAX];
	struct dirent *de;
	unsigned int n = 0;
	uint8_t cred = 0;
	DIR *d;

	*listed = false;
	snprintf(rel, sizeof(rel), KUBELET_PODS "%s/volumes/kubernetes.io~projected", uid);
	if (safefile_opendir(a->rootfd, rel, 0, &d))
		return 0;
	*listed = true;
	while ((de = readdir(d)) && n++ < MAX_DIR_ENTRIES) {
		if (!strcmp(de->d_name, PI_VOLUME))
			cred |= ATTRIB_CRED_POD_IDENTITY;
		else if (!strcmp(de->d_name, IRSA_VOLUME))
			cred |= ATTRIB_CRED_IRSA;
	}
	closedir(d);
	return cred;
}

/*
 * Recompute the pod's credential union from the container cgroups in poddir (relative to the
 * cgroup2 mount).
 */
static void pod_union(struct attrib *a, const char *poddir, const char *uid, uint64_t now)
{
	unsigned int cred = 0, n = 0, seen = 0;
	char arn[ATTRIB_ARN_BUF] = "";
	uint64_t next = now + UNION_REFRESH_MULT * a->lim.rescan_ns;
	bool valid = a->cgfd >= 0, pi = false;
	struct dirent *de;
	struct pod_ent *p;
	DIR *d = NULL;

	if (valid && safefile_opendir(a->cgfd, poddir, 0, &d)) {
		valid = false;
		d = NULL;
	}
	while (d && (de = readdir(d)) && n++ < MAX_DIR_ENTRIES) {
		char path[CG_PATH_MAX + 1];
		struct cont_ent *e;
		struct cg_info ci;
		bool fresh;

		if (de->d_name[0] == '.' || (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", poddir, de->d_name) >=
		    sizeof(path))
			continue;
		if (cg_parse(path, &ci) || ci.cls != CG_CLASS_CONTAINER ||
		    strcmp(ci.pod_uid, uid) != 0)
			continue;
		if (++seen > MAX_SIBLINGS) {
			valid = false;
			break;
		}
		e = cont_resolve(a, ci.container_id, ci.runtime, uid, now, &fresh);
		if (e->state != CE_OK) {
			valid = false;
			if (e->next_ns < next)
				next = e->next_ns;
			continue;
		}
		if (e->ctype == OCI_CTYPE_SANDBOX || (e->flags & CE_F_UID_CONFLICT))
			continue;
		cred |= e->cred;
		if (e->cred & ATTRIB_CRED_POD_IDENTITY)
			pi = true;
		if ((e->cred & ATTRIB_CRED_IRSA) && !arn[0])
			copy_mark(arn, sizeof(arn), e->role_arn);
	}
	if (d)
		closedir(d);
	if (!valid && next > now + a->lim.rescan_ns)
		next = now + a->lim.rescan_ns;
	p = pod_ensure(a, uid);
	p->vol_cred = pod_volume_cred(a, uid, &p->vol_listed);
	p->cred = (uint8_t)cred;
	p->pi_assoc = pi;
	p->union_valid = valid;
	p->union_next_ns = next;
	copy_mark(p->role_arn, sizeof(p->role_arn), arn);
}

/* ------------------------------------------------------------------------------------------ */
/* workload */

static const char *ctype_name(uint8_t t)
{
	return oci_ctype_str((enum oci_ctype)t);
}

int attrib_workload(struct attrib *a, const char *cgroup_path, uint32_t netns_ino, uint64_t now_ns,
		    struct attrib_result *out)
{
	struct cont_ent *e;
	struct pod_ent *p;
	struct cg_info cg;
	bool fresh = false, self_ok = false;
	unsigned int self_cred = 0;
	int8_t oci_hostnet = -1;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->host_network = -1;
	out->runtime = "unknown";
	out->type = "unknown";
	if (!a)
		return -EINVAL;
	if (!cgroup_path) {
		out->missing |= ATTRIB_SRC_CGROUP;
		goto done;
	}
	cg_parse(cgroup_path, &cg);
	if (cg.cls == CG_CLASS_HOST) {
		out->host = true;
		out->sources |= ATTRIB_SRC_CGROUP;
		goto done;
	}
	if (cg.cls == CG_CLASS_UNKNOWN) {
		out->missing |= ATTRIB_SRC_CGROUP;
		if (!cg.pod_uid[0])
			goto done;
	} else {
		out->sources |= ATTRIB_SRC_CGROUP;
	}
	if (cg.nested)
		out->conflicts |= ATTRIB_CONFLICT_NESTED;
	if (cg.container_id[0]) {
		out->has_container = true;
		memcpy(out->container_id, cg.container_id, sizeof(cg.container_id));
		out->runtime = cg_runtime_str(cg.runtime);
		out->type = cg.cls == CG_CLASS_CONMON ? "conmon" : "container";
	}
	if (cg.cls == CG_CLASS_DOCKER)
		goto done; /* not Kubernetes: no spec under k8s.io, no pod */

	out->has_pod = true;
	memcpy(out->pod_uid, cg.pod_uid, sizeof(out->pod_uid));

	/* The container itself: copied out before anything else is inserted. */
	if (cg.cls == CG_CLASS_CONTAINER) {
		e = cont_resolve(a, cg.container_id, cg.runtime, cg.pod_uid, now_ns, &fresh);
		if (e->state == CE_OK) {
			self_ok = true;
			out->sources |= ATTRIB_SRC_OCI_SPEC;
			if (cg.runtime == CG_RT_UNKNOWN || cg.runtime == CG_RT_DOCKER)
				out->runtime = cg_runtime_str((enum cg_runtime)e->rt);
			out->type = ctype_name(e->ctype);
			memcpy(out->container_name, e->name, sizeof(e->name));
			memcpy(out->image, e->image, sizeof(e->image));
			memcpy(out->role_arn, e->role_arn, sizeof(e->role_arn));
			self_cred = e->ctype == OCI_CTYPE_SANDBOX ? 0 : e->cred;
			out->container_cred = e->ctype == OCI_CTYPE_SANDBOX ? 0 : e->cred;
			out->static_key_env = e->secret_env;
			oci_hostnet = e->host_network;
			if (e->flags & CE_F_UID_CONFLICT) {
				out->conflicts |= ATTRIB_CONFLICT_POD_UID;
			} else if (e->pod_ns[0]) {
				memcpy(out->pod_namespace, e->pod_ns, sizeof(e->pod_ns));
				memcpy(out->pod_name, e->pod_name, sizeof(e->pod_name));
			}
		} else {
			out->missing |= ATTRIB_SRC_OCI_SPEC;
			out->pending =
				transient(e->err) && now_ns - e->first_ns < a->lim.pending_ns;
			out->retry_at_ns = e->next_ns;
		}
	}

	/* The pod's other containers. */
	p = pod_ensure(a, cg.pod_uid);
	if (fresh)
		p->union_next_ns = 0;
	/* A nested hierarchy makes the directory layout untrustworthy: no listing then. */
	if (cg.cls != CG_CLASS_UNKNOWN && !cg.nested && now_ns >= p->union_next_ns) {
		char poddir[CG_PATH_MAX + 1];
		const char *path = cgroup_path;
		size_t n;

		while (*path == '/')
			path++;
		n = strnlen(path, CG_PATH_MAX);
		while (n && path[n - 1] == '/')
			n--;
		if (cg.cls != CG_CLASS_POD)
			while (n && path[n - 1] != '/')
				n--;
		while (n && path[n - 1] == '/')
			n--;
		copy_n(poddir, path, n);
		pod_union(a, poddir, cg.pod_uid, now_ns);
		p = pod_ensure(a, cg.pod_uid);
	}
	out->spec_cred = p->cred | self_cred;
	out->pod_cred = p->cred | self_cred | p->vol_cred;
	out->volume_cred = p->vol_cred;
	out->pod_identity_associated = p->pi_assoc || (self_cred & ATTRIB_CRED_POD_IDENTITY) ||
				       (p->vol_cred & ATTRIB_CRED_POD_IDENTITY);
	if (p->vol_cred)
		out->sources |= ATTRIB_SRC_VOLUMES;
	if (p->union_valid && !cg.nested && (self_ok || cg.cls != CG_CLASS_CONTAINER))
		out->sources |= ATTRIB_SRC_SIBLINGS;
	else if (cg.cls != CG_CLASS_UNKNOWN)
		out->missing |= ATTRIB_SRC_SIBLINGS;
	if (!out->role_arn[0] || !(self_cred & ATTRIB_CRED_IRSA))
		memcpy(out->role_arn, p->role_arn, sizeof(p->role_arn));

	/* Names: the spec, else the pod entry (another container's spec or a token), else the
	 * log directory. */
	if (!out->pod_namespace[0] && p->ns[0]) {
		memcpy(out->pod_namespace, p->ns, sizeof(p->ns));
		memcpy(out->pod_name, p->name, sizeof(p->name));
		out->sources |= p->name_src;
	}
	if (!out->pod_namespace[0]) {
		struct logdir_ent le;

		if (logs_lookup(a, cg.pod_uid, now_ns, &le)) {
			memcpy(out->pod_namespace, le.ns, sizeof(le.ns));
			memcpy(out->pod_name, le.name, sizeof(le.name));
			copy_mark(p->ns, sizeof(p->ns), le.ns);
			copy_mark(p->name, sizeof(p->name), le.name);
			p->name_src = ATTRIB_SRC_POD_LOGS;
			out->sources |= ATTRIB_SRC_POD_LOGS;
		} else {
			out->missing |= ATTRIB_SRC_POD_LOGS;
		}
	}

	/* Service account. */
	if (!p->sa[0] && !p->sa_conflict && now_ns >= p->sa_next_ns)
		pod_read_sa(a, p, now_ns);
	if (p->sa_conflict)
		out->conflicts |= ATTRIB_CONFLICT_POD_UID;
	if (p->sa[0]) {
		memcpy(out->service_account, p->sa, sizeof(p->sa));
		out->sources |= ATTRIB_SRC_SA_TOKEN;
	} else if (p->sa_absent && !p->sa_vol[0]) {
		/* automountServiceAccountToken: false - nothing on the node names the account */
		out->sa_absent = true;
	} else {
		out->missing |= ATTRIB_SRC_SA_TOKEN;
	}
	if (!out->pod_namespace[0] && p->ns[0]) {
		memcpy(out->pod_namespace, p->ns, sizeof(p->ns));
		memcpy(out->pod_name, p->name, sizeof(p->name));
		out->sources |= p->name_src;
	}
	if (out->pod_namespace[0])
		out->missing &= ~(unsigned int)ATTRIB_SRC_POD_LOGS;

	/* hostNetwork: the process's own netns, else what the spec says. */
	if (netns_ino && a->host_netns != HOST_NETNS_UNSET) {
		out->host_network = netns_ino == (uint32_t)a->host_netns;
		out->sources |= ATTRIB_SRC_NETNS;
	} else {
		out->host_network = oci_hostnet >= 0 ? oci_hostnet : p->host_network;
		out->missing |= ATTRIB_SRC_NETNS;
	}
	/* The pod's network namespace is the sandbox's: a process of the pod in another one
	 * entered it (setns), or is not what its cgroup says. */
	if (netns_ino && p->netns_ino && netns_ino != p->netns_ino) {
		struct netns_ent *n = lru_get(a->netns, netns_ino, 0);

		out->conflicts |= ATTRIB_CONFLICT_NETNS;
		if (n)
			memcpy(out->netns_pod_uid, n->uid, sizeof(n->uid));
	}
done:
	/* a host process in a pod's network namespace */
	if (out->host && netns_ino && a->host_netns != HOST_NETNS_UNSET &&
	    netns_ino != (uint32_t)a->host_netns) {
		struct netns_ent *n = lru_get(a->netns, netns_ino, 0);

		if (n) {
			out->conflicts |= ATTRIB_CONFLICT_NETNS;
			memcpy(out->netns_pod_uid, n->uid, sizeof(n->uid));
		}
	}
	out->complete = !out->missing && !out->conflicts;
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* file owner */

/* mountinfo octal escapes (\040 ...) in place. */
static void unescape(char *s)
{
	char *o = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
}

/*
 * "<...>var/lib/kubelet/pods/<uid>/volumes/kubernetes.io~projected/<vol>[/<rest>]" starting at
 * s: fill uid and vol. exact: nothing may follow <vol>.
 */
static bool parse_volume_path(const char *s, size_t len, bool exact, char *uid, char *vol)
{
	const char *end = s + len, *u, *v, *ve, *p;
	size_t kl = sizeof(KUBELET_PODS) - 1, pl = sizeof(PROJECTED) - 1;

	if (len < kl || memcmp(s, KUBELET_PODS, kl) != 0)
		return false;
	u = s + kl;
	p = memchr(u, '/', (size_t)(end - u));
	if (!p || !uid_okn(u, (size_t)(p - u)) || (size_t)(end - p) < pl ||
	    memcmp(p, PROJECTED, pl) != 0)
		return false;
	v = p + pl;
	ve = memchr(v, '/', (size_t)(end - v));
	if (!ve)
		ve = end;
	else if (exact)
		return false;
	if (!dns_okn(v, (size_t)(ve - v), ATTRIB_LABEL_BUF - 1, true))
		return false;
	copy_n(uid, u, (size_t)(p - u));
	copy_n(vol, v, (size_t)(ve - v));
	return true;
}

/* Index the projected-volume mounts; the one on `want` is also copied to *found. */
static bool mi_read(struct attrib *a, uint64_t now, uint32_t want, struct vol_ent *found)
{
	bool hit = false;
	char *line = NULL;
	size_t cap = 0;
	unsigned int n = 0;
	ssize_t len;
	FILE *f;

	a->mi_read = true;
	a->mi_read_ns = now;
	a->st_mountinfo_reads++;
	f = fopen(a->mountinfo, "re");
	if (!f) {
		a->st_read_errors++;
		pr_debug("attrib: %s: %s", a->mountinfo, strerror(errno));
		return false;
	}
	while ((len = getline(&line, &cap, f)) > 0 && n++ < MAX_MI_LINES) {
		char *fld[5], *sp = NULL, *mp, uid[ATTRIB_UID_BUF], vol[ATTRIB_LABEL_BUF];
		unsigned int maj, min;
		struct vol_ent *v;
		uint32_t kdev;
		int i;

		if (len > MAX_MI_LINE)
			continue;
		for (i = 0; i < 5; i++) {
			fld[i] = strtok_r(i ? NULL : line, " \n", &sp);
			if (!fld[i])
				break;
		}
		if (i < 5 || sscanf(fld[2], "%u:%u", &maj, &min) != 2)
			continue;
		mp = fld[4];
		unescape(mp);
		if (strncmp(mp, a->prefix, a->prefix_len) != 0 || mp[a->prefix_len] != '/')
			continue;
		mp += a->prefix_len + 1;
		if (!parse_volume_path(mp, strlen(mp), true, uid, vol))
			continue;
		kdev = (uint32_t)(maj << 20 | (min & 0xfffff));
		v = lru_put(a->vols, kdev, 0);
		copy_mark(v->uid, sizeof(v->uid), uid);
		copy_mark(v->vol, sizeof(v->vol), vol);
		v->src = ATTRIB_SRC_MOUNTINFO;
		if (kdev == want) {
			*found = *v;
			hit = true;
		}
	}
	free(line);
	fclose(f);
	return hit;
}

static bool vol_lookup(struct attrib *a, uint32_t kdev, uint64_t now, struct vol_ent *out)
{
	struct vol_ent *v = lru_get(a->vols, kdev, 0);

	if (v) {
		*out = *v;
		return true;
	}
	if (a->mi_read && now - a->mi_read_ns < a->lim.rescan_ns)
		return false;
	return mi_read(a, now, kdev, out);
}

/* The volume directory below the host root is on device kdev. */
static bool volume_dev_is(struct attrib *a, const char *uid, const char *vol, uint32_t kdev)
{
	char rel[PATH_MAX];
	struct stat st;
	bool ok;
	DIR *d;

	snprintf(rel, sizeof(rel), KUBELET_PODS "%s" PROJECTED "%s", uid, vol);
	if (safefile_opendir(a->rootfd, rel, 0, &d))
		return false;
	ok = fstat(dirfd(d), &st) == 0 && to_kdev(st.st_dev) == kdev;
	closedir(d);
	return ok;
}

int attrib_file_owner(struct attrib *a, uint32_t kdev, const char *path, size_t path_len,
		      uint64_t now_ns, struct attrib_owner *out)
{
	struct vol_ent ve, *v;
	struct pod_ent *p;
	struct logdir_ent le;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!a)
		return -EINVAL;
	if (kdev && vol_lookup(a, kdev, now_ns, &ve)) {
		out->found = out->verified = true;
		out->sources = ve.src;
		memcpy(out->pod_uid, ve.uid, sizeof(ve.uid));
		memcpy(out->volume, ve.vol, sizeof(ve.vol));
	} else if (path) {
		const char *s = path, *end = path + strnlen(path, path_len), *hit = NULL;

		/* The last ".../var/lib/kubelet/pods/" in the path, at a component start. */
		while (s < end) {
			const char *m = memmem(s, (size_t)(end - s), KUBELET_PODS,
					       sizeof(KUBELET_PODS) - 1);

			if (!m)
				break;
			if (m == path || m[-1] == '/')
				hit = m;
			s = m + 1;
		}
		if (hit &&
		    parse_volume_path(hit, (size_t)(end - hit), false, out->pod_uid, out->volume)) {
			out->found = true;
			out->sources = ATTRIB_SRC_PATH;
			if (kdev && volume_dev_is(a, out->pod_uid, out->volume, kdev)) {
				out->verified = true;
				v = lru_put(a->vols, kdev, 0);
				memcpy(v->uid, out->pod_uid, sizeof(v->uid));
				memcpy(v->vol, out->volume, sizeof(v->vol));
				v->src = ATTRIB_SRC_PATH;
			}
		}
	}
	if (!out->found)
		return -ENOENT;
	p = pod_get(a, out->pod_uid);
	if (p && p->ns[0]) {
		memcpy(out->pod_namespace, p->ns, sizeof(p->ns));
		memcpy(out->pod_name, p->name, sizeof(p->name));
		out->sources |= p->name_src;
	} else if (logs_lookup(a, out->pod_uid, now_ns, &le)) {
		memcpy(out->pod_namespace, le.ns, sizeof(le.ns));
		memcpy(out->pod_name, le.name, sizeof(le.name));
		out->sources |= ATTRIB_SRC_POD_LOGS;
	}
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* token */

static bool leaf_ok(const char *s)
{
	size_t n;

	if (!s || s[0] == '.' || !s[0])
		return false;
	n = strnlen(s, NAME_MAX + 1);
	return n <= NAME_MAX && !memchr(s, '/', n);
}

int attrib_token(struct attrib *a, uint32_t kdev, uint64_t ino, const char *leaf_name,
		 uint64_t now_ns, struct attrib_token *out)
{
	char rel[PATH_MAX];
	struct jwt_claims *c = NULL;
	struct tok_ent *te;
	struct vol_ent v;
	struct stat st;
	int rc;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!a || !leaf_ok(leaf_name)) {
		out->err = -EINVAL;
		return -EINVAL;
	}
	te = lru_get(a->toks, kdev, ino);
	if (te && (te->t.found || now_ns < te->next_ns)) {
		*out = te->t;
		return out->found ? 0 : out->err;
	}
	if (!vol_lookup(a, kdev, now_ns, &v)) {
		rc = -ENOENT;
		goto fail;
	}
	snprintf(rel, sizeof(rel), KUBELET_PODS "%s" PROJECTED "%s/..data/%s", v.uid, v.vol,
		 leaf_name);
	c = malloc(sizeof(*c));
	if (!c) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = read_claims(a, rel, c, &st);
	if (rc)
		goto fail;
	/* Only a file on the same tmpfs is the opened token (or its rotated successor). */
	if (to_kdev(st.st_dev) != kdev) {
		rc = -EXDEV;
		goto fail;
	}
	out->found = true;
	out->inode_matched = (uint64_t)st.st_ino == ino;
	out->kind = jwt_classify_audience(c);
	for (unsigned int i = 0; i < c->aud_count && i < JWT_MAX_AUD; i++)
		copy_mark(out->aud[out->n_aud++], ATTRIB_AUD_BUF, c->aud[i]);
	claims_sa(c, out->service_account, sizeof(out->service_account));
	claims_ns(c, out->pod_namespace, sizeof(out->pod_namespace));
	copy_mark(out->pod_name, sizeof(out->pod_name), c->pod.name);
	if (uid_okn(c->pod.uid, strlen(c->pod.uid)))
		copy_mark(out->pod_uid, sizeof(out->pod_uid), c->pod.uid);
	out->has_exp = c->has_exp;
	out->exp = c->exp;
	explicit_bzero(c, sizeof(*c));
	free(c);
	if (out->inode_matched) {
		te = lru_put(a->toks, kdev, ino);
		te->t = *out;
	}
	return 0;
fail:
	if (c) {
		explicit_bzero(c, sizeof(*c));
		free(c);
	}
	out->err = rc;
	te = lru_put(a->toks, kdev, ino);
	te->t = *out;
	te->next_ns = now_ns + a->lim.rescan_ns;
	return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* names and stats */

/* one name per bit, indexed by the bit's position */
static const char *const source_names[] = {
	"cgroup",   "oci_spec",	 "pod_logs", "sa_token", "netns",
	"siblings", "mountinfo", "path",     "volumes",	 "credfiles",
};
static const char *const cred_names[] = {
	"pod_identity", "irsa", "static_keys", "container_credentials", "node_role",
};
static const char *const conflict_names[] = { "pod_uid", "nested_cgroup", "netns", "cgroup_moved" };

static const char *bit_name(const char *const *tbl, size_t n, unsigned int bit)
{
	if (!bit || (bit & (bit - 1)))
		return NULL; /* not exactly one bit */
	return names_of(tbl, n, __builtin_ctz(bit), NULL);
}

const char *attrib_source_str(unsigned int bit)
{
	return bit_name(source_names, NAMES_COUNT(source_names), bit);
}

const char *attrib_cred_str(unsigned int bit)
{
	return bit_name(cred_names, NAMES_COUNT(cred_names), bit);
}

const char *attrib_conflict_str(unsigned int bit)
{
	return bit_name(conflict_names, NAMES_COUNT(conflict_names), bit);
}

static struct attrib_cache_stats cache_stats(const struct lru *l)
{
	return (struct attrib_cache_stats){ lru_count(l), lru_capacity(l), lru_evictions(l) };
}

size_t attrib_memory_bytes(const struct attrib *a)
{
	if (!a)
		return 0;
	return sizeof(*a) + sizeof(*a->oci) + lru_bytes(a->cont) + lru_bytes(a->pods) +
	       lru_bytes(a->vols) + lru_bytes(a->toks) + lru_bytes(a->logs) + lru_bytes(a->netns);
}

void attrib_stats(const struct attrib *a, struct attrib_stats *out)
{
	*out = (struct attrib_stats){
		.containers = cache_stats(a->cont),
		.pods = cache_stats(a->pods),
		.volumes = cache_stats(a->vols),
		.tokens = cache_stats(a->toks),
		.pod_logs = cache_stats(a->logs),
		.config_reads = a->st_config_reads,
		.token_reads = a->st_token_reads,
		.read_errors = a->st_read_errors,
		.refused = a->st_refused,
		.parse_errors = a->st_parse_errors,
		.logdir_scans = a->st_logdir_scans,
		.mountinfo_reads = a->st_mountinfo_reads,
		.memory_bytes = attrib_memory_bytes(a),
	};
}

/* ------------------------------------------------------------------------------------------ */
/* lifetime */

static size_t or_def(size_t v, size_t d)
{
	return v ? v : d;
}

struct attrib *attrib_new(const char *host_root, const struct attrib_limits *lim)
{
	struct attrib_limits l = { 0 };
	struct attrib *a;
	char proc[PATH_MAX];
	struct stat st;
	int err;

	if (!host_root) {
		errno = EINVAL;
		return NULL;
	}
	if (lim)
		l = *lim;
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->rootfd = a->cgfd = -1;
	l.max_containers = or_def(l.max_containers, DEF_MAX_CONTAINERS);
	l.max_pods = or_def(l.max_pods, DEF_MAX_PODS);
	l.max_volumes = or_def(l.max_volumes, DEF_MAX_VOLUMES);
	l.max_tokens = or_def(l.max_tokens, DEF_MAX_TOKENS);
	l.max_logdirs = or_def(l.max_logdirs, DEF_MAX_LOGDIRS);
	if (!l.max_config_bytes || l.max_config_bytes > OCI_MAX_INPUT)
		l.max_config_bytes = OCI_MAX_INPUT;
	l.retry_min_ns = l.retry_min_ns ? l.retry_min_ns : DEF_RETRY_MIN_NS;
	l.retry_max_ns = l.retry_max_ns ? l.retry_max_ns : DEF_RETRY_MAX_NS;
	if (l.retry_max_ns < l.retry_min_ns)
		l.retry_max_ns = l.retry_min_ns;
	l.pending_ns = l.pending_ns ? l.pending_ns : DEF_PENDING_NS;
	l.rescan_ns = l.rescan_ns ? l.rescan_ns : DEF_RESCAN_NS;
	a->lim = l;
	/* Pointers of the caller's struct are not kept. */
	a->lim.cgroup_mount = a->lim.mountinfo_path = a->lim.mount_prefix = a->lim.proc_root = NULL;

	a->rootfd = open(host_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (a->rootfd < 0)
		goto fail;
	if (l.cgroup_mount) {
		a->cgfd = open(l.cgroup_mount, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (a->cgfd < 0)
			goto fail;
	}
	if ((size_t)snprintf(a->mountinfo, sizeof(a->mountinfo), "%s",
			     l.mountinfo_path ? l.mountinfo_path : "/proc/self/mountinfo") >=
	    sizeof(a->mountinfo)) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	if (l.mount_prefix) {
		if (strlen(l.mount_prefix) >= sizeof(a->prefix)) {
			errno = ENAMETOOLONG;
			goto fail;
		}
		strcpy(a->prefix, l.mount_prefix);
	} else if (!realpath(host_root, a->prefix)) {
		goto fail;
	}
	a->prefix_len = strlen(a->prefix);
	while (a->prefix_len && a->prefix[a->prefix_len - 1] == '/')
		a->prefix[--a->prefix_len] = '\0';

	a->host_netns = HOST_NETNS_UNSET;
	if (l.host_netns_ino) {
		a->host_netns = l.host_netns_ino;
	} else {
		snprintf(proc, sizeof(proc), "%s/1/ns/net", l.proc_root ? l.proc_root : "/proc");
		if (stat(proc, &st) == 0)
			a->host_netns = (uint64_t)st.st_ino;
		else
			pr_debug("attrib: %s: %s (hostNetwork from the spec only)", proc,
				 strerror(errno));
	}

	a->oci = malloc(sizeof(*a->oci));
	a->cont = lru_new(l.max_containers, sizeof(struct cont_ent));
	a->pods = lru_new(l.max_pods, sizeof(struct pod_ent));
	a->vols = lru_new(l.max_volumes, sizeof(struct vol_ent));
	a->toks = lru_new(l.max_tokens, sizeof(struct tok_ent));
	a->logs = lru_new(l.max_logdirs, sizeof(struct logdir_ent));
	a->netns = lru_new(l.max_pods, sizeof(struct netns_ent));
	if (!a->oci || !a->cont || !a->pods || !a->vols || !a->toks || !a->logs || !a->netns) {
		errno = ENOMEM;
		goto fail;
	}
	return a;
fail:
	err = errno;
	attrib_free(a);
	errno = err;
	return NULL;
}

void attrib_free(struct attrib *a)
{
	if (!a)
		return;
	if (a->rootfd >= 0)
		close(a->rootfd);
	if (a->cgfd >= 0)
		close(a->cgfd);
	free(a->oci);
	lru_free(a->cont);
	lru_free(a->pods);
	lru_free(a->vols);
	lru_free(a->toks);
	lru_free(a->logs);
	lru_free(a->netns);
	free(a);
}
