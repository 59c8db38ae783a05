// SPDX-License-Identifier: GPL-2.0
/*
 * BPF library helpers, tested with BPF_PROG_RUN: load tests/bpf/helpers.bpf.c, run each
 * program on contexts built here, check what it wrote back and what it left in the maps.
 * Needs root (loading BPF).
 */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include "credwatch_abi.h"
#include "helpers.skel.h"
#include "unit.h"

static struct helpers_bpf *skel;

static int run(struct bpf_program *p, void *ctx, size_t size)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = ctx, .ctx_size_in = size);
	int err = bpf_prog_test_run_opts(bpf_program__fd(p), &o);

	return err ? -errno : (int)o.retval;
}

struct err_ctx {
	uint64_t addr;
	int64_t ret;
};

static uint64_t errs_count(uint32_t helper, int32_t err, uint32_t where)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t vals[ncpu > 0 ? ncpu : 1], sum = 0;
	struct cw_err_key k = { .helper = helper, .err = err, .where = where };

	if (ncpu <= 0 || bpf_map_lookup_elem(bpf_map__fd(skel->maps.cw_errs), &k, vals))
		return 0;
	for (int c = 0; c < ncpu; c++)
		sum += vals[c];
	return sum;
}

static void test_cw_try(void)
{
	struct err_ctx c = { .addr = 0 };
	int32_t err;

	/* a read of address 0 fails (-ERANGE or -EFAULT, by kernel): counted under the errno the
	 * helper returned, and CW_TRY still evaluates to that error */
	ASSERT_EQ(run(skel->progs.t_cw_try, &c, sizeof(c)), 0);
	ASSERT_TRUE(c.ret == -ERANGE || c.ret == -EFAULT);
	err = (int32_t)c.ret;
	ASSERT_EQ(errs_count(BPF_FUNC_probe_read_kernel, err, CW_W_NAME), 1);
	ASSERT_EQ(run(skel->progs.t_cw_try, &c, sizeof(c)), 0);
	ASSERT_EQ(errs_count(BPF_FUNC_probe_read_kernel, err, CW_W_NAME), 2);
	/* the same failure at another site, or of another helper, is another key: none counted */
	ASSERT_EQ(errs_count(BPF_FUNC_probe_read_kernel, err, CW_W_PATH_WALK), 0);
	ASSERT_EQ(errs_count(BPF_FUNC_probe_read_user, err, CW_W_NAME), 0);
}

struct tail_ctx {
	char s[CW_REQPATH_MAX];
	int64_t n;
	int64_t looks;
};

static int looks(const char *path)
{
	struct tail_ctx c = { 0 };

	snprintf(c.s, sizeof(c.s), "%s", path);
	c.n = strlen(c.s);
	c.looks = -1;
	if (run(skel->progs.t_req_looks_credential, &c, sizeof(c)))
		return -1;
	return (int)c.looks;
}

static void test_req_looks_credential(void)
{
	/* the credential shapes a failed open is kept for */
	ASSERT_EQ(looks("/var/run/secrets/eks.amazonaws.com/serviceaccount/token"), 1);
	ASSERT_EQ(looks("/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/"
			"eks-pod-identity-token"),
		  1);
	ASSERT_EQ(looks("/root/.aws/credentials"), 1);
	ASSERT_EQ(looks(".aws/config"), 1);
	ASSERT_EQ(looks("/var/lib/kubelet/kubeconfig"), 1);
	/* and what it is not kept for (the agent's full rules decide the rest) */
	ASSERT_EQ(looks("/etc/passwd"), 0);
	ASSERT_EQ(looks("/root/.aws/credentials.bak"), 0);
	ASSERT_EQ(looks("credentials"), 0);
	ASSERT_EQ(looks(""), 0);
	ASSERT_EQ(looks("token"), 0);
}

int main(void)
{
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	skel = helpers_bpf__open_and_load();
	if (!skel) {
		UNIT_FAIL("cannot load tests/bpf/helpers.bpf.c: %s (the verifier log above says "
			  "why;\n"
			  "loading needs root)",
			  strerror(errno));
		return unit_report("bpf_helpers");
	}
	RUN(test_cw_try);
	RUN(test_req_looks_credential);
	helpers_bpf__destroy(skel);
	return unit_report("bpf_helpers");
}
