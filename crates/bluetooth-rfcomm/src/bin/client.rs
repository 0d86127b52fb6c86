//! The RFCOMM echo client: connects to a Bluetooth device on a channel, sends
//! each line of standard input and prints the echo.
//!
//! ```text
//! machine A:  cargo run -p bluetooth-rfcomm --bin server
//! machine B:  cargo run -p bluetooth-rfcomm --bin client -- --addr <A's adapter address>
//!             (type lines; Ctrl-D ends)
//! ```
//!
//! The echo goes to standard output, the log to standard error. Unlike the
//! TCP clients it has no default address: the server's device address must be
//! given. Needs Linux with BlueZ; elsewhere it says what is missing and exits
//! 1. The socket calls are in `src/client.rs`.

use std::io::IsTerminal;
use std::process::ExitCode;

use bluetooth_rfcomm::sockaddr::channel;
use bluetooth_rfcomm::{BdAddr, DEFAULT_CHANNEL, LESSON};
use clap::Parser;
use common::error::Hints;
use common::{Shutdown, Verbosity};

/// Sends each line of standard input to the RFCOMM echo server and prints
/// what comes back.
#[derive(Parser, Debug)]
#[command(name = "client", version = common::version!())]
struct Args {
    /// The server's Bluetooth device address, as XX:XX:XX:XX:XX:XX (on the
    /// server's machine, `bluetoothctl list` shows it).
    #[arg(short, long, value_name = "XX:XX:XX:XX:XX:XX")]
    addr: BdAddr,

    /// The server's RFCOMM channel, 1 to 30. A plain RFCOMM server advertises
    /// nothing, so this must be the channel it was started with.
    #[arg(short, long, value_name = "N", default_value_t = DEFAULT_CHANNEL,
          value_parser = channel)]
    channel: u8,

    #[command(flatten)]
    verbosity: Verbosity,
}

fn main() -> ExitCode {
    let args = Args::parse();
    common::logging::init(&args.verbosity);
    // For the "is the server running?" hint: the server's flags that match.
    let flags = if args.channel == DEFAULT_CHANNEL {
        String::new()
    } else {
        format!(" -- --channel {}", args.channel)
    };
    common::error::report(run(&args), &Hints::client(LESSON, flags))
}

fn run(args: &Args) -> anyhow::Result<()> {
    let shutdown = Shutdown::install()?;
    if std::io::stdin().is_terminal() {
        log::info!("type lines to send; Ctrl-D ends");
    }
    bluetooth_rfcomm::client::run(args.addr, args.channel, &shutdown)
}
