# SPDX-License-Identifier: GPL-2.0
"""manifest: deploy/credwatch-daemonset.yaml translated key by key into what the kubelet asks
the runtime for (a crinode.Pod and its Containers), so the CRI suite runs the DaemonSet as
shipped instead of a restatement of it.

Every key of the pod template is either translated, or ignored with the reason written below
(it only matters to the API server, the scheduler or the controller), or rejected: a key this
file does not know fails the suite, so a manifest change cannot be skipped silently.
"""
import os

import yaml

import crinode as cn

# pod template keys that do not reach the runtime, and why
IGNORED_POD = {
    "priorityClassName": "scheduling and eviction order (the kubelet also gives node-critical "
                         "pods oom_score_adj -997: translated below)",
    "tolerations": "scheduling",
    "nodeSelector": "scheduling",
    "affinity": "scheduling",
}
IGNORED_CONTAINER = {
    "imagePullPolicy": "the image is imported into the node, never pulled",
}
PROPAGATION = {None: cn.pb.PROPAGATION_PRIVATE, "None": cn.pb.PROPAGATION_PRIVATE,
               "HostToContainer": cn.pb.PROPAGATION_HOST_TO_CONTAINER,
               "Bidirectional": cn.pb.PROPAGATION_BIDIRECTIONAL}


class ManifestError(Exception):
    pass


def load(path):
    """{kind: [documents]} of a multi-document YAML file."""
    docs = {}
    with open(path) as f:
        for d in yaml.safe_load_all(f):
            if d:
                docs.setdefault(d["kind"], []).append(d)
    return docs


def _unknown(where, obj, known):
    extra = sorted(set(obj) - set(known))
    if extra:
        raise ManifestError("%s: keys the CRI translation does not know: %s" % (where, extra))


def _quantity(q):
    """Kubernetes quantity -> (milli-units for cpu | bytes for memory)."""
    q = str(q)
    units = {"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "k": 1000, "M": 1000 ** 2,
             "G": 1000 ** 3}
    if q.endswith("m"):
        return int(q[:-1])
    for u, m in units.items():
        if q.endswith(u):
            return int(float(q[:-len(u)]) * m)
    return float(q)


def _resources(res, critical):
    """The kubelet's QoS class and LinuxContainerResources for one container."""
    req = res.get("requests", {}) or {}
    lim = res.get("limits", {}) or {}
    _unknown("resources", res, ["requests", "limits"])
    if not req and not lim:
        qos = "besteffort"
    elif lim and all(k in lim for k in ("cpu", "memory")) and \
            all(str(req.get(k, lim[k])) == str(lim[k]) for k in ("cpu", "memory")):
        qos = "guaranteed"
    else:
        qos = "burstable"
    cpu_req = req.get("cpu", lim.get("cpu"))
    shares = max(2, _quantity(cpu_req) * 1024 // 1000) if cpu_req is not None else 2
    r = cn.pb.LinuxContainerResources(cpu_period=100000, cpu_shares=int(shares))
    if "cpu" in lim:
        r.cpu_quota = int(_quantity(lim["cpu"]) * 100000 // 1000)
    if "memory" in lim:
        r.memory_limit_in_bytes = int(_quantity(lim["memory"]))
    r.oom_score_adj = -997 if critical else {"besteffort": 1000, "guaranteed": -997}.get(qos, 999)
    return qos, r


def daemonset_pod(node, path, image_map, pod_name=None, transform=None):
    """A crinode.Pod (not yet run) and its Containers for the DaemonSet in `path`.

    image_map: function from the manifest's image string to a local image reference.
    transform: optional function applied to the parsed pod template (a copy) first - the
    suite's least-privilege variant edits securityContext through it, nothing else.
    Returns (pod, containers, notes) where notes lists what was ignored and why.
    """
    docs = load(path)
    ds = docs["DaemonSet"][0]
    cms = {c["metadata"]["name"]: c for c in docs.get("ConfigMap", [])}
    ns = ds["metadata"]["namespace"]
    tpl = yaml.safe_load(yaml.safe_dump(ds["spec"]["template"]))  # deep copy
    if transform:
        transform(tpl)
    spec = tpl["spec"]
    notes = []
    known = ["hostPID", "hostNetwork", "dnsPolicy", "automountServiceAccountToken",
             "containers", "volumes", "terminationGracePeriodSeconds"] + list(IGNORED_POD)
    _unknown("spec.template.spec", spec, known)
    for k in IGNORED_POD:
        if k in spec:
            notes.append("%s: %s" % (k, IGNORED_POD[k]))
    if spec.get("dnsPolicy", "ClusterFirst") not in ("ClusterFirst", "ClusterFirstWithHostNet"):
        raise ManifestError("dnsPolicy %s not translated" % spec["dnsPolicy"])
    critical = spec.get("priorityClassName") in ("system-node-critical",
                                                 "system-cluster-critical")
    name = pod_name or "%s-%s" % (ds["metadata"]["name"], cn.randhex(5))
    automount = spec.get("automountServiceAccountToken", True)
    meta = tpl.get("metadata", {})
    _unknown("spec.template.metadata", meta, ["labels", "annotations"])
    pod = cn.Pod(node, name, namespace=ns, sa=spec.get("serviceAccountName", "default"),
                 host_network=bool(spec.get("hostNetwork")), host_pid=bool(spec.get("hostPID")),
                 labels=dict(meta.get("labels", {}), **{
                     "controller-revision-hash": cn.randhex(10),
                     "pod-template-generation": "1"}),
                 annotations=meta.get("annotations", {}),
                 volumes=("sa",) if automount else ())
    pod.grace = int(spec.get("terminationGracePeriodSeconds", 30))

    # volumes: hostPath as is; configMap data written the kubelet's way into the pod directory
    vols = {}
    for v in spec.get("volumes", []):
        _unknown("volume %s" % v.get("name"), v, ["name", "hostPath", "configMap"])
        if "hostPath" in v:
            _unknown("hostPath", v["hostPath"], ["path", "type"])
            vols[v["name"]] = ("host", v["hostPath"]["path"])
        elif "configMap" in v:
            cm = v["configMap"]
            _unknown("configMap", cm, ["name", "defaultMode"])
            if cm["name"] not in cms:
                raise ManifestError("configMap %s is not in %s" % (cm["name"], path))
            pod.configmaps[v["name"]] = (cms[cm["name"]]["data"], cm.get("defaultMode", 0o644))
            vols[v["name"]] = ("configmap", "%s/volumes/kubernetes.io~configmap/%s" %
                               (pod.pod_dir, v["name"]))
        else:
            raise ManifestError("volume %s: only hostPath and configMap are translated" %
                                v.get("name"))

    containers = []
    for c in spec["containers"]:
        ck = ["name", "image", "args", "command", "env", "securityContext", "resources",
              "volumeMounts", "terminationMessagePolicy", "terminationMessagePath",
              "livenessProbe", "readinessProbe"]
        _unknown("container %s" % c.get("name"), c, ck + list(IGNORED_CONTAINER))
        env = []
        for e in c.get("env", []):
            _unknown("env %s" % e.get("name"), e, ["name", "value", "valueFrom"])
            if "value" in e:
                env.append((e["name"], str(e["value"])))
                continue
            ref = e["valueFrom"].get("fieldRef", {}).get("fieldPath")
            val = {"spec.nodeName": node.name, "metadata.name": name, "metadata.namespace": ns,
                   "metadata.uid": pod.uid, "status.hostIP": "127.0.0.1",
                   "status.podIP": "127.0.0.1"}.get(ref)
            if val is None:
                raise ManifestError("env %s: valueFrom %s not translated" % (e["name"],
                                                                             e["valueFrom"]))
            env.append((e["name"], val))
        sc = c.get("securityContext", {}) or {}
        _unknown("securityContext", sc, ["privileged", "capabilities", "readOnlyRootFilesystem",
                                         "allowPrivilegeEscalation", "runAsUser",
                                         "runAsNonRoot"])
        caps = sc.get("capabilities", {}) or {}
        mounts = []
        for m in c.get("volumeMounts", []):
            _unknown("volumeMount %s" % m.get("name"), m,
                     ["name", "mountPath", "readOnly", "mountPropagation"])
            kind, hp = vols[m["name"]]
            prop = m.get("mountPropagation")
            if prop not in PROPAGATION:
                raise ManifestError("mountPropagation %s" % prop)
            mounts.append((hp, m["mountPath"], bool(m.get("readOnly")), PROPAGATION[prop]))
        qos, res = _resources(c.get("resources", {}) or {}, critical)
        pod.qos = qos
        cont = cn.Container(c["name"], image_map(c["image"]), command=c.get("command"),
                            args=c.get("args"), env=env, volumes=("sa",) if automount else (),
                            privileged=bool(sc.get("privileged")),
                            caps_add=caps.get("add", []), caps_drop=caps.get("drop", []),
                            host_mounts=mounts,
                            termination_policy=c.get("terminationMessagePolicy", "File"))
        cont.resources = res
        # probes: the kubelet runs an exec probe as ExecSync in the container; the suite
        # does the same with the command (only exec probes are translated)
        cont.probes = {}
        for kind in ("livenessProbe", "readinessProbe"):
            pr = c.get(kind)
            if pr is None:
                continue
            _unknown("%s of %s" % (kind, c["name"]), pr,
                     ["exec", "initialDelaySeconds", "periodSeconds", "timeoutSeconds",
                      "failureThreshold", "successThreshold"])
            if "exec" not in pr:
                raise ManifestError("%s: only exec probes are translated" % kind)
            _unknown("%s.exec" % kind, pr["exec"], ["command"])
            cont.probes[kind] = (list(pr["exec"]["command"]), int(pr.get("timeoutSeconds", 1)))
        cont.no_new_privs = sc.get("allowPrivilegeEscalation") is False
        cont.readonly_rootfs = bool(sc.get("readOnlyRootFilesystem"))
        containers.append(cont)
    return pod, containers, notes


def image_tag(path):
    ds = load(path)["DaemonSet"][0]
    return ds["spec"]["template"]["spec"]["containers"][0]["image"].rsplit(":", 1)[1]


def readme_capabilities(readme):
    """The capability list the README's Requirements table gives instead of root."""
    with open(readme) as f:
        for line in f:
            if line.startswith("| root, or ") and "CAP_" in line:
                cell = line.split("|")[1]
                return [w.strip("`, ") for w in cell.split() if w.strip("`, ").startswith("CAP_")]
    raise ManifestError("%s: no capability list in the Requirements table" % readme)


HERE = os.path.dirname(os.path.abspath(__file__))
MANIFEST = os.path.join(HERE, "..", "..", "deploy", "credwatch-daemonset.yaml")
README = os.path.join(HERE, "..", "..", "README.md")
