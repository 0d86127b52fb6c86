# Tutorial 004's "echo" server (soc2_server.py), run as a real peer by
# scripts/book-output/echo-loop.sh to show its bugs. Adapted only to take
# the port from the command line (argv[1]) instead of the fixed 8888.
# Everything else is the tutorial's program (its comments left out).
import socket
import sys

HOST = ""
PORT = int(sys.argv[1])

serverSock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)

try:
    serverSock.bind((HOST, PORT))
    print("서버 서비스 중입니다.")
    serverSock.listen(5)

    while True:
        conn, addr = serverSock.accept()
        print("client info: ", addr[0], addr[1])
        print("from client message: ", conn.recv(1024).decode())

        conn.send(("from server: " + str(addr[1]) + \
                   "너도 잘 지내라").encode("utf-8"))

except Exception as e:
    print("err: ", e)
    sys.exit()
finally:
    serverSock.close()
    conn.close()
