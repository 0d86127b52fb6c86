# The concepts section of scripts/book-output.sh: writes $new/concepts-*.txt,
# the output shown in the concept pages (docs/src/concepts/) and in the
# appendix "Python and Rust, call by call". Sourced by book-output.sh, which
# then calls concepts.

concepts() {
  # The book shows the English hints: in a Korean locale the lessons write
  # theirs in Korean. (local -x: for the runs of this section only.)
  local -x LC_ALL=C.UTF-8
  concepts_split
  concepts_decode
  concepts_python_signal
}

# bytes-and-text.md: recv() counts bytes. The echo-loop server with a 4-byte
# buffer gets "안녕\n" (7 bytes) in two pieces, cut inside a character; the
# log shows the pieces lossily, the echo is exact.
concepts_split() {
  local log=$tmp/concepts-split-server.txt client=$tmp/concepts-split-client.txt upto
  build echo-loop
  start_server "$log" --buffer 4
  # The client ends once the server has closed, and the server logs before
  # it closes: so the server's log for this client is complete now.
  "$bin/client" --port "$PORT" 안녕 >"$client" 2>&1
  upto=$(lines "$log")
  stop_server
  { echo '$ cargo run -p echo-loop --bin server -- --buffer 4'
    mask "$log" 9999 | sed -n "1,${upto}p"; } >"$new/concepts-split-server.txt"
  { echo '$ cargo run -p echo-loop --bin client -- 안녕'
    mask "$client" 9999; } >"$new/concepts-split-client.txt"
}

# bytes-and-text.md: Python's decode() on the first of those pieces.
concepts_decode() {
  local file=$new/concepts-decode.txt
  # shellcheck disable=SC2016 # the $ is the prompt, not an expansion
  printf '%s\n' '$ python3 -c '\''print(b"\xec\x95\x88\xeb".decode())'\''' >"$file"
  python3 -c 'print(b"\xec\x95\x88\xeb".decode())' >>"$file" 2>&1 || true
}

# python-rust.md: a Python signal handler runs in the main thread, and a
# blocked accept() there is interrupted for it. If the handler raises (as
# sys.exit() does), accept() ends with that exception, which is how tutorial
# 001's server stops on Ctrl-C. If it returns, Python simply calls accept()
# again (PEP 475): the server goes on waiting. The programs are written to a
# file and shown with cat, so the book shows exactly what ran.
concepts_python_signal() {
  local file=$new/concepts-python-signal.txt prog out pid port variant status
  for variant in raises returns; do
    prog=$tmp/handler_$variant.py
    out=$tmp/concepts-signal-$variant.txt
    if [ $variant = raises ]; then
      cat >"$prog" <<'PY'
import signal, socket, sys

def on_ctrl_c(signum, frame):
    print("handler: Ctrl-C, raising SystemExit")
    sys.exit(0)  # raises SystemExit, here, in the main thread

signal.signal(signal.SIGINT, on_ctrl_c)
listener = socket.create_server(("127.0.0.1", 0))
print("waiting in accept() on port", listener.getsockname()[1])
listener.accept()
print("accept() returned")
PY
    else
      cat >"$prog" <<'PY'
import signal, socket

def on_ctrl_c(signum, frame):
    print("handler: Ctrl-C, returning")

signal.signal(signal.SIGINT, on_ctrl_c)
listener = socket.create_server(("127.0.0.1", 0))
print("waiting in accept() on port", listener.getsockname()[1])
listener.accept()
print("accept() returned")
PY
    fi
    : >"$out"
    python3 -u "$prog" >"$out" 2>&1 &
    pid=$!
    wait_for "$out" 'waiting in accept()'
    port=$(sed -n 's/.*on port \([0-9]*\)$/\1/p' "$out")
    kill -INT "$pid"
    wait_for "$out" 'handler: Ctrl-C'
    if [ $variant = returns ]; then
      # Still in accept(): a client that connects now is accepted.
      python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])))' "$port"
    fi
    status=0
    wait "$pid" || status=$?
    { printf '$ cat handler_%s.py\n' $variant
      cat "$prog"
      printf '$ python3 handler_%s.py      # press Ctrl-C while it waits%s\n' $variant \
        "$([ $variant = returns ] && echo ', then connect a client')"
      sed "s/on port $port\$/on port 9999/" "$out"
      printf '$ echo $?\n%s\n' "$status"; } >>"$file"
  done
}
