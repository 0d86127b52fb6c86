//! The echo-loop server: accept clients one after another and echo each
//! one's bytes back until it closes.
//!
//! Read [`listen`], then [`serve`] (the accept loop), then
//! [`echo_until_closed`] (the receive loop): the socket calls come in that
//! order, as in the bare step, `examples/echo-loop-bare-server.rs`.

use std::io::{self, Read, Write};
use std::net::SocketAddr;

use anyhow::{Context, Result};
use common::text::{bytes, plural, show};
use common::{Shutdown, addr::local_addr, error::is_transient};
use socket2::{Domain, Protocol, Socket, Type};

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Bytes per `recv()` (`--buffer`).
    pub buffer: usize,
    /// Serve one client, then exit (`--once`), as tutorial 003 does.
    pub once: bool,
}

/// How many clients may wait in the queue while we serve one (tutorial 004: 5).
pub const BACKLOG: i32 = 5;

/// `socket()`, `SO_REUSEADDR`, `bind()`, `listen()`: the listening socket.
/// Fails when the address is in use, not on this machine, or needs privileges.
pub fn listen(addr: SocketAddr) -> Result<Socket> {
    // ANCHOR: listen
    // socket(): a TCP socket of the address's family (IPv4 or IPv6).
    let listener = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .context("could not create a TCP socket")?;

    // SO_REUSEADDR: whoever closes a connection first keeps its end for a
    // minute (TIME_WAIT); with this option a restart right after works all
    // the same. Windows gives the option a riskier meaning: Unix only.
    #[cfg(unix)]
    listener
        .set_reuse_address(true)
        .context("could not set SO_REUSEADDR")?;

    // bind(): claim the address and port.
    listener
        .bind(&addr.into())
        .with_context(|| format!("could not listen on {addr}"))?;

    // listen(): the kernel now completes handshakes for us, and keeps up to
    // BACKLOG clients queued until accept() takes them. A client in the queue
    // is connected already: it just is not being served yet.
    listener
        .listen(BACKLOG)
        .with_context(|| format!("could not listen on {addr}"))?;
    // ANCHOR_END: listen
    Ok(listener)
}

/// The accept loop: one client at a time, until Ctrl-C (or one client, with
/// `once`). Fails when `accept()` fails in a way that retrying cannot fix.
pub fn serve(listener: &Socket, options: &Options, shutdown: &Shutdown) -> Result<()> {
    // Ctrl-C wakes a blocked accept() and, when `queue` is dropped, clients
    // still in the listen() queue get a FIN (lesson 1's server.rs says how).
    let queue = shutdown.guard_listener(listener)?;
    // One buffer for the whole server, reused for every recv().
    let mut buffer = vec![0u8; options.buffer];
    let mut served = 0u64;
    // ANCHOR: accept_loop
    loop {
        // accept(): wait for the next client. Others that connect meanwhile
        // wait in the listen() queue until we come back here.
        let (conn, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            // A client that gave up while queued, or a signal that cut the
            // wait short (a signal is a notice the OS delivers to a process;
            // Ctrl-C is one, which common::Shutdown handles): try again.
            Err(e) if is_transient(&e) => continue,
            Err(e) => return Err(e).context("accept() failed"),
        };
        if shutdown.is_requested() {
            break; // that was our own wake-up call; see common::shutdown
        }
        let peer = peer.as_socket().context("the client has no IP address")?;
        log::info!("{peer} connected");
        // Ctrl-C during this client: shutdown(Write) on the connection, a
        // FIN to the client; its close then makes our recv() return 0.
        let _watch = shutdown.watch(&conn)?;

        match echo_until_closed(&conn, peer, &mut buffer) {
            // After Ctrl-C (whatever happened), the end came from us.
            _ if shutdown.is_requested() => log::info!("closed the connection to {peer}"),
            Ok(total) => log::info!("{peer} closed the connection after {}", bytes(total)),
            // One client's failure (a reset, say) must not stop the server.
            Err(e) => log::warn!("lost {peer}: {e}"),
        }
        // close(): the end of this loop turn drops `conn` (and `_watch`, a
        // second handle to it), and that closes this client's socket.
        served += 1;
        if options.once || shutdown.is_requested() {
            break;
        }
    }
    // ANCHOR_END: accept_loop
    drop(queue);
    log::info!("server stopped after {}", plural(served, "client"));
    Ok(())
}

/// The receive loop: echo every byte back until the peer closes. Returns
/// how many bytes were echoed; fails when `recv()` or `send()` does (a reset).
/// `mut conn: &Socket` is lesson 1's `(&conn)` trick: `Read` and `Write` are
/// implemented for `&Socket`, and read() needs that reference mutable.
pub fn echo_until_closed(mut conn: &Socket, peer: SocketAddr, buf: &mut [u8]) -> io::Result<usize> {
    let mut total = 0;
    // ANCHOR: echo
    loop {
        // recv() (`read` on a socket): wait for bytes, take up to
        // buf.len() of them. Its three outcomes need three answers:
        let n = match conn.read(buf) {
            // 0 bytes: the peer closed its sending side (FIN). Nothing more
            // will ever come, so the echo is complete.
            Ok(0) => return Ok(total),
            // n bytes: whatever piece of the stream arrived. Not a "message":
            // TCP keeps no boundaries, so this may be half of what the peer
            // sent, or several sends glued together.
            Ok(n) => n,
            // A signal interrupted the wait; nothing was lost.
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            // A real error (a reset peer, say): give up on this client.
            Err(e) => return Err(e),
        };
        let data = &buf[..n];
        log::info!("received {} from {peer}: {}", bytes(n), show(data));

        // send(): write_all() repeats send() until all n bytes are out, like
        // Python's sendall(). The bytes go back unchanged: we never decode
        // them, so invalid UTF-8 or a character cut in two is echoed intact.
        conn.write_all(data)?;
        total += n;
    }
    // ANCHOR_END: echo
}

/// Runs the lesson: [`listen`] on `addr`, then [`serve`] until Ctrl-C.
pub fn run(addr: SocketAddr, options: &Options, shutdown: &Shutdown) -> Result<()> {
    let listener = listen(addr)?;
    common::logging::listening(local_addr(&listener)?);
    serve(&listener, options, shutdown)
}

#[cfg(test)]
#[path = "server_tests.rs"]
mod tests;
