// SPDX-License-Identifier: GPL-2.0
/*
 * credwatch view [FILE|-] [filters]: the human view (render/human.h) over JSON lines already
 * written: a file, a gzip file (read through zlib, which also reads plain files as they are),
 * or stdin. Lines that are not JSON objects are counted and reported, never fatal; JSON lines
 * of other programs are skipped and counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "cli/cli.h"
#include "cli/jsonview.h"
#include "render/human.h"

static const char view_usage[] =
	"usage: credwatch view [FILE|-] [options]\n"
	"\n"
	"Show JSON lines written by credwatch run (a file, a .gz file, or stdin when FILE is\n"
	"'-' or missing) as one human line per event.\n"
	"\n" FILTER_USAGE
	"      --color WHEN         always, never or auto (default: auto, colours on a terminal\n"
	"                           unless NO_COLOR is set)\n"
	"      --summary            after the events, the summary (findings by rule and pod)\n"
	"  -h, --help               this text\n";

struct view_out {
	FILE *f;
	bool flush; /* after each line (input from a pipe or terminal) */
};

static void out_line(void *ctx, const char *line, size_t n)
{
	struct view_out *o = ctx;

	fwrite(line, 1, n, o->f);
	fputc('\n', o->f);
}

enum { LINE_OK, LINE_LONG, LINE_EOF };

/*
 * Where lines come from. A regular file goes through gzread (zlib reads a plain file as it is).
 * A pipe or terminal is read with read(), which returns what is there, so that a live stream
 * (kubectl logs -f | credwatch view) is shown as it comes; gzip on a pipe is inflated here
 * (zlib's gzread would wait for a full buffer).
 */
struct src {
	gzFile gz;
	int fd;
	bool inflating, started, eof, cut;
	bool in_member; /* inside a gzip member that has not ended yet */
	z_stream z;
	unsigned char raw[1 << 15];
};

static int src_read(struct src *s, char *out, size_t n)
{
	ssize_t r;

	if (s->gz) {
		int g = gzread(s->gz, out, (unsigned int)n);

		if (g < 0)
			return -1;
		return g;
	}
	for (;;) {
		if (s->inflating && s->z.avail_in) {
			int zr;

			s->z.next_out = (unsigned char *)out;
			s->z.avail_out = (unsigned int)n;
			zr = inflate(&s->z, Z_NO_FLUSH);
			if (zr == Z_STREAM_END) {
				/* concatenated members (a rotated or appended file) */
				inflateReset(&s->z);
				s->in_member = false;
			} else if (zr != Z_OK && zr != Z_BUF_ERROR) {
				return -1;
			}
			if (n - s->z.avail_out)
				return (int)(n - s->z.avail_out);
			if (s->z.avail_in)
				continue;
		}
		if (s->eof)
			return 0;
		r = read(s->fd, s->inflating || !s->started ? (char *)s->raw : out,
			 s->inflating || !s->started ? sizeof(s->raw) : n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0) {
			s->eof = true;
			s->cut = s->inflating && s->in_member;
			return 0;
		}
		if (!s->started) {
			s->started = true;
			if (r >= 2 && s->raw[0] == 0x1f && s->raw[1] == 0x8b) {
				s->inflating = true;
				if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK)
					return -1;
			} else {
				size_t k = (size_t)r < n ? (size_t)r : n;

				/* plain text: hand over what was read (n is never below it here) */
				memcpy(out, s->raw, k);
				return (int)k;
			}
		}
		if (s->inflating) {
			s->z.next_in = s->raw;
			s->z.avail_in = (unsigned int)r;
			s->in_member = true;
			continue;
		}
		return (int)r;
	}
}

/* One line (NUL bytes and all) into buf, without its newline; a line longer than cap - 1 is
 * read to its end and reported as LINE_LONG. */
static int read_line(struct src *src, char *buf, size_t cap, size_t *len)
{
	static char in[1 << 16];
	static size_t have, at;
	size_t n = 0;
	bool long_line = false, any = false;

	for (;;) {
		char *nl;
		size_t take;

		if (at == have) {
			int r = src_read(src, in, sizeof(in));

			if (r <= 0) {
				*len = n;
				buf[long_line ? 0 : n] = 0;
				if (!any)
					return LINE_EOF;
				return long_line ? LINE_LONG : LINE_OK;
			}
			have = (size_t)r;
			at = 0;
		}
		any = true;
		nl = memchr(in + at, '\n', have - at);
		take = (nl ? (size_t)(nl - (in + at)) : have - at);
		if (!long_line && n + take < cap) {
			memcpy(buf + n, in + at, take);
			n += take;
		} else {
			long_line = true;
		}
		at += take;
		if (nl) {
			at++;
			*len = n;
			buf[long_line ? 0 : n] = 0;
			return long_line ? LINE_LONG : LINE_OK;
		}
	}
}

static void usage_error(const char *msg)
{
	fprintf(stderr,
		"credwatch view: %s\nusage: credwatch view [FILE|-] [--severity SEV] "
		"[--namespace NS] ... (credwatch view --help for all options)\n",
		msg);
	exit(2);
}

int cli_view(int argc, char **argv)
{
	enum { OPT_COLOR = 256, OPT_SUMMARY };
	static const struct option longopts[] = {
		FILTER_LONGOPTS,
		{ "color", required_argument, NULL, OPT_COLOR },
		{ "summary", no_argument, NULL, OPT_SUMMARY },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	static struct view_filter filter;
	static struct hview v;
	static struct htally tally;
	static char line[JSONVIEW_LINE_MAX + 2], out[8192];
	struct human_style style = { 0 };
	struct view_out vo = { stdout, false };
	enum cli_color color = CLI_COLOR_AUTO;
	uint64_t lineno = 0, malformed = 0, foreign = 0, first_bad = 0;
	const char *file = NULL, *name;
	char err[600], first_why[256] = "";
	bool summary = false;
	int64_t day = -1;
	static struct src src;
	struct stat st;
	int c, fd;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_COLOR: {
			int v2 = cli_color_parse(optarg);

			if (v2 < 0) {
				snprintf(err, sizeof(err),
					 "invalid value for --color: '%s' (want always, never or "
					 "auto)",
					 optarg);
				usage_error(err);
			}
			color = v2;
			break;
		}
		case OPT_SUMMARY:
			summary = true;
			break;
		case 'h':
			fputs(view_usage, stdout);
			return 0;
		case ':':
			snprintf(err, sizeof(err), "option '%s' needs a value", argv[optind - 1]);
			usage_error(err);
			break;
		case '?':
			snprintf(err, sizeof(err), "unknown option '%s'", argv[optind - 1]);
			usage_error(err);
			break;
		default:
			if (filter_option(&filter, c, optarg, err, sizeof(err)))
				usage_error(err);
		}
	}
	if (optind < argc)
		file = argv[optind++];
	if (optind < argc) {
		snprintf(err, sizeof(err), "unexpected argument '%s'", argv[optind]);
		usage_error(err);
	}
	if (!file || !strcmp(file, "-")) {
		name = "stdin";
		fd = dup(0);
	} else {
		name = file;
		fd = open(file, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "credwatch view: %s: %s\n", name, strerror(errno));
		return 1;
	}
	if (S_ISDIR(st.st_mode)) {
		fprintf(stderr, "credwatch view: %s: is a directory\n", name);
		close(fd);
		return 1;
	}
	vo.flush = !S_ISREG(st.st_mode);
	src.fd = fd;
	if (S_ISREG(st.st_mode)) {
		src.gz = gzdopen(fd, "rb");
		if (!src.gz) {
			fprintf(stderr, "credwatch view: %s: cannot read\n", name);
			close(fd);
			return 1;
		}
		gzbuffer(src.gz, 1 << 16);
	}
	style.color = cli_use_color(color, 1);

	for (;;) {
		char why[200];
		size_t n;
		int rc = read_line(&src, line, sizeof(line), &n);

		if (rc == LINE_EOF)
			break;
		if (rc == LINE_LONG) {
			lineno++;
			malformed++;
			if (!first_bad) {
				first_bad = lineno;
				snprintf(first_why, sizeof(first_why), "longer than %u bytes",
					 JSONVIEW_LINE_MAX);
			}
			continue;
		}
		lineno++;
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		rc = hview_from_json(&v, line, n, why, sizeof(why));
		if (rc == JV_BLANK)
			continue;
		if (rc == JV_FOREIGN) {
			foreign++;
			continue;
		}
		if (rc == JV_MALFORMED) {
			malformed++;
			if (!first_bad) {
				first_bad = lineno;
				snprintf(first_why, sizeof(first_why), "%s", why);
			}
			continue;
		}
		if (!filter_match(&filter, &v)) {
			human_tally_add(&tally, &v, false);
			continue;
		}
		human_tally_add(&tally, &v, true);
		if (v.kind != HV_READY && v.kind != HV_STATS) {
			size_t dn = human_date_line(v.time_ns, &day, out, sizeof(out));

			if (dn)
				out_line(&vo, out, dn);
		}
		n = human_format(&v, &style, out, sizeof(out));
		if (n)
			out_line(&vo, out, n);
		if (vo.flush)
			fflush(stdout);
	}
	if (src.gz) {
		int zerr;
		const char *zmsg = gzerror(src.gz, &zerr);

		/* a gzip file that stops early (an agent killed mid-write): what was there is
		 * shown, and said */
		if (zerr == Z_BUF_ERROR)
			src.cut = true;
		else if (zerr != Z_OK) {
			fprintf(stderr, "credwatch view: %s: read error: %s\n", name,
				zerr == Z_ERRNO ? strerror(errno) : zmsg);
			gzclose(src.gz);
			return 1;
		}
		gzclose(src.gz);
	} else {
		if (src.inflating)
			inflateEnd(&src.z);
		close(fd);
	}
	if (src.cut)
		fprintf(stderr,
			"credwatch view: %s: the compressed data ends early (cut file); "
			"showing what was there\n",
			name);
	if (summary)
		human_tally_print(&tally, &style, out_line, &vo);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "credwatch view: writing: %s\n", strerror(errno));
		return 1;
	}
	if (malformed)
		fprintf(stderr,
			"credwatch view: %s: %llu malformed line%s skipped (first: line %llu: "
			"%s)\n",
			name, (unsigned long long)malformed, malformed == 1 ? "" : "s",
			(unsigned long long)first_bad, first_why);
	if (foreign)
		fprintf(stderr, "credwatch view: %s: %llu line%s not from credwatch skipped\n",
			name, (unsigned long long)foreign, foreign == 1 ? "" : "s");
	return 0;
}
