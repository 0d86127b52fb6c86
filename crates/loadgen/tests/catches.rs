//! Does loadgen catch a bad server? The real `loadgen` binary against small
//! echo servers running inside the test, on port 0: a correct one, and ones
//! that drop a byte, flip a byte, add a byte, stop answering, serve one
//! client at a time, or close silent connections. A correct server must give
//! zero errors and exit status 0; every fault must be counted and exit 1.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::PathBuf;
use std::sync::mpsc::{self, Sender};
use std::thread;
use std::time::{Duration, Instant};

use testkit::{Output, Proc, bin, run};

/// The contract: Ctrl-C ends a long-running client within a second.
const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(1);

fn loadgen() -> PathBuf {
    bin!("loadgen")
}

/// What a test server does wrong.
#[derive(Clone, Copy, Debug)]
enum Fault {
    /// Nothing: a correct echo.
    None,
    /// Every `n`th read is echoed one byte short.
    DropByte(usize),
    /// Every `n`th read is echoed with one bit flipped.
    FlipByte(usize),
    /// Every `n`th read is echoed with one byte too many.
    ExtraByte(usize),
    /// After `n` reads on a connection, reads go on but nothing is answered.
    Withhold(usize),
    /// A connection silent for this long is closed (an idle timeout).
    CloseSilent(Duration),
}

/// Echoes one connection, with the fault. `stuck` hears when a
/// [`Fault::Withhold`] connection starts withholding.
fn echo(mut conn: TcpStream, fault: Fault, stuck: Option<&Sender<()>>) {
    let _ = conn.set_nodelay(true);
    if let Fault::CloseSilent(after) = fault {
        let _ = conn.set_read_timeout(Some(after));
    }
    let mut buf = [0u8; 4096];
    let mut reads = 0usize;
    loop {
        let n = match conn.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        reads += 1;
        let data = &mut buf[..n];
        let sent = match fault {
            Fault::DropByte(every) if reads % every == 0 => conn.write_all(&data[..n - 1]),
            Fault::FlipByte(every) if reads % every == 0 => {
                data[n / 2] ^= 0x20;
                conn.write_all(data)
            }
            Fault::ExtraByte(every) if reads % every == 0 => {
                conn.write_all(data).and_then(|()| conn.write_all(b"!"))
            }
            Fault::Withhold(after) if reads > after => {
                if reads == after + 1
                    && let Some(stuck) = stuck
                {
                    let _ = stuck.send(());
                }
                Ok(())
            }
            _ => conn.write_all(data),
        };
        if sent.is_err() {
            return;
        }
    }
}

/// A TCP echo server with a thread per connection.
fn tcp_server(fault: Fault) -> SocketAddr {
    tcp_server_telling(fault, None)
}

/// The same, telling `stuck` when a connection starts withholding.
fn tcp_server_telling(fault: Fault, stuck: Option<Sender<()>>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let stuck = stuck.clone();
            thread::spawn(move || echo(conn, fault, stuck.as_ref()));
        }
    });
    addr
}

/// A TCP echo server that serves one connection at a time, like echo-loop.
fn one_at_a_time_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            echo(conn, Fault::None, None);
        }
    });
    addr
}

/// A UDP echo server; `every`th datagram gets `fault` (0: none).
fn udp_server(every: usize, fault: fn(&mut Vec<u8>) -> bool) -> SocketAddr {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let addr = socket.local_addr().expect("addr");
    thread::spawn(move || {
        let mut buf = vec![0u8; 65_536];
        let mut count = 0usize;
        while let Ok((n, peer)) = socket.recv_from(&mut buf) {
            count += 1;
            let mut data = buf[..n].to_vec();
            if every > 0 && count % every == 0 && !fault(&mut data) {
                continue; // dropped
            }
            let _ = socket.send_to(&data, peer);
        }
    });
    addr
}

/// Runs loadgen against `addr` with `args`.
fn measure(addr: SocketAddr, args: &[&str]) -> Output {
    let port = addr.port().to_string();
    let mut all = vec!["--port", &port, "-q"];
    all.extend_from_slice(args);
    run(&loadgen(), all, b"")
}

/// The `key=value` pairs of the machine-readable last line.
fn figures(out: &Output) -> HashMap<String, String> {
    let text = out.stdout_text();
    let line = text
        .lines()
        .rev()
        .find(|l| l.starts_with("loadgen: mode="))
        .unwrap_or_else(|| panic!("no machine-readable line in:\n{text}\n{}", out.stderr));
    line.trim_start_matches("loadgen: ")
        .split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn number(figures: &HashMap<String, String>, key: &str) -> f64 {
    figures
        .get(key)
        .map_or(0.0, |v| v.parse().unwrap_or_else(|_| panic!("{key}={v}")))
}

/// Asserts a clean run: exit 0, no errors, every client served.
fn assert_clean(out: &Output, clients: f64) -> HashMap<String, String> {
    assert_eq!(
        out.code(),
        0,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout_text(),
        out.stderr
    );
    let f = figures(out);
    assert_eq!(number(&f, "errors"), 0.0, "{}", out.stdout_text());
    assert_eq!(number(&f, "served"), clients, "{}", out.stdout_text());
    assert!(
        out.stdout_text().contains("errors       none"),
        "{}",
        out.stdout_text()
    );
    f
}

/// Asserts a failed run: exit 1, `kind` errors counted and reported with an
/// example, and the closing error line on stderr.
fn assert_caught(out: &Output, kind: &str, example: &str) -> HashMap<String, String> {
    let text = out.stdout_text();
    assert_eq!(out.code(), 1, "stdout:\n{text}\nstderr:\n{}", out.stderr);
    let f = figures(out);
    assert!(
        number(&f, &format!("err_{kind}")) >= 1.0,
        "no err_{kind} in:\n{text}"
    );
    assert!(text.contains(example), "no {example:?} in:\n{text}");
    assert!(
        out.stderr.contains("error(s) were counted"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("hint: "), "{}", out.stderr);
    f
}

/// A correct server: 4 clients, every round trip checked, zero errors, and
/// the report has its latency figures and histogram.
#[test]
fn a_correct_server_gives_zero_errors() {
    let addr = tcp_server(Fault::None);
    let out = measure(addr, &["--clients", "4", "--duration", "300ms"]);
    let f = assert_clean(&out, 4.0);
    assert!(number(&f, "round_trips") > 0.0);
    assert!(number(&f, "min_per_client") > 0.0);
    assert!(number(&f, "p50_us") > 0.0 && number(&f, "p99_us") >= number(&f, "p50_us"));
    assert!(number(&f, "max_us") >= number(&f, "p99_us"));
    let text = out.stdout_text();
    assert!(
        text.contains("latency of each round trip:") && text.contains('#'),
        "{text}"
    );
}

/// Line mode and `--count`: exactly N round trips per client, all right.
#[test]
fn line_mode_with_a_count() {
    let addr = tcp_server(Fault::None);
    let out = measure(
        addr,
        &["--mode", "line", "--clients", "3", "--count", "200"],
    );
    let f = assert_clean(&out, 3.0);
    assert_eq!(number(&f, "round_trips"), 600.0);
    assert_eq!(number(&f, "min_per_client"), 200.0);
    assert_eq!(f.get("mode").map(String::as_str), Some("line"));
}

/// A server that echoes one byte short: the client waits for the missing
/// byte, and the round trip is counted as a timeout.
#[test]
fn catches_a_dropped_byte() {
    let addr = tcp_server(Fault::DropByte(50));
    let out = measure(
        addr,
        &["--clients", "2", "--count", "200", "--timeout", "200ms"],
    );
    assert_caught(&out, "timeout", "63 of 64 bytes came");
}

/// A server that flips one bit: caught as wrong bytes, with the byte named.
#[test]
fn catches_a_flipped_byte() {
    let addr = tcp_server(Fault::FlipByte(20));
    let out = measure(addr, &["--count", "100"]);
    assert_caught(&out, "wrong", "byte 32 of 64 is");
}

/// A server that adds a byte: the next reply no longer lines up.
#[test]
fn catches_an_extra_byte() {
    let addr = tcp_server(Fault::ExtraByte(10));
    let out = measure(addr, &["--count", "100"]);
    assert_caught(&out, "wrong", "expected 0x");
}

/// A server that stops answering: timeouts, not a hang.
#[test]
fn catches_a_server_that_withholds_replies() {
    let addr = tcp_server(Fault::Withhold(100));
    let started = Instant::now();
    let out = measure(
        addr,
        &[
            "--clients",
            "2",
            "--duration",
            "500ms",
            "--timeout",
            "200ms",
        ],
    );
    assert_caught(&out, "timeout", "no reply within 200ms");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

/// A one-at-a-time server (like echo-loop) with three clients: one gets
/// everything, the others wait and time out. The fewest-round-trips figure
/// shows it, whatever the total.
#[test]
fn shows_a_server_that_serves_one_client_at_a_time() {
    let addr = one_at_a_time_server();
    let out = measure(
        addr,
        &["--clients", "3", "--duration", "1s", "--timeout", "300ms"],
    );
    let f = assert_caught(&out, "timeout", "no reply within 300ms");
    assert!(
        number(&f, "min_per_client") * 10.0 < number(&f, "max_per_client"),
        "{}",
        out.stdout_text()
    );
    assert!(
        out.stderr.contains("one client at a time"),
        "{}",
        out.stderr
    );
}

/// Idle connections held open during the run still answer afterwards.
#[test]
fn idle_connections_are_checked_after_the_run() {
    let addr = tcp_server(Fault::None);
    let out = measure(
        addr,
        &["--clients", "2", "--idle", "30", "--duration", "300ms"],
    );
    let f = assert_clean(&out, 2.0);
    assert_eq!(number(&f, "idle_open"), 30.0);
    assert_eq!(number(&f, "idle_answered"), 30.0);
}

/// A server that closes silent connections: the idle check catches it.
#[test]
fn catches_a_server_that_drops_idle_connections() {
    let addr = tcp_server(Fault::CloseSilent(Duration::from_millis(100)));
    let out = measure(
        addr,
        &["--idle", "5", "--duration", "500ms", "--timeout", "300ms"],
    );
    assert_eq!(out.code(), 1, "{}\n{}", out.stdout_text(), out.stderr);
    let f = figures(&out);
    assert_eq!(number(&f, "idle_answered"), 0.0, "{}", out.stdout_text());
    assert!(number(&f, "errors") >= 5.0, "{}", out.stdout_text());
    assert!(
        out.stdout_text().contains("after the run"),
        "{}",
        out.stdout_text()
    );
}

/// Streaming 20 MB through a correct server: every byte checked, MB/s reported.
#[test]
fn streams_and_checks_every_byte() {
    let addr = tcp_server(Fault::None);
    let out = measure(addr, &["--stream", "20MB", "--clients", "2"]);
    let f = assert_clean(&out, 2.0);
    assert_eq!(number(&f, "checked_bytes"), 40e6);
    assert!(number(&f, "mb_per_s") > 0.0);
}

/// Streaming through servers that drop or flip a byte: caught, with the
/// offset in the stream.
#[test]
fn a_stream_catches_dropped_and_flipped_bytes() {
    let out = measure(tcp_server(Fault::FlipByte(100)), &["--stream", "20MB"]);
    assert_caught(&out, "wrong", "of the stream is 0x");
    let out = measure(
        tcp_server(Fault::DropByte(100)),
        &["--stream", "20MB", "--timeout", "500ms"],
    );
    assert_caught(&out, "wrong", "of the stream is 0x");
}

/// UDP: a correct server gives zero errors; lost, cut and changed datagrams
/// are each counted as what they are.
#[test]
fn udp_catches_loss_truncation_and_damage() {
    let udp = ["--mode", "udp", "--count", "300", "--timeout", "200ms"];
    let out = measure(udp_server(0, |_| true), &udp);
    assert_clean(&out, 1.0);
    let lost = measure(udp_server(50, |_| false), &udp);
    assert_caught(&lost, "timeout", "was lost");
    let cut = measure(
        udp_server(50, |d| {
            d.pop();
            true
        }),
        &udp,
    );
    assert_caught(&cut, "short", "63 bytes came back instead of 64");
    let flipped = measure(
        udp_server(50, |d| {
            d[10] ^= 1;
            true
        }),
        &udp,
    );
    assert_caught(&flipped, "wrong", "byte 10 of 64");
}

/// Nothing listening on TCP: one clear error with the hint to start the
/// server, exit status 1, instead of thousands of counted refusals.
#[test]
fn no_server_is_one_clear_error() {
    let free = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr");
    let out = measure(free, &["--duration", "300ms"]);
    assert_eq!(out.code(), 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("error: could not connect to 127.0.0.1"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("hint: is the server running?") && out.stderr.contains("-p echo-loop"),
        "{}",
        out.stderr
    );
    // UDP has no connection to refuse up front: each datagram that finds no
    // server is counted, and the hint names the lesson to start.
    let free = UdpSocket::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr");
    let out = measure(free, &["--mode", "udp", "--duration", "300ms"]);
    assert_caught(&out, "connect_refused", "nothing listens on 127.0.0.1");
    assert!(
        out.stderr.contains("cargo run -p udp-echo --bin server"),
        "{}",
        out.stderr
    );
}

/// Flags that make no sense are usage errors: exit status 2, with a message.
#[test]
fn bad_flags_exit_with_2() {
    for args in [
        &["--clients", "0"][..],
        &["--clients", "many"],
        &["--size", "0"],
        &["--size", "70000"],
        &["--duration", "0s"],
        &["--duration", "soon"],
        &["--count", "0"],
        &["--count", "5", "--duration", "1s"],
        &["--mode", "carrier-pigeon"],
        &["--mode", "udp", "--idle", "3"],
        &["--mode", "udp", "--stream", "1MB"],
        &["--stream", "lots"],
        &["--timeout", "-1s"],
    ] {
        let out = run(&loadgen(), args, b"");
        assert_eq!(out.code(), 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains("error"), "{args:?}: {}", out.stderr);
    }
    let out = run(&loadgen(), ["--version"], b"");
    assert_eq!(out.code(), 0);
    assert!(
        out.stdout_text().starts_with("loadgen 0.1.0"),
        "{}",
        out.stdout_text()
    );
}

/// Ctrl-C ends a long run within a second, even while every client is
/// blocked waiting for a reply that never comes; what was measured is still
/// reported, and our own interruption is not counted as the server's error.
#[test]
fn ctrl_c_stops_a_run_within_a_second() {
    let (tx, stuck) = mpsc::channel();
    let addr = tcp_server_telling(Fault::Withhold(5), Some(tx));
    let mut cmd = std::process::Command::new(loadgen());
    cmd.args(["--port", &addr.port().to_string(), "--clients", "3"])
        .args(["--duration", "1m", "--timeout", "1m"]);
    let mut proc = Proc::spawn(cmd);
    proc.wait_for_line("starting 3 client(s)");
    // Each client gets 5 answers, then waits for one that never comes.
    for _ in 0..3 {
        stuck
            .recv_timeout(testkit::TIMEOUT)
            .expect("a client got stuck");
    }
    proc.interrupt();
    let sent = Instant::now();
    let (status, stdout) = proc.finish(testkit::TIMEOUT);
    assert!(
        sent.elapsed() < SHUTDOWN_DEADLINE,
        "took {:?}",
        sent.elapsed()
    );
    let text = String::from_utf8_lossy(&stdout);
    assert_eq!(status.code(), Some(0), "{text}");
    assert!(text.contains("stopped early by Ctrl-C"), "{text}");
    assert!(
        text.contains("interrupted=1") && text.contains("errors=0"),
        "{text}"
    );
    assert!(text.contains("round_trips=15 "), "{text}");
}
