//! Step 1 of the bluetooth-rfcomm lesson, the server: tutorial 001's
//! Bluetooth echo server, call for call, in Rust. The calls are the TCP
//! lessons' ones; only the family, the protocol and the address differ.
//!
//! It needs Linux with Bluetooth (BlueZ). On machine A, then on machine B:
//!
//! ```text
//! cargo run -p bluetooth-rfcomm --example bluetooth-rfcomm-bare-server
//! cargo run -p bluetooth-rfcomm --example bluetooth-rfcomm-bare-client -- <A's address>
//! ```
//!
//! Optional arguments: `[ADAPTER] [CHANNEL]`, by default
//! `00:00:00:00:00:00` (every adapter) and channel 1. Watch for: the
//! `listening on` line shows an adapter and a channel, not an IP and a port;
//! it serves one client and exits when that one closes. What the client
//! sent goes to standard output, the rest to standard error. No Bluetooth here
//! (a container, most CI machines)? Then `socket()` fails and it exits 1.

// ANCHOR: all
use std::io::{ErrorKind, Read, Write};

use anyhow::Context;
use bluetooth_rfcomm::sockaddr::{self, AF_BLUETOOTH, BTPROTO_RFCOMM, BdAddr};
use bluetooth_rfcomm::sockaddr::{device_and_channel, rfcomm_addr};
use socket2::{Domain, Protocol, Socket, Type};

fn main() -> anyhow::Result<()> {
    // [ADAPTER] [CHANNEL], by default the tutorial's: any adapter, channel 1.
    let mut args = std::env::args().skip(1);
    let adapter = args.next().unwrap_or_else(|| "00:00:00:00:00:00".into());
    let channel = args.next().unwrap_or_else(|| "1".into());
    // (The parsers explain a bad value in a String; Error::msg wraps it.)
    let adapter: BdAddr = adapter.parse().map_err(anyhow::Error::msg)?;
    let channel = sockaddr::channel(&channel).map_err(anyhow::Error::msg)?;
    // The tutorial's Ctrl-C handler closes the sockets and exits. Here Ctrl-C
    // just ends the program, and the kernel closes its sockets.

    // socket(): as for TCP, with other numbers: the Bluetooth family, a
    // byte stream, and RFCOMM instead of TCP as the protocol.
    let family = Domain::from(i32::from(AF_BLUETOOTH));
    let listener = Socket::new(family, Type::STREAM, Some(Protocol::from(BTPROTO_RFCOMM)))
        .context("could not create an RFCOMM socket (this needs Linux with Bluetooth)")?;
    // bind(): claim the channel on the adapter; 00:00:00:00:00:00 is
    // BlueZ's BDADDR_ANY, every adapter, like 0.0.0.0 for IP.
    listener
        .bind(&rfcomm_addr(adapter, channel))
        .with_context(|| format!("could not bind to {adapter} channel {channel}"))?;
    // listen(): from now on the kernel completes the connections that come
    // to the channel, and queues one until we accept() it.
    listener.listen(1).context("listen() failed")?;
    // getsockname(): the address the socket really got.
    let (adapter, channel) =
        device_and_channel(&listener.local_addr()?).context("not a Bluetooth address")?;
    eprintln!("listening on {adapter} channel {channel}");

    // accept(): wait for one client. The kernel also says who it is: its
    // device address and channel, in a sockaddr_rc.
    let (conn, peer) = listener.accept().context("accept() failed")?;
    let (device, _) = device_and_channel(&peer).context("not a Bluetooth address")?;
    eprintln!("{device} connected");

    let mut buffer = [0u8; 1024];
    loop {
        // recv(): up to 1024 bytes, whatever piece of the stream has come.
        // (`(&conn)`: reading through a reference, as in lesson 1.)
        let n = match (&conn).read(&mut buffer) {
            // 0 bytes, or a "reset", which is how Linux reports an RFCOMM
            // peer's normal close: the client is gone. (The tutorial never
            // checks, and ends only because its `except:` hides the error.)
            Ok(0) => break,
            Err(e) if e.kind() == ErrorKind::ConnectionReset => break,
            Ok(n) => n,
            Err(e) => return Err(e).context("recv() failed"),
        };
        // The tutorial prints the bytes; we print them as text, with
        // escapes (\n for a newline), never failing on bad UTF-8.
        println!(
            "client : {}",
            String::from_utf8_lossy(&buffer[..n]).escape_debug()
        );
        // send(): write_all() repeats send() until every byte is out (the
        // tutorial's single send() may send only a part).
        (&conn).write_all(&buffer[..n]).context("send() failed")?;
    }
    eprintln!("{device} closed the connection");
    // close(): both sockets close when they go out of scope, here.
    Ok(())
}
// ANCHOR_END: all
