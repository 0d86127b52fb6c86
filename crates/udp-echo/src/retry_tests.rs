//! Unit tests of `retry.rs`: the client against a fake server, a plain UDP
//! socket the test drives by hand.

use super::*;
use common::Shutdown;
use std::net::{SocketAddr, UdpSocket};
use std::thread;

fn options(timeout_ms: u64, retries: u32) -> Options {
    Options {
        timeout: Duration::from_millis(timeout_ms),
        retries,
        start_server: "START".into(),
    }
}

/// A fake server: a socket the test drives by hand.
fn fake_server() -> (UdpSocket, SocketAddr) {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let addr = socket.local_addr().expect("addr");
    (socket, addr)
}

fn recv_from(socket: &UdpSocket) -> (Vec<u8>, SocketAddr) {
    let mut buf = vec![0u8; 65_536];
    let (n, from) = socket.recv_from(&mut buf).expect("a datagram");
    buf.truncate(n);
    (buf, from)
}

/// The io::Error at the bottom of an error, if any.
fn io_error(err: &anyhow::Error) -> Option<&io::Error> {
    err.chain()
        .find_map(|cause| cause.downcast_ref::<io::Error>())
}

/// A late echo of "one" that arrives while we wait for "two" is skipped:
/// the answer to "two" is "two", never the stale "one".
#[test]
fn a_late_echo_is_not_the_answer_to_the_next_message() {
    let (server, addr) = fake_server();
    let fake = thread::spawn(move || {
        let (one, client) = recv_from(&server);
        server.send_to(&one, client).expect("echo one");
        let (two, _) = recv_from(&server);
        assert_eq!(two, b"two");
        // The stale echo first, then the real one.
        server.send_to(b"one", client).expect("stale");
        server.send_to(&two, client).expect("echo two");
    });
    let mut client = Client::connect(addr, options(5000, 0), &Shutdown::new()).expect("connect");
    for message in [&b"one"[..], b"two"] {
        let reply = client.echo(message).expect("echo");
        assert_eq!(reply.as_deref(), Some(message));
    }
    fake.join().expect("fake server");
}

/// Silence: after 1 + retries attempts, each waiting the timeout, the
/// error says nothing came back, with the silence hint and no refusal.
#[test]
fn silence_ends_in_no_reply_after_the_retries() {
    let (server, addr) = fake_server();
    let started = Instant::now();
    let mut client = Client::connect(addr, options(50, 2), &Shutdown::new()).expect("connect");
    let err = client.echo(b"anyone?").expect_err("nobody answers");
    assert!(started.elapsed() >= Duration::from_millis(150));
    let text = format!("{err:#}");
    assert!(text.contains("after 3 attempts"), "{text}");
    assert!(text.contains("nothing came back"), "{text}");
    assert!(io_error(&err).is_none(), "{text}");
    let Some(hint) = err.downcast_ref::<Hint>().map(Hint::en) else {
        panic!("no hint: {text}");
    };
    assert!(hint.contains("silence") && hint.contains("START"), "{hint}");
    // All three attempts did reach the (silent) server.
    for _ in 0..3 {
        assert_eq!(recv_from(&server).0, b"anyone?");
    }
}

/// A closed port: the ICMP refusal reaches our connected socket, and the
/// error says so (the io::Error is its source).
#[cfg(target_os = "linux")]
#[test]
fn a_closed_port_is_reported_as_refused() {
    let (server, addr) = fake_server();
    drop(server);
    let mut client = Client::connect(addr, options(50, 1), &Shutdown::new()).expect("connect");
    let err = client.echo(b"hi").expect_err("nothing listens");
    let text = format!("{err:#}");
    assert!(text.contains("after 2 attempts"), "{text}");
    let refused = io_error(&err).expect("a refusal");
    assert_eq!(refused.kind(), io::ErrorKind::ConnectionRefused);
    assert!(text.contains("refused"), "{text}");
    let Some(hint) = err.downcast_ref::<Hint>().map(Hint::en) else {
        panic!("no hint: {text}");
    };
    assert!(hint.contains("START"), "{hint}");
}

/// A message too long for one datagram fails at once with a size hint.
#[test]
fn too_long_for_one_datagram() {
    let (_server, addr) = fake_server();
    let mut client = Client::connect(addr, options(50, 0), &Shutdown::new()).expect("connect");
    let err = client
        .echo(&vec![b'x'; MAX_PAYLOAD_V4 + 1])
        .expect_err("too long");
    let Some(hint) = err.downcast_ref::<Hint>().map(Hint::en) else {
        panic!("no hint: {err:#}");
    };
    assert!(hint.contains("65507"), "{hint}");
}

/// Ctrl-C while waiting for an echo ends the wait at once.
#[test]
fn ctrl_c_ends_the_wait() {
    let (server, addr) = fake_server();
    let shutdown = Shutdown::new();
    let mut client = Client::connect(addr, options(60_000, 0), &shutdown).expect("connect");
    let trigger = thread::spawn(move || {
        recv_from(&server);
        shutdown.trigger();
    });
    let started = Instant::now();
    assert_eq!(client.echo(b"wait").expect("no error"), None);
    assert!(started.elapsed() < Duration::from_secs(5));
    trigger.join().expect("trigger");
}
