// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "enrich/attrib.h"
#include "judge/rules.h"

static bool is_static(enum file_kind k)
{
	return k == FK_AWS_CREDENTIALS || k == FK_AWS_CONFIG || k == FK_AWS_SSO_CACHE ||
	       k == FK_AWS_CLI_CACHE || k == FK_KUBELET_CREDENTIALS;
}

static const char *token_words(enum file_kind k)
{
	switch (k) {
	case FK_POD_IDENTITY_TOKEN:
		return "Pod Identity token";
	case FK_IRSA_TOKEN:
		return "IRSA token";
	default:
		return "service-account token";
	}
}

static bool known(const char *s)
{
	return s && s[0];
}

static const char *str(const char *s, const char *dflt)
{
	return known(s) ? s : dflt;
}

/* "pod ns/name (container c)", "pod <uid>", "container process", "host process /usr/bin/x" */
static void describe(const struct cw_subject *s, char *out, size_t len)
{
	char ctr[80] = "";

	if (s->host) {
		snprintf(out, len, "host process %s", str(s->exe, "(unknown executable)"));
		return;
	}
	if (known(s->container))
		snprintf(ctr, sizeof(ctr), " container %.64s", s->container);
	if (known(s->pod_namespace) && known(s->pod_name))
		snprintf(out, len, "pod %.63s/%.96s%s", s->pod_namespace, s->pod_name, ctr);
	else if (known(s->pod_uid))
		snprintf(out, len, "pod %.36s%s", s->pod_uid, ctr);
	else
		snprintf(out, len, "container process %.96s", str(s->exe, "(unknown executable)"));
}

struct ctx {
	const struct policy *p;
	const struct cw_subject *s;
	struct finding *out;
	int n;
	bool blocked;
	char who[200];
};

static bool rule_on(const struct ctx *c, enum cw_rule r)
{
	if (!c->p)
		return true;
	return c->p->rule[r].enabled && !policy_allowed(c->p, r, c->s);
}

__attribute__((format(printf, 3, 4))) static void add(struct ctx *c, enum cw_rule r,
						      const char *fmt, ...)
{
	struct finding *f;
	enum cw_severity sev;
	size_t m;
	va_list ap;

	if (c->n >= RULES_MAX_FINDINGS || !rule_on(c, r))
		return;
	sev = c->p && c->p->rule[r].severity ? c->p->rule[r].severity : rule_default_severity(r);
	if (c->blocked)
		sev = severity_lower(sev);
	f = &c->out[c->n++];
	f->rule = r;
	f->severity = sev;
	f->name = rule_name(r);
	f->mitre = rule_mitre(r);
	va_start(ap, fmt);
	vsnprintf(f->summary, sizeof(f->summary), fmt, ap);
	va_end(ap);
	m = strlen(f->summary);
	if (c->blocked && m < sizeof(f->summary))
		snprintf(f->summary + m, sizeof(f->summary) - m, " (blocked)");
}

static void init(struct ctx *c, const struct policy *p, const struct cw_subject *s,
		 struct finding *out, bool blocked)
{
	c->p = p;
	c->s = s;
	c->out = out;
	c->n = 0;
	c->blocked = blocked;
	describe(s, c->who, sizeof(c->who));
}

/* Most severe first; stable, so ties keep the order of evaluation. */
static int finish(struct ctx *c)
{
	for (int i = 1; i < c->n; i++) {
		struct finding t = c->out[i];
		int j = i;

		while (j > 0 && c->out[j - 1].severity < t.severity) {
			c->out[j] = c->out[j - 1];
			j--;
		}
		c->out[j] = t;
	}
	return c->n;
}

/* a credential access by a process with no executable on disk */
static void fileless(struct ctx *c)
{
	if (c->s->fileless)
		add(c, RULE_FILELESS_CREDENTIAL_ACCESS,
		    "%s runs an executable that has no file on disk (%s) and accessed credentials",
		    c->who, str(c->s->exe, "unknown"));
}

static bool pod_identity_configured(const struct cw_subject *s)
{
	return ((s->pod_cred | s->container_cred) & ATTRIB_CRED_POD_IDENTITY) ||
	       s->pod_identity_associated;
}

static bool irsa_configured(const struct cw_subject *s)
{
	return (s->pod_cred | s->container_cred) & ATTRIB_CRED_IRSA;
}

static const char *endpoint_words(enum cred_endpoint ep)
{
	switch (ep) {
	case EP_IMDS:
		return "IMDS";
	case EP_POD_IDENTITY:
		return "the Pod Identity Agent";
	case EP_ECS:
		return "the container credentials endpoint";
	default:
		return "a credential endpoint";
	}
}

static const char *sdk_words(const struct sdk_info *sdk, char *buf, size_t len)
{
	if (!sdk)
		return NULL;
	if (sdk->id != SDK_UNKNOWN && sdk->name) {
		snprintf(buf, len, "%s%s%s", sdk->name, sdk->version[0] ? " " : "", sdk->version);
		return buf;
	}
	if (sdk->tool != TOOL_NONE && sdk->tool_name) {
		snprintf(buf, len, "%s", sdk->tool_name);
		return buf;
	}
	return NULL;
}

int rules_eval_http(const struct policy *p, const struct cw_subject *s, const struct rules_http *r,
		    struct finding *out)
{
	struct ctx c;
	char sdkbuf[80];
	const char *sdk = sdk_words(r->sdk, sdkbuf, sizeof(sdkbuf));
	bool pod = !s->host;
	bool pi = pod && pod_identity_configured(s);

	init(&c, p, s, out, r->blocked);
	if (r->endpoint == EP_IMDS && r->credential_request && pod) {
		bool irsa = irsa_configured(s);

		if (pi || irsa) {
			const char *mode = pi && irsa ? "Pod Identity and IRSA"
					   : pi	      ? "Pod Identity"
						      : "IRSA";
			unsigned int m = ATTRIB_CRED_POD_IDENTITY | ATTRIB_CRED_IRSA;
			bool own = (s->container_cred & m) != 0;
			/* no container's variables say so (the configured one is not running):
			 * the pod's projected volume does */
			bool vol = !own && (s->volume_cred & m) && !(s->spec_cred & m) &&
				   !(s->pod_identity_associated &&
				     !(s->volume_cred & ATTRIB_CRED_POD_IDENTITY));

			add(&c, RULE_AGENT_BYPASS,
			    "%s is configured for %s%s but fetched node-role credentials from IMDS",
			    c.who, mode,
			    own	  ? ""
			    : vol ? " (the pod has the eks-pod-identity-token or aws-iam-token "
				    "volume)"
				  : " (in another container of the pod)");
		} else {
			add(&c, RULE_IMDS_CREDENTIAL_FETCH,
			    "%s fetched node-role credentials from IMDS", c.who);
		}
	}
	if (r->endpoint == EP_IMDS && r->imds_ver == IMDS_VER_1)
		add(&c, RULE_IMDS_V1, "IMDSv1 request (no session token) from %s%s%s", c.who,
		    sdk ? " using " : "", sdk ? sdk : "");
	if (pi && r->endpoint != EP_UNKNOWN && r->sdk &&
	    sdk_pod_identity_support(r->sdk) == SDK_PI_TOO_OLD) {
		const char *min = sdk_pod_identity_min(r->sdk->id);

		add(&c, RULE_LEGACY_SDK,
		    "%s is configured for Pod Identity but uses %s, older than the minimum %s",
		    c.who, sdk ? sdk : "an SDK", min ? min : "that supports it");
	}
	if (r->endpoint == EP_POD_IDENTITY && r->credential_request && pod && !pi)
		add(&c, RULE_POD_IDENTITY_UNASSOCIATED,
		    "%s has no Pod Identity association but called the Pod Identity Agent's "
		    "credential path",
		    c.who);
	if (r->credential_request && r->endpoint != EP_UNKNOWN)
		fileless(&c);
	if (r->evasive)
		add(&c, RULE_EVASIVE_CREDENTIAL_FETCH,
		    "%s received credentials from %s for a request %s", c.who,
		    endpoint_words(r->endpoint),
		    r->request_seen ? "not recognisable as a credential fetch"
				    : "the agent did not see");
	return finish(&c);
}

int rules_eval_unparsed(const struct policy *p, const struct cw_subject *s,
			const struct rules_unparsed *u, struct finding *out)
{
	struct ctx c;

	init(&c, p, s, out, false);
	add(&c, RULE_ENDPOINT_UNPARSED,
	    "the connection of %s to %s carried %s that are not parseable HTTP (%s)", c.who,
	    endpoint_words(u->endpoint), u->responses ? "responses" : "requests",
	    u->why ? u->why : "unknown");
	return finish(&c);
}

int rules_eval_file(const struct policy *p, const struct cw_subject *s, const struct rules_file *f,
		    struct finding *out)
{
	struct ctx c;
	char owner[160];

	init(&c, p, s, out, false);
	if (f->unseen) {
		add(&c, RULE_UNOBSERVED_FILE_OPEN,
		    "%s opened a file into an io_uring fixed-file slot that could not be looked at",
		    c.who);
		return finish(&c);
	}
	/* no file, only the string the process chose: audit, unless it is a pattern */
	if (f->failed) {
		if (f->recon >= RULES_RECON_MIN && !f->peer_agent)
			add(&c, RULE_CREDENTIAL_RECONNAISSANCE,
			    "%s probed %u distinct credential locations that it could not open",
			    c.who, f->recon);
		return finish(&c);
	}
	if (known(f->owner_namespace) && known(f->owner_pod_name))
		snprintf(owner, sizeof(owner), "pod %.63s/%.90s", f->owner_namespace,
			 f->owner_pod_name);
	else if (f->owner_found && known(f->owner_pod_uid))
		snprintf(owner, sizeof(owner), "pod %.36s", f->owner_pod_uid);
	else
		snprintf(owner, sizeof(owner), "a pod");

	if (file_kind_is_token(f->kind) && f->peer_agent) {
		/* another credwatch agent reading claims: audit (file.credwatch_agent) */
	} else if (file_kind_is_token(f->kind)) {
		if (s->host) {
			add(&c, RULE_HOST_TOKEN_READ, "%s read the %s of %s", c.who,
			    token_words(f->kind), owner);
		} else if (f->owner_found && f->owner_verified && known(f->owner_pod_uid) &&
			   !(known(s->pod_uid) && strcmp(s->pod_uid, f->owner_pod_uid) == 0)) {
			add(&c, RULE_FOREIGN_TOKEN_READ, "%s read the %s of another pod, %s", c.who,
			    token_words(f->kind), owner);
		}
	} else if (is_static(f->kind)) {
		add(&c, RULE_STATIC_CREDENTIALS_READ, "%s read a credentials file (%s)", c.who,
		    file_kind_name(f->kind));
	}
	fileless(&c);
	return finish(&c);
}

int rules_eval_socket(const struct policy *p, const struct cw_subject *s,
		      const struct rules_socket *k, struct finding *out)
{
	struct ctx c;

	init(&c, p, s, out, k->blocked);
	if (!s->host)
		add(&c, RULE_CREDENTIAL_SOCKET_ACCESS, "%s connected to a credential socket (%s)",
		    c.who, socket_kind_name(k->kind));
	if (!k->blocked)
		fileless(&c);
	return finish(&c);
}

int rules_eval_move(const struct policy *p, const struct cw_subject *s, const struct rules_move *m,
		    struct finding *out)
{
	struct ctx c;

	init(&c, p, s, out, false);
	if (m->from_pod && !m->same_pod)
		add(&c, RULE_POD_CGROUP_ESCAPE, "%s %s process %u out of pod %s into %s%s", c.who,
		    m->clone ? "started" : "moved", m->moved_pid, str(m->from_pod_name, "?"),
		    m->to_pod ? "pod " : "a non-pod cgroup",
		    m->to_pod ? str(m->to_pod_name, "?") : "");
	return finish(&c);
}

int rules_eval_flood(const struct policy *p, const struct cw_subject *s,
		     const struct rules_flood *f, struct finding *out)
{
	struct ctx c;

	init(&c, p, s, out, false);
	add(&c, RULE_EVENT_FLOOD,
	    "%s has made more events than the agent can take for %llu s: %llu lost to a full "
	    "ring buffer, %llu refused as low priority%s",
	    c.who, (unsigned long long)f->secs, (unsigned long long)f->full,
	    (unsigned long long)f->low_refused,
	    f->full ? " (the ring was full: events of other workloads may have been lost too)"
		    : " (only its own-token reads: the ring's reserve kept room for findings)");
	return finish(&c);
}
