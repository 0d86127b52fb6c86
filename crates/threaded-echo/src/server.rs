//! The threaded-echo server: one thread and one socket per client.
//!
//! Read [`listen`], then [`serve`] (the accept loop, on the main thread),
//! then [`serve_client`] (what each client's thread runs). The socket calls
//! come in that order.
//!
//! The rule that makes threads safe here: **each thread owns its client's
//! socket**. The accept loop hands the socket returned by `accept()` to a new
//! thread and keeps nothing of it. No thread ever touches another client's
//! connection, so there is nothing to lock and nothing to mix up.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use common::Shutdown;
use common::addr::local_addr;
use common::text::{bytes, show};
use socket2::{Domain, Protocol, Socket, Type};

use crate::lines::{LineWatch, Verdict};
use common::duration;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Close a connection that has sent nothing for this long (`--idle-timeout`).
    pub idle_timeout: Duration,
    /// Serve at most this many clients at once (`--max-clients`).
    pub max_clients: usize,
    /// Refuse a line longer than this many bytes ([`crate::lines::MAX_LINE`]).
    pub max_line: usize,
    /// Bytes per `recv()` (`--buffer`, default [`BUFFER`]).
    pub buffer: usize,
}

/// How many connections may wait in the queue between two `accept()` calls.
/// The accept loop only hands sockets to threads, so it is back in
/// `accept()` quickly; the queue absorbs a burst of clients connecting at
/// the same moment (the tests connect 50 at once).
pub const BACKLOG: i32 = 128;

/// Bytes per `recv()`, as in the tutorial. The echo does not depend on it:
/// a longer message simply takes several reads.
pub const BUFFER: usize = 1024;

/// After the server has said goodbye (`/end`, idle, line too long), how long
/// it keeps reading, and dropping, what the client still sends before it
/// closes the socket, so that the close is a FIN and not a reset.
pub const GOODBYE_WAIT: Duration = Duration::from_secs(2);

/// Creates the listening socket: `socket()`, `SO_REUSEADDR`, `bind()`, `listen()`.
///
/// # Errors
///
/// When the address is in use, not on this machine, or needs privileges.
pub fn listen(addr: SocketAddr) -> Result<Socket> {
    // ANCHOR: listen
    // socket(): a TCP socket of the address's family (IPv4 or IPv6). The
    // tutorial's socket(AF_INET, SOCK_STREAM).
    let listener = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .context("could not create a TCP socket")?;

    // SO_REUSEADDR, as in the tutorial: restarting the server right after
    // Ctrl-C works even while old connections sit in TIME_WAIT. (Unix
    // meaning; on Windows the option is riskier, so it stays off there.)
    #[cfg(unix)]
    listener
        .set_reuse_address(true)
        .context("could not set SO_REUSEADDR")?;

    // bind(): claim the address and port.
    listener
        .bind(&addr.into())
        .with_context(|| format!("could not listen on {addr}"))?;

    // listen(): once, before the accept loop. (The tutorial calls listen()
    // again before every accept(); that is harmless but not needed.)
    listener
        .listen(BACKLOG)
        .with_context(|| format!("could not listen on {addr}"))?;
    // ANCHOR_END: listen
    Ok(listener)
}

/// Runs the lesson: listen on `addr` and serve clients until Ctrl-C.
///
/// # Errors
///
/// When the listening socket cannot be set up or `accept()` fails for good.
pub fn run(addr: SocketAddr, options: &Options, shutdown: &Shutdown) -> Result<Summary> {
    let listener = listen(addr)?;
    let local = local_addr(&listener)?;
    common::logging::listening(local);
    log::info!(
        "serving up to {} at once; a client silent for {} is closed",
        clients(options.max_clients),
        duration::show(options.idle_timeout)
    );
    // Ctrl-C wakes the blocked accept() by connecting to us (common::shutdown).
    shutdown.wake_listener(local);
    serve(&listener, options, shutdown)
}

/// How one client's session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The client closed the connection (its `recv()` on our side returned 0).
    Left,
    /// The client sent `/end`; the server answered it and closed.
    End,
    /// Nothing came for the idle timeout; the server said so and closed.
    Idle,
    /// A line grew past the bound; the server said so and closed.
    TooLong,
    /// Ctrl-C or SIGTERM closed the connection.
    Stopped,
    /// The connection failed (a reset, say), or could not be set up.
    Lost,
}

impl Ending {
    /// Every ending, in the order [`Summary`] counts them.
    pub const ALL: [Ending; 6] = [
        Ending::Left,
        Ending::End,
        Ending::Idle,
        Ending::TooLong,
        Ending::Stopped,
        Ending::Lost,
    ];

    /// How the summary line counts this ending: "3 left, 1 timed out".
    fn counted_as(self) -> &'static str {
        match self {
            Ending::Left => "left",
            Ending::End => "sent /end",
            Ending::Idle => "timed out",
            Ending::TooLong => "sent too long a line",
            Ending::Stopped => "closed by the shutdown",
            Ending::Lost => "lost",
        }
    }
}

impl fmt::Display for Ending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Ending::Left => "closed the connection",
            Ending::End => "sent /end",
            Ending::Idle => "was idle too long",
            Ending::TooLong => "sent a line that was too long",
            Ending::Stopped => "was closed by the shutdown",
            Ending::Lost => "was lost",
        })
    }
}

/// What the server did, for the last log line (and for the tests).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Clients that got a thread, by how they ended, in [`Ending`] order.
    pub endings: [usize; 6],
    /// Clients turned away because `--max-clients` were already connected.
    pub refused: usize,
}

impl Summary {
    fn record(&mut self, ending: Ending) {
        self.endings[ending as usize] += 1;
    }

    /// How many clients got a thread of their own.
    pub fn served(&self) -> usize {
        self.endings.iter().sum()
    }

    /// How many sessions ended in `ending`.
    pub fn count(&self, ending: Ending) -> usize {
        self.endings[ending as usize]
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} client(s) served", self.served())?;
        let parts: Vec<String> = Ending::ALL
            .iter()
            .filter(|e| self.count(**e) > 0)
            .map(|e| format!("{} {}", self.count(*e), e.counted_as()))
            .collect();
        if !parts.is_empty() {
            write!(f, " ({})", parts.join(", "))?;
        }
        write!(f, ", {} refused as busy", self.refused)
    }
}

/// One place among `--max-clients`. Taken before a client's thread starts,
/// given back when the thread ends, even if it panics (that is what `Drop`
/// guarantees).
struct Seat(Arc<AtomicUsize>);

impl Seat {
    fn take(active: &Arc<AtomicUsize>) -> Seat {
        active.fetch_add(1, Ordering::SeqCst);
        Seat(Arc::clone(active))
    }
}

impl Drop for Seat {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The accept loop: a new thread for every client, until Ctrl-C. Then close
/// every connection, join every thread and return what happened.
///
/// # Errors
///
/// When `accept()` fails in a way that retrying cannot fix.
pub fn serve(listener: &Socket, options: &Options, shutdown: &Shutdown) -> Result<Summary> {
    // How many client threads are running; shared with each of them.
    let active = Arc::new(AtomicUsize::new(0));
    let mut threads: Vec<JoinHandle<Ending>> = Vec::new();
    let mut summary = Summary::default();
    // ANCHOR: accept_loop
    loop {
        // accept(): wait for the next client. It returns a NEW socket for
        // that client alone; `listener` goes on listening.
        let (conn, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            // A client that gave up while queued, or a signal: try again.
            Err(e) if is_transient(&e) => continue,
            // Out of file descriptors (each client uses some): wait a moment
            // for clients to leave instead of spinning on the error.
            Err(e) if is_out_of_files(&e) => {
                log::warn!("accept() failed: {e}; waiting for clients to leave");
                shutdown.wait_timeout(Duration::from_millis(100));
                continue;
            }
            Err(e) => return Err(e).context("accept() failed"),
        };
        if shutdown.is_requested() {
            // Our own wake-up call (see common::shutdown), or a client that
            // came in the same instant: close it cleanly and stop.
            close_gently(&conn);
            break;
        }
        let Some(peer) = peer.as_socket() else {
            continue; // not an IP client: cannot happen on a TCP listener
        };
        // Threads that have finished are joined now, so the list stays as
        // short as the number of clients connected.
        reap_finished(&mut threads, &mut summary);

        if active.load(Ordering::SeqCst) >= options.max_clients {
            refuse_busy(&conn, peer, options.max_clients);
            summary.refused += 1;
            continue;
        }
        let seat = Seat::take(&active);
        log::info!(
            "{peer} connected ({} of at most {} clients)",
            active.load(Ordering::SeqCst),
            options.max_clients
        );

        // One thread per client. `move` gives the thread the socket (and its
        // seat): from here on, only that thread can use this connection.
        let thread_options = options.clone();
        let thread_shutdown = shutdown.clone();
        let thread_active = Arc::clone(&active);
        let spawned = thread::Builder::new()
            .name(format!("client {peer}"))
            .spawn(move || {
                let ending = serve_client(conn, peer, &thread_options, &thread_shutdown);
                drop(seat);
                log::info!(
                    "{peer} {ending}; {} client(s) still connected",
                    thread_active.load(Ordering::SeqCst)
                );
                ending
            });
        match spawned {
            Ok(handle) => threads.push(handle),
            // The OS refused a thread (too many already?). The closure, with
            // the socket and the seat in it, is dropped: the client is closed.
            Err(e) => log::warn!("could not start a thread for {peer}: {e}"),
        }
    }
    // ANCHOR_END: accept_loop

    // ANCHOR: stop
    // Ctrl-C has already shut down every client's socket (each thread asked
    // Shutdown::watch to do so), so their recv() calls return 0 and the
    // threads end by themselves. Clients still waiting in the listen() queue
    // would get a reset when we exit; close_queued gives them a clean close.
    let queued = common::shutdown::close_queued(listener);
    if queued > 0 {
        log::info!("closed {queued} connection(s) still waiting in the queue");
    }
    // join(): wait for every client thread, so none is cut off mid-send.
    for handle in threads {
        summary.record(handle.join().unwrap_or(Ending::Lost));
    }
    log::info!("server stopped: {summary}");
    // ANCHOR_END: stop
    Ok(summary)
}

/// Joins the threads that have finished and counts how their clients ended.
fn reap_finished(threads: &mut Vec<JoinHandle<Ending>>, summary: &mut Summary) {
    let (done, running): (Vec<_>, Vec<_>) = threads.drain(..).partition(|t| t.is_finished());
    *threads = running;
    for handle in done {
        // A thread that panicked counts as a lost client.
        summary.record(handle.join().unwrap_or(Ending::Lost));
    }
}

/// Errors of `accept()` that concern one client only, or nobody.
fn is_transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted | io::ErrorKind::Interrupted
    )
}

/// `EMFILE` / `ENFILE`: the process or the system has no file descriptor left.
fn is_out_of_files(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(23 | 24))
}

/// "1 client", "64 clients".
fn clients(n: usize) -> String {
    if n == 1 {
        "1 client".into()
    } else {
        format!("{n} clients")
    }
}

/// The line a client over `--max-clients` receives before it is closed.
pub fn busy_message(max_clients: usize) -> String {
    format!(
        "busy: the server already serves {}; try again later\n",
        clients(max_clients)
    )
}

/// The line a client that stayed silent too long receives before it is closed.
pub fn idle_message(idle_timeout: Duration) -> String {
    format!(
        "idle: nothing received for {}; closing the connection\n",
        duration::show(idle_timeout)
    )
}

/// The line a client receives when a line of its is too long. It begins
/// with a newline, because it cuts into the middle of the echoed line.
pub fn too_long_message(max_line: usize) -> String {
    format!("\nerror: a line longer than {max_line} bytes; closing the connection\n")
}

/// Tells a client over the limit that the server is busy, and closes it.
///
/// This runs on the accept loop, so it must not wait for the client: one
/// short `send()` to a fresh connection goes straight into the kernel's
/// buffer, and the write timeout covers the case where it would not.
fn refuse_busy(conn: &Socket, peer: SocketAddr, max_clients: usize) {
    // ANCHOR: busy
    log::warn!("{peer} refused: already serving {}", clients(max_clients));
    let _ = conn.set_write_timeout(Some(Duration::from_secs(1)));
    let _ = (&*conn).write_all(busy_message(max_clients).as_bytes());
    close_gently(conn);
    // ANCHOR_END: busy
}

/// `shutdown(Write)` (a FIN after what was sent), then reads and drops what
/// has already arrived, without waiting for more; the socket is closed when
/// the caller drops it.
///
/// Why read at all: closing a socket that still has unread bytes makes the
/// kernel send a *reset* instead of a FIN, and a reset can destroy the last
/// reply before the client reads it.
fn close_gently(conn: &Socket) {
    let _ = conn.shutdown(std::net::Shutdown::Write);
    let _ = conn.set_nonblocking(true);
    let mut sink = [0u8; BUFFER];
    while (&*conn).read(&mut sink).is_ok_and(|n| n > 0) {}
}

/// Sends `last_words` (if any), half-closes, and reads and drops whatever
/// the client still sends for at most [`GOODBYE_WAIT`], until it closes too.
///
/// The client may still be sending when we decide to stop (a line that was
/// too long is usually followed by more of it). If we closed at once, its
/// unread bytes would turn our close into a reset, and the client could
/// lose our last words. Reading on into a fixed buffer costs no memory;
/// the time limit stops a client that never stops sending.
fn say_goodbye(conn: &Socket, last_words: &[u8]) {
    // ANCHOR: goodbye
    if !last_words.is_empty() {
        let _ = (&*conn).write_all(last_words);
    }
    // shutdown(Write): FIN after our last byte. The client's recv() returns
    // 0 once it has read everything: "the server has closed".
    let _ = conn.shutdown(std::net::Shutdown::Write);
    let deadline = Instant::now() + GOODBYE_WAIT;
    let mut sink = [0u8; BUFFER];
    let mut dropped = 0;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || conn.set_read_timeout(Some(left)).is_err() {
            break;
        }
        match (&*conn).read(&mut sink) {
            Ok(0) => break, // the client closed too: a clean close both ways
            Ok(n) => dropped += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break, // time is up, or the connection is gone
        }
    }
    // ANCHOR_END: goodbye
    if dropped > 0 {
        log::debug!("dropped {} sent after the goodbye", bytes(dropped));
    }
}

/// True for the errors a socket timeout produces (`EAGAIN` on Unix,
/// `WSAETIMEDOUT` on Windows).
fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// One client's thread: echo what arrives, watch the lines, end the session
/// on `/end`, a line too long, silence, Ctrl-C, or the client leaving.
pub fn serve_client(
    conn: Socket,
    peer: SocketAddr,
    options: &Options,
    shutdown: &Shutdown,
) -> Ending {
    // Ctrl-C shuts this socket down (a FIN to the client, and our blocked
    // recv() returns 0), however long the client has been silent.
    let _watch = match shutdown.watch(&conn) {
        Ok(watch) => watch,
        Err(e) => {
            log::warn!("cannot serve {peer}: {e}");
            close_gently(&conn);
            return Ending::Lost;
        }
    };
    let ending = echo_lines(&conn, peer, options, shutdown);
    // Read what is left before close() (dropping `conn`), so that the close
    // is a FIN, not a reset. See close_gently.
    close_gently(&conn);
    ending
}

/// The receive loop of one client. See [`serve_client`].
fn echo_lines(conn: &Socket, peer: SocketAddr, options: &Options, shutdown: &Shutdown) -> Ending {
    // ANCHOR: idle_timeout
    // SO_RCVTIMEO and SO_SNDTIMEO: a recv() that waits longer than the idle
    // timeout fails with "would block" instead of waiting forever; so does a
    // send() to a client that never reads its echo. The tutorial's
    // settimeout(5) does the same.
    let timeouts = conn
        .set_read_timeout(Some(options.idle_timeout))
        .and_then(|()| conn.set_write_timeout(Some(options.idle_timeout)));
    if let Err(e) = timeouts {
        log::warn!("cannot set the idle timeout for {peer}: {e}");
        return Ending::Lost;
    }
    // ANCHOR_END: idle_timeout

    // Each client's thread has its own buffer, made once and never grown.
    // Together with LineWatch, that is all the memory a client costs,
    // whatever it sends.
    let mut buffer = vec![0u8; options.buffer];
    let mut lines = LineWatch::new(options.max_line);
    let mut echoed = 0usize;
    // ANCHOR: echo_loop
    loop {
        // recv(): wait for bytes from this client only. Other clients are
        // served by other threads meanwhile, so waiting here blocks nobody.
        let n = match (&*conn).read(&mut buffer) {
            Ok(0) if shutdown.is_requested() => return Ending::Stopped,
            // 0 bytes: the client closed its side. The echo is complete.
            Ok(0) => {
                log::debug!("{peer} sent end of stream after {}", bytes(echoed));
                return Ending::Left;
            }
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            // The idle timeout: nothing came for that long.
            Err(e) if is_timeout(&e) => {
                log::info!(
                    "{peer} sent nothing for {}: closing",
                    duration::show(options.idle_timeout)
                );
                say_goodbye(conn, idle_message(options.idle_timeout).as_bytes());
                return Ending::Idle;
            }
            Err(_) if shutdown.is_requested() => return Ending::Stopped,
            Err(e) => {
                log::warn!("lost {peer}: {e}");
                return Ending::Lost;
            }
        };
        let data = &buffer[..n];
        log::info!("received {} from {peer}: {}", bytes(n), show(data));

        // The echo goes out at once, line or no line: the tutorial's client
        // sends what was typed without a newline and waits for the answer.
        let verdict = lines.feed(data);
        let echo = match verdict {
            Verdict::Echo => data,
            Verdict::End(k) | Verdict::TooLong(k) => &data[..k],
        };
        // send(): write_all() repeats send() until every byte is out, like
        // Python's sendall(). The bytes go back unchanged, never decoded.
        if let Err(e) = (&*conn).write_all(echo) {
            if shutdown.is_requested() {
                return Ending::Stopped;
            }
            log::warn!("could not echo to {peer}: {e}");
            return Ending::Lost;
        }
        echoed += echo.len();

        match verdict {
            Verdict::Echo => {}
            // `/end` has been echoed: that echo is the answer. Close.
            Verdict::End(_) => {
                say_goodbye(conn, b"");
                return Ending::End;
            }
            Verdict::TooLong(_) => {
                log::warn!(
                    "{peer} sent a line longer than {}: closing",
                    bytes(options.max_line)
                );
                say_goodbye(conn, too_long_message(options.max_line).as_bytes());
                return Ending::TooLong;
            }
        }
    }
    // ANCHOR_END: echo_loop
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpStream;

    fn options() -> Options {
        Options {
            idle_timeout: Duration::from_secs(20),
            max_clients: 4,
            max_line: 16,
            buffer: BUFFER,
        }
    }

    fn start(options: Options) -> (SocketAddr, Shutdown, JoinHandle<Result<Summary>>) {
        let listener = listen("127.0.0.1:0".parse().expect("addr")).expect("listen");
        let addr = local_addr(&listener).expect("addr");
        let shutdown = Shutdown::new();
        shutdown.wake_listener(addr);
        let handle = {
            let shutdown = shutdown.clone();
            thread::spawn(move || serve(&listener, &options, &shutdown))
        };
        (addr, shutdown, handle)
    }

    fn connect(addr: SocketAddr) -> TcpStream {
        let conn = TcpStream::connect(addr).expect("connect");
        conn.set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        conn
    }

    fn round_trip(conn: &mut TcpStream, data: &[u8]) -> Vec<u8> {
        conn.write_all(data).expect("send");
        let mut back = vec![0u8; data.len()];
        conn.read_exact(&mut back).expect("echo");
        back
    }

    fn rest(conn: &mut TcpStream) -> Vec<u8> {
        let mut rest = Vec::new();
        conn.read_to_end(&mut rest).expect("a clean close");
        rest
    }

    /// Two clients are served at the same time, each on its own socket: the
    /// second is answered while the first is still connected.
    #[test]
    fn two_clients_at_once_each_get_their_own_echo() {
        let (addr, shutdown, handle) = start(options());
        let mut first = connect(addr);
        let mut second = connect(addr);
        assert_eq!(round_trip(&mut second, b"two\n"), b"two\n");
        assert_eq!(round_trip(&mut first, b"one\n"), b"one\n");
        shutdown.trigger();
        assert_eq!(rest(&mut first), b"");
        assert_eq!(rest(&mut second), b"");
        let summary = handle.join().expect("no panic").expect("clean stop");
        assert_eq!(summary.count(Ending::Stopped), 2);
    }

    /// `/end` is echoed, and then the server closes that connection.
    #[test]
    fn end_is_answered_then_closed() {
        let (addr, shutdown, handle) = start(options());
        let mut conn = connect(addr);
        conn.write_all(b"hi\n/end\nignored\n").expect("send");
        assert_eq!(rest(&mut conn), b"hi\n/end\n");
        shutdown.trigger();
        let summary = handle.join().expect("no panic").expect("clean stop");
        assert_eq!(summary.count(Ending::End), 1);
    }

    /// A line over the bound: what fits is echoed, then one error line, then
    /// the close.
    #[test]
    fn too_long_line_is_refused() {
        let (addr, shutdown, handle) = start(options());
        let mut conn = connect(addr);
        conn.write_all(&[b'x'; 40]).expect("send");
        conn.shutdown(std::net::Shutdown::Write)
            .expect("half-close");
        let mut expected = vec![b'x'; 16];
        expected.extend_from_slice(too_long_message(16).as_bytes());
        assert_eq!(rest(&mut conn), expected);
        shutdown.trigger();
        let summary = handle.join().expect("no panic").expect("clean stop");
        assert_eq!(summary.count(Ending::TooLong), 1);
    }

    /// The client over the bound is told the server is busy.
    #[test]
    fn over_the_bound_is_busy() {
        let mut small = options();
        small.max_clients = 1;
        let (addr, shutdown, handle) = start(small);
        let mut first = connect(addr);
        assert_eq!(round_trip(&mut first, b"x"), b"x");
        let mut second = connect(addr);
        assert_eq!(
            rest(&mut second),
            b"busy: the server already serves 1 client; try again later\n"
        );
        shutdown.trigger();
        let summary = handle.join().expect("no panic").expect("clean stop");
        assert_eq!(summary.refused, 1);
        assert_eq!(summary.served(), 1);
    }

    /// The summary line reads naturally.
    #[test]
    fn summary_display() {
        let mut summary = Summary::default();
        assert_eq!(summary.to_string(), "0 client(s) served, 0 refused as busy");
        summary.record(Ending::End);
        summary.record(Ending::Stopped);
        summary.record(Ending::Stopped);
        summary.refused = 1;
        assert_eq!(
            summary.to_string(),
            "3 client(s) served (1 sent /end, 2 closed by the shutdown), 1 refused as busy"
        );
    }
}
