# Guest script that records what a student sees in the terminals, for the
# "What you will see", "What the tutorial got wrong" and "Pitfalls" sections
# of docs/src/bluetooth-rfcomm.md. Not a check: it runs the lesson's binaries
# the way the chapter does and prints their output in sections, each one
# starting with a header line
#
#   ==== NAME: what it shows
#
# scripts/book-output.sh writes each section (without its header) to
# docs/src/output/bluetooth-rfcomm-NAME.txt, which the chapter includes, and
# `book-output.sh --check` fails when a fresh run prints anything else. So
# everything a section prints must be the same from run to run: no pids, no
# timings. Commands are shown as a student would type them (`$ ...`), without
# cargo; `$ echo $?` shows an exit status.
#
#   scripts/bt-vm/test-lesson.sh --transcript
#
# (test-lesson.sh passes this script to run.sh instead of rfcomm-echo.sh.)

. /test/lib.sh

# section NAME TITLE: starts the section NAME.
section() { echo "==== $1: $2"; }

# status RC: the exit status, as `echo $?` shows it.
status() { echo '$ echo $?'; echo "$1"; }

# serve ARGS...: starts "$SERVER" ARGS in the background (lib.sh's
# start_server). Its "server pid N" note varies from run to run and is no
# part of what a terminal shows: it is printed only when the start failed.
serve() {
    start_server 20 "$@" > /tmp/serve.log || { cat /tmp/serve.log; exit 1; }
}

# stopped PID: waits up to 10 s for PID to end and prints its exit status;
# kills it (and says so) if it does not end.
stopped() {
    if wait_exit "$1" 10; then
        status "$EXIT_RC"
    else
        kill -KILL "$1" 2>/dev/null; wait "$1" 2>/dev/null
        echo "(still running after 10 s: killed)"
    fi
}

# First, before any other connection: a refusal right after other
# connections can take ~30 s instead of 0.1 s (README, "Known sharp edges").
# The output is the same either way, only the run is slower.
section unused "a client to a channel nobody listens on"
echo "\$ echo hi | client --addr $ADDR0 --channel 7"
echo hi | "$CLIENT" --addr "$ADDR0" --channel 7 2>&1
status $?

# What the two terminals show. The client's output is one stream (2>&1), as
# in a terminal: its log on stderr, the echo on stdout.
serve
printf 'hello\n안녕하세요, RFCOMM!\n' > /tmp/t.in
"$CLIENT" --addr "$ADDR0" < /tmp/t.in > /tmp/t.client 2>&1
client_rc=$?
section server "terminal 1, the server"
echo '$ server'
pid=$SERVER_PID SERVER_PID=
stopped "$pid" > /tmp/t.status
cat "$SERVER_ERR" /tmp/t.status
section client "terminal 2, the client"
echo "\$ printf 'hello\\n안녕하세요, RFCOMM!\\n' | client --addr $ADDR0"
cat /tmp/t.client
status $client_rc

section server-v "the address the kernel hands to accept(): server -v, client from hci1"
serve -v
echo '$ server -v'
echo hi | "$CLIENT" --addr "$ADDR0" -q > /dev/null
pid=$SERVER_PID SERVER_PID=
stopped "$pid" > /dev/null
grep -E 'sockaddr_rc|connected' "$SERVER_ERR"

# Two servers on the default channel, 1; then Ctrl-C to the first one, which
# still waits for a client.
section channel-taken "a second server on a channel that is taken"
serve
first_err=$SERVER_ERR
echo '$ server'
"$SERVER" < /dev/null 2>&1
status $?
section ctrl-c "the first server, waiting for a client, gets Ctrl-C"
echo '$ server'
kill -INT "$SERVER_PID"
pid=$SERVER_PID SERVER_PID=
stopped "$pid" > /tmp/t.status
cat "$first_err" /tmp/t.status

# A client that stays connected, reading "typed" lines from a fifo. A
# terminal echoes what one types; here the script writes each typed line
# into the client's output itself, just before the client reads it (both
# append to the file, so neither overwrites the other).
serve
rm -f /tmp/first.fifo /tmp/first.out; mkfifo /tmp/first.fifo
"$CLIENT" --addr "$ADDR0" < /tmp/first.fifo >> /tmp/first.out 2>&1 &
first=$!
exec 3> /tmp/first.fifo
# type LINE: what typing LINE and Enter in the first client's terminal does.
type_line() { echo "$1" >> /tmp/first.out; echo "$1" >&3; }
until grep -q 'connected to' /tmp/first.out; do sleep 0.1; done
type_line one
until [ "$(grep -c '^one$' /tmp/first.out)" -ge 2 ]; do sleep 0.1; done
section busy "a second client while the first is connected"
echo "\$ echo two | client --addr $ADDR0"
echo two | "$CLIENT" --addr "$ADDR0" 2>&1
status $?
# Ctrl-C to the server; then the first client sends one more line.
kill -INT "$SERVER_PID"
pid=$SERVER_PID SERVER_PID=
stopped "$pid" > /dev/null
type_line three
exec 3>&-
stopped "$first" > /tmp/t.status
section server-gone "the first client: 'one' is echoed; after Ctrl-C to the server, 'three' is not"
echo "\$ client --addr $ADDR0"
cat /tmp/first.out /tmp/t.status

if [ -n "${PYTHON:-}" ]; then
    # RFCOMM has no half-close: shutdown(SHUT_WR) right after a send, before
    # the echo is back, closes both directions and the echo is lost.
    section half-close "no half-close: send, shutdown(SHUT_WR) at once, then recv (Python)"
    cat > /tmp/half.py <<'EOF'
import socket, sys
s = socket.socket(socket.AF_BLUETOOTH, socket.SOCK_STREAM, socket.BTPROTO_RFCOMM)
s.connect((sys.argv[1], 1))
s.send(b"hello\n")
s.shutdown(socket.SHUT_WR)
print("recv after shutdown(SHUT_WR):", repr(s.recv(100)))
EOF
    serve
    "$PYTHON" -u /tmp/half.py "$ADDR0"
    pid=$SERVER_PID SERVER_PID=
    stopped "$pid" > /dev/null
fi

if [ -n "${PYTHON:-}" ] && [ -f /test/tutorial_client.py ]; then
    section tutorial-client "the tutorial's Python client, a 1500-character line, then 'x'"
    echo "\$ python3 tutorial_client.py $ADDR0 1"
    serve
    { head -c 1500 /dev/zero | tr '\0' 'a'; printf '\nx\n'; } > /tmp/long.in
    "$PYTHON" -u /test/tutorial_client.py "$ADDR0" 1 < /tmp/long.in \
        | awk '{ while (match($0, /aaaaaaaaaa+/)) $0 = substr($0, 1, RSTART - 1) "<" RLENGTH " times a>" substr($0, RSTART + RLENGTH); print }'
    pid=$SERVER_PID SERVER_PID=
    stopped "$pid" > /dev/null
fi
exit 0
