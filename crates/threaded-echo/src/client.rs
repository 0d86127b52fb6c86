//! The threaded-echo client: a prompt, a typed line, its echo; again, until
//! `/end` or the end of input.
//!
//! Like the tutorial's client it takes turns: show the prompt, read a line,
//! send it, wait for its echo, and only then show the next prompt. Unlike
//! it, the receiving runs on a thread of its own, so that a message the
//! server sends *between* turns (it closes a client that stays silent too
//! long, and says so) is printed the moment it comes, even while the
//! client sits waiting for you to type.
//!
//! ```text
//!   main thread                  input thread          receive thread
//!   prompt "msg: " ────ask────>  read a line
//!   send(line)     <───line────
//!                                                      recv() -> echo, print it
//!   (echo complete) <───────────────────────echoed────
//!   prompt "msg: " ────ask────>  ...
//!   ...
//!   "/end" echoed: shutdown(Write)                     recv() -> 0
//!   done            <───────────────────────closed────
//! ```

use std::io::{self, BufRead, Read, Write};
use std::net::SocketAddr;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result};
use common::Shutdown;
use socket2::{Domain, Protocol, Socket, Type};

/// The prompt shown before each line, on standard error (the tutorial's
/// `input('msg:')`).
pub const PROMPT: &str = "msg: ";

/// The longest piece of input sent at once. A longer line is sent in
/// pieces, each echoed before the next goes, so the client's memory stays
/// bounded too.
pub const MAX_PIECE: usize = 16 * 1024;

/// After `/end` or the end of input, how long to wait for the server to
/// close before closing anyway. Ours closes at once; another server may not.
pub const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// We sent `/end`, got it back, and the connection closed.
    End,
    /// Our input ended (Ctrl-D, or the end of a file); everything sent was
    /// echoed and the connection closed.
    InputEnded,
    /// The server closed the connection first (it was stopped, or closed
    /// us for being idle, busy or sending too long a line), or sent back
    /// something other than the echo of what we sent.
    ServerClosed,
    /// Ctrl-C or SIGTERM.
    Stopped,
}

/// `socket()` + `connect()`: a connected TCP socket to `addr`.
///
/// # Errors
///
/// When nothing listens there (connection refused), or it cannot be reached.
pub fn connect(addr: SocketAddr) -> Result<Socket> {
    // ANCHOR: connect
    // socket(): a TCP socket of the server's family (IPv4 or IPv6).
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .context("could not create a TCP socket")?;
    // connect(): the three-way handshake. The server's accept() returns, and
    // it starts a thread just for us.
    socket
        .connect(&addr.into())
        .with_context(|| format!("could not connect to {addr}"))?;
    // ANCHOR_END: connect
    log::info!("connected to {addr}; type a line, /end or Ctrl-D to finish");
    Ok(socket)
}

/// True for a line that ends the session: `/end`, with or without its line
/// ending.
pub fn is_end(line: &[u8]) -> bool {
    matches!(line, b"/end" | b"/end\n" | b"/end\r\n")
}

/// What the two helper threads tell the main thread.
enum Event {
    /// A line of input (or a piece of a very long one). Empty: end of input.
    Input(Vec<u8>),
    /// Reading the input failed.
    InputFailed(io::Error),
    /// This many bytes came from the server and were printed.
    Received(usize),
    /// The server closed the connection (`Ok`), or it broke (`Err`).
    Closed(io::Result<()>),
}

/// Where the main thread is in the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// The prompt is shown; waiting for a line.
    Typing,
    /// A line was sent; this many bytes of its echo are still to come.
    /// `last` when the line was `/end`.
    Echo { owed: usize, last: bool },
    /// We half-closed; waiting for the server to close.
    Closing(Ending),
}

/// Runs one session on a connected `socket`: lines from `input` go out, the
/// echo goes to `output`, the prompt to `prompt` (when given).
///
/// # Errors
///
/// When the connection breaks (a reset, say), or reading the input or
/// writing the output fails.
pub fn session<R, W>(
    socket: Socket,
    input: R,
    output: W,
    mut prompt: Option<Box<dyn Write>>,
    shutdown: &Shutdown,
) -> Result<Ending>
where
    R: BufRead + Send + 'static,
    W: Write + Send + 'static,
{
    // Ctrl-C shuts the socket down: the receive thread sees the close.
    let _watch = shutdown.watch(&socket)?;
    let (events_tx, events) = mpsc::channel();

    // ANCHOR: threads
    // The receive thread owns a second handle to the same socket (dup(2)):
    // one thread only receives, the main thread only sends.
    let receiving = socket
        .try_clone()
        .context("could not share the socket with the receiving thread")?;
    let to_main = events_tx.clone();
    let receiver = thread::spawn(move || receive(&receiving, output, &to_main));

    // The input thread reads one line each time the main thread asks. It
    // is never joined: it may sit in a read of the terminal that nothing can
    // interrupt, and leaving main ends it.
    let (ask, asked) = mpsc::channel::<()>();
    thread::spawn(move || read_input(input, &asked, &events_tx));
    // ANCHOR_END: threads

    // True while the prompt is the last thing on the terminal's line.
    let mut prompt_pending = false;
    let ask_for_line = |prompt: &mut Option<Box<dyn Write>>, pending: &mut bool| {
        if let Some(p) = prompt {
            // A prompt that cannot be shown is not worth stopping for.
            let _ = p.write_all(PROMPT.as_bytes()).and_then(|()| p.flush());
            *pending = true;
        }
        // The input thread is gone only after the end of input: then
        // nobody needs to be asked anything.
        let _ = ask.send(());
    };

    ask_for_line(&mut prompt, &mut prompt_pending);
    // Bytes sent and received: an echo gives back exactly what was sent,
    // so more (or less) means the server spoke for itself before closing.
    let (mut sent, mut received) = (0usize, 0usize);
    let mut state = State::Typing;
    // ANCHOR: turns
    let closed = loop {
        let event = match state {
            // Half-closed: the server should close soon; if it does not,
            // close ourselves. The receive thread then sees the end.
            State::Closing(_) => match events.recv_timeout(CLOSE_WAIT) {
                Ok(event) => event,
                Err(RecvTimeoutError::Timeout) => {
                    log::warn!("the server did not close the connection; closing it");
                    let _ = socket.shutdown(std::net::Shutdown::Both);
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => break Ok(()),
            },
            _ => match events.recv() {
                Ok(event) => event,
                Err(_) => break Ok(()),
            },
        };
        match event {
            // End of input: shutdown(Write) tells the server "no more"; it
            // closes once it has echoed everything.
            Event::Input(line) if line.is_empty() => {
                let _ = socket.shutdown(std::net::Shutdown::Write);
                state = State::Closing(Ending::InputEnded);
            }
            // send(): the line, newline included, in one write_all().
            Event::Input(line) => {
                prompt_pending = false; // the terminal echoed the typed line
                if let Err(e) = (&socket).write_all(&line) {
                    if shutdown.is_requested() {
                        state = State::Closing(Ending::Stopped);
                        continue;
                    }
                    return Err(e).context("could not send the line");
                }
                sent += line.len();
                state = State::Echo {
                    owed: line.len(),
                    last: is_end(&line),
                };
            }
            Event::InputFailed(e) => return Err(e).context("could not read the input"),
            Event::Received(n) => {
                received += n;
                prompt_pending = false;
                if let State::Echo { owed, last } = state {
                    let owed = owed.saturating_sub(n);
                    state = match (owed, last) {
                        (0, false) => {
                            ask_for_line(&mut prompt, &mut prompt_pending);
                            State::Typing
                        }
                        // `/end` came back: the session is over. Half-close
                        // and let the server close too.
                        (0, true) => {
                            let _ = socket.shutdown(std::net::Shutdown::Write);
                            State::Closing(Ending::End)
                        }
                        (owed, last) => State::Echo { owed, last },
                    };
                }
                // Bytes while no echo is owed are the server's own words
                // (idle, busy): the receive thread has printed them already.
            }
            Event::Closed(result) => break result,
        }
    };
    // ANCHOR_END: turns

    if prompt_pending {
        if let Some(p) = &mut prompt {
            // End the prompt's line, so that the next log line starts clean.
            let _ = p.write_all(b"\n");
        }
    }
    // The receive thread has sent `Closed`: it is done, so this returns at once.
    let _ = receiver.join();
    if shutdown.is_requested() {
        log::info!("stopped by Ctrl-C");
        return Ok(Ending::Stopped);
    }
    closed.context("the session ended with an error")?;
    let ending = match state {
        State::Closing(ending) if sent == received => ending,
        _ => Ending::ServerClosed,
    };
    match ending {
        Ending::End => log::info!("session ended with /end"),
        Ending::InputEnded => log::info!("end of input: session closed"),
        Ending::ServerClosed => log::warn!("the server closed the connection"),
        Ending::Stopped => log::info!("stopped by Ctrl-C"),
    }
    Ok(ending)
}

/// The receive thread: print what arrives, tell the main thread, until the
/// server closes.
fn receive<W: Write>(socket: &Socket, mut output: W, events: &Sender<Event>) {
    // ANCHOR: receive
    let mut buffer = [0u8; 4096];
    let result = loop {
        // recv(): 0 bytes means the server closed; n bytes go out unchanged
        // (a Korean character split between two reads is rejoined by the
        // terminal, because we never decode anything).
        let n = match (&*socket).read(&mut buffer) {
            Ok(0) => break Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => break Err(e),
        };
        if let Err(e) = output.write_all(&buffer[..n]).and_then(|()| output.flush()) {
            break Err(io::Error::new(
                e.kind(),
                format!("could not write the echo out: {e}"),
            ));
        }
        if events.send(Event::Received(n)).is_err() {
            return; // the main thread has finished
        }
    };
    // ANCHOR_END: receive
    let _ = events.send(Event::Closed(result));
}

/// The input thread: each time it is asked, read one line (at most
/// [`MAX_PIECE`] bytes) and hand it over. An empty line means end of input.
fn read_input<R: BufRead>(mut input: R, asked: &Receiver<()>, events: &Sender<Event>) {
    while asked.recv().is_ok() {
        let mut line = Vec::new();
        // Bytes, not a String: input that is not UTF-8 is sent as it is.
        let event = match input
            .by_ref()
            .take(MAX_PIECE as u64)
            .read_until(b'\n', &mut line)
        {
            Ok(0) => Event::Input(Vec::new()),
            Ok(_) => Event::Input(line),
            Err(e) => Event::InputFailed(e),
        };
        let last = !matches!(&event, Event::Input(line) if !line.is_empty());
        if events.send(event).is_err() || last {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::{self, Options};
    use std::sync::{Arc, Mutex};

    /// A `Write` whose bytes the test can read afterwards.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().expect("lock").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Shared {
        fn bytes(&self) -> Vec<u8> {
            self.0.lock().expect("lock").clone()
        }
    }

    /// Runs a session against an in-process threaded-echo server.
    fn talk(input: &[u8]) -> (Ending, Vec<u8>, String) {
        let listener = server::listen("127.0.0.1:0".parse().expect("addr")).expect("listen");
        let addr = common::addr::local_addr(&listener).expect("addr");
        let stop = Shutdown::new();
        stop.wake_listener(addr);
        let options = Options {
            idle_timeout: Duration::from_secs(20),
            max_clients: 2,
            max_line: 64,
            buffer: crate::server::BUFFER,
        };
        let server = {
            let stop = stop.clone();
            thread::spawn(move || server::serve(&listener, &options, &stop))
        };
        let output = Shared::default();
        let prompt = Shared::default();
        let ending = session(
            connect(addr).expect("connect"),
            io::Cursor::new(input.to_vec()),
            output.clone(),
            Some(Box::new(prompt.clone())),
            &Shutdown::new(),
        )
        .expect("session");
        stop.trigger();
        server.join().expect("no panic").expect("server");
        let prompts = String::from_utf8_lossy(&prompt.bytes()).into_owned();
        (ending, output.bytes(), prompts)
    }

    /// Each line is echoed after its own prompt; `/end` ends the session and
    /// what follows it is never sent.
    #[test]
    fn lines_until_end() {
        let (ending, out, prompts) = talk(b"one\n\xed\x95\x9c\xff\n/end\nnever sent\n");
        assert_eq!(ending, Ending::End);
        assert_eq!(out, b"one\n\xed\x95\x9c\xff\n/end\n");
        assert_eq!(prompts, PROMPT.repeat(3));
    }

    /// The end of input closes the session after the last echo.
    #[test]
    fn end_of_input_closes() {
        let (ending, out, prompts) = talk(b"a\nno newline");
        assert_eq!(ending, Ending::InputEnded);
        assert_eq!(out, b"a\nno newline");
        // Ctrl-D prints no newline on a terminal, so the client ends the
        // prompt's line itself.
        assert_eq!(prompts, format!("{}\n", PROMPT.repeat(3)));
    }

    /// A line longer than a piece goes out in pieces; the server refuses it
    /// once it passes its bound, and the client reports the server's close.
    #[test]
    fn server_refusal_ends_the_session() {
        let long = vec![b'z'; MAX_PIECE + 10];
        let (ending, out, _) = talk(&long);
        assert_eq!(ending, Ending::ServerClosed);
        assert!(out.starts_with(&[b'z'; 64]), "the echo before the refusal");
        assert!(out.ends_with(server::too_long_message(64).as_bytes()));
    }

    /// Only `/end` itself ends a session.
    #[test]
    fn what_counts_as_end() {
        assert!(is_end(b"/end\n") && is_end(b"/end\r\n") && is_end(b"/end"));
        assert!(!is_end(b"/end \n") && !is_end(b"/ending\n") && !is_end(b"\n"));
    }
}
