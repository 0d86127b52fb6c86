# Tutorial 004's first client (soc1_client.py), run as a real peer by
# tests/smoke.rs. Adapted only to take the port from the command line
# (argv[1]) instead of the fixed 9999. Everything else is the tutorial's
# program.
import sys
from socket import *

clientSock = socket(AF_INET, SOCK_STREAM)
clientSock.connect(("127.0.0.1", int(sys.argv[1])))
clientSock.sendall("안녕!".encode(encoding="utf-8", errors="strict"))
clientSock.close()
