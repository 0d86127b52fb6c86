//! Smoke tests: the real `server` and `client` binaries of this lesson, run as
//! a student runs them.
//!
//! The machines that run `cargo test` (this one, CI) have no Bluetooth in
//! their kernel, so what can be tested here for real is everything up to the
//! first socket call: flags, address and channel parsing, `--help`, and the
//! clear error (exit 1, `error:` and `hint:`, no panic) when `socket()` fails.
//! The RFCOMM exchange itself is tested between two emulated controllers in
//! a VM: `scripts/bt-vm/test-lesson.sh`. The same goes for the bare pair of
//! Step 1 (`examples/`): here, its argument checks and its exit 1 without
//! Bluetooth.

use std::path::{Path, PathBuf};

use testkit::{Output, bin, run};

fn server() -> PathBuf {
    bin!("server")
}

fn client() -> PathBuf {
    bin!("client")
}

/// True when this kernel can make RFCOMM sockets. Then the "no Bluetooth"
/// tests do not apply (and the client must not page a made-up address), so
/// they say so and pass; the VM test covers that case.
fn kernel_has_bluetooth() -> bool {
    let has = bluetooth_rfcomm::sockaddr::rfcomm_socket().is_ok();
    if has {
        eprintln!("skipped: this kernel has Bluetooth; scripts/bt-vm/test-lesson.sh tests it");
    }
    has
}

/// Checks the two lines a student sees when there is no Bluetooth: the
/// `error:` line with the OS error, the `hint:` line saying what is needed,
/// each once, and no panic and nothing on standard output.
fn assert_no_bluetooth_report(out: &Output) {
    assert_eq!(out.code(), 1, "{}", out.stderr);
    assert!(out.stdout.is_empty(), "stdout: {:?}", out.stdout_text());
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert!(
        lines.contains(
            &"error: could not create an RFCOMM socket: \
              Address family not supported by protocol (os error 97)"
        ),
        "{}",
        out.stderr
    );
    let hint = lines
        .iter()
        .find(|line| line.starts_with("hint: "))
        .unwrap_or_else(|| panic!("no hint line in:\n{}", out.stderr));
    for needed in [
        "Linux with BlueZ",
        "bluetooth and rfcomm kernel modules",
        "adapter",
        "scripts/bt-vm/test-lesson.sh",
    ] {
        assert!(hint.contains(needed), "{needed:?} missing from {hint}");
    }
    // The hint is said once, in the hint line, not repeated in the error.
    assert_eq!(
        out.stderr.matches("Linux with BlueZ").count(),
        1,
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

/// On a kernel without Bluetooth the server exits 1 with the error from
/// `socket()` and a hint naming BlueZ, the kernel modules and the VM test.
#[test]
fn server_without_bluetooth_explains_what_is_needed() {
    if kernel_has_bluetooth() {
        return;
    }
    assert_no_bluetooth_report(&run(&server(), [""; 0], b""));
    // -q hides logs, never the error.
    assert_no_bluetooth_report(&run(&server(), ["-q", "--channel", "30"], b""));
}

/// The client fails the same way, before it sends anything, whatever its input.
#[test]
fn client_without_bluetooth_explains_what_is_needed() {
    if kernel_has_bluetooth() {
        return;
    }
    let out = run(&client(), ["--addr", "00:aa:01:00:00:00"], b"hello\n");
    assert_no_bluetooth_report(&out);
}

/// A malformed device address is a usage error (exit 2) that shows the bad
/// value and the expected form, for `--addr` and for `--adapter`.
#[test]
fn bad_address_exits_2() {
    for (bin, flag) in [(client(), "--addr"), (server(), "--adapter")] {
        for bad in [
            "00:AA:01:00:00",
            "00:AA:01:00:00:0G",
            "00-AA-01-00-00-00",
            "",
        ] {
            let out = run(&bin, [flag, bad], b"");
            assert_eq!(out.code(), 2, "{flag} {bad:?}: {}", out.stderr);
            assert!(
                out.stderr
                    .contains(&format!("`{bad}` is not a Bluetooth device address")),
                "{}",
                out.stderr
            );
            assert!(out.stderr.contains("00:1A:7D:DA:71:13"), "{}", out.stderr);
            assert!(out.stdout.is_empty());
        }
    }
}

/// A channel outside 1..=30 is a usage error (exit 2) that says the range.
#[test]
fn bad_channel_exits_2() {
    for bad in ["0", "31", "-1", "port"] {
        for (bin, extra) in [
            (server(), &[][..]),
            (client(), &["--addr", "00:AA:01:00:00:00"][..]),
        ] {
            // `--channel=-1`, so that clap does not take -1 for a flag.
            let flag = format!("--channel={bad}");
            let mut args = vec![flag.as_str()];
            args.extend_from_slice(extra);
            let out = run(&bin, &args, b"");
            assert_eq!(out.code(), 2, "{} {args:?}: {}", bin.display(), out.stderr);
            assert!(
                out.stderr.contains("channels go from 1 to 30"),
                "{}",
                out.stderr
            );
        }
    }
}

/// The client has no default address: without `--addr` it says so (exit 2).
#[test]
fn client_needs_an_address() {
    let out = run(&client(), [""; 0], b"");
    assert_eq!(out.code(), 2, "{}", out.stderr);
    assert!(out.stderr.contains("--addr"), "{}", out.stderr);
}

/// `--help` explains each flag in a student's words, and `--version` names
/// the lesson; both exit 0 without touching Bluetooth.
#[test]
fn help_and_version_work() {
    let help = run(&server(), ["--help"], b"");
    assert_eq!(help.code(), 0, "{}", help.stderr);
    let text = help.stdout_text();
    for needed in [
        "--adapter",
        "every adapter",
        "--channel",
        "1 to 30",
        "--quiet",
    ] {
        assert!(text.contains(needed), "{needed:?} missing from:\n{text}");
    }
    let help = run(&client(), ["--help"], b"");
    assert_eq!(help.code(), 0, "{}", help.stderr);
    let text = help.stdout_text();
    for needed in ["--addr", "bluetoothctl", "--channel", "advertises nothing"] {
        assert!(text.contains(needed), "{needed:?} missing from:\n{text}");
    }
    for bin in [server(), client()] {
        let version = run(&bin, ["--version"], b"");
        assert_eq!(version.code(), 0);
        assert!(version.stdout_text().contains("(bluetooth-rfcomm lesson)"));
    }
}

/// Runs the bare example `name` (Step 1) with `args`, as a student's shell
/// would: without `RUST_BACKTRACE`, which makes anyhow add a backtrace to
/// the error that `main` returns (`env -u` removes it).
fn run_bare(name: &str, args: &[&str]) -> Output {
    let example = testkit::example(name);
    let mut all = vec!["-u", "RUST_BACKTRACE", "-u", "RUST_LIB_BACKTRACE"];
    all.push(example.to_str().expect("a UTF-8 path"));
    all.extend_from_slice(args);
    run(Path::new("env"), &all, b"hello\n")
}

/// The bare pair on a kernel without Bluetooth: `socket()` fails, and each
/// program exits 1 with one clear message (what failed, that it needs Linux
/// with Bluetooth, and the OS error), nothing on standard output, no panic.
#[test]
fn bare_pair_without_bluetooth_exits_1_with_a_clear_message() {
    if kernel_has_bluetooth() {
        return;
    }
    let cases: [(&str, &[&str]); 3] = [
        ("bluetooth-rfcomm-bare-server", &[]),
        ("bluetooth-rfcomm-bare-server", &["00:AA:01:00:00:00", "30"]),
        ("bluetooth-rfcomm-bare-client", &["00:AA:01:00:00:00"]),
    ];
    for (name, args) in cases {
        let out = run_bare(name, args);
        assert_eq!(out.code(), 1, "{name} {args:?}: {}", out.stderr);
        assert!(
            out.stdout.is_empty(),
            "{name}: stdout {:?}",
            out.stdout_text()
        );
        assert_eq!(
            out.stderr,
            "Error: could not create an RFCOMM socket (this needs Linux with Bluetooth)\n\
             \n\
             Caused by:\n    \
             Address family not supported by protocol (os error 97)",
            "{name} {args:?}"
        );
    }
}

/// The bare pair checks its arguments before any socket call: the client
/// needs the server's address, and a malformed address or channel is
/// refused with a message that names it (exit 1, no panic).
#[test]
fn bare_pair_checks_its_arguments() {
    let cases: [(&str, &[&str], &str); 4] = [
        (
            "bluetooth-rfcomm-bare-client",
            &[],
            "usage: bluetooth-rfcomm-bare-client ADDR [CHANNEL]",
        ),
        (
            "bluetooth-rfcomm-bare-client",
            &["00:AA:01:00:00"],
            "`00:AA:01:00:00` is not a Bluetooth device address",
        ),
        (
            "bluetooth-rfcomm-bare-client",
            &["00:AA:01:00:00:00", "31"],
            "channels go from 1 to 30",
        ),
        (
            "bluetooth-rfcomm-bare-server",
            &["00:AA:01:00:00:00", "0"],
            "channels go from 1 to 30",
        ),
    ];
    for (name, args, needed) in cases {
        let out = run_bare(name, args);
        assert_eq!(out.code(), 1, "{name} {args:?}: {}", out.stderr);
        assert!(out.stderr.starts_with("Error: "), "{}", out.stderr);
        assert!(
            out.stderr.contains(needed),
            "{name} {args:?}: {}",
            out.stderr
        );
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    }
}
