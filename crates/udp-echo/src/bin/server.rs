//! The udp-echo server: sends every datagram back to whoever sent it, until
//! Ctrl-C.
//!
//! ```text
//! terminal 1:  cargo run -p udp-echo --bin server
//! terminal 2:  cargo run -p udp-echo --bin client -- hello 안녕
//! ```
//!
//! Watch for: one socket serves every client, with no connection to any of
//! them; each log line names the sender. Start it with `--drop-every 2` and
//! watch the client wait, give up, and send again. The socket calls are in
//! `src/server.rs`.

use std::num::NonZeroU64;
use std::process::ExitCode;

use clap::Parser;
use common::error::{Hints, report};
use common::{ListenArgs, Shutdown, Verbosity};
use udp_echo::{DEFAULT_BUFFER, DEFAULT_PORT, LESSON};

/// Sends every UDP datagram back to its sender, until Ctrl-C.
#[derive(Parser, Debug)]
#[command(name = "server", version = common::version!())]
struct Args {
    #[command(flatten)]
    listen: ListenArgs<DEFAULT_PORT>,

    /// The longest datagram to echo, in bytes. The default fits the longest
    /// datagram there is; with a smaller one, longer datagrams are reported
    /// in the log and not echoed (try --buffer 10).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_BUFFER,
          value_parser = common::cli::buffer_size)]
    buffer: usize,

    /// Ignore every Nth datagram, as if the network had lost it, so you can
    /// watch the client time out and retry. 2 drops every second one.
    #[arg(long, value_name = "N", value_parser = every_nth)]
    drop_every: Option<NonZeroU64>,

    #[command(flatten)]
    verbosity: Verbosity,
}

/// Parses the N of `--drop-every N`: a whole number from 1 up.
fn every_nth(text: &str) -> Result<NonZeroU64, String> {
    match text.trim().parse::<u64>().map(NonZeroU64::new) {
        Ok(Some(n)) => Ok(n),
        Ok(None) => Err("every 0th datagram means nothing: use 1 to drop them all, \
                         2 to drop every second one, and so on"
            .into()),
        Err(_) => Err(format!("`{text}` is not a whole number such as 2 or 3")),
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    common::logging::init(&args.verbosity);
    report(run(&args), &Hints::server(LESSON))
}

fn run(args: &Args) -> anyhow::Result<()> {
    let shutdown = Shutdown::install()?;
    let options = udp_echo::server::Options {
        buffer: args.buffer,
        drop_every: args.drop_every,
    };
    udp_echo::server::run(args.listen.addr()?, &options, &shutdown)
}
