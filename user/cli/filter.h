/* SPDX-License-Identifier: GPL-2.0 */
/*
 * filter: which events a view shows. The same filters select the lines of `credwatch trace`,
 * `credwatch view` and the output of `credwatch run`; they look only at what a line shows
 * (struct hview, user/render/human.h).
 *
 *   --namespace NS[,NS...]     the pod's namespace, exactly (host processes never match)
 *   --pod PREFIX[,PREFIX...]   the start of the pod's name
 *   --container NAME[,...]     the container's name, exactly
 *   --severity SEV             the event's most severe finding is at least SEV (low, medium,
 *                              high, critical); events without a finding never match
 *   --event NAME[,NAME...]     the event type (imds_request, file_open, finding_summary, ...)
 *   --findings-only            events with a finding, and fold summaries
 *
 * Repeating an option adds to its list; different options must all match. The agent's own
 * lines (agent_ready, agent_stats) are status, not events: they are never filtered out.
 */
#ifndef CREDWATCH_CLI_FILTER_H
#define CREDWATCH_CLI_FILTER_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include "render/human.h"
#include "render/render.h"

#define FILTER_MAX_ITEMS 16
#define FILTER_ITEM_MAX	 254

struct filter_list {
	char item[FILTER_MAX_ITEMS][FILTER_ITEM_MAX];
	int n;
};

struct view_filter {
	struct filter_list ns, pod, container, event;
	int min_severity; /* enum cw_severity; SEV_NONE: any */
	bool findings_only;
	bool active; /* any option given */
};

/* getopt_long ids of the filter options (above 1000, out of the way of the callers' own) */
enum {
	FILTER_OPT_NAMESPACE = 1001,
	FILTER_OPT_POD,
	FILTER_OPT_CONTAINER,
	FILTER_OPT_SEVERITY,
	FILTER_OPT_EVENT,
	FILTER_OPT_FINDINGS_ONLY,
};

#define FILTER_LONGOPTS                                                         \
	{ "namespace", required_argument, NULL, FILTER_OPT_NAMESPACE },         \
		{ "pod", required_argument, NULL, FILTER_OPT_POD },             \
		{ "container", required_argument, NULL, FILTER_OPT_CONTAINER }, \
		{ "severity", required_argument, NULL, FILTER_OPT_SEVERITY },   \
		{ "event", required_argument, NULL, FILTER_OPT_EVENT },         \
	{                                                                       \
		"findings-only", no_argument, NULL, FILTER_OPT_FINDINGS_ONLY    \
	}

#define FILTER_USAGE                                                                               \
	"      --namespace NS[,NS]  only pods in these namespaces\n"                               \
	"      --pod PREFIX[,...]   only pods whose name starts with PREFIX\n"                     \
	"      --container NAME     only these containers\n"                                       \
	"      --severity SEV       only findings of at least SEV (low, medium, high, critical)\n" \
	"      --event NAME[,NAME]  only these event types (imds_request, agent_request,\n"        \
	"                           endpoint_connect, file_open, socket_connect,\n"                \
	"                           endpoint_unparsed, finding_summary, cgroup_move,\n"            \
	"                           repeat_summary, event_flood)\n"                                \
	"      --findings-only      only events with a finding, and fold summaries\n"

/* One filter option (opt: FILTER_OPT_*). Returns 0, or -1 with a message in err. */
int filter_option(struct view_filter *f, int opt, const char *arg, char *err, size_t errlen);

/* The view shows v. */
bool filter_match(const struct view_filter *f, const struct hview *v);
/* As a human_opts.keep callback (ctx: the struct view_filter). */
bool filter_keep(void *ctx, const struct hview *v);

/* A renderer that hands inner only the events (and fold summaries) f lets through; the
 * agent's own lines always pass. Owns inner (frees it). */
struct renderer *filter_renderer_new(struct renderer *inner, const struct view_filter *f);

#endif
