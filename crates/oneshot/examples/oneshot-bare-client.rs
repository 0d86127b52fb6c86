//! Step 1 of the oneshot lesson: tutorial 002's TCP client, call for call,
//! in Rust. It connects, sends one greeting, prints the answer, and exits.
//!
//! Run it in two terminals, the server first:
//!
//! ```text
//! terminal 1:  cargo run -p oneshot --example oneshot-bare-server
//! terminal 2:  cargo run -p oneshot --example oneshot-bare-client
//! ```
//!
//! Watch for: the answer on standard output, the steps on standard error.
//! It takes an optional host and port (`oneshot-bare-client 127.0.0.1 4000`).
//!
//! Fixed from the tutorial: `write_all` sends the whole greeting (the
//! tutorial's `send` may send only part of it), the answer is read until the
//! server closes instead of with one `recv()`, and an answer that is not
//! valid UTF-8 is printed, never a crash.

// ANCHOR: bare
use std::error::Error;
use std::io::{Read, Write};
use std::net::ToSocketAddrs;

use socket2::{Domain, Socket, Type};

// `Box<dyn Error>`, `?`, and the words socket, address, port and TCP:
// the bare server explains them.
fn main() -> Result<(), Box<dyn Error>> {
    // Where the server is: `[HOST] [PORT]`, by default 127.0.0.1 port 7001.
    // to_socket_addrs() looks a name such as `localhost` up; we take the
    // first address it finds.
    let mut args = std::env::args().skip(1);
    let host = args.next().unwrap_or_else(|| "127.0.0.1".into());
    let port: u16 = args.next().unwrap_or_else(|| "7001".into()).parse()?;
    let mut addrs = (host.as_str(), port).to_socket_addrs()?;
    let addr = addrs.next().ok_or("no address for that host")?;

    // socket(): a TCP socket (STREAM, protocol `None`: TCP) of the same
    // family as the server's address.
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    // connect(): our kernel and the server's exchange the TCP handshake,
    // three short packets that open the connection. It fails at once
    // ("connection refused") when nothing listens there. No bind() needed:
    // the kernel picks a free port for our side.
    socket.connect(&addr.into())?;
    eprintln!("connected to {addr}");

    // send(): write_all() calls send() until every byte is handed to the
    // kernel. One send() may take only part of the data (Python: sendall).
    // (`(&socket)`: the bare server says why.)
    (&socket).write_all(b"Hello, i'm client!")?;

    // read_to_end() calls recv() until it returns 0 bytes: the server
    // closes after its answer, so 0 means we have all of it. A single recv()
    // could return only the first piece of a longer answer.
    let mut reply = Vec::new();
    (&socket).read_to_end(&mut reply)?;
    eprintln!(
        "received {} bytes; the server closed the connection",
        reply.len()
    );
    println!("{}", String::from_utf8_lossy(&reply));

    // close(): dropping the socket at the end of main closes it.
    Ok(())
}
// ANCHOR_END: bare
