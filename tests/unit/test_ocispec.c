// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for ocispec. Fixtures are trimmed-down but faithful config.json files of the kinds the
 * agent meets: containerd sandbox and app containers (Pod Identity, IRSA, static keys, plain)
 * and CRI-O; written with single quotes for readability and converted before parsing.
 * Every credential below is a planted, obviously fake value.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "enrich/ocispec.h"
#include "unit.h"

#define UID  "8f2c1b9e-3d4a-4c5b-9e6f-7a8b9c0d1e2f"
#define SBID "914c0336cd45e7d53304f73487719e63777f0d31aacc2426d0fa4a9bb7cd0005"
#define PODS "/var/lib/kubelet/pods/" UID "/volumes/kubernetes.io~projected/"

/* Single quotes -> double quotes; none of the fixture values contains a quote of its own. */
static char *q(const char *s)
{
	char *d = strdup(s);

	if (!d)
		abort();
	for (char *p = d; *p; p++)
		if (*p == '\'')
			*p = '"';
	return d;
}

static int parse_q(const char *fixture, struct oci_info *o)
{
	char *j = q(fixture);
	int rc = oci_parse(j, strlen(j), o);

	free(j);
	return rc;
}

#define NS_POD_NET                                                                         \
	"'linux':{'namespaces':[{'type':'pid'},{'type':'ipc','path':'/proc/4242/ns/ipc'}," \
	"{'type':'uts','path':'/proc/4242/ns/uts'},{'type':'mount'},"                      \
	"{'type':'network','path':'/proc/4242/ns/net'},{'type':'cgroup'}]}"

#define NS_HOST_NET \
	"'linux':{'namespaces':[{'type':'pid'},{'type':'ipc'},{'type':'uts'},{'type':'mount'}]}"

static const char containerd_sandbox[] =
	"{'ociVersion':'1.1.0','process':{'user':{'uid':65535,'gid':65535},"
	"'args':['/pause'],'env':['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/"
	"bin'],"
	"'cwd':'/'},'root':{'path':'rootfs','readonly':true},'hostname':'cart-7d9f8-abcde',"
	"'mounts':[{'destination':'/proc','type':'proc','source':'proc'},"
	"{'destination':'/dev/shm','type':'bind','source':'/run/containerd/"
	"io.containerd.grpc.v1.cri/"
	"sandboxes/" SBID "/shm','options':['rbind','ro']}],"
	"'annotations':{'io.kubernetes.cri.container-type':'sandbox',"
	"'io.kubernetes.cri.sandbox-id':'" SBID "',"
	"'io.kubernetes.cri.sandbox-log-directory':'/var/log/pods/shop_cart-7d9f8-abcde_" UID "',"
	"'io.kubernetes.cri.sandbox-name':'cart-7d9f8-abcde',"
	"'io.kubernetes.cri.sandbox-namespace':'shop',"
	"'io.kubernetes.cri.sandbox-uid':'" UID "'}," NS_POD_NET "}";

static const char containerd_hostnet_sandbox[] =
	"{'process':{'args':['/"
	"pause']},'annotations':{'io.kubernetes.cri.container-type':'sandbox',"
	"'io.kubernetes.cri.sandbox-id':'" SBID "','io.kubernetes.cri.sandbox-name':"
	"'eks-pod-identity-agent-x7k2p','io.kubernetes.cri.sandbox-namespace':'kube-system',"
	"'io.kubernetes.cri.sandbox-uid':'" UID "'}," NS_HOST_NET "}";

static const char containerd_pod_identity[] =
	"{'ociVersion':'1.1.0','process':{'user':{'uid':1000,'gid':1000},'args':['/app/cart'],"
	"'env':['PATH=/usr/local/bin:/usr/bin:/bin','HOSTNAME=cart-7d9f8-abcde',"
	"'AWS_STS_REGIONAL_ENDPOINTS=regional','AWS_DEFAULT_REGION=eu-west-1',"
	"'AWS_REGION=eu-west-1',"
	"'AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.23/v1/credentials',"
	"'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/var/run/secrets/pods.eks.amazonaws.com/"
	"serviceaccount/eks-pod-identity-token','KUBERNETES_SERVICE_HOST=10.100.0.1'],'cwd':'/"
	"app'},"
	"'mounts':[{'destination':'/proc','type':'proc','source':'proc'},"
	"{'destination':'/etc/hosts','type':'bind','source':'/var/lib/kubelet/pods/" UID
	"/etc-hosts','options':['rbind','rprivate','rw']},"
	"{'destination':'/var/run/secrets/kubernetes.io/serviceaccount','type':'bind',"
	"'source':'" PODS "kube-api-access-9xk2l','options':['rbind','rprivate','ro']},"
	"{'destination':'/var/run/secrets/pods.eks.amazonaws.com/serviceaccount','type':'bind',"
	"'source':'" PODS "eks-pod-identity-token','options':['rbind','rprivate','ro']}],"
	"'annotations':{'io.kubernetes.cri.container-name':'cart',"
	"'io.kubernetes.cri.container-type':'container',"
	"'io.kubernetes.cri.image-name':'123456789012.dkr.ecr.eu-west-1.amazonaws.com/cart:1.4.2',"
	"'io.kubernetes.cri.sandbox-id':'" SBID "',"
	"'io.kubernetes.cri.sandbox-name':'cart-7d9f8-abcde',"
	"'io.kubernetes.cri.sandbox-namespace':'shop','io.kubernetes.cri.sandbox-uid':'" UID "'},"
	"'linux':{'cgroupsPath':'kubepods-burstable-pod8f2c1b9e_3d4a_4c5b_9e6f_7a8b9c0d1e2f.slice:"
	"cri-containerd:0123','namespaces':[{'type':'pid'},{'type':'ipc','path':'/proc/4242/ns/"
	"ipc'},"
	"{'type':'uts','path':'/proc/4242/ns/uts'},{'type':'mount'},"
	"{'type':'network','path':'/proc/4242/ns/net'},{'type':'cgroup'}]}}";

static const char containerd_irsa[] =
	"{'process':{'env':['PATH=/bin','AWS_ROLE_ARN=arn:aws:iam::123456789012:role/"
	"cart-s3-reader',"
	"'AWS_WEB_IDENTITY_TOKEN_FILE=/var/run/secrets/eks.amazonaws.com/serviceaccount/token',"
	"'AWS_STS_REGIONAL_ENDPOINTS=regional','AWS_REGION=eu-west-1']},"
	"'mounts':[{'destination':'/var/run/secrets/kubernetes.io/serviceaccount','type':'bind',"
	"'source':'" PODS "kube-api-access-abcde'},"
	"{'destination':'/var/run/secrets/eks.amazonaws.com/serviceaccount','type':'bind',"
	"'source':'" PODS "aws-iam-token','options':['rbind','ro']}],"
	"'annotations':{'io.kubernetes.cri.container-type':'container',"
	"'io.kubernetes.cri.container-name':'cart','io.kubernetes.cri.sandbox-id':'" SBID "',"
	"'io.kubernetes.cri.sandbox-name':'cart-1','io.kubernetes.cri.sandbox-namespace':'shop',"
	"'io.kubernetes.cri.sandbox-uid':'" UID "'}," NS_POD_NET "}";

/* Planted fake secrets: the test proves none of these bytes reach struct oci_info. */
#define SECRET_AKID   "AKIACWTESTPLANTED001"
#define SECRET_SAK    "cwTestPlantedSecretKey/DoNotUse+0123456789abcd"
#define SECRET_STOK   "IQoJcwTestPlantedSessionToken//////////wEaCWV1LXdlc3QtMSJHMEUCIQ=="
#define SECRET_CTOK   "cwTestPlantedContainerAuthToken42"
#define SECRET_RELURI "/v2/credentials/cwtest-planted-relative-uri-0000"

static const char containerd_static[] =
	"{'process':{'env':['PATH=/bin','AWS_ACCESS_KEY_ID=" SECRET_AKID "',"
	"'AWS_SECRET_ACCESS_KEY=" SECRET_SAK "','AWS_SESSION_TOKEN=" SECRET_STOK "',"
	"'AWS_CONTAINER_AUTHORIZATION_TOKEN=" SECRET_CTOK "',"
	"'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=" SECRET_RELURI "',"
	"'AWS_ACCESS_KEY_ID=" SECRET_AKID "-dup','AWS_DEFAULT_REGION=us-east-1']},"
	"'annotations':{'io.kubernetes.cri.container-type':'container',"
	"'io.kubernetes.cri.container-name':'legacy','io.kubernetes.cri.sandbox-id':'" SBID "',"
	"'io.kubernetes.cri.sandbox-name':'legacy-0','io.kubernetes.cri.sandbox-namespace':'ops',"
	"'io.kubernetes.cri.sandbox-uid':'" UID "'}," NS_POD_NET "}";

static const char containerd_plain[] =
	"{'process':{'env':['PATH=/bin','HOME=/root']},"
	"'mounts':[{'destination':'/var/run/secrets/kubernetes.io/serviceaccount','type':'bind',"
	"'source':'" PODS "kube-api-access-q8z4t'},{'destination':'/data','type':'bind',"
	"'source':'/var/lib/kubelet/pods/" UID "/volumes/kubernetes.io~empty-dir/data'}],"
	"'annotations':{'io.kubernetes.cri.container-type':'container',"
	"'io.kubernetes.cri.container-name':'web','io.kubernetes.cri.sandbox-id':'" SBID "',"
	"'io.kubernetes.cri.sandbox-name':'web-0','io.kubernetes.cri.sandbox-namespace':'default',"
	"'io.kubernetes.cri.sandbox-uid':'" UID "'}," NS_POD_NET "}";

/* Keys as CRI-O writes them (see the sources cited in ocispec.c). */
static const char crio_container[] =
	"{'ociVersion':'1.0.2-dev','process':{'env':['PATH=/bin','HOSTNAME=cart-7d9f8-abcde',"
	"'AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.23/v1/credentials',"
	"'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/var/run/secrets/pods.eks.amazonaws.com/"
	"serviceaccount/eks-pod-identity-token']},"
	"'mounts':[{'destination':'/var/run/secrets/pods.eks.amazonaws.com/serviceaccount',"
	"'type':'bind','source':'" PODS "eks-pod-identity-token','options':['ro','rbind']}],"
	"'annotations':{'io.container.manager':'cri-o',"
	"'io.kubernetes.container.hash':'1a2b3c4d','io.kubernetes.container.name':'cart',"
	"'io.kubernetes.container.restartCount':'0',"
	"'io.kubernetes.cri-o.ContainerID':'"
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',"
	"'io.kubernetes.cri-o.ContainerType':'container',"
	"'io.kubernetes.cri-o.Image':'quay.io/shop/cart:1.4.2',"
	"'io.kubernetes.cri-o.ImageName':'quay.io/shop/cart:1.4.2',"
	"'io.kubernetes.cri-o.ImageRef':'sha256:0000',"
	"'io.kubernetes.cri-o.Labels':'{\\'io.kubernetes.pod.name\\':\\'cart-7d9f8-abcde\\'}',"
	"'io.kubernetes.cri-o.Name':'k8s_cart_cart-7d9f8-abcde_shop_" UID "_0',"
	"'io.kubernetes.cri-o.SandboxID':'" SBID "',"
	"'io.kubernetes.cri-o.SandboxName':'k8s_cart-7d9f8-abcde_shop_" UID "_0',"
	"'io.kubernetes.pod.name':'cart-7d9f8-abcde','io.kubernetes.pod.namespace':'shop',"
	"'io.kubernetes.pod.uid':'" UID "'}," NS_POD_NET "}";

static const char crio_sandbox_hostnet[] =
	"{'process':{'args':['/"
	"pause']},'annotations':{'io.kubernetes.cri-o.ContainerType':'sandbox',"
	"'io.kubernetes.cri-o.ContainerName':'k8s_POD_aws-node-abcde_kube-system_" UID "_0',"
	"'io.kubernetes.cri-o.HostNetwork':'true','io.kubernetes.cri-o.KubeName':'aws-node-abcde',"
	"'io.kubernetes.cri-o.Namespace':'kube-system','io.kubernetes.cri-o.SandboxID':'" SBID "',"
	"'io.kubernetes.cri-o.SandboxName':'k8s_aws-node-abcde_kube-system_" UID "_0',"
	"'io.kubernetes.container.name':'POD','io.kubernetes.pod.uid':'" UID "'}," NS_HOST_NET "}";

static void test_containerd_sandbox(void)
{
	struct oci_info o;

	ASSERT_EQ(parse_q(containerd_sandbox, &o), 0);
	ASSERT_EQ(o.flavour, OCI_FLAVOUR_CONTAINERD);
	ASSERT_EQ(o.ctype, OCI_CTYPE_SANDBOX);
	ASSERT_STREQ(o.sandbox_id, SBID);
	ASSERT_STREQ(o.pod_name, "cart-7d9f8-abcde");
	ASSERT_STREQ(o.pod_namespace, "shop");
	ASSERT_STREQ(o.pod_uid, UID);
	ASSERT_STREQ(o.container_name, "");
	ASSERT_EQ(o.cred, 0);
	ASSERT_EQ(o.n_mounts, 0);
	ASSERT_TRUE(o.has_linux && o.has_netns);
	ASSERT_FALSE(o.host_network);
	ASSERT_EQ(o.type_errors, 0);
	ASSERT_EQ(o.truncated, 0);

	ASSERT_EQ(parse_q(containerd_hostnet_sandbox, &o), 0);
	ASSERT_EQ(o.ctype, OCI_CTYPE_SANDBOX);
	ASSERT_STREQ(o.pod_namespace, "kube-system");
	ASSERT_FALSE(o.has_netns);
	ASSERT_TRUE(o.host_network);
}

static void test_containerd_pod_identity(void)
{
	struct oci_info o;

	ASSERT_EQ(parse_q(containerd_pod_identity, &o), 0);
	ASSERT_EQ(o.flavour, OCI_FLAVOUR_CONTAINERD);
	ASSERT_EQ(o.ctype, OCI_CTYPE_CONTAINER);
	ASSERT_STREQ(o.container_name, "cart");
	ASSERT_STREQ(o.image, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/cart:1.4.2");
	ASSERT_STREQ(o.pod_uid, UID);
	ASSERT_EQ(o.cred, OCI_CRED_POD_IDENTITY);
	ASSERT_EQ(o.secret_env, 0);
	ASSERT_STREQ(o.pod_identity_uri, "http://169.254.170.23/v1/credentials");
	ASSERT_STREQ(
		o.pod_identity_token_file,
		"/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token");
	ASSERT_STREQ(o.role_arn, "");
	ASSERT_EQ(o.n_mounts, 2);
	ASSERT_STREQ(o.mounts[0].volume, "kube-api-access-9xk2l");
	ASSERT_STREQ(o.mounts[0].destination, "/var/run/secrets/kubernetes.io/serviceaccount");
	ASSERT_STREQ(o.mounts[0].source, PODS "kube-api-access-9xk2l");
	ASSERT_STREQ(o.mounts[0].pod_uid, UID);
	ASSERT_STREQ(o.mounts[1].volume, "eks-pod-identity-token");
	ASSERT_STREQ(o.mounts[1].destination,
		     "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount");
	ASSERT_TRUE(o.has_netns);
	ASSERT_FALSE(o.host_network);
	ASSERT_EQ(o.type_errors, 0);
	ASSERT_EQ(o.truncated, 0);
}

static void test_containerd_irsa(void)
{
	struct oci_info o;

	ASSERT_EQ(parse_q(containerd_irsa, &o), 0);
	ASSERT_EQ(o.cred, OCI_CRED_IRSA);
	ASSERT_STREQ(o.role_arn, "arn:aws:iam::123456789012:role/cart-s3-reader");
	ASSERT_STREQ(o.web_identity_token_file,
		     "/var/run/secrets/eks.amazonaws.com/serviceaccount/token");
	ASSERT_EQ(o.n_mounts, 2);
	ASSERT_STREQ(o.mounts[1].volume, "aws-iam-token");
	ASSERT_STREQ(o.mounts[1].pod_uid, UID);

	/* A role ARN without a token file is not IRSA (the SDK needs both), but is kept. */
	ASSERT_EQ(parse_q("{'process':{'env':['AWS_ROLE_ARN=arn:aws:iam::1:role/r']}}", &o), 0);
	ASSERT_EQ(o.cred, 0);
	ASSERT_STREQ(o.role_arn, "arn:aws:iam::1:role/r");
}

static void test_static_keys_never_copied(void)
{
	static const char *const secrets[] = { SECRET_AKID, SECRET_SAK,	   SECRET_STOK,
					       SECRET_CTOK, SECRET_RELURI, "cwTestPlanted",
					       "AKIACWTEST" };
	struct oci_info o;

	/* Fill with a pattern first: memset in oci_parse must leave no stale bytes either. */
	memset(&o, 0x5a, sizeof(o));
	ASSERT_EQ(parse_q(containerd_static, &o), 0);
	ASSERT_EQ(o.cred, OCI_CRED_STATIC_KEYS | OCI_CRED_ECS_RELATIVE);
	ASSERT_EQ(o.secret_env, OCI_SECRET_ACCESS_KEY_ID | OCI_SECRET_SECRET_ACCESS_KEY |
					OCI_SECRET_SESSION_TOKEN | OCI_SECRET_CONTAINER_AUTH_TOKEN);
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		unit_current = secrets[i];
		ASSERT_NULL(memmem(&o, sizeof(o), secrets[i], strlen(secrets[i])));
	}
	unit_current = "test_static_keys_never_copied";
	/* The names are available without any value. */
	ASSERT_STREQ(oci_secret_env_name(OCI_SECRET_SECRET_ACCESS_KEY), "AWS_SECRET_ACCESS_KEY");
	ASSERT_STREQ(oci_secret_env_name(OCI_SECRET_CONTAINER_AUTH_TOKEN),
		     "AWS_CONTAINER_AUTHORIZATION_TOKEN");
	ASSERT_NULL(oci_secret_env_name(3));
	ASSERT_NULL(oci_secret_env_name(1u << OCI_SECRET_COUNT));

	/* Only the session token: still static keys. */
	ASSERT_EQ(parse_q("{'process':{'env':['AWS_SESSION_TOKEN=" SECRET_STOK "']}}", &o), 0);
	ASSERT_EQ(o.cred, OCI_CRED_STATIC_KEYS);
	ASSERT_NULL(memmem(&o, sizeof(o), SECRET_STOK, strlen(SECRET_STOK)));
	/* Prefix and suffix lookalikes are not the secret variables. */
	ASSERT_EQ(parse_q("{'process':{'env':['AWS_ACCESS_KEY_ID_FILE=/x','XAWS_SESSION_TOKEN=y',"
			  "'AWS_ACCESS_KEY=z']}}",
			  &o),
		  0);
	ASSERT_EQ(o.secret_env, 0);
	ASSERT_EQ(o.cred, 0);
}

static void test_containerd_plain(void)
{
	struct oci_info o;

	ASSERT_EQ(parse_q(containerd_plain, &o), 0);
	ASSERT_EQ(o.cred, 0);
	ASSERT_EQ(o.secret_env, 0);
	ASSERT_EQ(o.n_mounts, 1); /* the emptyDir is not a projected volume */
	ASSERT_STREQ(o.mounts[0].volume, "kube-api-access-q8z4t");
	ASSERT_STREQ(o.container_name, "web");
}

static void test_crio(void)
{
	struct oci_info o;

	ASSERT_EQ(parse_q(crio_container, &o), 0);
	ASSERT_EQ(o.flavour, OCI_FLAVOUR_CRIO);
	ASSERT_EQ(o.ctype, OCI_CTYPE_CONTAINER);
	ASSERT_STREQ(o.sandbox_id, SBID);
	ASSERT_STREQ(o.pod_name, "cart-7d9f8-abcde");
	ASSERT_STREQ(o.pod_namespace, "shop");
	ASSERT_STREQ(o.pod_uid, UID);
	ASSERT_STREQ(o.container_name, "cart");
	ASSERT_STREQ(o.image, "quay.io/shop/cart:1.4.2");
	ASSERT_EQ(o.cred, OCI_CRED_POD_IDENTITY);
	ASSERT_EQ(o.n_mounts, 1);
	ASSERT_STREQ(o.mounts[0].volume, "eks-pod-identity-token");
	ASSERT_FALSE(o.host_network);
	ASSERT_EQ(o.type_errors, 0);

	/* The sandbox: pod name and namespace only in CRI-O's sandbox-only keys. */
	ASSERT_EQ(parse_q(crio_sandbox_hostnet, &o), 0);
	ASSERT_EQ(o.flavour, OCI_FLAVOUR_CRIO);
	ASSERT_EQ(o.ctype, OCI_CTYPE_SANDBOX);
	ASSERT_STREQ(o.pod_name, "aws-node-abcde");
	ASSERT_STREQ(o.pod_namespace, "kube-system");
	ASSERT_STREQ(o.pod_uid, UID);
	ASSERT_STREQ(o.container_name, "POD");
	ASSERT_TRUE(o.host_network);
}

static void test_not_kubernetes(void)
{
	struct oci_info o;

	/* No CRI annotations: unknown flavour, and no hostNetwork claim without a netns. */
	ASSERT_EQ(parse_q("{'process':{'env':['AWS_ROLE_ARN=a','AWS_WEB_IDENTITY_TOKEN_FILE=b']}"
			  "," NS_HOST_NET "}",
			  &o),
		  0);
	ASSERT_EQ(o.flavour, OCI_FLAVOUR_UNKNOWN);
	ASSERT_EQ(o.ctype, OCI_CTYPE_UNKNOWN);
	ASSERT_FALSE(o.host_network);
	ASSERT_EQ(o.cred, OCI_CRED_IRSA);
	ASSERT_EQ(parse_q("{}", &o), 0);
	ASSERT_EQ(o.flavour, OCI_FLAVOUR_UNKNOWN);
	ASSERT_FALSE(o.has_linux);
	/* A Kubernetes container without a namespace list claims nothing either. */
	ASSERT_EQ(parse_q("{'annotations':{'io.kubernetes.cri.container-type':'container'},"
			  "'linux':{}}",
			  &o),
		  0);
	ASSERT_TRUE(o.has_linux);
	ASSERT_FALSE(o.host_network);
}

static void test_malformed(void)
{
	struct oci_info o;
	char big[64];

	ASSERT_EQ(oci_parse(NULL, 0, &o), -EINVAL);
	ASSERT_EQ(oci_parse("{}", 2, NULL), -EINVAL);
	ASSERT_EQ(oci_parse("", 0, &o), -EBADMSG);
	ASSERT_EQ(oci_parse("not json", 8, &o), -EBADMSG);
	ASSERT_EQ(parse_q("['annotations']", &o), -EBADMSG);
	ASSERT_EQ(parse_q("{'process':{'env':['A=1']}", &o), -EBADMSG); /* unterminated */
	ASSERT_EQ(parse_q("{'annotations':{},'annotations':{}}", &o), -EBADMSG);
	/* Only len bytes are read: a valid prefix of a longer buffer. */
	snprintf(big, sizeof(big), "{}garbage");
	ASSERT_EQ(oci_parse(big, 2, &o), 0);
	/* Over the cap: refused before the parser (and before the depth scan). */
	ASSERT_EQ(oci_parse(big, (size_t)OCI_MAX_INPUT + 1, &o), -E2BIG);

	/* Wrong types everywhere: nothing crashes, nothing is set, each is counted. */
	ASSERT_EQ(parse_q("{'annotations':[],'process':'x','mounts':{},'linux':3}", &o), 0);
	ASSERT_EQ(o.type_errors, 4);
	ASSERT_EQ(o.flavour, OCI_FLAVOUR_UNKNOWN);
	ASSERT_EQ(parse_q("{'process':{'env':{}}}", &o), 0);
	ASSERT_EQ(o.type_errors, 1);
	ASSERT_EQ(parse_q("{'annotations':{'io.kubernetes.cri.container-type':7,"
			  "'io.kubernetes.cri.sandbox-id':'" SBID
			  "','io.kubernetes.cri.sandbox-uid':[]},"
			  "'process':{'env':[1,null,'NOEQUALS','AWS_ROLE_ARN=ok',{}]},"
			  "'mounts':[5,{'source':7},{'source':'" PODS "v','destination':9},"
			  "{'destination':'/tmpfs-without-source'}],"
			  "'linux':{'namespaces':[{'type':5},'net',{'path':'/x'}]}}",
			  &o),
		  0);
	ASSERT_EQ(o.flavour, OCI_FLAVOUR_CONTAINERD);
	ASSERT_EQ(o.ctype, OCI_CTYPE_UNKNOWN);
	ASSERT_STREQ(o.sandbox_id, SBID);
	ASSERT_STREQ(o.pod_uid, "");
	ASSERT_STREQ(o.role_arn, "ok");
	ASSERT_EQ(o.n_mounts, 1);
	ASSERT_STREQ(o.mounts[0].volume, "v");
	ASSERT_STREQ(o.mounts[0].destination, "");
	/* sandbox-uid, 3 env entries, 3 mounts, 3 namespace entries */
	ASSERT_EQ(o.type_errors, 1 + 3 + 3 + 3);
	ASSERT_FALSE(o.has_netns);
	ASSERT_TRUE(o.host_network); /* flavour known, list present, no network entry */

	/* Projected marker with nothing after it, and without a /pods/ parent. */
	ASSERT_EQ(parse_q("{'mounts':[{'source':'/volumes/kubernetes.io~projected/'},"
			  "{'source':'pods/x/volumes/kubernetes.io~projected/tok/token'}]}",
			  &o),
		  0);
	ASSERT_EQ(o.n_mounts, 2);
	ASSERT_STREQ(o.mounts[0].volume, "");
	ASSERT_STREQ(o.mounts[0].pod_uid, "");
	ASSERT_STREQ(o.mounts[1].volume, "tok");
	ASSERT_STREQ(o.mounts[1].pod_uid, "");
}

/* A growable string for the big fixtures. */
struct sb {
	char *s;
	size_t len, cap;
};

static void sb_add(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < b->cap - b->len)
			break;
		b->cap = b->cap * 2 + (size_t)n + 64;
		b->s = realloc(b->s, b->cap);
		if (!b->s)
			abort();
	}
	b->len += (size_t)n;
}

static void sb_init(struct sb *b)
{
	b->cap = 256;
	b->len = 0;
	b->s = malloc(b->cap);
	if (!b->s)
		abort();
	b->s[0] = '\0';
}

static void test_huge(void)
{
	struct oci_info o;
	struct sb b;

	/* 10000 env entries: the credential variables past the cap are not read. */
	sb_init(&b);
	sb_add(&b, "{\"process\":{\"env\":[");
	for (int i = 0; i < 10000; i++)
		sb_add(&b, "\"VAR_%d=%d\",", i, i);
	sb_add(&b, "\"AWS_ROLE_ARN=late\",\"AWS_WEB_IDENTITY_TOKEN_FILE=/late\"]}}");
	ASSERT_EQ(oci_parse(b.s, b.len, &o), 0);
	ASSERT_TRUE(o.truncated & OCI_TRUNC_ENV_LIST);
	ASSERT_EQ(o.cred, 0);
	ASSERT_STREQ(o.role_arn, "");
	free(b.s);

	/* Huge strings: bounded copies, truncation flagged. */
	sb_init(&b);
	sb_add(&b, "{\"annotations\":{\"io.kubernetes.cri.container-type\":\"container\","
		   "\"io.kubernetes.cri.sandbox-name\":\"");
	for (int i = 0; i < 5000; i++)
		sb_add(&b, "p");
	sb_add(&b, "\"},\"process\":{\"env\":[\"AWS_ROLE_ARN=arn:aws:iam::1:role/");
	for (int i = 0; i < 100000; i++)
		sb_add(&b, "r");
	sb_add(&b, "\"]},\"mounts\":[{\"destination\":\"/d\",\"source\":\"" PODS);
	for (int i = 0; i < 3000; i++)
		sb_add(&b, "v");
	sb_add(&b, "\"}]}");
	ASSERT_EQ(oci_parse(b.s, b.len, &o), 0);
	ASSERT_EQ(o.truncated, OCI_TRUNC_ANNOTATION | OCI_TRUNC_ENV | OCI_TRUNC_MOUNT);
	ASSERT_EQ(strlen(o.pod_name), OCI_NAME_BUF - 1);
	ASSERT_EQ(strlen(o.role_arn), OCI_ARN_BUF - 1);
	ASSERT_EQ(strlen(o.mounts[0].source), OCI_PATH_BUF - 1);
	ASSERT_EQ(strlen(o.mounts[0].volume), OCI_NAME_BUF - 1);
	ASSERT_EQ(o.cred, 0); /* no token file */
	free(b.s);

	/* 40 projected mounts: 16 kept. */
	sb_init(&b);
	sb_add(&b, "{\"mounts\":[");
	for (int i = 0; i < 40; i++)
		sb_add(&b, "%s{\"destination\":\"/t%d\",\"source\":\"" PODS "vol-%d\"}",
		       i ? "," : "", i, i);
	sb_add(&b, "]}");
	ASSERT_EQ(oci_parse(b.s, b.len, &o), 0);
	ASSERT_EQ(o.n_mounts, OCI_MAX_TOKEN_MOUNTS);
	ASSERT_TRUE(o.truncated & OCI_TRUNC_MOUNT_LIST);
	ASSERT_STREQ(o.mounts[15].volume, "vol-15");
	free(b.s);

	/* Depth bomb: refused by the pre-scan. */
	sb_init(&b);
	sb_add(&b, "{\"annotations\":");
	for (int i = 0; i < 100000; i++)
		sb_add(&b, "[");
	ASSERT_EQ(oci_parse(b.s, b.len, &o), -ELOOP);
	free(b.s);
}

static void test_strings(void)
{
	ASSERT_STREQ(oci_flavour_str(OCI_FLAVOUR_CRIO), "crio");
	ASSERT_STREQ(oci_flavour_str((enum oci_flavour)42), "unknown");
	ASSERT_STREQ(oci_ctype_str(OCI_CTYPE_SANDBOX), "sandbox");
}

int main(void)
{
	RUN(test_containerd_sandbox);
	RUN(test_containerd_pod_identity);
	RUN(test_containerd_irsa);
	RUN(test_static_keys_never_copied);
	RUN(test_containerd_plain);
	RUN(test_crio);
	RUN(test_not_kubernetes);
	RUN(test_malformed);
	RUN(test_huge);
	RUN(test_strings);
	return unit_report("ocispec");
}
