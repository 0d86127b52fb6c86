//! The periodic-hello client: the server's mirror image. It sends
//! `hello server` every interval while a receiving thread prints what the
//! server sends; with a count it stops, half-closes and waits for the
//! server to close.
//!
//! Read [`connect`], then [`run`]. The two halves of the conversation are in
//! `src/duplex.rs`.

use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, Result};
use common::Shutdown;
use socket2::{Domain, Protocol, Socket, Type};

use crate::CLIENT_HELLO;
use crate::duplex::{self, End, Schedule, Stop};

/// How the client runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// The pause between two `hello server` messages (`--interval`).
    pub interval: Duration,
    /// Stop after this many messages (`--count`); `None` runs until Ctrl-C
    /// or until the server closes.
    pub count: Option<u64>,
}

/// How long, after the last message and the half-close, the client waits
/// for the server to close its side. This lesson's server closes at once;
/// tutorial 001's never does (see the chapter), and a client must not wait
/// for it forever.
pub const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

/// Parses `--count`: a whole number of messages, at least 1.
///
/// # Errors
///
/// A one-line message for clap, which then exits with code 2.
pub fn parse_count(text: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(0) => Err("the count must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(_) => Err("not a whole number of messages".into()),
    }
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
    // connect(): the three-way handshake with the server's kernel.
    socket
        .connect(&addr.into())
        .with_context(|| format!("could not connect to {addr}"))?;
    // ANCHOR_END: connect
    log::info!("connected to {addr}");
    Ok(socket)
}

/// Runs the lesson's client: connect to `addr`, talk both ways until the
/// count is reached, the server closes, or Ctrl-C; what the server sends is
/// written to `out` (standard output).
///
/// A server that closes, normally or by its own Ctrl-C, is not an error: the
/// client says so and returns `Ok`.
///
/// # Errors
///
/// When the connection cannot be made, the connection is reset, or `out`
/// cannot be written.
pub fn run<W>(addr: SocketAddr, options: &Options, shutdown: &Shutdown, out: W) -> Result<()>
where
    W: Write + Send + 'static,
{
    let socket = connect(addr)?;
    // Ctrl-C: shutdown() on the socket, a FIN to the server, and an end
    // of stream for our receiving thread.
    let _watch = shutdown.watch(&socket)?;
    let schedule = Schedule {
        message: CLIENT_HELLO,
        interval: options.interval,
        count: options.count,
    };
    // ANCHOR: talk
    // The receiving thread: what the server sends goes to `out`, as it comes.
    let receiver = duplex::spawn_receiver(&socket, addr, out)
        .context("could not start the receiving thread")?;

    // The sending loop, here, at the same time.
    let sent = duplex::send_every(&socket, addr, &schedule, &receiver, shutdown);
    // ANCHOR_END: talk

    let mut closed_by_us = false;
    if let Stop::Done = sent.stop {
        // ANCHOR: half_close
        // shutdown(Write), the half-close: "I have nothing more to send". The
        // server's recv() returns 0; we can still receive, and keep reading
        // until the server closes its side too. Closing both at once instead
        // could cut off hellos still on their way to us.
        if let Err(e) = socket.shutdown(std::net::Shutdown::Write) {
            // Only when the connection is gone already; the receiving thread
            // will have seen why, and says so below.
            log::debug!("half-close: {e}");
        }
        log::info!(
            "sent {}; waiting for the server to close",
            duplex::messages(sent.messages)
        );
        if !receiver.wait_timeout(CLOSE_TIMEOUT) {
            log::warn!(
                "the server has not closed the connection {CLOSE_TIMEOUT:?} after our \
                 half-close; closing it ourselves"
            );
            closed_by_us = true;
        }
        // ANCHOR_END: half_close
    }

    // shutdown(Both): ends the receiving thread if it still waits in recv()
    // (after a failed send, or when the server would not close), so that it
    // can be joined. "Not connected" just means the server went first.
    if let Err(e) = socket.shutdown(std::net::Shutdown::Both) {
        log::debug!("shutdown: {e}");
    }
    let received = receiver.join();
    let summary = duplex::summary(&received, &sent);

    if shutdown.is_requested() {
        log::info!("stopped by Ctrl-C; closed the connection to {addr}; {summary}");
        return Ok(());
    }
    match (&sent.stop, received.end) {
        (_, End::Failed(e)) => {
            log::info!("before the connection was lost: {summary}");
            Err(e).with_context(|| format!("lost the connection to {addr}"))
        }
        // Whatever read our output (`| head -1`, say) has stopped. Only the
        // text of the io::Error is kept: the network hint for a broken pipe
        // would be wrong here.
        (_, End::Output(e)) => Err(anyhow::anyhow!("could not write to standard output: {e}")),
        (Stop::SendFailed(e), End::Closed) => {
            log::info!("the server closed the connection (a send failed: {e}); {summary}");
            Ok(())
        }
        (_, End::Closed) if closed_by_us => {
            log::info!("closed the connection to {addr}; {summary}");
            Ok(())
        }
        (_, End::Closed) => {
            log::info!("the server closed the connection; {summary}");
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{self, Read};
    use std::net::TcpListener;
    use std::thread;

    /// A peer that sends `greetings` hellos, then reads until our half-close
    /// and closes; returns what it received.
    fn polite_server(greetings: usize) -> (SocketAddr, thread::JoinHandle<Vec<u8>>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let handle = thread::spawn(move || {
            let (mut conn, _) = listener.accept().expect("accept");
            for _ in 0..greetings {
                conn.write_all(b"hello client\n").expect("send");
            }
            let mut got = Vec::new();
            conn.read_to_end(&mut got).expect("read");
            got
        });
        (addr, handle)
    }

    /// Counts are whole numbers from 1.
    #[test]
    fn counts() {
        assert_eq!(parse_count("5"), Ok(5));
        assert!(parse_count("0").is_err());
        assert!(parse_count("-1").is_err());
        assert!(parse_count("many").is_err());
    }

    /// With a count, the client sends exactly that many hellos, half-closes,
    /// and returns Ok once the server has closed.
    #[test]
    fn count_sends_exactly_n_then_half_closes() {
        let (addr, server) = polite_server(2);
        let options = Options {
            interval: Duration::from_millis(1),
            count: Some(4),
        };
        run(addr, &options, &Shutdown::new(), io::sink()).expect("clean run");
        assert_eq!(
            server.join().expect("no panic"),
            b"hello server\n".repeat(4)
        );
    }

    /// A server that never closes does not make the client hang: it gives up
    /// after CLOSE_TIMEOUT and still succeeds.
    #[test]
    fn a_server_that_never_closes_is_not_waited_for_forever() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (client_done, wait_for_client) = std::sync::mpsc::channel::<()>();
        let server = thread::spawn(move || {
            let (conn, _) = listener.accept().expect("accept");
            // Read up to the client's half-close, then keep the connection
            // open (as tutorial 001's server does) until the client is done.
            let mut buf = Vec::new();
            (&conn).read_to_end(&mut buf).expect("read");
            let _ = wait_for_client.recv();
            buf.len()
        });
        let options = Options {
            interval: Duration::from_millis(1),
            count: Some(1),
        };
        let start = std::time::Instant::now();
        run(addr, &options, &Shutdown::new(), io::sink()).expect("clean run");
        assert!(start.elapsed() >= CLOSE_TIMEOUT);
        client_done.send(()).expect("server still waiting");
        assert_eq!(server.join().expect("no panic"), CLIENT_HELLO.len());
    }
}
