/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroups: the cgroup v2 mount and a bounded map from cgroup id (what
 * bpf_get_current_cgroup_id() returns: the cgroup directory's kernfs inode) to
 * its path relative to the mount. Filled by a scan at start and kept current
 * by the cgroup_mkdir/rmdir records, so a cgroup removed before its events are
 * read is still named.
 */
#ifndef CREDWATCH_CGROUPS_H
#define CREDWATCH_CGROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cgroups;

/* Finds the first cgroup2 mount in mountinfo_path (normally
 * /proc/self/mountinfo). Returns 0 and the mount point, or -ENOENT. */
int cgroups_find_mount(const char *mountinfo_path, char *out, size_t out_len);

/* The nth (from 0) cgroup2 mount in mountinfo_path, or -ENOENT. */
int cgroups_find_mount_n(const char *mountinfo_path, int nth, char *out, size_t out_len);

/* The id of the root of the cgroup v2 hierarchy (the kernfs root's inode number). */
#define CGROUPS_ROOT_ID 1

/* The cgroup id of a directory (name_to_handle_at on cgroup2), or 0. */
uint64_t cgroups_id_of(const char *dir);

struct cgroups *cgroups_new(const char *mount, size_t capacity);
void cgroups_free(struct cgroups *c);
const char *cgroups_mount(const struct cgroups *c);

/* Walk the hierarchy (bounded depth) and record every cgroup. Returns count. */
int cgroups_scan(struct cgroups *c);

/* From a mkdir/rmdir record; path as the tracepoint gives it ("/a/b"). */
void cgroups_added(struct cgroups *c, uint64_t id, const char *path, size_t len);
void cgroups_removed(struct cgroups *c, uint64_t id);

/* Path relative to the mount ("" for the root), or NULL if unknown. A miss
 * triggers at most one rescan per second. *removed tells whether the cgroup
 * has been deleted since. */
const char *cgroups_path(struct cgroups *c, uint64_t id, bool *removed);

/* file side (issue 14): keep the BPF map cw_podcgs (fd) equal to the pod and container
 * cgroups known here (set before cgroups_scan); and how many entries it holds. */
void cgroups_set_podmap(struct cgroups *c, int fd);
size_t cgroups_pod_cgroups(const struct cgroups *c);

size_t cgroups_count(const struct cgroups *c);
uint64_t cgroups_evictions(const struct cgroups *c);
size_t cgroups_bytes(const struct cgroups *c);

#endif
