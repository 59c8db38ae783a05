// SPDX-License-Identifier: GPL-2.0
/* Another credwatch agent, recognised by the BPF ring buffer it holds (see peers.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "enrich/peers.h"

struct peer_ent {
	uint32_t pid;
	uint64_t start_ns;
	uint64_t checked_ns; /* 0: empty */
	bool agent;
};

struct peers {
	char proc_root[256];
	peers_map_info_fn map_info;
	struct peer_ent ent[PEERS_CACHE];
	struct peers_stats st;
};

static int bpf_map_info_of(uint32_t map_id, char *name, size_t len, uint32_t *type)
{
	struct bpf_map_info info;
	uint32_t ilen = sizeof(info);
	int fd = bpf_map_get_fd_by_id(map_id);
	int err = 0;

	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &ilen))
		err = -errno;
	close(fd);
	if (err)
		return err;
	snprintf(name, len, "%.*s", (int)sizeof(info.name), info.name);
	*type = info.type;
	return 0;
}

struct peers *peers_new(const char *proc_root, peers_map_info_fn map_info)
{
	struct peers *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	snprintf(p->proc_root, sizeof(p->proc_root), "%s", proc_root ? proc_root : "/proc");
	p->map_info = map_info ? map_info : bpf_map_info_of;
	return p;
}

void peers_free(struct peers *p)
{
	free(p);
}

const struct peers_stats *peers_stats(const struct peers *p)
{
	return &p->st;
}

/* "map_type:\t27" and "map_id:\t5" of one fdinfo file; false when it is not a BPF map's */
static bool fdinfo_map(int dirfd, const char *name, uint32_t *type, uint32_t *id)
{
	char buf[1024], *s;
	bool have_type = false, have_id = false;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	for (s = buf; s && *s; s = strchr(s, '\n'), s = s ? s + 1 : NULL) {
		unsigned long v;

		if (sscanf(s, "map_type:\t%lu", &v) == 1) {
			*type = (uint32_t)v;
			have_type = true;
		} else if (sscanf(s, "map_id:\t%lu", &v) == 1) {
			*id = (uint32_t)v;
			have_id = true;
		}
	}
	return have_type && have_id;
}

static bool holds_ring(struct peers *p, uint32_t pid)
{
	char path[320], link[64];
	int fddir, infodir, seen = 0;
	bool found = false;
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/%u/fd", p->proc_root, pid);
	fddir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fddir < 0)
		return false;
	snprintf(path, sizeof(path), "%s/%u/fdinfo", p->proc_root, pid);
	infodir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dir = infodir >= 0 ? fdopendir(dup(fddir)) : NULL;
	while (dir && !found && seen++ < PEERS_MAX_FDS && (d = readdir(dir))) {
		uint32_t type = 0, id = 0, mtype = 0;
		char name[32];
		ssize_t n;

		if (d->d_name[0] == '.')
			continue;
		n = readlinkat(fddir, d->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = 0;
		if (strcmp(link, "anon_inode:bpf-map") != 0)
			continue;
		if (!fdinfo_map(infodir, d->d_name, &type, &id) || type != PEERS_MAP_RINGBUF)
			continue;
		if (p->map_info(id, name, sizeof(name), &mtype) == 0 &&
		    mtype == PEERS_MAP_RINGBUF && strcmp(name, PEERS_RING_NAME) == 0)
			found = true;
	}
	if (dir)
		closedir(dir);
	if (infodir >= 0)
		close(infodir);
	close(fddir);
	return found;
}

bool peers_is_agent(struct peers *p, uint32_t pid, uint64_t start_ns, uint64_t now)
{
	struct peer_ent *e = NULL, *oldest = &p->ent[0];

	if (!p || !pid)
		return false;
	p->st.lookups++;
	for (int i = 0; i < PEERS_CACHE; i++) {
		struct peer_ent *c = &p->ent[i];

		if (c->checked_ns && c->pid == pid && c->start_ns == start_ns) {
			e = c;
			break;
		}
		if (c->checked_ns < oldest->checked_ns)
			oldest = c;
	}
	if (e && now - e->checked_ns < PEERS_NEG_TTL_NS)
		return e->agent;
	if (!e)
		e = oldest;
	e->pid = pid;
	e->start_ns = start_ns;
	e->checked_ns = now ? now : 1;
	e->agent = holds_ring(p, pid);
	p->st.checks++;
	p->st.agents += e->agent;
	return e->agent;
}
