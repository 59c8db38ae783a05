// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for enrich/peers.c on a fake /proc: a process is another credwatch agent only when one
 * of its fds is a BPF map whose fdinfo says ring buffer and whose map id the kernel names
 * "cw_events" (a stand-in here). A process named credwatch, a ring buffer of another name,
 * an fd that merely looks like one, and a missing process are not; answers are cached per
 * (pid, start time) and looked at again after the TTL.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "enrich/peers.h"
#include "unit.h"

static char root[256];
static int info_calls;

/* map ids: 7 = cw_events ring, 8 = another ring, 9 = a hash named cw_events */
static int fake_info(uint32_t id, char *name, size_t len, uint32_t *type)
{
	info_calls++;
	switch (id) {
	case 7:
		snprintf(name, len, "cw_events");
		*type = PEERS_MAP_RINGBUF;
		return 0;
	case 8:
		snprintf(name, len, "events");
		*type = PEERS_MAP_RINGBUF;
		return 0;
	case 9:
		snprintf(name, len, "cw_events");
		*type = 1;
		return 0;
	default:
		return -ENOENT;
	}
}

static void mkproc(unsigned int pid)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%u", root, pid);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/%u/fd", root, pid);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/%u/fdinfo", root, pid);
	mkdir(p, 0755);
}

/* fd n of pid: a symlink to target, with fdinfo text info (NULL: none) */
static void mkfd(unsigned int pid, int n, const char *target, const char *info)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%u/fd/%d", root, pid, n);
	ASSERT_EQ(symlink(target, p), 0);
	if (!info)
		return;
	snprintf(p, sizeof(p), "%s/%u/fdinfo/%d", root, pid, n);
	f = fopen(p, "w");
	ASSERT_NOTNULL(f);
	fputs(info, f);
	fclose(f);
}

#define RING_INFO(id)                                                                       \
	"pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t1057\nmap_type:\t27\nkey_size:\t0\n" \
	"value_size:\t0\nmax_entries:\t4194304\nmap_flags:\t0x0\nmap_extra:\t0x0\n"         \
	"memlock:\t4202496\nmap_id:\t" #id "\nfrozen:\t0\n"

static void test_peers(void)
{
	struct peers *p;
	uint64_t t = 1000;

	snprintf(root, sizeof(root), "/tmp/cw-test-peers-XXXXXX");
	ASSERT_NOTNULL(mkdtemp(root));
	/* 100: an agent (a file, a socket, then the ring) */
	mkproc(100);
	mkfd(100, 0, "/dev/null", "pos:\t0\n");
	mkfd(100, 3, "socket:[1234]", "pos:\t0\n");
	mkfd(100, 4, "anon_inode:bpf-map", RING_INFO(5));
	mkfd(100, 5, "anon_inode:bpf-map", RING_INFO(7));
	/* 101: calls itself credwatch, holds no map */
	mkproc(101);
	mkfd(101, 0, "/usr/bin/credwatch", "pos:\t0\n");
	mkfd(101, 1, "anon_inode:bpf-prog", "prog_type:\t1\nprog_id:\t7\n");
	/* 102: a ring buffer of another name */
	mkproc(102);
	mkfd(102, 3, "anon_inode:bpf-map", RING_INFO(8));
	/* 103: fdinfo says ring buffer with id 9, which the kernel says is a hash */
	mkproc(103);
	mkfd(103, 3, "anon_inode:bpf-map", RING_INFO(9));
	/* 104: a regular file whose fdinfo text looks like a ring buffer's */
	mkproc(104);
	mkfd(104, 3, "/tmp/anon_inode:bpf-map", RING_INFO(7));

	p = peers_new(root, fake_info);
	ASSERT_NOTNULL(p);
	ASSERT_TRUE(peers_is_agent(p, 100, 55, t));
	ASSERT_FALSE(peers_is_agent(p, 101, 55, t));
	ASSERT_FALSE(peers_is_agent(p, 102, 55, t));
	ASSERT_FALSE(peers_is_agent(p, 103, 55, t));
	ASSERT_FALSE(peers_is_agent(p, 104, 55, t));
	ASSERT_FALSE(peers_is_agent(p, 105, 55, t)); /* no such process */
	ASSERT_FALSE(peers_is_agent(p, 0, 0, t));
	ASSERT_EQ(peers_stats(p)->checks, 6);
	ASSERT_EQ(peers_stats(p)->agents, 1);

	/* cached: no new look within the TTL */
	info_calls = 0;
	ASSERT_TRUE(peers_is_agent(p, 100, 55, t + 1));
	ASSERT_FALSE(peers_is_agent(p, 102, 55, t + 1));
	ASSERT_EQ(info_calls, 0);
	ASSERT_EQ(peers_stats(p)->checks, 6);
	/* another process with the pid (another start time) is looked at again */
	ASSERT_TRUE(peers_is_agent(p, 100, 56, t + 2));
	ASSERT_EQ(peers_stats(p)->checks, 7);
	/* after the TTL: 102 now holds the agent's ring (loaded its maps after its first open) */
	mkfd(102, 4, "anon_inode:bpf-map", RING_INFO(7));
	ASSERT_FALSE(peers_is_agent(p, 102, 55, t + 3));
	ASSERT_TRUE(peers_is_agent(p, 102, 55, t + 3 + PEERS_NEG_TTL_NS));

	/* a bounded cache: many processes, the answers stay right */
	for (unsigned int pid = 1000; pid < 1000 + 3 * PEERS_CACHE; pid++)
		ASSERT_FALSE(peers_is_agent(p, pid, 1, t + 10 + pid));
	ASSERT_TRUE(peers_is_agent(p, 100, 55, t + 20000));
	peers_free(p);

	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", root);
		ASSERT_EQ(system(cmd), 0);
	}
}

int main(void)
{
	RUN(test_peers);
	return unit_report("peers");
}
