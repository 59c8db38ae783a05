// SPDX-License-Identifier: GPL-2.0
/*
 * The characterization scenario: a node with an IRSA pod, a Pod Identity pod (one container
 * skipped by the webhook), a plain pod, the hostNetwork aws-node pod, a pod with hostile
 * names, a pod whose metadata never appears, and host processes; and the kernel records their
 * credential access would produce, in order. Every value here is fixed: the output depends
 * only on the agent's code (and on device/inode numbers, which run.sh normalises).
 */
#include <stdio.h>
#include <string.h>
#include "golden.h"

#define ID(c)	c c c c c c c c /* 8 x 8 hex = 64 */

#define U_IRSA	"11111111-1111-4111-8111-111111111111"
#define U_PI	"22222222-2222-4222-8222-222222222222"
#define U_PLAIN "33333333-3333-4333-8333-333333333333"
#define U_NODE	"44444444-4444-4444-8444-444444444444"
#define U_EVIL	"55555555-5555-4555-8555-555555555555"
#define U_LATE	"66666666-6666-4666-8666-666666666666"

#define SA_VOL(suffix)                                                                \
	{                                                                             \
		"kube-api-access-" suffix, "token", "https://kubernetes.default.svc", \
			"/var/run/secrets/kubernetes.io/serviceaccount"               \
	}
#define PI_ENV                                                                                    \
	"AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.23/v1/credentials",                \
		"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/var/run/secrets/pods.eks.amazonaws.com/" \
		"serviceaccount/eks-pod-identity-token"

struct gpod golden_pods[] = {
	{ U_IRSA,
	  "payments",
	  "api-7d9f",
	  "api",
	  false,
	  4026532101u,
	  { SA_VOL("aaaaa"),
	    { "aws-iam-token", "token", "sts.amazonaws.com",
	      "/var/run/secrets/eks.amazonaws.com/serviceaccount" } },
	  { { ID("a0a0a0a0"), NULL, NULL, { NULL }, true, true, 101 },
	    { ID("a1a1a1a1"),
	      "app",
	      "111122223333.dkr.ecr.us-east-1.amazonaws.com/api:1.4",
	      { "AWS_ROLE_ARN=arn:aws:iam::111122223333:role/payments-api",
		"AWS_WEB_IDENTITY_TOKEN_FILE=/var/run/secrets/eks.amazonaws.com/serviceaccount/"
		"token",
		"AWS_REGION=us-east-1", "AWS_STS_REGIONAL_ENDPOINTS=regional", NULL },
	      false,
	      true,
	      102 } } },
	{ U_PI,
	  "web",
	  "front-1",
	  "front",
	  false,
	  4026532102u,
	  { SA_VOL("bbbbb"),
	    { "eks-pod-identity-token", "eks-pod-identity-token", "pods.eks.amazonaws.com",
	      "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount" } },
	  { { ID("b0b0b0b0"), NULL, NULL, { NULL }, true, true, 111 },
	    { ID("b1b1b1b1"),
	      "app",
	      "public.ecr.aws/web/front:2.0",
	      { PI_ENV, NULL },
	      false,
	      true,
	      112 },
	    /* skipped by the webhook (eks.amazonaws.com/skip-containers) */
	    { ID("b2b2b2b2"),
	      "log-shipper",
	      "public.ecr.aws/web/shipper:1.0",
	      { NULL },
	      false,
	      true,
	      113 } } },
	{ U_PLAIN,
	  "default",
	  "plain-1",
	  "default",
	  false,
	  4026532103u,
	  { SA_VOL("ccccc") },
	  { { ID("c0c0c0c0"), NULL, NULL, { NULL }, true, true, 121 },
	    { ID("c1c1c1c1"),
	      "app",
	      "docker.io/library/busybox:1.36",
	      { "AWS_ACCESS_KEY_ID=AKIAGOLDENKEYID00001",
		"AWS_SECRET_ACCESS_KEY=" GOLDEN_ENV_SECRET, NULL },
	      false,
	      true,
	      122 } } },
	{ U_NODE,
	  "kube-system",
	  "aws-node-x1z2",
	  "aws-node",
	  true,
	  GOLDEN_HOST_NETNS,
	  { SA_VOL("ddddd") },
	  { { ID("d0d0d0d0"), NULL, NULL, { NULL }, true, true, 131 },
	    { ID("d1d1d1d1"),
	      "aws-node",
	      "602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni:v1.18.0",
	      { NULL },
	      false,
	      true,
	      132 } } },
	{ U_EVIL,
	  "evil",
	  "hostile-1",
	  "default",
	  false,
	  4026532105u,
	  { SA_VOL("eeeee") },
	  { { ID("e0e0e0e0"), NULL, NULL, { NULL }, true, true, 141 },
	    { ID("e1e1e1e1"),
	      "app",
	      "evil.example/\\\"img\\\"\\n\\\\x\\u0007:1",
	      { NULL },
	      false,
	      true,
	      142 } } },
	{ U_LATE,
	  "default",
	  "late-1",
	  "late",
	  false,
	  4026532106u,
	  { SA_VOL("fffff") },
	  { { ID("f0f0f0f0"), NULL, NULL, { NULL }, true, true, 151 },
	    /* its config.json never appears: the event is held back, then written incomplete */
	    { ID("f1f1f1f1"), "app", "x", { NULL }, false, false, 152 } } },
	{ 0 },
};

uint32_t golden_sock_dev;
uint64_t golden_sock_ino;

/* ---------------------------------------------------------------------------------------- */
/* processes */

#define A(s)	 s, sizeof(s) - 1
#define EXE_EVIL "/tmp/evil\n\"x\xff\xfe.bin"

static const char long_args[] =
	"python3\0/app/sync.py\0--verbose\0--region\0us-east-1\0--bucket\0"
	"golden-bucket-with-a-rather-long-name-0123456789\0--prefix\0"
	"data/2026/11/30/part-0000000000000000000000000000000000000000000000000\0"
	"--filter\0aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\0"
	"--filter\0bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\0"
	"--filter\0cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc\0"
	"--filter\0dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd\0"
	"--token\0" GOLDEN_ARGV_SECRET "\0--out\0/tmp/out\0";

/* What the BPF side stores for a split argv: the first CW_ARGS_HEAD bytes, then the last
 * CW_ARGS_MAX - CW_ARGS_HEAD bytes (filled in by golden_procs_init) */
static char split_args[CW_ARGS_MAX];

struct gproc golden_procs[] = {
	{ 1, 0, 0x1001, 1000, 0, "systemd", "/usr/lib/systemd/systemd", 0, A("/sbin/init\0"),
	  true },
	{ 1001, 1, 0x1101, 2000, 0, "kubelet", "/usr/bin/kubelet", 0,
	  A("/usr/bin/kubelet\0--config=/etc/kubernetes/kubelet/config.json\0"), true, 0, true },
	{ 1102, 1, 0x1202, 3000, 0, "bash", "/usr/bin/bash", 0, A("-bash\0"), true },
	{ 1101, 1102, 0x1201, 3100, 0, "cat", "/usr/bin/cat", 0,
	  A("cat\0/var/lib/kubelet/pods/" U_PI "/volumes/kubernetes.io~projected/"
	    "eks-pod-identity-token/eks-pod-identity-token\0"),
	  true },
	{ 1201, 1, 0x1301, 4000, 0, "containerd-shim", "/usr/bin/containerd-shim-runc-v2", 0,
	  A("/usr/bin/containerd-shim-runc-v2\0-namespace\0k8s.io\0"), true },
	/* IRSA pod */
	{ 1999, 1201, 0x1999, 5000, 0, "pause", "/pause", 0, A("/pause\0"), false },
	{ 2000, 1999, 0x2000, 5100, 0, "sh", "/bin/sh", 0, A("/bin/sh\0-c\0sleep infinity\0"),
	  true },
	{ 2001, 2000, 0x2001, 5200, 0, "curl", "/usr/bin/curl", 0,
	  A("curl\0-s\0http://169.254.169.254/latest/meta-data/iam/security-credentials/"
	    "node-role\0"),
	  true },
	{ 2002, 2000, 0x2002, 5300, CW_F_ARGS_TRUNC | CW_F_ARGS_SPLIT, "python3",
	  "/usr/bin/python3.11", 0, split_args, CW_ARGS_MAX, true },
	/* IRSA pod: one process per way of shaping a request (folding keys on the executable) */
	{ 2010, 2000, 0x2010, 5400, 0, "split", "/usr/local/bin/split", 0, A("split\0"), true },
	{ 2011, 2000, 0x2011, 5410, 0, "bytewise", "/usr/local/bin/bytewise", 0, A("bytewise\0"),
	  true },
	{ 2012, 2000, 0x2012, 5420, 0, "pipelined", "/usr/local/bin/pipelined", 0, A("pipelined\0"),
	  true },
	{ 2013, 2000, 0x2013, 5430, 0, "retry", "/usr/local/bin/retry", 0, A("retry\0"), true },
	{ 2014, 2000, 0x2014, 5440, 0, "evasive", "/usr/local/bin/evasive", 0, A("evasive\0"),
	  true },
	{ 2015, 2000, 0x2015, 5450, 0, "held", "/usr/local/bin/held", 0, A("held\0"), true },
	{ 2016, 2000, 0x2016, 5460, 0, "natted", "/usr/local/bin/natted", 0, A("natted\0"), true },
	{ 2017, 2000, 0x2017, 5470, 0, "tlsclient", "/usr/local/bin/tlsclient", 0, A("tlsclient\0"),
	  true },
	/* Pod Identity pod */
	{ 2100, 1201, 0x2100, 6000, 0, "sh", "/bin/sh", 0, A("/bin/sh\0"), true },
	{ 2101, 2100, 0x2101, 6100, 0, "python3", "/usr/bin/python3.11", 0,
	  A("python3\0/app/main.py\0"), true },
	{ 2151, 2100, 0x2151, 6200, CW_F_FORKED, "aws", "/usr/local/bin/aws", 0, A("aws\0s3\0ls\0"),
	  true },
	/* plain pod */
	{ 2200, 1201, 0x2200, 7000, 0, "sh", "/bin/sh", 0, A("/bin/sh\0"), true },
	{ 2201, 2200, 0x2201, 7100, 0, "sh", "/bin/busybox", 0, A("sh\0-c\0cat /tmp/t\0"), true },
	{ 2202, 2200, 0x2202, 7200, 0, "curl", "/usr/bin/curl", 0,
	  A("curl\0-H\0X-aws-ec2-metadata-token: " GOLDEN_SESSION
	    "\0http://169.254.169.254/latest/meta-data/iam/security-credentials/\0"),
	  true },
	/* its image was replaced since the event (exec): not in the table any more */
	{ 2203, 2200, 0x2203, 7300, 0, "wget", "/bin/busybox", 0, A("wget\0"), false },
	/* started before the agent, not in the table: no exec id */
	{ 2204, 2200, 0, 7400, 0, "old", "/bin/old", 0, A("old\0"), false },
	/* aws-node */
	{ 2301, 1201, 0x2301, 8000, 0, "aws-k8s-agent", "/app/aws-k8s-agent", 0,
	  A("/app/aws-k8s-agent\0"), true },
	/* hostile pod: exe with a newline, a quote and invalid UTF-8, cut (EXE_TRUNC) */
	{ 2401, 1201, 0x2401, 9000, CW_F_EXE_TRUNC, "evil\n\"", EXE_EVIL, 0,
	  A("ev\"il\0a\nb\0\xff\xfe\0"), true },
	/* late pod */
	{ 2501, 1201, 0x2501, 9500, 0, "cat", "/bin/cat", 0, A("cat\0token\0"), true },
	/* file side (issue 14): a pod's own binary named like the kubelet (not the host's file) */
	{ 2601, 2200, 0x2601, 9600, 0, "kubelet", "/usr/local/bin/kubelet", 0, A("kubelet\0"),
	  true },
	/* a binary run from a memfd */
	{ 2602, 2200, 0x2602, 9700, CW_F_FILELESS | CW_F_MEMFD, "x", "memfd:x", 0, A("x\0"), true },
	/* a process of the plain pod that moved itself to the root cgroup */
	{ 2603, 2200, 0x2603, 9800, 0, "sh", "/bin/sh", 0, A("sh\0"), true, 122 },
	{ 0 },
};

static const struct gproc *proc(uint32_t pid)
{
	for (int i = 0; golden_procs[i].pid; i++)
		if (golden_procs[i].pid == pid)
			return &golden_procs[i];
	return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* records */

static const struct gsink *sink;
static uint64_t ts = GOLDEN_BOOT_NS;

static void hdr(struct cw_hdr *h, uint16_t type, uint16_t size)
{
	h->type = type;
	h->size = size;
	h->flags = 0;
	ts += 1000000; /* 1 ms between records */
	h->ts_boot_ns = ts;
}

static const struct gpod *pod_of(const char *uid)
{
	for (int i = 0; golden_pods[i].uid; i++)
		if (!strcmp(golden_pods[i].uid, uid))
			return &golden_pods[i];
	return NULL;
}

/* who: pid, in cgroup cgid and network namespace netns */
static void task(struct cw_task *t, uint32_t pid, uint64_t cgid, uint32_t netns)
{
	const struct gproc *p = proc(pid), *q;

	memset(t, 0, sizeof(*t));
	t->pid = t->tid = pid;
	t->ppid = p->ppid;
	t->uid = pid > 2000 ? 1000 : 0;
	t->gid = t->uid;
	t->netns_ino = netns;
	t->mntns_ino = netns ? netns + 100 : 4026531841u;
	t->cgroup_id = cgid;
	t->start_ns = p->start_ns;
	t->exec_id = p->exec_id;
	snprintf((char *)t->comm, sizeof(t->comm), "%s", p->comm);
	q = proc(p->ppid);
	for (int i = 0; i < CW_ANCESTORS && q; i++) {
		t->anc[i].pid = q->pid;
		t->anc[i].exec_id = q->exec_id;
		snprintf((char *)t->anc[i].comm, sizeof(t->anc[i].comm), "%s", q->comm);
		q = q->ppid ? proc(q->ppid) : NULL;
	}
}

/* a pod's container: (cgroup id, netns) */
static void in_pod(struct cw_task *t, uint32_t pid, const char *uid, int ctr)
{
	const struct gpod *p = pod_of(uid);

	task(t, pid, p->ctr[ctr].cgid, p->netns);
}

static void push(const void *rec, size_t size)
{
	sink->push(sink->ctx, rec, size);
}

static void cgroup_rec(uint16_t type, uint64_t id, const char *path, size_t len, uint32_t flags)
{
	struct cw_ev_cgroup ev = { 0 };

	hdr(&ev.hdr, type, sizeof(ev));
	ev.hdr.flags = flags;
	ev.id = id;
	ev.level = 1;
	for (size_t i = 0; i < len; i++)
		ev.level += path[i] == '/';
	ev.path_len = len;
	memcpy(ev.path, path, len);
	push(&ev, sizeof(ev));
}

static void cgroups(void)
{
	char p[600], longp[CW_CGPATH_MAX];

	/* the root cgroup (id 1): the agent's start-up scan records it; no tracepoint names it */
	cgroup_rec(CW_EV_CGROUP_MKDIR, 1, A("/"), 0);
	cgroup_rec(CW_EV_CGROUP_MKDIR, 50, A("/system.slice/kubelet.service"), 0);
	cgroup_rec(CW_EV_CGROUP_MKDIR, 51, A("/system.slice/containerd.service"), 0);
	/* a hostile host cgroup name */
	cgroup_rec(CW_EV_CGROUP_MKDIR, 52, A("/system.slice/evil\n\"\xff.service"), 0);
	/* a path longer than the record: cut, flagged */
	memset(longp, 'x', sizeof(longp));
	memcpy(longp, "/system.slice/", 14);
	cgroup_rec(CW_EV_CGROUP_MKDIR, 53, longp, sizeof(longp), CW_F_PATH_TRUNC);
	for (int i = 0; golden_pods[i].uid; i++)
		for (int j = 0; j < GOLDEN_MAXCTR && golden_pods[i].ctr[j].id; j++) {
			golden_cgroup_path(&golden_pods[i], &golden_pods[i].ctr[j], p, sizeof(p));
			cgroup_rec(CW_EV_CGROUP_MKDIR, golden_pods[i].ctr[j].cgid, p, strlen(p), 0);
		}
}

static void v4(uint8_t a[16], int b0, int b1, int b2, int b3)
{
	memset(a, 0, 16);
	a[10] = a[11] = 0xff;
	a[12] = b0;
	a[13] = b1;
	a[14] = b2;
	a[15] = b3;
}

/* A TCP connection's two byte streams, as the BPF side numbers them. */
struct gconn {
	uint64_t cookie;
	uint8_t kind;
	uint32_t seq[2]; /* next sequence number, [CW_HTTP_EGRESS], [CW_HTTP_INGRESS] */
};

static void segment(struct gconn *c, uint8_t dir, uint8_t flags, const char *data, size_t len)
{
	struct cw_ev_http ev = { 0 };
	size_t cap = len > CW_HTTP_CAP ? CW_HTTP_CAP : len;

	hdr(&ev.hdr, CW_EV_HTTP, 0);
	ev.sock_cookie = c->cookie;
	ev.seq = c->seq[dir];
	ev.seg_len = len;
	ev.cap_len = cap;
	ev.dir = dir;
	ev.kind = c->kind;
	ev.tcp_flags = flags;
	memcpy(ev.data, data, cap);
	c->seq[dir] += len + ((flags & (CW_TCP_SYN | CW_TCP_FIN)) ? 1 : 0);
	/* sent as the BPF side does: up to the end of the captured bytes */
	ev.hdr.size = CW_EV_HTTP_MIN + cap;
	push(&ev, CW_EV_HTTP_MIN + cap);
}

static void connect_rec(const struct cw_task *t, uint64_t cookie, const uint8_t addr[16],
			uint8_t family, uint8_t proto, uint8_t kind, uint32_t flags,
			const uint8_t conn_addr[16], uint16_t conn_port)
{
	struct cw_ev_endpoint ev = { 0 };

	hdr(&ev.hdr, CW_EV_ENDPOINT_CONNECT, sizeof(ev));
	ev.hdr.flags = flags;
	ev.task = *t;
	ev.sock_cookie = cookie;
	memcpy(ev.addr, addr, 16);
	ev.port = 80;
	ev.family = family;
	ev.protocol = proto;
	ev.kind = kind;
	memcpy(ev.conn_addr, conn_addr ? conn_addr : addr, 16);
	ev.conn_port = conn_addr ? conn_port : 80;
	push(&ev, sizeof(ev));
}

/* connect, SYN and SYN-ACK */
static void open_conn(struct gconn *c, const struct cw_task *t, uint64_t cookie, uint8_t kind)
{
	uint8_t a[16];

	if (kind == CW_EP_POD_IDENTITY_AGENT)
		v4(a, 169, 254, 170, 23);
	else if (kind == CW_EP_CONTAINER_CREDENTIALS)
		v4(a, 169, 254, 170, 2);
	else
		v4(a, 169, 254, 169, 254);
	c->cookie = cookie;
	c->kind = kind;
	c->seq[CW_HTTP_EGRESS] = (uint32_t)(cookie * 7919u); /* any ISN; one near the wrap too */
	c->seq[CW_HTTP_INGRESS] = 0xfffffff0u - (uint32_t)cookie;
	connect_rec(t, cookie, a, 2, 6, kind, 0, NULL, 0);
	segment(c, CW_HTTP_EGRESS, CW_TCP_SYN, "", 0);
	segment(c, CW_HTTP_INGRESS, CW_TCP_SYN, "", 0);
}

static void close_conn(struct gconn *c)
{
	segment(c, CW_HTTP_EGRESS, CW_TCP_FIN, "", 0);
	segment(c, CW_HTTP_INGRESS, CW_TCP_FIN, "", 0);
}

#define SEND(c, s) segment(c, CW_HTTP_EGRESS, 0, A(s))
#define RECV(c, s) segment(c, CW_HTTP_INGRESS, 0, A(s))

/* response bodies (the secrets in them are planted: run.sh greps for them) */
#define CREDS_BODY                                                                            \
	"{\n  \"Code\" : \"Success\",\n  \"LastUpdated\" : \"2026-11-30T00:00:00Z\",\n  "     \
	"\"Type\" : \"AWS-HMAC\",\n  \"AccessKeyId\" : \"ASIAGOLDENNODE000001\",\n  "         \
	"\"SecretAccessKey\" : \"" GOLDEN_SECRET_KEY "\",\n  \"Token\" : \"" GOLDEN_STS_TOKEN \
	"\",\n  \"Expiration\" : \"2026-11-30T06:00:00Z\"\n}"
static void resp_body(struct gconn *c, int status, const char *body)
{
	char buf[2048];
	int n = snprintf(buf, sizeof(buf),
			 "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
			 "Server: EC2ws\r\n\r\n%s",
			 status,
			 status == 200	 ? "OK"
			 : status == 401 ? "Unauthorized"
					 : "Forbidden",
			 strlen(body), body);

	segment(c, CW_HTTP_INGRESS, 0, buf, (size_t)n);
}

static void file_rec(const struct cw_task *t, uint8_t rule, uint8_t sys, int32_t result,
		     const char *path, size_t plen, const char *req, size_t rlen,
		     const struct gvol *v, uint32_t fs_magic, uint32_t flags, uint32_t hflags)
{
	struct cw_ev_file ev = { 0 };
	size_t size;

	hdr(&ev.hdr, CW_EV_FILE_OPEN, 0);
	ev.hdr.flags = hflags;
	ev.task = *t;
	ev.rule = rule;
	ev.syscall = sys;
	ev.result = result;
	ev.flags = flags;
	if (!result) {
		ev.dev = v ? v->dev : (0 << 20 | 99);
		ev.ino = v ? v->ino : 424242;
		ev.fs_magic = fs_magic;
		ev.mode = 0100644;
		ev.nlink = 1;
	}
	ev.req_len = rlen;
	memcpy(ev.req, req, rlen);
	ev.path_len = plen;
	memcpy(ev.path, path, plen);
	/* sent as the BPF side does: up to the end of the path */
	size = CW_EV_FILE_MIN + plen;
	ev.hdr.size = size;
	push(&ev, size);
}

#define TMPFS	  0x01021994
#define OVERLAY	  0x794c7630
#define RDONLY	  0x8000 /* O_RDONLY | O_LARGEFILE */
#define S(x)	  x, strlen(x)
#define VOL(p, i) (&pod_of(p)->vol[i])

static void host_path(char *out, size_t cap, const char *uid, const char *vol, const char *leaf)
{
	snprintf(out, cap, "/var/lib/kubelet/pods/%s/volumes/kubernetes.io~projected/%s/%s/%s", uid,
		 vol, GOLDEN_TSDIR, leaf);
}

static void sock_rec(const struct cw_task *t, int32_t result, bool resolved, uint32_t kind,
		     const char *path, const char *req, uint8_t sys)
{
	struct cw_ev_sock ev = { 0 };

	hdr(&ev.hdr, CW_EV_SOCKET_CONNECT, sizeof(ev));
	ev.task = *t;
	ev.result = result;
	ev.resolved = resolved;
	ev.kind = kind;
	ev.sock_type = 1;
	ev.syscall = sys;
	if (resolved) {
		ev.dev = golden_sock_dev;
		ev.ino = golden_sock_ino;
	}
	ev.path_len = strlen(path);
	memcpy(ev.path, path, ev.path_len);
	ev.req_len = strlen(req);
	memcpy(ev.req, req, ev.req_len);
	ev.abstract = !ev.req_len;
	push(&ev, sizeof(ev));
}

static void network(void)
{
	struct cw_task t;
	struct gconn c;
	uint8_t a[16], nat[16];
	char byte[2] = { 0 };
	static const char one_by_one[] =
		"GET /latest/meta-data/iam/security-credentials/node-role HTTP/1.1\r\n"
		"Host: 169.254.169.254\r\nUser-Agent: python-requests/2.31.0\r\n\r\n";

	/* 1. an IRSA pod takes the node role's credentials from IMDS (v1), five times: one
	 * event with its findings, four repeats folded into one finding_summary */
	in_pod(&t, 2001, U_IRSA, 1);
	for (uint64_t k = 1001; k <= 1005; k++) {
		open_conn(&c, &t, k, CW_EP_IMDS);
		SEND(&c, "GET /latest/meta-data/iam/security-credentials/node-role HTTP/1.1\r\n"
			 "Host: 169.254.169.254\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n");
		resp_body(&c, 200, CREDS_BODY);
		close_conn(&c);
	}
	/* 2. the Pod Identity pod's app, through the agent, with an SDK too old for it */
	in_pod(&t, 2101, U_PI, 1);
	open_conn(&c, &t, 2001, CW_EP_POD_IDENTITY_AGENT);
	SEND(&c, "GET /v1/credentials HTTP/1.1\r\nHost: 169.254.170.23\r\n"
		 "Accept-Encoding: identity\r\nAuthorization: " GOLDEN_AUTH "\r\n"
		 "User-Agent: Botocore/1.29.27 Python/3.11.2 Linux/6.1.0-28-cloud-amd64\r\n\r\n");
	/* the agent (Go) answers chunked, the document split across chunks and segments */
	{
		static const char c1[] = "{\"AccessKeyId\":\"";
		static const char c2[] =
			"ASIAGOLDENPODID00001\",\"SecretAccessKey\":\"" GOLDEN_SECRET_KEY
			"\",\"Token\":\"" GOLDEN_STS_TOKEN "\",\"AccountId\":\"111122223333\","
			"\"Expiration\":\"2026-11-30T06:00:00Z\"}";
		char buf[1024];
		int n;

		n = snprintf(buf, sizeof(buf),
			     "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
			     "Transfer-Encoding: chunked\r\n\r\n%zx\r\n%s\r\n",
			     sizeof(c1) - 1, c1);
		segment(&c, CW_HTTP_INGRESS, 0, buf, (size_t)n);
		n = snprintf(buf, sizeof(buf), "%zx\r\n%s\r\n0\r\n\r\n", sizeof(c2) - 1, c2);
		segment(&c, CW_HTTP_INGRESS, 0, buf, (size_t)n);
	}
	close_conn(&c);
	/* 3. its skipped sidecar takes node credentials with IMDSv2 (PUT, then GET, one
	 * connection) */
	in_pod(&t, 2151, U_PI, 2);
	open_conn(&c, &t, 2002, CW_EP_IMDS);
	SEND(&c,
	     "PUT /latest/api/token HTTP/1.1\r\nHost: 169.254.169.254\r\n"
	     "X-aws-ec2-metadata-token-ttl-seconds: 21600\r\n"
	     "User-Agent: aws-cli/2.9.19 Python/3.11.2 Linux/6.1 source/x86_64.debian.12\r\n\r\n");
	resp_body(&c, 200, GOLDEN_SESSION); /* the PUT's answer is the session token itself */
	SEND(&c,
	     "GET /latest/meta-data/iam/security-credentials/ HTTP/1.1\r\nHost: 169.254.169.254\r\n"
	     "X-aws-ec2-metadata-token: " GOLDEN_SESSION "\r\n"
	     "User-Agent: aws-cli/2.9.19 Python/3.11.2 Linux/6.1 source/x86_64.debian.12\r\n\r\n");
	resp_body(&c, 200, "node-role");
	close_conn(&c);
	/* 4. the plain pod calls the agent without an association: 403 */
	in_pod(&t, 2202, U_PLAIN, 1);
	open_conn(&c, &t, 3001, CW_EP_POD_IDENTITY_AGENT);
	SEND(&c, "GET /v1/credentials HTTP/1.1\r\nHost: 169.254.170.23\r\nUser-Agent: "
		 "curl/7.88.1\r\n\r\n");
	RECV(&c, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
	close_conn(&c);
	/* 5. ... and IMDS, with no answer (hop limit): timed out, blocked */
	open_conn(&c, &t, 3002, CW_EP_IMDS);
	SEND(&c,
	     "GET /latest/meta-data/iam/security-credentials/ HTTP/1.1\r\nHost: 169.254.169.254\r\n"
	     "X-aws-ec2-metadata-token: " GOLDEN_SESSION "\r\n\r\n");
	sink->advance(sink->ctx, 2000000000ULL);
	/* 6. aws-node (hostNetwork, allowlisted) takes the node role with IMDSv2 */
	in_pod(&t, 2301, U_NODE, 1);
	open_conn(&c, &t, 4001, CW_EP_IMDS);
	SEND(&c, "PUT /latest/api/token HTTP/1.1\r\nHost: 169.254.169.254\r\n"
		 "x-aws-ec2-metadata-token-ttl-seconds: 21600\r\nUser-Agent: "
		 "aws-sdk-go/1.55.5\r\n\r\n");
	resp_body(&c, 200, GOLDEN_SESSION);
	SEND(&c, "GET /latest/meta-data/iam/security-credentials/node-role HTTP/1.1\r\n"
		 "Host: 169.254.169.254\r\nx-aws-ec2-metadata-token: " GOLDEN_SESSION
		 "\r\nUser-Agent: aws-sdk-go/1.55.5 (go1.22.5; linux; amd64)\r\n\r\n");
	resp_body(&c, 200, CREDS_BODY);
	close_conn(&c);
	/* 7. the kubelet asks IMDSv1 for its instance id */
	task(&t, 1001, 50, GOLDEN_HOST_NETNS);
	open_conn(&c, &t, 5001, CW_EP_IMDS);
	SEND(&c, "GET /latest/meta-data/instance-id HTTP/1.1\r\nHost: 169.254.169.254\r\n"
		 "User-Agent: kubelet/v1.31.0\r\n\r\n");
	resp_body(&c, 200, "i-0123456789abcdef0");
	close_conn(&c);
	/* 8. a request split over three segments, inside the path and inside the IMDSv2 header
	 * name: one request, v2, the whole path */
	in_pod(&t, 2010, U_IRSA, 1);
	open_conn(&c, &t, 1006, CW_EP_IMDS);
	SEND(&c, "GET /latest/meta-da");
	SEND(&c, "ta/iam/security-credentials/node-role HTTP/1.1\r\nHost: "
		 "169.254.169.254\r\nX-aws-ec2-meta");
	SEND(&c, "data-token: " GOLDEN_SESSION "\r\n\r\n");
	resp_body(&c, 200, CREDS_BODY);
	close_conn(&c);
	/* 9. byte by byte */
	in_pod(&t, 2011, U_IRSA, 1);
	open_conn(&c, &t, 1007, CW_EP_IMDS);
	for (size_t i = 0; i < sizeof(one_by_one) - 1; i++) {
		byte[0] = one_by_one[i];
		segment(&c, CW_HTTP_EGRESS, 0, byte, 1);
	}
	resp_body(&c, 200, CREDS_BODY);
	close_conn(&c);
	/* 10. empty lines first, then two pipelined requests in one segment; the answers are
	 * paired by position, and a retransmission of the first segment is not a new request */
	in_pod(&t, 2012, U_IRSA, 1);
	open_conn(&c, &t, 1008, CW_EP_IMDS);
	{
		static const char two[] =
			"\r\n\r\nGET /latest/meta-data/instance-id HTTP/1.1\r\nHost: "
			"169.254.169.254\r\n\r\n"
			"GET //latest/./meta-data/iam/security-credentials/%6eode-role HTTP/1.1\r\n"
			"Host: 169.254.169.254\r\n\r\n";

		segment(&c, CW_HTTP_EGRESS, 0, two, sizeof(two) - 1);
		c.seq[CW_HTTP_EGRESS] -= sizeof(two) - 1; /* the same bytes again */
		segment(&c, CW_HTTP_EGRESS, 0, two, sizeof(two) - 1);
	}
	resp_body(&c, 200, "i-0123456789abcdef0");
	resp_body(&c, 200, CREDS_BODY);
	close_conn(&c);
	/* 11. a first request answered 401, then a credential request answered 200: each gets
	 * its own answer */
	in_pod(&t, 2013, U_IRSA, 1);
	open_conn(&c, &t, 1009, CW_EP_IMDS);
	SEND(&c, "GET /latest/meta-data/ HTTP/1.1\r\nHost: 169.254.169.254\r\n\r\n");
	RECV(&c, "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n");
	SEND(&c, "GET /latest/meta-data/iam/security-credentials/node-role HTTP/1.1\r\n"
		 "Host: 169.254.169.254\r\nX-aws-ec2-metadata-token: " GOLDEN_SESSION "\r\n\r\n");
	resp_body(&c, 200, CREDS_BODY);
	close_conn(&c);
	/* 12. segments of a connection never seen to connect */
	c.cookie = 9999;
	SEND(&c, "GET /latest/meta-data/ HTTP/1.1\r\nHost: 169.254.169.254\r\n\r\n");
	/* 13. not HTTP on a watched connection, and TLS */
	in_pod(&t, 2201, U_PLAIN, 1);
	open_conn(&c, &t, 3003, CW_EP_IMDS);
	SEND(&c, "HELLO there\r\n\r\n");
	close_conn(&c);
	in_pod(&t, 2017, U_IRSA, 1);
	open_conn(&c, &t, 3008, CW_EP_IMDS);
	segment(&c, CW_HTTP_EGRESS, 0, "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
	close_conn(&c);
	/* 14. a request the classifier does not know as a credential fetch, answered with
	 * credentials: the answer decides */
	in_pod(&t, 2014, U_IRSA, 1);
	open_conn(&c, &t, 1010, CW_EP_IMDS);
	SEND(&c, "GET /latest/meta-data/iam/info HTTP/1.1\r\nHost: 169.254.169.254\r\n\r\n");
	resp_body(&c, 200, CREDS_BODY);
	close_conn(&c);
	/* 15. a connection held open from before the agent started, found by the iterator: its
	 * first bytes are the end of a request the agent never saw; then a whole one */
	in_pod(&t, 2015, U_IRSA, 1);
	c.cookie = 1011;
	c.kind = CW_EP_IMDS;
	c.seq[0] = 5000;
	c.seq[1] = 9000;
	v4(a, 169, 254, 169, 254);
	connect_rec(&t, 1011, a, 2, 6, CW_EP_IMDS, CW_F_FOUND_AT_START, NULL, 0);
	SEND(&c, "ntials/node-role HTTP/1.1\r\nHost: 169.254.169.254\r\n\r\n");
	resp_body(&c, 200, CREDS_BODY); /* its answer: credentials, request unseen */
	SEND(&c, "GET /latest/meta-data/iam/security-credentials/node-role HTTP/1.1\r\n"
		 "Host: 169.254.169.254\r\n\r\n");
	resp_body(&c, 200, CREDS_BODY);
	close_conn(&c);
	/* 16. through NAT: the pod connected to 10.99.99.99:8080, a DNAT rule in its network
	 * namespace sent the packets to IMDS (found by the egress hook) */
	in_pod(&t, 2016, U_IRSA, 1);
	c.cookie = 1012;
	c.seq[0] = 100;
	c.seq[1] = 200;
	v4(nat, 10, 99, 99, 99);
	connect_rec(&t, 1012, a, 2, 6, CW_EP_IMDS, CW_F_VIA_NAT, nat, 8080);
	segment(&c, CW_HTTP_EGRESS, CW_TCP_SYN, "", 0);
	segment(&c, CW_HTTP_INGRESS, CW_TCP_SYN, "", 0);
	SEND(&c, "GET /latest/meta-data/iam/security-credentials/node-role HTTP/1.1\r\n"
		 "Host: 10.99.99.99:8080\r\n\r\n");
	resp_body(&c, 200, CREDS_BODY);
	close_conn(&c);
	/* 17. UDP to IMDS: a connect only */
	in_pod(&t, 2201, U_PLAIN, 1);
	connect_rec(&t, 3004, a, 2, 17, CW_EP_IMDS, 0, NULL, 0);
	/* 18. IPv6 IMDS and IPv4-mapped IMDS through AF_INET6 sockets */
	memset(a, 0, 16);
	a[0] = 0xfd;
	a[2] = 0x0e;
	a[3] = 0xc2;
	a[14] = 0x02;
	a[15] = 0x54;
	connect_rec(&t, 3005, a, 10, 6, CW_EP_IMDS, 0, NULL, 0);
	v4(a, 169, 254, 169, 254);
	connect_rec(&t, 3006, a, 10, 6, CW_EP_IMDS, 0, NULL, 0);
	/* 19. ECS-style container credentials */
	open_conn(&c, &t, 3007, CW_EP_CONTAINER_CREDENTIALS);
	SEND(&c, "GET /v2/credentials/0a1b2c3d HTTP/1.1\r\nHost: 169.254.170.2\r\n\r\n");
	RECV(&c, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
	close_conn(&c);
}

static void files(void)
{
	char p[600], r[300];
	struct cw_task t;

	/* 14. the IRSA app reads its own token (audit) */
	in_pod(&t, 2001, U_IRSA, 1);
	file_rec(&t, CW_FR_PROJECTED_TOKEN, CW_SYS_OPENAT, 0,
		 S("/var/run/secrets/eks.amazonaws.com/serviceaccount/" GOLDEN_TSDIR "/token"),
		 S("/var/run/secrets/eks.amazonaws.com/serviceaccount/token"), VOL(U_IRSA, 1),
		 TMPFS, RDONLY, 0);
	/* ... and again through io_uring */
	file_rec(&t, CW_FR_PROJECTED_TOKEN, CW_SYS_IO_URING, 0,
		 S("/var/run/secrets/eks.amazonaws.com/serviceaccount/" GOLDEN_TSDIR "/token"), "",
		 0, VOL(U_IRSA, 1), TMPFS, RDONLY, 0);
	/* 15. the plain pod reads the IRSA pod's token through the host's kubelet path */
	in_pod(&t, 2201, U_PLAIN, 1);
	host_path(p, sizeof(p), U_IRSA, "aws-iam-token", "token");
	snprintf(r, sizeof(r),
		 "/proc/1/root/var/lib/kubelet/pods/%s/volumes/"
		 "kubernetes.io~projected/aws-iam-token/token",
		 U_IRSA);
	file_rec(&t, CW_FR_PROJECTED_TOKEN, CW_SYS_OPENAT, 0, S(p), S(r), VOL(U_IRSA, 1), TMPFS,
		 RDONLY, 0);
	/* 16. the kubelet reads the Pod Identity token (allowlisted), cat does too (finding) */
	host_path(p, sizeof(p), U_PI, "eks-pod-identity-token", "eks-pod-identity-token");
	task(&t, 1001, 50, GOLDEN_HOST_NETNS);
	file_rec(&t, CW_FR_PROJECTED_TOKEN, CW_SYS_OPENAT, 0, S(p), S(p), VOL(U_PI, 1), TMPFS,
		 RDONLY, 0);
	task(&t, 1101, 1, GOLDEN_HOST_NETNS);
	file_rec(&t, CW_FR_PROJECTED_TOKEN, CW_SYS_OPENAT, 0, S(p), S(p), VOL(U_PI, 1), TMPFS,
		 RDONLY, 0);
	/* 17. the plain pod reads static credentials */
	in_pod(&t, 2201, U_PLAIN, 1);
	file_rec(&t, CW_FR_AWS_CREDENTIALS, CW_SYS_OPENAT, 0, S("/root/.aws/credentials"),
		 S("/root/.aws/credentials"), NULL, OVERLAY, RDONLY, 0);
	/* 18. an SDK looks for ~/.aws/config that is not there */
	in_pod(&t, 2101, U_PI, 1);
	file_rec(&t, CW_FR_PATH_HINT, CW_SYS_OPENAT, -2, "", 0, S("/root/.aws/config"), NULL, 0,
		 RDONLY, 0);
	/* 19. a failed open whose path only looks like a token: discarded by the agent */
	in_pod(&t, 2201, U_PLAIN, 1);
	file_rec(&t, CW_FR_PATH_HINT, CW_SYS_OPENAT, -2, "", 0, S("/tmp/x/token"), NULL, 0, RDONLY,
		 0);
	/* 20. hostile names: a path with a newline, a quote and invalid UTF-8 */
	in_pod(&t, 2401, U_EVIL, 1);
	file_rec(&t, CW_FR_AWS_CREDENTIALS, CW_SYS_OPEN, 0, S("/home/u\n\"\xff\\/.aws/credentials"),
		 S("../u\n\"\xff\\/.aws/credentials"), NULL, OVERLAY, RDONLY, 0);
	/* 21. a pod whose container metadata never appears (held back, then written) */
	in_pod(&t, 2501, U_LATE, 1);
	file_rec(&t, CW_FR_PROJECTED_TOKEN, CW_SYS_OPENAT, 0,
		 S("/var/run/secrets/kubernetes.io/serviceaccount/" GOLDEN_TSDIR "/token"),
		 S("token"), VOL(U_LATE, 0), TMPFS, RDONLY, 0);
	/* 22. the skipped sidecar reads its own service-account token (audit) */
	in_pod(&t, 2151, U_PI, 2);
	file_rec(&t, CW_FR_PROJECTED_TOKEN, CW_SYS_OPENAT2, 0,
		 S("/var/run/secrets/kubernetes.io/serviceaccount/" GOLDEN_TSDIR "/token"),
		 S("/var/run/secrets/kubernetes.io/serviceaccount/token"), VOL(U_PI, 0), TMPFS,
		 RDONLY, 0);
	/* 23. a path longer than the walk: cut and flagged */
	in_pod(&t, 2201, U_PLAIN, 1);
	memset(p, 'd', CW_PATH_MAX);
	p[0] = '/';
	memcpy(p + CW_PATH_MAX - 12, "/.aws/config", 12);
	file_rec(&t, CW_FR_AWS_CONFIG, CW_SYS_OPENAT, 0, p, CW_PATH_MAX, "", 0, NULL, OVERLAY,
		 RDONLY, CW_F_PATH_TRUNC);
	/* 24. a cgroup the agent has never heard of */
	task(&t, 2201, 777777, 4026532103u);
	file_rec(&t, CW_FR_AWS_CONFIG, CW_SYS_OPENAT, 0, S("/root/.aws/config"), S(".aws/config"),
		 NULL, OVERLAY, RDONLY, 0);
	/* 25. a process whose image was replaced since the event, and one older than the agent */
	in_pod(&t, 2203, U_PLAIN, 1);
	file_rec(&t, CW_FR_AWS_CONFIG, CW_SYS_OPENAT, 0, S("/root/.aws/config"), S("config"), NULL,
		 OVERLAY, RDONLY, 0);
	in_pod(&t, 2204, U_PLAIN, 1);
	file_rec(&t, CW_FR_AWS_CONFIG, CW_SYS_OPENAT, 0, S("/root/.aws/config"), S("config"), NULL,
		 OVERLAY, RDONLY, 0);
	/* 26. a host process in a hostile-named cgroup reads kubelet credentials */
	task(&t, 1101, 52, GOLDEN_HOST_NETNS);
	file_rec(&t, CW_FR_KUBELET, CW_SYS_OPENAT, 0, S("/var/lib/kubelet/kubeconfig"),
		 S("/var/lib/kubelet/kubeconfig"), NULL, 0xef53, RDONLY, 0);
	/* the argv of a long command line: head, marker, tail (the secret redacted) */
	in_pod(&t, 2002, U_IRSA, 1);
	file_rec(&t, CW_FR_AWS_SSO_CACHE, CW_SYS_OPENAT, 0,
		 S("/root/.aws/sso/cache/0123456789abcdef0123456789abcdef01234567.json"), "", 0,
		 NULL, OVERLAY, RDONLY, 0);
}

static void sockets(void)
{
	struct cw_task t;

	/* 27. the plain pod connects to the container runtime's socket */
	in_pod(&t, 2201, U_PLAIN, 1);
	sock_rec(&t, 0, true, 1, "/run/containerd/containerd.sock",
		 "/run/containerd/containerd.sock", CW_SYS_CONNECT);
	/* 28. ... tries CRI-O's, refused; and an unwatched socket (discarded) */
	sock_rec(&t, -111, false, 0, "", "/run/crio/crio.sock", CW_SYS_CONNECT);
	sock_rec(&t, -111, false, 0, "", "/tmp/other.sock", CW_SYS_CONNECT);
	/* 29. io_uring connect to docker's socket, denied */
	in_pod(&t, 2001, U_IRSA, 1);
	sock_rec(&t, -13, false, 0, "", "/var/run/docker.sock", CW_SYS_IO_URING);
	/* 30. the runtime's shim (host) */
	task(&t, 1201, 51, GOLDEN_HOST_NETNS);
	sock_rec(&t, 0, true, 1, "/run/containerd/containerd.sock",
		 "/run/containerd/containerd.sock", CW_SYS_CONNECT);
}

/* a cgroup move (file side, issue 14) */
static void attach_rec(const struct cw_task *t, uint32_t moved, uint64_t from, uint64_t to,
		       uint8_t how)
{
	struct cw_ev_attach ev = { 0 };

	hdr(&ev.hdr, CW_EV_CGROUP_ATTACH, sizeof(ev));
	ev.task = *t;
	ev.from_cgid = from;
	ev.to_cgid = to;
	ev.moved_pid = moved;
	ev.how = how;
	push(&ev, sizeof(ev));
}

static void file_side(void)
{
	struct cw_task t;
	char p[600];

	host_path(p, sizeof(p), U_PI, "eks-pod-identity-token", "eks-pod-identity-token");
	/* 34. a pod process in the root cgroup running its own "kubelet" (another inode, its
	 * own mount namespace): not the allowlisted kubelet */
	task(&t, 2601, 1, 4026532103u);
	file_rec(&t, CW_FR_PROJECTED_TOKEN, CW_SYS_OPENAT, 0, S(p), S(p), VOL(U_PI, 1), TMPFS,
		 RDONLY, 0);
	/* 35. a binary run from a memfd reads its pod's service-account token */
	in_pod(&t, 2602, U_PLAIN, 1);
	file_rec(&t, CW_FR_PROJECTED_TOKEN, CW_SYS_OPENAT, 0,
		 S("/var/run/secrets/kubernetes.io/serviceaccount/" GOLDEN_TSDIR "/token"),
		 S("/var/run/secrets/kubernetes.io/serviceaccount/token"), VOL(U_PLAIN, 0), TMPFS,
		 RDONLY, 0);
	/* 36. every entry point named: open_by_handle_at, a compat open, an io_uring open into a
	 * fixed-file slot, and one whose file could not be looked at */
	in_pod(&t, 2201, U_PLAIN, 1);
	file_rec(&t, CW_FR_AWS_CREDENTIALS, CW_SYS_OPEN_BY_HANDLE_AT, 0,
		 S("/home/a/.aws/credentials"), "", 0, NULL, OVERLAY, RDONLY, 0);
	file_rec(&t, CW_FR_AWS_CREDENTIALS, CW_SYS_OPEN, 0, S("/home/b/.aws/credentials"),
		 S("/home/b/.aws/credentials"), NULL, OVERLAY, RDONLY, CW_F_COMPAT);
	file_rec(&t, CW_FR_AWS_CREDENTIALS, CW_SYS_IO_URING, 0, S("/home/c/.aws/credentials"), "",
		 0, NULL, OVERLAY, RDONLY, CW_F_URING_FIXED);
	file_rec(&t, CW_FR_UNSEEN, CW_SYS_IO_URING, 0, "", 0, "", 0, NULL, 0, 0, CW_F_URING_FIXED);
	/* 37. a file no name rule knows, known by its inode (AWS_SHARED_CREDENTIALS_FILE) */
	{
		struct cw_ev_file ev = { 0 };
		const char *path = "/etc/aws/credentials";
		size_t size = CW_EV_FILE_MIN + strlen(path);

		hdr(&ev.hdr, CW_EV_FILE_OPEN, size);
		ev.task = t;
		ev.rule = CW_FR_KNOWN;
		ev.known = CW_CK_AWS_CREDENTIALS;
		ev.syscall = CW_SYS_OPENAT;
		ev.flags = RDONLY;
		ev.dev = 0 << 20 | 99;
		ev.ino = 424243;
		ev.fs_magic = OVERLAY;
		ev.mode = 0100600;
		ev.nlink = 1;
		ev.path_len = strlen(path);
		memcpy(ev.path, path, ev.path_len);
		ev.req_len = ev.path_len;
		memcpy(ev.req, path, ev.req_len);
		push(&ev, size);
	}
	/* 38. an SDK's two probes are audit; a third distinct location is reconnaissance */
	in_pod(&t, 2101, U_PI, 1);
	file_rec(&t, CW_FR_PATH_HINT, CW_SYS_OPENAT, -2, "", 0, S("/root/.aws/credentials"), NULL,
		 0, RDONLY, 0);
	file_rec(&t, CW_FR_PATH_HINT, CW_SYS_OPENAT, -2, "", 0, S("/root/.aws/config"), NULL, 0,
		 RDONLY, 0);
	file_rec(&t, CW_FR_PATH_HINT, CW_SYS_OPENAT, -13, "", 0, S("/home/admin/.aws/credentials"),
		 NULL, 0, RDONLY, 0);
	/* 39. a plain pod's process moves itself to the root cgroup; then reads a token there:
	 * still the plain pod's */
	task(&t, 2603, 1, 4026532103u);
	t.flags = CW_TF_LEFT_POD;
	attach_rec(&t, 2603, pod_of(U_PLAIN)->ctr[1].cgid, 1, CW_MOVE_ATTACH);
	file_rec(&t, CW_FR_PROJECTED_TOKEN, CW_SYS_OPENAT, 0, S(p), S(p), VOL(U_PI, 1), TMPFS,
		 RDONLY, 0);
	/* 40. moves that are not escapes: into a pod from the host (the runtime), within one */
	task(&t, 1201, 51, GOLDEN_HOST_NETNS);
	attach_rec(&t, 2603, 51, pod_of(U_PLAIN)->ctr[1].cgid, CW_MOVE_ATTACH);
	in_pod(&t, 2151, U_PI, 2);
	attach_rec(&t, 2151, pod_of(U_PI)->ctr[1].cgid, pod_of(U_PI)->ctr[2].cgid, CW_MOVE_CLONE);
}

static void misc(void)
{
	struct cw_hdr bad = { 0 };
	struct cw_ev_endpoint short_ep = { 0 };
	struct cw_task t;
	char p[600];

	/* 31. records the agent cannot use */
	hdr(&bad, 99, sizeof(bad));
	push(&bad, sizeof(bad));
	hdr(&short_ep.hdr, CW_EV_ENDPOINT_CONNECT, sizeof(short_ep) - 8);
	push(&short_ep, sizeof(short_ep) - 8);
	/* 32. the plain pod's container cgroup is removed; a late event from it */
	golden_cgroup_path(pod_of(U_PLAIN), &pod_of(U_PLAIN)->ctr[1], p, sizeof(p));
	cgroup_rec(CW_EV_CGROUP_RMDIR, pod_of(U_PLAIN)->ctr[1].cgid, p, strlen(p), 0);
	in_pod(&t, 2201, U_PLAIN, 1);
	file_rec(&t, CW_FR_AWS_CLI_CACHE, CW_SYS_OPENAT, 0,
		 S("/root/.aws/cli/cache/89abcdef0123456789abcdef0123456789abcdef.json"), "", 0,
		 NULL, OVERLAY, RDONLY, 0);
	/* 33. the agent idles: the held-back event's time is up */
	sink->advance(sink->ctx, 1500000000ULL);
}

static void args_init(void)
{
	size_t n = sizeof(long_args) - 1, tail = CW_ARGS_MAX - CW_ARGS_HEAD;

	memcpy(split_args, long_args, CW_ARGS_HEAD);
	memcpy(split_args + CW_ARGS_HEAD, long_args + n - tail, tail);
}

void golden_init(void)
{
	args_init();
}

void golden_feed(const struct gsink *s)
{
	sink = s;
	cgroups();
	network();
	files();
	sockets();
	file_side();
	misc();
}
