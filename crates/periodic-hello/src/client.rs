//! The periodic-hello client: the server's mirror image. It sends
//! `hello server` every interval while a receiving thread prints what the
//! server sends; with a count it stops, half-closes and waits for the
//! server to close.
//!
//! Read [`connect`], then [`run`]. The two halves of the conversation are in
//! `src/duplex.rs`.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

use anyhow::{Context, Result};
use common::Shutdown;
use common::text::{plural, show};
use socket2::{Domain, Protocol, Socket, Type};

use crate::{CLIENT_HELLO, duplex};

/// How long, after the last message and the half-close, the client waits
/// for the server to close its side. This lesson's server closes at once;
/// tutorial 001's never does (see the chapter), and a client must not wait
/// for it forever.
pub const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

/// `socket()` + `connect()`: a connected TCP socket to `addr`.
///
/// # Errors
///
/// When nothing listens there (connection refused), or it cannot be reached.
pub fn connect(addr: SocketAddr) -> Result<Socket> {
    // ANCHOR: connect
    // socket(): a TCP socket of the server's family (IPv4 or IPv6).
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .context("could not create a TCP socket")?;
    // connect(): the three-way handshake with the server's kernel.
    socket
        .connect(&addr.into())
        .with_context(|| format!("could not connect to {addr}"))?;
    // ANCHOR_END: connect
    log::info!("connected to {addr}");
    Ok(socket)
}

/// Runs the lesson's client: connect to `addr`, then talk both ways until
/// `count` hellos are sent (`None`: no limit), the server closes, or
/// Ctrl-C. What the server sends is written to `out` (standard output).
///
/// A server that closes, normally or by its own Ctrl-C, is not an error: the
/// client says so and returns `Ok`.
///
/// # Errors
///
/// When the connection cannot be made, the connection is reset, or `out`
/// cannot be written.
pub fn run<W>(
    addr: SocketAddr,
    interval: Duration,
    count: Option<u64>,
    shutdown: &Shutdown,
    out: W,
) -> Result<()>
where
    W: Write + Send + 'static,
{
    let socket = connect(addr)?;
    // Ctrl-C: shutdown(Write) on the socket, a FIN to the server, whose
    // close then ends our receiving thread.
    let _watch = shutdown.watch(&socket)?;
    let every = common::duration::show(interval);
    log::info!("sending {} to {addr} every {every}", show(CLIENT_HELLO));
    // ANCHOR: talk
    // The receiving thread, on its own handle to the socket (try_clone() is
    // dup()): what the server sends goes to `out`, as it comes.
    let reader = socket
        .try_clone()
        .context("could not duplicate the socket")?;
    let (receiver, ended) = duplex::spawn_receiver(reader, addr, out)?;
    // The sending loop, here, at the same time.
    let sent = duplex::send_every(&socket, addr, CLIENT_HELLO, interval, count, &ended);
    // ANCHOR_END: talk

    // The loop stopped because all `count` hellos are out (not because the
    // server left): tell the server we are done, and let it finish.
    let mut closed_by_us = false;
    if count == Some(sent) {
        // ANCHOR: half_close
        // shutdown(Write), the half-close: "I have nothing more to send". The
        // server's recv() returns 0; we can still receive, and keep reading
        // until the server closes its side too. Closing both at once instead
        // could cut off hellos still on their way to us.
        if let Err(e) = socket.shutdown(std::net::Shutdown::Write) {
            log::debug!("half-close: {e}"); // the connection is gone already
        }
        log::info!(
            "sent {}; waiting for the server to close",
            plural(sent, "message")
        );
        // The server's close ends our receiving thread, and that ends this wait.
        if let Err(RecvTimeoutError::Timeout) = ended.recv_timeout(CLOSE_TIMEOUT) {
            log::warn!(
                "the server has not closed the connection {} after our half-close; \
                 closing it ourselves",
                common::duration::show(CLOSE_TIMEOUT)
            );
            closed_by_us = true;
        }
        // ANCHOR_END: half_close
    }

    // shutdown(Both): ends the receiving thread if it still waits in recv()
    // (after a failed send, or when the server would not close), so that it
    // can be joined. "Not connected" just means the server went first.
    if let Err(e) = socket.shutdown(std::net::Shutdown::Both) {
        log::debug!("shutdown: {e}");
    }
    let received = match duplex::join(receiver) {
        Ok(n) => plural(n, "message"),
        // Leaving after Ctrl-C is a success, even if the connection broke
        // on the way out.
        Err(e) if shutdown.is_requested() => format!("until {}", e.root_cause()),
        // A reset, or standard output closed (`client | head -1`): an error.
        Err(e) => return Err(e),
    };
    let sent = plural(sent, "message");
    if shutdown.is_requested() {
        log::info!(
            "stopped by Ctrl-C; closed the connection to {addr}; received {received}, sent {sent}"
        );
    } else if closed_by_us {
        log::info!("closed the connection to {addr}; received {received}, sent {sent}");
    } else {
        log::info!("the server closed the connection; received {received}, sent {sent}");
    }
    Ok(())
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
