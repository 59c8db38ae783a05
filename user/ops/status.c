// SPDX-License-Identifier: GPL-2.0
/* The heartbeat/status file (status.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <jansson.h>
#include "loader/loader.h"
#include "ops/status.h"
#include "util/clock.h"
#include "util/jsonw.h"

int status_collect_links(const struct loader *l, struct status_info *si)
{
	si->nlinks = 0;
	for (int i = 0; i < l->nhooks && si->nlinks < STATUS_MAX_LINKS; i++) {
		struct bpf_link_info info;
		__u32 len = sizeof(info);
		struct status_link *sl = &si->links[si->nlinks];
		int fd = l->hooks[i].link ? bpf_link__fd(l->hooks[i].link) : -1;

		memset(&info, 0, sizeof(info));
		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) || !info.id)
			continue;
		snprintf(sl->hook, sizeof(sl->hook), "%s", l->hooks[i].name);
		sl->id = info.id;
		sl->prog_id = info.prog_id;
		sl->cgroup = info.type == BPF_LINK_TYPE_CGROUP;
		sl->cgroup_id = sl->cgroup ? info.cgroup.cgroup_id : 0;
		si->nlinks++;
	}
	return si->nlinks;
}

int status_prepare(const char *path, bool *created)
{
	char dir[PATH_MAX];

	*created = false;
	snprintf(dir, sizeof(dir), "%s", path);
	dirname(dir);
	if (mkdir(dir, 0755) == 0) {
		*created = true;
		return 0;
	}
	return errno == EEXIST ? 0 : -errno;
}

int status_write(const char *path, const struct status_info *si)
{
	char buf[8192], tmp[PATH_MAX + 8], t[CLOCK_RFC3339_LEN + 8];
	struct jw w;
	size_t n;
	int fd, err = 0;

	clock_format_rfc3339(si->heartbeat_real, t, sizeof(t));
	jw_init(&w, buf, sizeof(buf));
	jw_obj_open(&w, NULL);
	jw_u64(&w, "pid", si->pid);
	jw_str(&w, "version", si->version, 64);
	jw_u64(&w, "heartbeat_boot_ns", si->heartbeat_boot_ns);
	jw_str(&w, "heartbeat", t, 0);
	jw_u64(&w, "heartbeat_every_ms", si->every_ms);
	jw_u64(&w, "drop_window_ms", si->drop_window_ms);
	jw_u64(&w, "ringbuf_drop_intervals", si->drop_streak);
	if (si->output_err)
		jw_str(&w, "output_error", strerror(si->output_err), 0);
	else
		jw_null(&w, "output_error");
	jw_u64(&w, "lines_lost", si->lines_lost);
	if (si->metrics_listen)
		jw_str(&w, "metrics_listen", si->metrics_listen, 512);
	jw_arr_open(&w, "links");
	for (int i = 0; i < si->nlinks; i++) {
		jw_obj_open(&w, NULL);
		jw_str(&w, "hook", si->links[i].hook, 0);
		jw_u64(&w, "id", si->links[i].id);
		jw_u64(&w, "prog_id", si->links[i].prog_id);
		if (si->links[i].cgroup)
			jw_u64(&w, "cgroup_id", si->links[i].cgroup_id);
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	n = jw_finish(&w);
	buf[n++] = '\n';

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, n) != (ssize_t)n)
		err = errno ? -errno : -EIO;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

void status_remove(const char *path, bool remove_dir)
{
	json_t *root = json_load_file(path, 0, NULL);
	json_t *pid = root ? json_object_get(root, "pid") : NULL;

	if (pid && json_integer_value(pid) == getpid()) {
		unlink(path);
		if (remove_dir) {
			char dir[PATH_MAX];

			snprintf(dir, sizeof(dir), "%s", path);
			rmdir(dirname(dir)); /* only if empty: another agent's file stays */
		}
	}
	json_decref(root);
}
