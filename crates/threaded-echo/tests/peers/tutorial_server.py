# The server of tutorial 000 ("TCP/IP", the Python TCP/IP socket example with
# a thread per client), used by tests/smoke.rs and scripts/book-output as a
# real peer of the Rust clients, and to show the tutorial's bugs in the book.
#
# Adapted, and only this:
# - the port comes from the command line (`python3 tutorial_server.py PORT`),
#   so tests can pick a free port; the tutorial's 3333 stays the default;
# - the comments are in English and shortened.
# Nothing else: the tutorial's code already runs under Python 3. Its bugs
# are kept on purpose (see docs/src/threaded-echo.md): every thread shares
# one connection object, a closed client makes its thread spin, and the
# threads are not daemon threads, so Ctrl-C does not stop the server.
# Run it with `python3 -u` to see its prints at once in a pipe.
import socket, sys, threading

class Socket(object):
    def __init__(self, address='localhost', port=3333):
        # The server socket: IPv4 (AF_INET), TCP (SOCK_STREAM).
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)

        # SO_REUSEADDR: bind() again at once after a restart.
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)

        self.conn = self.socket
        self.address = address
        self.port = port
        self.timeout = 5;
        
        self._bind()

    def _send(self, msg):
        self.conn.sendall(msg.encode(encoding='utf-8'))
        # sent = 0
        # while sent < len(msg):
            # sent += self.conn.send(msg[sent:])

    def _read(self):
        data = self.conn.recv(1024)
        return data

    def _close(self):
        self.socket.close()
        if self.socket is not self.conn:
            self.conn.close()

    def _bind(self):
        self.socket.bind((self.address, self.port))

    def _listen(self):
        self.socket.listen()

    def _accept(self):
        return self.socket.accept()

    def _accept_connection(self):
        self._listen()
        self.conn, addr = self._accept()
        self.conn.settimeout(5)
        print('connect new addr: ', addr)

def server_thread(soc):
    while True:
        data = soc._read()
        msg = data.decode()
        if msg != '':
            print('read msg:', msg)
            soc._send(msg)
        
        if msg == '/end':
            break

if __name__ == '__main__':

    socket = Socket('localhost', int(sys.argv[1]) if len(sys.argv) > 1 else 3333)
    print('test log')

    while True:
        socket._accept_connection()
        th = threading.Thread(target=server_thread, args=(socket,))
        th.start()
