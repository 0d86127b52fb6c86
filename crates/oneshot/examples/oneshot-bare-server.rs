//! Step 1 of the oneshot lesson: tutorial 002's TCP server, call for call,
//! in Rust. It waits for one client, reads one message, answers, and exits.
//!
//! Run it in two terminals:
//!
//! ```text
//! terminal 1:  cargo run -p oneshot --example oneshot-bare-server
//! terminal 2:  cargo run -p oneshot --example oneshot-bare-client
//! ```
//!
//! Watch for: the server says where it listens, who connected and what came,
//! then exits by itself. It takes an optional host and port
//! (`oneshot-bare-server 127.0.0.1 0` lets the system pick a free port).
//! Run it again within a minute and bind() fails ("address in use"): Step 2
//! of the chapter shows why, and the fix.
//!
//! Fixed from the tutorial: `write_all` sends the whole reply (the tutorial's
//! `send` may send only part of it), the client's socket is closed, and a
//! message that is not valid UTF-8 is printed, never a crash. The full
//! lesson, `src/server.rs`, adds what Step 2 of the chapter shows.

// ANCHOR: bare
use std::error::Error;
use std::io::{Read, Write};
use std::net::ToSocketAddrs;

use socket2::{Domain, Socket, Type};

// `Box<dyn Error>`: a box that holds any kind of error. Each `?` below
// returns a failure from main that way; Rust then prints it (`Error: ...`)
// and exits with status 1.
fn main() -> Result<(), Box<dyn Error>> {
    // Where to listen. An IP address names a machine (IP, the Internet
    // Protocol, carries packets from machine to machine); a port, a number
    // up to 65535, names one program on that machine. 127.0.0.1 is
    // "loopback": this machine itself, so only programs on it can connect
    // (0.0.0.0 would mean every address the machine has, reachable from
    // others). Defaults: 127.0.0.1 port 7001; `[HOST] [PORT]` replace them.
    // to_socket_addrs() looks a name such as `localhost` up; we take the
    // first address it finds.
    let mut args = std::env::args().skip(1);
    let host = args.next().unwrap_or_else(|| "127.0.0.1".into());
    let port: u16 = args.next().unwrap_or_else(|| "7001".into()).parse()?;
    let mut addrs = (host.as_str(), port).to_socket_addrs()?;
    let addr = addrs.next().ok_or("no address for that host")?;

    // socket(): ask the kernel (the core of the operating system, which
    // runs the network) for a socket, one end of a network conversation,
    // which the program reads and writes somewhat like a file. STREAM is
    // TCP, what Python calls SOCK_STREAM: on top of IP, it makes the
    // packets a reliable stream of bytes between two programs. The protocol
    // `None` means "the usual one for this type", TCP for STREAM
    // (src/server.rs writes `Some(Protocol::TCP)`: the same socket). Its
    // family, IPv4 or IPv6, must match the address.
    let listener = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    // bind(): claim the address and port, so that clients know where to call.
    listener.bind(&addr.into())?;
    // listen(1): from now on the kernel completes the TCP handshake (three
    // short packets that open a connection) with each client for us, and
    // queues the connection until we accept() it; 1 asks for a short queue
    // (the kernel may keep one or two more).
    listener.listen(1)?;
    // getsockname(): the address we really got (port 0 becomes a real
    // port). as_socket() turns socket2's address type into std's, to print.
    let local = listener
        .local_addr()?
        .as_socket()
        .ok_or("not an IP socket")?;
    eprintln!("listening on {local}");

    // accept(): wait for a client. It returns a NEW socket for this one
    // client; `listener` only ever takes new connections.
    let (conn, peer) = listener.accept()?;
    let peer = peer.as_socket().ok_or("not an IP socket")?;
    eprintln!("{peer} connected");

    // recv(): wait for bytes and take at most 1024 of them. 1024 counts
    // bytes, not characters. It returns as soon as SOME bytes are there,
    // which for a short message on one machine is the whole message.
    // `read` on a socket is recv(). Why `(&conn)`: read() needs a mutable
    // reader (`&mut self`), and socket2 implements `Read` for `&Socket`, a
    // shared reference to a socket. `(&conn)` is such a reference, a
    // temporary that we may borrow mutably, so `conn` itself needs no `mut`.
    // Later lessons use the same trick, written `(&*conn)` when `conn` is a
    // reference already, or `mut conn: &Socket`.
    let mut buffer = [0u8; 1024];
    let n = (&conn).read(&mut buffer)?;
    // 0 bytes means the client closed without sending anything. The bytes
    // become text only to be printed: invalid UTF-8 shows as �, no crash.
    let text = String::from_utf8_lossy(&buffer[..n]);
    eprintln!("received {n} bytes from {peer}: {text:?}");

    // send(): write_all() calls send() until every byte is handed to the
    // kernel. One send() may take only part of the data (Python: sendall).
    (&conn).write_all(b"Hello, i'm server!")?;
    eprintln!("sent the reply; closing");

    // close(): dropping a socket closes it. The client's socket first (the
    // tutorial forgot it), then the listening one, at the end of main.
    drop(conn);
    Ok(())
}
// ANCHOR_END: bare
