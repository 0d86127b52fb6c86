# Tutorial 001's TCP client ("TCP server - client 기본 예제", client), used by
# tests/smoke.rs as a real peer for this lesson's server.
#
# Adapted only as needed to run here, under Python 3:
#   * `t.isAlive()` became `t.is_alive()`: Thread.isAlive() was removed in
#     Python 3.9 and raises AttributeError there.
#   * _HOST is 127.0.0.1 (the tutorial has a placeholder, "xxx.xxx.xxx.xxx")
#     and _PORT comes from the first argument (default 12345, the tutorial's),
#     so that tests can use the port the server got.
# Everything else, bugs included, is the tutorial's logic.

import socket
import signal
import sys
import logging
import threading
import time

log = logging.getLogger(__name__)

logging.basicConfig(
    format='[%(levelname)-8s] %(filename)-10s %(lineno) 4d 행 : %(message)s',
    level=logging.DEBUG)

# 서버 IP, PORT
_HOST = "127.0.0.1"
_PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345

client_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client_socket.connect((_HOST, _PORT))


def signal_handler(sig, frame):
    client_socket.close()
    time.sleep(1)
    sys.exit()


signal.signal(signal.SIGINT, signal_handler)


def recv_thread(client_socket):
    while True:
        try:
            data = client_socket.recv(1024)
            if data == b'':
                break
            log.debug(data)
        except:
            break


t = threading.Thread(target=recv_thread, args=(client_socket,), daemon=True)
t.start()

while t.is_alive():
    client_socket.send("hello server\n".encode())
    time.sleep(1)
