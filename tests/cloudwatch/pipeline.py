#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Helpers of tests/cloudwatch/test_pipeline.sh: CRI log lines in, CloudWatch records checked.

  pipeline.py cri LOG EVENTS FIRST LAST [--split N]
        append events FIRST..LAST-1 (0-based line numbers of EVENTS, credwatch output) to LOG
        as containerd writes them: "<time> stdout F <json>"; with --split N, the event on line N
        is written as two records, "P" (its first half) then "F" (the rest). Each event is also
        appended to LOG.expected (what CloudWatch must receive for it).
  pipeline.py stderr LOG TEXTFILE
        append each line of TEXTFILE as "<now> stderr F <line>" (a diagnostic credwatch wrote)
  pipeline.py count STATE GROUP
        the number of log events stored in GROUP (all streams)
  pipeline.py check STATE GROUP STREAM=LOG... [--allow-resent] [--label TEXT]
        PASS/FAIL lines: every expected record of each LOG arrived in STREAM exactly once (with
        --allow-resent: at least once, and every extra copy belongs to a request the simulator
        stored and then answered with an error), nothing else arrived in GROUP, event records
        are the event's JSON with nothing added, their timestamp is the event's time, every
        request was signed, and agent_stats' counts per event type match what arrived.
"""

import collections
import datetime
import json
import os
import sys

COUNTED = ("endpoint_connect", "file_open", "socket_connect", "imds_request", "agent_request")
failed = 0


def check(ok, desc):
    global failed
    print(("PASS: " if ok else "FAIL: ") + desc)
    failed += 0 if ok else 1
    return ok


def ms_of(rfc3339):
    # 2026-12-06T08:10:00.123456789Z -> milliseconds since the epoch (truncated, like Fluent Bit)
    sec, frac = rfc3339.rstrip("Z").split(".")
    t = datetime.datetime.strptime(sec, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return int(t.timestamp()) * 1000 + int(frac[:3].ljust(3, "0"))


def now_cri():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def cmd_cri(log, events, first, last, split=None):
    with open(events, encoding="utf-8") as f:
        lines = f.read().split("\n")[:-1]
    with open(log, "a", encoding="utf-8") as out, open(log + ".expected", "a") as exp:
        for i in range(int(first), int(last)):
            text = lines[i]
            obj = json.loads(text)
            t = obj["time"]
            if split is not None and i == int(split):
                half = len(text) // 2
                out.write("%s stdout P %s\n" % (t, text[:half]))
                out.write("%s stdout F %s\n" % (t, text[half:]))
            else:
                out.write("%s stdout F %s\n" % (t, text))
            exp.write(json.dumps({"kind": "event", "obj": obj, "ts": ms_of(t),
                                  "split": split is not None and i == int(split)}) + "\n")


def cmd_stderr(log, textfile):
    with open(textfile, encoding="utf-8", errors="replace") as f:
        texts = [l.rstrip("\n") for l in f if l.strip()]
    with open(log, "a", encoding="utf-8") as out, open(log + ".expected", "a") as exp:
        for t in texts:
            out.write("%s stderr F %s\n" % (now_cri(), t))
            exp.write(json.dumps({"kind": "stderr", "text": t}) + "\n")


def load_state(state):
    evs, reqs = [], []
    p = os.path.join(state, "events.jsonl")
    if os.path.exists(p):
        with open(p) as f:
            evs = [json.loads(l) for l in f]
    p = os.path.join(state, "requests.jsonl")
    if os.path.exists(p):
        with open(p) as f:
            reqs = [json.loads(l) for l in f]
    return evs, reqs


def cmd_count(state, group):
    evs, _ = load_state(state)
    print(sum(1 for e in evs if e["group"] == group))


def canon(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def cmd_check(state, group, pairs, allow_resent=False, label=""):
    evs, reqs = load_state(state)
    lab = (label + ": ") if label else ""
    check(reqs and all(r.get("signature") == "ok" for r in reqs),
          "%severy request to the simulator (%d) carried a valid SigV4 signature for logs/%s" %
          (lab, len(reqs), "us-east-1"))
    mine = [e for e in evs if e["group"] == group]
    others = [e for e in evs if e["group"] != group]
    check(not others, "%severything went to log group %s (elsewhere: %d)" % (lab, group, len(others)))
    stored_failed = {r["n"] for r in reqs if r.get("stored")}
    used = set()
    for stream, log in pairs:
        with open(log + ".expected") as f:
            expected = [json.loads(l) for l in f]
        got = [e for e in mine if e["stream"] == stream]
        used.add(stream)
        by_msg = collections.defaultdict(list)
        for e in got:
            try:
                m = json.loads(e["message"])
            except ValueError:
                m = {"_not_json": e["message"]}
            by_msg[canon(m)].append(e)
        n_ev = sum(1 for x in expected if x["kind"] == "event")
        n_err = len(expected) - n_ev
        missing, dups, dup_ok, badts, extra = [], 0, 0, [], dict(by_msg)
        seen_keys = set()
        for x in expected:
            if x["kind"] == "event":
                key = canon(x["obj"])
            else:
                cands = [k for k in extra if json.loads(k).get("log") == x["text"]
                         and json.loads(k).get("stream") == "stderr"]
                key = cands[0] if cands else None
            if key in seen_keys:
                continue  # identical expected lines (not in credwatch output)
            seen_keys.add(key)
            copies = extra.pop(key, []) if key else []
            if not copies:
                missing.append(x)
                continue
            if len(copies) > 1:
                dups += len(copies) - 1
                # each copy but one must come from a request stored and then failed
                if sum(1 for c in copies if c["request"] in stored_failed) >= len(copies) - 1:
                    dup_ok += len(copies) - 1
            if x["kind"] == "event" and any(c["timestamp"] != x["ts"] for c in copies):
                badts.append(x["obj"].get("event"))
        check(not missing, "%sstream %s: every one of %d events and %d stderr lines arrived%s" %
              (lab, stream, n_ev, n_err, "" if not missing else
               " (missing %d: %s)" % (len(missing), [m.get("obj", m).get("event", m.get("text"))
                                                     for m in missing[:5]])))
        if allow_resent:
            check(dup_ok == dups, "%sstream %s: %d extra copies, all of them from requests the "
                  "simulator stored and then failed (%d)" % (lab, stream, dups, dup_ok))
        else:
            check(dups == 0, "%sstream %s: no event arrived twice (%d duplicates)" % (lab, stream, dups))
        check(not extra, "%sstream %s: nothing arrived that was not written by credwatch's "
              "container (%d other records%s)" % (lab, stream, len(extra),
                                                  (": " + list(extra)[0][:120]) if extra else ""))
        check(not badts, "%sstream %s: each event's CloudWatch timestamp is its own time (ms)%s" %
              (lab, stream, (" (not for %s)" % badts[:5]) if badts else ""))
        # the shape of an event record
        shapes = [json.loads(k) for k in by_msg if "event" in json.loads(k)]
        bad = [s for s in shapes if {"log", "log_processed", "kubernetes", "stream", "_p"} & set(s)]
        check(shapes and not bad, "%sstream %s: event records carry the event's fields at the top "
              "level and nothing else (no log, log_processed, kubernetes, stream, _p)" % (lab, stream))
        split = [x for x in expected if x.get("split")]
        if split:
            check(all(canon(x["obj"]) in by_msg for x in split),
                  "%sstream %s: the event written as P + F partials arrived whole" % (lab, stream))
        # agent_stats: its per-type counts against the events that arrived in this stream
        arrived = [json.loads(k) for k in by_msg]
        stats = [a for a in arrived if a.get("event") == "agent_stats"]
        if stats:
            st = stats[-1]["events"]
            have = collections.Counter(a.get("event") for a in arrived)
            diff = {t: (st.get(t), have.get(t, 0)) for t in COUNTED if st.get(t) != have.get(t, 0)}
            check(not diff, "%sstream %s: agent_stats' counts per event type match what arrived "
                  "(%s)%s" % (lab, stream, ", ".join("%s %d" % (t, st.get(t, 0)) for t in COUNTED),
                              (" differ (stats, arrived): %s" % diff) if diff else ""))
    stray = sorted({e["stream"] for e in mine} - used)
    check(not stray, "%sno other stream in the group%s" % (lab, (": %s" % stray) if stray else ""))
    return failed


def main():
    a = sys.argv[1:]
    if not a:
        sys.exit(__doc__)
    if a[0] == "cri":
        split = None
        if "--split" in a:
            i = a.index("--split")
            split = a[i + 1]
            del a[i:i + 2]
        cmd_cri(*a[1:5], split=split)
    elif a[0] == "stderr":
        cmd_stderr(a[1], a[2])
    elif a[0] == "count":
        cmd_count(a[1], a[2])
    elif a[0] == "check":
        allow = "--allow-resent" in a
        a = [x for x in a if x != "--allow-resent"]
        label = ""
        if "--label" in a:
            i = a.index("--label")
            label = a[i + 1]
            del a[i:i + 2]
        pairs = [tuple(p.split("=", 1)) for p in a[3:]]
        sys.exit(1 if cmd_check(a[1], a[2], pairs, allow, label) else 0)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
