//! Full duplex: a receiving thread and a sending loop on one connection.
//!
//! A TCP connection is two byte streams, one in each direction, and they do
//! not wait for each other. To use both at once a program needs two things
//! that can block independently:
//!
//! * the **receiving thread** ([`spawn_receiver`]) sits in `recv()` and logs
//!   whatever arrives, until `recv()` returns 0 (the peer closed) or fails;
//! * the **sending loop** ([`send_every`]) runs on the caller's thread:
//!   send a hello, wait an interval, send again.
//!
//! The server and the client both use these two pieces; only what they do
//! around them differs (`accept()` on one side, `connect()` and the
//! half-close on the other).
//!
//! The two must also *stop* together. When the peer goes away, the receiving
//! thread is the first to know (its `recv()` returns). Tutorial 001 lets the
//! sending loop find out by asking `t.isAlive()` once per interval, after
//! sleeping. Here the sending loop's pause *is* the wait for the receiving
//! thread's end ([`ReceivingThread::wait_timeout`]): it returns after the
//! interval, or at once when the thread ends, whichever comes first.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use common::Shutdown;
use common::text::{bytes, show};
use socket2::Socket;

use crate::RECV_BUFFER;

/// How the receiving thread ended.
#[derive(Debug)]
pub enum End {
    /// `recv()` returned 0: the peer closed its sending side (a FIN). Our own
    /// Ctrl-C ends the thread this way too, by shutting the socket down.
    Closed,
    /// `recv()` failed, usually with a reset: the peer vanished without a
    /// proper close.
    Failed(io::Error),
    /// What arrived could not be written out (standard output was closed).
    Output(io::Error),
}

/// What the receiving thread saw, from start to end.
#[derive(Debug)]
pub struct Received {
    /// How many bytes arrived in all.
    pub bytes: u64,
    /// How many messages: in this lesson a message is a line, so this counts
    /// the newlines that arrived, however TCP cut the stream into pieces.
    pub messages: u64,
    /// Why it stopped.
    pub end: End,
}

/// The receiving thread of one connection.
pub struct ReceivingThread {
    handle: JoinHandle<Received>,
    /// A channel on which nothing is ever sent. The thread owns the sending
    /// end, so the channel *disconnects* the moment the thread finishes, for
    /// whatever reason; [`ReceivingThread::wait_timeout`] waits for that.
    ended: mpsc::Receiver<()>,
}

/// Starts the receiving thread for `socket`: it logs what arrives from
/// `peer` and writes the bytes, unchanged, to `out`.
///
/// The server passes [`io::sink()`] (it only logs); the client passes
/// standard output, where the payload it receives belongs.
///
/// # Errors
///
/// When the socket cannot be shared (`dup(2)`, out of file descriptors) or
/// the thread cannot be started.
pub fn spawn_receiver<W>(socket: &Socket, peer: SocketAddr, out: W) -> io::Result<ReceivingThread>
where
    W: Write + Send + 'static,
{
    // ANCHOR: spawn_receiver
    // try_clone() is dup(2): a second handle to the *same* socket, that the
    // new thread can own. Reading on one handle while writing on the other
    // is what full duplex means.
    let socket = socket.try_clone()?;
    let (ended_tx, ended) = mpsc::channel::<()>();
    let handle = thread::Builder::new()
        .name(format!("receive from {peer}"))
        .spawn(move || {
            // Dropped when this closure returns: that disconnects the channel
            // and wakes the sending loop, without any flag to forget.
            let _ended_tx = ended_tx;
            receive_until_closed(&socket, peer, out)
        })?;
    // ANCHOR_END: spawn_receiver
    Ok(ReceivingThread { handle, ended })
}

/// The receiving thread's loop: `recv()` until the peer closes or fails.
fn receive_until_closed<W: Write>(socket: &Socket, peer: SocketAddr, mut out: W) -> Received {
    let mut buffer = [0u8; RECV_BUFFER];
    let mut received = Received {
        bytes: 0,
        messages: 0,
        end: End::Closed,
    };
    // ANCHOR: recv_loop
    loop {
        // recv(): wait for bytes from the peer. This thread does nothing else,
        // so waiting here never delays the sending loop.
        let n = match (&*socket).read(&mut buffer) {
            // 0 bytes: the peer closed its side (FIN). Nothing more will come.
            Ok(0) => return received,
            // Some bytes: a piece of the stream. Usually one hello, but TCP
            // may glue two together or cut one in half.
            Ok(n) => n,
            // A signal interrupted the wait; nothing was lost.
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            // A reset, typically: the peer is gone without a proper close.
            Err(e) => {
                received.end = End::Failed(e);
                return received;
            }
        };
        let data = &buffer[..n];
        log::info!("received {} from {peer}: {}", bytes(n), show(data));
        received.bytes += n as u64;
        received.messages += data.iter().filter(|&&b| b == b'\n').count() as u64;
        // The bytes themselves go out unchanged; only the log decodes them.
        if let Err(e) = out.write_all(data).and_then(|()| out.flush()) {
            received.end = End::Output(e);
            return received;
        }
    }
    // ANCHOR_END: recv_loop
}

impl ReceivingThread {
    /// Waits at most `timeout` for the thread to end; true if it has ended.
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        // ANCHOR: wait_for_end
        match self.ended.recv_timeout(timeout) {
            // The whole timeout passed and the thread is still receiving.
            Err(RecvTimeoutError::Timeout) => false,
            // The thread dropped its end of the channel: it has finished.
            // (Nothing is ever sent, so `Ok` cannot happen; it would mean the
            // same.)
            Err(RecvTimeoutError::Disconnected) | Ok(()) => true,
        }
        // ANCHOR_END: wait_for_end
    }

    /// True once the thread has ended, without waiting.
    pub fn has_ended(&self) -> bool {
        self.wait_timeout(Duration::ZERO)
    }

    /// Waits for the thread to end and returns what it received.
    ///
    /// Make sure it *will* end first: the peer closed, or the socket was
    /// shut down (`shutdown(Read)` wakes a blocked `recv()`).
    pub fn join(self) -> Received {
        // The thread's code cannot panic; should it ever, say so instead of
        // passing the panic on.
        self.handle.join().unwrap_or_else(|_| Received {
            bytes: 0,
            messages: 0,
            end: End::Failed(io::Error::other("the receiving thread panicked")),
        })
    }
}

/// What the sending loop sends, and how often.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// The bytes of one message, such as `b"hello client\n"`.
    pub message: &'static [u8],
    /// The pause between two messages (`--interval`).
    pub interval: Duration,
    /// Stop after this many messages (`--count`); `None` for "until the peer
    /// goes away or Ctrl-C".
    pub count: Option<u64>,
}

/// Why the sending loop stopped.
#[derive(Debug)]
pub enum Stop {
    /// It sent the `count` messages it was asked to.
    Done,
    /// The receiving thread ended: the peer closed (or reset) the connection.
    PeerGone,
    /// A `send()` failed: the peer is gone (a broken pipe or a reset).
    SendFailed(io::Error),
    /// Ctrl-C or SIGTERM.
    Interrupted,
}

/// What the sending loop did.
#[derive(Debug)]
pub struct Sent {
    /// How many messages went out whole.
    pub messages: u64,
    /// Why it stopped.
    pub stop: Stop,
}

/// The sending loop: send `schedule.message` to `peer` every
/// `schedule.interval` until the count is reached, the receiving thread ends
/// (the peer went away), a send fails, or Ctrl-C.
///
/// It runs on the caller's thread while `receiver` runs on its own.
pub fn send_every(
    socket: &Socket,
    peer: SocketAddr,
    schedule: &Schedule,
    receiver: &ReceivingThread,
    shutdown: &Shutdown,
) -> Sent {
    let mut sent = 0u64;
    log::info!(
        "sending {} to {peer} every {:?}",
        show(schedule.message),
        schedule.interval
    );
    // ANCHOR: send_loop
    let stop = loop {
        if shutdown.is_requested() {
            break Stop::Interrupted;
        }
        // send(): write_all() repeats send() until the whole message is with
        // the kernel, like Python's sendall(). If the peer is gone it fails
        // (broken pipe, reset): that is how a sender learns of it.
        if let Err(e) = (&*socket).write_all(schedule.message) {
            break Stop::SendFailed(e);
        }
        sent += 1;
        log::debug!("sent {} to {peer}", show(schedule.message));
        if schedule.count.is_some_and(|count| sent >= count) {
            break Stop::Done;
        }
        // The pause. Not a sleep: a wait for the receiving thread's end, with
        // the interval as timeout. When the peer closes, recv() returns 0, the
        // thread ends and this wait returns at once. Ctrl-C shuts the socket
        // down (common::shutdown), which ends the thread the same way.
        if receiver.wait_timeout(schedule.interval) {
            break if shutdown.is_requested() {
                Stop::Interrupted
            } else {
                Stop::PeerGone
            };
        }
    };
    // ANCHOR_END: send_loop
    Sent {
        messages: sent,
        stop,
    }
}

/// "1 message", "5 messages": for the summary lines.
pub fn messages(n: u64) -> String {
    if n == 1 {
        "1 message".into()
    } else {
        format!("{n} messages")
    }
}

/// The end-of-connection summary both sides log:
/// `received 5 messages (65 bytes), sent 6 messages`.
pub fn summary(received: &Received, sent: &Sent) -> String {
    format!(
        "received {} ({}), sent {}",
        messages(received.messages),
        bytes(usize::try_from(received.bytes).unwrap_or(usize::MAX)),
        messages(sent.messages)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{TcpListener, TcpStream};
    use std::sync::{Arc, Mutex};
    use std::time::Instant;

    /// A connected pair: our socket2 side and the peer's std side.
    fn pair() -> (Socket, TcpStream, SocketAddr) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let peer = TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
        let (ours, addr) = listener.accept().expect("accept");
        (Socket::from(ours), peer, addr)
    }

    /// A `Write` whose bytes the test can read afterwards.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().expect("lock").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn schedule(interval: Duration, count: Option<u64>) -> Schedule {
        Schedule {
            message: b"hi\n",
            interval,
            count,
        }
    }

    /// The receiving thread passes every byte on unchanged, counts lines
    /// across pieces, and ends with `Closed` when the peer closes.
    #[test]
    fn receiver_counts_lines_and_ends_on_close() {
        let (ours, mut peer, addr) = pair();
        let out = Shared::default();
        let receiver = spawn_receiver(&ours, addr, out.clone()).expect("spawn");
        peer.write_all(b"one\ntw").expect("send");
        peer.write_all(b"o\n\xff\n").expect("send");
        peer.shutdown(std::net::Shutdown::Write).expect("close");
        let received = receiver.join();
        assert!(matches!(received.end, End::Closed), "{:?}", received.end);
        assert_eq!(received.messages, 3);
        assert_eq!(received.bytes, 10);
        assert_eq!(*out.0.lock().expect("lock"), b"one\ntwo\n\xff\n");
    }

    /// A count of 3 sends exactly 3 messages and stops with `Done`.
    #[test]
    fn sends_count_messages() {
        let (ours, mut peer, addr) = pair();
        let receiver = spawn_receiver(&ours, addr, io::sink()).expect("spawn");
        let shutdown = Shutdown::new();
        let sent = send_every(
            &ours,
            addr,
            &schedule(Duration::from_millis(1), Some(3)),
            &receiver,
            &shutdown,
        );
        assert!(matches!(sent.stop, Stop::Done), "{:?}", sent.stop);
        assert_eq!(sent.messages, 3);
        ours.shutdown(std::net::Shutdown::Both).expect("shutdown");
        let mut got = Vec::new();
        peer.read_to_end(&mut got).expect("read");
        assert_eq!(got, b"hi\nhi\nhi\n");
        receiver.join();
    }

    /// When the peer closes, the sending loop stops at once, not at the end
    /// of its (one minute) interval: the fix for tutorial 001's polling.
    #[test]
    fn peer_closing_cuts_the_pause_short() {
        let (ours, mut peer, addr) = pair();
        let receiver = spawn_receiver(&ours, addr, io::sink()).expect("spawn");
        let closer = thread::spawn(move || {
            let mut first = [0u8; 3];
            peer.read_exact(&mut first).expect("first hello");
            // Closing with nothing unread sends a FIN.
            drop(peer);
        });
        let start = Instant::now();
        let sent = send_every(
            &ours,
            addr,
            &schedule(Duration::from_secs(60), None),
            &receiver,
            &Shutdown::new(),
        );
        assert!(matches!(sent.stop, Stop::PeerGone), "{:?}", sent.stop);
        assert_eq!(sent.messages, 1);
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "waited the interval"
        );
        closer.join().expect("no panic");
        assert!(receiver.has_ended());
        assert!(matches!(receiver.join().end, End::Closed));
    }

    /// Ctrl-C (the switch, plus the socket shutdown it does for watched
    /// sockets) stops the loop with `Interrupted`, even in a one-minute pause.
    #[test]
    fn ctrl_c_stops_the_loop() {
        let (ours, _peer, addr) = pair();
        let shutdown = Shutdown::new();
        let _watch = shutdown.watch(&ours).expect("watch");
        let receiver = spawn_receiver(&ours, addr, io::sink()).expect("spawn");
        let trigger = {
            let shutdown = shutdown.clone();
            thread::spawn(move || shutdown.trigger())
        };
        let sent = send_every(
            &ours,
            addr,
            &schedule(Duration::from_secs(60), None),
            &receiver,
            &shutdown,
        );
        trigger.join().expect("no panic");
        assert!(matches!(sent.stop, Stop::Interrupted), "{:?}", sent.stop);
        assert!(matches!(receiver.join().end, End::Closed));
    }

    /// A reset peer ends the receiving thread with `Failed`, not `Closed`.
    #[test]
    fn reset_is_a_failure() {
        let (ours, peer, addr) = pair();
        let receiver = spawn_receiver(&ours, addr, io::sink()).expect("spawn");
        let peer = Socket::from(peer);
        // Linger 0: close() sends RST instead of FIN.
        peer.set_linger(Some(Duration::ZERO)).expect("linger");
        drop(peer);
        let received = receiver.join();
        assert!(matches!(received.end, End::Failed(_)), "{:?}", received.end);
    }

    /// Summaries read naturally.
    #[test]
    fn summary_line() {
        let received = Received {
            bytes: 13,
            messages: 1,
            end: End::Closed,
        };
        let sent = Sent {
            messages: 2,
            stop: Stop::PeerGone,
        };
        assert_eq!(
            summary(&received, &sent),
            "received 1 message (13 bytes), sent 2 messages"
        );
    }
}
