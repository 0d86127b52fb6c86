//! Unit tests of `src/client.rs`, against small servers written with
//! `std::net`.

use super::*;
use std::io::{self, Read};
use std::net::TcpListener;
use std::thread;

/// A peer that sends `greetings` hellos, then reads until our half-close
/// and closes; returns what it received.
fn polite_server(greetings: usize) -> (SocketAddr, thread::JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let handle = thread::spawn(move || {
        let (mut conn, _) = listener.accept().expect("accept");
        for _ in 0..greetings {
            conn.write_all(b"hello client\n").expect("send");
        }
        let mut got = Vec::new();
        conn.read_to_end(&mut got).expect("read");
        got
    });
    (addr, handle)
}

/// With a count, the client sends exactly that many hellos, half-closes,
/// and returns Ok once the server has closed.
#[test]
fn count_sends_exactly_n_then_half_closes() {
    let (addr, server) = polite_server(2);
    let interval = Duration::from_millis(1);
    run(addr, interval, Some(4), &Shutdown::new(), io::sink()).expect("clean run");
    assert_eq!(
        server.join().expect("no panic"),
        b"hello server\n".repeat(4)
    );
}

/// A server that never closes does not make the client hang: it gives up
/// after CLOSE_TIMEOUT and still succeeds.
#[test]
fn a_server_that_never_closes_is_not_waited_for_forever() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (client_done, wait_for_client) = std::sync::mpsc::channel::<()>();
    let server = thread::spawn(move || {
        let (conn, _) = listener.accept().expect("accept");
        // Read up to the client's half-close, then keep the connection
        // open (as tutorial 001's server does) until the client is done.
        let mut buf = Vec::new();
        (&conn).read_to_end(&mut buf).expect("read");
        let _ = wait_for_client.recv();
        buf.len()
    });
    let start = std::time::Instant::now();
    let interval = Duration::from_millis(1);
    run(addr, interval, Some(1), &Shutdown::new(), io::sink()).expect("clean run");
    assert!(start.elapsed() >= CLOSE_TIMEOUT);
    client_done.send(()).expect("server still waiting");
    assert_eq!(server.join().expect("no panic"), CLIENT_HELLO.len());
}
