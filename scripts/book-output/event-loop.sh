# The event-loop section of scripts/book-output.sh: writes $new/event-loop-*.txt.
# Sourced by book-output.sh, which then calls event_loop.
#
# Every server here runs with an open-file limit of 1024 (soft) and 4096
# (hard), so that its first log line is the same on every machine: the
# server raises the soft limit to the hard one and says so. (Run by hand,
# the numbers are your shell's own: `ulimit -Sn` and `ulimit -Hn`.)
#
# Timings are never shown: the load mode's seconds and round trips per
# second are replaced by "?", because they change from run to run.

# el_start FILE CMD...: starts CMD (a server) with its standard error in
# FILE, under the limits above; sets PID and PORT from its listening line.
el_start() {
  local file=$1
  shift
  : >"$file"
  (ulimit -Sn 1024 && ulimit -Hn 4096 && exec "$@" 2>"$file") &
  PID=$!
  wait_port "$file"
}

# el_ctrlc_client FILE: in the background, nc connects to $PORT, sends
# nothing, and ends when the server's side closes; FILE gets its exit
# status (124 if it was still connected after 10 s).
el_ctrlc_client() {
  (status=0; timeout 10 nc -d 127.0.0.1 "$PORT" || status=$?; echo "exit status $status") >"$1" 2>&1 &
}

# el_times: the load mode's summary line, with its timings replaced.
el_times() { sed -E 's/in [0-9.]+ s \([0-9]+\/s\)/in ? s (?\/s)/'; }

event_loop() {
  cargo build -q -p event-loop --bins --examples
  local bare=$bin/examples/event-loop-bare-server bare_client=$bin/examples/event-loop-bare-client
  local hog=crates/event-loop/tests/peers/hog.py log=$tmp/el-server.txt first status

  # ---- Step 1: the bare pair, two clients at once --------------------------
  el_start "$log" env --default-signal=INT "$bare" 127.0.0.1 0
  { say hello
    wait_for "$log" 'closed the connection' # the second client has left
    say /end
  } | "$bare_client" 127.0.0.1 "$PORT" >"$tmp/el-bare-1.txt" 2>&1 &
  first=$!
  wait_for "$log" 'connected' # the first client comes first (ports are masked in that order)
  printf '안녕\nsecond client\n' | "$bare_client" 127.0.0.1 "$PORT" >"$tmp/el-bare-2.txt" 2>&1
  wait "$first"
  wait_for "$log" 'closed the connection' 2
  { echo '$ cargo run -p event-loop --example event-loop-bare-server'; mask "$log" 3334; } >"$new/event-loop-bare-server.txt"
  { echo '$ cargo run -p event-loop --example event-loop-bare-client      # typed: hello, then /end later'
    mask "$tmp/el-bare-1.txt" 3334
    echo "\$ printf '안녕\\nsecond client\\n' | cargo run -p event-loop --example event-loop-bare-client"
    mask "$tmp/el-bare-2.txt" 3334; } >"$new/event-loop-bare-clients.txt"

  # ---- Step 2: what the bare server gets wrong, one command each -----------
  # A client that sends and never reads.
  { echo "\$ python3 $hog"; python3 "$hog" "$PORT"; } >"$new/event-loop-hog-bare.txt"
  wait_for "$log" 'Resource temporarily unavailable'
  { echo '$ cargo run -p event-loop --example event-loop-bare-server'
    mask "$log" 3334 | grep -F 'Resource temporarily unavailable'; } >"$new/event-loop-hog-bare-server.txt"
  # /end, and a line after it.
  { echo "\$ printf 'hi\\n/end\\nstill here\\n' | nc -N 127.0.0.1 3334"
    printf 'hi\n/end\nstill here\n' | nc -N 127.0.0.1 "$PORT"; } >"$new/event-loop-end-bare.txt"
  # A client that never says anything.
  { echo '$ timeout 3 nc -d 127.0.0.1 3334; echo "exit status $?"'
    status=0; timeout 3 nc -d 127.0.0.1 "$PORT" || status=$?; echo "exit status $status"; } >"$new/event-loop-idle-bare.txt"
  # Ctrl-C with a client connected (nc -d: it sends nothing and ends when
  # the server's side closes). A script's background jobs ignore SIGINT, so
  # el_start put back the default handling (the end of the process) with
  # env --default-signal. The server's terminal shows its first line, then
  # only what came after this client connected.
  local from client
  from=$(($(lines "$log") + 1))
  el_ctrlc_client "$tmp/el-ctrlc-bare-client.txt"
  client=$!
  wait_for "$log" 'connected' 1 "$from"
  kill -INT "$PID"
  status=0
  wait "$PID" || status=$?
  wait "$client"
  { head -n1 "$log"; tail -n +"$from" "$log"; } >"$tmp/el-ctrlc-bare.txt"
  { echo '$ target/debug/examples/event-loop-bare-server; echo "exit status $?"      # then Ctrl-C'
    mask "$tmp/el-ctrlc-bare.txt" 3334; echo '^C'; echo "exit status $status"; } >"$new/event-loop-ctrlc-bare.txt"
  { echo '$ nc -d 127.0.0.1 3334; echo "exit status $?"'; cat "$tmp/el-ctrlc-bare-client.txt"; } >"$new/event-loop-ctrlc-bare-client.txt"
  # ---- Step 2: the same three against the lesson's server -------------------
  el_start "$log" "$bin/server" --port 0
  { echo "\$ python3 $hog"; python3 "$hog" "$PORT"; } >"$new/event-loop-hog.txt"
  { echo "\$ printf 'hi\\n/end\\nstill here\\n' | nc -N 127.0.0.1 3334"
    printf 'hi\n/end\nstill here\n' | nc -N 127.0.0.1 "$PORT"; } >"$new/event-loop-end.txt"
  stop_server
  el_start "$log" "$bin/server" --port 0 --idle-timeout 2s
  { echo '$ timeout 3 nc -d 127.0.0.1 3334; echo "exit status $?"      # server: --idle-timeout 2s'
    status=0; timeout 3 nc -d 127.0.0.1 "$PORT" || status=$?; echo "exit status $status"; } >"$new/event-loop-idle.txt"
  stop_server
  # Ctrl-C with a client connected, as for the bare server.
  el_start "$log" "$bin/server" --port 0
  el_ctrlc_client "$tmp/el-ctrlc-client.txt"
  client=$!
  wait_for "$log" 'connected (1 of'
  kill -INT "$PID"
  status=0
  wait "$PID" || status=$?
  wait "$client"
  { echo '$ cargo run -p event-loop --bin server'; mask "$log" 3334 | sed '/Ctrl-C or SIGTERM/i ^C'
    echo "exit status $status"; } >"$new/event-loop-ctrlc.txt"
  { echo '$ nc -d 127.0.0.1 3334; echo "exit status $?"'; cat "$tmp/el-ctrlc-client.txt"; } >"$new/event-loop-ctrlc-client.txt"
  : >"$log"
  (ulimit -n 20 && exec "$bin/server" --port 0 2>"$log") &
  PID=$!
  wait_port "$log"
  "$bin/client" --port "$PORT" --connections 40 --messages 2 -q >"$tmp/el-fd.txt" 2>&1
  stop_server
  { echo '$ cargo run -p event-loop --bin client -- --connections 40 --messages 2 -q'
    mask "$tmp/el-fd.txt" 3334 | el_times; } >"$new/event-loop-fd.txt"
  { echo '$ (ulimit -n 20; cargo run -p event-loop --bin server)'
    mask "$log" 3334 | grep -E 'open-file|listening on|accept\(\) failed|hint:' ; } >"$new/event-loop-fd-server.txt"

  # ---- Run it: the lesson's server, two interactive clients, the load mode -
  el_start "$log" "$bin/server" --port 0
  { say hello
    wait_for "$log" 'connected (2 of'
    say 안녕하세요
    wait_for "$log" 'I am here too'
    say /end
  } | "$bin/client" --port "$PORT" >"$tmp/el-client-1.txt" 2>&1 &
  first=$!
  wait_for "$log" '"hello\n"'
  { wait_for "$log" '안녕하세요'
    say 'I am here too'
    wait_for "$log" 'server stopped' # keeps the input open until then
  } | "$bin/client" --port "$PORT" >"$tmp/el-client-2.txt" 2>&1 &
  local second=$!
  wait "$first"
  wait_for "$log" 'sent /end'
  wait_for "$log" '1 client still connected'
  { echo "\$ grep Threads /proc/\$(pgrep -nx server)/status"; grep Threads "/proc/$PID/status"; } >"$new/event-loop-threads.txt"
  stop_server
  wait "$second"
  { echo '$ cargo run -p event-loop --bin server'; mask "$log" 3334; } >"$new/event-loop-server.txt"
  { echo "\$ printf 'hello\\n안녕하세요\\n/end\\n' | cargo run -p event-loop --bin client"
    mask "$tmp/el-client-1.txt" 3334; } >"$new/event-loop-client-1.txt"
  { echo '$ cargo run -p event-loop --bin client'; mask "$tmp/el-client-2.txt" 3334; } >"$new/event-loop-client-2.txt"

  # The load mode against a quiet server, and the server's threads meanwhile.
  el_start "$log" "$bin/server" --port 0 -q
  (ulimit -Sn 1024 && ulimit -Hn 4096 && exec "$bin/client" --port "$PORT" --connections 1000 --messages 10) >"$tmp/el-load.txt" 2>&1
  stop_server
  { echo '$ cargo run -p event-loop --bin client -- --connections 1000 --messages 10'
    mask "$tmp/el-load.txt" 3334 | el_times; } >"$new/event-loop-load.txt"

  # ---- Pitfalls -------------------------------------------------------------
  el_start "$log" "$bin/server" --port 0 --max-clients 1
  { say 'first'; wait_for "$log" 'turned away'; say /end; } | "$bin/client" --port "$PORT" >/dev/null 2>&1 &
  first=$!
  wait_for "$log" 'connected (1 of'
  printf 'hello\n' | "$bin/client" --port "$PORT" >"$tmp/el-busy.txt" 2>&1
  wait "$first"
  { echo "\$ printf 'hello\\n' | cargo run -p event-loop --bin client      # server: --max-clients 1, one client on"
    mask "$tmp/el-busy.txt" 3334; } >"$new/event-loop-busy.txt"
  (ulimit -Sn 1024 && ulimit -Hn 4096 && exec "$bin/server" --port "$PORT") >"$tmp/el-inuse.txt" 2>&1 || true
  { echo '$ cargo run -p event-loop --bin server      # a second time'; mask "$tmp/el-inuse.txt" 3334; } >"$new/event-loop-in-use.txt"
  stop_server
  "$bin/client" --port "$PORT" </dev/null >"$tmp/el-refused.txt" 2>&1 || true
  { echo '$ cargo run -p event-loop --bin client      # no server running'; mask "$tmp/el-refused.txt" 3334; } >"$new/event-loop-refused.txt"
}
