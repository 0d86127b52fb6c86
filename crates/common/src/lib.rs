//! What every lesson shares and none of them teaches.
//!
//! The lessons keep their socket calls (`socket`, `bind`, `listen`, `accept`,
//! `connect`, `recv`, `send`, `close`) in their own files, in order, so a
//! student can read them top to bottom. This crate holds the rest: the parts
//! that would otherwise be copied into every lesson.
//!
//! # Layout
//!
//! | module | what it does |
//! |---|---|
//! | [`addr`] | `--host` values: IPv4, IPv6 (`::1` or `[::1]`) and host names; turning host + port into a socket address |
//! | [`cli`] | the flags every lesson shares (`--host`, `--port`, `-v`, `-q`) so they read the same everywhere |
//! | [`logging`] | one log format for the whole workspace, with level, file and line |
//! | [`duration`] | durations as people type them: `500ms`, `1.5s`, `5m` |
//! | [`error`] | the `error:` and `hint:` lines, the exit codes 0, 1 and 2, and which OS errors a server can shrug off |
//! | [`hints`] | every hint in English and Korean, and the locale (`LANG=ko_KR.UTF-8`) that picks one |
//! | [`input`] | an interactive client's typed lines and Ctrl-C, on one channel |
//! | [`shutdown`] | Ctrl-C and SIGTERM: stop a server that is blocked in `accept()` or `recv()`; close queued clients and say goodbye with a FIN |
//! | [`text`] | show received bytes in a log line without ever failing on bad UTF-8; plurals |

pub mod addr;
pub mod cli;
pub mod duration;
pub mod error;
pub mod hints;
pub mod input;
pub mod logging;
pub mod shutdown;
pub mod text;

pub use addr::Host;
pub use cli::{ConnectArgs, ListenArgs, Verbosity};
pub use shutdown::Shutdown;

/// The version string every lesson binary prints for `--version`, naming its lesson.
///
/// It reads `0.1.0 (echo-loop lesson)`. Besides telling a student which lesson a
/// binary belongs to, the tests use it to make sure they run the right lesson's
/// `server` (several lessons have a binary of that name; see `crates/testkit`).
#[macro_export]
macro_rules! version {
    () => {
        concat!(
            env!("CARGO_PKG_VERSION"),
            " (",
            env!("CARGO_PKG_NAME"),
            " lesson)"
        )
    };
}
