//! The RFCOMM echo client: connect to a device and channel, send each line of
//! input, print its echo.
//!
//! Unlike TCP, RFCOMM has no half-close (`shutdown(Write)` closes both ways),
//! so the client must know by itself when an echo is complete: it receives
//! exactly as many bytes as it sent.

use std::io::ErrorKind::{BrokenPipe, ConnectionReset, Interrupted, NotConnected};
use std::io::{self, Read, Write};

use anyhow::{Context, Result};
use common::{Shutdown, error::with_hint, hints::Hint, input::Input, input::lines, text::bytes};
use socket2::Socket;

use crate::sockaddr::{self, BdAddr, rfcomm_addr};

/// The most bytes sent before we wait for their echo. With never more "in
/// flight", neither side can block sending while the other is blocked too.
pub const CHUNK: usize = crate::BUFFER;

/// Runs the client: connects to `device` on `channel`, sends each line of
/// standard input and prints its echo, until the end of input or Ctrl-C.
pub fn run(device: BdAddr, channel: u8, shutdown: &Shutdown) -> Result<()> {
    // ANCHOR: connect
    // socket(): AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM (in sockaddr.rs).
    let socket = sockaddr::rfcomm_socket()?;
    // On Ctrl-C, common's watch shuts the socket down: a slow connect() ends.
    let watch = shutdown.watch(&socket)?;

    // connect(): page the device (call it by radio), then open an RFCOMM
    // channel to it. With real hardware this can take a second or two.
    log::info!("connecting to {device} channel {channel}");
    if let Err(e) = socket.connect(&rfcomm_addr(device, channel)) {
        if shutdown.is_requested() {
            log::info!("stopped by Ctrl-C while connecting");
            return Ok(());
        }
        let hint = connect_hint(&e, device);
        let err = with_hint(e, hint);
        return Err(err.context(format!("could not connect to {device} channel {channel}")));
    }
    log::info!("connected to {device} channel {channel}");
    // ANCHOR_END: connect

    // ANCHOR: lines
    // Lines of input (longer ones in pieces of CHUNK bytes) and Ctrl-C come
    // from common::input's threads: a thread reading a terminal cannot be woken.
    let (mut output, mut sent) = (io::stdout(), 0);
    for event in lines(io::BufReader::new(io::stdin()), CHUNK, shutdown) {
        match event {
            Input::Line(line) => {
                echo_line(&socket, &line, &mut output, shutdown)?;
                // echo_line() returns early on Ctrl-C: stop.
                if shutdown.is_requested() {
                    break;
                }
                sent += line.len();
            }
            Input::End | Input::Interrupted => break,
            Input::Failed(e) => return Err(e).context("could not read standard input"),
        }
    }
    // close(): the end of input (or Ctrl-C) closes the channel, and the
    // server's recv() reports the end. Not earlier: no half-close.
    drop(watch);
    drop(socket);
    // ANCHOR_END: lines
    log::info!("{} sent and echoed; closed", bytes(sent));
    Ok(())
}

/// Sends `line` (at most [`CHUNK`] bytes) and copies exactly its echo to
/// `out`. Returns early, without error, on Ctrl-C.
fn echo_line(socket: &Socket, line: &[u8], out: &mut dyn Write, shutdown: &Shutdown) -> Result<()> {
    // ANCHOR: echo_line
    // send(): write_all() repeats send() until all is out (`&*socket`: see server.rs's recv()).
    match (&*socket).write_all(line) {
        Ok(()) => {}
        // Ctrl-C: common::Shutdown shut the socket down under us.
        Err(_) if shutdown.is_requested() => return Ok(()),
        Err(e) if GONE.contains(&e.kind()) => return Err(server_gone(0, line.len())),
        Err(e) => return Err(e).context("could not send"),
    }
    // recv() until as many bytes came back as we sent: one recv() may return
    // less (the tutorial's single recv(1024) cuts a long line).
    let mut buffer = [0u8; CHUNK];
    let mut echoed = 0;
    while echoed < line.len() {
        let want = (line.len() - echoed).min(CHUNK);
        let n = match (&*socket).read(&mut buffer[..want]) {
            _ if shutdown.is_requested() => return Ok(()),
            // 0 bytes: the server closed before the echo was complete.
            Ok(0) => return Err(server_gone(echoed, line.len())),
            Ok(n) => n,
            Err(e) if e.kind() == Interrupted => continue,
            Err(e) if GONE.contains(&e.kind()) => return Err(server_gone(echoed, line.len())),
            Err(e) => return Err(e).context("could not receive the echo"),
        };
        out.write_all(&buffer[..n])
            .context("could not write to standard output")?;
        echoed += n;
    }
    // ANCHOR_END: echo_line
    // The line is complete: show it now, even when stdout is a pipe.
    out.flush().context("could not write to standard output")
}

/// The errors that mean "the server has closed the connection": RFCOMM's
/// close reads as a reset (see `server.rs`), a send after it as a broken pipe.
const GONE: [io::ErrorKind; 3] = [ConnectionReset, BrokenPipe, NotConnected];

/// The error for a server that closed before the whole echo came back.
fn server_gone(echoed: usize, expected: usize) -> anyhow::Error {
    let text = format!("{echoed} of {expected} bytes came back");
    anyhow::anyhow!("the server closed the connection before echoing everything ({text})")
        .context(Hint::BluetoothServerGone)
}

/// A hint for Bluetooth's own reasons a `connect()` fails. `None` leaves the
/// hint to `common::error` (its "is the server running?" fits a refusal).
fn connect_hint(e: &io::Error, device: BdAddr) -> Option<Hint> {
    use io::ErrorKind::{HostUnreachable, NetworkUnreachable, PermissionDenied, ResourceBusy};
    let device = device.to_string();
    Some(match e.kind() {
        // EHOSTDOWN, "host is down": the device did not answer the page.
        #[cfg(target_os = "linux")]
        _ if e.raw_os_error() == Some(libc::EHOSTDOWN) => Hint::DeviceDown { device },
        io::ErrorKind::TimedOut => Hint::DeviceTimedOut { device },
        HostUnreachable | NetworkUnreachable => Hint::NoAdapter,
        ResourceBusy => Hint::ChannelBusy,
        // EBADE, "invalid exchange": one of the machines forgot the pairing.
        #[cfg(target_os = "linux")]
        _ if e.raw_os_error() == Some(libc::EBADE) => Hint::PairingForgotten { device },
        PermissionDenied => Hint::NotPaired { device },
        _ => return None,
    })
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
