//! Smoke tests: the real `server` and `client` binaries of this lesson, run
//! as a student runs them, on `--port 0`, with plain UDP sockets (and the
//! tutorial's own Python programs) as the other side where a test needs to
//! control exactly what comes back.

use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use testkit::{Proc, Server, TIMEOUT, bin, contract, noise, run};

/// The contract: Ctrl-C ends a server or a waiting client within a second.
const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(1);

fn server() -> PathBuf {
    bin!("server")
}

fn client() -> PathBuf {
    bin!("client")
}

/// A plain UDP socket connected to `server`, for sending datagrams by hand.
fn peer(server: SocketAddr) -> UdpSocket {
    let local = if server.is_ipv4() {
        "127.0.0.1:0"
    } else {
        "[::1]:0"
    };
    let socket = UdpSocket::bind(local).expect("bind a test socket");
    socket.connect(server).expect("connect the test socket");
    socket.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    socket
}

/// A UDP socket that plays the server by hand: the test decides what comes back.
fn fake_server() -> UdpSocket {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind a fake server");
    socket.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    socket
}

fn port_of(socket: &UdpSocket) -> String {
    socket.local_addr().expect("addr").port().to_string()
}

fn recv(socket: &UdpSocket) -> Vec<u8> {
    recv_from(socket).0
}

/// The next datagram and its sender. A signal (a child process exiting)
/// can interrupt a receive that has a timeout; that is not a failure.
fn recv_from(socket: &UdpSocket) -> (Vec<u8>, SocketAddr) {
    let mut buf = vec![0u8; 65_536];
    loop {
        match socket.recv_from(&mut buf) {
            Ok((n, from)) => {
                buf.truncate(n);
                return (buf, from);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => panic!("no datagram within {TIMEOUT:?}: {e}"),
        }
    }
}

/// A port where nothing listens: bound a moment ago, then released.
fn closed_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .expect("a free port")
        .port()
}

/// Starts the client with `args` (its stdin stays open until finished).
fn spawn_client(args: &[&str]) -> Proc {
    let mut cmd = Command::new(client());
    cmd.args(args);
    Proc::spawn(cmd)
}

/// The client's own address, from its `sending from ADDR to ...` log line.
fn client_addr(client: &mut Proc) -> SocketAddr {
    let line = client.wait_for_line("sending from ");
    line.split("sending from ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|addr| addr.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
}

fn python(script: &str) -> Command {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/peers")
        .join(script);
    let mut cmd = Command::new("python3");
    cmd.arg(path);
    cmd
}

/// Messages given as arguments each go out as one datagram, and each echo
/// comes back on its own line of stdout, with nothing else there. The
/// server logs each sender and size.
#[test]
fn round_trip_ipv4() {
    let mut server = Server::start(&server(), [""; 0]);
    let out = run(&client(), ["--port", &server.port(), "hello", "안녕"], b"");
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert_eq!(out.stdout_text(), "hello\n안녕\n");
    server
        .proc
        .wait_for_line("received 5 bytes from 127.0.0.1:");
    server
        .proc
        .wait_for_line("received 6 bytes from 127.0.0.1:");
}

/// The same over IPv6 loopback, `[::1]` with brackets for the client.
#[test]
fn round_trip_ipv6() {
    let mut server = Server::start(&server(), ["--host", "::1"]);
    assert!(server.addr.is_ipv6(), "{}", server.addr);
    let out = run(
        &client(),
        ["--host", "[::1]", "--port", &server.port(), "v6"],
        b"",
    );
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert_eq!(out.stdout_text(), "v6\n");
    server.proc.wait_for_line("received 2 bytes from [::1]:");
}

/// Each line of stdin is one datagram, bytes and all: invalid UTF-8 and an
/// empty line come back unchanged; the server logs the bad bytes lossily.
#[test]
fn stdin_lines_are_datagrams_bytes_unchanged() {
    let mut server = Server::start(&server(), [""; 0]);
    let input = b"first\n\xff\xfeok\n\nlast\n";
    let out = run(&client(), ["--port", &server.port()], input);
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert_eq!(out.stdout, input);
    let line = server.proc.wait_for_line("received 4 bytes");
    assert!(line.contains("\u{fffd}\u{fffd}ok"), "{line}");
    server.proc.wait_for_line("received 0 bytes");
}

/// The largest datagram UDP can carry, 65,507 bytes of random data over
/// IPv4 (65,527 over IPv6), comes back whole and unchanged.
#[test]
fn largest_datagram_echoed_intact() {
    for (host, size) in [("127.0.0.1", 65_507), ("::1", 65_527)] {
        let mut server = Server::start(&server(), ["--host", host]);
        let socket = peer(server.addr);
        let data = noise(size, size as u64);
        socket.send(&data).expect("send the largest datagram");
        let back = recv(&socket);
        assert_eq!(back.len(), size, "{host}");
        assert!(back == data, "{host}: the echo differs");
        server
            .proc
            .wait_for_line(&format!("received {size} bytes from"));
    }
}

/// A datagram longer than `--buffer` is reported in the log and not echoed
/// (a cut echo would be wrong data), on every system; the next one is
/// served as usual.
#[test]
fn too_big_for_the_buffer_is_reported_not_cut() {
    let mut server = Server::start(&server(), ["--buffer", "100"]);
    let socket = peer(server.addr);
    socket.send(&[b'x'; 1000]).expect("send");
    socket.send(b"small").expect("send");
    assert_eq!(recv(&socket), b"small", "the cut datagram was echoed");
    let line = server
        .proc
        .wait_for_line("is longer than --buffer (100 bytes)");
    assert!(line.contains("not echoed"), "{line}");
}

/// UDP keeps message boundaries: four datagrams sent back to back come back
/// as four datagrams, never merged or split, the empty one included.
#[test]
fn message_boundaries_are_kept() {
    let server = Server::start(&server(), ["-q"]);
    let socket = peer(server.addr);
    let sent: [&[u8]; 4] = [b"ab", b"cd", b"", b"ef"];
    for message in sent {
        socket.send(message).expect("send");
    }
    for message in sent {
        assert_eq!(recv(&socket), message);
    }
    // And the real client: two messages, two separate replies, two lines.
    let out = run(&client(), ["--port", &server.port(), "-q", "ab", "cd"], b"");
    assert_eq!(out.stdout_text(), "ab\ncd\n", "{}", out.stderr);
}

/// 1,000 datagrams from 8 client processes at once (125 lines each): every
/// client gets exactly its own echoes back, in order, none lost or mixed up.
#[test]
fn a_thousand_datagrams_from_eight_clients_at_once() {
    let server = Server::start(&server(), ["-q"]);
    let port = server.port();
    let clients: Vec<_> = (0..8)
        .map(|c| {
            let port = port.clone();
            thread::spawn(move || {
                let input: String = (0..125)
                    .map(|i| format!("client {c} message {i} {}\n", "x".repeat(i % 40)))
                    .collect();
                let out = run(&client(), ["--port", &port, "-q"], input.as_bytes());
                (input, out)
            })
        })
        .collect();
    for (c, handle) in clients.into_iter().enumerate() {
        let (input, out) = handle.join().expect("client thread");
        assert_eq!(out.code(), 0, "client {c}: {}", out.stderr);
        assert!(
            out.stdout_text() == input,
            "client {c} got other echoes back"
        );
    }
}

/// No server, and the port is closed: each datagram is refused (ICMP port
/// unreachable, reported through the connected socket). The client exits 1
/// after 1 + 2 retries, in bounded time, with an error saying it was
/// refused and a UDP hint with the command to start the server, printed once.
#[test]
fn no_server_closed_port_is_refused() {
    let port = closed_port();
    let started = Instant::now();
    let out = run(
        &client(),
        [
            "--port",
            &port.to_string(),
            "--timeout",
            "200ms",
            "--retries",
            "2",
            "hi",
        ],
        b"",
    );
    let took = started.elapsed();
    assert_eq!(out.code(), 1, "{}", out.stderr);
    assert!(out.stdout.is_empty());
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(
        out.stderr.contains(&format!(
            "error: no reply from 127.0.0.1:{port} after 3 attempts, waiting 200ms for each; \
             the last datagram was refused: Connection refused"
        )),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("hint: is the server running? Nothing listens on that UDP port"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!(
            "cargo run -p udp-echo --bin server -- --port {port}"
        )),
        "{}",
        out.stderr
    );
    assert_eq!(
        out.stderr
            .matches("Nothing listens on that UDP port")
            .count(),
        1
    );
    assert_eq!(out.stderr.matches("retrying").count(), 2, "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

/// No server answering, and no refusal either (a socket holds the port and
/// never replies, as a lost datagram or a firewall would): the client waits
/// the timeout for each of its 3 attempts, then exits 1 with the silence hint.
#[test]
fn no_server_silence_times_out_after_the_retries() {
    let silent = fake_server();
    let port = port_of(&silent);
    let started = Instant::now();
    let out = run(
        &client(),
        [
            "--port",
            &port,
            "--timeout",
            "200ms",
            "--retries",
            "2",
            "hi",
        ],
        b"",
    );
    let took = started.elapsed();
    assert_eq!(out.code(), 1, "{}", out.stderr);
    assert!(out.stdout.is_empty());
    assert!(took >= Duration::from_millis(600), "took {took:?}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(
        out.stderr.contains(&format!(
            "error: no reply from 127.0.0.1:{port} after 3 attempts, waiting 200ms for each; \
             nothing came back"
        )),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("hint: is the server running, and are --host and --port right?"),
        "{}",
        out.stderr
    );
    // All three attempts reached the silent socket.
    for _ in 0..3 {
        assert_eq!(recv(&silent), b"hi");
    }
}

/// connect() makes the kernel drop datagrams from any other address. A
/// stray datagram sent to the client's port from another socket, carrying
/// exactly the bytes it waits for, is not taken as the answer: the client
/// times out, retries, and prints the real server's echo, once.
#[test]
fn a_stray_datagram_from_another_socket_is_not_the_reply() {
    let fake = fake_server();
    let mut client = spawn_client(&["--port", &port_of(&fake), "--timeout", "500ms", "hello"]);
    let client_addr = client_addr(&mut client);
    let (first, from) = recv_from(&fake);
    assert_eq!((first.as_slice(), from), (&b"hello"[..], client_addr));

    let stray = UdpSocket::bind("127.0.0.1:0").expect("bind a stray socket");
    stray
        .send_to(b"hello", client_addr)
        .expect("send the stray");
    // Had the client taken the stray, it would have exited without this retry.
    let (second, _) = recv_from(&fake);
    assert_eq!(second, b"hello");
    fake.send_to(&second, client_addr).expect("the real echo");

    client.wait_for_line("received the echo");
    let (status, stdout) = client.finish(TIMEOUT);
    assert_eq!(status.code(), Some(0));
    assert_eq!(stdout, b"hello\n");
}

/// A reply to an earlier, timed-out attempt is never printed as the answer
/// to a later message. The fake server ignores the first "one", answers
/// the retry twice (as if the first answer had been late), and when "two"
/// comes it sends a stale "one" before the real echo: the output is still
/// exactly one line per message.
#[test]
fn a_late_reply_is_never_the_answer_to_a_later_message() {
    let fake = fake_server();
    let mut client = spawn_client(&[
        "--port",
        &port_of(&fake),
        "--timeout",
        "300ms",
        "one",
        "two",
    ]);
    let (first, from) = recv_from(&fake);
    assert_eq!(first, b"one");
    let (retry, _) = recv_from(&fake);
    assert_eq!(retry, b"one", "the client should have retried");
    fake.send_to(b"one", from).expect("echo");
    fake.send_to(b"one", from).expect("late duplicate echo");
    let (two, _) = recv_from(&fake);
    assert_eq!(two, b"two");
    fake.send_to(b"one", from).expect("stale echo");
    fake.send_to(b"two", from).expect("echo");

    client.wait_for_line("skipped a datagram that is not the echo");
    let (status, stdout) = client.finish(TIMEOUT);
    assert_eq!(status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&stdout), "one\ntwo\n");
}

/// `--drop-every 2`: the server ignores datagrams 2 and 4, so the client
/// times out on "b" and on "c", retries each (the log says so), and still
/// prints all three echoes.
#[test]
fn drop_every_2_makes_the_client_retry_and_succeed() {
    let mut server = Server::start(&server(), ["--drop-every", "2"]);
    let out = run(
        &client(),
        [
            "--port",
            &server.port(),
            "--timeout",
            "300ms",
            "a",
            "b",
            "c",
        ],
        b"",
    );
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert_eq!(out.stdout_text(), "a\nb\nc\n");
    assert_eq!(out.stderr.matches("retrying").count(), 2, "{}", out.stderr);
    assert!(out.stderr.contains("(attempt 2 of 4)"), "{}", out.stderr);
    server.proc.wait_for_line("dropped datagram #2");
    server.proc.wait_for_line("dropped datagram #4");
}

/// The tutorial's Python UDP client gets its "Hello!" echoed by our server.
#[test]
fn tutorial_python_client_against_our_server() {
    let server = Server::start(&server(), [""; 0]);
    let mut cmd = python("udp_client.py");
    cmd.arg(server.port());
    let (status, stdout) = Proc::spawn(cmd).finish(TIMEOUT);
    assert_eq!(status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&stdout);
    assert_eq!(
        stdout.trim(),
        format!("Hello! ('127.0.0.1', {})", server.port())
    );
}

/// Our client against the tutorial's Python UDP server: the echo comes back.
#[test]
fn our_client_against_the_tutorial_python_server() {
    let mut cmd = python("udp_server.py");
    cmd.arg("0");
    let mut python = Proc::spawn(cmd);
    let line = python.wait_for_line("listening on ");
    let addr = testkit::listening_addr(&line).expect("an address");
    let out = run(
        &client(),
        ["--port", &addr.port().to_string(), "Hello!"],
        b"",
    );
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert_eq!(out.stdout_text(), "Hello!\n");
    let (status, _) = python.finish(TIMEOUT);
    assert_eq!(status.code(), Some(0));
}

/// The tutorial's server receives with recvfrom(200): a longer datagram is
/// cut without a word. Our client notices, because the "echo" differs from
/// what it sent, and does not print it.
#[test]
fn the_tutorial_server_cuts_long_datagrams_and_our_client_notices() {
    let mut cmd = python("udp_server.py");
    cmd.arg("0");
    let mut python = Proc::spawn(cmd);
    let line = python.wait_for_line("listening on ");
    let addr = testkit::listening_addr(&line).expect("an address");
    let long = "x".repeat(300);
    let out = run(
        &client(),
        [
            "--port",
            &addr.port().to_string(),
            "--timeout",
            "200ms",
            "--retries",
            "1",
            &long,
        ],
        b"",
    );
    assert_eq!(out.code(), 1, "{}", out.stderr);
    assert!(out.stdout.is_empty(), "a cut echo was printed");
    assert!(
        out.stderr
            .contains("skipped a datagram that is not the echo of this message"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("(200 bytes)"), "{}", out.stderr);
}

/// Ctrl-C on an idle server: exit 0 within a second.
#[test]
fn sigint_idle_server_exits_0() {
    let mut server = Server::start(&server(), [""; 0]);
    let status = server.interrupt_and_wait(SHUTDOWN_DEADLINE);
    assert_eq!(status.code(), Some(0), "{}", server.proc.stderr());
    assert!(server.proc.stderr().contains("server stopped"));
}

/// An empty datagram is a real message: it is echoed and does not stop the
/// server (Ctrl-C's wake-up is also an empty datagram, but only counts once
/// Ctrl-C has set the flag). Then SIGTERM ends it with exit 0 within a second.
#[test]
fn empty_datagram_is_echoed_and_sigterm_exits_0() {
    let mut server = Server::start(&server(), [""; 0]);
    let socket = peer(server.addr);
    socket.send(b"").expect("send an empty datagram");
    assert_eq!(recv(&socket), b"");
    socket.send(b"still here").expect("send");
    assert_eq!(recv(&socket), b"still here");
    server.proc.signal(15); // SIGTERM
    let status = server.proc.wait_exit(SHUTDOWN_DEADLINE);
    assert_eq!(status.code(), Some(0), "{}", server.proc.stderr());
    assert!(
        server
            .proc
            .stderr()
            .contains("server stopped after 2 datagrams"),
        "{}",
        server.proc.stderr()
    );
}

/// Ctrl-C on a client waiting for a line of input: exit 0 within a second.
#[test]
fn sigint_client_waiting_for_input_exits_0() {
    let server = Server::start(&server(), [""; 0]);
    let mut client = spawn_client(&["--port", &server.port()]);
    client.wait_for_line("sending from ");
    client.interrupt();
    let status = client.wait_exit(SHUTDOWN_DEADLINE);
    assert_eq!(status.code(), Some(0), "{}", client.stderr());
}

/// Ctrl-C on a client waiting for an echo that may never come (a silent
/// server, a 30 s timeout): it stops waiting and exits 0 within a second.
#[test]
fn sigint_client_waiting_for_an_echo_exits_0() {
    let silent = fake_server();
    let mut client = spawn_client(&["--port", &port_of(&silent), "--timeout", "30s", "hi"]);
    assert_eq!(recv(&silent), b"hi");
    client.interrupt();
    let status = client.wait_exit(SHUTDOWN_DEADLINE);
    assert_eq!(status.code(), Some(0), "{}", client.stderr());
    assert!(client.stderr().contains("stopped by Ctrl-C"));
}

/// A message too long for one datagram: exit 1, the OS error and a hint
/// giving the limit.
#[test]
fn message_too_long_for_a_datagram() {
    let server = Server::start(&server(), ["-q"]);
    let mut input = vec![b'x'; 65_508];
    input.push(b'\n');
    let out = run(&client(), ["--port", &server.port()], &input);
    assert_eq!(out.code(), 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("error: could not send 65508 bytes to")
            && out.stderr.contains("Message too long"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("hint: one UDP datagram carries at most 65507 bytes over IPv4"),
        "{}",
        out.stderr
    );
}

/// A second server on a port in use: exit 1 with the "address in use" hint.
#[test]
fn server_on_a_port_in_use() {
    contract::port_in_use(&server(), &[]);
}

/// A host name that does not exist: exit 1 with a spelling hint.
#[test]
fn unknown_host() {
    contract::unknown_host(&client(), &["hi"]);
}

/// Bad flags are usage errors: exit 2 with an `error:` line, for both
/// binaries, including the lesson's own flags.
#[test]
fn bad_flags_exit_2() {
    let server_only: [&[&str]; 4] = [
        &["--drop-every", "0"],
        &["--drop-every", "often"],
        &["--buffer", "0"],
        &["--buffer", "2000000"],
    ];
    let client_only: [&[&str]; 5] = [
        &["--timeout", "0s"],
        &["--timeout", "5"],
        &["--timeout", "2h"],
        &["--retries", "-1"],
        &["--retries", "many"],
    ];
    contract::bad_flags_exit_2(&server(), &contract::BAD_FLAGS);
    contract::bad_flags_exit_2(&client(), &contract::BAD_FLAGS);
    contract::bad_flags_exit_2(&server(), &server_only);
    contract::bad_flags_exit_2(&client(), &client_only);
}

// The bare pair of step 1 (examples/), as real processes.

/// Starts the bare server on `host`, port 0, and reads its real address.
fn bare_server(host: &str) -> (Proc, SocketAddr) {
    let mut cmd = Command::new(testkit::example("udp-echo-bare-server"));
    cmd.args([host, "0"]);
    let mut proc = Proc::spawn(cmd);
    let line = proc.wait_for_line("listening on ");
    let addr = testkit::listening_addr(&line).expect("an address");
    (proc, addr)
}

/// Runs the bare client against `host` and `port` to the end.
fn bare_client(host: &str, port: u16) -> testkit::Output {
    let path = testkit::example("udp-echo-bare-client");
    run(&path, [host, &port.to_string()], b"")
}

/// Starts one of the tutorial's Python peers (or stray.py) on a free port.
fn python_server(script: &str) -> (Proc, SocketAddr) {
    let mut cmd = python(script);
    cmd.arg("0");
    let mut proc = Proc::spawn(cmd);
    let line = proc.wait_for_line("listening on ");
    let addr = testkit::listening_addr(&line).expect("an address");
    (proc, addr)
}

/// Step 1: the bare client sends "Hello!" to the bare server and prints the
/// echo with the address it came from; the server names the sender.
#[test]
fn bare_pair_round_trip() {
    let (mut server, addr) = bare_server("127.0.0.1");
    let out = bare_client("127.0.0.1", addr.port());
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert_eq!(out.stdout_text(), format!("Hello! {addr}\n"));
    server.wait_for_line("received 6 bytes from 127.0.0.1:");
}

/// The bare pair over IPv6: positional `::1` works for both.
#[test]
fn bare_pair_round_trip_ipv6() {
    let (_server, addr) = bare_server("::1");
    assert!(addr.is_ipv6(), "{addr}");
    let out = bare_client("::1", addr.port());
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert_eq!(out.stdout_text(), format!("Hello! {addr}\n"));
}

/// The bare server's buffer holds any datagram: the largest one, 65,507
/// bytes over IPv4 and 65,527 over IPv6, comes back whole (the tutorial's
/// recvfrom(200) would cut it to 200).
#[test]
fn bare_server_echoes_the_largest_datagram_whole() {
    for (host, size) in [("127.0.0.1", 65_507), ("::1", 65_527)] {
        let (mut server, addr) = bare_server(host);
        let socket = peer(addr);
        let data = noise(size, 7);
        socket.send(&data).expect("send the largest datagram");
        let back = recv(&socket);
        assert!(back == data, "{host}: {} bytes came back", back.len());
        server.wait_for_line(&format!("received {size} bytes from"));
    }
}

/// The tutorial's Python client against the bare server.
#[test]
fn bare_server_with_the_tutorial_python_client() {
    let (_server, addr) = bare_server("127.0.0.1");
    let mut cmd = python("udp_client.py");
    cmd.arg(addr.port().to_string());
    let (status, stdout) = Proc::spawn(cmd).finish(TIMEOUT);
    assert_eq!(status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&stdout);
    assert_eq!(
        stdout.trim(),
        format!("Hello! ('127.0.0.1', {})", addr.port())
    );
}

/// The bare client against the tutorial's Python server.
#[test]
fn bare_client_with_the_tutorial_python_server() {
    let (python, addr) = python_server("udp_server.py");
    let out = bare_client("127.0.0.1", addr.port());
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert_eq!(out.stdout_text(), format!("Hello! {addr}\n"));
    let (status, _) = python.finish(TIMEOUT);
    assert_eq!(status.code(), Some(0));
}

/// A lost datagram (here a socket that never answers): the bare client
/// does not hang like the tutorial's; after one second it gives up with an
/// error and exit status 1.
#[test]
fn bare_client_gives_up_after_a_second() {
    let silent = fake_server();
    let addr = silent.local_addr().expect("addr");
    let started = Instant::now();
    let out = bare_client("127.0.0.1", addr.port());
    let took = started.elapsed();
    assert_eq!(out.code(), 1, "{}", out.stderr);
    assert!(out.stdout.is_empty());
    assert_eq!(
        out.stderr.trim(),
        format!("error: no reply from {addr} within 1s")
    );
    assert!(took >= Duration::from_secs(1), "took {took:?}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert_eq!(recv(&silent), b"Hello!");
}

/// A stray datagram from another port, with the very bytes of the echo
/// (tests/peers/stray.py): the bare client sees it is not from the server
/// and fails; the lesson's client never sees it (connect() makes the
/// kernel drop it) and prints the server's real echo.
#[test]
fn a_stray_datagram_fails_the_bare_client_not_the_lesson_client() {
    let (mut stray, addr) = python_server("stray.py");
    let out = bare_client("127.0.0.1", addr.port());
    assert_eq!(out.code(), 1, "{}", out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout_text());
    assert!(
        out.stderr.contains(&format!("not from the server {addr}")),
        "{}",
        out.stderr
    );
    stray.wait_for_line("sent the same bytes first");

    let out = run(
        &client(),
        ["--port", &addr.port().to_string(), "Hello!"],
        b"",
    );
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert_eq!(out.stdout_text(), "Hello!\n");
    stray.wait_for_line("sent the same bytes first");
    assert!(!out.stderr.contains("skipped"), "{}", out.stderr);
}

/// Usage mistakes and a port in use end the bare server with one `error:`
/// line and exit status 1, never a panic.
#[test]
fn bare_server_errors_are_one_line() {
    let (_first, addr) = bare_server("127.0.0.1");
    let path = testkit::example("udp-echo-bare-server");
    let out = run(&path, ["127.0.0.1", &addr.port().to_string()], b"");
    assert_eq!(out.code(), 1, "{}", out.stderr);
    assert!(
        out.stderr
            .starts_with(&format!("error: could not bind to {addr}: ")),
        "{}",
        out.stderr
    );
    let out = run(&path, ["127.0.0.1", "seventy"], b"");
    assert_eq!(out.code(), 1, "{}", out.stderr);
    assert!(out.stderr.starts_with("error: PORT is"), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}
