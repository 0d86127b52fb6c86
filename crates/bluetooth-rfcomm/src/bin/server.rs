//! The RFCOMM echo server: listens on a Bluetooth channel, accepts one
//! client, sends back every byte it receives until the client closes.
//!
//! ```text
//! machine A:  cargo run -p bluetooth-rfcomm --bin server
//! machine B:  cargo run -p bluetooth-rfcomm --bin client -- --addr <A's adapter address>
//! no Bluetooth hardware:  scripts/bt-vm/test-lesson.sh
//! ```
//!
//! `bluetoothctl list` (or `hciconfig`) on machine A shows its adapter's
//! address. Watch for: the `listening on` line names the adapter and the
//! channel, where a TCP server shows an IP address and a port. Needs Linux
//! with BlueZ; elsewhere it says what is missing and exits 1. The socket
//! calls are in `src/server.rs`.

use std::process::ExitCode;

use bluetooth_rfcomm::sockaddr::channel;
use bluetooth_rfcomm::{BdAddr, DEFAULT_CHANNEL, LESSON};
use clap::Parser;
use common::error::Hints;
use common::{Shutdown, Verbosity};

/// Echoes every byte back to one Bluetooth RFCOMM client, then exits.
#[derive(Parser, Debug)]
#[command(name = "server", version = common::version!())]
struct Args {
    /// The local Bluetooth adapter to listen on, as XX:XX:XX:XX:XX:XX
    /// (`bluetoothctl list` shows yours). Without it: every adapter.
    #[arg(long, value_name = "XX:XX:XX:XX:XX:XX")]
    adapter: Option<BdAddr>,

    /// The RFCOMM channel to listen on, 1 to 30: Bluetooth's version of a
    /// port. The client must be given the same one.
    #[arg(short, long, value_name = "N", default_value_t = DEFAULT_CHANNEL,
          value_parser = channel)]
    channel: u8,

    #[command(flatten)]
    verbosity: Verbosity,
}

fn main() -> ExitCode {
    let args = Args::parse();
    common::logging::init(&args.verbosity);
    common::error::report(run(&args), &Hints::server(LESSON))
}

fn run(args: &Args) -> anyhow::Result<()> {
    let shutdown = Shutdown::install()?;
    let adapter = args.adapter.unwrap_or(BdAddr::ANY);
    bluetooth_rfcomm::server::run(adapter, args.channel, &shutdown)
}
