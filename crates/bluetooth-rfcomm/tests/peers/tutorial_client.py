# Tutorial 001, "Bluetooth", the client: run as a real peer of the lesson's
# server in the bt-vm (scripts/bt-vm/guest/rfcomm-echo.sh, check py_client).
#
# Adapted, and only this:
# - the server's address comes from argv[1] and the channel from argv[2]
#   (the tutorial has HOST = '', an address the reader must fill in, and
#   PORT = 1).
# The rest is the tutorial's logic: read a line, send it without its
# newline, one recv(1024), print it; at the end of input, input() raises
# EOFError, which the bare `except:` swallows, and the client closes.
import socket
import signal
import sys

HOST = sys.argv[1]
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 1


def signal_handler(sig, frame):
    client_socket.close()

    sys.exit()


signal.signal(signal.SIGINT, signal_handler)

client_socket = socket.socket(
    socket.AF_BLUETOOTH, socket.SOCK_STREAM, socket.BTPROTO_RFCOMM)

client_socket.connect((HOST, PORT))

try:
    while True:
        data = input("client : ")
        if data:
            client_socket.send(data.encode())
            data = client_socket.recv(1024)
            print("server :", data)

except:
    pass

client_socket.close()
