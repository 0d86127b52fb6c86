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
//! Read it in this order:
//!
//! | step | file | what it shows |
//! |---|---|---|
//! | 1 | `examples/udp-echo-bare-server.rs`, `udp-echo-bare-client.rs` | tutorial 002's programs, call for call: socket, bind, recvfrom, sendto; a client that gives up after a timeout |
//! | 2 | [`server`] (`src/server.rs`) | the same calls in a server that stops on Ctrl-C, notices a datagram too long for its buffer, and can drop datagrams on purpose (`--drop-every`) |
//! | 3 | [`client`] (`src/client.rs`) | socket, connect (a filter, not a connection), send, recv with a timeout; one datagram per message |
//! | 4 | [`retry`] (`src/retry.rs`) | what the client does when no echo comes: wait, send again, never take a late echo as the answer, and explain why it gave up |
//! | | `src/bin/*.rs` | the flags, and nothing else |

use std::time::Duration;

pub mod client;
pub mod retry;
pub mod server;

/// The lesson's name, as in `cargo run -p udp-echo`.
pub const LESSON: &str = "udp-echo";

/// The port of tutorial 002's UDP example. UDP ports are separate from TCP
/// ports: the `oneshot` lesson's 7001/tcp and this 7001/udp never clash.
pub const DEFAULT_PORT: u16 = 7001;

/// The longest datagram the server echoes unless `--buffer` says otherwise:
/// the longest there is, so that every datagram fits, whatever its family.
/// (The tutorial receives 200 bytes; a longer datagram is then cut, without
/// a word.)
pub const DEFAULT_BUFFER: usize = MAX_PAYLOAD_V6;

/// The most bytes one UDP datagram can carry over IPv4: 65,535, less 20 bytes
/// of IPv4 header and 8 of UDP header.
pub const MAX_PAYLOAD_V4: usize = 65_507;

/// The most bytes one UDP datagram can carry over IPv6: 65,535, less the 8
/// bytes of UDP header (IPv6 counts its 40-byte header apart).
pub const MAX_PAYLOAD_V6: usize = 65_527;

/// `WSAEMSGSIZE`, Windows' "message too long": there, `recvfrom()` fails
/// with it when a datagram did not fit the buffer (the start of it is in
/// the buffer, the rest is gone), where Linux and macOS cut it silently.
pub const WSAEMSGSIZE: i32 = 10040;

/// How long the client waits for each answer, unless `--timeout` says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

/// How many times the client sends a message again after a timeout.
pub const DEFAULT_RETRIES: u32 = 3;

/// The client reads its input lines up to 1 MiB at a time: far more than one
/// datagram holds, so a line too long to send is refused with its real length.
pub const LONGEST_LINE: usize = 1 << 20;

/// The longest `--timeout` accepted: an hour. A longer one is surely a typo
/// (`1000s` meant as `1000ms`?), and it would make Ctrl-C the only way out.
///
/// ```
/// use common::duration::at_most;
/// use udp_echo::MAX_TIMEOUT;
/// assert_eq!(at_most("60m", MAX_TIMEOUT), Ok(MAX_TIMEOUT));
/// assert!(at_most("61m", MAX_TIMEOUT).is_err());
/// ```
pub const MAX_TIMEOUT: Duration = Duration::from_secs(3600);

#[cfg(test)]
mod tests {
    use super::*;
    use common::duration::at_most;

    /// The forms the help text of `--timeout` mentions parse to the
    /// duration they mean.
    #[test]
    fn parses_the_usual_forms() {
        assert_eq!(at_most("1s", MAX_TIMEOUT), Ok(Duration::from_secs(1)));
        assert_eq!(
            at_most("500ms", MAX_TIMEOUT),
            Ok(Duration::from_millis(500))
        );
        assert_eq!(
            at_most("1.5s", MAX_TIMEOUT),
            Ok(Duration::from_millis(1500))
        );
        assert_eq!(at_most("2m", MAX_TIMEOUT), Ok(Duration::from_secs(120)));
    }

    /// Zero, no unit, and more than an hour are refused.
    #[test]
    fn refuses_zero_bare_numbers_and_hours() {
        assert!(at_most("0s", MAX_TIMEOUT).is_err());
        assert!(at_most("5", MAX_TIMEOUT).is_err());
        let err = at_most("61m", MAX_TIMEOUT).expect_err("too long");
        assert!(err.contains("too long"), "{err}");
        assert_eq!(at_most("60m", MAX_TIMEOUT), Ok(MAX_TIMEOUT));
    }
}
