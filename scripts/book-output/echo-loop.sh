# The echo-loop section of scripts/book-output.sh: writes $new/echo-loop-*.txt.
# Sourced by book-output.sh, which then calls echo_loop.
#
# The chapter grows in steps, and so does this script:
#   1. the bare pair (examples/echo-loop-bare-*.rs) and tutorial 003's
#      Python client against the bare server;
#   2. each failure of the bare server that the full lesson fixes, then the
#      full server in the same situation: Ctrl-C with a client waiting in
#      the listen() queue, a client that resets, a port in use;
#   3. the full lesson ("Run it"), with a second client that has to wait;
#   4. the bugs of the tutorials' own Python programs: 003's server and a
#      Korean character cut by recv(1024); 004's "echo" server answering
#      with fixed text, its `finally: conn.close()` raising NameError (Ctrl-C
#      before any client; bind() failing), and its HOST = "" listening on
#      every interface;
#   5. the pitfalls.
# Every step waits for the line or the state it needs, never a fixed time.
#
# Shown as the student sees it, with these changes so that every run prints
# the same: ports are masked (see lib.sh; the tutorial 004 server's port
# becomes its 8888), and Python's tracebacks show file names without their
# folders and without the ^^^^ marker lines that only some Python versions
# print. Where a client's input is fed by the script, the chapter says so.


# echo_loop_until_gone PID: returns once process PID has ended. Used to hold
# a client's input open, as a student who types nothing more does.
echo_loop_until_gone() {
  while kill -0 "$1" 2>/dev/null; do sleep 0.05; done
}

# echo_loop_in_accept PID: waits until process PID is blocked in accept()
# (Linux says so in /proc/PID/wchan). Gives up after 10 seconds.
echo_loop_in_accept() {
  for _ in $(seq 1 200); do
    [ "$(cat "/proc/$1/wchan" 2>/dev/null)" = inet_csk_accept ] && return 0
    sleep 0.05
  done
  echo "book-output: process $1 never waited in accept()" >&2
  exit 1
}



# echo_loop_ss PORT: the listening socket on PORT, as `ss -ltn` shows it,
# spaces squeezed (the columns' widths depend on the real port numbers).
echo_loop_ss() { ss -Hltn "sport = :$1" | tr -s ' ' | sed 's/ $//'; }

echo_loop() {
  cargo build -q -p echo-loop --bins --examples
  # English hints whatever the machine's locale; UTF-8 for the Korean text.
  local -x LC_ALL=C.UTF-8 PYTHONUNBUFFERED=1
  local log status c1 c2 cut port server peers=crates/echo-loop/tests/peers
  local reset='import socket, struct; s = socket.create_connection(("127.0.0.1", PORT)); s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); s.close()'

  # 1. The bare pair, then tutorial 003's client; then Ctrl-C.
  log=$tmp/el-bare-server.txt
  start_bare "$log" echo-loop-bare-server 127.0.0.1 0
  "$bin/examples/echo-loop-bare-client" 127.0.0.1 "$PORT" >"$tmp/el-bare-client.txt" 2>&1
  python3 "$peers/tutorial003_client.py" "$PORT" >"$tmp/el-bare-python.txt" 2>&1
  wait_for "$log" 'closed the connection' 2
  kill -INT "$PID"
  status=0
  wait "$PID" || status=$?
  { echo '$ cargo run -p echo-loop --example echo-loop-bare-server'; mask "$log" 9999
    echo '^C'; echo '$ echo $?'; echo "$status"; } >"$new/echo-loop-bare-server.txt"
  { echo '$ cargo run -p echo-loop --example echo-loop-bare-client'; mask "$tmp/el-bare-client.txt" 9999
    echo "\$ python3 $peers/tutorial003_client.py 9999"; cat "$tmp/el-bare-python.txt"
  } >"$new/echo-loop-bare-client.txt"

  # 2a. Ctrl-C with one client served and one waiting in the queue. Each
  # client has sent a line, and its input stays open until the server ends.
  for server in bare full; do
    log=$tmp/el-cc-$server.txt
    if [ $server = bare ]; then start_bare "$log" echo-loop-bare-server 127.0.0.1 0; else start_server "$log"; fi
    { say hello; echo_loop_until_gone "$PID"; } |
      "$bin/client" --port "$PORT" >"$tmp/el-cc-$server-1.txt" 2>&1 &
    c1=$!
    wait_for "$log" 'received 6 bytes'
    { say 'anyone there?'; echo_loop_until_gone "$PID"; } |
      "$bin/client" --port "$PORT" >"$tmp/el-cc-$server-2.txt" 2>&1 &
    c2=$!
    wait_for "$tmp/el-cc-$server-2.txt" 'connected to'
    cut=$(lines "$log")
    kill -INT "$PID"
    status=0
    wait "$PID" || status=$?
    wait "$c1" || true
    wait "$c2" || true
    if [ $server = bare ]; then
      { echo '$ cargo run -p echo-loop --example echo-loop-bare-server'; mask "$log" 9999
        echo '^C'; echo '$ echo $?'; echo "$status"; } >"$new/echo-loop-ctrl-c-bare-server.txt"
    else
      { echo '$ cargo run -p echo-loop --bin server'; mask "$log" 9999 | sed -n "1,${cut}p"
        echo '^C'; mask "$log" 9999 | sed -n "$((cut + 1)),\$p"; } >"$new/echo-loop-ctrl-c-server.txt"
    fi
    { echo '$ cargo run -p echo-loop --bin client'; mask "$tmp/el-cc-$server-1.txt" 9999; } \
      >"$new/echo-loop-ctrl-c-$server-client-1.txt"
    { echo '$ cargo run -p echo-loop --bin client'; mask "$tmp/el-cc-$server-2.txt" 9999; } \
      >"$new/echo-loop-ctrl-c-$server-client-2.txt"
  done

  # 2b. A client that resets its connection (SO_LINGER 0, then close).
  log=$tmp/el-reset-bare.txt
  start_bare "$log" echo-loop-bare-server 127.0.0.1 0
  python3 -c "${reset/PORT/$PORT}"
  status=0
  wait "$PID" || status=$?
  { echo '$ cargo run -p echo-loop --example echo-loop-bare-server'; mask "$log" 9999
    echo '$ echo $?'; echo "$status"; } >"$new/echo-loop-reset-bare.txt"
  log=$tmp/el-reset.txt
  start_server "$log"
  python3 -c "${reset/PORT/$PORT}"
  wait_for "$log" 'lost'
  "$bin/client" --port "$PORT" still here >/dev/null 2>&1
  wait_for "$log" 'closed the connection after'
  stop_server
  { echo '$ cargo run -p echo-loop --bin server'; mask "$log" 9999; } >"$new/echo-loop-reset-server.txt"
  echo "\$ python3 -c '${reset/PORT/9999}'" >"$new/echo-loop-reset-command.txt"

  # 2c. A port in use: the bare server's error, then the full one's.
  start_server "$tmp/el-busy.txt"
  status=0
  "$bin/examples/echo-loop-bare-server" 127.0.0.1 "$PORT" >"$tmp/el-in-use-bare.txt" 2>&1 || status=$?
  "$bin/server" --port "$PORT" >"$tmp/el-in-use.txt" 2>&1 || true
  stop_server
  { echo '$ cargo run -p echo-loop --example echo-loop-bare-server'; mask "$tmp/el-in-use-bare.txt" 9999
    echo '$ echo $?'; echo "$status"; } >"$new/echo-loop-in-use-bare.txt"
  { echo '$ cargo run -p echo-loop --bin server'; mask "$tmp/el-in-use.txt" 9999; } >"$new/echo-loop-in-use.txt"

  # 3. Run it. Client 1 sends a line; client 2 connects while client 1 is
  # still connected, and waits; client 1 sends a second line and ends its
  # input; only then is client 2 served. Then Ctrl-C.
  log=$tmp/server.txt
  : >"$tmp/client2.txt"
  start_server "$log"
  { say 'first line'
    wait_for "$tmp/client2.txt" 'connected to'
    say 'second line'
  } | "$bin/client" --port "$PORT" >"$tmp/client1.txt" 2>&1 &
  c1=$!
  wait_for "$log" '"first line\n"'
  "$bin/client" --port "$PORT" 안녕 세상 >"$tmp/client2.txt" 2>&1 &
  c2=$!
  wait "$c1"
  wait "$c2"
  wait_for "$log" 'closed the connection after' 2
  cut=$(lines "$log")
  stop_server
  { echo '$ cargo run -p echo-loop --bin server'; mask "$log" 9999 | sed -n "1,${cut}p"
    echo '^C'; mask "$log" 9999 | sed -n "$((cut + 1)),\$p"; } >"$new/echo-loop-server.txt"
  { echo '$ cargo run -p echo-loop --bin client'; mask "$tmp/client1.txt" 9999; } >"$new/echo-loop-client.txt"
  { echo '$ cargo run -p echo-loop --bin client -- 안녕 세상'; mask "$tmp/client2.txt" 9999; } \
    >"$new/echo-loop-client-2.txt"

  # 4a. Tutorial 003's server and 400 Korean syllables (1200 bytes): its
  # recv(1024) ends inside a character, and decode() raises.
  : >"$tmp/el-py-server.txt"
  python3 "$peers/tutorial003_server.py" 0 >"$tmp/el-py-server.txt" 2>&1 &
  PID=$!
  wait_for "$tmp/el-py-server.txt" '서버 실행'
  PORT=$(sed -n 's/^서버 실행 \([0-9]*\)$/\1/p' "$tmp/el-py-server.txt")
  "$bin/client" --port "$PORT" "$(printf '가%.0s' $(seq 400))" >"$tmp/el-py-client.txt" 2>&1 || true
  wait "$PID" || true
  { echo "\$ python3 $peers/tutorial003_server.py 9999"
    mask "$tmp/el-py-server.txt" 9999 | py_traceback | sed "s/^서버 실행 $PORT\$/서버 실행 9999/"
  } >"$new/echo-loop-tutorial-003-server.txt"
  { echo "\$ cargo run -p echo-loop --bin client -- \"\$(printf '가%.0s' \$(seq 400))\""
    mask "$tmp/el-py-client.txt" 9999; } >"$new/echo-loop-tutorial-003-client.txt"

  # 4b. Tutorial 004's "echo" server with tutorial 004's client. Its port
  # is shown as the tutorial's 8888, the client's as 50000.
  port=$(free_port)
  env --default-signal=INT python3 "$peers/tutorial004_soc2_server.py" "$port" >"$tmp/el-004-server.txt" 2>&1 &
  PID=$!
  echo_loop_in_accept "$PID"
  python3 "$peers/tutorial004_soc2_client.py" "$port" >"$tmp/el-004-client.txt" 2>&1
  wait_for "$tmp/el-004-server.txt" 'from client message'
  echo_loop_in_accept "$PID"
  # 4e. Where it listens, and where ours does.
  echo_loop_ss "$port" >"$tmp/el-ss-004.txt"
  # 4d. A second copy of it cannot bind() the port: NameError hides why.
  python3 "$peers/tutorial004_soc2_server.py" "$port" >"$tmp/el-004-bind.txt" 2>&1 || true
  kill -INT "$PID"
  wait "$PID" || true
  c1=$(sed -n 's/^client info:  127\.0\.0\.1 \([0-9]*\)$/\1/p' "$tmp/el-004-server.txt")
  { echo "\$ python3 $peers/tutorial004_soc2_server.py 8888"
    sed -n '/^Traceback/q;p' "$tmp/el-004-server.txt"; } | perl -pe "s/(?<!\\d)$c1(?!\\d)/50000/g" \
    >"$new/echo-loop-tutorial-004-server.txt"
  { echo "\$ python3 $peers/tutorial004_soc2_client.py 8888"; cat "$tmp/el-004-client.txt"; } |
    perl -pe "s/(?<!\\d)$c1(?!\\d)/50000/g" >"$new/echo-loop-tutorial-004-client.txt"
  { echo "\$ python3 $peers/tutorial004_soc2_server.py 8888"; py_traceback <"$tmp/el-004-bind.txt"; } \
    >"$new/echo-loop-tutorial-004-bind.txt"
  start_server "$tmp/el-ss.txt"
  echo_loop_ss "$PORT" >"$tmp/el-ss-ours.txt"
  stop_server
  { echo "\$ ss -ltn 'sport = :8888'"; sed "s/:$port\b/:8888/" "$tmp/el-ss-004.txt"
    echo "\$ ss -ltn 'sport = :9999'"; sed "s/:$PORT\b/:9999/" "$tmp/el-ss-ours.txt"
  } >"$new/echo-loop-listen-where.txt"

  # 4c. Ctrl-C before any client came: NameError.
  port=$(free_port)
  env --default-signal=INT python3 "$peers/tutorial004_soc2_server.py" "$port" >"$tmp/el-004-cc.txt" 2>&1 &
  PID=$!
  echo_loop_in_accept "$PID"
  kill -INT "$PID"
  wait "$PID" || true
  { echo "\$ python3 $peers/tutorial004_soc2_server.py 8888"; sed -n 1p "$tmp/el-004-cc.txt"; echo '^C'
    sed 1d "$tmp/el-004-cc.txt" | py_traceback; } >"$new/echo-loop-tutorial-004-ctrl-c.txt"

  # 5. Pitfalls (the port in use is 2c's).
  PORT=$(free_port)
  "$bin/client" --port "$PORT" hi >"$tmp/el-refused.txt" 2>&1 || true
  { echo '$ cargo run -p echo-loop --bin client -- hi'; mask "$tmp/el-refused.txt" 9999; } >"$new/echo-loop-refused.txt"
}
