//! Step 1 of the echo-loop lesson: tutorial 003's echo server, call for
//! call, in Rust, serving clients one after another as tutorial 004's
//! server does. It sends back every byte it receives until the client
//! closes, then waits for the next client.
//!
//! Run it in two terminals:
//!
//! ```text
//! terminal 1:  cargo run -p echo-loop --example echo-loop-bare-server
//! terminal 2:  cargo run -p echo-loop --example echo-loop-bare-client
//! ```
//!
//! Watch for: one `received` line per piece that arrived, then `closed`
//! when the client is done. Stop it with Ctrl-C. It takes an optional host
//! and port (`echo-loop-bare-server 127.0.0.1 0` picks a free port).
//!
//! Fixed from the tutorials: bytes are echoed without being decoded (a
//! Korean character cut in two by the stream would crash the tutorial's
//! `decode()`), and every client's socket is closed. The full lesson,
//! `src/server.rs`, adds what Step 2 of the chapter shows.

// ANCHOR: bare
use std::error::Error;
use std::io::{Read, Write};
use std::net::ToSocketAddrs;

use socket2::{Domain, Socket, Type};

fn main() -> Result<(), Box<dyn Error>> {
    // Where to listen: `[HOST] [PORT]`, by default 127.0.0.1 port 9999.
    // to_socket_addrs() looks a name such as `localhost` up; we take the
    // first address it finds. (Lesson 1's bare server explains the words.)
    let mut args = std::env::args().skip(1);
    let host = args.next().unwrap_or_else(|| "127.0.0.1".into());
    let port: u16 = args.next().unwrap_or_else(|| "9999".into()).parse()?;
    let mut addrs = (host.as_str(), port).to_socket_addrs()?;
    let addr = addrs.next().ok_or("no address for that host")?;

    // socket(): ask the kernel (the core of the operating system, which
    // runs the network) for a TCP socket, a reliable stream of bytes (STREAM
    // with protocol `None` is TCP), of the address's family (IPv4 or IPv6).
    let listener = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    // SO_REUSEADDR, which tutorial 003 sets too. The side that closes a
    // connection first keeps a record of it for about 60 s (TIME_WAIT, see
    // lesson 1); meanwhile bind() to its port fails without this option.
    // Here the client usually closes first, so the record is the client's;
    // it is the server's when the server stops with a client connected.
    // (Windows gives the option a riskier meaning, so it is set on Unix only.)
    #[cfg(unix)]
    listener.set_reuse_address(true)?;
    // bind(): claim the address and port, so that clients know where to call.
    listener.bind(&addr.into())?;
    // listen(5): from now on the kernel completes the handshake with each
    // client for us and queues up to about 5 connections until we accept()
    // them (5 is tutorial 004's number).
    listener.listen(5)?;
    // getsockname(): the address we really got (port 0 becomes a real
    // port). as_socket() turns socket2's address type into std's, to print.
    let local = listener
        .local_addr()?
        .as_socket()
        .ok_or("not an IP socket")?;
    eprintln!("listening on {local}");

    let mut buffer = [0u8; 1024];
    loop {
        // accept(): wait for the next client and get a new socket for it.
        // Clients that come meanwhile wait in the listen() queue.
        let (conn, peer) = listener.accept()?;
        let peer = peer.as_socket().ok_or("not an IP socket")?;
        eprintln!("{peer} connected");
        loop {
            // recv(): wait for bytes, take at most 1024. A piece of the
            // stream, not a "message": TCP keeps no boundaries. (`read` on
            // a socket is recv(); lesson 1's bare server explains `(&conn)`.)
            // On an error, even one client's reset, `?` ends the whole
            // server: Step 2 of the chapter.
            let n = (&conn).read(&mut buffer)?;
            // 0 bytes: the client closed its side. Nothing more will come.
            if n == 0 {
                break;
            }
            // Text only to be printed: invalid UTF-8 shows as �.
            let text = String::from_utf8_lossy(&buffer[..n]);
            eprintln!("received {n} bytes from {peer}: {text:?}");
            // send(): the same bytes back, all of them (Python: sendall).
            (&conn).write_all(&buffer[..n])?;
        }
        eprintln!("{peer} closed the connection");
        // close(): dropping the client's socket closes it; the listening
        // socket stays open for the next client.
        drop(conn);
    }
}
// ANCHOR_END: bare
