//! # Lesson 7: `event-loop`, one thread for many clients
//!
//! Lesson 3 gave every client a thread that waits in `recv()` for that
//! client alone. Ten thousand clients cost ten thousand threads, nearly all
//! of them asleep. This lesson serves them all from **one thread** that
//! never waits for any one client: every socket is *non-blocking*, and the
//! thread asks the kernel one question, "which of my sockets can I use right
//! now?" (`epoll` on Linux, `kqueue` on macOS), through the `mio` crate.
//! That is the **readiness loop**, and it is what tokio runs underneath.
//!
//! ```text
//!   one thread
//!   socket, SO_REUSEADDR, bind, listen, O_NONBLOCK
//!   register(listener, LISTENER, READABLE)
//!   loop:
//!     poll(events, next deadline) ...... sleeps until a socket is ready
//!     for each event:
//!       LISTENER  accept() until WouldBlock; register each new client
//!       WAKER     Ctrl-C: shutdown(Write) on every client, stop soon
//!       client    write what it is owed, until WouldBlock
//!                 read until WouldBlock; then echo into the kernel what
//!                 it takes, keep the rest (at most PENDING_MAX bytes)
//!     close the clients whose deadline has passed (idle, or goodbye over)
//! ```
//!
//! The protocol is lesson 3's, byte for byte (`/end`, the 64 KiB line bound,
//! the idle and busy messages), so lesson 3's client and tutorial 000's
//! Python client work against this server unchanged. The code is lesson 3's
//! too ([`answer`]). One difference: after its last words, lesson 3's thread
//! waits 2 s for the client's FIN; here the client gets the idle timeout.
//!
//! ```text
//! cargo run -p event-loop --bin server
//! cargo run -p event-loop --bin client                  (in two or more terminals)
//! cargo run -p event-loop --bin client -- --connections 1000 --messages 10
//! ```
//!
//! Read it in this order:
//!
//! | step | file | what it shows |
//! |---|---|---|
//! | 1 | `examples/event-loop-bare-server.rs`, `…-bare-client.rs` | the smallest readiness loop that echoes: a non-blocking listener, `poll()`, accept and recv until `WouldBlock`; and a plain blocking client |
//! | 2 | [`server`] (`src/server.rs`) | the listening socket, the readiness loop, dispatch by token, accept until `WouldBlock`, timers, Ctrl-C through a `Waker` |
//! | 3 | [`connection`] (`src/connection.rs`) | one client: read until `WouldBlock`, partial writes, backpressure, goodbye |
//! | 4 | [`client`] (`src/client.rs`) | the interactive client, and many connections from one thread (`--connections`) |
//! | – | `src/lib.rs` (this file) | the constants, lesson 3's protocol ([`answer`], re-exported), turning away a client over `--max-clients` ([`refuse_busy`]), the open-file limit ([`raise_open_file_limit`]) |
//! | – | `src/bin/*.rs` | the flags, and nothing else |
//!
//! # Ctrl-C, through a `Waker`
//!
//! Ctrl-C (SIGINT) and SIGTERM (what `kill` sends) are *signals*: the
//! kernel interrupts the process to tell it something. The lessons before
//! this one stop with `common::Shutdown`, which is made for threads that
//! block in `accept()` or `recv()`: on Ctrl-C it connects to the server's
//! own port to wake `accept()`, and shuts watched connections down from
//! the signal handler's thread. Here no thread ever blocks in a socket
//! call, and one thread owns every socket. So the server installs the
//! handler itself, with the `ctrlc` crate (which `common::Shutdown` uses
//! underneath), and the handler does one thing: `Waker::wake()`. `poll()`
//! then returns an event with the token `WAKER`, and the loop sends each
//! client its FIN itself ([`connection::Clients::stop_all`]).
//!
//! # What `mio::net` does for you
//!
//! The server makes its listening socket with socket2, call by call, so you
//! see each one. `mio::net::TcpListener::bind` does the same calls in one:
//! `socket()`, `SO_REUSEADDR` (on Unix), `bind()`, `listen()`, and it makes
//! the socket non-blocking, which is the step this lesson is about.
//!
//! ```
//! # fn main() -> std::io::Result<()> {
//! let listener = mio::net::TcpListener::bind("127.0.0.1:0".parse().expect("an address"))?;
//! // Nobody has connected: a non-blocking accept() says so at once,
//! // where a blocking one would wait for a client.
//! let nobody = listener.accept().map(|_| ()).unwrap_err();
//! assert_eq!(nobody.kind(), std::io::ErrorKind::WouldBlock);
//! # Ok(()) }
//! ```

pub mod client;
pub mod connection;
pub mod server;

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::time::{Duration, Instant};

use common::text::plural;
use mio::net::TcpStream;
/// Lesson 3's protocol and its messages, shared as they are: [`answer`] says
/// what to echo for the bytes of one read, and how the session ends.
pub use threaded_echo::lines::{answer, busy_message, idle_message, too_long_message};

/// The lesson's name, as in `cargo run -p event-loop`.
pub const LESSON: &str = "event-loop";

/// The port: lesson 3's (tutorial 000's 3333) plus one, so both servers can
/// run side by side.
pub const DEFAULT_PORT: u16 = 3334;

/// How long a client may stay silent before it is closed: 5 minutes, as in
/// lesson 3.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// The same, as `--help` shows it.
pub const DEFAULT_IDLE_TIMEOUT_TEXT: &str = "5m";

/// How many clients are served at once unless `--max-clients` says
/// otherwise. Lesson 3 stopped at 64 because each client cost a thread;
/// here an idle client costs a few hundred bytes and a file descriptor.
pub const DEFAULT_MAX_CLIENTS: usize = 10_000;

/// The most `--max-clients` accepts. The open-file limit is the real bound
/// (see [`raise_open_file_limit`]).
pub const MAX_MAX_CLIENTS: usize = 1_000_000;

/// Bytes per `recv()` unless `--buffer` says otherwise. There is **one**
/// read buffer for all clients, so it can be large: an idle client holds
/// none of it.
pub const BUFFER: usize = 64 * 1024;

/// The most echo bytes kept for a client that does not read them (plus a
/// goodbye line). 10,000 such clients would cost 160 MB; an idle one costs
/// none. While a client's are full, the server stops reading from it.
pub const PENDING_MAX: usize = 16 * 1024;

/// What the poll should watch a client for, with `pending` echo bytes
/// waiting: WRITABLE only while echo waits. Backpressure: with `pending`
/// full, no READABLE; the client's bytes wait in the kernel, then its
/// `send()` blocks.
pub fn interest(pending: usize) -> mio::Interest {
    // ANCHOR: interest
    match pending {
        0 => mio::Interest::READABLE,
        n if n < PENDING_MAX => mio::Interest::READABLE | mio::Interest::WRITABLE,
        _ => mio::Interest::WRITABLE, // backpressure: no more reading
    }
    // ANCHOR_END: interest
}

/// The clients' deadlines, soonest first: one thread keeps a timer for
/// every client in one heap. A `BinaryHeap` pops the largest first;
/// `Reverse` turns the order round, so the soonest deadline comes out first.
#[derive(Default)]
pub struct Timers(BinaryHeap<Reverse<(Instant, mio::Token)>>);

impl Timers {
    /// Wake `token` at `when`.
    pub fn push(&mut self, when: Instant, token: mio::Token) {
        self.0.push(Reverse((when, token)));
    }

    /// The soonest deadline, if any.
    pub fn next(&self) -> Option<Instant> {
        self.0.peek().map(|&Reverse((when, _))| when)
    }

    /// The token of the soonest deadline, taken out, if it is `now` or earlier.
    pub fn pop_due(&mut self, now: Instant) -> Option<mio::Token> {
        let &Reverse((when, token)) = self.0.peek()?;
        if when > now {
            return None; // the soonest deadline is still to come
        }
        self.0.pop();
        Some(token)
    }
}

/// The `listen()` queue of the server: room for a burst of clients between
/// two turns of its loop.
pub const BACKLOG: i32 = 1024;

/// The first client's token. Tokens 0 and 1 name the listener and the
/// `Waker` (`src/server.rs`); each client after gets the next number.
pub const FIRST_CLIENT: mio::Token = mio::Token(2);

/// After Ctrl-C, how long the server's clients get to answer its FIN with
/// theirs before it closes what is left.
pub const STOP_GRACE: Duration = Duration::from_millis(300);

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Close a connection that has sent nothing for this long (`--idle-timeout`).
    pub idle_timeout: Duration,
    /// Serve at most this many clients at once (`--max-clients`).
    pub max_clients: usize,
    /// Refuse a line longer than this many bytes
    /// ([`threaded_echo::lines::MAX_LINE`]).
    pub max_line: usize,
    /// Bytes per `recv()` (`--buffer`, default [`BUFFER`]).
    pub buffer: usize,
}

/// One client over `--max-clients`: it is turned away with the busy line,
/// without waiting for it. A fresh connection's send buffer is empty, so
/// the one short `send()` fits. (`mut socket`: `write` and `read` need
/// `&mut` of the reference `&TcpStream`; the oneshot lesson's bare server
/// explains reading through a reference.)
pub fn refuse_busy(mut socket: &TcpStream, peer: SocketAddr, max: usize) {
    log::warn!(
        "{peer} turned away: already serving {}",
        plural(max, "client")
    );
    let _ = socket.write(busy_message(max).as_bytes());
    // shutdown(Write) sends a FIN after the busy line. Then read what the
    // client sent: close() with unread bytes would send a reset instead.
    let _ = socket.shutdown(Shutdown::Write);
    let _ = socket.read(&mut [0u8; 1024]);
}

/// Raises this process's open-file limit (`RLIMIT_NOFILE`) from its soft
/// value to the hard one, and logs both. Returns the limit now in force.
///
/// Every socket is a file descriptor. Shells start programs with a soft
/// limit that is often 1024, far below what the system allows (the hard
/// limit, which only root can raise). A process may raise its own soft
/// limit up to the hard limit, so a server meant for 10,000 clients does
/// it first thing. Wraps `getrlimit(2)` and `setrlimit(2)`.
#[cfg(unix)]
pub fn raise_open_file_limit() -> Option<u64> {
    // ANCHOR: limit
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let (soft, hard) = match getrlimit(Resource::RLIMIT_NOFILE) {
        Ok(limits) => limits,
        Err(e) => {
            log::warn!("could not read the open-file limit: {e}");
            return None;
        }
    };
    if soft >= hard {
        log::info!("open-file limit: {soft} (already the hard limit)");
        return Some(soft);
    }
    match setrlimit(Resource::RLIMIT_NOFILE, hard, hard) {
        Ok(()) => {
            log::info!("open-file limit raised from {soft} to {hard} (the hard limit)");
            Some(hard)
        }
        // macOS reports an unlimited hard limit but refuses it: keep the soft one.
        Err(e) => {
            log::warn!("open-file limit stays {soft}: raising it to {hard} failed: {e}");
            Some(soft)
        }
    }
    // ANCHOR_END: limit
}

/// Elsewhere there is no `RLIMIT_NOFILE` to raise.
#[cfg(not(unix))]
pub fn raise_open_file_limit() -> Option<u64> {
    None
}
