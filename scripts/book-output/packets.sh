# The packets section of scripts/book-output.sh: writes $new/packets-*.txt,
# the packet traces of the chapter "Watching the packets", with
# scripts/capture.sh (tshark on loopback; it needs root, and installs tshark
# when it is missing). Sourced by book-output.sh, which then calls packets.
#
# A trace is the same from run to run only in its stable part (see the top
# of scripts/capture.sh): bare ACKs, and the interleaving of two sides that
# act at once, vary. capture.sh keeps the committed trace when a fresh run
# differs only there, so --check fails only when the stable part changed.
packets() {
  local scenario
  for scenario in oneshot echo-loop threaded-echo periodic-hello udp-echo closes; do
    scripts/capture.sh "$scenario" "$new/packets-$scenario.txt" "$out/packets-$scenario.txt"
  done
}
