# Tutorial 004's echo client (soc2_client.py), run as a real peer by
# tests/smoke.rs and scripts/book-output/echo-loop.sh. Adapted only to take
# the port from the command line (argv[1]) instead of the fixed 8888.
# Everything else is the tutorial's program (its comments left out).
import sys
from socket import *

clientSock = socket(AF_INET, SOCK_STREAM)
clientSock.connect(("127.0.0.1", int(sys.argv[1])))
clientSock.sendall("스승의 은혜는 하늘 같아서 . . .".encode(encoding="utf-8", errors="strict"))

re_message = clientSock.recv(1024).decode()
print("수신자료: ", re_message)

clientSock.close()
