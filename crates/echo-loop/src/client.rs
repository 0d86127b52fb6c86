//! The echo-loop client: send bytes, print the echo, at the same time.
//!
//! Why "at the same time"? If the client first sent all its input and only
//! then read the echo, a large input would deadlock: the server blocks
//! sending the echo back once our receive buffer is full, so it stops
//! reading, so our send blocks too. Two threads, one sending and one
//! receiving, never wait for each other.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result};
use common::Shutdown;
use socket2::{Domain, Protocol, Socket, Type};

/// Bytes per read, on both sides of the client.
const CHUNK: usize = 64 * 1024;

/// How long to wait, once the server has closed, for the sending thread to
/// report. It has normally finished already; the wait covers a busy machine.
const SENDER_GRACE: Duration = Duration::from_secs(2);

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
    // connect(): the three-way handshake. Succeeds as soon as the server's
    // kernel has queued us, even while the server is busy with another client.
    socket
        .connect(&addr.into())
        .with_context(|| format!("could not connect to {addr}"))?;
    // ANCHOR_END: connect
    log::info!("connected to {addr}");
    Ok(socket)
}

/// Sends everything from `input`, half-closes, and copies the echo to
/// `output` until the server closes. Returns how many bytes came back.
///
/// # Errors
///
/// When sending or receiving fails, or the server closes before all input
/// was sent.
pub fn echo<R, W>(socket: Socket, input: R, mut output: W, shutdown: &Shutdown) -> Result<u64>
where
    R: Read + Send + 'static,
    W: Write,
{
    let _watch = shutdown.watch(&socket)?;
    let sender_socket = socket
        .try_clone()
        .context("could not share the socket with the sending thread")?;
    // ANCHOR: send_thread
    // The sending half runs on its own thread: read input, send() it, and at
    // the end of input shutdown(Write), which tells the server "no more data"
    // (its recv() returns 0) while we keep receiving.
    let (done, sender) = mpsc::channel();
    thread::spawn(move || {
        let mut input = input;
        // `&mut &sender_socket`: lesson 1's `(&conn)` trick, for io::copy().
        let result = io::copy(&mut input, &mut &sender_socket).and_then(|sent| {
            sender_socket.shutdown(std::net::Shutdown::Write)?;
            Ok(sent)
        });
        // The main thread may have stopped listening: nothing to do then.
        let _ = done.send(result);
    });
    // ANCHOR_END: send_thread

    // ANCHOR: recv_loop
    // The receiving half runs here: recv() until 0, which means the server
    // has sent everything and closed. Each piece is written out at once, so
    // a typed line shows its echo right away.
    let mut buffer = vec![0u8; CHUNK];
    let mut received = 0u64;
    loop {
        let n = match (&socket).read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            // After Ctrl-C, an error here is the connection being torn down.
            Err(_) if shutdown.is_requested() => break,
            Err(e) => return Err(e).context("could not receive the echo"),
        };
        output
            .write_all(&buffer[..n])
            .and_then(|()| output.flush())
            .context("could not write to standard output")?;
        received += n as u64;
    }
    // ANCHOR_END: recv_loop

    if shutdown.is_requested() {
        log::info!("stopped by Ctrl-C after {received} bytes of echo");
        return Ok(received);
    }
    // The server closes only after our half-close, so the sender has
    // normally finished (or is about to). But it may also still be waiting
    // for input (a terminal nobody types into) if the server closed first. A
    // thread blocked reading a terminal cannot be woken, so we wait for its
    // answer only briefly; leaving `main` ends it.
    match sender.recv_timeout(SENDER_GRACE) {
        Ok(Ok(sent)) if sent == received => {
            log::info!("server closed the connection; {sent} bytes sent and echoed");
        }
        Ok(Ok(sent)) => log::warn!("sent {sent} bytes but {received} came back"),
        Ok(Err(e)) => {
            return Err(e).context("the server closed the connection before all input was sent");
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            log::warn!("the server closed the connection before the input ended");
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => anyhow::bail!("the sending thread panicked"),
    }
    Ok(received)
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
