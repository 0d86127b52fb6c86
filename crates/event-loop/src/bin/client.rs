//! The event-loop client: lesson 3's interactive client, or, with
//! `--connections`, many connections driven from one thread.
//!
//! ```text
//! terminal 1:  cargo run -p event-loop --bin server
//! terminal 2:  cargo run -p event-loop --bin client
//! terminal 3:  cargo run -p event-loop --bin client -- --connections 1000 --messages 10
//! ```
//!
//! Watch for: the load mode's one line on standard output, every echo
//! checked; its log (standard error) says how the connections went. The
//! readiness loop is in `src/client.rs`.

use std::io::{BufReader, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::bail;
use clap::Parser;
use common::error::{Hints, report};
use common::{ConnectArgs, Shutdown, Verbosity};
use event_loop::{DEFAULT_PORT, LESSON};

/// Sends each line you type to the event-loop server and prints its echo;
/// or, with --connections, measures it with many connections at once.
#[derive(Parser, Debug)]
#[command(name = "client", version = common::version!())]
struct Args {
    #[command(flatten)]
    server: ConnectArgs<DEFAULT_PORT>,

    /// Open this many connections at once, all driven by one thread, and
    /// print one line with what happened (instead of reading your lines).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    connections: Option<u32>,

    /// With --connections: how many messages each connection sends, one
    /// after the other, each checked against its echo.
    #[arg(long, value_name = "M", default_value_t = 10, requires = "connections",
          value_parser = clap::value_parser!(u32).range(1..))]
    messages: u32,

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
    let Some(connections) = args.connections else {
        // Lesson 3's interactive client: the protocol is the same.
        let socket = threaded_echo::client::connect(addr)?;
        let prompt: Option<Box<dyn Write>> = if std::io::stdin().is_terminal() {
            Some(Box::new(std::io::stderr()))
        } else {
            None
        };
        let input = BufReader::new(std::io::stdin());
        threaded_echo::client::session(socket, input, std::io::stdout(), prompt, &shutdown)?;
        return Ok(());
    };
    // Every connection is a file descriptor: ask for as many as allowed.
    event_loop::raise_open_file_limit();
    let (n, m) = (connections as usize, args.messages as usize);
    let (summary, errors) = event_loop::client::load(addr, n, m, &shutdown)?;
    println!("{summary}");
    if errors > 0 {
        bail!("{errors} of {n} connections failed (see the log above)");
    }
    Ok(())
}
