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
//!
//! # Hints, in English or Korean
//!
//! Every hint is a row of the table [`crate::hints::Hint`], which holds its
//! English and its Korean text. When the locale is Korean (the first set of
//! `LC_ALL`, `LC_MESSAGES`, `LANG` begins with `ko`), [`report`] prints
//! `힌트: ` and the Korean text; otherwise `hint: ` and the English one. The
//! `error:` line keeps the OS's words in every language, and the exit code
//! does not change.
//!
//! [`report`] picks the hint from the error (connection refused, address in
//! use, ...). A lesson that knows better names a row of the table as context:
//!
//! ```
//! use anyhow::Context;
//! use common::hints::Hint;
//!
//! let e = std::io::Error::from(std::io::ErrorKind::AddrInUse);
//! let err = anyhow::Error::new(e)
//!     .context(Hint::ChannelTaken)
//!     .context("could not listen on 00:00:00:00:00:00 channel 3");
//! let hint = common::error::hint_in(&err, &common::error::Hints::server("x"), common::hints::Lang::Korean);
//! assert!(hint.is_some_and(|h| h.contains("채널은 이미 쓰이고")));
//! ```
//!
//! Where only some errors of a call get the lesson's hint, [`with_hint`]
//! attaches an `Option` of a row. A program that prints a hint line of its
//! own, not through [`report`] (a log line, a summary), writes it with
//! [`hint_line`]. A new hint gets a new row in [`crate::hints`], in both
//! languages (the compiler refuses one without the other): there is no
//! other kind of hint, so none can lack its Korean.

use std::fmt;
use std::io;
use std::process::ExitCode;

use crate::addr::HostNotFound;
use crate::hints::{self, Lang};

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
pub const STDOUT_CLOSED: &str = hints::STDOUT_CLOSED;

/// The first `io::Error` in the chain of causes, where the OS said why.
fn io_error(err: &anyhow::Error) -> Option<&io::Error> {
    err.chain()
        .find_map(|cause| cause.downcast_ref::<io::Error>())
}

/// The hint for an error, if there is one a student can act on, in English.
pub fn hint_for(err: &anyhow::Error, hints: &Hints) -> Option<String> {
    hint_in(err, hints, Lang::English)
}

/// The hint for an error in `lang`: the row of the table that the lesson
/// attached, else the row that [`hint_from_error`] picks.
pub fn hint_in(err: &anyhow::Error, hints: &Hints, lang: Lang) -> Option<String> {
    // A context value is found by `downcast_ref` on the error itself, however
    // deep in the chain it was attached.
    if let Some(hint) = err.downcast_ref::<hints::Hint>() {
        return Some(hint.text(lang));
    }
    hint_from_error(err, hints).map(|hint| hint.text(lang))
}

/// `e` as an error, with the lesson's row of the table attached when there
/// is one: `None` leaves the hint to [`hint_from_error`].
///
/// ```
/// use common::hints::Hint;
///
/// let e = std::io::Error::from(std::io::ErrorKind::AddrInUse);
/// let err = common::error::with_hint(e, Some(Hint::ChannelTaken));
/// assert_eq!(err.downcast_ref::<Hint>(), Some(&Hint::ChannelTaken));
/// ```
pub fn with_hint(e: io::Error, hint: Option<hints::Hint>) -> anyhow::Error {
    match hint {
        Some(hint) => anyhow::Error::new(e).context(hint),
        None => e.into(),
    }
}

/// The row of the hint table for what went wrong: a host name that does not
/// resolve, or the kind of the OS error.
pub fn hint_from_error(err: &anyhow::Error, hints: &Hints) -> Option<hints::Hint> {
    use hints::Hint as H;
    if err.chain().any(|c| c.is::<HostNotFound>()) {
        return Some(H::UnknownHost);
    }
    let io = io_error(err)?;
    // Our own standard output, not the network: `client | head -c 10`.
    let to_stdout = err
        .chain()
        .any(|cause| cause.to_string().contains("standard output"));
    if to_stdout && io.kind() == io::ErrorKind::BrokenPipe {
        return Some(H::StdoutClosed);
    }
    let hint = match io.kind() {
        io::ErrorKind::ConnectionRefused => H::ServerNotRunning {
            command: hints.start_server(),
        },
        io::ErrorKind::AddrInUse => H::PortInUse,
        io::ErrorKind::PermissionDenied => H::ReservedPort,
        io::ErrorKind::AddrNotAvailable => H::AddressNotHere,
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => H::NoAnswerInTime,
        io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted => H::ConnectionReset,
        io::ErrorKind::BrokenPipe => H::PeerClosedFirst,
        io::ErrorKind::NetworkUnreachable | io::ErrorKind::HostUnreachable => H::NoRoute,
        _ if is_family_unsupported(io) => H::FamilyUnsupported,
        // Its advice (--max-clients) is a server's.
        _ if is_out_of_files(io) && hints.server_flags.is_none() => H::OutOfFiles,
        _ => return None,
    };
    Some(hint)
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
/// client leaves. A server logs it with
/// `hint_line(&Hint::OutOfFiles)` ([`hint_line`]) and goes on.
pub fn is_out_of_files(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(EMFILE | ENFILE))
}

/// The hint for [`is_out_of_files`], in English: the text of the row
/// [`hints::Hint::OutOfFiles`]. To print it, use [`hint_line`], which
/// follows the locale.
pub const OUT_OF_FILES: &str = hints::OUT_OF_FILES;

/// The whole chain of causes on one line, "context: cause: ...", without the
/// hint attached as context (it gets its own `hint:` line).
pub fn error_line(err: &anyhow::Error) -> String {
    let hint = err.downcast_ref::<hints::Hint>().map(hints::Hint::en);
    err.chain()
        .map(|cause| cause.to_string())
        .filter(|text| Some(text) != hint.as_ref())
        .collect::<Vec<_>>()
        .join(": ")
}

/// The lines [`report`] prints for `err` in `lang`: `error: ...`, then the
/// hint line if there is a hint.
pub fn report_lines(err: &anyhow::Error, hints: &Hints, lang: Lang) -> Vec<String> {
    let mut lines = vec![format!("error: {}", error_line(err))];
    if let Some(hint) = hint_in(err, hints, lang) {
        lines.push(format!("{}: {hint}", lang.hint_label()));
    }
    lines
}

/// A hint line for a program that prints one without [`report`]:
/// `hint: ...` or `힌트: ...`, in the locale's language.
pub fn hint_line(hint: &hints::Hint) -> String {
    let lang = Lang::from_env();
    format!("{}: {}", lang.hint_label(), hint.text(lang))
}

/// Prints `error:` and `hint:` for a failed run, and picks the exit code.
///
/// Call it at the end of `main`: `common::error::report(run(&args), &hints)`.
/// The hint is in the locale's language ([`Lang::from_env`]).
pub fn report(result: anyhow::Result<()>, hints: &Hints) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            for line in report_lines(&err, hints, Lang::from_env()) {
                eprintln!("{line}");
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

    /// A lesson's own row wins over the general one.
    #[test]
    fn lesson_hint_wins() {
        let row = hints::Hint::UdpServerNotRunning {
            command: "START".into(),
        };
        let err = anyhow::Error::new(io::Error::from(io::ErrorKind::ConnectionRefused))
            .context(row.clone());
        assert_eq!(hint_for(&err, &client_hints()), Some(row.en()));
    }

    /// A lesson's hint is not repeated inside the error line.
    #[test]
    fn hint_is_not_part_of_the_error_line() {
        let err = anyhow::Error::new(io::Error::from(io::ErrorKind::ConnectionRefused))
            .context("could not send to 127.0.0.1:7001")
            .context(hints::Hint::UdpServerNotRunning {
                command: "START".into(),
            });
        let line = error_line(&err);
        assert_eq!(
            line, "could not send to 127.0.0.1:7001: connection refused",
            "{line}"
        );
    }

    /// `with_hint` attaches a row when there is one, and nothing otherwise.
    #[test]
    fn with_hint_attaches_a_row_or_nothing() {
        let e = || io::Error::from(io::ErrorKind::AddrInUse);
        let err = with_hint(e(), Some(hints::Hint::ChannelTaken));
        let hint = hint_for(&err, &Hints::server("bluetooth-rfcomm"));
        assert_eq!(hint, Some(hints::Hint::ChannelTaken.en()));
        assert_eq!(error_line(&err), "address in use");
        let err = with_hint(e(), None);
        let hint = hint_for(&err, &Hints::server("bluetooth-rfcomm"));
        assert_eq!(hint, Some(hints::Hint::PortInUse.en()));
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

    /// Under a Korean locale the hint line starts `힌트:` and is Korean; the
    /// error line keeps the OS's words; the exit code is the same.
    #[test]
    fn korean_hint_line() {
        let err = os(io::ErrorKind::ConnectionRefused);
        let lines = report_lines(&err, &client_hints(), Lang::Korean);
        assert_eq!(
            lines[0],
            "error: could not do it at 127.0.0.1:1: connection refused"
        );
        assert_eq!(
            lines[1],
            "힌트: 서버가 실행 중인가요? 먼저 다른 터미널에서 서버를 시작하세요: \
             cargo run -p echo-loop --bin server -- --port 4000"
        );
        let english = report_lines(&err, &client_hints(), Lang::English);
        assert_eq!(english[0], lines[0]);
        assert!(
            english[1].starts_with("hint: is the server running?"),
            "{english:?}"
        );
    }

    /// Every OS error with an English hint has a Korean one too.
    #[test]
    fn each_common_error_has_a_korean_hint() {
        let kinds = [
            io::ErrorKind::ConnectionRefused,
            io::ErrorKind::AddrInUse,
            io::ErrorKind::PermissionDenied,
            io::ErrorKind::AddrNotAvailable,
            io::ErrorKind::TimedOut,
            io::ErrorKind::ConnectionReset,
            io::ErrorKind::BrokenPipe,
            io::ErrorKind::NetworkUnreachable,
        ];
        for kind in kinds {
            let hint = hint_in(&os(kind), &client_hints(), Lang::Korean).expect("a hint");
            assert!(
                hint.chars().any(|c| ('가'..='힣').contains(&c)),
                "{kind:?}: {hint}"
            );
        }
    }

    /// A lesson names a row of the table: it wins over the general hint, is
    /// printed in the locale's language, and stays out of the error line.
    #[test]
    fn a_row_named_by_the_lesson() {
        let err = anyhow::Error::new(io::Error::from(io::ErrorKind::AddrInUse))
            .context(hints::Hint::ChannelTaken)
            .context("could not listen on 00:00:00:00:00:00 channel 3");
        let en = report_lines(&err, &Hints::server("bluetooth-rfcomm"), Lang::English);
        assert!(en[1].starts_with("hint: the channel is taken"), "{en:?}");
        let ko = report_lines(&err, &Hints::server("bluetooth-rfcomm"), Lang::Korean);
        assert!(ko[1].starts_with("힌트: 그 어댑터에서 그 채널은"), "{ko:?}");
        assert!(!ko[0].contains("is taken"), "{ko:?}");
        assert!(ko[0].ends_with("address in use"), "{ko:?}");
    }

    /// No file descriptor left: a server gets the ulimit hint, a client none.
    #[cfg(unix)]
    #[test]
    fn out_of_files_is_a_server_hint() {
        let err = || anyhow::Error::new(io::Error::from_raw_os_error(EMFILE));
        let server = hint_from_error(&err(), &Hints::server("event-loop"));
        assert_eq!(server, Some(hints::Hint::OutOfFiles));
        assert_eq!(hint_from_error(&err(), &client_hints()), None);
    }

    /// An error with no hint prints only its `error:` line.
    #[test]
    fn no_hint_no_hint_line() {
        let lines = report_lines(&anyhow::anyhow!("plain"), &client_hints(), Lang::Korean);
        assert_eq!(lines, ["error: plain"]);
    }
}
