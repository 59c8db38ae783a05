// SPDX-License-Identifier: GPL-2.0
/*
 * cw_fexit_probe: test tool. Does the running kernel attach BPF trampolines to the 64-bit
 * syscalls' entry functions? Loads an empty fexit program on FUNC (default: the openat
 * syscall's entry function of this architecture) with the raw bpf() syscall, attaches it with
 * a BPF link, then lets go of both. Prints "yes", or "no: <why>" and exits 1.
 *
 * The integration tests decide from this, never from the agent's own agent_ready line, which
 * hooks the agent must have attached (issue 19: no syscall tracepoint where trampolines work).
 *
 *   cw_fexit_probe [FUNC]
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#if defined(__x86_64__)
#define OPENAT_FN "__x64_sys_openat"
#elif defined(__aarch64__)
#define OPENAT_FN "__arm64_sys_openat"
#else
#error "cw_fexit_probe: which function is openat's entry on this architecture?"
#endif

static int no(const char *fn, const char *what, int err)
{
	printf("no: %s %s: %s\n", what, fn, strerror(err));
	return 1;
}

int main(int argc, char **argv)
{
	const char *fn = argc > 1 ? argv[1] : OPENAT_FN;
	/* r0 = 0; exit */
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FEXIT);
	struct btf *btf;
	int id, prog, link;

	libbpf_set_print(NULL);
	btf = btf__load_vmlinux_btf();
	if (!btf)
		return no(fn, "the kernel's BTF for", errno);
	id = btf__find_by_name_kind(btf, fn, BTF_KIND_FUNC);
	btf__free(btf);
	if (id < 0)
		return no(fn, "no BTF function", ENOENT);
	opts.attach_btf_id = id;
	prog = bpf_prog_load(BPF_PROG_TYPE_TRACING, "cw_fexit_probe", "GPL", insns, 2, &opts);
	if (prog < 0)
		return no(fn, "loading fexit on", errno);
	link = bpf_link_create(prog, 0, BPF_TRACE_FEXIT, NULL);
	if (link < 0) {
		int err = errno;

		close(prog);
		return no(fn, "attaching fexit to", err);
	}
	close(link);
	close(prog);
	printf("yes\n");
	return 0;
}
