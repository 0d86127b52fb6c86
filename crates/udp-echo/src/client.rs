//! The udp-echo client: send each message as one datagram, wait for its
//! echo, and send it again when none comes.
//!
//! Three ideas, in the order [`Client::echo`] uses them:
//!
//! 1. **`connect()` is a filter, not a connection.** It sends nothing. It
//!    makes the kernel drop every datagram that does not come from the
//!    server's address, and lets it tell us when the server's port is closed.
//! 2. **Silence is the only failure signal UDP has.** So every wait has a
//!    deadline (`--timeout`), and after it the message is sent again
//!    (`--retries`). The tutorial's client waits in `recvfrom()` with no
//!    deadline, forever if its one datagram was lost.
//! 3. **A retry can make an old answer arrive late.** We sent "one", gave up
//!    waiting, sent it again: now *two* echoes of "one" may come, the second
//!    one perhaps while we wait for the echo of "two". Two defences, without
//!    adding sequence numbers to the messages:
//!    - before each send, throw away whatever is already waiting: it can only
//!      be late answers to earlier attempts;
//!    - take as the answer only a datagram equal to what we sent. It is an
//!      echo, so the right answer is known in advance; anything else is a late
//!      answer to an earlier message, and is skipped.
//!
//!    The price: this client works with echo servers only, and two equal
//!    messages in a row cannot be told apart (their answers are equal too, so
//!    the output is right either way). A protocol whose answers differ from
//!    the request would number its messages instead: see the exercises.

use std::fmt;
use std::io::{self, Read};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use common::Shutdown;
use common::error::Hint;
use common::shutdown::Watch;
use common::text::{bytes, show};
use socket2::{Domain, Protocol, Socket, Type};

use crate::{DEFAULT_BUFFER, MAX_PAYLOAD_V4, MAX_PAYLOAD_V6};

/// How patient the client is.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// How long to wait for each answer (`--timeout`).
    pub timeout: Duration,
    /// How many times to send a message again when no answer came (`--retries`).
    pub retries: u32,
}

/// How one message ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The echo came back.
    Echoed {
        /// The bytes that came back: always equal to the message.
        reply: Vec<u8>,
        /// How many sends it took: 1 unless a datagram was lost.
        attempts: u32,
    },
    /// Ctrl-C came first.
    Interrupted,
}

/// No echo came back, after every retry: the error [`Client::echo`] returns.
#[derive(Debug)]
pub struct NoReply {
    /// Where the datagrams went.
    pub server: SocketAddr,
    /// How many times the message was sent.
    pub attempts: u32,
    /// How long each attempt waited.
    pub timeout: Duration,
    /// `Some` when the last attempt was refused (an ICMP "port unreachable"
    /// came back, reported as "connection refused"); `None` when nothing at
    /// all came back.
    pub refused: Option<io::Error>,
}

impl fmt::Display for NoReply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            server,
            attempts,
            timeout,
            ..
        } = self;
        write!(
            f,
            "no reply from {server} after {attempts} attempt(s), waiting {timeout:?} for each"
        )?;
        if self.refused.is_some() {
            write!(f, "; the last datagram was refused")
        } else {
            write!(f, "; nothing came back")
        }
    }
}

impl std::error::Error for NoReply {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.refused
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl NoReply {
    /// What a student can do about it. `start_server` is the command that
    /// starts the server where this client sends.
    ///
    /// The two cases need different words, and both need UDP's: common's
    /// hint for "connection refused" does not say why a protocol without
    /// connections was "refused", and silence is not an error it knows.
    pub fn hint(&self, start_server: &str) -> String {
        match self.refused {
            Some(_) => format!(
                "is the server running? Nothing listens on that UDP port: the kernel there \
                 answered our datagram with an ICMP \"port unreachable\", which a connected UDP \
                 socket reports as \"connection refused\". Start the server first, in another \
                 terminal: {start_server}"
            ),
            None => format!(
                "is the server running, and are --host and --port right? UDP has no \
                 connection, so a missing server, a lost datagram and a slow answer all look \
                 the same: silence. Start the server in another terminal ({start_server}), or \
                 wait longer with --timeout 3s --retries 5"
            ),
        }
    }
}

/// What one wait for the echo ended with.
enum Wait {
    Echo(Vec<u8>),
    Silence,
    Refused(io::Error),
    Interrupted,
}

/// A UDP socket pointed at one echo server.
pub struct Client {
    socket: Socket,
    server: SocketAddr,
    local: SocketAddr,
    options: Options,
    buffer: Vec<u8>,
    shutdown: Shutdown,
    /// Ctrl-C shuts the socket down, which wakes a blocked `recv()`.
    _watch: Watch,
}

impl Client {
    /// `socket()` + `connect()`: a UDP socket whose only peer is `server`.
    ///
    /// Nothing is sent yet, so this succeeds whether a server runs or not.
    ///
    /// # Errors
    ///
    /// When the system has no route to `server` or does not support its
    /// address family.
    pub fn connect(server: SocketAddr, options: Options, shutdown: &Shutdown) -> Result<Client> {
        // ANCHOR: connect
        // socket(): a UDP socket of the server's family (IPv4 or IPv6).
        let socket = Socket::new(
            Domain::for_address(server),
            Type::DGRAM,
            Some(Protocol::UDP),
        )
        .context("could not create a UDP socket")?;

        // connect(): on a UDP socket this sends nothing and waits for
        // nothing; it works even when no server runs. It only writes the
        // server's address into our socket, and that changes three things:
        // - send() needs no address: every datagram goes to the server;
        // - the kernel now drops datagrams from any other address before
        //   recv() sees them, so only the server can answer us (the
        //   tutorial's client takes the first datagram from anyone);
        // - when the server's machine answers "port unreachable" (ICMP),
        //   the kernel tells us: recv() fails with "connection refused". On
        //   Linux an unconnected socket is never told, and just goes on
        //   waiting.
        // The kernel also picks our local port here, as sendto() would.
        socket
            .connect(&server.into())
            .with_context(|| format!("could not connect a UDP socket to {server}"))?;
        // ANCHOR_END: connect
        let local = socket
            .local_addr()
            .context("could not read our own address")?
            .as_socket()
            .context("the socket has no IP address")?;
        log::info!("sending from {local} to {server} (UDP: connect() only picked the peer)");
        let _watch = shutdown.watch(&socket)?;
        Ok(Client {
            socket,
            server,
            local,
            options,
            buffer: vec![0u8; DEFAULT_BUFFER],
            shutdown: shutdown.clone(),
            _watch,
        })
    }

    /// Our own address: where the server sends its echoes.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Sends `message` as one datagram and waits for its echo, sending it
    /// again after each timeout, `retries` times at most.
    ///
    /// # Errors
    ///
    /// [`NoReply`] when no echo came after every attempt; an I/O error when
    /// the message cannot be sent at all (too long for one datagram, say).
    pub fn echo(&mut self, message: &[u8]) -> Result<Outcome> {
        let attempts = self.options.retries.saturating_add(1);
        let mut refused = None;
        // ANCHOR: attempts
        for attempt in 1..=attempts {
            // Anything already waiting answers an earlier attempt: drop it,
            // so that it cannot pass for the answer to this one.
            self.discard_late_datagrams()?;
            let deadline = Instant::now() + self.options.timeout;
            let wait = match self.send(message, attempt, attempts)? {
                Some(refusal) => Wait::Refused(refusal),
                None => self.wait_for_echo(message, deadline)?,
            };
            match wait {
                Wait::Echo(reply) => {
                    return Ok(Outcome::Echoed {
                        reply,
                        attempts: attempt,
                    });
                }
                Wait::Interrupted => return Ok(Outcome::Interrupted),
                Wait::Silence => {
                    log::warn!(
                        "no reply within {:?} (attempt {attempt} of {attempts})",
                        self.options.timeout
                    );
                    refused = None;
                }
                Wait::Refused(e) => {
                    log::warn!(
                        "{} refused the datagram: nothing listens there \
                         (attempt {attempt} of {attempts}): {e}",
                        self.server
                    );
                    refused = Some(e);
                    // The refusal came at once. Wait out the rest of this
                    // attempt anyway, so that a server still starting up gets
                    // its chance, and the retries do not all fire at once.
                    let left = deadline.saturating_duration_since(Instant::now());
                    if self.shutdown.wait_timeout(left) {
                        return Ok(Outcome::Interrupted);
                    }
                }
            }
            if attempt < attempts {
                log::warn!("retrying: sending the same message again");
            }
        }
        // ANCHOR_END: attempts
        Err(NoReply {
            server: self.server,
            attempts,
            timeout: self.options.timeout,
            refused,
        }
        .into())
    }

    /// `send()`: the message as one datagram. Returns the refusal when the
    /// kernel reports at once that nothing listens there.
    fn send(&self, message: &[u8], attempt: u32, attempts: u32) -> Result<Option<io::Error>> {
        let server = self.server;
        // ANCHOR: send
        // send(): one datagram, to the address connect() recorded. It goes
        // out whole or not at all, so there is no partial send to loop over
        // (TCP's write_all() does loop). It returns as soon as the datagram
        // is handed to the kernel: it says nothing about delivery.
        match self.socket.send(message) {
            Ok(_) => {}
            // A "port unreachable" from an earlier datagram can surface here.
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => return Ok(Some(e)),
            Err(e) => return Err(self.send_failed(e, message.len())),
        }
        // ANCHOR_END: send
        log::info!(
            "sent {} to {server} (attempt {attempt} of {attempts}): {}",
            bytes(message.len()),
            show(message)
        );
        Ok(None)
    }

    /// The error for a datagram that could not be sent, with a hint when it
    /// was too long for one datagram (the OS says "Message too long").
    fn send_failed(&self, e: io::Error, len: usize) -> anyhow::Error {
        let err = anyhow::Error::new(e).context(format!(
            "could not send {} to {}",
            bytes(len),
            self.server
        ));
        let (max, family) = if self.server.is_ipv4() {
            (MAX_PAYLOAD_V4, "IPv4")
        } else {
            (MAX_PAYLOAD_V6, "IPv6")
        };
        if len > max {
            err.context(Hint(format!(
                "one UDP datagram carries at most {max} bytes over {family}; send shorter \
                 messages (each line of input is one datagram)"
            )))
        } else {
            err
        }
    }

    /// Waits until `deadline` for a datagram equal to `message`, skipping
    /// any other that comes meanwhile.
    fn wait_for_echo(&mut self, message: &[u8], deadline: Instant) -> Result<Wait> {
        // ANCHOR: wait
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(Wait::Silence);
            }
            // SO_RCVTIMEO: recv() gives up once `left` has passed, instead of
            // waiting forever as the tutorial's recvfrom() does.
            self.socket
                .set_read_timeout(Some(left))
                .context("could not set the receive timeout")?;
            // recv(): the next datagram, whole. Thanks to connect(), it can
            // only come from the server's address.
            let received = (&self.socket).read(&mut self.buffer);
            if self.shutdown.is_requested() {
                return Ok(Wait::Interrupted);
            }
            match received {
                // Equal to what we sent: our echo.
                Ok(n) if self.buffer[..n] == *message => {
                    log::info!("received the echo: {}", bytes(n));
                    return Ok(Wait::Echo(self.buffer[..n].to_vec()));
                }
                // From the server, but not our echo: a late answer to an
                // earlier message. Skip it and keep waiting.
                Ok(n) => log::warn!(
                    "skipped a datagram that is not the echo of this message, a late \
                     answer to an earlier one ({}): {}",
                    bytes(n),
                    show(&self.buffer[..n])
                ),
                // The deadline passed: the datagram or its echo is lost, or
                // no server is there. UDP cannot tell which.
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return Ok(Wait::Silence);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // ICMP "port unreachable", reported thanks to connect().
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                    return Ok(Wait::Refused(e));
                }
                Err(e) => {
                    return Err(e)
                        .with_context(|| format!("could not receive from {}", self.server));
                }
            }
        }
        // ANCHOR_END: wait
    }

    /// Takes every datagram already waiting and throws it away.
    fn discard_late_datagrams(&mut self) -> Result<()> {
        // Non-blocking: recv() returns "would block" at once when the queue
        // is empty, instead of waiting.
        self.socket
            .set_nonblocking(true)
            .context("could not make the socket non-blocking")?;
        // ANCHOR: discard
        let drained = loop {
            match (&self.socket).read(&mut self.buffer) {
                // After Ctrl-C the socket is shut down: stop here.
                Ok(_) if self.shutdown.is_requested() => break Ok(()),
                Ok(n) => log::info!(
                    "threw away a late answer to an earlier attempt ({}): {}",
                    bytes(n),
                    show(&self.buffer[..n])
                ),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break Ok(()),
                // A "port unreachable" left from an earlier attempt (already
                // counted), or a signal: reading it cleared it; go on.
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::ConnectionRefused | io::ErrorKind::Interrupted
                    ) => {}
                Err(e) => break Err(e),
            }
        };
        // ANCHOR_END: discard
        self.socket
            .set_nonblocking(false)
            .context("could not make the socket blocking again")?;
        drained.with_context(|| format!("could not receive from {}", self.server))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::UdpSocket;
    use std::thread;

    fn options(timeout_ms: u64, retries: u32) -> Options {
        Options {
            timeout: Duration::from_millis(timeout_ms),
            retries,
        }
    }

    /// A fake server: a socket the test drives by hand.
    fn fake_server() -> (UdpSocket, SocketAddr) {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
        socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let addr = socket.local_addr().expect("addr");
        (socket, addr)
    }

    fn recv_from(socket: &UdpSocket) -> (Vec<u8>, SocketAddr) {
        let mut buf = vec![0u8; 65_536];
        let (n, from) = socket.recv_from(&mut buf).expect("a datagram");
        buf.truncate(n);
        (buf, from)
    }

    /// A late echo of "one" that arrives while we wait for "two" is skipped:
    /// the answer to "two" is "two", never the stale "one".
    #[test]
    fn a_late_echo_is_not_the_answer_to_the_next_message() {
        let (server, addr) = fake_server();
        let fake = thread::spawn(move || {
            let (one, client) = recv_from(&server);
            server.send_to(&one, client).expect("echo one");
            let (two, _) = recv_from(&server);
            assert_eq!(two, b"two");
            // The stale echo first, then the real one.
            server.send_to(b"one", client).expect("stale");
            server.send_to(&two, client).expect("echo two");
        });
        let mut client =
            Client::connect(addr, options(5000, 0), &Shutdown::new()).expect("connect");
        for message in [&b"one"[..], b"two"] {
            match client.echo(message).expect("echo") {
                Outcome::Echoed { reply, attempts } => {
                    assert_eq!((reply.as_slice(), attempts), (message, 1));
                }
                Outcome::Interrupted => panic!("not interrupted"),
            }
        }
        fake.join().expect("fake server");
    }

    /// Silence: after 1 + retries attempts, each waiting the timeout, the
    /// error is NoReply, with no refusal in it.
    #[test]
    fn silence_ends_in_no_reply_after_the_retries() {
        let (server, addr) = fake_server();
        let started = Instant::now();
        let mut client = Client::connect(addr, options(50, 2), &Shutdown::new()).expect("connect");
        let err = client.echo(b"anyone?").expect_err("nobody answers");
        assert!(started.elapsed() >= Duration::from_millis(150));
        let no_reply = err.downcast_ref::<NoReply>().expect("NoReply");
        assert_eq!(no_reply.attempts, 3);
        assert!(no_reply.refused.is_none());
        // All three attempts did reach the (silent) server.
        for _ in 0..3 {
            assert_eq!(recv_from(&server).0, b"anyone?");
        }
    }

    /// A closed port: the ICMP refusal reaches our connected socket, and the
    /// error says so (the io::Error is its source).
    #[cfg(target_os = "linux")]
    #[test]
    fn a_closed_port_is_reported_as_refused() {
        let (server, addr) = fake_server();
        drop(server);
        let mut client = Client::connect(addr, options(50, 1), &Shutdown::new()).expect("connect");
        let err = client.echo(b"hi").expect_err("nothing listens");
        let no_reply = err.downcast_ref::<NoReply>().expect("NoReply");
        assert_eq!(no_reply.attempts, 2);
        let refused = no_reply.refused.as_ref().expect("a refusal");
        assert_eq!(refused.kind(), io::ErrorKind::ConnectionRefused);
        assert!(format!("{err:#}").contains("refused"), "{err:#}");
        assert!(no_reply.hint("START").contains("START"));
    }

    /// A message too long for one datagram fails at once with a size hint.
    #[test]
    fn too_long_for_one_datagram() {
        let (_server, addr) = fake_server();
        let mut client = Client::connect(addr, options(50, 0), &Shutdown::new()).expect("connect");
        let err = client
            .echo(&vec![b'x'; MAX_PAYLOAD_V4 + 1])
            .expect_err("too long");
        let Some(Hint(hint)) = err.downcast_ref::<Hint>() else {
            panic!("no hint: {err:#}");
        };
        assert!(hint.contains("65507"), "{hint}");
    }

    /// Ctrl-C while waiting for an echo ends the wait at once.
    #[test]
    fn ctrl_c_ends_the_wait() {
        let (server, addr) = fake_server();
        let shutdown = Shutdown::new();
        let mut client = Client::connect(addr, options(60_000, 0), &shutdown).expect("connect");
        let trigger = thread::spawn(move || {
            recv_from(&server);
            shutdown.trigger();
        });
        let started = Instant::now();
        assert_eq!(
            client.echo(b"wait").expect("no error"),
            Outcome::Interrupted
        );
        assert!(started.elapsed() < Duration::from_secs(5));
        trigger.join().expect("trigger");
    }
}
