//! Smoke tests: the real oneshot `server` and `client`, the bare step
//! (`examples/oneshot-bare-*.rs`), and the tutorials' own Python programs as
//! peers (`tests/peers/`), all on free ports.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use testkit::contract::{BAD_FLAGS, bad_flags_exit_2, port_in_use, refused, unknown_host};
use testkit::{Proc, Server, TIMEOUT, bin, run};

/// The contract: Ctrl-C ends a server within a second.
const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(1);

fn server() -> PathBuf {
    bin!("server")
}

fn client() -> PathBuf {
    bin!("client")
}

fn peer(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/peers")
        .join(name)
}

/// Starts the bare server with `127.0.0.1 PORT` and waits for its
/// `listening on` line; returns it and the address it names.
fn bare_server(port: &str) -> (Proc, SocketAddr) {
    let mut cmd = Command::new(testkit::example("oneshot-bare-server"));
    cmd.args(["127.0.0.1", port]);
    let mut proc = Proc::spawn(cmd);
    let line = proc.wait_for_line("listening on ");
    let addr = testkit::listening_addr(&line).expect("an address in the listening line");
    (proc, addr)
}

/// Runs the bare client against `addr` to the end.
fn bare_client(addr: SocketAddr) -> testkit::Output {
    let port = addr.port().to_string();
    run(
        &testkit::example("oneshot-bare-client"),
        ["127.0.0.1", &port],
        b"",
    )
}

/// Starts a tutorial's Python server on a free port; returns it, the port,
/// and its standard output after the first line (which names the port).
fn python_server(file: &str) -> (Child, String, BufReader<std::process::ChildStdout>) {
    let mut py = Command::new("python3")
        .arg(peer(file))
        .arg("0")
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut lines = BufReader::new(py.stdout.take().expect("piped"));
    let mut first = String::new();
    lines
        .read_line(&mut first)
        .expect("the server's first line");
    let port = first.split_whitespace().last().expect("a port").to_string();
    (py, port, lines)
}

/// Runs a tutorial's Python client with the port as its argument.
fn python_client(file: &str, port: &str) -> Output {
    Command::new("python3")
        .arg(peer(file))
        .arg(port)
        .output()
        .expect("python3 runs")
}

/// The default exchange: the tutorial's two greetings, the reply alone on
/// stdout, and the server exits 0 after its one client.
#[test]
fn default_exchange() {
    let mut server = Server::start(&server(), [""; 0]);
    let out = run(&client(), ["--port", &server.port()], b"");
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert_eq!(out.stdout_text(), "Hello, i'm server!");
    let status = server.proc.wait_exit(TIMEOUT);
    assert_eq!(status.code(), Some(0));
    let log = server.proc.stderr();
    assert!(
        log.contains(r#"received 18 bytes from 127.0.0.1:"#),
        "{log}"
    );
    assert!(log.contains(r#""Hello, i'm client!""#), "{log}");
}

/// Korean text travels as UTF-8 bytes and is logged readably; a custom reply
/// comes back unchanged.
#[test]
fn korean_message_and_custom_reply() {
    let mut server = Server::start(&server(), ["--reply", "반가워요"]);
    let out = run(
        &client(),
        ["--port", &server.port(), "--message", "안녕!"],
        b"",
    );
    assert_eq!(out.stdout_text(), "반가워요", "{}", out.stderr);
    server.proc.wait_exit(TIMEOUT);
    assert!(server.proc.stderr().contains(r#"received 7 bytes"#));
    assert!(server.proc.stderr().contains(r#""안녕!""#));
}

/// A message longer than `--buffer` is cut by the single recv(), and the
/// server says so: the reason lesson 2 loops. The client still gets the
/// whole reply and a clean close, because the server drops the rest of the
/// message before closing instead of resetting the connection.
#[test]
fn a_long_message_is_cut_and_the_server_warns() {
    let mut server = Server::start(&server(), ["--buffer", "8"]);
    let long = "x".repeat(100_000);
    let out = run(
        &client(),
        ["--port", &server.port(), "--message", &long],
        b"",
    );
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert_eq!(out.stdout_text(), "Hello, i'm server!");
    assert_eq!(server.proc.wait_exit(TIMEOUT).code(), Some(0));
    let log = server.proc.stderr();
    assert!(log.contains(r#"received 8 bytes from"#), "{log}");
    assert!(log.contains(r#""xxxxxxxx""#), "{log}");
    assert!(log.contains("filled the 8-byte buffer"), "{log}");
    assert!(
        log.contains("dropped 99992 bytes that the single recv() did not take"),
        "{log}"
    );
}

/// Clients that connect while the one client is being served are closed
/// cleanly when the server exits: they read end of stream, not a reset.
#[test]
fn queued_clients_get_a_clean_close() {
    let mut server = Server::start(&server(), [""; 0]);
    let mut first = TcpStream::connect(server.addr).expect("connect");
    server.proc.wait_for_line("connected");
    let mut queued: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(server.addr).expect("queued connect"))
        .collect();
    first.write_all(b"hi").expect("send");
    first
        .shutdown(std::net::Shutdown::Write)
        .expect("half-close");
    let mut reply = Vec::new();
    first.read_to_end(&mut reply).expect("reply");
    assert_eq!(reply, b"Hello, i'm server!");
    assert_eq!(server.proc.wait_exit(TIMEOUT).code(), Some(0));
    for conn in &mut queued {
        let mut rest = Vec::new();
        assert_eq!(conn.read_to_end(&mut rest).map_err(|e| e.kind()), Ok(0));
    }
}

/// Tutorial 002's Python client against our server: both print the
/// expected greetings.
#[test]
fn tutorial_python_client_against_our_server() {
    let mut server = Server::start(&server(), [""; 0]);
    let out = python_client("tutorial002_client.py", &server.port());
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        printed.contains("Client : Data Received :  Hello, i'm server!"),
        "{printed}"
    );
    assert_eq!(server.proc.wait_exit(TIMEOUT).code(), Some(0));
    assert!(server.proc.stderr().contains(r#""Hello, i'm client!""#));
}

/// Our client against tutorial 002's Python server.
#[test]
fn our_client_against_the_tutorial_python_server() {
    let (mut py, port, mut lines) = python_server("tutorial002_server.py");
    let out = run(&client(), ["--port", &port], b"");
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert_eq!(out.stdout_text(), "Hello, i'm server!");
    let mut rest = String::new();
    lines
        .read_to_string(&mut rest)
        .expect("the rest of its output");
    assert!(py.wait().expect("exit").success());
    assert!(
        rest.contains("Server : Data Received : Hello, i'm client!"),
        "{rest}"
    );
}

/// Tutorial 004's first client sends "안녕!" and closes without reading:
/// our server logs the Korean text, answers into the closed connection,
/// and still exits 0.
#[test]
fn tutorial_004_client_against_our_server() {
    let mut server = Server::start(&server(), [""; 0]);
    let out = python_client("tutorial004_soc1_client.py", &server.port());
    assert!(out.status.success(), "{out:?}");
    assert_eq!(server.proc.wait_exit(TIMEOUT).code(), Some(0));
    let log = server.proc.stderr();
    assert!(log.contains(r#"received 7 bytes from 127.0.0.1:"#), "{log}");
    assert!(log.contains(r#""안녕!""#), "{log}");
}

/// Tutorial 004's first server reads one message and closes without an
/// answer: our client sends, gets an empty reply, and exits 0.
#[test]
fn our_client_against_tutorial_004_server() {
    let (mut py, port, mut lines) = python_server("tutorial004_soc1_server.py");
    let out = run(&client(), ["--port", &port, "--message", "안녕!"], b"");
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert_eq!(out.stdout_text(), "");
    assert!(out.stderr.contains("received 0 bytes"), "{}", out.stderr);
    let mut rest = String::new();
    lines.read_to_string(&mut rest).expect("its output");
    assert!(py.wait().expect("exit").success());
    assert!(rest.contains("from client message:  안녕!"), "{rest}");
}

/// Ctrl-C while the server waits for its client: exit 0 within a second.
#[test]
fn sigint_while_waiting_exits_0() {
    let mut server = Server::start(&server(), [""; 0]);
    let status = server.interrupt_and_wait(SHUTDOWN_DEADLINE);
    assert_eq!(status.code(), Some(0), "{}", server.proc.stderr());
    assert!(
        server
            .proc
            .stderr()
            .contains("stopped before any client came")
    );
}

/// Ctrl-C while a connected client has not sent yet: the server exits 0 and
/// the client sees a clean close.
#[test]
fn sigint_with_a_silent_client_closes_it_cleanly() {
    let mut server = Server::start(&server(), [""; 0]);
    let mut conn = TcpStream::connect(server.addr).expect("connect");
    server.proc.wait_for_line("connected");
    let status = server.interrupt_and_wait(SHUTDOWN_DEADLINE);
    assert_eq!(status.code(), Some(0), "{}", server.proc.stderr());
    let mut rest = Vec::new();
    assert_eq!(conn.read_to_end(&mut rest).map_err(|e| e.kind()), Ok(0));
}

/// Nothing listening: exit 1, the error naming the address, and the
/// command that starts the server on that port.
#[test]
fn client_against_a_closed_port() {
    let out = refused(&client(), "oneshot", &[]);
    assert!(
        out.stderr
            .contains("error: could not connect to 127.0.0.1:"),
        "{}",
        out.stderr
    );
}

/// A port already in use: exit 1 with the "address in use" hint.
#[test]
fn server_on_a_port_in_use() {
    port_in_use(&server(), &[]);
}

/// Bad flags are usage errors (exit 2) for both binaries; `--help` and
/// `--version` exit 0, and the version names the lesson.
#[test]
fn flags() {
    bad_flags_exit_2(&server(), &BAD_FLAGS);
    bad_flags_exit_2(&client(), &BAD_FLAGS);
    bad_flags_exit_2(&server(), &[&["--buffer", "0"]]);
    for bin in [server(), client()] {
        let help = run(&bin, ["--help"], b"");
        assert_eq!(help.code(), 0);
        assert!(help.stdout_text().contains("--port"));
        let version = run(&bin, ["--version"], b"");
        assert!(version.stdout_text().contains("(oneshot lesson)"));
    }
}

/// A host name that does not exist: exit 1 with a spelling hint.
#[test]
fn unknown_host_has_a_hint() {
    unknown_host(&client(), &[]);
}

/// IPv6 and host names work: the server on ::1, the client via `localhost`
/// for IPv4 and `[::1]` for IPv6.
#[test]
fn ipv6_and_host_names() {
    let mut v6 = Server::start(&server(), ["--host", "::1"]);
    assert!(v6.addr.is_ipv6());
    let out = run(&client(), ["--host", "[::1]", "--port", &v6.port()], b"");
    assert_eq!(out.stdout_text(), "Hello, i'm server!", "{}", out.stderr);
    v6.proc.wait_exit(TIMEOUT);
    let mut v4 = Server::start(&server(), [""; 0]);
    let out = run(
        &client(),
        ["--host", "localhost", "--port", &v4.port()],
        b"",
    );
    assert_eq!(out.stdout_text(), "Hello, i'm server!", "{}", out.stderr);
    v4.proc.wait_exit(TIMEOUT);
}

/// Ctrl-C on a client blocked waiting for a reply: it exits 0.
#[test]
fn sigint_client_waiting_for_a_reply() {
    // A listener that accepts (in the kernel queue) but never answers.
    let silent = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = silent.local_addr().expect("addr").port().to_string();
    let mut cmd = Command::new(client());
    cmd.args(["--port", &port]);
    let mut client = Proc::spawn(cmd);
    client.wait_for_line("sent 18 bytes");
    client.interrupt();
    assert_eq!(
        client.wait_exit(SHUTDOWN_DEADLINE).code(),
        Some(0),
        "{}",
        client.stderr()
    );
}

// The bare step: examples/oneshot-bare-server.rs and -client.rs.

/// The bare pair does the tutorial's exchange: the greeting in, the answer
/// out on the client's standard output, and the server exits 0.
#[test]
fn bare_pair_exchange() {
    let (mut server, addr) = bare_server("0");
    let out = bare_client(addr);
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert_eq!(out.stdout_text(), "Hello, i'm server!\n");
    assert!(out.stderr.contains("received 18 bytes"), "{}", out.stderr);
    assert_eq!(server.wait_exit(TIMEOUT).code(), Some(0));
    let log = server.stderr();
    assert!(
        log.contains(r#"received 18 bytes from 127.0.0.1:"#),
        "{log}"
    );
    assert!(log.contains(r#""Hello, i'm client!""#), "{log}");
}

/// The bare pair works with the tutorials' Python programs: 002's client
/// and 004's first client against the bare server, the bare client against
/// 002's and 004's servers.
#[test]
fn bare_pair_with_the_tutorials_python_peers() {
    for file in ["tutorial002_client.py", "tutorial004_soc1_client.py"] {
        let (mut server, addr) = bare_server("0");
        let out = python_client(file, &addr.port().to_string());
        assert!(out.status.success(), "{file}: {out:?}");
        assert_eq!(server.wait_exit(TIMEOUT).code(), Some(0), "{file}");
        assert!(server.stderr().contains("received"), "{file}");
    }
    let (mut py, port, mut lines) = python_server("tutorial002_server.py");
    let out = bare_client(format!("127.0.0.1:{port}").parse().expect("addr"));
    assert_eq!(out.stdout_text(), "Hello, i'm server!\n", "{}", out.stderr);
    let mut rest = String::new();
    lines.read_to_string(&mut rest).expect("its output");
    assert!(py.wait().expect("exit").success());
    assert!(
        rest.contains("Data Received : Hello, i'm client!"),
        "{rest}"
    );

    let (mut py, port, mut lines) = python_server("tutorial004_soc1_server.py");
    let out = bare_client(format!("127.0.0.1:{port}").parse().expect("addr"));
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert!(out.stderr.contains("received 0 bytes"), "{}", out.stderr);
    let mut rest = String::new();
    lines.read_to_string(&mut rest).expect("its output");
    assert!(py.wait().expect("exit").success());
    assert!(
        rest.contains("from client message:  Hello, i'm client!"),
        "{rest}"
    );
}

/// Step 2's first failure: the bare server closes first, so its end of the
/// connection waits in TIME_WAIT, and without SO_REUSEADDR a restart on the
/// same port fails with "address in use". The full server sets the option
/// and restarts at once.
#[test]
fn bare_server_cannot_restart_at_once_the_full_one_can() {
    let (mut bare, addr) = bare_server("0");
    assert_eq!(bare_client(addr).code(), 0);
    assert_eq!(bare.wait_exit(TIMEOUT).code(), Some(0));
    let again = run(
        &testkit::example("oneshot-bare-server"),
        ["127.0.0.1", &addr.port().to_string()],
        b"",
    );
    assert_eq!(again.code(), 1, "{}", again.stderr);
    assert!(again.stderr.contains("AddrInUse"), "{}", again.stderr);

    let mut full = Server::start(&server(), [""; 0]);
    let port = full.port();
    assert_eq!(run(&client(), ["--port", &port], b"").code(), 0);
    assert_eq!(full.proc.wait_exit(TIMEOUT).code(), Some(0));
    let mut cmd = Command::new(server());
    cmd.args(["--port", &port]);
    let mut again = Proc::spawn(cmd);
    again.wait_for_line("listening on ");
    assert_eq!(run(&client(), ["--port", &port], b"").code(), 0);
    assert_eq!(again.wait_exit(TIMEOUT).code(), Some(0));
}

/// Step 2's second failure: a message longer than the bare server's one
/// recv(1024) leaves bytes unread, so its close is a reset, and the client
/// loses the answer. (The full server drops the rest and closes cleanly:
/// see `a_long_message_is_cut_and_the_server_warns`.)
#[test]
fn bare_server_resets_a_long_message() {
    let (mut server, addr) = bare_server("0");
    let long = "x".repeat(2000);
    let port = addr.port().to_string();
    let out = run(&client(), ["--port", &port, "--message", &long], b"");
    assert_eq!(out.code(), 1, "{}", out.stderr);
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr.contains("Connection reset by peer"),
        "{}",
        out.stderr
    );
    assert_eq!(server.wait_exit(TIMEOUT).code(), Some(0));
    assert!(server.stderr().contains("received 1024 bytes"));
}

/// The bare client against nothing: exit 1, the OS's words, no panic.
#[test]
fn bare_client_refused() {
    let port = testkit::free_tcp_port();
    let out = bare_client(format!("127.0.0.1:{port}").parse().expect("addr"));
    assert_eq!(out.code(), 1);
    assert!(out.stderr.contains("ConnectionRefused"), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}
