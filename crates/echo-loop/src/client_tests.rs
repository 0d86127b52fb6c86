//! Unit tests of `client.rs`: the client against a std echo peer on a thread.

use super::*;
use std::net::TcpListener;

/// A plain echo peer: read and write back until end of stream.
fn echo_peer() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    thread::spawn(move || {
        let (mut conn, _) = listener.accept().expect("accept");
        let mut reader = conn.try_clone().expect("clone");
        io::copy(&mut reader, &mut conn).expect("echo");
    });
    addr
}

/// 8 MB goes through without deadlock and comes back identical.
#[test]
fn streams_large_input_without_deadlock() {
    let addr = echo_peer();
    let data: Vec<u8> = (0..8_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let mut out = Vec::new();
    let socket = connect(addr).expect("connect");
    let n = echo(
        socket,
        io::Cursor::new(data.clone()),
        &mut out,
        &Shutdown::new(),
    )
    .expect("echo");
    assert_eq!(n, data.len() as u64);
    assert!(out == data, "the echo differs from the input");
}
