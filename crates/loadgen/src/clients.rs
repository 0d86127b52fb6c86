//! The clients: each one runs on its own thread with its own connection (or
//! UDP socket), sends, waits for the echo, checks it byte for byte, and
//! counts.
//!
//! Everything a client needs is allocated before its loop starts (the
//! message, the reply buffer, the histogram), so the measuring loop itself
//! makes system calls and compares bytes, nothing else.

use std::io::{self, Read, Write};
use std::net::{Shutdown as Half, SocketAddr, TcpStream, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::Shutdown;
use common::shutdown::Watch;
use common::text::show;
use socket2::{Domain, Protocol, Socket, Type};

use crate::histogram::Histogram;
use crate::payload::{Framing, Message, Pattern, mismatch};
use crate::run::{Plan, Until};
use crate::tally::{Failure, Tally};
use common::duration::show as short;

/// The largest datagram a UDP reply can be; the receive buffer is this big so
/// that a reply longer than the request is seen as such, never cut.
const MAX_DATAGRAM: usize = 65_536;

/// The longest pause between retries after a failure.
const MAX_BACKOFF: Duration = Duration::from_millis(250);

/// A counter on a cache line of its own, so that two clients updating their
/// progress never slow each other down ("false sharing").
#[derive(Default)]
#[repr(align(64))]
pub(crate) struct Counter(pub AtomicU64);

/// What the clients and the main thread share during a run.
pub(crate) struct Shared {
    /// Set by the main thread when the time is up or Ctrl-C came.
    pub stop: AtomicBool,
    /// Each client's round trips (or streamed bytes) so far, for the progress line.
    pub progress: Vec<Counter>,
    /// Ctrl-C: it shuts the clients' sockets down, so none stays blocked.
    pub shutdown: Shutdown,
}

impl Shared {
    pub fn new(clients: usize, shutdown: Shutdown) -> Shared {
        Shared {
            stop: AtomicBool::new(false),
            progress: (0..clients).map(|_| Counter::default()).collect(),
            shutdown,
        }
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}

/// What one client measured.
#[derive(Debug, Default)]
pub struct ClientStats {
    /// Round trips that came back right.
    pub round_trips: u64,
    /// How long each of them took.
    pub latency: Histogram,
    /// What went wrong.
    pub errors: Tally,
    /// Connections opened (more than one when errors forced a reconnect).
    pub connections: u64,
    /// UDP replies that came after their round trip was given up.
    pub late: u64,
    /// Streaming: bytes that came back and were checked.
    pub stream_bytes: u64,
    /// Streaming: from the first byte sent to the last byte received.
    pub stream_time: Duration,
    /// When the client finished its last round trip (for `--count` runs).
    pub finished: Option<Instant>,
}

/// A pause after a failure, doubling up to [`MAX_BACKOFF`], so that a dead
/// server is not hammered with reconnects (and the client's ports are not
/// used up by connections in TIME_WAIT). A success resets it.
struct Backoff(Duration);

impl Backoff {
    fn new() -> Backoff {
        Backoff(Duration::from_millis(1))
    }

    fn reset(&mut self) {
        self.0 = Duration::from_millis(1);
    }

    /// Waits, in small steps so that the end of the run is not delayed.
    fn wait(&mut self, shared: &Shared) {
        let until = Instant::now() + self.0;
        while !shared.stopped() {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            thread::sleep(left.min(Duration::from_millis(10)));
        }
        self.0 = (self.0 * 2).min(MAX_BACKOFF);
    }
}

/// A failure and what exactly happened, for the report.
type Failed = (Failure, String);

/// What a client thread works with.
pub(crate) struct Ctx<'a> {
    pub plan: &'a Plan,
    pub shared: &'a Shared,
    pub pattern: Option<&'a Pattern>,
}

impl Ctx<'_> {
    /// True while this client should go on: the run is not over, and in a
    /// `--count` run it has attempts left.
    fn more(&self, attempts: u64) -> bool {
        if self.shared.stopped() {
            return false;
        }
        match self.plan.until {
            Until::Count(n) => attempts < n,
            Until::Duration(_) => true,
        }
    }

    /// True after Ctrl-C: failures from then on are ours, not the server's.
    fn interrupted(&self) -> bool {
        self.shared.shutdown.is_requested()
    }

    /// Opens a TCP connection: `socket()`, `TCP_NODELAY`, `connect()` with a
    /// deadline, then receive and send timeouts, so that no call can block
    /// for longer than `--timeout`.
    pub fn connect(&self) -> io::Result<(TcpStream, Watch)> {
        let addr = self.plan.addr;
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
        // TCP_NODELAY: send each message at once. We measure the server, not
        // Nagle's algorithm holding small writes back.
        socket.set_tcp_nodelay(true)?;
        socket.connect_timeout(&addr.into(), self.plan.timeout)?;
        socket.set_read_timeout(Some(self.plan.timeout))?;
        socket.set_write_timeout(Some(self.plan.timeout))?;
        // Ctrl-C shuts this connection down, waking a blocked recv().
        let watch = self.shared.shutdown.watch(&socket)?;
        Ok((socket.into(), watch))
    }

    /// Runs client number `id` until the run ends.
    pub fn client(&self, id: usize) -> ClientStats {
        let mut stats = match (self.plan.stream, self.plan.mode.framing()) {
            (Some(total), _) => self.stream(id, total),
            (None, _) if self.plan.mode.is_udp() => self.udp(id),
            (None, framing) => self.tcp(id, framing),
        };
        stats.finished.get_or_insert_with(Instant::now);
        stats
    }

    /// Round trips over TCP: send a message, read back exactly as many
    /// bytes, compare. After any failure the connection is in an unknown
    /// state, so it is closed and a new one opened.
    fn tcp(&self, id: usize, framing: Framing) -> ClientStats {
        let plan = self.plan;
        let mut stats = ClientStats::default();
        let mut message = Message::new(framing, plan.size, id);
        let mut reply = vec![0u8; plan.size];
        let mut backoff = Backoff::new();
        let mut attempts = 0u64;
        while self.more(attempts) {
            let (conn, _watch) = match self.connect() {
                Ok(connected) => connected,
                Err(e) => {
                    attempts += 1;
                    if !self.interrupted() {
                        stats.errors.record(Failure::of_connect(&e), || {
                            format!("client {id}: could not connect to {}: {e}", plan.addr)
                        });
                    }
                    backoff.wait(self.shared);
                    continue;
                }
            };
            stats.connections += 1;
            let mut healthy = true;
            while self.more(attempts) {
                attempts += 1;
                message.stamp(attempts);
                match round_trip(&conn, &message, &mut reply, plan.timeout) {
                    Ok(took) => {
                        stats.latency.record(took);
                        stats.round_trips += 1;
                        stats.finished = Some(Instant::now());
                        self.shared.progress[id]
                            .0
                            .store(stats.round_trips, Ordering::Relaxed);
                        backoff.reset();
                    }
                    Err((failure, detail)) => {
                        if !self.interrupted() {
                            stats.errors.record(failure, || {
                                format!("client {id}, round trip {attempts}: {detail}")
                            });
                        }
                        healthy = false;
                        break;
                    }
                }
            }
            if healthy {
                if let Err((failure, detail)) = close_cleanly(&conn, plan.timeout)
                    && !self.interrupted()
                {
                    stats
                        .errors
                        .record(failure, || format!("client {id}, closing: {detail}"));
                }
            } else {
                backoff.wait(self.shared);
            }
            // close(): dropping `conn` here.
        }
        stats
    }

    /// Round trips over UDP: one datagram out, the same datagram back. A
    /// lost datagram is a timeout; a reply to an earlier, given-up datagram
    /// is recognised by its stamp and skipped (counted as late).
    fn udp(&self, id: usize) -> ClientStats {
        let plan = self.plan;
        let mut stats = ClientStats::default();
        let (socket, _watch) = match self.udp_socket() {
            Ok(opened) => opened,
            Err(e) => {
                stats.errors.record(Failure::ConnectError, || {
                    format!(
                        "client {id}: could not open a UDP socket for {}: {e}",
                        plan.addr
                    )
                });
                return stats;
            }
        };
        stats.connections = 1;
        let mut message = Message::new(Framing::Raw, plan.size, id);
        let mut buffer = vec![0u8; MAX_DATAGRAM];
        let mut backoff = Backoff::new();
        let mut attempts = 0u64;
        while self.more(attempts) {
            attempts += 1;
            message.stamp(attempts);
            match self.datagram_round_trip(&socket, &message, &mut buffer, &mut stats.late) {
                Ok(took) => {
                    stats.latency.record(took);
                    stats.round_trips += 1;
                    stats.finished = Some(Instant::now());
                    self.shared.progress[id]
                        .0
                        .store(stats.round_trips, Ordering::Relaxed);
                    backoff.reset();
                }
                Err((failure, detail)) => {
                    if self.interrupted() {
                        break;
                    }
                    stats.errors.record(failure, || {
                        format!("client {id}, datagram {attempts}: {detail}")
                    });
                    backoff.wait(self.shared);
                }
            }
        }
        stats
    }

    /// A UDP socket `connect()`ed to the server: `send()` goes there, and the
    /// kernel drops datagrams from anyone else, so every reply is the server's.
    fn udp_socket(&self) -> io::Result<(UdpSocket, Watch)> {
        let addr = self.plan.addr;
        let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
        let any: SocketAddr = if addr.is_ipv4() {
            (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
        } else {
            (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
        };
        socket.bind(&any.into())?;
        socket.connect(&addr.into())?;
        socket.set_read_timeout(Some(self.plan.timeout))?;
        let watch = self.shared.shutdown.watch(&socket)?;
        Ok((socket.into(), watch))
    }

    fn datagram_round_trip(
        &self,
        socket: &UdpSocket,
        message: &Message,
        buffer: &mut [u8],
        late: &mut u64,
    ) -> Result<Duration, Failed> {
        let timeout = self.plan.timeout;
        let start = Instant::now();
        let deadline = start + timeout;
        socket
            .send(message.bytes())
            .map_err(|e| (Failure::of_io(&e), format!("send failed: {e}")))?;
        loop {
            let n = socket.recv(buffer).map_err(|e| match Failure::of_io(&e) {
                Failure::Timeout => (
                    Failure::Timeout,
                    format!(
                        "no reply within {}: the datagram or its echo was lost",
                        short(timeout)
                    ),
                ),
                Failure::ConnectRefused => (
                    Failure::ConnectRefused,
                    format!(
                        "nothing listens on {} (the kernel answered: {e})",
                        self.plan.addr
                    ),
                ),
                failure => (failure, format!("recv failed: {e}")),
            })?;
            let took = start.elapsed();
            let got = &buffer[..n];
            if got == message.bytes() {
                return Ok(took);
            }
            if message.is_other_round_trip(got) {
                // The echo of a datagram we had already given up on.
                *late += 1;
                if Instant::now() < deadline {
                    continue;
                }
                return Err((
                    Failure::Timeout,
                    format!("no reply within {}", short(timeout)),
                ));
            }
            let failure = match n.cmp(&message.bytes().len()) {
                std::cmp::Ordering::Less => Failure::Short,
                std::cmp::Ordering::Greater => Failure::Extra,
                std::cmp::Ordering::Equal => Failure::Wrong,
            };
            let how = mismatch(message.bytes(), got).unwrap_or_default();
            return Err((failure, how));
        }
    }

    /// Streaming: one thread sends `total` bytes of the pattern while this
    /// one reads the echo and checks it, at the same time. (Sending first
    /// and reading after would deadlock as soon as the socket buffers are
    /// full: the server would wait for us to read, and we for it to read.)
    fn stream(&self, id: usize, total: u64) -> ClientStats {
        let mut stats = ClientStats::default();
        let Some(pattern) = self.pattern else {
            return stats;
        };
        let record = |stats: &mut ClientStats, (failure, detail): Failed| {
            if !self.interrupted() {
                stats
                    .errors
                    .record(failure, || format!("client {id}, stream: {detail}"));
            }
        };
        let (conn, _watch) = match self.connect() {
            Ok(connected) => connected,
            Err(e) => {
                let failure = Failure::of_connect(&e);
                record(
                    &mut stats,
                    (
                        failure,
                        format!("could not connect to {}: {e}", self.plan.addr),
                    ),
                );
                return stats;
            }
        };
        stats.connections = 1;
        let chunk = self.plan.chunk;
        let start = Instant::now();
        let (received, sent) = thread::scope(|s| {
            let sender = thread::Builder::new()
                .name(format!("sender {id}"))
                .spawn_scoped(s, || send_pattern(&conn, pattern, total, chunk));
            let received =
                receive_and_check(&conn, pattern, total, chunk, &self.shared.progress[id]);
            if received.is_err() {
                // Stop the sender too: it may be blocked in send().
                let _ = conn.shutdown(Half::Both);
            }
            let sent = match sender {
                Ok(handle) => handle
                    .join()
                    .unwrap_or_else(|_| Err((Failure::Io, "the sending thread panicked".into()))),
                Err(e) => Err((
                    Failure::Io,
                    format!("could not start the sending thread: {e}"),
                )),
            };
            (received, sent)
        });
        match received {
            Ok((bytes, last)) => {
                stats.stream_bytes = bytes;
                stats.stream_time = last.duration_since(start);
                stats.finished = Some(last);
            }
            Err((bytes, failed)) => {
                stats.stream_bytes = bytes;
                stats.stream_time = start.elapsed();
                record(&mut stats, failed);
            }
        }
        // A send failure after the receiver already failed is its echo, not news.
        if stats.errors.total() == 0
            && let Err(failed) = sent
        {
            record(&mut stats, failed);
        }
        stats
    }
}

// ANCHOR: round_trip
/// One round trip: send the message, read until as many bytes came back,
/// compare them. Returns the time from just before the send to the last
/// byte of the reply.
fn round_trip(
    conn: &TcpStream,
    message: &Message,
    reply: &mut [u8],
    timeout: Duration,
) -> Result<Duration, Failed> {
    let start = Instant::now();
    let deadline = start + timeout;
    let len = reply.len();
    let mut conn = conn;
    conn.write_all(message.bytes())
        .map_err(|e| (Failure::of_io(&e), format!("send failed: {e}")))?;
    let mut filled = 0;
    while filled < len {
        match conn.read(&mut reply[filled..]) {
            Ok(0) => {
                return Err((
                    Failure::Short,
                    format!(
                        "the server closed the connection after {filled} of {len} bytes (got {})",
                        show(&reply[..filled])
                    ),
                ));
            }
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                let failure = Failure::of_io(&e);
                let detail = if failure == Failure::Timeout {
                    format!(
                        "no reply within {} ({filled} of {len} bytes came)",
                        short(timeout)
                    )
                } else {
                    format!("recv failed after {filled} of {len} bytes: {e}")
                };
                return Err((failure, detail));
            }
        }
        // The receive timeout applies to each recv(); a server trickling one
        // byte at a time must not stretch the round trip past the deadline.
        if filled < len && Instant::now() > deadline {
            return Err((
                Failure::Timeout,
                format!(
                    "no full reply within {} ({filled} of {len} bytes came)",
                    short(timeout)
                ),
            ));
        }
    }
    let took = start.elapsed();
    match mismatch(message.bytes(), reply) {
        None => Ok(took),
        Some(how) => Err((Failure::Wrong, how)),
    }
}
// ANCHOR_END: round_trip

/// Ends a healthy connection the polite way: half-close (FIN: "no more
/// requests"), then read until the server closes too. Anything that still
/// arrives is more than we asked for.
fn close_cleanly(conn: &TcpStream, timeout: Duration) -> Result<(), Failed> {
    let mut conn = conn;
    conn.shutdown(Half::Write)
        .map_err(|e| (Failure::of_io(&e), format!("shutdown failed: {e}")))?;
    let mut extra = 0usize;
    let mut sink = [0u8; 512];
    loop {
        match conn.read(&mut sink) {
            Ok(0) => break,
            // Bounded: a server that never stops sending is reported, not drained forever.
            Ok(n) if extra + n > 1 << 20 => {
                extra += n;
                break;
            }
            Ok(n) => extra += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                let failure = Failure::of_io(&e);
                let detail = if failure == Failure::Timeout {
                    format!(
                        "the server did not close within {} after we did",
                        short(timeout)
                    )
                } else {
                    format!("recv failed while closing: {e}")
                };
                return Err((failure, detail));
            }
        }
    }
    if extra > 0 {
        return Err((
            Failure::Extra,
            format!("{extra} more byte(s) came after the last reply"),
        ));
    }
    Ok(())
}

/// The sending half of a stream: `total` bytes of the pattern, `chunk` at a
/// time, straight from the pattern (no copy), then a half-close.
fn send_pattern(
    conn: &TcpStream,
    pattern: &Pattern,
    total: u64,
    chunk: usize,
) -> Result<(), Failed> {
    let mut conn = conn;
    let mut sent = 0u64;
    while sent < total {
        let want = usize::try_from(total - sent)
            .unwrap_or(usize::MAX)
            .min(chunk);
        match conn.write(pattern.at(sent, want)) {
            Ok(0) => {
                return Err((
                    Failure::Reset,
                    format!("send() took nothing after {sent} of {total} bytes"),
                ));
            }
            Ok(n) => sent += n as u64,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                let failure = Failure::of_io(&e);
                let detail = if failure == Failure::Timeout {
                    format!(
                        "the server stopped reading: send() blocked for the whole timeout after {sent} of {total} bytes"
                    )
                } else {
                    format!("send failed after {sent} of {total} bytes: {e}")
                };
                return Err((failure, detail));
            }
        }
    }
    conn.shutdown(Half::Write)
        .map_err(|e| (Failure::of_io(&e), format!("shutdown failed: {e}")))
}

/// The receiving half of a stream: read until the server closes, check every
/// byte against the pattern at its offset. Returns the bytes checked and
/// when the last one came, or the bytes checked before the failure.
fn receive_and_check(
    conn: &TcpStream,
    pattern: &Pattern,
    total: u64,
    chunk: usize,
    progress: &Counter,
) -> Result<(u64, Instant), (u64, Failed)> {
    let mut conn = conn;
    let mut buffer = vec![0u8; chunk];
    let mut offset = 0u64;
    let mut last = Instant::now();
    loop {
        let n = match conn.read(&mut buffer) {
            Ok(0) if offset == total => return Ok((offset, last)),
            Ok(0) => {
                return Err((
                    offset,
                    (
                        Failure::Short,
                        format!("the server closed after {offset} of {total} bytes"),
                    ),
                ));
            }
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let failure = Failure::of_io(&e);
                let detail = if failure == Failure::Timeout {
                    format!(
                        "nothing came back for the whole timeout after {offset} of {total} bytes"
                    )
                } else {
                    format!("recv failed after {offset} of {total} bytes: {e}")
                };
                return Err((offset, (failure, detail)));
            }
        };
        let got = &buffer[..n];
        if offset + n as u64 > total {
            return Err((
                offset,
                (
                    Failure::Extra,
                    format!("more than the {total} bytes sent came back"),
                ),
            ));
        }
        if let Some(i) = pattern.first_difference(offset, got) {
            let at = offset + i as u64;
            return Err((
                offset + i as u64,
                (
                    Failure::Wrong,
                    format!(
                        "byte {at} of the stream is 0x{:02x}, expected 0x{:02x}",
                        got[i],
                        pattern.byte_at(at)
                    ),
                ),
            ));
        }
        offset += n as u64;
        last = Instant::now();
        progress.0.store(offset, Ordering::Relaxed);
    }
}
