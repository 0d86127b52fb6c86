# Helpers for bt-vm guest test scripts (busybox sh). Source it:  . /test/lib.sh
#
# A test script is a list of checks; each check calls pass/fail (or the
# expect_* helpers, which do) and `finish` at the end prints
# "bt-vm: N passed, N failed" and exits non-zero if anything failed.
# Every failure prints what was expected and what was got.

PASSED=0
FAILED=0
CURRENT=unnamed

say() { echo "[$CURRENT] $*"; }
begin() { CURRENT=$1; echo "---- check $1${2:+: $2}"; CHECK_FAILED=0; }
pass() { PASSED=$((PASSED + 1)); echo "PASS $CURRENT${1:+: $1}"; }
# fail WHAT EXPECTED GOT
fail() {
    FAILED=$((FAILED + 1)); CHECK_FAILED=1
    echo "FAIL $CURRENT: $1"
    echo "     expected: $2"
    echo "     got:      $3"
}
finish() {
    echo "bt-vm: $PASSED passed, $FAILED failed"
    [ "$FAILED" = 0 ]
}

# show FILE [MAX]: print a file (or its start) indented, for diagnostics.
show() {
    if [ ! -s "$1" ]; then echo "       ($1 is empty)"; return; fi
    head -c "${2:-2000}" "$1" | sed 's/^/       | /'
    [ "$(wc -c < "$1")" -gt "${2:-2000}" ] && echo "       | ... ($(wc -c < "$1") bytes in all)"
    return 0
}

# describe FILE [FROM]: size and a short escaped preview (from byte FROM,
# 1-based), for expected-vs-got lines.
describe() {
    _from=${2:-1}
    printf '%s bytes' "$(wc -c < "$1")"
    [ "$_from" -gt 1 ] && printf ', from byte %s' "$_from"
    printf ': %s' "$(tail -c +"$_from" "$1" | head -c 48 | od -An -c | tr -s ' \n' ' ' | head -c 120)"
}

now() { cut -d' ' -f1 /proc/uptime; }
elapsed_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# alive PID: true while PID runs. `kill -0` is not enough: it succeeds on a
# zombie, i.e. a child that has exited but was not reaped by `wait` yet.
alive() {
    [ -r "/proc/$1/stat" ] || return 1
    state=$(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1)
    [ "$state" != Z ]
}

# wait_exit PID SECS: wait up to SECS for PID to end; sets EXIT_RC (or
# returns 1, leaving it running, on time-out).
wait_exit() {
    _t=$(( $2 * 10 ))
    while alive "$1"; do
        _t=$((_t - 1)); [ $_t -gt 0 ] || return 1
        sleep 0.1
    done
    wait "$1"; EXIT_RC=$?
    return 0
}

# sig_info PID: the signal masks of a process, to explain a signal test.
sig_info() { grep -E '^Sig(Blk|Ign|Cgt)' "/proc/$1/status" 2>/dev/null | tr '\n' ' '; }

# run NAME SECS STDIN_FILE CMD ARGS...: run a command with a time limit;
# stdout/stderr go to /tmp/NAME.out and /tmp/NAME.err, exit status to RC,
# duration to TOOK (seconds). A time-out gives RC=124.
run() {
    _name=$1 _secs=$2 _in=$3; shift 3
    _t0=$(now)
    "$@" < "$_in" > "/tmp/$_name.out" 2> "/tmp/$_name.err" &
    _pid=$!
    if wait_exit "$_pid" "$_secs"; then
        RC=$EXIT_RC
    else
        kill -KILL "$_pid" 2>/dev/null; wait "$_pid" 2>/dev/null
        RC=124
        echo "$* took more than ${_secs}s; killed" >> "/tmp/$_name.err"
    fi
    TOOK=$(elapsed_since "$_t0")
    OUT=/tmp/$_name.out ERR=/tmp/$_name.err
    say "rc=$RC in ${TOOK}s: $*"
}

# expect_rc WHAT EXPECTED_RC: compare RC from the last `run`.
expect_rc() {
    if [ "$RC" = "$2" ]; then return 0; fi
    fail "$1" "exit status $2" "exit status $RC$( [ "$RC" = 124 ] && echo ' (time-out)')"
    echo "     stderr:"; show "$ERR"
    return 1
}

# expect_same WHAT EXPECTED_FILE GOT_FILE: byte-for-byte comparison.
expect_same() {
    if cmp -s "$2" "$3"; then return 0; fi
    # preview both from a little before the first differing byte
    _at=$(cmp "$2" "$3" 2>&1 | sed -n 's/.* char \([0-9]*\).*/\1/p')
    _from=1
    [ -n "$_at" ] && [ "$_at" -gt 16 ] && _from=$((_at - 16))
    fail "$1" "$(describe "$2" "$_from")" "$(describe "$3" "$_from")"
    echo "     first difference: $(cmp "$2" "$3" 2>&1 | head -1)"
    return 1
}

# expect_empty WHAT FILE
expect_empty() {
    [ ! -s "$2" ] && return 0
    fail "$1" "nothing" "$(describe "$2")"
    return 1
}

# expect_grep WHAT PATTERN FILE (extended regexp, case-insensitive)
expect_grep() {
    grep -Eqi "$2" "$3" && return 0
    fail "$1" "a line matching /$2/" "$(describe "$3")"
    show "$3"
    return 1
}

# expect_no_grep WHAT PATTERN FILE
expect_no_grep() {
    grep -Eqi "$2" "$3" || return 0
    fail "$1" "no line matching /$2/" "$(grep -Ei "$2" "$3" | head -3 | tr '\n' ' ')"
    return 1
}

# ---- a background server --------------------------------------------------
SERVER_PID=
SERVER_N=0

# start_server SECS ARGS...: start $SERVER ARGS in the background and wait up
# to SECS for "listening on" on its stderr. Logs: /tmp/server.N.err/.out.
start_server() {
    _secs=$1; shift
    SERVER_N=$((SERVER_N + 1))
    SERVER_ERR=/tmp/server.$SERVER_N.err
    # Job control (set -m) while starting it: the server gets its own process
    # group and the default SIGINT disposition, as when started from a
    # terminal. Without it busybox sh starts background jobs with SIGINT
    # *ignored*, which would falsify the Ctrl-C check. (Needs the controlling
    # terminal that /init sets up with cttyhack.)
    set -m 2>/dev/null || say "note: no job control; the server starts with SIGINT ignored"
    "$SERVER" "$@" > "/tmp/server.$SERVER_N.out" 2> "$SERVER_ERR" < /dev/null &
    SERVER_PID=$!
    set +m
    _t=$((_secs * 10))
    # (2>/dev/null: the first look may come before the server's shell has
    # created the file)
    until grep -q 'listening on' "$SERVER_ERR" 2>/dev/null; do
        if ! alive "$SERVER_PID"; then
            wait "$SERVER_PID"; _rc=$?; SERVER_PID=
            fail "start server $*" "a running server logging 'listening on'" "exit status $_rc"
            show "$SERVER_ERR"; return 1
        fi
        _t=$((_t - 1))
        if [ $_t -le 0 ]; then
            fail "start server $*" "'listening on' on stderr within ${_secs}s" "$(describe "$SERVER_ERR")"
            return 1
        fi
        sleep 0.1
    done
    say "server pid $SERVER_PID: $(grep -m1 'listening on' "$SERVER_ERR")"
}

# server_gone_ok: if the server has exited (one that serves a single client
# may do so), check it exited 0 and forget it. True when none is running.
server_gone_ok() {
    [ -n "$SERVER_PID" ] || return 0
    alive "$SERVER_PID" && return 1
    wait "$SERVER_PID"; _rc=$?; _pid=$SERVER_PID; SERVER_PID=
    if [ "$_rc" != 0 ]; then
        fail "server exit" "exit status 0 after its client left" "exit status $_rc"
        show "$SERVER_ERR"
    else
        say "server $_pid exited 0 after its client"
    fi
    return 0
}

# ensure_server SECS ARGS...: a listening server, reusing a live one.
ensure_server() {
    # A server that ends after its client may need a moment to do so.
    if [ -n "$SERVER_PID" ]; then
        _t=10
        while alive "$SERVER_PID" && [ $_t -gt 0 ]; do sleep 0.1; _t=$((_t - 1)); done
    fi
    server_gone_ok || return 0
    start_server "$@"
}

stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    kill -KILL "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=
}
