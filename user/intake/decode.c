// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/magic.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include "intake/decode.h"
#include "util/log.h"
#include "util/names.h"

#ifndef XFS_SUPER_MAGIC
#define XFS_SUPER_MAGIC 0x58465342 /* "XFSB", fs/xfs/libxfs/xfs_format.h XFS_SB_MAGIC */
#endif

static const size_t record_size[CW_EV_TYPE_MAX] = {
	[CW_EV_CGROUP_MKDIR] = sizeof(struct cw_ev_cgroup),
	[CW_EV_CGROUP_RMDIR] = sizeof(struct cw_ev_cgroup),
	[CW_EV_ENDPOINT_CONNECT] = sizeof(struct cw_ev_endpoint),
	[CW_EV_FILE_OPEN] = sizeof(struct cw_ev_file),
	[CW_EV_SOCKET_CONNECT] = sizeof(struct cw_ev_sock),
	[CW_EV_HTTP] = sizeof(struct cw_ev_http),
	/* file side (issue 14) */
	[CW_EV_CGROUP_ATTACH] = sizeof(struct cw_ev_attach),
};

/* every record with a process has its struct cw_task right after the header */
_Static_assert(__builtin_offsetof(struct cw_ev_endpoint, task) == sizeof(struct cw_hdr), "");
_Static_assert(__builtin_offsetof(struct cw_ev_file, task) == sizeof(struct cw_hdr), "");
_Static_assert(__builtin_offsetof(struct cw_ev_sock, task) == sizeof(struct cw_hdr), "");
_Static_assert(__builtin_offsetof(struct cw_ev_attach, task) == sizeof(struct cw_hdr), "");

static size_t decode_record_size(unsigned int type)
{
	return type < CW_EV_TYPE_MAX ? record_size[type] : 0;
}

bool decode_record(struct decode_stats *st, const void *data, size_t size, struct decoded *out)
{
	const struct cw_hdr *h = data;

	/* file and http records end after their variable part: padded back to the full
	 * layout (the http copy holds payload bytes: the caller wipes it) */
	if (size >= sizeof(*h) && h->size == size &&
	    ((h->type == CW_EV_FILE_OPEN && size >= CW_EV_FILE_MIN &&
	      size <= sizeof(out->pad.file)) ||
	     (h->type == CW_EV_HTTP && size >= CW_EV_HTTP_MIN && size <= sizeof(out->pad.http)))) {
		size_t full = h->type == CW_EV_HTTP ? sizeof(out->pad.http) : sizeof(out->pad.file);

		memcpy(&out->pad, data, size);
		memset((char *)&out->pad + size, 0, full - size);
		((struct cw_hdr *)&out->pad)->size = full;
		data = &out->pad;
		h = data;
		size = full;
	}
	if (size < sizeof(*h) || !decode_record_size(h->type) || size < record_size[h->type] ||
	    h->size != record_size[h->type]) {
		st->bad_records++;
		pr_debug("dropping ring-buffer record: type %u size %zu",
			 size >= sizeof(*h) ? h->type : 0, size);
		return false;
	}
	out->type = h->type;
	out->rec = data;
	out->size = record_size[h->type];
	return true;
}

void decode_event(struct cw_event *e, const struct decoded *d, int64_t boot_to_real)
{
	const struct cw_hdr *h = d->rec;

	memset(e, 0, offsetof(struct cw_event, who));
	e->ts_boot_ns = h->ts_boot_ns;
	e->real_ns = (int64_t)h->ts_boot_ns + boot_to_real;
	e->task = (const struct cw_task *)((const char *)d->rec + sizeof(*h));
	switch (d->type) {
	case CW_EV_ENDPOINT_CONNECT:
		e->kind = CWE_ENDPOINT_CONNECT;
		e->rec.ep = d->rec;
		break;
	case CW_EV_FILE_OPEN:
		e->kind = CWE_FILE_OPEN;
		e->rec.file = d->rec;
		break;
	case CW_EV_CGROUP_ATTACH:
		e->kind = CWE_CGROUP_MOVE;
		e->rec.move = d->rec;
		break;
	default:
		e->kind = CWE_SOCKET_CONNECT;
		e->rec.sock = d->rec;
		break;
	}
	e->v.n = 0;
	e->v.folded = false;
}

void decode_http_event(struct cw_event *e, const struct conn_done *d, int64_t boot_to_real)
{
	e->kind = CWE_HTTP_REQUEST;
	e->ts_boot_ns = d->ts_boot_ns;
	e->real_ns = (int64_t)d->ts_boot_ns + boot_to_real;
	e->task = &d->connect->task;
	e->rec.ep = d->connect;
	e->v.n = 0;
	e->v.folded = false;
	e->x.http.d = d;
}

void decode_unparsed_event(struct cw_event *e, const struct conn_unparsed *u, int64_t boot_to_real)
{
	e->kind = CWE_ENDPOINT_UNPARSED;
	e->ts_boot_ns = u->ts_boot_ns;
	e->real_ns = (int64_t)u->ts_boot_ns + boot_to_real;
	e->task = &u->connect->task;
	e->rec.ep = u->connect;
	e->v.n = 0;
	e->v.folded = false;
	e->x.unparsed.u = u;
}

/* --- names --------------------------------------------------------------------------------- */

static const char *const syscall_names[] = {
	[0] = "?",
	[CW_SYS_OPEN] = "open",
	[CW_SYS_OPENAT] = "openat",
	[CW_SYS_OPENAT2] = "openat2",
	[CW_SYS_CREAT] = "creat",
	[CW_SYS_CONNECT] = "connect",
	[CW_SYS_IO_URING] = "io_uring",
	[CW_SYS_OPEN_BY_HANDLE_AT] = "open_by_handle_at",
	[CW_SYS_OTHER] = "other",
};

const char *cw_syscall_name(unsigned int sys)
{
	return NAME_OF(syscall_names, sys, "?");
}

static const struct name_pair errno_names[] = {
	{ 0, "ok" },
	{ EPERM, "EPERM" },
	{ ENOENT, "ENOENT" },
	{ EACCES, "EACCES" },
	{ ENOTDIR, "ENOTDIR" },
	{ ELOOP, "ELOOP" },
	{ ECONNREFUSED, "ECONNREFUSED" },
};

const char *cw_errno_name(int err)
{
	return PAIR_NAME(errno_names, (uint64_t)(int64_t)err, "error");
}

static const struct name_pair fs_names[] = {
	{ TMPFS_MAGIC, "tmpfs" },
	{ OVERLAYFS_SUPER_MAGIC, "overlayfs" },
	{ EXT4_SUPER_MAGIC, "ext4" },
	{ XFS_SUPER_MAGIC, "xfs" },
	{ BTRFS_SUPER_MAGIC, "btrfs" },
	{ PROC_SUPER_MAGIC, "proc" },
	{ 0, "none" },
};

const char *cw_fs_name(uint32_t magic)
{
	return PAIR_NAME(fs_names, magic, "other");
}

static const char *const sock_type_names[] = {
	[SOCK_STREAM] = "stream",
	[SOCK_DGRAM] = "dgram",
	[SOCK_SEQPACKET] = "seqpacket",
};

const char *cw_sock_type_name(unsigned int type)
{
	return NAME_OF(sock_type_names, type, "other");
}

static const char *const protocol_names[] = {
	[IPPROTO_TCP] = "tcp",
	[IPPROTO_UDP] = "udp",
};

const char *cw_protocol_name(unsigned int proto)
{
	return NAME_OF(protocol_names, proto, "other");
}

static const struct name_pair helper_names[] = {
	{ BPF_FUNC_map_update_elem, "map_update_elem" },
	{ BPF_FUNC_probe_read_kernel, "probe_read_kernel" },
	{ BPF_FUNC_probe_read_kernel_str, "probe_read_kernel_str" },
	{ BPF_FUNC_probe_read_user, "probe_read_user" },
	{ BPF_FUNC_probe_read_user_str, "probe_read_user_str" },
	{ BPF_FUNC_skb_load_bytes, "skb_load_bytes" },
	{ BPF_FUNC_ringbuf_output, "ringbuf_output" },
};

const char *cw_helper_name(unsigned int helper)
{
	return PAIR_NAME(helper_names, helper, "other");
}

static const char *const where_names[CW_W__COUNT] = {
	[CW_W_NONE] = "unknown",
	[CW_W_PATH_WALK] = "path_walk",
	[CW_W_PATH_COPY] = "path_copy",
	[CW_W_NAME] = "file_name",
	[CW_W_CGROUP_PATH] = "cgroup_path",
	[CW_W_PROCS] = "process_table",
	[CW_W_HTTP_SOCKS] = "http_connections",
	[CW_W_HTTP_CAPTURE] = "http_capture",
	[CW_W_UNIX_INFLIGHT] = "unix_inflight",
	[CW_W_UNIX_ADDR] = "unix_address",
	[CW_W_ORIGIN] = "origin",
};

const char *cw_err_where_name(unsigned int where)
{
	return NAME_OF(where_names, where, "unknown");
}

bool cw_addr_is_v4mapped(const uint8_t addr[16])
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(addr, mapped, sizeof(mapped)) == 0;
}
