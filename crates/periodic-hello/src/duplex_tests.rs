//! Unit tests of `src/duplex.rs`: the receiving thread and the sending loop
//! on a real loopback connection.

use super::*;
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::TryRecvError;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use common::Shutdown;

/// A connected pair: our socket2 side and the peer's std side.
fn pair() -> (Socket, TcpStream, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let peer = TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
    let (ours, addr) = listener.accept().expect("accept");
    (Socket::from(ours), peer, addr)
}

/// The receiving thread on a duplicate of `ours`, as the lesson starts it.
fn spawn(
    ours: &Socket,
    addr: SocketAddr,
    out: impl Write + Send + 'static,
) -> (JoinHandle<Result<u64>>, Ended) {
    spawn_receiver(ours.try_clone().expect("dup"), addr, out).expect("spawn")
}

/// A `Write` whose bytes the test can read afterwards.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The receiving thread passes every byte on unchanged, counts lines
/// across pieces, and ends with `Ok` when the peer closes.
#[test]
fn receiver_counts_lines_and_ends_on_close() {
    let (ours, mut peer, addr) = pair();
    let out = Shared::default();
    let (receiver, _ended) = spawn(&ours, addr, out.clone());
    peer.write_all(b"one\ntw").expect("send");
    peer.write_all(b"o\n\xff\n").expect("send");
    peer.shutdown(std::net::Shutdown::Write).expect("close");
    assert_eq!(join(receiver).expect("a clean close"), 3);
    assert_eq!(*out.0.lock().expect("lock"), b"one\ntwo\n\xff\n");
}

/// A count of 3 sends exactly 3 messages and stops.
#[test]
fn sends_count_messages() {
    let (ours, mut peer, addr) = pair();
    let (receiver, ended) = spawn(&ours, addr, io::sink());
    let sent = send_every(
        &ours,
        addr,
        b"hi\n",
        Duration::from_millis(1),
        Some(3),
        &ended,
    );
    assert_eq!(sent, 3);
    ours.shutdown(std::net::Shutdown::Both).expect("shutdown");
    let mut got = Vec::new();
    peer.read_to_end(&mut got).expect("read");
    assert_eq!(got, b"hi\nhi\nhi\n");
    join(receiver).expect("a clean end");
}

/// When the peer closes, the sending loop stops at once, not at the end
/// of its (one minute) interval: the fix for tutorial 001's polling.
#[test]
fn peer_closing_cuts_the_pause_short() {
    let (ours, mut peer, addr) = pair();
    let (receiver, ended) = spawn(&ours, addr, io::sink());
    let closer = thread::spawn(move || {
        let mut first = [0u8; 3];
        peer.read_exact(&mut first).expect("first hello");
        // Closing with nothing unread sends a FIN.
        drop(peer);
    });
    let start = Instant::now();
    let sent = send_every(&ours, addr, b"hi\n", Duration::from_secs(60), None, &ended);
    assert_eq!(sent, 1);
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "waited the interval"
    );
    closer.join().expect("no panic");
    assert_eq!(ended.try_recv(), Err(TryRecvError::Disconnected));
    assert_eq!(join(receiver).expect("a clean close"), 0);
}

/// Ctrl-C (the switch, plus the socket shutdown it does for watched
/// sockets) stops the loop, even in a one-minute pause, and the
/// receiving thread ends cleanly.
#[test]
fn ctrl_c_stops_the_loop() {
    let (ours, _peer, addr) = pair();
    let shutdown = Shutdown::new();
    let _watch = shutdown.watch(&ours).expect("watch");
    let (receiver, ended) = spawn(&ours, addr, io::sink());
    let trigger = {
        let shutdown = shutdown.clone();
        thread::spawn(move || shutdown.trigger())
    };
    let start = Instant::now();
    send_every(&ours, addr, b"hi\n", Duration::from_secs(60), None, &ended);
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "waited the interval"
    );
    trigger.join().expect("no panic");
    assert!(join(receiver).is_ok());
}

/// A reset peer ends the receiving thread with an error, not a clean end.
#[test]
fn reset_is_a_failure() {
    let (ours, peer, addr) = pair();
    let (receiver, _ended) = spawn(&ours, addr, io::sink());
    let peer = Socket::from(peer);
    // Linger 0: close() sends RST instead of FIN.
    peer.set_linger(Some(Duration::ZERO)).expect("linger");
    drop(peer);
    let err = join(receiver).expect_err("a reset");
    assert!(
        format!("{err:#}").contains("lost the connection to"),
        "{err:#}"
    );
}
