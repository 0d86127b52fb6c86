//! Bluetooth device addresses (`00:1A:7D:DA:71:13`) and RFCOMM channels.
//!
//! A TCP server is found by an IP address and a port. An RFCOMM server is
//! found by the *device address* of a Bluetooth adapter (six bytes, written as
//! six pairs of hex digits, like a MAC address) and a *channel*, a number from
//! 1 to 30 that plays the part of the port.
//!
//! This module only turns text into those values and back. How the kernel
//! wants them in memory (reversed!) is [`crate::sockaddr`]'s business.

use std::fmt;
use std::str::FromStr;

/// The first RFCOMM channel.
pub const MIN_CHANNEL: u8 = 1;

/// The last RFCOMM channel. RFCOMM has 30 channels, not 65,535 ports: the
/// channel number shares a 5-bit field with a direction bit in the protocol.
pub const MAX_CHANNEL: u8 = 30;

/// A Bluetooth device address, in the order people write it: `01:23:45:67:89:AB`
/// is `BdAddr([0x01, 0x23, 0x45, 0x67, 0x89, 0xAB])`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BdAddr(pub [u8; 6]);

impl BdAddr {
    /// `00:00:00:00:00:00`, BlueZ's `BDADDR_ANY`: bound to by a server, it
    /// means "every local adapter", as 0.0.0.0 does for IP.
    pub const ANY: BdAddr = BdAddr([0; 6]);

    /// True for [`BdAddr::ANY`].
    pub fn is_any(&self) -> bool {
        *self == BdAddr::ANY
    }
}

/// Upper-case hex pairs separated by colons, the way `bluetoothctl` and
/// `hciconfig` print addresses.
impl fmt::Display for BdAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a:02X}:{b:02X}:{c:02X}:{d:02X}:{e:02X}:{g:02X}")
    }
}

/// Why a text is not a Bluetooth address. Its message names the text and the
/// form that is expected, so that clap's error line says it all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadBdAddr {
    /// What was typed.
    pub input: String,
    /// What is wrong with it, in a few words.
    pub reason: String,
}

impl fmt::Display for BadBdAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a Bluetooth device address: {}; write six pairs of hex \
             digits separated by colons, such as 00:1A:7D:DA:71:13",
            self.input, self.reason
        )
    }
}

impl std::error::Error for BadBdAddr {}

/// Parses `XX:XX:XX:XX:XX:XX`: exactly six groups of exactly two hex digits.
/// Upper and lower case are both fine (`00:aa:01:00:00:00`).
impl FromStr for BdAddr {
    type Err = BadBdAddr;

    fn from_str(text: &str) -> Result<BdAddr, BadBdAddr> {
        let bad = |reason: String| BadBdAddr {
            input: text.to_string(),
            reason,
        };
        let groups: Vec<&str> = text.trim().split(':').collect();
        if groups.len() != 6 {
            return Err(bad(format!("it has {} groups, not 6", groups.len())));
        }
        let mut bytes = [0u8; 6];
        for (byte, group) in bytes.iter_mut().zip(&groups) {
            // from_str_radix alone would accept "+f" or "f": insist on two
            // hex digits, so that a typo is caught rather than guessed at.
            if group.len() != 2 || !group.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(bad(format!("`{group}` is not two hex digits")));
            }
            *byte = u8::from_str_radix(group, 16)
                .map_err(|_| bad(format!("`{group}` is not two hex digits")))?;
        }
        Ok(BdAddr(bytes))
    }
}

/// Parses `--channel`: a whole number from 1 to 30.
///
/// Use it as `#[arg(long, value_parser = bluetooth_rfcomm::addr::channel)]`.
///
/// # Errors
///
/// A message for clap to show; clap then exits with code 2.
pub fn channel(text: &str) -> Result<u8, String> {
    let out_of_range = || {
        format!(
            "`{text}` is not an RFCOMM channel: channels go from {MIN_CHANNEL} to {MAX_CHANNEL}"
        )
    };
    let n: u32 = text.trim().parse().map_err(|_| out_of_range())?;
    u8::try_from(n)
        .ok()
        .filter(|n| (MIN_CHANNEL..=MAX_CHANNEL).contains(n))
        .ok_or_else(out_of_range)
}

#[cfg(test)]
mod tests {
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
}
