//! The periodic-hello server: accept a client, then talk both ways at once
//! (a receiving thread logs what the client sends while this thread sends
//! `hello client` every interval), and go back to accepting when it leaves.
//!
//! Read [`listen`], then [`serve`], then `talk_with`: the socket calls come
//! in that order. The two halves of the conversation are in `src/duplex.rs`.

use std::{io, net::SocketAddr, time::Duration};

use anyhow::{Context, Result};
use common::text::{plural, show};
use common::{Shutdown, addr::local_addr, error::is_transient};
use socket2::{Domain, Protocol, Socket, Type};

use crate::{SERVER_HELLO, duplex};

/// How many clients may wait in the `listen()` queue while one is served.
pub const BACKLOG: i32 = 5;

/// Creates the listening socket: `socket()`, `SO_REUSEADDR`, `bind()`, `listen()`.
///
/// # Errors
///
/// When the address is in use, not on this machine, or needs privileges.
pub fn listen(addr: SocketAddr) -> Result<Socket> {
    // ANCHOR: listen
    // socket(): a TCP socket of the address's family (IPv4 or IPv6), what
    // Python calls socket(AF_INET, SOCK_STREAM).
    let listener = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .context("could not create a TCP socket")?;
    // SO_REUSEADDR, as in the tutorial: restarting the server right after
    // Ctrl-C works even while old connections linger in TIME_WAIT. (Unix
    // meaning; on Windows the option is riskier, so it stays off there.)
    #[cfg(unix)]
    listener
        .set_reuse_address(true)
        .context("could not set SO_REUSEADDR")?;
    // bind(): claim the address and port (port 0: the kernel picks one).
    listener
        .bind(&addr.into())
        .with_context(|| format!("could not listen on {addr}"))?;
    // listen(): the kernel now completes handshakes for us. Clients that
    // connect while we talk to someone else wait in this queue.
    listener
        .listen(BACKLOG)
        .with_context(|| format!("could not listen on {addr}"))?;
    // ANCHOR_END: listen
    common::logging::listening(local_addr(&listener)?);
    Ok(listener)
}

/// The accept loop: one client at a time, until Ctrl-C.
///
/// # Errors
///
/// When `accept()` fails in a way that retrying cannot fix, or the process
/// has run out of file descriptors.
pub fn serve(listener: &Socket, interval: Duration, shutdown: &Shutdown) -> Result<()> {
    // Ctrl-C wakes the blocked accept() below; and when `queue` is dropped,
    // the clients still waiting in the listen() queue get a FIN instead of
    // a reset (see common::shutdown).
    let queue = shutdown.guard_listener(listener)?;
    let mut served = 0u64;
    // ANCHOR: accept_loop
    loop {
        log::info!("waiting for a client");
        // accept(): wait for the next client; it gets a socket of its own.
        let (conn, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            // A client that gave up while queued, or a signal: try again.
            Err(e) if is_transient(&e) => continue,
            Err(e) => return Err(e).context("accept() failed"),
        };
        if shutdown.is_requested() {
            break; // that was Ctrl-C's wake-up call, not a client
        }
        // as_socket(): socket2's raw address as a std SocketAddr (IP, port).
        let peer = peer.as_socket().context("the client has no IP address")?;
        log::info!("{peer} connected");
        // Ctrl-C during this client: shutdown(Write) on the connection, a
        // FIN to the client; its close then ends our receiving thread.
        let watch = shutdown.watch(&conn)?;
        if let Err(e) = talk_with(&conn, peer, interval, shutdown) {
            log::warn!("could not talk with {peer}: {e:#}");
        }
        // close(): the last handles to this client's socket go away here.
        drop(watch);
        drop(conn);
        served += 1;
        if shutdown.is_requested() {
            break;
        }
    }
    // ANCHOR_END: accept_loop
    drop(queue);
    log::info!("server stopped after {}", plural(served, "client"));
    Ok(())
}

/// One client's whole visit: receive on a thread, send here, until the
/// client goes away or Ctrl-C; then close, and log how it ended. Nothing a
/// client does makes it fail; only a lack of threads or file descriptors.
fn talk_with(
    conn: &Socket,
    peer: SocketAddr,
    interval: Duration,
    shutdown: &Shutdown,
) -> Result<()> {
    let every = common::duration::show(interval);
    log::info!("sending {} to {peer} every {every}", show(SERVER_HELLO));
    // ANCHOR: talk
    // try_clone() is dup(): a second handle to the *same* socket, which the
    // receiving thread owns. Reading on one handle while writing on the
    // other is what full duplex means.
    let reader = conn.try_clone().context("could not duplicate the socket")?;
    // The receiving thread logs what the client sends; its recv() loop is in
    // src/duplex.rs (read it next). The server keeps no payload, so the bytes
    // go to io::sink(). `ended` is a channel that tells when the thread ends.
    let (receiver, ended) = duplex::spawn_receiver(reader, peer, io::sink())?;
    // The sending loop (send() in src/duplex.rs too), on this thread, at the
    // same time: hello client, pause, hello client... `None`: no limit on the
    // count. It stops when `ended` says the receiving thread has ended (the
    // client went away, or Ctrl-C) or a send fails.
    let sent = duplex::send_every(conn, peer, SERVER_HELLO, interval, None, &ended);
    // shutdown(Both): a FIN to the client after our last hello. And should
    // the receiving thread still wait in recv() (after a failed send), its
    // recv() now returns 0, so the thread ends and can be joined.
    if let Err(e) = conn.shutdown(std::net::Shutdown::Both) {
        log::debug!("shutdown of {peer}: {e}"); // "not connected": it is gone
    }
    let received = duplex::join(receiver);
    // ANCHOR_END: talk
    // One line on how the visit ended, with the counts ("3 messages").
    let sent = plural(sent, "message");
    match received.map(|n| plural(n, "message")) {
        Ok(got) if shutdown.is_requested() => {
            log::info!("closed the connection to {peer} (Ctrl-C); received {got}, sent {sent}");
        }
        Ok(got) => {
            log::info!("{peer} went away (it closed the connection); received {got}, sent {sent}");
        }
        Err(e) => log::warn!(
            "{peer} went away abruptly ({}); sent {sent}",
            e.root_cause()
        ),
    }
    Ok(())
}

#[cfg(test)]
#[path = "server_tests.rs"]
mod tests;
