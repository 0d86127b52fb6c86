//! The oneshot server: waits for one client, reads one message, answers, exits.
//!
//! ```text
//! terminal 1:  cargo run -p oneshot --bin server
//! terminal 2:  cargo run -p oneshot --bin client
//! ```
//!
//! Watch the server's log: it says where it listens, who connected, what came
//! and what it sent, then it exits. The socket calls are in `src/server.rs`.

use std::process::ExitCode;

use clap::Parser;
use common::error::{Hints, report};
use common::{ListenArgs, Shutdown, Verbosity};
use oneshot::{DEFAULT_BUFFER, DEFAULT_PORT, DEFAULT_REPLY, LESSON};

/// Waits for one client, reads one message, answers it, and exits.
#[derive(Parser, Debug)]
#[command(name = "server", version = common::version!())]
struct Args {
    #[command(flatten)]
    listen: ListenArgs<DEFAULT_PORT>,

    /// The most bytes the server's single recv() takes in. A longer message
    /// is cut: that is the point of this lesson (see echo-loop for the fix).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_BUFFER,
          value_parser = common::cli::buffer_size)]
    buffer: usize,

    /// What the server answers.
    #[arg(long, value_name = "TEXT", default_value = DEFAULT_REPLY)]
    reply: String,

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
    let options = oneshot::server::Options {
        buffer: args.buffer,
        reply: args.reply.as_bytes().to_vec(),
    };
    oneshot::server::run(args.listen.addr()?, &options, &shutdown)?;
    Ok(())
}
