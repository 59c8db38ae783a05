// SPDX-License-Identifier: GPL-2.0
/*
 * credwatch: who on this node touches AWS credentials.
 *
 *   credwatch run [options]     the agent: JSON events on stdout (or --output)
 *   credwatch trace [options]   the agent, one human line per event (user/cli/trace.c)
 *   credwatch view [FILE|-]     the human view over JSON lines (user/cli/view.c)
 *   credwatch scan [options]    a snapshot of the node from its state, no BPF (user/cli/scan.c)
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <malloc.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "agent.h"
#include "cli/cli.h"
#include "credwatch_abi.h"
#include "enrich/attrib.h"
#include "enrich/cgroups.h"
#include "enrich/credfiles.h"
#include "enrich/procs.h"
#include "enrich/sockets.h"
#include "enrich/peers.h"
#include "loader/kstats.h"
#include "loader/loader.h"
#include "ops/health.h"
#include "ops/metrics.h"
#include "ops/reload.h"
#include "ops/status.h"
#include "pipeline.h"
#include "render/json.h"
#include "render/render.h"
#include "util/clock.h"
#include "util/log.h"

#define EXIT_USAGE 2
/* a restarted container runtime binds a new socket inode */
#define SOCKET_REFRESH_NS (2ULL * 1000000000ULL)

static volatile sig_atomic_t stop_signal, hup_signal;
static volatile sig_atomic_t hup_stops; /* trace: SIGHUP is the terminal going away */

/* SIGINT/SIGTERM stop (final stats, exit 0); SIGHUP reopens the output and reloads the config
 * (run), or stops (trace: its terminal hung up, as when the tmux or ssh session ends) */
static void on_signal(int sig)
{
	if (sig == SIGHUP && !hup_stops)
		hup_signal = 1;
	else
		stop_signal = sig;
}

static const char usage_text[] =
	"usage: credwatch run [options]\n"
	"       credwatch trace [options]\n"
	"       credwatch view [FILE|-] [options]\n"
	"       credwatch scan [--host-root DIR] [-o table|json]\n"
	"\n"
	"run:   watch credential access on this node and write one JSON event per line.\n"
	"trace: the same, one human line per event; Ctrl-C prints a summary.\n"
	"view:  the human view over JSON lines already written (credwatch view --help).\n"
	"scan:  who on this node could reach AWS credentials, from node state alone\n"
	"       (credwatch scan --help).\n"
	"\n"
	"  -o, --output PATH        run: write events to PATH (appended) instead of stdout\n"
	"  -o, --format text|json   trace: human lines (default) or the JSON lines\n"
	"      --color WHEN         trace: always, never or auto (default: auto, colours on a\n"
	"                           terminal unless NO_COLOR is set)\n"
	"  -d, --duration SECONDS   stop after SECONDS (then exit 0); default: until "
	"SIGINT/SIGTERM\n"
	"  -c, --config PATH        configuration file (JSON; see README)\n"
	"      --node-name NAME     node name for events (default: $NODE_NAME, else hostname)\n"
	"      --host-root DIR      the node's filesystem root (DaemonSet: /host; default /)\n"
	"      --cluster-name NAME  EKS cluster name for events (default: $CLUSTER_NAME)\n"
	"      --ringbuf-size BYTES ring buffer size, a power of two >= 4096 (default 4194304)\n"
	"      --max-procs N        process table entries in the kernel (default 8192)\n"
	"      --max-credfiles N    credential files known by inode (default 8192)\n"
	"      --holdback-ms MS     how long an event may wait for its container's metadata\n"
	"                           (config.json written after the first event; default 1000)\n"
	"      --hooks FAMILY=HOOK[,...]  force a hook family (default: the strongest\n"
	"                           the kernel accepts): file=lsm|fentry|tracepoint,\n"
	"                           socket=connect_unix|tracepoint, packet=cgroup\n"
	"      --stats-interval SECONDS  an agent_stats line every SECONDS (default 60;\n"
	"                           0: only at exit)\n"
	"      --output-max-size SIZE  rotate --output at SIZE bytes (K, M, G suffixes)\n"
	"      --output-keep N      rotated files kept (default 5)\n"
	"      --status-file PATH   heartbeat for `credwatch health` (default\n"
	"                           " STATUS_DEFAULT_PATH ")\n"
	"      --metrics-listen ADDR  Prometheus metrics on IP:PORT or a unix socket path\n"
	"  -v, --verbose            debug and libbpf messages on stderr\n"
	"  -h, --help               this text\n"
	"\n"
	"Filters (run: of the JSON lines written; trace: of the lines shown):\n" FILTER_USAGE "\n"
	"Signals: SIGINT/SIGTERM stop (final agent_stats, exit 0); SIGHUP: run reopens --output\n"
	"and re-reads --config (a config_reloaded line says what changed), trace stops.\n"
	"\n"
	"credwatch health [options]  exit 0 if the running agent is healthy (credwatch health -h)\n"
	"credwatch reload [--status-file PATH]  SIGHUP to the running agent\n"
	"credwatch --version        the version (from the VERSION file of the source tree)\n";

static const char *command = "run"; /* or "trace" */

static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "credwatch: ");
	fprintf(stderr, fmt, arg);
	if (strcmp(command, "trace") == 0)
		fprintf(stderr, "\nusage: credwatch trace [--severity SEV] [--namespace NS] ... "
				"[-o text|json] (credwatch --help for all options)\n");
	else
		fprintf(stderr, "\nusage: credwatch run [--output PATH] [--duration SECONDS] "
				"[--config PATH] [-v] (credwatch --help for all options)\n");
	exit(EXIT_USAGE);
}

/* --hooks file=X,socket=Y (repeatable): each item forces one family */
static void parse_hooks(struct agent_opts *o, const char *arg)
{
	static const struct {
		const char *item;
		int file, sock;
	} items[] = {
		{ "file=lsm", FILE_HOOK_LSM, -1 },
		{ "file=fentry", FILE_HOOK_FENTRY, -1 },
		{ "file=tracepoint", FILE_HOOK_TRACEPOINT, -1 },
		{ "socket=connect_unix", -1, SOCK_HOOK_CONNECT_UNIX },
		{ "socket=tracepoint", -1, SOCK_HOOK_TRACEPOINT },
		/* what kernels without task helpers in cgroup_skb do (6.1), on any kernel */
		{ "packet=cgroup", -1, -1 },
	};
	const char *p = arg;

	do {
		size_t n = strcspn(p, ",");
		size_t i;

		for (i = 0; i < sizeof(items) / sizeof(items[0]); i++)
			if (strlen(items[i].item) == n && strncmp(items[i].item, p, n) == 0)
				break;
		if (i == sizeof(items) / sizeof(items[0]))
			usage_error("invalid value for --hooks: '%s' (want file=lsm, file=fentry, "
				    "file=tracepoint, socket=connect_unix, socket=tracepoint or "
				    "packet=cgroup, comma-separated)",
				    arg);
		if (items[i].file >= 0)
			o->file_hook = items[i].file;
		else if (items[i].sock >= 0)
			o->sock_hook = items[i].sock;
		else
			o->packet_cgroup = true;
		p += n;
	} while (*p++ == ',');
}

static unsigned long parse_ulong(const char *opt, const char *s, unsigned long min,
				 unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max) {
		char msg[160];

		snprintf(msg, sizeof(msg), "invalid value for %s: '%%s' (want %lu..%lu)", opt, min,
			 max);
		usage_error(msg, s);
	}
	return v;
}

static void parse_args(struct agent *a, int argc, char **argv)
{
	enum {
		OPT_NODE = 256,
		OPT_RINGBUF,
		OPT_MAXPROCS,
		OPT_HOSTROOT,
		OPT_CLUSTER,
		OPT_HOOKS,
		OPT_HOLDBACK,
		OPT_STATS_INTERVAL,
		OPT_STATUS_FILE,
		OPT_METRICS,
		OPT_OUT_MAX,
		OPT_OUT_KEEP,
		OPT_MAXCREDFILES,
	};
	enum { OPT_FORMAT = 900, OPT_COLOR };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		/* credwatch trace and run's output filters (user/cli/) */
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "color", required_argument, NULL, OPT_COLOR },
		FILTER_LONGOPTS,
		{ "duration", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "node-name", required_argument, NULL, OPT_NODE },
		{ "ringbuf-size", required_argument, NULL, OPT_RINGBUF },
		{ "max-procs", required_argument, NULL, OPT_MAXPROCS },
		{ "host-root", required_argument, NULL, OPT_HOSTROOT },
		{ "cluster-name", required_argument, NULL, OPT_CLUSTER },
		{ "hooks", required_argument, NULL, OPT_HOOKS },
		{ "max-credfiles", required_argument, NULL, OPT_MAXCREDFILES },
		{ "holdback-ms", required_argument, NULL, OPT_HOLDBACK },
		{ "stats-interval", required_argument, NULL, OPT_STATS_INTERVAL },
		{ "status-file", required_argument, NULL, OPT_STATUS_FILE },
		{ "metrics-listen", required_argument, NULL, OPT_METRICS },
		{ "output-max-size", required_argument, NULL, OPT_OUT_MAX },
		{ "output-keep", required_argument, NULL, OPT_OUT_KEEP },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct agent_opts *o = &a->opts;
	const char *env;
	int c;

	o->ringbuf_size = 1 << 22;
	o->max_procs = 8192;
	o->max_credfiles = 8192;
	o->cgroup_cache = 16384;
	o->host_root = "/";
	o->file_hook = FILE_HOOK_AUTO;
	o->sock_hook = SOCK_HOOK_AUTO;
	o->holdback_ms = 1000;
	o->stats_interval = 60;
	o->status_file = STATUS_DEFAULT_PATH;
	o->output_keep = 5;
	if (argc >= 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version"))) {
		printf("credwatch %s (abi %d)\n", CREDWATCH_VERSION, CW_ABI_VERSION);
		exit(0);
	}
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage_text, argc < 2 ? stderr : stdout);
		exit(argc < 2 ? EXIT_USAGE : 0);
	}
	if (strcmp(argv[1], "trace") == 0) {
		a->cli.trace = true;
		command = "trace";
	} else if (strcmp(argv[1], "run") != 0)
		usage_error("unknown command '%s'", argv[1]);
	argc--;
	argv++;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:d:c:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (!a->cli.trace) {
				o->output = optarg;
				break;
			}
			/* trace's -o is the format */
			__attribute__((fallthrough));
		case OPT_FORMAT:
			if (!strcmp(optarg, "json"))
				a->cli.format = CLI_FORMAT_JSON;
			else if (!strcmp(optarg, "text"))
				a->cli.format = CLI_FORMAT_TEXT;
			else
				usage_error("invalid value for --format: '%s' (want text or json)",
					    optarg);
			break;
		case OPT_COLOR: {
			int col = cli_color_parse(optarg);

			if (col < 0)
				usage_error("invalid value for --color: '%s' (want always, never "
					    "or auto)",
					    optarg);
			a->cli.color = col;
			break;
		}
		case FILTER_OPT_NAMESPACE:
		case FILTER_OPT_POD:
		case FILTER_OPT_CONTAINER:
		case FILTER_OPT_SEVERITY:
		case FILTER_OPT_EVENT:
		case FILTER_OPT_FINDINGS_ONLY: {
			char ferr[600];

			if (filter_option(&a->cli.filter, c, optarg, ferr, sizeof(ferr)))
				usage_error("%s", ferr);
			break;
		}
		case 'd': {
			char *end;

			errno = 0;
			o->duration = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o->duration > 0) ||
			    o->duration > 1e9)
				usage_error("invalid value for --duration: '%s' (want seconds > 0)",
					    optarg);
			break;
		}
		case 'c':
			o->config_path = optarg;
			break;
		case OPT_NODE:
			if (!optarg[0] || strlen(optarg) >= sizeof(o->node_name))
				usage_error("invalid value for --node-name: '%s'", optarg);
			snprintf(o->node_name, sizeof(o->node_name), "%s", optarg);
			break;
		case OPT_RINGBUF:
			o->ringbuf_size = parse_ulong("--ringbuf-size", optarg, 4096, 1u << 30);
			if (o->ringbuf_size & (o->ringbuf_size - 1))
				usage_error("invalid value for --ringbuf-size: '%s' (want a power "
					    "of two)",
					    optarg);
			break;
		case OPT_HOOKS:
			parse_hooks(o, optarg);
			break;
		case OPT_HOLDBACK:
			o->holdback_ms = parse_ulong("--holdback-ms", optarg, 0, 60000);
			break;
		case OPT_CLUSTER:
			if (!optarg[0] || strlen(optarg) >= sizeof(o->cluster_name))
				usage_error("invalid value for --cluster-name: '%s'", optarg);
			snprintf(o->cluster_name, sizeof(o->cluster_name), "%s", optarg);
			break;
		case OPT_HOSTROOT: {
			struct stat st;

			if (stat(optarg, &st) || !S_ISDIR(st.st_mode))
				usage_error("invalid value for --host-root: '%s' (not a directory)",
					    optarg);
			o->host_root = optarg;
			break;
		}
		case OPT_MAXPROCS:
			o->max_procs = parse_ulong("--max-procs", optarg, 64, 1u << 22);
			break;
		case OPT_MAXCREDFILES:
			o->max_credfiles = parse_ulong("--max-credfiles", optarg, 1, 1u << 20);
			break;
		case OPT_STATS_INTERVAL: {
			char *end;

			errno = 0;
			o->stats_interval = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o->stats_interval >= 0) ||
			    o->stats_interval > 1e6)
				usage_error(
					"invalid value for --stats-interval: '%s' (want seconds "
					">= 0; 0: only at exit)",
					optarg);
			break;
		}
		case OPT_STATUS_FILE:
			if (!optarg[0])
				usage_error("invalid value for --status-file: '%s'", optarg);
			o->status_file = optarg;
			break;
		case OPT_METRICS:
			if (!optarg[0])
				usage_error("invalid value for --metrics-listen: '%s'", optarg);
			o->metrics_listen = optarg;
			break;
		case OPT_OUT_MAX:
			if (output_parse_size(optarg, &o->output_max_size) ||
			    o->output_max_size < OUTPUT_MIN_ROTATE)
				usage_error("invalid value for --output-max-size: '%s' (want bytes "
					    ">= 4096, with an optional K, M or G)",
					    optarg);
			break;
		case OPT_OUT_KEEP:
			o->output_keep = parse_ulong("--output-keep", optarg, 1, OUTPUT_MAX_KEEP);
			break;
		case 'v':
			o->verbose++;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case ':':
			usage_error("option '%s' needs a value", argv[optind - 1]);
			break;
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (!a->cli.trace && (a->cli.format != CLI_FORMAT_TEXT || a->cli.color != CLI_COLOR_AUTO))
		usage_error("%s", "--format and --color are options of credwatch trace");
	if (o->output_max_size && !o->output)
		usage_error("%s needs --output FILE (stdout is not rotated)", "--output-max-size");
	env = getenv("CLUSTER_NAME");
	if (!o->cluster_name[0] && env && env[0] && strlen(env) < sizeof(o->cluster_name))
		snprintf(o->cluster_name, sizeof(o->cluster_name), "%s", env);
	if (!o->node_name[0]) {
		env = getenv("NODE_NAME");
		if (env && env[0])
			snprintf(o->node_name, sizeof(o->node_name), "%s", env);
		else if (gethostname(o->node_name, sizeof(o->node_name) - 1))
			snprintf(o->node_name, sizeof(o->node_name), "unknown");
	}
}

/* EC2 instance id from DMI (Nitro puts it in board_asset_tag): no IMDS call */
static void read_instance_id(struct agent *a)
{
	char path[4096], buf[64] = "";
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/sys/devices/virtual/dmi/id/board_asset_tag",
		 strcmp(a->opts.host_root, "/") ? a->opts.host_root : "");
	f = fopen(path, "re");
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	/* i- followed by 8 or 17 hex digits */
	n = strlen(buf);
	if ((n == 10 || n == 19) && buf[0] == 'i' && buf[1] == '-' &&
	    strspn(buf + 2, "0123456789abcdef") == n - 2)
		snprintf(a->instance_id, sizeof(a->instance_id), "%s", buf);
}

/* ---------------------------------------------------------------------------------------- */
/* the run loop's operational side (user/ops): heartbeat, reload, output recovery, metrics */

struct ops_state {
	struct status_info status;
	bool status_ok, status_dir_created;
	uint64_t next_status, next_stats;
};

static void write_status(struct agent *a, struct ops_state *os)
{
	int err;

	if (!os->status_ok)
		return;
	os->status.heartbeat_boot_ns = clock_now(CLOCK_BOOTTIME);
	os->status.heartbeat_real = (int64_t)clock_now(CLOCK_REALTIME);
	os->status.drop_streak = a->drop_window.streak;
	os->status.output_err = a->out.err;
	os->status.lines_lost = a->out.st.write_errors;
	err = status_write(a->opts.status_file, &os->status);
	if (err) {
		pr_warn("status file %s: %s (credwatch health cannot see this agent)",
			a->opts.status_file, strerror(-err));
		os->status_ok = false;
	}
}

/* SIGHUP: a new output file (logrotate moved the old one), then the config file again */
static void on_hup(struct agent *a)
{
	static struct reload_text txt;
	struct reload_info ri;
	int err;

	memset(&ri, 0, sizeof(ri));
	memset(&txt, 0, sizeof(txt));
	err = output_reopen(&a->out);
	ri.output_reopened = a->out.owned && !err;
	if (err)
		ri.output_error = strerror(-err);
	if (a->opts.config_path) {
		reload_config(&a->cfg, a->opts.config_path, &a->loader,
			      loader_sockets_fd(&a->loader), a->opts.host_root, &ri, &txt);
	} else {
		ri.time_real = (int64_t)clock_now(CLOCK_REALTIME);
		ri.result = "no_config";
	}
	if (!strcmp(ri.result, "applied"))
		a->reloads_applied++;
	else if (!strcmp(ri.result, "refused"))
		a->reloads_refused++;
	else
		a->reloads_unchanged++;
	pr_info("SIGHUP: output %s; configuration %s", ri.output_reopened ? "reopened" : "kept",
		ri.result);
	if (a->json->ops->reloaded)
		a->json->ops->reloaded(a->json, &ri);
}

static void on_output_recovered(struct agent *a, const struct output_recovery *r)
{
	struct output_gap_info gi = {
		.time_real = (int64_t)clock_now(CLOCK_REALTIME),
		.since_real = r->since_real,
		.output = a->out.owned ? a->out.path : "stdout",
		.error = strerror(r->err),
		.lost = r->lost,
	};

	if (a->json->ops->output_recovered)
		a->json->ops->output_recovered(a->json, &gi);
}

static void metrics_snapshot(void *ctx, struct stats_snapshot *st)
{
	agent_snapshot(ctx, st);
}

static int run(struct agent *a)
{
	uint64_t deadline = 0, now, next_retry = 0, last_socket_refresh;
	struct pipeline_parts parts = { 0 };
	struct node_ident node;
	struct loader_opts lo = {
		.ringbuf_size = a->opts.ringbuf_size,
		.max_procs = a->opts.max_procs,
		.max_credfiles = a->opts.max_credfiles,
		.file_hook = a->opts.file_hook,
		.sock_hook = a->opts.sock_hook,
		.packet_cgroup = a->opts.packet_cgroup,
		.cfg = &a->cfg,
	};
	struct output_opts oo = {
		.path = a->opts.output,
		.max_size = a->opts.output_max_size,
		.keep = a->opts.output_keep,
	};
	static struct ops_state os;
	struct output_recovery rec;
	int err;

	/* the output first: a bad path fails before anything is loaded */
	err = output_open_opts(&a->out, &oo);
	if (err)
		return err;
	output_set_interrupt(&stop_signal);
	sockets_set_stop_flag(&stop_signal);
	if (a->opts.metrics_listen) {
		char why[512];

		a->metrics = metrics_new(a->opts.metrics_listen, why, sizeof(why));
		if (!a->metrics) {
			pr_warn("--metrics-listen %s", why);
			return -EINVAL;
		}
		pr_info("metrics: http://%s/metrics", metrics_address(a->metrics));
	}
	loader_init(&a->loader, &lo);
	err = loader_preflight(&a->loader);
	if (err)
		return err;
	a->cgroups = cgroups_new(a->loader.cgroup_mount, a->opts.cgroup_cache);
	if (!a->cgroups)
		return -ENOMEM;
	err = loader_load_attach(&a->loader);
	if (err)
		return err;
	if (stop_signal)
		goto stopped_early;
	a->procs = procs_new(loader_procs_fd(&a->loader), "/proc", 1024);
	if (!a->procs)
		return -ENOMEM;
	procs_set_cgroup_mount(a->procs, a->loader.cgroup_mount);
	cgroups_set_podmap(a->cgroups, loader_podcgs_fd(&a->loader));
	{
		struct attrib_limits lim = {
			.cgroup_mount = a->loader.cgroup_mount,
			.proc_root = "/proc",
			/* the attribution says "pending" as long as the hold-back waits; 0 ms
			 * waits for nothing (1 ns: attrib_new takes 0 for its default) */
			.pending_ns = a->opts.holdback_ms ? a->opts.holdback_ms * 1000000ULL : 1,
		};
		struct stat st;

		/* The host's network namespace, to tell hostNetwork pods: PID 1's, or
		 * (when a stricter PID 1 denies access) the agent's own, which the
		 * DaemonSet runs in the host network namespace for exactly this. */
		if (stat("/proc/1/ns/net", &st) == 0 || stat("/proc/self/ns/net", &st) == 0)
			lim.host_netns_ino = st.st_ino;

		a->attrib = attrib_new(a->opts.host_root, &lim);
		if (!a->attrib) {
			err = -errno;
			pr_warn("cannot read node state under %s: %s", a->opts.host_root,
				strerror(-err));
			return err;
		}
	}
	{
		struct stat st;

		/* the host's mount namespace: host_exe entries match processes there only */
		if (stat("/proc/1/ns/mnt", &st) == 0 || stat("/proc/self/ns/mnt", &st) == 0)
			a->host_mntns = (uint32_t)st.st_ino;
	}
	{
		struct credfiles_limits cl = { .capacity = a->opts.max_credfiles };

		a->credfiles = credfiles_new(a->opts.host_root, a->loader.cgroup_mount,
					     loader_credfiles_fd(&a->loader), &cl);
		err = a->credfiles
			      ? credfiles_set_bitmap(a->credfiles, loader_credbits_fd(&a->loader))
			      : 0;
		if (err) {
			pr_warn("cannot map the credential-file bitmap: %s", strerror(-err));
			return err;
		}
	}
	if (!a->credfiles) {
		err = -errno;
		pr_warn("cannot read node state under %s: %s", a->opts.host_root, strerror(-err));
		return err;
	}
	read_instance_id(a);
	node = (struct node_ident){ a->opts.node_name, a->opts.cluster_name, a->instance_id };
	a->json = cli_agent_renderer(a, &node); /* JSON lines, filtered, or trace's view */
	if (!a->json)
		return -ENOMEM;
	parts.cgroups = a->cgroups;
	parts.procs = a->procs;
	parts.attrib = a->attrib;
	parts.credfiles = a->credfiles;
	/* other credwatch agents on the node: their attribution reads are not theft */
	parts.peers = a->peers = peers_new("/proc", NULL);
	parts.host_mntns = a->host_mntns;
	parts.cfg = &a->cfg;
	parts.holdback_ns = a->opts.holdback_ms ? a->opts.holdback_ms * 1000000ULL : 1;
	parts.batch_max = 4096;
	/* floods (issue 13): audit events' repeats counted in the kernel */
	parts.quiet_ops = &kstats_quiet_map_ops;
	parts.quiet_ctx = &a->loader;
	parts.quiet_capacity = CW_QUIET_ENTRIES;
	parts.renderers[parts.nrenderers++] = a->json;
	if (a->metrics)
		parts.renderers[parts.nrenderers++] = metrics_renderer(a->metrics);
	a->pipe = pipeline_new(&parts);
	if (!a->pipe)
		return -ENOMEM;
	a->rb = ring_buffer__new(loader_events_fd(&a->loader), pipeline_record, a->pipe, NULL);
	if (!a->rb) {
		err = -errno;
		pr_warn("cannot set up the ring buffer consumer: %s", strerror(-err));
		return err;
	}
	/* after attach: a cgroup or process created meanwhile is seen either way */
	sockets_refresh(&a->cfg.sockets, loader_sockets_fd(&a->loader), a->opts.host_root);
	last_socket_refresh = clock_now(CLOCK_MONOTONIC);
	if (stop_signal)
		goto stopped_early;
	cgroups_scan(a->cgroups);
	procs_prefill(a->procs);
	/* node state the kernel side matches against: credential files by inode, the inodes of
	 * allowlisted host executables */
	credfiles_refresh(a->credfiles, clock_now(CLOCK_MONOTONIC));
	config_resolve_host_exe(&a->cfg, a->opts.host_root);
	if (stop_signal)
		goto stopped_early;
	/* connections to endpoints opened before the hooks: marked and reported now (their
	 * records are read after agent_ready). After the prefill, so that the holders' records
	 * carry the exec ids of the /proc records: the process is described as it was now,
	 * not by a /proc read when its request is answered, by which time it may be gone. */
	loader_find_connections(&a->loader);
	/* loading parsed the kernel's BTF (megabytes, now freed): give the heap back */
	malloc_trim(0);
	agent_ready(a);

	/* the heartbeat for `credwatch health`, from now on */
	err = status_prepare(a->opts.status_file, &os.status_dir_created);
	if (err)
		pr_warn("status file %s: cannot create its directory: %s (credwatch health "
			"cannot see this agent)",
			a->opts.status_file, strerror(-err));
	os.status_ok = !err;
	os.status.pid = getpid();
	os.status.version = CREDWATCH_VERSION;
	os.status.every_ms = STATUS_EVERY_NS / 1000000;
	os.status.drop_window_ms = agent_drop_window_ns(a) / 1000000;
	os.status.metrics_listen = a->metrics ? metrics_address(a->metrics) : NULL;
	status_collect_links(&a->loader, &os.status);
	write_status(a, &os);

	now = clock_now(CLOCK_MONOTONIC);
	os.next_status = now + STATUS_EVERY_NS;
	if (a->opts.stats_interval > 0)
		os.next_stats = now + (uint64_t)(a->opts.stats_interval * 1e9);
	agent_drop_window(a, now);
	if (a->opts.duration > 0)
		deadline = now + (uint64_t)(a->opts.duration * 1e9);
	while (!stop_signal) {
		int timeout = 100;

		if (next_retry) {
			now = clock_now(CLOCK_MONOTONIC);
			timeout = next_retry <= now
					  ? 0
					  : (int)((next_retry - now) / 1000000 + 1 < 100
							  ? (next_retry - now) / 1000000 + 1
							  : 100);
		}
		err = ring_buffer__poll(a->rb, timeout);
		/* records submitted with BPF_RB_NO_WAKEUP wake nobody: read them now */
		if (err == 0)
			err = ring_buffer__consume(a->rb);
		if (err == PIPELINE_YIELD) /* a long batch: the periodic work first, then more */
			err = 0;
		if (err < 0 && err != -EINTR) {
			pr_warn("ring buffer poll: %s", strerror(-err));
			break;
		}
		now = clock_now(CLOCK_MONOTONIC);
		next_retry = pipeline_tick(a->pipe, now);
		cli_agent_tick(a, now);
		output_tick(&a->out, now);
		if (output_broken(&a->out))
			break;
		if (output_take_recovery(&a->out, &rec))
			on_output_recovered(a, &rec);
		/* between two polls: no record sees half of a reload */
		if (hup_signal) {
			hup_signal = 0;
			on_hup(a);
		}
		if (now - last_socket_refresh > SOCKET_REFRESH_NS) {
			sockets_refresh(&a->cfg.sockets, loader_sockets_fd(&a->loader),
					a->opts.host_root);
			last_socket_refresh = now;
			/* file side (issue 14): new pods, rotated tokens, replaced binaries */
			credfiles_refresh(a->credfiles, now);
			config_resolve_host_exe(&a->cfg, a->opts.host_root);
		}
		agent_drop_window(a, now);
		agent_floods(a, now);
		if (os.next_stats && now >= os.next_stats) {
			agent_stats(a);
			os.next_stats += (uint64_t)(a->opts.stats_interval * 1e9);
			if (os.next_stats <= now) /* a stall: no burst of catch-up lines */
				os.next_stats = now + (uint64_t)(a->opts.stats_interval * 1e9);
		}
		metrics_poll(a->metrics, now, metrics_snapshot, a, CREDWATCH_VERSION);
		if (now >= os.next_status) {
			write_status(a, &os);
			os.next_status = now + STATUS_EVERY_NS;
		}
		if (deadline && now >= deadline)
			break;
	}
	/* no program runs any more: the kernel's repeat counts (cw_quiet) are final, and
	 * everything the kernel already queued is still reported */
	loader_detach(&a->loader);
	while (ring_buffer__consume(a->rb) == PIPELINE_YIELD)
		pipeline_tick(a->pipe, clock_now(CLOCK_MONOTONIC));
	pipeline_flush(a->pipe, clock_now(CLOCK_MONOTONIC));
	/* lines_written in the final agent_stats counts every line before it */
	output_flush(&a->out);
	agent_stats(a);
	cli_agent_done(a);
	output_close(&a->out);
	if (os.status_ok)
		status_remove(a->opts.status_file, os.status_dir_created);
	if (output_broken(&a->out)) {
		pr_warn("stopping: %s was closed by its reader (SIGPIPE/EPIPE); %llu lines did "
			"not reach it",
			a->out.owned ? a->out.path : "stdout",
			(unsigned long long)a->out.st.write_errors);
		return -EPIPE;
	}
	if (output_failed(&a->out)) {
		pr_warn("%llu lines did not reach the output %s (they are counted in "
			"drops.output_error)",
			(unsigned long long)a->out.st.write_errors,
			a->out.owned ? a->out.path : "stdout");
		return -EIO;
	}
	return 0;

stopped_early:
	pr_info("stopped by signal %d during start-up, before agent_ready", (int)stop_signal);
	return 0;
}

int main(int argc, char **argv)
{
	static struct agent a;
	struct sigaction sa = { .sa_handler = on_signal };
	char err[CONFIG_ERR_MAX];
	int rc;

	if (argc >= 2 && strcmp(argv[1], "health") == 0)
		return health_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "reload") == 0)
		return reload_main(argc - 1, argv + 1);

	/* Caches are allocated at their full bound up front and filled lazily:
	 * keep big allocations as mmap()s (untouched pages cost nothing) instead
	 * of letting glibc raise the threshold after libbpf frees the kernel's
	 * BTF and then zero-fill reused heap for them. */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	/* the commands that load nothing */
	if (argc >= 2 && strcmp(argv[1], "view") == 0)
		return cli_view(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "scan") == 0)
		return cli_scan(argc - 1, argv + 1);
	/* the agent (run, trace). No SA_RESTART: a signal ends the poll at once. Installed
	 * before anything else it does, so that a signal during start-up (a config file read,
	 * the loader, a socket glob) is honoured. */
	sigemptyset(&sa.sa_mask);
	hup_stops = argc >= 2 && strcmp(argv[1], "trace") == 0;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* a closed stdout is EPIPE from write(2), handled by the output (a clear message) */
	signal(SIGPIPE, SIG_IGN);
	a.started_mono_ns = clock_now(CLOCK_MONOTONIC);
	parse_args(&a, argc, argv);
	log_verbosity = a.opts.verbose ? LOG_DEBUG : LOG_INFO;
	config_defaults(&a.cfg);
	if (a.opts.config_path && config_load(&a.cfg, a.opts.config_path, err, sizeof(err))) {
		pr_warn("invalid configuration: %s", err);
		return EXIT_USAGE;
	}

	rc = run(&a); /* (trace's summary: cli_agent_done, in run before the output closes) */

	ring_buffer__free(a.rb);
	pipeline_free(a.pipe);
	if (a.json)
		a.json->ops->free(a.json);
	metrics_free(a.metrics);
	loader_destroy(&a.loader);
	procs_free(a.procs);
	attrib_free(a.attrib);
	credfiles_free(a.credfiles);
	peers_free(a.peers);
	cgroups_free(a.cgroups);
	output_close(&a.out);
	return rc ? 1 : 0;
}
