//! Following lines in a byte stream without storing them.
//!
//! The server echoes bytes the moment they arrive; it never waits for a
//! whole line. It still watches the lines go by, for two reasons:
//!
//! * to spot `/end`, which ends the session;
//! * to refuse a line that never ends, so one client cannot make the server
//!   hold an unbounded amount of anything.
//!
//! Neither needs the line itself. [`LineWatch`] keeps only *how long* the
//! current line is so far and its first five bytes (enough to recognise
//! `/end` or `/end\r`). Its memory is the same whether a client sends ten
//! bytes or ten gigabytes: that is what "memory per client stays bounded"
//! means here.
//!
//! TCP does not keep message boundaries: a line may arrive in many reads,
//! and one read may hold several lines. [`LineWatch::feed`] therefore takes
//! whatever one read returned and carries its state over to the next read.

/// The longest line the server accepts: 64 KiB before a newline.
///
/// Far more than anyone types; small enough that a runaway sender is noticed
/// after a few dozen reads.
pub const MAX_LINE: usize = 64 * 1024;

/// What the session command looks like, without its line ending.
pub const END: &[u8] = b"/end";

/// What to do with the bytes of one read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Echo all of them and keep going.
    Echo,
    /// Echo the first `n` bytes (the `/end` line, with its line ending), then
    /// close the connection. Anything after them is ignored.
    End(usize),
    /// Echo the first `n` bytes: after them the current line would be longer
    /// than the bound. Then refuse the line and close.
    TooLong(usize),
}

/// How far into the current line the stream is, and how it began.
#[derive(Debug, Clone)]
pub struct LineWatch {
    max_line: usize,
    /// Bytes of the current line so far, not counting the `\n`.
    len: usize,
    /// The first bytes of the current line: room for `/end\r`.
    head: [u8; 5],
}

impl LineWatch {
    /// A watch that refuses lines longer than `max_line` bytes.
    pub fn new(max_line: usize) -> LineWatch {
        LineWatch {
            max_line,
            len: 0,
            head: [0; 5],
        }
    }

    /// Looks at the bytes of one read and says what to do with them.
    ///
    /// A line `/end` ends the session, with a Unix (`\n`) or a Windows
    /// (`\r\n`) line ending. So does a read that is exactly `/end`: the
    /// tutorial's client sends what was typed with no newline at all, and
    /// relies on each `send()` arriving as one `recv()`. On one machine, with
    /// short messages and a pause between them, that nearly always holds;
    /// TCP does not promise it, which is why lines are the real protocol.
    pub fn feed(&mut self, data: &[u8]) -> Verdict {
        // ANCHOR: feed
        if data == END {
            return Verdict::End(data.len());
        }
        for (i, &byte) in data.iter().enumerate() {
            if byte == b'\n' {
                let head = &self.head[..self.len.min(self.head.len())];
                let was_end =
                    self.len <= self.head.len() && head.strip_suffix(b"\r").unwrap_or(head) == END;
                self.len = 0;
                if was_end {
                    return Verdict::End(i + 1);
                }
            } else {
                if self.len == self.max_line {
                    return Verdict::TooLong(i);
                }
                if let Some(slot) = self.head.get_mut(self.len) {
                    *slot = byte;
                }
                self.len += 1;
            }
        }
        Verdict::Echo
        // ANCHOR_END: feed
    }

    /// Bytes of the current, unfinished line.
    pub fn pending(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds the reads in turn and returns the first verdict that is not
    /// `Echo`, with the index of its read.
    fn feed_all(watch: &mut LineWatch, reads: &[&[u8]]) -> Option<(usize, Verdict)> {
        reads
            .iter()
            .enumerate()
            .map(|(i, read)| (i, watch.feed(read)))
            .find(|(_, verdict)| *verdict != Verdict::Echo)
    }

    /// `/end` ends the session with either line ending, and the bytes before
    /// it are still echoed.
    #[test]
    fn end_lines_with_either_line_ending() {
        let mut watch = LineWatch::new(MAX_LINE);
        assert_eq!(watch.feed(b"/end\n"), Verdict::End(5));
        let mut watch = LineWatch::new(MAX_LINE);
        assert_eq!(watch.feed(b"/end\r\n"), Verdict::End(6));
        let mut watch = LineWatch::new(MAX_LINE);
        assert_eq!(watch.feed(b"hi\n/end\nafter\n"), Verdict::End(8));
    }

    /// A read that is exactly `/end`, as the tutorial's client sends it, ends
    /// the session too.
    #[test]
    fn bare_end_read_as_the_tutorial_sends_it() {
        let mut watch = LineWatch::new(MAX_LINE);
        assert_eq!(
            feed_all(&mut watch, &[b"hello", b"/end"]),
            Some((1, Verdict::End(4)))
        );
    }

    /// `/end` split over several reads is still found once its newline comes.
    #[test]
    fn end_split_across_reads() {
        let mut watch = LineWatch::new(MAX_LINE);
        let reads: [&[u8]; 4] = [b"/", b"en", b"d\r", b"\n"];
        assert_eq!(feed_all(&mut watch, &reads), Some((3, Verdict::End(1))));
    }

    /// Lines that only look like `/end` do not end anything.
    #[test]
    fn near_misses_are_ordinary_lines() {
        let mut watch = LineWatch::new(MAX_LINE);
        for line in [
            &b"x/end\n"[..],
            b"/endx\n",
            b"/end \n",
            b"/END\n",
            b"/en\n",
            b"\n",
            b"/end\r\r\n",
            b"/end/end\n",
            b"/end\r",
        ] {
            assert_eq!(watch.feed(line), Verdict::Echo, "{line:?}");
        }
    }

    /// A line of exactly the bound is fine; one byte more is refused, at the
    /// byte that crosses it, even when it arrives reads later.
    #[test]
    fn bound_on_line_length() {
        let mut watch = LineWatch::new(10);
        assert_eq!(watch.feed(b"0123456789\n"), Verdict::Echo);
        assert_eq!(watch.feed(b"01234"), Verdict::Echo);
        assert_eq!(watch.feed(b"56789"), Verdict::Echo);
        assert_eq!(watch.pending(), 10);
        assert_eq!(watch.feed(b"\n"), Verdict::Echo);
        assert_eq!(watch.feed(b"0123456"), Verdict::Echo);
        assert_eq!(watch.feed(b"789abc"), Verdict::TooLong(3));
    }

    /// Bytes of any kind (invalid UTF-8, a split Korean character) are just
    /// bytes: only `\n` matters.
    #[test]
    fn any_bytes_are_fine() {
        let mut watch = LineWatch::new(MAX_LINE);
        let korean = "한".as_bytes();
        assert_eq!(watch.feed(&korean[..1]), Verdict::Echo);
        assert_eq!(watch.feed(&korean[1..]), Verdict::Echo);
        assert_eq!(watch.feed(&[0xff, 0xfe, 0x00, b'\n']), Verdict::Echo);
        assert_eq!(watch.pending(), 0);
    }
}
