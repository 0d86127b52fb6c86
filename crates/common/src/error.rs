//! How a lesson ends: `error:` and `hint:` lines, and the exit code.
//!
//! The lessons return `anyhow::Result` with context that names the address
//! (`could not connect to 127.0.0.1:9999`). [`report`] turns that into what a
//! student sees:
//!
//! ```text
//! error: could not connect to 127.0.0.1:9999: Connection refused (os error 111)
//! hint: is the server running? Start it first, in another terminal: cargo run -p echo-loop --bin server
//! ```
//!
//! Exit codes are chosen, as command-line tools do: 0 for success, 1 for a
//! failure at run time (the network said no), 2 for bad usage (a flag that
//! makes no sense). clap already exits with 2 for flags it cannot parse.

use std::fmt;
use std::io;
use std::process::ExitCode;

use crate::addr::HostNotFound;

/// Exit code for a failure at run time.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code for bad usage: a flag or value that makes no sense.
pub const EXIT_USAGE: u8 = 2;

/// A usage mistake found after the flags were parsed (for example a duration
/// of zero). [`report`] exits with code 2 for it.
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// A hint chosen by the lesson itself, attached as context:
/// `.context(Hint("...".into()))`. It wins over the hints [`report`] picks.
#[derive(Debug)]
pub struct Hint(pub String);

impl fmt::Display for Hint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What [`report`] needs to know to write good hints.
#[derive(Debug, Clone, Default)]
pub struct Hints {
    /// The lesson, as in `cargo run -p LESSON`.
    pub lesson: &'static str,
    /// Flags that start the server where a client connects, such as
    /// ` -- --port 4000` (see [`crate::ConnectArgs::server_flags`]). `None`
    /// for a server.
    pub server_flags: Option<String>,
}

impl Hints {
    /// Hints for a server of `lesson`.
    pub fn server(lesson: &'static str) -> Hints {
        Hints {
            lesson,
            server_flags: None,
        }
    }

    /// Hints for a client of `lesson` whose server is started with `server_flags`.
    pub fn client(lesson: &'static str, server_flags: String) -> Hints {
        Hints {
            lesson,
            server_flags: Some(server_flags),
        }
    }

    fn start_server(&self) -> String {
        format!(
            "cargo run -p {} --bin server{}",
            self.lesson,
            self.server_flags.as_deref().unwrap_or("")
        )
    }
}

/// The hint when the program reading our standard output went away.
pub const STDOUT_CLOSED: &str = "the program reading this one's output stopped reading \
     (`head`, say): the connection itself was fine";

/// The first `io::Error` in the chain of causes, where the OS said why.
fn io_error(err: &anyhow::Error) -> Option<&io::Error> {
    err.chain()
        .find_map(|cause| cause.downcast_ref::<io::Error>())
}

/// The hint for an error, if there is one a student can act on.
pub fn hint_for(err: &anyhow::Error, hints: &Hints) -> Option<String> {
    // A context value is found by `downcast_ref` on the error itself, however
    // deep in the chain it was attached.
    if let Some(Hint(text)) = err.downcast_ref::<Hint>() {
        return Some(text.clone());
    }
    if err.chain().any(|c| c.is::<HostNotFound>()) {
        return Some(
            "check the spelling of --host, or give an IP address such as 127.0.0.1 or ::1".into(),
        );
    }
    let io = io_error(err)?;
    // Our own standard output, not the network: `client | head -c 10`.
    let to_stdout = err
        .chain()
        .any(|cause| cause.to_string().contains("standard output"));
    if to_stdout && io.kind() == io::ErrorKind::BrokenPipe {
        return Some(STDOUT_CLOSED.into());
    }
    let text = match io.kind() {
        io::ErrorKind::ConnectionRefused => format!(
            "is the server running? Start it first, in another terminal: {}",
            hints.start_server()
        ),
        io::ErrorKind::AddrInUse => "another program is using that port, perhaps a server \
             you started earlier that is still running: stop it (Ctrl-C in its terminal), \
             or pick another port with --port"
            .into(),
        io::ErrorKind::PermissionDenied => "ports below 1024 are reserved for the \
             administrator: use a port from 1024 up, such as the lesson's default"
            .into(),
        io::ErrorKind::AddrNotAvailable => "that address does not belong to this machine: \
             use 127.0.0.1 (or ::1), or an address that `ip addr` lists"
            .into(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => "the other side did not \
             answer in time: is it running, and is --host right?"
            .into(),
        io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted => "the other \
             side closed the connection abruptly (a reset): it may have crashed, been \
             stopped, or closed with data it had not read"
            .into(),
        io::ErrorKind::BrokenPipe => "the other side closed the connection before we \
             finished sending"
            .into(),
        io::ErrorKind::NetworkUnreachable | io::ErrorKind::HostUnreachable => "there is no \
             route to that address: check --host (127.0.0.1 always works on one machine)"
            .into(),
        _ if is_family_unsupported(io) => "this system does not support that kind of \
             socket (address family not supported)"
            .into(),
        _ => return None,
    };
    Some(text)
}

/// `EAFNOSUPPORT`, "address family not supported": the OS has no sockets of
/// that kind (no IPv6, no Bluetooth). Its number differs between systems.
#[cfg(target_os = "linux")]
pub const EAFNOSUPPORT: i32 = 97;
/// `EAFNOSUPPORT`, "address family not supported" (see the Linux value).
#[cfg(all(unix, not(target_os = "linux")))]
pub const EAFNOSUPPORT: i32 = 47;
/// `WSAEAFNOSUPPORT`, "address family not supported" (see the Linux value).
#[cfg(windows)]
pub const EAFNOSUPPORT: i32 = 10047;

/// `EMFILE`: this process has no file descriptor left (see `ulimit -n`).
#[cfg(unix)]
const EMFILE: i32 = 24;
/// `ENFILE`: the whole system has no file descriptor left.
#[cfg(unix)]
const ENFILE: i32 = 23;
/// `WSAEMFILE`: no socket handle left.
#[cfg(windows)]
const EMFILE: i32 = 10024;
#[cfg(windows)]
const ENFILE: i32 = EMFILE;

/// True when the OS has no sockets of the address's family (`EAFNOSUPPORT`).
pub fn is_family_unsupported(e: &io::Error) -> bool {
    e.raw_os_error() == Some(EAFNOSUPPORT)
}

/// True for the errors of `accept()` that concern one client only, or
/// nobody, so a server logs them (or not) and accepts the next client:
/// a client that gave up while it waited in the queue (`ECONNABORTED`), a
/// signal (`EINTR`).
pub fn is_transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted | io::ErrorKind::Interrupted
    )
}

/// True when the process or the system has run out of file descriptors
/// (`EMFILE`, `ENFILE`): every socket is one, so `accept()` fails until a
/// client leaves. A server logs it with [`OUT_OF_FILES`] and goes on.
pub fn is_out_of_files(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(EMFILE | ENFILE))
}

/// The hint for [`is_out_of_files`].
pub const OUT_OF_FILES: &str = "every connection uses a file descriptor, and this process \
     has none left: raise the limit (`ulimit -n 65536` in the shell that starts the server) \
     or lower --max-clients";

/// The whole chain of causes on one line, "context: cause: ...", without a
/// [`Hint`] attached as context (it gets its own `hint:` line).
pub fn error_line(err: &anyhow::Error) -> String {
    let hint = err.downcast_ref::<Hint>().map(|h| h.0.as_str());
    err.chain()
        .map(|cause| cause.to_string())
        .filter(|text| Some(text.as_str()) != hint)
        .collect::<Vec<_>>()
        .join(": ")
}

/// Prints `error:` and `hint:` for a failed run, and picks the exit code.
///
/// Call it at the end of `main`: `common::error::report(run(&args), &hints)`.
pub fn report(result: anyhow::Result<()>, hints: &Hints) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", error_line(&err));
            if let Some(hint) = hint_for(&err, hints) {
                eprintln!("hint: {hint}");
            }
            if err.chain().any(|c| c.is::<UsageError>()) {
                ExitCode::from(EXIT_USAGE)
            } else {
                ExitCode::from(EXIT_FAILURE)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    fn os(kind: io::ErrorKind) -> anyhow::Error {
        anyhow::Error::new(io::Error::from(kind)).context("could not do it at 127.0.0.1:1")
    }

    fn client_hints() -> Hints {
        Hints::client("echo-loop", " -- --port 4000".into())
    }

    /// "Connection refused" tells the student the exact command to start the server.
    #[test]
    fn refused_names_the_start_command() {
        let hint = hint_for(&os(io::ErrorKind::ConnectionRefused), &client_hints());
        assert_eq!(
            hint.as_deref(),
            Some(
                "is the server running? Start it first, in another terminal: \
                 cargo run -p echo-loop --bin server -- --port 4000"
            )
        );
    }

    /// Every OS error the contract names has a hint.
    #[test]
    fn each_common_error_has_a_hint() {
        let cases = [
            (io::ErrorKind::AddrInUse, "--port"),
            (io::ErrorKind::PermissionDenied, "1024"),
            (io::ErrorKind::AddrNotAvailable, "127.0.0.1"),
            (io::ErrorKind::TimedOut, "in time"),
            (io::ErrorKind::ConnectionReset, "reset"),
        ];
        for (kind, needle) in cases {
            let hint = hint_for(&os(kind), &Hints::server("oneshot")).expect("a hint");
            assert!(hint.contains(needle), "{kind:?}: {hint}");
        }
        let unsupported = anyhow::Error::new(io::Error::from_raw_os_error(EAFNOSUPPORT));
        assert!(hint_for(&unsupported, &Hints::server("x")).is_some());
        assert!(hint_for(&anyhow::anyhow!("plain"), &Hints::server("x")).is_none());
    }

    /// A closed standard output gets its own hint, not the network one.
    #[test]
    fn closed_stdout_is_not_a_network_problem() {
        let err = anyhow::Error::new(io::Error::from(io::ErrorKind::BrokenPipe))
            .context("could not write to standard output");
        assert_eq!(
            hint_for(&err, &client_hints()).as_deref(),
            Some(STDOUT_CLOSED)
        );
        let net = anyhow::Error::new(io::Error::from(io::ErrorKind::BrokenPipe))
            .context("could not send to 127.0.0.1:1");
        assert!(hint_for(&net, &client_hints()).is_some_and(|h| h != STDOUT_CLOSED));
    }

    /// A host that does not resolve gets a spelling hint.
    #[test]
    fn unknown_host_hint() {
        let err = anyhow::Error::new(HostNotFound {
            host: "nope".into(),
            source: None,
        });
        let hint = hint_for(&err, &client_hints()).expect("a hint");
        assert!(hint.contains("--host"), "{hint}");
    }

    /// A lesson's own hint wins over the general one.
    #[test]
    fn lesson_hint_wins() {
        let err = anyhow::Error::new(io::Error::from(io::ErrorKind::ConnectionRefused))
            .context(Hint("special".into()));
        assert_eq!(hint_for(&err, &client_hints()).as_deref(), Some("special"));
    }

    /// A lesson's hint is not repeated inside the error line.
    #[test]
    fn hint_is_not_part_of_the_error_line() {
        let err = anyhow::Error::new(io::Error::from(io::ErrorKind::ConnectionRefused))
            .context("could not send to 127.0.0.1:7001")
            .context(Hint("is the UDP server running?".into()));
        let line = error_line(&err);
        assert!(
            line.starts_with("could not send to 127.0.0.1:7001: "),
            "{line}"
        );
        assert!(!line.contains("UDP server"), "{line}");
    }

    /// Exit codes: 0 for Ok, 1 for a run-time failure, 2 for a usage error.
    #[test]
    fn exit_codes() {
        assert_eq!(report(Ok(()), &client_hints()), ExitCode::SUCCESS);
        let runtime = Err(os(io::ErrorKind::ConnectionRefused));
        assert_eq!(report(runtime, &client_hints()), ExitCode::from(1));
        let usage = Err(anyhow::Error::new(UsageError("bad".into()))).context("while parsing");
        assert_eq!(report(usage, &client_hints()), ExitCode::from(2));
    }
}
