# What listen(5) means, shown with real sockets (docs/src/threaded-echo.md,
# "What the tutorial got wrong"). Tutorials 002 and 004 call listen()'s
# number the most clients a server takes; it is not. It is the length of
# the queue of connections that the kernel has already completed and that
# accept() has not taken yet.
#
# One program plays both sides: a server socket that calls listen(5) and
# then never calls accept(), and eight clients that try to connect, each
# giving up after one second. Then the server socket is closed, as when a
# server exits: the clients still waiting in its queue get a reset.
# Run: python3 listen_queue.py
# ANCHOR: all
import socket

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", 0))  # any free port
server.listen(5)  # a queue of 5 (Linux lets one more in), not "5 clients"
port = server.getsockname()[1]

clients = []
for i in range(1, 9):
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.settimeout(1)
    try:
        client.connect(("127.0.0.1", port))
        print(f"client {i}: connected, although nobody called accept()")
    except socket.timeout:
        print(f"client {i}: no answer within 1 s: the queue is full")
    clients.append(client)

server.close()  # the server goes away, and never accepted anyone
for i, client in enumerate(clients[:6], start=1):
    try:
        client.recv(100)
    except ConnectionResetError as e:
        print(f"client {i}: {e}")
# ANCHOR_END: all
