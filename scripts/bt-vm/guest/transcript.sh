# Guest script that records what a student sees in two terminals, for the
# "What you will see" and "Pitfalls" sections of docs/src/bluetooth-rfcomm.md.
# Not a check: it runs the lesson's binaries the way the chapter does and
# prints their output between "==== ..." headers.
#
#   scripts/bt-vm/test-lesson.sh --transcript
#
# (test-lesson.sh passes this script to run.sh instead of rfcomm-echo.sh.)

. /test/lib.sh

terminal() { echo "==== $*"; }

# What the two terminals show, one after the other. The client's output is one
# stream (2>&1), as in a terminal: its log on stderr, the echo on stdout.
terminal "terminal 1: server"
start_server 20 || exit 1
printf 'hello\n안녕하세요, RFCOMM!\n' > /tmp/t.in
"$CLIENT" --addr "$ADDR0" < /tmp/t.in > /tmp/t.client 2>&1
client_rc=$?
wait_exit "$SERVER_PID" 10 || stop_server
server_rc=${EXIT_RC:-killed}
SERVER_PID=
cat "$SERVER_ERR"
echo "(server exit status $server_rc)"
terminal "terminal 2: printf 'hello\\n안녕하세요, RFCOMM!\\n' | client --addr $ADDR0"
cat /tmp/t.client
echo "(client exit status $client_rc)"

terminal "a client to a channel nobody listens on: client --addr $ADDR0 --channel 7"
echo hi | "$CLIENT" --addr "$ADDR0" --channel 7
echo "(client exit status $?)"

terminal "a second server on a channel that is taken: server --channel 1 (twice)"
start_server 20 --channel 1 || exit 1
"$SERVER" --channel 1 < /dev/null
echo "(second server exit status $?)"
kill -INT "$SERVER_PID"
wait_exit "$SERVER_PID" 10 || stop_server
echo "-- the first one, after Ctrl-C (exit status $EXIT_RC):"
cat "$SERVER_ERR"
SERVER_PID=

terminal "a second client while the first is connected, then the server stopped"
start_server 20 || exit 1
rm -f /tmp/first.fifo; mkfifo /tmp/first.fifo
"$CLIENT" --addr "$ADDR0" < /tmp/first.fifo > /tmp/first.out 2>&1 &
first=$!
exec 3> /tmp/first.fifo
echo one >&3
until grep -q one /tmp/first.out; do sleep 0.1; done
echo "-- second client: echo two | client --addr $ADDR0"
echo two | "$CLIENT" --addr "$ADDR0"
echo "(second client exit status $?)"
kill -INT "$SERVER_PID"
wait_exit "$SERVER_PID" 10 || stop_server
SERVER_PID=
echo "-- Ctrl-C to the server; then the first client sends one more line:"
echo three >&3
exec 3>&-
wait_exit "$first" 10 || kill -KILL "$first"
cat /tmp/first.out
echo "(first client exit status $EXIT_RC)"

terminal "the address the kernel hands to accept(): server -v, client from hci1"
start_server 20 -v || exit 1
echo hi | "$CLIENT" --addr "$ADDR0" -q > /dev/null
wait_exit "$SERVER_PID" 10 || stop_server
grep -E 'sockaddr_rc|connected' "$SERVER_ERR"

if [ -n "${PYTHON:-}" ]; then
    # RFCOMM has no half-close: shutdown(SHUT_WR) right after a send, before
    # the echo is back, closes both directions and the echo is lost.
    terminal "no half-close: send, shutdown(SHUT_WR) at once, then recv (Python)"
    cat > /tmp/half.py <<'EOF'
import socket, sys
s = socket.socket(socket.AF_BLUETOOTH, socket.SOCK_STREAM, socket.BTPROTO_RFCOMM)
s.connect((sys.argv[1], 1))
s.send(b"hello\n")
s.shutdown(socket.SHUT_WR)
print("recv after shutdown(SHUT_WR):", repr(s.recv(100)))
EOF
    start_server 20 -q || exit 1
    "$PYTHON" -u /tmp/half.py "$ADDR0"
    wait_exit "$SERVER_PID" 10 || stop_server
fi

if [ -n "${PYTHON:-}" ] && [ -f /test/tutorial_client.py ]; then
    terminal "the tutorial's Python client, a 1500-character line, then 'x'"
    start_server 20 -q || exit 1
    { head -c 1500 /dev/zero | tr '\0' 'a'; printf '\nx\n'; } > /tmp/long.in
    "$PYTHON" -u /test/tutorial_client.py "$ADDR0" 1 < /tmp/long.in \
        | awk '{ while (match($0, /aaaaaaaaaa+/)) $0 = substr($0, 1, RSTART - 1) "<" RLENGTH " times a>" substr($0, RSTART + RLENGTH); print }'
    wait_exit "$SERVER_PID" 10 || stop_server
fi
exit 0
