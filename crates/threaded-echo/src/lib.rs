//! # Lesson 3: `threaded-echo`, one thread per client
//!
//! Lesson 2's server served one client at a time: a second client waited in
//! the `listen()` queue until the first one left. Here the accept loop only
//! accepts; every client gets a thread of its own, and that thread owns the
//! client's socket. A silent client blocks its own thread and nobody else.
//!
//! ```text
//!   main thread                      client threads
//!   socket, SO_REUSEADDR,
//!   bind, listen
//!   loop:
//!     accept() <──── client A
//!     spawn ───────────────────────> thread A: loop { recv, send } ── A's socket
//!     accept() <──── client B
//!     spawn ───────────────────────> thread B: loop { recv, send } ── B's socket
//!     accept() <──── client C (over --max-clients)
//!     send "busy", close
//!     ...
//!   Ctrl-C: shutdown() on A, B ──> recv() -> 0, close, end
//!           join A, join B, log a summary, exit 0
//! ```
//!
//! Each client thread echoes what arrives straight away and follows the
//! lines only to spot `/end` (answered, then that client is closed) and to
//! refuse a line longer than [`lines::MAX_LINE`]. A client that sends
//! nothing for `--idle-timeout` is told so and closed.
//!
//! ```text
//! cargo run -p threaded-echo --bin server
//! cargo run -p threaded-echo --bin client        (in two or more terminals)
//! ```
//!
//! | file | what it shows |
//! |---|---|
//! | [`server`] (`src/server.rs`) | the accept loop, a thread per client, the seat count, idle timeout, closing cleanly |
//! | [`lines`] (`src/lines.rs`) | following lines in a byte stream with bounded memory, spotting `/end` |
//! | [`client`] (`src/client.rs`) | prompt, send a line, wait for its echo; a receive thread for what comes between turns |
//! | `src/bin/*.rs` | the flags, and nothing else |

pub mod client;
pub mod lines;
pub mod server;

use std::time::Duration;

/// The lesson's name, as in `cargo run -p threaded-echo`.
pub const LESSON: &str = "threaded-echo";

/// The port of tutorial 000's server.
pub const DEFAULT_PORT: u16 = 3333;

/// How long a client may stay silent before the server closes it: 5 minutes.
///
/// The tutorial used 5 seconds, which cuts a student off while they are
/// still thinking about what to type. Five minutes is long enough for a
/// person and still frees the thread of a client someone forgot in a
/// terminal.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// The same, as `--help` shows it.
pub const DEFAULT_IDLE_TIMEOUT_TEXT: &str = "5m";

/// How many clients are served at once unless `--max-clients` says otherwise.
/// Each costs a thread and two file descriptors; 64 is plenty for a
/// classroom and far below the limits of any machine.
pub const DEFAULT_MAX_CLIENTS: usize = 64;

/// The most `--max-clients` accepts. Above it, threads and file descriptors
/// run out before anything interesting happens.
pub const MAX_MAX_CLIENTS: usize = 10_000;
