// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <fnmatch.h>
#include <glob.h>
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

int sockets_refresh(struct socket_watch *w, int map_fd, const char *host_root)
{
	struct cw_sock_key keys[SOCKETS_MAX_INODES], k, *prev = NULL;
	const char *root = strcmp(host_root, "/") == 0 ? "" : host_root;
	char full[4096];
	int nkeys = 0;

	w->nlive = 0;
	for (int i = 0; i < w->n; i++) {
		glob_t g;

		snprintf(full, sizeof(full), "%s%s", root, w->cfg[i].path);
		if (strpbrk(w->cfg[i].path, "*?[")) {
			if (glob(full, GLOB_NOSORT, NULL, &g) == 0) {
				for (size_t j = 0; j < g.gl_pathc; j++)
					add_live(w, root, g.gl_pathv[j], i);
			}
			globfree(&g);
		} else {
			add_live(w, root, full, i);
		}
	}
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
