//! The periodic-hello client: sends `hello server` every second and prints
//! what the server sends, until Ctrl-C (or `--count` messages).
//!
//! ```text
//! terminal 1:  cargo run -p periodic-hello --bin server
//! terminal 2:  cargo run -p periodic-hello --bin client
//!              cargo run -p periodic-hello --bin client -- --count 3
//! ```
//!
//! What the server sends goes to standard output; the log goes to standard
//! error. The socket calls are in `src/client.rs` and `src/duplex.rs`.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use common::error::{Hints, report};
use common::{ConnectArgs, Shutdown, Verbosity};
use periodic_hello::{DEFAULT_INTERVAL, DEFAULT_PORT, LESSON};

/// Sends "hello server" every interval and prints what the server sends,
/// until Ctrl-C, until the server closes, or after --count messages.
#[derive(Parser, Debug)]
#[command(name = "client", version = common::version!())]
struct Args {
    #[command(flatten)]
    server: ConnectArgs<DEFAULT_PORT>,

    /// How long to wait between two hellos: a number and a unit, such as 1s,
    /// 250ms, 1.5s or 2m.
    #[arg(long, value_name = "DURATION", default_value = DEFAULT_INTERVAL,
          value_parser = periodic_hello::parse_interval)]
    interval: Duration,

    /// Send this many hellos, then half-close the connection, wait for the
    /// server to close its side, and exit. Without it the client runs until
    /// Ctrl-C or until the server closes.
    #[arg(long, value_name = "N", value_parser = periodic_hello::parse_count)]
    count: Option<u64>,

    #[command(flatten)]
    verbosity: Verbosity,
}

fn main() -> ExitCode {
    let args = Args::parse();
    common::logging::init(&args.verbosity);
    let hints = Hints::client(LESSON, args.server.server_flags());
    report(run(&args), &hints)
}

fn run(args: &Args) -> anyhow::Result<()> {
    let shutdown = Shutdown::install()?;
    let addr = args.server.addr()?;
    periodic_hello::client::run(
        addr,
        args.interval,
        args.count,
        &shutdown,
        std::io::stdout(),
    )
}
