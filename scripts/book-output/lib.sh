# Helpers for scripts/book-output.sh and the sections in this folder.
# Sourced, not run: it uses $bin, $tmp and $new from book-output.sh.

build() { cargo build -q -p "$1" --bins --examples; }

# start_server FILE ARGS...: starts $bin/server, its log in FILE; sets PID and PORT.
start_server() {
  local file=$1
  shift
  : >"$file" # exists before the server writes to it: sed below reads it at once
  "$bin/server" --port 0 "$@" 2>"$file" &
  PID=$!
  wait_port "$file"
}

# wait_port FILE: waits (at most 10 s) for `listening on ADDR` in FILE and
# sets PORT to ADDR's port.
wait_port() {
  for _ in $(seq 1 200); do
    PORT=$(sed -n 's/.*listening on [^ ]*:\([0-9]*\).*/\1/p' "$1" | head -n1)
    [ -n "$PORT" ] && return 0
    sleep 0.05
  done
  echo "book-output: $1: the server did not start" >&2
  exit 1
}

stop_server() {
  kill -INT "$PID" 2>/dev/null || true
  wait "$PID" || true
}

# wait_for FILE TEXT [COUNT [FROM]]: waits until TEXT occurs COUNT times (1)
# in FILE, counting from line FROM (1) on. Gives up after 10 seconds.
wait_for() {
  local file=$1 text=$2 count=${3:-1} from=${4:-1} seen
  for _ in $(seq 1 200); do
    seen=$(tail -n +"$from" "$file" | grep -cF -- "$text" || true)
    [ "$seen" -ge "$count" ] && return 0
    sleep 0.05
  done
  echo "book-output: waited in vain for \"$text\" in $file" >&2
  exit 1
}

# lines FILE: how many lines FILE has so far.
lines() { wc -l <"$1" | tr -d ' '; }

# say LINE: one line of input for a client.
say() { printf '%s\n' "$1"; }

# mask FILE DEFAULT_PORT: fixed ports instead of the random ones (see the top).
mask() {
  perl -pe '
    BEGIN { ($server, $default) = (shift, shift) }
    sub port {
      my $p = shift;
      return $default if $p == $server;
      $client{$p} = 50000 + keys %client unless exists $client{$p};
      return $client{$p};
    }
    s/(127\.0\.0\.1|\[::1\]):(\d+)\b/"$1:" . port($2)/ge;
    s/(\x27127\.0\.0\.1\x27, )(\d+)\)/$1 . port($2) . ")"/ge;  # Python: (\x27127.0.0.1\x27, 7001)
    s/ -- --port $server\b//g;  # a hint repeats a port that is not the default
  ' "$PORT" "$2" "$1"
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on (the system
# just handed it out, and it was closed again).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_bare FILE EXAMPLE ARGS...: starts the bare example EXAMPLE (a file in
# $bin/examples) with ARGS, its output in FILE, and waits for its
# "listening on ADDR" line; sets PID and PORT. A script's background job
# ignores Ctrl-C (SIGINT), and a bare server installs no handler of its own,
# so `env --default-signal` gives it back the default: to die.
start_bare() {
  local file=$1 example=$2
  shift 2
  : >"$file"
  env --default-signal=INT "$bin/examples/$example" "$@" >"$file" 2>&1 &
  PID=$!
  wait_port "$file"
}

# py_traceback: a Python traceback as on any machine: file names without
# their folders, no ^^^^ marker lines (Python 3.11 and later print them).
py_traceback() { sed -E -e 's|File "[^"]*/([^/"]+)"|File "\1"|' -e '/^ *[~^]+ *$/d'; }
