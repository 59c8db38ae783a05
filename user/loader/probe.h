/* SPDX-License-Identifier: GPL-2.0 */
/*
 * probe: what the running kernel accepts, asked by trying it: an empty program of each kind,
 * loaded (and attached where loading is not proof) with the raw bpf() syscall, answers in a
 * millisecond without loading the real object. Kernel differences are found here, never
 * from version numbers.
 */
#ifndef CREDWATCH_PROBE_H
#define CREDWATCH_PROBE_H

#include <stdbool.h>
#include <stddef.h>

struct btf;

/* BPF_CGROUP_UNIX_CONNECT: kernel 6.7+, newer than Debian 12's uapi headers */
#define CW_CGROUP_UNIX_CONNECT 49

/* Does the kernel have tracepoint category/event? (tracefs mounted) */
bool probe_tracepoint_exists(const char *category, const char *event);

/* Is "bpf" in the active LSM list? list receives the list (for the reason text). */
bool probe_bpf_lsm_active(char *list, size_t len);

/* The file hooks: LSM on file_open (lsm), or fentry on security_file_open. 0 or -errno. */
int probe_file_hook(const struct btf *vmlinux, bool lsm);

/* Does the kernel know the connect_unix attach type? 0 or -errno. */
int probe_connect_unix(void);

/* May cgroup_skb programs read the current task (bpf_get_current_task, _pid_tgid)? 6.1 says
 * no. 0 or -errno. */
int probe_skb_task_helpers(void);

#endif
