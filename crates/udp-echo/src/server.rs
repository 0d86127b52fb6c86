//! The udp-echo server: send every datagram back to whoever sent it.
//!
//! Read [`bind`], then [`serve`]: the socket calls come in that order. There
//! are far fewer of them than in the TCP lessons: no `listen()`, no
//! `accept()`, no connection to close. One socket talks to every client.

use std::io;
use std::net::{SocketAddr, UdpSocket};

use anyhow::{Context, Result};
use common::Shutdown;
use common::text::{bytes, show};
use socket2::{Domain, Protocol, Socket, Type};

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// The receive buffer, in bytes (`--buffer`). A datagram longer than
    /// this cannot be received whole; it is reported and not echoed.
    pub buffer: usize,
    /// Ignore every Nth datagram (`--drop-every N`), to show loss and retries.
    pub drop_every: Option<u64>,
}

/// What the server did, counted for the last log line (and the tests).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Stats {
    /// Datagrams received from clients (the Ctrl-C wake-up is not counted).
    pub received: u64,
    /// Datagrams sent back.
    pub echoed: u64,
    /// Datagrams ignored on purpose because of `--drop-every`.
    pub dropped: u64,
    /// Datagrams longer than the buffer, reported and not echoed.
    pub too_big: u64,
}

/// One datagram taken off the socket's queue.
#[derive(Debug)]
struct Datagram {
    /// How many bytes are in the buffer now.
    len: usize,
    /// Its real size, when the system can tell (Linux can); larger than `len`
    /// when it did not fit.
    size: Option<usize>,
    /// Who sent it: the address the echo goes back to.
    peer: SocketAddr,
}

/// Creates the server's socket: `socket()` and `bind()`. That is all.
///
/// It returns a [`std::net::UdpSocket`]: socket2 creates the socket, step by
/// step, and then hands the very same socket (the same file descriptor) to
/// std, whose `recv_from` fills an ordinary byte buffer. socket2's own
/// `recv_from` fills *uninitialised* memory, which takes `unsafe` code to
/// read back, and this lesson has none.
///
/// # Errors
///
/// When the address is in use, not on this machine, or needs privileges.
pub fn bind(addr: SocketAddr) -> Result<UdpSocket> {
    // ANCHOR: bind
    // socket(): a UDP socket of the address's family (IPv4 or IPv6).
    // Type::DGRAM + UDP is Python's SOCK_DGRAM: whole messages, no connection.
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))
        .context("could not create a UDP socket")?;

    // No SO_REUSEADDR, unlike the TCP lessons: UDP leaves nothing behind in
    // TIME_WAIT, so a restart works without it. On a UDP socket the option
    // would even let a second server bind the same port, and then only one
    // of the two would get the datagrams: a confusing failure.

    // bind(): claim the address and port. For a UDP server that is the whole
    // setup: no listen(), no accept(). From now on the kernel keeps every
    // datagram sent to this port in a queue until we take it.
    socket
        .bind(&addr.into())
        .with_context(|| format!("could not bind to {addr}"))?;
    // ANCHOR_END: bind
    Ok(UdpSocket::from(socket))
}

/// The address the socket really got (the real port, when `--port 0`).
///
/// # Errors
///
/// When the OS cannot say (it always can for a bound socket).
pub fn local_addr(socket: &UdpSocket) -> Result<SocketAddr> {
    socket
        .local_addr()
        .context("could not read the bound address")
}

/// Runs the lesson: bind to `addr` and echo datagrams until Ctrl-C.
///
/// # Errors
///
/// When the socket cannot be set up, or receiving fails for good.
pub fn run(addr: SocketAddr, options: &Options, shutdown: &Shutdown) -> Result<()> {
    let socket = bind(addr)?;
    let local = local_addr(&socket)?;
    common::logging::listening(local);
    log::info!("waiting for datagrams (UDP has no connections: nothing to accept)");
    match options.drop_every {
        Some(1) => log::info!("--drop-every 1: no datagram gets an answer"),
        Some(n) => log::info!(
            "--drop-every {n}: datagrams #{n}, #{}, ... get no answer",
            2 * n
        ),
        None => {}
    }
    // Ctrl-C wakes the blocked recvfrom() by sending us an empty datagram
    // (common::shutdown); the loop then sees the flag and stops.
    shutdown.wake_udp(local);
    let stats = serve(&socket, options, shutdown)?;
    log::info!(
        "server stopped after {} datagram(s): {} echoed, {} dropped on purpose, {} too big",
        stats.received,
        stats.echoed,
        stats.dropped,
        stats.too_big
    );
    Ok(())
}

/// The receive loop: take a datagram, send it back, until Ctrl-C.
///
/// # Errors
///
/// When receiving fails in a way that retrying cannot fix.
pub fn serve(socket: &UdpSocket, options: &Options, shutdown: &Shutdown) -> Result<Stats> {
    let mut buffer = vec![0u8; options.buffer];
    let mut stats = Stats::default();
    // ANCHOR: serve
    loop {
        let datagram = match receive(socket, &mut buffer) {
            Ok(datagram) => datagram,
            // A signal interrupted the wait; nothing was lost.
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            // Some systems (Windows) report here that an *earlier* sendto()
            // bounced (ICMP "port unreachable"). It concerns a client that
            // has gone, not us: keep serving.
            Err(e) if is_about_an_old_send(&e) => {
                log::warn!("a client we answered earlier is gone: {e}");
                continue;
            }
            Err(e) => return Err(e).context("could not receive a datagram"),
        };
        // An empty datagram after Ctrl-C is our own wake-up call. Without
        // Ctrl-C an empty datagram is a real message, and it is echoed like
        // any other: zero bytes are a valid UDP payload.
        if shutdown.is_requested() {
            break;
        }
        let Datagram { len, size, peer } = datagram;
        stats.received += 1;
        let number = stats.received;
        let data = &buffer[..len];

        // A datagram longer than the buffer has been cut by recvfrom(), and
        // the rest is gone for good. Echoing the part we have would hand the
        // client different bytes from what it sent, so say so and skip it.
        if let Some(size) = size.filter(|&size| size > len) {
            log::warn!(
                "datagram #{number} from {peer} has {}, more than the {}-byte buffer: \
                 only {} could be read, so it is not echoed (a bigger --buffer fits it)",
                bytes(size),
                buffer.len(),
                bytes(len)
            );
            stats.too_big += 1;
            continue;
        }
        if size.is_none() && len == buffer.len() {
            log::warn!(
                "datagram #{number} from {peer} filled the whole {}-byte buffer: a longer one \
                 would have been cut, and this system cannot tell (try a bigger --buffer)",
                buffer.len()
            );
        }
        log::info!(
            "received {} from {peer} (datagram #{number}): {}",
            bytes(len),
            show(data)
        );

        // --drop-every N: pretend the network lost every Nth datagram, so the
        // client's timeout and retry can be watched on one machine.
        if options.drop_every.is_some_and(|n| n > 0 && number % n == 0) {
            log::info!(
                "dropped datagram #{number} from {peer} on purpose (--drop-every): no answer"
            );
            stats.dropped += 1;
            continue;
        }

        // sendto(): one datagram, the same bytes, back to the address it came
        // from. A datagram goes out whole or not at all: there is no partial
        // send to loop over, unlike TCP's write_all().
        match socket.send_to(data, peer) {
            Ok(_) => {
                log::info!("sent {} back to {peer}", bytes(len));
                stats.echoed += 1;
            }
            // One client's trouble must not stop the server for the others.
            Err(e) => log::warn!("could not send {} back to {peer}: {e}", bytes(len)),
        }
    }
    // ANCHOR_END: serve
    Ok(stats)
}

/// Waits for the next datagram and takes it into `buffer`, learning its real
/// size first where the system can tell.
fn receive(socket: &UdpSocket, buffer: &mut [u8]) -> io::Result<Datagram> {
    // ANCHOR: recv
    // 1. Wait for a datagram and ask its real size without taking it off the
    //    queue (Linux only; elsewhere we cannot know, see waiting_size).
    let size = waiting_size(socket)?;

    // 2. recvfrom(): take the datagram, and learn who sent it, which is where
    //    the echo must go: UDP has no connection that would remember it.
    //    Each call returns exactly one datagram, never a part of one and
    //    never two glued together: UDP keeps the boundaries between messages.
    //    If the datagram is longer than the buffer, the rest is thrown away.
    let (len, peer) = socket.recv_from(buffer)?;
    // ANCHOR_END: recv
    Ok(Datagram { len, size, peer })
}

/// `MSG_PEEK`: look at the datagram at the head of the queue, leave it there.
/// (The value from Linux's `<sys/socket.h>`; socket2 does not export it, and
/// the tests check it against the `libc` crate.)
#[cfg(target_os = "linux")]
const MSG_PEEK: std::ffi::c_int = 0x02;

/// `MSG_TRUNC`: on Linux, make recv return the datagram's *real* length even
/// when the buffer is too small for it (see `recv(2)`).
#[cfg(target_os = "linux")]
const MSG_TRUNC: std::ffi::c_int = 0x20;

/// The size of the datagram at the head of the queue, waiting for one if
/// there is none yet.
///
/// Wraps `recvfrom(2)` with `MSG_PEEK | MSG_TRUNC` and a buffer of zero
/// bytes: nothing is copied and nothing is taken, but Linux returns the
/// datagram's full length.
#[cfg(target_os = "linux")]
fn waiting_size(socket: &UdpSocket) -> io::Result<Option<usize>> {
    // SockRef lets socket2 make a call on std's socket, without owning it.
    let mut nothing: [std::mem::MaybeUninit<u8>; 0] = [];
    let (size, _) =
        socket2::SockRef::from(socket).recv_from_with_flags(&mut nothing, MSG_PEEK | MSG_TRUNC)?;
    Ok(Some(size))
}

/// Elsewhere `MSG_TRUNC` does not report the real length: we cannot know it.
#[cfg(not(target_os = "linux"))]
fn waiting_size(_socket: &UdpSocket) -> io::Result<Option<usize>> {
    Ok(None)
}

/// Errors of `recvfrom()` that are the echo of an earlier `sendto()` failing.
fn is_about_an_old_send(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionRefused
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread;
    use std::time::Duration;

    struct Running {
        addr: SocketAddr,
        shutdown: Shutdown,
        handle: thread::JoinHandle<Result<Stats>>,
    }

    fn start(buffer: usize, drop_every: Option<u64>) -> Running {
        let socket = bind("127.0.0.1:0".parse().expect("addr")).expect("bind");
        let addr = local_addr(&socket).expect("addr");
        let shutdown = Shutdown::new();
        shutdown.wake_udp(addr);
        let options = Options { buffer, drop_every };
        let handle = {
            let shutdown = shutdown.clone();
            thread::spawn(move || serve(&socket, &options, &shutdown))
        };
        Running {
            addr,
            shutdown,
            handle,
        }
    }

    impl Running {
        fn stop(self) -> Stats {
            self.shutdown.trigger();
            self.handle.join().expect("no panic").expect("clean stop")
        }
    }

    fn peer(server: SocketAddr) -> UdpSocket {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
        socket.connect(server).expect("connect");
        socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        socket
    }

    fn recv(socket: &UdpSocket) -> Vec<u8> {
        let mut buf = vec![0u8; 65_536];
        let n = socket.recv(&mut buf).expect("an answer");
        buf.truncate(n);
        buf
    }

    /// Each datagram comes back unchanged, empty ones included, and Ctrl-C
    /// (the trigger) ends the loop without counting the wake-up datagram.
    #[test]
    fn echoes_each_datagram_including_empty_ones() {
        let server = start(1024, None);
        let client = peer(server.addr);
        for message in [&b"hello"[..], b"", &[0xff, 0x00, 0xfe]] {
            client.send(message).expect("send");
            assert_eq!(recv(&client), message);
        }
        let stats = server.stop();
        assert_eq!((stats.received, stats.echoed), (3, 3));
    }

    /// With drop_every 3, datagrams 3 and 6 get no answer; the others do.
    #[test]
    fn drop_every_ignores_every_nth() {
        let server = start(1024, Some(3));
        let client = peer(server.addr);
        // Send 7 and collect what comes back: the echo of 1, 2, 4, 5, 7.
        // Waiting for 7's echo means 6 has been handled too before we stop.
        for i in 1..=7u8 {
            client.send(&[i]).expect("send");
        }
        let answers: Vec<Vec<u8>> = (0..5).map(|_| recv(&client)).collect();
        assert_eq!(answers, [[1], [2], [4], [5], [7]]);
        let stats = server.stop();
        assert_eq!((stats.received, stats.echoed, stats.dropped), (7, 5, 2));
    }

    /// A datagram longer than the buffer is counted as too big and not
    /// echoed (Linux knows its real size); the next one is served normally.
    #[cfg(target_os = "linux")]
    #[test]
    fn too_big_is_reported_not_cut() {
        let server = start(10, None);
        let client = peer(server.addr);
        client.send(&[7u8; 100]).expect("send");
        client.send(b"short").expect("send");
        assert_eq!(recv(&client), b"short");
        let stats = server.stop();
        assert_eq!((stats.too_big, stats.echoed), (1, 1));
    }

    /// Our copies of the two flag values match the system's.
    #[cfg(target_os = "linux")]
    #[test]
    fn flag_values_match_libc() {
        assert_eq!(MSG_PEEK, libc::MSG_PEEK);
        assert_eq!(MSG_TRUNC, libc::MSG_TRUNC);
    }

    /// A second server on the same port fails with "address in use": UDP
    /// ports are claimed just like TCP ones.
    #[test]
    fn port_in_use_is_an_error() {
        let first = bind("127.0.0.1:0".parse().expect("addr")).expect("bind");
        let addr = local_addr(&first).expect("addr");
        let err = bind(addr).expect_err("second bind must fail");
        let io = err.downcast_ref::<io::Error>().expect("an io error");
        assert_eq!(io.kind(), io::ErrorKind::AddrInUse);
        assert!(format!("{err:#}").contains(&addr.to_string()));
    }
}
