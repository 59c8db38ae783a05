#!/usr/bin/python3
"""Validate credwatch output: every line one JSON object under 16 KiB, valid
UTF-8, matching tests/schema/events.schema.json; agent_ready first (if the
file is a complete run) and agent_stats last (periodic agent_stats lines may come before). Prints one line per problem and
exits 1 if there is any.

usage: validate_events.py FILE [--complete]
"""
import json
import os
import sys

import jsonschema

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "schema",
                      "events.schema.json")


def main():
    path = sys.argv[1]
    complete = "--complete" in sys.argv[2:]
    with open(SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    validator = jsonschema.Draft202012Validator(schema)
    problems = []
    events = []
    with open(path, "rb") as f:
        raw = f.read()
    if raw and not raw.endswith(b"\n"):
        problems.append("output does not end with a newline (partial line)")
    for n, line in enumerate(raw.split(b"\n")[:-1] if raw.endswith(b"\n") else raw.split(b"\n"), 1):
        if len(line) + 1 > 16 * 1024:
            problems.append(f"line {n}: {len(line)} bytes, over the 16 KiB line bound")
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as e:
            problems.append(f"line {n}: invalid UTF-8: {e}")
            continue
        try:
            obj = json.loads(text)
        except ValueError as e:
            problems.append(f"line {n}: not JSON: {e}")
            continue
        if not isinstance(obj, dict):
            problems.append(f"line {n}: not an object")
            continue
        for err in validator.iter_errors(obj):
            loc = "/".join(str(p) for p in err.absolute_path)
            problems.append(f"line {n} ({obj.get('event')}): {loc}: {err.message[:300]}")
        events.append(obj.get("event"))
    if complete:
        if not events or events[0] != "agent_ready":
            problems.append("first line is not agent_ready")
        if not events or events[-1] != "agent_stats":
            problems.append("last line is not agent_stats")
        # agent_stats is also written every --stats-interval (default 60 s): at least once,
        # and the last line is the final one
        if events.count("agent_ready") != 1 or events.count("agent_stats") < 1:
            problems.append("agent_ready must appear exactly once, agent_stats at least once")
    for p in problems:
        print("schema: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
