# The bench section of scripts/book-output.sh: writes $new/bench-*.txt, the
# two loadgen messages the bench chapter's pitfalls show. (The figures
# themselves come from scripts/bench.sh, which takes minutes.)
#
# 1. threaded-echo with --max-clients 2 and loadgen with 4 clients: two are
#    told the server is busy. Which two varies from run to run, so only the
#    count line of the "short reply" kind is kept, with the client number
#    masked (client N).
# 2. loadgen with nothing listening: the error and the hint.

bench() {
  build threaded-echo
  build loadgen
  local log=$tmp/bench-server.txt out=$tmp/bench-busy.txt status=0
  start_server "$log" --max-clients 2
  "$bin/loadgen" --mode line --port "$PORT" --clients 4 --count 10 >"$out" 2>&1 || true
  stop_server
  { echo '$ cargo run -p threaded-echo --bin server -- --max-clients 2   # terminal 1'
    echo '$ cargo run --release -p loadgen -- --mode line --clients 4 --count 10   # terminal 2'
    echo '...'
    grep -E '^ +short reply ' "$out" | sed -E 's/client [0-9]+/client N/' | mask /dev/stdin 3333
  } >"$new/bench-busy.txt"
  if ! grep -q 'short reply' "$new/bench-busy.txt"; then
    cat "$out" >&2
    echo "book-output: loadgen reported no short reply against --max-clients 2" >&2
    exit 1
  fi

  PORT=$(free_port)
  "$bin/loadgen" --port "$PORT" >"$tmp/bench-refused.txt" 2>&1 || status=$?
  { echo '$ cargo run --release -p loadgen'
    mask "$tmp/bench-refused.txt" 9999
    echo '$ echo $?'; echo "$status"; } >"$new/bench-refused.txt"
}
