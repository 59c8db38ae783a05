/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Floods cannot hide findings (issue 13). Three mechanisms, cheapest first:
 *
 * 1. Aggregation in the kernel (cw_quiet). Once the agent has judged an event to carry no
 *    finding, the same process repeating the same thing on the same object within the window
 *    is counted here, not sent. A pod reading its own token 80,000 times a second costs one
 *    event per process and window, plus one repeat_summary with the exact count.
 * 2. Priority. The ring's second half is reserved: a low-priority record (one that cannot
 *    carry a finding, decided here from kernel objects: a pod opening its own pod's token,
 *    by inode) is refused while the ring is half full. Every other record - a connection to
 *    IMDS, HTTP, another pod's token, a credential socket - may use the whole ring. So a
 *    flood of records that cannot be findings never crowds out one that can.
 * 3. Accounting. Every record lost (ring full) or refused (low priority) is counted per
 *    cgroup (cw_cg_drops), with the episode's start, so agent_stats names whose events were
 *    lost and a pod that causes sustained drops gets a finding (event_flood).
 */
#ifndef CREDWATCH_FLOOD_BPF_H
#define CREDWATCH_FLOOD_BPF_H

#include "lib/event.bpf.h"

/* May a low-priority record be sent? Only while less than half of the ring is in use. */
static __always_inline bool cw_low_admitted(void)
{
	__u64 used = bpf_ringbuf_query(&cw_events, BPF_RB_AVAIL_DATA);
	__u64 size = bpf_ringbuf_query(&cw_events, BPF_RB_RING_SIZE);

	return used < size / 2;
}

/*
 * Is this a repeat the agent asked to count rather than see? Counts it if so. now: boot-time
 * ns. A key without a process image (exec_id 0) is never quieted.
 */
static __always_inline bool cw_quiet_hit(const struct cw_quiet_key *k, __u64 now)
{
	struct cw_quiet_val *v;

	if (!k->exec_id)
		return false;
	v = bpf_map_lookup_elem(&cw_quiet, k);
	if (!v || now > v->until_ns)
		return false;
	__sync_fetch_and_add(&v->count, 1);
	if (!v->first_ns)
		v->first_ns = now;
	v->last_ns = now;
	cw_count(CW_STAT_QUIETED);
	return true;
}

/* FNV-1a over a requested path (the key of a failed open, which has no inode). The agent
 * computes the same over the same bytes (user/judge/quiet.c). */
#define CW_PATH_HASH_MAX 256
static __always_inline __u64 cw_path_hash(const char *p, __u32 len)
{
	__u64 h = 0xcbf29ce484222325ULL;

	for (__u32 i = 0; i < CW_PATH_HASH_MAX; i++) {
		if (i >= len)
			break;
		h ^= (__u8)p[i];
		h *= 0x100000001b3ULL;
	}
	return h ? h : 1;
}

#endif
