# unixserver.py PATH...: listen on unix stream sockets at PATHs, accept and
# close every connection; creates PATH[0].ready once listening. Used by the
# socket tests as a stand-in for a container runtime socket.
import socket, sys, os
paths = sys.argv[1:]
socks = []
for p in paths:
    s = socket.socket(socket.AF_UNIX)
    s.bind(p)
    s.listen(64)
    socks.append(s)
open(paths[0] + ".ready", "w").close()
import selectors
sel = selectors.DefaultSelector()
for s in socks:
    sel.register(s, selectors.EVENT_READ)
while True:
    for key, _ in sel.select():
        c, _ = key.fileobj.accept()
        c.close()
