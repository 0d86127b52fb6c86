//! The udp-echo client: the bare client of step 1, grown up. Read [`run`],
//! then the socket calls of [`Client`]. What happens when no echo comes
//! (retries, late answers) is in `retry.rs`: read it next.

use std::io::{self, BufReader, IsTerminal, Read, Write};
use std::net::SocketAddr;
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use anyhow::{Context, Result};
use common::Shutdown;
use common::input::{self, Input};
use common::shutdown::Watch;
use common::text::{bytes, plural, show};
use socket2::{Domain, Protocol, Socket, Type};

use crate::{LONGEST_LINE, MAX_PAYLOAD_V6, retry::Options};

/// Sends each of `messages` (or, without any, each line of standard input)
/// as one datagram, and prints each echo on standard output. Fails when no
/// echo comes after every retry, or a message cannot be sent.
pub fn run(mut client: Client, messages: &[String]) -> Result<()> {
    // Messages arrive on a channel: from a thread reading standard input
    // (which also reports Ctrl-C there), or from the arguments.
    let inputs = if messages.is_empty() {
        if io::stdin().is_terminal() {
            log::info!("type lines to send, one datagram each; Ctrl-D ends");
        }
        input::lines(BufReader::new(io::stdin()), LONGEST_LINE, &client.shutdown)
    } else {
        arguments(messages)
    };
    let mut stdout = io::stdout().lock();
    let mut echoed = 0;
    loop {
        let mut message = match inputs.recv() {
            Ok(Input::Line(line)) => line,
            Ok(Input::Failed(e)) => return Err(e).context("could not read standard input"),
            // The end of the input, or Ctrl-C.
            Ok(Input::End | Input::Interrupted) | Err(_) => break,
        };
        if message.last() == Some(&b'\n') {
            message.pop();
        }
        // None: Ctrl-C came while we waited for the echo.
        let Some(reply) = client.echo(&message)? else {
            break;
        };
        // One line per echo: the bytes as they came, then a newline.
        stdout
            .write_all(&reply)
            .and_then(|()| stdout.write_all(b"\n"))
            .and_then(|()| stdout.flush())
            .context("could not write to standard output")?;
        echoed += 1;
    }
    let echoed = plural(echoed, "message");
    if client.shutdown.is_requested() {
        log::info!("stopped by Ctrl-C after {echoed} echoed");
    } else {
        log::info!("done: {echoed} sent and echoed");
    }
    Ok(())
}

/// The MESSAGE arguments on the same kind of channel as typed lines, each
/// with a newline as if typed, so that `run` treats both alike.
fn arguments(messages: &[String]) -> Receiver<Input> {
    let (tx, rx) = mpsc::sync_channel(messages.len() + 1);
    for message in messages {
        let _ = tx.send(Input::Line(format!("{message}\n").into_bytes()));
    }
    let _ = tx.send(Input::End);
    rx
}

/// A UDP socket connected to one echo server. Its methods here are the socket
/// calls; `retry.rs` (which sees the `pub(crate)` fields) decides when to call them.
pub struct Client {
    pub(crate) socket: Socket,
    pub(crate) server: SocketAddr,
    pub(crate) options: Options,
    pub(crate) shutdown: Shutdown,
    pub(crate) buffer: Vec<u8>,
    /// Kept while the socket lives: on Ctrl-C it shuts the socket down, waking a blocked `recv()`.
    _watch: Watch,
}

impl Client {
    /// `socket()` and `connect()`: a UDP socket whose only peer is `server`.
    /// Nothing is sent, so this works whether a server runs or not; it fails
    /// when the system has no route to `server`, or no socket of its family.
    pub fn connect(server: SocketAddr, options: Options, shutdown: &Shutdown) -> Result<Client> {
        // ANCHOR: connect
        // socket(): a UDP socket of the server's family (IPv4 or IPv6).
        let domain = Domain::for_address(server);
        let socket = Socket::new(domain, Type::DGRAM, Some(Protocol::UDP))
            .context("could not create a UDP socket")?;
        // connect(): on a UDP socket this sends nothing and waits for
        // nothing; it works even when no server runs. It only writes the
        // server's address into our socket, and that changes three things:
        // - send() needs no address: every datagram goes to the server;
        // - the kernel drops datagrams from any other address before recv()
        //   sees them, so only the server can answer us;
        // - when the server's machine answers "port unreachable" (ICMP: the
        //   network's own error reports), recv() fails with "connection
        //   refused". (An unconnected socket on Linux never hears of it.)
        // The kernel also picks our local port here, as sendto() would.
        socket
            .connect(&server.into())
            .with_context(|| format!("could not connect a UDP socket to {server}"))?;
        // ANCHOR_END: connect
        let local = common::addr::local_addr(&socket).context("could not read our address")?;
        log::info!("sending from {local} to {server} (UDP: connect() only picked the peer)");
        let _watch = shutdown.watch(&socket)?;
        Ok(Client {
            socket,
            server,
            options,
            shutdown: shutdown.clone(),
            buffer: vec![0u8; MAX_PAYLOAD_V6],
            _watch,
        })
    }

    /// `send()`: `message` as one datagram, to the address `connect()` recorded.
    pub(crate) fn send(&self, message: &[u8]) -> io::Result<()> {
        // ANCHOR: send
        // It goes out whole or not at all: no partial send to loop over
        // (TCP's write_all() does loop). It returns once the kernel has the
        // datagram, and says nothing about whether it arrives.
        self.socket.send(message)?;
        // ANCHOR_END: send
        log::info!("sent {}: {}", bytes(message.len()), show(message));
        Ok(())
    }

    /// `recv()`: the next datagram from the server, waiting at most `timeout`.
    pub(crate) fn recv(&mut self, timeout: Duration) -> io::Result<Vec<u8>> {
        // ANCHOR: recv
        // SO_RCVTIMEO: recv() gives up once `timeout` has passed ("would
        // block" or "timed out", depending on the system).
        self.socket.set_read_timeout(Some(timeout))?;
        // recv(): socket2's read() through a `&Socket` (lesson 1's bare server
        // says why): one whole datagram, and thanks to connect(), the server's.
        let n = (&self.socket).read(&mut self.buffer)?;
        // ANCHOR_END: recv
        Ok(self.buffer[..n].to_vec())
    }
}
