# The udp-echo section of scripts/book-output.sh: writes $new/udp-echo-*.txt.
# Sourced by book-output.sh, which then calls udp_echo.
#
# Runs, in the chapter's order:
# - step 1: the bare server with the bare client and the tutorial's Python
#   client;
# - step 2: the bare client with no server (it gives up); the lesson's client
#   with no server (refused) and with a server that drops every second
#   datagram (retries); the tutorial's server cutting a 300-byte datagram;
#   the lesson's server with --buffer 10; a stray datagram from another
#   port (tests/peers/stray.py) against the bare client, the tutorial's
#   client and the lesson's client;
# - run it: the lesson's server with three clients;
# - the tutorial's client hanging with no server (stopped by `timeout`);
# - pitfalls: no server, a line too long for a datagram, a port in use, a timeout with
#   no unit, listening on every interface.
#
# Every client runs to its end before the next starts, and a server is
# stopped only once its log shows the last datagram, so each file is the
# same from run to run. stray.py sends its stray 0.2 s before its echo, so
# the stray always arrives first.

# start_bare FILE: starts the bare server on 127.0.0.1, port 0, its output in
# FILE; sets PID and PORT like start_server.
start_bare() {
  local file=$1
  : >"$file"
  "$bin/examples/udp-echo-bare-server" 127.0.0.1 0 2>"$file" &
  PID=$!
  wait_port "$file"
}

# start_python FILE SCRIPT: starts a Python peer on port 0, its standard
# error in FILE; sets PID and PORT.
start_python() {
  local file=$1
  : >"$file"
  python3 "crates/udp-echo/tests/peers/$2" 0 2>"$file" &
  PID=$!
  wait_port "$file"
}

# stop_peer: stops what start_bare or start_python started. SIGTERM, not
# SIGINT: a program started with & by a script ignores SIGINT, unless it
# installs its own handler as the lesson's binaries do.
stop_peer() {
  kill "$PID" 2>/dev/null || true
  wait "$PID" || true
}

udp_echo() {
  cargo build -q -p udp-echo --bins --examples
  local bare=$bin/examples/udp-echo-bare-client py=crates/udp-echo/tests/peers
  local log status

  # Step 1: the bare pair, and the tutorial's client against the bare server.
  log=$tmp/udp-bare-server.txt
  start_bare "$log"
  "$bare" 127.0.0.1 "$PORT" >"$tmp/udp-bare-client.txt" 2>&1
  timeout 10 python3 $py/udp_client.py "$PORT" >"$tmp/udp-bare-python.txt" 2>&1
  wait_for "$log" 'received' 2
  stop_peer
  { echo '$ cargo run -p udp-echo --example udp-echo-bare-server'; mask "$log" 7001; } \
    >"$new/udp-echo-bare-server.txt"
  { echo '$ cargo run -p udp-echo --example udp-echo-bare-client'; mask "$tmp/udp-bare-client.txt" 7001
    echo '$ python3 crates/udp-echo/tests/peers/udp_client.py'; mask "$tmp/udp-bare-python.txt" 7001
  } >"$new/udp-echo-bare-client.txt"

  # Step 2, a lost datagram: the bare client alone, on the port the server
  # has just left, then the lesson's client there.
  status=0
  "$bare" 127.0.0.1 "$PORT" >"$tmp/udp-bare-alone.txt" 2>&1 || status=$?
  { echo '$ cargo run -p udp-echo --example udp-echo-bare-client'; mask "$tmp/udp-bare-alone.txt" 7001
    echo '$ echo $?'; echo "$status"; } >"$new/udp-echo-bare-no-server.txt"
  status=0
  "$bin/client" --port "$PORT" hi >"$tmp/udp-alone.txt" 2>&1 || status=$?
  { echo '$ cargo run -p udp-echo --bin client -- hi'; mask "$tmp/udp-alone.txt" 7001
    echo '$ echo $?'; echo "$status"; } >"$new/udp-echo-no-server.txt"

  # The same, with a server that drops every second datagram.
  log=$tmp/udp-drop-server.txt
  start_server "$log" --drop-every 2
  "$bin/client" --port "$PORT" one two three >"$tmp/udp-drop-client.txt" 2>&1
  wait_for "$log" 'bytes back' 3
  stop_server
  { echo '$ cargo run -p udp-echo --bin server -- --drop-every 2'; mask "$log" 7001; } >"$new/udp-echo-drop-server.txt"
  { echo '$ cargo run -p udp-echo --bin client -- one two three'; mask "$tmp/udp-drop-client.txt" 7001; } \
    >"$new/udp-echo-drop-client.txt"

  # Step 2, a datagram too long: the tutorial's server cuts it to 200 bytes
  # (its recvfrom(200)), and answers once, then exits.
  log=$tmp/udp-tutorial-server.txt
  start_python "$log" udp_server.py
  python3 -c "from socket import *; s = socket(AF_INET, SOCK_DGRAM); s.sendto(b'x' * 300, ('127.0.0.1', $PORT)); print(len(s.recvfrom(65536)[0]))" \
    >"$tmp/udp-cut.txt" 2>&1
  wait "$PID"
  { echo '$ python3 crates/udp-echo/tests/peers/udp_server.py'; mask "$log" 7001; } >"$new/udp-echo-cut-server.txt"
  { echo "\$ python3 -c 'from socket import *; s = socket(AF_INET, SOCK_DGRAM); s.sendto(b\"x\" * 300, (\"127.0.0.1\", 7001)); print(len(s.recvfrom(65536)[0]))'"
    mask "$tmp/udp-cut.txt" 7001; } >"$new/udp-echo-cut-client.txt"

  # The lesson's server with --buffer 10, and a 13-byte message.
  log=$tmp/udp-buffer-server.txt
  start_server "$log" --buffer 10
  status=0
  "$bin/client" --port "$PORT" --timeout 300ms --retries 0 0123456789abc >"$tmp/udp-buffer-client.txt" 2>&1 || status=$?
  wait_for "$log" 'not echoed'
  stop_server
  { echo '$ cargo run -p udp-echo --bin server -- --buffer 10'; mask "$log" 7001; } >"$new/udp-echo-buffer-server.txt"
  { echo '$ cargo run -p udp-echo --bin client -- --timeout 300ms --retries 0 0123456789abc'
    mask "$tmp/udp-buffer-client.txt" 7001; echo '$ echo $?'; echo "$status"; } >"$new/udp-echo-buffer-client.txt"

  # Step 2, a stray datagram: stray.py's neighbour sends the same bytes
  # from another port before the echo.
  log=$tmp/udp-stray.txt
  start_python "$log" stray.py
  status=0
  "$bare" 127.0.0.1 "$PORT" >"$tmp/udp-stray-bare.txt" 2>&1 || status=$?
  wait_for "$log" 'sent the same bytes first' 1
  timeout 10 python3 $py/udp_client.py "$PORT" >"$tmp/udp-stray-python.txt" 2>&1
  wait_for "$log" 'sent the same bytes first' 2
  "$bin/client" --port "$PORT" Hello! >"$tmp/udp-stray-ours.txt" 2>&1
  wait_for "$log" 'sent the same bytes first' 3
  stop_peer
  { echo '$ python3 crates/udp-echo/tests/peers/stray.py'; mask "$log" 7001; } >"$new/udp-echo-stray-server.txt"
  { echo '$ cargo run -p udp-echo --example udp-echo-bare-client'; cat "$tmp/udp-stray-bare.txt"
    echo '$ echo $?'; echo "$status"
    echo '$ python3 crates/udp-echo/tests/peers/udp_client.py'; cat "$tmp/udp-stray-python.txt"
    echo '$ cargo run -p udp-echo --bin client -- Hello!'; cat "$tmp/udp-stray-ours.txt"
  } >"$tmp/udp-stray-clients.txt"
  mask "$tmp/udp-stray-clients.txt" 7001 >"$new/udp-echo-stray-clients.txt"

  # Run it: three clients, one after the other (ours with arguments, ours
  # reading standard input, the tutorial's Python client).
  log=$tmp/udp-server.txt
  start_server "$log"
  "$bin/client" --port "$PORT" hello 안녕 >"$tmp/udp-client.txt" 2>&1
  printf 'typed line\n' | "$bin/client" --port "$PORT" -q >"$tmp/udp-typed.txt" 2>&1
  timeout 10 python3 $py/udp_client.py "$PORT" >"$tmp/udp-python.txt"
  wait_for "$log" 'bytes back' 4
  stop_server
  { echo '$ cargo run -p udp-echo --bin server'; mask "$log" 7001; } >"$new/udp-echo-server.txt"
  { echo '$ cargo run -p udp-echo --bin client -- hello 안녕'; mask "$tmp/udp-client.txt" 7001
    echo "\$ printf 'typed line\\n' | cargo run -p udp-echo --bin client -- -q"; mask "$tmp/udp-typed.txt" 7001
    echo '$ python3 crates/udp-echo/tests/peers/udp_client.py'; mask "$tmp/udp-python.txt" 7001
  } >"$new/udp-echo-client.txt"

  # The tutorial's client with no server: it would wait forever; `timeout`
  # stops it after 2 seconds (exit status 124).
  status=0
  timeout 2 python3 $py/udp_client.py "$PORT" >"$tmp/udp-hang.txt" 2>&1 || status=$?
  { echo '$ timeout 2 python3 crates/udp-echo/tests/peers/udp_client.py; echo $?'
    mask "$tmp/udp-hang.txt" 7001; echo "$status"; } >"$new/udp-echo-tutorial-hang.txt"

  # Pitfalls. No server, in short: -qq leaves only the error and the hint.
  "$bin/client" --port "$PORT" -qq --retries 0 hi >"$tmp/udp-refused.txt" 2>&1 || true
  { echo '$ cargo run -p udp-echo --bin client -- -qq --retries 0 hi'; mask "$tmp/udp-refused.txt" 7001; } \
    >"$new/udp-echo-refused.txt"

  # A line longer than a datagram holds: refused before sending.
  "$bin/client" --port "$PORT" < <(python3 -c 'print("x" * 70000)') >"$tmp/udp-long.txt" 2>&1 || true
  { echo "\$ python3 -c 'print(\"x\" * 70000)' | cargo run -p udp-echo --bin client"
    mask "$tmp/udp-long.txt" 7001; } >"$new/udp-echo-too-long.txt"

  # A second server on the port of a running one.
  log=$tmp/udp-first.txt
  start_server "$log"
  "$bin/server" --port "$PORT" >"$tmp/udp-in-use.txt" 2>&1 || true
  stop_server
  { echo '$ cargo run -p udp-echo --bin server'; mask "$tmp/udp-in-use.txt" 7001; } >"$new/udp-echo-port-in-use.txt"

  # A timeout with no unit: a usage error, exit status 2.
  status=0
  "$bin/client" --timeout 5 hi >"$tmp/udp-unit.txt" 2>&1 || status=$?
  { echo '$ cargo run -p udp-echo --bin client -- --timeout 5 hi'; cat "$tmp/udp-unit.txt"
    echo '$ echo $?'; echo "$status"; } >"$new/udp-echo-timeout-unit.txt"

  # Every interface: the warning (only the first lines of the log).
  log=$tmp/udp-any.txt
  : >"$log"
  "$bin/server" --host 0.0.0.0 --port 0 2>"$log" &
  PID=$!
  wait_for "$log" 'every interface'
  stop_server
  PORT=$(sed -n 's/.*listening on 0\.0\.0\.0:\([0-9]*\).*/\1/p' "$log")
  { echo '$ cargo run -p udp-echo --bin server -- --host 0.0.0.0'
    grep -F 'listening on' "$log" | sed "s/0\.0\.0\.0:$PORT\b/0.0.0.0:7001/"; } >"$new/udp-echo-every-interface.txt"
}
