#!/usr/bin/env bash
# Regenerates the "What you will see" files in docs/src/output/ from real runs
# of the lessons, so the book never shows output typed by hand.
#
#   scripts/book-output.sh          # rewrite the files
#   scripts/book-output.sh --check  # fail if the committed files differ
#
# Each lesson runs on --port 0; the real ports are then masked: the server's
# port becomes the lesson's default and a client's port becomes 50000, so the
# files stay the same from run to run and match what a student sees.
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/src/output
check=0
[ "${1:-}" = "--check" ] && check=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

build() { cargo build -q -p "$1" --bins; }

# start_server LESSON FILE ARGS... : starts target/debug/server, sets PID and PORT.
start_server() {
  local file=$2
  shift 2
  target/debug/server --port 0 "$@" 2>"$file" &
  PID=$!
  for _ in $(seq 1 200); do
    PORT=$(sed -n 's/.*listening on [^ ]*:\([0-9]*\).*/\1/p' "$file" | head -n1)
    [ -n "$PORT" ] && return 0
    sleep 0.05
  done
  echo "book-output: the server did not start" >&2
  exit 1
}

stop_server() {
  kill -INT "$PID" 2>/dev/null || true
  wait "$PID" || true
}

# mask FILE DEFAULT_PORT: fixed ports instead of the random ones.
mask() {
  sed -E -e "s/:$PORT\b/:@SERVER@/g" -e 's/(127\.0\.0\.1|\[::1\]):[0-9]{4,5}\b/\1:50000/g' \
    -e "s/:@SERVER@/:$2/g" "$1"
}

oneshot() {
  build oneshot
  start_server oneshot "$tmp/server.txt"
  target/debug/client --port "$PORT" >"$tmp/stdout.txt" 2>"$tmp/client.txt"
  wait "$PID"
  { echo '$ cargo run -p oneshot --bin server'; mask "$tmp/server.txt" 7001; } >"$tmp/oneshot-server.txt"
  { echo '$ cargo run -p oneshot --bin client'; mask "$tmp/client.txt" 7001; cat "$tmp/stdout.txt"; echo; } >"$tmp/oneshot-client.txt"
}

echo_loop() {
  build echo-loop
  start_server echo-loop "$tmp/server.txt"
  target/debug/client --port "$PORT" 안녕 세상 >"$tmp/stdout.txt" 2>"$tmp/client.txt"
  printf 'first line\nsecond line\n' | target/debug/client --port "$PORT" >>"$tmp/stdout2.txt" 2>"$tmp/client2.txt"
  stop_server
  { echo '$ cargo run -p echo-loop --bin server'; mask "$tmp/server.txt" 9999; } >"$tmp/echo-loop-server.txt"
  { echo '$ cargo run -p echo-loop --bin client -- 안녕 세상'; mask "$tmp/client.txt" 9999; cat "$tmp/stdout.txt";
    echo "\$ printf 'first line\\nsecond line\\n' | cargo run -p echo-loop --bin client"; mask "$tmp/client2.txt" 9999; cat "$tmp/stdout2.txt"; } >"$tmp/echo-loop-client.txt"
}

oneshot
echo_loop

mkdir -p "$out"
status=0
for f in "$tmp"/*-server.txt "$tmp"/*-client.txt; do
  name=$(basename "$f")
  if [ $check = 1 ]; then
    if ! diff -u "$out/$name" "$f"; then
      echo "book-output: $out/$name is out of date: run scripts/book-output.sh" >&2
      status=1
    fi
  else
    cp "$f" "$out/$name"
  fi
done
[ $check = 1 ] && [ $status = 0 ] && echo "book-output: every output file matches a fresh run"
exit $status
