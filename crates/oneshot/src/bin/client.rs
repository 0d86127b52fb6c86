//! The oneshot client: connects, sends one message, prints the answer.
//!
//! ```text
//! terminal 1:  cargo run -p oneshot --bin server
//! terminal 2:  cargo run -p oneshot --bin client -- --message "안녕!"
//! ```
//!
//! The answer goes to standard output, the log to standard error, so
//! `client > reply.txt` keeps just the answer. The socket calls are in
//! `src/client.rs`.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use common::error::{Hints, report};
use common::{ConnectArgs, Shutdown, Verbosity};
use oneshot::{DEFAULT_MESSAGE, DEFAULT_PORT, LESSON};

/// Connects to the oneshot server, sends one message and prints the answer.
#[derive(Parser, Debug)]
#[command(name = "client", version = common::version!())]
struct Args {
    #[command(flatten)]
    server: ConnectArgs<DEFAULT_PORT>,

    /// What to send. Any text works, Korean included: it travels as UTF-8 bytes.
    #[arg(short, long, value_name = "TEXT", default_value = DEFAULT_MESSAGE)]
    message: String,

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
    let reply = oneshot::client::run(args.server.addr()?, args.message.as_bytes(), &shutdown)?;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(&reply)
        .context("could not write to standard output")?;
    // End the line on a terminal only, so that `> file` keeps the exact bytes.
    if std::io::stdout().is_terminal() && !reply.ends_with(b"\n") {
        stdout
            .write_all(b"\n")
            .context("could not write to standard output")?;
    }
    stdout
        .flush()
        .context("could not write to standard output")?;
    Ok(())
}
