#!/usr/bin/env bash
# Build the bluetooth-rfcomm lesson's `server` and `client` as static binaries
# and run the RFCOMM checks (guest/rfcomm-echo.sh) on them in the bt-vm.
#
#   scripts/bt-vm/test-lesson.sh [run.sh options...]
#   e.g. scripts/bt-vm/test-lesson.sh --env "CHECKS=lines big"
#
# By default it runs every check, LESSON_CHECKS below: the harness's default
# ones, those a plain C echo pair need not pass (SIGTERM, Ctrl-C on a busy
# server and on a client, a 100 KB line), interop with the tutorial's own
# Python programs (crates/bluetooth-rfcomm/tests/peers/, run by Debian's
# python3 in the guest: run.sh --python), and the bare pair of Step 1
# (examples/CRATE-bare-server.rs and -client.rs, put in the guest's /test/
# with --file), alone and with the Python peers. An --env CHECKS=... given
# here wins.
#
# --transcript (first argument) runs guest/transcript.sh instead of the
# checks: it prints the runs the chapter shows (scripts/book-output/bluetooth-rfcomm.sh).
#
# Environment: BT_VM_CRATE (default bluetooth-rfcomm), BT_VM_PROFILE (cargo
# profile, default dev), BT_VM_CACHE (as for run.sh).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${BT_VM_CACHE:-$REPO/target/bt-vm}
CRATE=${BT_VM_CRATE:-bluetooth-rfcomm}
PROFILE=${BT_VM_PROFILE:-dev}
TARGET=x86_64-unknown-linux-gnu
SCRIPT=$HERE/guest/rfcomm-echo.sh
if [ "${1:-}" = --transcript ]; then
    SCRIPT=$HERE/guest/transcript.sh
    shift
fi

# Static glibc binaries need nothing from the guest but a kernel (the
# examples too: --examples builds the bare pair). An explicit
# --target matters: with it, RUSTFLAGS reach only the target binaries, not the
# build scripts and proc macros (which cannot be linked +crt-static). The
# separate target dir keeps this build from invalidating the normal one.
echo "bt-vm: building $CRATE ($PROFILE, static) into $CACHE/cargo" >&2
RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
    cargo build --manifest-path "$REPO/Cargo.toml" -p "$CRATE" --bins --examples \
    --profile "$PROFILE" --target "$TARGET" --target-dir "$CACHE/cargo" >&2

case $PROFILE in dev) dir=debug ;; *) dir=$PROFILE ;; esac
BIN=$CACHE/cargo/$TARGET/$dir
for b in server client; do
    [ -x "$BIN/$b" ] || { echo "bt-vm: $CRATE has no binary '$b' ($BIN/$b)" >&2; exit 2; }
done
# "unused" first: a refusal right after other connections can take ~30 s.
LESSON_CHECKS="unused lines big long binary any bad_addr sigint quiet sigint_busy sigterm client_sigint py_client py_server bare bare_py_client bare_py_server"
# The tutorial's own Python programs, for the interop checks (py_*), and
# the bare pair (bare*), as files in the guest's /test/.
PEERS=$REPO/crates/$CRATE/tests/peers
PEER_FILES=()
for f in "$PEERS"/*.py "$BIN/examples/$CRATE-bare-server" "$BIN/examples/$CRATE-bare-client"; do
    [ -f "$f" ] && PEER_FILES+=(--file "$f")
done
exec "$HERE/run.sh" --python ${PEER_FILES[@]+"${PEER_FILES[@]}"} --env "CHECKS=$LESSON_CHECKS" \
    --env "BARE_SERVER=/test/$CRATE-bare-server" --env "BARE_CLIENT=/test/$CRATE-bare-client" "$@" \
    "$BIN/server" "$BIN/client" "$SCRIPT"
