// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <fnmatch.h>
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <bpf/bpf.h>
#include "credwatch_abi.h"
#include "util/log.h"
#include "enrich/sockets.h"
#include "util/names.h"

static const char *const kind_names[SOCK_KIND_MAX] = {
	[SOCK_KIND_OTHER] = "other",
	[SOCK_KIND_CONTAINER_RUNTIME] = "container_runtime",
	[SOCK_KIND_KUBELET_API] = "kubelet_api",
	[SOCK_KIND_SPIRE] = "spire",
	[SOCK_KIND_CSI] = "csi",
};

const char *socket_kind_name(unsigned int kind)
{
	return NAME_OF(kind_names, kind, "other");
}

int socket_kind_parse(const char *s)
{
	return NAME_FIND(kind_names, s);
}

/* eks-node-facts.md section 7 */
void sockets_defaults(struct socket_watch *w)
{
	static const struct socket_cfg defaults[] = {
		{ "/run/containerd/containerd.sock", SOCK_KIND_CONTAINER_RUNTIME },
		{ "/var/run/containerd/containerd.sock", SOCK_KIND_CONTAINER_RUNTIME },
		{ "/run/crio/crio.sock", SOCK_KIND_CONTAINER_RUNTIME },
		{ "/var/run/crio/crio.sock", SOCK_KIND_CONTAINER_RUNTIME },
		{ "/var/run/docker.sock", SOCK_KIND_CONTAINER_RUNTIME },
		{ "/run/docker.sock", SOCK_KIND_CONTAINER_RUNTIME },
		{ "/run/k3s/containerd/containerd.sock", SOCK_KIND_CONTAINER_RUNTIME },
		{ "/var/lib/kubelet/pod-resources/kubelet.sock", SOCK_KIND_KUBELET_API },
		{ "/var/lib/kubelet/pods-api/pods-api.sock", SOCK_KIND_KUBELET_API },
		{ "/var/lib/kubelet/plugins/*/csi.sock", SOCK_KIND_CSI },
		{ "/run/spire/sockets/*.sock", SOCK_KIND_SPIRE },
		{ "/tmp/spire-agent/public/api.sock", SOCK_KIND_SPIRE },
	};

	memset(w, 0, sizeof(*w));
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		w->cfg[w->n++] = defaults[i];
}

static uint32_t kernel_dev(dev_t d)
{
	/* the kernel's internal dev_t: MAJOR << 20 | MINOR */
	return (uint32_t)(major(d) << 20 | minor(d));
}

static void add_live(struct socket_watch *w, const char *host_root, const char *full, int cfg)
{
	struct stat st;
	size_t rl = strlen(host_root);

	if (w->nlive >= SOCKETS_MAX_INODES)
		return;
	if (stat(full, &st) || !S_ISSOCK(st.st_mode))
		return;
	for (int i = 0; i < w->nlive; i++)
		if (w->live[i].ino == st.st_ino && w->live[i].dev == kernel_dev(st.st_dev))
			return; /* /var/run and /run spellings of one socket */
	w->live[w->nlive].ino = st.st_ino;
	w->live[w->nlive].dev = kernel_dev(st.st_dev);
	w->live[w->nlive].cfg = cfg;
	/* name it as the node sees it, without the host-root prefix */
	snprintf(w->live[w->nlive].path, sizeof(w->live[w->nlive].path), "%s",
		 rl > 1 && strncmp(full, host_root, rl) == 0 ? full + rl : full);
	w->nlive++;
}

int sockets_check_pattern(const char *path, char *why, size_t len)
{
	int wild = 0, comps = 0;
	const char *p = path;

	if (strstr(path, "**")) {
		snprintf(why, len,
			 "\"**\" is not supported (a glob is bounded: at most %d "
			 "wildcard components)",
			 SOCKETS_MAX_WILDCARDS);
		return -1;
	}
	while (*p) {
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (!n)
			break;
		comps++;
		if (memchr(p, '*', n) || memchr(p, '?', n) || memchr(p, '[', n))
			wild++;
		p += n;
	}
	if (wild > SOCKETS_MAX_WILDCARDS) {
		snprintf(why, len,
			 "%d path components with glob characters: unbounded (at most %d)", wild,
			 SOCKETS_MAX_WILDCARDS);
		return -1;
	}
	if (comps > SOCKETS_MAX_COMPONENTS) {
		snprintf(why, len, "%d path components (at most %d)", comps,
			 SOCKETS_MAX_COMPONENTS);
		return -1;
	}
	return 0;
}

static volatile sig_atomic_t *stop_flag;

void sockets_set_stop_flag(volatile sig_atomic_t *flag)
{
	stop_flag = flag;
}

/* one bounded walk over all the patterns of a refresh */
struct walk {
	struct socket_watch *w;
	const char *root;
	int cfg;
	unsigned int visits;
	uint64_t deadline;
	bool cut;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static bool walk_stop(struct walk *k)
{
	if (k->cut)
		return true;
	if ((stop_flag && *stop_flag) || ++k->visits > SOCKETS_GLOB_MAX_VISITS ||
	    k->w->nlive >= SOCKETS_MAX_INODES || ((k->visits & 63) == 0 && mono_ns() > k->deadline))
		k->cut = true;
	return k->cut;
}

/* path (len bytes used of a PATH_MAX buffer) matched the pattern so far; rest is what is left
 * of it (no leading '/') */
static void walk(struct walk *k, char *path, size_t len, const char *rest)
{
	size_t n = strcspn(rest, "/");
	const char *next = rest + n;
	char comp[256];
	struct dirent *de;
	DIR *d;

	while (*next == '/')
		next++;
	if (!n) {
		add_live(k->w, k->root, path, k->cfg);
		return;
	}
	if (n >= sizeof(comp) || walk_stop(k))
		return;
	memcpy(comp, rest, n);
	comp[n] = 0;
	if (!strpbrk(comp, "*?[")) {
		if (len + 1 + n >= PATH_MAX)
			return;
		path[len] = '/';
		memcpy(path + len + 1, comp, n + 1);
		walk(k, path, len + 1 + n, next);
		path[len] = 0;
		return;
	}
	d = opendir(len ? path : "/");
	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t m = strlen(de->d_name);

		if (walk_stop(k))
			break;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		/* FNM_PERIOD: a wildcard does not match a leading dot, as in glob(3) */
		if (fnmatch(comp, de->d_name, FNM_PERIOD) || len + 1 + m >= PATH_MAX)
			continue;
		path[len] = '/';
		memcpy(path + len + 1, de->d_name, m + 1);
		walk(k, path, len + 1 + m, next);
		path[len] = 0;
	}
	closedir(d);
}

int sockets_refresh(struct socket_watch *w, int map_fd, const char *host_root)
{
	static __typeof__(w->live) old; /* large: not on the stack */
	struct cw_sock_key keys[SOCKETS_MAX_INODES], k, *prev = NULL;
	const char *root = strcmp(host_root, "/") == 0 ? "" : host_root;
	struct walk wk = { .w = w, .root = root };
	char full[PATH_MAX];
	bool cut_any = false;
	int nkeys = 0, nold = w->nlive;

	memcpy(old, w->live, sizeof(old[0]) * nold);
	w->nlive = 0;
	for (int i = 0; i < w->n; i++) {
		snprintf(full, sizeof(full), "%s%s", root, w->cfg[i].path);
		if (!strpbrk(w->cfg[i].path, "*?[")) {
			add_live(w, root, full, i);
			continue;
		}
		snprintf(full, sizeof(full), "%s", root);
		wk.cfg = i;
		wk.cut = false;
		wk.visits = 0;
		wk.deadline = mono_ns() + SOCKETS_GLOB_MAX_MS * 1000000ULL;
		walk(&wk, full, strlen(full), w->cfg[i].path + strspn(w->cfg[i].path, "/"));
		if (!wk.cut)
			continue;
		/* cut short: what it watched before stays watched (if still there) */
		cut_any = true;
		for (int j = 0; j < nold; j++) {
			char prevfull[PATH_MAX];

			if (old[j].cfg != i)
				continue;
			snprintf(prevfull, sizeof(prevfull), "%s%s", root, old[j].path);
			add_live(w, root, prevfull, i);
		}
		if (i < 64 && !(w->warned_cut & (1ULL << i))) {
			w->warned_cut |= 1ULL << i;
			if (!(stop_flag && *stop_flag))
				pr_warn("socket glob %s: stopped at its bound (%d entries or %d ms "
					"per refresh): sockets it did not reach are not watched",
					w->cfg[i].path, SOCKETS_GLOB_MAX_VISITS,
					SOCKETS_GLOB_MAX_MS);
		}
	}
	if (cut_any)
		w->globs_cut++;
	if (map_fd < 0) /* no BPF map (unit tests): live[] is the result */
		return w->nlive;
	/* make the map equal to live[]: collect its keys, drop the stale ones */
	while (nkeys < SOCKETS_MAX_INODES && bpf_map_get_next_key(map_fd, prev, &k) == 0) {
		keys[nkeys] = k;
		prev = &keys[nkeys++];
	}
	for (int j = 0; j < nkeys; j++) {
		bool keep = false;

		for (int i = 0; i < w->nlive; i++)
			keep |= w->live[i].ino == keys[j].ino && w->live[i].dev == keys[j].dev;
		if (!keep)
			bpf_map_delete_elem(map_fd, &keys[j]);
	}
	for (int i = 0; i < w->nlive; i++) {
		struct cw_sock_key key = { .ino = w->live[i].ino, .dev = w->live[i].dev };
		struct cw_sock_val val = { .kind = w->cfg[w->live[i].cfg].kind };

		if (bpf_map_update_elem(map_fd, &key, &val, BPF_ANY))
			pr_warn("cannot watch socket %s: %s", w->live[i].path, strerror(errno));
	}
	return w->nlive;
}

const char *sockets_path_of(const struct socket_watch *w, uint64_t ino, uint32_t dev)
{
	for (int i = 0; i < w->nlive; i++)
		if (w->live[i].ino == ino && w->live[i].dev == dev)
			return w->live[i].path;
	return NULL;
}

int sockets_match_path(const struct socket_watch *w, const char *path)
{
	for (int i = 0; i < w->n; i++)
		if (fnmatch(w->cfg[i].path, path, FNM_PATHNAME) == 0)
			return i;
	return -1;
}
