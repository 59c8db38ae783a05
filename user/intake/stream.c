// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "credwatch_abi.h"
#include "intake/stream.h"

/* a - b in sequence space */
static int32_t seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

static void drop_ooo(struct stream *s, int i);

/* The sender closed the direction: nothing comes after it, so what is held beyond the close
 * (out-of-order segments past the FIN) is dropped, never handed over after fin(). */
static void close_stream(struct stream *s, const struct stream_ops *ops, void *ctx)
{
	s->closed = true;
	while (s->nooo)
		drop_ooo(s, 0);
	ops->fin(ctx);
}

/* Deliver [seq, seq+len) of which [seq, seq+cap) was captured, trimming what was already
 * delivered (seq may be before next). */
static void deliver(struct stream *s, const struct stream_ops *ops, void *ctx,
		    struct stream_stats *st, uint32_t seq, const uint8_t *data, uint32_t cap,
		    uint32_t len, bool fin)
{
	int32_t d = seq_diff(s->next, seq); /* bytes already delivered at the front */
	uint32_t skip = d > 0 ? (uint32_t)d : 0;

	if (skip >= len) {
		if (len)
			st->retransmitted_bytes += len;
		if (fin && skip == len && !s->closed)
			close_stream(s, ops, ctx);
		return;
	}
	st->retransmitted_bytes += skip;
	if (skip < cap) {
		ops->data(ctx, data + skip, cap - skip);
		st->bytes += cap - skip;
	}
	if (len > cap) {
		uint32_t from = skip > cap ? skip : cap;

		st->gaps++;
		st->gap_bytes += len - from;
		ops->gap(ctx, len - from);
	}
	s->next = seq + len;
	if (fin && !s->closed)
		close_stream(s, ops, ctx);
}

static void drop_ooo(struct stream *s, int i)
{
	if (s->ooo[i].data) /* NULL when no byte was captured (a bare FIN held ahead) */
		explicit_bzero(s->ooo[i].data, s->ooo[i].cap);
	free(s->ooo[i].data);
	s->ooo_bytes -= s->ooo[i].cap;
	s->ooo[i] = s->ooo[--s->nooo];
}

/* Deliver held segments that are now in order. */
static void drain(struct stream *s, const struct stream_ops *ops, void *ctx,
		  struct stream_stats *st)
{
	bool again = true;

	while (again && s->nooo) {
		again = false;
		for (int i = 0; i < s->nooo; i++) {
			struct stream_seg g = s->ooo[i];

			if (seq_diff(g.seq, s->next) > 0)
				continue;
			s->ooo[i].data = NULL;
			s->ooo_bytes -= g.cap;
			s->ooo[i] = s->ooo[--s->nooo];
			deliver(s, ops, ctx, st, g.seq, g.data, g.cap, g.len, g.fin);
			if (g.data)
				explicit_bzero(g.data, g.cap);
			free(g.data);
			again = true;
			break;
		}
	}
}

/* The held segment that comes first; -1 if none. */
static int first_ooo(const struct stream *s)
{
	int f = -1;

	for (int i = 0; i < s->nooo; i++)
		if (f < 0 || seq_diff(s->ooo[i].seq, s->ooo[f].seq) < 0)
			f = i;
	return f;
}

/* Skip the hole before the first held segment (it is lost), then deliver what follows. */
static void give_up_hole(struct stream *s, const struct stream_ops *ops, void *ctx,
			 struct stream_stats *st)
{
	int f = first_ooo(s);
	int32_t hole;

	if (f < 0)
		return;
	hole = seq_diff(s->ooo[f].seq, s->next);
	if (hole > 0) {
		st->gaps++;
		st->gap_bytes += (uint32_t)hole;
		ops->gap(ctx, (uint32_t)hole);
		s->next = s->ooo[f].seq;
	}
	drain(s, ops, ctx, st);
}

void stream_segment(struct stream *s, const struct stream_ops *ops, void *ctx,
		    struct stream_stats *st, uint32_t seq, const uint8_t *data, uint32_t cap,
		    uint32_t len, uint8_t flags)
{
	bool fin = flags & (CW_TCP_FIN | CW_TCP_RST);

	st->segments++;
	if (cap > len)
		cap = len;
	if (flags & CW_TCP_SYN) {
		/* the SYN takes one sequence number; data (rare) follows it */
		if (!s->started) {
			s->started = true;
			s->next = seq + 1;
		}
		seq++;
	}
	if (s->closed)
		return;
	if (!s->started) {
		s->started = true;
		s->joined = true;
		s->next = seq;
	}
	if (seq_diff(seq, s->next) > 0) {
		uint8_t *copy = NULL;

		/* ahead of a hole: hold it (or, when too much is held, give the hole up) */
		st->out_of_order++;
		while (s->nooo && !s->closed && seq_diff(seq, s->next) > 0 &&
		       (s->nooo == STREAM_OOO_MAX || s->ooo_bytes + cap > STREAM_OOO_BYTES))
			give_up_hole(s, ops, ctx, st);
		if (s->closed)
			return; /* what was held reached a FIN: this segment lies past it */
		if (seq_diff(seq, s->next) > 0) {
			if (cap && !(copy = malloc(cap))) {
				/* cannot hold it: its bytes are a gap */
				cap = 0;
			}
			if (copy)
				memcpy(copy, data, cap);
			s->ooo[s->nooo++] = (struct stream_seg){ seq, len, cap, fin, copy };
			s->ooo_bytes += cap;
			return;
		}
	}
	deliver(s, ops, ctx, st, seq, data, cap, len, fin);
	drain(s, ops, ctx, st);
}

void stream_flush(struct stream *s, const struct stream_ops *ops, void *ctx,
		  struct stream_stats *st)
{
	while (s->nooo)
		give_up_hole(s, ops, ctx, st);
}

void stream_free(struct stream *s)
{
	while (s->nooo)
		drop_ooo(s, 0);
	memset(s, 0, sizeof(*s));
}
