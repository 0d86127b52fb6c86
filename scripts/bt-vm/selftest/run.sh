#!/usr/bin/env bash
# Self-test of the bt-vm harness with a throwaway C RFCOMM echo pair:
#   1. the phase-2 checks pass against a server that serves clients forever,
#   2. ... and against one that exits 0 after each client,
#   3. a server that corrupts its echoes makes the harness FAIL (exit 1),
#      i.e. the harness really detects failures.
# Usage: scripts/bt-vm/selftest/run.sh [extra run.sh options...]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
OUT=${BT_VM_CACHE:-$REPO/target/bt-vm}/selftest
mkdir -p "$OUT"

command -v gcc >/dev/null || { echo "selftest: gcc is needed (apt-get install gcc libc6-dev)" >&2; exit 2; }
# One static binary; it picks its role from its name (/test/server, /test/client).
gcc -static -O2 -Wall -Wextra -Werror -o "$OUT/rfcomm-echo" "$HERE/rfcomm-echo.c"
BIN=$OUT/rfcomm-echo

t0=$(date +%s)
echo "selftest 1/3: persistent server, all checks"
"$HERE/../run.sh" "$@" --env "CHECKS=unused lines big binary any bad_addr sigint sigint_busy" "$BIN" "$BIN"

echo "selftest 2/3: server that exits after each client"
"$HERE/../run.sh" "$@" --env RFCOMM_ECHO_ONCE=1 "$BIN" "$BIN"

echo "selftest 3/3: corrupting server must make the harness fail"
if "$HERE/../run.sh" "$@" --quiet --env RFCOMM_ECHO_CORRUPT=1 --env "CHECKS=lines big" "$BIN" "$BIN" 2>"$OUT/negative.log"; then
    echo "selftest: FAIL: the harness passed a server that corrupts data" >&2
    exit 1
fi
grep -q 'FAIL big' "$OUT/negative.log" && grep -q 'FAIL lines' "$OUT/negative.log" || {
    cat "$OUT/negative.log" >&2; echo "selftest: FAIL: the negative run failed for the wrong reason" >&2; exit 1; }
echo "selftest: negative run failed as it should:"
grep -E '^(FAIL|     (expected|got))' "$OUT/negative.log" | head -8 | sed 's/^/  /'
echo "selftest: 3 passed, 0 failed ($(( $(date +%s) - t0 ))s)"
