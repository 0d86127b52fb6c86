# The troubleshooting section of scripts/book-output.sh: writes
# $new/troubleshooting-*.txt, the error: and hint: lines of the book's
# troubleshooting appendix, each from a real run of a lesson's binaries.
# Sourced by book-output.sh, which then calls troubleshooting.
#
# Every lesson has binaries named server and client, so each part builds its
# lesson right before running it. Peers that misbehave on purpose (close
# without reading, never answer) are a few lines of Python, written below.
#
# Not shown, because they depend on the machine's network rather than on the
# lesson: "Network is unreachable", "No route to host", and a connect() that
# times out. The Bluetooth errors are in the bluetooth-rfcomm chapter, whose
# runs need a VM: the appendix includes its files (bluetooth-rfcomm-*.txt).
#
# book-output.sh runs every section with LANG=C.UTF-8, so the hints are
# English; the one run that shows a Korean hint sets LANG=ko_KR.UTF-8 on its
# command (ts_korean).

# ts_session FILE SHOWN CMD...: appends "$ SHOWN" to FILE, then what CMD
# prints (standard output and error, in order), then "$ echo $?" and CMD's
# exit status.
ts_session() {
  local file=$1 shown=$2 status=0
  shift 2
  printf '$ %s\n' "$shown" >>"$file"
  "$@" >>"$file" 2>&1 </dev/null || status=$?
  printf '$ echo $?\n%s\n' "$status" >>"$file"
}

# ts_free_port [tcp|udp]: a port nothing listens on (bound and released).
ts_free_port() {
  python3 -c '
import socket, sys
kind = socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM
s = socket.socket(socket.AF_INET, kind)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' "${1:-tcp}"
}

# ts_peer FILE SCRIPT: runs a Python peer that listens on a free port and
# prints it first; sets PEER (its pid) and PORT.
ts_peer() {
  local file=$1 script=$2
  : >"$file"
  python3 -u -c "$script" >"$file" 2>&1 &
  PEER=$!
  for _ in $(seq 1 600); do
    PORT=$(head -n1 "$file")
    [ -n "$PORT" ] && return 0
    sleep 0.05
  done
  echo "book-output: the Python peer did not start" >&2
  exit 1
}

# ts_state PORT STATE: waits until a TCP socket whose peer is PORT is in STATE
# (as ss names it: close-wait, established, ...).
ts_state() {
  for _ in $(seq 1 600); do
    [ -n "$(ss -Htan state "$2" "( dport = :$1 )")" ] && return 0
    sleep 0.05
  done
  echo "book-output: no connection to port $1 reached $2" >&2
  exit 1
}

troubleshooting() {
  ts_every_lesson
  ts_korean
  ts_flags
  ts_threaded_echo
  ts_event_loop
  ts_udp_echo
  ts_periodic_hello
  ts_loadgen
}

# The hints that every lesson shares (crates/common/src/error.rs).
ts_every_lesson() {
  local raw

  build oneshot
  # Connection refused: nothing listens on the port.
  raw=$tmp/ts-refused.txt
  PORT=$(ts_free_port)
  ts_session "$raw" "cargo run -p oneshot --bin client" "$bin/client" --port "$PORT"
  mask "$raw" 7001 >"$new/troubleshooting-refused.txt"

  # Permission denied: a port below 1024, for a user who is not root. (As
  # root, the run drops to the user "nobody" first.)
  raw=$tmp/ts-permission.txt
  if [ "$(id -u)" = 0 ]; then
    ts_session "$raw" "cargo run -p oneshot --bin server -- --port 80" \
      setpriv --reuid=65534 --regid=65534 --clear-groups "$bin/server" --port 80
  else
    ts_session "$raw" "cargo run -p oneshot --bin server -- --port 80" "$bin/server" --port 80
  fi
  cp "$raw" "$new/troubleshooting-permission.txt"

  build echo-loop
  # Address already in use: a second server on the same port.
  raw=$tmp/ts-in-use.txt
  start_server "$tmp/ts-first-server.txt"
  ts_session "$raw" "cargo run -p echo-loop --bin server" "$bin/server" --port "$PORT"
  stop_server
  mask "$raw" 9999 >"$new/troubleshooting-in-use.txt"

  # Cannot assign requested address: an address of another machine
  # (198.51.100.7 is reserved for examples; no machine has it).
  raw=$tmp/ts-not-here.txt
  ts_session "$raw" "cargo run -p echo-loop --bin server -- --host 198.51.100.7" \
    "$bin/server" --host 198.51.100.7
  cp "$raw" "$new/troubleshooting-not-here.txt"

  # A host name that does not exist.
  raw=$tmp/ts-no-such-host.txt
  ts_session "$raw" "cargo run -p echo-loop --bin client -- --host nosuchhost hello" \
    "$bin/client" --host nosuchhost hello
  cp "$raw" "$new/troubleshooting-no-such-host.txt"

  # Connection reset by peer: a server that closes while the client's bytes
  # wait unread in its receive buffer. Its kernel answers with RST.
  raw=$tmp/ts-reset.txt
  ts_peer "$tmp/ts-reset-peer.txt" '
import select, socket
listener = socket.create_server(("127.0.0.1", 0))
print(listener.getsockname()[1])
conn, _ = listener.accept()
select.select([conn], [], [], 10)  # bytes have arrived; we do not read them
conn.close()'
  ts_session "$raw" "cargo run -p echo-loop --bin client -- hello" "$bin/client" --port "$PORT" hello
  wait "$PEER"
  mask "$raw" 9999 >"$new/troubleshooting-reset.txt"

  # Broken pipe: a server that closed (FIN) before the client sent anything;
  # the client's first bytes get a RST back, and its next send() fails.
  raw=$tmp/ts-broken-pipe.txt
  ts_peer "$tmp/ts-pipe-peer.txt" '
import socket
listener = socket.create_server(("127.0.0.1", 0))
print(listener.getsockname()[1])
conn, _ = listener.accept()
conn.close()'
  mkfifo "$tmp/ts-input"
  printf '$ %s\n' "cargo run -p echo-loop --bin client < big.file" >>"$raw"
  "$bin/client" --port "$PORT" <"$tmp/ts-input" >>"$raw" 2>&1 &
  local client=$! status=0
  exec 3>"$tmp/ts-input"
  wait "$PEER"
  ts_state "$PORT" close-wait # the server's FIN has arrived; nothing sent yet
  head -c 1000000 /dev/zero >&3 2>/dev/null || true
  exec 3>&-
  wait "$client" || status=$?
  printf '$ echo $?\n%s\n' "$status" >>"$raw"
  mask "$raw" 9999 >"$new/troubleshooting-broken-pipe.txt"

  # Our own standard output closed: `head` stops reading after one line.
  raw=$tmp/ts-stdout.txt
  start_server "$tmp/ts-stdout-server.txt" -q
  printf '$ %s\n' "yes hello | head -n 200000 | cargo run -p echo-loop --bin client -- -q | head -n 1" >>"$raw"
  # Standard output and error go to two files, put together in the order a
  # terminal shows them (head's line first): written to one file, the two
  # programs' writes could land in either order.
  yes hello | head -n 200000 | "$bin/client" --port "$PORT" -q 2>"$tmp/ts-stdout-err.txt" |
    head -n 1 >"$tmp/ts-stdout-out.txt" || true
  cat "$tmp/ts-stdout-out.txt" "$tmp/ts-stdout-err.txt" >>"$raw"
  stop_server
  mask "$raw" 9999 >"$new/troubleshooting-stdout.txt"
}

# The same refusal in a Korean locale, then back in English: only the hint
# line changes language.
ts_korean() {
  local raw=$tmp/ts-korean.txt
  build oneshot
  PORT=$(ts_free_port)
  ts_session "$raw" "LANG=ko_KR.UTF-8 cargo run -p oneshot --bin client" \
    env LANG=ko_KR.UTF-8 "$bin/client" --port "$PORT"
  ts_session "$raw" "LANG=C.UTF-8 cargo run -p oneshot --bin client" \
    env LANG=C.UTF-8 "$bin/client" --port "$PORT"
  mask "$raw" 7001 >"$new/troubleshooting-korean.txt"
}

# Bad flags: the flag parser answers before anything touches the network.
ts_flags() {
  local raw=$tmp/ts-flags.txt
  build echo-loop
  ts_session "$raw" "cargo run -p echo-loop --bin client -- --port notaport" "$bin/client" --port notaport
  ts_session "$raw" "cargo run -p echo-loop --bin client -- --port 70000" "$bin/client" --port 70000
  ts_session "$raw" "cargo run -p echo-loop --bin client -- --host 300.1.1.1" "$bin/client" --host 300.1.1.1
  ts_session "$raw" "cargo run -p echo-loop --bin client -- --host 127.0.0.1:80" "$bin/client" --host 127.0.0.1:80
  ts_session "$raw" "cargo run -p echo-loop --bin client -- --host '[::1'" "$bin/client" --host '[::1'
  ts_session "$raw" "cargo run -p echo-loop --bin server -- --buffer 0" "$bin/server" --buffer 0
  ts_session "$raw" "cargo run -p echo-loop --bin client -- --no-such-flag" "$bin/client" --no-such-flag
  cp "$raw" "$new/troubleshooting-flags.txt"
}

ts_threaded_echo() {
  local raw log client from upto
  build threaded-echo
  log=$tmp/ts-te-server.txt
  start_server "$log" --max-clients 1 --idle-timeout 1s

  # Busy: one client is connected (it types nothing), a second one comes.
  mkfifo "$tmp/ts-te-input"
  "$bin/client" --port "$PORT" -q <"$tmp/ts-te-input" >/dev/null 2>&1 &
  client=$!
  exec 3>"$tmp/ts-te-input"
  wait_for "$log" 'connected'
  raw=$tmp/ts-te-busy.txt
  from=$(lines "$log")
  printf '$ %s\n' "echo hello | cargo run -p threaded-echo --bin client" >>"$raw"
  echo hello | "$bin/client" --port "$PORT" >>"$raw" 2>&1
  mask "$raw" 3333 >"$new/troubleshooting-threaded-echo-busy.txt"

  # Idle: the first client has sent nothing for --idle-timeout (1s here).
  exec 3>&-
  wait "$client" || true
  sed -n "$((from + 1)),\$p" "$log" >"$tmp/ts-te-busy-server.txt"
  mask "$tmp/ts-te-busy-server.txt" 3333 >"$new/troubleshooting-threaded-echo-busy-server.txt"
  raw=$tmp/ts-te-idle.txt
  printf '$ %s\n' "cargo run -p threaded-echo --bin client      # and type nothing" >>"$raw"
  # Its standard input stays open (a pipe that this script holds) and silent.
  exec 3<>"$tmp/ts-te-input"
  "$bin/client" --port "$PORT" <"$tmp/ts-te-input" >>"$raw" 2>&1
  exec 3>&-
  mask "$raw" 3333 >"$new/troubleshooting-threaded-echo-idle.txt"

  # A line longer than the bound: 70,000 bytes and no newline.
  raw=$tmp/ts-te-long.txt
  printf '$ %s\n' "head -c 70000 /dev/zero | tr '\0' x | cargo run -p threaded-echo --bin client 2>/dev/null | tail -n 1" >>"$raw"
  head -c 70000 /dev/zero | tr '\0' x | "$bin/client" --port "$PORT" 2>/dev/null | tail -n 1 >>"$raw"

  # A client that resets: it reads its echo, then closes with SO_LINGER 0.
  from=$(lines "$log")
  python3 - "$PORT" <<'PY'
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"hello\n")
got = b""
while len(got) < 6:
    got += s.recv(6 - len(got))
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
PY
  wait_for "$log" 'lost' 1 "$((from + 1))"
  upto=$(lines "$log")
  stop_server
  mask "$raw" 3333 >"$new/troubleshooting-threaded-echo-long.txt"
  sed -n "$((from + 1)),${upto}p" "$log" >"$tmp/ts-te-lost.txt"
  mask "$tmp/ts-te-lost.txt" 3333 >"$new/troubleshooting-threaded-echo-lost.txt"

  raw=$tmp/ts-te-usage.txt
  ts_session "$raw" "cargo run -p threaded-echo --bin server -- --idle-timeout 5" "$bin/server" --idle-timeout 5
  cp "$raw" "$new/troubleshooting-threaded-echo-usage.txt"
}

# No file descriptor left: event-loop under a limit of 40 (ulimit -n), and
# 50 clients. Only the two lines of the error are kept: how many clients
# were accepted before it depends on the machine.
ts_event_loop() {
  local log=$tmp/ts-el-server.txt clients
  build event-loop
  : >"$log"
  (ulimit -n 40 && exec "$bin/server" --port 0) 2>"$log" &
  PID=$!
  wait_port "$log"
  python3 - "$PORT" <<'PY' &
import socket, sys, time
held = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(50)]
time.sleep(60)
PY
  clients=$!
  wait_for "$log" 'hint: '
  kill "$clients"
  wait "$clients" 2>/dev/null || true
  stop_server
  { echo '$ (ulimit -n 40; cargo run -p event-loop --bin server)      # and 50 clients connect'
    grep -A1 'accept() failed' "$log" | mask /dev/stdin 3334; } >"$new/troubleshooting-event-loop-out-of-files.txt"
}

ts_udp_echo() {
  local raw log
  build udp-echo

  # Nothing bound to the port: the ICMP "port unreachable" comes back.
  raw=$tmp/ts-udp-refused.txt
  PORT=$(ts_free_port udp)
  ts_session "$raw" "cargo run -p udp-echo --bin client -- hello" "$bin/client" --port "$PORT" hello
  mask "$raw" 7001 >"$new/troubleshooting-udp-refused.txt"

  # Silence: a socket bound to the port that never answers.
  raw=$tmp/ts-udp-silence.txt
  ts_peer "$tmp/ts-udp-peer.txt" '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
time.sleep(60)'
  ts_session "$raw" "cargo run -p udp-echo --bin client -- --timeout 200ms --retries 1 hello" \
    "$bin/client" --port "$PORT" --timeout 200ms --retries 1 hello
  kill "$PEER"
  wait "$PEER" 2>/dev/null || true
  mask "$raw" 7001 >"$new/troubleshooting-udp-silence.txt"

  # A datagram larger than UDP over IPv4 can carry.
  log=$tmp/ts-udp-server.txt
  start_server "$log" --buffer 10
  raw=$tmp/ts-udp-too-long.txt
  printf '$ %s\n' "head -c 70000 /dev/zero | tr '\0' x | cargo run -p udp-echo --bin client" >>"$raw"
  head -c 70000 /dev/zero | tr '\0' x | "$bin/client" --port "$PORT" >>"$raw" 2>&1 || true
  mask "$raw" 7001 >"$new/troubleshooting-udp-too-long.txt"

  # A datagram larger than the server's --buffer (10 bytes here).
  raw=$tmp/ts-udp-too-big.txt
  local from upto
  from=$(lines "$log")
  ts_session "$raw" "cargo run -p udp-echo --bin client -- --timeout 200ms --retries 0 'more than ten bytes'" \
    "$bin/client" --port "$PORT" --timeout 200ms --retries 0 'more than ten bytes'
  wait_for "$log" 'not echoed' 1 "$((from + 1))"
  upto=$(lines "$log")
  stop_server
  mask "$raw" 7001 >"$new/troubleshooting-udp-too-big.txt"
  { echo '$ cargo run -p udp-echo --bin server -- --buffer 10'
    mask "$log" 7001 | sed -n "1,${upto}p"; } >"$new/troubleshooting-udp-too-big-server.txt"

  raw=$tmp/ts-udp-usage.txt
  ts_session "$raw" "cargo run -p udp-echo --bin client -- --timeout 5 hello" "$bin/client" --timeout 5 hello
  cp "$raw" "$new/troubleshooting-udp-usage.txt"
}

ts_periodic_hello() {
  local raw log client from upto
  build periodic-hello

  # The server is killed (SIGKILL: no handler runs). Its kernel still closes
  # the connection, with a FIN.
  log=$tmp/ts-ph-server1.txt
  start_server "$log"
  raw=$tmp/ts-ph-server-killed.txt
  "$bin/client" --port "$PORT" >"$raw" 2>&1 &
  client=$!
  wait_for "$raw" 'hello client'
  kill -KILL "$PID"
  wait "$PID" 2>/dev/null || true
  local status=0
  wait "$client" || status=$?
  { echo '$ cargo run -p periodic-hello --bin client      # then: kill -KILL the server'
    mask "$raw" 12345
    printf '$ echo $?\n%s\n' "$status"; } >"$new/troubleshooting-periodic-hello-server-killed.txt"

  # The server is stopped (SIGSTOP: it no longer reads) until a hello of
  # the client waits unread in its receive buffer, then killed. Now its
  # kernel closes the connection with RST: bytes were left unread.
  log=$tmp/ts-ph-server3.txt
  start_server "$log"
  raw=$tmp/ts-ph-server-killed-unread.txt
  "$bin/client" --port "$PORT" >"$raw" 2>&1 &
  client=$!
  wait_for "$raw" 'hello client'
  wait_for "$log" 'hello server' # the first hello was read: the next one will not be
  kill -STOP "$PID"
  for _ in $(seq 1 600); do
    # Recv-Q, the bytes the server's kernel holds that the server has not read.
    [ "$(ss -Htn state established "( sport = :$PORT )" | awk '{ print $1 }')" -gt 0 ] 2>/dev/null && break
    sleep 0.05
  done
  kill -KILL "$PID"
  wait "$PID" 2>/dev/null || true
  status=0
  wait "$client" || status=$?
  { echo '$ cargo run -p periodic-hello --bin client      # then: kill -STOP, kill -KILL the server'
    mask "$raw" 12345
    printf '$ echo $?\n%s\n' "$status"; } >"$new/troubleshooting-periodic-hello-server-killed-unread.txt"

  # The client is killed: what the server logs.
  log=$tmp/ts-ph-server2.txt
  start_server "$log"
  from=$(lines "$log")
  "$bin/client" --port "$PORT" >/dev/null 2>&1 &
  client=$!
  wait_for "$log" 'hello server'
  kill -KILL "$client"
  wait "$client" 2>/dev/null || true
  wait_for "$log" 'waiting for a client' 2
  upto=$(lines "$log")
  stop_server
  sed -n "$((from + 1)),${upto}p" "$log" >"$tmp/ts-ph-client-killed.txt"
  { echo '$ cargo run -p periodic-hello --bin server      # a client comes, and is killed'
    mask "$tmp/ts-ph-client-killed.txt" 12345; } \
    >"$new/troubleshooting-periodic-hello-client-killed.txt"

  # A server that never closes its side after the client's half-close.
  raw=$tmp/ts-ph-half-close.txt
  ts_peer "$tmp/ts-ph-peer.txt" '
import socket, time
listener = socket.create_server(("127.0.0.1", 0))
print(listener.getsockname()[1])
conn, _ = listener.accept()
while conn.recv(1024):
    pass  # read until the client half-closes, then never close
time.sleep(60)'
  ts_session "$raw" "cargo run -p periodic-hello --bin client -- --count 1" \
    "$bin/client" --port "$PORT" --count 1
  kill "$PEER"
  wait "$PEER" 2>/dev/null || true
  mask "$raw" 12345 >"$new/troubleshooting-periodic-hello-half-close.txt"

  raw=$tmp/ts-ph-interval.txt
  ts_session "$raw" "cargo run -p periodic-hello --bin client -- --interval 0s" "$bin/client" --interval 0s
  cp "$raw" "$new/troubleshooting-periodic-hello-interval.txt"
}

# ts_load FILE SHOWN ARGS...: runs loadgen with ARGS. FILE gets "$ SHOWN",
# then "...", the report's lines about errors (its standard output), the
# error: and hint: lines (its standard error) and the exit status. The
# report's figures (round trips, latency) change from run to run.
ts_load() {
  local file=$1 shown=$2 status=0
  shift 2
  "$bin/loadgen" "$@" >"$tmp/ts-load-out.txt" 2>"$tmp/ts-load-err.txt" || status=$?
  { printf '$ %s\n...\n' "$shown"
    grep -E '^  (clients|errors) |^    [a-z]' "$tmp/ts-load-out.txt" | grep -v '^    [0-9.]'
    grep -E '^(error|hint): ' "$tmp/ts-load-err.txt"
    printf '$ echo $?\n%s\n' "$status"; } >"$file"
}

# loadgen's closing hints, one run for each.
ts_loadgen() {
  local raw log
  build loadgen

  # UDP has no connection to refuse up front: each datagram is refused.
  raw=$tmp/ts-load-refused.txt
  PORT=$(ts_free_port udp)
  ts_load "$raw" "cargo run --release -p loadgen -- --mode udp --count 3" \
    --mode udp --port "$PORT" --count 3
  mask "$raw" 7001 >"$new/troubleshooting-loadgen-refused.txt"

  # A server that serves one client at a time: the others time out. How
  # many errors, and how many round trips the served client made, depend
  # on the machine: they are shown as N.
  build echo-loop
  log=$tmp/ts-load-echo-loop.txt
  start_server "$log" -q
  raw=$tmp/ts-load-starved.txt
  ts_load "$raw" "cargo run --release -p loadgen -- --clients 3 --duration 1s --timeout 500ms" \
    --port "$PORT" --clients 3 --duration 1s --timeout 500ms
  stop_server
  grep -Ev '^    [a-z]' "$raw" | mask /dev/stdin 9999 |
    sed -E 's/most [0-9,]+/most N/; s/^(  errors +|error: )[0-9,]+/\1N/' \
      >"$new/troubleshooting-loadgen-starved.txt"

  # A server that sends back other bytes: a line server that swaps the case
  # of every letter.
  raw=$tmp/ts-load-wrong.txt
  ts_peer "$tmp/ts-load-wrong-peer.txt" '
import socket, threading
listener = socket.create_server(("127.0.0.1", 0))
print(listener.getsockname()[1])
def serve(conn):
    while data := conn.recv(65536):
        conn.sendall(data.swapcase())  # as many bytes, other letters
    conn.close()
while True:
    conn, _ = listener.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()'
  ts_load "$raw" "cargo run --release -p loadgen -- --mode line --count 3" \
    --mode line --port "$PORT" --count 3
  kill "$PEER"
  wait "$PEER" 2>/dev/null || true
  mask "$raw" 3333 >"$new/troubleshooting-loadgen-wrong.txt"

  # Any other error: a server that resets each connection it gets a
  # message on (it closes with SO_LINGER 0).
  raw=$tmp/ts-load-reset.txt
  ts_peer "$tmp/ts-load-peer.txt" '
import socket, struct
listener = socket.create_server(("127.0.0.1", 0))
print(listener.getsockname()[1])
while True:
    conn, _ = listener.accept()
    if conn.recv(64):  # a message: answer it with a reset
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()'
  ts_load "$raw" "cargo run --release -p loadgen -- --count 3" --port "$PORT" --count 3
  kill "$PEER"
  wait "$PEER" 2>/dev/null || true
  mask "$raw" 9999 >"$new/troubleshooting-loadgen-reset.txt"
}
