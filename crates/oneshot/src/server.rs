//! The oneshot server: accept one client, read one message, answer, close.
//!
//! Read it top to bottom: [`listen`] makes the listening socket, [`serve`]
//! accepts one client and talks to it. The socket calls are the bare step's
//! (`examples/oneshot-bare-server.rs`), in the same order; this file adds
//! `SO_REUSEADDR`, Ctrl-C, a clean close, and errors that say where.

use std::io::{Read, Write};
use std::{net::SocketAddr, time::Duration};

use anyhow::{Context, Result};
use common::text::{bytes, show};
use common::{Shutdown, addr::local_addr, shutdown::goodbye};
use socket2::{Domain, Protocol, Socket, Type};

/// What the server reads and what it answers.
#[derive(Debug, Clone)]
pub struct Options {
    /// The most bytes the single `recv()` takes (`--buffer`).
    pub buffer: usize,
    /// The bytes sent back (`--reply`).
    pub reply: Vec<u8>,
}

/// How long, after the reply, the server waits for the client to close.
const DRAIN: Duration = Duration::from_secs(1);

/// `socket()`, `SO_REUSEADDR`, `bind()`, `listen()`: the listening socket.
/// Fails when the address is in use, not on this machine, or needs privileges.
pub fn listen(addr: SocketAddr) -> Result<Socket> {
    // ANCHOR: listen
    // socket(): ask the kernel for a TCP socket. `Domain::for_address` picks
    // IPv4 or IPv6 to match the address; STREAM + TCP is a reliable stream
    // of bytes (the bare step's protocol `None` means TCP too). context(),
    // from anyhow, puts what we were doing in front of the OS's error.
    let listener = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .context("could not create a TCP socket")?;

    // SO_REUSEADDR. After a close, the kernel of the side that closed first
    // keeps a record of the connection for about 60 s (TIME_WAIT), so that
    // late packets are not taken for a new connection. While it exists,
    // bind() to that port fails ("address in use") without this option.
    // Here that side is often this server: the tutorial's client never says
    // "done sending" first. Windows gives the option a riskier meaning: Unix only.
    #[cfg(unix)]
    listener
        .set_reuse_address(true)
        .context("could not set SO_REUSEADDR")?;

    // bind(): claim the address and port. Port 0 lets the kernel choose.
    listener
        .bind(&addr.into())
        .with_context(|| format!("could not listen on {addr}"))?;

    // listen(1): from now on the kernel completes clients' handshakes and
    // keeps them in a queue until we accept() them. 1 is the tutorial's
    // queue length: this server takes a single client anyway.
    listener
        .listen(1)
        .with_context(|| format!("could not listen on {addr}"))?;
    // ANCHOR_END: listen
    Ok(listener)
}

/// Accepts one client, reads one message, answers it, closes. Fails when
/// `accept()`, `recv()` or `send()` fails.
pub fn serve(listener: &Socket, options: &Options, shutdown: &Shutdown) -> Result<()> {
    // Ctrl-C does not kill this server: `common::Shutdown` catches it, so
    // that we can close properly. A blocked accept() goes on waiting after
    // the signal (the kernel restarts it), so the guard tells common where
    // to connect, to our own port, to wake it. When `_queue` is dropped, as
    // serve() returns, clients still waiting in the listen() queue get a
    // normal close (FIN), not a reset (RST, an abrupt "this connection is
    // gone") from the kernel. So it must live until then: `let _ = ...`
    // would drop it at once.
    let _queue = shutdown.guard_listener(listener)?;
    log::info!("waiting for a client");
    // ANCHOR: accept
    // accept(): wait until a client connects. It returns a *new* socket for
    // that one client; `listener` only takes new connections.
    let (conn, peer) = listener.accept().context("accept() failed")?;
    // ANCHOR_END: accept
    if shutdown.is_requested() {
        // That "client" was the wake-up call of our own Ctrl-C handler.
        log::info!("stopped before any client came");
        return Ok(());
    }
    let peer = peer.as_socket().context("the client has no IP address")?;
    log::info!("{peer} connected");
    // Ctrl-C while we wait for the message: common calls shutdown(Write) on
    // `conn`, a FIN to the client; the client closes in reply (or 300 ms
    // pass and common shuts our reading side too), and our read() returns 0.
    let watch = shutdown.watch(&conn)?;

    // ANCHOR: recv
    // recv() (`read` on a socket): ONE receive of up to `buffer` bytes, not
    // characters. It returns as soon as *some* bytes have arrived, not the
    // whole message: enough for a short greeting, but a long message can come
    // in pieces, and this server reads only the first. Lesson 2 loops.
    let mut buffer = vec![0u8; options.buffer];
    let n = (&conn)
        .read(&mut buffer)
        .with_context(|| format!("could not receive from {peer}"))?;
    let message = &buffer[..n];
    // ANCHOR_END: recv
    if n == 0 && shutdown.is_requested() {
        log::info!("stopped while waiting for {peer}'s message");
        return Ok(());
    }
    log::info!("received {} from {peer}: {}", bytes(n), show(message));
    if n == options.buffer {
        log::warn!("the message filled the {n}-byte buffer: the rest is not read (try --buffer)");
    }

    // ANCHOR: send
    // send(): write_all() calls send() until every byte is handed to the
    // kernel, like Python's sendall(). A single send() may take only part.
    (&conn)
        .write_all(&options.reply)
        .with_context(|| format!("could not send to {peer}"))?;
    let sent = bytes(options.reply.len());
    log::info!("sent {sent} to {peer}: {}", show(&options.reply));

    // goodbye(&conn, b"", DRAIN): no last words (b""), shutdown(Write), a FIN
    // after the reply ("nothing more from me"), then read and drop what the
    // client still sends until it closes, for at most DRAIN. Why? Bytes left
    // unread (a message longer than one recv()) would turn close() into a
    // reset, which can cost the client the reply.
    let dropped = goodbye(&conn, b"", DRAIN);
    if dropped > 0 {
        let dropped = bytes(dropped);
        log::warn!("dropped {dropped} that the single recv() did not take");
    }
    // close(): dropping the socket closes it. `watch` holds a second handle
    // to the same socket (that is how Ctrl-C reaches it), so it goes too.
    drop(watch);
    drop(conn);
    // ANCHOR_END: send
    log::info!("closed the connection; done");
    Ok(())
}

/// Runs the whole lesson: [`listen`] on `addr`, then [`serve`] one client.
pub fn run(addr: SocketAddr, options: &Options, shutdown: &Shutdown) -> Result<()> {
    let listener = listen(addr)?;
    common::logging::listening(local_addr(&listener)?);
    serve(&listener, options, shutdown)
}

#[cfg(test)]
#[path = "server_tests.rs"]
mod tests;
