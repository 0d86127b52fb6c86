//! The oneshot client: connect, send one message, read the answer, close.

use std::io::{ErrorKind, Read, Write};
use std::net::SocketAddr;

use anyhow::{Context, Result};
use common::Shutdown;
use common::text::{bytes, show};
use socket2::{Domain, Protocol, Socket, Type};

/// Connects to `addr`, sends `message`, and returns everything the server
/// sends back until it closes.
///
/// # Errors
///
/// When the connection is refused or breaks.
pub fn run(addr: SocketAddr, message: &[u8], shutdown: &Shutdown) -> Result<Vec<u8>> {
    // ANCHOR: connect
    // socket(): the client needs a TCP socket too, of the server's family.
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .context("could not create a TCP socket")?;

    // connect(): the TCP handshake (SYN, SYN-ACK, ACK). The kernel picks a
    // free local port for us; no bind() is needed on the client side.
    socket
        .connect(&addr.into())
        .with_context(|| format!("could not connect to {addr}"))?;
    // ANCHOR_END: connect
    log::info!("connected to {addr}");
    // Ctrl-C: common half-closes our socket (a FIN to the server), and our
    // read below returns 0 when the server closes in reply (see server.rs).
    // `_watch` must live until the end: `let _ = ...` would drop it at once.
    let _watch = shutdown.watch(&socket)?;

    // ANCHOR: send
    // send(): write_all() keeps calling send() until every byte is out.
    (&socket)
        .write_all(message)
        .with_context(|| format!("could not send to {addr}"))?;
    log::info!("sent {}: {}", bytes(message.len()), show(message));

    // shutdown(Write): "I have nothing more to send". The server's recv()
    // returns 0 once it has read our message, so it knows the message is
    // complete. We can still receive. "Not connected" means the server has
    // closed already: the recv() below then says how it ended.
    match socket.shutdown(std::net::Shutdown::Write) {
        Err(e) if e.kind() != ErrorKind::NotConnected => {
            return Err(e)
                .with_context(|| format!("could not half-close the connection to {addr}"));
        }
        _ => {}
    }
    // ANCHOR_END: send

    // ANCHOR: recv
    // recv() until it returns 0: the server closes after answering, so
    // reading to the end collects the whole reply, however it was split.
    let mut reply = Vec::new();
    (&socket)
        .read_to_end(&mut reply)
        .with_context(|| format!("could not receive from {addr}"))?;
    // ANCHOR_END: recv
    if shutdown.is_requested() {
        log::info!("stopped by Ctrl-C");
    } else {
        log::info!("received {}: {}", bytes(reply.len()), show(&reply));
    }
    // close(): `socket` is dropped here, which closes it.
    Ok(reply)
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
