# SPDX-License-Identifier: GPL-2.0
"""A small evaluator of CloudWatch Logs metric filter patterns for JSON log events.

Implements the documented JSON pattern syntax ("Filter and pattern syntax", Amazon CloudWatch
Logs User Guide, section "Matching terms in JSON log events"):

  { SELECTOR EQUALITY_OPERATOR STRING }     = or !=, STRING quoted or not, with the '*'
                                            wildcard at the start and/or end ("*Event",
                                            "Event*"); a '*' inside ("Ev*ent") is literal;
                                            a lone '*' matches any value node
  { SELECTOR NUMERIC_OPERATOR NUMBER }      = != < > <= >=, NUMBER an integer or decimal with
                                            optional sign, or scientific notation
  { SELECTOR IS NULL }  { SELECTOR NOT EXISTS }  { SELECTOR IS TRUE }  { SELECTOR IS FALSE }
  && and ||, parentheses; precedence () > && > ||
  SELECTOR: $ then .name ([A-Za-z0-9_-]+) or [N] steps: $.a.b, $.users[0].id

Semantics taken from the same page:
  - a comparison applies only when the selector points to a value node (string or number);
    on an array, an object, a boolean, null or a missing field both = and != are false
    ("both {$.users = 1} and {$.users != 1} fail to match ... where users is an array");
  - a numeric operator compares numerically and needs a number in the event; = / != with a
    number literal against a number compare numerically (400 = 400.0), otherwise as text;
  - NOT EXISTS is true only when the field is absent, IS NULL only when it is null.
Anything else (text patterns, space-delimited patterns, regex values, EXISTS without NOT) is
rejected with PatternError, so a pattern this evaluator does not understand fails loudly
instead of being guessed.
"""

import json
import re

__all__ = ["PatternError", "parse", "matches", "selectors", "Cond"]

MISSING = object()


class PatternError(ValueError):
    pass


class Cond:
    """One condition: selector (list of str|int steps), op, value."""

    def __init__(self, path, text, op, value=None, quoted=False):
        self.path, self.text, self.op, self.value, self.quoted = path, text, op, value, quoted

    def __repr__(self):
        return "Cond(%s %s %r)" % (self.text, self.op, self.value)


_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<lbrace>\{) | (?P<rbrace>\}) | (?P<lpar>\() | (?P<rpar>\))
  | (?P<and>&&) | (?P<or>\|\|)
  | (?P<op>!=|<=|>=|=|<|>)
  | (?P<selector>\$(?:\.[A-Za-z0-9_-]+|\[[0-9]+\])+)
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<word>[^\s(){}"&|=!<>]+)
""", re.X)

_NUMBER = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")


def _tokens(text):
    pos, out = 0, []
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise PatternError("cannot read pattern at %r" % text[pos:pos + 20])
        pos = m.end()
        kind = m.lastgroup
        if kind != "ws":
            out.append((kind, m.group()))
    return out


def _path(sel):
    steps = []
    for m in re.finditer(r"\.([A-Za-z0-9_-]+)|\[([0-9]+)\]", sel[1:]):
        steps.append(m.group(1) if m.group(1) is not None else int(m.group(2)))
    return steps


class _Parser:
    def __init__(self, toks):
        self.t, self.i = toks, 0

    def peek(self, k=0):
        return self.t[self.i + k] if self.i + k < len(self.t) else (None, None)

    def take(self, kind=None):
        tok = self.peek()
        if tok[0] is None or (kind and tok[0] != kind):
            raise PatternError("expected %s, got %r" % (kind or "more", tok[1]))
        self.i += 1
        return tok

    def expr(self):
        node = self.conj()
        while self.peek()[0] == "or":
            self.take()
            node = ("or", node, self.conj())
        return node

    def conj(self):
        node = self.unary()
        while self.peek()[0] == "and":
            self.take()
            node = ("and", node, self.unary())
        return node

    def unary(self):
        if self.peek()[0] == "lpar":
            self.take()
            node = self.expr()
            self.take("rpar")
            return node
        return self.cond()

    def cond(self):
        _, sel = self.take("selector")
        path = _path(sel)
        kind, text = self.peek()
        if kind == "word" and text in ("IS", "NOT"):
            self.take()
            _, w2 = self.take("word")
            op = {("IS", "NULL"): "null", ("NOT", "EXISTS"): "notexists", ("IS", "TRUE"): "true",
                  ("IS", "FALSE"): "false"}.get((text, w2))
            if not op:
                raise PatternError("unsupported condition %s %s %s" % (sel, text, w2))
            return Cond(path, sel, op)
        _, op = self.take("op")
        kind, text = self.take()
        if kind == "string":
            return Cond(path, sel, op, json.loads(text), quoted=True)
        if kind != "word":
            raise PatternError("expected a value after %s %s, got %r" % (sel, op, text))
        if text.startswith("%"):
            raise PatternError("regular-expression values are not implemented: %s" % text)
        return Cond(path, sel, op, text)


def parse(pattern):
    """Parse a JSON filter pattern into a tree of ('and'|'or', a, b) and Cond leaves."""
    toks = _tokens(pattern.strip())
    if not toks or toks[0][0] != "lbrace" or toks[-1][0] != "rbrace":
        raise PatternError("only JSON patterns { ... } are implemented: %r" % pattern)
    p = _Parser(toks[1:-1])
    tree = p.expr()
    if p.i != len(p.t):
        raise PatternError("unexpected %r in %r" % (p.peek()[1], pattern))
    for c in _conds(tree):
        if c.op in ("<", ">", "<=", ">=") and not (isinstance(c.value, str) and _NUMBER.match(c.value)
                                                     and not c.quoted):
            raise PatternError("%s %s needs a number, got %r" % (c.text, c.op, c.value))
    return tree


def _conds(tree):
    if isinstance(tree, Cond):
        yield tree
    else:
        yield from _conds(tree[1])
        yield from _conds(tree[2])


def selectors(pattern):
    """The conditions of a pattern (Cond objects), in order."""
    return list(_conds(parse(pattern)))


def _resolve(doc, path):
    cur = doc
    for step in path:
        if isinstance(step, int):
            if not isinstance(cur, list) or step >= len(cur):
                return MISSING
            cur = cur[step]
        else:
            if not isinstance(cur, dict) or step not in cur:
                return MISSING
            cur = cur[step]
    return cur


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _as_text(v):
    if isinstance(v, str):
        return v
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return json.dumps(v)


def _text_match(value, pat):
    if pat == "*":
        return True
    lead, trail = pat.startswith("*"), pat.endswith("*") and len(pat) > 1
    core = pat[1 if lead else 0:len(pat) - 1 if trail else len(pat)]
    if lead and trail:
        return core in value
    if lead:
        return value.endswith(core)
    if trail:
        return value.startswith(core)
    return value == pat


def _eval_cond(c, doc):
    v = _resolve(doc, c.path)
    if c.op == "notexists":
        return v is MISSING
    if c.op == "null":
        return v is None
    if c.op in ("true", "false"):
        return v is (c.op == "true")
    # comparisons: value nodes (string or number) only
    if not (isinstance(v, str) or _is_number(v)):
        return False
    numeric_lit = isinstance(c.value, str) and not c.quoted and _NUMBER.match(c.value)
    if c.op in ("<", ">", "<=", ">="):
        if not _is_number(v):
            return False
        x = float(c.value)
        return {"<": v < x, ">": v > x, "<=": v <= x, ">=": v >= x}[c.op]
    if numeric_lit and _is_number(v):
        eq = float(v) == float(c.value)
    else:
        eq = _text_match(_as_text(v), c.value)
    return eq if c.op == "=" else not eq


def _eval(tree, doc):
    if isinstance(tree, Cond):
        return _eval_cond(tree, doc)
    op, a, b = tree
    if op == "and":
        return _eval(a, doc) and _eval(b, doc)
    return _eval(a, doc) or _eval(b, doc)


def matches(pattern, message):
    """Does the log event message (a str) match the JSON pattern? Non-JSON messages and JSON
    that is not an object never match a JSON pattern."""
    tree = parse(pattern)
    try:
        doc = json.loads(message)
    except ValueError:
        return False
    if not isinstance(doc, dict):
        return False
    return _eval(tree, doc)
