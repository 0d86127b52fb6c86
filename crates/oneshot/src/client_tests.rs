//! Unit tests of `client.rs`: the client against a std server on a thread.

use super::*;
use std::net::TcpListener;
use std::thread;

/// The client sends, half-closes, and collects a reply that arrives in pieces.
#[test]
fn sends_then_reads_to_the_end() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = thread::spawn(move || {
        let (mut conn, _) = listener.accept().expect("accept");
        let mut got = Vec::new();
        conn.read_to_end(&mut got).expect("read to the half-close");
        for piece in [&b"Hel"[..], b"lo, ", b"client"] {
            conn.write_all(piece).expect("write");
            conn.flush().expect("flush");
        }
        got
    });
    let reply = run(addr, b"hi", &Shutdown::new()).expect("run");
    assert_eq!(reply, b"Hello, client");
    assert_eq!(server.join().expect("no panic"), b"hi");
}

/// Nothing listening: the error names the address and is "refused".
#[test]
fn refused_names_the_address() {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");
    let err = run(port, b"hi", &Shutdown::new()).expect_err("nothing listens");
    assert!(format!("{err:#}").contains(&port.to_string()), "{err:#}");
    let io = err.downcast_ref::<std::io::Error>().expect("io error");
    assert_eq!(io.kind(), std::io::ErrorKind::ConnectionRefused);
}
