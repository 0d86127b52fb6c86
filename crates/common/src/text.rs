//! Showing received bytes in a log line.
//!
//! The network carries bytes, not text. A message may be invalid UTF-8, binary,
//! or a Korean character cut in two by the way TCP split the stream. Logs still
//! want something readable, so [`show`] decodes *lossily* (bad bytes become
//! `�`), escapes control characters, shortens long data, and never fails. The
//! bytes themselves are never changed: only what is logged.

/// How many characters of a message a log line shows before `…`.
pub const SHOW_CHARS: usize = 80;

/// A short, quoted, always-printable view of `bytes` for a log line.
///
/// ```
/// assert_eq!(common::text::show(b"hi\n"), r#""hi\n""#);
/// assert_eq!(common::text::show(&[0x68, 0xff]), "\"h\u{fffd}\"");
/// ```
pub fn show(bytes: &[u8]) -> String {
    // Only the start is shown, so only the start is decoded: a UTF-8
    // character has at most 4 bytes, so SHOW_CHARS * 4 bytes always hold
    // SHOW_CHARS characters. A 64 KiB read costs no more to log than a short one.
    let head = &bytes[..bytes.len().min(SHOW_CHARS * 4)];
    let text = String::from_utf8_lossy(head);
    let mut shown: String = text.chars().take(SHOW_CHARS).collect();
    let cut = shown.len() < text.len() || head.len() < bytes.len();
    // Debug formatting adds the quotes and escapes newlines and controls.
    shown = format!("{shown:?}");
    if cut {
        shown.push('…');
    }
    shown
}

/// "1 byte", "5 bytes": for log lines that say how much came.
pub fn bytes(n: usize) -> String {
    plural(n, "byte")
}

/// A count and a noun, the noun in the plural unless the count is 1:
/// `plural(1, "client")` is "1 client", `plural(3, "client")` "3 clients".
///
/// ```
/// assert_eq!(common::text::plural(1, "client"), "1 client");
/// assert_eq!(common::text::plural(0, "message"), "0 messages");
/// ```
pub fn plural<N: std::fmt::Display + PartialEq + From<u8>>(n: N, noun: &str) -> String {
    if n == N::from(1) {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Valid UTF-8, Korean included, is shown as it is, in quotes.
    #[test]
    fn shows_text() {
        assert_eq!(show("안녕!".as_bytes()), "\"안녕!\"");
    }

    /// Half a Korean character and invalid bytes are replaced, never an error.
    #[test]
    fn shows_broken_utf8_lossily() {
        let half = &"안".as_bytes()[..2];
        assert_eq!(show(half), "\"\u{fffd}\"");
        assert_eq!(show(&[0xff, 0xfe, b'a']), "\"\u{fffd}\u{fffd}a\"");
    }

    /// Long data is cut, with an ellipsis.
    #[test]
    fn shortens_long_data() {
        let shown = show(&[b'x'; 1000]);
        assert!(shown.ends_with('…'));
        assert_eq!(shown.chars().filter(|&c| c == 'x').count(), SHOW_CHARS);
    }

    /// A long Korean text is cut after SHOW_CHARS characters, never inside one.
    #[test]
    fn shortens_long_multibyte_text() {
        let long = "안".repeat(1000);
        let shown = show(long.as_bytes());
        assert_eq!(shown.chars().filter(|&c| c == '안').count(), SHOW_CHARS);
        assert!(!shown.contains('\u{fffd}'), "{shown}");
        assert!(shown.ends_with('…'));
        assert!(!show("안".repeat(SHOW_CHARS).as_bytes()).ends_with('…'));
    }

    /// Byte counts read naturally.
    #[test]
    fn counts_bytes() {
        assert_eq!(bytes(1), "1 byte");
        assert_eq!(bytes(0), "0 bytes");
        assert_eq!(bytes(1024), "1024 bytes");
    }
}
