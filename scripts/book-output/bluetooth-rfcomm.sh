# The bluetooth-rfcomm section of scripts/book-output.sh: writes $new/bluetooth-rfcomm-*.txt.
# Sourced by book-output.sh, which then calls bluetooth_rfcomm.

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
# The only masks, in the tutorial's Python client's run: it gets a
# 1500-byte echo in two pieces, and where the first recv() ends depends on
# timing (1016 and 1024 bytes were both seen), so the two lengths become N
# and 1500-N, once it is checked that they add up to 1500. And whether the
# echo of the next line, "x", comes in the second piece too varies as well:
# it becomes "(x?)", present or not.
#
# The rest runs on this machine, which must have no Bluetooth sockets (a
# container or a CI machine): the no-Bluetooth errors of the lesson and of
# the bare pair, and the argument errors, which come before any Bluetooth
# call. The bare pair runs without RUST_BACKTRACE, as in a student's shell
# (with it, anyhow adds a backtrace to the error main returns).
bluetooth_rfcomm() {
  build bluetooth-rfcomm
  cargo build -q -p bluetooth-rfcomm --examples
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
    if (/\x27<(\d+) times a>\x27\n.*?\x27<(\d+) times a>x?\x27/s && $1 + $2 == 1500 && $1 < 1500) {
      s/\x27<\d+ times a>\x27\n(.*?)\x27<\d+ times a>x?\x27/\x27<N times a>\x27\n$1\x27<1500-N times a>(x?)\x27/s;
    }
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
  f=$new/bluetooth-rfcomm-bare-no-bluetooth.txt
  bt_cmd "$f" 'cargo run -p bluetooth-rfcomm --example bluetooth-rfcomm-bare-server' \
    env -u RUST_BACKTRACE -u RUST_LIB_BACKTRACE "$bin/examples/bluetooth-rfcomm-bare-server"
  bt_cmd "$f" 'cargo run -p bluetooth-rfcomm --example bluetooth-rfcomm-bare-client -- 00:1A:7D:DA:71:13' \
    env -u RUST_BACKTRACE -u RUST_LIB_BACKTRACE "$bin/examples/bluetooth-rfcomm-bare-client" 00:1A:7D:DA:71:13
}
