/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cli: the commands for an incident responder on one node, next to the agent (`run`):
 *
 *   credwatch trace [options] [filters]   the agent, one human line per event (cli/trace.c)
 *   credwatch view [FILE|-] [filters]     the same view over JSON lines already written
 *                                         (a file, a .gz file, stdin; cli/view.c)
 *   credwatch scan [--host-root DIR]      a snapshot of the node from its state, no BPF
 *                                         (cli/scan.c)
 *
 * The view and its filters are shared (render/human.h, cli/filter.h); `run` takes the same
 * filters for its JSON output.
 */
#ifndef CREDWATCH_CLI_H
#define CREDWATCH_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include "cli/filter.h"

struct agent;
struct node_ident;
struct renderer;

enum cli_format { CLI_FORMAT_TEXT = 0, CLI_FORMAT_JSON };
enum cli_color { CLI_COLOR_AUTO = 0, CLI_COLOR_ALWAYS, CLI_COLOR_NEVER };

/* What `run` and `trace` add to the agent's options. */
struct cli_opts {
	bool trace;		/* credwatch trace */
	enum cli_format format; /* trace: -o text|json */
	enum cli_color color;
	struct view_filter filter;
	/* trace's state */
	struct renderer *human;
	uint64_t next_status_ns;
};

/* Parse --color's value; -1 when invalid. */
int cli_color_parse(const char *s);
/* Colours on: always, or auto with fd a terminal and NO_COLOR unset or empty. */
bool cli_use_color(enum cli_color c, int fd);

/* The agent's renderer for run/trace: JSON lines (filtered when a filter was given) or the
 * human view. Called by the run loop once the output is open. */
struct renderer *cli_agent_renderer(struct agent *a, const struct node_ident *node);
/* Each turn of the run loop: trace's drop status line, at most once a second. */
void cli_agent_tick(struct agent *a, uint64_t now_mono);
/* After the run loop (trace: the summary). */
void cli_agent_done(struct agent *a);

/* The other commands: argv[0] is the command's name. Return the exit status. */
int cli_view(int argc, char **argv);
int cli_scan(int argc, char **argv);

#endif
