//! What `std::net` does for you.
//!
//! The lesson writes each socket call on its own line with `socket2`, so
//! that you see them all, in the tutorial's order. The standard library
//! does the same calls in fewer lines: `TcpListener::bind` is `socket()` +
//! `SO_REUSEADDR` (on Unix) + `bind()` + `listen(128)`, and
//! `TcpStream::connect` is `socket()` + `connect()`. For a program of your
//! own, std is the usual choice; `socket2` is for options std has no method
//! for. This test shows the equivalence, and the chapter includes it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;

use socket2::SockRef;

/// The bare pair's first calls, with std: the listener std made has
/// `SO_REUSEADDR` set and is listening, and one hello goes each way at once,
/// a thread reading on a `try_clone()` while the other side writes.
#[test]
fn std_net_makes_the_same_calls() -> std::io::Result<()> {
    // ANCHOR: std_net
    // socket() + setsockopt(SO_REUSEADDR) + bind() + listen(128):
    let listener = TcpListener::bind("127.0.0.1:0")?;
    // socket() + connect():
    let client = TcpStream::connect(listener.local_addr()?)?;
    // accept(), as in the lesson; the connection is a TcpStream.
    let (conn, _peer) = listener.accept()?;
    // try_clone() is dup(): a handle for a receiving thread.
    let reader = conn.try_clone()?;
    // ANCHOR_END: std_net

    // What std did, read back from the socket (Unix: std leaves SO_REUSEADDR
    // off on Windows, where it means something riskier).
    let socket = SockRef::from(&listener);
    assert_eq!(socket.reuse_address()?, cfg!(unix));
    #[cfg(target_os = "linux")]
    assert!(socket.is_listener()?, "bind() also called listen()");

    // Full duplex with std: a thread receives while this one sends.
    let receiving = thread::spawn(move || {
        let mut hello = [0u8; 13];
        (&reader).read_exact(&mut hello).map(|()| hello)
    });
    (&conn).write_all(b"hello client\n")?;
    (&client).write_all(b"hello server\n")?;
    let mut hello = [0u8; 13];
    (&client).read_exact(&mut hello)?;
    assert_eq!(&hello, b"hello client\n");
    let got = receiving
        .join()
        .expect("the receiving thread does not panic")?;
    assert_eq!(&got, b"hello server\n");
    Ok(())
}
