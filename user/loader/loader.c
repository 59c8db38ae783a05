// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <malloc.h>
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
#include "enrich/cgroups.h"
#include "credwatch.skel.h"
#include "credwatch_abi.h"
#include "loader/loader.h"
#include "loader/probe.h"
#include "util/log.h"
#include "util/names.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif
#ifndef SECURITYFS_MAGIC
#define SECURITYFS_MAGIC 0x73636673
#endif
#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC 0x74726163
#endif
/* Linux 5.8 (commit a17b53c4a4b5 "bpf, capability: Introduce CAP_BPF") */
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/* strerror for the errors the kernel returns from BPF loads and attaches. 524 is the kernel's
 * internal ENOTSUPP, which libc does not know ("Unknown error 524"): for fentry and LSM
 * programs it means no BPF trampoline on this kernel (arm64 before 6.4, for one). */
static const char *bpf_strerror(int err)
{
	if (err == -524 || err == 524)
		return "ENOTSUPP (524): no BPF trampoline for kernel functions on this kernel or "
		       "architecture";
	return strerror(err < 0 ? -err : err);
}

static const struct {
	int cap;
	const char *name;
	const char *why;
} needed_caps[] = {
	{ CAP_BPF, "CAP_BPF", "load BPF programs and maps" },
	{ CAP_PERFMON, "CAP_PERFMON", "tracing programs and kernel memory reads" },
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
		if (have_cap(d, needed_caps[i].cap) ||
		    (sys_admin &&
		     (needed_caps[i].cap == CAP_BPF || needed_caps[i].cap == CAP_PERFMON)))
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

static void ensure_mounted(struct loader *l, const char *dir, const char *fstype, long magic)
{
	struct statfs st;

	if (statfs(dir, &st) == 0 && st.f_type == magic)
		return;
	if (mount(fstype, dir, fstype, 0, NULL)) {
		pr_debug("mount %s at %s: %s", fstype, dir, strerror(errno));
		return;
	}
	pr_info("mounted %s at %s", fstype, dir);
	snprintf(l->mounted + strlen(l->mounted), sizeof(l->mounted) - strlen(l->mounted), "%s%s",
		 l->mounted[0] ? "," : "", fstype);
}

/*
 * The cgroup2 mount to attach at: one that shows the root of the hierarchy. The cgroup hooks
 * see only the cgroups below where they are attached, so a mount of a subtree - what a
 * container in a private cgroup namespace sees - would watch part of the node and say
 * nothing: refuse it.
 */
static int find_cgroup_root(struct loader *l)
{
	char first[sizeof(l->cgroup_mount)] = "";

	for (int i = 0; i < 64; i++) {
		char mnt[sizeof(l->cgroup_mount)];

		if (cgroups_find_mount_n("/proc/self/mountinfo", i, mnt, sizeof(mnt)))
			break;
		if (!first[0])
			snprintf(first, sizeof(first), "%s", mnt);
		if (cgroups_id_of(mnt) == CGROUPS_ROOT_ID) {
			snprintf(l->cgroup_mount, sizeof(l->cgroup_mount), "%s", mnt);
			return 0;
		}
	}
	if (!first[0]) {
		pr_warn("no cgroup v2 mount found in /proc/self/mountinfo: credwatch needs cgroup "
			"v2 (unified or hybrid); on a cgroup v1-only node it cannot attribute "
			"events to pods and refuses to guess");
		return -ENOTSUP;
	}
	pr_warn("the cgroup v2 mount %s is not the root of the hierarchy (cgroup id %llu, the "
		"root's is %d): the agent runs in a private cgroup namespace and would see only "
		"part of the node. Run it in the host's cgroup namespace (the DaemonSet: "
		"privileged, or hostPID with a cgroup2 mount of the host)",
		first, (unsigned long long)cgroups_id_of(first), CGROUPS_ROOT_ID);
	return -EXDEV;
}

int loader_preflight(struct loader *l)
{
	struct utsname u;
	int err;

	if (uname(&u) == 0)
		snprintf(l->kernel_release, sizeof(l->kernel_release), "%s", u.release);
	err = check_privileges();
	if (err)
		return err;
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		pr_warn("kernel %s has no BTF (/sys/kernel/btf/vmlinux: %s): credwatch needs a "
			"kernel built with CONFIG_DEBUG_INFO_BTF=y (EKS AMIs have it)",
			l->kernel_release, strerror(errno));
		return -ENOTSUP;
	}
	err = find_cgroup_root(l);
	if (err)
		return err;
	ensure_mounted(l, "/sys/fs/bpf", "bpf", BPF_FS_MAGIC);
	ensure_mounted(l, "/sys/kernel/tracing", "tracefs", TRACEFS_MAGIC);
	ensure_mounted(l, "/sys/kernel/security", "securityfs", SECURITYFS_MAGIC);
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) != 1) {
		pr_warn("kernel %s has no BPF ring buffer (needs Linux 5.8+)", l->kernel_release);
		return -ENOTSUP;
	}
	return 0;
}

static struct loader *print_loader;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (print_loader && print_loader->probing && log_verbosity < LOG_DEBUG)
		return 0;
	if (level == LIBBPF_DEBUG && log_verbosity < LOG_DEBUG)
		return 0;
	if (level == LIBBPF_INFO && log_verbosity < LOG_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int add_hook(struct loader *l, const char *family, const char *name,
		    struct bpf_program *prog, struct bpf_link *link, const char *target)
{
	struct hook *h;
	int err = libbpf_get_error(link);

	if (err || !link) {
		err = err ? err : -EINVAL;
		pr_warn("failed to attach %s (program %s)%s%s: %s%s", name, bpf_program__name(prog),
			target[0] ? " to " : "", target, bpf_strerror(err),
			err == -EPERM ? " (are you root / CAP_BPF+CAP_NET_ADMIN?)" : "");
		return err;
	}
	if (l->nhooks >= LOADER_MAX_HOOKS) {
		bpf_link__destroy(link);
		return -E2BIG;
	}
	h = &l->hooks[l->nhooks++];
	h->family = family;
	h->name = name;
	h->program = bpf_program__name(prog);
	snprintf(h->target, sizeof(h->target), "%s", target);
	h->link = link;
	return 0;
}

/* open(2) and creat(2) exist only on architectures with the old syscall table (x86-64 here);
 * the generic table arm64 uses has openat and openat2 only. */
#if defined(__x86_64__)
#define ARCH_HAS_OPEN true
#else
#define ARCH_HAS_OPEN false
#endif

/* Syscall-exit programs for the file and socket families: all optional per
 * syscall, at least openat and connect are required. A syscall the architecture does not
 * have is skipped without a word: there is nothing it could miss. */
static const struct {
	const char *event;
	const char *family;
	const char *hook;
	bool required;
	bool on_arch;
} sys_hooks[] = {
	{ "sys_exit_openat", "file", "tp/syscalls/sys_exit_openat", true, true },
	{ "sys_exit_openat2", "file", "tp/syscalls/sys_exit_openat2", false, true },
	{ "sys_exit_open", "file", "tp/syscalls/sys_exit_open", false, ARCH_HAS_OPEN },
	{ "sys_exit_creat", "file", "tp/syscalls/sys_exit_creat", false, ARCH_HAS_OPEN },
	{ "sys_exit_connect", "socket", "tp/syscalls/sys_exit_connect", true, true },
	/* file side (issue 14) */
	{ "sys_exit_open_by_handle_at", "file", "tp/syscalls/sys_exit_open_by_handle_at", false,
	  true },
};

static struct bpf_program *sys_prog(struct credwatch_bpf *s, int i)
{
	struct bpf_program *progs[] = {
		s->progs.cw_exit_openat,  s->progs.cw_exit_openat2,
		s->progs.cw_exit_open,	  s->progs.cw_exit_creat,
		s->progs.cw_exit_connect, s->progs.cw_exit_open_by_handle_at
	};

	return progs[i];
}

/* The endpoint table and the port filter of the packet hooks (before they attach). */
static int fill_endpoints(struct loader *l)
{
	static const struct config none; /* no endpoint before: add them all */

	return loader_set_endpoints(l, &none, l->opts.cfg);
}

/* Run an iterator link once: reading runs its program; it prints nothing. */
static int run_iter(struct bpf_link *link)
{
	char buf[64];
	int fd = bpf_iter_create(bpf_link__fd(link));

	if (fd < 0)
		return -errno;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	return 0;
}

/* The TCP iterator in every network namespace on the node (one per distinct /proc/<pid>/ns/net):
 * a TCP iterator sees the namespace of the thread that creates it. Returns how many ran. */
static int iter_tcp_everywhere(struct bpf_link *link)
{
	uint64_t seen[1024];
	int nseen = 0, self, ran = 0;
	struct dirent *de;
	DIR *d;

	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	d = opendir("/proc");
	if (self < 0 || !d) {
		if (self >= 0)
			close(self);
		if (d)
			closedir(d);
		return run_iter(link) ? 0 : 1;
	}
	while ((de = readdir(d)) && nseen < (int)(sizeof(seen) / sizeof(seen[0]))) {
		char path[300];
		struct stat st;
		bool dup = false;
		int fd;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/net", de->d_name);
		if (stat(path, &st))
			continue;
		for (int i = 0; i < nseen && !dup; i++)
			dup = seen[i] == st.st_ino;
		if (dup)
			continue;
		seen[nseen++] = st.st_ino;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (setns(fd, CLONE_NEWNET) == 0 && run_iter(link) == 0)
			ran++;
		close(fd);
	}
	closedir(d);
	if (setns(self, CLONE_NEWNET))
		pr_warn("cannot return to the agent's network namespace: %s", strerror(errno));
	close(self);
	return ran;
}

/*
 * Connections to endpoints opened before the hooks were attached (bpf/iter.bpf.c): the TCP
 * iterator in every network namespace marks them, the task_file iterator names their holders
 * and reports them. Runs once, after every hook is attached, so a connection is either seen
 * connecting or found here. Returns the namespaces looked at, or -errno (not fatal: the agent
 * says so and goes on).
 */
int loader_find_connections(struct loader *l)
{
	struct bpf_link *tcp, *files;
	int ran, err;

	tcp = bpf_program__attach_iter(l->skel->progs.cw_iter_tcp, NULL);
	files = bpf_program__attach_iter(l->skel->progs.cw_iter_conns, NULL);
	if (!tcp || !files) {
		err = -errno;
		pr_warn("cannot look for connections opened before the agent (iter/tcp, "
			"iter/task_file): %s",
			strerror(-err));
		bpf_link__destroy(tcp);
		bpf_link__destroy(files);
		return err;
	}
	ran = iter_tcp_everywhere(tcp);
	err = run_iter(files);
	if (err)
		pr_warn("cannot run the connection iterator: %s", strerror(-err));
	bpf_link__destroy(tcp);
	bpf_link__destroy(files);
	return err ? err : ran;
}

static const char *const file_hook_names[] = {
	[FILE_HOOK_LSM] = "lsm",
	[FILE_HOOK_FENTRY] = "fentry",
	[FILE_HOOK_TRACEPOINT] = "tracepoint",
};

const char *loader_file_hook_name(enum file_hook h)
{
	return NAME_OF(file_hook_names, h, "auto");
}

static const char *const sock_hook_names[] = {
	[SOCK_HOOK_CONNECT_UNIX] = "connect_unix",
	[SOCK_HOOK_TRACEPOINT] = "tracepoint",
};

const char *loader_sock_hook_name(enum sock_hook h)
{
	return NAME_OF(sock_hook_names, h, "auto");
}

static const char *const sysx_hook_names[] = {
	[SYSX_HOOK_FEXIT] = "fexit",
	[SYSX_HOOK_TRACEPOINT] = "tracepoint",
};

const char *loader_sysx_hook_name(enum sysx_hook h)
{
	return NAME_OF(sysx_hook_names, h, "tracepoint");
}

static const char *const compat_hook_names[] = {
	[COMPAT_HOOK_FEXIT] = "fexit",
	[COMPAT_HOOK_SYS_EXIT] = "tp_btf/sys_exit",
	[COMPAT_HOOK_NONE] = "none",
};

const char *loader_compat_hook_name(enum compat_hook h)
{
	return NAME_OF(compat_hook_names, h, "tp_btf/sys_exit");
}

/*
 * fexit programs on syscall entry functions, where BPF trampolines work (the file hook is
 * lsm/file_open or fentry/security_file_open: the kernel attached one): the kernel function,
 * the hook's name in agent_ready, the program (looked up by name: the set differs by
 * architecture) and its family. Each set is attached whole or not at all.
 */
struct fexit_target {
	const char *fn;
	const char *hook;
	const char *prog;
	const char *family;
};
#define FEXIT_TARGET(fn, prog, family)        \
	{                                     \
		fn, "fexit/" fn, prog, family \
	}
#define N_TARGETS(t) (sizeof(t) / sizeof((t)[0]))

/*
 * Issue 19: the exits of the open family and connect(2) (failed opens' requested paths, unix
 * connects) without a syscall tracepoint, which would put every task on the syscall slow
 * path: fexit on the 64-bit syscall table's entry functions (bpf/files.bpf.c says why these
 * functions). The same programs' logic as sys_hooks' tracepoints, which remain where
 * trampolines are refused or one of these functions is missing.
 */
static const struct fexit_target sysx_targets[] = {
#if defined(__x86_64__)
	FEXIT_TARGET("__x64_sys_openat", "cw_fx_openat", "file"),
	FEXIT_TARGET("__x64_sys_openat2", "cw_fx_openat2", "file"),
	FEXIT_TARGET("__x64_sys_open", "cw_fx_open", "file"),
	FEXIT_TARGET("__x64_sys_creat", "cw_fx_creat", "file"),
	FEXIT_TARGET("__x64_sys_open_by_handle_at", "cw_fx_open_by_handle_at", "file"),
	FEXIT_TARGET("__x64_sys_connect", "cw_fx_connect", "socket"),
#elif defined(__aarch64__)
	/* the generic syscall table: no open, no creat */
	FEXIT_TARGET("__arm64_sys_openat", "cw_fx_openat", "file"),
	FEXIT_TARGET("__arm64_sys_openat2", "cw_fx_openat2", "file"),
	FEXIT_TARGET("__arm64_sys_open_by_handle_at", "cw_fx_open_by_handle_at", "file"),
	FEXIT_TARGET("__arm64_sys_connect", "cw_fx_connect", "socket"),
#else
#error "credwatch: no syscall entry functions for this architecture (loader.c)"
#endif
};

/*
 * File side (issue 14): the exits of compat syscalls, which fire no per-syscall tracepoint: fexit
 * on the compat table's entry points for the open family and connect (nothing runs at a
 * 64-bit syscall). Elsewhere, or if one is missing or refuses to attach, the raw sys_exit
 * tracepoint (a program run at every syscall's exit); on a trampoline kernel with no compat
 * entry point at all (no i386 emulation, no AArch32), nothing.
 */
static const struct fexit_target compat_targets[] = {
#if defined(__x86_64__)
	FEXIT_TARGET("__ia32_compat_sys_open", "cw_ia32_open", "file"),
	FEXIT_TARGET("__ia32_compat_sys_openat", "cw_ia32_openat", "file"),
	FEXIT_TARGET("__ia32_sys_openat2", "cw_ia32_openat2", "file"),
	FEXIT_TARGET("__ia32_sys_creat", "cw_ia32_creat", "file"),
	FEXIT_TARGET("__ia32_compat_sys_open_by_handle_at", "cw_ia32_open_by_handle_at", "file"),
	FEXIT_TARGET("__ia32_sys_connect", "cw_ia32_connect", "file"),
	FEXIT_TARGET("__ia32_compat_sys_socketcall", "cw_ia32_socketcall", "file"),
#elif defined(__aarch64__)
	/* arch/arm64/include/asm/unistd32.h; openat2, creat and connect are the sys_ wrappers
	 * (the programs test the task's AArch32 state) */
	FEXIT_TARGET("__arm64_compat_sys_open", "cw_a32_open", "file"),
	FEXIT_TARGET("__arm64_compat_sys_openat", "cw_a32_openat", "file"),
	FEXIT_TARGET("__arm64_sys_openat2", "cw_a32_openat2", "file"),
	FEXIT_TARGET("__arm64_sys_creat", "cw_a32_creat", "file"),
	FEXIT_TARGET("__arm64_compat_sys_open_by_handle_at", "cw_a32_open_by_handle_at", "file"),
	FEXIT_TARGET("__arm64_sys_connect", "cw_a32_connect", "file"),
#endif
};

static struct bpf_program *fexit_prog(struct credwatch_bpf *s, const struct fexit_target *t)
{
	return bpf_object__find_program_by_name(s->obj, t->prog);
}

/* How many of the targets (only those whose name has only_with, if not NULL) are functions in
 * the kernel's BTF; *missing: the first that is not. libbpf's load fails on a missing one. */
static size_t fexit_in_btf(const struct btf *vmlinux, const struct fexit_target *t, size_t n,
			   const char *only_with, const char **missing)
{
	size_t found = 0;

	*missing = NULL;
	for (size_t i = 0; i < n; i++) {
		if (only_with && !strstr(t[i].fn, only_with))
			continue;
		if (vmlinux && btf__find_by_name_kind(vmlinux, t[i].fn, BTF_KIND_FUNC) > 0)
			found++;
		else if (!*missing)
			*missing = t[i].fn;
	}
	return found;
}

static void fexit_autoload(struct credwatch_bpf *s, const struct fexit_target *t, size_t n, bool on)
{
	for (size_t i = 0; i < n; i++) {
		struct bpf_program *p = fexit_prog(s, &t[i]);

		if (p)
			bpf_program__set_autoload(p, on);
		else
			pr_warn("internal: no BPF program %s in the object", t[i].prog);
	}
}

/* Attach every target's program, or none: 0, or -errno with what was attached detached again
 * (*failed: the function that refused). */
static int fexit_attach(struct loader *l, const struct fexit_target *t, size_t n,
			const char **failed)
{
	int first = l->nhooks;

	for (size_t i = 0; i < n; i++) {
		struct bpf_program *p = fexit_prog(l->skel, &t[i]);
		struct bpf_link *link = bpf_program__attach(p);
		int err = libbpf_get_error(link);

		if (!err && link)
			err = add_hook(l, t[i].family, t[i].hook, p, link, "");
		else
			err = err ? err : -EINVAL;
		if (err) {
			*failed = t[i].fn;
			while (l->nhooks > first)
				bpf_link__destroy(l->hooks[--l->nhooks].link);
			return err;
		}
	}
	return 0;
}

/* which exits of compat syscalls (before load: the autoload of their programs) */
static enum compat_hook compat_configure(struct credwatch_bpf *s, enum file_hook fh,
					 struct btf **vmlinux)
{
	enum compat_hook c = COMPAT_HOOK_SYS_EXIT;
	const char *missing;

	if (fh != FILE_HOOK_TRACEPOINT) {
		if (!*vmlinux)
			*vmlinux = btf__load_vmlinux_btf();
		if (*vmlinux && fexit_in_btf(*vmlinux, compat_targets, N_TARGETS(compat_targets),
					     NULL, &missing) == N_TARGETS(compat_targets))
			c = COMPAT_HOOK_FEXIT;
		/* no compat wrapper at all: the kernel has no compat syscalls to watch */
		else if (*vmlinux &&
			 fexit_in_btf(*vmlinux, compat_targets, N_TARGETS(compat_targets),
				      "compat_sys_", &missing) == 0)
			c = COMPAT_HOOK_NONE;
	}
	fexit_autoload(s, compat_targets, N_TARGETS(compat_targets), c == COMPAT_HOOK_FEXIT);
	bpf_program__set_autoload(s->progs.cw_sys_exit_compat, c != COMPAT_HOOK_NONE);
	return c;
}

/* which exits of the 64-bit open family and connect (issue 19; before load) */
static void sysx_configure(struct loader *l, struct credwatch_bpf *s, enum file_hook fh,
			   struct btf **vmlinux)
{
	const char *missing = NULL;

	l->sysx_hook = SYSX_HOOK_TRACEPOINT;
	if (fh == FILE_HOOK_TRACEPOINT) {
		snprintf(l->sysx_reason, sizeof(l->sysx_reason), "%s",
			 l->opts.file_hook == FILE_HOOK_TRACEPOINT
				 ? "forced with --hooks file=tracepoint"
				 : "no BPF trampolines on this kernel (the file hook is "
				   "tracepoint)");
	} else {
		if (!*vmlinux)
			*vmlinux = btf__load_vmlinux_btf();
		if (*vmlinux && fexit_in_btf(*vmlinux, sysx_targets, N_TARGETS(sysx_targets), NULL,
					     &missing) == N_TARGETS(sysx_targets)) {
			l->sysx_hook = SYSX_HOOK_FEXIT;
			snprintf(
				l->sysx_reason, sizeof(l->sysx_reason),
				"BPF trampolines work (file hook %s): fexit on the syscalls' entry "
				"functions, no syscall tracepoint",
				loader_file_hook_name(fh));
		} else if (*vmlinux) {
			snprintf(l->sysx_reason, sizeof(l->sysx_reason),
				 "fexit: %s is not in the kernel's BTF", missing);
		} else {
			snprintf(l->sysx_reason, sizeof(l->sysx_reason),
				 "fexit: the kernel's BTF cannot be read");
		}
	}
	fexit_autoload(s, sysx_targets, N_TARGETS(sysx_targets), l->sysx_hook == SYSX_HOOK_FEXIT);
}

/* open + configure (everything set before load: rodata, map sizes, autoload) */
static int open_configure(struct loader *l, enum file_hook fh, enum sock_hook sh,
			  struct btf **vmlinux)
{
	struct credwatch_bpf *s = credwatch_bpf__open();

	if (!s) {
		int err = -errno;

		pr_warn("failed to open the BPF object: %s", strerror(-err));
		return err;
	}
	l->skel = s;
	/* load-time configuration: set between open and load (after load the
	 * rodata is frozen and a write would silently do nothing) */
	s->rodata->cw_self_tgid = getpid();
	s->rodata->cw_wakeup_bytes =
		l->opts.ringbuf_size / 8 < 256 * 1024 ? l->opts.ringbuf_size / 8 : 256 * 1024;
	s->rodata->cw_vfs_files = fh != FILE_HOOK_TRACEPOINT;
	/* floods: the quiet windows are the fold window (the agent's judge/quiet.c, same length) */
	s->rodata->cw_quiet_window_ns =
		l->opts.cfg ? (uint64_t)l->opts.cfg->policy.fold_window_s * 1000000000ULL : 0;
	s->rodata->cw_unix_hook = sh == SOCK_HOOK_CONNECT_UNIX;
	bpf_program__set_autoload(s->progs.cw_http_egress, l->skb_task);
	bpf_program__set_autoload(s->progs.cw_http_egress_notask, !l->skb_task);
	bpf_program__set_autoload(s->progs.cw_connect_unix, sh == SOCK_HOOK_CONNECT_UNIX);
	bpf_program__set_expected_attach_type(s->progs.cw_connect_unix,
					      (enum bpf_attach_type)CW_CGROUP_UNIX_CONNECT);
	bpf_map__set_max_entries(s->maps.cw_events, l->opts.ringbuf_size);
	bpf_map__set_max_entries(s->maps.cw_procs, l->opts.max_procs);
	if (l->opts.max_credfiles)
		bpf_map__set_max_entries(s->maps.cw_credfiles, l->opts.max_credfiles);
	bpf_program__set_autoload(s->progs.cw_lsm_file_open, fh == FILE_HOOK_LSM);
	bpf_program__set_autoload(s->progs.cw_fentry_file_open, fh == FILE_HOOK_FENTRY);
	l->compat_hook = compat_configure(s, fh, vmlinux);
	sysx_configure(l, s, fh, vmlinux);
	/* io_uring: opens on tracepoint kernels, unix connects everywhere */
	bpf_program__set_autoload(s->progs.cw_uring_complete,
				  probe_tracepoint_exists("io_uring", "io_uring_complete"));
	for (size_t i = 0; i < sizeof(sys_hooks) / sizeof(sys_hooks[0]); i++) {
		if (!sys_hooks[i].on_arch) {
			bpf_program__set_autoload(sys_prog(s, i), false);
			continue;
		}
		if (probe_tracepoint_exists("syscalls", sys_hooks[i].event))
			continue;
		/* with fexit, the tracepoints are only the fallback if an attach fails */
		if (sys_hooks[i].required && l->sysx_hook != SYSX_HOOK_FEXIT) {
			pr_warn("kernel %s has no tracepoint syscalls/%s (needs "
				"CONFIG_FTRACE_SYSCALLS=y)",
				l->kernel_release, sys_hooks[i].event);
			return -ENOTSUP;
		}
		if (l->sysx_hook == SYSX_HOOK_FEXIT)
			pr_debug("no tracepoint syscalls/%s on this kernel (fexit is used)",
				 sys_hooks[i].event);
		else
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
int loader_load_attach(struct loader *l)
{
	enum file_hook order[3];
	struct btf *vmlinux = NULL; /* parsed once for all probes */
	struct bpf_program *egress;
	char lsm[256], why[512] = "";
	int n = 0, err = -EINVAL, unix_err = 0;
	bool unix_retry = false;
	struct credwatch_bpf *s;

	print_loader = l;
	libbpf_set_print(libbpf_print);
	l->sock_hook = l->opts.sock_hook;
	l->skb_task = !l->opts.packet_cgroup && probe_skb_task_helpers() == 0;
	err = l->sock_hook == SOCK_HOOK_TRACEPOINT ? 0 : probe_connect_unix();
	if (l->sock_hook == SOCK_HOOK_CONNECT_UNIX && err) {
		pr_warn("--hooks socket=connect_unix: kernel %s refuses cgroup/connect_unix "
			"programs: %s%s",
			l->kernel_release, strerror(-err),
			err == -EINVAL ? " (it needs kernel 6.7 or later)" : "");
		return err;
	}
	if (l->sock_hook != SOCK_HOOK_AUTO) {
		snprintf(l->sock_hook_reason, sizeof(l->sock_hook_reason), "forced with --hooks");
	} else if (err) {
		l->sock_hook = SOCK_HOOK_TRACEPOINT;
		snprintf(l->sock_hook_reason, sizeof(l->sock_hook_reason),
			 "connect_unix: refused: %s%s", strerror(-err),
			 err == -EINVAL ? " (kernel before 6.7)" : "");
	} else {
		l->sock_hook = SOCK_HOOK_CONNECT_UNIX;
		snprintf(l->sock_hook_reason, sizeof(l->sock_hook_reason),
			 "strongest hook available");
	}
	if (l->opts.file_hook != FILE_HOOK_AUTO) {
		order[n++] = l->opts.file_hook;
		snprintf(why, sizeof(why), "forced with --hooks");
	} else {
		if (probe_bpf_lsm_active(lsm, sizeof(lsm)))
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
			err = probe_file_hook(vmlinux, order[i] == FILE_HOOK_LSM);
			if (err) {
				snprintf(why + strlen(why), sizeof(why) - strlen(why),
					 "%s: refused: %s; ", loader_file_hook_name(order[i]),
					 bpf_strerror(err));
				continue;
			}
		}
		err = open_configure(l, order[i], l->sock_hook, &vmlinux);
		if (err)
			return err;
		l->probing = !last || (l->sock_hook == SOCK_HOOK_CONNECT_UNIX &&
				       l->opts.sock_hook == SOCK_HOOK_AUTO);
		err = credwatch_bpf__load(l->skel);
		l->probing = false;
		if (!err) {
			l->file_hook = order[i];
			if (unix_retry)
				snprintf(l->sock_hook_reason, sizeof(l->sock_hook_reason),
					 "connect_unix: load failed: %s", strerror(-unix_err));
			break;
		}
		if (l->sock_hook == SOCK_HOOK_CONNECT_UNIX && l->opts.sock_hook == SOCK_HOOK_AUTO &&
		    !unix_retry) {
			/* the kernel has the attach type but the object did not load:
			 * perhaps our connect_unix program; the same file hook again
			 * without it (the tracepoint path alone still works) */
			unix_err = err;
			unix_retry = true;
			l->sock_hook = SOCK_HOOK_TRACEPOINT;
			credwatch_bpf__destroy(l->skel);
			l->skel = NULL;
			i--;
			continue;
		}
		if (unix_retry) {
			/* it failed without connect_unix too: not connect_unix's doing */
			unix_retry = false;
			l->sock_hook = SOCK_HOOK_CONNECT_UNIX;
		}
		snprintf(why + strlen(why), sizeof(why) - strlen(why), "%s: load failed: %s; ",
			 loader_file_hook_name(order[i]), bpf_strerror(err));
		if (l->skel)
			credwatch_bpf__destroy(l->skel);
		l->skel = NULL;
		if (last) {
			pr_warn("failed to load BPF programs on kernel %s: %s (the verifier log "
				"above says why)",
				l->kernel_release, bpf_strerror(err));
			return err;
		}
	}
	btf__free(vmlinux);
	/* the kernel's BTF, parsed here and by libbpf for CO-RE (~10 MiB in all), is freed: give
	 * the pages back (else they stay in the agent's RSS below later allocations) */
	malloc_trim(0);
	/* trailing "; " */
	if (strlen(why) >= 2 && why[strlen(why) - 2] == ';')
		why[strlen(why) - 2] = 0;
	snprintf(l->file_hook_reason, sizeof(l->file_hook_reason), "%s",
		 why[0] ? why : "strongest hook available");
	s = l->skel;
	err = fill_endpoints(l);
	if (err)
		return err;

	/* process and cgroup tracking first, so the first connect is described */
	err = add_hook(l, "process", "tp_btf/sched_process_exec", s->progs.cw_exec,
		       bpf_program__attach(s->progs.cw_exec), "");
	err = err
		      ?: add_hook(l, "process", "tp_btf/sched_process_fork", s->progs.cw_fork,
				  bpf_program__attach(s->progs.cw_fork), "");
	err = err
		      ?: add_hook(l, "process", "tp_btf/sched_process_exit", s->progs.cw_exit,
				  bpf_program__attach(s->progs.cw_exit), "");
	err = err
		      ?: add_hook(l, "cgroup", "tp_btf/cgroup_mkdir", s->progs.cw_cgroup_mkdir,
				  bpf_program__attach(s->progs.cw_cgroup_mkdir), "");
	err = err
		      ?: add_hook(l, "cgroup", "tp_btf/cgroup_rmdir", s->progs.cw_cgroup_rmdir,
				  bpf_program__attach(s->progs.cw_cgroup_rmdir), "");
	/* file side (issue 14): cgroup moves (origin pods), compat syscalls' opens and connects */
	err = err
		      ?: add_hook(l, "cgroup", "tp_btf/cgroup_attach_task",
				  s->progs.cw_cgroup_attach,
				  bpf_program__attach(s->progs.cw_cgroup_attach), "");
	if (!err && l->compat_hook == COMPAT_HOOK_FEXIT) {
		const char *failed = "";
		int e = fexit_attach(l, compat_targets, N_TARGETS(compat_targets), &failed);

		if (e) {
			pr_info("compat syscalls: fexit on %s: %s: the raw sys_exit tracepoint "
				"instead",
				failed, bpf_strerror(e));
			l->compat_hook = COMPAT_HOOK_SYS_EXIT;
		}
	}
	if (!err && l->compat_hook == COMPAT_HOOK_SYS_EXIT)
		err = add_hook(l, "file", "tp_btf/sys_exit", s->progs.cw_sys_exit_compat,
			       bpf_program__attach(s->progs.cw_sys_exit_compat), "");
	if (err)
		return err;

	l->cgroup_fd = open(l->cgroup_mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l->cgroup_fd < 0) {
		err = -errno;
		pr_warn("cannot open cgroup v2 mount %s: %s", l->cgroup_mount, strerror(-err));
		return err;
	}
	if (l->file_hook == FILE_HOOK_LSM)
		err = add_hook(l, "file", "lsm/file_open", s->progs.cw_lsm_file_open,
			       bpf_program__attach(s->progs.cw_lsm_file_open), "");
	else if (l->file_hook == FILE_HOOK_FENTRY)
		err = add_hook(l, "file", "fentry/security_file_open", s->progs.cw_fentry_file_open,
			       bpf_program__attach(s->progs.cw_fentry_file_open), "");
	if (err)
		return err;
	if (bpf_program__autoload(s->progs.cw_uring_complete))
		err = add_hook(l, l->file_hook == FILE_HOOK_TRACEPOINT ? "file" : "socket",
			       "tp/io_uring/io_uring_complete", s->progs.cw_uring_complete,
			       bpf_program__attach(s->progs.cw_uring_complete), "");
	if (!err && l->sock_hook == SOCK_HOOK_CONNECT_UNIX)
		err = add_hook(l, "socket", "cgroup/connect_unix", s->progs.cw_connect_unix,
			       bpf_program__attach_cgroup(s->progs.cw_connect_unix, l->cgroup_fd),
			       l->cgroup_mount);
	if (err)
		return err;
	/* the syscall exits: fexit where trampolines work, else (or if one refuses to attach)
	 * the syscall tracepoints */
	if (l->sysx_hook == SYSX_HOOK_FEXIT) {
		const char *failed = "";

		err = fexit_attach(l, sysx_targets, N_TARGETS(sysx_targets), &failed);
		if (err) {
			pr_warn("syscall exits: fexit on %s: %s: the syscall tracepoints instead "
				"(every task on the syscall slow path)",
				failed, bpf_strerror(err));
			snprintf(l->sysx_reason, sizeof(l->sysx_reason),
				 "fexit: attaching to %s failed: %s", failed, bpf_strerror(err));
			l->sysx_hook = SYSX_HOOK_TRACEPOINT;
		}
	}
	for (size_t i = 0;
	     l->sysx_hook == SYSX_HOOK_TRACEPOINT && i < sizeof(sys_hooks) / sizeof(sys_hooks[0]);
	     i++) {
		struct bpf_program *p = sys_prog(s, i);

		if (!bpf_program__autoload(p)) {
			if (sys_hooks[i].required && sys_hooks[i].on_arch) {
				pr_warn("kernel %s has no tracepoint syscalls/%s to fall back on",
					l->kernel_release, sys_hooks[i].event);
				return -ENOTSUP;
			}
			continue;
		}
		err = add_hook(l, sys_hooks[i].family, sys_hooks[i].hook, p, bpf_program__attach(p),
			       "");
		if (err)
			return err;
	}
	err = add_hook(l, "network", "cgroup/connect4", s->progs.cw_connect4,
		       bpf_program__attach_cgroup(s->progs.cw_connect4, l->cgroup_fd),
		       l->cgroup_mount);
	err = err
		      ?: add_hook(l, "network", "cgroup/connect6", s->progs.cw_connect6,
				  bpf_program__attach_cgroup(s->progs.cw_connect6, l->cgroup_fd),
				  l->cgroup_mount);
	/* the packet hooks last: they only act on connections the connect hooks marked */
	egress = l->skb_task ? s->progs.cw_http_egress : s->progs.cw_http_egress_notask;
	err = err
		      ?: add_hook(l, "http", "cgroup_skb/egress", egress,
				  bpf_program__attach_cgroup(egress, l->cgroup_fd),
				  l->cgroup_mount);
	err = err
		      ?: add_hook(
				 l, "http", "cgroup_skb/ingress", s->progs.cw_http_ingress,
				 bpf_program__attach_cgroup(s->progs.cw_http_ingress, l->cgroup_fd),
				 l->cgroup_mount);
	return err;
}

void loader_detach(struct loader *l)
{
	for (int i = 0; i < l->nhooks; i++) {
		bpf_link__destroy(l->hooks[i].link);
		l->hooks[i].link = NULL;
	}
}

void loader_destroy(struct loader *l)
{
	for (int i = 0; i < l->nhooks; i++)
		bpf_link__destroy(l->hooks[i].link);
	l->nhooks = 0;
	if (l->cgroup_fd > 0)
		close(l->cgroup_fd);
	l->cgroup_fd = -1;
	credwatch_bpf__destroy(l->skel);
	l->skel = NULL;
}

void loader_init(struct loader *l, const struct loader_opts *o)
{
	memset(l, 0, sizeof(*l));
	l->opts = *o;
	l->cgroup_fd = -1;
	l->sysx_hook = SYSX_HOOK_TRACEPOINT;
	l->compat_hook = COMPAT_HOOK_SYS_EXIT;
}

int loader_events_fd(const struct loader *l)
{
	return l->skel ? bpf_map__fd(l->skel->maps.cw_events) : -1;
}

int loader_procs_fd(const struct loader *l)
{
	return l->skel ? bpf_map__fd(l->skel->maps.cw_procs) : -1;
}

int loader_sockets_fd(const struct loader *l)
{
	return l->skel ? bpf_map__fd(l->skel->maps.cw_sockets) : -1;
}

int loader_credfiles_fd(const struct loader *l)
{
	return l->skel ? bpf_map__fd(l->skel->maps.cw_credfiles) : -1;
}

int loader_credbits_fd(const struct loader *l)
{
	return l->skel ? bpf_map__fd(l->skel->maps.cw_credbits) : -1;
}

int loader_podcgs_fd(const struct loader *l)
{
	return l->skel ? bpf_map__fd(l->skel->maps.cw_podcgs) : -1;
}

/*
 * A configuration reload (user/ops/reload.c): make the endpoint map and the port filter equal
 * to cfg's table while every hook stays attached. New entries and their port bits go in
 * before stale ones go out, so an endpoint in both tables is never missing for a moment.
 */
int loader_set_endpoints(struct loader *l, const struct config *old, const struct config *cfg)
{
	int fd = bpf_map__fd(l->skel->maps.cw_endpoints);
	int pfd = bpf_map__fd(l->skel->maps.cw_ep_ports);
	uint64_t bits[65536 / 64] = { 0 };
	bool touched[65536 / 64] = { false };

	for (int i = 0; i < cfg->nendpoints; i++) {
		const struct endpoint_cfg *e = &cfg->endpoints[i];
		struct cw_ep_key k = { .port = e->port };
		struct cw_ep_val v = { .kind = e->kind };
		uint32_t idx = e->port / 64;
		uint64_t cur = 0;

		memcpy(k.addr, e->addr, sizeof(k.addr));
		if (bpf_map_update_elem(fd, &k, &v, BPF_ANY)) {
			pr_warn("cannot add endpoint %d to the endpoint map: %s", i,
				strerror(errno));
			return -errno;
		}
		bpf_map_lookup_elem(pfd, &idx, &cur);
		cur |= 1ull << (e->port % 64);
		if (bpf_map_update_elem(pfd, &idx, &cur, BPF_ANY)) {
			pr_warn("cannot add port %u to the port filter: %s", e->port,
				strerror(errno));
			return -errno;
		}
		bits[idx] |= 1ull << (e->port % 64);
		touched[idx] = true;
	}
	for (int i = 0; i < old->nendpoints; i++) {
		const struct endpoint_cfg *e = &old->endpoints[i];
		struct cw_ep_key k = { .port = e->port };
		bool keep = false;

		for (int j = 0; j < cfg->nendpoints && !keep; j++)
			keep = cfg->endpoints[j].port == e->port &&
			       !memcmp(cfg->endpoints[j].addr, e->addr, sizeof(e->addr));
		memcpy(k.addr, e->addr, sizeof(k.addr));
		if (!keep)
			bpf_map_delete_elem(fd, &k);
		touched[e->port / 64] = true;
	}
	for (uint32_t idx = 0; idx < 65536 / 64; idx++)
		if (touched[idx] && bpf_map_update_elem(pfd, &idx, &bits[idx], BPF_ANY))
			pr_warn("cannot update the port filter: %s", strerror(errno));
	return 0;
}
