// SPDX-License-Identifier: GPL-2.0
/* SIGHUP's configuration reload (reload.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "loader/loader.h"
#include "ops/reload.h"
#include "util/clock.h"
#include "util/log.h"

static void add_changed(struct reload_info *ri, struct reload_text *t, const char *key)
{
	if (ri->nchanged >= RENDER_MAX_RELOAD_ITEMS)
		return;
	snprintf(t->changed[ri->nchanged], sizeof(t->changed[0]), "%s", key);
	ri->changed[ri->nchanged] = t->changed[ri->nchanged];
	ri->nchanged++;
}

static bool allow_eq(const struct policy_allow *x, const struct policy_allow *y)
{
	return x->rule == y->rule && !strcmp(x->namespace, y->namespace) &&
	       !strcmp(x->pod_prefix, y->pod_prefix) &&
	       !strcmp(x->service_account, y->service_account) &&
	       !strcmp(x->image_prefix, y->image_prefix) && !strcmp(x->host_exe, y->host_exe);
}

/* the allow entries of one rule, in order, are the same */
static bool rule_allow_eq(const struct policy *a, const struct policy *b, int rule)
{
	int i = 0, j = 0;

	for (;;) {
		while (i < a->nallow && a->allow[i].rule != rule)
			i++;
		while (j < b->nallow && b->allow[j].rule != rule)
			j++;
		if (i == a->nallow || j == b->nallow)
			return i == a->nallow && j == b->nallow;
		if (!allow_eq(&a->allow[i], &b->allow[j]))
			return false;
		i++;
		j++;
	}
}

static bool has_endpoint(const struct config *c, const struct endpoint_cfg *e)
{
	for (int i = 0; i < c->nendpoints; i++)
		if (c->endpoints[i].port == e->port && c->endpoints[i].kind == e->kind &&
		    !memcmp(c->endpoints[i].addr, e->addr, sizeof(e->addr)))
			return true;
	return false;
}

static bool has_socket(const struct socket_watch *w, const struct socket_cfg *s)
{
	for (int i = 0; i < w->n; i++)
		if (w->cfg[i].kind == s->kind && !strcmp(w->cfg[i].path, s->path))
			return true;
	return false;
}

static void name_endpoint(const struct endpoint_cfg *e, char *buf, size_t len)
{
	char addr[64];

	config_format_addr(e->addr, addr, sizeof(addr));
	snprintf(buf, len, strchr(addr, ':') ? "[%s]:%u %s" : "%s:%u %s", addr, e->port,
		 endpoint_kind_name(e->kind));
}

int reload_diff(const struct config *a, const struct config *b, struct reload_info *ri,
		struct reload_text *t)
{
	char key[80];

	if (a->policy.fold_window_s != b->policy.fold_window_s)
		add_changed(ri, t, "policy.fold_window_seconds");
	for (int r = 0; r < RULE__COUNT; r++) {
		if (a->policy.rule[r].enabled == b->policy.rule[r].enabled &&
		    a->policy.rule[r].severity == b->policy.rule[r].severity &&
		    rule_allow_eq(&a->policy, &b->policy, r))
			continue;
		snprintf(key, sizeof(key), "policy.%s", rule_name(r));
		add_changed(ri, t, key);
	}
	for (int i = 0; i < b->nendpoints; i++)
		if (!has_endpoint(a, &b->endpoints[i]) &&
		    ri->nendpoints_added < RENDER_MAX_RELOAD_ITEMS) {
			name_endpoint(&b->endpoints[i], t->ep_added[ri->nendpoints_added],
				      sizeof(t->ep_added[0]));
			ri->endpoints_added[ri->nendpoints_added] =
				t->ep_added[ri->nendpoints_added];
			ri->nendpoints_added++;
		}
	for (int i = 0; i < a->nendpoints; i++)
		if (!has_endpoint(b, &a->endpoints[i]) &&
		    ri->nendpoints_removed < RENDER_MAX_RELOAD_ITEMS) {
			name_endpoint(&a->endpoints[i], t->ep_removed[ri->nendpoints_removed],
				      sizeof(t->ep_removed[0]));
			ri->endpoints_removed[ri->nendpoints_removed] =
				t->ep_removed[ri->nendpoints_removed];
			ri->nendpoints_removed++;
		}
	if (ri->nendpoints_added || ri->nendpoints_removed)
		add_changed(ri, t, "endpoints");
	for (int i = 0; i < b->sockets.n; i++)
		if (!has_socket(&a->sockets, &b->sockets.cfg[i]) &&
		    ri->nsockets_added < RENDER_MAX_RELOAD_ITEMS)
			ri->sockets_added[ri->nsockets_added++] = b->sockets.cfg[i].path;
	for (int i = 0; i < a->sockets.n; i++)
		if (!has_socket(&b->sockets, &a->sockets.cfg[i]) &&
		    ri->nsockets_removed < RENDER_MAX_RELOAD_ITEMS)
			ri->sockets_removed[ri->nsockets_removed++] = a->sockets.cfg[i].path;
	if (ri->nsockets_added || ri->nsockets_removed)
		add_changed(ri, t, "sockets");
	return ri->nchanged;
}

void reload_config(struct config *live, const char *path, struct loader *l, int sockets_fd,
		   const char *host_root, struct reload_info *ri, struct reload_text *t)
{
	struct config *n = malloc(sizeof(*n)); /* large: not on the stack */
	bool policy_changed = false;

	ri->time_real = (int64_t)clock_now(CLOCK_REALTIME);
	ri->path = path;
	if (!n) {
		snprintf(t->error, sizeof(t->error), "%s: out of memory", path);
		ri->result = "refused";
		ri->error = t->error;
		return;
	}
	config_defaults(n);
	if (config_load(n, path, t->error, sizeof(t->error))) {
		ri->result = "refused";
		ri->error = t->error;
		pr_warn("configuration reload refused, the running configuration stays: %s",
			t->error);
		free(n);
		return;
	}
	if (n->policy.fold_window_s != live->policy.fold_window_s) {
		snprintf(t->not_applied_reason[ri->nnot_applied], sizeof(t->not_applied_reason[0]),
			 "the fold window is set at start: %u s stays in force until a restart "
			 "(the file says %u s)",
			 live->policy.fold_window_s, n->policy.fold_window_s);
		ri->not_applied[ri->nnot_applied].key = "policy.fold_window_seconds";
		ri->not_applied[ri->nnot_applied].reason = t->not_applied_reason[ri->nnot_applied];
		ri->nnot_applied++;
	}
	/* the diff names what the file changed (the fold window included); the socket names
	 * it points to are copied below, before n is freed */
	reload_diff(live, n, ri, t);
	n->policy.fold_window_s = live->policy.fold_window_s;
	if (ri->nendpoints_added || ri->nendpoints_removed) {
		int err = l ? loader_set_endpoints(l, live, n) : 0;

		if (err) {
			snprintf(t->error, sizeof(t->error),
				 "%s: the endpoint map could not be updated (%s): nothing applied",
				 path, strerror(-err));
			/* put the running table back */
			if (l)
				loader_set_endpoints(l, n, live);
			ri->result = "refused";
			ri->error = t->error;
			free(n);
			return;
		}
		memcpy(live->endpoints, n->endpoints, sizeof(live->endpoints));
		live->nendpoints = n->nendpoints;
	}
	policy_changed = memcmp(&live->policy, &n->policy, sizeof(n->policy)) != 0;
	if (policy_changed) {
		live->policy = n->policy;
		ri->policy = &live->policy;
	}
	if (ri->nsockets_added || ri->nsockets_removed) {
		/* the names of removed sockets must outlive the swap: copied to the text */
		static char removed[RENDER_MAX_RELOAD_ITEMS][sizeof(live->sockets.cfg[0].path)];
		static char added[RENDER_MAX_RELOAD_ITEMS][sizeof(live->sockets.cfg[0].path)];

		for (int i = 0; i < ri->nsockets_removed; i++) {
			snprintf(removed[i], sizeof(removed[i]), "%s", ri->sockets_removed[i]);
			ri->sockets_removed[i] = removed[i];
		}
		for (int i = 0; i < ri->nsockets_added; i++) {
			snprintf(added[i], sizeof(added[i]), "%s", ri->sockets_added[i]);
			ri->sockets_added[i] = added[i];
		}
		memcpy(live->sockets.cfg, n->sockets.cfg, sizeof(live->sockets.cfg));
		live->sockets.n = n->sockets.n;
		if (sockets_fd >= 0)
			sockets_refresh(&live->sockets, sockets_fd, host_root);
	}
	ri->result = ri->nchanged > ri->nnot_applied ? "applied" : "unchanged";
	free(n);
}
