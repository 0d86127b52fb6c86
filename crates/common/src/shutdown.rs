//! Ctrl-C and SIGTERM: ending a server that is blocked in a socket call.
//!
//! A server spends its life blocked: in `accept()` waiting for a client, or in
//! `recv()` waiting for bytes. When the student presses Ctrl-C, the server
//! should close its connections properly (the peer sees a normal close, a
//! FIN, not a reset), join its threads and exit with status 0, within a second.
//!
//! The signal itself cannot do that. The `ctrlc` crate runs our handler on a
//! thread of its own, but it installs the signal with `SA_RESTART`, so a
//! blocked `accept()` or `recv()` is simply restarted by the kernel and goes
//! on waiting. Closing the listening socket from another thread does not wake
//! `accept()` on Linux either, and calling `shutdown()` on a *listening*
//! socket works on Linux only. So [`Shutdown::trigger`] does this:
//!
//! 1. it sets a flag that the loops check ([`Shutdown::is_requested`]);
//! 2. for every *connected* socket a lesson asked it to watch
//!    ([`Shutdown::watch`]) it calls `shutdown(Write)`: that sends FIN, the
//!    peer closes too, and a blocked `recv()` returns 0, "end of stream".
//!    A peer that does not close within 300 ms gets `shutdown(Both)`, which
//!    wakes `recv()` anyway;
//! 3. for every listening socket ([`Shutdown::wake_listener`]) it *connects to
//!    the server's own address*. `accept()` returns that connection, the accept
//!    loop sees the flag and stops. It works on every OS, which is why we use
//!    it. (For UDP, [`Shutdown::wake_udp`] sends an empty datagram instead.)
//!
//! Sleeps between periodic sends use [`Shutdown::wait_timeout`], a sleep that
//! Ctrl-C cuts short.
//!
//! What a lesson writes, in the order it happens:
//!
//! ```no_run
//! # fn main() -> std::io::Result<()> {
//! # let (listener, shutdown) = (socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?, common::Shutdown::new());
//! // After listen(): Ctrl-C wakes accept(); when the guard is dropped,
//! // clients still queued get a FIN instead of a reset.
//! let _queue = shutdown.guard_listener(&listener)?;
//! let (conn, peer) = listener.accept()?;
//! // While serving: Ctrl-C half-closes this connection.
//! let _watch = shutdown.watch(&conn)?;
//! # Ok(()) }
//! ```

use std::io::{self, Read, Write};
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use crate::addr::{local_addr, reachable};

/// How long a watched connection's peer gets to answer our FIN with its own
/// close before we stop reading too. Short enough to end within a second.
const GRACE: Duration = Duration::from_millis(300);

/// How long the wake-up connection may take before we give up on it.
const WAKE_TIMEOUT: Duration = Duration::from_millis(500);

/// The shared shutdown switch. Cheap to clone: clones share one switch.
#[derive(Clone, Default)]
pub struct Shutdown {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    requested: Mutex<bool>,
    changed: Condvar,
    watched: Mutex<Vec<(u64, Socket)>>,
    listeners: Mutex<Vec<Wake>>,
    /// The ports our own wake-up connections came from, so that the
    /// clients closed from a listen() queue are counted without them.
    wake_ports: Mutex<Vec<u16>>,
    next_id: AtomicU64,
}

#[derive(Clone, Copy)]
enum Wake {
    Tcp(SocketAddr),
    Udp(SocketAddr),
}

/// A lock that survives a panic in another thread: the data is a flag and a
/// list of sockets, always valid, so a poisoned lock is still safe to use.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shutdown {
    /// A switch that only [`Shutdown::trigger`] flips (for tests).
    pub fn new() -> Shutdown {
        Shutdown::default()
    }

    /// A switch flipped by Ctrl-C (SIGINT) and SIGTERM.
    ///
    /// Call it once per process, early in `main`.
    ///
    /// # Errors
    ///
    /// When a handler is already installed, or the OS refuses one.
    pub fn install() -> io::Result<Shutdown> {
        let shutdown = Shutdown::new();
        let handle = shutdown.clone();
        ctrlc::set_handler(move || {
            log::info!("Ctrl-C or SIGTERM received: shutting down");
            handle.trigger();
        })
        .map_err(|e| io::Error::other(format!("could not install the Ctrl-C handler: {e}")))?;
        Ok(shutdown)
    }

    /// True once a shutdown was asked for.
    pub fn is_requested(&self) -> bool {
        *lock(&self.inner.requested)
    }

    /// Asks everything to stop: sets the flag, shuts down watched sockets and
    /// wakes listeners. Calling it again does nothing more.
    pub fn trigger(&self) {
        {
            let mut requested = lock(&self.inner.requested);
            if *requested {
                return;
            }
            *requested = true;
        }
        self.inner.changed.notify_all();
        // First only our sending side: the peer gets a FIN, answers with its
        // own close, and our blocked recv() returns 0. Shutting the reading
        // side too at once would make the kernel answer any byte still on
        // its way with a reset. "Not connected" means the peer went first.
        for (_, socket) in lock(&self.inner.watched).iter() {
            let _ = socket.shutdown(std::net::Shutdown::Write);
        }
        let wakes: Vec<Wake> = lock(&self.inner.listeners).clone();
        for wake in wakes {
            self.wake_up(wake);
        }
        // A peer that never closes (or never reads) must not keep us: after
        // a grace period, also shut the reading side, which wakes recv().
        let inner = Arc::clone(&self.inner);
        std::thread::spawn(move || {
            std::thread::sleep(GRACE);
            for (_, socket) in lock(&inner.watched).iter() {
                let _ = socket.shutdown(std::net::Shutdown::Both);
            }
        });
    }

    /// Sleeps for `duration`, or less if a shutdown is asked for meanwhile.
    /// Returns true when it was cut short by a shutdown.
    pub fn wait_timeout(&self, duration: Duration) -> bool {
        let deadline = Instant::now() + duration;
        let mut requested = lock(&self.inner.requested);
        while !*requested {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            requested = self
                .inner
                .changed
                .wait_timeout(requested, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }

    /// Registers a listening TCP socket bound to `addr`, so that a shutdown
    /// wakes its `accept()` by connecting to it.
    ///
    /// If a shutdown was already asked for, it wakes it at once.
    pub fn wake_listener(&self, addr: SocketAddr) {
        self.register_wake(Wake::Tcp(addr));
    }

    /// Registers a UDP socket bound to `addr`, so that a shutdown wakes its
    /// `recv_from()` with an empty datagram.
    pub fn wake_udp(&self, addr: SocketAddr) {
        self.register_wake(Wake::Udp(addr));
    }

    fn register_wake(&self, wake: Wake) {
        lock(&self.inner.listeners).push(wake);
        if self.is_requested() {
            self.wake_up(wake);
        }
    }

    /// Ties a listening socket to the switch, for as long as the returned
    /// guard lives: Ctrl-C wakes its blocked `accept()`
    /// ([`Shutdown::wake_listener`]), and when the guard is dropped, the
    /// clients still waiting in its `listen()` queue are closed with a FIN
    /// ([`close_queued`]) and counted in a log line.
    ///
    /// Call it right after `listen()`: `let _queue = shutdown.guard_listener(&listener)?;`
    ///
    /// # Errors
    ///
    /// When the socket's address cannot be read (`getsockname(2)`).
    pub fn guard_listener<'a>(&self, listener: &'a Socket) -> io::Result<ListenerGuard<'a>> {
        self.wake_listener(local_addr(listener)?);
        Ok(ListenerGuard {
            listener,
            shutdown: self.clone(),
        })
    }

    /// Watches a connected socket: on shutdown it gets `shutdown(Write)`, a
    /// FIN, and 300 ms later `shutdown(Both)` if the peer has not closed.
    ///
    /// The watch ends when the returned guard is dropped, so keep it alive as
    /// long as the connection: `let _watch = shutdown.watch(&conn)?;`.
    ///
    /// # Errors
    ///
    /// When the socket cannot be duplicated (`dup(2)`), for example when the
    /// process has run out of file descriptors.
    pub fn watch(&self, socket: &Socket) -> io::Result<Watch> {
        // A duplicate refers to the same socket, so shutting it down affects
        // the connection the lesson is using.
        let copy = socket.try_clone()?;
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let mut watched = lock(&self.inner.watched);
        if self.is_requested() {
            let _ = copy.shutdown(std::net::Shutdown::Both);
        }
        watched.push((id, copy));
        Ok(Watch {
            shutdown: self.clone(),
            id,
        })
    }
}

/// Closes the clients still queued on a listener when dropped; made by
/// [`Shutdown::guard_listener`].
#[must_use = "the listener is guarded only while this guard lives"]
pub struct ListenerGuard<'a> {
    listener: &'a Socket,
    shutdown: Shutdown,
}

impl Drop for ListenerGuard<'_> {
    fn drop(&mut self) {
        let ours = lock(&self.shutdown.inner.wake_ports).clone();
        let closed = close_queued_except(self.listener, &ours);
        if closed > 0 {
            log::info!(
                "closed {} still waiting in the listen() queue",
                crate::text::plural(closed, "connection")
            );
        }
    }
}

/// Keeps a socket watched by [`Shutdown::watch`] until dropped.
#[must_use = "the socket is watched only while this guard lives"]
pub struct Watch {
    shutdown: Shutdown,
    id: u64,
}

impl Drop for Watch {
    fn drop(&mut self) {
        lock(&self.shutdown.inner.watched).retain(|(id, _)| *id != self.id);
    }
}

/// Accepts the clients still waiting in `listener`'s queue and closes them
/// with a FIN; returns how many there were.
///
/// A client that `connect()`ed while the server was busy sits in the
/// `listen()` queue, already connected. If the server simply exits, the kernel
/// answers those clients with a *reset*. Calling this before closing the
/// listener gives them the orderly close the contract promises instead.
///
/// Wraps `accept(2)` on a non-blocking socket, `shutdown(2)` and `recv(2)`.
pub fn close_queued(listener: &Socket) -> usize {
    close_queued_except(listener, &[])
}

/// [`close_queued`], not counting connections from the ports in `ours` (our
/// own wake-up calls).
fn close_queued_except(listener: &Socket, ours: &[u16]) -> usize {
    if listener.set_nonblocking(true).is_err() {
        return 0;
    }
    let mut closed = 0;
    // Non-blocking accept() returns "would block" once the queue is empty.
    while let Ok((conn, peer)) = listener.accept() {
        let wake_up = peer.as_socket().is_some_and(|p| ours.contains(&p.port()));
        // FIN first: the client's recv() returns 0, "the server closed".
        let _ = conn.shutdown(std::net::Shutdown::Write);
        // Bytes it sent that we never read would turn close() into a reset,
        // so read and drop what has already arrived.
        let _ = conn.set_nonblocking(true);
        let mut sink = [0u8; 4096];
        while (&conn).read(&mut sink).is_ok_and(|n| n > 0) {}
        if !wake_up {
            closed += 1;
        }
    }
    closed
}

/// Reads and drops what the peer still sends, until it closes, an error, or
/// `limit` has passed; returns how many bytes were dropped.
///
/// Call it after `shutdown(Write)` and before closing a connection whose
/// peer may have sent bytes we never read: closing with unread bytes makes
/// the kernel send a reset instead of a FIN, and the peer may then lose what
/// we sent it last.
pub fn drain(conn: &Socket, limit: Duration) -> usize {
    let deadline = Instant::now() + limit;
    let mut sink = [0u8; 4096];
    let mut dropped = 0;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        // A zero timeout would mean "wait forever": stop instead.
        if left.is_zero() || conn.set_read_timeout(Some(left)).is_err() {
            return dropped;
        }
        match (&*conn).read(&mut sink) {
            Ok(0) | Err(_) => return dropped,
            Ok(n) => dropped += n,
        }
    }
}

/// Says goodbye to a client and closes our side cleanly: sends
/// `last_words` (if any), half-closes with `shutdown(Write)` (a FIN after our
/// last byte), then reads and drops what the client still sends until it
/// closes too, or `wait` has passed. With `wait` zero it drops only what has
/// already arrived. Returns how many bytes were dropped. The socket itself
/// is closed when the caller drops it.
///
/// Why read at all: closing a socket that still has unread bytes makes the
/// kernel send a *reset* instead of a FIN, and a reset can destroy our last
/// words before the client reads them. Reading into a fixed buffer costs no
/// memory, and `wait` stops a client that never stops sending.
///
/// Wraps `send(2)`, `shutdown(2)` and `recv(2)`.
pub fn goodbye(conn: &Socket, last_words: &[u8], wait: Duration) -> usize {
    if !last_words.is_empty() {
        // A client that does not read must not keep us here.
        let _ = conn.set_write_timeout(Some(WAKE_TIMEOUT));
        let _ = (&*conn).write_all(last_words);
    }
    let _ = conn.shutdown(std::net::Shutdown::Write);
    if !wait.is_zero() {
        return drain(conn, wait);
    }
    let _ = conn.set_nonblocking(true);
    let mut sink = [0u8; 4096];
    let mut dropped = 0;
    while let Ok(n) = (&*conn).read(&mut sink) {
        if n == 0 {
            break;
        }
        dropped += n;
    }
    dropped
}

/// Any address of `addr`'s family, port 0: the OS picks the address that
/// reaches `addr`, and a free port.
fn any_port_0(addr: SocketAddr) -> SocketAddr {
    if addr.is_ipv4() {
        (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    }
}

impl Shutdown {
    /// Wakes one blocked listener. Failure is logged, not fatal: the
    /// listener may already be gone.
    fn wake_up(&self, wake: Wake) {
        if let Err(e) = self.try_wake_up(wake) {
            log::debug!("could not wake the server for shutdown: {e}");
        }
    }

    fn try_wake_up(&self, wake: Wake) -> io::Result<()> {
        match wake {
            Wake::Tcp(addr) => {
                let addr = reachable(addr);
                let socket =
                    Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
                // bind() first, so that our port is known (and recorded)
                // before the server can accept() the connection.
                socket.bind(&any_port_0(addr).into())?;
                lock(&self.inner.wake_ports).push(local_addr(&socket)?.port());
                socket.connect_timeout(&SockAddr::from(addr), WAKE_TIMEOUT)
            }
            Wake::Udp(addr) => {
                let addr = reachable(addr);
                UdpSocket::bind(any_port_0(addr)).and_then(|s| s.send_to(&[], addr).map(drop))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::thread;

    /// A thread blocked in accept() returns once the switch is flipped.
    #[test]
    fn trigger_wakes_a_blocked_accept() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let shutdown = Shutdown::new();
        shutdown.wake_listener(addr);
        let waiter = {
            let shutdown = shutdown.clone();
            thread::spawn(move || {
                let accepted = listener.accept().is_ok();
                (accepted, shutdown.is_requested())
            })
        };
        shutdown.trigger();
        assert_eq!(waiter.join().expect("no panic"), (true, true));
    }

    /// A wildcard listener is woken through loopback.
    #[test]
    fn trigger_wakes_a_wildcard_listener() {
        let listener = TcpListener::bind("0.0.0.0:0").expect("bind");
        let shutdown = Shutdown::new();
        shutdown.wake_listener(listener.local_addr().expect("addr"));
        shutdown.trigger();
        assert!(listener.accept().is_ok());
    }

    /// A watched connection is shut down: a blocked read sees end of stream
    /// and the peer sees a clean close (read returns 0, not an error).
    #[test]
    fn trigger_shuts_down_watched_sockets() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let mut peer =
            std::net::TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
        let (conn, _) = listener.accept().expect("accept");
        let conn = Socket::from(conn);
        let shutdown = Shutdown::new();
        let watch = shutdown.watch(&conn).expect("watch");
        let reader = thread::spawn(move || {
            let mut buf = [0u8; 16];
            (&conn).read(&mut buf).map_err(|e| e.kind())
        });
        shutdown.trigger();
        assert_eq!(reader.join().expect("no panic"), Ok(0));
        let mut buf = [0u8; 16];
        assert_eq!(peer.read(&mut buf).map_err(|e| e.kind()), Ok(0));
        drop(watch);
        assert!(lock(&shutdown.inner.watched).is_empty());
    }

    /// wait_timeout sleeps the whole time normally, and is cut short by trigger.
    #[test]
    fn wait_timeout_is_cut_short() {
        let shutdown = Shutdown::new();
        assert!(!shutdown.wait_timeout(Duration::from_millis(10)));
        let sleeper = {
            let shutdown = shutdown.clone();
            thread::spawn(move || shutdown.wait_timeout(Duration::from_secs(60)))
        };
        shutdown.trigger();
        assert!(sleeper.join().expect("no panic"));
        assert!(shutdown.wait_timeout(Duration::from_secs(60)));
    }

    /// A UDP socket blocked in recv_from() gets an empty datagram.
    #[test]
    fn trigger_wakes_udp() {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
        let shutdown = Shutdown::new();
        shutdown.wake_udp(socket.local_addr().expect("addr"));
        shutdown.trigger();
        let mut buf = [0u8; 4];
        assert_eq!(socket.recv_from(&mut buf).map(|(n, _)| n).ok(), Some(0));
    }

    /// Queued clients are accepted and closed with FIN: they read 0, not a reset.
    #[test]
    fn close_queued_gives_waiting_clients_a_clean_close() {
        let listener = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
        let addr: SocketAddr = "127.0.0.1:0".parse().expect("addr");
        listener.bind(&addr.into()).expect("bind");
        listener.listen(8).expect("listen");
        let addr = listener
            .local_addr()
            .expect("addr")
            .as_socket()
            .expect("ip");
        let mut waiting: Vec<std::net::TcpStream> = (0..3)
            .map(|_| std::net::TcpStream::connect(addr).expect("connect"))
            .collect();
        io::Write::write_all(&mut waiting[0], b"unread").expect("send");
        // The third connection must be queued before we drain.
        assert_eq!(close_queued(&listener), 3);
        for conn in &mut waiting {
            let mut buf = Vec::new();
            assert_eq!(conn.read_to_end(&mut buf).map_err(|e| e.kind()), Ok(0));
        }
    }

    /// drain() reads what the peer sent until it closes, so our close is a FIN.
    #[test]
    fn drain_reads_until_the_peer_closes() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let mut peer =
            std::net::TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
        let (conn, _) = listener.accept().expect("accept");
        let conn = Socket::from(conn);
        io::Write::write_all(&mut peer, &[7u8; 10_000]).expect("send");
        peer.shutdown(std::net::Shutdown::Write)
            .expect("half-close");
        assert_eq!(drain(&conn, Duration::from_secs(5)), 10_000);
        // A silent peer that never closes: drain gives up after the limit.
        let _silent =
            std::net::TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
        let (quiet, _) = listener.accept().expect("accept");
        assert_eq!(drain(&Socket::from(quiet), Duration::from_millis(50)), 0);
    }

    /// Registering after the trigger wakes at once (no lost wake-up).
    #[test]
    fn late_registration_is_woken() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let shutdown = Shutdown::new();
        shutdown.trigger();
        shutdown.wake_listener(listener.local_addr().expect("addr"));
        assert!(listener.accept().is_ok());
    }

    /// The guard wakes a blocked accept() on Ctrl-C, and on drop closes the
    /// clients still queued with a FIN, not counting our own wake-up call.
    #[test]
    fn listener_guard_wakes_and_closes_the_queue() {
        let listener = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
        listener
            .bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())
            .expect("bind");
        listener.listen(8).expect("listen");
        let addr = local_addr(&listener).expect("addr");
        let shutdown = Shutdown::new();
        let queued = std::net::TcpStream::connect(addr).expect("connect");
        {
            let _queue = shutdown.guard_listener(&listener).expect("guard");
            shutdown.trigger();
            let ours = lock(&shutdown.inner.wake_ports).clone();
            assert_eq!(ours.len(), 1, "one wake-up call was made");
        }
        // The queued client was accepted and half-closed: it reads 0.
        let mut rest = Vec::new();
        (&queued).read_to_end(&mut rest).expect("a clean close");
        assert!(rest.is_empty());
        assert_eq!(close_queued(&listener), 0, "the queue is empty now");
    }

    /// goodbye() sends the last words, then a FIN, and drains what the peer sent.
    #[test]
    fn goodbye_sends_last_words_then_fin() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let mut client =
            std::net::TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
        let (conn, _) = listener.accept().expect("accept");
        client.write_all(b"unread").expect("send");
        let conn = Socket::from(conn);
        let closer = thread::spawn(move || {
            let dropped = goodbye(&conn, b"bye\n", Duration::from_secs(5));
            drop(conn);
            dropped
        });
        let mut got = Vec::new();
        client.read_to_end(&mut got).expect("no reset");
        assert_eq!(got, b"bye\n");
        drop(client);
        assert_eq!(closer.join().expect("no panic"), 6);
    }
}
