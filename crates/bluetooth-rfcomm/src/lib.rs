//! # Lesson 6: `bluetooth-rfcomm`, the same calls in another address family
//!
//! Every lesson so far used TCP over IP. Sockets are not tied to IP: the
//! first argument of `socket()` picks an *address family*, and the calls stay
//! the same. This lesson makes an echo server and client over Bluetooth's
//! RFCOMM protocol, a reliable byte stream like TCP, in the `AF_BLUETOOTH`
//! family. What changes is the address: a device address such as
//! `00:1A:7D:DA:71:13` instead of an IP, a channel (1 to 30) instead of a port.
//!
//! ```text
//!   server                                   client
//!   socket(AF_BLUETOOTH, STREAM, RFCOMM)     socket(AF_BLUETOOTH, STREAM, RFCOMM)
//!   bind(any adapter, channel 1)
//!   listen(1)
//!   accept() ...waits...   <──────────────── connect(00:1A:7D:DA:71:13, channel 1)
//!   close the listener (one client only)
//!   loop:                                    for each line of standard input:
//!     recv() -> n bytes    <──────────────── send(line)
//!     send(those n bytes)  ────────────────> recv() until the whole line is back
//!     ...                                      print it
//!     recv() -> 0          <─────close────── close()   (end of input)
//!   close(), exit 0
//! ```
//!
//! Run it on a Linux machine with Bluetooth (BlueZ) and the client on another
//! one, or both in a VM with two emulated adapters:
//!
//! ```text
//! machine A:  cargo run -p bluetooth-rfcomm --bin server
//! machine B:  cargo run -p bluetooth-rfcomm --bin client -- --addr <A's address>
//! no hardware: scripts/bt-vm/test-lesson.sh
//! ```
//!
//! | file | what it shows |
//! |---|---|
//! | [`addr`] (`src/addr.rs`) | device addresses as text (`XX:XX:XX:XX:XX:XX`) and channel numbers |
//! | [`sockaddr`] (`src/sockaddr.rs`) | the kernel's `struct sockaddr_rc`, built by hand (the lesson's only `unsafe`) |
//! | [`rfcomm_socket`] (here) | `socket()` in the Bluetooth family, and what to say when there is no Bluetooth |
//! | [`server`] (`src/server.rs`) | bind, listen, accept one client, echo until it closes, Ctrl-C |
//! | [`client`] (`src/client.rs`) | connect, send each line, receive exactly its echo |
//! | `src/bin/*.rs` | the flags, and nothing else |

pub mod addr;
pub mod client;
pub mod server;
pub mod sockaddr;

pub use addr::BdAddr;

use common::error::Hint;
use socket2::Socket;

/// The lesson's name, as in `cargo run -p bluetooth-rfcomm`.
pub const LESSON: &str = "bluetooth-rfcomm";

/// The channel of tutorial 001's Bluetooth example: the first one.
pub const DEFAULT_CHANNEL: u8 = 1;

/// `BTPROTO_RFCOMM`, the protocol number of RFCOMM inside `AF_BLUETOOTH`
/// (L2CAP is 0, SCO 2). socket2 names only the IP protocols.
pub const BTPROTO_RFCOMM: i32 = 3;

/// Bytes per `recv()`, as in the tutorial.
pub const BUFFER: usize = 1024;

/// What a student needs when this machine cannot make Bluetooth sockets.
pub const NO_BLUETOOTH_HINT: &str = "this kernel has no Bluetooth sockets. The lesson needs \
     Linux with BlueZ: the bluetooth and rfcomm kernel modules (sudo modprobe rfcomm) and a \
     Bluetooth adapter (bluetoothctl list). No hardware, or a container? Try it in a VM with \
     two emulated adapters: scripts/bt-vm/test-lesson.sh";

/// The same, when Bluetooth is there but RFCOMM is not.
pub const NO_RFCOMM_HINT: &str = "the kernel has Bluetooth but not RFCOMM: load the rfcomm \
     module (sudo modprobe rfcomm) and try again. No hardware? Try it in a VM with two \
     emulated adapters: scripts/bt-vm/test-lesson.sh";

/// `socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM)`: a new RFCOMM socket,
/// not yet bound or connected.
///
/// # Errors
///
/// When the kernel has no Bluetooth or no RFCOMM (as in most containers and
/// CI machines), with a hint that says what is needed; on another OS than
/// Linux, always.
pub fn rfcomm_socket() -> anyhow::Result<Socket> {
    #[cfg(target_os = "linux")]
    {
        use socket2::{Domain, Protocol, Type};
        // ANCHOR: socket
        // socket(): the same call as for TCP, with other numbers. The family
        // is AF_BLUETOOTH instead of AF_INET, the type is still a byte stream
        // (SOCK_STREAM), and the protocol is RFCOMM instead of TCP.
        let socket = Socket::new(
            Domain::from(libc::AF_BLUETOOTH),
            Type::STREAM,
            Some(Protocol::from(BTPROTO_RFCOMM)),
        );
        // ANCHOR_END: socket
        socket.map_err(|e| {
            // EAFNOSUPPORT: no Bluetooth in this kernel at all.
            // EPROTONOSUPPORT: Bluetooth, but the rfcomm module is missing.
            let hint = match e.raw_os_error() {
                Some(libc::EPROTONOSUPPORT) => NO_RFCOMM_HINT,
                _ => NO_BLUETOOTH_HINT,
            };
            anyhow::Error::new(e)
                .context(Hint(hint.into()))
                .context("could not create an RFCOMM socket")
        })
    }
    #[cfg(not(target_os = "linux"))]
    {
        use anyhow::Context;
        // BlueZ's socket interface (AF_BLUETOOTH = 31, sockaddr_rc) is
        // Linux's. Other systems reach RFCOMM through other APIs, so we do
        // not even try: number 31 means something else there.
        Err(anyhow::anyhow!(
            "could not create an RFCOMM socket: AF_BLUETOOTH sockets are a Linux \
             feature, and this is {}",
            std::env::consts::OS
        ))
        .context(Hint(
            "run the lesson on Linux with BlueZ (the bluetooth and rfcomm kernel modules, \
             and an adapter), or, on a Linux host without Bluetooth hardware, in a VM: \
             scripts/bt-vm/test-lesson.sh"
                .into(),
        ))
    }
}

/// `connect()` failed: a hint for the Bluetooth reasons, which differ from
/// TCP's. `None` leaves the choice to `common::error` (whose "is the server
/// running?" hint fits a refused channel).
pub fn connect_hint(e: &std::io::Error, device: BdAddr) -> Option<String> {
    use std::io::ErrorKind;
    // Linux turns the controller's reason into an errno: page timeout (no
    // answer) is EHOSTDOWN, 112; a missing or rejected link key is EBADE, 52.
    // Neither has an ErrorKind of its own.
    let linux = cfg!(target_os = "linux");
    let host_down = linux && e.raw_os_error() == Some(112);
    let key_missing = linux && e.raw_os_error() == Some(52);
    let text = match e.kind() {
        _ if host_down => format!(
            "{device} did not answer: is that device switched on, in range, with \
             Bluetooth on? Is the address right? (`bluetoothctl devices` lists the \
             devices this machine knows)"
        ),
        ErrorKind::TimedOut => format!(
            "{device} did not answer in time: is it switched on and in range, and is \
             the address right?"
        ),
        ErrorKind::HostUnreachable | ErrorKind::NetworkUnreachable => "no local adapter \
             can reach that device: is this machine's adapter present and powered \
             (bluetoothctl show; bluetoothctl power on)?"
            .into(),
        ErrorKind::ResourceBusy => format!(
            "this machine already has a connection to that channel of {device} (is \
             another client still connected?): between two devices, a channel carries \
             one connection at a time"
        ),
        _ if key_missing => format!(
            "the two machines do not share a pairing (one of them forgot it): remove \
             and pair again (bluetoothctl, then: remove {device}, pair {device}, trust {device})"
        ),
        ErrorKind::PermissionDenied => format!(
            "{device} refused the connection at the security level: pair the two \
             machines first (bluetoothctl, then: pair {device}, trust {device})"
        ),
        _ => return None,
    };
    Some(text)
}

// The errno numbers below are Linux's.
#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::io;

    /// Each Bluetooth reason for a failed connect gets its own advice; a
    /// refused channel is left to common's "is the server running?" hint.
    #[test]
    fn connect_hints_name_the_bluetooth_reason() {
        let device: BdAddr = "00:1A:7D:DA:71:13".parse().expect("valid");
        let hint = |errno: i32| connect_hint(&io::Error::from_raw_os_error(errno), device);
        let cases = [
            (libc::EHOSTDOWN, "switched on, in range"),
            (libc::ETIMEDOUT, "did not answer in time"),
            (libc::EHOSTUNREACH, "bluetoothctl power on"),
            (libc::EBUSY, "one connection at a time"),
            (libc::EBADE, "remove 00:1A:7D:DA:71:13, pair"),
            (libc::EACCES, "pair the two machines first"),
        ];
        for (errno, needle) in cases {
            let text = hint(errno).unwrap_or_else(|| panic!("no hint for errno {errno}"));
            assert!(text.contains(needle), "errno {errno}: {text}");
        }
        assert_eq!(hint(libc::ECONNREFUSED), None);
    }
}
