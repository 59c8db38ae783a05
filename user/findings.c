// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "agent.h"
#include "emit.h"
#include "findings.h"
#include "fold.h"

#define FOLD_CAPACITY 4096

static void summary_cb(const struct fold_summary *s, void *ctx)
{
	struct agent *a = ctx;
	char buf[EMIT_LINE_MAX];
	struct jw w;

	/* a window whose only hit was the emitted event needs no summary */
	if (s->count < 2)
		return;
	emit_begin(a, &w, buf, sizeof(buf), "finding_summary", 0);
	fold_put_summary(&w, s);
	emit_end(a, &w);
	a->summaries++;
}

int findings_init(struct agent *a)
{
	uint64_t window = (uint64_t)a->cfg.policy.fold_window_s * 1000000000ULL;

	if (!window)
		return 0; /* folding off */
	a->fold = fold_new(FOLD_CAPACITY, window, summary_cb, a);
	if (!a->fold)
		return -ENOMEM;
	fold_seed(a->fold, now_ns(CLOCK_REALTIME), (uint64_t)getpid() * 0x9e3779b97f4a7c15ULL);
	return 0;
}

void findings_free(struct agent *a)
{
	fold_free(a->fold);
	a->fold = NULL;
}

void findings_subject(const struct ev_ctx *c, struct cw_subject *s)
{
	const struct attrib_result *r = &c->res;

	memset(s, 0, sizeof(*s));
	s->host = r->host;
	s->pod_uid = r->pod_uid[0] ? r->pod_uid : NULL;
	s->pod_namespace = r->pod_namespace[0] ? r->pod_namespace : NULL;
	s->pod_name = r->pod_name[0] ? r->pod_name : NULL;
	s->service_account = r->service_account[0] ? r->service_account : NULL;
	s->image = r->image[0] ? r->image : NULL;
	s->container = r->container_name[0] ? r->container_name : NULL;
	s->exe = c->exe[0] ? c->exe : NULL;
	s->pod_cred = r->pod_cred;
	s->container_cred = r->container_cred;
	s->pod_identity_associated = r->pod_identity_associated;
}

bool findings_admit(struct agent *a, const struct cw_subject *s, const struct findings *fs,
		    const char *target, uint64_t real_ns)
{
	struct fold_key k;

	if (!fs->n)
		return true;
	a->findings[fs->f[0].severity < 8 ? fs->f[0].severity : 0]++;
	if (!a->fold)
		return true;
	k = (struct fold_key){
		.rule = fs->f[0].rule,
		.severity = fs->f[0].severity,
		.host = s->host,
		.pod_uid = s->pod_uid,
		.pod_namespace = s->pod_namespace,
		.pod_name = s->pod_name,
		.container = s->container,
		.exe = s->exe,
		.target = target,
	};
	if (fold_hit(a->fold, &k, real_ns) == FOLD_EMIT)
		return true;
	a->folded++;
	return false;
}

void findings_expire(struct agent *a, bool flush)
{
	if (!a->fold)
		return;
	if (flush)
		fold_flush_all(a->fold, now_ns(CLOCK_REALTIME));
	else
		fold_expire(a->fold, now_ns(CLOCK_REALTIME));
}
