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
//! The socket calls are in `src/client.rs`.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use common::error::{Hint, Hints, report};
use common::{ConnectArgs, Shutdown, Verbosity};
use udp_echo::client::{Client, NoReply, Options, Outcome};
use udp_echo::{DEFAULT_PORT, DEFAULT_RETRIES, LESSON};

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
    /// 500ms, 1.5s. UDP never says "lost"; a timeout is how we find out.
    #[arg(long, value_name = "DURATION", default_value = "1s",
          value_parser = udp_echo::duration::parse)]
    timeout: Duration,

    /// How many times to send a message again when no echo came in time.
    /// 0 sends each message once.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_RETRIES)]
    retries: u32,

    #[command(flatten)]
    verbosity: Verbosity,
}

fn main() -> ExitCode {
    let args = Args::parse();
    common::logging::init(&args.verbosity);
    let hints = Hints::client(LESSON, args.server.server_flags());
    let start_server = format!(
        "cargo run -p {LESSON} --bin server{}",
        args.server.server_flags()
    );
    let result = run(&args).map_err(|err| match err.downcast_ref::<NoReply>() {
        Some(no_reply) => {
            let hint = no_reply.hint(&start_server);
            err.context(Hint(hint))
        }
        None => err,
    });
    report(result, &hints)
}

fn run(args: &Args) -> anyhow::Result<()> {
    let shutdown = Shutdown::install()?;
    let options = Options {
        timeout: args.timeout,
        retries: args.retries,
    };
    let mut client = Client::connect(args.server.addr()?, options, &shutdown)?;
    let inputs = messages(args, &shutdown);
    let mut stdout = std::io::stdout().lock();
    let mut echoed = 0u64;
    loop {
        let message = match inputs.recv() {
            Ok(Input::Message(message)) => message,
            Ok(Input::Failed(e)) => return Err(e).context("could not read standard input"),
            Ok(Input::End) | Err(_) => break,
        };
        match client.echo(&message)? {
            Outcome::Echoed { reply, .. } => {
                // One line per echo: the bytes as they came, then a newline.
                stdout
                    .write_all(&reply)
                    .and_then(|()| stdout.write_all(b"\n"))
                    .and_then(|()| stdout.flush())
                    .context("could not write to standard output")?;
                echoed += 1;
            }
            Outcome::Interrupted => break,
        }
    }
    if shutdown.is_requested() {
        log::info!("stopped by Ctrl-C after {echoed} echo(es)");
    } else {
        log::info!("done: {echoed} message(s) sent and echoed");
    }
    Ok(())
}

/// What the main loop gets from the input: a message, the end, or an error.
enum Input {
    Message(Vec<u8>),
    Failed(std::io::Error),
    End,
}

/// The messages to send, arriving on a channel: the arguments, or the lines
/// of standard input read on a thread. Ctrl-C sends `End` too, because a
/// thread blocked reading a terminal cannot be woken, but the main loop,
/// waiting on the channel, can.
fn messages(args: &Args, shutdown: &Shutdown) -> Receiver<Input> {
    let (tx, rx) = mpsc::channel();
    if !args.messages.is_empty() {
        for message in &args.messages {
            let _ = tx.send(Input::Message(message.as_bytes().to_vec()));
        }
        let _ = tx.send(Input::End);
        return rx;
    }
    if std::io::stdin().is_terminal() {
        log::info!("type lines to send, one datagram each; Ctrl-D ends");
    }
    let stop = tx.clone();
    let shutdown = shutdown.clone();
    thread::spawn(move || {
        // Wake up once an hour to wait again; Ctrl-C cuts the wait short.
        while !shutdown.wait_timeout(Duration::from_secs(3600)) {}
        let _ = stop.send(Input::End);
    });
    thread::spawn(move || {
        let mut stdin = std::io::stdin().lock();
        let mut line = Vec::new();
        loop {
            line.clear();
            // Bytes, not text: a line that is not UTF-8 is sent as it is.
            match stdin.read_until(b'\n', &mut line) {
                Ok(0) => break,
                Ok(_) => {
                    if line.last() == Some(&b'\n') {
                        line.pop();
                    }
                    if tx.send(Input::Message(line.clone())).is_err() {
                        return;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let _ = tx.send(Input::Failed(e));
                    return;
                }
            }
        }
        let _ = tx.send(Input::End);
    });
    rx
}
