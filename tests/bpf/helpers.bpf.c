// SPDX-License-Identifier: GPL-2.0
/*
 * Test programs for bpf/lib helpers, run with BPF_PROG_RUN by test_helpers.c (no real syscall
 * or packet needed). Each is a "syscall" program: its context is a struct the test passes in
 * and reads back.
 */
#include "lib/classify.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct err_ctx {
	__u64 addr; /* an address to read from (0: one that faults) */
	__s64 ret;  /* what CW_TRY evaluated to */
};

/* a failing helper call through CW_TRY is counted in cw_errs under (helper, errno, where) */
SEC("syscall")
int t_cw_try(struct err_ctx *c)
{
	char b[8];

	c->ret = CW_TRY(probe_read_kernel, CW_W_NAME, bpf_probe_read_kernel(b, 8, (void *)c->addr));
	return 0;
}

struct tail_ctx {
	char s[CW_REQPATH_MAX];
	__s64 n;
	__s64 looks; /* cw_req_looks_credential */
};

/* the failed-open prefilter: which requested paths could be a credential's */
SEC("syscall")
int t_req_looks_credential(struct tail_ctx *c)
{
	struct cw_scratch *s = cw_scratch_get();
	long n = c->n;

	/* as in the agent: the string is in the per-CPU scratch (a context allows no variable
	 * offsets) */
	if (!s || n < 0 || n > CW_REQPATH_MAX - 1)
		return 1;
	if (bpf_probe_read_kernel(s->req, sizeof(s->req), c->s))
		return 1;
	c->looks = cw_req_looks_credential(s->req, n);
	return 0;
}
