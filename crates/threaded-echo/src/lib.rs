//! # Lesson 3: `threaded-echo`, one thread per client
//!
//! Lesson 2's server served one client at a time: a second client waited in
//! the `listen()` queue until the first one left. Here the accept loop only
//! accepts; every client gets a thread of its own, and that thread owns the
//! client's socket. A silent client blocks its own thread and nobody else.
//!
//! ```text
//!   main thread                      client threads
//!   socket, SO_REUSEADDR, bind, listen
//!   loop:
//!     accept() <──── client A
//!     spawn ───────────────────────> thread A: loop { recv, send } on A's socket
//!     accept() <──── client B
//!     spawn ───────────────────────> thread B: loop { recv, send } on B's socket
//!     accept() <──── client C (one over --max-clients): "busy", close
//!   Ctrl-C: shutdown(Write), a FIN to A and B; A and B close in reply
//!           (or 300 ms pass and the server shuts their sockets down), so
//!           the threads' recv() returns 0 and they end; join A, join B, exit 0
//! ```
//!
//! ## What to read, in order
//!
//! | file | what it shows |
//! |---|---|
//! | `examples/threaded-echo-bare-server.rs` | Step 1: tutorial 000's server, call for call, its bugs fixed |
//! | `examples/threaded-echo-bare-client.rs` | Step 1: tutorial 000's client, the same way |
//! | [`server`] (`src/server.rs`) | Step 2: the bare server plus an idle timeout, bounds on lines and clients, a clean Ctrl-C |
//! | [`lines`] (`src/lines.rs`) | the line protocol: spotting `/end` and too long a line in a byte stream, with bounded memory; what the server says |
//! | [`client`] (`src/client.rs`) | prompt, send a line, wait for its echo; a receive thread for what comes between turns |
//! | `src/bin/*.rs` | the flags, and nothing else |
//!
//! ```text
//! cargo run -p threaded-echo --bin server
//! cargo run -p threaded-echo --bin client        (in two or more terminals)
//! ```
//!
//! ## What `std::net` does for you
//!
//! The lessons spell out every socket call with `socket2`, because seeing
//! them is the point. Rust's standard library folds them together:
//! `TcpListener::bind` is `socket()` + `SO_REUSEADDR` (on Unix) + `bind()` +
//! `listen()`, and `TcpStream::connect` is `socket()` + `connect()`; `read`
//! and `write_all` are `recv()` and `send()`, and dropping a stream is
//! `close()`. `tests/std_net.rs` runs one echo through them.

pub mod client;
pub mod lines;
pub mod server;

use std::time::Duration;

/// The lesson's name, as in `cargo run -p threaded-echo`.
pub const LESSON: &str = "threaded-echo";

/// The port of tutorial 000's server.
pub const DEFAULT_PORT: u16 = 3333;

/// How long a client may stay silent before the server closes it, as
/// `--idle-timeout` reads it: five minutes.
///
/// The tutorial used 5 seconds, which cuts a student off while they are
/// still thinking about what to type. Five minutes is long enough for a
/// person and still frees the thread of a client forgotten in a terminal.
pub const DEFAULT_IDLE_TIMEOUT: &str = "5m";

/// How many clients are served at once unless `--max-clients` says otherwise.
/// Each costs a thread and two file descriptors (the numbers by which a
/// process knows its open files and sockets): its socket, and the duplicate
/// that `Shutdown::watch` keeps so that Ctrl-C can reach it. 64 is plenty
/// for a classroom and far below the limits of any machine.
pub const DEFAULT_MAX_CLIENTS: usize = 64;

/// The most `--max-clients` accepts. Above it, threads and file descriptors
/// run out before anything interesting happens.
pub const MAX_MAX_CLIENTS: usize = 10_000;

/// How many connected clients the kernel may queue between two `accept()`
/// calls. The accept loop only hands sockets to threads, so it is back in
/// `accept()` quickly; the queue absorbs a burst of clients connecting at the
/// same moment (the tests connect 50 at once). It is not a limit on clients:
/// that is `--max-clients`.
pub const BACKLOG: i32 = 128;

/// Bytes per `recv()` unless `--buffer` says otherwise, as in the tutorial.
/// The echo does not depend on it: a longer message simply takes more reads.
pub const BUFFER: usize = 1024;

/// After the server has said its last words (`/end`, idle, a line too long),
/// how long it goes on reading, and dropping, what the client still sends,
/// so that its close is a FIN and not a reset (see `common::shutdown::goodbye`).
pub const GOODBYE_WAIT: Duration = Duration::from_secs(2);

/// The client's prompt before each line, on standard error (the tutorial's
/// `input('msg:')`).
pub const PROMPT: &str = "msg: ";

/// The longest piece of input the client sends at once: a longer line goes out in
/// pieces, each echoed before the next, so the client's memory stays bounded.
pub const MAX_PIECE: usize = 16 * 1024;

/// After `/end` or the end of input, how long the client waits for the server to
/// close before closing anyway. Ours closes at once; another may not.
pub const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// How the server runs: the flags of `src/bin/server.rs`.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Close a client that has sent nothing for this long (`--idle-timeout`).
    pub idle_timeout: Duration,
    /// Serve at most this many clients at once (`--max-clients`).
    pub max_clients: usize,
    /// Refuse a line longer than this many bytes ([`lines::MAX_LINE`]).
    pub max_line: usize,
    /// Bytes per `recv()` (`--buffer`, default [`BUFFER`]).
    pub buffer: usize,
}
