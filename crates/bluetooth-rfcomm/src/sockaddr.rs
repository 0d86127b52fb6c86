//! Bluetooth addresses, and `socket()` for them. A TCP server is found by an
//! IP address and a port; an RFCOMM server by the *device address* of an
//! adapter (six bytes, `00:1A:7D:DA:71:13`) and a *channel* from 1 to 30.
//! `bind()`, `connect()` and `accept()` pass them as a `struct sockaddr_rc`.
//! socket2 does not know that type, so we lay its bytes out ourselves, as
//! BlueZ's `<bluetooth/rfcomm.h>` does:
//!
//! ```text
//! struct sockaddr_rc {            offset  bytes for 01:23:45:67:89:AB channel 5
//!     sa_family_t rc_family;      0..2    1f 00               AF_BLUETOOTH = 31
//!     bdaddr_t    rc_bdaddr;      2..8    ab 89 67 45 23 01   reversed!
//!     uint8_t     rc_channel;     8       05
//! };                              9       00                  padding
//! ```
//!
//! The device address is stored backwards (Bluetooth sends the least
//! significant byte first), and the struct is 10 bytes, not 9 (rounded up to
//! whole 2-byte units). Building and reading it is the lesson's only `unsafe`
//! code; each `unsafe` block says why it is sound.

// The workspace denies unsafe code; this module is the one exception.
#![allow(unsafe_code)]

use std::fmt;
use std::mem::{offset_of, size_of};
use std::str::FromStr;

use common::error::{is_family_unsupported, with_hint};
use common::hints::Hint;
use socket2::{Domain, Protocol, SockAddr, SockAddrStorage, Socket, Type, socklen_t};

/// `AF_BLUETOOTH`, the address family of Bluetooth sockets (31 on Linux).
pub const AF_BLUETOOTH: u16 = 31;

/// `BTPROTO_RFCOMM`, RFCOMM's protocol number in `AF_BLUETOOTH`.
pub const BTPROTO_RFCOMM: i32 = 3;

/// A Bluetooth device address, in the order people write it:
/// `01:23:45:67:89:AB` is `BdAddr([0x01, 0x23, 0x45, 0x67, 0x89, 0xAB])`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BdAddr(pub [u8; 6]);

impl BdAddr {
    /// `00:00:00:00:00:00`, BlueZ's `BDADDR_ANY`: for a server, "every local
    /// adapter", as `0.0.0.0` is "every interface" for IP.
    pub const ANY: BdAddr = BdAddr([0; 6]);

    /// True for [`BdAddr::ANY`].
    pub fn is_any(&self) -> bool {
        *self == BdAddr::ANY
    }
}

/// Upper-case hex pairs with colons, as `bluetoothctl` prints addresses.
impl fmt::Display for BdAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a:02X}:{b:02X}:{c:02X}:{d:02X}:{e:02X}:{g:02X}")
    }
}

/// Parses `XX:XX:XX:XX:XX:XX`: six groups of two hex digits, in any case.
/// The error names the text and the form expected (clap shows it as is).
impl FromStr for BdAddr {
    type Err = String;

    fn from_str(text: &str) -> Result<BdAddr, String> {
        let bad = |why: String| {
            format!(
                "`{text}` is not a Bluetooth device address: {why}; write six pairs \
                 of hex digits separated by colons, such as 00:1A:7D:DA:71:13"
            )
        };
        let groups: Vec<&str> = text.trim().split(':').collect();
        if groups.len() != 6 {
            return Err(bad(format!("it has {} groups, not 6", groups.len())));
        }
        let mut bytes = [0u8; 6];
        for (byte, group) in bytes.iter_mut().zip(&groups) {
            // Exactly two hex digits: from_str_radix alone would also take
            // "+f" or "f", and a typo should be caught, not guessed at.
            if group.len() != 2 || !group.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(bad(format!("`{group}` is not two hex digits")));
            }
            *byte = u8::from_str_radix(group, 16).map_err(|e| bad(e.to_string()))?;
        }
        Ok(BdAddr(bytes))
    }
}

/// Parses `--channel`, a whole number from 1 to 30 (for clap, which exits
/// with code 2 on an error).
pub fn channel(text: &str) -> Result<u8, String> {
    match text.trim().parse::<u8>() {
        Ok(n) if (1..=30).contains(&n) => Ok(n),
        _ => Err(format!(
            "`{text}` is not an RFCOMM channel: channels go from 1 to 30"
        )),
    }
}

/// The kernel's `struct sockaddr_rc` (see the top). `#[repr(C)]`: laid out
/// exactly as C does.
#[repr(C)]
#[allow(non_camel_case_types)]
struct sockaddr_rc {
    rc_family: u16,
    rc_bdaddr: [u8; 6],
    rc_channel: u8,
}

// Checked when compiling: the kernel's layout, and it fits socket2's storage.
const _: () = assert!(size_of::<sockaddr_rc>() == 10);
const _: () = assert!(offset_of!(sockaddr_rc, rc_bdaddr) == 2);
const _: () = assert!(offset_of!(sockaddr_rc, rc_channel) == 8);
const _: () = assert!(size_of::<sockaddr_rc>() <= size_of::<SockAddrStorage>());

/// The address to give `bind()` or `connect()`: adapter or device `addr`,
/// RFCOMM `channel`. [`BdAddr::ANY`] means "any local adapter".
pub fn rfcomm_addr(addr: BdAddr, channel: u8) -> SockAddr {
    // ANCHOR: build
    // socket2's storage is a `sockaddr_storage`: 128 zero bytes, big enough
    // for an address of any family.
    let mut storage = SockAddrStorage::zeroed();
    // SAFETY: `sockaddr_rc` is the address type of AF_BLUETOOTH, which is
    // what `view_as` asks for; it is smaller than the storage (checked
    // above) and needs 2-byte alignment, which the storage exceeds.
    let rc = unsafe { storage.view_as::<sockaddr_rc>() };
    // Field by field, never the whole struct: the padding keeps its zero.
    rc.rc_family = AF_BLUETOOTH;
    rc.rc_bdaddr = reversed(addr.0);
    rc.rc_channel = channel;
    let len = size_of::<sockaddr_rc>() as socklen_t;
    // SAFETY: the family says AF_BLUETOOTH, and the first `len` bytes are a
    // complete, initialised `sockaddr_rc` of exactly that size.
    unsafe { SockAddr::new(storage, len) }
    // ANCHOR_END: build
}

/// The device address and channel in an address that `accept()` or
/// `getsockname()` returned. `None` when it is not a Bluetooth address, or
/// too short to hold one.
pub fn device_and_channel(addr: &SockAddr) -> Option<(BdAddr, u8)> {
    // ANCHOR: decode
    // The family says what the bytes are; the length, how many of them the
    // kernel filled in. Both are checked before we look.
    let needed = offset_of!(sockaddr_rc, rc_channel) + 1;
    if addr.domain() != Domain::from(i32::from(AF_BLUETOOTH)) || (addr.len() as usize) < needed {
        return None;
    }
    // SAFETY: `as_ptr` points at the storage inside `addr`, valid while we
    // borrow `addr` and aligned for any address type. Its family is
    // AF_BLUETOOTH, so it holds a `sockaddr_rc`, whose fields are plain
    // bytes that any bit pattern makes valid; and socket2 zeroes the storage
    // before the kernel writes into it, so every byte is initialised.
    let rc = unsafe { &*addr.as_ptr().cast::<sockaddr_rc>() };
    Some((BdAddr(reversed(rc.rc_bdaddr)), rc.rc_channel))
    // ANCHOR_END: decode
}

/// The six bytes in the opposite order: how BlueZ stores an address (least
/// significant byte first) versus how people write it.
fn reversed(mut bytes: [u8; 6]) -> [u8; 6] {
    bytes.reverse();
    bytes
}

/// `socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM)`: a new RFCOMM socket,
/// or, without Bluetooth, an error with a hint that says what is needed.
pub fn rfcomm_socket() -> anyhow::Result<Socket> {
    // ANCHOR: socket
    // socket(): the call of the TCP lessons, with other numbers. The family
    // is AF_BLUETOOTH instead of AF_INET, the type is still a byte stream,
    // and the protocol is RFCOMM instead of TCP.
    #[cfg(target_os = "linux")]
    let socket = Socket::new(
        Domain::from(libc::AF_BLUETOOTH),
        Type::STREAM,
        Some(Protocol::from(BTPROTO_RFCOMM)),
    );
    // ANCHOR_END: socket
    // BlueZ's sockets are Linux's; elsewhere 31 is another family: no try.
    #[cfg(not(target_os = "linux"))]
    let socket = Err(std::io::Error::from_raw_os_error(
        common::error::EAFNOSUPPORT,
    ));
    socket.map_err(|e| {
        // No Bluetooth in the kernel (EAFNOSUPPORT), or no RFCOMM module.
        #[cfg(target_os = "linux")]
        let missing = is_family_unsupported(&e) || e.raw_os_error() == Some(libc::EPROTONOSUPPORT);
        #[cfg(not(target_os = "linux"))]
        let missing = is_family_unsupported(&e);
        let hint = missing.then_some(Hint::NoBluetooth);
        with_hint(e, hint).context("could not create an RFCOMM socket")
    })
}

#[cfg(test)]
#[path = "sockaddr_tests.rs"]
mod tests;
