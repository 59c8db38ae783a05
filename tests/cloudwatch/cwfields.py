# SPDX-License-Identifier: GPL-2.0
"""Fields of credwatch events as tests/schema/events.schema.json describes them, and the fields
that Logs Insights queries refer to.

schema_lookup(schema, event_types, "a.b.0.c") -> the leaf schemas of that field for any of the
event types (empty: the schema does not have it). A field exists only through explicit
"properties" (or "items" for a numeric step): a map whose keys are open (additionalProperties)
does not make up names.

insights_refs(query) -> the log fields a Logs Insights query reads, with the literals it
compares them to, and the event types it filters on.
"""

import re

__all__ = ["event_types", "schema_lookup", "enum_values", "insights_refs", "QueryError"]


class QueryError(ValueError):
    pass


def event_types(schema):
    return list(schema["properties"]["event"]["enum"])


def _branch_applies(cond, ev):
    e = cond.get("properties", {}).get("event", {})
    if "const" in e:
        return e["const"] == ev
    if "enum" in e:
        return ev in e["enum"]
    return False


def _deref(root, ref):
    if not ref.startswith("#/"):
        raise ValueError("external $ref %s" % ref)
    node = root
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def _walk(root, s, parts, out):
    if not isinstance(s, dict):
        return
    if "$ref" in s:
        _walk(root, _deref(root, s["$ref"]), parts, out)
    for key in ("oneOf", "anyOf", "allOf"):
        for alt in s.get(key, []):
            if key == "allOf" and "if" in alt:
                continue  # conditional branches are chosen by event type, not walked blindly
            _walk(root, alt, parts, out)
    if not parts:
        out.append(s)
        return
    p, rest = parts[0], parts[1:]
    props = s.get("properties", {})
    if p in props:
        _walk(root, props[p], rest, out)
    if p.isdigit() and isinstance(s.get("items"), dict):
        _walk(root, s["items"], rest, out)


def schema_lookup(schema, types, field):
    parts = field.split(".")
    out = []
    for ev in types:
        bases = [schema] + [b["then"] for b in schema.get("allOf", [])
                            if "if" in b and _branch_applies(b["if"], ev)]
        for b in bases:
            _walk(schema, b, parts, out)
    return out


def enum_values(leaves):
    """Union of the enum/const values of the leaf schemas, or None if any leaf is open."""
    vals = set()
    for s in leaves:
        if "enum" in s:
            vals.update(v for v in s["enum"] if v is not None)
        elif "const" in s:
            vals.add(s["const"])
        elif s.get("properties") or s.get("type") == "object":
            continue
        else:
            return None
    return vals


# --- Logs Insights -----------------------------------------------------------------------------
_KEYWORDS = {"fields", "filter", "stats", "sort", "limit", "display", "parse", "dedup", "by", "as",
             "and", "or", "not", "in", "like", "asc", "desc", "true", "false", "null"}
_SYSTEM = re.compile(r"^@")
_TOK = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<regex>/(?:[^/\\\n]|\\.)+/)
  | (?P<backtick>`[^`]*`)
  | (?P<number>[0-9]+(?:\.[0-9]+)?[a-zA-Z]*)
  | (?P<ident>@?[A-Za-z_][A-Za-z0-9_]*(?:\.(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+))*)
  | (?P<op>==|!=|<=|>=|=~|[=<>+\-*/%^])
  | (?P<punct>[|(),\[\]])
""", re.X)


def _qtokens(q):
    pos, out, prev = 0, [], None
    while pos < len(q):
        m = _TOK.match(q, pos)
        if not m:
            raise QueryError("cannot read query at %r" % q[pos:pos + 30])
        kind = m.lastgroup
        # a '/' starts a regex only after like / =~ ; otherwise it is division
        if kind == "regex" and not (prev and prev[1] in ("like", "=~")):
            m = re.compile(r"/").match(q, pos)
            kind = "op"
        pos = m.end()
        if kind in ("ws", "comment"):
            continue
        tok = (kind, m.group())
        out.append(tok)
        prev = tok
    return out


def insights_refs(query):
    """Returns (fields, comparisons, events):
    fields: the log fields read (dotted names; backtick names unquoted), system @fields and
            aliases (names after 'as') excluded, in order of first use;
    comparisons: (field, op, [literals]) for field = "x", field != "x" and field in ["x", ...];
    events: the literals the query compares the field 'event' with (= or in), or [] if none."""
    toks = _qtokens(query)
    aliases, fields, comps = set(), [], []
    for i, (kind, text) in enumerate(toks):
        if kind == "ident" and i > 0 and toks[i - 1] == ("ident", "as"):
            aliases.add(text)
    for i, (kind, text) in enumerate(toks):
        name = None
        if kind == "backtick":
            name = text[1:-1]
        elif kind == "ident":
            name = text
        if name is None or name.lower() in _KEYWORDS or _SYSTEM.match(name) or name in aliases:
            continue
        nxt = toks[i + 1] if i + 1 < len(toks) else (None, None)
        if nxt == ("punct", "("):
            continue  # a function
        if name not in fields:
            fields.append(name)
        # comparisons with literals
        if nxt[0] == "op" and nxt[1] in ("=", "==", "!=") and i + 2 < len(toks) and toks[i + 2][0] == "string":
            comps.append((name, nxt[1], [_unquote(toks[i + 2][1])]))
        elif nxt == ("ident", "in") and i + 2 < len(toks) and toks[i + 2] == ("punct", "["):
            lits, j = [], i + 3
            while j < len(toks) and toks[j] != ("punct", "]"):
                if toks[j][0] == "string":
                    lits.append(_unquote(toks[j][1]))
                elif toks[j] != ("punct", ","):
                    raise QueryError("non-literal in list after %s in" % name)
                j += 1
            comps.append((name, "in", lits))
    events = [v for f, op, lits in comps if f == "event" and op != "!=" for v in lits]
    return fields, comps, events


def _unquote(s):
    body = s[1:-1]
    return re.sub(r"\\(.)", r"\1", body)
