//! Unit tests of `sockaddr.rs`: parsing and printing device addresses and
//! channels, and the bytes of a `sockaddr_rc`.

use super::*;

/// Upper or lower case goes in; upper case comes out.
#[test]
fn parses_any_case_and_prints_upper_case() {
    let addr: BdAddr = "00:aa:01:0f:Ab:cD".parse().expect("valid");
    assert_eq!(addr, BdAddr([0x00, 0xAA, 0x01, 0x0F, 0xAB, 0xCD]));
    assert_eq!(addr.to_string(), "00:AA:01:0F:AB:CD");
    let back: BdAddr = addr.to_string().parse().expect("round trip");
    assert_eq!(back, addr);
}

/// The all-zero address is "any adapter".
#[test]
fn any_is_all_zeros() {
    assert!(BdAddr::ANY.is_any());
    assert_eq!(BdAddr::ANY.to_string(), "00:00:00:00:00:00");
    assert!(!BdAddr([0, 0, 0, 0, 0, 1]).is_any());
}

/// Every malformed address is refused, with a message that shows the
/// input and says what is wrong.
#[test]
fn refuses_malformed_addresses() {
    let cases = [
        ("00:AA:01:00:00", "5 groups"),
        ("00:AA:01:00:00:00:00", "7 groups"),
        ("", "1 groups"),
        ("00-AA-01-00-00-00", "1 groups"),
        ("00:AA:01:00:00:0G", "`0G`"),
        ("00:AA:01:00:00:0", "`0`"),
        ("00:AA:01:00:00:000", "`000`"),
        ("00:AA:01:00:00:+f", "`+f`"),
        ("00:AA:01:00:00:안", "`안`"),
    ];
    for (input, needle) in cases {
        let err = input.parse::<BdAddr>().expect_err(input);
        let message = err.to_string();
        assert!(message.contains(&format!("`{input}`")), "{message}");
        assert!(message.contains(needle), "{input}: {message}");
        assert!(message.contains("00:1A:7D:DA:71:13"), "{message}");
    }
}

/// Channels 1 to 30 are accepted; 0, 31 and junk are refused by name.
#[test]
fn channels_are_1_to_30() {
    assert_eq!(channel("1"), Ok(1));
    assert_eq!(channel("30"), Ok(30));
    for bad in ["0", "31", "256", "-1", "one", ""] {
        let err = channel(bad).expect_err(bad);
        assert!(err.contains("from 1 to 30"), "{bad}: {err}");
    }
}

/// The layout of `sockaddr_rc` is Linux's (BlueZ); other systems are not tested.
#[cfg(target_os = "linux")]
mod layout {
    use super::*;

    /// The raw bytes of an address (socket2 keeps them in a `sockaddr_storage`).
    fn bytes(addr: &SockAddr) -> &[u8] {
        let len = (addr.len() as usize).min(size_of::<SockAddrStorage>());
        // SAFETY: the storage lives as long as the borrow of `addr`, is fully
        // initialised, and `len` never goes past its end.
        unsafe { std::slice::from_raw_parts(addr.as_ptr().cast::<u8>(), len) }
    }

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
