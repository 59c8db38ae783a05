/* SPDX-License-Identifier: GPL-2.0 */
/*
 * reload: SIGHUP re-reads the --config file and applies it without detaching anything.
 *
 * The new file is parsed over the built-in defaults, like at start. A file that does not
 * parse (or names a socket glob that is not bounded) is refused with the usual
 * "file:line:col: reason" and nothing changes. Otherwise, between two ring-buffer polls (the
 * agent is single-threaded, so no record sees half of it):
 *   - policy: swapped whole; the next record is judged by the new one. Open fold windows keep
 *     their counts and close as they would have (their summaries are still written).
 *     fold_window_seconds is not applied (the fold table is sized and timed at start): the
 *     result says so, and the old window stays in force until a restart.
 *   - endpoints: the BPF endpoint map and port filter are made equal to the new table
 *     (loader_set_endpoints: additions first); connections already marked stay marked.
 *   - sockets: the watched list is replaced and re-resolved at once.
 * The outcome fills a struct reload_info for the config_reloaded line.
 */
#ifndef CREDWATCH_OPS_RELOAD_H
#define CREDWATCH_OPS_RELOAD_H

#include "config.h"
#include "render/render.h"

struct loader;

/* The strings a reload_info points to. */
struct reload_text {
	char error[CONFIG_ERR_MAX];
	char changed[RENDER_MAX_RELOAD_ITEMS][80];
	char ep_added[RENDER_MAX_RELOAD_ITEMS][96], ep_removed[RENDER_MAX_RELOAD_ITEMS][96];
	char not_applied_reason[8][160];
};

/* Which keys differ between two configs (both parsed): into ri->changed / endpoints_* /
 * sockets_* (pointing into txt and b). Returns how many changed keys. */
int reload_diff(const struct config *a, const struct config *b, struct reload_info *ri,
		struct reload_text *txt);

/*
 * Re-read path and apply it to *live (l: the loaded BPF object for the endpoint map, NULL in
 * tests; sockets_fd the socket map, -1 in tests). ri->result is "applied", "unchanged" or
 * "refused" (ri->error). ri->policy is set when the policy changed.
 */
void reload_config(struct config *live, const char *path, struct loader *l, int sockets_fd,
		   const char *host_root, struct reload_info *ri, struct reload_text *txt);

#endif
