// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "enrich/cgroups.h"
#include "util/log.h"
#include "util/lru.h"
#include "enrich/procs.h"
#include "util/names.h"

struct procs {
	int map_fd;
	char proc_root[PATH_MAX];
	char cgroup_mount[PATH_MAX]; /* "" if unknown: prefilled processes have no cgroup id */
	struct lru *cache;
	uint64_t next_procfs_id;
	long ticks_ns;
};

static const char *const source_names[] = {
	[PROC_SRC_UNKNOWN] = "unknown",
	[PROC_SRC_EXEC] = "exec",
	[PROC_SRC_FORK] = "fork",
	[PROC_SRC_PROCFS] = "procfs",
};

const char *proc_source_name(enum proc_source s)
{
	return NAME_OF(source_names, s, "unknown");
}

struct procs *procs_new(int map_fd, const char *proc_root, size_t cache_capacity)
{
	struct procs *p = calloc(1, sizeof(*p));
	long hz = sysconf(_SC_CLK_TCK);

	if (!p)
		return NULL;
	p->map_fd = map_fd;
	snprintf(p->proc_root, sizeof(p->proc_root), "%s", proc_root);
	p->cache = lru_new(cache_capacity, sizeof(struct proc_view));
	if (!p->cache) {
		free(p);
		return NULL;
	}
	p->ticks_ns = 1000000000L / (hz > 0 ? hz : 100);
	/* ids the agent assigns to /proc records: high bit set, never equal to a
	 * boot-time nanosecond value from the BPF side */
	p->next_procfs_id = 1ULL << 63;
	return p;
}

void procs_free(struct procs *p)
{
	if (!p)
		return;
	lru_free(p->cache);
	free(p);
}

static ssize_t read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, cap);
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

int procs_read_procfs(const char *proc_root, uint32_t pid, struct cw_proc *rec)
{
	char path[PATH_MAX], buf[1024], exe[PATH_MAX];
	unsigned long long start_ticks = 0;
	long hz = sysconf(_SC_CLK_TCK);
	char *open_paren, *close_paren;
	ssize_t n;
	int ppid = 0;
	char state = 0;

	memset(rec, 0, sizeof(*rec));
	snprintf(path, sizeof(path), "%s/%u/stat", proc_root, pid);
	n = read_small(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return n < 0 ? (int)n : -ENOENT;
	buf[n] = 0;
	/* comm may contain spaces and parentheses: it spans first '(' to last ')' */
	open_paren = strchr(buf, '(');
	close_paren = strrchr(buf, ')');
	/* ") " must follow: the fields are read from close_paren + 2 on, which
	 * is past the data (or past buf) when ')' ends what was read */
	if (!open_paren || !close_paren || close_paren < open_paren || close_paren[1] != ' ')
		return -EINVAL;
	n = close_paren - open_paren - 1;
	if (n > CW_COMM_LEN - 1)
		n = CW_COMM_LEN - 1;
	memcpy(rec->comm, open_paren + 1, n);
	/* after ") ": state ppid pgrp session tty tpgid flags minflt cminflt majflt
	 * cmajflt utime stime cutime cstime priority nice threads itrealvalue starttime */
	if (sscanf(close_paren + 2,
		   "%c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d "
		   "%llu",
		   &state, &ppid, &start_ticks) != 3)
		return -EINVAL;
	/* A zombie keeps its stat but has no exe and an empty cmdline: nothing to describe
	 * the process by. Say so rather than report an empty image. */
	if (state == 'Z' || state == 'X')
		return -ESRCH;
	rec->ppid = ppid;
	rec->start_ns = start_ticks * (1000000000ULL / (hz > 0 ? hz : 100));

	snprintf(path, sizeof(path), "%s/%u/exe", proc_root, pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n > 0) {
		static const char del[] = " (deleted)", memfd[] = "/memfd:";
		struct stat st;
		size_t off = 0;

		exe[n] = 0;
		/* what the BPF side records at exec: the inode, no name for a file with none */
		if (stat(path, &st) == 0) {
			rec->exe_dev =
				(uint32_t)(major(st.st_dev) << 20 | (minor(st.st_dev) & 0xfffff));
			rec->exe_ino = st.st_ino;
			if (st.st_nlink == 0)
				rec->flags |= CW_F_FILELESS;
		}
		if ((size_t)n > sizeof(del) - 1 && !strcmp(exe + n - (sizeof(del) - 1), del)) {
			rec->flags |= CW_F_FILELESS;
			n -= sizeof(del) - 1;
			exe[n] = 0;
		}
		if (!strncmp(exe, memfd, sizeof(memfd) - 1) && (rec->flags & CW_F_FILELESS)) {
			rec->flags |= CW_F_MEMFD;
			memmove(exe, exe + 1,
				(size_t)n--); /* "memfd:<name>", as the kernel names it */
		}

		if ((size_t)n > CW_EXE_MAX - 1) {
			off = n - (CW_EXE_MAX - 1);
			rec->flags |= CW_F_EXE_TRUNC;
		}
		memcpy(rec->exe, exe + off, n - off);
		rec->exe_len = n - off;
	}
	snprintf(path, sizeof(path), "%s/%u/cmdline", proc_root, pid);
	n = read_small(path, (char *)rec->args, CW_ARGS_MAX);
	if (n > 0) {
		rec->args_len = n;
		if (n == CW_ARGS_MAX)
			rec->flags |= CW_F_ARGS_TRUNC; /* may be exactly full; err on marking */
	}
	rec->flags |= CW_F_FROM_PROCFS;
	return 0;
}

void procs_set_cgroup_mount(struct procs *p, const char *mount)
{
	snprintf(p->cgroup_mount, sizeof(p->cgroup_mount), "%s", mount ? mount : "");
}

/* The cgroup v2 id of a running process, from /proc/<pid>/cgroup ("0::<path>"), or 0. */
static uint64_t procfs_cgroup_id(const struct procs *p, uint32_t pid)
{
	char path[PATH_MAX], buf[4096], *line, *save = NULL;
	ssize_t n;

	if (!p->cgroup_mount[0])
		return 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/%u/cgroup", p->proc_root, pid) >= sizeof(path))
		return 0;
	n = read_small(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "0::", 3) != 0)
			continue;
		size_t ml = strlen(p->cgroup_mount), ll = strlen(line + 3);

		if (ml + ll >= sizeof(path))
			return 0;
		memcpy(path, p->cgroup_mount, ml);
		memcpy(path + ml, line + 3, ll + 1);
		return cgroups_id_of(path);
	}
	return 0;
}

int procs_prefill(struct procs *p)
{
	DIR *d = opendir(p->proc_root);
	struct dirent *de;
	int added = 0;

	if (!d) {
		pr_warn("cannot read %s: %s; processes started before the agent will lack exe/args",
			p->proc_root, strerror(errno));
		return 0;
	}
	while ((de = readdir(d))) {
		struct cw_proc rec;
		char *end;
		unsigned long pid = strtoul(de->d_name, &end, 10);

		if (*end || !pid || pid > UINT32_MAX)
			continue;
		if (procs_read_procfs(p->proc_root, pid, &rec))
			continue;
		rec.exec_id = p->next_procfs_id++;
		/* where it is now: a move out of a pod from here on is seen against it */
		rec.cgroup_id = procfs_cgroup_id(p, pid);
		/* BPF_NOEXIST: an exec seen since attach is more accurate than /proc */
		if (bpf_map_update_elem(p->map_fd, &(uint32_t){ pid }, &rec, BPF_NOEXIST) == 0)
			added++;
	}
	closedir(d);
	return added;
}

static bool start_matches(const struct procs *p, uint64_t a, uint64_t b)
{
	/* /proc gives clock ticks; the kernel gives ns. Equal within one tick. */
	uint64_t d = a > b ? a - b : b - a;

	return !a || !b || d < (uint64_t)p->ticks_ns;
}

void procs_lookup(struct procs *p, uint32_t pid, uint64_t exec_id, uint64_t start_ns,
		  struct proc_view *out)
{
	struct proc_view *v;
	struct cw_proc rec;

	if (exec_id) {
		v = lru_get(p->cache, pid, exec_id);
		if (v) {
			*out = *v;
			return;
		}
		if (bpf_map_lookup_elem(p->map_fd, &pid, &rec) == 0 && rec.exec_id == exec_id) {
			v = lru_put(p->cache, pid, exec_id);
			v->rec = rec;
			v->source = (rec.flags & CW_F_FROM_PROCFS) ? PROC_SRC_PROCFS
				    : (rec.flags & CW_F_FORKED)	   ? PROC_SRC_FORK
								   : PROC_SRC_EXEC;
			*out = *v;
			return;
		}
		/* The image the event happened in has been replaced (the process
		 * exec'd since, or the pid was reused): /proc would describe the new
		 * image, which could be an allowlisted one. Say it is unknown. */
		memset(out, 0, sizeof(*out));
		return;
	}
	/* No record at event time: /proc if it is the same process (started
	 * before the agent). Not cached: it may exec at any time. */
	if (procs_read_procfs(p->proc_root, pid, &rec) == 0 &&
	    start_matches(p, rec.start_ns, start_ns)) {
		out->rec = rec;
		out->source = PROC_SRC_PROCFS;
		return;
	}
	memset(out, 0, sizeof(*out));
}

int procs_origin(struct procs *p, uint32_t pid, uint64_t start_ns, uint64_t *origin_cgid)
{
	struct cw_proc rec;

	*origin_cgid = 0;
	/* not cached: the origin is set at a move, after the image was described */
	if (bpf_map_lookup_elem(p->map_fd, &pid, &rec))
		return -ENOENT;
	/* (a /proc-prefilled record's start is in clock ticks) */
	if (!start_matches(p, rec.start_ns, start_ns))
		return -ESRCH; /* another process with the same pid since */
	*origin_cgid = rec.origin_cgid;
	return 0;
}

uint64_t procs_cache_evictions(const struct procs *p)
{
	return lru_evictions(p->cache);
}
