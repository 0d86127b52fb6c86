//! Unit tests of `server.rs`: the receive loop in a thread, driven by a
//! plain UDP socket.

use super::*;
use std::io;
use std::thread;
use std::time::Duration;

struct Running {
    addr: SocketAddr,
    shutdown: Shutdown,
    handle: thread::JoinHandle<Result<u64>>,
}

fn start(buffer: usize, drop_every: Option<u64>) -> Running {
    let drop_every = drop_every.and_then(std::num::NonZeroU64::new);
    let socket = bind("127.0.0.1:0".parse().expect("addr")).expect("bind");
    let addr = socket.local_addr().expect("addr");
    let shutdown = Shutdown::new();
    shutdown.wake_udp(addr);
    let options = Options { buffer, drop_every };
    let handle = {
        let shutdown = shutdown.clone();
        thread::spawn(move || serve(&socket, &options, &shutdown))
    };
    Running {
        addr,
        shutdown,
        handle,
    }
}

impl Running {
    /// Ctrl-C, then how many datagrams the loop says it received.
    fn stop(self) -> u64 {
        self.shutdown.trigger();
        self.handle.join().expect("no panic").expect("clean stop")
    }
}

fn peer(server: SocketAddr) -> UdpSocket {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
    socket.connect(server).expect("connect");
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    socket
}

fn recv(socket: &UdpSocket) -> Vec<u8> {
    let mut buf = vec![0u8; 65_536];
    let n = socket.recv(&mut buf).expect("an answer");
    buf.truncate(n);
    buf
}

/// Each datagram comes back unchanged, empty ones included, and Ctrl-C
/// (the trigger) ends the loop without counting the wake-up datagram.
#[test]
fn echoes_each_datagram_including_empty_ones() {
    let server = start(1024, None);
    let client = peer(server.addr);
    for message in [&b"hello"[..], b"", &[0xff, 0x00, 0xfe]] {
        client.send(message).expect("send");
        assert_eq!(recv(&client), message);
    }
    assert_eq!(server.stop(), 3);
}

/// With drop_every 3, datagrams 3 and 6 get no answer; the others do.
#[test]
fn drop_every_ignores_every_nth() {
    let server = start(1024, Some(3));
    let client = peer(server.addr);
    // Send 7 and collect what comes back: the echo of 1, 2, 4, 5, 7.
    // Waiting for 7's echo means 6 has been handled too before we stop.
    for i in 1..=7u8 {
        client.send(&[i]).expect("send");
    }
    let answers: Vec<Vec<u8>> = (0..5).map(|_| recv(&client)).collect();
    assert_eq!(answers, [[1], [2], [4], [5], [7]]);
    assert_eq!(server.stop(), 7);
}

/// A datagram longer than the buffer is not echoed, on every system (the
/// buffer has one byte more, and that byte filled); the next one is served
/// normally. A datagram exactly as long as the buffer is echoed whole.
#[test]
fn too_big_is_reported_not_cut() {
    let server = start(10, None);
    let client = peer(server.addr);
    client.send(&[7u8; 100]).expect("send");
    client.send(&[7u8; 11]).expect("send");
    client.send(b"0123456789").expect("send");
    assert_eq!(recv(&client), b"0123456789");
    assert_eq!(server.stop(), 3);
}

/// A second server on the same port fails with "address in use": UDP
/// ports are claimed just like TCP ones.
#[test]
fn port_in_use_is_an_error() {
    let first = bind("127.0.0.1:0".parse().expect("addr")).expect("bind");
    let addr = first.local_addr().expect("addr");
    let err = bind(addr).expect_err("second bind must fail");
    let io = err.downcast_ref::<io::Error>().expect("an io error");
    assert_eq!(io.kind(), io::ErrorKind::AddrInUse);
    assert!(format!("{err:#}").contains(&addr.to_string()));
}
