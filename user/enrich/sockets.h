/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sockets: the watched credential-bearing unix sockets. Each configured path
 * (globs allowed, resolved under --host-root) is stat()ed and its (dev, ino)
 * put in the BPF cw_sockets map, so a connect is matched by the socket file
 * the kernel connected to, whatever path the process used. Refreshed
 * periodically: a restarted runtime binds a new inode.
 */
#ifndef CREDWATCH_SOCKETS_H
#define CREDWATCH_SOCKETS_H

#include <stdint.h>
#include <stddef.h>

#define SOCKETS_MAX	   64
#define SOCKETS_MAX_INODES 256

enum socket_kind {
	SOCK_KIND_OTHER = 0,
	SOCK_KIND_CONTAINER_RUNTIME,
	SOCK_KIND_KUBELET_API,
	SOCK_KIND_SPIRE,
	SOCK_KIND_CSI,
	SOCK_KIND_MAX,
};

struct socket_cfg {
	char path[256]; /* as seen on the node; may contain glob characters */
	uint8_t kind;	/* enum socket_kind */
};

struct socket_watch {
	struct socket_cfg cfg[SOCKETS_MAX];
	int n;
	/* what is currently in the BPF map: index i -> cfg entry and the
	 * resolved node path, for naming an event */
	struct {
		uint64_t ino;
		uint32_t dev;
		int cfg;
		char path[256];
	} live[SOCKETS_MAX_INODES];
	int nlive;
};

const char *socket_kind_name(unsigned int kind);
int socket_kind_parse(const char *s);
void sockets_defaults(struct socket_watch *w);

/* Re-stat every configured path under host_root and make the BPF map match.
 * Returns the number of sockets watched. */
int sockets_refresh(struct socket_watch *w, int map_fd, const char *host_root);

/* The node path of a watched socket file, or NULL if no longer watched.
 * (cw_sock_val.kind is the enum socket_kind of its configured entry.) */
const char *sockets_path_of(const struct socket_watch *w, uint64_t ino, uint32_t dev);

/* Match a requested path (failed connect) against the configured list:
 * returns the cfg index or -1. Exact path or glob match. */
int sockets_match_path(const struct socket_watch *w, const char *path);

#endif
