# Tutorial 001, "Bluetooth", the server: run as a real peer of the lesson's
# client in the bt-vm (scripts/bt-vm/guest/rfcomm-echo.sh, check py_server).
#
# Adapted, and only this:
# - the channel comes from argv[1] (the tutorial hard-codes PORT = 1);
# - once it listens it prints "listening on ..." to stderr, so that the test
#   knows when to start the client (the tutorial prints nothing until a
#   client has connected).
# The rest is the tutorial's logic, bare `except:` included: one client,
# recv(1024), print, send back, until anything goes wrong.
import socket
import signal
import sys

HOST = socket.BDADDR_ANY
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 1


def signal_handler(sig, frame):
    try:
        connected_socket.close()

    except:
        pass

    server_socket.close()
    sys.exit()


signal.signal(signal.SIGINT, signal_handler)

server_socket = socket.socket(
    socket.AF_BLUETOOTH, socket.SOCK_STREAM, socket.BTPROTO_RFCOMM)
server_socket.bind((HOST, PORT))
server_socket.listen()
print("listening on", HOST, "channel", PORT, file=sys.stderr, flush=True)

connected_socket, client_address = server_socket.accept()

try:
    while True:
        data = connected_socket.recv(1024)
        print("client :", data)
        connected_socket.send(data)

except:
    pass

connected_socket.close()
server_socket.close()
