//! What the clients send, and how a reply is checked byte for byte.
//!
//! A round trip sends a [`Message`] and expects the very same bytes back. The
//! message carries a *stamp*, the round trip's number, so that an old reply
//! (a late UDP datagram, a server that repeats itself) never passes for the
//! current one. The stamp is rewritten in place before each send: the buffer
//! is allocated once per client, never per message.
//!
//! A stream sends a long run of a fixed [`Pattern`], so the bytes that come
//! back can be compared with what was sent at the same offset, without
//! keeping a copy of what was sent.

use common::text::show;

/// How the bytes are laid out on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// Any bytes at all, binary included (for `echo-loop` and UDP).
    Raw,
    /// Printable text, every message one line ending in `\n` (for
    /// `threaded-echo`, which watches the lines for `/end`).
    Line,
}

/// Bytes of the stamp in a raw message (a `u64`, little-endian).
const RAW_STAMP: usize = 8;
/// Hex digits of the stamp in a line message.
const LINE_STAMP: usize = 16;

/// Random-looking bytes without a dependency (xorshift), the same every time
/// for the same seed.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// One client's message, reused for every round trip.
#[derive(Clone, Debug)]
pub struct Message {
    bytes: Vec<u8>,
    framing: Framing,
    /// How many leading bytes hold the stamp (fewer for tiny messages).
    stamp_len: usize,
}

impl Message {
    /// A message of `size` bytes (at least 1) for client number `client`;
    /// clients get different filler, so a reply sent to the wrong client is
    /// caught.
    pub fn new(framing: Framing, size: usize, client: usize) -> Message {
        let size = size.max(1);
        let seed = client as u64 + 1;
        let (bytes, stamp_len) = match framing {
            Framing::Raw => (noise(size, seed), RAW_STAMP.min(size)),
            Framing::Line => {
                // Letters, shifted per client, then the newline. No `\n`
                // inside, and a line that starts with a digit is never `/end`.
                let mut bytes: Vec<u8> = (0..size - 1)
                    .map(|i| b'a' + ((i as u64 + seed * 7) % 26) as u8)
                    .collect();
                bytes.push(b'\n');
                (bytes, LINE_STAMP.min(size - 1))
            }
        };
        let mut message = Message {
            bytes,
            framing,
            stamp_len,
        };
        message.stamp(0);
        message
    }

    /// Writes round trip number `seq` into the stamp. No allocation.
    pub fn stamp(&mut self, seq: u64) {
        let stamp = &mut self.bytes[..self.stamp_len];
        match self.framing {
            Framing::Raw => {
                let le = seq.to_le_bytes();
                stamp.copy_from_slice(&le[..stamp.len()]);
            }
            Framing::Line => {
                // The lowest digits, when the message is too short for all 16.
                let mut n = seq;
                for byte in stamp.iter_mut().rev() {
                    *byte = b"0123456789abcdef"[(n & 15) as usize];
                    n >>= 4;
                }
            }
        }
    }

    /// The bytes to send, and to expect back.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// True when `reply` is this message from *another* round trip: the same
    /// bytes but a different stamp. A UDP client uses it to recognise the
    /// late answer to a datagram it had given up on.
    pub fn is_other_round_trip(&self, reply: &[u8]) -> bool {
        reply.len() == self.bytes.len()
            && reply[self.stamp_len..] == self.bytes[self.stamp_len..]
            && reply[..self.stamp_len] != self.bytes[..self.stamp_len]
    }
}

/// Says how `got` differs from `expected`, for the report: the first
/// differing byte, or the lengths. `None` when they are equal.
pub fn mismatch(expected: &[u8], got: &[u8]) -> Option<String> {
    let same = expected.iter().zip(got).take_while(|(a, b)| a == b).count();
    if same == expected.len() && same == got.len() {
        return None;
    }
    let shown = show(got);
    Some(if same < expected.len() && same < got.len() {
        format!(
            "byte {same} of {} is 0x{:02x}, expected 0x{:02x} (got {shown})",
            expected.len(),
            got[same],
            expected[same]
        )
    } else {
        format!(
            "{} bytes came back instead of {} (got {shown})",
            got.len(),
            expected.len()
        )
    })
}

/// The length of a stream [`Pattern`] before it repeats: a little over 1 MiB
/// and not a power of two, so the pattern does not line up with buffer sizes.
pub const PATTERN_LEN: usize = (1 << 20) + 3;

/// The bytes of a stream: a fixed pattern, repeated. Byte `i` of the stream
/// is byte `i % PATTERN_LEN` of the pattern, so the reader checks each byte
/// against the pattern at its offset; a dropped, doubled or changed byte
/// shifts or breaks the comparison, and the total count catches the rest.
#[derive(Clone, Debug)]
pub struct Pattern {
    bytes: Vec<u8>,
}

impl Pattern {
    /// The pattern for `framing`: random bytes, or numbered lines of text.
    pub fn new(framing: Framing) -> Pattern {
        let bytes = match framing {
            Framing::Raw => noise(PATTERN_LEN, 0xEC40),
            Framing::Line => {
                // Short lines, each starting with its own number, so that
                // losing a whole line is caught too.
                let mut bytes = Vec::with_capacity(PATTERN_LEN + 64);
                let mut line = 0u64;
                while bytes.len() < PATTERN_LEN {
                    let text = format!("{line:08} the quick brown fox jumps over the lazy dog\n");
                    bytes.extend_from_slice(text.as_bytes());
                    line += 1;
                }
                bytes.truncate(PATTERN_LEN);
                bytes
            }
        };
        Pattern { bytes }
    }

    /// The stream's bytes from `offset` on: at most `max` of them, fewer where
    /// the pattern wraps around. Send these straight from the pattern: no copy.
    pub fn at(&self, offset: u64, max: usize) -> &[u8] {
        let start = (offset % PATTERN_LEN as u64) as usize;
        let end = start + max.min(PATTERN_LEN - start);
        &self.bytes[start..end]
    }

    /// Where `got`, which arrived at stream offset `offset`, first differs
    /// from the stream (an index into `got`), or `None` when it is right.
    pub fn first_difference(&self, offset: u64, got: &[u8]) -> Option<usize> {
        let mut checked = 0;
        while checked < got.len() {
            let expected = self.at(offset + checked as u64, got.len() - checked);
            let piece = &got[checked..checked + expected.len()];
            if piece != expected {
                let same = piece
                    .iter()
                    .zip(expected)
                    .take_while(|(a, b)| a == b)
                    .count();
                return Some(checked + same);
            }
            checked += expected.len();
        }
        None
    }

    /// The byte the stream has at `offset`.
    pub fn byte_at(&self, offset: u64) -> u8 {
        self.bytes[(offset % PATTERN_LEN as u64) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stamps change the message from one round trip to the next, and an old
    /// reply is recognised as such.
    #[test]
    fn stamps_tell_round_trips_apart() {
        for framing in [Framing::Raw, Framing::Line] {
            let mut m = Message::new(framing, 64, 3);
            m.stamp(41);
            let old = m.bytes().to_vec();
            m.stamp(42);
            assert_ne!(m.bytes(), &old[..]);
            assert!(m.is_other_round_trip(&old));
            assert!(!m.is_other_round_trip(m.bytes()));
            assert_eq!(m.bytes().len(), 64);
        }
    }

    /// Line messages are one printable line, and clients differ.
    #[test]
    fn line_messages_are_one_line() {
        let mut m = Message::new(Framing::Line, 40, 0);
        m.stamp(0xabc);
        let text = std::str::from_utf8(m.bytes()).expect("ascii");
        assert!(text.starts_with("0000000000000abc"), "{text}");
        assert_eq!(text.find('\n'), Some(39));
        assert_ne!(Message::new(Framing::Line, 40, 1).bytes(), m.bytes());
        // Tiny messages still work: the stamp shrinks.
        assert_eq!(Message::new(Framing::Line, 1, 0).bytes(), b"\n");
        assert_eq!(Message::new(Framing::Raw, 3, 0).bytes().len(), 3);
    }

    /// A mismatch names the first wrong byte, or the lengths.
    #[test]
    fn mismatches_are_described() {
        assert_eq!(mismatch(b"abc", b"abc"), None);
        let flipped = mismatch(b"abc", b"abd").expect("differs");
        assert!(
            flipped.contains("byte 2 of 3 is 0x64, expected 0x63"),
            "{flipped}"
        );
        let short = mismatch(b"abc", b"ab").expect("differs");
        assert!(short.contains("2 bytes came back instead of 3"), "{short}");
    }

    /// The pattern wraps around, and a changed or missing byte is found at
    /// its offset.
    #[test]
    fn pattern_checks_offsets() {
        for framing in [Framing::Raw, Framing::Line] {
            let pattern = Pattern::new(framing);
            let near_end = PATTERN_LEN as u64 - 10;
            assert_eq!(pattern.at(near_end, 100).len(), 10);
            let mut got: Vec<u8> = (0..100).map(|i| pattern.byte_at(near_end + i)).collect();
            assert_eq!(pattern.first_difference(near_end, &got), None);
            got[50] ^= 1;
            assert_eq!(pattern.first_difference(near_end, &got), Some(50));
            // One byte dropped: the rest is shifted and no longer matches.
            let dropped: Vec<u8> = (0..100u64)
                .filter(|&i| i != 20)
                .map(|i| pattern.byte_at(7 * PATTERN_LEN as u64 + i))
                .collect();
            assert!(
                pattern
                    .first_difference(7 * PATTERN_LEN as u64, &dropped)
                    .is_some()
            );
        }
    }

    /// The line pattern is lines of text: no line is `/end`, none is too long.
    #[test]
    fn line_pattern_is_short_lines() {
        let pattern = Pattern::new(Framing::Line);
        let text = pattern.at(0, PATTERN_LEN);
        assert!(
            text.split(|&b| b == b'\n')
                .all(|line| line.len() < 100 && line != b"/end")
        );
    }
}
