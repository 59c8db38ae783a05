// SPDX-License-Identifier: GPL-2.0
/*
 * floor: load tests/bench/floor.bpf.c and attach its empty programs to the hooks credwatch
 * attaches (see the comment there), print one line
 *
 *   floor_ready pid=<pid> hooks=<hook>,<hook>,...
 *
 * and stay attached until SIGINT/SIGTERM. Options:
 *   --hooks H1,H2,...  attach exactly these hooks (names as in credwatch's agent_ready
 *                      "hooks" array; run.sh passes that list): fails, naming the hook, if
 *                      floor.bpf.c has no program for one of them
 *   --skb              also attach the empty cgroup_skb egress/ingress programs
 * Without --hooks: the mirrored credwatch list (see floor.bpf.c); syscall tracepoints this
 * kernel lacks are skipped, as credwatch does (lsm, fentry and fexit programs: only when
 * named by --hooks).
 * The cgroup hooks go on the cgroup v2 root, found in /proc/self/mountinfo, like credwatch.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "floor.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int find_cgroup2(char *out, size_t cap)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	int rc = -1;

	if (!f)
		return -1;
	while (rc && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - "), mp[4096];

		if (!sep || strncmp(sep + 3, "cgroup2 ", 8))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1) {
			snprintf(out, cap, "%s", mp);
			rc = 0;
		}
	}
	fclose(f);
	return rc;
}

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

int main(int argc, char **argv)
{
	struct {
		const char *hook;
		struct bpf_program *prog;
		bool cgroup, optional, skb;
	} hooks[40];
	struct bpf_link *links[40] = {};
	char cg2[4096], list[1024] = "";
	struct floor_bpf *s;
	const char *want_list = NULL;
	char full[2048] = "";
	bool skb = false;
	int n = 0, nl = 0, cgfd = -1, rc = 1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--skb")) {
			skb = true;
		} else if (!strcmp(argv[i], "--hooks") && i + 1 < argc) {
			want_list = argv[++i];
			if (strlen(want_list) + 3 > sizeof(full)) {
				fprintf(stderr, "floor: --hooks list too long\n");
				return 2;
			}
			snprintf(full, sizeof(full), ",%s,", want_list);
		} else {
			fprintf(stderr, "usage: floor [--hooks H1,H2,...] [--skb]\n");
			return 2;
		}
	}
	libbpf_set_print(silent);
	s = floor_bpf__open();
	if (!s) {
		perror("floor: open");
		return 1;
	}
#define H(h, p, c, o, k) \
	hooks[n++] = (typeof(hooks[0])){ .hook = h, .prog = s->progs.p, .cgroup = c, .optional = o, .skb = k }
	/* same order as user/loader.c */
	H("tp_btf/sched_process_exec", fl_exec, false, false, false);
	H("tp_btf/sched_process_fork", fl_fork, false, false, false);
	H("tp_btf/sched_process_exit", fl_exit, false, false, false);
	H("tp_btf/cgroup_mkdir", fl_cgroup_mkdir, false, false, false);
	H("tp_btf/cgroup_rmdir", fl_cgroup_rmdir, false, false, false);
	H("tp_btf/cgroup_attach_task", fl_cgroup_attach, false, false, false);
	/* compat exits: the agent's hook on tracepoint kernels (this machine); where the file
	 * hook has trampolines it uses fexit on the i386 entry points instead (free at 64-bit
	 * syscalls), and this floor is then above the agent's */
	H("fexit/__ia32_compat_sys_open", fl_ia32_open, false, true, false);
	H("fexit/__ia32_compat_sys_openat", fl_ia32_openat, false, true, false);
	H("fexit/__ia32_sys_openat2", fl_ia32_openat2, false, true, false);
	H("fexit/__ia32_sys_creat", fl_ia32_creat, false, true, false);
	H("fexit/__ia32_compat_sys_open_by_handle_at", fl_ia32_open_by_handle_at, false, true,
	  false);
	H("fexit/__ia32_sys_connect", fl_ia32_connect, false, true, false);
	H("fexit/__ia32_compat_sys_socketcall", fl_ia32_socketcall, false, true, false);
	H("tp_btf/sys_exit", fl_sys_exit, false, false, false);
	H("tp/syscalls/sys_exit_openat", fl_exit_openat, false, false, false);
	H("tp/syscalls/sys_exit_openat2", fl_exit_openat2, false, true, false);
	H("tp/syscalls/sys_exit_open", fl_exit_open, false, true, false);
	H("tp/syscalls/sys_exit_creat", fl_exit_creat, false, true, false);
	H("tp/io_uring/io_uring_complete", fl_uring_complete, false, true, false);
	H("lsm/file_open", fl_lsm_file_open, false, true, false);
	H("fentry/security_file_open", fl_fentry_file_open, false, true, false);
	H("tp/syscalls/sys_exit_connect", fl_exit_connect, false, false, false);
	H("tp/syscalls/sys_exit_open_by_handle_at", fl_exit_open_by_handle_at, false, true, false);
	H("cgroup/connect4", fl_connect4, true, false, false);
	H("cgroup/connect6", fl_connect6, true, false, false);
	H("cgroup/connect_unix", fl_connect_unix, true, true, false);
	bpf_program__set_expected_attach_type(s->progs.fl_connect_unix,
					      (enum bpf_attach_type)49 /* BPF_CGROUP_UNIX_CONNECT */);
	H("cgroup_skb/egress", fl_skb_egress, true, false, true);
	H("cgroup_skb/ingress", fl_skb_ingress, true, false, true);
#undef H
	if (want_list) {
		char *copy = strdup(want_list), *save = NULL, *h;

		for (h = strtok_r(copy, ",", &save); h; h = strtok_r(NULL, ",", &save)) {
			int i;

			for (i = 0; i < n && strcmp(hooks[i].hook, h); i++)
				;
			if (i == n) {
				fprintf(stderr,
					"floor: no empty program for hook %s: add it to "
					"tests/bench/floor.bpf.c and floor.c\n",
					h);
				free(copy);
				rc = 3;
				goto out;
			}
		}
		free(copy);
	}
	for (int i = 0; i < n; i++) {
		bool want = hooks[i].skb ? skb : true;

		if (want_list) {
			char pat[128];

			snprintf(pat, sizeof(pat), ",%s,", hooks[i].hook);
			want = strstr(full, pat) != NULL;
		} else if (want && hooks[i].optional && !strncmp(hooks[i].hook, "tp/", 3)) {
			char path[256];

			/* like credwatch: tracepoints this kernel lacks are skipped */
			snprintf(path, sizeof(path), "/sys/kernel/tracing/events/%s/id",
				 hooks[i].hook + 3);
			want = access(path, F_OK) == 0;
		} else if (hooks[i].optional) {
			want = false; /* lsm/fentry: only when credwatch attached them (--hooks) */
		}
		bpf_program__set_autoload(hooks[i].prog, want);
	}
	if (floor_bpf__load(s)) {
		perror("floor: load");
		goto out;
	}
	if (find_cgroup2(cg2, sizeof(cg2)) || (cgfd = open(cg2, O_RDONLY | O_DIRECTORY)) < 0) {
		fprintf(stderr, "floor: no cgroup v2 mount\n");
		goto out;
	}
	for (int i = 0; i < n; i++) {
		struct bpf_program *p = hooks[i].prog;

		if (!bpf_program__autoload(p))
			continue;
		links[nl] = hooks[i].cgroup ? bpf_program__attach_cgroup(p, cgfd)
					    : bpf_program__attach(p);
		if (!links[nl]) {
			fprintf(stderr, "floor: attach %s: %s\n", hooks[i].hook, strerror(errno));
			goto out;
		}
		nl++;
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 list[0] ? "," : "", hooks[i].hook);
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("floor_ready pid=%d hooks=%s\n", getpid(), list);
	fflush(stdout);
	while (!stop)
		sleep(1); /* not pause(): a signal just before it would be missed */
	rc = 0;
out:
	for (int i = 0; i < nl; i++)
		bpf_link__destroy(links[i]);
	if (cgfd >= 0)
		close(cgfd);
	floor_bpf__destroy(s);
	return rc;
}
