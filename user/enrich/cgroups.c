// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <time.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include "enrich/cgroup_parse.h"
#include "enrich/cgroups.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/lru.h"

#define CG_SCAN_MAX_DEPTH 32
#define CG_PATH_MAX	  4096
#define CG_RESCAN_NS	  1000000000ULL /* at most one rescan on a miss per second */

struct cg_entry {
	char *path; /* relative, no leading '/' */
	bool removed;
};

struct cgroups {
	char mount[CG_PATH_MAX];
	size_t mount_len;
	struct lru *map;
	int podmap_fd;	      /* BPF cw_podcgs, -1: none */
	uint64_t pod_cgroups; /* entries written to it (gauge) */
	size_t path_bytes;
	uint64_t last_rescan_ns; /* CLOCK_MONOTONIC; 0 = never scanned */
};

/* mountinfo escapes space, tab, newline and backslash as \ooo */
static void unescape_octal(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = 0;
}

int cgroups_find_mount(const char *mountinfo_path, char *out, size_t out_len)
{
	return cgroups_find_mount_n(mountinfo_path, 0, out, out_len);
}

int cgroups_find_mount_n(const char *mountinfo_path, int nth, char *out, size_t out_len)
{
	FILE *f = fopen(mountinfo_path, "re");
	char *line = NULL;
	size_t cap = 0;
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		/* id parent maj:min root mountpoint opts [optional...] - fstype src superopts */
		char *sep = strstr(line, " - ");
		char mnt[CG_PATH_MAX];

		if (!sep || strncmp(sep + 3, "cgroup2 ", 8) != 0)
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		if (nth-- > 0)
			continue;
		unescape_octal(mnt);
		if (strlen(mnt) + 1 > out_len) {
			err = -ENAMETOOLONG;
			break;
		}
		strcpy(out, mnt);
		err = 0;
		break;
	}
	free(line);
	fclose(f);
	return err;
}

uint64_t cgroups_id_of(const char *dir)
{
	struct {
		struct file_handle fh;
		unsigned char buf[64];
	} h;
	struct statfs sfs;
	uint64_t id = 0;
	int mount_id;

	/* Any other filesystem also hands out file handles, but their bytes are
	 * not a cgroup id: a directory that is not on cgroup2 has none. */
	if (statfs(dir, &sfs) < 0 || sfs.f_type != CGROUP2_SUPER_MAGIC)
		return 0;
	h.fh.handle_bytes = sizeof(h.buf);
	if (name_to_handle_at(AT_FDCWD, dir, &h.fh, &mount_id, 0) < 0)
		return 0;
	if (h.fh.handle_bytes >= sizeof(id))
		memcpy(&id, h.fh.f_handle, sizeof(id));
	return id;
}

static void entry_release(void *v)
{
	struct cg_entry *e = v;

	free(e->path);
	e->path = NULL;
}

struct cgroups *cgroups_new(const char *mount, size_t capacity)
{
	struct cgroups *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	snprintf(c->mount, sizeof(c->mount), "%s", mount);
	c->mount_len = strlen(c->mount);
	while (c->mount_len > 1 && c->mount[c->mount_len - 1] == '/')
		c->mount[--c->mount_len] = 0;
	c->podmap_fd = -1;
	c->map = lru_new_release(capacity, sizeof(struct cg_entry), entry_release);
	if (!c->map) {
		free(c);
		return NULL;
	}
	return c;
}

void cgroups_free(struct cgroups *c)
{
	if (!c)
		return;
	lru_free(c->map);
	free(c);
}

const char *cgroups_mount(const struct cgroups *c)
{
	return c->mount;
}

/*
 * file side (issue 14): tell the BPF side which cgroups are a pod's (cw_podcgs: cgroup id ->
 * the pod-level cgroup's id), so a process moving out of one keeps that pod. A pod's cgroup
 * maps to itself, a container's (sandbox and conmon included) to its parent, the pod's.
 */
static void podmap_put(struct cgroups *c, uint64_t id, const char *rel)
{
	char dir[CG_PATH_MAX + 1];
	struct cg_info ci;
	uint64_t pod = 0;
	const char *slash;

	if (c->podmap_fd < 0 || cg_parse(rel, &ci) || ci.nested)
		return;
	if (ci.cls == CG_CLASS_POD) {
		pod = id;
	} else if (ci.cls == CG_CLASS_CONTAINER || ci.cls == CG_CLASS_CONMON) {
		slash = strrchr(rel, '/');
		if (!slash || (size_t)snprintf(dir, sizeof(dir), "%s/%.*s", c->mount,
					       (int)(slash - rel), rel) >= sizeof(dir))
			return;
		pod = cgroups_id_of(dir);
	}
	if (!pod)
		return;
	if (bpf_map_update_elem(c->podmap_fd, &id, &pod, BPF_ANY) == 0)
		c->pod_cgroups++;
	else
		pr_debug("cw_podcgs: cgroup %llu: %s", (unsigned long long)id, strerror(errno));
}

static void put_path(struct cgroups *c, uint64_t id, const char *rel, size_t len)
{
	struct cg_entry *e;
	char *p;

	while (len && *rel == '/') {
		rel++;
		len--;
	}
	p = strndup(rel, len);
	if (!p)
		return;
	e = lru_get(c->map, id, 0);
	if (!e || !e->path || strcmp(e->path, p) != 0)
		podmap_put(c, id, p);
	e = lru_put(c->map, id, 0);
	e->path = p;
	e->removed = false;
}

void cgroups_set_podmap(struct cgroups *c, int fd)
{
	c->podmap_fd = fd;
}

size_t cgroups_pod_cgroups(const struct cgroups *c)
{
	return c->pod_cgroups;
}

/* nftw has no user pointer: the scan is single-threaded, so a file-scope
 * pointer for its duration is enough. */
static struct cgroups *scan_ctx;
static int scan_count;

static int scan_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	uint64_t id;

	(void)st;
	if (type != FTW_D)
		return 0;
	if (ftw->level > CG_SCAN_MAX_DEPTH)
		return FTW_SKIP_SUBTREE;
	id = cgroups_id_of(path);
	if (!id)
		return 0;
	put_path(scan_ctx, id, path + scan_ctx->mount_len, strlen(path) - scan_ctx->mount_len);
	scan_count++;
	return 0;
}

int cgroups_scan(struct cgroups *c)
{
	scan_ctx = c;
	scan_count = 0;
	if (nftw(c->mount, scan_one, 32, FTW_PHYS | FTW_MOUNT | FTW_ACTIONRETVAL) < 0)
		pr_debug("cgroup scan of %s: %s", c->mount, strerror(errno));
	scan_ctx = NULL;
	c->last_rescan_ns = clock_now(CLOCK_MONOTONIC);
	return scan_count;
}

void cgroups_added(struct cgroups *c, uint64_t id, const char *path, size_t len)
{
	put_path(c, id, path, len);
}

void cgroups_removed(struct cgroups *c, uint64_t id)
{
	struct cg_entry *e = lru_get(c->map, id, 0);

	if (e)
		e->removed = true;
	/* no process can move out of a removed cgroup any more */
	if (c->podmap_fd >= 0 && bpf_map_delete_elem(c->podmap_fd, &id) == 0 && c->pod_cgroups)
		c->pod_cgroups--;
}

const char *cgroups_path(struct cgroups *c, uint64_t id, bool *removed)
{
	struct cg_entry *e = lru_get(c->map, id, 0);

	if (!e && (!c->last_rescan_ns ||
		   clock_now(CLOCK_MONOTONIC) - c->last_rescan_ns >= CG_RESCAN_NS)) {
		cgroups_scan(c);
		e = lru_get(c->map, id, 0);
	}
	if (!e)
		return NULL;
	if (removed)
		*removed = e->removed;
	return e->path;
}

size_t cgroups_count(const struct cgroups *c)
{
	return lru_count(c->map);
}

uint64_t cgroups_evictions(const struct cgroups *c)
{
	return lru_evictions(c->map);
}

size_t cgroups_bytes(const struct cgroups *c)
{
	return sizeof(*c) + lru_bytes(c->map);
}
