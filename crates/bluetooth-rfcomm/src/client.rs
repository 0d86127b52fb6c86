//! The RFCOMM echo client: connect to a device and channel, send each line of
//! input, print its echo.
//!
//! Two things differ from the TCP clients. First, RFCOMM has no half-close:
//! `shutdown(Write)` closes the whole channel, so the client cannot say "no
//! more data" and keep reading. It must know when the echo is complete, and
//! it does: it sends a piece of a line, then receives exactly as many bytes
//! back before it sends more. Second, nothing can be looked up: the client
//! needs the server's device address and channel (see the chapter on SDP).

use std::io::{self, BufRead, Read, Write};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result};
use common::Shutdown;
use common::error::Hint;
use common::text::bytes;
use socket2::Socket;

use crate::addr::BdAddr;
use crate::sockaddr::rfcomm_addr;

/// The most bytes sent before we wait for their echo. Because the client never
/// has more than this "in flight", neither side can block sending while the
/// other is blocked sending too, however long a line is.
pub const CHUNK: usize = crate::BUFFER;

/// Runs the client: connect to `device` on `channel`, then for each line of
/// `input` send it and copy its echo to `output`. Ends at the end of input,
/// or at Ctrl-C, by closing the connection.
///
/// # Errors
///
/// When there is no Bluetooth, the connection fails or breaks, or the server
/// closes before it has echoed everything.
pub fn run<R, W>(
    device: BdAddr,
    channel: u8,
    input: R,
    mut output: W,
    shutdown: &Shutdown,
) -> Result<()>
where
    R: BufRead + Send + 'static,
    W: Write,
{
    // ANCHOR: connect
    // socket(): AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM (see lib.rs).
    let socket = crate::rfcomm_socket()?;
    // A refused connect can take up to 30 s over Bluetooth: let Ctrl-C cut
    // it short (on Ctrl-C, common::Shutdown calls shutdown() on the socket).
    let _watch = shutdown.watch(&socket)?;

    // connect(): page the device (call it by radio), then open an RFCOMM
    // channel to it. With real hardware this can take a second or two.
    log::info!("connecting to {device} channel {channel}");
    if let Err(e) = socket.connect(&rfcomm_addr(device, channel)) {
        if shutdown.is_requested() {
            log::info!("stopped by Ctrl-C while connecting");
            return Ok(());
        }
        return Err(connect_error(e, device, channel));
    }
    log::info!("connected to {device} channel {channel}");
    // ANCHOR_END: connect

    let events = input_events(input, shutdown);
    let mut sent = 0usize;
    // ANCHOR: lines
    for event in events {
        match event {
            Event::Line(line) => {
                echo_line(&socket, &line, &mut output, shutdown)?;
                if shutdown.is_requested() {
                    break;
                }
                sent += line.len();
            }
            Event::End => break,
            Event::Interrupted => break,
            Event::Failed(e) => return Err(e).context("could not read standard input"),
        }
    }
    // close(): the end of input (or Ctrl-C) closes the channel, and the
    // server's recv() reports the end of the stream. Only now: RFCOMM has
    // no half-close, so closing earlier would have lost the echo.
    drop(socket);
    // ANCHOR_END: lines
    if shutdown.is_requested() {
        log::info!("stopped by Ctrl-C after {} sent and echoed", bytes(sent));
    } else {
        log::info!("end of input: {} sent and echoed; closed", bytes(sent));
    }
    Ok(())
}

/// The error for a failed `connect()`, with a Bluetooth hint where one fits.
fn connect_error(e: io::Error, device: BdAddr, channel: u8) -> anyhow::Error {
    let hint = crate::connect_hint(&e, device);
    let err = anyhow::Error::new(e);
    let err = match hint {
        Some(hint) => err.context(Hint(hint)),
        None => err,
    };
    err.context(format!("could not connect to {device} channel {channel}"))
}

/// Sends one line and copies exactly its echo to `output`, `CHUNK` bytes at
/// a time. Returns early, without error, on Ctrl-C.
///
/// # Errors
///
/// When sending or receiving fails, or the server closes before the whole
/// line has come back.
pub fn echo_line<W: Write>(
    socket: &Socket,
    line: &[u8],
    output: &mut W,
    shutdown: &Shutdown,
) -> Result<()> {
    let mut buffer = [0u8; CHUNK];
    // ANCHOR: echo_line
    for piece in line.chunks(CHUNK) {
        // send(): write_all() repeats send() until the whole piece is out.
        match (&*socket).write_all(piece) {
            Ok(()) => {}
            // Ctrl-C: common::Shutdown shut the socket down under us.
            Err(_) if shutdown.is_requested() => return Ok(()),
            Err(e) if server_closed(&e) => return Err(server_gone(0, piece.len())),
            Err(e) => return Err(e).context("could not send"),
        }
        // recv() until as many bytes came back as we sent: one recv() may
        // return less (the tutorial's single recv(1024) cuts a long line).
        let mut echoed = 0;
        while echoed < piece.len() {
            let want = piece.len() - echoed;
            let n = match (&*socket).read(&mut buffer[..want]) {
                _ if shutdown.is_requested() => return Ok(()),
                // The server closed before the echo was complete.
                Ok(0) => return Err(server_gone(echoed, piece.len())),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if server_closed(&e) => return Err(server_gone(echoed, piece.len())),
                Err(e) => return Err(e).context("could not receive the echo"),
            };
            output
                .write_all(&buffer[..n])
                .context("could not write to standard output")?;
            echoed += n;
        }
    }
    // ANCHOR_END: echo_line
    // The line is complete: show it now, even when stdout is a pipe.
    output
        .flush()
        .context("could not write to standard output")?;
    Ok(())
}

/// Errors that mean "the server has closed the connection". Over RFCOMM the
/// server's close reaches us as "connection reset" (ECONNRESET, see
/// `server::echo_until_closed`), and a send after it fails with "broken
/// pipe" or "not connected".
fn server_closed(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe | io::ErrorKind::NotConnected
    )
}

/// The error for a server that closed before the whole echo came back.
fn server_gone(echoed: usize, expected: usize) -> anyhow::Error {
    anyhow::anyhow!(
        "the server closed the connection before echoing everything \
         ({echoed} of {expected} bytes came back)"
    )
    .context(Hint(
        "the lesson's server serves one client and then exits, or it was stopped \
         with Ctrl-C: start the server again, then the client"
            .into(),
    ))
}

/// What the main loop waits for: a line of input, its end, or Ctrl-C.
enum Event {
    /// One line, with its newline (the last line may have none).
    Line(Vec<u8>),
    /// The input ended (Ctrl-D in a terminal).
    End,
    /// Ctrl-C or SIGTERM.
    Interrupted,
    /// Reading the input failed.
    Failed(io::Error),
}

/// Reads `input` on a thread of its own and turns it, and Ctrl-C, into
/// events on one channel.
///
/// Why threads? Reading a terminal blocks, and nothing (not even Ctrl-C, whose
/// handler restarts the read) can wake a thread blocked there. So the main
/// loop waits on a channel instead, that both the input thread and a Ctrl-C
/// thread can send to. Neither thread is joined: when `main` returns, the
/// process ends and they end with it.
fn input_events<R: BufRead + Send + 'static>(
    mut input: R,
    shutdown: &Shutdown,
) -> mpsc::Receiver<Event> {
    let (tx, rx) = mpsc::channel();
    let lines = tx.clone();
    thread::spawn(move || {
        loop {
            // Lines as bytes, not Strings: invalid UTF-8 is sent unchanged.
            let mut line = Vec::new();
            let event = match input.read_until(b'\n', &mut line) {
                Ok(0) => Event::End,
                Ok(_) => Event::Line(line),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => Event::Failed(e),
            };
            let last = !matches!(event, Event::Line(_));
            if lines.send(event).is_err() || last {
                return;
            }
        }
    });
    let shutdown = shutdown.clone();
    thread::spawn(move || {
        // Sleeps until Ctrl-C, in hour-long naps.
        while !shutdown.wait_timeout(Duration::from_secs(3600)) {}
        let _ = tx.send(Event::Interrupted);
    });
    rx
}

// echo_line() takes any connected stream socket, so it is tested here over
// TCP on loopback (this machine has no Bluetooth; the VM test runs it over
// RFCOMM).
#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{TcpListener, TcpStream};

    /// A peer that runs `serve` on the accepted connection; returns our end.
    fn peer(serve: impl FnOnce(TcpStream) + Send + 'static) -> Socket {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        thread::spawn(move || {
            let (conn, _) = listener.accept().expect("accept");
            serve(conn);
        });
        Socket::from(TcpStream::connect(addr).expect("connect"))
    }

    /// A server that echoes one byte per send: the client still gets each
    /// line whole, however the echo is cut up, because it reads until it has
    /// as many bytes as it sent.
    #[test]
    fn a_line_comes_back_whole_however_it_is_cut() {
        let socket = peer(|mut conn| {
            let mut byte = [0u8; 1];
            while conn.read_exact(&mut byte).is_ok() {
                conn.write_all(&byte).expect("echo");
            }
        });
        let line: Vec<u8> = (0..3000u32).map(|i| b'a' + (i % 26) as u8).collect();
        let mut out = Vec::new();
        echo_line(&socket, &line, &mut out, &Shutdown::new()).expect("echo");
        assert!(out == line);
    }

    /// A server that closes after half the echo: a clear error that says
    /// how much came back, with a hint, not a hang and not a silent short
    /// line.
    #[test]
    fn a_server_that_stops_early_is_an_error() {
        let socket = peer(|mut conn| {
            let mut two = [0u8; 2];
            conn.read_exact(&mut two).expect("read");
            conn.write_all(&two).expect("echo");
            // Read the rest, so that closing sends FIN, not a reset.
            let mut rest = [0u8; 2];
            conn.read_exact(&mut rest).expect("read");
        });
        let mut out = Vec::new();
        let err = echo_line(&socket, b"abcd", &mut out, &Shutdown::new()).expect_err("short");
        let text = format!("{err:#}");
        assert!(text.contains("2 of 4 bytes came back"), "{text}");
        let hint = err.downcast_ref::<Hint>().expect("a hint");
        assert!(hint.0.contains("start the server again"), "{}", hint.0);
        assert_eq!(out, b"ab");
    }

    /// Ctrl-C while waiting for an echo that never comes: echo_line returns
    /// at once, without an error.
    #[test]
    fn ctrl_c_ends_the_wait_for_an_echo() {
        let (tx, rx) = mpsc::channel::<()>();
        let socket = peer(move |conn| {
            // Never answers; keeps the connection open until the test ends.
            let _ = rx.recv();
            drop(conn);
        });
        let shutdown = Shutdown::new();
        let _watch = shutdown.watch(&socket).expect("watch");
        let waiter = {
            let shutdown = shutdown.clone();
            thread::spawn(move || {
                let mut out = Vec::new();
                echo_line(&socket, b"hello?", &mut out, &shutdown).map_err(|e| e.to_string())
            })
        };
        shutdown.trigger();
        assert_eq!(waiter.join().expect("no panic"), Ok(()));
        let _ = tx.send(());
    }

    /// Input becomes one event per line, as bytes (invalid UTF-8 included,
    /// the last line even without a newline), then the end.
    #[test]
    fn input_becomes_line_events() {
        let input = io::Cursor::new(b"one\n\xff\xfe\nlast".to_vec());
        let events: Vec<String> = input_events(input, &Shutdown::new())
            .iter()
            .map(|event| match event {
                Event::Line(line) => format!("{line:?}"),
                Event::End => "end".into(),
                Event::Interrupted => "ctrl-c".into(),
                Event::Failed(e) => format!("failed: {e}"),
            })
            .take(4)
            .collect();
        assert_eq!(
            events,
            [
                format!("{:?}", b"one\n".to_vec()),
                format!("{:?}", b"\xff\xfe\n".to_vec()),
                format!("{:?}", b"last".to_vec()),
                "end".to_string(),
            ]
        );
    }
}
