//! Smoke tests: the real `server` and `client` binaries of this lesson, run
//! as a student runs them, on `--port 0`; the bare step
//! (`examples/echo-loop-bare-*.rs`); and the tutorials' own Python programs
//! as peers (`tests/peers/`).

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{Shutdown as Half, SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::time::Duration;

use testkit::{Proc, Server, TIMEOUT, bin, connect, noise, run};

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

/// Starts the bare server on `127.0.0.1`, a free port, and waits for its
/// `listening on` line; returns it and the address it names.
fn bare_server() -> (Proc, SocketAddr) {
    let mut cmd = Command::new(testkit::example("echo-loop-bare-server"));
    cmd.args(["127.0.0.1", "0"]);
    let mut proc = Proc::spawn(cmd);
    let line = proc.wait_for_line("listening on ");
    let addr = testkit::listening_addr(&line).expect("an address in the listening line");
    (proc, addr)
}

/// Runs the bare client against `port` to the end.
fn bare_client(port: u16) -> testkit::Output {
    let port = port.to_string();
    run(
        &testkit::example("echo-loop-bare-client"),
        ["127.0.0.1", &port],
        b"",
    )
}

/// Runs a tutorial's Python client with the port as its argument.
fn python_client(file: &str, port: u16) -> Output {
    Command::new("python3")
        .arg(peer(file))
        .arg(port.to_string())
        .output()
        .expect("python3 runs")
}

/// Starts tutorial 003's Python echo server on a free port; returns it, the
/// port, and its standard output after the first line (which names the port).
fn tutorial_003_server() -> (Child, String, BufReader<ChildStdout>) {
    let mut py = Command::new("python3")
        .arg(peer("tutorial003_server.py"))
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

/// The client streams 5 MB of random bytes through the server and gets back
/// identical bytes: sending and receiving run at once, so nothing deadlocks.
#[test]
fn five_megabytes_round_trip_intact() {
    let server = Server::start(&server(), ["-q"]);
    let data = noise(5 * 1024 * 1024, 42);
    let out = run(&client(), ["--port", &server.port(), "-q"], &data);
    assert_eq!(out.code(), 0, "client failed: {}", out.stderr);
    assert_eq!(out.stdout.len(), data.len());
    assert!(out.stdout == data, "the echo differs from the input");
}

/// Words given as arguments go out as one line and come back on stdout,
/// with nothing else on stdout.
#[test]
fn message_arguments_are_echoed_as_one_line() {
    let server = Server::start(&server(), [""; 0]);
    let out = run(&client(), ["--port", &server.port(), "안녕", "세상"], b"");
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert_eq!(out.stdout_text(), "안녕 세상\n");
    assert!(out.stderr.contains("connected to"), "{}", out.stderr);
}

/// Korean text split at every byte offset, so that a character arrives in
/// two pieces, comes back intact; the server never decodes what it echoes.
#[test]
fn korean_split_at_every_byte_offset_comes_back_intact() {
    let server = Server::start(&server(), [""; 0]);
    let text = "안녕하세요, 세상!".as_bytes();
    for cut in 1..text.len() {
        let mut conn = connect(&server);
        conn.set_nodelay(true).expect("nodelay");
        conn.write_all(&text[..cut]).expect("first piece");
        // Wait for the first piece's echo, so the server really saw two reads.
        let mut first = vec![0u8; cut];
        conn.read_exact(&mut first)
            .expect("echo of the first piece");
        conn.write_all(&text[cut..]).expect("second piece");
        conn.shutdown(Half::Write).expect("half-close");
        let mut rest = Vec::new();
        conn.read_to_end(&mut rest).expect("rest of the echo");
        first.extend_from_slice(&rest);
        assert_eq!(first, text, "cut at byte {cut}");
    }
}

/// Invalid UTF-8 is echoed unchanged and logged lossily, with its size.
#[test]
fn invalid_utf8_is_echoed_unchanged_and_logged_lossily() {
    let mut server = Server::start(&server(), [""; 0]);
    let bad = [0xff, 0xfe, b'o', b'k', 0xc3];
    let out = run(&client(), ["--port", &server.port()], &bad);
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert_eq!(out.stdout, bad);
    let line = server.proc.wait_for_line("received 5 bytes");
    assert!(line.contains("\u{fffd}\u{fffd}ok\u{fffd}"), "{line}");
}

/// echo-loop is sequential: a second client is connected (queued by the
/// kernel) but gets no echo until the first client is done; then it does.
#[test]
fn second_client_waits_for_the_first() {
    let mut server = Server::start(&server(), [""; 0]);
    let mut first = connect(&server);
    first.write_all(b"one").expect("send");
    let mut buf = [0u8; 3];
    first.read_exact(&mut buf).expect("first echo");

    let mut second = connect(&server);
    let second_addr = second.local_addr().expect("addr").to_string();
    second.write_all(b"two").expect("send");
    // The server is still busy with the first client: it answers it again...
    first.write_all(b"more").expect("send");
    let mut more = [0u8; 4];
    first
        .read_exact(&mut more)
        .expect("first client still served");
    assert_eq!(&more, b"more");
    // ...while the second one has been neither accepted nor answered.
    assert!(
        !server.proc.stderr().contains(&second_addr),
        "second client served too early"
    );
    second.set_nonblocking(true).expect("nonblocking");
    let early = second.read(&mut buf);
    assert_eq!(
        early.map_err(|e| e.kind()).err(),
        Some(ErrorKind::WouldBlock)
    );
    second.set_nonblocking(false).expect("blocking");

    // The first client leaves; now the second one is served.
    drop(first);
    server
        .proc
        .wait_for_line(&format!("{second_addr} connected"));
    second.read_exact(&mut buf).expect("second echo");
    assert_eq!(&buf, b"two");
}

/// Twenty clients in a row are all served, each with its own bytes.
#[test]
fn many_clients_one_after_another() {
    let server = Server::start(&server(), ["-q"]);
    for i in 0..20u64 {
        let data = noise(1000 + i as usize * 37, i);
        let out = run(&client(), ["--port", &server.port(), "-q"], &data);
        assert_eq!(out.code(), 0, "client {i}: {}", out.stderr);
        assert!(out.stdout == data, "client {i} got other bytes back");
    }
}

/// A client that resets its connection does not stop the server: the next
/// client is served.
#[test]
fn a_resetting_peer_does_not_stop_the_server() {
    let mut server = Server::start(&server(), [""; 0]);
    let conn = socket2::Socket::from(connect(&server));
    (&conn).write_all(b"bye").expect("send");
    let mut buf = [0u8; 3];
    (&conn).read_exact(&mut buf).expect("echo");
    (&conn).write_all(b"unread").expect("send");
    // Linger 0 makes close() send RST instead of FIN.
    conn.set_linger(Some(Duration::ZERO)).expect("linger");
    drop(conn);
    let out = run(&client(), ["--port", &server.port(), "still", "here"], b"");
    assert_eq!(out.stdout_text(), "still here\n", "{}", out.stderr);
    assert!(server.proc.is_running());
}

/// IPv6 loopback works in both bracket forms.
#[test]
fn ipv6_loopback() {
    let server = Server::start(&server(), ["--host", "::1"]);
    assert!(server.addr.is_ipv6(), "{}", server.addr);
    let out = run(
        &client(),
        ["--host", "[::1]", "--port", &server.port(), "v6"],
        b"",
    );
    assert_eq!(out.stdout_text(), "v6\n", "{}", out.stderr);
}

/// `--once` serves one client and exits 0, as tutorial 003 does.
#[test]
fn once_exits_after_one_client() {
    let mut server = Server::start(&server(), ["--once"]);
    let out = run(&client(), ["--port", &server.port(), "once"], b"");
    assert_eq!(out.stdout_text(), "once\n");
    let status = server.proc.wait_exit(TIMEOUT);
    assert_eq!(status.code(), Some(0));
}

/// No server on the port: exit 1, an `error:` line naming the address, and a
/// hint with the exact command that starts the server on that port.
#[test]
fn client_against_a_closed_port() {
    let out = testkit::contract::refused(&client(), "echo-loop", &["hi"]);
    assert!(
        out.stderr
            .contains("error: could not connect to 127.0.0.1:"),
        "{}",
        out.stderr
    );
}

/// A second server on a port in use: exit 1 with the "address in use" hint.
#[test]
fn server_on_a_port_in_use() {
    testkit::contract::port_in_use(&server(), &[]);
}

/// Bad flags are usage errors: exit 2, for the server and the client.
#[test]
fn bad_flags_exit_2() {
    testkit::contract::bad_flags_exit_2(&server(), &testkit::contract::BAD_FLAGS);
    testkit::contract::bad_flags_exit_2(&client(), &testkit::contract::BAD_FLAGS);
    testkit::contract::bad_flags_exit_2(&server(), &[&["--buffer", "0"]]);
}

/// A host name that does not exist: exit 1 with a spelling hint.
#[test]
fn unknown_host() {
    testkit::contract::unknown_host(&client(), &["hi"]);
}

/// Ctrl-C on an idle server: exit 0 within a second.
#[test]
fn sigint_idle_server_exits_0() {
    let mut server = Server::start(&server(), [""; 0]);
    let status = server.interrupt_and_wait(SHUTDOWN_DEADLINE);
    assert_eq!(status.code(), Some(0), "{}", server.proc.stderr());
    assert!(server.proc.stderr().contains("server stopped"));
}

/// SIGTERM works like Ctrl-C.
#[test]
fn sigterm_idle_server_exits_0() {
    let mut server = Server::start(&server(), [""; 0]);
    server.proc.terminate();
    let status = server.proc.wait_exit(SHUTDOWN_DEADLINE);
    assert_eq!(status.code(), Some(0), "{}", server.proc.stderr());
}

/// Ctrl-C with a client connected: the server exits 0 within a second, and
/// the client sees a clean close (end of stream, not a reset). The real
/// client, waiting on its input, also ends cleanly with exit 0.
#[test]
fn sigint_with_clients_connected_closes_them_cleanly() {
    let mut server = Server::start(&server(), [""; 0]);
    let mut raw = connect(&server);
    raw.write_all(b"hello").expect("send");
    let mut buf = [0u8; 5];
    raw.read_exact(&mut buf).expect("echo");
    // A real client too, queued behind the raw one, its stdin still open.
    let mut cmd = std::process::Command::new(client());
    cmd.args(["--port", &server.port()]);
    let mut queued = Proc::spawn(cmd);
    queued.wait_for_line("connected to");

    let status = server.interrupt_and_wait(SHUTDOWN_DEADLINE);
    assert_eq!(status.code(), Some(0), "{}", server.proc.stderr());
    let mut rest = Vec::new();
    assert_eq!(
        raw.read_to_end(&mut rest).map_err(|e| e.kind()),
        Ok(0),
        "not a clean close"
    );
    let (status, _) = queued.finish(TIMEOUT);
    assert_eq!(status.code(), Some(0));
}

/// Ctrl-C on a client waiting for input: it closes and exits 0 within a second.
#[test]
fn sigint_client_exits_0() {
    let mut server = Server::start(&server(), [""; 0]);
    let mut cmd = std::process::Command::new(client());
    cmd.args(["--port", &server.port()]);
    let mut client = Proc::spawn(cmd);
    client.wait_for_line("connected to");
    server.proc.wait_for_line("connected");
    client.interrupt();
    let status = client.wait_exit(SHUTDOWN_DEADLINE);
    assert_eq!(status.code(), Some(0), "{}", client.stderr());
    // The server saw an orderly close and goes on serving.
    server.proc.wait_for_line("closed the connection");
}

/// A port below 1024 without privileges: exit 1, "Permission denied" and the
/// hint. Tests run as root on CI, so the server is started as user `nobody`
/// with `setpriv`. Linux only: macOS lets anyone bind a low port.
#[cfg(target_os = "linux")]
#[test]
fn privileged_port_is_refused_with_a_hint() {
    let start = std::fs::read_to_string("/proc/sys/net/ipv4/ip_unprivileged_port_start")
        .ok()
        .and_then(|s| s.trim().parse::<u16>().ok())
        .unwrap_or(1024);
    assert!(
        start > 80,
        "this system lets anyone bind port 80; the test needs a system that does not"
    );
    let server = server();
    let is_root = run(std::path::Path::new("id"), ["-u"], b"")
        .stdout_text()
        .trim()
        == "0";
    let out = if is_root {
        run(
            std::path::Path::new("setpriv"),
            [
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                server.to_str().expect("utf-8 path"),
                "--port",
                "80",
            ],
            b"",
        )
    } else {
        run(&server, ["--port", "80"], b"")
    };
    assert_eq!(out.code(), 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("error: could not listen on 127.0.0.1:80"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("Permission denied"), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("ports below 1024 need administrator rights"),
        "{}",
        out.stderr
    );
}

/// Tutorial 003's and tutorial 004's Python clients against our server:
/// each gets its greeting back, Korean and all.
#[test]
fn tutorial_python_clients_against_our_server() {
    let server = Server::start(&server(), [""; 0]);
    let out = python_client("tutorial003_client.py", server.addr.port());
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Received '안녕!'\n");
    let out = python_client("tutorial004_soc2_client.py", server.addr.port());
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "수신자료:  스승의 은혜는 하늘 같아서 . . .\n"
    );
}

/// Our client against tutorial 003's Python echo server: the echo comes
/// back, and the Python server ends after its one client.
#[test]
fn our_client_against_the_tutorial_003_server() {
    let (mut py, port, mut lines) = tutorial_003_server();
    let out = run(&client(), ["--port", &port, "안녕", "세상"], b"");
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert_eq!(out.stdout_text(), "안녕 세상\n");
    let mut rest = String::new();
    lines.read_to_string(&mut rest).expect("its output");
    assert!(py.wait().expect("exit").success());
    assert!(rest.contains("안녕 세상"), "{rest}");
}

// The bare step: examples/echo-loop-bare-server.rs and -client.rs.

/// The bare pair echoes the tutorial's greeting, and the bare server goes
/// on to serve the next client, one after another.
#[test]
fn bare_pair_echo_one_client_after_another() {
    let (mut server, addr) = bare_server();
    for _ in 0..2 {
        let out = bare_client(addr.port());
        assert_eq!(out.code(), 0, "{}", out.stderr);
        assert_eq!(out.stdout_text(), "안녕!\n");
        assert!(out.stderr.contains("received 7 bytes"), "{}", out.stderr);
    }
    server.wait_for_line("closed the connection");
    server.wait_for_line("closed the connection");
    assert!(server.is_running());
    assert!(
        server
            .stderr()
            .contains(r#"received 7 bytes from 127.0.0.1:"#)
    );
}

/// The bare server echoes any bytes, far more than its 1024-byte buffer,
/// unchanged; our full client streams them through it.
#[test]
fn bare_server_echoes_large_binary_data() {
    let (_server, addr) = bare_server();
    let data = noise(1024 * 1024, 7);
    let port = addr.port().to_string();
    let out = run(&client(), ["--port", &port, "-q"], &data);
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert!(out.stdout == data, "the echo differs from the input");
}

/// The bare pair and the tutorials' Python programs: 003's and 004's
/// clients against the bare server, the bare client against 003's server.
#[test]
fn bare_pair_with_the_tutorials_python_peers() {
    let (_server, addr) = bare_server();
    let out = python_client("tutorial003_client.py", addr.port());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Received '안녕!'\n");
    let out = python_client("tutorial004_soc2_client.py", addr.port());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("스승의 은혜는"),
        "{out:?}"
    );

    let (mut py, port, mut lines) = tutorial_003_server();
    let out = bare_client(port.parse().expect("a port"));
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert_eq!(out.stdout_text(), "안녕!\n");
    let mut rest = String::new();
    lines.read_to_string(&mut rest).expect("its output");
    assert!(py.wait().expect("exit").success());
    assert!(rest.contains("Received from"), "{rest}");
}

/// Step 2's failure: one client's reset ends the bare server (its `?`
/// passes the error up to main). The full server logs it and goes on: see
/// `a_resetting_peer_does_not_stop_the_server`.
#[test]
fn a_reset_stops_the_bare_server() {
    let (mut server, addr) = bare_server();
    let conn = socket2::Socket::from(TcpStream::connect(addr).expect("connect"));
    server.wait_for_line("connected");
    // Linger 0 makes close() send a reset (RST) instead of a FIN.
    conn.set_linger(Some(Duration::ZERO)).expect("linger");
    drop(conn);
    let status = server.wait_exit(TIMEOUT);
    assert_eq!(status.code(), Some(1), "{}", server.stderr());
    assert!(
        server.stderr().contains("ConnectionReset"),
        "{}",
        server.stderr()
    );
}

/// Step 2's failure: Ctrl-C kills the bare server (it has no handler). The
/// kernel closes the connected client's socket with a FIN, a normal end,
/// but a client still waiting in the listen() queue gets a reset. The full
/// server closes both normally: see `sigint_with_clients_connected_closes_them_cleanly`.
#[cfg(unix)]
#[test]
fn ctrl_c_on_the_bare_server_resets_a_queued_client() {
    use std::os::unix::process::ExitStatusExt;
    let (mut server, addr) = bare_server();
    let mut served = TcpStream::connect(addr).expect("connect");
    served.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    served.write_all(b"hi").expect("send");
    let mut echo = [0u8; 2];
    served.read_exact(&mut echo).expect("echo");
    let mut queued = TcpStream::connect(addr).expect("queued connect");
    queued.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    server.interrupt();
    assert_eq!(server.wait_exit(TIMEOUT).signal(), Some(testkit::SIGINT));
    let mut rest = Vec::new();
    assert_eq!(served.read_to_end(&mut rest).map_err(|e| e.kind()), Ok(0));
    assert_eq!(
        queued.read_to_end(&mut rest).map_err(|e| e.kind()),
        Err(ErrorKind::ConnectionReset)
    );
}

/// The bare client against nothing: exit 1, the OS's words, no panic.
#[test]
fn bare_client_refused() {
    let out = bare_client(testkit::free_tcp_port());
    assert_eq!(out.code(), 1);
    assert!(out.stderr.contains("ConnectionRefused"), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}
