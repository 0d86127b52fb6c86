//! Unit tests of `server.rs`: the accept loop and the client threads, in
//! this process, with raw sockets as clients.

use super::*;
use crate::BUFFER;
use crate::lines::too_long_message;
use std::net::TcpStream;
use std::thread::JoinHandle;

fn options() -> Options {
    Options {
        idle_timeout: Duration::from_secs(20),
        max_clients: 4,
        max_line: 16,
        buffer: BUFFER,
    }
}

/// Listens on a free port and serves on a thread until `Shutdown::trigger`.
fn start(options: Options) -> (SocketAddr, Shutdown, JoinHandle<Result<()>>) {
    let listener = listen("127.0.0.1:0".parse().expect("addr")).expect("listen");
    let addr = common::addr::local_addr(&listener).expect("addr");
    let shutdown = Shutdown::new();
    let handle = {
        let shutdown = shutdown.clone();
        thread::spawn(move || serve(&listener, options, &shutdown))
    };
    (addr, shutdown, handle)
}

fn connect(addr: SocketAddr) -> TcpStream {
    let conn = TcpStream::connect(addr).expect("connect");
    conn.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    conn
}

fn round_trip(conn: &mut TcpStream, data: &[u8]) -> Vec<u8> {
    conn.write_all(data).expect("send");
    let mut back = vec![0u8; data.len()];
    conn.read_exact(&mut back).expect("echo");
    back
}

/// Reads until the server closes; a reset fails the test.
fn rest(conn: &mut TcpStream) -> Vec<u8> {
    let mut rest = Vec::new();
    conn.read_to_end(&mut rest).expect("a clean close");
    rest
}

/// Two clients are served at the same time, each on its own socket: the
/// second is answered while the first is still connected. Ctrl-C closes
/// both cleanly and the accept loop returns.
#[test]
fn two_clients_at_once_each_get_their_own_echo() {
    let (addr, shutdown, handle) = start(options());
    let mut first = connect(addr);
    let mut second = connect(addr);
    assert_eq!(round_trip(&mut second, b"two\n"), b"two\n");
    assert_eq!(round_trip(&mut first, b"one\n"), b"one\n");
    shutdown.trigger();
    assert_eq!(rest(&mut first), b"");
    assert_eq!(rest(&mut second), b"");
    handle.join().expect("no panic").expect("clean stop");
}

/// `/end` is echoed, and then the server closes that connection; what
/// came after it is never echoed.
#[test]
fn end_is_answered_then_closed() {
    let (addr, shutdown, handle) = start(options());
    let mut conn = connect(addr);
    conn.write_all(b"hi\n/end\nignored\n").expect("send");
    assert_eq!(rest(&mut conn), b"hi\n/end\n");
    shutdown.trigger();
    handle.join().expect("no panic").expect("clean stop");
}

/// A line over the bound: what fits is echoed, then one error line, then
/// the close.
#[test]
fn too_long_line_is_refused() {
    let (addr, shutdown, handle) = start(options());
    let mut conn = connect(addr);
    conn.write_all(&[b'x'; 40]).expect("send");
    conn.shutdown(std::net::Shutdown::Write)
        .expect("half-close");
    let mut expected = vec![b'x'; 16];
    expected.extend_from_slice(too_long_message(16).as_bytes());
    assert_eq!(rest(&mut conn), expected);
    shutdown.trigger();
    handle.join().expect("no panic").expect("clean stop");
}

/// The client over the bound is told the server is busy; the one inside
/// the bound is still served.
#[test]
fn over_the_bound_is_busy() {
    let (addr, shutdown, handle) = start(Options {
        max_clients: 1,
        ..options()
    });
    let mut first = connect(addr);
    assert_eq!(round_trip(&mut first, b"x"), b"x");
    let mut second = connect(addr);
    assert_eq!(rest(&mut second), busy_message(1).as_bytes());
    assert_eq!(round_trip(&mut first, b"y"), b"y");
    shutdown.trigger();
    handle.join().expect("no panic").expect("clean stop");
}

/// A client silent for the idle timeout gets one line saying so, then a
/// clean close.
#[test]
fn a_silent_client_is_told_and_closed() {
    let (addr, shutdown, handle) = start(Options {
        idle_timeout: Duration::from_millis(100),
        ..options()
    });
    let mut conn = connect(addr);
    assert_eq!(
        rest(&mut conn),
        idle_message(Duration::from_millis(100)).as_bytes()
    );
    shutdown.trigger();
    handle.join().expect("no panic").expect("clean stop");
}
