//! The threaded-echo client takes turns, as the tutorial's does: send a
//! line, wait for its echo, prompt again. But the server may speak out of
//! turn (it closes a client silent for too long, and says so) while the bare
//! client sits waiting for you to type; here a receive thread prints it at once.
//!
//! ```text
//!   input thread       main thread                   receive thread
//!   a line ─(asked)─>  send(line); echo back? <───── recv(): print, Received(n)
//!                      prompt, ask for the next line
//!   end of input ───>  shutdown(Write) ...           recv() = 0: Closed
//! ```

use std::io::{self, BufRead, Read, Write};
use std::sync::mpsc::{self, Sender};
use std::{net::SocketAddr, thread, time::Duration};

use anyhow::{Context, Result};
use common::{Shutdown, input::Input};
use socket2::{Domain, Socket, Type};

use crate::{CLOSE_WAIT, MAX_PIECE, PROMPT, lines::is_end};

/// `socket()` + `connect()`: a connected TCP socket to `addr`.
pub fn connect(addr: SocketAddr) -> Result<Socket> {
    let failed = || format!("could not connect to {addr}");
    // socket(): a TCP socket (a stream; protocol `None` is TCP) of the server's family.
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None).with_context(failed)?;
    // connect(): the three-way handshake; then the server's accept() returns
    // our connection, and it starts a thread just for us.
    socket.connect(&addr.into()).with_context(failed)?;
    log::info!("connected to {addr}; type a line, /end or Ctrl-D to finish");
    Ok(socket)
}

/// What the main thread waits for: input, bytes received (and printed), the close.
enum Event {
    Typed(Input),
    Received(usize),
    Closed(Result<()>),
}

/// One session on a connected `socket`: lines from `input` go out, the echo
/// goes to `output`, the prompt to `prompt` (when given).
pub fn session(
    socket: Socket,
    input: impl BufRead + Send + 'static,
    output: impl Write + Send + 'static,
    mut prompt: Option<Box<dyn Write>>,
    shutdown: &Shutdown,
) -> Result<()> {
    // Ctrl-C half-closes the socket (a FIN): the server closes in turn.
    let _watch = shutdown.watch(&socket)?;
    let (events_tx, events) = mpsc::channel();
    // ANCHOR: threads
    // The receive thread gets a second handle to the same socket (dup()):
    // it only receives, the main thread only sends.
    let receiving = socket.try_clone().context("could not share the socket")?;
    let to_main = events_tx.clone();
    thread::spawn(move || receive(receiving, output, &to_main));
    // common::input reads what is typed, on a thread of its own; this thread
    // pairs each request on `ask` with the next line, and passes it on.
    let typed = common::input::lines(input, MAX_PIECE, shutdown);
    let (ask, asked) = mpsc::channel::<()>();
    let forward = move |((), next)| events_tx.send(Event::Typed(next));
    thread::spawn(move || asked.iter().zip(typed).try_for_each(forward));
    // ANCHOR_END: threads
    // `closing`: we are done sending, and why (logged once the server has closed).
    let (mut sent, mut received, mut closing) = (0, 0, None);
    let mut prompt_shown = ask_next_line(&mut prompt, &ask);
    // ANCHOR: turns
    let closed = loop {
        // Wait for the next event: for ever, or CLOSE_WAIT once we have half-closed.
        let wait = closing.map_or(Duration::MAX, |_| CLOSE_WAIT);
        let Ok(event) = events.recv_timeout(wait) else {
            log::warn!("the server did not close the connection");
            break Ok(());
        };
        match event {
            Event::Typed(Input::Line(line)) => {
                // send(): write_all() repeats send() until the whole line is out.
                match (&socket).write_all(&line) {
                    Err(_) if shutdown.is_requested() => break Ok(()),
                    result => result.context("could not send the line")?,
                }
                (sent, prompt_shown) = (sent + line.len(), false);
                if is_end(&line) {
                    closing = Some("session ended with /end"); // the server answers, then closes
                }
            }
            // Ctrl-C: `_watch` has half-closed the socket; the server closes too.
            Event::Typed(Input::Interrupted) => {}
            // The end of the input (Ctrl-D): shutdown(Write) tells the server
            // "no more from me"; it closes once all is echoed.
            Event::Typed(Input::End) => {
                let _ = socket.shutdown(std::net::Shutdown::Write);
                closing = Some("end of input: session closed");
            }
            Event::Typed(Input::Failed(e)) => return Err(e).context("could not read the input"),
            Event::Received(n) => {
                (received, prompt_shown) = (received + n, false);
                // The echo of all we sent is back: this turn is over.
                if received == sent && closing.is_none() {
                    prompt_shown = ask_next_line(&mut prompt, &ask);
                }
            }
            Event::Closed(result) => break result,
        }
    };
    // ANCHOR_END: turns
    if let (true, Some(p)) = (prompt_shown, &mut prompt) {
        let _ = p.write_all(b"\n"); // end the prompt's line before the log's
    }
    match closing {
        _ if shutdown.is_requested() => log::info!("stopped by Ctrl-C"),
        Some(why) if received == sent => log::info!("{why}"),
        _ => log::warn!("the server closed the connection"),
    }
    closed
}

/// Asks for the next line, and shows the prompt if there is one (then true).
fn ask_next_line(prompt: &mut Option<Box<dyn Write>>, ask: &Sender<()>) -> bool {
    let _ = ask.send(()); // fails only once the input has ended
    let show = |p: &mut Box<dyn Write>| p.write_all(PROMPT.as_bytes()).and_then(|()| p.flush());
    prompt.as_mut().is_some_and(|p| show(p).is_ok())
}

/// The receive thread: print what arrives and tell the main thread, until
/// the server closes.
fn receive(socket: Socket, mut output: impl Write, events: &Sender<Event>) {
    // ANCHOR: receive
    let mut buffer = [0u8; 4096];
    let result = loop {
        // recv(): 0 bytes means the server closed. Bytes are printed as they
        // came, never decoded: a character cut between two reads is whole again.
        let n = match (&socket).read(&mut buffer) {
            Ok(0) => break Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => break Err(e).context("the connection to the server broke"),
        };
        if let Err(e) = output.write_all(&buffer[..n]).and_then(|()| output.flush()) {
            break Err(e).context("could not write to standard output");
        }
        let _ = events.send(Event::Received(n)); // fails once main has finished
    };
    // ANCHOR_END: receive
    let _ = events.send(Event::Closed(result));
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
