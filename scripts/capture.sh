#!/usr/bin/env bash
# Watch a lesson's packets: runs a scenario on loopback under tshark and
# writes a readable trace, one line per packet.
#
#   scripts/capture.sh echo-loop -          # print the trace
#   scripts/capture.sh echo-loop            # write docs/src/output/packets-echo-loop.txt
#   scripts/capture.sh echo-loop FILE       # write FILE
#   scripts/capture.sh --check echo-loop    # compare a fresh run with the committed trace
#   scripts/capture.sh echo-loop FILE BASE  # write FILE: BASE if only what varies differs
#
# Scenarios: oneshot, echo-loop, threaded-echo, periodic-hello, udp-echo (what
# a student does with each lesson), and closes (how a TCP connection ends:
# a killed client's kernel sends FIN; closing with unread data, or with
# SO_LINGER 0, sends RST). The book's chapter "Watching the packets" shows
# them; scripts/book-output/packets.sh makes them part of
# scripts/book-output.sh, so CI checks them.
#
# Installs tshark (Debian package) when it is missing; capturing needs root.
# Captures only the server's port on the loopback interface, so nothing else
# is recorded. Ports are masked in the trace: the server's port becomes the
# lesson's default, each client's port becomes client1, client2, ... in the
# order they appear.
#
# What is the same in every run, and what is not. Each side's own packets
# come in the same order every time, because each step of a scenario waits
# for the one before. Three things vary:
# * a bare acknowledgement (flags "ACK", no data): the kernel may send it at
#   once, or wait up to 40 ms and put it on the next packet that goes that
#   way, depending on how fast the program answers;
# * how the two sides' packets interleave where both act at once: oneshot's
#   client half-closes while the server is already answering, and the
#   periodic-hello server and client both say hello as soon as they connect;
# * on a busy machine, a segment sent twice because its ACK came late
#   (marked "(sent again)" in the trace), even on loopback.
# So --check (and scripts/book-output.sh) compares the stable part: for each
# direction (client1 to server, server to client1, ...), the packets other
# than bare ACKs and segments sent again, in order. It keeps the committed
# trace, one real run, when only the rest differs.
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
if [ "${1:-}" = "--check" ]; then
  check=1
  shift
fi
scenario=${1:?usage: scripts/capture.sh [--check] SCENARIO [OUTFILE|-]}
outfile=${2:-docs/src/output/packets-$scenario.txt}
base=${3:-$outfile}

proto=tcp
lesson=$scenario
case $scenario in
  oneshot) default=7001 ;;
  echo-loop) default=9999 ;;
  threaded-echo) default=3333 ;;
  periodic-hello) default=12345 ;;
  udp-echo) default=7001; proto=udp ;;
  closes) default=9999; lesson=echo-loop ;;
  *) echo "capture: no scenario $scenario (bluetooth has no loopback)" >&2; exit 2 ;;
esac

if ! command -v tshark >/dev/null 2>&1; then
  echo "capture: installing tshark" >&2
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q tshark >/dev/null
fi

# Every lesson has binaries named server and client: build this one's last.
cargo build -q -p "$lesson" --bins
bin=${CARGO_TARGET_DIR:-target}/debug
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT

# Start the server on a free port and read the port from its log (which
# exists before the server writes to it: sed reads it at once).
: >"$tmp/server.log"
"$bin/server" --port 0 -q 2>"$tmp/server.log" &
server=$!
port=
for _ in $(seq 1 600); do
  port=$(sed -n 's/.*listening on [^ ]*:\([0-9]*\).*/\1/p' "$tmp/server.log" | head -n1)
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || { echo "capture: the server did not start" >&2; exit 1; }

# probe: sends a datagram to the discard port (9) and waits until tshark has
# written it out. tshark prints "Capturing on" a moment before its filter
# really catches packets, so a probe at the start tells when the capture is
# live; a probe at the end tells that every packet before it is in the file.
probe() {
  local before deadline=$((SECONDS + 60))
  before=$(grep -c ' → 9 ' "$tmp/live.txt" 2>/dev/null || true)
  while [ $SECONDS -lt $deadline ]; do
    # bash itself sends the datagram (/dev/udp): cheap on a busy machine.
    printf probe 2>/dev/null >/dev/udp/127.0.0.1/9 || true
    [ "$(grep -c ' → 9 ' "$tmp/live.txt" 2>/dev/null || true)" -gt "${before:-0}" ] && return 0
    sleep 0.1
  done
  cat "$tmp/tshark.log" >&2
  echo "capture: tshark did not see its probe within a minute" >&2
  exit 1
}

# settled: waits until no TCP connection of the server's port is half-way:
# each one is gone or in TIME-WAIT, so its last ACK has been sent.
settled() {
  [ "$proto" = tcp ] || return 0
  local deadline=$((SECONDS + 30))
  while [ $SECONDS -lt $deadline ]; do
    ss -Htan "( sport = :$port or dport = :$port )" | grep -vqE '^(LISTEN|TIME-WAIT) ' || return 0
    sleep 0.05
  done
  echo "capture: a connection to port $port did not close" >&2
  ss -Htan "( sport = :$port or dport = :$port )" >&2
  exit 1
}

# -l: write each packet's line at once, so probe() can see it.
tshark -l -i lo -f "($proto port $port) or (udp port 9)" -w "$tmp/cap.pcapng" -P \
  >"$tmp/live.txt" 2>"$tmp/tshark.log" &
tshark=$!
probe

# The scenario: what a student would do with this lesson.
case $scenario in
  oneshot)
    "$bin/client" --port "$port" -q >/dev/null ;;
  echo-loop)
    "$bin/client" --port "$port" -q 안녕 세상 >/dev/null ;;
  threaded-echo)
    printf 'hello\n/end\n' | "$bin/client" --port "$port" -q >/dev/null ;;
  periodic-hello)
    "$bin/client" --port "$port" -q --interval 100ms --count 2 >/dev/null ;;
  udp-echo)
    "$bin/client" --port "$port" -q one two >/dev/null ;;
  closes)
    # client1: the lesson's client, killed (SIGKILL: no handler, no clean-up)
    # after its echo came back. Its kernel closes the socket: a FIN.
    mkfifo "$tmp/input"
    "$bin/client" --port "$port" -q <"$tmp/input" >"$tmp/client1.out" &
    client=$!
    exec 3>"$tmp/input"
    printf 'killed\n' >&3
    for _ in $(seq 1 600); do
      grep -q killed "$tmp/client1.out" && break
      sleep 0.05
    done
    kill -KILL "$client"
    wait "$client" 2>/dev/null || true
    exec 3>&-
    settled
    # client2: closes while the echo it never read waits in its receive
    # buffer. Its kernel sends RST instead of FIN.
    python3 - "$port" <<'PY'
import select, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"unread\n")
select.select([s], [], [], 5)  # the echo has arrived; we do not read it
s.close()
PY
    settled
    # client3: reads everything, then closes with SO_LINGER 0: RST at once.
    python3 - "$port" <<'PY'
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"linger0\n")
got = b""
while len(got) < 8:
    got += s.recv(8 - len(got))
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
PY
    ;;
esac
settled
probe
kill -TERM "$tshark"
wait "$tshark" 2>/dev/null || true
# Stopping the server comes after the capture: its Ctrl-C handler's wake-up
# connection races with the server's own close, so it is left out.
kill -INT "$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true

# Render: one line per packet, ports masked, payload shown as text.
tshark -r "$tmp/cap.pcapng" -Y "$proto.port == $port" -T fields -E separator='|' \
  -e frame.number -e ip.src -e ipv6.src -e "$proto.srcport" -e "$proto.dstport" \
  -e tcp.flags.str -e tcp.seq -e tcp.ack -e "$proto.payload" -e udp.length 2>/dev/null |
python3 -c '
import sys
default, server_port, proto = sys.argv[1], sys.argv[2], sys.argv[3]
clients = {}
def name(port):
    if port == server_port:
        return "server:" + default
    clients.setdefault(port, "client%d" % (len(clients) + 1))
    return clients[port]
def flags(s):
    order = ["SYN", "FIN", "RST", "PSH", "ACK"]
    letters = {"S": "SYN", "F": "FIN", "R": "RST", "P": "PSH", "A": "ACK"}
    got = {letters[c] for c in s if c in letters}
    return ",".join(f for f in order if f in got)
print("%-4s %-13s %-13s %-16s %s" % ("#", "from", "to", "flags" if proto == "tcp" else "", "data"))
sent = set()
for count, line in enumerate(sys.stdin, 1):
    f = line.rstrip("\n").split("|")
    num = str(count)
    sport, dport, fl, seq, payload = f[3], f[4], f[5], f[6], f[8]
    data = bytes.fromhex(payload.replace(":", "")) if payload else b""
    shown = repr(data.decode("utf-8", "replace")) if data else ""
    if len(shown) > 40:
        shown = shown[:40] + "..."
    size = "%d bytes" % len(data) if data else ""
    # The same segment again (same direction, sequence number, flags and
    # data): the kernel sent it twice because no ACK came in time, which a
    # busy machine can cause even on loopback.
    again = ""
    if proto == "tcp" and (data or "S" in fl or "F" in fl):
        key = (sport, dport, seq, fl, payload)
        again = "(sent again)" if key in sent else ""
        sent.add(key)
    print(("%-4s %-13s %-13s %-16s %s %s %s" % (num, name(sport), name(dport),
          flags(fl) if proto == "tcp" else "datagram", size, shown, again)).rstrip())
' "$default" "$port" "$proto" >"$tmp/trace.txt"

# stable FILE: the part of a trace that is the same in every run (see the
# top): per direction, in order, without bare ACKs, segments sent again, and
# packet numbers.
stable() {
  awk 'NR > 1 && !($4 == "ACK" && NF == 4) && !/\(sent again\)$/ { line = $2 " " $3; for (i = 4; i <= NF; i++) line = line " " $i; print line }' "$1" |
    LC_ALL=C sort -s -k1,2
}

if [ $check = 1 ]; then
  if ! diff -u <(stable "$outfile") <(stable "$tmp/trace.txt"); then
    echo "capture: $outfile differs from a fresh run (its stable part): run scripts/capture.sh $scenario" >&2
    exit 1
  fi
  echo "capture: $outfile matches a fresh run (its stable part)" >&2
elif [ "$outfile" = - ]; then
  cat "$tmp/trace.txt"
elif [ -f "$base" ] && [ "$(stable "$base")" = "$(stable "$tmp/trace.txt")" ]; then
  # The committed trace is still right: keep it, no churn.
  [ "$base" -ef "$outfile" ] || cp "$base" "$outfile"
  echo "capture: $outfile: kept $base (a fresh run differs at most in what varies)" >&2
else
  mkdir -p "$(dirname "$outfile")"
  cp "$tmp/trace.txt" "$outfile"
  echo "capture: wrote $outfile ($(($(wc -l <"$outfile") - 1)) packets)" >&2
fi
