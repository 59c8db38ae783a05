#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""credwatch on a real container runtime (issue 16).

A private containerd + runc (crinode.Node) runs pods created the kubelet's way through our own
CRI client; the workload image is busybox + uconnect, the sandbox image our own pause. Three
credwatch instances watch the same node at the same time:

  host     build/credwatch run --host-root <node root> (as test_attrib runs it on a fake node)
  ds       the credwatch image run as deploy/credwatch-daemonset.yaml says (manifest.py
           translates the file key by key): hostPID, hostNetwork, privileged, the node's / at
           /host (HostToContainer), /sys, the ConfigMap'd config, --host-root /host; its
           stdout is read back from the CRI log file containerd wrote under /var/log/pods
  leastpriv the same pod with the README's capability list instead of privileged

Processes inside the real containers (CRI ExecSync, like kubectl exec) read their own tokens,
call IMDS and the Pod Identity Agent (credsim in the pod's own network namespace, where the
endpoint addresses are local) and connect to the runtime's socket; a host process reads a
pod's token through /proc/<pid>/root; a webhook-skipped sidecar takes node-role credentials
from IMDS; a container is restarted in its pod; a pod is removed while the agents have not
read its events yet (they are stopped with SIGSTOP meanwhile). Every expected value comes
from what this test created (pod uid, names, container ids from CreateContainer, env,
volumes), never from an agent's output.

Then: the DaemonSet's CRI log holds one full (F) stdout line per event, each valid against the
schema, agent_stats' counts match the lines; the real config.json files are compared with
what tests/lib/fakenode.sh writes for the same pod; no fixture secret appears in any output;
and after cleanup nothing of the run is left (processes, mounts, cgroups, directories).

Network: nothing leaves a pod's network namespace. The endpoint addresses exist only there.
usage: test_cri.py IMAGES-ENV
"""
import collections
import json
import os
import re
import signal
import subprocess
import sys
import time
import traceback

import crinode as cn
import manifest

CREDWATCH = os.path.join(cn.BUILD, "credwatch")
VALIDATE = os.path.join(cn.TOP, "tests", "lib", "validate_events.py")
ROLE = "credwatch-sim-node-role"
IRSA_ARN = "arn:aws:iam::%s:role/cwcri-irsa" % cn.ACCOUNT
IRSA_TOKEN = cn.VOLUMES["irsa"][1] + "/token"
PI_TOKEN = cn.VOLUMES["pi"][1] + "/eks-pod-identity-token"
SA_TOKEN = cn.VOLUMES["sa"][1] + "/token"
RUNTIME_SOCK = "/run/containerd/containerd.sock"
TTRPC_SOCK = RUNTIME_SOCK + ".ttrpc"


class Checks:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0

    def ok(self, desc, cond, detail=""):
        if cond:
            self.passed += 1
            print("PASS: " + desc, flush=True)
        else:
            self.failed += 1
            print("FAIL: %s%s" % (desc, (" (%s)" % detail) if detail else ""), flush=True)
        return bool(cond)

    def eq(self, desc, got, want):
        return self.ok(desc, got == want, "got %s, want %s" % (json.dumps(got), json.dumps(want)))

    def skip(self, desc, why):
        self.skipped += 1
        print("SKIP: %s (%s)" % (desc, why), flush=True)

    def info(self, msg):
        print("INFO: " + msg, flush=True)


ck = Checks()


def env_file(path):
    d = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            d[k] = v
    return d


def jlines(path):
    out = []
    try:
        with open(path, "rb") as f:
            for raw in f:
                try:
                    out.append(json.loads(raw))
                except ValueError:
                    pass
    except OSError:
        pass
    return out


# CRI log format: "<RFC 3339 time> <stdout|stderr> <P|F> <message>"
CRI_LINE = re.compile(r"^(\S+) (stdout|stderr) ([PF]) (.*)$")


def cri_log(path):
    recs = []
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = CRI_LINE.match(line.rstrip("\n"))
                recs.append(m.groups() if m else ("?", "?", "?", line.rstrip("\n")))
    except OSError:
        pass
    return recs


def cri_events(path):
    return [json.loads(r[3]) for r in cri_log(path) if r[1] == "stdout" and r[2] == "F"
            and r[3].startswith("{")]


# ------------------------------------------------------------------------------------------
# agents


class HostAgent:
    def __init__(self, node, name, args, wrap=()):
        self.node = node
        self.out = os.path.join(node.root, name + ".json")
        self.err = os.path.join(node.root, name + ".err")
        open(self.out, "w").close()
        self.p = node.spawn(list(wrap) + [CREDWATCH, "run", "--output", self.out] + args, name,
                            out=self.err)
        self.pid = self.p.pid

    def wait_ready(self, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if any(e.get("event") == "agent_ready" for e in jlines(self.out)):
                return True
            if self.p.poll() is not None:
                return False
            time.sleep(0.1)
        return False

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        try:
            return self.p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return self.p.wait()

    def events(self):
        return jlines(self.out)

    def stderr(self):
        with open(self.err, errors="replace") as f:
            return f.read()


class PodAgent:
    """credwatch run as a DaemonSet pod; its events are read back from the CRI log."""

    def __init__(self, node, imgs, transform=None, label="ds"):
        want = imgs["CREDWATCH_REF"]

        def image_map(im):
            # the manifest's REPLACE_ME registry -> the locally built image (same name:tag)
            local = "localhost/" + im.split("/", 1)[1]
            self.image_mapped_ok = local == want
            return want
        self.label = label
        self.pod, self.conts, self.notes = manifest.daemonset_pod(
            node, manifest.MANIFEST, image_map, transform=transform)
        (self.cid,) = self.pod.run(self.conts)
        self.pid = self.pod.pid(self.cid)
        self.log = self.pod.host("%s/%s/0.log" % (self.pod.log_dir, self.conts[0].name))

    def wait_ready(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if any(e.get("event") == "agent_ready" for e in self.events()):
                return True
            st = self.pod.status(self.cid).status
            if st.state == cn.pb.CONTAINER_EXITED:
                return False
            time.sleep(0.2)
        return False

    def events(self):
        return cri_events(self.log)

    def stderr(self):
        return "\n".join(r[3] for r in cri_log(self.log) if r[1] == "stderr")

    def stop(self):
        self.pod.stop_container(self.cid, timeout=self.pod.grace)
        st = self.pod.status(self.cid).status
        return st.exit_code, st.reason, st.message


# ------------------------------------------------------------------------------------------
# the node's workload


class W:
    """One container of the workload, with everything the test expects about it."""

    def __init__(self, pod, cname, cid, image, cont_mode, pod_mode, role_arn, attempt=0):
        self.pod, self.cname, self.cid, self.image = pod, cname, cid, image
        self.cont_mode, self.pod_mode, self.role_arn = cont_mode, pod_mode, role_arn
        self.attempt = attempt

    @property
    def cgpath(self):
        return "%s/%s" % (self.pod.cgroup_parent.lstrip("/"), self.cid)


def sh(pod, cid, script, *args, timeout=20):
    rc, out, err = pod.exec(cid, ["/bin/sh", "-c", script, "cwcri"] + list(args), timeout=timeout)
    return rc, err.decode(errors="replace").strip()[:300]


def run_host_reader(node, path, tag):
    """A host process (node software cgroup) reads path; returns its pid."""
    p = node.spawn(["cat", path], "cwcri-" + tag)
    p.wait(timeout=20)
    return p.pid


def wait_for(fn, timeout=8.0, step=0.2):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if fn():
            return True
        time.sleep(step)
    return fn()


def make_pods(node, wl):
    """The workload pods; returns ({name: Pod}, {key: W})."""
    pods, ws = {}, {}
    # IRSA pod; its "metrics" sidecar is left alone by the webhook
    # (eks.amazonaws.com/skip-containers): no AWS_* variables, no aws-iam-token mount
    p = cn.Pod(node, "irsa-app-" + cn.randhex(5), "cwcri-irsa", sa="irsa-reader",
               annotations={"eks.amazonaws.com/skip-containers": "metrics"},
               labels={"app": "irsa-app"}, volumes=("sa", "irsa"))
    a, m = p.run([cn.Container("app", wl, env=cn.webhook_env("irsa", IRSA_ARN),
                               volumes=("sa", "irsa")),
                  cn.Container("metrics", wl, volumes=("sa",))])
    pods["irsa"] = p
    # the pod's credential mode is the union over its containers: IRSA (app) and, for the
    # sidecar that has no configuration, the node role
    ws["irsa.app"] = W(p, "app", a, wl, ["irsa"], ["irsa", "node_role"], IRSA_ARN)
    ws["irsa.metrics"] = W(p, "metrics", m, wl, ["node_role"], ["irsa", "node_role"], IRSA_ARN)
    # Pod Identity pod
    p = cn.Pod(node, "pi-app-" + cn.randhex(5), "cwcri-pi", sa="pi-reader", qos="besteffort",
               labels={"eks.amazonaws.com/pod-identity": "enabled"}, volumes=("sa", "pi"))
    (a,) = p.run([cn.Container("app", wl, env=cn.webhook_env("pi"), volumes=("sa", "pi"))])
    pods["pi"] = p
    ws["pi.app"] = W(p, "app", a, wl, ["pod_identity"], ["pod_identity"], None)
    # a pod with no AWS configuration that has the runtime's socket mounted (hostPath)
    p = cn.Pod(node, "plain-app-" + cn.randhex(5), "cwcri-plain", sa="plain", qos="guaranteed",
               volumes=("sa",))
    (a,) = p.run([cn.Container("app", wl, volumes=("sa",),
                               host_mounts=[(RUNTIME_SOCK, RUNTIME_SOCK, False,
                                             cn.pb.PROPAGATION_PRIVATE),
                                            (TTRPC_SOCK, TTRPC_SOCK, False,
                                             cn.pb.PROPAGATION_PRIVATE)])])
    pods["plain"] = p
    ws["plain.app"] = W(p, "app", a, wl, ["node_role"], ["node_role"], None)
    return pods, ws


def fidelity(node, pods, ws, ds):
    """The real node state against the fake node's (tests/lib/fakenode.sh) for the same pod."""
    p, w = pods["irsa"], ws["irsa.app"]
    task = os.path.join(node.root, "run/containerd/io.containerd.runtime.v2.task/k8s.io")
    real_app = json.load(open(os.path.join(task, w.cid, "config.json")))
    real_sb = json.load(open(os.path.join(task, p.sandbox_id, "config.json")))
    env = [e for e in real_app["process"]["env"] if e.split("=", 1)[0].startswith("AWS_")]
    script = r'''
set -e
cd "$TOP"
. tests/lib/fakenode.sh
fn_init >/dev/null
fn_root
fn_pod x --qos burstable --driver cgroupfs
args=(--namespace "$NS" --name "$NAME" --service-account "$SA" --container "$CN" --image "$IMG")
while IFS= read -r e; do [ -n "$e" ] && args+=(--env "$e"); done <<<"$ENVS"
fn_pod_state x "${args[@]}"
fn_volumes x --sa --irsa
fn_pod y --qos burstable --driver cgroupfs
fn_pod_state y --namespace "$NS" --name "$NAME-hostnet" --host-network
echo "$POD_x_UID $POD_x_CID $POD_x_SANDBOX_CID"
cat "$POD_x_CONFIG"
echo
cat "$POD_x_SANDBOX_CONFIG"
echo
cat "$POD_y_CONFIG"
echo
cat "$POD_y_SANDBOX_CONFIG"
echo
ls -d "$POD_x_LOGDIR"/*/
'''
    r = cn.run(["bash", "-c", script], check=False,
               env=dict(os.environ, TOP=cn.TOP, NS=p.namespace, NAME=p.name, SA=p.sa, CN="app",
                        IMG=w.image, ENVS="\n".join(env),
                        CREDSIM=cn.CREDSIM))
    if not ck.ok("fidelity: the fake node renders the same pod", r.returncode == 0,
                 r.stderr[-500:]):
        return
    dec = json.JSONDecoder()
    head, rest = r.stdout.split("\n", 1)
    fuid, fcid, fsid = head.split()
    docs, pos = [], 0
    for _ in range(4):
        rest = rest[pos:].lstrip()
        d, pos = dec.raw_decode(rest)
        docs.append(d)
    fake_app, fake_sb, fake_hn_app, fake_hn_sb = docs
    logdirs = rest[pos:].split()

    def norm(s, uid, cid, sid):
        return s.replace(uid, "<uid>").replace(cid, "<cid>").replace(sid, "<sid>")

    def shape(spec, uid, cid, sid):
        """What the agent and the harness rely on, with the ids replaced."""
        ann = {k: norm(v, uid, cid, sid) for k, v in spec.get("annotations", {}).items()}
        mounts = sorted((m["destination"], norm(re.sub(r"kube-api-access-[0-9a-f]{5}",
                                                       "kube-api-access-<x>",
                                                       m.get("source", "")), uid, cid, sid),
                         m.get("type"), ",".join(m.get("options", [])))
                        for m in spec.get("mounts", []))
        nss = [(n["type"], re.sub(r"\d+", "<n>", re.sub(
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>",
            norm(n.get("path", ""), uid, cid, sid))))
               for n in spec["linux"].get("namespaces", [])]
        envk = sorted(e.split("=", 1)[0] for e in spec["process"].get("env", []))
        return {"annotations": ann, "mounts": mounts, "namespaces": nss,
                "cgroupsPath": norm(spec["linux"]["cgroupsPath"], uid, cid, sid),
                "hostname": "hostname" in spec, "env_keys": envk,
                "root": spec.get("root"), "user": spec["process"].get("user", {}).get("uid")}

    ra = shape(real_app, p.uid, w.cid, p.sandbox_id)
    fa = shape(fake_app, fuid, fcid, fsid)
    rs = shape(real_sb, p.uid, p.sandbox_id, p.sandbox_id)
    fs = shape(fake_sb, fuid, fsid, fsid)
    # containerd 1.7 (what EKS AMIs ship) adds the sandbox's resources as annotations; the
    # fake writes 1.7's set, this runtime is 1.6
    v17 = {"io.kubernetes.cri.sandbox-cpu-period", "io.kubernetes.cri.sandbox-cpu-quota",
           "io.kubernetes.cri.sandbox-cpu-shares", "io.kubernetes.cri.sandbox-memory"}
    ck.eq("fidelity: app container annotations (keys and values)", fa["annotations"],
          ra["annotations"])
    ck.eq("fidelity: sandbox annotations (keys and values; containerd 1.7's resource "
          "annotations aside)", {k: v for k, v in fs["annotations"].items() if k not in v17},
          rs["annotations"])
    ck.eq("fidelity: app cgroupsPath (cgroupfs driver)", fa["cgroupsPath"], ra["cgroupsPath"])
    ck.eq("fidelity: sandbox cgroupsPath", fs["cgroupsPath"], rs["cgroupsPath"])
    # containerd gives containers a cgroup namespace only on a cgroup v2-only (unified) host,
    # which EKS nodes are and this hybrid machine is not: the fake writes the EKS case
    hybrid = any(k != "unified" for k in cn.cgroup_mounts())
    if hybrid:
        for x in (fa, fs):
            x["namespaces"] = [n for n in x["namespaces"] if n[0] != "cgroup"]
    ck.eq("fidelity: app namespaces (types and path shapes%s)" %
          (", cgroup namespace aside on this hybrid host" if hybrid else ""),
          fa["namespaces"], ra["namespaces"])
    ck.eq("fidelity: sandbox namespaces", fs["namespaces"], rs["namespaces"])
    # hostNetwork (the DaemonSet's pod, also hostPID: the fake does not model that, pid aside)
    task = os.path.join(node.root, "run/containerd/io.containerd.runtime.v2.task/k8s.io")
    real_hn = [json.load(open(os.path.join(task, i, "config.json")))
               for i in (ds.cid, ds.pod.sandbox_id)]

    def netuts(spec):
        return [(n["type"], re.sub(r"\d+", "<n>", n.get("path", "")))
                for n in spec["linux"]["namespaces"] if n["type"] in ("network", "uts", "ipc")]
    ck.eq("fidelity: hostNetwork pod: network, UTS, IPC namespaces of the app container and "
          "of the sandbox", [netuts(x) for x in (fake_hn_app, fake_hn_sb)],
          [netuts(x) for x in real_hn])
    # the kubelet's /etc/hosts and termination-log binds are made per container; compare the
    # set of destinations and, for the token volumes, the whole mount
    ck.eq("fidelity: app mount destinations",
          sorted(m[0] for m in fa["mounts"]), sorted(m[0] for m in ra["mounts"]))
    ck.eq("fidelity: projected token mounts (source, type, options)",
          [m for m in fa["mounts"] if "projected" in m[1]],
          [m for m in ra["mounts"] if "projected" in m[1]])
    ck.eq("fidelity: app env variable names", fa["env_keys"], ra["env_keys"])
    ck.eq("fidelity: app spec has a hostname field", fa["hostname"], ra["hostname"])
    ck.eq("fidelity: sandbox spec has a hostname field", fs["hostname"], rs["hostname"])
    ck.eq("fidelity: root (app, sandbox)", [fa["root"], fs["root"]], [ra["root"], rs["root"]])
    ck.eq("fidelity: process uid (app, sandbox)", [fa["user"], fs["user"]],
          [ra["user"], rs["user"]])
    real_logs = sorted(os.listdir(p.host(p.log_dir)))
    ck.eq("fidelity: pod log directory holds one directory per container",
          sorted(os.path.basename(d.rstrip("/")) for d in logdirs), ["app"])
    ck.eq("real pod log directory: one directory per container", real_logs, ["app", "metrics"])
    ck.ok("real pod log file <container>/0.log", os.path.isfile(
        p.host(p.log_dir + "/app/0.log")))
    # the real state the attribution reads
    ck.ok("real task directory: run/containerd/io.containerd.runtime.v2.task/k8s.io/<id>/"
          "config.json for the sandbox and each container",
          all(os.path.isfile(os.path.join(task, i, "config.json"))
              for i in (p.sandbox_id, ws["irsa.app"].cid, ws["irsa.metrics"].cid)))


# ------------------------------------------------------------------------------------------
# actions inside the real containers (CRI ExecSync: the kubelet's exec path, runc exec)


class Actions:
    def __init__(self):
        self.done = {}  # key -> details, for the expectations

    def token_read(self, key, w, path):
        rc, err = sh(w.pod, w.cid, 'cat "$1" >/dev/null', path)
        ck.eq("%s: %s read in the container" % (key, path), [rc, err], [0, ""])
        self.done[key] = {"w": w, "path": path}

    def imds_creds(self, key, w):
        # an IMDSv1 GET of the role's credentials, as `curl http://169.254.169.254/...` sends
        # it (busybox's static wget cannot be used: glibc's static getaddrinfo crashes without
        # the NSS modules the image does not have)
        path = "/latest/meta-data/iam/security-credentials/" + ROLE
        script = ('printf "GET %s HTTP/1.1\\r\\nHost: 169.254.169.254\\r\\n'
                  'User-Agent: curl/7.88.1\\r\\nAccept: */*\\r\\nConnection: close\\r\\n\\r\\n" | '
                  'nc -w 5 169.254.169.254 80 | head -1 | cut -c1-12' % path)
        rc, out, err = w.pod.exec(w.cid, ["/bin/sh", "-c", script], timeout=20)
        # the status line only: the body carries the simulated credentials
        ck.eq("%s: IMDS answers 200 to a node-role credential GET in the pod's netns" % key,
              [rc, out.decode(errors="replace").strip()], [0, "HTTP/1.1 200"])
        self.done[key] = {"w": w, "path": path}

    def pia(self, key, w):
        # the SDK's request: token file content as the raw Authorization header, never on a
        # command line
        script = ('{ printf "GET /v1/credentials HTTP/1.1\\r\\nHost: 169.254.170.23\\r\\n'
                  'User-Agent: cwcri-sdk/1.0\\r\\nAuthorization: "; '
                  'cat <"$AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"; '
                  'printf "\\r\\nConnection: close\\r\\n\\r\\n"; } | '
                  'nc -w 5 169.254.170.23 80 | head -1 | cut -c1-12')
        rc, out, err = w.pod.exec(w.cid, ["/bin/sh", "-c", script], timeout=20)
        # the status line only (the body carries the simulated credentials)
        ck.eq("%s: Pod Identity Agent answers 200 in the pod's netns" % key,
              [rc, out.decode(errors="replace").strip()], [0, "HTTP/1.1 200"])
        self.done[key] = {"w": w}

    def sock(self, key, w, path):
        rc, out, err = w.pod.exec(w.cid, ["uconnect", path, "300"], timeout=20)
        ck.eq("%s: connect to %s from the pod" % (key, path),
              [rc, out.decode().strip()], [0, "connected"])
        self.done[key] = {"w": w, "path": path}


# ------------------------------------------------------------------------------------------
# what every agent must say


def attribution_ok(e, w, complete=True):
    """Mismatches between event e and container w ([] when right)."""
    p = w.pod
    want = {
        "cgroup.path": w.cgpath, "host": False,
        "pod.uid": p.uid, "pod.namespace": p.namespace, "pod.name": p.name,
        "pod.service_account": p.sa, "pod.credential_mode": sorted(w.pod_mode),
        "pod.role_arn": w.role_arn,
        "container.id": w.cid, "container.name": w.cname, "container.image": w.image,
        "container.runtime": "containerd", "container.type": "container",
        "container.credential_mode": w.cont_mode,
    }
    if complete:
        want["attribution.complete"] = True
        want["attribution.missing"] = []
    bad = []
    for k, v in want.items():
        got = e
        for part in k.split("."):
            got = got.get(part) if isinstance(got, dict) else None
        if k == "pod.credential_mode" and isinstance(got, list):
            got = sorted(got)
        if got != v:
            bad.append("%s=%s (want %s)" % (k, json.dumps(got), json.dumps(v)))
    return bad


def by_cgroup(events, w):
    return [e for e in events if (e.get("cgroup") or {}).get("path") == w.cgpath
            and e.get("event") not in ("agent_ready", "agent_stats")]


def check_agent(tag, events, ws, acts, host_pid, pods, gone, extra_sockets=False, hostnet=()):
    """The attribution questions test_attrib asks, for one agent's events."""
    ck.ok("[%s] agent_ready first" % tag, events and events[0].get("event") == "agent_ready")
    # 1. every event of every workload container is fully attributed to it
    for key, w in sorted(ws.items()):
        evs = by_cgroup(events, w)
        bad = [(e.get("event"), attribution_ok(e, w)) for e in evs]
        bad = [b for b in bad if b[1]]
        ck.ok("[%s] %s: %d event(s), every one attributed to pod %s/%s container %s (%s)" %
              (tag, key, len(evs), w.pod.namespace, w.pod.name, w.cname, w.cid[:12]),
              evs and not bad, "; ".join("%s: %s" % (n, ", ".join(b)) for n, b in bad[:3]) or
              "no events")

    def one(desc, pred, w=None):
        evs = [e for e in events if pred(e) and (w is None or
                                                 (e.get("cgroup") or {}).get("path") == w.cgpath)]
        ck.eq("[%s] %s: one event" % (tag, desc), len(evs), 1)
        return evs[0] if evs else {}

    def fo(e):
        return e.get("file") or {}

    # 2. token reads in the containers: kind, owner (verified), claims
    for key, kind, tkind, aud, vol in (
            ("irsa.app.irsa", "irsa_token", "irsa", "sts.amazonaws.com", "aws-iam-token"),
            ("irsa.app.sa", "sa_token", "kubernetes", "https://kubernetes.default.svc",
             "kube-api-access-"),
            ("pi.app.pi", "pod_identity_token", "pod_identity", "pods.eks.amazonaws.com",
             "eks-pod-identity-token")):
        a = acts.done[key]
        w = a["w"]
        e = one("%s %s read in the container" % (key, kind),
                lambda e: e.get("event") == "file_open" and fo(e).get("kind") == kind and
                fo(e).get("requested_path") == a["path"] and
                (e.get("process") or {}).get("comm") == "cat", w)
        own = fo(e).get("owner") or {}
        tok = e.get("token") or {}
        ck.eq("[%s] %s: file owner is its own pod, verified, volume %s*" % (tag, key, vol),
              [own.get("pod_uid"), own.get("namespace"), own.get("pod_name"),
               (own.get("volume") or "").startswith(vol), own.get("verified")],
              [w.pod.uid, w.pod.namespace, w.pod.name, True, True])
        ck.eq("[%s] %s: token claims (kind, audience, service account, pod)" % (tag, key),
              [tok.get("kind"), tok.get("audience"), tok.get("service_account"),
               tok.get("namespace"), tok.get("pod_name"), tok.get("pod_uid")],
              [tkind, [aud], w.pod.sa, w.pod.namespace, w.pod.name, w.pod.uid])
        ck.eq("[%s] %s: no finding (a pod reading its own token)" % (tag, key),
              e.get("findings"), None)
    # 3. host process reading the IRSA token through /proc/<pid>/root
    w = ws["irsa.app"]
    e = one("host read of %s through /proc/<pid>/root" % IRSA_TOKEN,
            lambda e: e.get("event") == "file_open" and
            (e.get("process") or {}).get("pid") == host_pid)
    own = fo(e).get("owner") or {}
    ck.eq("[%s] host read: host process, no pod, irsa_token of pod %s" % (tag, w.pod.name),
          [e.get("host"), e.get("pod"), e.get("container"), fo(e).get("kind"),
           own.get("pod_uid"), own.get("pod_name"), own.get("volume"), own.get("verified"),
           (e.get("token") or {}).get("service_account")],
          [True, None, None, "irsa_token", w.pod.uid, w.pod.name, "aws-iam-token", True,
           w.pod.sa])
    ck.eq("[%s] host read: finding host_token_read" % tag,
          (e.get("finding") or {}).get("rule"), "host_token_read")
    # 4. IMDS: the webhook-skipped sidecar of the IRSA pod takes node-role credentials
    w = ws["irsa.metrics"]
    e = one("irsa.metrics IMDS credential request",
            lambda e: e.get("event") == "imds_request" and
            (e.get("http") or {}).get("path") == acts.done["irsa.metrics.imds"]["path"], w)
    h = e.get("http") or {}
    ck.eq("[%s] irsa.metrics: IMDS GET of the node role, answered 200" % tag,
          [h.get("method"), h.get("class"), h.get("role"), h.get("status"),
           (e.get("endpoint") or {}).get("kind")],
          ["GET", "imds_credentials", ROLE, 200, "imds"])
    ck.eq("[%s] irsa.metrics: agent_bypass (pod configured for IRSA in another container)" %
          tag, (e.get("finding") or {}).get("rule"), "agent_bypass")
    # 5. IMDS from the plain pod: node-role use, not a bypass
    w = ws["plain.app"]
    e = one("plain.app IMDS credential request",
            lambda e: e.get("event") == "imds_request" and
            (e.get("http") or {}).get("path") == acts.done["plain.app.imds"]["path"], w)
    ck.eq("[%s] plain.app: imds_credential_fetch" % tag,
          (e.get("finding") or {}).get("rule"), "imds_credential_fetch")
    # 6. Pod Identity Agent request
    w = ws["pi.app"]
    e = one("pi.app Pod Identity Agent request", lambda e: e.get("event") == "agent_request", w)
    h = e.get("http") or {}
    ck.eq("[%s] pi.app: GET /v1/credentials with Authorization, 200, associated pod, no "
          "finding" % tag,
          [h.get("method"), h.get("path"), h.get("authorization_header"), h.get("status"),
           (e.get("endpoint") or {}).get("kind"), (e.get("pod") or {}).get(
               "pod_identity_associated"), e.get("findings")],
          ["GET", "/v1/credentials", True, 200, "pod_identity_agent", True, None])
    # 7. the runtime's own socket
    w = ws["plain.app"]
    e = one("plain.app connect to the runtime socket",
            lambda e: e.get("event") == "socket_connect" and
            (e.get("socket") or {}).get("path") == RUNTIME_SOCK, w)
    s = e.get("socket") or {}
    ck.eq("[%s] plain.app: socket_connect container_runtime %s, credential_socket_access" %
          (tag, RUNTIME_SOCK),
          [s.get("kind"), s.get("path"), s.get("success"), (e.get("finding") or {}).get("rule")],
          ["container_runtime", RUNTIME_SOCK, True, "credential_socket_access"])
    ttrpc = [e for e in by_cgroup(events, w) if e.get("event") == "socket_connect" and
             (e.get("socket") or {}).get("path") == TTRPC_SOCK]
    if extra_sockets:
        ck.eq("[%s] plain.app: the ttrpc socket (configured in extra_sockets) is watched too" %
              tag, [len(ttrpc)] + [((ttrpc or [{}])[0].get("socket") or {}).get("kind")],
              [1, "container_runtime"])
    else:
        ck.eq("[%s] plain.app: the ttrpc socket (not configured for this agent) gives nothing" %
              tag, len(ttrpc), 0)
    # 8. the restarted container: new id, same pod and name
    w = ws["pi.app.1"]
    e = one("pi.app restarted (attempt 1) token read",
            lambda e: e.get("event") == "file_open" and
            fo(e).get("kind") == "pod_identity_token" and
            (e.get("process") or {}).get("comm") == "cat", w)
    ck.eq("[%s] pi.app restarted: new container id, same pod uid and container name" % tag,
          [(e.get("container") or {}).get("id"), (e.get("pod") or {}).get("uid"),
           (e.get("container") or {}).get("name")],
          [w.cid, ws["pi.app"].pod.uid, "app"])
    ck.ok("[%s] pi.app restarted: the id differs from the first container's" % tag,
          ws["pi.app"].cid != w.cid)
    # 9. hostNetwork pods (the other credwatch pods, when they read tokens to attribute)
    for w in hostnet:
        evs = by_cgroup(events, w)
        if not evs:
            ck.info("[%s] %s/%s: no event seen from it" % (tag, w.pod.namespace, w.pod.name))
            continue
        got = sorted({json.dumps([(e.get("pod") or {}).get("uid"), (e.get("pod") or {}).get(
            "name"), (e.get("pod") or {}).get("namespace"), (e.get("pod") or {}).get(
            "host_network"), (e.get("container") or {}).get("name"), (e.get("container") or {})
            .get("image"), e.get("host")]) for e in evs})
        ck.eq("[%s] hostNetwork pod %s/%s: %d event(s), all attributed to it with "
              "host_network true" % (tag, w.pod.namespace, w.pod.name, len(evs)), got,
              [json.dumps([w.pod.uid, w.pod.name, w.pod.namespace, True, w.cname, w.image,
                           False])])
        ck.info("[%s] hostNetwork pod %s/%s attribution [complete, missing]: %s" % (
            tag, w.pod.namespace, w.pod.name, sorted({json.dumps([
                (e.get("attribution") or {}).get("complete"),
                (e.get("attribution") or {}).get("missing")]) for e in evs})))
    # 10. the removed pod: every event written, never attributed to anything else
    for key in ("gone.warm", "gone.sibling", "gone.cold"):
        w = gone[key]["w"]
        evs = [e for e in by_cgroup(events, w) if e.get("event") == "file_open"]
        ck.eq("[%s] %s: every read of the removed pod was written" % (tag, key), len(evs),
              gone[key]["n"])
        wrong = []
        for e in evs:
            pod, cont = e.get("pod") or {}, e.get("container") or {}
            att = e.get("attribution") or {}
            if pod.get("uid") != w.pod.uid or cont.get("id") != w.cid:
                wrong.append("uid/id")
            for k, v in (("namespace", w.pod.namespace), ("name", w.pod.name),
                         ("service_account", w.pod.sa)):
                if pod.get(k) not in (None, v):
                    wrong.append("pod.%s=%s" % (k, pod.get(k)))
            for k, v in (("name", w.cname), ("image", w.image)):
                if cont.get(k) not in (None, v):
                    wrong.append("container.%s=%s" % (k, cont.get(k)))
            if not att.get("complete") and not (att.get("missing") or att.get("conflicts")):
                wrong.append("incomplete without saying what is missing")
        ck.ok("[%s] %s: pod uid and container id right, every other field right or null, "
              "a partial attribution says what is missing" % (tag, key), not wrong,
              "; ".join(sorted(set(wrong))))
        summary = collections.Counter(
            json.dumps([(e.get("attribution") or {}).get("complete"),
                        sorted((e.get("attribution") or {}).get("missing") or []),
                        (e.get("container") or {}).get("name"), (e.get("pod") or {}).get("name")
                        is not None]) for e in evs)
        ck.info("[%s] %s attribution after removal [complete, missing, container.name, "
                "pod named]: %s" % (tag, key, dict(summary)))
        # what the removed pod would need: the container's own metadata, cached before the
        # pod went away (warm) or not (cold)
        if key in ("gone.warm", "gone.sibling"):
            # the pod was looked at before it went away (its other container's event): what
            # was read then is kept
            full = [e for e in evs if not attribution_ok(e, w, complete=False)]
            ck.eq("[%s] %s: container metadata read before the removal is kept (names, image, "
                  "credential modes)" % (tag, key), len(full), len(evs))
        else:
            # never looked at before: the spec is gone, the log directory is still there
            ck.eq("[%s] gone.cold: pod namespace and name from the kept log directory, the "
                  "spec reported missing" % tag,
                  sorted({json.dumps([(e.get("pod") or {}).get("namespace"),
                                      (e.get("pod") or {}).get("name"),
                                      "oci_spec" in ((e.get("attribution") or {}).get("missing")
                                                     or [])]) for e in evs}),
                  [json.dumps([w.pod.namespace, w.pod.name, True])])


def check_leaks(outputs, secrets_file):
    secrets = []
    with open(secrets_file) as f:
        for line in f:
            s = line.strip()
            if s:
                # a fixture JWT: its signature part is what must never appear
                secrets.append(s.rsplit(".", 1)[-1] if s.count(".") == 2 else s)
    ck.ok("fixture tokens and served credentials were recorded for the leak check",
          len(secrets) >= 8, "%d" % len(secrets))
    for name, path in outputs:
        try:
            with open(path, errors="replace") as f:
                data = f.read()
        except OSError as e:
            ck.ok("leak check: %s readable" % name, False, str(e))
            continue
        hits = sum(1 for s in secrets if len(s) >= 16 and s in data)
        ck.eq("no token signature or served credential in %s" % name, hits, 0)


# ------------------------------------------------------------------------------------------
# the DaemonSet's own checks


def bpf_attachments():
    """{prog id: [cgroup path]} of cgroup attachments (bpftool, the machine's view)."""
    att = collections.defaultdict(list)
    r = cn.run(["bpftool", "-j", "cgroup", "tree"], check=False)
    try:
        for ent in json.loads(r.stdout or "[]"):
            for prog in ent.get("programs", []):
                att[prog["id"]].append(ent["cgroup"])
    except ValueError:
        pass
    return att


def prog_ids(pid):
    """BPF program ids a process holds (program and link fds, from /proc/PID/fdinfo)."""
    ids = set()
    try:
        fds = os.listdir("/proc/%d/fdinfo" % pid)
    except OSError:
        return ids
    for fd in fds:
        try:
            with open("/proc/%d/fdinfo/%s" % (pid, fd)) as f:
                for line in f:
                    if line.startswith("prog_id:"):
                        ids.add(int(line.split()[1]))
        except (OSError, ValueError):
            pass
    return ids


def attached_at(attach, pid_ids):
    return sorted({cg for prog in pid_ids for cg in attach.get(prog, [])})


def oci_labels(archive):
    """The image config's labels in an OCI archive (index -> manifest -> config)."""
    import tarfile
    with tarfile.open(archive) as t:
        def blob(digest):
            return json.load(t.extractfile("blobs/sha256/" + digest.split(":", 1)[1]))
        idx = json.load(t.extractfile("index.json"))
        man = blob(idx["manifests"][0]["digest"])
        return (blob(man["config"]["digest"]).get("config") or {}).get("Labels") or {}


def check_ds(tag, agent, events, node_name, cluster, cg2_root, attach, archive=None):
    ready = next((e for e in events if e.get("event") == "agent_ready"), {})
    cfg = ready.get("config") or {}
    if archive:
        labels = oci_labels(archive)
        ck.eq("[%s] image labels: title, and the version the running agent reports" % tag,
              [labels.get("org.opencontainers.image.title"),
               labels.get("org.opencontainers.image.version")],
              ["credwatch", (ready.get("agent") or {}).get("version")])
        ck.ok("[%s] image label: the base image is pinned by digest (%s)" %
              (tag, labels.get("org.opencontainers.image.base.name")),
              "@sha256:" in (labels.get("org.opencontainers.image.base.name") or ""))
    ck.eq("[%s] node name from the pod's env (fieldRef spec.nodeName), cluster from the "
          "manifest" % tag, [(ready.get("node") or {}).get("name"),
                             (ready.get("node") or {}).get("cluster")], [node_name, cluster])
    targets = sorted({h.get("target") for h in ready.get("hooks", []) if h.get("target")})
    ck.info("[%s] agent_ready.config.cgroup2_mount=%s hook targets=%s" %
            (tag, cfg.get("cgroup2_mount"), targets))
    # in the pod, the node's cgroup2 mount is reachable through /host (the node's /) or at
    # its own path (when the runtime mounts the hierarchy's root there)
    ck.ok("[%s] agent_ready: cgroup2_mount is the node's cgroup2 mount (%s or /host%s) and "
          "every cgroup hook targets it" % (tag, cg2_root, cg2_root),
          cfg.get("cgroup2_mount") in (cg2_root, "/host" + cg2_root) and
          targets == [cfg.get("cgroup2_mount")], "%s, %s" % (cfg.get("cgroup2_mount"), targets))
    # where its cgroup programs really are, by bpftool (program ids held by the agent's pid)
    mine = attached_at(attach, agent.prog_ids)
    ck.eq("[%s] its cgroup programs are attached at the host's cgroup2 root (%s), nowhere "
          "else (bpftool)" % (tag, cg2_root), mine, [cg2_root])
    return ready


def check_cri_log(tag, agent):
    recs = cri_log(agent.log)
    out = [r for r in recs if r[1] == "stdout"]
    bad = [r for r in recs if r[0] == "?"]
    ck.eq("[%s] CRI log %s: every line is '<time> <stream> <P|F> <message>'" %
          (tag, os.path.relpath(agent.log, agent.pod.node.root)), len(bad), 0)
    ck.eq("[%s] CRI log: no partial (P) stdout line" % tag,
          [r[2] for r in out if r[2] != "F"], [])
    evs, notjson = [], 0
    for r in out:
        try:
            evs.append(json.loads(r[3]))
        except ValueError:
            notjson += 1
    ck.eq("[%s] CRI log: every stdout line is one JSON event" % tag, notjson, 0)
    path = os.path.join(agent.pod.node.root, tag + ".events.json")
    with open(path, "w") as f:
        for r in out:
            f.write(r[3] + "\n")
    v = cn.run([VALIDATE, path, "--complete"], check=False)
    ck.ok("[%s] CRI log: every event valid against the schema, agent_ready first, agent_stats "
          "last" % tag, v.returncode == 0, v.stdout[-800:])
    stats = evs[-1] if evs and evs[-1].get("event") == "agent_stats" else {}
    counted = collections.Counter(e.get("event") for e in evs)
    written = stats.get("events") or {}
    ck.info("[%s] agent_stats.events=%s" % (tag, json.dumps(written, sort_keys=True)))
    # agent_stats counts the events it wrote by type, and the fold windows' summaries; the
    # log has those lines plus agent_ready and the agent_stats lines themselves (one every
    # --stats-interval, default 60 s, and the final one)
    got = dict(written, finding_summary=(stats.get("finding_counts") or {}).get("summaries"),
               repeat_summary=(stats.get("quiet") or {}).get("summaries", 0),
               agent_ready=1, agent_stats=max(1, counted.get("agent_stats", 0)))
    want = {k: counted.get(k, 0) for k in got}
    ck.eq("[%s] agent_stats counts per event type match the log's lines" % tag, got, want)
    ck.eq("[%s] every line of the log is one of those" % tag, sum(counted.values()),
          sum(want.values()))
    return evs


# ------------------------------------------------------------------------------------------


def main():
    imgs = env_file(sys.argv[1])
    cleanup = cn.Cleanup()
    node = cn.Node(cleanup)
    agents = {}
    t0 = time.time()
    try:
        scenario(node, imgs, agents, t0)
    except cn.Interrupted as e:
        ck.ok("suite ran to the end", False, "interrupted: %s" % e)
    except Exception:  # noqa: BLE001 - any setup failure is a failed check, then cleanup
        traceback.print_exc()
        ck.ok("suite ran to the end", False, "exception (traceback above)")
        if node.root:
            sys.stderr.write("containerd log tail:\n" + node.tail_log(15))
    finally:
        root, uids, created = node.root, list(node.pod_uids), list(node.created_mountpoints)
        cpid = node.containerd.pid if node.containerd else None
        cleanup.run()
        after_cleanup(root, uids, created, cpid)
    print("cri: %d passed, %d failed%s" % (ck.passed, ck.failed,
                                           (", %d skipped" % ck.skipped) if ck.skipped else ""))
    return 1 if ck.failed else 0


def after_cleanup(root, uids, created, cpid):
    if root is None:
        return
    ck.ok("cleanup: the run directory is gone", not os.path.exists(root), root)
    ck.eq("cleanup: no mount left under it", [m["mp"] for m in cn.mountinfo()
                                              if m["mp"].startswith(root)], [])
    left = []
    for mp in cn.cgroup_mounts().values():
        for uid in uids:
            for q in ("burstable/", "besteffort/", ""):
                if os.path.exists(os.path.join(mp, "kubepods", q + "pod" + uid)):
                    left.append(os.path.join(mp, "kubepods", q + "pod" + uid))
        if os.path.exists(os.path.join(mp, "cwcri-%d" % os.getpid())):
            left.append(os.path.join(mp, "cwcri-%d" % os.getpid()))
    ck.eq("cleanup: no pod or node cgroup left in any hierarchy", left, [])
    ck.eq("cleanup: the mount points it created are gone", [d for d in created
                                                           if os.path.exists(d)], [])
    ck.ok("cleanup: containerd has exited", cpid is None or not cn.alive(cpid))


def scenario(node, imgs, agents, t0):
    node.start()
    v = cn.run(["containerd", "--version"]).stdout.split()
    ck.info("runtime: containerd %s, %s" % (v[2] if len(v) > 2 else "?",
                                            cn.run(["runc", "--version"]).stdout.split("\n")[0]))
    for k in ("PAUSE", "WORKLOAD", "CREDWATCH"):
        node.import_image(imgs[k])
    ck.ok("runtime up: private containerd with the CRI plugin, images imported (%.1f s)" %
          (time.time() - t0), True)
    # --- the agents: on the host, and as the DaemonSet (privileged, and least privilege)
    # one event per access (no folding), and containerd's ttrpc socket (the shims' API) as an
    # extra socket: resolved under --host-root like every configured path
    cfg = os.path.join(node.root, "host-config.json")
    cn.write(cfg, json.dumps({"policy": {"fold_window_seconds": 0},
                              "extra_sockets": [{"path": TTRPC_SOCK,
                                                 "kind": "container_runtime"}]}) + "\n")
    host = HostAgent(node, "host", ["--host-root", node.root, "--config", cfg,
                                    "--node-name", node.name, "--cluster-name", "cwcri"])
    agents["host"] = host
    ck.ok("[host] agent_ready", host.wait_ready(), host.stderr()[-500:] if not host.p.poll()
          is None else "exited: " + host.stderr()[-500:])
    ds = PodAgent(node, imgs, label="ds")
    agents["ds"] = ds
    ck.ok("[ds] the manifest's image (REPLACE_ME/credwatch:<tag>) is the version built from "
          "this source (%s)" % imgs["VERSION"], ds.image_mapped_ok)
    ck.info("[ds] manifest keys not reaching the runtime: " + "; ".join(ds.notes))
    ck.info("[ds] ConfigMap volume, as the kubelet writes it: %s" % sorted(os.listdir(
        ds.pod.host(ds.pod.pod_dir + "/volumes/kubernetes.io~configmap/config"))))
    ds_ready = ds.wait_ready()
    ck.ok("[ds] the DaemonSet's agent starts (agent_ready in its CRI log)", ds_ready,
          ds.stderr()[-800:])
    caps = manifest.readme_capabilities(manifest.README)
    ck.info("[leastpriv] README capability list: %s" % " ".join(caps))

    def least(tpl):
        c = tpl["spec"]["containers"][0]
        c["securityContext"] = {"privileged": False,
                                "capabilities": {"add": [x[4:] for x in caps]}}
    lp = PodAgent(node, imgs, transform=least, label="leastpriv")
    agents["leastpriv"] = lp
    lp_ready = lp.wait_ready(timeout=20)
    if not lp_ready:
        st = lp.pod.status(lp.cid).status
        ck.info("[leastpriv] did not start: exit %d, stderr: %s" % (st.exit_code,
                                                                   lp.stderr()[-600:]))
    # the agent in a private cgroup namespace whose cgroup2 mount is rooted at its own cgroup:
    # what runc gives a non-privileged container on a cgroup v2-only node (containerd adds a
    # cgroup namespace there; on this hybrid machine it does not, so it is made here with
    # unshare, in a cgroup of our own, with a fresh cgroup2 mount over the hierarchy's path)
    cg2 = cn.cgroup2_mount()
    cgns_mounted = os.path.join(node.root, "cgns.mounted")
    cgns = HostAgent(node, "cgns", ["--host-root", node.root, "--config", cfg, "--node-name",
                                    node.name], wrap=[
        "unshare", "--cgroup", "--mount", "--propagation", "private", "--", "/bin/sh", "-c",
        # (the kernel refuses a second cgroup2 mount right on top of the first: a tmpfs
        # first, as runc does)
        'mount -t tmpfs cwcri-cgfs "${0%/*}" && mkdir -p "$0" && '
        'mount -t cgroup2 cwcri-cgns "$0" && grep "^0::" /proc/self/cgroup >"$1" && '
        'shift && exec "$@"', cg2, cgns_mounted])
    agents["cgns"] = cgns
    cgns_ready = cgns.wait_ready(timeout=15)
    ck.ok("[cgns] set up: private cgroup namespace, fresh cgroup2 mount at %s" % cg2,
          os.path.exists(cgns_mounted), cgns.stderr()[-300:])
    # --- the workload
    pods, ws = make_pods(node, imgs["WORKLOAD_REF"])
    links = {}
    for name, p in pods.items():
        links[name] = p.add_endpoints()
    ck.eq("every pod network namespace holds lo and nothing else (CNI loopback only)",
          sorted(set(tuple(v) for v in links.values())), [("lo",)])
    pi_vol = pods["pi"].vol_dirs["pi"]
    pods["irsa"].start_credsim()
    pods["plain"].start_credsim()
    pods["pi"].start_credsim(["--pia-token-file",
                              os.path.join(pi_vol, "..data", "eks-pod-identity-token")])
    acts = Actions()
    acts.token_read("irsa.app.irsa", ws["irsa.app"], IRSA_TOKEN)
    acts.token_read("irsa.app.sa", ws["irsa.app"], SA_TOKEN)
    acts.token_read("pi.app.pi", ws["pi.app"], PI_TOKEN)
    acts.imds_creds("irsa.metrics.imds", ws["irsa.metrics"])
    acts.imds_creds("plain.app.imds", ws["plain.app"])
    acts.pia("pi.app.pia", ws["pi.app"])
    acts.sock("plain.app.sock", ws["plain.app"], RUNTIME_SOCK)
    acts.sock("plain.app.ttrpc", ws["plain.app"], TTRPC_SOCK)
    # a host process reads the IRSA token through the container's root
    host_pid = run_host_reader(node, "/proc/%d/root%s" % (pods["irsa"].pid(ws["irsa.app"].cid),
                                                          IRSA_TOKEN), "reader")
    # the kubelet restarts a container: stop it, create attempt 1 in the same sandbox
    p = pods["pi"]
    old = ws["pi.app"]
    p.stop_container(old.cid, timeout=2)
    new = p.add(p.containers[old.cid][0], attempt=1)
    ws["pi.app.1"] = W(p, "app", new, old.image, old.cont_mode, old.pod_mode, None, attempt=1)
    ck.ok("restart: the new container logs to app/1.log in the same pod log directory",
          os.path.isfile(p.host(p.log_dir + "/app/1.log")))
    acts.token_read("pi.app.1.pi", ws["pi.app.1"], PI_TOKEN)
    ws_restart = ws.pop("pi.app")  # its events were checked above; its task is gone now
    # --- pods removed while their events wait in the ring buffer: the agents are stopped
    #     (SIGSTOP) while the containers read their tokens, the pods are removed the kubelet's
    #     way (sandbox stopped and removed, volumes unmounted, pod directory deleted; the log
    #     directory stays until the kubelet's garbage collection), then the agents go on.
    #     Pod "gone" had an event before (the agents looked at it and at its other container
    #     then); pod "gone2" never had one.
    wl = imgs["WORKLOAD_REF"]
    g = cn.Pod(node, "gone-app-" + cn.randhex(5), "cwcri-gone", sa="gone-reader",
               volumes=("sa", "irsa"))
    a, b = g.run([cn.Container("warm", wl, env=cn.webhook_env("irsa", IRSA_ARN),
                               volumes=("sa", "irsa")),
                  cn.Container("sibling", wl, env=cn.webhook_env("irsa", IRSA_ARN),
                               volumes=("sa", "irsa"))])
    g2 = cn.Pod(node, "gone2-app-" + cn.randhex(5), "cwcri-gone", sa="gone2-reader",
                volumes=("sa", "irsa"))
    (c,) = g2.run([cn.Container("app", wl, env=cn.webhook_env("irsa", IRSA_ARN),
                                volumes=("sa", "irsa"))])
    gone = {"gone.warm": {"w": W(g, "warm", a, wl, ["irsa"], ["irsa"], IRSA_ARN), "n": 0},
            "gone.sibling": {"w": W(g, "sibling", b, wl, ["irsa"], ["irsa"], IRSA_ARN), "n": 0},
            "gone.cold": {"w": W(g2, "app", c, wl, ["irsa"], ["irsa"], IRSA_ARN), "n": 0}}
    sh(g, a, 'cat "$1" >/dev/null', IRSA_TOKEN)
    gone["gone.warm"]["n"] += 1
    # every agent has written the warm container's first read before the pause
    wait_for(lambda: all(any((e.get("cgroup") or {}).get("path") == gone["gone.warm"]["w"].cgpath
                             for e in x.events()) for x in (host, ds)), 8)
    stopped = []
    for x in (host, ds, lp, cgns):
        if x.pid and cn.alive(x.pid):
            os.kill(x.pid, signal.SIGSTOP)
            stopped.append(x.pid)
    try:
        for _ in range(3):
            for key in gone:
                w = gone[key]["w"]
                sh(w.pod, w.cid, 'cat "$1" >/dev/null', IRSA_TOKEN)
                gone[key]["n"] += 1
        for pod in (g, g2):
            pod.remove()
            for kind, d in list(pod.vol_dirs.items()):
                cn.run(["umount", d])
                node.tmpfs.remove(d)
            cn.run(["rm", "-rf", "--one-file-system", pod.host(pod.pod_dir)])
        task = os.path.join(node.root, "run/containerd/io.containerd.runtime.v2.task/k8s.io")
        ck.ok("removed pods: task and pod directories gone, log directories kept, before the "
              "agents resume", not any(os.path.exists(os.path.join(task, i)) for i in (a, b, c))
              and not any(os.path.exists(x.host(x.pod_dir)) for x in (g, g2))
              and all(os.path.isdir(x.host(x.log_dir)) for x in (g, g2)))
    finally:
        for pid in stopped:
            os.kill(pid, signal.SIGCONT)
    # the fake node against the real one
    fidelity(node, pods, ws, ds)
    # let the agents drain (held-back events wait up to 1 s for metadata)
    ws["pi.app"] = ws_restart
    expect_cg = {w.cgpath for w in ws.values()} | {gone[k]["w"].cgpath for k in gone}
    wait_for(lambda: all(expect_cg <= {(e.get("cgroup") or {}).get("path")
                                       for e in x.events()} for x in (host, ds)), 10)
    time.sleep(1.5)
    # the manifest's probes, run as the kubelet runs them (ExecSync in the container)
    for x in (ds, lp) if lp_ready else (ds,):
        for kind, (cmd, tmo) in sorted(x.conts[0].probes.items()):
            rc, out, err = -1, b"", b""
            for _ in range(10):  # the first heartbeat follows agent_ready within a second
                rc, out, err = x.pod.exec(x.cid, cmd, timeout=max(tmo, 5))
                if rc == 0:
                    break
                time.sleep(0.5)
            msg = (out + err).decode(errors="replace").strip()[:300]
            # (the least-privileged agent has no CAP_SYS_ADMIN: health reads its links from
            # /proc/PID/fdinfo instead of looking them up by id)
            ck.ok("[%s] %s %s: exit 0 (%s)" % (x.label, kind, " ".join(cmd[1:]), msg),
                  rc == 0 and msg.startswith("ok: "), msg)
    ck.ok("[ds] the manifest has a liveness and a readiness probe",
          sorted(ds.conts[0].probes) == ["livenessProbe", "readinessProbe"], ds.conts[0].probes)
    attach = bpf_attachments()
    for x in (host, ds, lp, cgns):
        x.prog_ids = prog_ids(x.pid) if x.pid and cn.alive(x.pid) else set()
    # --- stop the agents; then ask every question of each one's output
    rc = host.stop()
    ck.eq("[host] agent exits 0 on SIGTERM", rc, 0)
    v = cn.run([VALIDATE, host.out, "--complete"], check=False)
    ck.ok("[host] every output line validates against the schema", v.returncode == 0,
          v.stdout[-500:])
    ds_rc = ds.stop()
    ck.eq("[ds] StopContainer: the agent exits 0 on SIGTERM within the grace period",
          ds_rc[0], 0)
    lp_rc = lp.stop() if lp_ready else None
    ck.eq("[host] its cgroup programs are attached at the cgroup2 root (%s), nowhere else "
          "(bpftool)" % cg2, attached_at(attach, host.prog_ids), [cg2])
    host_events = host.events()
    hn = {x: W(x.pod, x.conts[0].name, x.cid, imgs["CREDWATCH_REF"], ["node_role"],
               ["node_role"], None) for x in (ds, lp)}
    check_agent("host", host_events, ws, acts, host_pid, pods, gone, extra_sockets=True,
                hostnet=[hn[ds], hn[lp]])
    ds_events = check_cri_log("ds", ds)
    ck.info("[ds] its stderr (diagnostics, CRI log stream 'stderr'): %r" % ds.stderr()[-400:])
    check_ds("ds", ds, ds_events, node.name, "REPLACE_ME", cg2, attach, imgs["CREDWATCH"])
    check_agent("ds", ds_events, ws, acts, host_pid, pods, gone, hostnet=[hn[lp]])
    # what each agent says about the other credwatch instances reading tokens
    for tag, evs in (("host", host_events), ("ds", ds_events)):
        others = [e for e in evs if e.get("finding") and ((e.get("pod") or {}).get("namespace")
                                                          == "credwatch" or
                                                          (e.get("process") or {}).get("comm")
                                                          == "credwatch")]
        rules = collections.Counter("%s %s pid %s" % (e["finding"]["rule"],
                                                    (e.get("pod") or {}).get("name") or "host",
                                                    (e.get("process") or {}).get("pid"))
                                    for e in others)
        # the other agents' token reads are their attribution (file.credwatch_agent), not
        # foreign_token_read / host_token_read / credential_reconnaissance
        marked = sum(1 for e in evs if (e.get("file") or {}).get("credwatch_agent"))
        ck.eq("[%s] no finding about the other credwatch instances (%d of their opens marked "
              "file.credwatch_agent)" % (tag, marked), dict(rules), {})
    # the DaemonSet pod mounts no service-account token: known absent, not missing
    dsp = [e for e in host_events if (e.get("pod") or {}).get("namespace") == "credwatch"
           and e.get("attribution")]
    ck.ok("[host] the credwatch pods' events (%d): sa_token absent, not missing" % len(dsp),
          dsp and all("sa_token" not in e["attribution"].get("missing", []) and
                      "sa_token" in e["attribution"].get("absent", []) for e in dsp),
          "first: %s" % (dsp[0].get("attribution") if dsp else None))
    # --- least privilege: what happened
    lp_events = lp.events()
    lp_ready_ev = next((e for e in lp_events if e.get("event") == "agent_ready"), None)
    if lp_ready_ev is None:
        st = lp.pod.status(lp.cid).status
        ck.info("[leastpriv] exited %d without agent_ready; stderr: %s" %
                (st.exit_code, lp.stderr()[-600:]))
        ck.ok("[leastpriv] the agent refuses to start with a message on stderr and a non-zero "
              "exit", st.exit_code != 0 and lp.stderr().strip())
    else:
        mine = attached_at(attach, lp.prog_ids)
        seen = [k for k, w in ws.items() if by_cgroup(lp_events, w)]
        ck.info("[leastpriv] agent_ready.config.cgroup2_mount=%s; its cgroup programs "
                "(bpftool): %s; workload containers it saw events from: %d of %d; exit %s" %
                ((lp_ready_ev.get("config") or {}).get("cgroup2_mount"), mine, len(seen),
                 len(ws), lp_rc))
        blind = mine != [cg2] or len(seen) < len(ws)
        ck.ok("[leastpriv] %swith the README's capabilities instead of privileged the agent "
              "sees the whole node (or refuses to start)" % ("AGENT GAP (lead): " if blind else ""),
              not blind, "it ran half-blind: attached at %s, saw %d of %d containers" %
              (mine, len(seen), len(ws)))
    # --- the agent in a private cgroup namespace (the cgroup v2-only, non-privileged case)
    cg_events = cgns.events()
    if not os.path.exists(cgns_mounted):
        ck.skip("[cgns] the agent in a private cgroup namespace", "the namespace could not be "
                "set up (above)")
    elif not cgns_ready:
        err = cgns.stderr().strip()
        ck.info("[cgns] exited %s without agent_ready; stderr: %s" % (cgns.p.poll(), err[-400:]))
        ck.ok("[cgns] refuses to start in a cgroup namespace that hides the hierarchy's root, "
              "with a message and a non-zero exit", cgns.p.poll() not in (None, 0) and err)
    else:
        rc = cgns.stop()
        r = next(e for e in cg_events if e.get("event") == "agent_ready")
        mine = attached_at(attach, cgns.prog_ids)
        seen = collections.Counter(e.get("event") for w in ws.values()
                                   for e in by_cgroup(cg_events, w))
        want = collections.Counter(e.get("event") for w in ws.values()
                                   for e in by_cgroup(host_events, w))
        ck.info("[cgns] agent_ready.config.cgroup2_mount=%s, hook targets %s, its cgroup "
                "programs (bpftool): %s; workload events by type: %s (the host agent: %s); "
                "exit %s" % ((r.get("config") or {}).get("cgroup2_mount"),
                             sorted({h.get("target") for h in r.get("hooks", [])
                                     if h.get("target")}), mine, dict(seen), dict(want), rc))
        ck.ok("[cgns] AGENT GAP (lead): in a private cgroup namespace (cgroup2 mount rooted at "
              "its own cgroup) the agent must refuse to start; it started and ran %s" %
              ("half-blind" if (mine != [cg2] or seen != want) else "seeing the whole node"),
              False, "cgroup programs at %s, workload events %s of %s" %
              (mine, sum(seen.values()), sum(want.values())))
    # --- no secret anywhere
    outs = [("the host agent's output", host.out), ("the host agent's stderr", host.err),
            ("the cgroup-namespaced agent's output", cgns.out),
            ("the DaemonSet's CRI log", ds.log)]
    if os.path.exists(lp.log):
        outs.append(("the least-privilege pod's CRI log", lp.log))
    check_leaks(outs, node.secrets_file)
    ck.info("scenario took %.1f s" % (time.time() - t0))


if __name__ == "__main__":
    sys.exit(main())
