//! # Lesson 4: `periodic-hello`, sending and receiving at the same time
//!
//! The earlier lessons took turns: send, then receive, then send. A TCP
//! connection does not need that. It carries two independent streams, one
//! each way, so both sides can talk at once: *full duplex*. Here each side
//! runs two threads on one socket. The main thread sends a hello every
//! `--interval`; a receiving thread logs whatever the other side sends.
//!
//! ```text
//!   server                                      client
//!   socket, SO_REUSEADDR, bind, listen
//!   accept() ...waits...      <──────────────   socket, connect()
//!   spawn receiving thread                      spawn receiving thread
//!
//!   main thread    receiving thread             main thread    receiving thread
//!   send(hello) ─────────────────────────────────────────────> recv(), print
//!   wait interval  recv(), log <────────────────── send(hello)
//!   send(hello) ─────────────────────────────────────────────> recv(), print
//!       ...        recv(), log <────────────────── send(hello)
//!                                                  (--count N reached)
//!                  recv() -> 0 <──────FIN───────── shutdown(Write)
//!   wakes: peer gone  (thread ends)                wait for the server
//!   shutdown, join                                 ...
//!   close()    ──────────────────────FIN─────────────────────> recv() -> 0
//!   (back to accept)                               join, close, exit 0
//! ```
//!
//! The hard part is not the sending or the receiving: it is stopping. When
//! one side leaves, the other side's receiving thread finds out first (its
//! `recv()` returns 0) and its sending loop must stop too, at once and not a
//! whole interval later. Ctrl-C must end both threads within a second.
//!
//! ```text
//! cargo run -p periodic-hello --bin server
//! cargo run -p periodic-hello --bin client
//! ```
//!
//! | file | what it shows |
//! |---|---|
//! | [`duplex`] (`src/duplex.rs`) | the receiving thread and the sending loop, and how the loop learns that the thread has ended |
//! | [`server`] (`src/server.rs`) | socket, bind, listen, accept; one client at a time, back to accepting when it leaves |
//! | [`client`] (`src/client.rs`) | socket, connect; `--count`, the half-close, waiting for the server to close |
//! | [`duration`] (`src/duration.rs`) | reading `--interval` values such as `1s`, `250ms`, `1.5s` |
//! | `src/bin/*.rs` | the flags, and nothing else |

pub mod client;
pub mod duplex;
pub mod duration;
pub mod server;

/// The lesson's name, as in `cargo run -p periodic-hello`.
pub const LESSON: &str = "periodic-hello";

/// The port of tutorial 001's TCP example.
pub const DEFAULT_PORT: u16 = 12345;

/// The default `--interval`: tutorial 001 sleeps one second between hellos.
pub const DEFAULT_INTERVAL: &str = "1s";

/// What the server sends, as in the tutorial. The newline ends the message:
/// it is how a reader of the byte stream can tell one hello from the next.
pub const SERVER_HELLO: &[u8] = b"hello client\n";

/// What the client sends, as in the tutorial.
pub const CLIENT_HELLO: &[u8] = b"hello server\n";

/// Bytes per `recv()`, as in the tutorial. A hello is 13 bytes; several may
/// arrive in one piece when the receiver falls behind.
pub const RECV_BUFFER: usize = 1024;
