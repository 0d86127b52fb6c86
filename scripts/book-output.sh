#!/usr/bin/env bash
# Regenerates the program output the book shows (docs/src/output/) from real
# runs, so the book never shows output typed by hand.
#
#   scripts/book-output.sh                    # rewrite every file
#   scripts/book-output.sh --check            # fail if a committed file differs
#   scripts/book-output.sh [--check] oneshot  # only some sections
#
# A section is a file scripts/book-output/NAME.sh that defines a function
# NAME (with _ for -) and writes files named NAME-*.txt into $new. The
# helpers they share (start a server on --port 0, wait for a log line, mask
# the ports) are in scripts/book-output/lib.sh.
#
# Each lesson runs on --port 0; the real ports are then masked: the server's
# port becomes the lesson's default, and the clients' ports become 50000,
# 50001, ... in the order they first appear in a file. So the files stay the
# same from run to run and match what a student sees.
#
# Where two programs could race (two clients of one server, a Ctrl-C in the
# middle of a conversation), a section waits for a line in a log before the
# next step, so every run prints the same lines in the same order.
#
# The bluetooth-rfcomm section runs in a VM (scripts/bt-vm/): it needs root
# and QEMU (run.sh installs QEMU when it is missing), and fails when the VM
# cannot run.
#
# The binaries are taken from $CARGO_TARGET_DIR/debug (default target/debug).
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/src/output
bin=${CARGO_TARGET_DIR:-target}/debug
check=0
if [ "${1:-}" = "--check" ]; then
  check=1
  shift
fi
# The order the sections run in when none is named.
all=(concepts oneshot echo-loop threaded-echo periodic-hello udp-echo bluetooth-rfcomm event-loop troubleshooting packets bench)
sections=("$@")
if [ ${#sections[@]} = 0 ]; then
  for s in "${all[@]}"; do
    [ -f "scripts/book-output/$s.sh" ] && sections+=("$s")
  done
fi
# English hints and UTF-8 text, whatever the machine's locale; a section
# that shows the Korean hints sets LANG=ko_KR.UTF-8 on that one command.
export LANG=C.UTF-8
unset LC_ALL LC_MESSAGES LANGUAGE
tmp=$(mktemp -d)
new=$tmp/new # the finished files
mkdir "$new"
# On any exit, stop what this script started and still runs.
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT

# shellcheck source=book-output/lib.sh
. scripts/book-output/lib.sh
for s in "${sections[@]}"; do
  if [ ! -f "scripts/book-output/$s.sh" ]; then
    echo "book-output: no section $s (scripts/book-output/$s.sh)" >&2
    exit 2
  fi
  # shellcheck source=/dev/null
  . "scripts/book-output/$s.sh"
  "${s//-/_}"
done

mkdir -p "$out"
status=0
for f in "$new"/*.txt; do
  [ -e "$f" ] || continue
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
# A committed file of these sections that no run wrote any more (renamed or gone).
for f in "$out"/*.txt; do
  name=$(basename "$f")
  [ -e "$new/$name" ] && continue
  for s in "${sections[@]}"; do
    case $name in "$s"-*.txt | "$s".txt)
      echo "book-output: no run writes $out/$name any more: delete it (and its {{#include}})" >&2
      status=1 ;;
    esac
  done
done
[ $check = 1 ] && [ $status = 0 ] && echo "book-output: every output file of ${sections[*]} matches a fresh run"
exit $status
