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
//!   try_clone, spawn receiving thread           try_clone, spawn receiving thread
//!
//!   main thread    receiving thread             main thread    receiving thread
//!   send(hello) ─────────────────────────────────────────────> recv(), print
//!   pause          recv(), log <────────────────── send(hello)
//!   send(hello) ─────────────────────────────────────────────> recv(), print
//!       ...        recv(), log <────────────────── send(hello)
//!                                                  (--count N reached)
//!                  recv() -> 0 <──────FIN───────── shutdown(Write)
//!   pause ends     (thread ends)                   wait for the server
//!   shutdown(Both) ────────────────FIN───────────────────────> recv() -> 0
//!   join, close()                                  join, close, exit 0
//!   (back to accept)
//! ```
//!
//! The hard part is not the sending or the receiving: it is stopping. When
//! one side leaves, the other side's receiving thread finds out first (its
//! `recv()` returns 0), and its sending loop must stop too, at once and not a
//! whole interval later. Ctrl-C must end both threads within a second.
//!
//! ```text
//! cargo run -p periodic-hello --bin server
//! cargo run -p periodic-hello --bin client
//! ```
//!
//! Read in this order:
//!
//! | file | what it shows |
//! |---|---|
//! | `examples/periodic-hello-bare-server.rs`, `...-bare-client.rs` | first: tutorial 001's two programs, call for call, in under 50 lines of code each |
//! | [`server`] (`src/server.rs`) | socket, bind, listen, accept; one client at a time, back to accepting when it leaves |
//! | [`duplex`] (`src/duplex.rs`) | the receiving thread and the sending loop, and how the loop learns at once that the thread has ended |
//! | [`client`] (`src/client.rs`) | socket, connect; `--count`, the half-close, waiting for the server to close |
//! | `src/bin/*.rs` | the flags, and nothing else |
//! | `tests/std_net.rs` | what `std::net` does for you: the same calls, fewer lines |

use std::time::Duration;

pub mod client;
pub mod duplex;
pub mod server;

/// The lesson's name, as in `cargo run -p periodic-hello`.
pub const LESSON: &str = "periodic-hello";

/// The port of tutorial 001's TCP example.
pub const DEFAULT_PORT: u16 = 12345;

/// The default `--interval`: tutorial 001 sleeps one second between hellos.
pub const DEFAULT_INTERVAL: &str = "1s";

/// The longest `--interval` accepted: a day. Anything longer is surely a typo.
pub const MAX_INTERVAL: Duration = Duration::from_secs(24 * 60 * 60);

/// What the server sends, as in the tutorial. The newline ends the message:
/// it is how a reader of the byte stream can tell one hello from the next.
pub const SERVER_HELLO: &[u8] = b"hello client\n";

/// What the client sends, as in the tutorial.
pub const CLIENT_HELLO: &[u8] = b"hello server\n";

/// Bytes per `recv()`, as in the tutorial. A hello is 13 bytes; several may
/// arrive in one piece when the receiver falls behind.
pub const RECV_BUFFER: usize = 1024;

/// Parses `--interval`: a duration with a unit (`1s`, `250ms`, `1.5s`, `2m`),
/// from 1 ms to [`MAX_INTERVAL`]. Zero is refused: it would mean "send
/// without pausing".
///
/// Use it as `#[arg(long, value_parser = periodic_hello::parse_interval)]`;
/// clap then reports a bad value as a usage error, exit code 2.
///
/// ```
/// use std::time::Duration;
/// use periodic_hello::parse_interval;
/// assert_eq!(parse_interval("250ms"), Ok(Duration::from_millis(250)));
/// assert!(parse_interval("0s").is_err());
/// assert!(parse_interval("25h").is_err());
/// ```
///
/// # Errors
///
/// A one-line message for clap to show.
pub fn parse_interval(text: &str) -> Result<Duration, String> {
    if common::duration::parse(text)?.is_zero() {
        return Err("the interval must be more than zero (zero would send without pausing)".into());
    }
    common::duration::at_most(text, MAX_INTERVAL)
}

/// Parses `--count`: a whole number of messages, at least 1.
///
/// # Errors
///
/// A one-line message for clap, which then exits with code 2.
pub fn parse_count(text: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(0) => Err("the count must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(_) => Err("not a whole number of messages".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The documented forms parse; zero, too short and too long are refused.
    #[test]
    fn interval_bounds() {
        assert_eq!(parse_interval("1s"), Ok(Duration::from_secs(1)));
        assert_eq!(parse_interval("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_interval("24h"), Ok(MAX_INTERVAL));
        assert!(
            parse_interval("0s")
                .expect_err("zero")
                .contains("more than zero")
        );
        assert!(
            parse_interval("0.5ms")
                .expect_err("short")
                .contains("at least 1ms")
        );
        assert!(
            parse_interval("25h")
                .expect_err("long")
                .contains("at most 24h")
        );
        assert!(parse_interval("1").is_err());
    }

    /// Counts are whole numbers from 1.
    #[test]
    fn counts() {
        assert_eq!(parse_count("5"), Ok(5));
        assert!(parse_count("0").is_err());
        assert!(parse_count("-1").is_err());
        assert!(parse_count("many").is_err());
    }
}
