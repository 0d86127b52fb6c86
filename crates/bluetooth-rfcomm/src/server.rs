//! The RFCOMM echo server: listen on a channel, accept one client, send back
//! every byte it sends until it closes.
//!
//! [`run`] makes the socket calls in the order of the TCP lessons (socket, bind, listen,
//! accept), then [`echo_until_closed`] loops over recv and send. Addresses: `sockaddr.rs`.

use std::io::{self, Read, Write};
use std::time::Duration;

use anyhow::{Context, Result};
use common::Shutdown;
use common::text::{bytes, show};
use common::{error::is_transient, error::with_hint, hints::Hint};
use socket2::Socket;

use crate::sockaddr::{self, BdAddr, device_and_channel, rfcomm_addr};

/// How many clients may wait for `accept()`. This server takes one.
pub const BACKLOG: i32 = 1;

/// How long one `accept()` waits before it looks at the Ctrl-C flag again.
pub const ACCEPT_WAIT: Duration = Duration::from_millis(250);

/// Runs the lesson: listens on `channel` of `adapter` ([`BdAddr::ANY`]: of
/// every adapter), serves one client until it closes, or until Ctrl-C.
pub fn run(adapter: BdAddr, channel: u8, shutdown: &Shutdown) -> Result<()> {
    // ANCHOR: listen
    // socket(): AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM (in sockaddr.rs).
    let listener = sockaddr::rfcomm_socket()?;

    // bind(): claim the channel on one adapter, or on all of them for
    // 00:00:00:00:00:00 (the tutorial's BDADDR_ANY). No SO_REUSEADDR: RFCOMM
    // has no TIME_WAIT, a channel is free the moment its socket closes.
    let place = format!("{adapter} channel {channel}");
    if let Err(e) = listener.bind(&rfcomm_addr(adapter, channel)) {
        let hint = match e.kind() {
            io::ErrorKind::AddrInUse => Some(Hint::ChannelTaken),
            _ => None,
        };
        return Err(with_hint(e, hint).context(format!("could not listen on {place}")));
    }

    // listen(): from now on the kernel completes the connections that come
    // to the channel, and queues up to BACKLOG of them until we accept().
    listener
        .listen(BACKLOG)
        .with_context(|| format!("could not listen on {place}"))?;
    // ANCHOR_END: listen
    // getsockname(): the address the socket really got, for the log.
    let bound = listener.local_addr().context("getsockname() failed")?;
    let (adapter, channel) = device_and_channel(&bound).context("not a Bluetooth address")?;
    common::logging::listening_on(&format!("{adapter} channel {channel}"));
    // The TCP lessons listen on loopback; Bluetooth has none.
    log::info!("any Bluetooth device in range that knows the channel can try to connect");
    // Linux lists its adapters in /sys/class/bluetooth; with none, no client can reach us.
    if std::fs::read_dir("/sys/class/bluetooth").map_or(0, |adapters| adapters.count()) == 0 {
        log::warn!("this machine has no Bluetooth adapter: no client can reach this server");
    }

    // ANCHOR: accept
    // Ctrl-C must wake accept(). The TCP lessons' trick, connecting to our own
    // port, cannot work here (an adapter cannot call itself), and shutdown() on
    // the listener does not wake an RFCOMM accept() either. A receive timeout
    // does: on Linux SO_RCVTIMEO also limits accept(), which then gives up
    // after ACCEPT_WAIT; we look at the Ctrl-C flag, and wait again.
    listener
        .set_read_timeout(Some(ACCEPT_WAIT))
        .context("could not set a timeout on the listening socket")?;
    let (conn, peer) = loop {
        // accept(): wait for a client. The kernel also fills in a
        // sockaddr_rc with the client's device address and channel.
        let accepted = listener.accept();
        // Ctrl-C: stop, whatever accept() returned.
        if shutdown.is_requested() {
            log::info!("server stopped before any client came");
            return Ok(());
        }
        match accepted {
            Ok(accepted) => break accepted,
            // "Would block": nobody came within ACCEPT_WAIT. Or (is_transient) a client
            // gave up in the queue, or a signal (the kernel interrupting us, as Ctrl-C does).
            Err(e) if e.kind() == io::ErrorKind::WouldBlock || is_transient(&e) => continue,
            Err(e) => return Err(e).context("accept() failed"),
        }
    };
    // close() the listener: one client only, so a second one is refused at
    // once instead of waiting in the queue.
    drop(listener);
    let peer = match device_and_channel(&peer) {
        Some((device, channel)) => format!("{device} (channel {channel})"),
        None => "a client with an unknown address".to_string(),
    };
    log::info!("{peer} connected");
    // ANCHOR_END: accept

    // Ctrl-C while the client is connected: common::Shutdown shuts the
    // connection down (RFCOMM has no half-close: the channel closes), and
    // the recv() in the echo loop returns (see common::shutdown).
    let watch = shutdown.watch(&conn)?;
    let mut buffer = [0u8; crate::BUFFER];
    match echo_until_closed(&conn, &peer, &mut buffer) {
        _ if shutdown.is_requested() => log::info!("Ctrl-C: closed the connection to {peer}"),
        Ok(total) => log::info!("{peer} closed the connection after {}", bytes(total)),
        Err(e) => return Err(e).with_context(|| format!("lost the connection to {peer}")),
    }
    // close(): dropping the socket (and the watch's copy of it) closes the
    // channel; the kernel sends a DISC frame, RFCOMM's "goodbye".
    drop(watch);
    drop(conn);
    log::info!("server stopped");
    Ok(())
}

/// The echo loop: sends back every byte until the client closes, and
/// returns how many there were. Fails when the link is lost.
pub fn echo_until_closed(conn: &Socket, peer: &str, buffer: &mut [u8]) -> io::Result<usize> {
    let mut total = 0;
    // ANCHOR: echo
    loop {
        // recv(): as with TCP, three outcomes. (`read` needs `&mut` of a `&Socket`:
        // `&*conn` is a fresh copy of our `&Socket`, a temporary we may borrow so, like
        // lesson 1's `(&conn)`. Here `&conn` would be a `&&Socket`, which has no `Read`.)
        let n = match (&*conn).read(buffer) {
            // 0 bytes: end of stream, the client closed the channel.
            Ok(0) => return Ok(total),
            // "Connection reset": the same, in RFCOMM's words. Linux reports
            // the client's close (a DISC frame) as ECONNRESET, after every
            // byte that came before it. Over TCP a reset means trouble; here
            // it is the normal goodbye.
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset => return Ok(total),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
            // n bytes: a piece of the stream, not necessarily a whole line.
            Ok(n) => n,
        };
        let data = &buffer[..n];
        log::info!("received {} from {peer}: {}", bytes(n), show(data));

        // send(): write_all() repeats send() until every byte is out.
        (&*conn).write_all(data)?;
        total += n;
    }
    // ANCHOR_END: echo
}

#[cfg(test)]
#[path = "server_tests.rs"]
mod tests;
