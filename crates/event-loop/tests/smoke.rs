//! Smoke tests: the real `server` and `client` binaries and the bare pair,
//! run as a student runs them, on `--port 0`, with raw sockets, lesson 3's
//! interactive client and tutorial 000's Python client as peers.

use std::io::{Read, Write};
use std::net::{Shutdown as Half, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::thread;
use std::time::{Duration, Instant};

use testkit::{
    Proc, Server, TIMEOUT, bin, connect, contract, line_echo, proc_status, read_until_closed,
    round_trip, run,
};

/// Tutorial 000's interactive client (adapted to Python 3), kept with lesson
/// 3, whose protocol this server speaks.
const TUTORIAL_CLIENT: &str = "../threaded-echo/tests/peers/tutorial_client.py";

/// The contract: Ctrl-C ends a server within a second.
const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(1);

/// Lesson 3's bound on a line (`threaded_echo::lines::MAX_LINE`).
const MAX_LINE: usize = 64 * 1024;

fn server() -> PathBuf {
    bin!("server")
}

fn client() -> PathBuf {
    bin!("client")
}

/// Every shared check of the contract: bad flags exit 2, a port in use,
/// no server, an unknown host; plus this lesson's own flags.
#[test]
fn the_contract_of_every_lesson() {
    contract::bad_flags_exit_2(&server(), &contract::BAD_FLAGS);
    contract::bad_flags_exit_2(&client(), &contract::BAD_FLAGS);
    contract::bad_flags_exit_2(
        &server(),
        &[
            &["--max-clients", "0"],
            &["--idle-timeout", "5"],
            &["--buffer", "0"],
        ],
    );
    contract::bad_flags_exit_2(&client(), &[&["--connections", "0"], &["--messages", "3"]]);
    contract::port_in_use(&server(), &[]);
    contract::refused(&client(), "event-loop", &[]);
    contract::refused(&client(), "event-loop", &["--connections", "3"]);
    contract::unknown_host(&client(), &[]);
}

/// Korean text cut at every byte (so a character arrives in two reads),
/// invalid UTF-8 and all 256 byte values come back byte for byte; the log
/// shows the text lossily and says how many bytes came.
#[test]
fn korean_and_binary_come_back_intact() {
    let mut server = Server::start(&server(), [""; 0]);
    let mut conn = connect(&server);
    conn.set_nodelay(true).expect("nodelay");
    let bad = [0xff, 0xfe, b'o', b'k', 0xc3, b'\n'];
    assert_eq!(round_trip(&mut conn, &bad), bad);
    server.proc.wait_for_line("received 6 bytes");
    let text = "안녕하세요\n".as_bytes();
    for cut in 1..text.len() {
        let mut back = round_trip(&mut conn, &text[..cut]);
        back.extend(round_trip(&mut conn, &text[cut..]));
        assert_eq!(back, text, "cut at byte {cut}");
    }
    let all: Vec<u8> = (0..=255u8).filter(|&b| b != b'\n').collect();
    assert_eq!(round_trip(&mut conn, &all), all);
}

/// `/end` is echoed and closes that client only, with `\n` or `\r\n`; the
/// line after it is never echoed. Another client stays connected and served.
#[test]
fn end_closes_only_that_client() {
    line_echo::end_closes_only_that_client(&server());
}

/// The interactive client (lesson 3's): each line comes back on standard
/// output, nothing else there; `/end` ends the session with exit 0.
#[test]
fn interactive_client_sends_lines_until_end() {
    let server = Server::start(&server(), [""; 0]);
    let input = "one\n안녕 세상\n/end\nnever sent\n";
    let out = run(&client(), ["--port", &server.port()], input.as_bytes());
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert_eq!(out.stdout_text(), "one\n안녕 세상\n/end\n");
    assert!(out.stderr.contains("connected to"), "{}", out.stderr);
}

/// Tutorial 000's own client (Python 3) works unchanged: it sends each line
/// without a newline and takes one recv() as the echo; its `/end` is
/// answered and closes the session.
#[test]
fn the_tutorials_python_client_works() {
    let peer = Path::new(env!("CARGO_MANIFEST_DIR")).join(TUTORIAL_CLIENT);
    line_echo::tutorial_client_works(&server(), &peer);
}

/// 200 clients connected at once, each with its own bytes echoed, while
/// the server runs on ONE thread (plus the Ctrl-C handler's): `Threads` in
/// /proc stays at 2, where lesson 3 would have 201.
#[test]
fn two_hundred_clients_one_thread() {
    let mut server = Server::start(&server(), ["-q"]);
    let mut conns: Vec<TcpStream> = (0..200).map(|_| connect(&server)).collect();
    // All messages go out first: the server has all 200 to serve at once.
    for (i, conn) in conns.iter_mut().enumerate() {
        conn.write_all(format!("client {i} 안녕\n").as_bytes())
            .expect("send");
    }
    for (i, conn) in conns.iter_mut().enumerate() {
        let expected = format!("client {i} 안녕\n");
        let mut back = vec![0u8; expected.len()];
        conn.read_exact(&mut back).expect("echo");
        assert_eq!(back, expected.as_bytes());
    }
    if cfg!(target_os = "linux") {
        let threads = proc_status(server.proc.pid(), "Threads:").expect("Threads");
        assert!(threads <= 2, "{threads} threads for 200 clients");
    }
    assert!(server.proc.is_running());
}

/// Backpressure: a client sends 64 MiB of lines and never reads the echo. The server
/// keeps at most a few KiB for it and stops reading from it, so its peak
/// memory stays flat, and another client gets its echoes at once.
#[test]
fn a_client_that_never_reads_is_held_back_not_buffered() {
    const SENT: usize = 64 * 1024 * 1024;
    let mut server = Server::start(&server(), ["-q"]);
    let before = proc_status(server.proc.pid(), "VmHWM:");
    let hog = connect(&server);
    // A small receive buffer on the side that never reads, so that what the
    // kernels can hold on the way stays well below 64 MiB.
    socket2::SockRef::from(&hog)
        .set_recv_buffer_size(64 * 1024)
        .expect("SO_RCVBUF");
    let writer = hog.try_clone().expect("clone");
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&sent);
    let sender = thread::spawn(move || {
        // Lines of 1 KiB: well within the line bound, so all are echoed.
        let chunk: Vec<u8> = (0..64 * 1024)
            .map(|i| if i % 1024 == 1023 { b'\n' } else { b'x' })
            .collect();
        while counter.load(SeqCst) < SENT && (&writer).write_all(&chunk).is_ok() {
            counter.fetch_add(chunk.len(), SeqCst);
        }
    });
    // Wait until the hog's send() is stuck: nothing more goes out for a
    // while. Without backpressure all 64 MiB would go, in a blink.
    let deadline = Instant::now() + TIMEOUT;
    let mut last = usize::MAX;
    while sent.load(SeqCst) != last && Instant::now() < deadline {
        last = sent.load(SeqCst);
        thread::sleep(Duration::from_millis(300));
    }
    assert!(
        last < SENT,
        "all 64 MiB went in: nothing held the sender back"
    );
    let mut other = connect(&server);
    for i in 0..20 {
        let line = format!("still served {i}\n");
        let started = Instant::now();
        assert_eq!(round_trip(&mut other, line.as_bytes()), line.as_bytes());
        assert!(started.elapsed() < Duration::from_secs(1), "slow echo");
    }
    if let (Some(before), Some(after)) = (before, proc_status(server.proc.pid(), "VmHWM:")) {
        let grown = after.saturating_sub(before);
        assert!(grown < 2048, "peak memory grew by {grown} KiB");
    }
    assert_eq!(
        sent.load(SeqCst),
        last,
        "the server read from the hog again"
    );
    // Unblock the sender: closing both ways makes its send() fail.
    hog.shutdown(Half::Both).expect("shutdown");
    sender.join().expect("sender");
    assert!(server.proc.is_running());
}

/// Ten megabytes without a newline: the first 64 KiB are echoed, then one
/// error line, then a clean close; the server never holds the line.
#[test]
fn a_ten_megabyte_line_is_refused() {
    const SENT: usize = 10 * 1024 * 1024;
    let mut server = Server::start(&server(), ["-q"]);
    let mut conn = connect(&server);
    let writer = conn.try_clone().expect("clone");
    let sender = thread::spawn(move || {
        let chunk = vec![b'x'; 64 * 1024];
        for _ in 0..SENT / chunk.len() {
            if (&writer).write_all(&chunk).is_err() {
                return;
            }
        }
        let _ = writer.shutdown(Half::Write);
    });
    let back = read_until_closed(&mut conn);
    let _ = sender.join();
    let message = format!("\nerror: a line longer than {MAX_LINE} bytes; closing the connection\n");
    assert_eq!(back.len(), MAX_LINE + message.len());
    assert!(back[..MAX_LINE].iter().all(|&b| b == b'x'));
    assert_eq!(String::from_utf8_lossy(&back[MAX_LINE..]), message);
    assert!(server.proc.is_running());
}

/// A client silent for `--idle-timeout` gets one line saying so and a clean
/// close; the interactive client prints it and exits 0.
#[test]
fn idle_timeout_closes_a_silent_client() {
    let server = line_echo::idle_timeout_closes_a_silent_client(&server());
    let mut cmd = Command::new(client());
    cmd.args(["--port", &server.port()]);
    let mut real = Proc::spawn(cmd); // its input stays open: a student thinking
    let status = real.wait_exit(TIMEOUT);
    assert_eq!(status.code(), Some(0), "{}", real.stderr());
    let (_, stdout) = real.finish(TIMEOUT);
    assert_eq!(
        String::from_utf8_lossy(&stdout),
        "idle: nothing received for 300ms; closing the connection\n"
    );
}

/// With `--max-clients 2`, a third client is told the server is busy and
/// closed cleanly; once a client has left, the next one is served.
#[test]
fn max_clients_refuses_the_one_over() {
    let (mut server, mut first, mut second) =
        line_echo::max_clients_turns_away_the_third(&server());
    first.write_all(b"/end\n").expect("send");
    read_until_closed(&mut first);
    drop(first);
    let addr = second.local_addr().expect("addr");
    server.proc.wait_for_line("1 client still connected");
    let mut fourth = connect(&server);
    assert_eq!(round_trip(&mut fourth, b"my turn\n"), b"my turn\n");
    assert_eq!(round_trip(&mut second, b"still 2\n"), b"still 2\n");
    assert!(!server.proc.stderr().contains(&format!("closed {addr}")));
}

/// Out of file descriptors: with a limit of 40, clients past it cannot be
/// accepted. The server logs the error once, with a hint, goes on serving
/// the clients it has, and accepts the waiting ones as others leave.
#[cfg(unix)]
#[test]
fn out_of_descriptors_is_logged_and_survived() {
    let mut cmd = Command::new("sh");
    let line = format!("ulimit -n 40 && exec '{}' --port 0", server().display());
    cmd.args(["-c", &line]);
    let mut proc = Proc::spawn(cmd);
    let listening = proc.wait_for_line("listening on ");
    let addr = testkit::listening_addr(&listening).expect("address");
    let mut conns: Vec<TcpStream> = (0..50)
        .map(|_| TcpStream::connect(addr).expect("connect: the kernel queues it"))
        .collect();
    proc.wait_for_line("Too many open files");
    proc.wait_for_line("hint: every connection uses a file descriptor");
    conns[0].set_read_timeout(Some(TIMEOUT)).expect("timeout");
    assert_eq!(round_trip(&mut conns[0], b"alive\n"), b"alive\n");
    // Twenty leave: the last one, still queued, is accepted and served.
    conns.drain(..20);
    let last = conns.last_mut().expect("a connection");
    last.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    assert_eq!(round_trip(last, b"my turn\n"), b"my turn\n");
    assert_eq!(proc.stderr().matches("hint: every connection").count(), 1);
    assert!(proc.is_running());
}

/// Ctrl-C with 2,000 clients connected: exit 0 within a second, and every
/// client sees a clean close (a FIN: `read` returns 0, not a reset).
#[test]
fn sigint_with_two_thousand_clients_closes_each_with_a_fin() {
    // 2,000 sockets on our side too.
    event_loop::raise_open_file_limit();
    let mut server = Server::start(&server(), ["-q"]);
    let mut conns: Vec<TcpStream> = (0..2000).map(|_| connect(&server)).collect();
    for (i, conn) in conns.iter_mut().enumerate() {
        let line = format!("{i}\n");
        assert_eq!(round_trip(conn, line.as_bytes()), line.as_bytes());
    }
    let started = Instant::now();
    let status = server.interrupt_and_wait(SHUTDOWN_DEADLINE);
    assert_eq!(status.code(), Some(0), "{}", server.proc.stderr());
    assert!(started.elapsed() < SHUTDOWN_DEADLINE);
    for conn in &mut conns {
        assert_eq!(read_until_closed(conn), b"");
    }
}

/// SIGTERM works like Ctrl-C.
#[test]
fn sigterm_exits_0() {
    let mut server = Server::start(&server(), [""; 0]);
    let mut conn = connect(&server);
    assert_eq!(round_trip(&mut conn, b"x"), b"x");
    server.proc.terminate();
    let status = server.proc.wait_exit(SHUTDOWN_DEADLINE);
    assert_eq!(status.code(), Some(0), "{}", server.proc.stderr());
    assert_eq!(read_until_closed(&mut conn), b"");
}

/// The load mode: 300 connections from one thread, 5 messages each, every
/// echo checked; one line on standard output, exit 0. Against a server that
/// takes only 100, the refused ones are counted and the exit is 1.
#[test]
fn load_mode_checks_every_echo() {
    let big = Server::start(&server(), ["-q"]);
    let port = big.port();
    let args = ["--port", &port, "--connections", "300", "--messages", "5"];
    let out = run(&client(), args, b"");
    assert_eq!(out.code(), 0, "{}", out.stderr);
    let line = out.stdout_text();
    assert!(
        line.starts_with("300 connections, 1500 round trips in "),
        "{line}"
    );
    assert!(line.ends_with(", 0 errors\n"), "{line}");
    assert_eq!(line.lines().count(), 1);

    let small = Server::start(&server(), ["-q", "--max-clients", "100"]);
    let port = small.port();
    let args = ["--port", &port, "--connections", "300", "--messages", "5"];
    let out = run(&client(), args, b"");
    assert_eq!(out.code(), 1, "{}", out.stderr);
    assert!(
        out.stdout_text().ends_with(", 200 errors\n"),
        "{}",
        out.stdout_text()
    );
}

/// IPv6 loopback works, in both bracket forms.
#[test]
fn ipv6_loopback() {
    line_echo::ipv6_loopback(&server(), &client());
}

/// The bare server takes a host *name*: on `localhost 0` it prints the
/// address the name stands for (127.0.0.1 or ::1), with a real port, and
/// the bare client echoes through it.
#[test]
fn the_bare_server_looks_a_host_name_up() {
    let mut cmd = Command::new(testkit::example("event-loop-bare-server"));
    cmd.args(["localhost", "0"]);
    let mut bare = Proc::spawn(cmd);
    let line = bare.wait_for_line("listening on ");
    let addr = testkit::listening_addr(&line).expect("address");
    assert!(addr.ip().is_loopback() && addr.port() != 0, "{line}");
    let (ip, port) = (addr.ip().to_string(), addr.port().to_string());
    let client = testkit::example("event-loop-bare-client");
    let out = run(&client, [ip.as_str(), port.as_str()], "hi\n".as_bytes());
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert_eq!(out.stdout_text(), "hi\n");
}

/// The bare pair runs as processes: the bare server on `127.0.0.1 0`
/// prints its real address and echoes the bare client's lines, and
/// tutorial 000's Python client's too.
#[test]
fn the_bare_pair_echoes() {
    let mut cmd = Command::new(testkit::example("event-loop-bare-server"));
    cmd.args(["127.0.0.1", "0"]);
    let mut bare = Proc::spawn(cmd);
    let addr = bare.wait_for_line("listening on ");
    let addr = testkit::listening_addr(&addr).expect("address");
    let port = addr.port().to_string();
    let client = testkit::example("event-loop-bare-client");
    let out = run(
        &client,
        ["127.0.0.1", port.as_str()],
        "hi\n안녕\n/end\nnever\n".as_bytes(),
    );
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert_eq!(out.stdout_text(), "hi\n안녕\n/end\n");
    let peer = Path::new(env!("CARGO_MANIFEST_DIR")).join(TUTORIAL_CLIENT);
    let mut cmd = Command::new("python3");
    cmd.arg(&peer).arg(&port).env("PYTHONUTF8", "1");
    let mut python = Proc::spawn(cmd);
    python.write_stdin("hello\n/end\n".as_bytes());
    let (status, stdout) = python.finish(TIMEOUT);
    assert_eq!(status.code(), Some(0), "the Python client failed");
    let stdout = String::from_utf8_lossy(&stdout);
    assert_eq!(stdout, "msg:echo msg: hello\nmsg:echo msg: /end\n");
}
