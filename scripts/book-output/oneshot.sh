# The oneshot section of scripts/book-output.sh: writes $new/oneshot-*.txt.
# Sourced by book-output.sh, which then calls oneshot.
#
# The chapter grows in steps, and so does this script:
#   1. the bare pair (examples/oneshot-bare-*.rs), as a student runs it;
#   2. each failure of the bare server that the full lesson fixes: a restart
#      right after a client (TIME_WAIT without SO_REUSEADDR), and a message
#      longer than its one recv(1024) (a reset); then the full server in the
#      same situation;
#   3. the full lesson ("Run it");
#   4. a bug of tutorial 002's own Python server (recv(1024) cuts a Korean
#      character, decode() raises);
#   5. the pitfalls: the exact error and hint lines.
# Every step waits for the line it needs (a port, an exit), never a fixed time.
#
# Shown as the student sees it, with three changes the script makes so that
# every run prints the same: ports are masked (see lib.sh), lines longer than
# 100 characters end in "…" (the bare server prints a 1024-byte message
# whole), and Python's tracebacks show file names without their folders and
# without the ^^^^ marker lines that only some Python versions print.


# oneshot_cut: lines longer than 100 characters end in "…".
oneshot_cut() { perl -CSD -pe 's/^(.{100}).+/$1\x{2026}/'; }



oneshot() {
  cargo build -q -p oneshot --bins --examples
  # English hints whatever the machine's locale; UTF-8 for the Korean text.
  local -x LC_ALL=C.UTF-8 PYTHONUNBUFFERED=1
  local bare_port cut status long peers=crates/oneshot/tests/peers

  # 1. The bare pair.
  start_bare "$tmp/os-bare-server.txt" oneshot-bare-server 127.0.0.1 0
  bare_port=$PORT
  "$bin/examples/oneshot-bare-client" 127.0.0.1 "$PORT" >"$tmp/os-bare-client.txt" 2>&1
  wait "$PID"
  { echo '$ cargo run -p oneshot --example oneshot-bare-server'; mask "$tmp/os-bare-server.txt" 7001; } \
    >"$new/oneshot-bare-server.txt"
  { echo '$ cargo run -p oneshot --example oneshot-bare-client'; mask "$tmp/os-bare-client.txt" 7001; } \
    >"$new/oneshot-bare-client.txt"

  # 2a. Started again at once, the bare server cannot bind: the connection it
  # closed first waits in TIME_WAIT on its port.
  ss -Htan "sport = :$PORT" | tr -s ' ' | sed 's/ $//' >"$tmp/os-time-wait.txt"
  status=0
  "$bin/examples/oneshot-bare-server" 127.0.0.1 "$PORT" >>"$tmp/os-time-wait.txt" 2>&1 || status=$?
  { echo "\$ ss -tan 'sport = :7001'"; mask "$tmp/os-time-wait.txt" 7001 | sed -n 1p
    echo '$ cargo run -p oneshot --example oneshot-bare-server'; mask "$tmp/os-time-wait.txt" 7001 | sed 1d
    echo '$ echo $?'; echo "$status"; } >"$new/oneshot-bare-restart.txt"
  # The full server, with SO_REUSEADDR, after the same client: it restarts
  # at once; then Ctrl-C.
  start_server "$tmp/os-reuse-1.txt"
  "$bin/examples/oneshot-bare-client" 127.0.0.1 "$PORT" >/dev/null 2>&1
  wait "$PID"
  ss -Htan "sport = :$PORT" | tr -s ' ' | sed 's/ $//' >"$tmp/os-reuse-ss.txt"
  "$bin/server" --port "$PORT" 2>"$tmp/os-reuse-2.txt" &
  PID=$!
  wait_for "$tmp/os-reuse-2.txt" 'waiting for a client'
  cut=$(lines "$tmp/os-reuse-2.txt")
  stop_server
  { echo "\$ ss -tan 'sport = :7001'"; mask "$tmp/os-reuse-ss.txt" 7001
    echo '$ cargo run -p oneshot --bin server'; mask "$tmp/os-reuse-2.txt" 7001 | sed -n "1,${cut}p"
    echo '^C'; mask "$tmp/os-reuse-2.txt" 7001 | sed -n "$((cut + 1)),\$p"
  } >"$new/oneshot-reuse.txt"

  # 2b. A message longer than one recv(1024): 2000 bytes. The bare server
  # closes with bytes unread, so its close is a reset; the full one warns,
  # reads and drops the rest, and closes normally.
  long=$(head -c 2000 /dev/zero | tr '\0' x)
  start_bare "$tmp/os-long-bare-server.txt" oneshot-bare-server 127.0.0.1 0
  "$bin/client" --port "$PORT" --message "$long" >"$tmp/os-long-bare-client.txt" 2>&1 || true
  wait "$PID"
  { echo '$ cargo run -p oneshot --example oneshot-bare-server'
    mask "$tmp/os-long-bare-server.txt" 7001 | oneshot_cut; } >"$new/oneshot-long-bare-server.txt"
  { echo "\$ cargo run -p oneshot --bin client -- --message \"\$(head -c 2000 /dev/zero | tr '\\0' x)\""
    mask "$tmp/os-long-bare-client.txt" 7001; } >"$new/oneshot-long-bare-client.txt"
  start_server "$tmp/os-long-server.txt"
  "$bin/client" --port "$PORT" --message "$long" >"$tmp/os-long-client.txt" 2>&1
  wait "$PID"
  { echo '$ cargo run -p oneshot --bin server'; mask "$tmp/os-long-server.txt" 7001; } >"$new/oneshot-long-server.txt"
  { echo "\$ cargo run -p oneshot --bin client -- --message \"\$(head -c 2000 /dev/zero | tr '\\0' x)\""
    mask "$tmp/os-long-client.txt" 7001; echo; } >"$new/oneshot-long-client.txt"

  # 3. Run it: the full lesson.
  start_server "$tmp/server.txt"
  "$bin/client" --port "$PORT" >"$tmp/stdout.txt" 2>"$tmp/client.txt"
  wait "$PID"
  { echo '$ cargo run -p oneshot --bin server'; mask "$tmp/server.txt" 7001; } >"$new/oneshot-server.txt"
  { echo '$ cargo run -p oneshot --bin client'; mask "$tmp/client.txt" 7001; cat "$tmp/stdout.txt"; echo; } >"$new/oneshot-client.txt"

  # 4. Tutorial 002's server and 400 Korean syllables (1200 bytes): its one
  # recv(1024) ends inside a character, and decode() raises.
  : >"$tmp/os-py-server.txt"
  python3 "$peers/tutorial002_server.py" 0 >"$tmp/os-py-server.txt" 2>&1 &
  PID=$!
  wait_for "$tmp/os-py-server.txt" 'Waiting for Connection'
  PORT=$(sed -n 's/^Waiting for Connection\.\. \([0-9]*\)$/\1/p' "$tmp/os-py-server.txt")
  "$bin/client" --port "$PORT" --message "$(printf '가%.0s' $(seq 400))" >"$tmp/os-py-client.txt" 2>&1 || true
  wait "$PID" || true
  { echo "\$ python3 $peers/tutorial002_server.py 7001"; mask "$tmp/os-py-server.txt" 7001 | py_traceback \
    | sed "s/^\(Waiting for Connection\.\.\) $PORT\$/\1 7001/"; } \
    >"$new/oneshot-tutorial-server.txt"
  { echo "\$ cargo run -p oneshot --bin client -- --message \"\$(printf '가%.0s' \$(seq 400))\""
    mask "$tmp/os-py-client.txt" 7001; } >"$new/oneshot-tutorial-client.txt"

  # 5. Pitfalls.
  PORT=$(free_port)
  "$bin/client" --port "$PORT" >"$tmp/os-refused.txt" 2>&1 || true
  { echo '$ cargo run -p oneshot --bin client'; mask "$tmp/os-refused.txt" 7001; } >"$new/oneshot-refused.txt"

  start_server "$tmp/os-busy.txt"
  "$bin/server" --port "$PORT" >"$tmp/os-in-use.txt" 2>&1 || true
  stop_server
  { echo '$ cargo run -p oneshot --bin server'; mask "$tmp/os-in-use.txt" 7001; } >"$new/oneshot-in-use.txt"

  # The bare server's port is still in TIME_WAIT, from a socket without
  # SO_REUSEADDR: even the full server cannot bind it yet.
  PORT=$bare_port
  "$bin/server" --port "$PORT" >"$tmp/os-after-bare.txt" 2>&1 || true
  { echo '$ cargo run -p oneshot --bin server'; mask "$tmp/os-after-bare.txt" 7001; } >"$new/oneshot-after-bare.txt"

  "$bin/server" --port notaport >"$tmp/os-bad-flag.txt" 2>&1 || true
  { echo '$ cargo run -p oneshot --bin server -- --port notaport'; cat "$tmp/os-bad-flag.txt"; } \
    >"$new/oneshot-bad-flag.txt"

  # Port 80 as an ordinary user: as root (CI), run the server as `nobody`.
  if [ "$(id -u)" = 0 ]; then
    setpriv --reuid=65534 --regid=65534 --clear-groups "$bin/server" --port 80 >"$tmp/os-80.txt" 2>&1 || true
  else
    "$bin/server" --port 80 >"$tmp/os-80.txt" 2>&1 || true
  fi
  { echo '$ cargo run -p oneshot --bin server -- --port 80'; cat "$tmp/os-80.txt"; } >"$new/oneshot-port-80.txt"
}
