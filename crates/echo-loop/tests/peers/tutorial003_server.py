# Tutorial 003's echo server, run as a real peer by tests/smoke.rs and
# scripts/book-output/echo-loop.sh. Adapted only to take the port from the
# command line (argv[1], 0 for any free port) instead of the fixed 9999, and
# to print the port it got, flushed, so that a test can connect. Everything
# else is the tutorial's program (its comments left out).
import socket
import sys

HOST = '127.0.0.1'
PORT = int(sys.argv[1])

server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server_socket.bind((HOST, PORT))
server_socket.listen()
print('서버 실행', server_socket.getsockname()[1], flush=True)

client_socket, addr = server_socket.accept()

print('접속한 클라이언트 주소')
print('Connected by', addr)

while True:
    data = client_socket.recv(1024)
    if not data:
        break
    print('Received from', addr, data.decode())
    client_socket.sendall(data)

client_socket.close()
server_socket.close()
