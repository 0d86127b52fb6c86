//! Step 1 of threaded-echo: tutorial 000's server, call for call, in Rust.
//! Each client gets a thread, and that thread owns the client's socket.
//!
//! Run it in one terminal, then a client in each of two more:
//!
//! ```text
//! cargo run -p threaded-echo --example threaded-echo-bare-server
//! cargo run -p threaded-echo --example threaded-echo-bare-client
//! ```
//!
//! Watch for: both clients are answered at once, and `/end` closes only the
//! client that sent it. The tutorial's bugs are fixed: the thread owns its
//! socket (in the tutorial every thread used the latest client's socket),
//! a read of 0 bytes ends the thread (the tutorial spun forever), and the
//! bytes are echoed as they came, never decoded. What this server still
//! lacks (a limit on silence, on lines, on clients, and a clean Ctrl-C) is
//! what the full lesson, `src/server.rs`, adds.

use std::{io::Read, io::Write, net::SocketAddr, net::ToSocketAddrs, thread};

use anyhow::Context;
use socket2::{Domain, Socket, Type};

fn main() -> anyhow::Result<()> {
    // [HOST] [PORT], by default the tutorial's port on this machine only.
    // to_socket_addrs() looks a name such as `localhost` up; we take the
    // first address it finds. (Argument 0 is the program's name.)
    let host = std::env::args().nth(1).unwrap_or("127.0.0.1".into());
    let port: u16 = std::env::args().nth(2).unwrap_or("3333".into()).parse()?;
    let mut addrs = (host.as_str(), port).to_socket_addrs()?;
    let addr = addrs.next().context("no address for that host")?;

    // ANCHOR: listen
    // socket(): a TCP socket (a stream; protocol `None` means TCP for a
    // stream) for IPv4 or IPv6, as the address is.
    let listener = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    // SO_REUSEADDR: the server can be restarted at once after it stops,
    // while its old connections still linger in the kernel (TIME_WAIT).
    // (That is its meaning on Linux and macOS; on Windows it would also let
    // another program take the port, so it is set on Unix only.)
    #[cfg(unix)]
    listener.set_reuse_address(true)?;
    // bind(): claim the address and port; fails if another program has them.
    let in_use = || format!("could not listen on {addr}");
    listener.bind(&addr.into()).with_context(in_use)?;
    // listen(): from now on the kernel completes the handshake with each
    // client and queues it (up to 128) until accept() takes it. Once is
    // enough: the tutorial calls it again before every accept().
    listener.listen(128)?;
    // getsockname(): the address really bound; with port 0, the system
    // picked the port. (socket2 speaks of any kind of address; as_socket()
    // makes it an IP address and a port.)
    let local: SocketAddr = listener.local_addr()?.as_socket().context("not IP")?;
    eprintln!("listening on {local}");
    // ANCHOR_END: listen

    // ANCHOR: accept
    loop {
        // accept(): wait for the next client. It returns a NEW socket, for
        // that client alone; `listener` goes on listening. (Any error ends
        // the server here, even one that concerns one client: see Step 2.)
        let (conn, peer) = listener.accept()?;
        let peer = peer.as_socket().context("not IP")?;
        eprintln!("connect new addr: {peer}");
        // One thread per client. `move` hands it `conn`: from now on only
        // that thread can use this connection, so no two clients mix.
        thread::spawn(move || {
            // If echo() fails, the thread says why, and ends.
            if let Err(e) = echo(conn, peer) {
                eprintln!("{peer}: {e}");
            }
        });
    }
    // ANCHOR_END: accept
}

// ANCHOR: echo
/// One client's thread: echo what arrives until the client closes or sends `/end`.
fn echo(conn: Socket, peer: SocketAddr) -> std::io::Result<()> {
    let mut buf = [0u8; 1024];
    loop {
        // recv(): wait for up to 1024 bytes from this client only. (`Read`
        // is implemented for `&Socket`, so no `mut` is needed: see lesson 1.)
        let n = (&conn).read(&mut buf)?;
        // 0 bytes: the client closed its side. Stop, or we would spin here.
        if n == 0 {
            eprintln!("{peer} closed the connection");
            return Ok(());
        }
        let data = &buf[..n];
        // The bytes, shown as text in quotes; what is not UTF-8 shows as �.
        eprintln!("read msg: {:?}", String::from_utf8_lossy(data));
        // send(): write_all() repeats send() until every byte is out.
        (&conn).write_all(data)?;
        // `/end` as the tutorial's client sends it (no newline), or as a line.
        // This assumes `/end` comes in a read of its own; src/lines.rs, in
        // Step 2, follows the lines properly.
        if matches!(data, b"/end" | b"/end\n" | b"/end\r\n") {
            eprintln!("{peer} sent /end");
            return Ok(()); // `conn` is dropped: close(), a FIN to the client
        }
    }
}
// ANCHOR_END: echo
