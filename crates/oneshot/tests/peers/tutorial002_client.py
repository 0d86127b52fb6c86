# Tutorial 002's TCP client, run as a real peer by tests/smoke.rs.
# Adapted only to take the port from the command line (argv[1]) instead of
# the fixed 7001, so that the test can use a free port. Everything else is
# the tutorial's program.
import sys
from socket import *

ip = "127.0.0.1"
port = int(sys.argv[1])

clientSocket = socket(AF_INET, SOCK_STREAM)
clientSocket.connect((ip, port))

print("Connection Success..")
clientSocket.send("Hello, i'm client!".encode("utf-8"))

data = clientSocket.recv(1024)

print("Client : Data Received : ", data.decode("utf-8"))
clientSocket.close()
