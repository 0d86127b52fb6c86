//! The udp-echo client: sends each message as one datagram and prints its
//! echo, waiting `--timeout` for each and sending again `--retries` times.
//!
//! ```text
//! terminal 1:  cargo run -p udp-echo --bin server
//! terminal 2:  cargo run -p udp-echo --bin client -- hello 안녕
//!              cargo run -p udp-echo --bin client      (type lines; Ctrl-D ends)
//! ```
//!
//! Each argument, or each line of standard input, is one datagram. Each echo
//! is printed on its own line of standard output; the log goes to standard
//! error. Try it with no server running: it waits, retries, and explains.
//! The socket calls are in `src/client.rs`, the retries in `src/retry.rs`.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use common::error::{Hints, report};
use common::{ConnectArgs, Shutdown, Verbosity};
use udp_echo::client::Client;
use udp_echo::retry::Options;
use udp_echo::{DEFAULT_PORT, DEFAULT_RETRIES, LESSON, MAX_TIMEOUT};

/// Sends each MESSAGE (or each line of standard input) to the udp-echo
/// server as one datagram, and prints each echo.
#[derive(Parser, Debug)]
#[command(name = "client", version = common::version!())]
struct Args {
    #[command(flatten)]
    server: ConnectArgs<DEFAULT_PORT>,

    /// Messages to send, one datagram each. Without them, each line of
    /// standard input is one datagram (without its newline).
    #[arg(value_name = "MESSAGE")]
    messages: Vec<String>,

    /// How long to wait for each echo before sending the message again: 1s,
    /// 500ms, 1.5s (at most 1h). UDP never says "lost"; a timeout is how we
    /// find out.
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = timeout)]
    timeout: Duration,

    /// How many times to send a message again when no echo came in time.
    /// 0 sends each message once.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_RETRIES)]
    retries: u32,

    #[command(flatten)]
    verbosity: Verbosity,
}

/// Parses `--timeout`: a duration with a unit, above zero, at most an hour.
fn timeout(text: &str) -> Result<Duration, String> {
    common::duration::at_most(text, MAX_TIMEOUT)
}

fn main() -> ExitCode {
    let args = Args::parse();
    common::logging::init(&args.verbosity);
    let hints = Hints::client(LESSON, args.server.server_flags());
    report(run(&args), &hints)
}

fn run(args: &Args) -> anyhow::Result<()> {
    let shutdown = Shutdown::install()?;
    let options = Options {
        timeout: args.timeout,
        retries: args.retries,
        start_server: format!(
            "cargo run -p {LESSON} --bin server{}",
            args.server.server_flags()
        ),
    };
    let client = Client::connect(args.server.addr()?, options, &shutdown)?;
    udp_echo::client::run(client, &args.messages)
}
