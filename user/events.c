// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "agent.h"
#include "cgroups.h"
#include "emit.h"
#include "events.h"
#include "log.h"

static const size_t record_size[CW_EV_TYPE_MAX] = {
	[CW_EV_CGROUP_MKDIR] = sizeof(struct cw_ev_cgroup),
	[CW_EV_CGROUP_RMDIR] = sizeof(struct cw_ev_cgroup),
	[CW_EV_ENDPOINT_CONNECT] = sizeof(struct cw_ev_endpoint),
	[CW_EV_FILE_OPEN] = sizeof(struct cw_ev_file),
	[CW_EV_SOCKET_CONNECT] = sizeof(struct cw_ev_sock),
};

int events_handle(void *ctx, void *data, size_t size)
{
	struct agent *a = ctx;
	const struct cw_hdr *h = data;

	if (size < sizeof(*h) || h->type >= CW_EV_TYPE_MAX || !record_size[h->type] ||
	    size < record_size[h->type] || h->size != record_size[h->type]) {
		a->bad_records++;
		pr_debug("dropping ring-buffer record: type %u size %zu",
			 size >= sizeof(*h) ? h->type : 0, size);
		return 0;
	}
	switch (h->type) {
	case CW_EV_CGROUP_MKDIR: {
		const struct cw_ev_cgroup *ev = data;

		cgroups_added(a->cgroups, ev->id, (const char *)ev->path,
			      ev->path_len < CW_CGPATH_MAX ? ev->path_len : CW_CGPATH_MAX);
		break;
	}
	case CW_EV_CGROUP_RMDIR:
		cgroups_removed(a->cgroups, ((const struct cw_ev_cgroup *)data)->id);
		break;
	case CW_EV_ENDPOINT_CONNECT:
		emit_endpoint(a, data);
		break;
	case CW_EV_FILE_OPEN:
		if (!emit_file(a, data)) {
			a->userspace_filtered++;
			return 0;
		}
		break;
	case CW_EV_SOCKET_CONNECT:
		if (!emit_socket(a, data)) {
			a->userspace_filtered++;
			return 0;
		}
		break;
	}
	a->ev_count[h->type]++;
	return 0;
}
