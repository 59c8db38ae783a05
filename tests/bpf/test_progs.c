// SPDX-License-Identifier: GPL-2.0
/*
 * Static checks of the agent's BPF object (build/credwatch.bpf.o), without loading it: things
 * an older kernel's verifier refuses, which the host kernel would let through.
 *
 * - cgroup_skb programs may not call the task helpers on 6.1 (bpf_get_current_pid_tgid and
 *   friends are not in cg_skb_func_proto there): every cgroup_skb program but cw_http_egress,
 *   which the agent loads only where a probe says the kernel allows them, must have none.
 *
 * The object's path is compiled in (CW_BPF_OBJ); an argument overrides it.
 */
#include <errno.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include "unit.h"

static const char *obj_path;

/* helpers that read the current task */
static const int task_helpers[] = {
	BPF_FUNC_get_current_pid_tgid,	BPF_FUNC_get_current_uid_gid,
	BPF_FUNC_get_current_comm,	BPF_FUNC_get_current_task,
	BPF_FUNC_get_current_cgroup_id, BPF_FUNC_get_current_ancestor_cgroup_id,
	BPF_FUNC_get_current_task_btf,
};

static int task_helper_calls(const struct bpf_program *p, int *first)
{
	const struct bpf_insn *in = bpf_program__insns(p);
	size_t n = bpf_program__insn_cnt(p);
	int calls = 0;

	for (size_t i = 0; i < n; i++) {
		if (in[i].code != (BPF_JMP | BPF_CALL) || in[i].src_reg != 0)
			continue; /* not a helper call (a subprogram or kfunc call) */
		for (size_t h = 0; h < sizeof(task_helpers) / sizeof(task_helpers[0]); h++)
			if (in[i].imm == task_helpers[h]) {
				if (!calls++)
					*first = in[i].imm;
			}
	}
	return calls;
}

static void test_skb_no_task_helpers(void)
{
	struct bpf_object *obj = bpf_object__open_file(obj_path, NULL);
	struct bpf_program *p;
	int skb_progs = 0, notask_seen = 0;

	ASSERT_TRUE(obj != NULL);
	if (!obj)
		return;
	bpf_object__for_each_program (p, obj) {
		const char *sec = bpf_program__section_name(p);
		const char *name = bpf_program__name(p);
		int first = 0, calls;

		if (strncmp(sec, "cgroup_skb/", 11) != 0)
			continue;
		skb_progs++;
		calls = task_helper_calls(p, &first);
		if (!strcmp(name, "cw_http_egress")) {
			/* the variant for kernels that allow it: it does read the task */
			ASSERT_TRUE(calls > 0);
			continue;
		}
		if (!strcmp(name, "cw_http_egress_notask"))
			notask_seen = 1;
		if (calls)
			UNIT_FAIL(
				"%s (%s) calls %d task helper(s), first helper #%d: 6.1 refuses it",
				name, sec, calls, first);
		else
			UNIT_OK();
	}
	ASSERT_EQ(skb_progs, 3);
	ASSERT_EQ(notask_seen, 1);
	bpf_object__close(obj);
}

int main(int argc, char **argv)
{
	obj_path = argc > 1 ? argv[1] : CW_BPF_OBJ;
	RUN(test_skb_no_task_helpers);
	return unit_report("bpf_progs");
}
