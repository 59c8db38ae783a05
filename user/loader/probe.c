// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "loader/probe.h"

bool probe_tracepoint_exists(const char *category, const char *event)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/kernel/tracing/events/%s/%s/id", category, event);
	if (access(path, F_OK) == 0)
		return true;
	snprintf(path, sizeof(path), "/sys/kernel/debug/tracing/events/%s/%s/id", category, event);
	return access(path, F_OK) == 0;
}

bool probe_bpf_lsm_active(char *list, size_t len)
{
	FILE *f = fopen("/sys/kernel/security/lsm", "re");
	size_t n = 0;

	list[0] = 0;
	if (f) {
		n = fread(list, 1, len - 1, f);
		fclose(f);
	}
	list[n] = 0;
	list[strcspn(list, "\n")] = 0;
	for (char *t = list; (t = strstr(t, "bpf")); t += 3)
		if ((t == list || t[-1] == ',') && (t[3] == ',' || t[3] == 0))
			return true;
	return false;
}

/*
 * Load a program that returns rc, of the given type, with the raw syscall:
 * answers "does this kernel accept it" in a millisecond, without loading the
 * real object. Returns the program fd or -errno.
 */
static int load_empty(enum bpf_prog_type type, int rc, struct bpf_prog_load_opts *opts)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = rc },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(type, NULL, "GPL", insns, 2, opts);

	return fd < 0 ? -errno : fd;
}

int probe_file_hook(const struct btf *vmlinux, bool lsm)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts);
	const char *fn = lsm ? "bpf_lsm_file_open" : "security_file_open";
	int id, fd, err;

	if (!vmlinux)
		return -ENOENT;
	id = btf__find_by_name_kind(vmlinux, fn, BTF_KIND_FUNC);
	if (id < 0)
		return -ENOENT;
	opts.attach_btf_id = id;
	opts.expected_attach_type = lsm ? BPF_LSM_MAC : BPF_TRACE_FENTRY;
	fd = load_empty(lsm ? BPF_PROG_TYPE_LSM : BPF_PROG_TYPE_TRACING, 0, &opts);
	if (fd < 0)
		return fd;
	/* loading is not attaching: try the attach too, then let go of both */
	err = bpf_raw_tracepoint_open(NULL, fd);
	if (err < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	close(err);
	close(fd);
	return 0;
}

int probe_connect_unix(void)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = (enum bpf_attach_type)CW_CGROUP_UNIX_CONNECT);
	int fd = load_empty(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, 1, &opts);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

int probe_skb_task_helpers(void)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_CGROUP_INET_EGRESS);
	/* r0 = bpf_get_current_task(); r0 = bpf_get_current_pid_tgid(); r0 = 1; exit */
	const struct bpf_insn insns[] = {
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_get_current_task },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_get_current_pid_tgid },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_CGROUP_SKB, NULL, "GPL", insns, 4, &opts);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}
