// SPDX-License-Identifier: GPL-2.0
/*
 * credfiles: credential files by inode, from node state, into the BPF map cw_credfiles. See
 * credfiles.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "credwatch_abi.h"
#include "enrich/cgroup_parse.h"
#include "enrich/cgroups.h"
#include "enrich/credfiles.h"
#include "enrich/filekind.h"
#include "enrich/ocispec.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/lru.h"
#include "util/safefile.h"

#define DEF_CAPACITY	 8192
#define DEF_RETIRED_KEEP (24ull * 3600 * 1000000000ull)
#define MAX_WALK_DEPTH	 16
#define MAX_WALK_DIRS	 16384 /* cgroup directories looked at per scan */
#define MAX_VOL_ENTRIES	 256   /* entries read from one volume directory */
#define MAX_VOLDEVS	 4096  /* projected-volume devices remembered per scan */
#define SPEC_CACHE	 2048  /* containers whose spec was read */
#define SPEC_RETRY_NS	 (2000ull * 1000000)
#define KUBELET_PODS	 "var/lib/kubelet/pods/"
#define PROJECTED	 "/volumes/kubernetes.io~projected"
#define CONTAINERD_SPEC	 "run/containerd/io.containerd.runtime.v2.task/k8s.io/%s/config.json"
#define CRIO_SPEC	 "var/lib/containers/storage/overlay-containers/%s/userdata/config.json"
#define ENV_VARS	 4
#define SPEC_PATH_BUF	 256

/* what a container's spec says about credential files (only what this module needs) */
struct spec_ent {
	char id[CG_CONTAINER_ID_BUF];
	uint8_t state; /* SPEC_* */
	uint8_t n_env, n_aws;
	uint64_t next_ns; /* SPEC_MISSING: try again after */
	struct {
		uint8_t kind;
		char var[40];
		char path[SPEC_PATH_BUF];
	} env[ENV_VARS];
	struct {
		uint8_t kind; /* FK_NONE: a directory (every file in it) */
		char source[SPEC_PATH_BUF];
	} aws[OCI_MAX_AWS_MOUNTS];
};
enum { SPEC_MISSING = 1, SPEC_OK = 2 };

struct credfiles {
	int rootfd, map_fd;
	char cgmount[PATH_MAX];
	size_t cgmount_len;
	char proc_root[PATH_MAX];
	struct credfiles_limits lim;
	struct lru *files; /* (ino, dev) -> struct credfile */
	struct lru *specs; /* container id -> struct spec_ent */
	struct oci_info *oci;
	uint64_t gen, now;
	uint32_t voldevs[MAX_VOLDEVS];
	unsigned int nvoldevs;
	uint64_t ctrs[MAX_VOLDEVS]; /* containers running at this scan (first 16 hex digits) */
	unsigned int nctrs;
	/* the kernel's cw_credbits (mmapped), and the bitmap the current files need */
	volatile uint64_t *bits;
	size_t bits_len;
	uint64_t *want;	 /* during bits_sweep only */
	bool bits_stale; /* a file left the map since the last sweep */
	/* the pod being walked (its containers are its cgroup's children) */
	char walk_uid[ATTRIB_UID_BUF];
	uint64_t walk_pod_cgid;
	unsigned int walk_dirs;
	struct credfiles_stats st;
};

/* copy src into dst (cap bytes, NUL included); false if it did not fit (dst cut) */
static bool cpy(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	bool fit = n < cap;

	if (!fit)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
	return fit;
}

static uint32_t kdev(dev_t d)
{
	return (uint32_t)(major(d) << 20 | (minor(d) & 0xfffff));
}

static void bit_set(struct credfiles *cf, uint64_t ino)
{
	uint32_t b = cw_credbit(ino);

	if (cf->bits)
		__atomic_fetch_or(&cf->bits[b / 64], 1ULL << (b % 64), __ATOMIC_RELEASE);
}

static void map_put(struct credfiles *cf, struct credfile *f)
{
	struct cw_file_key k = { .ino = f->ino, .dev = f->dev };
	struct cw_cred_val v = {
		.owner_pod_cgid = f->pod_cgid,
		.kind = f->kind,
		.flags = f->src | (f->retired_ns ? CW_CRED_RETIRED : 0),
	};

	if (cf->map_fd < 0)
		return;
	if (bpf_map_update_elem(cf->map_fd, &k, &v, BPF_ANY)) {
		cf->st.map_errors++;
		pr_debug("credfiles: %u:%u/%llu: %s", f->dev >> 20, f->dev & 0xfffff,
			 (unsigned long long)f->ino, strerror(errno));
		return;
	}
	f->in_map = true;
	/* after the map entry: a set bit always has its entry behind it */
	bit_set(cf, f->ino);
}

static void map_del(struct credfiles *cf, const struct credfile *f)
{
	struct cw_file_key k = { .ino = f->ino, .dev = f->dev };

	if (cf->map_fd >= 0 && f->in_map) {
		bpf_map_delete_elem(cf->map_fd, &k);
		cf->bits_stale = true;
	}
}

/* lru release: an entry evicted for room (or deleted) leaves the BPF map too. The lru has no
 * context pointer; one credfiles per agent. */
static struct credfiles *release_ctx;

static void file_release(void *v)
{
	struct credfile *f = v;

	if (release_ctx && f->in_map)
		map_del(release_ctx, f);
	f->in_map = false;
}

/* (dev, ino) of a regular file at path below dirfd, resolved inside it (safefile_stat) */
static int stat_in_root(int dirfd, const char *path, struct stat *st)
{
	int err = safefile_stat(dirfd, path, st);

	return err ? err : S_ISREG(st->st_mode) ? 0 : -EINVAL;
}

/* Record (or confirm) one credential file found by this scan. */
static void found(struct credfiles *cf, const struct stat *st, enum file_kind kind, uint8_t src,
		  const char *uid, uint64_t pod_cgid, uint64_t ctr, const char *name,
		  const char *path)
{
	uint32_t dev = kdev(st->st_dev);
	struct credfile *f = lru_get(cf->files, st->st_ino, dev);
	bool changed;

	if (f && f->gen == cf->gen)
		return; /* found by another way in this scan: the first one names it */
	if (!f) {
		f = lru_put(cf->files, st->st_ino, dev);
		memset(f, 0, sizeof(*f));
		f->ino = st->st_ino;
		f->dev = dev;
		changed = true;
	} else {
		changed = f->kind != kind || f->src != src || f->pod_cgid != pod_cgid ||
			  f->retired_ns || !f->in_map;
	}
	f->kind = (uint8_t)kind;
	f->src = src;
	f->pod_cgid = pod_cgid;
	f->ctr = ctr;
	f->gen = cf->gen;
	f->retired_ns = 0;
	cpy(f->pod_uid, sizeof(f->pod_uid), uid ? uid : "");
	cpy(f->name, sizeof(f->name), name);
	cpy(f->path, sizeof(f->path), path);
	if (changed) {
		map_put(cf, f);
		pr_debug("credfiles: watching %u:%u ino %llu (%s, %s %s) of pod %s", dev >> 20,
			 dev & 0xfffff, (unsigned long long)f->ino, file_kind_name(kind),
			 credfiles_source_name(src), name, uid ? uid : "-");
	}
	if (src == CW_CRED_PROJECTED)
		cf->st.projected++;
	else if (src == CW_CRED_SECRET)
		cf->st.secret++;
	else
		cf->st.env++;
}

/* --- projected tokens ------------------------------------------------------------------------ */

static enum file_kind token_kind(const char *vol, const char *leaf)
{
	if (!strcmp(leaf, "eks-pod-identity-token") || !strcmp(vol, "eks-pod-identity-token"))
		return FK_POD_IDENTITY_TOKEN;
	if (!strcmp(vol, "aws-iam-token"))
		return FK_IRSA_TOKEN;
	return FK_SA_TOKEN;
}

static void scan_projected(struct credfiles *cf, const char *uid, uint64_t pod_cgid)
{
	static const char *const leaves[] = { "token", "eks-pod-identity-token" };
	char rel[PATH_MAX];
	struct dirent *de;
	unsigned int n = 0;
	DIR *d;

	snprintf(rel, sizeof(rel), KUBELET_PODS "%s" PROJECTED, uid);
	if (safefile_opendir(cf->rootfd, rel, 0, &d))
		return;
	while ((de = readdir(d)) && n++ < MAX_VOL_ENTRIES) {
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
			if ((size_t)snprintf(rel, sizeof(rel),
					     KUBELET_PODS "%s" PROJECTED "/%s/..data/%s", uid,
					     de->d_name, leaves[i]) >= sizeof(rel) ||
			    stat_in_root(cf->rootfd, rel, &st))
				continue;
			if (cf->nvoldevs < MAX_VOLDEVS)
				cf->voldevs[cf->nvoldevs++] = kdev(st.st_dev);
			found(cf, &st, token_kind(de->d_name, leaves[i]), CW_CRED_PROJECTED, uid,
			      pod_cgid, 0, de->d_name, rel);
		}
	}
	closedir(d);
}

/* --- containers ------------------------------------------------------------------------------ */

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), l = strlen(suffix);

	return n >= l && !strcmp(s + n - l, suffix);
}

static uint64_t hex64(const char *s)
{
	uint64_t v = 0;

	for (int i = 0; i < 16; i++)
		v = v << 4 | (uint64_t)(s[i] <= '9' ? s[i] - '0' : s[i] - 'a' + 10);
	return v;
}

static void spec_env(struct spec_ent *se, const char *var, enum file_kind kind, const char *val)
{
	if (!val[0] || se->n_env >= ENV_VARS)
		return;
	se->env[se->n_env].kind = (uint8_t)kind;
	cpy(se->env[se->n_env].var, sizeof(se->env[0].var), var);
	/* a path that does not fit is not resolved (it would name another file) */
	if (cpy(se->env[se->n_env].path, sizeof(se->env[0].path), val))
		se->n_env++;
}

/* The container's spec, read once (a missing one again after a while). */
static struct spec_ent *spec_of(struct credfiles *cf, const char *id, enum cg_runtime rt)
{
	static const struct {
		enum cg_runtime rt;
		const char *fmt;
	} specs[] = { { CG_RT_CONTAINERD, CONTAINERD_SPEC }, { CG_RT_CRIO, CRIO_SPEC } };
	struct spec_ent *se = lru_get(cf->specs, hex64(id), hex64(id + 16));
	struct oci_info *o = cf->oci;
	char rel[256], *buf = NULL;
	size_t len = 0;
	int rc = -ENOENT;

	if (se && !strcmp(se->id, id) && (se->state == SPEC_OK || cf->now < se->next_ns))
		return se;
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]) && rc; i++) {
		if ((rt == CG_RT_CONTAINERD || rt == CG_RT_CRIO) && rt != specs[i].rt)
			continue;
		snprintf(rel, sizeof(rel), specs[i].fmt, id);
		rc = safefile_read(cf->rootfd, rel, OCI_MAX_INPUT, &buf, &len);
	}
	if (!rc) {
		rc = oci_parse(buf, len, o);
		explicit_bzero(buf, len); /* the environment: secret values too */
		free(buf);
	}
	se = lru_put(cf->specs, hex64(id), hex64(id + 16));
	memset(se, 0, sizeof(*se));
	cpy(se->id, sizeof(se->id), id);
	if (rc) {
		se->state = SPEC_MISSING;
		se->next_ns = cf->now + SPEC_RETRY_NS;
		return se;
	}
	se->state = SPEC_OK;
	if (o->ctype == OCI_CTYPE_SANDBOX)
		return se;
	spec_env(se, "AWS_SHARED_CREDENTIALS_FILE", FK_AWS_CREDENTIALS, o->shared_credentials_file);
	spec_env(se, "AWS_CONFIG_FILE", FK_AWS_CONFIG, o->config_file);
	spec_env(se, "AWS_WEB_IDENTITY_TOKEN_FILE", FK_IRSA_TOKEN, o->web_identity_token_file);
	spec_env(se, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", FK_POD_IDENTITY_TOKEN,
		 o->pod_identity_token_file);
	for (unsigned int i = 0; i < o->n_aws_mounts && i < OCI_MAX_AWS_MOUNTS; i++) {
		const char *dst = o->aws_mounts[i].destination;

		se->aws[se->n_aws].kind = ends_with(dst, "/credentials") ? FK_AWS_CREDENTIALS
					  : ends_with(dst, "/config")	 ? FK_AWS_CONFIG
									 : FK_NONE;
		if (cpy(se->aws[se->n_aws].source, sizeof(se->aws[0].source),
			o->aws_mounts[i].source))
			se->n_aws++;
	}
	return se;
}

/* A Secret volume (or one of its files) mounted at .aws: its files, by their names. */
static void scan_aws_mount(struct credfiles *cf, const char *source, enum file_kind kind,
			   const char *uid, uint64_t pod_cgid, uint64_t ctr)
{
	char rel[PATH_MAX], dir[PATH_MAX];
	struct dirent *de;
	unsigned int n = 0;
	struct stat st;
	DIR *d;

	while (*source == '/')
		source++;
	if (kind != FK_NONE) {
		if (!stat_in_root(cf->rootfd, source, &st))
			found(cf, &st, kind, CW_CRED_SECRET, uid, pod_cgid, ctr, "aws-mount",
			      source);
		return;
	}
	/* an atomic-writer volume keeps its files in ..data/ (a symlink: the trailing slash has
	 * it followed, inside the root); a plain directory in itself */
	if (strlen(source) + sizeof("/..data/") > sizeof(dir))
		return;
	snprintf(dir, sizeof(dir), "%s/..data/", source);
	if (safefile_opendir(cf->rootfd, dir, 0, &d)) {
		snprintf(dir, sizeof(dir), "%s/", source);
		if (safefile_opendir(cf->rootfd, dir, 0, &d))
			return;
	}
	while ((de = readdir(d)) && n++ < MAX_VOL_ENTRIES) {
		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(rel, sizeof(rel), "%s%s", dir, de->d_name) >= sizeof(rel) ||
		    stat_in_root(cf->rootfd, rel, &st))
			continue;
		found(cf, &st, !strcmp(de->d_name, "config") ? FK_AWS_CONFIG : FK_AWS_CREDENTIALS,
		      CW_CRED_SECRET, uid, pod_cgid, ctr, "aws-mount", rel);
	}
	closedir(d);
}

/* The first process of a container cgroup (abs: its directory), 0 if none. */
static pid_t first_pid(const char *abs)
{
	char path[PATH_MAX], buf[64];
	ssize_t n;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/cgroup.procs", abs) >= sizeof(path))
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return (pid_t)strtol(buf, NULL, 10);
}

/* The files a container's variables name, resolved in its mount namespace. */
static void scan_env(struct credfiles *cf, const struct spec_ent *se, const char *abs,
		     const char *uid, uint64_t pod_cgid, uint64_t ctr)
{
	char path[PATH_MAX];
	pid_t pid = first_pid(abs);
	int rootfd;

	if (!pid) {
		cf->st.env_unresolved += se->n_env;
		return;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%d/root", cf->proc_root, (int)pid) >=
	    sizeof(path))
		return;
	rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* still the container's process (not a reused pid)? */
	if (rootfd < 0 || first_pid(abs) != pid) {
		if (rootfd >= 0)
			close(rootfd);
		cf->st.env_unresolved += se->n_env;
		return;
	}
	for (unsigned int i = 0; i < se->n_env; i++) {
		struct stat st;

		if (stat_in_root(rootfd, se->env[i].path, &st)) {
			cf->st.env_unresolved++;
			continue;
		}
		found(cf, &st, se->env[i].kind, CW_CRED_ENV, uid, pod_cgid, ctr, se->env[i].var,
		      se->env[i].path);
	}
	close(rootfd);
}

static void scan_container(struct credfiles *cf, const struct cg_info *ci, const char *abs)
{
	struct spec_ent *se = spec_of(cf, ci->container_id, ci->runtime);
	uint64_t pod_cgid = !strcmp(ci->pod_uid, cf->walk_uid) ? cf->walk_pod_cgid : 0;
	uint64_t ctr = hex64(ci->container_id);

	cf->st.containers++;
	if (cf->nctrs < MAX_VOLDEVS)
		cf->ctrs[cf->nctrs++] = ctr;
	if (se->state != SPEC_OK)
		return;
	for (unsigned int i = 0; i < se->n_aws; i++)
		scan_aws_mount(cf, se->aws[i].source, se->aws[i].kind, ci->pod_uid, pod_cgid, ctr);
	if (se->n_env)
		scan_env(cf, se, abs, ci->pod_uid, pod_cgid, ctr);
}

/* --- the walk -------------------------------------------------------------------------------- */

/* nftw has no user pointer: the scan is single-threaded (cgroups.c does the same) */
static struct credfiles *walk_ctx;

static int walk_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	struct credfiles *cf = walk_ctx;
	struct cg_info ci;

	(void)sb;
	if (type != FTW_D)
		return FTW_CONTINUE;
	if (ftw->level > MAX_WALK_DEPTH || ++cf->walk_dirs > MAX_WALK_DIRS)
		return FTW_SKIP_SUBTREE;
	if (cg_parse(path + cf->cgmount_len, &ci) || ci.nested)
		return FTW_CONTINUE;
	if (ci.cls == CG_CLASS_POD) {
		/* preorder: a pod's cgroup comes before its containers' */
		cpy(cf->walk_uid, sizeof(cf->walk_uid), ci.pod_uid);
		cf->walk_pod_cgid = cgroups_id_of(path);
		cf->st.pods++;
		scan_projected(cf, ci.pod_uid, cf->walk_pod_cgid);
	} else if (ci.cls == CG_CLASS_CONTAINER) {
		scan_container(cf, &ci, path);
		return FTW_SKIP_SUBTREE;
	}
	return FTW_CONTINUE;
}

static void want_one(void *ctx, uint64_t key, uint64_t tag, void *value)
{
	struct credfiles *cf = ctx;
	uint32_t b = cw_credbit(key);

	(void)tag;
	(void)value;
	cf->want[b / 64] |= 1ULL << (b % 64);
}

/* Clear the bits no file needs any more (a word at a time: a bit still in use stays set),
 * after a rescan that removed files. */
static void bits_sweep(struct credfiles *cf)
{
	if (!cf->bits || !cf->bits_stale)
		return;
	cf->want = calloc(CW_CREDBITS_WORDS, sizeof(uint64_t));
	if (!cf->want)
		return; /* next time: stale bits only cost lookups */
	lru_each(cf->files, want_one, cf);
	for (uint32_t i = 0; i < CW_CREDBITS_WORDS; i++)
		if (cf->bits[i] & ~cf->want[i]) /* only this thread sets bits: want covers them */
			__atomic_fetch_and(&cf->bits[i], cf->want[i], __ATOMIC_RELEASE);
	free(cf->want);
	cf->want = NULL;
	cf->bits_stale = false;
}

struct sweep {
	struct credfiles *cf;
	struct {
		uint64_t ino;
		uint32_t dev;
	} del[256];
	unsigned int ndel;
	bool more;
};

static bool voldev_live(const struct credfiles *cf, uint32_t dev)
{
	for (unsigned int i = 0; i < cf->nvoldevs; i++)
		if (cf->voldevs[i] == dev)
			return true;
	return false;
}

static bool ctr_live(const struct credfiles *cf, uint64_t ctr)
{
	for (unsigned int i = 0; i < cf->nctrs; i++)
		if (cf->ctrs[i] == ctr)
			return true;
	return false;
}

/* Files this scan did not find: a projected token replaced by a rotation stays (retired)
 * while its volume is mounted, a file a container's spec named while that container runs (a
 * rename does not make it something else), for at most retired_keep_ns; the others go. A
 * tmpfs's (dev, ino) are reused once it is gone: nothing outlives its filesystem's owner. */
static void sweep_one(void *ctx, uint64_t key, uint64_t tag, void *value)
{
	struct sweep *sw = ctx;
	struct credfiles *cf = sw->cf;
	struct credfile *f = value;

	if (f->gen == cf->gen)
		return;
	if (((f->src == CW_CRED_PROJECTED && voldev_live(cf, f->dev)) ||
	     (f->src != CW_CRED_PROJECTED && f->ctr && ctr_live(cf, f->ctr))) &&
	    (!f->retired_ns || cf->now - f->retired_ns < cf->lim.retired_keep_ns)) {
		if (!f->retired_ns) {
			f->retired_ns = cf->now ? cf->now : 1;
			map_put(cf, f);
		}
		return;
	}
	if (sw->ndel >= sizeof(sw->del) / sizeof(sw->del[0])) {
		sw->more = true;
		return;
	}
	sw->del[sw->ndel].ino = key;
	sw->del[sw->ndel].dev = (uint32_t)tag;
	sw->ndel++;
}

int credfiles_refresh(struct credfiles *cf, uint64_t now_ns)
{
	uint64_t t0 = clock_now(CLOCK_MONOTONIC);
	struct sweep sw;

	cf->gen++;
	cf->now = now_ns;
	cf->nvoldevs = 0;
	cf->nctrs = 0;
	cf->walk_dirs = 0;
	cf->walk_uid[0] = 0;
	cf->walk_pod_cgid = 0;
	cf->st.pods = cf->st.containers = 0;
	cf->st.projected = cf->st.secret = cf->st.env = cf->st.env_unresolved = 0;
	walk_ctx = cf;
	release_ctx = cf;
	if (nftw(cf->cgmount, walk_one, 32, FTW_PHYS | FTW_MOUNT | FTW_ACTIONRETVAL) < 0)
		pr_debug("credfiles: walk of %s: %s", cf->cgmount, strerror(errno));
	walk_ctx = NULL;
	do {
		memset(&sw, 0, sizeof(sw));
		sw.cf = cf;
		lru_each(cf->files, sweep_one, &sw);
		for (unsigned int i = 0; i < sw.ndel; i++)
			lru_del(cf->files, sw.del[i].ino, sw.del[i].dev); /* map_del via release */
	} while (sw.more);
	bits_sweep(cf);
	cf->st.scans++;
	cf->st.last_scan_us = (clock_now(CLOCK_MONOTONIC) - t0) / 1000;
	return (int)lru_count(cf->files);
}

const struct credfile *credfiles_lookup(struct credfiles *cf, uint32_t dev, uint64_t ino)
{
	return cf ? lru_get(cf->files, ino, dev) : NULL;
}

struct each_ctx {
	void (*fn)(void *ctx, const struct credfile *f);
	void *ctx;
};

static void each_one(void *ctx, uint64_t key, uint64_t tag, void *value)
{
	struct each_ctx *e = ctx;

	(void)key;
	(void)tag;
	e->fn(e->ctx, value);
}

void credfiles_each(struct credfiles *cf, void (*fn)(void *ctx, const struct credfile *f),
		    void *ctx)
{
	struct each_ctx e = { fn, ctx };

	lru_each(cf->files, each_one, &e);
}

void credfiles_stats(const struct credfiles *cf, struct credfiles_stats *out)
{
	*out = cf->st;
	out->entries = lru_count(cf->files);
	out->capacity = lru_capacity(cf->files);
	out->evictions = lru_evictions(cf->files);
}

const char *credfiles_source_name(unsigned int src)
{
	return src & CW_CRED_PROJECTED ? "projected"
	       : src & CW_CRED_SECRET  ? "secret"
	       : src & CW_CRED_ENV     ? "env"
				       : "unknown";
}

struct credfiles *credfiles_new(const char *host_root, const char *cgroup_mount, int map_fd,
				const struct credfiles_limits *lim)
{
	struct credfiles *cf = calloc(1, sizeof(*cf));
	int err;

	if (!cf)
		return NULL;
	cf->rootfd = -1;
	cf->map_fd = map_fd;
	if (lim)
		cf->lim = *lim;
	if (!cf->lim.capacity)
		cf->lim.capacity = DEF_CAPACITY;
	if (!cf->lim.retired_keep_ns)
		cf->lim.retired_keep_ns = DEF_RETIRED_KEEP;
	cpy(cf->proc_root, sizeof(cf->proc_root), cf->lim.proc_root ? cf->lim.proc_root : "/proc");
	cf->lim.proc_root = NULL;
	cpy(cf->cgmount, sizeof(cf->cgmount), cgroup_mount);
	cf->cgmount_len = strlen(cf->cgmount);
	while (cf->cgmount_len > 1 && cf->cgmount[cf->cgmount_len - 1] == '/')
		cf->cgmount[--cf->cgmount_len] = 0;
	cf->rootfd = open(host_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	cf->files = lru_new_release(cf->lim.capacity, sizeof(struct credfile), file_release);
	cf->specs = lru_new(SPEC_CACHE, sizeof(struct spec_ent));
	cf->oci = malloc(sizeof(*cf->oci));
	if (cf->rootfd < 0 || !cf->files || !cf->specs || !cf->oci) {
		err = cf->rootfd < 0 ? errno : ENOMEM;
		credfiles_free(cf);
		errno = err;
		return NULL;
	}
	release_ctx = cf;
	return cf;
}

int credfiles_set_bitmap(struct credfiles *cf, int bits_fd)
{
	size_t len = (CW_CREDBITS_WORDS * sizeof(uint64_t) + 4095) & ~(size_t)4095;
	void *p;

	if (bits_fd < 0)
		return -EBADF;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, bits_fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	cf->bits = p;
	cf->bits_len = len;
	return 0;
}

void credfiles_free(struct credfiles *cf)
{
	if (!cf)
		return;
	release_ctx = NULL; /* the map outlives nothing: no deletes at exit */
	if (cf->bits)
		munmap((void *)cf->bits, cf->bits_len);
	if (cf->rootfd >= 0)
		close(cf->rootfd);
	lru_free(cf->files);
	lru_free(cf->specs);
	free(cf->oci);
	free(cf);
}
