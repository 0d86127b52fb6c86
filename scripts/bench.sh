#!/usr/bin/env bash
# How many clients can my server take? Runs loadgen against the lesson
# servers (echo-loop, threaded-echo, udp-echo, event-loop) and against
# baselines measured in the same run, and writes the tables that the book
# chapter docs/src/bench.md includes: docs/src/bench/results.md, and the
# chart of round trips and memory against idle connections,
# docs/src/bench/idle.svg.
#
#   scripts/bench.sh            # the full run: 5 s per case, a few minutes
#   scripts/bench.sh --quick    # 1 s per case, to try it out; writes
#                               # target/bench/results-quick.md instead
#   scripts/bench.sh --out FILE # write the tables to FILE
#
# Release builds; each case gets a freshly started server on --port 0 (the
# port is read from its "listening on" line). Client and server share the
# machine, and anything else running makes the numbers noisy: the load
# average before and after is written next to the tables.
set -euo pipefail
cd "$(dirname "$0")/.."

secs=5
stream=200MB
quick=0
out=docs/src/bench/results.md
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; secs=1; stream=50MB ;;
    --out) out=$2; shift ;;
    -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "bench: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
target=${CARGO_TARGET_DIR:-target}
if [ "$quick" = 1 ] && [ "$out" = docs/src/bench/results.md ]; then
  out=$target/bench/results-quick.md
fi
# The chart goes next to the tables: results.md -> idle.svg.
svg=$(dirname "$out")/idle.svg
[ "$out" = docs/src/bench/results.md ] || svg=${out%.md}-idle.svg

say() { printf 'bench: %s\n' "$*" >&2; }
mkdir -p "$(dirname "$out")"

tmp=$(mktemp -d)
PIDS=()
# shellcheck disable=SC2317 # called by the trap
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# ---- build ------------------------------------------------------------------
# Every lesson's binary is called `server`, and cargo puts whichever was built
# last at target/release/server (the binary name trap, see crates/testkit). So
# each lesson is built on its own and its server copied under its own name,
# after checking with --version that it is the right one.
declare -A SERVER
build_server() {
  local lesson=$1
  if ! cargo build --release -q -p "$lesson" --bin server; then
    say "$lesson did not build: its rows are left out"
    return 0
  fi
  cp "$target/release/server" "$tmp/$lesson"
  if ! "$tmp/$lesson" --version | grep -q "($lesson lesson)"; then
    say "target/release/server is not $lesson's: $("$tmp/$lesson" --version)"
    exit 1
  fi
  SERVER[$lesson]=$tmp/$lesson
}
say "building release binaries"
for lesson in echo-loop threaded-echo udp-echo event-loop; do build_server "$lesson"; done
cargo build --release -q -p loadgen --bins
LOADGEN=$target/release/loadgen
BASELINE=$target/release/baseline-echo
PY_BASELINE=crates/loadgen/baselines/threaded_echo.py
# tokio's echo, built outside the workspace (students never compile tokio).
TOKIO=""
if cargo build --release -q --manifest-path scripts/bench/tokio-echo/Cargo.toml \
  --target-dir "$target/tokio-echo"; then
  TOKIO=$target/tokio-echo/release/tokio-echo
else
  say "the tokio baseline did not build (crates.io unreachable?): its rows are left out"
fi
has() { [ -n "${SERVER[$1]:-}" ]; }
# has_flag LESSON FLAG: the lesson's server accepts FLAG.
has_flag() { has "$1" && "${SERVER[$1]}" --help | grep -q -- "$2"; }

# ---- the machine ------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
cores=$(nproc)
kernel=$(uname -sr)
when=$(date -u '+%Y-%m-%d %H:%M UTC')
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
rust=$(rustc --version | cut -d' ' -f1-2)

# ---- servers ----------------------------------------------------------------
# start NAME COMMAND...: starts a server (COMMAND must ask for port 0), with
# its standard error in $tmp/NAME.log; sets PORT and PID.
start() {
  local log=$tmp/$1.log
  shift
  : >"$log" # exists before the server opens it, for the loop below
  "$@" 2>"$log" >/dev/null &
  PID=$!
  PIDS+=("$PID")
  for _ in $(seq 1 200); do
    PORT=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$log" | head -n1)
    [ -n "$PORT" ] && return 0
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.05
  done
  say "the server did not start: $*"
  cat "$log" >&2
  exit 1
}
stop() {
  kill -INT "$PID" 2>/dev/null || true
  # The contract gives a server one second to stop after Ctrl-C; allow two.
  for _ in $(seq 1 40); do
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$PID" 2>/dev/null; then
    say "the server did not stop within 2 s of Ctrl-C: killing it"
    kill -KILL "$PID" 2>/dev/null || true
  fi
  wait "$PID" 2>/dev/null || true
  rm -f "$tmp"/*.log
}

# ---- measuring --------------------------------------------------------------
# Each result is "TABLE|SERVER|NOTE|LOADGEN ARGS|machine-readable line".
RESULTS=()
# A command to put in front of loadgen (taskset, for the pinned cases).
PIN=()
# measure TABLE SERVER NOTE LOADGEN_ARGS...: runs loadgen against $PORT.
measure() {
  local table=$1 server=$2 note=$3
  shift 3
  say "$server${note:+ ($note)}: loadgen $*"
  local line lg hwm t threads=0
  # loadgen exits 1 when it counted errors: that is a result, not a failure.
  "${PIN[@]}" "$LOADGEN" --port "$PORT" -q "$@" >"$tmp/report.txt" 2>>"$tmp/loadgen.err" &
  lg=$!
  # The server's threads, sampled while loadgen runs (the most seen), and
  # its peak memory (VmHWM: the most resident memory it ever had) at the end.
  while kill -0 "$lg" 2>/dev/null; do
    t=$(sed -n 's/^Threads:[[:space:]]*//p' "/proc/$PID/status" 2>/dev/null || true)
    if [ -n "$t" ] && [ "$t" -gt "$threads" ]; then threads=$t; fi
    sleep 0.2
  done
  wait "$lg" || true
  hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$PID/status" 2>/dev/null || true)
  line=$(grep '^loadgen: mode=' "$tmp/report.txt" || true)
  [ -n "$line" ] || line="loadgen: failed=1"
  line="$line vmhwm_kb=${hwm:-0} threads=$threads"
  RESULTS+=("$table|$server|$note|$*|$line")
  if [ -n "${KEEP:-}" ]; then
    # The whole report, for the book, with the random port shown as the
    # lesson's own.
    sed -E "s/127\.0\.0\.1:$PORT\b/127.0.0.1:$KEEP_PORT/g" "$tmp/report.txt" >"$(dirname "$out")/$KEEP.txt"
  fi
}

# case TABLE SERVER_LABEL NOTE "SERVER COMMAND" LOADGEN_ARGS...
one_case() {
  local table=$1 label=$2 note=$3 cmd=$4
  shift 4
  # shellcheck disable=SC2086 # the command is split into words on purpose
  start server $cmd
  measure "$table" "$label" "$note" "$@"
  stop
}

d=${secs}s
el=${SERVER[echo-loop]:-}
te=${SERVER[threaded-echo]:-}
ue=${SERVER[udp-echo]:-}
ev=${SERVER[event-loop]:-}
# threaded-echo refuses clients over --max-clients (64 by default): allow
# the 216 connections of the idle case.
te_flags="--max-clients 1000"

# Round trips of 64-byte messages, 1, 16 and 64 clients.
for n in 1 16 64; do
  # The two 16-client reports are kept whole for the book.
  [ "$n" = 16 ] && KEEP=echo-loop-16 KEEP_PORT=9999
  has echo-loop && one_case rt echo-loop "" "$el --port 0 -q" --clients "$n" --duration "$d"
  [ "$n" = 16 ] && KEEP=threaded-echo-16 KEEP_PORT=3333
  has threaded-echo && one_case rt threaded-echo "" "$te --port 0 -q $te_flags" --mode line --clients "$n" --duration "$d"
  KEEP=""
  has event-loop && one_case rt event-loop "" "$ev --port 0 -q" --mode line --clients "$n" --duration "$d"
  one_case rt "baseline (Rust std)" "" "$BASELINE --port 0 -q" --clients "$n" --duration "$d"
  if [ -n "$TOKIO" ]; then one_case rt "baseline (tokio)" "" "$TOKIO 0" --clients "$n" --duration "$d"; fi
done
if command -v python3 >/dev/null 2>&1; then
  one_case rt "baseline (Python)" "" "python3 $PY_BASELINE 0" --clients 16 --duration "$d"
fi
# 16 active clients while 200 idle connections stay open.
has echo-loop && one_case rt echo-loop "" "$el --port 0 -q" --clients 16 --idle 200 --duration "$d"
has threaded-echo && one_case rt threaded-echo "" "$te --port 0 -q $te_flags" --mode line --clients 16 --idle 200 --duration "$d"
one_case rt "baseline (Rust std)" "" "$BASELINE --port 0 -q" --clients 16 --idle 200 --duration "$d"

# 16 active clients while 0, 1,000 and 9,900 idle connections stay open:
# where one thread per client stops scaling, and what one thread for all
# costs instead. Why 9,900 and not 10,000: threaded-echo takes at most
# 10,000 clients (--max-clients), and the 16 active ones and loadgen's test
# connection need room too; and while loadgen opens the idle connections it
# holds two file descriptors for each, so 10,000 would need a hard limit
# (ulimit -Hn) above 20,000.
for idle in 0 1000 9900; do
  has event-loop && one_case idle event-loop "" "$ev --port 0 -q" --mode line --clients 16 --idle "$idle" --duration "$d"
  has threaded-echo && one_case idle threaded-echo "" "$te --port 0 -q --max-clients 10000" --mode line --clients 16 --idle "$idle" --duration "$d"
  if [ -n "$TOKIO" ]; then one_case idle "baseline (tokio)" "" "$TOKIO 0" --mode line --clients 16 --idle "$idle" --duration "$d"; fi
  if command -v python3 >/dev/null 2>&1; then
    one_case idle "baseline (Python)" "" "python3 $PY_BASELINE 0" --mode line --clients 16 --idle "$idle" --duration "$d"
  fi
  has echo-loop && one_case idle echo-loop "" "$el --port 0 -q" --mode line --clients 16 --idle "$idle" --duration "$d"
done

# The target (the event loop at least 0.9x threaded-echo's round trips with
# 9,900 idle connections) swings by 10% from one run to the next on a shared
# machine, so the two servers take two more turns, one after the other, and
# the ratio is the median of three.
for round in 2 3; do
  has event-loop && one_case again event-loop "round $round" "$ev --port 0 -q" --mode line --clients 16 --idle 9900 --duration "$d"
  has threaded-echo && one_case again threaded-echo "round $round" "$te --port 0 -q --max-clients 10000" --mode line --clients 16 --idle 9900 --duration "$d"
done
# The same case with the cores split: the server on core 0, loadgen on core 1.
# Now the clients that the server wakes cannot take the server's core.
if command -v taskset >/dev/null 2>&1 && [ "$cores" -ge 2 ]; then
  PIN=(taskset -c 1)
  has event-loop && one_case split event-loop "core 0" "taskset -c 0 $ev --port 0 -q" --mode line --clients 16 --idle 9900 --duration "$d"
  has threaded-echo && one_case split threaded-echo "core 0" "taskset -c 0 $te --port 0 -q --max-clients 10000" --mode line --clients 16 --idle 9900 --duration "$d"
  PIN=()
fi

# One client, with both processes pinned to one core, then to two: on a
# virtual machine, waking a process on an idle core is slow.
if command -v taskset >/dev/null 2>&1 && [ "$cores" -ge 2 ]; then
  PIN=(taskset -c 0)
  has echo-loop && one_case pin echo-loop "one core" "taskset -c 0 $el --port 0 -q" --duration "$d"
  has threaded-echo && one_case pin threaded-echo "one core" "taskset -c 0 $te --port 0 -q" --mode line --duration "$d"
  one_case pin "baseline (Rust std)" "one core" "taskset -c 0 $BASELINE --port 0 -q" --duration "$d"
  PIN=(taskset -c 1)
  one_case pin "baseline (Rust std)" "two cores" "taskset -c 0 $BASELINE --port 0 -q" --duration "$d"
  PIN=()
fi

# What logging each message costs: the same run with and without -q. The
# server's log goes to a file here; a terminal is slower still.
if has echo-loop; then
  one_case quiet echo-loop "-q" "$el --port 0 -q" --clients 16 --duration "$d"
  one_case quiet echo-loop "logging (no -q)" "$el --port 0" --clients 16 --duration "$d"
fi
if has threaded-echo; then
  one_case quiet threaded-echo "-q" "$te --port 0 -q $te_flags" --mode line --clients 16 --duration "$d"
  one_case quiet threaded-echo "logging (no -q)" "$te --port 0 $te_flags" --mode line --clients 16 --duration "$d"
fi

# UDP datagrams.
for n in 1 16; do
  has udp-echo && one_case udp udp-echo "" "$ue --port 0 -q" --mode udp --clients "$n" --duration "$d"
  one_case udp "baseline (Rust std)" "" "$BASELINE --udp --port 0 -q" --mode udp --clients "$n" --duration "$d"
done

# Streaming through one connection: --buffer is the server's bytes per recv().
if has echo-loop; then
  one_case stream echo-loop "--buffer 1024 (default)" "$el --port 0 -q" --stream "$stream"
  if has_flag echo-loop --buffer; then
    one_case stream echo-loop "--buffer 65536" "$el --port 0 -q --buffer 65536" --stream "$stream"
  fi
fi
if has threaded-echo; then
  one_case stream threaded-echo "default" "$te --port 0 -q" --mode line --stream "$stream"
  if has_flag threaded-echo --buffer; then
    one_case stream threaded-echo "--buffer 65536" "$te --port 0 -q --buffer 65536" --mode line --stream "$stream"
  fi
fi
one_case stream "baseline (Rust std)" "--buffer 1024" "$BASELINE --port 0 -q" --stream "$stream"
one_case stream "baseline (Rust std)" "--buffer 65536" "$BASELINE --port 0 -q --buffer 65536" --stream "$stream"

# iperf3, if installed: a one-way stream on loopback, the ceiling.
iperf_mb=""
if command -v iperf3 >/dev/null 2>&1; then
  say "iperf3: one-way stream on loopback for $d"
  iport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  iperf3 -s -1 -B 127.0.0.1 -p "$iport" >"$tmp/iperf3-server.txt" 2>&1 &
  PIDS+=("$!")
  for _ in $(seq 1 100); do
    grep -q "Server listening" "$tmp/iperf3-server.txt" && break
    sleep 0.05
  done
  if iperf3 -c 127.0.0.1 -p "$iport" -t "$secs" -J >"$tmp/iperf3.json" 2>/dev/null; then
    iperf_mb=$(python3 -c 'import json, sys; print("%.1f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 8e6))' <"$tmp/iperf3.json")
  fi
fi

# ---- the tables -------------------------------------------------------------
# get LINE KEY: the value of KEY=... in a machine-readable line.
get() {
  local kv
  for kv in $1; do
    if [ "${kv%%=*}" = "$2" ]; then
      echo "${kv#*=}"
      return
    fi
  done
}
# 131024 -> 131,024
int() { awk -v n="${1:-0}" 'BEGIN { s = sprintf("%.0f", n); o = ""; while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) } print s o }'; }
# microseconds -> "11.2 µs", "340 µs", "2.1 ms", "2.00 s"
lat() {
  awk -v u="${1:-0}" 'BEGIN {
    if (u < 100) printf "%.1f µs", u; else if (u < 1000) printf "%.0f µs", u;
    else if (u < 1e6) printf "%.1f ms", u / 1000; else printf "%.2f s", u / 1e6 }'
}
# The error count, and its kinds: "0", or "30 (timeout 30)".
errs() {
  local line=$1 kv kinds=""
  [ -n "$(get "$line" failed)" ] && { echo "loadgen failed"; return; }
  for kv in $line; do
    case "$kv" in err_*=*) kinds="$kinds${kinds:+, }${kv#err_}" ;; esac
  done
  kinds=${kinds//=/ }
  echo "$(int "$(get "$line" errors)")${kinds:+ ($kinds)}"
}
# value TABLE SERVER NOTE KEY [EXTRA_ARG_MATCH]: a figure from an earlier row.
value() {
  local r
  for r in "${RESULTS[@]}"; do
    IFS='|' read -r t s n a l <<<"$r"
    if [ "$t" = "$1" ] && [ "$s" = "$2" ] && [ "$n" = "$3" ] && [[ "$a" == *"${5:-}"* ]]; then
      get "$l" "$4"
      return
    fi
  done
}
# KiB -> "12.3 MB"
mb() { awk -v k="${1:-0}" 'BEGIN { printf "%.1f MB", k * 1024 / 1e6 }'; }
# idle_rows TABLE: the rows of a table of runs with idle connections; the
# idle column only where the table has more than one number of them.
idle_rows() {
  local r t s n a l idle
  for r in "${RESULTS[@]}"; do
    IFS='|' read -r t s n a l <<<"$r"
    [ "$t" = "$1" ] || continue
    idle=""
    [ "$1" = idle ] && idle=" $(int "$(get "$l" idle)") |"
    echo "| $s |$idle $(int "$(get "$l" rps)") | $(lat "$(get "$l" p99_us)") | $(errs "$l") | $(int "$(get "$l" idle_answered)") | $(mb "$(get "$l" vmhwm_kb)") | $(int "$(get "$l" threads)") |"
  done
}
# round_rps SERVER ROUND: round trips/s of one of the three 9,900-idle rounds.
round_rps() {
  if [ "$2" = 1 ]; then value idle "$1" "" rps "--idle 9900"; else value again "$1" "round $2" rps; fi
}
ratio() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }

{
  echo "<!-- Generated by scripts/bench.sh$([ "$quick" = 1 ] && echo ' --quick'). Do not edit: run the script again. -->"
  echo
  echo "Measured $when on this machine: $cores cores (\`nproc\`), $cpu, $kernel, $rust."
  echo "Client and server share the cores. The load average before the run was $load_before"
  echo "(1, 5 and 15 minutes; the run itself then adds to it). Other people's programs"
  echo "share the machine, so expect noise. Each case ran for $secs s against a freshly"
  echo "started server; messages are 64 bytes."
  echo
  echo "### Round trips"
  echo
  echo "| server | clients | idle | round trips/s | p50 | p99 | max | clients served | fewest per client | errors |"
  echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|---|"
  for r in "${RESULTS[@]}"; do
    IFS='|' read -r t s n a l <<<"$r"
    [ "$t" = rt ] || continue
    idle=$(get "$l" idle)
    [ "${idle:-0}" -gt 0 ] && idle="$idle, $(get "$l" idle_answered) answered after"
    echo "| $s | $(get "$l" clients) | $idle | $(int "$(get "$l" rps)") | $(lat "$(get "$l" p50_us)") | $(lat "$(get "$l" p99_us)") | $(lat "$(get "$l" max_us)") | $(get "$l" served) of $(get "$l" clients) | $(int "$(get "$l" min_per_client)") | $(errs "$l") |"
  done
  echo
  echo "### Many idle connections, 16 active clients"
  echo
  echo "Peak memory is the server's \`VmHWM\` after the run (the most resident memory it"
  echo "ever had); threads, the most that its \`/proc/PID/status\` showed during the run."
  echo "The most idle connections is 9,900: threaded-echo's \`--max-clients\` stops at 10,000,"
  echo "and the 16 active clients and loadgen's test connection need room too."
  echo
  echo "| server | idle | round trips/s | p99 | errors | idle answered after | peak memory | threads |"
  echo "|---|--:|--:|--:|---|--:|--:|--:|"
  idle_rows idle
  echo
  echo "### Event loop and threads, 9,900 idle connections, three rounds"
  echo
  echo "Round 1 is the table above; rounds 2 and 3 ran after it, the two servers in turn."
  echo
  echo "| round | event-loop round trips/s | threaded-echo round trips/s | event-loop / threaded-echo |"
  echo "|--:|--:|--:|--:|"
  for round in 1 2 3; do
    a=$(round_rps event-loop "$round"); b=$(round_rps threaded-echo "$round")
    [ -n "$a" ] && [ -n "$b" ] && echo "| $round | $(int "$a") | $(int "$b") | $(ratio "$a" "$b") |"
  done
  echo
  echo "### Event loop and threads, 9,900 idle connections, each on its own core"
  echo
  echo "The server runs on core 0 (\`taskset -c 0\`) and loadgen on core 1 (\`taskset -c 1\`)."
  echo
  echo "| server | round trips/s | p99 | errors | idle answered after | peak memory | threads |"
  echo "|---|--:|--:|---|--:|--:|--:|"
  idle_rows split
  echo
  echo "### One client: one core or two"
  echo
  echo "| server | client and server on | round trips/s | p50 | p99 | max | errors |"
  echo "|---|---|--:|--:|--:|--:|---|"
  for r in "${RESULTS[@]}"; do
    IFS='|' read -r t s n a l <<<"$r"
    [ "$t" = pin ] || continue
    echo "| $s | $n | $(int "$(get "$l" rps)") | $(lat "$(get "$l" p50_us)") | $(lat "$(get "$l" p99_us)") | $(lat "$(get "$l" max_us)") | $(errs "$l") |"
  done
  echo
  echo "### What logging each message costs (16 clients)"
  echo
  echo "| server | logging | round trips/s | p50 | p99 | errors |"
  echo "|---|---|--:|--:|--:|---|"
  for r in "${RESULTS[@]}"; do
    IFS='|' read -r t s n a l <<<"$r"
    [ "$t" = quiet ] || continue
    echo "| $s | $n | $(int "$(get "$l" rps)") | $(lat "$(get "$l" p50_us)") | $(lat "$(get "$l" p99_us)") | $(errs "$l") |"
  done
  echo
  echo "### UDP datagrams"
  echo
  echo "| server | clients | round trips/s | p50 | p99 | max | errors |"
  echo "|---|--:|--:|--:|--:|--:|---|"
  for r in "${RESULTS[@]}"; do
    IFS='|' read -r t s n a l <<<"$r"
    [ "$t" = udp ] || continue
    echo "| $s | $(get "$l" clients) | $(int "$(get "$l" rps)") | $(lat "$(get "$l" p50_us)") | $(lat "$(get "$l" p99_us)") | $(lat "$(get "$l" max_us)") | $(errs "$l") |"
  done
  echo
  echo "### Streaming $stream through one connection"
  echo
  echo "Every byte goes to the server and back, and loadgen checks each one."
  echo
  echo "| server | server's buffer | MB/s | seconds | errors |"
  echo "|---|---|--:|--:|---|"
  for r in "${RESULTS[@]}"; do
    IFS='|' read -r t s n a l <<<"$r"
    [ "$t" = stream ] || continue
    echo "| $s | $n | $(get "$l" mb_per_s) | $(get "$l" stream_secs) | $(errs "$l") |"
  done
  if [ -n "$iperf_mb" ]; then
    echo "| iperf3 (one way, no echo) | | $iperf_mb | $secs | |"
  fi
  echo
  echo "### Ratios"
  echo
  te16=$(value rt threaded-echo "" rps "--clients 16 --duration")
  bl16=$(value rt "baseline (Rust std)" "" rps "--clients 16 --duration")
  py16=$(value rt "baseline (Python)" "" rps "--clients 16")
  tk16=$(value rt "baseline (tokio)" "" rps "--clients 16 --duration")
  el64k=$(value stream echo-loop "--buffer 65536" mb_per_s)
  el1k=$(value stream echo-loop "--buffer 1024 (default)" mb_per_s)
  elq=$(value quiet echo-loop "-q" rps)
  ellog=$(value quiet echo-loop "logging (no -q)" rps)
  teq=$(value quiet threaded-echo "-q" rps)
  telog=$(value quiet threaded-echo "logging (no -q)" rps)
  ev10k=$(value idle event-loop "" rps "--idle 9900")
  te10k=$(value idle threaded-echo "" rps "--idle 9900")
  evmem=$(value idle event-loop "" vmhwm_kb "--idle 9900")
  temem=$(value idle threaded-echo "" vmhwm_kb "--idle 9900")
  everr=$(value idle event-loop "" errors "--idle 9900")
  if [ -n "$ev10k" ] && [ -n "$te10k" ]; then
    rounds=""
    for round in 1 2 3; do
      a=$(round_rps event-loop "$round"); b=$(round_rps threaded-echo "$round")
      [ -n "$a" ] && [ -n "$b" ] && rounds="$rounds${rounds:+ }$(ratio "$a" "$b")"
    done
    median=$(tr ' ' '\n' <<<"$rounds" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
    echo "* event-loop / threaded-echo, round trips with 9,900 idle connections, the median of $(wc -w <<<"$rounds") rounds ($(sed 's/ /, /g' <<<"$rounds")): **$median** (target: at least 0.9)"
    evs=$(value split event-loop "core 0" rps); tes=$(value split threaded-echo "core 0" rps)
    [ -n "$evs" ] && [ -n "$tes" ] && echo "* the same, each on its own core (server on core 0, loadgen on core 1): **$(ratio "$evs" "$tes")**"
    echo "* event-loop / threaded-echo, peak memory with 9,900 idle connections: **$(ratio "$evmem" "$temem")** (target: at most 0.25)"
    echo "* event-loop errors with 9,900 idle connections: **${everr:-?}** (target: 0)"
  fi
  echo "* threaded-echo \`-q\` at 16 clients / the Rust baseline: **$(ratio "$te16" "$bl16")**"
  [ -n "$tk16" ] && echo "* threaded-echo \`-q\` at 16 clients / tokio's echo: **$(ratio "$te16" "$tk16")**"
  [ -n "$py16" ] && echo "* the Python baseline at 16 clients / the Rust baseline: $(ratio "$py16" "$bl16")"
  [ -n "$el64k" ] && echo "* echo-loop streaming, \`--buffer 65536\` / \`--buffer 1024\`: $(ratio "$el64k" "$el1k")"
  [ -n "$el64k" ] && [ -n "$iperf_mb" ] && echo "* echo-loop streaming with \`--buffer 65536\` / iperf3: $(ratio "$el64k" "$iperf_mb")"
  [ -n "$ellog" ] && echo "* echo-loop logging every message / with \`-q\`: $(ratio "$ellog" "$elq")"
  [ -n "$telog" ] && echo "* threaded-echo logging every message / with \`-q\`: $(ratio "$telog" "$teq")"
  echo
  echo "<details><summary>The exact loadgen runs and what they printed</summary>"
  echo
  echo '```text'
  for r in "${RESULTS[@]}"; do
    IFS='|' read -r t s n a l <<<"$r"
    echo "# $s${n:+ ($n)}: loadgen $a"
    echo "$l"
  done
  echo '```'
  echo
  echo "</details>"
} >"$out"
say "wrote $out"

# ---- the chart ----------------------------------------------------------------
# Round trips per second and peak memory against idle connections, one line
# per server, as an SVG file the book shows next to the table.
for r in "${RESULTS[@]}"; do
  IFS='|' read -r t s n a l <<<"$r"
  [ "$t" = idle ] || continue
  printf '%s\t%s\t%s\t%s\n' "$s" "$(get "$l" idle)" "$(get "$l" rps)" "$(get "$l" vmhwm_kb)"
done >"$tmp/idle.tsv"
if [ -s "$tmp/idle.tsv" ] && command -v python3 >/dev/null 2>&1; then
  python3 - "$tmp/idle.tsv" "$svg" "$when, $cores cores" <<'PY'
import html, sys

rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1], encoding="utf-8")]
out, note = sys.argv[2], sys.argv[3]
levels = [0, 1000, 9900]

def level(idle):
    return min(range(3), key=lambda i: abs(levels[i] - int(idle or 0)))

series = {}
for server, idle, rps, kb in rows:
    series.setdefault(server, {})[level(idle)] = (float(rps or 0), float(kb or 0) * 1024 / 1e6)
colors = {"event-loop": "#d62728", "threaded-echo": "#1f77b4", "baseline (tokio)": "#2ca02c",
          "baseline (Python)": "#9467bd", "echo-loop": "#7f7f7f"}
W, H, top, left, pw, ph = 780, 360, 50, 70, 290, 210

def nice(v):  # the top of the axis: a round number just above v
    step = 1
    while step * 10 <= v:
        step *= 10
    return next(m * step for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if v <= m * step)

def fmt(v):
    return f"{v / 1000:g}k" if v >= 1000 else f"{v:g}"

parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
         'font-family="sans-serif" font-size="12">', f'<rect width="{W}" height="{H}" fill="white"/>']
for p, (title, k) in enumerate([("round trips per second (16 active clients)", 0), ("peak memory, MB (VmHWM)", 1)]):
    x0 = left + p * (pw + 90)
    ymax = nice(max([v[k] for s in series.values() for v in s.values()] + [1]))
    parts.append(f'<text x="{x0 + pw / 2}" y="{top - 20}" text-anchor="middle" font-weight="bold">{title}</text>')
    for i in range(6):
        y = top + ph - ph * i / 5
        parts.append(f'<line x1="{x0}" y1="{y}" x2="{x0 + pw}" y2="{y}" stroke="#ddd"/>')
        parts.append(f'<text x="{x0 - 6}" y="{y + 4}" text-anchor="end">{fmt(ymax * i / 5)}</text>')
    for i, lv in enumerate(levels):
        x = x0 + 20 + i * (pw - 40) / 2
        parts.append(f'<text x="{x}" y="{top + ph + 18}" text-anchor="middle">{lv:,}</text>')
    parts.append(f'<text x="{x0 + pw / 2}" y="{top + ph + 36}" text-anchor="middle">idle connections</text>')
    for server, points in series.items():
        color = colors.get(server, "#000")
        xy = [(x0 + 20 + i * (pw - 40) / 2, top + ph - ph * v[k] / ymax) for i, v in sorted(points.items())]
        parts.append('<polyline fill="none" stroke-width="2" stroke="%s" points="%s"/>'
                     % (color, " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)))
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{color}"/>' for x, y in xy]
for i, server in enumerate(series):
    x = left + i * 145
    parts.append(f'<rect x="{x}" y="{H - 32}" width="14" height="4" fill="{colors.get(server, "#000")}"/>')
    parts.append(f'<text x="{x + 20}" y="{H - 26}">{html.escape(server)}</text>')
parts.append(f'<text x="{W - 8}" y="{H - 8}" text-anchor="end" fill="#666" font-size="10">'
             f'scripts/bench.sh, {html.escape(note)}</text>')
parts.append("</svg>")
open(out, "w", encoding="utf-8").write("\n".join(parts) + "\n")
PY
  say "wrote $svg"
fi
[ "$quick" = 1 ] && cat "$out"
exit 0
