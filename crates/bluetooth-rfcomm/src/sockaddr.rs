//! `struct sockaddr_rc`: the address of an RFCOMM socket, built by hand.
//!
//! `bind()`, `connect()` and `accept()` take and return addresses as a
//! `struct sockaddr`, whose first field says which family the rest belongs
//! to. socket2 knows the IPv4, IPv6 and Unix ones; for Bluetooth it knows
//! nothing, so we lay the bytes out ourselves, as BlueZ's
//! `<bluetooth/rfcomm.h>` declares them:
//!
//! ```text
//! struct sockaddr_rc {            offset  bytes for 01:23:45:67:89:AB channel 5
//!     sa_family_t rc_family;      0..2    1f 00               AF_BLUETOOTH = 31
//!     bdaddr_t    rc_bdaddr;      2..8    ab 89 67 45 23 01   reversed!
//!     uint8_t     rc_channel;     8       05
//! };                              9       00                  padding
//! ```
//!
//! Two surprises for a student. The device address is stored **backwards**:
//! Bluetooth sends it least significant byte first, and BlueZ keeps it that
//! way in memory, so `01:23:45:67:89:AB` is the bytes `ab 89 67 45 23 01`.
//! And the struct is 10 bytes, not 9: the compiler rounds it up to a whole
//! number of 2-byte units (the alignment of `rc_family`).
//!
//! This is the only module of the lesson with `unsafe` code. socket2 can only
//! take an address it cannot check ("trust me, these bytes are a
//! `sockaddr_rc` of 10 bytes"), and can only hand one back as raw memory, so
//! building and reading one is `unsafe`. Each block says why it is sound.
//! Everything else in the lesson goes through the safe functions here.

// The workspace denies unsafe code; this module is the one exception.
#![allow(unsafe_code)]

use std::mem::{offset_of, size_of};

use socket2::{Domain, SockAddr, SockAddrStorage, socklen_t};

use crate::addr::BdAddr;

/// `AF_BLUETOOTH`, the address family of Bluetooth sockets (31 on Linux).
/// (`libc::AF_BLUETOOTH` on Linux; written out so that this module builds
/// on every OS.)
pub const AF_BLUETOOTH: u16 = 31;

/// The kernel's `struct sockaddr_rc`, field for field (see the module docs).
/// `#[repr(C)]` makes Rust lay it out exactly as C does.
#[repr(C)]
#[allow(non_camel_case_types)]
struct sockaddr_rc {
    rc_family: u16,
    rc_bdaddr: [u8; 6],
    rc_channel: u8,
}

/// How many bytes a `sockaddr_rc` takes: 10, padding included.
pub const SOCKADDR_RC_LEN: usize = size_of::<sockaddr_rc>();

// Checked when compiling: the layout is the one the kernel expects, and it
// fits into socket2's storage.
const _: () = assert!(SOCKADDR_RC_LEN == 10);
const _: () = assert!(offset_of!(sockaddr_rc, rc_bdaddr) == 2);
const _: () = assert!(offset_of!(sockaddr_rc, rc_channel) == 8);
const _: () = assert!(SOCKADDR_RC_LEN <= size_of::<SockAddrStorage>());

/// The address to give `bind()` or `connect()`: adapter or device `addr`,
/// RFCOMM `channel`. `BdAddr::ANY` means "any local adapter".
pub fn rfcomm_addr(addr: BdAddr, channel: u8) -> SockAddr {
    // ANCHOR: build
    // socket2's storage is a `sockaddr_storage`, 128 zero bytes, big enough
    // for any address family.
    let mut storage = SockAddrStorage::zeroed();
    // SAFETY: `sockaddr_rc` is the platform's address type for AF_BLUETOOTH,
    // which is what `view_as` asks for; it is smaller than the storage
    // (checked at compile time above) and needs 2-byte alignment, which
    // `sockaddr_storage` exceeds.
    let rc = unsafe { storage.view_as::<sockaddr_rc>() };
    // We set the three fields one by one, never the whole struct, so the
    // padding byte keeps the zero it got from `zeroed()`.
    rc.rc_family = AF_BLUETOOTH;
    rc.rc_bdaddr = reversed(addr.0);
    rc.rc_channel = channel;
    let len = SOCKADDR_RC_LEN as socklen_t;
    // SAFETY: the family field says AF_BLUETOOTH, the first `len` bytes are
    // a complete, initialised `sockaddr_rc`, and `len` is its exact size:
    // what `SockAddr::new` requires.
    unsafe { SockAddr::new(storage, len) }
    // ANCHOR_END: build
}

/// Reads the device address and channel out of an address that `accept()`,
/// `getsockname()` or `getpeername()` returned. `None` when it is not a
/// Bluetooth address or too short to hold one.
pub fn device_and_channel(addr: &SockAddr) -> Option<(BdAddr, u8)> {
    // ANCHOR: decode
    // The family tells what the rest of the bytes are; the length, how many
    // of them the kernel filled in. Both are checked before we look.
    let needed = offset_of!(sockaddr_rc, rc_channel) + 1;
    if addr.domain() != Domain::from(i32::from(AF_BLUETOOTH)) || (addr.len() as usize) < needed {
        return None;
    }
    // SAFETY: `as_ptr` points at the `sockaddr_storage` inside `addr`, valid
    // for as long as we borrow `addr` and aligned for any address type. Its
    // family is AF_BLUETOOTH, so it holds a `sockaddr_rc`, whose fields are
    // plain bytes and integers that every bit pattern makes valid; and the
    // storage is fully initialised (socket2 zeroes it before the kernel
    // writes into it).
    let rc = unsafe { &*addr.as_ptr().cast::<sockaddr_rc>() };
    Some((BdAddr(reversed(rc.rc_bdaddr)), rc.rc_channel))
    // ANCHOR_END: decode
}

/// The raw bytes of an address, for a debug log line or a test.
pub fn bytes(addr: &SockAddr) -> &[u8] {
    let len = (addr.len() as usize).min(size_of::<SockAddrStorage>());
    // SAFETY: as in `device_and_channel`: the storage lives as long as the
    // borrow of `addr`, is fully initialised, and `len` never goes past its
    // end; `u8` has no alignment requirement.
    unsafe { std::slice::from_raw_parts(addr.as_ptr().cast::<u8>(), len) }
}

/// The six bytes in the opposite order: how Bluetooth and BlueZ store an
/// address (least significant byte first) versus how people write it.
fn reversed(mut bytes: [u8; 6]) -> [u8; 6] {
    bytes.reverse();
    bytes
}

// The layout above is Linux's (BlueZ); other systems are not tested.
#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    fn addr(text: &str) -> BdAddr {
        text.parse().expect("a valid address")
    }

    /// `01:23:45:67:89:AB` channel 5 is exactly the 10 bytes the kernel
    /// expects: family 31, the address reversed, the channel, one padding byte.
    #[test]
    #[cfg(target_endian = "little")]
    fn builds_the_exact_bytes() {
        let sa = rfcomm_addr(addr("01:23:45:67:89:AB"), 5);
        assert_eq!(sa.len() as usize, 10);
        assert_eq!(sa.family(), 31);
        assert_eq!(
            bytes(&sa),
            [0x1f, 0x00, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01, 0x05, 0x00]
        );
    }

    /// "Any adapter" is an all-zero address with only family and channel set.
    #[test]
    #[cfg(target_endian = "little")]
    fn any_adapter_is_all_zero() {
        let sa = rfcomm_addr(BdAddr::ANY, 1);
        assert_eq!(bytes(&sa), [0x1f, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
    }

    /// Our constant is the system's.
    #[test]
    #[cfg(target_os = "linux")]
    fn family_matches_libc() {
        assert_eq!(i32::from(AF_BLUETOOTH), libc::AF_BLUETOOTH);
    }

    /// What we build, we read back.
    #[test]
    fn round_trips() {
        let device = addr("00:aa:01:01:00:01");
        assert_eq!(
            device_and_channel(&rfcomm_addr(device, 30)),
            Some((device, 30))
        );
    }

    /// After `accept()`: the kernel writes a `sockaddr_rc` into socket2's
    /// zeroed storage and sets the length, as `SockAddr::try_init` lets it;
    /// we decode the peer's address (un-reversed) and channel from that.
    #[test]
    fn decodes_the_peer_address_the_kernel_writes() {
        let kernel_bytes = [
            AF_BLUETOOTH.to_ne_bytes()[0],
            AF_BLUETOOTH.to_ne_bytes()[1],
            0x01,
            0x00,
            0x01,
            0x01,
            0xAA,
            0x00,
            0x03,
            0x00,
        ];
        // SAFETY: the closure plays the kernel's part in accept(2): it
        // writes a complete 10-byte sockaddr_rc into the storage, which is
        // far larger, and sets the length to match.
        let ((), peer) = unsafe {
            SockAddr::try_init(|storage, len| {
                std::ptr::copy_nonoverlapping(
                    kernel_bytes.as_ptr(),
                    storage.cast::<u8>(),
                    kernel_bytes.len(),
                );
                *len = kernel_bytes.len() as socklen_t;
                Ok(())
            })
        }
        .expect("init");
        assert_eq!(
            device_and_channel(&peer),
            Some((addr("00:AA:01:01:00:01"), 3))
        );
        assert_eq!(bytes(&peer), kernel_bytes);
    }

    /// An address of another family, or one too short, is not misread.
    #[test]
    fn refuses_other_families_and_short_addresses() {
        let ip = SockAddr::from(std::net::SocketAddr::from(([127, 0, 0, 1], 1)));
        assert_eq!(device_and_channel(&ip), None);
        let mut short = rfcomm_addr(addr("01:23:45:67:89:AB"), 5);
        // SAFETY: shortening the length only hides initialised bytes.
        unsafe { short.set_length(8) };
        assert_eq!(device_and_channel(&short), None);
    }
}
