/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stream: one direction of a TCP connection, reassembled. The BPF side sends every segment of
 * a watched connection with its sequence number, its length and its first bytes (up to
 * CW_HTTP_CAP); this puts them back in sequence order, as the receiving TCP stack does, and
 * hands the consumer the byte stream:
 *
 *   data(p, n)   the next n bytes, in order
 *   gap(n)       n bytes that will never be seen (a segment longer than its capture, a hole
 *                that out-of-order segments never filled): the consumer decides whether it
 *                can skip them (a body of known length) or has lost the message
 *   fin()        the sender closed the direction (FIN or RST), after everything before it
 *
 * A retransmission is not new data: bytes before the next expected one are dropped. A segment
 * ahead of it is kept (a few, bounded) until the hole before it fills, or given up as a gap
 * when there are too many or stream_flush() is called. A stream whose SYN was not seen (a
 * connection found established at start) starts at its first segment, marked `joined`.
 * Sequence numbers wrap (compared modulo 2^32).
 */
#ifndef CREDWATCH_STREAM_H
#define CREDWATCH_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STREAM_OOO_MAX	 8	    /* segments held ahead of a hole */
#define STREAM_OOO_BYTES (16 << 10) /* bytes held ahead of a hole */

struct stream_ops {
	void (*data)(void *ctx, const uint8_t *p, size_t n);
	void (*gap)(void *ctx, size_t n);
	void (*fin)(void *ctx);
};

struct stream_stats {
	uint64_t segments, bytes, retransmitted_bytes, out_of_order, gaps, gap_bytes;
};

struct stream_seg {
	uint32_t seq, len, cap;
	bool fin;
	uint8_t *data; /* cap bytes */
};

struct stream {
	bool started; /* next is known */
	bool joined;  /* started mid-stream (no SYN seen) */
	bool closed;  /* fin() was given */
	uint32_t next;
	int nooo;
	size_t ooo_bytes;
	struct stream_seg ooo[STREAM_OOO_MAX];
};

/* flags: CW_TCP_SYN / FIN / RST (credwatch_abi.h). data holds cap of the segment's len bytes.
 * Counts into *st. */
void stream_segment(struct stream *s, const struct stream_ops *ops, void *ctx,
		    struct stream_stats *st, uint32_t seq, const uint8_t *data, uint32_t cap,
		    uint32_t len, uint8_t flags);

/* Give up waiting for holes: deliver what is held (the holes as gaps). */
void stream_flush(struct stream *s, const struct stream_ops *ops, void *ctx,
		  struct stream_stats *st);

/* Free (and wipe) what is held. */
void stream_free(struct stream *s);

#endif
