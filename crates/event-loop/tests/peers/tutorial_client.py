# The client of tutorial 000 ("TCP/IP", the Python TCP/IP socket example with
# a thread per client), used by tests/smoke.rs as a real peer of the Rust
# server.
#
# Adapted, and only this:
# - the port comes from the command line (`python3 tutorial_client.py PORT`),
#   so the tests can use the port the server got from `--port 0`; the
#   tutorial hard-codes 3333, which stays the default;
# - nothing else: the tutorial's code already runs under Python 3. It reads
#   what is typed with input(), which reads standard input, so a test can pipe
#   the lines in. As in the tutorial, input() prints the prompt `msg:` on
#   standard output, and each line is sent WITHOUT a newline, then one
#   recv(100) is taken to be the whole echo.
import socket
import sys

server_ip = 'localhost'
server_port = int(sys.argv[1]) if len(sys.argv) > 1 else 3333

socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
socket.connect((server_ip, server_port))

# Send packets to the server until /end is typed.
while True:
    msg = input('msg:')
    socket.sendall(msg.encode(encoding='utf-8'))
    data = socket.recv(100)
    msg = data.decode()
    print('echo msg:', msg)

    if msg == '/end':
        break

socket.close()
