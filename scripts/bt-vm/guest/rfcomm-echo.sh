# Guest checks for the bluetooth-rfcomm lesson (run by /init under busybox sh).
#
# The server runs on hci0 ($ADDR0); the client connects from hci1 (the kernel
# picks the other powered controller as the route to $ADDR0).
#
# Expected command lines:
#   $SERVER --channel N --adapter XX:XX:XX:XX:XX:XX   ("listening on" on stderr)
#   $CLIENT --addr XX:XX:XX:XX:XX:XX --channel N       (stdin lines -> echoes on stdout)
#
# Everything below can be changed with `run.sh --env NAME=VALUE`:
CHANNEL=${CHANNEL:-1}
UNUSED_CHANNEL=${UNUSED_CHANNEL:-7}     # nothing listens there
BIG_BYTES=${BIG_BYTES:-10240}           # size of the one-line "big" message
LONG_BYTES=${LONG_BYTES:-100000}        # "long": past what the two sides' buffers hold
CHECKS=${CHECKS:-"unused lines big binary any bad_addr sigint"}
# not default (a plain C pair need not pass them): long sigint_busy sigterm
# client_sigint; with `run.sh --python` and the tutorial's peers given with
# --file (test-lesson.sh does both): py_client py_server; and with the bare
# pair given with --file (test-lesson.sh does): bare bare_py_client bare_py_server
# The bare pair of Step 1: positional arguments, [ADAPTER] [CHANNEL] for the
# server and ADDR [CHANNEL] for the client.
BARE_SERVER=${BARE_SERVER:-/test/bluetooth-rfcomm-bare-server}
BARE_CLIENT=${BARE_CLIENT:-/test/bluetooth-rfcomm-bare-client}
LISTEN_SECS=${LISTEN_SECS:-20}          # server start -> "listening on"
CLIENT_SECS=${CLIENT_SECS:-30}          # one client run that should succeed
REFUSE_SECS=${REFUSE_SECS:-75}          # a refusal can take ~30 s to arrive
SIGINT_SECS=${SIGINT_SECS:-10}          # SIGINT/SIGTERM -> server (or client) exited
# "logs it": each message should show up in the server's stderr
EXPECT_SERVER_LOG=${EXPECT_SERVER_LOG:-1}
# what a "clear error" for a refused connection must mention
REFUSED_PATTERN=${REFUSED_PATTERN:-'refused|connect'}
# and for a malformed address (the word, or the bad value itself; a bare
# "--addr" is not enough: clap says that for an unknown flag too)
BAD_ADDR_PATTERN=${BAD_ADDR_PATTERN:-'address|00:AA:01:00:00'}

. /test/lib.sh

SERVER_ARGS="--channel $CHANNEL --adapter $ADDR0"
CLIENT_ARGS="--addr $ADDR0 --channel $CHANNEL"
PANIC='panicked|RUST_BACKTRACE'

# first_error FILE: the line that explains a failure (the first one that says
# "error"), else the first line, for a PASS message.
first_error() { grep -m1 -i 'error' "$1" || head -1 "$1"; }

# Lines, including non-ASCII text (the lessons must handle Korean).
check_lines() {
    begin lines "each stdin line comes back on stdout, in order"
    printf 'hello\nworld\n안녕하세요, RFCOMM!\nthe last line\n' > /tmp/lines.in
    ensure_server "$LISTEN_SECS" $SERVER_ARGS || return 0
    run lines "$CLIENT_SECS" /tmp/lines.in "$CLIENT" $CLIENT_ARGS
    expect_rc "client exit status" 0
    expect_same "client stdout = stdin" /tmp/lines.in "$OUT"
    expect_no_grep "client stderr has no panic" "$PANIC" "$ERR"
    if [ "$EXPECT_SERVER_LOG" = 1 ]; then
        # the server may log after it has answered: give it a moment
        _t=20
        until grep -q 'world' "$SERVER_ERR" || [ $_t = 0 ]; do sleep 0.1; _t=$((_t - 1)); done
        expect_grep "server logs the messages it receives" 'world' "$SERVER_ERR"
        expect_grep "server log says how many bytes came" '[0-9]+ bytes' "$SERVER_ERR"
    fi
    [ "$CHECK_FAILED" = 0 ] && pass "$(wc -l < /tmp/lines.in) lines in ${TOOK}s"
}

# One long line: bigger than any single RFCOMM frame or 1024-byte buffer, so
# both sides must loop over partial reads and writes.
check_big() {
    begin big "a $BIG_BYTES-byte line is echoed intact"
    # digits that change along the line, so a lost or repeated chunk shows
    n=$(( (BIG_BYTES + 4) / 5 ))
    seq -w 10000 $((10000 + n - 1)) | tr -d '\n' | head -c "$BIG_BYTES" > /tmp/big.in
    echo >> /tmp/big.in
    ensure_server "$LISTEN_SECS" $SERVER_ARGS || return 0
    run big "$CLIENT_SECS" /tmp/big.in "$CLIENT" $CLIENT_ARGS
    expect_rc "client exit status" 0
    expect_same "client stdout = the $BIG_BYTES-byte line" /tmp/big.in "$OUT"
    expect_no_grep "client stderr has no panic" "$PANIC" "$ERR"
    [ "$CHECK_FAILED" = 0 ] && pass "$(wc -c < /tmp/big.in) bytes in ${TOOK}s"
}

# A line far longer than what the two sides' socket buffers hold together
# (a 30 KB line already hangs a client that sends it all before reading the
# echo: both sides end up blocked in send()). The lesson's client sends
# CHUNK bytes at a time and reads each echo before it sends more.
check_long() {
    begin long "a $LONG_BYTES-byte line is echoed intact, without hanging"
    head -c "$LONG_BYTES" /dev/zero | tr '\0' 'a' > /tmp/long.in
    echo >> /tmp/long.in
    ensure_server "$LISTEN_SECS" $SERVER_ARGS -q || return 0
    run long "$CLIENT_SECS" /tmp/long.in "$CLIENT" $CLIENT_ARGS -q
    expect_rc "client exit status" 0
    expect_same "client stdout = the $LONG_BYTES-byte line" /tmp/long.in "$OUT"
    [ "$CHECK_FAILED" = 0 ] && pass "$(wc -c < /tmp/long.in) bytes in ${TOOK}s"
}

# Every byte value but the newline, then a newline: invalid UTF-8, NUL and
# control bytes must come back unchanged (the network carries bytes).
check_binary() {
    begin binary "a line of all 255 non-newline byte values is echoed unchanged"
    : > /tmp/binary.in
    _i=0
    while [ $_i -lt 256 ]; do
        [ $_i = 10 ] || printf "\\$(printf %03o $_i)" >> /tmp/binary.in
        _i=$((_i + 1))
    done
    echo >> /tmp/binary.in
    if [ "$(wc -c < /tmp/binary.in)" != 256 ]; then
        fail "test input" "256 bytes" "$(describe /tmp/binary.in)"; return 0
    fi
    ensure_server "$LISTEN_SECS" $SERVER_ARGS || return 0
    run binary "$CLIENT_SECS" /tmp/binary.in "$CLIENT" $CLIENT_ARGS
    expect_rc "client exit status" 0
    expect_same "client stdout = the 256 bytes sent" /tmp/binary.in "$OUT"
    expect_no_grep "client stderr has no panic" "$PANIC" "$ERR"
    expect_no_grep "server stderr has no panic" "$PANIC" "$SERVER_ERR"
    [ "$CHECK_FAILED" = 0 ] && pass "256 bytes in ${TOOK}s"
}

# A server started without --adapter binds every adapter (BDADDR_ANY,
# 00:00:00:00:00:00) and is reached through hci0 all the same.
check_any() {
    begin any "a server without --adapter listens on any adapter and echoes"
    restart_server "$LISTEN_SECS" --channel "$CHANNEL" || return 0
    expect_grep "listening line shows the any-address" \
        'listening on.*(00:00:00:00:00:00|any)' "$SERVER_ERR"
    printf 'any adapter will do\n' > /tmp/any.in
    run any "$CLIENT_SECS" /tmp/any.in "$CLIENT" $CLIENT_ARGS
    expect_rc "client exit status" 0
    expect_same "client stdout = stdin" /tmp/any.in "$OUT"
    [ "$CHECK_FAILED" = 0 ] && pass "$(grep -m1 'listening on' "$SERVER_ERR" | sed 's/.*listening/listening/')"
}

# Nothing listens on UNUSED_CHANNEL: the client must fail cleanly. The peer
# may take ~30 s to refuse, hence REFUSE_SECS.
check_unused() {
    begin unused "a client to channel $UNUSED_CHANNEL (unused) fails with a clear error and exit 1"
    echo hello > /tmp/unused.in
    run unused "$REFUSE_SECS" /tmp/unused.in "$CLIENT" --addr "$ADDR0" --channel "$UNUSED_CHANNEL"
    expect_rc "client exit status" 1
    expect_empty "client stdout" "$OUT"
    expect_grep "client stderr explains the failure" "$REFUSED_PATTERN" "$ERR"
    expect_no_grep "client stderr has no panic" "$PANIC" "$ERR"
    [ "$CHECK_FAILED" = 0 ] && pass "refused after ${TOOK}s: $(first_error "$ERR")"
}

# A malformed address is rejected before any Bluetooth call. (Must never reach
# connect(): connecting to a controller that does not exist crashes this
# kernel's krfcommd, see README.)
check_bad_addr() {
    begin bad_addr "a malformed --addr is rejected with a clear error"
    echo hello > /tmp/bad.in
    run bad_addr "$CLIENT_SECS" /tmp/bad.in "$CLIENT" --addr 00:AA:01:00:00 --channel "$CHANNEL"
    case $RC in
        1|2) ;;   # 2: a command-line parser's usage error is fine too
        *) fail "client exit status" "exit status 1 (or 2 for a usage error)" "exit status $RC"; show "$ERR" ;;
    esac
    expect_empty "client stdout" "$OUT"
    expect_grep "client stderr names the bad address" "$BAD_ADDR_PATTERN" "$ERR"
    expect_no_grep "client stderr has no panic" "$PANIC" "$ERR"
    [ "$CHECK_FAILED" = 0 ] && pass "$(first_error "$ERR")"
}

# expect_sigint_exit [SIGNAL]: send SIGNAL (default INT) to the running
# server, expect exit status 0.
expect_sigint_exit() {
    _s=${1:-INT}
    _pid=$SERVER_PID _sig=$(sig_info "$SERVER_PID")
    kill -"$_s" "$_pid"
    if wait_exit "$_pid" "$SIGINT_SECS"; then
        SERVER_PID=
        if [ "$EXIT_RC" = 0 ]; then return 0; fi
        fail "server exit status after SIG$_s" "exit status 0" "exit status $EXIT_RC$(killed_by "$EXIT_RC")"
    else
        fail "server ends after SIG$_s" "exit within ${SIGINT_SECS}s" "still running ($_sig)"
        stop_server
    fi
    show "$SERVER_ERR"
    return 1
}

# killed_by RC: " (killed by SIGINT: no handler?)" for 130, and so on.
killed_by() {
    case $1 in
        130) echo ' (killed by SIGINT: no handler?)' ;;
        143) echo ' (killed by SIGTERM: no handler?)' ;;
    esac
}

# restart_server SECS ARGS...: a fresh server with these ARGS. A live one
# (started with other arguments) is stopped with SIGINT first.
restart_server() {
    if [ -n "$SERVER_PID" ] && alive "$SERVER_PID"; then
        kill -INT "$SERVER_PID"
        wait_exit "$SERVER_PID" "$SIGINT_SECS" || stop_server
        SERVER_PID=
    fi
    server_gone_ok
    start_server "$@"
}

# Ctrl-C on an idle server (blocked in accept).
check_sigint() {
    begin sigint "SIGINT ends an idle server with exit status 0"
    ensure_server "$LISTEN_SECS" $SERVER_ARGS || return 0
    sleep 0.5   # let it settle into accept()
    expect_sigint_exit && pass
}

# -q: the server still logs its `listening on` line (scripts and this
# harness wait for it) and nothing else at info level; Ctrl-C still works.
check_quiet() {
    begin quiet "with -q the server still says where it listens, and only that"
    ensure_server "$LISTEN_SECS" $SERVER_ARGS || return 0
    stop_server
    start_server "$LISTEN_SECS" $SERVER_ARGS -q || return 0
    _extra=$(grep -v 'listening on' "$SERVER_ERR" | grep -c '\[INFO')
    if [ "$_extra" != 0 ]; then
        fail "quiet log" "no INFO line but 'listening on'" "$(describe "$SERVER_ERR")"
        stop_server
        return 0
    fi
    sleep 0.5
    expect_sigint_exit && pass
}

# SIGTERM (what `kill` and service managers send) on an idle server.
check_sigterm() {
    begin sigterm "SIGTERM ends an idle server with exit status 0"
    ensure_server "$LISTEN_SECS" $SERVER_ARGS || return 0
    sleep 0.5   # let it settle into accept()
    expect_sigint_exit TERM && pass
}

# Ctrl-C on a client that is connected and waiting for input: exit 0 within
# SIGINT_SECS, and the server sees an orderly close (it does not crash; one
# that serves a single client then exits 0, checked by the next check).
check_client_sigint() {
    begin client_sigint "SIGINT ends a connected client waiting for input, with exit status 0"
    ensure_server "$LISTEN_SECS" $SERVER_ARGS || return 0
    rm -f /tmp/csig.fifo; : > /tmp/csig.out; mkfifo /tmp/csig.fifo
    # Job control: the client keeps the default SIGINT disposition.
    set -m 2>/dev/null
    "$CLIENT" $CLIENT_ARGS < /tmp/csig.fifo > /tmp/csig.out 2> /tmp/csig.err &
    _client=$!
    set +m
    exec 3> /tmp/csig.fifo        # keeps the client's stdin open
    echo ping >&3
    _t=$((CLIENT_SECS * 10))
    until grep -q ping /tmp/csig.out || [ $_t = 0 ]; do sleep 0.1; _t=$((_t - 1)); done
    if ! grep -q ping /tmp/csig.out; then
        fail "client got its first echo" "ping" "$(describe /tmp/csig.out)"; show /tmp/csig.err
    else
        kill -INT "$_client"
        if wait_exit "$_client" "$SIGINT_SECS"; then
            [ "$EXIT_RC" = 0 ] || { fail "client exit status after SIGINT" "exit status 0" "exit status $EXIT_RC$(killed_by "$EXIT_RC")"; show /tmp/csig.err; }
        else
            fail "client ends after SIGINT" "exit within ${SIGINT_SECS}s" "still running"; show /tmp/csig.err
            kill -KILL "$_client"; wait "$_client"
        fi
        expect_no_grep "client stderr has no panic" "$PANIC" /tmp/csig.err
    fi
    exec 3>&-
    # the server must take the close calmly: no panic, no error line
    _t=20
    while [ -n "$SERVER_PID" ] && alive "$SERVER_PID" && [ $_t -gt 0 ]; do sleep 0.1; _t=$((_t - 1)); done
    expect_no_grep "server stderr has no panic" "$PANIC" "$SERVER_ERR"
    expect_no_grep "server stderr has no error" '^error' "$SERVER_ERR"
    [ "$CHECK_FAILED" = 0 ] && pass
}

# Ctrl-C while a client is connected and idle (server blocked in a receive).
check_sigint_busy() {
    begin sigint_busy "SIGINT ends a server that has a connected client, with exit status 0"
    ensure_server "$LISTEN_SECS" $SERVER_ARGS || return 0
    rm -f /tmp/busy.fifo; : > /tmp/busy.out; mkfifo /tmp/busy.fifo
    "$CLIENT" $CLIENT_ARGS < /tmp/busy.fifo > /tmp/busy.out 2> /tmp/busy.err &
    _client=$!
    exec 3> /tmp/busy.fifo        # keeps the client's stdin open
    echo ping >&3
    _t=$((CLIENT_SECS * 10))
    until grep -q ping /tmp/busy.out || [ $_t = 0 ]; do sleep 0.1; _t=$((_t - 1)); done
    if ! grep -q ping /tmp/busy.out; then
        fail "client got its first echo" "ping" "$(describe /tmp/busy.out)"; show /tmp/busy.err
    else
        expect_sigint_exit
    fi
    exec 3>&-
    # end of its input: the client must now finish calmly, with exit status 0
    if wait_exit "$_client" 10; then
        [ "$EXIT_RC" = 0 ] || { fail "client exit status after the server's Ctrl-C and end of input" "exit status 0" "exit status $EXIT_RC"; show /tmp/busy.err; }
    else
        fail "client ends at end of input" "exit within 10s" "still running"; show /tmp/busy.err
        kill -KILL "$_client"; wait "$_client"
    fi
    stop_server
    [ "$CHECK_FAILED" = 0 ] && pass
}

# need_python: true when the guest has python3 (run.sh --python) and the
# tutorial's peer FILE is in /test; else a FAIL that says what is missing.
need_python() {
    if [ -z "${PYTHON:-}" ] || [ ! -x "$PYTHON" ]; then
        fail "python3 in the guest" "run.sh --python" "no \$PYTHON"; return 1
    fi
    if [ ! -f "/test/$1" ]; then
        fail "the tutorial's peer" "/test/$1 (run.sh --file .../tests/peers/$1)" "missing"; return 1
    fi
}

# Interop: the tutorial's own Python client (tests/peers/tutorial_client.py)
# against the lesson's server. It sends each line without its newline and
# prints each reply as `server : b'...'`.
check_py_client() {
    begin py_client "the tutorial's Python client gets its lines back from the lesson's server"
    need_python tutorial_client.py || return 0
    printf 'hello\n안녕하세요\n' > /tmp/pyc.in
    ensure_server "$LISTEN_SECS" $SERVER_ARGS || return 0
    run py_client "$CLIENT_SECS" /tmp/pyc.in "$PYTHON" -u /test/tutorial_client.py "$ADDR0" "$CHANNEL"
    expect_rc "python client exit status" 0
    expect_grep "python client got hello back" "server : b'hello'" "$OUT"
    # 안 is the UTF-8 bytes ec 95 88; Python prints them as \xec\x95\x88
    expect_grep "python client got the Korean line back" "server : b'\\\\xec\\\\x95\\\\x88" "$OUT"
    expect_no_grep "python client raised nothing" 'Traceback' "$ERR"
    expect_grep "the server logged the Korean line" '안녕하세요' "$SERVER_ERR"
    [ "$CHECK_FAILED" = 0 ] && pass "$(tr '\n' ' ' < "$OUT" | head -c 120)"
}

# Interop: the lesson's client against the tutorial's own Python server
# (tests/peers/tutorial_server.py), which serves one client and echoes each
# recv(1024) back.
check_py_server() {
    begin py_server "the lesson's client gets its lines back from the tutorial's Python server"
    need_python tutorial_server.py || return 0
    # the channel must be free: end a lesson server that is still running
    if [ -n "$SERVER_PID" ] && alive "$SERVER_PID"; then
        kill -INT "$SERVER_PID"; wait_exit "$SERVER_PID" "$SIGINT_SECS" || stop_server
        SERVER_PID=
    fi
    server_gone_ok
    printf '#!/bin/sh\nexec %s -u /test/tutorial_server.py "$@"\n' "$PYTHON" > /tmp/py-server
    chmod +x /tmp/py-server
    _lesson_server=$SERVER
    SERVER=/tmp/py-server
    start_server "$LISTEN_SECS" "$CHANNEL"; _started=$?
    SERVER=$_lesson_server
    [ "$_started" = 0 ] || return 0
    printf 'hello\n안녕하세요, RFCOMM!\n' > /tmp/pys.in
    run py_server "$CLIENT_SECS" /tmp/pys.in "$CLIENT" $CLIENT_ARGS
    expect_rc "client exit status" 0
    expect_same "client stdout = stdin" /tmp/pys.in "$OUT"
    expect_no_grep "client stderr has no panic" "$PANIC" "$ERR"
    # How the tutorial's server takes the close (not judged: its code).
    if wait_exit "$SERVER_PID" 10; then
        _how="the tutorial's server then exited $EXIT_RC"
    else
        _how="the tutorial's server was still running 10 s after the client closed"
        stop_server
    fi
    SERVER_PID=
    say "$_how; its stdout:"; show "/tmp/server.$SERVER_N.out"
    [ "$CHECK_FAILED" = 0 ] && pass "$_how"
}


# need_bare: true when the bare pair is in /test (test-lesson.sh puts it
# there with --file), else a FAIL that says what is missing.
need_bare() {
    for _b in "$BARE_SERVER" "$BARE_CLIENT"; do
        [ -x "$_b" ] && continue
        fail "the bare pair" "$_b (run.sh --file .../examples/NAME)" "missing"; return 1
    done
}

# start_bare_server SECS ARGS...: the bare server instead of the lesson's,
# with lib.sh's start_server (a live lesson server is stopped first: the
# channel must be free).
start_bare_server() {
    if [ -n "$SERVER_PID" ] && alive "$SERVER_PID"; then
        kill -INT "$SERVER_PID"; wait_exit "$SERVER_PID" "$SIGINT_SECS" || stop_server
        SERVER_PID=
    fi
    server_gone_ok
    _lesson_server=$SERVER
    SERVER=$BARE_SERVER
    start_server "$@"; _started=$?
    SERVER=$_lesson_server
    return $_started
}

# bare_server_done: the bare server serves one client and must then exit 0.
bare_server_done() {
    if wait_exit "$SERVER_PID" 10; then
        [ "$EXIT_RC" = 0 ] || { fail "bare server exit status" "0 after its client" "$EXIT_RC"; show "$SERVER_ERR"; }
    else
        fail "bare server ends after its client" "exit within 10s" "still running"; show "$SERVER_ERR"
        stop_server
    fi
    SERVER_PID=
}

# Step 1's bare pair: lines (Korean included) and every non-newline byte
# value come back byte for byte; the server shows what came, says who
# connected and left, and exits 0.
check_bare() {
    begin bare "the bare pair (examples/) echoes lines and bytes, then both exit 0"
    need_bare || return 0
    printf 'hello\n안녕하세요, RFCOMM!\n' > /tmp/bare.in
    _i=0
    while [ $_i -lt 256 ]; do
        [ $_i = 10 ] || printf "\\$(printf %03o $_i)" >> /tmp/bare.in
        _i=$((_i + 1))
    done
    echo >> /tmp/bare.in
    start_bare_server "$LISTEN_SECS" "$ADDR0" "$CHANNEL" || return 0
    run bare "$CLIENT_SECS" /tmp/bare.in "$BARE_CLIENT" "$ADDR0" "$CHANNEL"
    expect_rc "bare client exit status" 0
    expect_same "bare client stdout = stdin" /tmp/bare.in "$OUT"
    expect_grep "bare client says where it connected" "connected to $ADDR0 channel $CHANNEL" "$ERR"
    bare_server_done
    _out=/tmp/server.$SERVER_N.out
    expect_grep "bare server shows the Korean line" 'client : 안녕하세요, RFCOMM!' "$_out"
    expect_grep "bare server says who connected" "$ADDR1 connected" "$SERVER_ERR"
    expect_grep "bare server says the client left" "$ADDR1 closed the connection" "$SERVER_ERR"
    [ "$CHECK_FAILED" = 0 ] && pass "$(wc -c < /tmp/bare.in) bytes in ${TOOK}s"
}

# Interop: the tutorial's Python client against the bare server.
check_bare_py_client() {
    begin bare_py_client "the tutorial's Python client gets its lines back from the bare server"
    need_python tutorial_client.py && need_bare || return 0
    printf 'hello\n안녕하세요\n' > /tmp/bpc.in
    start_bare_server "$LISTEN_SECS" || return 0
    run bare_py_client "$CLIENT_SECS" /tmp/bpc.in "$PYTHON" -u /test/tutorial_client.py "$ADDR0" 1
    expect_rc "python client exit status" 0
    expect_grep "python client got hello back" "server : b'hello'" "$OUT"
    expect_grep "python client got the Korean line back" "server : b'\\\\xec\\\\x95\\\\x88" "$OUT"
    expect_no_grep "python client raised nothing" 'Traceback' "$ERR"
    bare_server_done
    [ "$CHECK_FAILED" = 0 ] && pass "$(tr '\n' ' ' < "$OUT" | head -c 120)"
}

# Interop: the bare client against the tutorial's Python server.
check_bare_py_server() {
    begin bare_py_server "the bare client gets its lines back from the tutorial's Python server"
    need_python tutorial_server.py && need_bare || return 0
    if [ -n "$SERVER_PID" ] && alive "$SERVER_PID"; then
        kill -INT "$SERVER_PID"; wait_exit "$SERVER_PID" "$SIGINT_SECS" || stop_server
        SERVER_PID=
    fi
    server_gone_ok
    printf '#!/bin/sh\nexec %s -u /test/tutorial_server.py "$@"\n' "$PYTHON" > /tmp/py-server
    chmod +x /tmp/py-server
    _lesson_server=$SERVER
    SERVER=/tmp/py-server
    start_server "$LISTEN_SECS" 1; _started=$?
    SERVER=$_lesson_server
    [ "$_started" = 0 ] || return 0
    printf 'hello\n안녕하세요, RFCOMM!\n' > /tmp/bps.in
    run bare_py_server "$CLIENT_SECS" /tmp/bps.in "$BARE_CLIENT" "$ADDR0"
    expect_rc "bare client exit status" 0
    expect_same "bare client stdout = stdin" /tmp/bps.in "$OUT"
    wait_exit "$SERVER_PID" 10 || stop_server
    SERVER_PID=
    [ "$CHECK_FAILED" = 0 ] && pass
}

for c in $CHECKS; do
    case $c in
        lines|big|long|binary|any|unused|bad_addr|sigint|quiet|sigint_busy|sigterm|client_sigint|py_client|py_server|bare|bare_py_client|bare_py_server) "check_$c" ;;
        *) begin "$c"; fail "known check" "one of: lines big long binary any unused bad_addr sigint quiet sigint_busy sigterm client_sigint py_client py_server bare bare_py_client bare_py_server" "$c" ;;
    esac
done
# A server that serves a single client must have exited 0; any other is done.
begin cleanup
server_gone_ok || stop_server
finish
