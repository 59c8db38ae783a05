// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_stream: TCP stream reassembly (user/intake/stream.c).
 *
 * The input is an initial sequence number and a list of segments, each (flags, seq, len, cap)
 * or a flush. A segment's payload is derived from its sequence numbers (byte_at), as if one
 * sender had written one byte stream, so every byte the stream hands over can be checked
 * against the position it claims: whatever the order, overlap, retransmission, cut or wrap of
 * the segments, the consumer sees one contiguous stream (data and gaps) that starts where the
 * stream started, with the sender's bytes at their places, and nothing after the close.
 */
#include "credwatch_abi.h"
#include "intake/stream.h"
#include "fuzz.h"

struct model {
	uint32_t origin;    /* sequence number of the first byte handed over */
	uint64_t delivered; /* data + gap bytes handed over */
	uint64_t data_bytes, gap_bytes;
	uint32_t salt;
	int fins;
};

static uint8_t byte_at(uint32_t seq, uint32_t salt)
{
	uint32_t x = (seq ^ salt) * 2654435761u;

	return (uint8_t)(x >> 24);
}

static void on_data(void *ctx, const uint8_t *p, size_t n)
{
	struct model *m = ctx;

	FUZZ_CHECK(m->fins == 0, "%zu data bytes after the close", n);
	FUZZ_CHECK(n > 0, "an empty data callback");
	for (size_t i = 0; i < n; i++) {
		uint32_t seq = m->origin + (uint32_t)(m->delivered + i);

		FUZZ_CHECK(p[i] == byte_at(seq, m->salt),
			   "byte %zu of a %zu-byte run (stream offset %llu, seq %u) is not the "
			   "sender's byte there",
			   i, n, (unsigned long long)(m->delivered + i), seq);
	}
	m->delivered += n;
	m->data_bytes += n;
}

static void on_gap(void *ctx, size_t n)
{
	struct model *m = ctx;

	FUZZ_CHECK(m->fins == 0, "a %zu-byte gap after the close", n);
	FUZZ_CHECK(n > 0, "an empty gap");
	m->delivered += n;
	m->gap_bytes += n;
}

static void on_fin(void *ctx)
{
	struct model *m = ctx;

	m->fins++;
	FUZZ_CHECK(m->fins == 1, "fin() given %d times", m->fins);
}

static const struct stream_ops ops = { on_data, on_gap, on_fin };

/* What must hold between two calls. */
static void check(const struct stream *s, const struct model *m, const struct stream_stats *st)
{
	size_t held = 0;

	FUZZ_CHECK(s->nooo >= 0 && s->nooo <= STREAM_OOO_MAX, "%d segments held", s->nooo);
	for (int i = 0; i < s->nooo; i++) {
		held += s->ooo[i].cap;
		FUZZ_CHECK(s->ooo[i].cap <= s->ooo[i].len, "held segment cap %u > len %u",
			   s->ooo[i].cap, s->ooo[i].len);
		FUZZ_CHECK((int32_t)(s->ooo[i].seq - s->next) > 0,
			   "held segment at %u is not ahead of next %u", s->ooo[i].seq, s->next);
	}
	FUZZ_CHECK(held == s->ooo_bytes, "ooo_bytes %zu, held segments have %zu", s->ooo_bytes,
		   held);
	FUZZ_CHECK(s->ooo_bytes <= STREAM_OOO_BYTES, "%zu bytes held ahead of a hole (limit %d)",
		   s->ooo_bytes, STREAM_OOO_BYTES);
	if (s->started)
		FUZZ_CHECK((uint32_t)(m->origin + (uint32_t)m->delivered) == s->next,
			   "handed over %llu bytes from %u, but next is %u",
			   (unsigned long long)m->delivered, m->origin, s->next);
	FUZZ_CHECK(st->bytes == m->data_bytes, "stats.bytes %llu, data handed over %llu",
		   (unsigned long long)st->bytes, (unsigned long long)m->data_bytes);
	FUZZ_CHECK(st->gap_bytes == m->gap_bytes, "stats.gap_bytes %llu, gaps handed over %llu",
		   (unsigned long long)st->gap_bytes, (unsigned long long)m->gap_bytes);
	FUZZ_CHECK(m->fins == (s->closed ? 1 : 0), "closed %d but %d fin() calls", s->closed,
		   m->fins);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct stream s = { 0 };
	struct stream_stats st = { 0 };
	struct model m = { 0 };
	uint8_t *buf = malloc(CW_HTTP_CAP);
	uint32_t last = fz_u32(&f); /* where the sender is, roughly */
	uint64_t calls = 0;

	if (!buf)
		return 0;
	m.salt = fz_u32(&f);
	while (f.n && calls < 4096) {
		uint8_t op = fz_u8(&f), flags = 0;
		int16_t delta = (int16_t)fz_u16(&f);
		uint32_t seq, len, cap;
		bool first = !s.started;

		if ((op & 0x70) == 0x70) {
			stream_flush(&s, &ops, &m, &st);
			FUZZ_CHECK(s.nooo == 0, "%d segments held after a flush", s.nooo);
			check(&s, &m, &st);
			continue;
		}
		if (op & 1)
			flags |= CW_TCP_FIN;
		if (op & 2)
			flags |= CW_TCP_SYN;
		if ((op & 0x0c) == 0x0c)
			flags |= CW_TCP_RST;
		/* near the next expected byte (holes, overlaps), or near the last segment */
		seq = ((op & 0x10) && s.started ? s.next : last) + (uint32_t)(int32_t)delta;
		len = fz_u16(&f);
		if (op & 0x80)
			len = (len & 0x7fff) * 17u; /* a long (GSO) segment */
		else
			len &= 0x1fff;
		cap = len < CW_HTTP_CAP ? len : CW_HTTP_CAP;
		if (op & 0x20)
			cap = fz_u16(&f) % (cap + 1); /* cut: the rest is a gap */
		/* the sender's bytes at their sequence numbers (after the SYN's own number) */
		for (uint32_t i = 0; i < cap; i++)
			buf[i] = byte_at(seq + ((flags & CW_TCP_SYN) ? 1 : 0) + i, m.salt);
		if (first)
			m.origin = seq + ((flags & CW_TCP_SYN) ? 1 : 0);
		/* the captured bytes end the buffer: a read past them is caught */
		ASAN_POISON_MEMORY_REGION(buf + cap, CW_HTTP_CAP - cap);
		stream_segment(&s, &ops, &m, &st, seq, buf, cap, len, flags);
		ASAN_UNPOISON_MEMORY_REGION(buf, CW_HTTP_CAP);
		FUZZ_CHECK(s.started, "not started after a segment");
		FUZZ_CHECK(!first || s.joined == !(flags & CW_TCP_SYN),
			   "a first segment %s SYN gives joined=%d",
			   (flags & CW_TCP_SYN) ? "with" : "without", s.joined);
		check(&s, &m, &st);
		last = seq + len;
		calls++;
	}
	FUZZ_CHECK(st.segments == calls, "stats.segments %llu, %llu segments given",
		   (unsigned long long)st.segments, (unsigned long long)calls);
	stream_flush(&s, &ops, &m, &st);
	FUZZ_CHECK(s.nooo == 0 && s.ooo_bytes == 0, "%d segments held after the final flush",
		   s.nooo);
	check(&s, &m, &st);
	stream_free(&s);
	free(buf);
	return 0;
}
