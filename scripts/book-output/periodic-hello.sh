# The periodic-hello section of scripts/book-output.sh: writes $new/periodic-hello-*.txt.
# Sourced by book-output.sh, which then calls periodic_hello.
#
# Every run below is made the same each time by waiting for log lines and
# by timing: a step (a Ctrl-C, a kill) comes right after the line it waits
# for, well before the next hello is due (the bare pair sends once a
# second; the lesson's server often runs with --interval 10s, so it sends
# each client a single hello). Where a part of a run still varies, the
# function says so and only the stable part is kept.
#
# The bare examples install no signal handler. A background job of a
# script starts with SIGINT ignored, so they are started through
# `env --default-signal=INT`: Ctrl-C then kills them, as in a terminal.
#
# The tutorial's Python programs (tests/peers/) print Python 3.11's
# tracebacks; their file paths are shortened (the checkout's directory
# dropped, Python's own library shown as .../socket.py).

periodic_hello() {
  build periodic-hello
  cargo build -q -p periodic-hello --examples
  ph_step1
  ph_port_in_use
  ph_ctrl_c_bare
  ph_ctrl_c_lesson
  ph_run_it
  ph_tutorial_is_alive
  ph_tutorial_client_ctrl_c
  ph_tutorial_server_ctrl_c
  ph_tutorial_never_closes
  ph_one_recv_many_hellos
  ph_pitfalls
}

ph_ex=${bin}/examples
ph_peers=crates/periodic-hello/tests/peers

# ph_bare NAME LOG ARGS...: starts the bare example NAME in the background,
# its output in LOG; sets BARE to its pid.
ph_bare() {
  local name=$1 log=$2
  shift 2
  : >"$log"
  env --default-signal=INT "$ph_ex/periodic-hello-bare-$name" "$@" 2>"$log" &
  BARE=$!
}

# ph_bare_server LOG: the bare server on a port the system picks; sets
# PID and PORT, as start_server does for the lesson's server.
ph_bare_server() {
  ph_bare server "$1" 127.0.0.1 0
  PID=$BARE
  wait_port "$1"
}


# ph_python FILE LOG ARGS...: a tutorial program in the background, its log
# appended to LOG (so the script can mark a Ctrl-C in it); sets PY.
ph_python() {
  local file=$1 log=$2
  shift 2
  PYTHONIOENCODING=utf-8 python3 "$file" "$@" 2>>"$log" &
  PY=$!
}

# ph_paths: shorter file paths in Python tracebacks (see the top).
ph_paths() {
  sed -e "s#$PWD/##g" -e "s#$tmp/##g" -e 's#File "[^"]*/\(socket\.py\)"#File ".../\1"#'
}

# ph_wait PID: waits for PID to end; sets RC to its exit status, as a shell
# shows it (128 + the signal's number when a signal ended it).
ph_wait() {
  RC=0
  wait "$1" 2>/dev/null || RC=$?
}

# ph_rc: "$ echo $?" and the last status ph_wait saw.
ph_rc() { printf '$ echo $?\n%s\n' "$RC"; }

# Step 1: the bare server and the bare client. The client is stopped with
# Ctrl-C once each side has received three hellos (the fourth is a second away).
ph_step1() {
  local log=$tmp/phb-server.txt client=$tmp/phb-client.txt pid
  ph_bare_server "$log"
  ph_bare client "$client" 127.0.0.1 "$PORT"
  pid=$BARE
  wait_for "$log" 'received "hello server\n"' 3
  wait_for "$client" 'received "hello client\n"' 3
  kill -INT "$pid"
  ph_wait "$pid"
  { echo '$ cargo run -p periodic-hello --example periodic-hello-bare-client'
    mask "$client" 12345; echo '^C'; ph_rc; } >"$new/periodic-hello-bare-client.txt"
  wait_for "$log" 'waiting for a client' 2
  kill -INT "$PID"
  ph_wait "$PID"
  { echo '$ cargo run -p periodic-hello --example periodic-hello-bare-server'
    mask "$log" 12345; echo '^C'; } >"$new/periodic-hello-bare-server.txt"
}

# Step 2: a second server on the same port, bare and then the lesson's.
ph_port_in_use() {
  ph_bare_server "$tmp/phb-first.txt"
  RC=0
  "$ph_ex/periodic-hello-bare-server" 127.0.0.1 "$PORT" 2>"$tmp/phb-second.txt" || RC=$?
  { echo '$ cargo run -p periodic-hello --example periodic-hello-bare-server'
    cat "$tmp/phb-second.txt"; ph_rc; } >"$new/periodic-hello-bare-in-use.txt"
  stop_server

  start_server "$tmp/ph-first.txt"
  RC=0
  "$bin/server" --port "$PORT" 2>"$tmp/ph-second.txt" || RC=$?
  { echo '$ cargo run -p periodic-hello --bin server'
    mask "$tmp/ph-second.txt" 12345; ph_rc; } >"$new/periodic-hello-in-use.txt"
  stop_server
}

# Step 2: Ctrl-C on the bare server while one client talks and a second
# one waits in the listen() queue. The second starts as soon as the first
# is accepted (starting a program may be slow on a busy machine); the
# Ctrl-C comes right after the first client's second hello.
ph_ctrl_c_bare() {
  local log=$tmp/phb-cc-server.txt talking=$tmp/phb-cc-talking.txt queued=$tmp/phb-cc-queued.txt t q
  ph_bare_server "$log"
  ph_bare client "$talking" 127.0.0.1 "$PORT"
  t=$BARE
  wait_for "$log" 'connected'
  ph_bare client "$queued" 127.0.0.1 "$PORT"
  q=$BARE
  wait_for "$queued" 'connected to'
  wait_for "$log" 'received "hello server\n"' 2
  wait_for "$talking" 'received "hello client\n"' 2
  kill -INT "$PID"
  ph_wait "$PID"
  { echo '$ cargo run -p periodic-hello --example periodic-hello-bare-server'
    mask "$log" 12345; echo '^C'; ph_rc; } >"$new/periodic-hello-bare-ctrl-c-server.txt"
  ph_wait "$t"
  ph_wait "$q"
  { echo '$ cargo run -p periodic-hello --example periodic-hello-bare-client'; mask "$talking" 12345; } \
    >"$new/periodic-hello-bare-ctrl-c-talking.txt"
  { echo '$ cargo run -p periodic-hello --example periodic-hello-bare-client'; mask "$queued" 12345; } \
    >"$new/periodic-hello-bare-ctrl-c-queued.txt"
}

# Step 2: the same with the lesson's programs. The server sends each client
# one hello (--interval 10s), and so does the queued client; the first
# client's second hello is the cue.
ph_ctrl_c_lesson() {
  local log=$tmp/ph-cc-server.txt talking=$tmp/ph-cc-talking.txt queued=$tmp/ph-cc-queued.txt t q
  start_server "$log" --interval 10s
  : >"$talking"
  "$bin/client" --port "$PORT" >/dev/null 2>"$talking" &
  t=$!
  wait_for "$log" 'connected'
  : >"$queued"
  "$bin/client" --port "$PORT" --interval 10s >/dev/null 2>"$queued" &
  q=$!
  wait_for "$queued" 'sending'
  wait_for "$log" '"hello server\n"' 2
  wait_for "$talking" 'received 13 bytes'
  kill -INT "$PID"
  ph_wait "$PID"
  { echo '$ cargo run -p periodic-hello --bin server -- --interval 10s'
    mask "$log" 12345; ph_rc; } >"$new/periodic-hello-ctrl-c-server.txt"
  ph_wait "$t"
  ph_wait "$q"
  { echo '$ cargo run -p periodic-hello --bin client'; mask "$talking" 12345; } >"$new/periodic-hello-ctrl-c-talking.txt"
  { echo '$ cargo run -p periodic-hello --bin client -- --interval 10s'; mask "$queued" 12345; } \
    >"$new/periodic-hello-ctrl-c-queued.txt"
}

# Run it: one server, two clients, one after the other. The server sends
# each client one hello, at once (--interval 10s); the clients send one
# every second. The first client gets Ctrl-C right after the server got its
# third hello; the second leaves by itself after three (--count 3). The
# server's log is cut in three parts, one for each step.
ph_run_it() {
  local log=$tmp/ph-server.txt client cut1 cut2 cut3
  start_server "$log" --interval 10s
  wait_for "$log" 'waiting for a client'
  cut1=$(lines "$log")

  "$bin/client" --port "$PORT" >"$tmp/ph-client1.txt" 2>&1 &
  client=$!
  wait_for "$log" '"hello server\n"' 3 "$cut1"
  kill -INT "$client"
  wait "$client"
  wait_for "$log" 'waiting for a client' 1 $((cut1 + 1))
  cut2=$(lines "$log")

  "$bin/client" --port "$PORT" --count 3 >"$tmp/ph-client2.txt" 2>&1
  wait_for "$log" 'waiting for a client' 1 $((cut2 + 1))
  cut3=$(lines "$log")
  stop_server

  { echo '$ cargo run -p periodic-hello --bin server -- --interval 10s'
    mask "$log" 12345 | sed -n "1,${cut1}p"; } >"$new/periodic-hello-server.txt"
  mask "$log" 12345 | sed -n "$((cut1 + 1)),${cut2}p" >"$new/periodic-hello-server-1.txt"
  mask "$log" 12345 | sed -n "$((cut2 + 1)),${cut3}p" >"$new/periodic-hello-server-2.txt"
  { echo '$ cargo run -p periodic-hello --bin client'; mask "$tmp/ph-client1.txt" 12345; } >"$new/periodic-hello-client-1.txt"
  { echo '$ cargo run -p periodic-hello --bin client -- --count 3'; mask "$tmp/ph-client2.txt" 12345; } \
    >"$new/periodic-hello-client-2.txt"
}

# The tutorial's client as written, with t.isAlive(), under Python 3.11.
# Its receiving thread may log the server's first hello before or after the
# traceback, so that line is left out: only the traceback is shown.
ph_tutorial_is_alive() {
  sed 's/t\.is_alive()/t.isAlive()/' "$ph_peers/tutorial_001_client.py" >"$tmp/client.py"
  start_server "$tmp/ph-alive-server.txt"
  RC=0
  python3 "$tmp/client.py" "$PORT" 2>"$tmp/ph-alive.txt" || RC=$?
  stop_server
  { echo '$ python3 client.py'
    grep -v '^\[DEBUG' "$tmp/ph-alive.txt" | ph_paths; ph_rc; } >"$new/periodic-hello-tutorial-is-alive.txt"
}

# Ctrl-C on the tutorial's client, talking with the lesson's server
# (--interval 500ms; the client's handler sleeps a second). The script writes ^C into the client's log when it
# sends the signal: one more hello is logged after it, then nothing.
ph_tutorial_client_ctrl_c() {
  local log=$tmp/ph-tc.txt
  start_server "$tmp/ph-tc-server.txt" --interval 500ms
  : >"$log"
  ph_python "$ph_peers/tutorial_001_client.py" "$log" "$PORT"
  wait_for "$log" "b'hello client\\n'" 3
  echo '^C' >>"$log"
  kill -INT "$PY"
  wait "$PY" || true
  stop_server
  { echo '$ python3 crates/periodic-hello/tests/peers/tutorial_001_client.py'; cat "$log"; } \
    >"$new/periodic-hello-tutorial-client-ctrl-c.txt"
}

# Ctrl-C on the tutorial's server while the lesson's client is connected
# (--interval 10s: one hello, so nothing more arrives during the handler's
# one-second sleep). What the client then sees varies (a FIN, or a reset
# when a hello was left unread), so only the server's side is shown.
ph_tutorial_server_ctrl_c() {
  local log=$tmp/ph-ts.txt client
  PORT=$(free_port)
  : >"$log"
  ph_python "$ph_peers/tutorial_001_server.py" "$log" "$PORT"
  wait_for "$log" '연결 대기'
  : >"$tmp/ph-ts-client.txt"
  "$bin/client" --port "$PORT" --interval 10s >/dev/null 2>"$tmp/ph-ts-client.txt" &
  client=$!
  wait_for "$log" "b'hello server\\n'"
  echo '^C' >>"$log"
  kill -INT "$PY"
  ph_wait "$PY"
  { echo '$ python3 crates/periodic-hello/tests/peers/tutorial_001_server.py'
    mask "$log" 12345 | ph_paths; ph_rc; } >"$new/periodic-hello-tutorial-server-ctrl-c.txt"
  ph_wait "$client"
}

# The lesson's client with --count 3 against the tutorial's server, which
# sends one hello, then sleeps a second; by then the client has half-closed.
ph_tutorial_never_closes() {
  local log=$tmp/ph-nc.txt
  PORT=$(free_port)
  : >"$log"
  ph_python "$ph_peers/tutorial_001_server.py" "$log" "$PORT"
  wait_for "$log" '연결 대기'
  "$bin/client" --port "$PORT" --count 3 --interval 100ms >"$tmp/ph-nc-client.txt" 2>&1
  wait_for "$log" '연결 대기' 2
  kill -INT "$PY"
  wait "$PY" || true
  { echo '$ cargo run -p periodic-hello --bin client -- --count 3 --interval 100ms'
    mask "$tmp/ph-nc-client.txt" 12345; } >"$new/periodic-hello-tutorial-never-closes-client.txt"
  { echo '$ python3 crates/periodic-hello/tests/peers/tutorial_001_server.py'
    mask "$log" 12345; } >"$new/periodic-hello-tutorial-never-closes-server.txt"
}

# One recv(), many hellos: the client is paused (SIGSTOP) while the server
# (-v, --interval 500ms) sends 8 hellos, then resumed (SIGCONT) at once.
ph_one_recv_many_hellos() {
  local log=$tmp/ph-glue-server.txt client=$tmp/ph-glue-client.txt pid cut
  start_server "$log" -v --interval 500ms
  : >"$client"
  "$bin/client" --port "$PORT" >/dev/null 2>"$client" &
  pid=$!
  wait_for "$client" 'received 13 bytes'
  kill -STOP "$pid"
  cut=$(lines "$log")
  wait_for "$log" 'sent "hello client\n"' 8 $((cut + 1))
  kill -CONT "$pid"
  wait_for "$client" 'received 104 bytes'
  kill -INT "$pid"
  wait "$pid" || true
  stop_server
  grep 'received 104 bytes' "$client" | mask /dev/stdin 12345 >"$new/periodic-hello-one-recv.txt"
}

# Pitfalls: the exact messages.
ph_pitfalls() {
  local p2 pid
  # Nothing listens: the default port (masked), then --port 4000.
  PORT=$(free_port)
  { echo '$ cargo run -p periodic-hello --bin client'
    "$bin/client" --port "$PORT" 2>&1 | mask /dev/stdin 12345 || true
    p2=$(free_port)
    echo '$ cargo run -p periodic-hello --bin client -- --port 4000'
    "$bin/client" --port "$p2" 2>&1 | sed "s/\b$p2\b/4000/g" || true; } >"$new/periodic-hello-refused.txt"

  # Durations without a unit, or zero.
  { for bad in 1 0s; do
      echo "\$ cargo run -p periodic-hello --bin client -- --interval $bad"
      RC=0
      "$bin/client" --interval "$bad" 2>&1 || RC=$?
      ph_rc
    done; } >"$new/periodic-hello-bad-interval.txt"

  # A killed client (kill -9): its kernel still closes with a FIN.
  start_server "$tmp/ph-kill-server.txt" --interval 10s
  : >"$tmp/ph-kill-client.txt"
  "$bin/client" --port "$PORT" >/dev/null 2>"$tmp/ph-kill-client.txt" &
  pid=$!
  wait_for "$tmp/ph-kill-server.txt" '"hello server\n"'
  wait_for "$tmp/ph-kill-client.txt" 'received 13 bytes'
  kill -KILL "$pid"
  ph_wait "$pid"
  wait_for "$tmp/ph-kill-server.txt" 'went away'
  stop_server
  mask "$tmp/ph-kill-server.txt" 12345 | sed -n '/connected/,/went away/p' >"$new/periodic-hello-killed.txt"

  # A reset: the server is paused (SIGSTOP) until a hello from the client
  # waits unread in its socket, then killed. Only the client's last two
  # lines are shown: before them, the -v log lines are not the point.
  start_server "$tmp/ph-rst-server.txt" --interval 10s
  : >"$tmp/ph-rst-client.txt"
  "$bin/client" --port "$PORT" -v >/dev/null 2>"$tmp/ph-rst-client.txt" &
  pid=$!
  wait_for "$tmp/ph-rst-client.txt" 'received 13 bytes'
  kill -STOP "$PID"
  wait_for "$tmp/ph-rst-client.txt" 'sent "hello server\n"' 2
  kill -KILL "$PID"
  ph_wait "$PID"
  ph_wait "$pid"
  { mask "$tmp/ph-rst-client.txt" 12345 | tail -n 2; ph_rc; } >"$new/periodic-hello-reset.txt"

  # And the other way: the client is paused until a hello from the server
  # waits unread in its socket (-v shows the server's sends), then killed.
  # Only the server's last two lines are shown: its two threads log at
  # the same time before them.
  start_server "$tmp/ph-rst2-server.txt" -v --interval 500ms
  : >"$tmp/ph-rst2-client.txt"
  "$bin/client" --port "$PORT" >/dev/null 2>"$tmp/ph-rst2-client.txt" &
  pid=$!
  wait_for "$tmp/ph-rst2-client.txt" 'received 13 bytes'
  kill -STOP "$pid"
  wait_for "$tmp/ph-rst2-server.txt" 'sent "hello client\n"' 2
  kill -KILL "$pid"
  ph_wait "$pid"
  wait_for "$tmp/ph-rst2-server.txt" 'waiting for a client' 2
  stop_server
  mask "$tmp/ph-rst2-server.txt" 12345 | grep -v ' Ctrl-C or SIGTERM\| server stopped' | tail -n 2 \
    >"$new/periodic-hello-reset-server.txt"
}
