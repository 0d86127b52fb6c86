# The bench section of scripts/book-output.sh: writes $new/bench-*.txt, the
# two loadgen messages the bench chapter's pitfalls show. (The figures
# themselves come from scripts/bench.sh, which takes minutes.)
#
# 1. threaded-echo with --max-clients 2, two clients that connect and stay,
#    then loadgen with 4 clients of one round trip each: all 4 are told the
#    server is busy. (With the places free, how many are turned away depends
#    on timing: a turned-away client tries again, and the two served ones may
#    or may not be done by then. Holding both places makes the count fixed.)
#    Only the count line of the "short reply" kind is kept, with the client
#    number masked (client N).
# 2. loadgen with nothing listening: the error and the hint.

bench() {
  build threaded-echo
  build loadgen
  local log=$tmp/bench-server.txt out=$tmp/bench-busy.txt status=0
  start_server "$log" --max-clients 2
  # Two clients take both places and stay (bash opens them; the server logs
  # each before the next accept, so the count is 2 once both lines are there).
  exec 3<>"/dev/tcp/127.0.0.1/$PORT" 4<>"/dev/tcp/127.0.0.1/$PORT"
  wait_for "$log" "connected (2 of at most 2 clients)"
  "$bin/loadgen" --mode line --port "$PORT" --clients 4 --count 1 >"$out" 2>&1 || true
  exec 3>&- 4>&-
  stop_server
  { echo '$ cargo run -p threaded-echo --bin server -- --max-clients 2   # terminal 1'
    echo '$ cargo run -p threaded-echo --bin client                     # terminals 2 and 3: two clients that stay'
    echo '$ cargo run --release -p loadgen -- --mode line --clients 4 --count 1   # terminal 4'
    echo '...'
    grep -E '^ +short reply ' "$out" | sed -E 's/client [0-9]+/client N/' | mask /dev/stdin 3333
  } >"$new/bench-busy.txt"
  if ! grep -qE '^ +short reply +4 ' "$new/bench-busy.txt"; then
    cat "$out" >&2
    echo "book-output: loadgen did not report 4 short replies against two held places" >&2
    exit 1
  fi

  PORT=$(free_port)
  "$bin/loadgen" --port "$PORT" >"$tmp/bench-refused.txt" 2>&1 || status=$?
  { echo '$ cargo run --release -p loadgen'
    mask "$tmp/bench-refused.txt" 9999
    echo '$ echo $?'; echo "$status"; } >"$new/bench-refused.txt"
}
