// SPDX-License-Identifier: GPL-2.0
/* The output: lines in, chunks out through write(2); see output.h for the accounting. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include "render/output.h"
#include "util/clock.h"
#include "util/log.h"

#define GZ_LEVEL      5
#define CLOSE_WAIT_MS 2000 /* at exit: how long a stuck reader may hold the last lines */

/* set by output_set_interrupt(): a pending stop makes a blocked write give up */
static volatile sig_atomic_t *interrupt_flag;

void output_set_interrupt(volatile sig_atomic_t *flag)
{
	interrupt_flag = flag;
}

static bool interrupted(void)
{
	return interrupt_flag && *interrupt_flag;
}

static const char *name_of(const struct output *o)
{
	return o->owned ? o->path : "stdout";
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

void output_rotated_name(const char *path, unsigned int i, char *buf, size_t len)
{
	if (ends_with(path, ".gz"))
		snprintf(buf, len, "%.*s.%u.gz", (int)(strlen(path) - 3), path, i);
	else
		snprintf(buf, len, "%s.%u", path, i);
}

int output_parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case 0:
		break;
	case 'k':
	case 'K':
		v <<= 10;
		end++;
		break;
	case 'm':
	case 'M':
		v <<= 20;
		end++;
		break;
	case 'g':
	case 'G':
		v <<= 30;
		end++;
		break;
	default:
		return -EINVAL;
	}
	if (*end || v > (1ULL << 50))
		return -EINVAL;
	*out = v;
	return 0;
}

/* open (or create) o->path for appending; the size it has counts towards rotation */
static int open_path(struct output *o, int *fdp, uint64_t *size)
{
	struct stat st;
	int fd = open(o->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);

	if (fd < 0)
		return -errno;
	*size = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	*fdp = fd;
	return 0;
}

static void lose(struct output *o, uint64_t n)
{
	o->st.write_errors += n;
	if (o->err)
		o->fail_lost += n;
}

static void fail(struct output *o, int err)
{
	o->st.failed_writes++;
	if (err == EPIPE && !o->broken) {
		o->broken = true;
		pr_warn("output %s: the reader went away (%s)", name_of(o), strerror(err));
	}
	if (o->err)
		return;
	o->err = err;
	o->fail_since_real = (int64_t)clock_now(CLOCK_REALTIME);
	o->fail_lost = 0;
	if (err != EPIPE)
		pr_warn("output %s: %s: holding up to %d KiB of lines, then counting every line "
			"lost until writes succeed again",
			name_of(o), strerror(err), OUTPUT_BUF_BYTES / 1024);
}

static void recover(struct output *o)
{
	char since[CLOCK_RFC3339_LEN + 8];

	clock_format_rfc3339(o->fail_since_real, since, sizeof(since));
	pr_warn("output %s works again: %llu lines lost since %s (%s)", name_of(o),
		(unsigned long long)o->fail_lost, since, strerror(o->err));
	if (!o->recovered) {
		o->recovered = true;
		o->recovered_err = o->err;
		o->recovered_since_real = o->fail_since_real;
		o->recovered_lost = 0;
	}
	o->recovered_lost += o->fail_lost;
	o->err = 0;
	o->fail_lost = 0;
}

/*
 * Write the pending chunk. wait_ms < 0: block in write(2) (a slow reader slows the agent; its
 * ring buffer then counts what the kernel could not queue), giving up only for a pending stop;
 * otherwise wait at most wait_ms for the output to take each piece. True when all of it went.
 */
static bool drain(struct output *o, int wait_ms)
{
	while (o->ooff < o->olen) {
		ssize_t w;

		if (wait_ms >= 0) {
			struct pollfd p = { .fd = o->fd, .events = POLLOUT };

			if (poll(&p, 1, wait_ms) <= 0)
				return false;
		}
		w = write(o->fd, o->obuf + o->ooff, o->olen - o->ooff);
		if (w > 0) {
			o->ooff += w;
			o->st.bytes_written += w;
			o->file_size += w;
			continue;
		}
		if (w < 0 && (errno == EINTR || errno == EAGAIN)) {
			if (errno == EAGAIN || interrupted())
				return false;
			continue;
		}
		fail(o, w < 0 ? errno : EIO);
		return false;
	}
	o->st.lines_written += o->olines;
	o->olen = o->ooff = 0;
	o->olines = 0;
	if (o->err)
		recover(o);
	return true;
}

/* the text buffer's lines become the pending chunk (which must be empty) */
static void make_chunk(struct output *o)
{
	o->last_chunk_ns = clock_now(CLOCK_MONOTONIC);
	if (!o->gzip) {
		char *t = o->obuf;

		o->obuf = o->tbuf;
		o->tbuf = t;
		o->olen = o->tlen;
	} else {
		z_stream *z = (z_stream *)o->z;
		int rc;

		z->next_in = (Bytef *)o->tbuf;
		z->avail_in = o->tlen;
		z->next_out = (Bytef *)o->obuf;
		z->avail_out = o->ocap;
		/* one whole member per chunk: the file is valid gzip after every chunk */
		rc = deflate(z, Z_FINISH);
		if (rc != Z_STREAM_END) {
			pr_warn("output %s: gzip: deflate failed (%d): %llu lines lost", name_of(o),
				rc, (unsigned long long)o->tlines);
			lose(o, o->tlines);
			deflateReset(z);
			o->tlen = 0;
			o->tlines = 0;
			return;
		}
		o->olen = o->ocap - z->avail_out;
		deflateReset(z);
	}
	o->ooff = 0;
	o->olines = o->tlines;
	o->tlen = 0;
	o->tlines = 0;
}

/* FILE -> FILE.1 -> ... -> FILE.keep (the oldest removed), then a new FILE */
static void rotate(struct output *o)
{
	char from[PATH_MAX + 16], to[PATH_MAX + 16];
	uint64_t size = 0;
	int fd = -1, err;

	output_rotated_name(o->path, o->opts.keep, to, sizeof(to));
	if (unlink(to) && errno != ENOENT)
		pr_warn("output rotation: cannot remove %s: %s", to, strerror(errno));
	for (unsigned int i = o->opts.keep; i > 1; i--) {
		output_rotated_name(o->path, i - 1, from, sizeof(from));
		output_rotated_name(o->path, i, to, sizeof(to));
		if (rename(from, to) && errno != ENOENT)
			pr_warn("output rotation: cannot rename %s to %s: %s", from, to,
				strerror(errno));
	}
	output_rotated_name(o->path, 1, to, sizeof(to));
	if (rename(o->path, to)) {
		pr_warn("output rotation: cannot rename %s to %s: %s (still writing to %s)",
			o->path, to, strerror(errno), o->path);
		o->file_size = 0; /* try again after another max_size bytes */
		return;
	}
	err = open_path(o, &fd, &size);
	if (err) {
		/* the old descriptor still works (its file is now FILE.1): keep it */
		pr_warn("output rotation: cannot open a new %s: %s (still writing to %s)", o->path,
			strerror(-err), to);
		o->file_size = 0;
		return;
	}
	close(o->fd);
	o->fd = fd;
	o->file_size = size;
	o->st.rotations++;
}

/* everything buffered towards the kernel; false when something is still pending */
static bool push(struct output *o, int wait_ms)
{
	if (o->fd < 0)
		return false;
	if (o->olen && !drain(o, wait_ms))
		return false;
	if (!o->tlen)
		return true;
	/* rotate before a chunk, not after one: no empty file is left behind at exit */
	if (o->owned && o->opts.max_size && o->file_size >= o->opts.max_size)
		rotate(o);
	make_chunk(o);
	return !o->olen || drain(o, wait_ms);
}

int output_open_opts(struct output *o, const struct output_opts *opts)
{
	int err;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->opts = *opts;
	if (!opts->path) {
		struct stat st;

		o->fd = STDOUT_FILENO;
		o->pipe = fstat(o->fd, &st) == 0 && S_ISFIFO(st.st_mode);
	} else {
		char dir[PATH_MAX];
		struct stat st;

		if (strlen(opts->path) >= sizeof(o->path) - 16) {
			pr_warn("--output %s: path too long", opts->path);
			return -ENAMETOOLONG;
		}
		snprintf(o->path, sizeof(o->path), "%s", opts->path);
		snprintf(dir, sizeof(dir), "%s", opts->path);
		if (stat(dirname(dir), &st) || !S_ISDIR(st.st_mode)) {
			pr_warn("--output %s: directory %s does not exist", opts->path, dir);
			return -ENOENT;
		}
		if (stat(opts->path, &st) == 0 && S_ISDIR(st.st_mode)) {
			pr_warn("--output %s: is a directory", opts->path);
			return -EISDIR;
		}
		err = open_path(o, &o->fd, &o->file_size);
		if (err) {
			pr_warn("--output %s: %s", opts->path, strerror(-err));
			return err;
		}
		o->owned = true;
		o->gzip = ends_with(opts->path, ".gz");
	}
	o->tbuf = malloc(OUTPUT_BUF_BYTES);
	if (o->gzip) {
		z_stream *z = calloc(1, sizeof(*z));

		/* windowBits 15 + 16: a gzip wrapper */
		if (!z ||
		    deflateInit2(z, GZ_LEVEL, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
			free(z);
			pr_warn("--output %s: cannot set up gzip compression", opts->path);
			output_close(o);
			return -ENOMEM;
		}
		o->z = (struct z_stream_s *)z;
		o->ocap = deflateBound(z, OUTPUT_BUF_BYTES) + 64;
	} else {
		o->ocap = OUTPUT_BUF_BYTES;
	}
	o->obuf = malloc(o->ocap);
	if (!o->tbuf || !o->obuf) {
		output_close(o);
		return -ENOMEM;
	}
	o->last_chunk_ns = clock_now(CLOCK_MONOTONIC);
	return 0;
}

int output_open(struct output *o, const char *path)
{
	struct output_opts opts = { .path = path };

	return output_open_opts(o, &opts);
}

void output_line(struct output *o, char *buf, size_t n, bool overflowed)
{
	if (overflowed)
		o->st.lines_overflowed++;
	if (o->fd < 0 || o->broken || !o->tbuf) {
		lose(o, 1);
		return;
	}
	if (o->tlen + n + 1 > OUTPUT_BUF_BYTES)
		push(o, -1);
	if (o->tlen + n + 1 > OUTPUT_BUF_BYTES) {
		lose(o, 1);
		return;
	}
	memcpy(o->tbuf + o->tlen, buf, n);
	o->tbuf[o->tlen + n] = '\n';
	o->tlen += n + 1;
	o->tlines++;
}

void output_flush(struct output *o)
{
	if (!o->broken)
		push(o, -1);
}

void output_tick(struct output *o, uint64_t now_mono)
{
	if (o->broken || o->fd < 0)
		return;
	if (o->pipe) {
		/* a pipe whose reader is gone polls POLLERR: notice it now, not at the next line */
		struct pollfd p = { .fd = o->fd, .events = POLLOUT };

		if (poll(&p, 1, 0) == 1 && (p.revents & POLLERR)) {
			fail(o, EPIPE);
			return;
		}
	}
	if (!o->gzip || o->olen || now_mono - o->last_chunk_ns >= OUTPUT_GZ_FLUSH_NS ||
	    o->tlen > OUTPUT_BUF_BYTES / 2)
		push(o, -1);
}

int output_reopen(struct output *o)
{
	uint64_t size = 0;
	int fd = -1, err;

	if (!o->owned)
		return 0;
	/* the old file gets everything written so far, whole: a chunk is never split */
	if (!push(o, CLOSE_WAIT_MS)) {
		pr_warn("output %s: not reopened: the old file still has a chunk pending (%s)",
			o->path, o->err ? strerror(o->err) : "busy");
		return -EAGAIN;
	}
	err = open_path(o, &fd, &size);
	if (err) {
		pr_warn("output %s: cannot reopen: %s (still writing to the old file)", o->path,
			strerror(-err));
		return err;
	}
	close(o->fd);
	o->fd = fd;
	o->file_size = size;
	o->st.reopens++;
	return 0;
}

bool output_failed(const struct output *o)
{
	return o->st.write_errors || o->broken;
}

bool output_broken(const struct output *o)
{
	return o->broken;
}

uint64_t output_pending(const struct output *o)
{
	return o->tlines + o->olines;
}

bool output_take_recovery(struct output *o, struct output_recovery *r)
{
	if (!o->recovered)
		return false;
	r->err = o->recovered_err;
	r->since_real = o->recovered_since_real;
	r->lost = o->recovered_lost;
	o->recovered = false;
	return true;
}

/* At exit, a chunk the output took only part of: its whole lines count as written; a line cut
 * in two (or a gzip member cut short, which no reader can use) is taken off the file again,
 * so that the file ends with a whole line. */
static void settle_partial(struct output *o)
{
	uint64_t whole = 0, cut;
	size_t last = 0;

	if (!o->olen || !o->ooff)
		return;
	if (o->gzip) {
		cut = o->ooff;
	} else {
		for (size_t i = 0; i < o->ooff; i++)
			if (o->obuf[i] == '\n') {
				whole++;
				last = i + 1;
			}
		cut = o->ooff - last;
		o->st.lines_written += whole;
		o->olines -= whole;
	}
	if (cut && o->owned && o->file_size >= cut && ftruncate(o->fd, o->file_size - cut) == 0) {
		o->file_size -= cut;
		o->st.bytes_written -= cut;
	}
}

void output_close(struct output *o)
{
	if (o->fd >= 0 && !o->broken)
		push(o, CLOSE_WAIT_MS);
	settle_partial(o);
	/* what is still here never reaches the output */
	lose(o, o->tlines + o->olines);
	o->tlines = o->olines = 0;
	o->tlen = o->olen = o->ooff = 0;
	if (o->owned && o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	if (o->z) {
		deflateEnd((z_stream *)o->z);
		free(o->z);
		o->z = NULL;
	}
	free(o->tbuf);
	free(o->obuf);
	o->tbuf = o->obuf = NULL;
}
