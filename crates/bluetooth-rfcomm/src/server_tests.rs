//! Unit tests of `server.rs`. The echo loop takes any connected stream
//! socket, so it is tested here over TCP on loopback: this machine has no
//! Bluetooth (the VM test, scripts/bt-vm/, runs it over RFCOMM).

use super::*;
use std::net::{TcpListener, TcpStream};
use std::thread;

/// A connected pair: (the server's end as a socket2 Socket, the peer's end).
fn pair() -> (Socket, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let peer = TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
    let (conn, _) = listener.accept().expect("accept");
    (Socket::from(conn), peer)
}

/// 10 KB, larger than the 1024-byte buffer and including invalid UTF-8,
/// comes back byte for byte; the peer's close ends the loop with the total.
#[test]
fn echoes_everything_until_the_peer_closes() {
    let (conn, mut peer) = pair();
    let server = thread::spawn(move || {
        let mut buffer = vec![0u8; crate::BUFFER];
        echo_until_closed(&conn, "peer", &mut buffer).map_err(|e| e.kind())
    });
    let mut data: Vec<u8> = (0..10_240u32).map(|i| (i % 251) as u8).collect();
    data.extend_from_slice(&[0xff, 0xfe, 0xc3]);
    peer.write_all(&data).expect("send");
    let mut back = vec![0u8; data.len()];
    peer.read_exact(&mut back).expect("echo");
    assert!(back == data, "the echo differs");
    drop(peer);
    assert_eq!(server.join().expect("no panic"), Ok(data.len()));
}

/// A reset, how Linux reports an RFCOMM peer's normal close, also ends
/// the loop without an error.
#[test]
fn a_reset_is_the_end_of_the_stream() {
    let (conn, mut peer) = pair();
    peer.write_all(b"bye").expect("send");
    let mut three = [0u8; 3];
    let server = thread::spawn(move || {
        let mut buffer = vec![0u8; 16];
        echo_until_closed(&conn, "peer", &mut buffer).map_err(|e| e.kind())
    });
    peer.read_exact(&mut three).expect("echo");
    // Linger 0: close() sends a reset instead of a FIN.
    let peer = Socket::from(peer);
    peer.set_linger(Some(Duration::ZERO)).expect("linger");
    drop(peer);
    assert_eq!(server.join().expect("no panic"), Ok(3));
}
