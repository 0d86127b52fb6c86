# The threaded-echo section of scripts/book-output.sh: writes $new/threaded-echo-*.txt.
# Sourced by book-output.sh, which then calls threaded_echo.

# Two clients at once. Client 1 sends three lines, the last one /end.
# Client 2 sends one line and stays connected until the server stops.
# Each line is sent only after the server has logged the step before it, so
# the server's log has the same order in every run. The clients' standard
# output and standard error go to one file, in the order a terminal shows.
threaded_echo() {
  build threaded-echo
  local log=$tmp/te-server.txt first second
  start_server "$log"
  { say hello
    wait_for "$log" 'connected (2 of'
    say 안녕하세요
    wait_for "$log" 'I am here too'
    say /end
  } | "$bin/client" --port "$PORT" >"$tmp/te-client1.txt" 2>&1 &
  first=$!
  wait_for "$log" '"hello\n"'
  { wait_for "$log" '안녕하세요'
    say 'I am here too'
    wait_for "$log" 'server stopped' # keeps the input open until then
  } | "$bin/client" --port "$PORT" >"$tmp/te-client2.txt" 2>&1 &
  second=$!
  wait "$first"
  wait_for "$log" 'sent /end'
  stop_server
  wait "$second"
  { echo '$ cargo run -p threaded-echo --bin server'; mask "$log" 3333; } >"$new/threaded-echo-server.txt"
  { echo "\$ printf 'hello\\n안녕하세요\\n/end\\n' | cargo run -p threaded-echo --bin client"
    mask "$tmp/te-client1.txt" 3333; } >"$new/threaded-echo-client-1.txt"
  { echo '$ cargo run -p threaded-echo --bin client'; mask "$tmp/te-client2.txt" 3333; } >"$new/threaded-echo-client-2.txt"
}
