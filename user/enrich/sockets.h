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

/*
 * Globs are bounded: a pattern has at most SOCKETS_MAX_WILDCARDS components with glob
 * characters and SOCKETS_MAX_COMPONENTS components in all, and no "**" (checked when the
 * config is read: sockets_check_pattern). In a refresh, a pattern looks at no more than
 * SOCKETS_GLOB_MAX_VISITS directory entries for no more than SOCKETS_GLOB_MAX_MS
 * milliseconds, all patterns together match at most SOCKETS_MAX_INODES sockets (the BPF map's
 * size), and every walk stops at once when the stop flag is set; a pattern cut short
 * keeps the sockets it had, and says so once on stderr. (A pattern like /proc/ * /root/ * /...
 * would otherwise walk every process's whole filesystem.)
 */
#define SOCKETS_MAX_WILDCARDS	3
#define SOCKETS_MAX_COMPONENTS	16
#define SOCKETS_GLOB_MAX_VISITS 20000
#define SOCKETS_GLOB_MAX_MS	100

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
	uint64_t globs_cut;  /* refreshes in which a pattern hit a bound */
	uint64_t warned_cut; /* bit i: pattern i's cut was reported */
};

const char *socket_kind_name(unsigned int kind);
int socket_kind_parse(const char *s);
void sockets_defaults(struct socket_watch *w);

/* 0 if path is a bounded pattern; otherwise -1 and why says what is wrong. */
int sockets_check_pattern(const char *path, char *why, size_t len);
/* Walks give up as soon as *flag is set (the agent's stop flag). */
#include <signal.h>
void sockets_set_stop_flag(volatile sig_atomic_t *flag);

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
