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
CHECKS=${CHECKS:-"unused lines big bad_addr sigint"}   # also: sigint_busy
LISTEN_SECS=${LISTEN_SECS:-20}          # server start -> "listening on"
CLIENT_SECS=${CLIENT_SECS:-30}          # one client run that should succeed
REFUSE_SECS=${REFUSE_SECS:-75}          # a refusal can take ~30 s to arrive
SIGINT_SECS=${SIGINT_SECS:-10}          # SIGINT -> server exited
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
    [ "$CHECK_FAILED" = 0 ] && pass "refused after ${TOOK}s: $(head -1 "$ERR")"
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
    [ "$CHECK_FAILED" = 0 ] && pass "$(head -1 "$ERR")"
}

# expect_sigint_exit: SIGINT the running server, expect exit status 0.
expect_sigint_exit() {
    _pid=$SERVER_PID _sig=$(sig_info "$SERVER_PID")
    kill -INT "$_pid"
    if wait_exit "$_pid" "$SIGINT_SECS"; then
        SERVER_PID=
        if [ "$EXIT_RC" = 0 ]; then return 0; fi
        fail "server exit status after SIGINT" "exit status 0" "exit status $EXIT_RC$( [ "$EXIT_RC" = 130 ] && echo ' (killed by SIGINT: no handler?)')"
    else
        fail "server ends after SIGINT" "exit within ${SIGINT_SECS}s" "still running ($_sig)"
        stop_server
    fi
    show "$SERVER_ERR"
    return 1
}

# Ctrl-C on an idle server (blocked in accept).
check_sigint() {
    begin sigint "SIGINT ends an idle server with exit status 0"
    ensure_server "$LISTEN_SECS" $SERVER_ARGS || return 0
    sleep 0.5   # let it settle into accept()
    expect_sigint_exit && pass
}

# Ctrl-C while a client is connected and idle (server blocked in a receive).
check_sigint_busy() {
    begin sigint_busy "SIGINT ends a server that has a connected client, with exit status 0"
    ensure_server "$LISTEN_SECS" $SERVER_ARGS || return 0
    rm -f /tmp/busy.fifo; mkfifo /tmp/busy.fifo
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
    wait_exit "$_client" 10 || { kill -KILL "$_client"; wait "$_client"; }
    stop_server
    [ "$CHECK_FAILED" = 0 ] && pass
}

for c in $CHECKS; do
    case $c in
        lines|big|unused|bad_addr|sigint|sigint_busy) "check_$c" ;;
        *) begin "$c"; fail "known check" "one of: lines big unused bad_addr sigint sigint_busy" "$c" ;;
    esac
done
# A server that serves a single client must have exited 0; any other is done.
begin cleanup
server_gone_ok || stop_server
finish
