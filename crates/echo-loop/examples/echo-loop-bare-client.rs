//! Step 1 of the echo-loop lesson: tutorial 003's echo client, call for
//! call, in Rust. It sends one greeting, prints the echo, and exits.
//!
//! Run it in two terminals, the server first:
//!
//! ```text
//! terminal 1:  cargo run -p echo-loop --example echo-loop-bare-server
//! terminal 2:  cargo run -p echo-loop --example echo-loop-bare-client
//! ```
//!
//! Watch for: the echo on standard output, the steps on standard error. It
//! takes an optional host and port (`echo-loop-bare-client 127.0.0.1 4000`).
//!
//! Fixed from the tutorial: the client half-closes after sending and reads
//! until the server closes, so it gets the whole echo however TCP splits
//! it (the tutorial reads once, with one `recv(1024)`), and an echo that is
//! not valid UTF-8 is printed, never a crash.

// ANCHOR: bare
use std::error::Error;
use std::io::{Read, Write};
use std::net::{Shutdown, ToSocketAddrs};

use socket2::{Domain, Socket, Type};

fn main() -> Result<(), Box<dyn Error>> {
    // Where the server is: `[HOST] [PORT]`, by default 127.0.0.1 port 9999.
    // to_socket_addrs() looks a name such as `localhost` up; we take the
    // first address it finds.
    let mut args = std::env::args().skip(1);
    let host = args.next().unwrap_or_else(|| "127.0.0.1".into());
    let port: u16 = args.next().unwrap_or_else(|| "9999".into()).parse()?;
    let mut addrs = (host.as_str(), port).to_socket_addrs()?;
    let addr = addrs.next().ok_or("no address for that host")?;

    // socket(): a TCP socket (STREAM, protocol `None`: TCP) of the same
    // family as the server's address.
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    // connect(): the TCP handshake, three short packets that open the
    // connection. It succeeds as soon as the server's kernel has queued us,
    // even while the server is busy with another client.
    socket.connect(&addr.into())?;
    eprintln!("connected to {addr}");

    // send(): all the bytes of the greeting (write_all is Python's sendall).
    // (`(&socket)`: lesson 1's bare server says why.)
    (&socket).write_all("안녕!".as_bytes())?;
    // shutdown(Write): "I will send nothing more". The server's recv()
    // returns 0 once it has read everything, so it closes; we can still
    // receive until then. Without it both sides would wait forever: we for
    // the server's close, the server for our 0.
    socket.shutdown(Shutdown::Write)?;

    // read_to_end() calls recv() until it returns 0 bytes, the server's
    // close: then we have the whole echo, in however many pieces it came.
    let mut echo = Vec::new();
    (&socket).read_to_end(&mut echo)?;
    eprintln!(
        "received {} bytes; the server closed the connection",
        echo.len()
    );
    println!("{}", String::from_utf8_lossy(&echo));

    // close(): dropping the socket at the end of main closes it.
    Ok(())
}
// ANCHOR_END: bare
