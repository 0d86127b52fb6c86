//! The echo-loop client: sends its arguments, or all of standard input, and
//! prints the echo.
//!
//! ```text
//! terminal 1:  cargo run -p echo-loop --bin server
//! terminal 2:  cargo run -p echo-loop --bin client -- 안녕 세상
//!              cargo run -p echo-loop --bin client < some.file > copy.file
//! ```
//!
//! The echo goes to standard output, the log to standard error. The socket
//! calls are in `src/client.rs`.

use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use clap::Parser;
use common::error::{Hints, report};
use common::{ConnectArgs, Shutdown, Verbosity};
use echo_loop::{DEFAULT_PORT, LESSON};

/// Sends MESSAGE (or standard input) to the echo-loop server and prints the echo.
#[derive(Parser, Debug)]
#[command(name = "client", version = common::version!())]
struct Args {
    #[command(flatten)]
    server: ConnectArgs<DEFAULT_PORT>,

    /// Words to send, joined by spaces into one line. Without them, the client
    /// sends standard input until it ends (Ctrl-D in a terminal).
    #[arg(value_name = "MESSAGE")]
    message: Vec<String>,

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
    let socket = echo_loop::client::connect(args.server.addr()?)?;
    let input: Box<dyn Read + Send> = if args.message.is_empty() {
        if std::io::stdin().is_terminal() {
            log::info!("type lines to send; Ctrl-D ends");
        }
        Box::new(std::io::stdin())
    } else {
        Box::new(std::io::Cursor::new(format!(
            "{}\n",
            args.message.join(" ")
        )))
    };
    echo_loop::client::echo(socket, input, std::io::stdout(), &shutdown)?;
    Ok(())
}
