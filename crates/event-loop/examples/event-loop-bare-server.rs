//! The smallest readiness loop that echoes: one thread, non-blocking
//! sockets, and mio's `poll()` saying which socket is ready.
//!
//! ```text
//! terminal 1:  cargo run -p event-loop --example event-loop-bare-server
//! terminal 2:  cargo run -p event-loop --example event-loop-bare-client
//! terminal 3:  cargo run -p event-loop --example event-loop-bare-client
//! ```
//!
//! Watch for: both clients are answered at once, from one thread. What it
//! lacks (a client that does not read, a silent one, `/end`, running out of
//! file descriptors, Ctrl-C) is what `src/server.rs` adds.

use std::io::{self, ErrorKind, Read, Write};

use mio::{Events, Interest, Poll, Token, net::TcpListener, net::TcpStream};
use socket2::{Domain, Socket, Type};

// ANCHOR: bare
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let arg = |i, default: &str| std::env::args().nth(i).unwrap_or(default.into());
    let addr = std::net::SocketAddr::new(arg(1, "127.0.0.1").parse()?, arg(2, "3334").parse()?);
    // socket(), SO_REUSEADDR, bind(), listen(): as in lesson 3.
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?; // restart at once after Ctrl-C
    socket.bind(&addr.into())?;
    socket.listen(128)?;
    // O_NONBLOCK: accept(), recv() and send() return WouldBlock, never wait.
    socket.set_nonblocking(true)?;
    let mut listener = TcpListener::from_std(socket.into());
    eprintln!("listening on {}", listener.local_addr()?);
    // epoll_create(), then epoll_ctl(ADD): wake us when clients wait.
    let mut poll = Poll::new()?;
    let registry = poll.registry().try_clone()?;
    registry.register(&mut listener, Token(0), Interest::READABLE)?;
    let mut clients = std::collections::HashMap::new();
    let (mut events, mut buffer, mut last) = (Events::with_capacity(128), [0u8; 1024], 0);
    loop {
        // epoll_wait(): sleep until some socket is ready.
        poll.poll(&mut events, None)?;
        // New clients (token 0)? accept() until it fails: WouldBlock means
        // the queue is empty. Stop early, and the rest wait for the next one.
        while let Ok((mut conn, peer)) = listener.accept() {
            last += 1;
            registry.register(&mut conn, Token(last), Interest::READABLE)?;
            clients.insert(Token(last), (conn, peer));
        }
        for event in &events {
            if let Some((conn, peer)) = clients.get_mut(&event.token()) {
                if let Err(e) = echo(conn, &mut buffer) {
                    eprintln!("{peer}: {e}; closing");
                    clients.remove(&event.token()); // close()
                }
            }
        }
    }
}

/// recv() until WouldBlock, and send() each piece straight back.
fn echo(conn: &mut TcpStream, buffer: &mut [u8]) -> io::Result<()> {
    loop {
        match conn.read(buffer) {
            Ok(0) => return Err(io::Error::other("the client closed the connection")),
            // A client that does not read: send() fails with WouldBlock.
            Ok(n) => conn.write_all(&buffer[..n])?,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(()),
            Err(e) => return Err(e),
        }
    }
}
// ANCHOR_END: bare
