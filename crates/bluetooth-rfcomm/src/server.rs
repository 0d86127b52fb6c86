//! The RFCOMM echo server: listen on a channel, accept one client, send back
//! every byte it sends until it closes.
//!
//! Read [`listen`], then [`run`], then [`echo_until_closed`]: the socket calls
//! come in that order, the same order as in the TCP lessons.

use std::io::{self, Read, Write};
use std::time::Duration;

use anyhow::{Context, Result};
use common::Shutdown;
use common::error::Hint;
use common::text::{bytes, show};
use socket2::Socket;

use crate::addr::BdAddr;
use crate::sockaddr::{self, device_and_channel, rfcomm_addr};

/// Where the server listens.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The local adapter (`--adapter`), or [`BdAddr::ANY`] for all of them.
    pub adapter: BdAddr,
    /// The RFCOMM channel (`--channel`), 1 to 30.
    pub channel: u8,
}

/// How many clients may wait for `accept()`. This server takes one client, so
/// one is enough (the tutorial leaves it to Python's default).
pub const BACKLOG: i32 = 1;

/// How long one `accept()` waits before it looks at the Ctrl-C flag again
/// (see [`accept_one`]). Well under the one second a Ctrl-C may take.
pub const ACCEPT_WAIT: Duration = Duration::from_millis(250);

/// Creates the listening socket: `socket()`, `bind()`, `listen()`.
///
/// # Errors
///
/// When there is no Bluetooth, or the channel is taken on that adapter.
pub fn listen(adapter: BdAddr, channel: u8) -> Result<Socket> {
    // ANCHOR: listen
    // socket(): AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM (see lib.rs).
    let listener = crate::rfcomm_socket()?;

    // bind(): claim the channel on one adapter, or on every adapter when the
    // address is 00:00:00:00:00:00 (the tutorial's BDADDR_ANY). No
    // SO_REUSEADDR here: RFCOMM has no TIME_WAIT, so a channel is free again
    // the moment its socket closes.
    let addr = rfcomm_addr(adapter, channel);
    listener
        .bind(&addr)
        .map_err(|e| bind_error(e, adapter, channel))?;

    // listen(): from now on the kernel accepts connections on this channel
    // and queues up to BACKLOG of them for accept().
    listener
        .listen(BACKLOG)
        .with_context(|| format!("could not listen on {adapter} channel {channel}"))?;
    // ANCHOR_END: listen
    Ok(listener)
}

/// The error for a failed `bind()`, with a hint when the channel is taken.
fn bind_error(e: io::Error, adapter: BdAddr, channel: u8) -> anyhow::Error {
    let in_use = e.kind() == io::ErrorKind::AddrInUse;
    let err = anyhow::Error::new(e);
    let err = if in_use {
        err.context(Hint(format!(
            "channel {channel} is taken on that adapter: another RFCOMM server (an \
             earlier run of this one, or a Bluetooth service of the system) is using it. \
             Stop it, or pick another channel with --channel (1 to 30)"
        )))
    } else {
        err
    };
    err.context(format!("could not listen on {adapter} channel {channel}"))
}

/// Runs the lesson: listen, serve one client until it closes, or until Ctrl-C.
///
/// # Errors
///
/// When the socket cannot be set up, `accept()` fails, or the connection to
/// the client breaks.
pub fn run(options: &Options, shutdown: &Shutdown) -> Result<()> {
    let listener = listen(options.adapter, options.channel)?;
    announce(&listener, options);
    warn_if_no_adapter();

    // ANCHOR: accept
    let Some((conn, peer)) = accept_one(&listener, shutdown)? else {
        log::info!("server stopped before any client came");
        return Ok(());
    };
    // close() the listener: this server serves one client, so from now on a
    // second client is refused at once instead of waiting in the queue.
    drop(listener);
    log::info!("{peer} connected");
    // ANCHOR_END: accept

    // Ctrl-C while the client is connected: shutdown() the connection, which
    // wakes the recv() below with "end of stream" (see common::shutdown).
    let _watch = shutdown.watch(&conn)?;
    let mut buffer = vec![0u8; crate::BUFFER];
    match echo_until_closed(&conn, &peer, &mut buffer) {
        // Ctrl-C ended the loop, whichever way it ended.
        _ if shutdown.is_requested() => log::info!("Ctrl-C: closed the connection to {peer}"),
        Ok(total) => log::info!("{peer} closed the connection after {}", bytes(total)),
        Err(e) => return Err(e).with_context(|| format!("lost the connection to {peer}")),
    }
    // close(): dropping `conn` closes the RFCOMM channel (the kernel sends a
    // DISC frame, RFCOMM's "goodbye").
    drop(conn);
    log::info!("server stopped");
    Ok(())
}

/// Logs `listening on ADDR channel N` with the address the socket really got
/// (`getsockname()`), shown even with `-q`: scripts and tests wait for it.
fn announce(listener: &Socket, options: &Options) {
    let bound = listener
        .local_addr()
        .ok()
        .and_then(|addr| device_and_channel(&addr));
    let (adapter, channel) = bound.unwrap_or((options.adapter, options.channel));
    let which = if adapter.is_any() {
        " (any adapter)"
    } else {
        ""
    };
    common::logging::listening_on(&format_args!("{adapter} channel {channel}{which}"));
    // TCP lessons listen on loopback unless told otherwise. Bluetooth has no
    // loopback: whoever is in radio range may try.
    log::info!("any Bluetooth device in range that knows the channel can try to connect");
}

/// On Linux, adapters appear as /sys/class/bluetooth/hciN. Listening works
/// without one, but then no client can ever reach us: say so.
fn warn_if_no_adapter() {
    let adapters = std::fs::read_dir("/sys/class/bluetooth")
        .map(|dir| {
            dir.flatten()
                .filter(|entry| entry.file_name().to_string_lossy().starts_with("hci"))
                .count()
        })
        .unwrap_or(0);
    if adapters == 0 {
        log::warn!(
            "this machine has no Bluetooth adapter (/sys/class/bluetooth lists none): \
             no client can reach this server until one is plugged in and powered"
        );
    }
}

/// `accept()`: waits for one client, or for Ctrl-C. Returns the connected
/// socket and the client's device address and channel, as text, or `None`
/// after Ctrl-C.
///
/// # Errors
///
/// When `accept()` fails for another reason than Ctrl-C.
pub fn accept_one(listener: &Socket, shutdown: &Shutdown) -> Result<Option<(Socket, String)>> {
    // ANCHOR: accept_one
    // How does Ctrl-C wake a thread blocked in accept()? The TCP lessons
    // connect to their own listener; here that would mean paging our own
    // adapter, which Bluetooth cannot do. On Linux, shutdown() on a listening
    // TCP socket wakes accept(), but not on an RFCOMM one: tried in the VM
    // (scripts/bt-vm, check `sigint`), the kernel marks the socket closed and
    // leaves accept() asleep. What RFCOMM's accept() does honour is the
    // socket's receive timeout (SO_RCVTIMEO). So accept() waits at most
    // ACCEPT_WAIT, returns "would block", and the loop looks at the Ctrl-C
    // flag before it waits again.
    listener
        .set_read_timeout(Some(ACCEPT_WAIT))
        .context("could not set a timeout on the listening socket")?;
    loop {
        // accept(): wait for a client. Besides the connected socket, the
        // kernel fills in a sockaddr_rc with the client's device address
        // and channel; sockaddr::device_and_channel() reads it.
        let (conn, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(_) if shutdown.is_requested() => return Ok(None),
            // The timeout: nobody came within ACCEPT_WAIT. Wait again.
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).context("accept() failed"),
        };
        if shutdown.is_requested() {
            return Ok(None);
        }
        // The connection must not inherit the timeout: a client may think
        // for as long as it likes between two lines.
        conn.set_read_timeout(None)
            .context("could not clear the timeout on the connection")?;
        log::debug!("sockaddr_rc from accept(): {:02x?}", sockaddr::bytes(&peer));
        let peer = match device_and_channel(&peer) {
            Some((device, channel)) => format!("{device} (channel {channel})"),
            None => "a client with an unknown address".to_string(),
        };
        return Ok(Some((conn, peer)));
    }
    // ANCHOR_END: accept_one
}

/// The echo loop: send back every byte until the client closes. Returns how
/// many bytes were echoed.
///
/// # Errors
///
/// When `recv()` or `send()` fails, for example when the link is lost.
pub fn echo_until_closed(conn: &Socket, peer: &str, buffer: &mut [u8]) -> io::Result<usize> {
    let mut total = 0;
    // ANCHOR: echo
    loop {
        // recv(): as with TCP, three outcomes.
        let n = match (&*conn).read(buffer) {
            // 0 bytes: end of stream, the client closed the channel.
            Ok(0) => return Ok(total),
            // "Connection reset": the same, in RFCOMM's words. When the
            // client closes, its kernel sends a DISC frame, and Linux reports
            // that to us as ECONNRESET rather than as 0 bytes (after every
            // byte that came before it has been read). Over TCP a reset means
            // trouble; here it is the normal goodbye.
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset => return Ok(total),
            // n bytes: a piece of the stream, not necessarily a whole line.
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let data = &buffer[..n];
        log::info!("received {} from {peer}: {}", bytes(n), show(data));

        // send(): write_all() repeats send() until every byte is out. The
        // bytes go back unchanged, whatever they are.
        (&*conn).write_all(data)?;
        total += n;
    }
    // ANCHOR_END: echo
}

// The echo loop takes any connected stream socket, so it is tested here over
// TCP on loopback: this machine has no Bluetooth (the VM test runs it over
// RFCOMM).
#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{TcpListener, TcpStream};
    use std::thread;

    /// A connected pair: (the server's end as a socket2 Socket, the peer's end).
    fn pair() -> (Socket, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let peer = TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
        let (conn, _) = listener.accept().expect("accept");
        (Socket::from(conn), peer)
    }

    /// 10 KB, larger than the 1024-byte buffer and including invalid UTF-8,
    /// comes back byte for byte; the peer's close ends the loop with the total.
    #[test]
    fn echoes_everything_until_the_peer_closes() {
        let (conn, mut peer) = pair();
        let server = thread::spawn(move || {
            let mut buffer = vec![0u8; crate::BUFFER];
            echo_until_closed(&conn, "peer", &mut buffer).map_err(|e| e.kind())
        });
        let mut data: Vec<u8> = (0..10_240u32).map(|i| (i % 251) as u8).collect();
        data.extend_from_slice(&[0xff, 0xfe, 0xc3]);
        peer.write_all(&data).expect("send");
        let mut back = vec![0u8; data.len()];
        peer.read_exact(&mut back).expect("echo");
        assert!(back == data, "the echo differs");
        drop(peer);
        assert_eq!(server.join().expect("no panic"), Ok(data.len()));
    }

    /// A reset, how Linux reports an RFCOMM peer's normal close, also ends
    /// the loop without an error.
    #[test]
    fn a_reset_is_the_end_of_the_stream() {
        let (conn, mut peer) = pair();
        peer.write_all(b"bye").expect("send");
        let mut three = [0u8; 3];
        let server = thread::spawn(move || {
            let mut buffer = vec![0u8; 16];
            echo_until_closed(&conn, "peer", &mut buffer).map_err(|e| e.kind())
        });
        peer.read_exact(&mut three).expect("echo");
        // Linger 0: close() sends a reset instead of a FIN.
        let peer = Socket::from(peer);
        peer.set_linger(Some(Duration::ZERO)).expect("linger");
        drop(peer);
        assert_eq!(server.join().expect("no panic"), Ok(3));
    }
}
