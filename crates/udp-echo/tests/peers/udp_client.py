# The UDP client of tutorial 002 ("Python TCP/UDP socket", section "UDP Socket",
# "Client code"), used by tests/smoke.rs as a real peer for our server.
#
# Adapted, and only this: the port comes from the command line instead of 7001.
# The rest is the tutorial's logic, unchanged: one sendto(), one recvfrom(200)
# with no timeout (so it waits forever if the datagram is lost), print.
# (It already ran under Python 3.)
import sys
from socket import *

port = int(sys.argv[1]) if len(sys.argv) > 1 else 7001

sock = socket(AF_INET, SOCK_DGRAM)
sock.sendto("Hello!".encode(), ('127.0.0.1', port))

data, addr = sock.recvfrom(200)
print(data.decode(), addr)
