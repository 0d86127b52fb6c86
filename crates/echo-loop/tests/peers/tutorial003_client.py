# Tutorial 003's echo client, run as a real peer by tests/smoke.rs and
# scripts/book-output/echo-loop.sh. Adapted only to take the port from the
# command line (argv[1]) instead of the fixed 9999. Everything else is the
# tutorial's program (its comments left out).
import socket
import sys

HOST = '127.0.0.1'
PORT = int(sys.argv[1])

client_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client_socket.connect((HOST, PORT))
client_socket.sendall('안녕!'.encode())

data = client_socket.recv(1024)
print('Received', repr(data.decode()))

client_socket.close()
