//! The periodic-hello server: accept a client, then talk both ways at once
//! (a receiving thread logs what the client sends while this thread sends
//! `hello client` every interval), and go back to accepting when it leaves.
//!
//! Read [`listen`], then [`serve`], then [`talk_with`]: the socket calls come
//! in that order. The two halves of the conversation are in `src/duplex.rs`.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, Result};
use common::Shutdown;
use common::addr::local_addr;
use socket2::{Domain, Protocol, Socket, Type};

use crate::SERVER_HELLO;
use crate::duplex::{self, End, Schedule, Stop};

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// The pause between two `hello client` messages (`--interval`).
    pub interval: Duration,
}

/// How many clients may wait in the `listen()` queue while one is served.
pub const BACKLOG: i32 = 5;

/// Creates the listening socket: `socket()`, `SO_REUSEADDR`, `bind()`, `listen()`.
///
/// # Errors
///
/// When the address is in use, not on this machine, or needs privileges.
pub fn listen(addr: SocketAddr) -> Result<Socket> {
    // ANCHOR: listen
    // socket(): a TCP socket of the address's family (IPv4 or IPv6), what
    // Python calls socket(AF_INET, SOCK_STREAM).
    let listener = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .context("could not create a TCP socket")?;

    // SO_REUSEADDR, as in the tutorial: restarting the server right after
    // Ctrl-C works even while old connections linger in TIME_WAIT. (Unix
    // meaning; on Windows the option is riskier, so it stays off there.)
    #[cfg(unix)]
    listener
        .set_reuse_address(true)
        .context("could not set SO_REUSEADDR")?;

    // bind(): claim the address and port (port 0: the kernel picks one).
    listener
        .bind(&addr.into())
        .with_context(|| format!("could not listen on {addr}"))?;

    // listen(): the kernel now completes handshakes for us. Clients that
    // connect while we talk to someone else wait in this queue.
    listener
        .listen(BACKLOG)
        .with_context(|| format!("could not listen on {addr}"))?;
    // ANCHOR_END: listen
    Ok(listener)
}

/// Runs the lesson: listen on `addr` and serve clients until Ctrl-C.
///
/// # Errors
///
/// When the listening socket cannot be set up or `accept()` fails for good.
pub fn run(addr: SocketAddr, options: &Options, shutdown: &Shutdown) -> Result<()> {
    let listener = listen(addr)?;
    let local = local_addr(&listener)?;
    common::logging::listening(local);
    // Ctrl-C wakes the blocked accept() by connecting to us (common::shutdown).
    shutdown.wake_listener(local);
    serve(&listener, options, shutdown)
}

/// The accept loop: one client at a time, until Ctrl-C.
///
/// # Errors
///
/// When `accept()` fails in a way that retrying cannot fix, or a connection
/// cannot be watched for Ctrl-C (out of file descriptors).
pub fn serve(listener: &Socket, options: &Options, shutdown: &Shutdown) -> Result<()> {
    let mut served = 0u64;
    // ANCHOR: accept_loop
    loop {
        log::info!("waiting for a client");
        // accept(): wait for the next client; it gets a socket of its own.
        let (conn, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            // A client that gave up while queued, or a signal: try again.
            Err(e) if is_transient(&e) => continue,
            Err(e) => return Err(e).context("accept() failed"),
        };
        if shutdown.is_requested() {
            break; // that was our own wake-up call; see common::shutdown
        }
        let peer = peer.as_socket().context("the client has no IP address")?;
        log::info!("{peer} connected");
        // Ctrl-C during this client: shutdown() on the connection, which
        // sends the client a FIN and ends our receiving thread's recv().
        let watch = shutdown.watch(&conn)?;

        talk_with(&conn, peer, options, shutdown);

        // close(): the last handles to this client's socket go away here.
        drop(watch);
        drop(conn);
        served += 1;
        if shutdown.is_requested() {
            break;
        }
    }
    // ANCHOR_END: accept_loop
    // Clients still queued in listen() would get a reset when we exit; give
    // them a proper close instead (see common::shutdown::close_queued). One
    // of them may be our own wake-up connection.
    let queued = common::shutdown::close_queued(listener);
    // After a Ctrl-C during a client, one of them is our own wake-up call.
    let waiting = if shutdown.is_requested() {
        queued.saturating_sub(1)
    } else {
        queued
    };
    if waiting > 0 {
        log::info!("closed {waiting} queued connection(s)");
    }
    log::info!("server stopped after {served} client(s)");
    Ok(())
}

/// Errors of `accept()` that concern one client only, or nobody.
fn is_transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted | io::ErrorKind::Interrupted
    )
}

/// One client's whole visit: receive on a thread, send here, until one of
/// the two ends; then close and log how the client went away.
///
/// Nothing a client does can stop the server, so this returns no error: a
/// failure is logged, and the server goes back to accepting.
pub fn talk_with(conn: &Socket, peer: SocketAddr, options: &Options, shutdown: &Shutdown) {
    let schedule = Schedule {
        message: SERVER_HELLO,
        interval: options.interval,
        count: None,
    };
    // ANCHOR: talk
    // The receiving thread: logs every message the client sends. The server
    // only logs them, so the bytes themselves go to io::sink().
    let receiver = match duplex::spawn_receiver(conn, peer, io::sink()) {
        Ok(receiver) => receiver,
        Err(e) => {
            log::warn!("could not start a receiving thread for {peer}: {e}");
            return;
        }
    };

    // The sending loop, on this thread, at the same time: hello client,
    // pause, hello client... until the client goes away or Ctrl-C.
    let sent = duplex::send_every(conn, peer, &schedule, &receiver, shutdown);
    // Had the client closed before we stopped? Then that, not a failed
    // send, is the news (the send may have failed *because* it closed).
    let client_closed_first = receiver.has_ended();

    // shutdown(Both): a FIN to the client after our last hello, and, should
    // the receiving thread still be in recv() (after a failed send), it makes
    // that recv() return 0 so the thread ends and can be joined.
    if let Err(e) = conn.shutdown(std::net::Shutdown::Both) {
        // "Not connected": the client is already completely gone. Fine.
        log::debug!("shutdown of {peer}: {e}");
    }
    let received = receiver.join();
    // ANCHOR_END: talk

    let summary = duplex::summary(&received, &sent);
    match (&sent.stop, &received.end) {
        (Stop::Interrupted, _) => {
            log::info!("closed the connection to {peer} (Ctrl-C); {summary}");
        }
        (_, End::Failed(e)) => log::warn!("{peer} went away abruptly ({e}); {summary}"),
        (Stop::SendFailed(e), _) if !client_closed_first => {
            log::info!("{peer} went away (a send failed: {e}); {summary}");
        }
        _ => log::info!("{peer} went away (it closed the connection); {summary}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::thread;

    fn start(interval: Duration) -> (SocketAddr, Shutdown, thread::JoinHandle<Result<()>>) {
        let listener = listen("127.0.0.1:0".parse().expect("addr")).expect("listen");
        let addr = local_addr(&listener).expect("addr");
        let shutdown = Shutdown::new();
        shutdown.wake_listener(addr);
        let handle = {
            let shutdown = shutdown.clone();
            thread::spawn(move || serve(&listener, &Options { interval }, &shutdown))
        };
        (addr, shutdown, handle)
    }

    /// The server greets at once, keeps greeting, and closes (a FIN after
    /// whole hellos) when the client half-closes; then it serves the next one.
    #[test]
    fn greets_and_closes_when_the_client_half_closes() {
        let (addr, shutdown, handle) = start(Duration::from_millis(5));
        for _ in 0..2 {
            let mut client = TcpStream::connect(addr).expect("connect");
            let mut first = [0u8; 13];
            client.read_exact(&mut first).expect("first hello");
            assert_eq!(&first, SERVER_HELLO);
            client.write_all(b"hello server\n").expect("send");
            client
                .shutdown(std::net::Shutdown::Write)
                .expect("half-close");
            let mut rest = Vec::new();
            client.read_to_end(&mut rest).expect("a clean close");
            assert_eq!(rest.len() % SERVER_HELLO.len(), 0, "a hello was cut");
            assert!(rest.chunks(13).all(|c| c == SERVER_HELLO));
        }
        shutdown.trigger();
        handle.join().expect("no panic").expect("clean stop");
    }

    /// Ctrl-C with a client connected: the client reads a clean close (end of
    /// stream, not a reset) and the server returns.
    #[test]
    fn ctrl_c_closes_the_client_cleanly() {
        let (addr, shutdown, handle) = start(Duration::from_secs(60));
        let mut client = TcpStream::connect(addr).expect("connect");
        let mut first = [0u8; 13];
        client.read_exact(&mut first).expect("first hello");
        shutdown.trigger();
        let mut rest = Vec::new();
        assert_eq!(client.read_to_end(&mut rest).map_err(|e| e.kind()), Ok(0));
        handle.join().expect("no panic").expect("clean stop");
    }

    /// A second bind to the same port fails with "address in use".
    #[test]
    fn port_in_use_is_an_error() {
        let first = listen("127.0.0.1:0".parse().expect("addr")).expect("listen");
        let addr = local_addr(&first).expect("addr");
        let err = listen(addr).expect_err("second bind must fail");
        let io = err.downcast_ref::<io::Error>().expect("an io error");
        assert_eq!(io.kind(), io::ErrorKind::AddrInUse);
        assert!(format!("{err:#}").contains(&addr.to_string()));
    }
}
