# A client that sends and never reads: 64 MiB of lines (1 KiB each) to an
# echo server, without ever reading the echo. Used by scripts/book-output/
# event-loop.sh to show backpressure:
#
#     python3 crates/event-loop/tests/peers/hog.py [PORT]   (default 3334)
#
# - A server that stops reading from a client that does not read (the
#   event-loop server) holds it back: after a while nothing more goes out,
#   and the hog says so, then leaves.
# - A server that cuts such a client off (the bare server) makes sendall()
#   fail: the hog says that instead.
# - A server that buffers the echo without bound would take all 64 MiB,
#   and grow by as much.
#
# It prints no byte counts: they depend on the kernel's buffer sizes.
import socket
import sys

port = int(sys.argv[1]) if len(sys.argv) > 1 else 3334
line = b"x" * 1023 + b"\n"
chunk = line * 64  # 64 KiB
total = 64 * 1024 * 1024

conn = socket.create_connection(("127.0.0.1", port))
conn.settimeout(2)  # a sendall() stuck for 2 s: the server stopped reading
sent = 0
try:
    while sent < total:
        conn.sendall(chunk)
        sent += len(chunk)
    print("hog: all 64 MiB went out: nothing held it back")
except socket.timeout:
    print("hog: stuck for 2 s before 64 MiB went out: the server stopped reading")
except ConnectionError as e:
    print(f"hog: the server cut the connection ({type(e).__name__})")
conn.close()
