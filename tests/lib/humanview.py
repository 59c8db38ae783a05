#!/usr/bin/python3
"""The human view of credwatch/v1 JSON lines, written from its specification (README and
docs: one line per event, TIME SEVERITY NS/POD CONTAINER EXE[PID] WHAT RULE: SUMMARY; names
escaped for a terminal and bounded) independently of the C code, so that tests can compare
`credwatch view` with it. Filters as `credwatch view` takes them.

usage: humanview.py FILE [--namespace NS,...] [--pod PREFIX,...] [--container C,...]
                         [--severity SEV] [--event E,...] [--findings-only]
"""
import datetime
import json
import sys

SEV = {"low": 1, "medium": 2, "high": 3, "critical": 4}
LABEL = {0: "-       ", 1: "LOW     ", 2: "MEDIUM  ", 3: "HIGH    ", 4: "CRITICAL"}
HIDDEN = [(0x80, 0x9f), (0x200b, 0x200f), (0x2028, 0x202e), (0x2060, 0x2069), (0xfeff, 0xfeff)]
EP = {"imds": "IMDS", "pod_identity_agent": "Pod Identity Agent",
      "container_credentials": "container credentials"}


def esc(s, limit):
    """Escape for a terminal, at most `limit` bytes of output; a cut value ends with '...'."""
    if s is None:
        s = ""
    units = []
    for ch in s:
        o = ord(ch)
        if ch == "\\":
            u = "\\\\"
        elif ch == "\n":
            u = "\\n"
        elif ch == "\r":
            u = "\\r"
        elif ch == "\t":
            u = "\\t"
        elif o == 0x1b:
            u = "\\e"
        elif o < 0x20 or o == 0x7f:
            u = "\\x%02x" % o
        elif any(a <= o <= b for a, b in HIDDEN):
            u = "\\u{%04x}" % o
        else:
            u = ch
        units.append(u)
    if sum(len(u.encode()) for u in units) <= limit:
        return "".join(units)
    out, n = "", 0
    for u in units:
        ul = len(u.encode())
        if n + ul > limit - 3:
            break
        out += u
        n += ul
    return out + "..."



def hhmmss(t):
    if not t:
        return "--:--:--.---"
    d = datetime.datetime.strptime(t[:19], "%Y-%m-%dT%H:%M:%S")
    frac = t[20:29] if len(t) > 20 and t[19] == "." else "0"
    return d.strftime("%H:%M:%S") + ".%03d" % (int((frac + "000000000")[:9]) // 1000000)


def g(o, *keys):
    for k in keys:
        if not isinstance(o, dict):
            return None
        o = o.get(k)
    return o


def who(ns, pod, uid, host, container):
    if host:
        w = "host"
    elif ns or pod:
        w = esc(ns, 63) + "/" + esc(pod, 96)
    elif uid:
        w = "pod:" + esc(uid, 64)
    else:
        w = "?"
    return w + "  " + (esc(container, 63) if container else "-")


def addr(ev):
    a = g(ev, "endpoint", "addr") or ""
    port = g(ev, "endpoint", "port") or 0
    return ("[%s]:%d" if ":" in a else "%s:%d") % (esc(a, 64), port)


def what(ev):
    e = ev["event"]
    ep = EP.get(g(ev, "endpoint", "kind"), "endpoint")
    if e == "endpoint_connect":
        return "connect %s %s" % (ep, addr(ev))
    if e in ("imds_request", "agent_request"):
        h = ev.get("http") or {}
        if h.get("request_seen") is False:
            return "%s response %d (request not seen)" % (ep, h.get("status") or 0)
        parts = []
        if h.get("imds_version"):
            parts.append(esc(h["imds_version"], 64))
        if h.get("status"):
            parts.append(str(h["status"]))
        elif h.get("response") == "timeout":
            parts.append("no response")
        else:
            parts.append(esc(h.get("response") or e, 64))
        if h.get("blocked"):
            parts.append("blocked")
        return "%s %s %s (%s)" % (ep, esc(h.get("method"), 64), esc(h.get("path"), 256),
                                  ", ".join(parts))
    if e == "file_open":
        f = ev.get("file") or {}
        ok = f.get("result") in (None, "", "ok")
        owner = f.get("owner") or {}
        s = ("read " if ok else "open ") + esc(f.get("kind"), 64)
        if ok and (owner.get("namespace") or owner.get("pod_name")):
            s += " of " + esc(owner.get("namespace"), 63) + "/" + esc(owner.get("pod_name"), 96)
        else:
            s += " " + esc(f.get("path") or f.get("requested_path"), 256)
        if not ok:
            s += " failed (" + esc(f.get("result"), 64) + ")"
        return s
    if e == "socket_connect":
        s = "connect " + esc(g(ev, "socket", "path"), 256)
        r = g(ev, "socket", "result")
        if r and r != "ok":
            s += " failed (" + esc(r, 64) + ")"
        return s
    if e == "endpoint_unparsed":
        return "%s %s not HTTP (%s)" % (ep, esc(g(ev, "unparsed", "direction"), 64),
                                        esc(g(ev, "unparsed", "reason"), 64))
    if e == "event_flood":
        return "events lost for %d s (%d lost, %d refused)" % (
            g(ev, "flood", "seconds") or 0, g(ev, "flood", "full") or 0,
            g(ev, "flood", "low_refused") or 0)
    if e == "cgroup_move":
        m = ev.get("move") or {}

        def side(d):
            d = d or {}
            if d.get("pod_name"):
                return esc(d["pod_name"], 256)
            if d.get("pod_uid"):
                return esc(d["pod_uid"], 256)
            if isinstance(d.get("cgroup_path"), str):
                return esc("/" + d["cgroup_path"], 256)
            return "?"
        who = "moved itself" if m.get("self") else "moved pid %d" % (m.get("pid") or 0)
        return "%s from %s to %s" % (who, side(m.get("from")), side(m.get("to")))
    return esc(e, 64)


def ns_of(t):
    d = datetime.datetime.strptime(t[:19], "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc)
    frac = t[20:29] if len(t) > 20 and t[19] == "." else "0"
    return int(d.timestamp()) * 10**9 + int((frac + "000000000")[:9])


def line(ev):
    e = ev["event"]
    if e == "agent_ready":
        return "-- credwatch %s watching node %s (%d hooks; file: %s, socket: %s)" % (
            esc(g(ev, "agent", "version"), 64), esc(g(ev, "node", "name"), 96),
            len(ev.get("hooks") or []), esc(g(ev, "hook_selection", "file", "chosen"), 64),
            esc(g(ev, "hook_selection", "socket", "chosen"), 64))
    if e == "agent_stats":
        d = ev.get("drops") or {}
        r, b, o = d.get("ringbuf_full", 0), d.get("bad_record", 0), d.get("output_error", 0)
        if not (r or b or o):
            return None
        return "-- DROPPED: ringbuf_full %d, bad_record %d, output_error %d" % (r, b, o)
    sev = SEV.get(g(ev, "finding", "severity"), 0)
    if e == "finding_summary":
        s = ev.get("subject") or {}
        w = who(s.get("namespace"), s.get("pod_name"), s.get("pod_uid"), s.get("host"),
                s.get("container"))
        proc = esc(s.get("exe"), 128) if s.get("exe") else "?"
        dur = ns_of(ev["window"]["end"]) - ns_of(ev["window"]["start"])
        wh = "%dx in %d.%01ds: %s" % (ev["count"], dur // 10**9, (dur % 10**9) // 10**8,
                                      esc(ev.get("target"), 256) if ev.get("target") else "-")
        out = "%s  %s  %s  %s  %s" % (hhmmss(ev["time"]), LABEL[sev], w, proc, wh)
        return out + "  " + esc(g(ev, "finding", "rule"), 64)
    if e == "repeat_summary":
        s = ev.get("subject") or {}
        w = who(s.get("namespace"), s.get("pod_name"), s.get("pod_uid"), s.get("host"),
                s.get("container"))
        proc = esc(s.get("exe"), 128) if s.get("exe") else "?"
        if s.get("pid") is not None:
            proc += "[%d]" % s["pid"]
        dur = ns_of(ev["window"]["end"]) - ns_of(ev["window"]["start"])
        wh = "%dx in %d.%01ds: repeats of %s %s" % (
            ev["count"], dur // 10**9, (dur % 10**9) // 10**8, esc(g(ev, "file", "kind"), 64),
            esc(g(ev, "file", "path"), 256))
        return "%s  %s  %s  %s  %s" % (hhmmss(ev["time"]), LABEL[sev], w, proc, wh)
    p = ev.get("process") or {}
    w = who(g(ev, "pod", "namespace"), g(ev, "pod", "name"), g(ev, "pod", "uid"), ev.get("host"),
            g(ev, "container", "name"))
    proc = esc(p["exe"], 128) if p.get("exe") else (esc(p["comm"], 64) if p.get("comm") else "?")
    if p.get("pid") is not None:
        proc += "[%d]" % p["pid"]
    out = "%s  %s  %s  %s  %s" % (hhmmss(ev.get("time")), LABEL[sev], w, proc, what(ev))
    if sev:
        out += "  " + esc(g(ev, "finding", "rule"), 64)
        if g(ev, "finding", "summary"):
            out += ": " + esc(g(ev, "finding", "summary"), 360)
        n = len(ev.get("findings") or [1])
        if n > 1:
            out += " (+%d more)" % (n - 1)
    return out


def keep(ev, f):
    e = ev["event"]
    if e in ("agent_ready", "agent_stats"):
        return True
    if e in ("finding_summary", "repeat_summary"):
        s = ev.get("subject") or {}
        ns, pod, ctr, host = s.get("namespace"), s.get("pod_name"), s.get("container"), s.get("host")
    else:
        ns, pod = g(ev, "pod", "namespace"), g(ev, "pod", "name")
        ctr, host = g(ev, "container", "name"), ev.get("host")
    sev = SEV.get(g(ev, "finding", "severity"), 0)
    if (f["namespace"] or f["pod"]) and host:
        return False
    if f["namespace"] and (ns or "") not in f["namespace"]:
        return False
    if f["pod"] and not any((pod or "").startswith(p) for p in f["pod"]):
        return False
    if f["container"] and (ctr or "") not in f["container"]:
        return False
    if f["event"] and e not in f["event"]:
        return False
    if f["severity"] and sev < SEV[f["severity"]]:
        return False
    if f["findings_only"] and not sev:
        return False
    return True


def main():
    args = sys.argv[1:]
    path = args.pop(0)
    f = {"namespace": [], "pod": [], "container": [], "event": [], "severity": None,
         "findings_only": False}
    while args:
        a = args.pop(0)
        if a == "--findings-only":
            f["findings_only"] = True
        elif a == "--severity":
            f["severity"] = args.pop(0)
        else:
            f[a[2:]] += args.pop(0).split(",")
    day = None
    for raw in open(path, encoding="utf-8"):
        raw = raw.strip()
        if "{" not in raw:
            continue
        try:
            ev = json.loads(raw[raw.index("{"):])
        except ValueError:
            continue
        if not isinstance(ev, dict) or ev.get("schema") != "credwatch/v1" or "event" not in ev:
            continue
        if not keep(ev, f):
            continue
        if ev["event"] not in ("agent_ready", "agent_stats") and ev.get("time"):
            d = ev["time"][:10]
            if d != day:
                day = d
                print("-- %s (UTC)" % d)
        out = line(ev)
        if out is not None:
            print(out)


main()
