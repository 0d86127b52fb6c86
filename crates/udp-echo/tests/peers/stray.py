# Not from a tutorial: a helper for the udp-echo chapter and tests, written
# in the tutorial's style so it reads like its programs.
#
# An echo server on 127.0.0.1:PORT (default 7001) with a meddling neighbour.
# When a datagram comes, a second socket, on another port (a stranger, not
# the server), first sends the client the very same bytes; then the server
# sends its real echo. A client that takes the first datagram reaching its
# port as the answer takes the stranger's.
#
#   python3 crates/udp-echo/tests/peers/stray.py [PORT]
#
# Like the tutorial's server it prints nothing but, once bound,
# "listening on HOST:PORT" to standard error, and one line per stray.
import sys
import time
from socket import *

port = int(sys.argv[1]) if len(sys.argv) > 1 else 7001

sock = socket(AF_INET, SOCK_DGRAM)
sock.bind(('127.0.0.1', port))
print("listening on %s:%d" % sock.getsockname(), file=sys.stderr, flush=True)
stranger = socket(AF_INET, SOCK_DGRAM)
stranger.bind(('127.0.0.1', 0))

try:
    while True:
        data, addr = sock.recvfrom(65536)
        stranger.sendto(data, addr)
        print("the stranger at %s:%d sent the same bytes first" % stranger.getsockname(),
              file=sys.stderr, flush=True)
        # Let the stray arrive well before the echo: two datagrams sent by
        # one program are not promised to arrive in order.
        time.sleep(0.2)
        sock.sendto(data, addr)
except KeyboardInterrupt:
    pass
