# The UDP server of tutorial 002 ("Python TCP/UDP socket", section "UDP Socket",
# "Server code"), used by tests/smoke.rs as a real peer for our client.
#
# Adapted, and only this:
# - the port comes from the command line (0 = any free port), instead of 7001;
# - once bound, it prints "listening on HOST:PORT" to standard error, so that the
#   test learns the real port and knows the socket is ready.
# The rest is the tutorial's logic, unchanged: one recvfrom(200), one sendto()
# back to the sender, close. (It already ran under Python 3.)
import sys
from socket import *

port = int(sys.argv[1]) if len(sys.argv) > 1 else 7001

sock = socket(AF_INET, SOCK_DGRAM)
sock.bind(('127.0.0.1', port))
print("listening on %s:%d" % sock.getsockname(), file=sys.stderr, flush=True)

data, addr = sock.recvfrom(200)
sock.sendto(data, addr)

sock.close()
