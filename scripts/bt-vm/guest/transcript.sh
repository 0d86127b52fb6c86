# Guest script that records what a student sees in the terminals, for the
# output blocks of docs/src/bluetooth-rfcomm.md (Step 1, Step 2, Run it,
# What the tutorial got wrong, Pitfalls). Not a check: it runs the lesson's binaries
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
# cargo (`server` is `cargo run -p bluetooth-rfcomm --bin server`,
# `bluetooth-rfcomm-bare-server` is `cargo run -p bluetooth-rfcomm --example
# bluetooth-rfcomm-bare-server`); `$ echo $?` shows an exit status, and `^C`
# stands where the student presses Ctrl-C (the script sends SIGINT).
#
# Needs the bare pair in /test ($BARE_SERVER, $BARE_CLIENT) and, for the
# Python sections, run.sh --python and the tutorial's peers: test-lesson.sh
# --transcript gives it all that.
#
#   scripts/bt-vm/test-lesson.sh --transcript
#
# (test-lesson.sh passes this script to run.sh instead of rfcomm-echo.sh.)

. /test/lib.sh

BARE_SERVER=${BARE_SERVER:-/test/bluetooth-rfcomm-bare-server}
BARE_CLIENT=${BARE_CLIENT:-/test/bluetooth-rfcomm-bare-client}

# section NAME TITLE: starts the section NAME.
section() { echo "==== $1: $2"; }

# status RC: the exit status, as `echo $?` shows it.
status() { echo '$ echo $?'; echo "$1"; }

# serve ARGS...: starts "$SERVER" ARGS in the background (lib.sh's
# start_server). Its "server pid N" note varies from run to run and is no
# part of what a terminal shows: it is printed only when the start failed.
serve() {
    settle
    start_server 20 "$@" > /tmp/serve.log || { cat /tmp/serve.log; exit 1; }
}

# settle: waits (at most 10 s) until no link is left between the two
# controllers (the kernel lists each one as /sys/class/bluetooth/hciN:HANDLE).
# A connect while the last connection's link is still being torn down can
# fail with "connection reset" (seen once, in the half-close section).
settle() {
    i=0
    while ls /sys/class/bluetooth 2>/dev/null | grep -q : && [ $i -lt 100 ]; do
        sleep 0.1; i=$((i + 1))
    done
}

# serve_bare ARGS...: the same with the bare server of Step 1, its
# standard output sent to its standard error, so that $SERVER_ERR has its
# lines in the order a terminal shows them (exec: SIGINT reaches it).
printf '#!/bin/sh\nexec %s "$@" 1>&2\n' "$BARE_SERVER" > /tmp/bare-server
chmod +x /tmp/bare-server
serve_bare() {
    _lesson_server=$SERVER
    SERVER=/tmp/bare-server
    serve "$@"
    SERVER=$_lesson_server
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
section bare-unused "the bare client to a channel nobody listens on"
echo "\$ echo hi | bluetooth-rfcomm-bare-client $ADDR0 7"
echo hi | "$BARE_CLIENT" "$ADDR0" 7 2>&1
status $?

section unused "the lesson's client to a channel nobody listens on"
echo "\$ echo hi | client --addr $ADDR0 --channel 7"
echo hi | "$CLIENT" --addr "$ADDR0" --channel 7 2>&1
status $?

# Step 1: the bare pair, in two terminals. Each terminal is one stream
# (2>&1): what it prints on standard output and on standard error.
printf 'hello\n안녕하세요, RFCOMM!\n' > /tmp/t.in
serve_bare
"$BARE_CLIENT" "$ADDR0" < /tmp/t.in > /tmp/t.client 2>&1
client_rc=$?
pid=$SERVER_PID SERVER_PID=
stopped "$pid" > /tmp/t.status
section bare-server "Step 1, terminal 1: the bare server"
echo '$ bluetooth-rfcomm-bare-server'
cat "$SERVER_ERR" /tmp/t.status
section bare-client "Step 1, terminal 2: the bare client"
echo "\$ printf 'hello\\n안녕하세요, RFCOMM!\\n' | bluetooth-rfcomm-bare-client $ADDR0"
cat /tmp/t.client
status $client_rc

# Step 2, first failure: one line longer than both sides' socket buffers
# hold. The bare client sends it all before it reads, the server's echo
# fills the client's buffer, and both end up blocked in send(). 10 s of
# nothing, then Ctrl-C.
section bare-long-line "Step 2: the bare client and a line of 100,000 bytes"
serve_bare
echo "\$ head -c 100000 /dev/zero | tr '\\0' a | bluetooth-rfcomm-bare-client $ADDR0 > echo.txt"
head -c 100000 /dev/zero | tr '\0' a > /tmp/long.in
set -m 2>/dev/null
"$BARE_CLIENT" "$ADDR0" < /tmp/long.in > /tmp/echo.txt 2> /tmp/long.err &
long=$!
set +m
sleep 10
cat /tmp/long.err
if alive "$long"; then
    echo '^C'
    kill -INT "$long"
    wait "$long"
else
    wait "$long"; echo "(it ended by itself, with status $?)"
fi
echo '$ wc -c < echo.txt'
wc -c < /tmp/echo.txt
# (The bare server has ended too, or will: it is not part of the run.)
pid=$SERVER_PID SERVER_PID=
kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null

section long-line "Step 2: the lesson's client and the same line"
serve
echo "\$ head -c 100000 /dev/zero | tr '\\0' a | client --addr $ADDR0 > echo.txt"
"$CLIENT" --addr "$ADDR0" < /tmp/long.in > /tmp/echo.txt 2> /tmp/long.err
client_rc=$?
cat /tmp/long.err
status $client_rc
echo '$ wc -c < echo.txt'
wc -c < /tmp/echo.txt
pid=$SERVER_PID SERVER_PID=
stopped "$pid" > /dev/null

section bare-ctrl-c "Step 2: Ctrl-C on the bare server, waiting for a client"
serve_bare
echo '$ bluetooth-rfcomm-bare-server'
cat "$SERVER_ERR"
echo '^C'
kill -INT "$SERVER_PID"
pid=$SERVER_PID SERVER_PID=
stopped "$pid"

# Run it: what the two terminals show with the lesson's programs.
serve
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
# The file exists before the client starts: the background job opens it
# only once it runs, and grep below may look first.
rm -f /tmp/first.fifo; : > /tmp/first.out; mkfifo /tmp/first.fifo
"$CLIENT" --addr "$ADDR0" < /tmp/first.fifo >> /tmp/first.out 2>&1 &
first=$!
exec 3> /tmp/first.fifo
# type LINE: what typing LINE and Enter in the first client's terminal does.
type_line() { echo "$1" >> /tmp/first.out; echo "$1" >&3; }
i=0; until grep -q 'connected to' /tmp/first.out || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
type_line one
i=0; until [ "$(grep -c '^one$' /tmp/first.out)" -ge 2 ] || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
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
    cat > /tmp/half.py <<'PY'
import socket, sys
s = socket.socket(socket.AF_BLUETOOTH, socket.SOCK_STREAM, socket.BTPROTO_RFCOMM)
s.connect((sys.argv[1], 1))
s.send(b"hello\n")
s.shutdown(socket.SHUT_WR)
print("recv after shutdown(SHUT_WR):", repr(s.recv(100)))
PY
    serve
    "$PYTHON" -u /tmp/half.py "$ADDR0"
    pid=$SERVER_PID SERVER_PID=
    stopped "$pid" > /dev/null
fi

if [ -n "${PYTHON:-}" ]; then
    # How Linux reports an RFCOMM peer's normal close: a few lines of
    # Python accept, recv() twice; the other side sends "hi" and closes.
    # The client closes only once the server has accepted: a connection
    # that closes while it waits in the listen() queue is dropped from it,
    # and accept() would wait for ever (README, "Known sharp edges").
    section close-is-reset "a peer's normal close, as the next recv() sees it (Python)"
    cat > /tmp/close.py <<'PY'
import os, socket, sys, time
s = socket.socket(socket.AF_BLUETOOTH, socket.SOCK_STREAM, socket.BTPROTO_RFCOMM)
if sys.argv[1] == "server":
    s.bind((socket.BDADDR_ANY, 1))
    s.listen()
    print("listening", file=sys.stderr, flush=True)
    conn, _ = s.accept()
    open("/tmp/accepted", "w").close()
    print("first recv():", repr(conn.recv(100)))
    try:
        print("second recv():", repr(conn.recv(100)))
    except OSError as e:
        print("second recv():", repr(e))
else:
    s.connect((sys.argv[2], 1))
    s.sendall(b"hi\n")
    for _ in range(100):
        if os.path.exists("/tmp/accepted"):
            break
        time.sleep(0.1)
    s.close()
PY
    "$PYTHON" -u /tmp/close.py server > /tmp/close.out 2> /tmp/close.err &
    closer=$!
    i=0
    until grep -q listening /tmp/close.err 2>/dev/null || [ $i -ge 100 ]; do
        sleep 0.1; i=$((i + 1))
    done
    "$PYTHON" -u /tmp/close.py client "$ADDR0"
    wait "$closer"
    cat /tmp/close.out
fi

if [ -n "${PYTHON:-}" ] && [ -f /test/tutorial_client.py ]; then
    # The tutorial's HOST = '': its client fails at connect(), before any
    # radio call (our copy takes HOST from its first argument).
    section tutorial-empty-host "the tutorial's Python client with its HOST = ''"
    echo "\$ python3 tutorial_client.py '' 1"
    "$PYTHON" -u /test/tutorial_client.py '' 1 < /dev/null 2>&1
    status $?

    # The line of 1500 a's first; then, once its first reply is printed and
    # a second has passed, the line "x", as a student would type them. The
    # reply to "x" starts with the rest of the a's; whether the echo of "x"
    # itself comes in the same piece varies from run to run (seen both ways,
    # even with the second's pause), so book-output masks it as "(x?)".
    section tutorial-client "the tutorial's Python client, a 1500-character line, then 'x'"
    echo "\$ python3 tutorial_client.py $ADDR0 1"
    serve
    rm -f /tmp/tc.fifo; : > /tmp/tc.out; mkfifo /tmp/tc.fifo
    "$PYTHON" -u /test/tutorial_client.py "$ADDR0" 1 < /tmp/tc.fifo > /tmp/tc.out 2>&1 &
    tc=$!
    exec 4> /tmp/tc.fifo
    { head -c 1500 /dev/zero | tr '\0' 'a'; echo; } >&4
    # replies N: waits (at most 10 s) until the client has printed N replies.
    replies() {
        i=0
        until [ "$(grep -o 'server :' /tmp/tc.out | wc -l)" -ge "$1" ] || [ $i -ge 100 ]; do
            sleep 0.1; i=$((i + 1))
        done
    }
    replies 1
    sleep 1
    echo x >&4
    replies 2
    exec 4>&-
    wait "$tc"
    awk '{ while (match($0, /aaaaaaaaaa+/)) $0 = substr($0, 1, RSTART - 1) "<" RLENGTH " times a>" substr($0, RSTART + RLENGTH); print }' /tmp/tc.out
    pid=$SERVER_PID SERVER_PID=
    stopped "$pid" > /dev/null
fi
exit 0
