#!/usr/bin/env bash
# Regenerates the "What you will see" files in docs/src/output/ from real runs
# of the lessons, so the book never shows output typed by hand.
#
#   scripts/book-output.sh          # rewrite the files
#   scripts/book-output.sh --check  # fail if the committed files differ
#
# Each lesson runs on --port 0; the real ports are then masked: the server's
# port becomes the lesson's default, and the clients' ports become 50000,
# 50001, ... in the order they first appear in a file. So the files stay the
# same from run to run and match what a student sees.
#
# Where two programs could race (two clients of one server, a Ctrl-C in the
# middle of a conversation), the script waits for a line in a log before the
# next step, so every run prints the same lines in the same order.
#
# The bluetooth-rfcomm lesson runs in a VM (scripts/bt-vm/): this script
# needs root and QEMU for it (run.sh installs QEMU when it is missing), and
# fails when the VM cannot run. See bluetooth_rfcomm below.
#
# The binaries are taken from $CARGO_TARGET_DIR/debug (default target/debug).
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/src/output
bin=${CARGO_TARGET_DIR:-target}/debug
check=0
[ "${1:-}" = "--check" ] && check=1
tmp=$(mktemp -d)
new=$tmp/new # the finished files
mkdir "$new"
# On any exit, stop what this script started and still runs.
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT

build() { cargo build -q -p "$1" --bins; }

# start_server FILE ARGS...: starts $bin/server, its log in FILE; sets PID and PORT.
start_server() {
  local file=$1
  shift
  : >"$file" # exists before the server writes to it: sed below reads it at once
  "$bin/server" --port 0 "$@" 2>"$file" &
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

# sending_first: in periodic-hello, the receiving thread starts just before
# the sending loop logs "sending ... every", and a hello that is already
# there can be logged first. That order varies from run to run, so the
# "sending" line is always put right after the "connected" line.
sending_first() {
  perl -e '
    my @lines = <STDIN>;
    my $connected;
    for my $i (0 .. $#lines) {
      if ($lines[$i] =~ /\bconnected\b/) { $connected = $i }
      elsif ($lines[$i] =~ /: sending "/ && defined $connected) {
        splice @lines, $connected + 1, 0, splice(@lines, $i, 1);
      }
    }
    print @lines;
  '
}

oneshot() {
  build oneshot
  start_server "$tmp/server.txt"
  "$bin/client" --port "$PORT" >"$tmp/stdout.txt" 2>"$tmp/client.txt"
  wait "$PID"
  { echo '$ cargo run -p oneshot --bin server'; mask "$tmp/server.txt" 7001; } >"$new/oneshot-server.txt"
  { echo '$ cargo run -p oneshot --bin client'; mask "$tmp/client.txt" 7001; cat "$tmp/stdout.txt"; echo; } >"$new/oneshot-client.txt"
}

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

# Three runs: a normal one with three clients (ours with arguments, ours
# reading standard input, the tutorial's Python client); one with
# --drop-every 2; and a client alone, on the port the server has just left.
udp_echo() {
  build udp-echo
  local log=$tmp/udp-server.txt status=0
  start_server "$log"
  "$bin/client" --port "$PORT" hello 안녕 >"$tmp/udp-client.txt" 2>&1
  printf 'typed line\n' | "$bin/client" --port "$PORT" -q >"$tmp/udp-typed.txt" 2>&1
  timeout 10 python3 crates/udp-echo/tests/peers/udp_client.py "$PORT" >"$tmp/udp-python.txt"
  wait_for "$log" 'bytes back' 4
  stop_server
  { echo '$ cargo run -p udp-echo --bin server'; mask "$log" 7001; } >"$new/udp-echo-server.txt"
  { echo '$ cargo run -p udp-echo --bin client -- hello 안녕'; mask "$tmp/udp-client.txt" 7001
    echo "\$ printf 'typed line\\n' | cargo run -p udp-echo --bin client -- -q"; mask "$tmp/udp-typed.txt" 7001
    echo '$ python3 crates/udp-echo/tests/peers/udp_client.py 7001'; mask "$tmp/udp-python.txt" 7001
  } >"$new/udp-echo-client.txt"

  log=$tmp/udp-drop-server.txt
  start_server "$log" --drop-every 2
  "$bin/client" --port "$PORT" one two three >"$tmp/udp-drop-client.txt" 2>&1
  wait_for "$log" 'bytes back' 3
  stop_server
  { echo '$ cargo run -p udp-echo --bin server -- --drop-every 2'; mask "$log" 7001; } >"$new/udp-echo-drop-server.txt"
  { echo '$ cargo run -p udp-echo --bin client -- one two three'; mask "$tmp/udp-drop-client.txt" 7001; } \
    >"$new/udp-echo-drop-client.txt"

  "$bin/client" --port "$PORT" hi >"$tmp/udp-alone.txt" 2>&1 || status=$?
  { echo '$ cargo run -p udp-echo --bin client -- hi'; mask "$tmp/udp-alone.txt" 7001
    echo '$ echo $?'; echo "$status"; } >"$new/udp-echo-no-server.txt"
}

# bt_cmd FILE COMMAND_LINE ARGS...: runs ARGS (a lesson binary, on this
# machine), its standard output and error both to FILE, after the line
# "$ COMMAND_LINE" and followed by its exit status, as a terminal shows it.
bt_cmd() {
  local file=$1 line=$2 status=0
  shift 2
  echo "\$ $line" >>"$file"
  timeout 10 "$@" </dev/null >>"$file" 2>&1 || status=$?
  printf '$ echo $?\n%s\n' "$status" >>"$file"
}

# The bluetooth-rfcomm lesson. Its runs need two Bluetooth adapters, so they
# happen in a VM: scripts/bt-vm/test-lesson.sh --transcript boots one (about
# 10 s with a warm cache, plus the static build; see scripts/bt-vm/README.md)
# and runs scripts/bt-vm/guest/transcript.sh, which prints one section per
# file, each after a header "==== NAME: what it shows". Section NAME goes to
# bluetooth-rfcomm-NAME.txt. A VM that cannot run is an error, in both
# modes: the files cannot be checked without it.
#
# The only mask: the tutorial's Python client gets a 1500-byte echo in two
# pieces, and where the first recv() ends depends on timing (1016 and 1024
# bytes were both seen), so the two lengths become N and 1500-N, once it is
# checked that they add up to 1500.
#
# The rest runs on this machine, which must have no Bluetooth sockets (a
# container or a CI machine): the no-Bluetooth error, and the argument
# errors, which come before any Bluetooth call.
bluetooth_rfcomm() {
  build bluetooth-rfcomm
  local console=$tmp/bt-console.txt status=0 f
  scripts/bt-vm/test-lesson.sh --transcript >"$console" 2>"$tmp/bt-vm.txt" || status=$?
  if [ $status != 0 ] || ! grep -q '^BT-VM-RESULT: PASS' "$console"; then
    cat "$tmp/bt-vm.txt" >&2
    if [ -s "$console" ]; then
      echo "----- the last lines of the VM's console:" >&2
      tail -n 30 "$console" >&2
    fi
    if [ $status = 2 ]; then
      echo "book-output: error: the Bluetooth VM could not be set up (scripts/bt-vm/test-lesson.sh exited 2, see above), so the bluetooth-rfcomm output was not made and cannot be checked" >&2
    else
      echo "book-output: error: the Bluetooth VM run failed (scripts/bt-vm/test-lesson.sh --transcript exited $status, see above)" >&2
    fi
    exit 1
  fi
  mkdir "$tmp/bt"
  awk -v dir="$tmp/bt" '
    /^bt-vm: test script exited/ { out = ""; next }
    /^==== [a-z0-9-]+: / {
      name = substr($2, 1, length($2) - 1)
      out = dir "/bluetooth-rfcomm-" name ".txt"
      if (name in seen) { print "book-output: two sections named " name > "/dev/stderr"; exit 1 }
      seen[name] = 1; printf "" > out; next
    }
    out != "" { print > out }
  ' "$console"
  f=$tmp/bt/bluetooth-rfcomm-tutorial-client.txt
  [ -f "$f" ] && perl -0pi -e '
    s/\x27<(\d+) times a>\x27\n(.*)\x27<(\d+) times a>\x27/\x27<N times a>\x27\n$2\x27<1500-N times a>\x27/
      if /\x27<(\d+) times a>\x27\n.*\x27<(\d+) times a>\x27/ && $1 + $2 == 1500 && $1 < 1500;
  ' "$f"
  cp "$tmp"/bt/*.txt "$new/"

  f=$tmp/bt-host.txt
  : >"$f"
  bt_cmd "$f" 'cargo run -p bluetooth-rfcomm --bin server' "$bin/server"
  if ! grep -q 'Address family not supported by protocol (os error 97)' "$f"; then
    cat "$f" >&2
    echo "book-output: error: this machine has Bluetooth sockets (see above), so bluetooth-rfcomm-no-bluetooth.txt cannot be made here; run this script in a container or on a CI machine" >&2
    exit 1
  fi
  bt_cmd "$f" 'cargo run -p bluetooth-rfcomm --bin client -- --addr 00:1A:7D:DA:71:13' \
    "$bin/client" --addr 00:1A:7D:DA:71:13
  mv "$f" "$new/bluetooth-rfcomm-no-bluetooth.txt"
  f=$new/bluetooth-rfcomm-bad-args.txt
  bt_cmd "$f" 'cargo run -p bluetooth-rfcomm --bin client -- --addr 00:1A:7D:DA:71' \
    "$bin/client" --addr 00:1A:7D:DA:71
  bt_cmd "$f" 'cargo run -p bluetooth-rfcomm --bin server -- --channel 31' "$bin/server" --channel 31
  bt_cmd "$new/bluetooth-rfcomm-no-addr.txt" 'cargo run -p bluetooth-rfcomm --bin client' "$bin/client"
}

oneshot
echo_loop
threaded_echo
periodic_hello
udp_echo
bluetooth_rfcomm

mkdir -p "$out"
status=0
for f in "$new"/*.txt; do
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
# A committed file that no run wrote any more (a section renamed or gone).
for f in "$out"/*.txt; do
  name=$(basename "$f")
  [ -e "$new/$name" ] && continue
  echo "book-output: no run writes $out/$name any more: delete it (and its {{#include}})" >&2
  status=1
done
[ $check = 1 ] && [ $status = 0 ] && echo "book-output: every output file matches a fresh run"
exit $status
