// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "cgroups.h"
#include "credwatch.skel.h"
#include "loader.h"
#include "log.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif
#ifndef SECURITYFS_MAGIC
#define SECURITYFS_MAGIC 0x73636673
#endif
#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC 0x74726163
#endif

static const struct {
	int cap;
	const char *name;
	const char *why;
} needed_caps[] = {
	{ 39 /* CAP_BPF */, "CAP_BPF", "load BPF programs and maps" },
	{ 38 /* CAP_PERFMON */, "CAP_PERFMON", "tracing programs and kernel memory reads" },
	{ CAP_NET_ADMIN, "CAP_NET_ADMIN", "attach cgroup socket hooks" },
	{ CAP_SYS_PTRACE, "CAP_SYS_PTRACE", "read /proc/<pid>/exe of other processes" },
	{ CAP_DAC_READ_SEARCH, "CAP_DAC_READ_SEARCH", "read node state and cgroup handles" },
};

static bool have_cap(const struct __user_cap_data_struct d[2], int cap)
{
	return d[cap / 32].effective & (1u << (cap % 32));
}

static int check_privileges(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {};
	char missing[256] = "";
	bool sys_admin;

	if (syscall(SYS_capget, &h, d)) {
		pr_warn("capget: %s", strerror(errno));
		return -errno;
	}
	sys_admin = have_cap(d, CAP_SYS_ADMIN);
	for (size_t i = 0; i < sizeof(needed_caps) / sizeof(needed_caps[0]); i++) {
		/* CAP_SYS_ADMIN implies CAP_BPF and CAP_PERFMON */
		if (have_cap(d, needed_caps[i].cap) || (sys_admin && needed_caps[i].cap >= 38))
			continue;
		snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s",
			 missing[0] ? ", " : "", needed_caps[i].name);
	}
	if (missing[0]) {
		pr_warn("missing capabilities: %s (run as root, or grant CAP_BPF, CAP_PERFMON, "
			"CAP_NET_ADMIN, CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH; the DaemonSet runs "
			"privileged)",
			missing);
		return -EPERM;
	}
	return 0;
}

static void ensure_mounted(struct agent *a, const char *dir, const char *fstype, long magic)
{
	struct statfs st;

	if (statfs(dir, &st) == 0 && st.f_type == magic)
		return;
	if (mount(fstype, dir, fstype, 0, NULL)) {
		pr_debug("mount %s at %s: %s", fstype, dir, strerror(errno));
		return;
	}
	pr_info("mounted %s at %s", fstype, dir);
	snprintf(a->mounted + strlen(a->mounted), sizeof(a->mounted) - strlen(a->mounted), "%s%s",
		 a->mounted[0] ? "," : "", fstype);
}

int loader_preflight(struct agent *a)
{
	struct utsname u;
	int err;

	if (uname(&u) == 0)
		snprintf(a->kernel_release, sizeof(a->kernel_release), "%s", u.release);
	err = check_privileges();
	if (err)
		return err;
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		pr_warn("kernel %s has no BTF (/sys/kernel/btf/vmlinux: %s): credwatch needs a "
			"kernel built with CONFIG_DEBUG_INFO_BTF=y (EKS AMIs have it)",
			a->kernel_release, strerror(errno));
		return -ENOTSUP;
	}
	err = cgroups_find_mount("/proc/self/mountinfo", a->cgroup_mount, sizeof(a->cgroup_mount));
	if (err) {
		pr_warn("no cgroup v2 mount found in /proc/self/mountinfo: credwatch needs cgroup "
			"v2 (unified or hybrid); on a cgroup v1-only node it cannot attribute "
			"events "
			"to pods and refuses to guess");
		return -ENOTSUP;
	}
	ensure_mounted(a, "/sys/fs/bpf", "bpf", BPF_FS_MAGIC);
	ensure_mounted(a, "/sys/kernel/tracing", "tracefs", TRACEFS_MAGIC);
	ensure_mounted(a, "/sys/kernel/security", "securityfs", SECURITYFS_MAGIC);
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) != 1) {
		pr_warn("kernel %s has no BPF ring buffer (needs Linux 5.8+)", a->kernel_release);
		return -ENOTSUP;
	}
	return 0;
}

static struct agent *print_agent;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (print_agent && print_agent->probing && log_verbosity < LOG_DEBUG)
		return 0;
	if (level == LIBBPF_DEBUG && log_verbosity < LOG_DEBUG)
		return 0;
	if (level == LIBBPF_INFO && log_verbosity < LOG_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int add_hook(struct agent *a, const char *family, const char *name, struct bpf_program *prog,
		    struct bpf_link *link, const char *target)
{
	struct hook *h;
	int err = libbpf_get_error(link);

	if (err || !link) {
		err = err ? err : -EINVAL;
		pr_warn("failed to attach %s (program %s)%s%s: %s%s", name, bpf_program__name(prog),
			target[0] ? " to " : "", target, strerror(-err),
			err == -EPERM ? " (are you root / CAP_BPF+CAP_NET_ADMIN?)" : "");
		return err;
	}
	if (a->nhooks >= AGENT_MAX_HOOKS) {
		bpf_link__destroy(link);
		return -E2BIG;
	}
	h = &a->hooks[a->nhooks++];
	h->family = family;
	h->name = name;
	h->program = bpf_program__name(prog);
	snprintf(h->target, sizeof(h->target), "%s", target);
	h->link = link;
	return 0;
}

/* Does the running kernel have this tracepoint? (tracefs is mounted by preflight) */
static bool tracepoint_exists(const char *category, const char *event)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/kernel/tracing/events/%s/%s/id", category, event);
	if (access(path, F_OK) == 0)
		return true;
	snprintf(path, sizeof(path), "/sys/kernel/debug/tracing/events/%s/%s/id", category, event);
	return access(path, F_OK) == 0;
}

/* Syscall-exit programs for the file and socket families: all optional per
 * syscall (open/creat do not exist on arm64), at least openat and connect
 * are required. */
static const struct {
	const char *event;
	const char *family;
	const char *hook;
	bool required;
} sys_hooks[] = {
	{ "sys_exit_openat", "file", "tp/syscalls/sys_exit_openat", true },
	{ "sys_exit_openat2", "file", "tp/syscalls/sys_exit_openat2", false },
	{ "sys_exit_open", "file", "tp/syscalls/sys_exit_open", false },
	{ "sys_exit_creat", "file", "tp/syscalls/sys_exit_creat", false },
	{ "sys_exit_connect", "socket", "tp/syscalls/sys_exit_connect", true },
};

static struct bpf_program *sys_prog(struct credwatch_bpf *s, int i)
{
	struct bpf_program *progs[] = { s->progs.cw_exit_openat, s->progs.cw_exit_openat2,
					s->progs.cw_exit_open, s->progs.cw_exit_creat,
					s->progs.cw_exit_connect };

	return progs[i];
}

static int fill_endpoints(struct agent *a)
{
	int fd = bpf_map__fd(a->skel->maps.cw_endpoints);

	for (int i = 0; i < a->cfg.nendpoints; i++) {
		const struct endpoint_cfg *e = &a->cfg.endpoints[i];
		struct cw_ep_key k = { .port = e->port };
		struct cw_ep_val v = { .kind = e->kind };

		memcpy(k.addr, e->addr, sizeof(k.addr));
		if (bpf_map_update_elem(fd, &k, &v, BPF_ANY)) {
			pr_warn("cannot add endpoint %d to the endpoint map: %s", i,
				strerror(errno));
			return -errno;
		}
	}
	return 0;
}

/* Is "bpf" in the active LSM list? (securityfs is mounted by preflight) */
static bool bpf_lsm_active(char *list, size_t len)
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

static const char *const file_hook_names[] = {
	[FILE_HOOK_LSM] = "lsm",
	[FILE_HOOK_FENTRY] = "fentry",
	[FILE_HOOK_TRACEPOINT] = "tracepoint",
};

const char *loader_file_hook_name(enum file_hook h)
{
	return h < FILE_HOOK_AUTO ? file_hook_names[h] : "auto";
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

/* The file hooks: LSM on file_open, or fentry on security_file_open. */
static int probe_hook(const struct btf *vmlinux, enum file_hook h)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts);
	const char *fn = h == FILE_HOOK_LSM ? "bpf_lsm_file_open" : "security_file_open";
	int id, fd, err;

	if (!vmlinux)
		return -ENOENT;
	id = btf__find_by_name_kind(vmlinux, fn, BTF_KIND_FUNC);
	if (id < 0)
		return -ENOENT;
	opts.attach_btf_id = id;
	opts.expected_attach_type = h == FILE_HOOK_LSM ? BPF_LSM_MAC : BPF_TRACE_FENTRY;
	fd = load_empty(h == FILE_HOOK_LSM ? BPF_PROG_TYPE_LSM : BPF_PROG_TYPE_TRACING, 0, &opts);
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

/* BPF_CGROUP_UNIX_CONNECT: kernel 6.7+, newer than Debian 12's uapi headers */
#define CW_CGROUP_UNIX_CONNECT 49

static const char *const sock_hook_names[] = {
	[SOCK_HOOK_CONNECT_UNIX] = "connect_unix",
	[SOCK_HOOK_TRACEPOINT] = "tracepoint",
};

const char *loader_sock_hook_name(enum sock_hook h)
{
	return h < SOCK_HOOK_AUTO ? sock_hook_names[h] : "auto";
}

/* Does the kernel know the connect_unix attach type? */
static int probe_connect_unix(void)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = (enum bpf_attach_type)CW_CGROUP_UNIX_CONNECT);
	int fd = load_empty(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, 1, &opts);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* open + configure (everything set before load: rodata, map sizes, autoload) */
static int open_configure(struct agent *a, enum file_hook fh, enum sock_hook sh)
{
	struct credwatch_bpf *s = credwatch_bpf__open();

	if (!s) {
		int err = -errno;

		pr_warn("failed to open the BPF object: %s", strerror(-err));
		return err;
	}
	a->skel = s;
	/* load-time configuration: set between open and load (after load the
	 * rodata is frozen and a write would silently do nothing) */
	s->rodata->cw_self_tgid = getpid();
	s->rodata->cw_wakeup_bytes =
		a->opts.ringbuf_size / 8 < 256 * 1024 ? a->opts.ringbuf_size / 8 : 256 * 1024;
	s->rodata->cw_vfs_files = fh != FILE_HOOK_TRACEPOINT;
	s->rodata->cw_unix_hook = sh == SOCK_HOOK_CONNECT_UNIX;
	for (int i = 0; i < a->cfg.nendpoints; i++) {
		uint16_t port = a->cfg.endpoints[i].port;

		s->rodata->cw_ep_ports[port / 64] |= 1ull << (port % 64);
	}
	bpf_program__set_autoload(s->progs.cw_connect_unix, sh == SOCK_HOOK_CONNECT_UNIX);
	bpf_program__set_expected_attach_type(s->progs.cw_connect_unix,
					      (enum bpf_attach_type)CW_CGROUP_UNIX_CONNECT);
	bpf_map__set_max_entries(s->maps.cw_events, a->opts.ringbuf_size);
	bpf_map__set_max_entries(s->maps.cw_procs, a->opts.max_procs);
	bpf_program__set_autoload(s->progs.cw_lsm_file_open, fh == FILE_HOOK_LSM);
	bpf_program__set_autoload(s->progs.cw_fentry_file_open, fh == FILE_HOOK_FENTRY);
	/* io_uring: opens on tracepoint kernels, unix connects everywhere */
	bpf_program__set_autoload(s->progs.cw_uring_complete,
				  tracepoint_exists("io_uring", "io_uring_complete"));
	for (size_t i = 0; i < sizeof(sys_hooks) / sizeof(sys_hooks[0]); i++) {
		if (tracepoint_exists("syscalls", sys_hooks[i].event))
			continue;
		if (sys_hooks[i].required) {
			pr_warn("kernel %s has no tracepoint syscalls/%s (needs "
				"CONFIG_FTRACE_SYSCALLS=y)",
				a->kernel_release, sys_hooks[i].event);
			return -ENOTSUP;
		}
		pr_info("no tracepoint syscalls/%s on this kernel: not watched",
			sys_hooks[i].event);
		bpf_program__set_autoload(sys_prog(s, i), false);
	}
	return 0;
}

/*
 * Pick the strongest file hook the running kernel accepts: BPF LSM (if "bpf"
 * is an active LSM), then fentry on security_file_open, then the syscall
 * tracepoints (plus io_uring's completion tracepoint). Probing is done by
 * loading: only the kernel's verifier and attach checks know (this machine's
 * kernel has both configured but refuses them). --hooks file=X forces one.
 */
int loader_load_attach(struct agent *a)
{
	enum file_hook order[3];
	struct btf *vmlinux = NULL; /* parsed once for all probes */
	char lsm[256], why[512] = "";
	int n = 0, err = -EINVAL, unix_err = 0;
	bool unix_retry = false;
	struct credwatch_bpf *s;

	print_agent = a;
	libbpf_set_print(libbpf_print);
	a->sock_hook = a->opts.sock_hook;
	err = a->sock_hook == SOCK_HOOK_TRACEPOINT ? 0 : probe_connect_unix();
	if (a->sock_hook == SOCK_HOOK_CONNECT_UNIX && err) {
		pr_warn("--hooks socket=connect_unix: kernel %s refuses cgroup/connect_unix "
			"programs: %s%s",
			a->kernel_release, strerror(-err),
			err == -EINVAL ? " (it needs kernel 6.7 or later)" : "");
		return err;
	}
	if (a->sock_hook != SOCK_HOOK_AUTO) {
		snprintf(a->sock_hook_reason, sizeof(a->sock_hook_reason), "forced with --hooks");
	} else if (err) {
		a->sock_hook = SOCK_HOOK_TRACEPOINT;
		snprintf(a->sock_hook_reason, sizeof(a->sock_hook_reason),
			 "connect_unix: refused: %s%s", strerror(-err),
			 err == -EINVAL ? " (kernel before 6.7)" : "");
	} else {
		a->sock_hook = SOCK_HOOK_CONNECT_UNIX;
		snprintf(a->sock_hook_reason, sizeof(a->sock_hook_reason),
			 "strongest hook available");
	}
	if (a->opts.file_hook != FILE_HOOK_AUTO) {
		order[n++] = a->opts.file_hook;
		snprintf(why, sizeof(why), "forced with --hooks");
	} else {
		if (bpf_lsm_active(lsm, sizeof(lsm)))
			order[n++] = FILE_HOOK_LSM;
		else
			snprintf(why, sizeof(why), "lsm: bpf not in the active LSM list (%s); ",
				 lsm[0] ? lsm : "unreadable");
		order[n++] = FILE_HOOK_FENTRY;
		order[n++] = FILE_HOOK_TRACEPOINT;
	}
	for (int i = 0; i < n; i++) {
		bool last = i == n - 1;

		/* a candidate the kernel refuses even as an empty program is skipped
		 * without the cost of loading the whole object */
		if (!last) {
			if (!vmlinux)
				vmlinux = btf__load_vmlinux_btf();
			err = probe_hook(vmlinux, order[i]);
			if (err) {
				snprintf(why + strlen(why), sizeof(why) - strlen(why),
					 "%s: refused: %s; ", loader_file_hook_name(order[i]),
					 strerror(-err));
				continue;
			}
		}
		err = open_configure(a, order[i], a->sock_hook);
		if (err)
			return err;
		a->probing = !last || (a->sock_hook == SOCK_HOOK_CONNECT_UNIX &&
				       a->opts.sock_hook == SOCK_HOOK_AUTO);
		err = credwatch_bpf__load(a->skel);
		a->probing = false;
		if (!err) {
			a->file_hook = order[i];
			if (unix_retry)
				snprintf(a->sock_hook_reason, sizeof(a->sock_hook_reason),
					 "connect_unix: load failed: %s", strerror(-unix_err));
			break;
		}
		if (a->sock_hook == SOCK_HOOK_CONNECT_UNIX && a->opts.sock_hook == SOCK_HOOK_AUTO &&
		    !unix_retry) {
			/* the kernel has the attach type but the object did not load:
			 * perhaps our connect_unix program; the same file hook again
			 * without it (the tracepoint path alone still works) */
			unix_err = err;
			unix_retry = true;
			a->sock_hook = SOCK_HOOK_TRACEPOINT;
			credwatch_bpf__destroy(a->skel);
			a->skel = NULL;
			i--;
			continue;
		}
		if (unix_retry) {
			/* it failed without connect_unix too: not connect_unix's doing */
			unix_retry = false;
			a->sock_hook = SOCK_HOOK_CONNECT_UNIX;
		}
		snprintf(why + strlen(why), sizeof(why) - strlen(why), "%s: load failed: %s; ",
			 loader_file_hook_name(order[i]), strerror(-err));
		if (a->skel)
			credwatch_bpf__destroy(a->skel);
		a->skel = NULL;
		if (last) {
			pr_warn("failed to load BPF programs on kernel %s: %s (the verifier log "
				"above says why)",
				a->kernel_release, strerror(-err));
			return err;
		}
	}
	btf__free(vmlinux);
	/* trailing "; " */
	if (strlen(why) >= 2 && why[strlen(why) - 2] == ';')
		why[strlen(why) - 2] = 0;
	snprintf(a->file_hook_reason, sizeof(a->file_hook_reason), "%s",
		 why[0] ? why : "strongest hook available");
	s = a->skel;
	err = fill_endpoints(a);
	if (err)
		return err;

	/* process and cgroup tracking first, so the first connect is described */
	err = add_hook(a, "process", "tp_btf/sched_process_exec", s->progs.cw_exec,
		       bpf_program__attach(s->progs.cw_exec), "");
	err = err
		      ?: add_hook(a, "process", "tp_btf/sched_process_fork", s->progs.cw_fork,
				  bpf_program__attach(s->progs.cw_fork), "");
	err = err
		      ?: add_hook(a, "process", "tp_btf/sched_process_exit", s->progs.cw_exit,
				  bpf_program__attach(s->progs.cw_exit), "");
	err = err
		      ?: add_hook(a, "cgroup", "tp_btf/cgroup_mkdir", s->progs.cw_cgroup_mkdir,
				  bpf_program__attach(s->progs.cw_cgroup_mkdir), "");
	err = err
		      ?: add_hook(a, "cgroup", "tp_btf/cgroup_rmdir", s->progs.cw_cgroup_rmdir,
				  bpf_program__attach(s->progs.cw_cgroup_rmdir), "");
	if (err)
		return err;

	a->cgroup_fd = open(a->cgroup_mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (a->cgroup_fd < 0) {
		err = -errno;
		pr_warn("cannot open cgroup v2 mount %s: %s", a->cgroup_mount, strerror(-err));
		return err;
	}
	if (a->file_hook == FILE_HOOK_LSM)
		err = add_hook(a, "file", "lsm/file_open", s->progs.cw_lsm_file_open,
			       bpf_program__attach(s->progs.cw_lsm_file_open), "");
	else if (a->file_hook == FILE_HOOK_FENTRY)
		err = add_hook(a, "file", "fentry/security_file_open", s->progs.cw_fentry_file_open,
			       bpf_program__attach(s->progs.cw_fentry_file_open), "");
	if (err)
		return err;
	if (bpf_program__autoload(s->progs.cw_uring_complete))
		err = add_hook(a, a->file_hook == FILE_HOOK_TRACEPOINT ? "file" : "socket",
			       "tp/io_uring/io_uring_complete", s->progs.cw_uring_complete,
			       bpf_program__attach(s->progs.cw_uring_complete), "");
	if (!err && a->sock_hook == SOCK_HOOK_CONNECT_UNIX)
		err = add_hook(a, "socket", "cgroup/connect_unix", s->progs.cw_connect_unix,
			       bpf_program__attach_cgroup(s->progs.cw_connect_unix, a->cgroup_fd),
			       a->cgroup_mount);
	if (err)
		return err;
	for (size_t i = 0; i < sizeof(sys_hooks) / sizeof(sys_hooks[0]); i++) {
		struct bpf_program *p = sys_prog(s, i);

		if (!bpf_program__autoload(p))
			continue;
		err = add_hook(a, sys_hooks[i].family, sys_hooks[i].hook, p, bpf_program__attach(p),
			       "");
		if (err)
			return err;
	}
	err = add_hook(a, "network", "cgroup/connect4", s->progs.cw_connect4,
		       bpf_program__attach_cgroup(s->progs.cw_connect4, a->cgroup_fd),
		       a->cgroup_mount);
	err = err
		      ?: add_hook(a, "network", "cgroup/connect6", s->progs.cw_connect6,
				  bpf_program__attach_cgroup(s->progs.cw_connect6, a->cgroup_fd),
				  a->cgroup_mount);
	/* the packet hooks last: they only act on connections the connect hooks marked */
	err = err
		      ?: add_hook(a, "http", "cgroup_skb/egress", s->progs.cw_http_egress,
				  bpf_program__attach_cgroup(s->progs.cw_http_egress, a->cgroup_fd),
				  a->cgroup_mount);
	err = err
		      ?: add_hook(
				 a, "http", "cgroup_skb/ingress", s->progs.cw_http_ingress,
				 bpf_program__attach_cgroup(s->progs.cw_http_ingress, a->cgroup_fd),
				 a->cgroup_mount);
	return err;
}

void loader_destroy(struct agent *a)
{
	for (int i = 0; i < a->nhooks; i++)
		bpf_link__destroy(a->hooks[i].link);
	a->nhooks = 0;
	if (a->cgroup_fd > 0)
		close(a->cgroup_fd);
	a->cgroup_fd = -1;
	credwatch_bpf__destroy(a->skel);
	a->skel = NULL;
}
