#!/usr/bin/env python3
"""A thread-per-connection TCP echo server in plain Python, for
scripts/bench.sh to compare the Rust servers with.

Not from the tutorials: it is the shortest correct Python echo server
(socketserver gives each connection a thread, as threaded-echo does). It
reads up to 1024 bytes at a time, as the tutorials do, and logs nothing.

    python3 crates/loadgen/baselines/threaded_echo.py [PORT]   # 0: any free port

It prints "listening on 127.0.0.1:PORT" on stderr once it listens.
"""
import socketserver
import sys


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        while True:
            data = self.request.recv(1024)
            if not data:  # the client closed its side
                return
            self.request.sendall(data)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True  # Ctrl-C does not wait for the connections
    allow_reuse_address = True
    request_queue_size = 128  # the listen() backlog; the default is 5


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    with Server(("127.0.0.1", port), Echo) as server:
        host, port = server.server_address[:2]
        print(f"listening on {host}:{port}", file=sys.stderr, flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
