# The oneshot section of scripts/book-output.sh: writes $new/oneshot-*.txt.
# Sourced by book-output.sh, which then calls oneshot.

oneshot() {
  build oneshot
  start_server "$tmp/server.txt"
  "$bin/client" --port "$PORT" >"$tmp/stdout.txt" 2>"$tmp/client.txt"
  wait "$PID"
  { echo '$ cargo run -p oneshot --bin server'; mask "$tmp/server.txt" 7001; } >"$new/oneshot-server.txt"
  { echo '$ cargo run -p oneshot --bin client'; mask "$tmp/client.txt" 7001; cat "$tmp/stdout.txt"; echo; } >"$new/oneshot-client.txt"
}
