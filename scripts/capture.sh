#!/usr/bin/env bash
# Watch a lesson's packets: runs the lesson on loopback under tshark and
# writes a readable trace to docs/src/traces/LESSON.txt (or stdout with -).
#
#   scripts/capture.sh echo-loop        # writes docs/src/traces/echo-loop.txt
#   scripts/capture.sh oneshot -        # prints the trace
#
# Installs tshark (Debian package) when it is missing. Captures only the
# lesson's own port on the loopback interface, so nothing else is recorded.
# Ports are masked in the trace: the server's port becomes the lesson's
# default, each client's port becomes client1, client2, ...
set -euo pipefail
cd "$(dirname "$0")/.."
lesson=${1:?usage: scripts/capture.sh LESSON [OUTFILE|-]}
outfile=${2:-docs/src/traces/$lesson.txt}

if ! command -v tshark >/dev/null 2>&1; then
  echo "capture: installing tshark" >&2
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q tshark >/dev/null
fi

cargo build -q -p "$lesson" --bins
bin=target/debug
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT

proto=tcp
case $lesson in
  oneshot) default=7001 ;;
  echo-loop) default=9999 ;;
  threaded-echo) default=3333 ;;
  periodic-hello) default=12345 ;;
  udp-echo) default=7001; proto=udp ;;
  *) echo "capture: no scenario for $lesson (bluetooth has no loopback)" >&2; exit 2 ;;
esac

# Start the server on a free port and read the port from its log.
"$bin/server" --port 0 -q 2>"$tmp/server.log" &
server=$!
port=
for _ in $(seq 1 200); do
  port=$(sed -n 's/.*listening on [^ ]*:\([0-9]*\).*/\1/p' "$tmp/server.log" | head -n1)
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || { echo "capture: the server did not start" >&2; exit 1; }

# Start tshark on that port. "Capturing on" is printed a moment before the
# filter really catches packets, so we also send probe datagrams to the
# discard port (9) until tshark shows one: then the capture is live.
tshark -i lo -f "($proto port $port) or (udp port 9)" -w "$tmp/cap.pcapng" -P \
  >"$tmp/live.txt" 2>"$tmp/tshark.log" &
tshark=$!
live=0
for _ in $(seq 1 200); do
  python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"probe", ("127.0.0.1", 9))'
  if grep -q "9 " "$tmp/live.txt" 2>/dev/null; then live=1; break; fi
  sleep 0.05
done
[ $live = 1 ] || { cat "$tmp/tshark.log" >&2; echo "capture: tshark did not start" >&2; exit 1; }

# The scenario: what a student would do with this lesson.
case $lesson in
  oneshot)
    "$bin/client" --port "$port" -q >/dev/null ;;
  echo-loop)
    "$bin/client" --port "$port" -q 안녕 세상 >/dev/null
    # A peer that vanishes: close with unread data, so the kernel sends RST.
    python3 - "$port" <<'PY'
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"bye")
s.recv(3)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
PY
    ;;
  threaded-echo)
    printf 'hello\n/end\n' | "$bin/client" --port "$port" -q >/dev/null ;;
  periodic-hello)
    "$bin/client" --port "$port" -q --interval 100ms --count 2 >/dev/null ;;
  udp-echo)
    "$bin/client" --port "$port" -q one two >/dev/null ;;
esac
sleep 0.3 # let the last packets (FIN, ACK) reach the capture
kill -INT "$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true
sleep 0.2
kill -INT "$tshark"
wait "$tshark" 2>/dev/null || true

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
for count, line in enumerate(sys.stdin, 1):
    f = line.rstrip("\n").split("|")
    num = str(count)
    sport, dport, fl, payload = f[3], f[4], f[5], f[8]
    data = bytes.fromhex(payload.replace(":", "")) if payload else b""
    shown = repr(data.decode("utf-8", "replace")) if data else ""
    if len(shown) > 40:
        shown = shown[:40] + "..."
    size = "%d bytes" % len(data) if data else ""
    print("%-4s %-13s %-13s %-16s %s %s" % (num, name(sport), name(dport),
          flags(fl) if proto == "tcp" else "datagram", size, shown))
' "$default" "$port" "$proto" > "$tmp/trace.txt"

if [ "$outfile" = - ]; then
  cat "$tmp/trace.txt"
else
  mkdir -p "$(dirname "$outfile")"
  cp "$tmp/trace.txt" "$outfile"
  echo "capture: wrote $outfile ($(($(wc -l <"$outfile") - 1)) packets)" >&2
fi
