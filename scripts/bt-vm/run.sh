#!/usr/bin/env bash
# Boot a throwaway QEMU VM with two emulated Bluetooth controllers and run an
# RFCOMM test inside it.
#
#   scripts/bt-vm/run.sh [options] SERVER_BIN CLIENT_BIN [TEST_SCRIPT]
#
# Exit status: 0 only when the guest reported success; 1 when the test failed
# or the VM misbehaved (timeout, kernel panic, no report); 2 for bad usage or a
# host setup problem. The serial console is streamed to stdout and kept in a
# log file whose path is printed at the end.
#
# Why a VM: RFCOMM needs Bluetooth controllers. The kernel's hci_vhci driver
# plus BlueZ's `btvirt` give two virtual controllers that can page each other,
# but loading kernel modules on the host (or a CI machine) is neither possible
# nor wanted, so the whole exchange happens in a guest kernel under QEMU/TCG.
# Nothing leaves the VM: it has no network device at all (-nodefaults).
#
# See README.md in this directory for the guest-side conventions.
set -euo pipefail
# set -e alone fails silently: say which command failed.
# shellcheck disable=SC2154  # st is assigned inside the trap string
trap 'st=$?; [[ $- != *e* ]] || echo "bt-vm: error: line $LINENO: \"$BASH_COMMAND\" failed (status $st)" >&2' ERR

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${BT_VM_CACHE:-$REPO/target/bt-vm}

usage() {
    cat <<EOF
usage: $0 [options] SERVER_BIN CLIENT_BIN [TEST_SCRIPT]
       $0 --prepare-only

  SERVER_BIN, CLIENT_BIN  host paths of the binaries; they appear in the guest
                          as /test/server and /test/client (static binaries are
                          best; dynamic ones get their libraries copied via ldd)
  TEST_SCRIPT             busybox-sh script run in the guest once hci0 and hci1
                          are up (default: $HERE/guest/rfcomm-echo.sh)

options:
  --timeout SECS     kill QEMU after SECS seconds (default 240)
  --env NAME=VALUE   export NAME=VALUE to the test script (repeatable)
  --file PATH        copy PATH into the guest's /test/ (repeatable)
  --smp N            guest CPUs (default 2; TCG runs one host thread per CPU)
  --bzimage          boot the compressed kernel instead of the extracted ELF
                     (slower; only for debugging the boot itself)
  --verbose-kernel   do not pass 'quiet' to the kernel
  --quiet            do not stream the console; print it only on failure
  --keep             keep the per-run work directory (initramfs tree)
  --python           also put Debian's python3 (python3.X-minimal, with
                     AF_BLUETOOTH support) in the guest, as \$PYTHON, to
                     run Python peers (about 3 MB more to download)
  --prepare-only     install/fetch/cache everything, then exit without booting

environment:
  BT_VM_CACHE        cache directory (default: <repo>/target/bt-vm)
  BT_VM_KERNEL_PKG   Debian kernel package to use (default: the newest
                     linux-image-6.1.0-N-amd64 that apt-cache knows)
EOF
}

log() { printf 'bt-vm: %s\n' "$*" >&2; }
die() { printf 'bt-vm: error: %s\n' "$*" >&2; exit 2; }

# ---------------------------------------------------------------- arguments
TIMEOUT=240
SMP=2
USE_BZIMAGE=0
KQUIET=quiet
QUIET=0
KEEP=0
PREPARE_ONLY=0
PYTHON=0
ENVS=()
FILES=()
POS=()
while [ $# -gt 0 ]; do
    case $1 in
        --timeout) TIMEOUT=${2:?}; shift 2 ;;
        --env) [[ ${2:-} == [A-Za-z_]*=* ]] || die "--env wants NAME=VALUE"; ENVS+=("$2"); shift 2 ;;
        --file) FILES+=("${2:?}"); shift 2 ;;
        --smp) SMP=${2:?}; shift 2 ;;
        --bzimage) USE_BZIMAGE=1; shift ;;
        --verbose-kernel) KQUIET=; shift ;;
        --quiet) QUIET=1; shift ;;
        --keep) KEEP=1; shift ;;
        --python) PYTHON=1; shift ;;
        --prepare-only) PREPARE_ONLY=1; shift ;;
        -h|--help) usage; exit 0 ;;
        --) shift; POS+=("$@"); break ;;
        -*) usage >&2; die "unknown option $1" ;;
        *) POS+=("$1"); shift ;;
    esac
done
if [ "$PREPARE_ONLY" = 0 ]; then
    [ ${#POS[@]} -ge 2 ] && [ ${#POS[@]} -le 3 ] || { usage >&2; exit 2; }
    SERVER_BIN=${POS[0]}
    CLIENT_BIN=${POS[1]}
    TEST_SCRIPT=${POS[2]:-$HERE/guest/rfcomm-echo.sh}
    for f in "$SERVER_BIN" "$CLIENT_BIN" "$TEST_SCRIPT" ${FILES[@]+"${FILES[@]}"}; do
        [ -f "$f" ] || die "no such file: $f"
    done
    [ -x "$SERVER_BIN" ] && [ -x "$CLIENT_BIN" ] || die "server and client must be executable"
fi

# ------------------------------------------------ 1. host tools (idempotent)
# Only QEMU and xz come from the host; everything that goes into the guest is
# unpacked from .deb files into the cache, so the host's own packages (and
# whatever busybox it may have) are left alone.
APT_UPDATED=0
apt_update_once() {
    if [ "$APT_UPDATED" = 0 ]; then
        log "apt-get update"
        apt-get update -qq >/dev/null
        APT_UPDATED=1
    fi
}
ensure_host_tools() {
    local missing=() cmd pkg
    for pair in qemu-system-x86_64:qemu-system-x86 xz:xz-utils ldd:libc-bin; do
        cmd=${pair%%:*}; pkg=${pair#*:}
        command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" = 0 ] || die "missing host packages (${missing[*]}); install them as root"
    log "installing host packages: ${missing[*]}"
    # The package lists may be absent on a fresh machine: update and retry once.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
        apt_update_once
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    }
}

# ------------------------------------------- 2. fetch and unpack guest parts
# Newest linux-image-6.1.0-N-amd64 known to apt (6.1 is what this harness was
# proven with; the module list below matches its config).
pick_kernel_pkg() {
    if [ -n "${BT_VM_KERNEL_PKG:-}" ]; then echo "$BT_VM_KERNEL_PKG"; return; fi
    local p
    p=$(apt-cache pkgnames linux-image-6.1.0- 2>/dev/null | grep -E '^linux-image-6\.1\.0-[0-9]+-amd64$' | sort -V | tail -1 || true)
    if [ -z "$p" ]; then
        apt_update_once
        p=$(apt-cache pkgnames linux-image-6.1.0- | grep -E '^linux-image-6\.1\.0-[0-9]+-amd64$' | sort -V | tail -1 || true)
    fi
    if [ -z "$p" ]; then
        # Offline with empty lists: fall back to whatever kernel is cached.
        p=$(ls "$CACHE/pkg" 2>/dev/null | sed -n 's/^\(linux-image-6\.1\.0-[0-9]*-amd64\)_.*/\1/p' | sort -V | tail -1)
    fi
    [ -n "$p" ] || die "no linux-image-6.1.0-*-amd64 package found via apt-cache"
    echo "$p"
}

# unpack PKG -> prints the directory it was unpacked into. Cached by package
# name + version, so a new Debian point release is picked up automatically and
# an unchanged one costs nothing.
declare -A CANDIDATE=()
# One apt-cache call for all packages (each call costs ~0.5 s).
load_candidates() {
    local line pkg=
    while IFS= read -r line; do
        case $line in
            [!\ ]*:) pkg=${line%:} ;;
            "  Candidate: "*) [ -n "$pkg" ] && CANDIDATE[$pkg]=${line#  Candidate: } ;;
        esac
    done < <(apt-cache policy "$@" 2>/dev/null)
}
unpack() {
    local pkg=$1 ver dir deb
    ver=${CANDIDATE[$pkg]:-}
    if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
        apt_update_once
        ver=$(apt-cache policy "$pkg" 2>/dev/null | sed -n 's/^  Candidate: //p')
    fi
    if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
        # Not known to apt right now: reuse any cached unpack of it.
        dir=$(ls -d "$CACHE/pkg/${pkg}_"* 2>/dev/null | sort -V | tail -1 || true)
        [ -n "$dir" ] && [ -e "$dir/.done" ] || die "package $pkg unknown to apt and not cached"
        echo "$dir"; return
    fi
    dir=$CACHE/pkg/${pkg}_${ver//:/%3a}
    if [ ! -e "$dir/.done" ]; then
        log "fetching $pkg $ver"
        rm -rf "$dir" "$CACHE/deb.tmp"
        mkdir -p "$CACHE/deb.tmp" "$dir"
        # apt-get download writes to the current directory; as root it warns
        # that the _apt user cannot write there, which is harmless.
        (cd "$CACHE/deb.tmp" && apt-get download -qq "$pkg=$ver" 2>&1 | grep -v "unsandboxed as root" >&2 || true)
        deb=$(ls "$CACHE"/deb.tmp/*.deb 2>/dev/null | head -1)
        [ -n "$deb" ] || die "apt-get download $pkg=$ver failed"
        dpkg -x "$deb" "$dir"
        rm -rf "$CACHE/deb.tmp"
        touch "$dir/.done"
    fi
    echo "$dir"
}

# Modules in load order (dependencies first; insmod does not resolve them).
# crypto ones are what hci_vhci/btvirt need for SMP/ECDH: without af_alg,
# algif_* , ecb and cmac, btvirt fails with "Failed to open Virtual HCI device".
MODULES="crc16 rfkill sha512_generic sha3_generic jitterentropy_rng ctr drbg ecc ecdh_generic cmac ecb af_alg algif_hash algif_skcipher bluetooth rfcomm hci_vhci"

prepare() {
    ensure_host_tools
    mkdir -p "$CACHE"
    local kpkg
    kpkg=$(pick_kernel_pkg)
    load_candidates "$kpkg" bluez bluez-test-tools busybox-static
    KDIR=$(unpack "$kpkg")
    BLUEZ=$(unpack bluez)
    BLUEZ_TT=$(unpack bluez-test-tools)
    BUSYBOX_DIR=$(unpack busybox-static)
    BUSYBOX=$BUSYBOX_DIR/bin/busybox
    [ -x "$BUSYBOX" ] || die "busybox-static has no bin/busybox"

    # Python for peers written in Python (the tutorials' programs). The host's
    # own python3 may lack AF_BLUETOOTH (pyenv builds usually do); Debian's
    # has it. python3.X-minimal has the interpreter, libpython3.X-minimal the
    # core library (socket, signal, encodings, ...), about 3 MB together.
    if [ "$PYTHON" = 1 ]; then
        local pyver pkg
        pyver=$(apt-cache depends python3-minimal 2>/dev/null | sed -n 's/.*Depends: python\(3\.[0-9]*\)-minimal$/\1/p' | head -1)
        [ -n "$pyver" ] || { apt_update_once; pyver=$(apt-cache depends python3-minimal | sed -n 's/.*Depends: python\(3\.[0-9]*\)-minimal$/\1/p' | head -1); }
        [ -n "$pyver" ] || die "cannot tell which python3.X-minimal package python3-minimal uses"
        load_candidates "python$pyver-minimal" "libpython$pyver-minimal"
        PY_BIN_DIR=$(unpack "python$pyver-minimal")
        PY_LIB_DIR=$(unpack "libpython$pyver-minimal")
        PY_VER=$pyver
        [ -x "$PY_BIN_DIR/usr/bin/python$pyver" ] || die "python$pyver-minimal has no usr/bin/python$pyver"
    fi

    KVER=$(ls "$KDIR/lib/modules" | head -1)
    VMLINUZ=$KDIR/boot/vmlinuz-$KVER
    [ -f "$VMLINUZ" ] || die "no kernel image in $KDIR"

    # The bzImage decompresses itself, which takes 10-20 s under TCG; QEMU can
    # boot the uncompressed ELF directly (the kernel has a PVH entry point),
    # which takes ~5 s. Same trick as the kernel's scripts/extract-vmlinux:
    # find the xz stream after the setup code and decompress it (xz complains
    # about the trailing bytes after the stream; that is expected).
    VMLINUX=$KDIR/vmlinux.elf
    if [ ! -s "$VMLINUX" ]; then
        log "extracting uncompressed kernel from $(basename "$VMLINUZ")"
        local off
        for off in $(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$VMLINUZ" | cut -d: -f1); do
            tail -c +$((off + 1)) "$VMLINUZ" | xz -dc > "$VMLINUX.tmp" 2>/dev/null || true
            if [ "$(head -c 4 "$VMLINUX.tmp" | od -An -c | tr -d ' ')" = '177ELF' ]; then
                mv "$VMLINUX.tmp" "$VMLINUX"; break
            fi
        done
        rm -f "$VMLINUX.tmp"
        [ -s "$VMLINUX" ] || { log "could not extract an ELF kernel; will boot the bzImage"; USE_BZIMAGE=1; }
    fi

    # Modules, decompressed on the host (busybox insmod in the guest may not
    # read .ko.xz, and decompressing under TCG is slow anyway).
    MODDIR=$KDIR/bt-vm-modules
    if [ ! -e "$MODDIR/.done" ]; then
        rm -rf "$MODDIR"; mkdir -p "$MODDIR"
        local m f
        for m in $MODULES; do
            f=$(find "$KDIR/lib/modules/$KVER" \( -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" \) | head -1)
            if [ -z "$f" ]; then
                # Built into this kernel? Then there is nothing to load.
                grep -q "/$m.ko\$" "$KDIR/lib/modules/$KVER/modules.builtin" 2>/dev/null && continue
                die "module $m not found in $kpkg"
            fi
            case $f in
                *.xz) xz -dc "$f" > "$MODDIR/$m.ko" ;;
                *.zst) zstd -qdc "$f" > "$MODDIR/$m.ko" ;;
                *) cp "$f" "$MODDIR/$m.ko" ;;
            esac
        done
        touch "$MODDIR/.done"
    fi
}

# Serialise cache updates between concurrent runs (the work dirs are per-run).
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
prepare
flock -u 9
if [ "$PREPARE_ONLY" = 1 ]; then
    log "prepared: kernel $KVER, cache $CACHE"
    exit 0
fi

# ---------------------------------------------------- 3. build the initramfs
mkdir -p "$CACHE/runs"
# Keep the 20 newest run directories (console logs of past runs), drop older.
find "$CACHE/runs" -maxdepth 1 -name 'run.*' -printf '%T@ %p\n' | sort -rn | tail -n +21 | cut -d' ' -f2- | xargs -r rm -rf
WORK=$(mktemp -d "$CACHE/runs/run.XXXXXX")
cleanup() { [ "$KEEP" = 1 ] || rm -rf "$WORK/root" "$WORK/initramfs.cpio"; }
trap cleanup EXIT
ROOT=$WORK/root
mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,test,lib/modules}

# copy_elf SRC DEST: copy a binary and, if it is dynamically linked, the
# libraries and loader ldd names for it (at the same absolute paths).
copy_elf() {
    local src=$1 dest=$2 lib
    install -m 0755 "$src" "$ROOT$dest"
    if ldd "$src" >/dev/null 2>&1; then
        if ldd "$src" | grep -q 'not found'; then
            ldd "$src" >&2; die "$src needs libraries the host does not have"
        fi
        for lib in $(ldd "$src" | grep -oE '/[^ ]+'); do
            [ -e "$ROOT$lib" ] && continue
            mkdir -p "$ROOT$(dirname "$lib")"
            cp -L "$lib" "$ROOT$lib"
        done
    fi
}

cp "$BUSYBOX" "$ROOT/bin/busybox"
copy_elf "$BLUEZ_TT/usr/bin/btvirt" /usr/bin/btvirt
copy_elf "$BLUEZ/bin/hciconfig" /usr/bin/hciconfig
if [ "$PYTHON" = 1 ]; then
    # The interpreter finds its library from its own path: /usr/bin/python3
    # -> /usr/lib/python3.X. Only the .py files: the few compiled modules
    # in lib-dynload need OpenSSL, which the peers do not use.
    copy_elf "$PY_BIN_DIR/usr/bin/python$PY_VER" /usr/bin/python3
    mkdir -p "$ROOT/usr/lib"
    (cd "$PY_LIB_DIR/usr/lib" && find "python$PY_VER" -name '*.py' -print0 | tar --null -T - -cf -) \
        | tar -xf - -C "$ROOT/usr/lib"
    # (an empty lib-dynload keeps Python from warning that it is missing)
    mkdir -p "$ROOT/usr/lib/python$PY_VER/lib-dynload"
fi
copy_elf "$SERVER_BIN" /test/server
copy_elf "$CLIENT_BIN" /test/client
cp "$MODDIR"/*.ko "$ROOT/lib/modules/"
echo "$MODULES" > "$ROOT/lib/modules/order"
install -m 0755 "$HERE/guest/init" "$ROOT/init"
cp "$HERE/guest/lib.sh" "$ROOT/test/lib.sh"
cp "$TEST_SCRIPT" "$ROOT/test/test.sh"
for f in ${FILES[@]+"${FILES[@]}"}; do cp "$f" "$ROOT/test/"; done
# Variables for the test script, one shell-quoted export per line.
: > "$ROOT/test/env"
[ "$PYTHON" = 1 ] && echo 'export PYTHON=/usr/bin/python3' >> "$ROOT/test/env"
for e in ${ENVS[@]+"${ENVS[@]}"}; do
    printf 'export %s=%q\n' "${e%%=*}" "${e#*=}" >> "$ROOT/test/env"
done
# The kernel opens /dev/console for /init before anything is mounted, so the
# node must be in the archive (we are root on the machines this runs on; if
# not, /init reopens the console after mounting devtmpfs).
mknod -m 600 "$ROOT/dev/console" c 5 1 2>/dev/null || log "cannot mknod /dev/console (not root?); relying on devtmpfs"

# Uncompressed newc archive: unpacking it is instant, decompressing under TCG
# is not. busybox's cpio is used so the host needs no cpio package.
(cd "$ROOT" && find . -print | LC_ALL=C sort | "$BUSYBOX" cpio -o -H newc 2>/dev/null) > "$WORK/initramfs.cpio"

# ---------------------------------------------------------------- 4. boot
LOG=$WORK/console.log
if [ "$USE_BZIMAGE" = 1 ]; then KERNEL=$VMLINUZ; else KERNEL=$VMLINUX; fi
# panic=-1 + oops=panic + -no-reboot: a kernel crash (e.g. in krfcommd)
# ends QEMU at once with status 0 instead of hanging until the timeout.
CMDLINE="console=ttyS0,115200 rdinit=/init panic=-1 oops=panic $KQUIET"

# isa-debug-exit: a byte B written to port 0xf4 ends QEMU with exit status
# (B<<1)|1. The guest writes 0x2a (-> 85) for success and 0x40|rc for failure;
# any other status means the guest never got to report.
PASS_STATUS=85
log "booting $KVER ($(basename "$KERNEL")), timeout ${TIMEOUT}s, log $LOG"
START=$(date +%s)
set +e
timeout -k 5 "$TIMEOUT" qemu-system-x86_64 \
    -accel tcg -m 512 -smp "$SMP" -nodefaults -nic none -display none -no-reboot \
    -serial stdio \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -kernel "$KERNEL" -initrd "$WORK/initramfs.cpio" -append "$CMDLINE" \
    </dev/null 2>&1 | sed -u 's/\r$//' | if [ "$QUIET" = 1 ]; then cat > "$LOG"; else tee "$LOG"; fi
QRC=${PIPESTATUS[0]}
set -e
ELAPSED=$(( $(date +%s) - START ))

summary=$(grep -E '^bt-vm: [0-9]+ passed, [0-9]+ failed' "$LOG" | tail -1 || true)
if [ "$QRC" = "$PASS_STATUS" ] && grep -q '^BT-VM-RESULT: PASS' "$LOG"; then
    log "PASS in ${ELAPSED}s${summary:+ (${summary#bt-vm: })}"
    exit 0
fi

# ------------------------------------------------------------ failure report
case $QRC in
    124|137) why="timed out (--timeout ${TIMEOUT})" ;;
    0)   why="QEMU exited without a report (guest kernel panicked or powered off early)" ;;
    1)   why="QEMU itself failed to start or run (exit 1)" ;;
    *)   if [ $((QRC & 1)) = 1 ] && [ "$QRC" -ge 129 ]; then
             why="guest test failed with status $(( (QRC >> 1) & 0x3f ))"
         else
             why="QEMU exited with unexpected status $QRC"
         fi ;;
esac
[ "$QUIET" = 1 ] && { echo "----- console log ($LOG) -----" >&2; cat "$LOG" >&2; }
{
    echo "=================================================================="
    echo "bt-vm: FAIL: $why (after ${ELAPSED}s)"
    grep -E '^(FAIL|BT-VM-RESULT)|Kernel panic|Oops|BUG:|Call Trace' "$LOG" | head -20 | sed 's/^/bt-vm:   /'
    [ -n "$summary" ] && echo "$summary"
    echo "bt-vm: full console log: $LOG"
    echo "=================================================================="
} >&2
KEEP=1   # keep the work dir of a failed run for inspection
exit 1
