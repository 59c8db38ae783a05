#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench: turn the samples tests/bench/run.sh collected (figure<TAB>key<TAB>value) into
the table on stdout and build/bench.json. Every figure is the median over this run's rounds
with min and max; ratios are computed per round (each round's variants ran back to back) and
then summarised. Exit status 0 even when a target fails: a benchmark reports, it does not
judge the build."""
import json
import statistics
import sys
from collections import defaultdict

samples, out_path = sys.argv[1], sys.argv[2]
data = defaultdict(lambda: defaultdict(list))
for line in open(samples):
    parts = line.rstrip("\n").split("\t")
    if len(parts) == 3:
        data[parts[0]][parts[1]].append(parts[2])
meta = {k: v[-1] for k, v in data["meta"].items()}


def nums(fig, key):
    out = []
    for v in data[fig].get(key, []):
        try:
            out.append(float(v))
        except ValueError:
            pass
    return out


def summary(vals):
    if not vals:
        return None
    return {"median": statistics.median(vals), "min": min(vals), "max": max(vals),
            "n": len(vals), "samples": vals}


def paired(fig, a, b):
    """per-round ratio a/b (same round index)"""
    va, vb = nums(fig, a), nums(fig, b)
    return [x / y for x, y in zip(va, vb) if y]


rows = []   # (figure, label, summary|str, unit, target, passed)
results = defaultdict(dict)


def add(fig, key, label, s, unit="", target=None, passed=None, fmt="{:.0f}"):
    if isinstance(s, list):
        s = summary(s)
    entry = {"label": label, "unit": unit}
    if isinstance(s, dict):
        entry.update(s)
        text = (fmt + " [" + fmt + ".." + fmt + "]").format(s["median"], s["min"], s["max"])
    elif s is None:
        entry["value"] = None
        text = "n/a"
    else:
        entry["value"] = s
        text = str(s)
    if target is not None:
        entry["target"] = target
        entry["pass"] = passed
    results[fig][key] = entry
    rows.append((fig, label, text, unit, target or "",
                 "" if passed is None else ("PASS" if passed else "FAIL")))


def med(s):
    return s["median"] if s else None


# --- figure 1 ----------------------------------------------------------------------------
for op, name in (("open", "open+close"), ("connect", "TCP connect (loopback)")):
    for v in ("none", "floor", "credwatch", "bpftrace"):
        add("1", f"{op}.{v}", f"{name} ns/op, {v}", nums("fig1", f"{op}.{v}"), "ns")
    r = summary(paired("fig1", f"{op}.credwatch", f"{op}.floor"))
    add("1", f"{op}.credwatch_over_floor", f"{name}: credwatch / floor (per round)", r, "x",
        "<= 1.05", r is not None and r["median"] <= 1.05, "{:.3f}")
    r = summary(paired("fig1", f"{op}.credwatch", f"{op}.bpftrace"))
    add("1", f"{op}.credwatch_over_bpftrace", f"{name}: credwatch / bpftrace (per round)", r,
        "x", "<= 1.00", r is not None and r["median"] <= 1.0, "{:.3f}")
    r = summary(paired("fig1", f"{op}.floor", f"{op}.none"))
    add("1", f"{op}.floor_over_none", f"{name}: floor / none (per round)", r, "x", fmt="{:.3f}")
    # the peer attaches no cgroup programs: where the floor alone costs more than the peer,
    # "credwatch <= bpftrace" asks credwatch to beat empty programs on its own hooks
    r = summary(paired("fig1", f"{op}.floor", f"{op}.bpftrace"))
    add("1", f"{op}.floor_over_bpftrace", f"{name}: floor / bpftrace (per round)", r, "x",
        fmt="{:.3f}")

# --- figure 2 ----------------------------------------------------------------------------
for v in ("none", "floor", "credwatch", "skbfloor"):
    add("2", f"bulk.{v}", f"loopback TCP Mbit/s, {v}", nums("fig2", f"bulk.{v}"), "Mbit/s")
r = summary(paired("fig2", "bulk.credwatch", "bulk.none"))
add("2", "bulk.credwatch_over_none", "throughput credwatch / none (per round)", r, "x",
    ">= 0.97", r is not None and r["median"] >= 0.97, "{:.3f}")
add("2", "packet_hooks", "credwatch attaches cgroup_skb hooks", meta.get("cw_packet_hooks", "?"))

# --- figure 3 ----------------------------------------------------------------------------
for kind, name in (("tok", "token opens"), ("imds", "IMDS connects")):
    best = nums("fig3", f"{kind}.best_rate")
    best = best[-1] if best else 0
    add("3", f"{kind}.best_rate", f"{name}: highest rate, all events, 0 drops", int(best),
        "events/s", ">= 200000", best >= 200000)
    add("3", f"{kind}.stop_reason", f"{name}: ladder stopped by",
        (data["fig3"].get(f"{kind}.stop_reason") or ["?"])[-1])
    add("3", f"{kind}.cpu_at_best", f"{name}: agent CPU % at that rate",
        nums("fig3", f"{kind}.cpu_at_best"), "%", fmt="{:.1f}")
    add("3", f"{kind}.gen_none", f"{name}: the load generator's own ceiling, no agent",
        nums("fig3", f"{kind}.gen_none"), "events/s")
    add("3", f"{kind}.gen_stopped_agent",
        f"{name}: the load generator, credwatch loaded, agent stopped",
        nums("fig3", f"{kind}.gen_stopped_agent"), "events/s")
    br = nums("fig3", f"{kind}.bigring.rate")
    if br:
        add("3", f"{kind}.bigring", f"{name}: at {int(br[-1])}/s with a 64 MiB ring buffer",
            "%d of %d trials lossless, drops %s, agent CPU %% %s" % (
                int(nums("fig3", f"{kind}.bigring.pass")[-1]),
                len(nums("fig3", f"{kind}.bigring.drops")),
                ",".join("%d" % x for x in nums("fig3", f"{kind}.bigring.drops")),
                ",".join("%.0f" % x for x in nums("fig3", f"{kind}.bigring.cpu"))))
    tgt = nums("fig3", f"{kind}.x10.target")
    add("3", f"{kind}.x10.target", f"{name} x10: target rate", int(tgt[-1]) if tgt else None,
        "events/s")
    add("3", f"{kind}.x10.achieved", f"{name} x10: achieved rate",
        nums("fig3", f"{kind}.x10.achieved"), "events/s")
    add("3", f"{kind}.x10.drops", f"{name} x10: drops reported (agent_stats)",
        nums("fig3", f"{kind}.x10.drops"))
    made, got = nums("fig3", f"{kind}.x10.made"), nums("fig3", f"{kind}.x10.got")
    lost = [m - g for m, g in zip(made, got)]
    drops = nums("fig3", f"{kind}.x10.drops")
    acc = [abs(d - l) for d, l in zip(drops, lost)]
    add("3", f"{kind}.x10.unaccounted", f"{name} x10: |made - written - drops|", acc)
    hwm = nums("fig3", f"{kind}.x10.hwm_kib")
    add("3", f"{kind}.x10.hwm_kib", f"{name} x10: agent peak RSS (VmHWM)", hwm, "KiB",
        "<= 32768", bool(hwm) and max(hwm) <= 32768)
    rcs = nums("fig3", f"{kind}.x10.rc")
    add("3", f"{kind}.x10.exit", f"{name} x10: agent exit status (all trials)",
        ",".join(str(int(x)) for x in rcs), "", "all 0", bool(rcs) and all(x == 0 for x in rcs))
    add("3", f"{kind}.x10.stop_ms", f"{name} x10: SIGTERM to exit", nums("fig3", f"{kind}.x10.stop_ms"),
        "ms")
    fold = nums("fig3", f"{kind}.x10.folding")
    lines = nums("fig3", f"{kind}.x10.lines")
    mib = max(nums("fig3", f"{kind}.x10.bytes") or [0]) / 2**20
    if not fold or max(fold) < 0:
        ftxt = "NOT IMPLEMENTED (no 'folded' in agent_stats): one line per event"
    else:
        ftxt = "folded %s" % ",".join("%d" % x for x in fold)
    add("3", f"{kind}.x10.folding", f"{name} x10: folding of repeats",
        "%s; up to %d lines, %.0f MiB per %s s trial" % (ftxt, max(lines) if lines else 0, mib,
                                                          meta.get("trial_s", "?")))

# --- figure 4 ----------------------------------------------------------------------------
w = summary(nums("fig4", "micro_warm_us"))
add("4", "micro_warm_us", "attrib_workload() warm, µs/call (micro-benchmark)", w, "µs",
    "<= 2", w is not None and w["median"] <= 2, "{:.3f}")
add("4", "micro_cold_us", "attrib_workload() cold (reads config.json), µs/call",
    nums("fig4", "micro_cold_us"), "µs", fmt="{:.1f}")
add("4", "agent_warm_cpu_us_per_event",
    "agent CPU per isolated event, warm cache (wakeup+poll+JSON+write each)",
    nums("fig4", "agent_warm_cpu_us_per_event"), "µs", fmt="{:.1f}")
a = summary(nums("fig4", "agent_rss_per_container_b"))
add("4", "agent_rss_per_container_b", "agent RSS growth per cached container", a, "bytes",
    "<= 4096", a is not None and a["median"] <= 4096)
add("4", "micro_rss_per_container_b", "micro-benchmark RSS growth per container",
    nums("fig4", "micro_rss_per_container_b"), "bytes")
sc, sp = nums("fig4", "slot_bytes_container"), nums("fig4", "slot_bytes_pod")
add("4", "slot_bytes", "attrib_memory_bytes(): bytes per container slot + pod slot",
    [c + p for c, p in zip(sc, sp)], "bytes")
add("4", "agent_attrib_memory_bytes", "attrib_memory_bytes() (preallocated, any fill)",
    nums("fig4", "agent_attrib_memory_bytes"), "bytes")
add("4", "agent_containers_cached", "containers cached by the agent (agent_stats)",
    nums("fig4", "agent_containers_cached"))
add("4", "agent_events_complete", "events with attribution complete (of 2 x 1000)",
    nums("fig4", "agent_events_complete"))
add("4", "agent_events_missing", "attribution.missing of those events",
    (data["fig4"].get("agent_events_missing") or ["?"])[-1])

# --- figure 5 ----------------------------------------------------------------------------
r = summary(nums("fig5", "rss_idle_kib"))
add("5", "rss_idle_kib", "agent RSS idle", r, "KiB", "<= 16384",
    r is not None and r["max"] <= 16384)
r = summary(nums("fig5", "rss_1000_kib"))
add("5", "rss_1000_kib", "agent RSS with 1,000 containers cached", r, "KiB", "<= 32768",
    r is not None and r["max"] <= 32768)
add("5", "bpf_map_memlock_bytes", "BPF map memory (fdinfo memlock, each map once)",
    nums("fig5", "bpf_map_memlock_bytes") or [float(meta.get("bpf_map_memlock_bytes", 0))],
    "bytes")
add("5", "bpf_maps", "  per map", meta.get("bpf_maps", "?").strip())
add("5", "bpf_prog_memlock_bytes", "BPF program memory (fdinfo memlock)",
    int(meta.get("bpf_prog_memlock_bytes", 0)), "bytes")
r = summary(nums("fig5", "ready_ms"))
add("5", "ready_ms", "exec to agent_ready line (every start in this run)", r, "ms",
    "<= 1000", r is not None and r["max"] <= 1000, "{:.0f}")
add("5", "startup_ms", "agent's own agent.startup_ms", nums("fig5", "startup_ms"), "ms")
add("5", "ready_ms_1000", "exec to agent_ready, node with 1,000 containers",
    nums("fig5", "ready_ms_1000"), "ms")

# --- figure 6: unrelated syscalls (tests/bench/syscalls.sh, host and the 6.1 VM) ----------
SYSCALLS = (("getppid", "getppid()"), ("read", "read() 1 byte, /dev/zero"),
            ("fstat", "fstat() of an open fd"))
VARIANTS = ("none", "tp1", "floor", "stopped", "credwatch")
RATIOS = (("tp1", "none", "1 empty tp / none"), ("floor", "none", "floor / none"),
          ("stopped", "none", "stopped / none"), ("credwatch", "none", "credwatch / none"),
          ("credwatch", "stopped", "running / stopped"))
VM_TARGET = 1.02
fig6 = {}
fig6_lines = []


def f6(env, key):
    return data["fig6"].get(f"{env}.{key}", [])


def f6last(env, key, default=None):
    v = f6(env, key)
    return v[-1] if v else default


def fig6_env(env, title):
    if not f6(env, "kernel"):
        return
    e = {"kernel": f6last(env, "kernel"), "nproc": f6last(env, "nproc"),
         "rounds_done": int(float(f6last(env, "rounds_done", 0))),
         "iters": f6last(env, "iters"), "reps": f6last(env, "reps"),
         "credwatch_hooks": (f6last(env, "cw_hooks") or "").split(","),
         "credwatch_syscall_tracepoints": [h for h in (f6last(env, "cw_syscall_tracepoints")
                                                      or "").split(",") if h],
         "hook_selection": json.loads(f6last(env, "hook_selection") or "{}"),
         "hook_selection_file_reason": f6last(env, "hook_selection_file_reason"),
         "floor_status": f6last(env, "floor_status", "not run"),
         "agent_ready_ms": summary([float(x) for x in f6(env, "start_ready_ms")]),
         "agent_stop_ms": summary([float(x) for x in f6(env, "stop_ms")]),
         "load_start": f6last(env, "load_start"), "load_end": f6last(env, "load_end"),
         "round_load1": [float(x) for x in f6(env, "round_load1")],
         "round_order": f6(env, "round_order"), "duration_s": f6last(env, "duration_s")}
    if env == "vm":
        e["qemu"] = f6last(env, "qemu")
        e["status"] = f6last(env, "status")
        e["wall_s"] = f6last(env, "wall_s")
        e["host_load_start"] = f6last(env, "host_load_start")
        e["host_load_end"] = f6last(env, "host_load_end")
        hl = [float(x) for x in f6(env, "host_load1")]
        e["host_load1_during"] = summary(hl)
        if f6(env, "guest_trouble"):
            e["guest_trouble"] = f6last(env, "guest_trouble")
    # rounds to use: on the host, those without another process's program on a syscall
    # tracepoint (then "none" is not the fast path), if there are at least 3 of them
    foreign = [float(x) for x in f6(env, "round_foreign_syscall_tps")]
    use = list(range(e["rounds_done"]))
    note = None
    if foreign:
        e["round_foreign_syscall_tps"] = foreign
        clean = [i for i, n in enumerate(foreign) if n == 0]
        dirty = len(foreign) - len(clean)
        if dirty and len(clean) >= 3:
            use = clean
            note = ("%d of %d rounds had another process's BPF program on a syscall tracepoint "
                    "and are left out" % (dirty, len(foreign)))
        elif dirty:
            note = ("WARNING: in %d of %d rounds another process's BPF program (%s) sat on a "
                    "syscall tracepoint, so \"none\" ran on the syscall slow path too: these "
                    "ratios understate what the slow path costs" % (
                        dirty, len(foreign), ",".join("%d" % n for n in foreign)))
    e["rounds_used"] = use
    e["note"] = note

    def vals(key):
        v = [float(x) for x in f6(env, key)]
        return [v[i] for i in use if i < len(v)]

    figs = {}
    icount = env == "vm" and "-icount" in (e.get("qemu") or "")
    for clock, suffix in (("wall", ""), ("cpu", "_cpu")):
        for sc, _ in SYSCALLS:
            d = {}
            for v in VARIANTS:
                d[v] = summary(vals(f"{sc}{suffix}.{v}"))
            for a, b, _ in RATIOS:
                va, vb = vals(f"{sc}{suffix}.{a}"), vals(f"{sc}{suffix}.{b}")
                d[f"{a}_over_{b}"] = summary([x / y for x, y in zip(va, vb) if y])
            if env == "vm" and clock == "wall" and not icount:
                # real-time TCG on a shared machine: rounds of one run differ by 2x (seen);
                # a median of such ratios passes or fails by chance
                d["target"] = ("credwatch / none <= %.2f: not judged (the VM ran in real "
                               "time, not with -icount)" % VM_TARGET)
            elif env == "vm" and clock == "wall":
                r = d["credwatch_over_none"]
                d["target"] = "credwatch / none <= %.2f" % VM_TARGET
                d["pass"] = r is not None and r["median"] <= VM_TARGET
                results["6"][f"vm.{sc}.credwatch_over_none"] = {
                    "label": f"6.1 VM: {sc} credwatch / none (wall, per round)", "unit": "x",
                    "target": "<= %.2f" % VM_TARGET, "pass": d["pass"],
                    **(r or {"value": None})}
            figs.setdefault(clock, {})[sc] = d
    e["ns_per_call"] = figs
    fig6[env] = e

    # the printed block
    def rtxt(s):
        return "n/a" if not s else "%.3f [%.3f..%.3f]" % (s["median"], s["min"], s["max"])

    L = fig6_lines
    L.append("  %s: kernel %s, %s CPU(s); %d rounds%s (%s calls x %s per syscall), %s s" % (
        title, e["kernel"], e["nproc"], len(use),
        "" if len(use) == e["rounds_done"] else " of %d" % e["rounds_done"],
        e["iters"], e["reps"], e["duration_s"]))
    if env == "vm":
        L.append("    qemu: %s" % (e["qemu"] or "?").split(";")[0])
        if icount:
            L.append("    (-icount shift=0: the guest's clock counts instructions, 1 ns each, so "
                     "these are path lengths,")
            L.append("     the same in every round whatever the host's load; wall: every "
                     "instruction the one vCPU ran")
            L.append("     during the loop, the agent's too; CPU: the loop thread's own)")
    L.append("    credwatch hook selection: %s; syscall tracepoints attached: %s" % (
        ", ".join("%s=%s" % kv for kv in e["hook_selection"].items()),
        ", ".join(x.replace("tp/syscalls/", "") for x in e["credwatch_syscall_tracepoints"])
        or "none"))
    L.append("    floor of credwatch's hooks: %s" % e["floor_status"])
    if env == "vm":
        hl = e["host_load1_during"]
        L.append("    load: host %s -> %s, 1-min load %s during the VM; guest %s -> %s" % (
            e["host_load_start"], e["host_load_end"],
            "%.2f..%.2f" % (hl["min"], hl["max"]) if hl else "?",
            e["load_start"], e["load_end"]))
    else:
        rl = e["round_load1"]
        L.append("    load: %s -> %s, 1-min load at round ends %s" % (
            e["load_start"], e["load_end"],
            "%.2f..%.2f" % (min(rl), max(rl)) if rl else "?"))
    if note:
        L.append("    " + note)
    if e.get("guest_trouble"):
        L.append("    GUEST KERNEL TROUBLE: %s" % e["guest_trouble"])
    cols = [lbl for _, _, lbl in RATIOS]
    for clock, ctitle in (("wall", "wall ns per call"), ("cpu", "thread CPU ns per call")):
        L.append("    %-9s %-22s %s" % (ctitle.split()[0] if clock == "wall" else "CPU",
                                          "none: ns [min..max]",
                                          " ".join("%-20s" % c for c in cols)))
        for sc, _ in SYSCALLS:
            d = figs[clock][sc]
            n = d["none"]
            ntxt = "n/a" if not n else "%.0f [%.0f..%.0f]" % (n["median"], n["min"], n["max"])
            tgt = "not judged (no -icount)" if "target" in d and "pass" not in d else ""
            if "pass" in d:
                tgt = ("PASS" if d["pass"] else "FAIL") + " (<= %.2f)" % VM_TARGET
            L.append("    %-9s %-22s %s %s" % (sc, ntxt, " ".join(
                "%-20s" % rtxt(d[f"{a}_over_{b}"]) for a, b, _ in RATIOS), tgt))


fig6_env("host", "host")
fig6_env("vm", "Debian 6.1 VM")
if not fig6:
    results.pop("6", None)

foreign = sum(nums("fig1", "foreign_agents") + nums("fig2", "foreign_agents") +
              nums("fig3", "foreign_agents") + nums("fig4", "foreign_agents"))
def shown(f):
    """BENCH_ONLY=syscalls: figure 6 alone; otherwise the figures that ran (have samples)"""
    if meta.get("only") == "syscalls":
        return f == "6"
    return bool(data.get("fig" + f)) or (f == "5" and bool(data.get("fig1")))


machine = {
    "nproc": int(meta.get("nproc", 0)), "model": meta.get("model"),
    "kernel": meta.get("kernel"), "mem_kib": int(meta.get("mem_kib", 0)),
    "loadavg_start": meta.get("loadavg_start"), "loadavg_end": meta.get("loadavg_end"),
}
doc = {
    "schema": "credwatch-bench/v1",
    "machine": machine,
    "rounds": int(meta.get("rounds", 0)),
    "quick": meta.get("quick") == "1",
    "duration_s": int(meta.get("duration_s", 0)),
    "credwatch_hooks": meta.get("cw_hooks", "").split(","),
    "floor_in_sync": meta.get("floor_in_sync"),
    "foreign_agents_seen": int(foreign),
    "bpf_maps_memlock": meta.get("bpf_maps", "").split(),
    "fig3_trials": {k: data["fig3"].get(k + ".trial", []) for k in ("tok", "imds")},
    "figures": {f: results[f] for f in results if shown(f)},
    "unrelated_syscalls": fig6,
}
with open(out_path, "w") as f:
    json.dump(doc, f, indent=1)
    f.write("\n")

titles = {"1": "1. syscall overhead, non-credential work",
          "2": "2. packet path",
          "3": "3. credential event pipeline",
          "4": "4. attribution cost (synthetic node, %s containers)" % meta.get(
              "synthetic_containers", "?"),
          "5": "5. footprint"}
print()
if meta.get("only") == "syscalls":
    print("credwatch bench, figure 6 only (BENCH_ONLY=syscalls): %s, %s cores, kernel %s; "
          "%s s; load %s -> %s" % (machine["model"], machine["nproc"], machine["kernel"],
                                   doc["duration_s"], machine["loadavg_start"],
                                   machine["loadavg_end"]))
else:
    print("credwatch bench: %s, %s cores, kernel %s; %s rounds, median [min..max]; %s s" % (
        machine["model"], machine["nproc"], machine["kernel"], doc["rounds"],
        doc["duration_s"]))
    print("floor hooks in sync with credwatch: %s; other agents seen at round starts: %d; "
          "load %s -> %s" % (doc["floor_in_sync"], doc["foreign_agents_seen"],
                             machine["loadavg_start"], machine["loadavg_end"]))
rows = [r for r in rows if shown(r[0])]
wl = max([len(r[1]) for r in rows] or [0])
wv = min(max([len(r[2]) for r in rows] or [0]), 34)
fig = None
for f, label, text, unit, target, res in rows:
    if f != fig:
        fig = f
        print()
        print(titles[f])
    print("  %-*s  %-*s %-8s %-10s %s" % (wl, label, wv, text, unit, target, res))
if fig6 and shown("6"):
    print()
    print("6. unrelated syscalls: ns per call with no agent, and each variant / none per round, "
          "median [min..max]")
    print("   (tp1: ONE empty tp/syscalls/sys_exit_openat program; floor: empty programs on "
          "credwatch's hooks;")
    print("    stopped: credwatch attached, its process SIGSTOPped; credwatch: running)")
    for line in fig6_lines:
        print(line)
targets = [(f, k, e) for f, d in results.items() for k, e in d.items()
           if "pass" in e and shown(f)]
npass = sum(1 for _, _, e in targets if e["pass"])
print()
print("targets: %d passed, %d failed" % (npass, len(targets) - npass))
