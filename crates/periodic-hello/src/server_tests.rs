//! Unit tests of `src/server.rs`: the server runs on a thread, clients are
//! plain `std::net` streams.

use super::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread;

fn start(interval: Duration) -> (SocketAddr, Shutdown, thread::JoinHandle<Result<()>>) {
    let listener = listen("127.0.0.1:0".parse().expect("addr")).expect("listen");
    let addr = local_addr(&listener).expect("addr");
    let shutdown = Shutdown::new();
    let handle = {
        let shutdown = shutdown.clone();
        thread::spawn(move || serve(&listener, interval, &shutdown))
    };
    (addr, shutdown, handle)
}

/// The server greets at once, keeps greeting, and closes (a FIN after
/// whole hellos) when the client half-closes; then it serves the next one.
#[test]
fn greets_and_closes_when_the_client_half_closes() {
    let (addr, shutdown, handle) = start(Duration::from_millis(5));
    for _ in 0..2 {
        let mut client = TcpStream::connect(addr).expect("connect");
        let mut first = [0u8; 13];
        client.read_exact(&mut first).expect("first hello");
        assert_eq!(&first, SERVER_HELLO);
        client.write_all(b"hello server\n").expect("send");
        client
            .shutdown(std::net::Shutdown::Write)
            .expect("half-close");
        let mut rest = Vec::new();
        client.read_to_end(&mut rest).expect("a clean close");
        assert_eq!(rest.len() % SERVER_HELLO.len(), 0, "a hello was cut");
        assert!(rest.chunks(13).all(|c| c == SERVER_HELLO));
    }
    shutdown.trigger();
    handle.join().expect("no panic").expect("clean stop");
}

/// Ctrl-C with a client connected: the client reads a clean close (end of
/// stream, not a reset) and the server returns.
#[test]
fn ctrl_c_closes_the_client_cleanly() {
    let (addr, shutdown, handle) = start(Duration::from_secs(60));
    let mut client = TcpStream::connect(addr).expect("connect");
    let mut first = [0u8; 13];
    client.read_exact(&mut first).expect("first hello");
    shutdown.trigger();
    let mut rest = Vec::new();
    assert_eq!(client.read_to_end(&mut rest).map_err(|e| e.kind()), Ok(0));
    handle.join().expect("no panic").expect("clean stop");
}

/// A second bind to the same port fails with "address in use".
#[test]
fn port_in_use_is_an_error() {
    let first = listen("127.0.0.1:0".parse().expect("addr")).expect("listen");
    let addr = local_addr(&first).expect("addr");
    let err = listen(addr).expect_err("second bind must fail");
    let io = err.downcast_ref::<io::Error>().expect("an io error");
    assert_eq!(io.kind(), io::ErrorKind::AddrInUse);
    assert!(format!("{err:#}").contains(&addr.to_string()));
}
