//! The smallest readiness loop that echoes: one thread, non-blocking
//! sockets, and mio's `poll()` saying which socket is ready.
//!
//! ```text
//! terminal 1:  cargo run -p event-loop --example event-loop-bare-server
//! terminal 2:  cargo run -p event-loop --example event-loop-bare-client
//! terminal 3:  cargo run -p event-loop --example event-loop-bare-client
//! ```
//!
//! Optional arguments: `[HOST] [PORT]` (default `127.0.0.1 3334`; port 0
//! picks a free one). Watch for: both clients are answered at once, from one
//! thread. What it lacks (a client that does not read, a silent one, `/end`,
//! running out of file descriptors, Ctrl-C) is what `src/server.rs` adds.

use std::{io, io::Read, io::Write, net::SocketAddr, net::ToSocketAddrs};

use mio::{Events, Interest, Poll, Token, net::TcpListener, net::TcpStream};
use socket2::{Domain, Socket, Type};

// ANCHOR: bare
fn main() -> Result<(), Box<dyn std::error::Error>> {
    // [HOST] [PORT] (argument 0 is the program's name). to_socket_addrs()
    // looks a name such as `localhost` up; we take the first address.
    let host = std::env::args().nth(1).unwrap_or("127.0.0.1".into());
    let port: u16 = std::env::args().nth(2).unwrap_or("3334".into()).parse()?;
    let addr = (host, port).to_socket_addrs()?.next().ok_or("no address")?;
    // socket(), SO_REUSEADDR, bind(), listen(): as in lesson 3. (None lets
    // the kernel pick the protocol, which for a STREAM socket is TCP;
    // src/server.rs spells it out: Some(Protocol::TCP).)
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    #[cfg(unix)] // restart at once after Ctrl-C (Unix only, as in lesson 3)
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(128)?;
    // O_NONBLOCK: accept(), recv() and send() return WouldBlock, never wait.
    // Only the listener needs it here: mio's accept() makes each new
    // client's socket non-blocking too.
    socket.set_nonblocking(true)?;
    // socket2's Socket becomes a std TcpListener, which mio wraps. mio does
    // not change the mode: it assumes the socket is already non-blocking.
    let mut listener = TcpListener::from_std(socket.into());
    eprintln!("listening on {}", listener.local_addr()?);
    // Poll::new(): the kernel's watch list of our sockets (epoll_create() on
    // Linux, kqueue() on macOS). `events` holds up to 128 ready sockets per
    // poll() (any more come with the next one; not listen()'s 128). Its
    // registry() is the part that adds and changes sockets (epoll_ctl).
    let (mut poll, mut events) = (Poll::new()?, Events::with_capacity(128));
    // epoll_ctl(ADD): wake us when clients wait in the listen() queue. A
    // token is a number we choose; poll() returns it with each event, so we
    // know which socket the event concerns. The listener's is 0. (The
    // parentheses only keep rustfmt from splitting the line in two.)
    (poll.registry()).register(&mut listener, Token(0), Interest::READABLE)?;
    // The clients, at the index of their token: clients[t] has Token(t).
    // A closed client leaves its place empty (None), so no token is ever
    // given twice (src/connection.rs keeps a HashMap, which drops closed
    // clients, and counts tokens up instead).
    let mut clients: Vec<Option<(TcpStream, SocketAddr)>> = vec![None];
    loop {
        // epoll_wait(): sleep until some socket is ready.
        poll.poll(&mut events, None)?;
        // accept() until WouldBlock: mio reports only *new* readiness, so a
        // client left in the queue would wait until the next one comes.
        // (This bare loop does not even look at the tokens: it tries
        // accept() every turn, and with nobody waiting that fails at once.
        // Any other error also just ends this `while`, unreported.
        // src/server.rs dispatches on the token, and tells the errors apart.)
        while let Ok((mut conn, peer)) = listener.accept() {
            // Its token: the index that push() below gives it.
            (poll.registry()).register(&mut conn, Token(clients.len()), Interest::READABLE)?;
            eprintln!("{peer} connected");
            clients.push(Some((conn, peer)));
        }
        for event in &events {
            // The client this event's token names (the listener's place is
            // empty; every token we gave is below clients.len()): echo what
            // it sent. Its end, or an error, closes it.
            if let Some((conn, peer)) = &mut clients[event.token().0] {
                // (A fresh 1 KiB buffer on the stack for each call: free.)
                if let Err(e) = echo(conn, &mut [0u8; 1024]) {
                    eprintln!("{peer}: {e}; closing");
                    // Dropped: close(). Overwriting the place is allowed
                    // here: `conn` and `peer` borrowed it, but they are not
                    // used after this point, so that borrow has ended.
                    clients[event.token().0] = None;
                }
            }
        }
    }
    // (The loop never ends, so main needs no Ok(()) after it.)
}

/// recv() until WouldBlock, and send() each piece straight back. Until
/// WouldBlock for the same reason as accept(): bytes left behind would
/// not be reported again.
fn echo(conn: &mut TcpStream, buffer: &mut [u8]) -> io::Result<()> {
    loop {
        match conn.read(buffer) {
            // 0 bytes: the client's FIN, the end of its stream.
            Ok(0) => return Err(io::Error::other("the client closed the connection")),
            // A client that does not read: its buffers fill up, send() fails
            // with WouldBlock, and `?` closes it. The bare server gives up on
            // slow readers; src/connection.rs keeps the bytes instead.
            Ok(n) => conn.write_all(&buffer[..n])?,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
            Err(e) => return Err(e),
        }
    }
}
// ANCHOR_END: bare
