/* SPDX-License-Identifier: GPL-2.0 */
/*
 * output: where rendered lines go (stdout or --output FILE, plain or gzip), and what became of
 * them: lines written, lines that hit the line bound, lines lost.
 *
 * Lines are collected whole in a text buffer and handed to the kernel in chunks with write(2)
 * (no stdio: every byte's fate is known). A chunk is the buffer's lines as they are (plain) or
 * one complete gzip member of them (FILE ending in ".gz": zlib, a member per flush, so a file
 * cut short by SIGKILL decompresses up to its last flush). A chunk the output does not take
 * (ENOSPC, EIO, a short write) is kept and retried; new lines queue behind it until the text
 * buffer is full, and only then is a line lost: counted, never silent. When a write succeeds
 * again, output_take_recovery() tells how many lines the failure cost, for the line that
 * says so. EPIPE (the reader of stdout went away) makes the output broken for good.
 *
 * A file output rotates by size (--output-max-size, --output-keep: FILE.1 .. FILE.N, or
 * STEM.1.gz .. STEM.N.gz for STEM.gz) at chunk boundaries, and reopens its path on demand
 * (SIGHUP, for logrotate's mv-then-HUP): nothing buffered is lost in either.
 */
#ifndef CREDWATCH_OUTPUT_H
#define CREDWATCH_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>

#define OUTPUT_BUF_BYTES   (64 * 1024)		   /* text buffer (a line is < 16 KiB) */
#define OUTPUT_GZ_FLUSH_NS (1000ULL * 1000 * 1000) /* gzip: a member at least every second */
#define OUTPUT_MIN_ROTATE  4096			   /* smallest --output-max-size */
#define OUTPUT_MAX_KEEP	   1000

struct output_opts {
	const char *path;  /* NULL: stdout */
	uint64_t max_size; /* rotate when the file reaches this many bytes; 0: never */
	unsigned int keep; /* rotated files kept (with max_size) */
};

struct output_stats {
	uint64_t lines_written;	   /* lines the output took (the kernel has them) */
	uint64_t lines_overflowed; /* content cut at the line bound */
	uint64_t write_errors;	   /* lines that did not reach the output (lost) */
	uint64_t bytes_written;	   /* bytes written (compressed, for gzip) */
	uint64_t failed_writes;	   /* write(2) calls that failed */
	uint64_t reopens, rotations;
};

struct z_stream_s;

struct output {
	int fd;	    /* -1: closed */
	bool owned; /* opened by output_open: closed by output_close */
	bool gzip;
	bool pipe; /* stdout is a pipe: a reader that went away is noticed by poll */
	struct output_opts opts;
	char path[4096];
	/* whole lines not yet in a chunk */
	char *tbuf;
	size_t tlen;
	uint64_t tlines;
	/* the chunk on its way to fd */
	char *obuf;
	size_t ocap, olen, ooff;
	uint64_t olines;
	struct z_stream_s *z;
	uint64_t file_size;	/* bytes in the current file (for rotation) */
	uint64_t last_chunk_ns; /* monotonic: when the last chunk was made */
	/* a failure episode: errno of the failing output (0: working), since when, lines lost */
	int err;
	bool broken; /* EPIPE: nobody reads any more */
	int64_t fail_since_real;
	uint64_t fail_lost;
	/* the episode that just ended, until taken */
	bool recovered;
	int recovered_err;
	int64_t recovered_since_real;
	uint64_t recovered_lost;
	struct output_stats st;
};

/* What a failure episode cost (output_take_recovery). */
struct output_recovery {
	int err;	    /* what failed (errno) */
	int64_t since_real; /* when it began, ns since the epoch */
	uint64_t lost;	    /* lines lost meanwhile */
};

/* path NULL: stdout. Returns 0 or -errno (with a message on stderr). */
int output_open(struct output *o, const char *path);
/* The same with rotation (a path ending in ".gz" is gzip-compressed). */
int output_open_opts(struct output *o, const struct output_opts *opts);
/* Write one line (n bytes, without the newline; buf must have room for one more byte). */
void output_line(struct output *o, char *buf, size_t n, bool overflowed);
/* Hand everything buffered to the kernel now (a gzip member ends here). */
void output_flush(struct output *o);
/* Periodic flush from the poll loop: plain outputs every time, gzip when a member is due. */
void output_tick(struct output *o, uint64_t now_mono);
/* Flush, finish the file and open its path again (SIGHUP). 0 or -errno; on failure the
 * output keeps writing to the file it had. */
int output_reopen(struct output *o);
/* true once lines were lost or the output is broken */
bool output_failed(const struct output *o);
/* EPIPE: the reader went away; nothing more can be written */
bool output_broken(const struct output *o);
/* Lines buffered, not yet taken by the output. */
uint64_t output_pending(const struct output *o);
/* A failure episode ended: what it cost (true once per episode). */
bool output_take_recovery(struct output *o, struct output_recovery *r);
/* Flush (best effort), finish a gzip member, close. Lines still not written are counted as
 * lost (st.write_errors). */
void output_close(struct output *o);

/* A write blocked on a stuck reader gives up once *flag is set (the agent's stop flag). */
void output_set_interrupt(volatile sig_atomic_t *flag);

/* Parse a size for --output-max-size: digits with an optional K, M or G (powers of 1024).
 * 0 or -EINVAL. */
int output_parse_size(const char *s, uint64_t *out);
/* The name of rotated file i (1..keep) of path into buf. */
void output_rotated_name(const char *path, unsigned int i, char *buf, size_t len);

#endif
