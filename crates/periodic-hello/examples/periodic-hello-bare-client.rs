//! Step 1, the bare client: tutorial 001's TCP client, call for call, in
//! Rust. It connects, starts a thread that prints what the server sends,
//! and meanwhile sends `hello server` every second until that thread ends.
//!
//! ```text
//! terminal 1:  cargo run -p periodic-hello --example periodic-hello-bare-server
//! terminal 2:  cargo run -p periodic-hello --example periodic-hello-bare-client
//! ```
//!
//! Optional arguments: `[HOST] [PORT]` (default `127.0.0.1 12345`). Watch
//! for: both terminals print at the same time. Stop the server with Ctrl-C:
//! this client says the server closed the connection, and ends within a
//! second. It also talks with tutorial 001's Python server.

// ANCHOR: bare
use std::io::{Read, Write};
use std::net::{SocketAddr, ToSocketAddrs};

use socket2::{Domain, Protocol, Socket, Type};

// Everything this program prints is a log line, so it goes to standard
// error (eprintln!), as the tutorial's `logging` does. An error ends main
// with `Error: ...` and exit status 1.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    // [HOST] [PORT] from the command line: the tutorial's _HOST and _PORT.
    // to_socket_addrs() looks a name such as `localhost` up; we take the
    // first address it finds.
    let mut args = std::env::args().skip(1);
    let host = args.next().unwrap_or_else(|| "127.0.0.1".into());
    let port: u16 = args.next().unwrap_or_else(|| "12345".into()).parse()?;
    let mut addrs = (host.as_str(), port).to_socket_addrs()?;
    let addr = addrs.next().ok_or("no address for that host")?;

    // socket(): a TCP socket (SOCK_STREAM) of the server's family.
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    // connect(): the three-way handshake with the server's kernel.
    socket.connect(&addr.into())?;
    eprintln!("connected to {addr}");
    // The tutorial installs a Ctrl-C handler here (close, sleep, exit). We
    // keep the default: Ctrl-C ends the process, and the kernel closes its
    // socket.

    // try_clone() is dup(): a second handle to the same socket, for the
    // receiving thread to own while this thread sends. With two handles,
    // the socket is really closed only when the LAST of them goes.
    let reader = socket.try_clone()?;
    let receiving = std::thread::spawn(move || receive(reader, addr));
    // The sending loop, as in the tutorial: while the thread lives, send,
    // then sleep a second.
    while !receiving.is_finished() {
        // send(): write_all() repeats send() until every byte is out (the
        // tutorial's send() may send only part of it: use sendall()). If the
        // server is gone, the error ends the program with status 1.
        // (`(&socket)`: lesson 1's bare server says why.)
        (&socket).write_all(b"hello server\n")?;
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
    // close(): `socket` is dropped when main returns; the receiving thread
    // has ended and dropped its handle already, so that is the last one.
    Ok(())
}

/// The receiving thread: prints what arrives until the server closes.
fn receive(reader: Socket, server: SocketAddr) {
    let mut buf = [0u8; 1024];
    loop {
        // recv(): up to 1024 bytes, as they come; 0 bytes means the server
        // closed its side (the tutorial checks for b'' too).
        match (&reader).read(&mut buf) {
            Ok(0) => break,
            Ok(n) => eprintln!("received {:?}", String::from_utf8_lossy(&buf[..n])),
            Err(e) => {
                // A reset, for instance. The tutorial's bare `except:` hid it.
                eprintln!("lost the connection to {server}: {e}");
                return;
            }
        }
    }
    eprintln!("the server closed the connection");
}
// ANCHOR_END: bare
