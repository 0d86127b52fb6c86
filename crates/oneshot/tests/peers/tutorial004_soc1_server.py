# Tutorial 004's first server (soc1_server.py), run as a real peer by
# tests/smoke.rs. Adapted only to take the port from the command line
# (argv[1], 0 for any free port) instead of the fixed 9999, and to print the
# port it got, flushed, so that the test can connect. Everything else is the
# tutorial's program.
import sys
from socket import *

# TCP/IP socket
serverSock = socket(AF_INET, SOCK_STREAM)
serverSock.bind(("127.0.0.1", int(sys.argv[1])))
serverSock.listen(1)
print("server service 중 ...", serverSock.getsockname()[1], flush=True)

conn, addr = serverSock.accept()
print("client address: ", addr)
print("from client message: ", conn.recv(1024).decode())

conn.close()
serverSock.close()
