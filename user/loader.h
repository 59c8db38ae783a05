/* SPDX-License-Identifier: GPL-2.0 */
/*
 * loader: checks what the agent needs from the node (privileges, BTF, cgroup
 * v2, ring buffers), mounts bpffs/tracefs when missing, then opens, configures
 * (before load: rodata and map sizes), loads and attaches the BPF programs.
 * Every failure says what failed and what to do.
 */
#ifndef CREDWATCH_LOADER_H
#define CREDWATCH_LOADER_H

#include "agent.h"

/* Returns 0, or a negative errno after printing a clear error. */
int loader_preflight(struct agent *a);
const char *loader_file_hook_name(enum file_hook h);
const char *loader_sock_hook_name(enum sock_hook h);
int loader_load_attach(struct agent *a);
void loader_destroy(struct agent *a);

#endif
