//! # Lesson 5: `udp-echo`, datagrams
//!
//! The four lessons before this one used TCP: a *connection* carrying a
//! *stream* of bytes, with the kernel resending whatever got lost. UDP has
//! none of that. A program sends a **datagram**, one message of up to about
//! 64 KiB, to an address, and it either arrives whole, once, or it does not
//! arrive at all. There is no `listen()`, no `accept()`, no connection to
//! close, and no end of stream.
//!
//! ```text
//!   server                                  client
//!   socket(DGRAM)                           socket(DGRAM)
//!   bind(127.0.0.1:7001)                    connect(127.0.0.1:7001)   sends nothing:
//!   loop:                                                             it picks the peer
//!     recvfrom() ...waits...
//!                 <────── datagram "hi" ──  send("hi")
//!     -> "hi", from 127.0.0.1:54321         recv() ...waits, at most --timeout...
//!     sendto("hi", 127.0.0.1:54321)
//!                 ── datagram "hi" ──────>  -> "hi": it is our echo, print it
//!
//!   with --drop-every 2, every second datagram gets no answer:
//!     recvfrom() -> "yo"                    send("yo")
//!     (ignored on purpose)                  recv() ... --timeout passes ...
//!     recvfrom() -> "yo"      <───────────  send("yo") again: a retry
//!     sendto("yo")            ───────────>  -> "yo", print it
//! ```
//!
//! Run it in two terminals:
//!
//! ```text
//! cargo run -p udp-echo --bin server
//! cargo run -p udp-echo --bin client -- hello 안녕
//! ```
//!
//! | file | what it shows |
//! |---|---|
//! | [`server`] (`src/server.rs`) | socket, bind, recvfrom (with a look at the real size first), sendto; `--drop-every` |
//! | [`client`] (`src/client.rs`) | socket, connect (a filter, not a connection), send, recv with a timeout, retries, stale replies |
//! | [`duration`] (`src/duration.rs`) | `--timeout 500ms`: parsing a duration |
//! | `src/bin/*.rs` | the flags, and nothing else |

use std::time::Duration;

pub mod client;
pub mod duration;
pub mod server;

/// The lesson's name, as in `cargo run -p udp-echo`.
pub const LESSON: &str = "udp-echo";

/// The port of tutorial 002's UDP example. UDP ports are separate from TCP
/// ports: the `oneshot` lesson's 7001/tcp and this 7001/udp never clash.
pub const DEFAULT_PORT: u16 = 7001;

/// The server's receive buffer: 65,535 bytes, the largest an IP packet can
/// be, so that every datagram fits, whatever its family. (The tutorial
/// receives 200 bytes; a longer datagram is then cut, without a word.)
pub const DEFAULT_BUFFER: usize = 65_535;

/// The most bytes one UDP datagram can carry over IPv4: 65,535, less 20 bytes
/// of IPv4 header and 8 of UDP header.
pub const MAX_PAYLOAD_V4: usize = 65_507;

/// The most bytes one UDP datagram can carry over IPv6: 65,535, less the 8
/// bytes of UDP header (IPv6 counts its 40-byte header apart).
pub const MAX_PAYLOAD_V6: usize = 65_527;

/// How long the client waits for each answer, unless `--timeout` says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

/// How many times the client sends a message again after a timeout.
pub const DEFAULT_RETRIES: u32 = 3;
