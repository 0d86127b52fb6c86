# The udp-echo section of scripts/book-output.sh: writes $new/udp-echo-*.txt.
# Sourced by book-output.sh, which then calls udp_echo.

# Three runs: a normal one with three clients (ours with arguments, ours
# reading standard input, the tutorial's Python client); one with
# --drop-every 2; and a client alone, on the port the server has just left.
udp_echo() {
  build udp-echo
  local log=$tmp/udp-server.txt status=0
  start_server "$log"
  "$bin/client" --port "$PORT" hello 안녕 >"$tmp/udp-client.txt" 2>&1
  printf 'typed line\n' | "$bin/client" --port "$PORT" -q >"$tmp/udp-typed.txt" 2>&1
  timeout 10 python3 crates/udp-echo/tests/peers/udp_client.py "$PORT" >"$tmp/udp-python.txt"
  wait_for "$log" 'bytes back' 4
  stop_server
  { echo '$ cargo run -p udp-echo --bin server'; mask "$log" 7001; } >"$new/udp-echo-server.txt"
  { echo '$ cargo run -p udp-echo --bin client -- hello 안녕'; mask "$tmp/udp-client.txt" 7001
    echo "\$ printf 'typed line\\n' | cargo run -p udp-echo --bin client -- -q"; mask "$tmp/udp-typed.txt" 7001
    echo '$ python3 crates/udp-echo/tests/peers/udp_client.py 7001'; mask "$tmp/udp-python.txt" 7001
  } >"$new/udp-echo-client.txt"

  log=$tmp/udp-drop-server.txt
  start_server "$log" --drop-every 2
  "$bin/client" --port "$PORT" one two three >"$tmp/udp-drop-client.txt" 2>&1
  wait_for "$log" 'bytes back' 3
  stop_server
  { echo '$ cargo run -p udp-echo --bin server -- --drop-every 2'; mask "$log" 7001; } >"$new/udp-echo-drop-server.txt"
  { echo '$ cargo run -p udp-echo --bin client -- one two three'; mask "$tmp/udp-drop-client.txt" 7001; } \
    >"$new/udp-echo-drop-client.txt"

  "$bin/client" --port "$PORT" hi >"$tmp/udp-alone.txt" 2>&1 || status=$?
  { echo '$ cargo run -p udp-echo --bin client -- hi'; mask "$tmp/udp-alone.txt" 7001
    echo '$ echo $?'; echo "$status"; } >"$new/udp-echo-no-server.txt"
}
