//! Smoke tests: the real oneshot `server` and `client`, and the tutorial's own
//! Python programs as peers, on `--port 0`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

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
    assert!(log.contains("filled the whole 8-byte buffer"), "{log}");
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

/// The tutorial's Python client against our server: both print the expected
/// greetings.
#[test]
fn tutorial_python_client_against_our_server() {
    let mut server = Server::start(&server(), [""; 0]);
    let out = Command::new("python3")
        .arg(peer("tutorial002_client.py"))
        .arg(server.port())
        .output()
        .expect("python3 runs");
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

/// Our client against the tutorial's Python server.
#[test]
fn our_client_against_the_tutorial_python_server() {
    let mut py = Command::new("python3")
        .arg(peer("tutorial002_server.py"))
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

/// Nothing listening: exit 1, the error, and the command that starts the server.
#[test]
fn client_against_a_closed_port() {
    let port = testkit::free_tcp_port();
    let out = run(&client(), ["--port", &port.to_string()], b"");
    assert_eq!(out.code(), 1);
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr
            .contains(&format!("error: could not connect to 127.0.0.1:{port}"))
    );
    assert!(
        out.stderr.contains(&format!(
            "cargo run -p oneshot --bin server -- --port {port}"
        )),
        "{}",
        out.stderr
    );
}

/// A port already in use: exit 1 with the hint.
#[test]
fn server_on_a_port_in_use() {
    let busy = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = busy.local_addr().expect("addr").port().to_string();
    let out = run(&server(), ["--port", &port], b"");
    assert_eq!(out.code(), 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("hint: another program is using that port")
    );
}

/// Bad flags: exit 2 for both binaries; `--help` and `--version` exit 0.
#[test]
fn flags() {
    for bin in [server(), client()] {
        assert_eq!(run(&bin, ["--port", "notaport"], b"").code(), 2);
        assert_eq!(run(&bin, ["--host", "[::1"], b"").code(), 2);
        let help = run(&bin, ["--help"], b"");
        assert_eq!(help.code(), 0);
        assert!(help.stdout_text().contains("--port"));
        let version = run(&bin, ["--version"], b"");
        assert!(version.stdout_text().contains("(oneshot lesson)"));
    }
    assert_eq!(run(&server(), ["--buffer", "0"], b"").code(), 2);
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
