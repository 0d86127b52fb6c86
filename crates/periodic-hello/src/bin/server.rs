//! The periodic-hello server: sends `hello client` every second while it
//! logs what the client sends, one client at a time, until Ctrl-C.
//!
//! ```text
//! terminal 1:  cargo run -p periodic-hello --bin server
//! terminal 2:  cargo run -p periodic-hello --bin client
//! ```
//!
//! Watch for: both logs move at the same time, in both directions. Press
//! Ctrl-C in either terminal: the other side says so at once. The socket
//! calls are in `src/server.rs` and `src/duplex.rs`; the bare version of
//! this program is `examples/periodic-hello-bare-server.rs`.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use common::error::{Hints, report};
use common::{ListenArgs, Shutdown, Verbosity};
use periodic_hello::{DEFAULT_INTERVAL, DEFAULT_PORT, LESSON};

/// Sends "hello client" every interval and logs what the client sends, one
/// client at a time, until Ctrl-C.
#[derive(Parser, Debug)]
#[command(name = "server", version = common::version!())]
struct Args {
    #[command(flatten)]
    listen: ListenArgs<DEFAULT_PORT>,

    /// How long to wait between two hellos: a number and a unit, such as 1s,
    /// 250ms, 1.5s or 2m.
    #[arg(long, value_name = "DURATION", default_value = DEFAULT_INTERVAL,
          value_parser = periodic_hello::parse_interval)]
    interval: Duration,

    #[command(flatten)]
    verbosity: Verbosity,
}

fn main() -> ExitCode {
    let args = Args::parse();
    common::logging::init(&args.verbosity);
    report(run(&args), &Hints::server(LESSON))
}

fn run(args: &Args) -> anyhow::Result<()> {
    let shutdown = Shutdown::install()?;
    let listener = periodic_hello::server::listen(args.listen.addr()?)?;
    periodic_hello::server::serve(&listener, args.interval, &shutdown)
}
