# Tutorial 002's TCP server, run as a real peer by tests/smoke.rs and
# scripts/book-output/oneshot.sh.
# Adapted only to take the port from the command line (argv[1], 0 for any
# free port) and to print the port it got, flushed, so the test can connect.
# Everything else is the tutorial's program.
import sys
from socket import *

host = "127.0.0.1"
port = int(sys.argv[1])

serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.bind((host, port))
serverSocket.listen(1)
print("Waiting for Connection..", serverSocket.getsockname()[1], flush=True)

connectionSocket, addr = serverSocket.accept()
print(str(addr), "by Connetcion..")

data = connectionSocket.recv(1024)
print("Server : Data Received :", data.decode("utf-8"))

connectionSocket.send("Hello, i'm server!".encode("utf-8"))

serverSocket.close()
