# unixserver.py PATH...: listen on unix stream sockets at PATHs and accept every
# connection; creates PATH[0].ready once listening. Used by the socket tests as
# a stand-in for a container runtime socket. Like a runtime (a gRPC session),
# it keeps accepted connections open (the 256 newest): a server that closes at
# once races the agent's look at the connected peer (see README, known limits).
import collections, selectors, socket, sys

paths = sys.argv[1:]
socks = []
for p in paths:
    s = socket.socket(socket.AF_UNIX)
    s.bind(p)
    s.listen(64)
    socks.append(s)
open(paths[0] + ".ready", "w").close()
sel = selectors.DefaultSelector()
for s in socks:
    sel.register(s, selectors.EVENT_READ)
held = collections.deque()
while True:
    for key, _ in sel.select():
        c, _ = key.fileobj.accept()
        held.append(c)
        if len(held) > 256:
            held.popleft().close()
