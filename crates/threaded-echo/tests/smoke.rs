//! Smoke tests: the real `server` and `client` binaries of this lesson, run
//! as a student runs them, on `--port 0`, with raw sockets, the real client
//! and the tutorial's own Python client as peers.

use std::io::{Read, Write};
use std::net::{Shutdown as Half, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

use testkit::{
    Proc, Server, TIMEOUT, bin, connect, contract, line_echo, proc_status, read_until_closed,
    round_trip, run,
};

/// The contract: Ctrl-C ends a server within a second.
const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(1);

/// The server's bound on a line, as documented (`lines::MAX_LINE`).
const MAX_LINE: usize = 64 * 1024;

fn server() -> PathBuf {
    bin!("server")
}

fn client() -> PathBuf {
    bin!("client")
}

/// The real client, started with its standard input left open (a student
/// who has not typed anything yet), connected once this returns.
fn waiting_client(server: &Server) -> Proc {
    let mut cmd = Command::new(client());
    cmd.args(["--port", &server.port()]);
    let mut proc = Proc::spawn(cmd);
    proc.wait_for_line("connected to");
    proc
}

/// Fifty clients connected at the same time, after a silent one that never
/// types, are all answered while every one of them stays connected: one
/// thread per client, so nobody waits for anybody. (A server like lesson 2's
/// would answer the silent client's successors only after it left.) Each
/// gets its own bytes back, not another client's: no shared connection.
#[test]
fn fifty_clients_are_served_at_once() {
    let mut server = Server::start(&server(), ["-q"]);
    let mut silent = waiting_client(&server);
    let conns: Vec<TcpStream> = (0..50).map(|_| connect(&server)).collect();
    let start = Barrier::new(conns.len());
    thread::scope(|scope| {
        for (i, mut conn) in conns.into_iter().enumerate() {
            let start = &start;
            scope.spawn(move || {
                start.wait();
                let line = format!("client {i} says 안녕\n");
                assert_eq!(round_trip(&mut conn, line.as_bytes()), line.as_bytes());
                let again = format!("client {i} again\n");
                assert_eq!(round_trip(&mut conn, again.as_bytes()), again.as_bytes());
                // Keep the connection open until every thread has its echo.
                start.wait();
            });
        }
    });
    assert!(silent.is_running(), "the silent client was disturbed");
    assert!(server.proc.is_running());
}

/// `/end` is echoed and closes that client only: the others stay connected
/// and are still answered.
#[test]
fn end_closes_only_that_client() {
    line_echo::end_closes_only_that_client(&server());
}

/// The real client: each line typed comes back on standard output, with
/// nothing else there; `/end` ends the session (exit 0), and the line after
/// it is never sent.
#[test]
fn real_client_sends_lines_until_end() {
    let mut server = Server::start(&server(), [""; 0]);
    let input = "one\n안녕 세상\n/end\nnever sent\n";
    let out = run(&client(), ["--port", &server.port()], input.as_bytes());
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert_eq!(out.stdout_text(), "one\n안녕 세상\n/end\n");
    assert!(
        out.stderr.contains("session ended with /end"),
        "{}",
        out.stderr
    );
    server.proc.wait_for_line("sent /end");
    let status = server.interrupt_and_wait(SHUTDOWN_DEADLINE);
    assert_eq!(status.code(), Some(0));
    assert!(!server.proc.stderr().contains("never sent"));
}

/// The end of input ends the session too: exit 0, everything echoed.
#[test]
fn real_client_end_of_input_ends_the_session() {
    let server = Server::start(&server(), [""; 0]);
    let out = run(&client(), ["--port", &server.port()], b"a\nb\nno newline");
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert_eq!(out.stdout_text(), "a\nb\nno newline");
    assert!(out.stderr.contains("end of input"), "{}", out.stderr);
}

/// A client that sends nothing for `--idle-timeout` gets one line saying
/// so and a clean close. The real client prints that line and exits 0.
#[test]
fn idle_timeout_closes_a_silent_client() {
    let server = line_echo::idle_timeout_closes_a_silent_client(&server());
    // The real client, its input left open as by a student who stopped typing.
    let mut real = waiting_client(&server);
    let status = real.wait_exit(TIMEOUT);
    assert_eq!(status.code(), Some(0), "{}", real.stderr());
    assert!(real.stderr().contains("the server closed the connection"));
    let (_, stdout) = real.finish(TIMEOUT);
    assert_eq!(
        String::from_utf8_lossy(&stdout),
        "idle: nothing received for 300ms; closing the connection\n"
    );
}

/// Silence is what counts, not the length of the session: a client that
/// keeps talking, a little at a time, is never closed as idle.
#[test]
fn a_talking_client_is_not_idle() {
    let server = Server::start(&server(), ["--idle-timeout", "1s"]);
    let mut conn = connect(&server);
    let began = Instant::now();
    // Pacing, not synchronisation: eight 200 ms pauses, each well inside the
    // 1 s timeout, and longer than the timeout in total.
    for _ in 0..8 {
        assert_eq!(round_trip(&mut conn, b"tick\n"), b"tick\n");
        thread::sleep(Duration::from_millis(200));
    }
    assert!(began.elapsed() > Duration::from_secs(1));
    assert_eq!(round_trip(&mut conn, b"still here\n"), b"still here\n");
}

/// With `--max-clients 2`, a third client is told the server is busy and
/// closed cleanly, the real client included; once a seat is free, the next
/// client is served.
#[test]
fn max_clients_refuses_the_one_over() {
    let (mut server, mut first, mut second) =
        line_echo::max_clients_turns_away_the_third(&server());
    let out = run(&client(), ["--port", &server.port()], b"hello\n");
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert_eq!(out.stdout_text(), line_echo::busy(2));
    assert!(
        out.stderr.contains("the server closed the connection"),
        "{}",
        out.stderr
    );

    first.write_all(b"/end\n").expect("send");
    read_until_closed(&mut first);
    let addr = first.local_addr().expect("addr");
    drop(first);
    server.proc.wait_for_line(&format!("{addr} disconnected"));
    let mut fourth = connect(&server);
    assert_eq!(round_trip(&mut fourth, b"my turn\n"), b"my turn\n");
    assert_eq!(round_trip(&mut second, b"still 2\n"), b"still 2\n");
}

/// Eight megabytes without a newline: the server echoes the first 64 KiB,
/// then one error line, then closes cleanly; it never holds the line, so its
/// peak memory grows by far less than what was sent.
#[test]
fn an_over_long_line_is_refused_with_memory_bounded() {
    const SENT: usize = 8 * 1024 * 1024;
    let mut server = Server::start(&server(), ["-q"]);
    let before = proc_status(server.proc.pid(), "VmHWM:");
    let mut conn = connect(&server);
    let mut writer = conn.try_clone().expect("clone");
    let sender = thread::spawn(move || {
        let chunk = vec![b'x'; 64 * 1024];
        for _ in 0..SENT / chunk.len() {
            if writer.write_all(&chunk).is_err() {
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

    // The peak memory, on Linux (elsewhere /proc does not exist). A server
    // that kept the line would grow by megabytes; this one grows by a thread.
    if cfg!(target_os = "linux") {
        let before = before.expect("VmHWM in /proc/PID/status");
        let after = proc_status(server.proc.pid(), "VmHWM:").expect("VmHWM");
        let grown = after.saturating_sub(before);
        assert!(
            grown < 1024,
            "peak memory grew by {grown} KiB while 8 MiB were sent"
        );
    }
    assert!(server.proc.is_running());
}

/// Ctrl-C with 20 clients connected, and the real client waiting for input:
/// the server exits 0 within a second, every client sees a clean close
/// (`read` returns 0, not a reset), all 21 threads are joined, and the real
/// client exits 0.
#[test]
fn sigint_with_twenty_clients_closes_them_all_cleanly() {
    let mut server = Server::start(&server(), [""; 0]);
    let mut conns: Vec<TcpStream> = (0..20).map(|_| connect(&server)).collect();
    for (i, conn) in conns.iter_mut().enumerate() {
        let line = format!("{i}\n");
        assert_eq!(round_trip(conn, line.as_bytes()), line.as_bytes());
    }
    let real = waiting_client(&server);
    server.proc.wait_for_line("(21 of at most 64 clients)");

    let status = server.interrupt_and_wait(SHUTDOWN_DEADLINE);
    assert_eq!(status.code(), Some(0), "{}", server.proc.stderr());
    for conn in &mut conns {
        assert_eq!(read_until_closed(conn), b"");
    }
    let (status, stdout) = real.finish(TIMEOUT);
    assert_eq!(status.code(), Some(0));
    assert!(stdout.is_empty());
    let log = server.proc.stderr();
    assert!(
        log.contains("server stopped: 21 client threads joined"),
        "{log}"
    );
}

/// SIGTERM works like Ctrl-C.
#[test]
fn sigterm_exits_0() {
    let mut server = Server::start(&server(), [""; 0]);
    let mut conn = connect(&server);
    assert_eq!(round_trip(&mut conn, b"x"), b"x");
    server.proc.signal(15);
    let status = server.proc.wait_exit(SHUTDOWN_DEADLINE);
    assert_eq!(status.code(), Some(0), "{}", server.proc.stderr());
    assert_eq!(read_until_closed(&mut conn), b"");
}

/// Ctrl-C on a client waiting for input: it exits 0 within a second, and
/// the server sees an orderly close and goes on serving.
#[test]
fn sigint_client_exits_0() {
    let mut server = Server::start(&server(), [""; 0]);
    let mut client = waiting_client(&server);
    server.proc.wait_for_line("connected (1 of");
    client.interrupt();
    let status = client.wait_exit(SHUTDOWN_DEADLINE);
    assert_eq!(status.code(), Some(0), "{}", client.stderr());
    server
        .proc
        .wait_for_line("disconnected; 0 clients still connected");
    let mut next = connect(&server);
    assert_eq!(round_trip(&mut next, b"next\n"), b"next\n");
}

/// Invalid UTF-8, and Korean text cut at every byte so that a character
/// arrives in two reads, come back byte for byte; the log shows them lossily.
#[test]
fn bytes_come_back_intact() {
    let mut server = Server::start(&server(), [""; 0]);
    let mut conn = connect(&server);
    conn.set_nodelay(true).expect("nodelay");
    let bad = [0xff, 0xfe, b'o', b'k', 0xc3, b'\n'];
    assert_eq!(round_trip(&mut conn, &bad), bad);
    server.proc.wait_for_line("received 6 bytes");
    let text = "안녕하세요\n".as_bytes();
    for cut in 1..text.len() {
        // Each piece's echo is awaited, so the server really sees two reads.
        let mut back = round_trip(&mut conn, &text[..cut]);
        back.extend(round_trip(&mut conn, &text[cut..]));
        assert_eq!(back, text, "cut at byte {cut}");
    }
    let out = run(&client(), ["--port", &server.port()], &bad);
    assert_eq!(out.stdout, bad, "{}", out.stderr);
}

/// The tutorial's own client (tutorial 000, run by Python 3) works against
/// this server: it sends each line without a newline, takes one recv() as
/// the echo, and its `/end` is answered and closes the session.
#[test]
fn the_tutorials_python_client_works() {
    let server = line_echo::tutorial_client_works(&server(), &peer("tutorial_client.py"));
    // Each read was one typed line (no newline): "안녕" is 6 bytes, "/end" 4.
    assert!(
        server.proc.stderr().contains("received 4 bytes"),
        "{}",
        server.proc.stderr()
    );
}

/// IPv6 loopback works, in both bracket forms.
#[test]
fn ipv6_loopback() {
    line_echo::ipv6_loopback(&server(), &client());
}

/// Bad flags are usage errors: exit 2 with an `error:` line, for both
/// binaries (the shared cases, then the server's own); a duration without
/// a unit says how to write one.
#[test]
fn bad_flags_exit_2() {
    contract::bad_flags_exit_2(&server(), &contract::BAD_FLAGS);
    contract::bad_flags_exit_2(&client(), &contract::BAD_FLAGS);
    contract::bad_flags_exit_2(
        &server(),
        &[
            &["--idle-timeout", "0s"],
            &["--idle-timeout", "5"],
            &["--idle-timeout", "soon"],
            &["--idle-timeout", "-1s"],
            &["--max-clients", "0"],
            &["--max-clients", "100001"],
            &["--max-clients", "many"],
            &["--buffer", "0"],
        ],
    );
    let out = run(&server(), ["--idle-timeout", "5"], b"");
    assert!(
        out.stderr.contains("write it like 30s, 500ms, 1.5s or 5m"),
        "{}",
        out.stderr
    );
}

/// A second server on a port in use: exit 1, the address, the OS error and
/// the hint.
#[test]
fn server_on_a_port_in_use() {
    contract::port_in_use(&server(), &[]);
}

/// No server on the port: exit 1, and a hint with the exact command that
/// starts this lesson's server on that port; a host that does not exist
/// gets the spelling hint.
#[test]
fn client_against_a_closed_port() {
    contract::refused(&client(), "threaded-echo", &[]);
    contract::unknown_host(&client(), &[]);
}

/// A peer that resets its connection is one lost client, nothing more.
#[test]
fn a_resetting_client_does_not_disturb_the_others() {
    let mut server = Server::start(&server(), [""; 0]);
    let mut other = connect(&server);
    let conn = socket2::Socket::from(connect(&server));
    let addr = conn.local_addr().expect("addr").as_socket().expect("ip");
    (&conn).write_all(b"unread").expect("send");
    let mut buf = [0u8; 6];
    (&conn).read_exact(&mut buf).expect("echo");
    (&conn).write_all(b"more").expect("send");
    // Linger 0 makes close() send a reset instead of a FIN.
    conn.set_linger(Some(Duration::ZERO)).expect("linger");
    drop(conn);
    server.proc.wait_for_line(&format!("lost {addr}: "));
    assert_eq!(round_trip(&mut other, b"fine\n"), b"fine\n");
    assert!(server.proc.is_running());
}

/// `--buffer` changes how many bytes each recv() takes, never what comes
/// back: with 3-byte reads, 10,000 bytes of lines are echoed intact, in
/// many small pieces (`--buffer 0` is a usage error: see `bad_flags_exit_2`).
#[test]
fn buffer_size_changes_the_pieces_not_the_echo() {
    let mut small = Server::start(&server(), ["--buffer", "3"]);
    let mut conn = connect(&small);
    let data: Vec<u8> = (0..10_000u32)
        .map(|i| {
            if i % 50 == 49 {
                b'\n'
            } else {
                b'a' + (i % 26) as u8
            }
        })
        .collect();
    assert_eq!(round_trip(&mut conn, &data), data);
    small.proc.wait_for_line("received 3 bytes");
}

// The bare pair of Step 1 (examples/), run as a student runs them.

/// Starts the bare server with `HOST PORT` and reads its `listening on` line.
fn bare_server(host: &str) -> (Proc, SocketAddr) {
    let mut cmd = Command::new(testkit::example("threaded-echo-bare-server"));
    cmd.args([host, "0"]);
    let mut proc = Proc::spawn(cmd);
    let line = proc.wait_for_line("listening on ");
    let addr = testkit::listening_addr(&line).expect("an address in the listening line");
    (proc, addr)
}

fn bare_client() -> PathBuf {
    testkit::example("threaded-echo-bare-client")
}

/// The bare pair talks: each line comes back whole (Korean included), an
/// empty line is skipped instead of hanging, `/end` ends the session with
/// exit 0, and the line after it is never sent.
#[test]
fn bare_pair_echoes_lines_until_end() {
    let (mut server, addr) = bare_server("127.0.0.1");
    let long = "안녕하세요 ".repeat(30);
    let input = format!("hello\n\n{long}\n/end\nnever sent\n");
    let port = addr.port().to_string();
    let out = run(&bare_client(), ["127.0.0.1", &port], input.as_bytes());
    assert_eq!(out.code(), 0, "{}", out.stderr);
    let expected = format!("echo msg: hello\necho msg: {long}\necho msg: /end\n");
    assert_eq!(out.stdout_text(), expected);
    server.wait_for_line("sent /end");
    assert!(!server.stderr().contains("never sent"));
}

/// Two clients at once, each on its own socket: their messages interleave
/// and each gets back its own bytes, never the other's (the tutorial's
/// shared connection sent one client's echo to the other). A client that
/// closes ends its own thread only.
#[test]
fn bare_server_keeps_two_clients_apart() {
    let (mut server, addr) = bare_server("::1");
    assert!(addr.is_ipv6(), "{addr}");
    let conn = |addr| {
        let c = TcpStream::connect(addr).expect("connect");
        c.set_read_timeout(Some(TIMEOUT)).expect("timeout");
        c
    };
    let (mut a, mut b) = (conn(addr), conn(addr));
    assert_eq!(round_trip(&mut a, b"A1"), b"A1");
    assert_eq!(round_trip(&mut b, b"B1"), b"B1");
    assert_eq!(round_trip(&mut a, b"A2"), b"A2");
    let a_addr = a.local_addr().expect("addr");
    drop(a);
    server.wait_for_line(&format!("{a_addr} closed the connection"));
    assert_eq!(
        round_trip(&mut b, "B2 안녕".as_bytes()),
        "B2 안녕".as_bytes()
    );
    assert!(server.is_running());
}

/// Tutorial 000's own client (Python 3) against the bare server: every
/// line is echoed, and its `/end` (sent with no newline) ends the session.
#[test]
fn bare_server_with_the_tutorials_python_client() {
    let (mut server, addr) = bare_server("127.0.0.1");
    line_echo::tutorial_client_session(&addr.port().to_string(), &peer("tutorial_client.py"));
    server.wait_for_line(r#"read msg: "안녕""#);
    server.wait_for_line("sent /end");
}

/// The bare client against tutorial 000's own server (Python 3): the
/// lines come back, `/end` ends the client with exit 0.
#[test]
fn bare_client_with_the_tutorials_python_server() {
    let port = testkit::free_tcp_port();
    let mut python = Command::new("python3");
    python
        .arg("-u")
        .arg(peer("tutorial_server.py"))
        .arg(port.to_string())
        .env("PYTHONUTF8", "1");
    let _python = Proc::spawn(python);
    wait_until_listening(port);
    let input = "hello\n안녕 세상\n/end\n".as_bytes();
    let out = run(&bare_client(), ["localhost", &port.to_string()], input);
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert_eq!(
        out.stdout_text(),
        "echo msg: hello\necho msg: 안녕 세상\necho msg: /end\n"
    );
}

/// No server: the bare client exits 1 with an error naming the address.
#[test]
fn bare_client_without_a_server() {
    let port = testkit::free_tcp_port().to_string();
    let out = run(&bare_client(), ["127.0.0.1", &port], b"hello\n");
    assert_eq!(out.code(), 1);
    let error = format!("could not connect to 127.0.0.1:{port}");
    assert!(out.stderr.contains(&error), "{}", out.stderr);
    assert!(out.stderr.contains("Connection refused"), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

/// The path of a Python peer in tests/peers/.
fn peer(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/peers")
        .join(name)
}

/// Waits until something listens on 127.0.0.1:`port`, as Linux's
/// /proc/net/tcp shows it (state 0A is LISTEN). Connecting to find out
/// would hand the tutorial's server a client it would then spin on.
fn wait_until_listening(port: u16) {
    let needle = format!("0100007F:{port:04X} 00000000:0000 0A");
    let deadline = Instant::now() + TIMEOUT;
    while Instant::now() < deadline {
        let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
        if table.contains(&needle) {
            return;
        }
        thread::sleep(Duration::from_millis(20));
    }
    panic!("nothing listens on port {port} after {TIMEOUT:?}");
}
