//! The flags every lesson shares, so that `--help` reads the same everywhere.
//!
//! A lesson's `Args` struct embeds these with `#[command(flatten)]`. The port
//! differs from lesson to lesson, so it is a const parameter:
//! `ListenArgs<9999>` is "listen on port 9999 unless `--port` says otherwise".

use std::net::SocketAddr;

use clap::Args;

use crate::addr::{self, Host, HostNotFound};

/// Where a server listens: `--host` and `--port`.
#[derive(Args, Debug, Clone)]
pub struct ListenArgs<const PORT: u16> {
    /// The address to listen on. 127.0.0.1 (loopback) lets only this machine
    /// connect; 0.0.0.0 or :: lets other machines connect too. IPv6 (::1 or
    /// [::1]) and host names (localhost) work.
    #[arg(long, value_name = "HOST", default_value = "127.0.0.1")]
    pub host: Host,

    /// The port to listen on. 0 asks the system for any free port (the
    /// "listening on" line then shows which one).
    #[arg(short, long, value_name = "PORT", default_value_t = PORT)]
    pub port: u16,
}

impl<const PORT: u16> ListenArgs<PORT> {
    /// The socket address to `bind()` to.
    ///
    /// # Errors
    ///
    /// [`HostNotFound`] when `--host` is a name that does not resolve.
    pub fn addr(&self) -> Result<SocketAddr, HostNotFound> {
        addr::resolve(&self.host, self.port)
    }
}

/// Which server a client talks to: `--host` and `--port`.
#[derive(Args, Debug, Clone)]
pub struct ConnectArgs<const PORT: u16> {
    /// The server's address: an IPv4 or IPv6 address (::1 or [::1]) or a host
    /// name such as localhost.
    #[arg(long, value_name = "HOST", default_value = "127.0.0.1")]
    pub host: Host,

    /// The server's port.
    #[arg(short, long, value_name = "PORT", default_value_t = PORT)]
    pub port: u16,
}

impl<const PORT: u16> ConnectArgs<PORT> {
    /// The socket address to `connect()` to.
    ///
    /// # Errors
    ///
    /// [`HostNotFound`] when `--host` is a name that does not resolve.
    pub fn addr(&self) -> Result<SocketAddr, HostNotFound> {
        addr::resolve(&self.host, self.port)
    }

    /// The flags to give the server so that it listens where this client
    /// connects, for the "is the server running?" hint: empty for the defaults,
    /// else for example ` -- --port 4000`.
    pub fn server_flags(&self) -> String {
        let mut flags = String::new();
        if self.host != Host::LOOPBACK {
            flags.push_str(&format!(" --host {}", self.host));
        }
        if self.port != PORT {
            flags.push_str(&format!(" --port {}", self.port));
        }
        if flags.is_empty() {
            flags
        } else {
            format!(" --{flags}")
        }
    }
}

/// How much to log: `-v` for more, `-q` for less.
#[derive(Args, Debug, Clone, Copy, Default)]
pub struct Verbosity {
    /// Log more: -v shows debug messages, -vv everything.
    #[arg(short, long, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,

    /// Log less: -q shows only warnings and errors, -qq only errors.
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub quiet: u8,
}

impl Verbosity {
    /// The level these flags ask for, or `None` when neither was given (then
    /// `RUST_LOG` or the default, `info`, decides).
    pub fn level(&self) -> Option<log::LevelFilter> {
        use log::LevelFilter::*;
        match (self.verbose, self.quiet) {
            (0, 0) => None,
            (1, _) => Some(Debug),
            (v, _) if v >= 2 => Some(Trace),
            (_, 1) => Some(Warn),
            (_, 2) => Some(Error),
            _ => Some(Off),
        }
    }
}

/// The largest `--buffer` the lessons accept: 1 MiB is far more than any
/// lesson needs, and small enough that a typo cannot exhaust memory.
pub const MAX_BUFFER: usize = 1 << 20;

/// Parses a `--buffer` size in bytes: a whole number from 1 to [`MAX_BUFFER`].
///
/// Use it as `#[arg(long, value_parser = common::cli::buffer_size)]`.
///
/// # Errors
///
/// A message for clap to show, which then exits with code 2.
pub fn buffer_size(text: &str) -> Result<usize, String> {
    let n: usize = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of bytes"))?;
    if (1..=MAX_BUFFER).contains(&n) {
        Ok(n)
    } else {
        Err(format!("a buffer must be from 1 to {MAX_BUFFER} bytes"))
    }
}

/// Parses a count from 1 to `MAX`, such as `--max-clients`.
///
/// Use it as `#[arg(long, value_parser = common::cli::count_up_to::<10000>)]`.
///
/// ```
/// assert_eq!(common::cli::count_up_to::<64>("8"), Ok(8));
/// assert!(common::cli::count_up_to::<64>("0").is_err());
/// assert!(common::cli::count_up_to::<64>("65").is_err());
/// assert!(common::cli::count_up_to::<64>("many").is_err());
/// ```
///
/// # Errors
///
/// A message for clap to show, which then exits with code 2.
pub fn count_up_to<const MAX: usize>(text: &str) -> Result<usize, String> {
    let n: usize = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a whole number"))?;
    if (1..=MAX).contains(&n) {
        Ok(n)
    } else {
        Err(format!("must be from 1 to {MAX}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser, Debug)]
    struct Server {
        #[command(flatten)]
        listen: ListenArgs<9999>,
        #[command(flatten)]
        verbosity: Verbosity,
    }

    #[derive(Parser, Debug)]
    struct Client {
        #[command(flatten)]
        server: ConnectArgs<9999>,
    }

    fn parse<P: Parser>(args: &[&str]) -> Result<P, clap::Error> {
        P::try_parse_from(std::iter::once("test").chain(args.iter().copied()))
    }

    /// No flags: loopback and the lesson's port.
    #[test]
    fn defaults_are_loopback_and_the_lessons_port() {
        let s: Server = parse(&[]).expect("no flags is fine");
        assert_eq!(s.listen.host, Host::LOOPBACK);
        assert_eq!(s.listen.port, 9999);
        assert_eq!(s.verbosity.level(), None);
    }

    /// Port 0, IPv6 in brackets, -v and -q all parse.
    #[test]
    fn parses_every_form() {
        let s: Server = parse(&["--host", "[::1]", "--port", "0", "-vv"]).expect("valid");
        assert_eq!(s.listen.addr().expect("ip").to_string(), "[::1]:0");
        assert_eq!(s.verbosity.level(), Some(log::LevelFilter::Trace));
        let s: Server = parse(&["-p", "7", "-q"]).expect("valid");
        assert_eq!(s.listen.port, 7);
        assert_eq!(s.verbosity.level(), Some(log::LevelFilter::Warn));
    }

    /// Bad values are usage errors (exit code 2) that name the flag.
    #[test]
    fn bad_values_are_usage_errors() {
        for args in [
            &["--port", "notaport"][..],
            &["--port", "65536"],
            &["--port", "-1"],
            &["--host", "1.2.3.4.5"],
            &["-v", "-q"],
        ] {
            let err = parse::<Server>(args).expect_err("must be refused");
            assert_eq!(err.exit_code(), 2, "{args:?}");
        }
        let err = parse::<Server>(&["--port", "notaport"]).expect_err("bad port");
        assert!(err.to_string().contains("--port"), "{err}");
    }

    /// Buffer sizes are whole numbers within bounds.
    #[test]
    fn buffer_sizes() {
        assert_eq!(buffer_size("1024"), Ok(1024));
        assert!(buffer_size("0").is_err());
        assert!(buffer_size("lots").is_err());
        assert!(buffer_size("2000000").is_err());
    }

    /// The hint names only the flags that differ from the defaults.
    #[test]
    fn server_flags_repeat_what_differs() {
        let c: Client = parse(&[]).expect("defaults");
        assert_eq!(c.server.server_flags(), "");
        let c: Client = parse(&["--port", "4000"]).expect("port");
        assert_eq!(c.server.server_flags(), " -- --port 4000");
        let c: Client = parse(&["--host", "::1", "-p", "1"]).expect("both");
        assert_eq!(c.server.server_flags(), " -- --host ::1 --port 1");
    }
}
