//! Full duplex: the receiving thread and the sending loop, on one connection.
//!
//! A TCP connection is two byte streams, one in each direction, and they do
//! not wait for each other. To use both at once a program needs two things
//! that can block independently:
//!
//! * the **receiving thread** ([`spawn_receiver`]) sits in `recv()` and logs
//!   whatever arrives, until `recv()` returns 0 (the peer closed) or fails;
//! * the **sending loop** ([`send_every`]) runs on the caller's thread:
//!   send a hello, pause, send again.
//!
//! The server and the client both use these two pieces; only what they do
//! around them differs (`accept()` on one side, `connect()` and the
//! half-close on the other).
//!
//! The two must also *stop* together. When the peer goes away, the receiving
//! thread is the first to know: its `recv()` returns. Tutorial 001 lets the
//! sending loop find out by asking `t.isAlive()` once per interval, after a
//! sleep. Here the pause *is* the wait for the receiving thread's end: it
//! lasts the interval, or ends at once when the thread ends.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use anyhow::{Context, Result};
use common::text::{bytes, show};
use socket2::Socket;

use crate::RECV_BUFFER;

/// A channel on which nothing is ever sent: it *disconnects* the moment the
/// receiving thread ends, for whatever reason. Waiting on it is how the
/// sending loop pauses (see [`send_every`]).
pub type Ended = mpsc::Receiver<()>;

/// Starts the receiving thread on `socket` (a `try_clone()` of the
/// connection, which the thread then owns). It logs what arrives from
/// `peer` and writes the bytes, unchanged, to `out`.
///
/// Returns the thread, to [`join`] at the end, and the channel that tells
/// when it has ended. Joined, the thread gives how many messages (lines)
/// arrived, or the error that ended it early.
///
/// The server passes [`io::sink()`] (it only logs); the client passes
/// standard output, where the payload it receives belongs.
///
/// # Errors
///
/// When the thread cannot be started.
pub fn spawn_receiver<W>(
    socket: Socket,
    peer: SocketAddr,
    out: W,
) -> Result<(JoinHandle<Result<u64>>, Ended)>
where
    W: Write + Send + 'static,
{
    // ANCHOR: spawn_receiver
    let (ended_tx, ended) = mpsc::channel::<()>();
    let receiver = thread::Builder::new()
        .name(format!("receive from {peer}"))
        .spawn(move || {
            // The thread owns the sending end of the channel. When the thread
            // returns, it is dropped, the channel disconnects, and the sending
            // loop wakes from its pause: no flag to forget to set.
            let _ended_tx = ended_tx;
            receive_until_closed(socket, peer, out)
        })
        .context("could not start the receiving thread")?;
    // ANCHOR_END: spawn_receiver
    Ok((receiver, ended))
}

/// The receiving thread's loop: `recv()` until the peer closes (`Ok` with
/// the number of lines that came) or the connection fails (`Err`).
fn receive_until_closed<W: Write>(socket: Socket, peer: SocketAddr, mut out: W) -> Result<u64> {
    let mut buffer = [0u8; RECV_BUFFER];
    let mut messages = 0;
    // ANCHOR: recv_loop
    loop {
        // recv(): wait for bytes from the peer. This thread does nothing else,
        // so waiting here never delays the sending loop.
        let n = match (&socket).read(&mut buffer) {
            // 0 bytes: the peer closed its sending side (a FIN). Nothing more
            // will come.
            Ok(0) => return Ok(messages),
            // Some bytes: a piece of the stream. Usually one hello, but TCP
            // may glue two together or cut one in half.
            Ok(n) => n,
            // A signal interrupted the wait; nothing was lost.
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            // A reset, typically: the peer is gone without a proper close.
            Err(e) => return Err(e).with_context(|| format!("lost the connection to {peer}")),
        };
        let data = &buffer[..n];
        log::info!("received {} from {peer}: {}", bytes(n), show(data));
        // A message is a line: count the newlines, however TCP cut the stream.
        for &byte in data {
            if byte == b'\n' {
                messages += 1;
            }
        }
        // The bytes themselves go out unchanged; only the log decodes them.
        out.write_all(data)
            .and_then(|()| out.flush())
            .context("could not write to standard output")?;
    }
    // ANCHOR_END: recv_loop
}

/// The sending loop: sends `message` every `interval` until `count` messages
/// are out (`None`: no limit), the receiving thread ends (the peer went
/// away, or Ctrl-C shut the connection down), or a send fails. Returns how
/// many messages went out whole.
///
/// It runs on the caller's thread while the receiving thread runs on its own.
pub fn send_every(
    socket: &Socket,
    peer: SocketAddr,
    message: &[u8],
    interval: Duration,
    count: Option<u64>,
    ended: &Ended,
) -> u64 {
    let mut sent = 0;
    // ANCHOR: send_loop
    loop {
        // send(): write_all() repeats send() until the whole message is with
        // the kernel, like Python's sendall(). If the peer is gone it fails
        // (broken pipe, reset): that is how a sender learns of it.
        // (`&*socket`: lesson 1's `(&conn)`; `socket` is a `&Socket` already,
        // so `&socket` would be a `&&Socket`, which has no `Write`.)
        if let Err(e) = (&*socket).write_all(message) {
            log::info!("could not send to {peer}: {e}");
            return sent;
        }
        sent += 1;
        log::debug!("sent {} to {peer}", show(message));
        if count == Some(sent) {
            return sent;
        }
        // The pause. Not a sleep: a wait for the receiving thread's end,
        // with the interval as the timeout. When the peer closes, recv()
        // returns 0, the thread ends and this wait returns at once. Ctrl-C
        // shuts the connection down (common::shutdown), which ends the
        // thread the same way.
        match ended.recv_timeout(interval) {
            // The whole interval passed, and the thread still receives.
            Err(RecvTimeoutError::Timeout) => {}
            // The thread has ended. (Nothing is ever sent, so `Ok` cannot
            // happen; it would mean the same.)
            Err(RecvTimeoutError::Disconnected) | Ok(()) => return sent,
        }
    }
    // ANCHOR_END: send_loop
}

/// Waits for the receiving thread to end and returns its result.
///
/// Make sure it *will* end first: the peer closed, or the socket was shut
/// down (`shutdown(Read)` wakes a blocked `recv()`).
///
/// # Errors
///
/// What ended the thread early: a failed `recv()` or a failed write to `out`.
pub fn join(receiver: JoinHandle<Result<u64>>) -> Result<u64> {
    // The thread's code does not panic; should it ever, say so instead of
    // passing the panic on.
    receiver
        .join()
        .unwrap_or_else(|_| Err(anyhow::anyhow!("the receiving thread panicked")))
}

#[cfg(test)]
#[path = "duplex_tests.rs"]
mod tests;
