#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A small simulator of the CloudWatch Logs API, for Fluent Bit's out_cloudwatch_logs.

  cwlogs_sim.py --listen 127.0.0.1:443 --cert CERT --key KEY --state DIR [--region R]
                [--ready FILE]

HTTPS (TLS with the given certificate), HTTP/1.1 with keep-alive, JSON 1.1 requests
(Content-Type application/x-amz-json-1.1) naming their action in
X-Amz-Target: Logs_20140328.<Action>. Implemented actions, with the errors the real service
gives for the cases Fluent Bit handles:

  CreateLogGroup     200, or 400 ResourceAlreadyExistsException
  CreateLogStream    200, or 400 ResourceNotFoundException (no such group) /
                     ResourceAlreadyExistsException
  PutLogEvents       200 {"nextSequenceToken"}, or 400 ResourceNotFoundException (no group or
                     stream) / InvalidParameterException (events out of order, more than 10,000
                     events or 1,048,576 bytes, a batch spanning more than 24 h, an empty
                     message)
  PutRetentionPolicy 200 (group must exist)

Every request must be signed with AWS Signature Version 4 for service "logs" and the region
(--region, default us-east-1) with the credentials in the environment of this process
(AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, fake ones in the tests); a bad or missing
signature gets 403 InvalidSignatureException / MissingAuthenticationTokenException. The secret
is only used to check signatures and is never written anywhere.

State lives in DIR and survives a restart of the simulator (like the real service):
  DIR/groups.json     {"group": ["stream", ...]}
  DIR/events.jsonl    one line per stored log event:
                      {"group", "stream", "timestamp", "message", "request"}
  DIR/requests.jsonl  one line per request: {"n", "action", "status", "error", "events",
                      "signature": "ok"|..., "access_key_id", "mode"}
  DIR/mode            read at every request: "ok" (default), "fail" (500
                      ServiceUnavailableException, nothing stored) or "store-then-fail" (the
                      next PutLogEvents is stored, then answered 500 as if the response was
                      lost; the mode goes back to "ok")
Every response carries x-amzn-RequestId (Fluent Bit treats a 200 without it as a failure).
"""

import argparse
import datetime
import hashlib
import hmac
import json
import os
import ssl
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_EVENTS = 10000
MAX_BYTES = 1048576
EVENT_OVERHEAD = 26
DAY_MS = 24 * 3600 * 1000

LOCK = threading.Lock()


class State:
    def __init__(self, d):
        self.dir = d
        self.groups_path = os.path.join(d, "groups.json")
        self.groups = {}
        if os.path.exists(self.groups_path):
            with open(self.groups_path) as f:
                self.groups = {g: set(s) for g, s in json.load(f).items()}
        self.nreq = 0
        p = os.path.join(d, "requests.jsonl")
        if os.path.exists(p):
            with open(p) as f:
                self.nreq = sum(1 for _ in f)

    def save(self):
        tmp = self.groups_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump({g: sorted(s) for g, s in self.groups.items()}, f)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, self.groups_path)

    def append(self, name, objs):
        with open(os.path.join(self.dir, name), "a") as f:
            for o in objs:
                f.write(json.dumps(o, separators=(",", ":")) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def mode(self):
        try:
            with open(os.path.join(self.dir, "mode")) as f:
                return f.read().strip() or "ok"
        except FileNotFoundError:
            return "ok"

    def set_mode(self, m):
        with open(os.path.join(self.dir, "mode"), "w") as f:
            f.write(m + "\n")


def _hmac(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def check_sigv4(method, path, headers, body, region, akid, secret):
    """Returns "ok", or why the signature does not verify."""
    auth = headers.get("authorization")
    if not auth:
        return "missing"
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return "not AWS4-HMAC-SHA256"
    parts = {}
    for item in auth[len("AWS4-HMAC-SHA256 "):].split(","):
        k, _, v = item.strip().partition("=")
        parts[k] = v
    try:
        cred, signed, sig = parts["Credential"], parts["SignedHeaders"], parts["Signature"]
    except KeyError:
        return "incomplete Authorization header"
    c_akid, date, c_region, service, term = (cred.split("/") + [""] * 5)[:5]
    if c_akid != akid:
        return "unknown access key id"
    if (c_region, service, term) != (region, "logs", "aws4_request"):
        return "wrong scope %s/%s/%s" % (c_region, service, term)
    amz_date = headers.get("x-amz-date", "")
    if not amz_date.startswith(date):
        return "X-Amz-Date does not match the credential scope"
    names = signed.split(";")
    if "host" not in names:
        return "host not signed"
    canon_headers = ""
    for n in names:
        if n not in headers:
            return "signed header %s missing" % n
        canon_headers += "%s:%s\n" % (n, " ".join(headers[n].strip().split()))
    path_only, _, query = path.partition("?")
    canon_query = "&".join(sorted(q for q in query.split("&") if q))
    canonical = "\n".join([method, path_only or "/", canon_query, canon_headers, signed,
                           hashlib.sha256(body).hexdigest()])
    scope = "%s/%s/logs/aws4_request" % (date, region)
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = _hmac(_hmac(_hmac(_hmac(("AWS4" + secret).encode(), date), region), "logs"),
                "aws4_request")
    want = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return "ok" if hmac.compare_digest(want, sig) else "signature mismatch"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "cwlogs-sim"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, obj, record):
        body = b"" if obj is None else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        record["status"] = status
        if status != 200 and obj:
            record["error"] = obj.get("__type")
        st = self.server.state
        st.nreq += 1
        record["n"] = st.nreq
        st.append("requests.jsonl", [record])

    def err(self, status, typ, msg, record):
        self.reply(status, {"__type": typ, "message": msg}, record)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        hdrs = {k.lower(): v for k, v in self.headers.items()}
        target = hdrs.get("x-amz-target", "")
        action = target.split(".", 1)[1] if target.startswith("Logs_20140328.") else target
        srv = self.server
        with LOCK:
            mode = srv.state.mode()
            rec = {"action": action, "mode": mode}
            sig = check_sigv4("POST", self.path, hdrs, body, srv.region, srv.akid, srv.secret)
            rec["signature"] = sig
            auth = hdrs.get("authorization", "")
            if "Credential=" in auth:
                rec["access_key_id"] = auth.split("Credential=")[1].split("/")[0]
            if sig == "missing":
                return self.err(400, "MissingAuthenticationTokenException",
                                "Missing Authentication Token", rec)
            if sig != "ok":
                return self.err(403, "InvalidSignatureException", sig, rec)
            if hdrs.get("content-type") != "application/x-amz-json-1.1":
                return self.err(400, "SerializationException", "bad content type", rec)
            if mode == "fail":
                return self.err(500, "ServiceUnavailableException",
                                "simulated outage (mode fail)", rec)
            try:
                req = json.loads(body)
            except ValueError:
                return self.err(400, "SerializationException", "body is not JSON", rec)
            fn = getattr(self, "act_" + action, None)
            if fn is None:
                return self.err(400, "UnknownOperationException", action, rec)
            return fn(req, rec, mode)

    def act_CreateLogGroup(self, req, rec, mode):
        st = self.server.state
        g = req.get("logGroupName")
        rec["group"] = g
        if not g:
            return self.err(400, "InvalidParameterException", "logGroupName", rec)
        if g in st.groups:
            return self.err(400, "ResourceAlreadyExistsException",
                            "The specified log group already exists", rec)
        st.groups[g] = set()
        st.save()
        return self.reply(200, None, rec)

    def act_PutRetentionPolicy(self, req, rec, mode):
        st = self.server.state
        if req.get("logGroupName") not in st.groups:
            return self.err(400, "ResourceNotFoundException",
                            "The specified log group does not exist.", rec)
        return self.reply(200, None, rec)

    def act_CreateLogStream(self, req, rec, mode):
        st = self.server.state
        g, s = req.get("logGroupName"), req.get("logStreamName")
        rec["group"], rec["stream"] = g, s
        if g not in st.groups:
            return self.err(400, "ResourceNotFoundException",
                            "The specified log group does not exist.", rec)
        if s in st.groups[g]:
            return self.err(400, "ResourceAlreadyExistsException",
                            "The specified log stream already exists", rec)
        st.groups[g].add(s)
        st.save()
        return self.reply(200, None, rec)

    def act_PutLogEvents(self, req, rec, mode):
        st = self.server.state
        g, s = req.get("logGroupName"), req.get("logStreamName")
        evs = req.get("logEvents") or []
        rec.update(group=g, stream=s, events=len(evs))
        if g not in st.groups:
            return self.err(400, "ResourceNotFoundException",
                            "The specified log group does not exist.", rec)
        if s not in st.groups[g]:
            return self.err(400, "ResourceNotFoundException",
                            "The specified log stream does not exist.", rec)
        if not evs or len(evs) > MAX_EVENTS:
            return self.err(400, "InvalidParameterException", "1 to 10000 log events", rec)
        size = sum(len(e.get("message", "").encode()) + EVENT_OVERHEAD for e in evs)
        rec["bytes"] = size
        if size > MAX_BYTES:
            return self.err(400, "InvalidParameterException", "batch over 1,048,576 bytes", rec)
        ts = [e.get("timestamp") for e in evs]
        if any(not isinstance(t, int) for t in ts):
            return self.err(400, "InvalidParameterException", "timestamp", rec)
        if ts != sorted(ts):
            return self.err(400, "InvalidParameterException",
                            "Log events in a single PutLogEvents request must be in "
                            "chronological order.", rec)
        if ts[-1] - ts[0] > DAY_MS:
            return self.err(400, "InvalidParameterException",
                            "A batch of log events in a single request cannot span more "
                            "than 24 hours.", rec)
        if any(not e.get("message") for e in evs):
            return self.err(400, "InvalidParameterException", "empty message", rec)
        st.append("events.jsonl", [{"group": g, "stream": s, "timestamp": e["timestamp"],
                                    "message": e["message"], "request": st.nreq + 1}
                                   for e in evs])
        if mode == "store-then-fail":
            st.set_mode("ok")
            rec["stored"] = True
            return self.err(500, "ServiceUnavailableException",
                            "simulated lost response (stored, then failed)", rec)
        return self.reply(200, {"nextSequenceToken": "%056d" % st.nreq}, rec)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--state", required=True)
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--ready")
    a = ap.parse_args()
    host, port = a.listen.rsplit(":", 1)
    srv = ThreadingHTTPServer((host, int(port)), Handler)
    srv.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.state = State(a.state)
    srv.region = a.region
    srv.akid = os.environ.get("AWS_ACCESS_KEY_ID", "")
    srv.secret = os.environ.get("AWS_SECRET_ACCESS_KEY", "")
    if not srv.akid or not srv.secret:
        sys.exit("cwlogs_sim: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set")
    if a.ready:
        with open(a.ready, "w") as f:
            f.write("%d %s\n" % (os.getpid(), datetime.datetime.now(datetime.timezone.utc)
                                 .isoformat()))
    srv.serve_forever()


if __name__ == "__main__":
    main()
