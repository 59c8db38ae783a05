// SPDX-License-Identifier: GPL-2.0
/*
 * credwatch trace: the agent (same loader and pipeline as `credwatch run`) with the human
 * view as its renderer, and run's output filters. The run loop (main.c) asks here for its
 * renderer, calls cli_agent_tick() each turn and cli_agent_done() at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "agent.h"
#include "cli/cli.h"
#include "loader/kstats.h"
#include "pipeline.h"
#include "render/human.h"
#include "render/json.h"

#define STATUS_EVERY_NS 1000000000ULL

int cli_color_parse(const char *s)
{
	if (!strcmp(s, "auto"))
		return CLI_COLOR_AUTO;
	if (!strcmp(s, "always"))
		return CLI_COLOR_ALWAYS;
	if (!strcmp(s, "never"))
		return CLI_COLOR_NEVER;
	return -1;
}

bool cli_use_color(enum cli_color c, int fd)
{
	const char *nc = getenv("NO_COLOR");

	if (c != CLI_COLOR_AUTO)
		return c == CLI_COLOR_ALWAYS;
	return isatty(fd) && !(nc && nc[0]);
}

static void write_out(void *ctx, char *buf, size_t n)
{
	output_line(ctx, buf, n, false);
}

struct renderer *cli_agent_renderer(struct agent *a, const struct node_ident *node)
{
	struct cli_opts *c = &a->cli;
	struct human_opts ho = { 0 };
	struct renderer *r;

	if (!c->trace || c->format == CLI_FORMAT_JSON) {
		r = json_renderer_new(&a->out, node);
		if (r && c->filter.active)
			r = filter_renderer_new(r, &c->filter);
		return r;
	}
	ho.style.color = cli_use_color(c->color, a->out.fd >= 0 ? a->out.fd : STDOUT_FILENO);
	ho.node = node->name;
	ho.write = write_out;
	ho.write_ctx = &a->out;
	if (c->filter.active) {
		ho.keep = filter_keep;
		ho.keep_ctx = &c->filter;
	}
	c->human = human_renderer_new(&ho);
	return c->human;
}

void cli_agent_tick(struct agent *a, uint64_t now)
{
	struct cli_opts *c = &a->cli;
	static struct stats_snapshot st;
	uint64_t k[CW_STAT_MAX];

	if (!c->trace || !a->pipe || now < c->next_status_ns)
		return;
	c->next_status_ns = now + STATUS_EVERY_NS;
	memset(k, 0, sizeof(k));
	kstats_read(&a->loader, k);
	pipeline_stats(a->pipe, &st);
	if (c->human) {
		human_status(c->human, k[CW_STAT_RINGBUF_FULL], st.bad_records,
			     a->out.st.write_errors);
		return;
	}
	/* -o json: the JSON lines stay clean, the status goes to stderr */
	if (k[CW_STAT_RINGBUF_FULL] || st.bad_records || a->out.st.write_errors) {
		static uint64_t last[3];
		uint64_t d[3] = { k[CW_STAT_RINGBUF_FULL], st.bad_records, a->out.st.write_errors };

		if (memcmp(d, last, sizeof(d))) {
			memcpy(last, d, sizeof(d));
			fprintf(stderr,
				"credwatch: DROPPED: ringbuf_full %llu, bad_record %llu, "
				"output_error %llu\n",
				(unsigned long long)d[0], (unsigned long long)d[1],
				(unsigned long long)d[2]);
		}
	}
}

void cli_agent_done(struct agent *a)
{
	struct cli_opts *c = &a->cli;

	if (c->trace && c->human) {
		human_summary(c->human);
		output_flush(&a->out);
	}
}
