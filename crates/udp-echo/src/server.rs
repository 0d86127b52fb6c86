//! The udp-echo server: the bare server of step 1, grown up. Ctrl-C stops
//! it cleanly, a datagram too long for `--buffer` is reported instead of
//! cut, and `--drop-every` loses datagrams on purpose. Read [`bind`],
//! [`serve`], then [`run`].

use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::num::NonZeroU64;

use anyhow::{Context, Result};
use common::Shutdown;
use common::text::{bytes, plural, show};
use socket2::{Domain, Protocol, Socket, Type};

use crate::WSAEMSGSIZE;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// The longest datagram echoed, in bytes (`--buffer`). A longer one is
    /// reported and not echoed.
    pub buffer: usize,
    /// Ignore every Nth datagram (`--drop-every N`, N from 1 up), to show loss and retries.
    pub drop_every: Option<NonZeroU64>,
}

/// `socket()` and `bind()`: all the setup a UDP server needs. The socket
/// goes to std at the end, whose `recv_from` fills a plain byte buffer.
/// Fails when the address is in use, not on this machine, or needs privileges.
pub fn bind(addr: SocketAddr) -> Result<UdpSocket> {
    // ANCHOR: bind
    // socket(): a UDP socket of the address's family (IPv4 or IPv6).
    // Type::DGRAM + UDP is Python's SOCK_DGRAM: whole messages, no connection.
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))
        .context("could not create a UDP socket")?;

    // No SO_REUSEADDR, unlike the TCP lessons: UDP leaves nothing in TIME_WAIT. On UDP it
    // would even let a second server bind the port, and only one would get the datagrams.

    // bind(): claim the address and port. For a UDP server that is the whole
    // setup: no listen(), no accept(). From now on the kernel keeps every
    // datagram sent to this port in a queue until we take it.
    socket
        .bind(&addr.into())
        .with_context(|| format!("could not bind to {addr}"))?;
    // ANCHOR_END: bind
    Ok(UdpSocket::from(socket))
}

/// The receive loop: take a datagram, send it back, until Ctrl-C. Returns
/// how many datagrams came; fails only when receiving fails for good.
pub fn serve(socket: &UdpSocket, options: &Options, shutdown: &Shutdown) -> Result<u64> {
    // One byte more than the longest datagram we echo. recvfrom() cuts a
    // datagram that does not fit, without a word (Windows: with an error);
    // but one that fills even the extra byte was too long, and we can tell.
    let mut buffer = vec![0u8; options.buffer + 1];
    let mut received = 0;
    loop {
        // ANCHOR: recv
        // recvfrom(): wait for the next datagram, and learn who sent it, which
        // is where the echo must go: UDP has no connection to remember it.
        // Each call returns exactly one datagram, never a part of one and
        // never two glued together: UDP keeps the boundaries between messages.
        let (len, peer) = match socket.recv_from(&mut buffer) {
            Ok(datagram) => datagram,
            // A signal (the kernel interrupting us, as Ctrl-C does) cut the wait short.
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            // Windows only: a client has gone, so an *earlier* sendto()
            // bounced (ICMP, the network's error reports, said "port
            // unreachable"); or a datagram did not fit even the extra byte
            // (WSAEMSGSIZE). One datagram lost: go on.
            Err(e)
                if e.kind() == ErrorKind::ConnectionReset
                    || e.raw_os_error() == Some(WSAEMSGSIZE) =>
            {
                log::warn!("one datagram was lost: {e}");
                continue;
            }
            Err(e) => return Err(e).context("could not receive a datagram"),
        };
        // ANCHOR_END: recv
        // After Ctrl-C an empty datagram of our own ends the wait (set up in `run`):
        // stop. Otherwise an empty datagram is a real message, echoed like any other.
        if shutdown.is_requested() {
            break;
        }
        received += 1;

        // ANCHOR: too_long
        // `len` reached the extra byte: the datagram was longer than --buffer,
        // and recvfrom() cut it. Echoing the part we have would hand the
        // client other bytes than it sent. So say so, and skip it.
        if len > options.buffer {
            log::warn!(
                "datagram #{received} from {peer} is longer than --buffer ({}): \
                 recvfrom() cut it, so it is not echoed (a bigger --buffer fits it)",
                bytes(options.buffer)
            );
            continue;
        }
        // ANCHOR_END: too_long
        let data = &buffer[..len];
        log::info!(
            "received {} from {peer} (datagram #{received}): {}",
            bytes(len),
            show(data)
        );

        // ANCHOR: echo
        // --drop-every N: pretend the network lost every Nth datagram, so the
        // client's timeout and retry can be watched on one machine.
        if options.drop_every.is_some_and(|n| received % n.get() == 0) {
            log::info!("dropped datagram #{received} on purpose (--drop-every): no answer");
            continue;
        }

        // sendto(): one datagram, the same bytes, back to the address it came
        // from. A datagram goes out whole or not at all: there is no partial
        // send to loop over, unlike TCP's write_all().
        match socket.send_to(data, peer) {
            Ok(_) => log::info!("sent {} back to {peer}", bytes(len)),
            // One client's trouble must not stop the server for the others.
            Err(e) => log::warn!("could not send {} back to {peer}: {e}", bytes(len)),
        }
        // ANCHOR_END: echo
    }
    Ok(received)
}

/// Runs the lesson: bind to `addr` and echo datagrams until Ctrl-C. Fails
/// when the socket cannot be set up, or receiving fails for good.
pub fn run(addr: SocketAddr, options: &Options, shutdown: &Shutdown) -> Result<()> {
    let socket = bind(addr)?;
    let local = socket.local_addr().context("could not read the address")?;
    common::logging::listening(local);
    log::info!("waiting for datagrams (UDP has no connections: nothing to accept)");
    if let Some(n) = options.drop_every {
        log::info!(
            "--drop-every {n}: datagrams #{n}, #{}, ... get no answer",
            n.get().saturating_mul(2)
        );
    }
    // This only registers a wake-up: on Ctrl-C, common::Shutdown sends an empty
    // datagram to `local`, which ends the wait in recvfrom(); serve() sees the flag.
    shutdown.wake_udp(local);
    let received = serve(&socket, options, shutdown)?;
    log::info!("server stopped after {}", plural(received, "datagram"));
    Ok(())
}

#[cfg(test)]
#[path = "server_tests.rs"]
mod tests;
