//! What `std::net` does for you: the bare server's socket calls, folded
//! into the standard library's types. The book shows this test (anchor
//! `std_net`) next to the bare pair.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;

/// `TcpListener::bind` is `socket()`, `SO_REUSEADDR` (on Unix), `bind()` and
/// `listen()`; `TcpStream::connect` is `socket()` and `connect()`; `read`
/// and `write_all` are `recv()` and `send()`; dropping a stream is
/// `close()`. One echo through them, the server on a thread of its own.
#[test]
fn std_net_makes_the_same_calls() -> std::io::Result<()> {
    // ANCHOR: std_net
    // socket(), SO_REUSEADDR (on Unix), bind() and listen(), in one call.
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let server = thread::spawn(move || -> std::io::Result<()> {
        let (mut conn, _peer) = listener.accept()?; // accept()
        let mut buf = [0u8; 1024];
        let n = conn.read(&mut buf)?; // recv()
        conn.write_all(&buf[..n]) // send(), until every byte is out
    }); // the thread ends: `conn` is dropped, which is close()
    // socket() and connect(), in one call.
    let mut client = TcpStream::connect(addr)?;
    client.write_all("안녕\n".as_bytes())?;
    let mut echo = Vec::new();
    client.read_to_end(&mut echo)?; // recv() until the server has closed
    assert_eq!(echo, "안녕\n".as_bytes());
    // ANCHOR_END: std_net
    server.join().expect("the server thread did not panic")
}

/// The option is really set: `bind` turned `SO_REUSEADDR` on, as the bare
/// server does by hand with `set_reuse_address(true)`.
#[cfg(unix)]
#[test]
fn bind_sets_so_reuseaddr() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    assert!(socket2::SockRef::from(&listener).reuse_address()?);
    Ok(())
}
