//! One log format for the whole workspace.
//!
//! Tutorial 001 configures Python's `logging` with
//! `[%(levelname)-8s] %(filename)-10s %(lineno) 4d ...: %(message)s`, so that
//! every line says how serious it is and which line of which file wrote it.
//! This module does the same for Rust's [`log`] macros:
//!
//! ```text
//! [INFO    ] server.rs    61: listening on 127.0.0.1:9999
//! ```
//!
//! Logs go to standard error, so standard output carries only the payload.
//! A full logging crate (`env_logger`) would double the lessons' compile
//! time; this one is a page long.
//!
//! The level is `info` unless `-v`/`-q` say otherwise, or `RUST_LOG` does
//! (`RUST_LOG=debug`, or per module: `RUST_LOG=info,echo_loop=trace`).

use std::io::Write;
use std::net::SocketAddr;
use std::panic::Location;
use std::path::Path;

use log::{Level, LevelFilter, Log, Metadata, Record};

use crate::cli::Verbosity;

/// A level for everything, or for one module path and everything below it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Directive {
    /// `None` for the default; else a module path prefix such as `echo_loop`.
    target: Option<String>,
    level: LevelFilter,
}

/// Parses `RUST_LOG`: comma-separated `level` or `module=level` items.
/// Items that do not parse are skipped (a typo must not stop a lesson).
fn parse_directives(spec: &str) -> Vec<Directive> {
    spec.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .filter_map(|item| match item.split_once('=') {
            Some((target, level)) => Some(Directive {
                target: Some(target.trim().to_string()),
                level: level.trim().parse().ok()?,
            }),
            None => Some(Directive {
                target: None,
                level: item.parse().ok()?,
            }),
        })
        .collect()
}

/// The logger: directives, most specific first.
struct Logger {
    directives: Vec<Directive>,
}

impl Logger {
    fn new(verbosity: Option<LevelFilter>, rust_log: Option<&str>) -> Logger {
        let mut directives = match verbosity {
            // -v / -q are typed on purpose, so they win over RUST_LOG.
            Some(level) => vec![Directive {
                target: None,
                level,
            }],
            None => rust_log.map(parse_directives).unwrap_or_default(),
        };
        if !directives.iter().any(|d| d.target.is_none()) {
            directives.push(Directive {
                target: None,
                level: LevelFilter::Info,
            });
        }
        // Longest module path first; the default (no target) last.
        directives.sort_by_key(|d| std::cmp::Reverse(d.target.as_ref().map_or(0, String::len)));
        Logger { directives }
    }

    fn level_for(&self, target: &str) -> LevelFilter {
        self.directives
            .iter()
            .find(|d| match &d.target {
                Some(prefix) => {
                    target == prefix
                        || target
                            .strip_prefix(prefix.as_str())
                            .is_some_and(|rest| rest.starts_with("::"))
                }
                None => true,
            })
            .map_or(LevelFilter::Info, |d| d.level)
    }

    fn max_level(&self) -> LevelFilter {
        self.directives
            .iter()
            .map(|d| d.level)
            .max()
            .unwrap_or(LevelFilter::Info)
    }
}

/// Formats one record: `[LEVEL   ] file.rs  line: message`.
fn format_line(record: &Record<'_>) -> String {
    let file = record
        .file()
        .and_then(|f| Path::new(f).file_name())
        .map_or_else(|| "?".into(), |f| f.to_string_lossy());
    let line = record.line().unwrap_or(0);
    format!(
        "[{:<8}] {:<10} {:>4}: {}\n",
        record.level(),
        file,
        line,
        record.args()
    )
}

impl Log for Logger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        // The `listening on` line: shown unless logging is off altogether.
        // [`listening`] hands it to the logger directly, so `log`'s global
        // max level (which keeps `-q` from even formatting `info!` lines)
        // does not filter it.
        if metadata.target() == ANNOUNCE {
            return self.max_level() != LevelFilter::Off;
        }
        metadata.level() <= self.level_for(metadata.target())
    }

    fn log(&self, record: &Record<'_>) {
        if self.enabled(record.metadata()) {
            // One write per line, so lines from two threads never interleave.
            // A failed write to stderr has nowhere to be reported: ignore it.
            let _ = std::io::stderr().write_all(format_line(record).as_bytes());
        }
    }

    fn flush(&self) {
        let _ = std::io::stderr().flush();
    }
}

/// The log target of lines that scripts and tests rely on, shown even with
/// `-q` (only `-qqq` hides them). See [`listening`].
pub const ANNOUNCE: &str = "announce";

/// Logs `listening on ADDR`, the line every server prints once it listens,
/// with the real address (so `--port 0` is usable from scripts), and warns
/// when that address lets other machines in.
///
/// The line is shown even with `-q`. File and line are the caller's.
#[track_caller]
pub fn listening(addr: SocketAddr) {
    let caller = Location::caller();
    emit(
        caller,
        Level::Info,
        ANNOUNCE,
        format_args!("listening on {addr}"),
    );
    if addr.ip().is_unspecified() {
        emit(
            caller,
            Level::Warn,
            module_path!(),
            format_args!(
                "listening on every interface ({}): other machines can connect too",
                addr.ip()
            ),
        );
    }
}

/// Logs `listening on WHERE` for a socket that is not an IP socket (the
/// Bluetooth lesson: `listening on 00:00:00:00:00:00 channel 1`). Shown even
/// with `-q`, like [`listening`].
#[track_caller]
pub fn listening_on(place: &dyn std::fmt::Display) {
    emit(
        Location::caller(),
        Level::Info,
        ANNOUNCE,
        format_args!("listening on {place}"),
    );
}

/// Hands one record straight to the logger: `log`'s global max level, which
/// lets `-q` skip formatting ordinary `info!` lines, does not apply here.
fn emit(caller: &Location<'_>, level: Level, target: &str, args: std::fmt::Arguments<'_>) {
    log::logger().log(
        &Record::builder()
            .level(level)
            .target(target)
            .file(Some(caller.file()))
            .line(Some(caller.line()))
            .args(args)
            .build(),
    );
}

/// Starts logging at the level `-v`/`-q` or `RUST_LOG` ask for.
///
/// Call it once, first thing in `main`. A second call changes nothing.
pub fn init(verbosity: &Verbosity) {
    let rust_log = std::env::var("RUST_LOG").ok();
    let logger = Logger::new(verbosity.level(), rust_log.as_deref());
    let max = logger.max_level();
    if log::set_boxed_logger(Box::new(logger)).is_ok() {
        log::set_max_level(max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line has the tutorial's shape: padded level, file name, line number.
    #[test]
    fn formats_like_the_tutorial() {
        let line = format_line(
            &Record::builder()
                .level(log::Level::Info)
                .file(Some("crates/echo-loop/src/server.rs"))
                .line(Some(61))
                .args(format_args!("listening on 127.0.0.1:9999"))
                .build(),
        );
        assert_eq!(
            line,
            "[INFO    ] server.rs    61: listening on 127.0.0.1:9999\n"
        );
    }

    /// RUST_LOG sets a default and per-module levels; junk is skipped.
    #[test]
    fn rust_log_directives() {
        let logger = Logger::new(None, Some("warn, echo_loop=trace, bogus=loud, ???"));
        assert_eq!(logger.level_for("echo_loop"), LevelFilter::Trace);
        assert_eq!(logger.level_for("echo_loop::server"), LevelFilter::Trace);
        assert_eq!(logger.level_for("echo_loopy"), LevelFilter::Warn);
        assert_eq!(logger.level_for("oneshot"), LevelFilter::Warn);
        assert_eq!(logger.max_level(), LevelFilter::Trace);
    }

    /// The listening line passes at -q and -qq, but not when logging is off.
    #[test]
    fn announcements_pass_quiet() {
        let meta = Metadata::builder()
            .level(Level::Info)
            .target(ANNOUNCE)
            .build();
        assert!(Logger::new(Some(LevelFilter::Error), None).enabled(&meta));
        assert!(!Logger::new(Some(LevelFilter::Off), None).enabled(&meta));
        let other = Metadata::builder()
            .level(Level::Info)
            .target("echo_loop")
            .build();
        assert!(!Logger::new(Some(LevelFilter::Warn), None).enabled(&other));
    }

    /// With nothing set the level is info; -v/-q win over RUST_LOG.
    #[test]
    fn defaults_and_flags() {
        assert_eq!(Logger::new(None, None).level_for("x"), LevelFilter::Info);
        let logger = Logger::new(Some(LevelFilter::Warn), Some("trace"));
        assert_eq!(logger.level_for("x"), LevelFilter::Warn);
        let logger = Logger::new(None, Some("echo_loop=debug"));
        assert_eq!(logger.level_for("other"), LevelFilter::Info);
    }
}
