#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the seed corpora under tests/fuzz/corpus/<target>/ from the inputs the tests use.

Run by tests/fuzz/mkseeds.sh (which first runs a fake node for its config.json, tokens and
cgroup paths, when it can); the output is checked in. Sources:
  - the C string literals of the unit tests and of the golden scenario (tests/unit/*.c,
    tests/golden/scenario.c): requests, responses, credential documents, config files,
    OCI specs, cgroup paths, User-Agents and versions, JWT payloads. Adjacent literals are
    joined; a macro between them is expanded when it is a string #define of the same file,
    and otherwise written as "CWFUZZ<NAME>" (so a secret the tests plant by macro becomes an
    obviously fake value here);
  - the cgroup layouts of shared/eks-node-facts.md section 4 (instantiated);
  - the fake node's artefacts (tests/lib/fakenode.sh, given as a directory argument):
    config.json files, projected tokens made by credsim mkjwt (their signature replaced by
    a fixed fake one), cgroup paths.
Every value that could pass for a secret is fake (CWFUZZ..., CWSIM..., CWTEST...).
"""
import base64
import hashlib
import os
import re
import shutil
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus")
FAKE_SIG = b"CWFUZZFAKESIGNATURE0000000000000"

ESC = {"n": 10, "r": 13, "t": 9, "0": 0, "\\": 92, '"': 34, "'": 39, "a": 7, "b": 8, "f": 12,
       "v": 11, "?": 63}


def unescape(body):
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out += c.encode()
            i += 1
            continue
        n = body[i + 1]
        if n == "x":
            m = re.match(r"[0-9a-fA-F]+", body[i + 2:])
            out.append(int(m.group(0), 16) & 0xff)
            i += 2 + len(m.group(0))
        elif n in "01234567":
            m = re.match(r"[0-7]{1,3}", body[i + 1:])
            out.append(int(m.group(0), 8) & 0xff)
            i += 1 + len(m.group(0))
        elif n == "u":
            out += chr(int(body[i + 2:i + 6], 16)).encode()
            i += 6
        else:
            out.append(ESC.get(n, ord(n)))
            i += 2
    return bytes(out)


def strip_comments(src):
    out, i, n = [], 0, len(src)
    while i < n:
        if src.startswith("/*", i):
            j = src.find("*/", i + 2)
            i = n if j < 0 else j + 2
            out.append(" ")
        elif src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
        elif src[i] == '"':
            j = i + 1
            while j < n and src[j] != '"':
                j += 2 if src[j] == "\\" else 1
            out.append(src[i:j + 1])
            i = j + 1
        elif src[i] == "'":
            j = i + 1
            while j < n and src[j] != "'":
                j += 2 if src[j] == "\\" else 1
            out.append(src[i:j + 1])
            i = j + 1
        else:
            out.append(src[i])
            i += 1
    return "".join(out)


LIT = r'"(?:[^"\\\n]|\\.)*"'
# a macro the tests plant as a secret is never expanded: it becomes CWFUZZ<NAME>
SECRETISH = re.compile(r"SECRET|TOKEN|SESSION|KEY|SIG|PASS|AUTH")


def literals(path):
    """Every run of adjacent string literals (and string macros) in a C file, joined."""
    src = strip_comments(open(path, encoding="utf-8", errors="replace").read())
    src = src.replace("\\\n", " ")
    macros = {}
    for m in re.finditer(r"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)[ \t]+(.*)$", src, re.M):
        name, val = m.group(1), m.group(2).strip()
        if re.fullmatch(r"(?:(?:%s)|[A-Za-z_]\w*|\s)+" % LIT, val) and '"' in val:
            macros[name] = val

    def expand(text, depth=0):
        parts = []
        for tok in re.finditer(r"(%s)|([A-Za-z_]\w*)" % LIT, text):
            if tok.group(1):
                parts.append(unescape(tok.group(1)[1:-1]))
            elif tok.group(2) in macros and depth < 8 and not SECRETISH.search(tok.group(2)):
                parts.append(expand(macros[tok.group(2)], depth + 1))
            else:
                parts.append(b"CWFUZZ" + tok.group(2).encode())
        return b"".join(parts)

    body = re.sub(r"^[ \t]*#.*$", "", src, flags=re.M)
    found = []
    for m in re.finditer(r"(?:%s|[A-Z_][A-Z0-9_]*)(?:\s*(?:%s|[A-Z_][A-Z0-9_]*))*" % (LIT, LIT), body):
        text = m.group(0)
        if '"' not in text:
            if text in macros:
                found.append(expand(text))
            continue
        found.append(expand(text))
    return found


AKID = re.compile(rb"(?:AKIA|ASIA)[A-Z0-9]{12,20}")


def defang(b):
    """Whatever the tests plant as a secret (or that looks like a key) becomes an obviously fake
    CWFUZZ value: header tokens, JSON secrets, secret environment variables, access key ids."""
    b = re.sub(rb"(?i)((?:^|[\r\n])(?:x-aws-ec2-metadata-token|authorization)[ \t]*:[ \t]*)"
               rb"[^\r\n]*", rb"\1CWFUZZ-token", b)
    b = re.sub(rb'("(?:SecretAccessKey|Token)"\s*:\s*")(?:[^"\\]|\\.)*"', rb'\1CWFUZZ-secret"', b)
    b = re.sub(rb"(AWS_(?:SECRET_ACCESS_KEY|SESSION_TOKEN|CONTAINER_AUTHORIZATION_TOKEN)=)[^\"'\x00]*",
               rb"\1CWFUZZ-secret", b)
    return AKID.sub(lambda m: (b"ASIACWFUZZ" + b"0" * 20)[:len(m.group(0))], b)


def write(target, data, tag=""):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    name = (tag + "-" if tag else "") + hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


METHOD = re.compile(rb"^(?:\r?\n)*[A-Za-z]+ [^\s]*")


def is_request(b):
    return bool(METHOD.match(b)) and b" HTTP/" in b or bool(re.match(rb"^(?:\r?\n)*(GET|PUT|POST|HEAD) /", b))


# --- targets ------------------------------------------------------------------------------

def http_seeds(reqs, resps):
    for r in reqs:
        write("fuzz_http", b"\x00" + r, "req")
        write("fuzz_http", b"\x02" + r, "planted")
    for r in resps:
        write("fuzz_http", b"\x03" + r, "resp")


def httpmsg_seeds(reqs, resps):
    # ctl, seed, gap_at (2), gap_len, head pattern, then the stream
    for r in reqs:
        write("fuzz_httpmsg", bytes([0x00, 7, 0, 0, 0, 0]) + r, "req")
        write("fuzz_httpmsg", bytes([0x44, 3, 0, 0, 0, 0]) + r, "req-bytes")
    for r in resps:
        write("fuzz_httpmsg", bytes([0x01, 5, 0, 0, 0, 0]) + r, "resp")
    complete = [r for r in reqs if r.endswith(b"\r\n\r\n")][:6]
    write("fuzz_httpmsg", bytes([0x04, 9, 0, 0, 0, 0]) + b"".join(complete), "pipelined")
    write("fuzz_httpmsg", bytes([0x06, 9, 0, 0, 0, 0]) + b"ials/r HTTP/1.1\r\n\r\n" +
          b"".join(complete), "joined")
    full = [r for r in resps if b"\r\n\r\n" in r][:5]
    write("fuzz_httpmsg", bytes([0x05, 11, 0, 0, 0, 0]) + b"".join(full), "responses")


def creds_seeds(bodies):
    for b in bodies:
        write("fuzz_creds", b"\x00" + b, "raw")
        # the secrets' members cut out: the planted variant puts its own there
        p = re.sub(rb'"(SecretAccessKey|Token)"\s*:\s*"[^"]*"', b"\xfe", b)
        if p.count(b"\xfe") == 2:
            write("fuzz_creds", b"\x01" + p, "planted")


def conns_seeds(reqs, resps):
    def connect(cookie_byte):
        return bytes([0, cookie_byte]) + struct.pack("<II", 0x10000000, 0xfffffff0)

    def raw(cookie, d, data, flags=0):
        b = (cookie - 1) | (d << 2) | flags
        out = b""
        for i in range(0, len(data), 590):
            piece = data[i:i + 590]
            out += bytes([1, b, 0]) + struct.pack("<H", len(piece)) + piece
        return out

    def canned(cookie, idx, pieces=1, seed=7):
        return bytes([4, (cookie - 1) | ((pieces - 1) << 4), idx, seed])

    # an IMDSv2 fetch: token PUT and its answer, the credential GET and its answer
    write("fuzz_conns", connect(0x04) + canned(1, 7) + canned(1, 4) + canned(1, 6, 3) +
          canned(1, 0, 2) + bytes([7]), "imdsv2")
    # Pod Identity, chunked and close-delimited answers, a late answer after the timeout
    write("fuzz_conns", connect(0x09) + canned(2, 8) + canned(2, 2) + canned(2, 8) +
          bytes([6, 0xff, 0xff]) + canned(2, 1, 4) + bytes([7]), "pod-identity")
    # raw requests and responses from the tests, pipelined on two connections
    complete = [r for r in reqs if r.endswith(b"\r\n\r\n")][:4]
    answers = [r for r in resps if b"\r\n\r\n" in r][:4]
    s = connect(0x04) + connect(0x15)
    for q, a in zip(complete, answers):
        s += raw(1, 0, q) + raw(1, 1, a) + raw(2, 0, q)
    write("fuzz_conns", s + canned(2, 3) + bytes([7]), "raw")


def config_seeds(docs):
    for d in docs:
        write("fuzz_config", d, "cfg")
        # jsonpos: depth, at_key, 9 path bytes, the text
        for spec in (bytes([3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), bytes([5, 1, 1, 2, 0, 1, 0, 0, 0, 0, 0])):
            write("fuzz_jsonpos", spec + d, "doc")


def jwt_seeds(payloads, tokens):
    for p in payloads:
        write("fuzz_jwt", b"\x01" + p, "payload")
    for t in tokens:
        write("fuzz_jwt", b"\x00" + t, "token")
        parts = t.strip().split(b".")
        if len(parts) == 3:
            pl = parts[1] + b"=" * (-len(parts[1]) % 4)
            write("fuzz_jwt", b"\x05" + base64.urlsafe_b64decode(pl), "token-payload")


def cgroup_seeds(paths):
    for p in paths:
        write("fuzz_cgroup", p, "path")
        write("fuzz_cgroup", p + b"\x00kubepods.slice/kubepods-pod11111111_2222_4333_8444_"
              b"555555555555.slice/cri-containerd-" + b"ab" * 32 + b".scope", "spoof")


def sdk_seeds(uas, versions):
    for u in uas:
        write("fuzz_sdk", u, "ua")
    vs = versions[:30]
    for i in range(0, len(vs) - 2, 3):
        write("fuzz_sdk", b"aws-sdk-go/1.44.0\xff" + b"\x00".join(vs[i:i + 3]), "versions")


def oci_seeds(docs):
    for d in docs:
        write("fuzz_ocispec", b"\x00" + d, "raw")
        write("fuzz_ocispec", b"\x01" + d, "planted")


# --- collection ---------------------------------------------------------------------------

def main():
    fakenode = sys.argv[1] if len(sys.argv) > 1 else None
    for t in os.listdir(OUT) if os.path.isdir(OUT) else []:
        shutil.rmtree(os.path.join(OUT, t))
    unit = os.path.join(ROOT, "tests", "unit")
    lits = {}
    for f in sorted(os.listdir(unit)):
        if f.endswith(".c"):
            lits[f] = literals(os.path.join(unit, f))
    lits["scenario.c"] = literals(os.path.join(ROOT, "tests", "golden", "scenario.c"))
    for f in lits:
        lits[f] = [defang(x) for x in lits[f]]
    every = [x for v in lits.values() for x in v]

    reqs = sorted({x for x in lits["test_http.c"] + lits["test_stream.c"] + lits["scenario.c"]
                   if is_request(x) and len(x) < 2000})
    resps = sorted({x for x in every if x.startswith(b"HTTP/") and len(x) < 2000})
    # a credentials answer of the golden scenario, whole (its body comes from a macro)
    golden = [x for x in lits["scenario.c"] if b'"AccessKeyId"' in x and x.startswith(b"{")]
    for b in golden:
        resps.append(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                     b"Server: EC2ws\r\n\r\n" % len(b) + b)
    bodies = sorted({x for x in every if x.lstrip().startswith(b"{") and b"AccessKeyId" in x})
    configs = sorted({x for f in ("test_config.c", "test_policy.c") for x in lits[f]
                      if x.lstrip().startswith(b"{")})
    payloads = sorted({x for x in lits["test_jwt.c"] if x.startswith(b"{")})
    cgpaths = sorted({x for x in lits["test_cgroup_parse.c"] + lits["test_cgroups.c"] +
                      lits["test_attrib.c"]
                      if (b"kubepods" in x or b"docker" in x or b".slice" in x) and b"%" not in x
                      and b"\x00" not in x})
    uas = set()
    versions = set()
    for x in lits["test_sdk.c"]:
        if re.fullmatch(rb"[0-9][0-9A-Za-z.+_-]*", x):
            versions.add(x)
        elif b"/" in x:
            uas.add(x.replace(b"%s", b"1.2.3"))
    ocidocs = sorted({x.replace(b"'", b'"') for x in lits["test_ocispec.c"]
                      if x.startswith(b"{'") and b"'ociVersion'" in x or x.startswith(b"{'process'")})

    # the cgroup layouts of the facts
    facts = open(os.path.join(os.path.dirname(ROOT), "shared", "eks-node-facts.md")).read() \
        if os.path.exists(os.path.join(os.path.dirname(ROOT), "shared", "eks-node-facts.md")) else ""
    uid = "8f2c1b9e-3d4a-4c5b-9e6f-7a8b9c0d1e2f"
    for m in re.finditer(r"`((?:kubepods|/kubepods)[^`]*)`", facts):
        t = m.group(1)
        t = re.sub(r"<uid with _ for ->", uid.replace("-", "_"), t)
        t = t.replace("<uid_>", uid.replace("-", "_")).replace("<uid>", uid)
        t = t.replace("<64 hex>", "0123456789abcdef" * 4)
        if "<" not in t:
            cgpaths.append(t.encode())

    tokens = []
    if fakenode and os.path.isdir(fakenode):
        for f in sorted(os.listdir(fakenode)):
            data = open(os.path.join(fakenode, f), "rb").read()
            if f.endswith(".json"):
                ocidocs.append(defang(data))
            elif f.endswith(".jwt"):
                parts = data.strip().split(b".")
                if len(parts) == 3:
                    sig = base64.urlsafe_b64encode(FAKE_SIG).rstrip(b"=")
                    tokens.append(b".".join(parts[:2] + [sig]) + b"\n")
            elif f.endswith(".cgroups"):
                cgpaths += [p for p in data.split(b"\n") if p]
    else:
        print("mkseeds: no fake node artefacts: no config.json, token or cgroup seeds from it",
              file=sys.stderr)

    http_seeds(reqs, resps)
    httpmsg_seeds(reqs, resps)
    creds_seeds(bodies)
    conns_seeds(reqs, resps)
    config_seeds(configs)
    jwt_seeds(payloads, tokens)
    cgroup_seeds(sorted(set(cgpaths)))
    sdk_seeds(sorted(uas), sorted(versions))
    oci_seeds(ocidocs)
    # one tiny seed for the stream target: SYN, data, FIN (ops are binary)
    write("fuzz_stream", struct.pack("<II", 1000, 7) + bytes([0x02, 0, 0, 0, 0]) +
          bytes([0x10, 0, 0]) + struct.pack("<H", 40) + bytes([0x11, 0, 0, 0, 0]), "syn-data-fin")
    write("fuzz_stream", struct.pack("<II", 0xfffffff0, 9) + bytes([0x10, 100, 0]) +
          struct.pack("<H", 50) + bytes([0x10, 0, 0]) + struct.pack("<H", 100) +
          bytes([0x30, 30, 0]) + struct.pack("<H", 100) + struct.pack("<H", 10) + bytes([0x70]),
          "ooo-wrap-cut")
    for t in sorted(os.listdir(OUT)):
        n = len(os.listdir(os.path.join(OUT, t)))
        size = sum(os.path.getsize(os.path.join(OUT, t, f)) for f in os.listdir(os.path.join(OUT, t)))
        print("mkseeds: %-13s %4d seeds, %7d bytes" % (t, n, size))


main()
