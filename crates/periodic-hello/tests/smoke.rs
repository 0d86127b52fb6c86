//! Smoke tests: the real `server` and `client` binaries of this lesson, run
//! as a student runs them, on `--port 0`; and tutorial 001's own Python
//! programs (in `tests/peers/`) as the other side.

use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use testkit::{Proc, Server, TIMEOUT, bin, run};

/// The contract: Ctrl-C ends a program within a second.
const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(1);

/// A short interval, so that the tests run fast.
const FAST: &str = "50ms";

const SERVER_HELLO: &str = "hello client\n";

fn server() -> PathBuf {
    bin!("server")
}

fn client() -> PathBuf {
    bin!("client")
}

/// A client process that runs until it is stopped (no `--count`).
fn spawn_client(server: &Server) -> Proc {
    let mut cmd = Command::new(client());
    cmd.args(["--port", &server.port(), "--interval", FAST]);
    Proc::spawn(cmd)
}

/// How many times `needle` appears in the log lines that report a `recv()`
/// (`received 13 bytes from ...: "hello server\n"`). A line may hold two
/// hellos when TCP delivered them in one piece.
fn received_count(stderr: &str, needle: &str) -> usize {
    stderr
        .lines()
        .filter(|line| line.contains("received ") && line.contains(" from "))
        .map(|line| line.matches(needle).count())
        .sum()
}

/// The number after `word ` in a summary line such as
/// `received 5 messages (65 bytes), sent 6 messages`.
fn number_after(line: &str, word: &str) -> usize {
    let rest = line
        .split(&format!("{word} "))
        .nth(1)
        .unwrap_or_else(|| panic!("no `{word}` in {line:?}"));
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no number after `{word}` in {line:?}"))
}

use testkit::free_tcp_port as free_port;

/// Tutorial 001's Python program `file` (in tests/peers/), run with `args`.
fn python_peer(file: &str, args: &[&str]) -> Proc {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/peers")
        .join(file);
    let mut cmd = Command::new("python3");
    cmd.arg(&script)
        .args(args)
        // Its log lines contain Korean: make sure Python writes UTF-8.
        .env("PYTHONIOENCODING", "utf-8");
    Proc::spawn(cmd)
}

/// Waits until `proc` has logged `needle` at least `n` times in all (a line
/// may hold it more than once), and returns how many times it has.
fn wait_for_count(proc: &mut Proc, needle: &str, n: usize) -> usize {
    let mut seen = 0;
    while seen < n {
        seen += proc.wait_for_line(needle).matches(needle).count();
    }
    seen
}

/// With `--interval 50ms --count 5`, each side logs exactly the messages the
/// other one sent: the server receives 5 hellos, and the client receives
/// (and prints on stdout, nothing else) every hello the server says it sent.
/// The client pauses between its hellos: 5 hellos take at least 4 intervals.
#[test]
fn count_5_each_side_receives_exactly_what_the_other_sent() {
    let mut server = Server::start(&server(), ["--interval", FAST]);
    let start = Instant::now();
    let out = run(
        &client(),
        ["--port", &server.port(), "--interval", FAST, "--count", "5"],
        b"",
    );
    let elapsed = start.elapsed();
    assert_eq!(out.code(), 0, "client failed: {}", out.stderr);
    assert!(
        elapsed >= Duration::from_millis(4 * 50),
        "5 hellos 50ms apart took only {elapsed:?}"
    );

    // The server's summary comes after every "received" line it logged.
    let summary = server.proc.wait_for_line("went away");
    assert!(summary.contains("it closed the connection"), "{summary}");
    assert_eq!(number_after(&summary, "received"), 5, "{summary}");
    let server_sent = number_after(&summary, "sent");
    assert!(server_sent >= 1, "{summary}");
    assert_eq!(received_count(&server.proc.stderr(), "hello server"), 5);

    // The client got every hello the server sent, whole, and only those.
    assert_eq!(out.stdout_text(), SERVER_HELLO.repeat(server_sent));
    assert_eq!(received_count(&out.stderr, "hello client"), server_sent);
    assert!(
        out.stderr.contains("the server closed the connection"),
        "{}",
        out.stderr
    );
    let client_summary = out
        .stderr
        .lines()
        .find(|l| l.contains("the server closed the connection"))
        .unwrap_or_default();
    assert_eq!(number_after(client_summary, "sent"), 5, "{client_summary}");
    assert_eq!(
        number_after(client_summary, "received"),
        server_sent,
        "{client_summary}"
    );
}

/// Ctrl-C on a running client: it exits 0 within a second, closing with a
/// FIN; the server notices ("went away", not "abruptly"), goes back to
/// accepting, and serves the next client.
#[test]
fn sigint_to_the_client_the_server_notices_and_accepts_the_next() {
    let mut server = Server::start(&server(), ["--interval", FAST]);
    let mut first = spawn_client(&server);
    first.wait_for_line("received 13 bytes");
    server.proc.wait_for_line("received 13 bytes");

    first.interrupt();
    let status = first.wait_exit(SHUTDOWN_DEADLINE);
    assert_eq!(status.code(), Some(0), "{}", first.stderr());
    assert!(
        first.stderr().contains("stopped by Ctrl-C"),
        "{}",
        first.stderr()
    );

    // A FIN, not a reset: the server would say "abruptly".
    let gone = server.proc.wait_for_line("went away");
    assert!(!gone.contains("abruptly"), "{gone}");
    server.proc.wait_for_line("waiting for a client");

    let out = run(
        &client(),
        ["--port", &server.port(), "--interval", FAST, "--count", "2"],
        b"",
    );
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert!(
        out.stdout_text().starts_with(SERVER_HELLO),
        "{}",
        out.stderr
    );
    server.proc.wait_for_line("went away");
}

/// Ctrl-C on the server while a client talks to it: the server exits 0
/// within a second; the client reports that the server closed the
/// connection and exits 0 too.
#[test]
fn sigint_to_the_server_the_client_reports_the_close_and_exits_0() {
    let mut server = Server::start(&server(), ["--interval", FAST]);
    let mut client = spawn_client(&server);
    client.wait_for_line("received 13 bytes");
    server.proc.wait_for_line("received 13 bytes");

    let status = server.interrupt_and_wait(SHUTDOWN_DEADLINE);
    assert_eq!(status.code(), Some(0), "{}", server.proc.stderr());
    assert!(
        server.proc.stderr().contains("(Ctrl-C)"),
        "{}",
        server.proc.stderr()
    );

    client.wait_for_line("the server closed the connection");
    let log = client.stderr();
    let (status, stdout) = client.finish(TIMEOUT);
    assert_eq!(status.code(), Some(0), "{log}");
    let stdout = String::from_utf8_lossy(&stdout).into_owned();
    assert!(!stdout.is_empty());
    assert_eq!(
        stdout,
        SERVER_HELLO.repeat(stdout.len() / SERVER_HELLO.len())
    );
}

/// The server notices a client's half-close at once, not at the end of its
/// (one-minute) pause: it closes right away, so the client never has to give
/// up waiting for the close.
#[test]
fn a_leaving_client_is_noticed_at_once_not_after_the_interval() {
    let mut server = Server::start(&server(), ["--interval", "60s"]);
    let out = run(
        &client(),
        ["--port", &server.port(), "--interval", FAST, "--count", "3"],
        b"",
    );
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("the server closed the connection"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("has not closed"), "{}", out.stderr);
    assert_eq!(out.stdout_text(), SERVER_HELLO);
    server.proc.wait_for_line("went away");
}

/// Two clients, one after the other, are both served in full.
#[test]
fn two_clients_in_a_row_are_served() {
    let mut server = Server::start(&server(), ["--interval", FAST]);
    let mut peers = Vec::new();
    for _ in 0..2 {
        let out = run(
            &client(),
            ["--port", &server.port(), "--interval", FAST, "--count", "3"],
            b"",
        );
        assert_eq!(out.code(), 0, "{}", out.stderr);
        assert!(out.stdout_text().starts_with(SERVER_HELLO));
        let summary = server.proc.wait_for_line("went away");
        assert_eq!(number_after(&summary, "received"), 3, "{summary}");
        // `... server.rs  192: 127.0.0.1:40000 went away ...`: the client's address.
        let peer = summary
            .split(" went away")
            .next()
            .and_then(|head| head.rsplit(' ').next())
            .unwrap_or_default();
        peers.push(peer.to_string());
    }
    assert_ne!(peers[0], peers[1], "the same connection twice?");
}

/// Ctrl-C on a server that waits for a client: exit 0 within a second.
#[test]
fn sigint_idle_server_exits_0_within_a_second() {
    let mut server = Server::start(&server(), [""; 0]);
    let status = server.interrupt_and_wait(SHUTDOWN_DEADLINE);
    assert_eq!(status.code(), Some(0), "{}", server.proc.stderr());
    assert!(
        server
            .proc
            .stderr()
            .contains("server stopped after 0 clients")
    );
}

/// SIGTERM works like Ctrl-C, even in the middle of a one-minute pause
/// between hellos: the pause is cut short on both sides, the server exits 0
/// within a second, and so does the client once it sees the close.
#[test]
fn sigterm_with_a_client_connected_exits_0_within_a_second() {
    let mut server = Server::start(&server(), ["--interval", "60s"]);
    let mut cmd = Command::new(client());
    cmd.args(["--port", &server.port(), "--interval", "60s"]);
    let mut client = Proc::spawn(cmd);
    client.wait_for_line("received 13 bytes");
    server.proc.wait_for_line("received 13 bytes");
    server.proc.signal(libc::SIGTERM);
    let status = server.proc.wait_exit(SHUTDOWN_DEADLINE);
    assert_eq!(status.code(), Some(0), "{}", server.proc.stderr());
    client.wait_for_line("the server closed the connection");
    assert_eq!(client.wait_exit(SHUTDOWN_DEADLINE).code(), Some(0));
}

/// A bad `--interval` (or `--count 0`) is a usage error: exit 2, with a
/// message that names the flag, from both binaries; nothing panics.
#[test]
fn bad_interval_exits_2() {
    for bad in ["0", "0s", "abc", "1", "-1s", "5x", "25h", "0.5ms", ""] {
        for bin in [server(), client()] {
            // `--interval=-1s`: with a space, clap would take `-1s` for a flag.
            let out = run(&bin, [format!("--interval={bad}")], b"");
            assert_eq!(
                out.code(),
                2,
                "{} --interval {bad:?}: {}",
                bin.display(),
                out.stderr
            );
            assert!(out.stderr.contains("--interval"), "{}", out.stderr);
            assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
        }
    }
    let out = run(&client(), ["--count", "0"], b"");
    assert_eq!(out.code(), 2, "{}", out.stderr);
    let out = run(&client(), ["--interval", "1s"], b"");
    assert!(
        out.stderr.contains("error: could not connect"),
        "1s is valid: {}",
        out.stderr
    );
}

/// No server on the port: exit 1, an `error:` line naming the address, and a
/// hint with the exact command that starts the server on that port.
#[test]
fn client_against_a_closed_port_exits_1_with_the_hint() {
    testkit::contract::refused(&client(), "periodic-hello", &[]);
}

/// A second server on a busy port: exit 1, the address, and the hint.
#[test]
fn server_on_a_busy_port_exits_1_with_the_hint() {
    testkit::contract::port_in_use(&server(), &[]);
}

/// Malformed flags are usage errors (exit 2) for both binaries.
#[test]
fn bad_flags_exit_2() {
    for bin in [server(), client()] {
        testkit::contract::bad_flags_exit_2(&bin, &testkit::contract::BAD_FLAGS);
    }
}

/// IPv6 loopback works, with and without brackets.
#[test]
fn ipv6_loopback() {
    let server = Server::start(&server(), ["--host", "::1", "--interval", FAST]);
    assert!(server.addr.is_ipv6(), "{}", server.addr);
    let out = run(
        &client(),
        ["--host", "[::1]", "--port", &server.port(), "--count", "1"],
        b"",
    );
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert!(
        out.stdout_text().starts_with(SERVER_HELLO),
        "{}",
        out.stderr
    );
}

/// Tutorial 001's Python client (ported to Python 3) against this server:
/// the server logs its hellos, the Python client logs ours, and when the
/// Python client is stopped with Ctrl-C the server notices and goes back to
/// accepting.
#[test]
fn tutorial_python_client_against_this_server() {
    let mut server = Server::start(&server(), ["--interval", "100ms"]);
    let mut python = python_peer("tutorial_001_client.py", &[&server.port()]);
    python.wait_for_line(r"b'hello client\n'");
    // The Python client sends once a second.
    wait_for_count(&mut server.proc, "hello server", 2);

    python.interrupt();
    server.proc.wait_for_line("went away");
    server.proc.wait_for_line("waiting for a client");
    python.wait_exit(TIMEOUT);
    assert!(
        !python.stderr().contains("Traceback"),
        "{}",
        python.stderr()
    );
    assert!(server.proc.is_running());
}

/// This client against tutorial 001's Python server (ported to Python 3):
/// the server logs our 3 hellos and we print its hellos. That server never
/// closes a finished connection (it only drops it when the next client
/// comes), so the client gives up waiting, says so, and still exits 0.
#[test]
fn this_client_against_the_tutorial_python_server() {
    let port = free_port().to_string();
    let mut python = python_peer("tutorial_001_server.py", &[&port]);
    python.wait_for_line("연결 대기");
    let out = run(
        &client(),
        ["--port", &port, "--interval", FAST, "--count", "3"],
        b"",
    );
    assert_eq!(out.code(), 0, "{}", out.stderr);
    let stdout = out.stdout_text();
    assert!(stdout.starts_with(SERVER_HELLO), "{}", out.stderr);
    assert_eq!(
        stdout,
        SERVER_HELLO.repeat(stdout.len() / SERVER_HELLO.len())
    );
    assert!(
        out.stderr
            .contains("the server has not closed the connection"),
        "{}",
        out.stderr
    );
    assert_eq!(wait_for_count(&mut python, "hello server", 3), 3);
    // It went back to accept(): the loop logs "waiting for a connection" again.
    python.wait_for_line("연결 대기");
    assert!(
        !python.stderr().contains("Traceback"),
        "{}",
        python.stderr()
    );
}

/// A bare example of Step 1 (`examples/`), with positional arguments.
fn bare(name: &str, args: &[&str]) -> Proc {
    let mut cmd = Command::new(testkit::example(name));
    cmd.args(args);
    Proc::spawn(cmd)
}

/// The bare server on a port the system picks; returns it and its port.
fn bare_server() -> (Proc, String) {
    let mut server = bare("periodic-hello-bare-server", &["127.0.0.1", "0"]);
    let line = server.wait_for_line("listening on ");
    let addr = testkit::listening_addr(&line).expect("an address in the listening line");
    (server, addr.port().to_string())
}

/// The bare client, connected to `port`.
fn bare_client(port: &str) -> Proc {
    bare("periodic-hello-bare-client", &["127.0.0.1", port])
}

/// Step 1: the bare server and the bare client talk both ways at once.
/// Ctrl-C kills the bare client (it installs no handler), its kernel closes
/// the connection with a FIN, and the bare server says the client closed
/// it, then serves the next client.
#[test]
fn bare_pair_talks_both_ways_and_serves_the_next_client() {
    let (mut server, port) = bare_server();
    let mut client = bare_client(&port);
    client.wait_for_line(r#"received "hello client\n""#);
    server.wait_for_line(r#"received "hello server\n""#);

    client.interrupt();
    let status = client.wait_exit(SHUTDOWN_DEADLINE);
    assert_eq!(status.signal(), Some(libc::SIGINT), "{status:?}");
    server.wait_for_line("closed the connection");
    server.wait_for_line("waiting for a client");
    assert!(!server.stderr().contains("lost"), "{}", server.stderr());

    let mut next = bare_client(&port);
    next.wait_for_line(r#"received "hello client\n""#);
    server.wait_for_line(r#"received "hello server\n""#);
}

/// Step 2's Ctrl-C failure, as the chapter shows it: Ctrl-C kills the bare
/// server. The client it was talking with still sees a normal close (the
/// kernel of a killed process closes its sockets with a FIN), but a client
/// waiting in the `listen()` queue, never accepted, gets a reset.
#[test]
fn ctrl_c_on_the_bare_server_resets_the_queued_client() {
    let (mut server, port) = bare_server();
    let mut talking = bare_client(&port);
    talking.wait_for_line(r#"received "hello client\n""#);
    server.wait_for_line(r#"received "hello server\n""#);
    let mut queued = bare_client(&port);
    queued.wait_for_line("connected to");

    server.interrupt();
    let status = server.wait_exit(SHUTDOWN_DEADLINE);
    assert_eq!(status.signal(), Some(libc::SIGINT), "{status:?}");
    talking.wait_for_line("the server closed the connection");
    assert_eq!(talking.wait_exit(TIMEOUT).code(), Some(0));
    // The reset reaches whichever of the queued client's two threads uses
    // the socket first: almost always the receiving thread, blocked in
    // recv() ("lost the connection ...", exit 0); on a very busy machine
    // sometimes the sending loop's next send() (`Error: ...`, exit 1).
    let status = queued.wait_exit(TIMEOUT);
    let stderr = queued.stderr();
    assert!(stderr.contains("Connection reset by peer"), "{stderr}");
    let by_receiver = stderr.contains("lost the connection");
    assert_eq!(
        status.code(),
        Some(if by_receiver { 0 } else { 1 }),
        "{stderr}"
    );
}

/// Step 2's fix: the same Ctrl-C on the lesson's server. It exits 0; the
/// client it was talking with and the queued one both get a FIN, say that
/// the server closed the connection, and exit 0; the server counts the
/// queued one.
#[test]
fn ctrl_c_on_the_server_closes_the_queued_client_too() {
    let mut server = Server::start(&server(), ["--interval", FAST]);
    let mut talking = spawn_client(&server);
    talking.wait_for_line("received 13 bytes");
    server.proc.wait_for_line("received 13 bytes");
    let mut queued = spawn_client(&server);
    queued.wait_for_line("connected to");

    let status = server.interrupt_and_wait(SHUTDOWN_DEADLINE);
    assert_eq!(status.code(), Some(0), "{}", server.proc.stderr());
    server
        .proc
        .wait_for_line("closed 1 connection still waiting in the listen() queue");
    for mut client in [talking, queued] {
        client.wait_for_line("the server closed the connection");
        assert_eq!(client.wait_exit(SHUTDOWN_DEADLINE).code(), Some(0));
    }
}

/// The bare server against tutorial 001's Python client: each logs the
/// other's hellos; Ctrl-C on the Python client, and the bare server notices
/// and waits for the next client.
#[test]
fn bare_server_with_the_tutorial_python_client() {
    let (mut server, port) = bare_server();
    let mut python = python_peer("tutorial_001_client.py", &[&port]);
    python.wait_for_line(r"b'hello client\n'");
    server.wait_for_line(r#"received "hello server\n""#);

    python.interrupt();
    python.wait_exit(TIMEOUT);
    assert!(
        !python.stderr().contains("Traceback"),
        "{}",
        python.stderr()
    );
    // "closed the connection", or "lost the connection" should the Python
    // client leave a hello unread on its way out (see the chapter).
    server.wait_for_line("the connection");
    server.wait_for_line("waiting for a client");
    assert!(server.is_running());
}

/// The bare client against tutorial 001's Python server: each logs the
/// other's hellos; Ctrl-C on the Python server (its handler sleeps a
/// second, then exits), and the bare client notices and exits.
#[test]
fn bare_client_with_the_tutorial_python_server() {
    let port = free_port().to_string();
    let mut python = python_peer("tutorial_001_server.py", &[&port]);
    python.wait_for_line("연결 대기");
    let mut client = bare_client(&port);
    client.wait_for_line(r#"received "hello client\n""#);
    wait_for_count(&mut python, "hello server", 2);

    python.interrupt();
    python.wait_exit(TIMEOUT);
    client.wait_for_line("the connection");
    assert!(client.wait_exit(TIMEOUT).success(), "{}", client.stderr());
}
