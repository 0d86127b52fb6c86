# The threaded-echo section of scripts/book-output.sh: writes $new/threaded-echo-*.txt.
# Sourced by book-output.sh, which then calls threaded_echo.
#
# Every run waits for a line in a log before its next step, so each file
# has the same lines in the same order every time. What still varies is
# named where it happens, and left out of the files.
#
# Two things about running programs from a script:
# - a program started with & in a script ignores Ctrl-C (SIGINT): bash does
#   that when job control is off. The Rust lesson server installs its own
#   handler, so it does not care; the bare server and the tutorial's Python
#   server would ignore `kill -INT`, so they run under
#   `env --default-signal=INT`, as they would in a terminal.
# - RUST_BACKTRACE would add a backtrace to the bare server's error; a
#   student's terminal does not have it set, so it is unset here.

te_peers=crates/threaded-echo/tests/peers
te_bare=$bin/examples/threaded-echo-bare-server
te_bare_client=$bin/examples/threaded-echo-bare-client

threaded_echo() {
  cargo build -q -p threaded-echo --bins --examples
  local -x LANG=C.UTF-8 PYTHONUTF8=1
  unset LC_ALL LC_MESSAGES RUST_BACKTRACE RUST_LIB_BACKTRACE
  te_step1
  te_silent
  te_long_line
  te_many
  te_ctrl_c
  te_run
  te_tutorial_shared
  te_tutorial_client
  te_tutorial_ctrl_c
  te_listen_queue
  te_pitfalls
}

# te_port: a free port from 20000 to 29999. The servers of this section
# listen there rather than on --port 0: a port that the system hands out
# (32768 and up) may have just been handed to a test running at the same
# time on this machine, and let go, and that test may still connect to it.
te_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 10000))
    grep -q "$(printf ':%04X 00000000:0000 0A' "$port")" /proc/net/tcp /proc/net/tcp6 || break
  done
  echo "$port"
}

# te_start_server FILE ARGS...: the lesson's server on a free port (te_port),
# its log in FILE; sets PID and PORT.
te_start_server() {
  local file=$1
  shift
  PORT=$(te_port)
  : >"$file"
  "$bin/server" --port "$PORT" "$@" 2>"$file" &
  PID=$!
  wait_for "$file" 'listening on'
}

# te_start_bare FILE: the bare server on a free port, its output in FILE; sets PID and PORT.
te_start_bare() {
  PORT=$(te_port)
  : >"$1"
  env --default-signal=INT "$te_bare" 127.0.0.1 "$PORT" 2>"$1" &
  PID=$!
  wait_for "$1" 'listening on'
}

# start_tutorial FILE: tutorial 000's Python server on a free port, its
# output in FILE; sets PID and PORT once it listens. It prints `test log`
# before it calls listen(), so the wait is on the kernel's table of
# listening sockets; connecting to find out would hand it a client.
start_tutorial() {
  PORT=$(te_port)
  env --default-signal=INT python3 -u "$te_peers/tutorial_server.py" "$PORT" >"$1" 2>&1 &
  PID=$!
  local needle
  needle=$(printf '0100007F:%04X 00000000:0000 0A' "$PORT")
  for _ in $(seq 1 200); do
    grep -q "$needle" /proc/net/tcp && return 0
    sleep 0.05
  done
  echo "book-output: the tutorial's server did not start" >&2
  exit 1
}

# show_status CMD...: runs CMD, its standard error with its standard
# output, and prints its exit status (a failure does not stop the script).
show_status() {
  local status=0
  "$@" 2>&1 || status=$?
  echo "exit status $status"
}

# ends_line: passes its input on, with a newline at the end if it had none
# (a prompt, or nc's output, leaves the terminal in the middle of a line).
ends_line() { sed -e '$a\'; }

# exits_within SECONDS PID: waits until the process PID has ended; after
# SECONDS, stops it and the whole script with a message.
exits_within() {
  for _ in $(seq 1 $(($1 * 20))); do
    kill -0 "$2" 2>/dev/null || return 0
    sleep 0.05
  done
  kill -KILL "$2" 2>/dev/null || true
  echo "book-output: process $2 was still running after $1 s" >&2
  exit 1
}

# finish PID...: waits (at most 20 s each) until these processes have ended.
finish() {
  local pid
  for pid; do exits_within 20 "$pid"; done
}

# A Python traceback, cut to its first and last lines: the lines between
# (file paths, and the ^^^ marks of newer Pythons) differ from one machine
# and one Python version to the next.
short_traceback() {
  awk '/Traceback \(most recent call last\):$/ { print; print "  ..."; skip = 1; next }
       skip && /^ / { next }
       { skip = 0; print }'
}

# Step 1: the bare server and two bare clients at once.
te_step1() {
  local log=$tmp/te-bare.txt first second
  te_start_bare "$log"
  { say hello
    wait_for "$log" 'connect new addr' 2
    say 안녕하세요
    wait_for "$log" 'I am here too'
    say /end
  } | "$te_bare_client" 127.0.0.1 "$PORT" >"$tmp/te-bare1.txt" 2>&1 &
  first=$!
  wait_for "$log" 'read msg: "hello"'
  { wait_for "$log" '안녕하세요'
    say 'I am here too'
    wait_for "$log" 'sent /end'
  } | "$te_bare_client" 127.0.0.1 "$PORT" >"$tmp/te-bare2.txt" 2>&1 &
  second=$!
  finish "$first" "$second"; wait "$first" "$second"
  wait_for "$log" 'closed the connection'
  kill -INT "$PID"
  finish "$PID"; wait "$PID" || true
  { echo '$ cargo run -p threaded-echo --example threaded-echo-bare-server'; mask "$log" 3333; } >"$new/threaded-echo-bare-server.txt"
  { echo '$ cargo run -p threaded-echo --example threaded-echo-bare-client'; ends_line <"$tmp/te-bare1.txt"; } >"$new/threaded-echo-bare-client-1.txt"
  { echo '$ cargo run -p threaded-echo --example threaded-echo-bare-client'; ends_line <"$tmp/te-bare2.txt"; } >"$new/threaded-echo-bare-client-2.txt"
}

# A client that connects and says nothing: nc with no input, stopped by
# `timeout` after 3 s. The bare server waits as long as the client does;
# the full one, with --idle-timeout 1s, says why and closes.
te_silent() {
  local log=$tmp/te-silent-bare.txt
  te_start_bare "$log"
  { echo '$ timeout 3 nc 127.0.0.1 3333 < /dev/null; echo "exit status $?"'
    show_status timeout 3 nc 127.0.0.1 "$PORT" </dev/null; } >"$new/threaded-echo-silent-bare.txt"
  wait_for "$log" 'closed the connection'
  kill -INT "$PID"
  finish "$PID"; wait "$PID" || true
  { echo '$ cargo run -p threaded-echo --example threaded-echo-bare-server'; mask "$log" 3333; } >"$new/threaded-echo-silent-bare-server.txt"

  log=$tmp/te-silent-full.txt
  te_start_server "$log" --idle-timeout 1s
  { echo '$ timeout 3 nc 127.0.0.1 3333 < /dev/null; echo "exit status $?"'
    show_status timeout 3 nc 127.0.0.1 "$PORT" </dev/null; } >"$new/threaded-echo-silent-full.txt"
  wait_for "$log" 'disconnected'
  stop_server
  { echo '$ cargo run -p threaded-echo --bin server -- --idle-timeout 1s'; mask "$log" 3333 | grep -v 'Ctrl-C\|server stopped'; } >"$new/threaded-echo-silent-full-server.txt"
}

# One line of a million bytes and no newline. nc -N half-closes once its
# input ends, so that the bare server, which never closes first, ends too.
te_long_line() {
  local log=$tmp/te-long-bare.txt cmd='head -c 1000000 /dev/zero | tr "\0" x | nc -N 127.0.0.1 3333'
  te_start_bare "$log"
  { echo "\$ $cmd | wc -c"
    head -c 1000000 /dev/zero | tr '\0' x | nc -N 127.0.0.1 "$PORT" | wc -c; } >"$new/threaded-echo-long-bare.txt"
  kill -INT "$PID"
  finish "$PID"; wait "$PID" || true

  log=$tmp/te-long-full.txt
  te_start_server "$log" -q
  { echo "\$ $cmd | tr -d x"
    head -c 1000000 /dev/zero | tr '\0' x | nc -N 127.0.0.1 "$PORT" | tr -d x; } >"$new/threaded-echo-long-full.txt"
  wait_for "$log" 'sent a line longer than'
  stop_server
  { echo '$ cargo run -p threaded-echo --bin server -- -q'; mask "$log" 3333; } >"$new/threaded-echo-long-full-server.txt"
}

# The bare server with a limit of 12 file descriptors (0, 1 and 2, the
# listening socket, and 8 clients), and 20 clients that stay connected
# until the server has gone. The server accepts 8 and dies at the 9th
# accept(). The clients' side is not shown: those still queued get a
# reset, and those that come later are refused, as the timing falls. The descriptors the script itself has open are
# closed first, so that the count is the same everywhere.
te_many() {
  local log=$tmp/te-many-bare.txt status fd
  PORT=$(te_port)
  : >"$log"
  ( for fd in $(ls /proc/$BASHPID/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done
    ulimit -n 12
    exec env --default-signal=INT "$te_bare" 127.0.0.1 "$PORT" ) </dev/null 2>"$log" &
  PID=$!
  wait_for "$log" 'listening on'
  python3 - "$PORT" >/dev/null 2>&1 <<'PY' || true
import socket, sys
# No socket may close while the server lives: its threads would print
# "closed the connection" after the error. So a refused connect (once the
# server has dropped its listener) ends the connecting, not the script, and
# every socket stays open until recv() says the server process is gone.
clients = []
for i in range(20):
    try:
        clients.append(socket.create_connection(("127.0.0.1", int(sys.argv[1]))))
    except OSError:
        break
for client in clients:
    try:
        client.recv(1)  # waits until the server has gone
    except OSError:
        pass  # a reset: this one was still queued when the server died
PY
  status=0
  finish "$PID"; wait "$PID" || status=$?
  { echo '$ (ulimit -n 12; target/debug/examples/threaded-echo-bare-server)'
    mask "$log" 3333; echo "exit status $status"; } >"$new/threaded-echo-many-bare-server.txt"

  log=$tmp/te-many-full.txt
  te_start_server "$log" --max-clients 2
  local three='import socket
clients = [socket.create_connection(("127.0.0.1", 3333)) for i in range(3)]
print(clients[2].recv(100))'
  { echo "\$ python3 -c '$three'"
    python3 -c "${three/3333/$PORT}"; } >"$new/threaded-echo-many-full.txt"
  wait_for "$log" 'disconnected' 2
  stop_server
  # The two clients leave together, so their "disconnected" lines come in
  # either order: they are left out.
  { echo '$ cargo run -p threaded-echo --bin server -- --max-clients 2'
    mask "$log" 3333 | grep -v 'disconnected\|Ctrl-C\|server stopped'; } >"$new/threaded-echo-many-full-server.txt"
}

# Ctrl-C with a client connected (nc, silent): the bare server dies where
# it stands; the full one says goodbye to each client and exits 0.
te_ctrl_c() {
  local log=$tmp/te-ctrlc-bare.txt nc status
  te_start_bare "$log"
  nc 127.0.0.1 "$PORT" </dev/null >/dev/null &
  nc=$!
  wait_for "$log" 'connect new addr'
  kill -INT "$PID"
  status=0
  finish "$PID"; wait "$PID" || status=$?
  finish "$nc"; wait "$nc"
  { echo '$ cargo run -p threaded-echo --example threaded-echo-bare-server'; mask "$log" 3333
    echo '^C'; echo "exit status $status"; } >"$new/threaded-echo-ctrlc-bare.txt"

  log=$tmp/te-ctrlc-full.txt
  te_start_server "$log"
  nc 127.0.0.1 "$PORT" </dev/null >/dev/null &
  nc=$!
  wait_for "$log" 'connected (1 of'
  kill -INT "$PID"
  status=0
  finish "$PID"; wait "$PID" || status=$?
  finish "$nc"; wait "$nc"
  { echo '$ cargo run -p threaded-echo --bin server'; mask "$log" 3333 | sed '/Ctrl-C or SIGTERM/i ^C'
    echo "exit status $status"; } >"$new/threaded-echo-ctrlc-full.txt"
}

# Run it: two clients at once. Client 1 sends three lines, the last one
# /end. Client 2 sends one line and stays connected until the server stops.
# The clients' standard output and standard error go to one file, in the
# order a terminal shows.
te_run() {
  local log=$tmp/te-server.txt first second
  te_start_server "$log"
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
  finish "$first"; wait "$first"
  wait_for "$log" 'disconnected'
  stop_server
  finish "$second"; wait "$second"
  { echo '$ cargo run -p threaded-echo --bin server'; mask "$log" 3333; } >"$new/threaded-echo-server.txt"
  { echo "\$ printf 'hello\\n안녕하세요\\n/end\\n' | cargo run -p threaded-echo --bin client"
    mask "$tmp/te-client1.txt" 3333; } >"$new/threaded-echo-client-1.txt"
  { echo '$ cargo run -p threaded-echo --bin client'; mask "$tmp/te-client2.txt" 3333; } >"$new/threaded-echo-client-2.txt"
}

# The tutorial's shared connection: its server, its client A, and a second
# client B (nc, which prints whatever arrives and is stopped after 2 s).
# A sends A1; B connects and sends B1; A sends A2.
te_tutorial_shared() {
  local log=$tmp/te-shared.txt a b
  start_tutorial "$log"
  { say A1
    wait_for "$log" 'read msg: B1'
    say A2
    wait_for "$log" 'read msg: A2'
  } | python3 -u "$te_peers/tutorial_client.py" "$PORT" >"$tmp/te-shared-a.txt" 2>&1 &
  a=$!
  wait_for "$log" 'read msg: A1'
  printf B1 | timeout 2 nc 127.0.0.1 "$PORT" >"$tmp/te-shared-b.txt" &
  b=$!
  finish "$a"; wait "$a" || true
  finish "$b"; wait "$b" || true
  # Its threads now spin on the closed connections: only SIGKILL ends it.
  # (2>/dev/null: bash would report the kill.)
  { kill -KILL "$PID"; finish "$PID"; wait "$PID"; } 2>/dev/null || true
  { echo "\$ python3 $te_peers/tutorial_server.py"; mask "$log" 3333; } >"$new/threaded-echo-shared-server.txt"
  { echo "\$ python3 $te_peers/tutorial_client.py"; short_traceback <"$tmp/te-shared-a.txt"; } >"$new/threaded-echo-shared-a.txt"
  { echo '$ printf B1 | timeout 2 nc 127.0.0.1 3333'; ends_line <"$tmp/te-shared-b.txt"; } >"$new/threaded-echo-shared-b.txt"
}

# The tutorial's client against the lesson's server: a Korean line cut by
# recv(100); a 200-byte line whose second half comes back as the next
# echo; an empty line sent as zero bytes. Then the lesson's client with the
# same lines. The input comes from `python3 -c`, so the command shown is
# the command run.
te_tutorial_client() {
  local client="python3 $te_peers/tutorial_client.py" run="python3 -u $te_peers/tutorial_client.py"
  local korean='print("hello"); print("안녕하세요" * 7)' shift='print("A" * 100 + "B" * 100); print("hi")'
  te_start_server "$tmp/te-tc-server.txt"
  { echo "\$ python3 -c '$korean' | $client"
    python3 -c "$korean" | show_status $run "$PORT" | short_traceback; } >"$new/threaded-echo-tutorial-korean.txt"
  { echo "\$ python3 -c '$shift' | $client"
    python3 -c "$shift" | show_status $run "$PORT" | short_traceback; } >"$new/threaded-echo-tutorial-shift.txt"
  { echo "\$ printf 'hello\\n\\nworld\\n' | timeout 3 $client"
    printf 'hello\n\nworld\n' | show_status timeout 3 $run "$PORT" | sed 's/^msg:exit status/msg:\nexit status/'; } >"$new/threaded-echo-tutorial-empty.txt"
  local all='print("hello"); print("안녕하세요" * 7); print(); print("A" * 100 + "B" * 100)'
  { echo "\$ python3 -c '$all' | cargo run -p threaded-echo --bin client -- -q"
    python3 -c "$all" | show_status "$bin/client" --port "$PORT" -q; } >"$new/threaded-echo-tutorial-fixed.txt"
  stop_server
}

# The tutorial's server and Ctrl-C: a client came and went, so one thread
# spins on the closed connection; Ctrl-C stops the main thread only.
te_tutorial_ctrl_c() {
  local log=$tmp/te-tutorial-ctrlc.txt status=0 alive=no
  start_tutorial "$log"
  say hi | python3 -u "$te_peers/tutorial_client.py" "$PORT" >/dev/null 2>&1 || true
  wait_for "$log" 'read msg: hi'
  kill -INT "$PID"
  wait_for "$log" 'KeyboardInterrupt'
  sleep 1 # a second after Ctrl-C: is it still there?
  kill -0 "$PID" 2>/dev/null && alive=yes
  { kill -KILL "$PID"; finish "$PID"; wait "$PID"; } 2>/dev/null || status=$?
  { echo "\$ python3 $te_peers/tutorial_server.py"
    mask "$log" 3333 | short_traceback | sed '/^Traceback/i ^C'
    echo '$ kill -0 $server_pid && echo "still running, one second after Ctrl-C"'
    [ $alive = yes ] && echo "still running, one second after Ctrl-C"
    echo '$ kill -KILL $server_pid'
    echo "exit status $status"; } >"$new/threaded-echo-tutorial-ctrl-c.txt"
}

te_listen_queue() {
  { echo "\$ python3 $te_peers/listen_queue.py"; python3 "$te_peers/listen_queue.py"; } >"$new/threaded-echo-listen-queue.txt"
}

te_pitfalls() {
  local log=$tmp/te-pit.txt nc
  te_start_server "$log"
  { echo '$ cargo run -p threaded-echo --bin server'
    show_status "$bin/server" --port "$PORT" | mask /dev/stdin 3333; } >"$new/threaded-echo-pit-in-use.txt"
  stop_server
  { echo '$ cargo run -p threaded-echo --bin client'
    show_status "$bin/client" --port "$PORT" </dev/null | mask /dev/stdin 3333; } >"$new/threaded-echo-pit-refused.txt"
  { echo '$ cargo run -p threaded-echo --bin server -- --idle-timeout 5'
    show_status "$bin/server" --idle-timeout 5; } >"$new/threaded-echo-pit-unit.txt"

  log=$tmp/te-pit-busy.txt
  te_start_server "$log" --max-clients 1
  nc 127.0.0.1 "$PORT" </dev/null >/dev/null &
  nc=$!
  wait_for "$log" 'connected (1 of'
  { echo "\$ printf 'hello\\n' | cargo run -p threaded-echo --bin client"
    say hello | "$bin/client" --port "$PORT" 2>&1 | mask /dev/stdin 3333; } >"$new/threaded-echo-pit-busy.txt"
  stop_server
  finish "$nc"; wait "$nc"

  log=$tmp/te-pit-idle.txt
  te_start_server "$log" --idle-timeout 1s
  { echo '$ sleep 3 | cargo run -p threaded-echo --bin client'
    sleep 3 | "$bin/client" --port "$PORT" 2>&1 | mask /dev/stdin 3333; } >"$new/threaded-echo-pit-idle.txt"
  stop_server
}
