#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Static checks of deploy/cloudwatch, one PASS/FAIL line each:

- every field a Logs Insights query, a metric filter pattern (and its metric value) or a
  Fluent Bit parser step reads exists in tests/schema/events.schema.json, for the event types
  the query or pattern filters on; every literal compared with an enumerated field is one of
  its values (a misspelt rule or severity would match nothing, silently);
- the filter-pattern evaluator (cwpattern.py) gives the outcomes the CloudWatch Logs user
  guide documents for its own examples;
- the CloudFormation template is consistent: every !Ref / !Sub name and condition exists,
  each alarm watches a metric a metric filter produces, each saved query is the query file
  of the same name, byte for byte;
- the Fluent Bit files: the parser the filter names is defined, the configuration reads only
  the environment variables the Container Insights DaemonSet sets.

usage: check_static.py [REPO]
"""

import glob
import json
import os
import re
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwfields  # noqa: E402
import cwpattern  # noqa: E402

REPO = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                       os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CW = os.path.join(REPO, "deploy", "cloudwatch")
failed = 0


def check(ok, desc):
    global failed
    print(("PASS: " if ok else "FAIL: ") + desc)
    if not ok:
        failed += 1
    return ok


with open(os.path.join(REPO, "tests", "schema", "events.schema.json")) as f:
    SCHEMA = json.load(f)
ALL_TYPES = cwfields.event_types(SCHEMA)


def field_problems(field, types, literals=None):
    """Why FIELD (dotted) is not usable for TYPES, or None."""
    bad_types = [t for t in types if t not in ALL_TYPES]
    if bad_types:
        return "unknown event type(s) %s" % bad_types
    leaves = cwfields.schema_lookup(SCHEMA, types, field)
    if not leaves:
        return "%s is not in the schema for %s" % (field, "/".join(types))
    if literals:
        allowed = cwfields.enum_values(leaves)
        if allowed is not None:
            wrong = [v for v in literals if v not in allowed and "*" not in v]
            if wrong:
                return "%s compared with %s, not among its values %s" % (field, wrong, sorted(allowed))
    return None


# --- Logs Insights queries ---------------------------------------------------------------------
QUERIES = sorted(glob.glob(os.path.join(CW, "queries", "*.insights")))
check(len(QUERIES) >= 7, "deploy/cloudwatch/queries has the 7 queries (%d files)" % len(QUERIES))
for q in QUERIES:
    name = os.path.basename(q)
    with open(q) as f:
        text = f.read()
    try:
        fields, comps, events = cwfields.insights_refs(text)
    except cwfields.QueryError as e:
        check(False, "%s: readable (%s)" % (name, e))
        continue
    types = events or ALL_TYPES
    probs = []
    lits = {}
    for fld, op, vals in comps:
        lits.setdefault(fld, []).extend(vals)
    for fld in fields:
        p = field_problems(fld, types, lits.get(fld))
        if p:
            probs.append(p)
    check(not probs and fields,
          "%s: its %d fields exist in the schema for %s%s" %
          (name, len(fields), "/".join(events) if events else "any event",
           (": " + "; ".join(probs)) if probs else ""))

# --- the evaluator against the user guide's own examples ---------------------------------------
DOC1 = {"eventType": "UpdateTrail", "sourceIPAddress": "111.111.111.111",
        "arrayKey": ["value", "another value"],
        "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
        "SomeObject": None, "ThisFlag": True}
DOC2 = {"user": {"id": 1, "email": "John.Stiles@example.com"},
        "users": [{"id": 2, "email": "John.Doe@example.com"},
                  {"id": 3, "email": "Jane.Doe@example.com"}],
        "actions": ["GET", "PUT", "DELETE"],
        "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]]}
DOC_EXAMPLES = [
    (DOC1, '{ $.eventType = "UpdateTrail" }', True),
    (DOC1, '{ $.sourceIPAddress != 123.123.* }', True),
    (DOC1, '{ $.arrayKey[0] = "value" }', True),
    (DOC1, '{ $.objectList[1].id = 2 }', True),
    (DOC1, '{ $.SomeObject IS NULL }', True),
    (DOC1, '{ $.SomeOtherObject NOT EXISTS }', True),
    (DOC1, '{ $.ThisFlag IS TRUE }', True),
    (DOC2, '{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', True),
    (DOC2, '{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', False),
    (DOC2, '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }', True),
    (DOC2, '{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }', False),
    ({"users": [1, 2, 3]}, '{ $.users = 1 }', False),
    ({"users": [1, 2, 3]}, '{ $.users != 1 }', False),
    ({"latency": 500}, '{ $.latency >= 500 }', True),
    ({"numbers": [9]}, '{ $.numbers[0] < 10e3 }', True),
    ({"numbers": [9]}, '{ $.numbers[0] < 10e-3 }', False),
    ({"errorCode": 400}, '{ $.errorCode = 400 }', True),
    ({"errorCode": 400}, '{ $.errorCode != 500 }', True),
    ({"latency": 1001}, '{ $.latency > +1000 }', True),
    ({"e": "PutEvent"}, '{ $.e = *Event }', True),
    ({"e": "EventName"}, '{ $.e = Event* }', True),
    ({"e": "EvXent"}, '{ $.e = "Ev*ent" }', False),
    ({"e": "Ev*ent"}, '{ $.e = "Ev*ent" }', True),
    ({"foo": "bar"}, '{ $.foo = bar || $.foo = baz }', True),
    ({"foo": "qux"}, '{ $.foo = bar || $.foo = baz }', False),
]
bad = [(p, want) for doc, p, want in DOC_EXAMPLES if cwpattern.matches(p, json.dumps(doc)) != want]
check(not bad, "filter-pattern evaluator: the user guide's %d JSON examples give the documented "
      "outcome%s" % (len(DOC_EXAMPLES), (" (wrong: %s)" % bad) if bad else ""))
rejected = []
for p in ('ERROR', '[ip, user, ...]', '{ $.a EXISTS }', '{ $.a = %ab+% }', '{ $.a > abc }'):
    try:
        cwpattern.parse(p)
    except cwpattern.PatternError:
        rejected.append(p)
check(len(rejected) == 5, "filter-pattern evaluator: refuses what it does not implement "
      "(text, space-delimited, EXISTS, regex values, non-numeric >) (%d of 5)" % len(rejected))


# --- CloudFormation ----------------------------------------------------------------------------
class CfnLoader(yaml.SafeLoader):
    pass


def _tag(loader, suffix, node):
    name = "Ref" if suffix == "Ref" else "Fn::" + suffix
    if isinstance(node, yaml.ScalarNode):
        val = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        val = loader.construct_sequence(node, deep=True)
    else:
        val = loader.construct_mapping(node, deep=True)
    return {name: val}


CfnLoader.add_multi_constructor("!", _tag)
TEMPLATE = os.path.join(CW, "cloudformation", "credwatch-cloudwatch.yaml")
with open(TEMPLATE) as f:
    tpl = yaml.load(f, Loader=CfnLoader)
params = set(tpl.get("Parameters", {}))
res = tpl.get("Resources", {})
conds = set(tpl.get("Conditions", {}))
PSEUDO = {"AWS::NoValue", "AWS::Region", "AWS::AccountId", "AWS::StackName", "AWS::Partition",
          "AWS::URLSuffix", "AWS::StackId"}
refs, subs, ifs = [], [], []


def walk(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "Ref":
                refs.append(v)
            elif k == "Fn::Sub":
                s = v if isinstance(v, str) else v[0]
                subs.extend(re.findall(r"\$\{([^}!]+)\}", s))
            elif k == "Fn::If":
                ifs.append(v[0])
            walk(v)
    elif isinstance(node, list):
        for v in node:
            walk(v)


walk(tpl)
known = params | set(res) | PSEUDO
check(all(r in known for r in refs + subs) and all(c in conds for c in ifs) and
      all(r.get("Condition", next(iter(conds), None)) in conds for r in res.values() if "Condition" in r),
      "CloudFormation: every Ref/Sub name and condition is defined (%d refs, %d subs, %d ifs)%s" %
      (len(refs), len(subs), len(ifs),
       "" if all(r in known for r in refs + subs) else
       ": undefined %s" % sorted(set(refs + subs) - known)))

REQUIRED = {
    "AWS::Logs::LogGroup": ["LogGroupName"],
    "AWS::Logs::MetricFilter": ["LogGroupName", "FilterPattern", "MetricTransformations"],
    "AWS::CloudWatch::Alarm": ["ComparisonOperator", "EvaluationPeriods", "Threshold", "MetricName",
                               "Namespace", "Statistic", "Period"],
    "AWS::Logs::QueryDefinition": ["Name", "QueryString"],
}
missing = ["%s.%s" % (n, p) for n, r in res.items() for p in REQUIRED.get(r["Type"], ["?"])
           if p not in r.get("Properties", {})]
check(not missing, "CloudFormation: resources of known types with their required properties%s" %
      ((": missing " + ", ".join(missing)) if missing else ""))

filters = {n: r for n, r in res.items() if r["Type"] == "AWS::Logs::MetricFilter"}
alarms = {n: r for n, r in res.items() if r["Type"] == "AWS::CloudWatch::Alarm"}
PATTERNS = {}
for n, r in filters.items():
    p = r["Properties"]
    pat = p["FilterPattern"]
    PATTERNS[n] = pat
    try:
        conds_ = cwpattern.selectors(pat)
    except cwpattern.PatternError as e:
        check(False, "metric filter %s: pattern parses (%s)" % (n, e))
        continue
    evs = [c.value for c in conds_ if c.path == ["event"] and c.op == "=" and c.quoted]
    types = evs or ALL_TYPES
    probs, fields = [], []
    for c in conds_:
        fld = ".".join(str(s) for s in c.path)
        fields.append(fld)
        lit = [c.value] if c.op in ("=", "!=") and isinstance(c.value, str) else None
        pr = field_problems(fld, types, lit)
        if pr:
            probs.append(pr)
    for t in p["MetricTransformations"]:
        v = str(t["MetricValue"])
        if v.startswith("$."):
            fld = v[2:]
            if fld not in fields:
                probs.append("metric value %s is not matched by the pattern" % v)
            pr = field_problems(fld, types)
            if pr:
                probs.append(pr)
        elif not re.match(r"^[0-9]+(\.[0-9]+)?$", v):
            probs.append("metric value %r" % v)
        for d in t.get("Dimensions", []):
            pr = field_problems(d["Value"][2:], types)
            if pr:
                probs.append(pr)
    check(not probs, "metric filter %s: %s - fields %s exist in the schema for %s%s" %
          (n, pat, sorted(set(fields)), "/".join(evs) if evs else "any event",
           (": " + "; ".join(probs)) if probs else ""))


def metric_key(ns, name):
    return json.dumps([ns, name], sort_keys=True)


produced = {metric_key(t["MetricNamespace"], t["MetricName"])
            for r in filters.values() for t in r["Properties"]["MetricTransformations"]}
orphans = [n for n, a in alarms.items()
           if metric_key(a["Properties"]["Namespace"], a["Properties"]["MetricName"]) not in produced]
check(alarms and not orphans, "CloudFormation: each of the %d alarms watches a metric a metric "
      "filter produces%s" % (len(alarms), (": not %s" % orphans) if orphans else ""))
sev = " ".join(PATTERNS.values())
check('"high"' in sev and '"critical"' in sev and "drops." in sev,
      "CloudFormation: metric filters for high findings, critical findings and drops")

qdefs = {r["Properties"]["Name"]: r["Properties"]["QueryString"]
         for r in res.values() if r["Type"] == "AWS::Logs::QueryDefinition"}
for q in QUERIES:
    name = "credwatch/" + os.path.basename(q)[:-len(".insights")]
    with open(q) as f:
        text = f.read()
    check(qdefs.get(name) == text, "CloudFormation: saved query %s is %s verbatim" %
          (name, os.path.relpath(q, REPO)))
check(len(qdefs) == len(QUERIES), "CloudFormation: no saved query without its file (%d, %d)" %
      (len(qdefs), len(QUERIES)))

# --- Fluent Bit --------------------------------------------------------------------------------


def classic_sections(path):
    secs, cur = [], None
    with open(path) as f:
        for line in f:
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            m = re.match(r"^\[([A-Z_]+)\]$", s)
            if m:
                cur = {"_section": m.group(1)}
                secs.append(cur)
                continue
            k, _, v = s.partition(" ")
            cur.setdefault(k.lower(), []).append(v.strip())
    return secs


FB = os.path.join(CW, "fluent-bit")
conf = classic_sections(os.path.join(FB, "credwatch.conf"))
parsers = classic_sections(os.path.join(FB, "parsers-credwatch.conf"))
pnames = {p["name"][0]: p for p in parsers if p["_section"] == "PARSER"}
used = [s["parser"][0] for s in conf if s["_section"] == "FILTER" and "parser" in s]
check(used and all(u in pnames for u in used),
      "Fluent Bit: the parser filter's parser %s is defined in parsers-credwatch.conf" % used)
probs = []
for u in used:
    p = pnames.get(u, {})
    for key in ("time_key",):
        for fld in p.get(key, []):
            pr = field_problems(fld, ALL_TYPES)
            if pr:
                probs.append(pr)
            req = all(fld in SCHEMA.get("required", []) for _ in [0])
            if not req:
                probs.append("%s is not required in every event" % fld)
    if p.get("time_keep", ["Off"])[0].lower() != "on":
        probs.append("Time_Keep is not On: the event's own time field would be removed")
check(not probs, "Fluent Bit: the parser's Time_Key (the event's time) is a field every event "
      "has, and is kept%s" % ((": " + "; ".join(probs)) if probs else ""))
with open(os.path.join(FB, "credwatch.conf")) as f:
    envs = sorted(set(re.findall(r"\$\{([A-Za-z0-9_]+)\}", f.read())))
check(envs == ["AWS_REGION", "CLUSTER_NAME", "HOST_NAME"],
      "Fluent Bit: reads only the Container Insights DaemonSet's variables (%s)" % envs)
outs = [s for s in conf if s["_section"] == "OUTPUT"]
check(len(outs) == 1 and outs[0]["name"] == ["cloudwatch_logs"] and "log_key" not in outs[0]
      and outs[0]["log_group_name"] == ["/aws/containerinsights/${CLUSTER_NAME}/credwatch"],
      "Fluent Bit: one cloudwatch_logs output to /aws/containerinsights/<cluster>/credwatch "
      "sending whole records (no log_key)")
check(not any(s.get("name") == ["kubernetes"] for s in conf),
      "Fluent Bit: no kubernetes filter on credwatch's records")
sys.exit(1 if failed else 0)
