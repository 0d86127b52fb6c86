//! The retry policy: what the client does when no echo comes.
//!
//! UDP never says "lost": a datagram, or its echo, can vanish, and the only
//! sign is silence. So [`Client::echo`] follows four rules:
//!
//! 1. **Every wait has a deadline** (`--timeout`). The tutorial's client
//!    waits in `recvfrom()` with none: forever, if its datagram was lost.
//! 2. **After the deadline, send again**, `--retries` times at most.
//! 3. **A late echo is never the answer.** After a retry, two echoes of
//!    "one" may come, the second while we wait for the echo of "two". So
//!    before each send we throw away what is waiting (it can only answer an
//!    earlier attempt), and only a datagram equal to what we sent is the
//!    answer. The price: echo servers only; a protocol whose answers differ
//!    from its requests numbers its messages instead (see the exercises).
//! 4. **Say why it gave up.** "Refused" (the server's machine said nothing
//!    listens on that port) and silence get different hints.

use std::io::{self, ErrorKind, Read};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use common::duration::show as show_duration;
use common::hints::Hint;
use common::text::{bytes, plural, show};

use crate::client::Client;
use crate::{MAX_PAYLOAD_V4, MAX_PAYLOAD_V6};

/// How patient the client is, and what it tells the student when it gives up.
#[derive(Debug, Clone)]
pub struct Options {
    /// How long to wait for each echo (`--timeout`).
    pub timeout: Duration,
    /// How many times to send a message again when no echo came (`--retries`).
    pub retries: u32,
    /// The command that starts the server this client sends to, for the hints.
    pub start_server: String,
}

impl Client {
    /// Sends `message` as one datagram and waits for its echo, sending it
    /// again after each timeout. Returns the echo, or `None` when Ctrl-C
    /// came first. Fails when no echo came after every attempt, or the
    /// message cannot be sent at all (too long for one datagram, say).
    pub fn echo(&mut self, message: &[u8]) -> Result<Option<Vec<u8>>> {
        let server = self.server;
        let attempts = self.options.retries.saturating_add(1); // 1 + --retries, no overflow
        let timeout = self.options.timeout;
        let mut refused = None; // the last attempt's refusal, if any: it picks the hint
        // ANCHOR: attempts
        for attempt in 1..=attempts {
            if attempt > 1 {
                log::warn!("retrying (attempt {attempt} of {attempts})");
            }
            // Rule 3: anything already waiting answers an earlier attempt.
            self.discard_late_answers()
                .with_context(|| format!("could not receive from {server}"))?;
            let deadline = Instant::now() + timeout;
            let result = match self.send(message) {
                Ok(()) => self.wait_for_echo(message, deadline),
                // A refusal of an earlier datagram can surface at send().
                Err(e) if is_refused(&e) => Err(e),
                Err(e) => return Err(self.send_failed(e, message.len())),
            };
            if self.shutdown.is_requested() {
                return Ok(None);
            }
            match result {
                Ok(echo) => return Ok(Some(echo)),
                Err(e) if is_refused(&e) => {
                    log::warn!("{server} refused the datagram: nothing listens there: {e}");
                    // The refusal came at once. Wait out the rest of this
                    // attempt anyway, so that a server still starting up gets
                    // its chance, and the retries do not all fire at once.
                    let left = deadline.saturating_duration_since(Instant::now());
                    if self.shutdown.wait_timeout(left) {
                        return Ok(None);
                    }
                    refused = Some(e);
                }
                Err(e) if is_silence(&e) => {
                    log::warn!("no reply within {}", show_duration(timeout));
                    refused = None;
                }
                Err(e) => return Err(e).context(format!("could not receive from {server}")),
            }
        }
        // ANCHOR_END: attempts
        Err(self.give_up(attempts, refused))
    }

    /// Waits until `deadline` for a datagram equal to `message`, skipping
    /// any other that comes meanwhile. "Timed out" when none came.
    fn wait_for_echo(&mut self, message: &[u8], deadline: Instant) -> io::Result<Vec<u8>> {
        // ANCHOR: wait
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(ErrorKind::TimedOut.into());
            }
            let received = self.recv(left);
            // After Ctrl-C the socket is shut down and recv() returns at once.
            if self.shutdown.is_requested() {
                return Err(ErrorKind::Interrupted.into());
            }
            match received {
                // Equal to what we sent: our echo.
                Ok(echo) if echo == message => {
                    log::info!("received the echo: {}", bytes(echo.len()));
                    return Ok(echo);
                }
                // From the server, but not our echo: skip it, keep waiting.
                Ok(other) => log::warn!(
                    "skipped a datagram that is not the echo of this message ({}), \
                     perhaps a late answer to an earlier one: {}",
                    bytes(other.len()),
                    show(&other)
                ),
                Err(e) if e.kind() == ErrorKind::Interrupted => {} // a signal: wait again
                Err(e) => return Err(e),
            }
        }
        // ANCHOR_END: wait
    }

    /// Takes every datagram already waiting and throws it away: `recv()`
    /// (socket2's `read()`) on a non-blocking socket, which says "would
    /// block" once none is left.
    fn discard_late_answers(&mut self) -> io::Result<()> {
        self.socket.set_nonblocking(true)?;
        // ANCHOR: discard
        let drained = loop {
            match (&self.socket).read(&mut self.buffer) {
                // After Ctrl-C the socket is shut down: stop here.
                Ok(_) if self.shutdown.is_requested() => break Ok(()),
                Ok(n) => log::info!(
                    "threw away a late answer to an earlier attempt ({}): {}",
                    bytes(n),
                    show(&self.buffer[..n])
                ),
                Err(e) if e.kind() == ErrorKind::WouldBlock => break Ok(()),
                // A refusal left from an earlier attempt (already counted),
                // or a signal: reading it cleared it; go on.
                Err(e) if is_refused(&e) || e.kind() == ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        // ANCHOR_END: discard
        self.socket.set_nonblocking(false)?;
        drained
    }

    /// Rule 4: the error for a message that got no echo, with a hint that
    /// fits what happened.
    fn give_up(&self, attempts: u32, refused: Option<io::Error>) -> anyhow::Error {
        let command = self.options.start_server.clone();
        let what = format!(
            "no reply from {} after {}, waiting {} for each",
            self.server,
            plural(attempts, "attempt"),
            show_duration(self.options.timeout)
        );
        // ANCHOR: hints
        // Each hint is a row of common::hints, in English and in Korean.
        match refused {
            // The kernel there said "port unreachable": nothing listens.
            Some(e) => anyhow::Error::new(e)
                .context(format!("{what}; the last datagram was refused"))
                .context(Hint::UdpServerNotRunning { command }),
            // Silence: no server, a lost datagram or a slow one look the same.
            None => anyhow!("{what}; nothing came back").context(Hint::UdpSilence { command }),
        }
        // ANCHOR_END: hints
    }

    /// The error for a datagram that could not be sent, with a hint when it
    /// was too long for one datagram (the OS says "Message too long").
    fn send_failed(&self, e: io::Error, len: usize) -> anyhow::Error {
        let err = anyhow::Error::new(e).context(format!(
            "could not send {} to {}",
            bytes(len),
            self.server
        ));
        let (max, family) = if self.server.is_ipv4() {
            (MAX_PAYLOAD_V4, "IPv4")
        } else {
            (MAX_PAYLOAD_V6, "IPv6")
        };
        if len <= max {
            return err;
        }
        err.context(Hint::DatagramTooLong { max, family })
    }
}

/// "Connection refused": the server's machine answered our datagram with
/// ICMP "port unreachable" (Windows reports it as "connection reset").
fn is_refused(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionReset
    )
}

/// The receive timeout passed: "would block" on Unix, "timed out" on Windows.
fn is_silence(e: &io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

#[cfg(test)]
#[path = "retry_tests.rs"]
mod tests;
