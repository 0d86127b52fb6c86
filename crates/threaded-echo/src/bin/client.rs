//! The threaded-echo client: type a line, see its echo; `/end` or Ctrl-D
//! ends the session.
//!
//! ```text
//! terminal 1:  cargo run -p threaded-echo --bin server
//! terminal 2:  cargo run -p threaded-echo --bin client
//!              printf 'hello\n/end\n' | cargo run -p threaded-echo --bin client > echo.txt
//! ```
//!
//! The echo goes to standard output; the log goes to standard error, and so
//! does the prompt (`msg: `), shown only when you type in a terminal. The
//! socket calls are in `src/client.rs`.

use std::io::{BufReader, IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use common::error::{Hints, report};
use common::{ConnectArgs, Shutdown, Verbosity};
use threaded_echo::{DEFAULT_PORT, LESSON};

/// Sends each line you type to the threaded-echo server and prints its echo.
#[derive(Parser, Debug)]
#[command(name = "client", version = common::version!())]
struct Args {
    #[command(flatten)]
    server: ConnectArgs<DEFAULT_PORT>,

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
    let socket = threaded_echo::client::connect(args.server.addr()?)?;
    // A prompt helps a person typing; in a pipe it would only be noise.
    let prompt: Option<Box<dyn Write>> = if std::io::stdin().is_terminal() {
        Some(Box::new(std::io::stderr()))
    } else {
        None
    };
    threaded_echo::client::session(
        socket,
        BufReader::new(std::io::stdin()),
        std::io::stdout(),
        prompt,
        &shutdown,
    )?;
    Ok(())
}
