//! Counting what went wrong: every failure has a kind, a count, and the first
//! example of each kind is kept word for word for the report.
//!
//! A load generator that drops its errors, or folds them into a lower total,
//! flatters the server. Here nothing is dropped: each failed connect, timeout,
//! reset, short or wrong reply is counted, and the run exits with status 1
//! when any was.

use std::fmt;
use std::io;

/// What went wrong in one attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// `connect()` was refused: nothing listens there (or, for UDP, the
    /// kernel answered "port unreachable").
    ConnectRefused,
    /// `connect()` did not finish within `--timeout`: often a full `listen()`
    /// queue, whose kernel drops new handshakes until there is room.
    ConnectTimeout,
    /// `connect()` failed in another way.
    ConnectError,
    /// No complete reply within `--timeout` (for UDP: a lost datagram).
    Timeout,
    /// The connection was reset, or closed under our feet while sending.
    Reset,
    /// The server closed before the whole reply came, or a datagram came back
    /// shorter than it went.
    Short,
    /// The reply has the right length but the wrong bytes.
    Wrong,
    /// More bytes came back than were sent.
    Extra,
    /// Any other error from the system.
    Io,
}

impl Failure {
    /// Every kind, in report order.
    pub const ALL: [Failure; 9] = [
        Failure::ConnectRefused,
        Failure::ConnectTimeout,
        Failure::ConnectError,
        Failure::Timeout,
        Failure::Reset,
        Failure::Short,
        Failure::Wrong,
        Failure::Extra,
        Failure::Io,
    ];

    fn index(self) -> usize {
        self as usize
    }

    /// The name in the machine-readable line: `err_timeout=3`.
    pub fn key(self) -> &'static str {
        match self {
            Failure::ConnectRefused => "connect_refused",
            Failure::ConnectTimeout => "connect_timeout",
            Failure::ConnectError => "connect_error",
            Failure::Timeout => "timeout",
            Failure::Reset => "reset",
            Failure::Short => "short",
            Failure::Wrong => "wrong",
            Failure::Extra => "extra",
            Failure::Io => "io_error",
        }
    }

    /// The kind of a failed `connect()`.
    pub fn of_connect(e: &io::Error) -> Failure {
        match e.kind() {
            io::ErrorKind::ConnectionRefused => Failure::ConnectRefused,
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => Failure::ConnectTimeout,
            _ => Failure::ConnectError,
        }
    }

    /// The kind of a failed `send()` or `recv()`. A timeout set with
    /// `SO_RCVTIMEO` shows up as `WouldBlock` on Unix and `TimedOut` on
    /// Windows; both mean "no reply in time".
    pub fn of_io(e: &io::Error) -> Failure {
        match e.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Failure::Timeout,
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe => Failure::Reset,
            io::ErrorKind::ConnectionRefused => Failure::ConnectRefused,
            _ => Failure::Io,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Failure::ConnectRefused => "connection refused",
            Failure::ConnectTimeout => "connect timed out",
            Failure::ConnectError => "connect failed",
            Failure::Timeout => "no reply in time",
            Failure::Reset => "connection reset",
            Failure::Short => "short reply",
            Failure::Wrong => "wrong bytes",
            Failure::Extra => "extra bytes",
            Failure::Io => "other error",
        })
    }
}

/// Failures counted by kind, with the first example of each.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    counts: [u64; Failure::ALL.len()],
    first: [Option<String>; Failure::ALL.len()],
}

impl Tally {
    /// Counts one failure. `detail` is called only for the first of its kind,
    /// so a flood of errors costs no formatting.
    pub fn record(&mut self, failure: Failure, detail: impl FnOnce() -> String) {
        let i = failure.index();
        self.counts[i] += 1;
        if self.first[i].is_none() {
            self.first[i] = Some(detail());
        }
    }

    /// How many failures of this kind.
    pub fn count(&self, failure: Failure) -> u64 {
        self.counts[failure.index()]
    }

    /// How many failures of any kind.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Adds another tally; the examples already here are kept.
    pub fn merge(&mut self, other: &Tally) {
        for kind in Failure::ALL {
            let i = kind.index();
            self.counts[i] += other.counts[i];
            if self.first[i].is_none() {
                self.first[i].clone_from(&other.first[i]);
            }
        }
    }

    /// The kinds that happened, with their count and first example.
    pub fn kinds(&self) -> impl Iterator<Item = (Failure, u64, &str)> {
        Failure::ALL.into_iter().filter_map(|kind| {
            let i = kind.index();
            (self.counts[i] > 0)
                .then(|| (kind, self.counts[i], self.first[i].as_deref().unwrap_or("")))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts add up, the first example of a kind is kept, and later details
    /// are not even formatted.
    #[test]
    fn counts_and_first_examples() {
        let mut t = Tally::default();
        t.record(Failure::Timeout, || "first".into());
        t.record(Failure::Timeout, || panic!("not formatted again"));
        t.record(Failure::Wrong, || "flip".into());
        assert_eq!(t.count(Failure::Timeout), 2);
        assert_eq!(t.total(), 3);
        let mut other = Tally::default();
        other.record(Failure::Timeout, || "second".into());
        other.record(Failure::Reset, || "reset".into());
        t.merge(&other);
        let kinds: Vec<(Failure, u64, &str)> = t.kinds().collect();
        assert_eq!(
            kinds,
            vec![
                (Failure::Timeout, 3, "first"),
                (Failure::Reset, 1, "reset"),
                (Failure::Wrong, 1, "flip")
            ]
        );
    }

    /// System errors map to the kinds a student can act on.
    #[test]
    fn io_errors_are_classified() {
        let e = |k| io::Error::from(k);
        assert_eq!(
            Failure::of_connect(&e(io::ErrorKind::ConnectionRefused)),
            Failure::ConnectRefused
        );
        assert_eq!(
            Failure::of_connect(&e(io::ErrorKind::TimedOut)),
            Failure::ConnectTimeout
        );
        assert_eq!(
            Failure::of_io(&e(io::ErrorKind::WouldBlock)),
            Failure::Timeout
        );
        assert_eq!(
            Failure::of_io(&e(io::ErrorKind::ConnectionReset)),
            Failure::Reset
        );
        assert_eq!(
            Failure::of_io(&e(io::ErrorKind::BrokenPipe)),
            Failure::Reset
        );
        assert_eq!(Failure::of_io(&e(io::ErrorKind::Other)), Failure::Io);
    }
}
