# The periodic-hello section of scripts/book-output.sh: writes $new/periodic-hello-*.txt.
# Sourced by book-output.sh, which then calls periodic_hello.

# One server, three clients, one after the other. The server sends each
# client one hello, at once (--interval 10s: no run lasts 10 s); the clients
# send one every second. So each count below is fixed: a Ctrl-C comes right
# after the hello it waits for, a second before the next one is due.
# The server's log is cut in four parts, one for each step.
periodic_hello() {
  build periodic-hello
  local log=$tmp/ph-server.txt client cut1 cut2 cut3
  start_server "$log" --interval 10s
  wait_for "$log" 'waiting for a client'
  cut1=$(lines "$log")

  # 1. A client until Ctrl-C, after the server got its third hello.
  "$bin/client" --port "$PORT" >"$tmp/ph-client1.txt" 2>&1 &
  client=$!
  wait_for "$log" '"hello server\n"' 3 "$cut1"
  kill -INT "$client"
  wait "$client"
  wait_for "$log" 'waiting for a client' 1 $((cut1 + 1))
  cut2=$(lines "$log")

  # 2. A client with --count 3: it leaves by itself.
  "$bin/client" --port "$PORT" --count 3 >"$tmp/ph-client2.txt" 2>&1
  wait_for "$log" 'waiting for a client' 1 $((cut2 + 1))
  cut3=$(lines "$log")

  # 3. Ctrl-C on the server, after it got the client's second hello.
  "$bin/client" --port "$PORT" >"$tmp/ph-client3.txt" 2>&1 &
  client=$!
  wait_for "$log" '"hello server\n"' 2 "$cut3"
  wait_for "$tmp/ph-client3.txt" 'hello client'
  stop_server
  wait "$client"

  { echo '$ cargo run -p periodic-hello --bin server -- --interval 10s'
    mask "$log" 12345 | sed -n "1,${cut1}p"; } >"$new/periodic-hello-server.txt"
  mask "$log" 12345 | sed -n "$((cut1 + 1)),${cut2}p" | sending_first >"$new/periodic-hello-server-1.txt"
  mask "$log" 12345 | sed -n "$((cut2 + 1)),${cut3}p" | sending_first >"$new/periodic-hello-server-2.txt"
  mask "$log" 12345 | sed -n "$((cut3 + 1)),\$p" | sending_first >"$new/periodic-hello-server-3.txt"
  { echo '$ cargo run -p periodic-hello --bin client'; mask "$tmp/ph-client1.txt" 12345 | sending_first; } >"$new/periodic-hello-client-1.txt"
  { echo '$ cargo run -p periodic-hello --bin client -- --count 3'; mask "$tmp/ph-client2.txt" 12345 | sending_first; } >"$new/periodic-hello-client-2.txt"
  { echo '$ cargo run -p periodic-hello --bin client'; mask "$tmp/ph-client3.txt" 12345 | sending_first; } >"$new/periodic-hello-client-3.txt"
}
