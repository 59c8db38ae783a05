// SPDX-License-Identifier: GPL-2.0
/* View filters (see filter.h) and the filtering renderer for `credwatch run`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/filter.h"
#include "judge/policy.h"

/* the event types a filter may name (cgroup_move: the file side's, issue 14) */
static const char *const event_names[] = {
	"endpoint_connect",  "imds_request",	"agent_request", "file_open",	   "socket_connect",
	"endpoint_unparsed", "finding_summary", "cgroup_move",	 "repeat_summary", "event_flood",
};

static int add_items(struct filter_list *l, const char *opt, const char *arg, bool events,
		     char *err, size_t errlen)
{
	const char *p = arg;

	do {
		size_t n = strcspn(p, ",");

		if (!n || n >= FILTER_ITEM_MAX) {
			snprintf(err, errlen,
				 "invalid value for --%s: '%s' (empty or too long item)", opt, arg);
			return -1;
		}
		if (l->n == FILTER_MAX_ITEMS) {
			snprintf(err, errlen, "--%s: at most %d values", opt, FILTER_MAX_ITEMS);
			return -1;
		}
		memcpy(l->item[l->n], p, n);
		l->item[l->n][n] = 0;
		if (events) {
			size_t i;

			for (i = 0; i < sizeof(event_names) / sizeof(event_names[0]); i++)
				if (!strcmp(event_names[i], l->item[l->n]))
					break;
			if (i == sizeof(event_names) / sizeof(event_names[0])) {
				snprintf(err, errlen,
					 "invalid value for --event: '%s' (want imds_request, "
					 "agent_request, endpoint_connect, file_open, "
					 "socket_connect, endpoint_unparsed, finding_summary, "
					 "cgroup_move, repeat_summary or event_flood)",
					 l->item[l->n]);
				return -1;
			}
		}
		l->n++;
		p += n;
	} while (*p++ == ',');
	return 0;
}

int filter_option(struct view_filter *f, int opt, const char *arg, char *err, size_t errlen)
{
	int rc = 0;

	switch (opt) {
	case FILTER_OPT_NAMESPACE:
		rc = add_items(&f->ns, "namespace", arg, false, err, errlen);
		break;
	case FILTER_OPT_POD:
		rc = add_items(&f->pod, "pod", arg, false, err, errlen);
		break;
	case FILTER_OPT_CONTAINER:
		rc = add_items(&f->container, "container", arg, false, err, errlen);
		break;
	case FILTER_OPT_EVENT:
		rc = add_items(&f->event, "event", arg, true, err, errlen);
		break;
	case FILTER_OPT_SEVERITY: {
		int s = severity_parse(arg);

		if (s < 0) {
			snprintf(err, errlen,
				 "invalid value for --severity: '%s' (want low, medium, high or "
				 "critical)",
				 arg);
			return -1;
		}
		f->min_severity = s;
		break;
	}
	case FILTER_OPT_FINDINGS_ONLY:
		f->findings_only = true;
		break;
	default:
		snprintf(err, errlen, "unknown filter option");
		return -1;
	}
	if (!rc)
		f->active = true;
	return rc;
}

static bool in_list(const struct filter_list *l, const struct hstr *h, bool prefix)
{
	if (!l->n)
		return true;
	for (int i = 0; i < l->n; i++) {
		size_t n = strlen(l->item[i]);

		if (prefix ? h->n >= n && memcmp(h->s, l->item[i], n) == 0
			   : h->n == n && memcmp(h->s, l->item[i], n) == 0)
			return true;
	}
	return false;
}

bool filter_match(const struct view_filter *f, const struct hview *v)
{
	if (!f || !f->active)
		return true;
	if (v->kind == HV_READY || v->kind == HV_STATS)
		return true;
	if ((f->ns.n || f->pod.n) && v->host)
		return false;
	if (!in_list(&f->ns, &v->ns, false) || !in_list(&f->pod, &v->pod, true) ||
	    !in_list(&f->container, &v->container, false) || !in_list(&f->event, &v->event, false))
		return false;
	if (f->min_severity > SEV_NONE && v->severity < f->min_severity)
		return false;
	if (f->findings_only && v->severity <= SEV_NONE)
		return false;
	return true;
}

bool filter_keep(void *ctx, const struct hview *v)
{
	return filter_match(ctx, v);
}

/* ---------------------------------------------------------------------------------------- */

struct filter_renderer {
	struct renderer base;
	struct renderer *inner;
	const struct view_filter *f;
	struct hview v;
};

static void fr_event(struct renderer *r, const struct cw_event *e)
{
	struct filter_renderer *fr = (struct filter_renderer *)r;

	hview_from_event(&fr->v, e);
	if (filter_match(fr->f, &fr->v))
		fr->inner->ops->event(fr->inner, e);
}

static void fr_summary(struct renderer *r, const struct fold_summary *s, int64_t now_real)
{
	struct filter_renderer *fr = (struct filter_renderer *)r;

	hview_from_summary(&fr->v, s, now_real);
	if (filter_match(fr->f, &fr->v))
		fr->inner->ops->summary(fr->inner, s, now_real);
}

static void fr_repeat(struct renderer *r, const struct quiet_summary *s, int64_t boot_to_real)
{
	struct filter_renderer *fr = (struct filter_renderer *)r;

	hview_from_repeat(&fr->v, s, boot_to_real);
	if (fr->inner->ops->repeat && filter_match(fr->f, &fr->v))
		fr->inner->ops->repeat(fr->inner, s, boot_to_real);
}

static void fr_ready(struct renderer *r, const struct ready_info *ri)
{
	struct filter_renderer *fr = (struct filter_renderer *)r;

	fr->inner->ops->ready(fr->inner, ri);
}

static void fr_stats(struct renderer *r, const struct stats_snapshot *st)
{
	struct filter_renderer *fr = (struct filter_renderer *)r;

	fr->inner->ops->stats(fr->inner, st);
}

/* the agent's operational lines (config_reloaded, output_recovered) pass like ready/stats */
static void fr_reloaded(struct renderer *r, const struct reload_info *ri)
{
	struct filter_renderer *fr = (struct filter_renderer *)r;

	if (fr->inner->ops->reloaded)
		fr->inner->ops->reloaded(fr->inner, ri);
}

static void fr_output_recovered(struct renderer *r, const struct output_gap_info *gi)
{
	struct filter_renderer *fr = (struct filter_renderer *)r;

	if (fr->inner->ops->output_recovered)
		fr->inner->ops->output_recovered(fr->inner, gi);
}

static void fr_free(struct renderer *r)
{
	struct filter_renderer *fr = (struct filter_renderer *)r;

	fr->inner->ops->free(fr->inner);
	free(fr);
}

static const struct renderer_ops filter_ops = {
	.event = fr_event,
	.summary = fr_summary,
	.ready = fr_ready,
	.stats = fr_stats,
	.free = fr_free,
	.reloaded = fr_reloaded,
	.output_recovered = fr_output_recovered,
	.repeat = fr_repeat,
};

struct renderer *filter_renderer_new(struct renderer *inner, const struct view_filter *f)
{
	struct filter_renderer *fr;

	if (!inner)
		return NULL;
	fr = calloc(1, sizeof(*fr));
	if (!fr) {
		inner->ops->free(inner);
		return NULL;
	}
	fr->base.ops = &filter_ops;
	fr->inner = inner;
	fr->f = f;
	return &fr->base;
}
