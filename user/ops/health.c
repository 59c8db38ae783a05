// SPDX-License-Identifier: GPL-2.0
/* credwatch health (health.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <jansson.h>
#include "ops/health.h"
#include "ops/status.h"
#include "util/clock.h"

#define STATUS_MAX_BYTES (64 * 1024)

static const char *str_of(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int64_t int_of(json_t *o, const char *k, int64_t dflt)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

int health_judge(const char *text, size_t len, uint64_t now_boot_ns, const struct health_opts *o,
		 health_link_fn link, health_pid_fn alive, char *msg, size_t msglen)
{
	json_t *root = json_loadb(text, len, 0, NULL), *links, *l;
	int64_t pid, beat, streak, lost;
	const char *oerr;
	double age;
	size_t i;
	int rc = 1;

	if (!root || !json_is_object(root)) {
		snprintf(msg, msglen, "unhealthy: status file %s is not valid JSON",
			 o->status_file);
		goto out;
	}
	pid = int_of(root, "pid", -1);
	beat = int_of(root, "heartbeat_boot_ns", -1);
	links = json_object_get(root, "links");
	if (pid <= 0 || beat < 0 || !json_is_array(links)) {
		snprintf(msg, msglen, "unhealthy: status file %s lacks pid, heartbeat or links",
			 o->status_file);
		goto out;
	}
	if (!alive((uint32_t)pid)) {
		snprintf(msg, msglen, "unhealthy: agent pid %lld (from %s) is not running",
			 (long long)pid, o->status_file);
		goto out;
	}
	age = now_boot_ns > (uint64_t)beat ? (now_boot_ns - (uint64_t)beat) / 1e9 : 0;
	if (age > o->max_age_s) {
		snprintf(msg, msglen,
			 "unhealthy: heartbeat is %.1f s old (limit %.1f s): agent pid %lld is "
			 "not running its poll loop (stopped or stuck)",
			 age, o->max_age_s, (long long)pid);
		goto out;
	}
	json_array_foreach (links, i, l) {
		const char *hook = str_of(l, "hook");
		int64_t id = int_of(l, "id", 0), prog = int_of(l, "prog_id", 0);
		int64_t cg = int_of(l, "cgroup_id", -1);
		uint32_t got_prog = 0;
		uint64_t got_cg = 0;
		bool is_cg = false;
		int err;

		if (!hook || id <= 0) {
			snprintf(msg, msglen, "unhealthy: status file %s: links[%zu] is malformed",
				 o->status_file, i);
			goto out;
		}
		err = link((uint32_t)pid, (uint32_t)id, &got_prog, &got_cg, &is_cg);
		if (err == -ENOENT) {
			snprintf(msg, msglen, "unhealthy: hook %s (BPF link %lld) is gone", hook,
				 (long long)id);
			goto out;
		}
		if (err) {
			snprintf(msg, msglen,
				 "unhealthy: cannot look up hook %s (BPF link %lld): %s%s", hook,
				 (long long)id, strerror(-err),
				 err == -EPERM ? " (run as root / CAP_SYS_ADMIN)" : "");
			goto out;
		}
		if (got_prog != (uint32_t)prog) {
			snprintf(msg, msglen,
				 "unhealthy: hook %s (BPF link %lld) runs program %u, not the "
				 "agent's %lld",
				 hook, (long long)id, got_prog, (long long)prog);
			goto out;
		}
		if (cg >= 0 && (!is_cg || got_cg != (uint64_t)cg)) {
			snprintf(msg, msglen,
				 "unhealthy: hook %s (BPF link %lld) is detached from its cgroup "
				 "(cgroup id %llu, was %lld)",
				 hook, (long long)id, (unsigned long long)got_cg, (long long)cg);
			goto out;
		}
	}
	streak = int_of(root, "ringbuf_drop_intervals", 0);
	if (!o->liveness && o->max_drop_intervals && streak >= o->max_drop_intervals) {
		snprintf(msg, msglen,
			 "unhealthy: the ring buffer dropped records in %lld consecutive intervals "
			 "of %.0f s (limit %u): events are being lost (raise --ringbuf-size?)",
			 (long long)streak, int_of(root, "drop_window_ms", 0) / 1e3,
			 o->max_drop_intervals);
		goto out;
	}
	oerr = str_of(root, "output_error");
	lost = int_of(root, "lines_lost", 0);
	if (!o->liveness && oerr) {
		snprintf(msg, msglen,
			 "unhealthy: the output is failing (%s): %lld lines lost so far", oerr,
			 (long long)lost);
		goto out;
	}
	snprintf(msg, msglen, "ok: agent pid %lld, heartbeat %.1f s ago, %zu hooks attached%s",
		 (long long)pid, age, json_array_size(links),
		 o->liveness ? ""
		 : streak    ? ", recent ring-buffer drops"
			     : ", no drops");
	rc = 0;
out:
	json_decref(root);
	return rc;
}

/* The agent's links as /proc/PID/fdinfo shows them (no CAP_SYS_ADMIN needed, only the
 * right to read another process's fdinfo: root with CAP_SYS_PTRACE, as the agent has). */
#define FDINFO_MAX_LINKS 256
static struct {
	uint32_t id, prog_id;
	uint64_t cgroup_id;
	bool cgroup;
} fdlinks[FDINFO_MAX_LINKS];
static int nfdlinks = -1; /* -1: not read yet */

static int read_fdinfo(uint32_t pid)
{
	char path[64], line[256];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%u/fdinfo", pid);
	d = opendir(path);
	if (!d)
		return -errno;
	nfdlinks = 0;
	while ((de = readdir(d)) && nfdlinks < FDINFO_MAX_LINKS) {
		char file[320];
		FILE *f;
		bool is_link = false;

		if (de->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
		f = fopen(file, "re");
		if (!f)
			continue;
		memset(&fdlinks[nfdlinks], 0, sizeof(fdlinks[0]));
		while (fgets(line, sizeof(line), f)) {
			unsigned long long v;
			char type[64];

			if (sscanf(line, "link_type: %63s", type) == 1) {
				is_link = true;
				fdlinks[nfdlinks].cgroup = !strcmp(type, "cgroup");
			} else if (sscanf(line, "link_id: %llu", &v) == 1) {
				fdlinks[nfdlinks].id = v;
			} else if (sscanf(line, "prog_id: %llu", &v) == 1) {
				fdlinks[nfdlinks].prog_id = v;
			} else if (sscanf(line, "cgroup_id: %llu", &v) == 1) {
				fdlinks[nfdlinks].cgroup_id = v;
			}
		}
		fclose(f);
		if (is_link && fdlinks[nfdlinks].id)
			nfdlinks++;
	}
	closedir(d);
	return 0;
}

static bool via_fdinfo; /* said in the verdict */

static int link_lookup(uint32_t pid, uint32_t id, uint32_t *prog_id, uint64_t *cgroup_id,
		       bool *cgroup)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);
	int fd = bpf_link_get_fd_by_id(id), err = 0;

	if (fd < 0 && (errno == EPERM || errno == EACCES)) {
		/* no CAP_SYS_ADMIN: the same facts from the agent's descriptors */
		if (nfdlinks < 0 && (err = read_fdinfo(pid)))
			return err;
		via_fdinfo = true;
		for (int i = 0; i < nfdlinks; i++)
			if (fdlinks[i].id == id) {
				*prog_id = fdlinks[i].prog_id;
				*cgroup = fdlinks[i].cgroup;
				*cgroup_id = fdlinks[i].cgroup_id;
				return 0;
			}
		return -ENOENT;
	}
	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		err = -errno;
	close(fd);
	if (err)
		return err;
	*prog_id = info.prog_id;
	*cgroup = info.type == BPF_LINK_TYPE_CGROUP;
	*cgroup_id = *cgroup ? info.cgroup.cgroup_id : 0;
	return 0;
}

static bool pid_alive(uint32_t pid)
{
	char path[64], buf[512];
	const char *p;
	size_t n;
	FILE *f;

	if (kill((pid_t)pid, 0) && errno == ESRCH)
		return false;
	/* kill(pid, 0) does not tell a zombie: its stat says Z */
	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return errno != ENOENT;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	return !(p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'));
}

static const char health_usage[] =
	"usage: credwatch health [--status-file PATH] [--max-age SECONDS] "
	"[--max-drop-intervals N] [--liveness]\n"
	"\n"
	"Exit 0 if the agent is healthy, 1 if not (one line on stdout says why).\n"
	"\n"
	"  --status-file PATH       the agent's status file (default " STATUS_DEFAULT_PATH ")\n"
	"  --max-age SECONDS        oldest acceptable heartbeat (default 20)\n"
	"  --max-drop-intervals N   unhealthy after N consecutive intervals with ring-buffer\n"
	"                           drops (default 3; 0: never)\n"
	"  --liveness               only what a restart fixes: process, heartbeat, hooks\n";

int health_main(int argc, char **argv)
{
	enum { OPT_STATUS = 256, OPT_AGE, OPT_DROPS, OPT_LIVE };
	static const struct option longopts[] = {
		{ "status-file", required_argument, NULL, OPT_STATUS },
		{ "max-age", required_argument, NULL, OPT_AGE },
		{ "max-drop-intervals", required_argument, NULL, OPT_DROPS },
		{ "liveness", no_argument, NULL, OPT_LIVE },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct health_opts o = { .status_file = STATUS_DEFAULT_PATH,
				 .max_age_s = 20,
				 .max_drop_intervals = 3 };
	char *text, msg[1024], *end;
	size_t n;
	FILE *f;
	int c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_STATUS:
			o.status_file = optarg;
			break;
		case OPT_AGE:
			errno = 0;
			o.max_age_s = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o.max_age_s > 0)) {
				fprintf(stderr,
					"credwatch health: invalid value for --max-age: '%s' "
					"(want seconds > 0)\n%s",
					optarg, health_usage);
				return 2;
			}
			break;
		case OPT_DROPS: {
			unsigned long v;

			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' || v > 1000000) {
				fprintf(stderr,
					"credwatch health: invalid value for --max-drop-intervals: "
					"'%s'\n%s",
					optarg, health_usage);
				return 2;
			}
			o.max_drop_intervals = v;
			break;
		}
		case OPT_LIVE:
			o.liveness = true;
			break;
		case 'h':
			fputs(health_usage, stdout);
			return 0;
		case ':':
			fprintf(stderr, "credwatch health: option '%s' needs a value\n%s",
				argv[optind - 1], health_usage);
			return 2;
		default:
			fprintf(stderr, "credwatch health: unknown option '%s'\n%s",
				argv[optind - 1], health_usage);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "credwatch health: unexpected argument '%s'\n%s", argv[optind],
			health_usage);
		return 2;
	}
	f = fopen(o.status_file, "re");
	if (!f) {
		printf("unhealthy: no status file %s (%s): the agent is not running, or not ready "
		       "yet\n",
		       o.status_file, strerror(errno));
		return 1;
	}
	text = malloc(STATUS_MAX_BYTES);
	if (!text) {
		fclose(f);
		printf("unhealthy: out of memory\n");
		return 1;
	}
	n = fread(text, 1, STATUS_MAX_BYTES, f);
	fclose(f);
	rc = health_judge(text, n, clock_now(CLOCK_BOOTTIME), &o, link_lookup, pid_alive, msg,
			  sizeof(msg));
	free(text);
	printf("%s%s\n", msg, rc == 0 && via_fdinfo ? " (hooks checked in /proc/PID/fdinfo)" : "");
	return rc;
}

int reload_main(int argc, char **argv)
{
	const char *path = STATUS_DEFAULT_PATH;
	char comm[64] = "", procf[64];
	json_t *root;
	FILE *f;
	size_t n;
	long long pid;

	static const char usage[] =
		"usage: credwatch reload [--status-file PATH]\n\nSend SIGHUP to "
		"the running agent (reopen --output, re-read --config).\n";

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--status-file")) {
		path = argv[2];
	} else if (argc != 1) {
		fputs(usage, stderr);
		return 2;
	}
	root = json_load_file(path, 0, NULL);
	pid = root ? int_of(root, "pid", -1) : -1;
	json_decref(root);
	if (pid <= 1) {
		printf("no agent: %s is missing or has no pid\n", path);
		return 1;
	}
	snprintf(procf, sizeof(procf), "/proc/%lld/comm", pid);
	f = fopen(procf, "re");
	if (f) {
		n = fread(comm, 1, sizeof(comm) - 1, f);
		fclose(f);
		comm[n] = 0;
		comm[strcspn(comm, "\n")] = 0;
	}
	if (strcmp(comm, "credwatch")) {
		printf("no agent: pid %lld (from %s) is %s\n", pid, path,
		       comm[0] ? "not a credwatch process" : "not running");
		return 1;
	}
	if (kill((pid_t)pid, SIGHUP)) {
		printf("cannot signal agent pid %lld: %s\n", pid, strerror(errno));
		return 1;
	}
	printf("sent SIGHUP to agent pid %lld: its config_reloaded line says what happened\n", pid);
	return 0;
}
