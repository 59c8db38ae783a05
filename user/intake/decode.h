/* SPDX-License-Identifier: GPL-2.0 */
/*
 * decode: the first stage. A ring-buffer record is checked against the ABI
 * (bpf/credwatch_abi.h: type, size, the variable-sized file record padded back to its full
 * layout) and turned into the decoded part of a struct cw_event. Also the names of the
 * record's coded fields (syscall, errno, filesystem, socket type, protocol).
 */
#ifndef CREDWATCH_DECODE_H
#define CREDWATCH_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "credwatch_abi.h"
#include "event.h"

#define CW_AF_INET  2
#define CW_AF_INET6 10

struct decode_stats {
	uint64_t bad_records; /* records of unknown type or size: dropped */
};

/* A checked record. rec points at data, or at pad (a file record padded to full size). */
struct decoded {
	uint16_t type; /* enum cw_event_type */
	const void *rec;
	size_t size; /* the full record size */
	union {
		struct cw_ev_file file;
		struct cw_ev_http http;
	} pad;
};

/* Check one record; false (counted in st) when it is not one the agent knows. */
bool decode_record(struct decode_stats *st, const void *data, size_t size, struct decoded *out);

/* The decoded part of an event from a checked endpoint, file or socket record.
 * boot_to_real: CLOCK_REALTIME - CLOCK_BOOTTIME, for the event's time. */
void decode_event(struct cw_event *e, const struct decoded *d, int64_t boot_to_real);
/* The decoded part of an HTTP request event (the connection's record, the request's time). */
void decode_http_event(struct cw_event *e, const struct conn_done *d, int64_t boot_to_real);
/* The decoded part of an endpoint_unparsed event. */
void decode_unparsed_event(struct cw_event *e, const struct conn_unparsed *u, int64_t boot_to_real);

/* Names of coded record fields, as events show them. */
const char *cw_syscall_name(unsigned int sys); /* enum cw_syscall */
const char *cw_errno_name(int err);	       /* "ok", "ENOENT", ..., "error" */
const char *cw_fs_name(uint32_t magic);	       /* "tmpfs", ..., "none", "other" */
const char *cw_sock_type_name(unsigned int type);
const char *cw_protocol_name(unsigned int proto);
/* A failed BPF helper call: the helper (enum bpf_func_id) and the site (enum cw_err_where) */
const char *cw_helper_name(unsigned int helper);
const char *cw_err_where_name(unsigned int where);
/* ::ffff:a.b.c.d */
bool cw_addr_is_v4mapped(const uint8_t addr[16]);

#endif
