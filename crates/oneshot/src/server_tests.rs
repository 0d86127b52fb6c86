//! Unit tests of `server.rs`: the server runs on a thread, a std client
//! talks to it.

use super::*;
use std::net::TcpStream;
use std::thread;

fn options() -> Options {
    Options {
        buffer: 1024,
        reply: b"pong".to_vec(),
    }
}

/// One message in, the reply out, then the server closes (read returns 0).
#[test]
fn serves_exactly_one_client() {
    let listener = listen("127.0.0.1:0".parse().expect("addr")).expect("listen");
    let addr = local_addr(&listener).expect("addr");
    let server = thread::spawn(move || serve(&listener, &options(), &Shutdown::new()));
    let mut client = TcpStream::connect(addr).expect("connect");
    client.write_all("안녕".as_bytes()).expect("send");
    client
        .shutdown(std::net::Shutdown::Write)
        .expect("half-close");
    let mut reply = Vec::new();
    client.read_to_end(&mut reply).expect("read");
    assert_eq!(reply, b"pong");
    server.join().expect("no panic").expect("served");
}

/// Ctrl-C while waiting in accept() ends the server without a client.
#[test]
fn ctrl_c_before_a_client() {
    let shutdown = Shutdown::new();
    let listener = listen("127.0.0.1:0".parse().expect("addr")).expect("listen");
    let server = {
        let shutdown = shutdown.clone();
        thread::spawn(move || serve(&listener, &options(), &shutdown))
    };
    shutdown.trigger();
    server.join().expect("no panic").expect("clean");
}

/// A second bind to the same port fails with "address in use", and the
/// error names the address.
#[test]
fn port_in_use_is_an_error() {
    let first = listen("127.0.0.1:0".parse().expect("addr")).expect("listen");
    let addr = local_addr(&first).expect("addr");
    let err = listen(addr).expect_err("second bind must fail");
    let io = err.downcast_ref::<std::io::Error>().expect("an io error");
    assert_eq!(io.kind(), std::io::ErrorKind::AddrInUse);
    assert!(format!("{err:#}").contains(&addr.to_string()));
}
