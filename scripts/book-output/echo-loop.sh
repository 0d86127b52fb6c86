# The echo-loop section of scripts/book-output.sh: writes $new/echo-loop-*.txt.
# Sourced by book-output.sh, which then calls echo_loop.

echo_loop() {
  build echo-loop
  start_server "$tmp/server.txt"
  "$bin/client" --port "$PORT" 안녕 세상 >"$tmp/stdout.txt" 2>"$tmp/client.txt"
  printf 'first line\nsecond line\n' | "$bin/client" --port "$PORT" >>"$tmp/stdout2.txt" 2>"$tmp/client2.txt"
  stop_server
  { echo '$ cargo run -p echo-loop --bin server'; mask "$tmp/server.txt" 9999; } >"$new/echo-loop-server.txt"
  { echo '$ cargo run -p echo-loop --bin client -- 안녕 세상'; mask "$tmp/client.txt" 9999; cat "$tmp/stdout.txt";
    echo "\$ printf 'first line\\nsecond line\\n' | cargo run -p echo-loop --bin client"; mask "$tmp/client2.txt" 9999; cat "$tmp/stdout2.txt"; } >"$new/echo-loop-client.txt"
}
