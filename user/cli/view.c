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
	bool summary = false, oversized = false;
	int64_t day = -1;
	struct stat st;
	gzFile gz;
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
	gz = gzdopen(fd, "rb");
	if (!gz) {
		fprintf(stderr, "credwatch view: %s: cannot read\n", name);
		close(fd);
		return 1;
	}
	gzbuffer(gz, 1 << 16);
	style.color = cli_use_color(color, 1);

	while (gzgets(gz, line, sizeof(line))) {
		size_t n = strlen(line);
		char why[200];
		int rc;

		/* a line longer than the buffer: the rest is read and the whole counted once */
		if (n && line[n - 1] != '\n' && n == sizeof(line) - 1) {
			oversized = true;
			continue;
		}
		if (oversized) {
			oversized = false;
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
	{
		int zerr;
		const char *zmsg = gzerror(gz, &zerr);

		if (zerr != Z_OK && zerr != Z_BUF_ERROR) {
			fprintf(stderr, "credwatch view: %s: read error: %s\n", name,
				zerr == Z_ERRNO ? strerror(errno) : zmsg);
			gzclose(gz);
			return 1;
		}
	}
	gzclose(gz);
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
