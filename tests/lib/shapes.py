#!/usr/bin/python3
# shapes.py: HTTP requests to a credential endpoint in the shapes an evasive client would use,
# for tests/integration/test_http_shapes.sh. Run only inside a test pod's own network
# namespace (fn_in_pod), where the endpoint addresses are local (shared/test-machine.md).
#
#   shapes.py MODE HOST PATH [--go FILE] [--pidfile FILE]
#
# Prints the HTTP status of every response, space-separated, and nothing else: response
# bodies hold the simulator's secrets and stay in memory. Modes:
#   split     request line cut in the middle of the path, two writes 300 ms apart
#   bytes     one byte per write (TCP_NODELAY), 5 ms apart
#   crlf      stray CRLFs before the request (RFC 9112 2.2 lets servers skip them)
#   pipeline  a harmless GET and the credential GET in one write
#   v2split   IMDSv2: PUT a session token, then the GET with the token header cut in two
#             writes, the cut inside the header name
#   pair401   on one connection: GET without a token (401 where IMDSv2 is required), PUT a
#             token, GET with it
#   bighead   a 9 KiB header before the end of the head (longer than the agent parses)
#   tls       a TLS ClientHello instead of HTTP (no response expected)
#   early     connect, then wait for --go FILE to exist before sending (an agent started in
#             between sees a connection that predates it)
#   plain     one ordinary request
import os
import socket
import sys
import time

mode, host, path = sys.argv[1:4]
opts = dict(zip(sys.argv[4::2], sys.argv[5::2]))
if "--pidfile" in opts:
    with open(opts["--pidfile"], "w") as f:
        f.write(str(os.getpid()))


def req(method, target, extra=""):
    return (f"{method} {target} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: shapes/1\r\n"
            f"Accept: */*\r\n{extra}\r\n").encode()


def read_response(s, buf):
    """One response from s (buf: bytes already read); returns (status, body, rest)."""
    while b"\r\n\r\n" not in buf:
        d = s.recv(65536)
        if not d:
            raise EOFError("connection closed before a response head")
        buf += d
    head, _, buf = buf.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    clen = 0
    for l in lines[1:]:
        k, _, v = l.partition(b":")
        if k.strip().lower() == b"content-length":
            clen = int(v.strip())
    while len(buf) < clen:
        d = s.recv(65536)
        if not d:
            raise EOFError("connection closed inside a body")
        buf += d
    return status, buf[:clen], buf[clen:]


def connect():
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.settimeout(5)
    s.connect((host.strip("[]"), 80))
    return s


TOKEN_HDR = "X-aws-ec2-metadata-token"
statuses = []
s = connect()
buf = b""
if mode == "split":
    r = req("GET", path)
    cut = r.index(path.encode()) + len(path) // 2
    s.sendall(r[:cut])
    time.sleep(0.3)
    s.sendall(r[cut:])
    n = 1
elif mode == "bytes":
    for b in req("GET", path):
        s.sendall(bytes([b]))
        time.sleep(0.005)
    n = 1
elif mode == "crlf":
    s.sendall(b"\r\n\r\n" + req("GET", path))
    n = 1
elif mode == "pipeline":
    s.sendall(req("GET", "/latest/meta-data/instance-id") + req("GET", path))
    n = 2
elif mode in ("v2split", "pair401"):
    if mode == "pair401":
        s.sendall(req("GET", path))
        st, _, buf = read_response(s, buf)
        statuses.append(st)
    s.sendall(req("PUT", "/latest/api/token", "X-aws-ec2-metadata-token-ttl-seconds: 60\r\n"))
    st, token, buf = read_response(s, buf)
    statuses.append(st)
    r = req("GET", path, f"{TOKEN_HDR}: {token.decode()}\r\n")
    if mode == "v2split":
        cut = r.index(TOKEN_HDR.encode()) + 9
        s.sendall(r[:cut])
        time.sleep(0.3)
        s.sendall(r[cut:])
    else:
        s.sendall(r)
    n = 1
elif mode == "bighead":
    s.sendall(req("GET", path, "X-Pad: " + "a" * 9000 + "\r\n"))
    n = 1
elif mode == "tls":
    hello = bytes([0x16, 0x03, 0x01, 0x00, 0x31, 0x01, 0x00, 0x00, 0x2d, 0x03, 0x03])
    hello += os.urandom(32) + bytes([0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00, 0x00, 0x00])
    s.sendall(hello)
    time.sleep(0.3)
    n = 0
elif mode == "early":
    go = opts["--go"]
    for _ in range(600):
        if os.path.exists(go):
            break
        time.sleep(0.1)
    else:
        sys.exit("early: no --go file after 60 s")
    s.sendall(req("GET", path))
    n = 1
elif mode == "plain":
    s.sendall(req("GET", path))
    n = 1
else:
    sys.exit(f"unknown mode {mode}")
for _ in range(n):
    st, _, buf = read_response(s, buf)
    statuses.append(st)
s.close()
print(" ".join(map(str, statuses)), end="")
