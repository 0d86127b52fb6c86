//! Unit tests of `server.rs`: the accept loop on a thread, std clients
//! talking to it.

use super::*;
use std::net::TcpStream;
use std::thread;

fn start(once: bool) -> (SocketAddr, Shutdown, thread::JoinHandle<Result<()>>) {
    let listener = listen("127.0.0.1:0".parse().expect("addr")).expect("listen");
    let addr = local_addr(&listener).expect("addr");
    let shutdown = Shutdown::new();
    let options = Options { buffer: 7, once };
    let handle = {
        let shutdown = shutdown.clone();
        thread::spawn(move || serve(&listener, &options, &shutdown))
    };
    (addr, shutdown, handle)
}

fn echo(addr: SocketAddr, data: &[u8]) -> Vec<u8> {
    let mut conn = TcpStream::connect(addr).expect("connect");
    conn.write_all(data).expect("send");
    conn.shutdown(std::net::Shutdown::Write)
        .expect("half-close");
    let mut back = Vec::new();
    conn.read_to_end(&mut back).expect("read");
    back
}

/// Data far larger than the 7-byte buffer comes back whole, byte for byte.
#[test]
fn echoes_more_than_the_buffer() {
    let (addr, shutdown, handle) = start(false);
    let data: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
    assert_eq!(echo(addr, &data), data);
    assert_eq!(echo(addr, b""), b"");
    shutdown.trigger();
    handle.join().expect("no panic").expect("clean stop");
}

/// With `once`, the server returns after the first client.
#[test]
fn once_serves_one_client() {
    let (addr, _shutdown, handle) = start(true);
    assert_eq!(echo(addr, b"only me"), b"only me");
    handle.join().expect("no panic").expect("clean stop");
}

/// Ctrl-C while a client is connected closes it cleanly: it reads 0, not an error.
#[test]
fn ctrl_c_closes_a_connected_client_cleanly() {
    let (addr, shutdown, handle) = start(false);
    let mut conn = TcpStream::connect(addr).expect("connect");
    conn.write_all(b"ping").expect("send");
    let mut four = [0u8; 4];
    conn.read_exact(&mut four).expect("echo");
    shutdown.trigger();
    let mut rest = Vec::new();
    assert_eq!(conn.read_to_end(&mut rest).map_err(|e| e.kind()), Ok(0));
    handle.join().expect("no panic").expect("clean stop");
}
