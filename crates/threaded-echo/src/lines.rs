//! The line protocol: following lines in a byte stream without storing
//! them, and what the server says when it ends a session.
//!
//! The server echoes bytes the moment they arrive; it never waits for a
//! whole line. It still watches the lines go by, for two reasons:
//!
//! * to spot `/end`, which ends the session;
//! * to refuse a line that never ends: a client that never sends a newline
//!   is not speaking the protocol, and a server that kept the current line
//!   (to parse a command, say) could be made to keep gigabytes.
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

use std::net::SocketAddr;
use std::time::Duration;

/// The longest line the server accepts: 64 KiB before a newline.
///
/// Far more than anyone types; small enough that a runaway sender is noticed
/// after a few dozen reads.
pub const MAX_LINE: usize = 64 * 1024;

/// What the session command looks like, without its line ending.
pub const END: &[u8] = b"/end";

/// True for a line that ends the session: `/end`, with or without its line
/// ending (the client's check on what it sends).
pub fn is_end(line: &[u8]) -> bool {
    matches!(line, b"/end" | b"/end\n" | b"/end\r\n")
}

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
        // The tutorial's client: `/end` with no newline, alone in one read. It
        // sends no newlines at all, so this holds after `abc` too (it cannot be
        // told from a line `abc/end` split in two reads: a rare false end).
        if data == END {
            return Verdict::End(data.len());
        }
        for (i, &byte) in data.iter().enumerate() {
            if byte == b'\n' {
                // A line just ended. Was it `/end` (or `/end\r`, from Windows)?
                let head = &self.head[..self.len.min(self.head.len())];
                // The line fits in `head` (longer lines cannot be `/end`)...
                let whole_line = self.len <= self.head.len();
                // ...and without a trailing `\r` it reads `/end`.
                let text = head.strip_suffix(b"\r").unwrap_or(head);
                let was_end = whole_line && text == END;
                self.len = 0; // the next byte starts a new line
                if was_end {
                    return Verdict::End(i + 1); // echo up to the `\n`, then stop
                }
            } else {
                // One byte more would make the line too long: echo the
                // bytes before this one, then refuse.
                if self.len == self.max_line {
                    return Verdict::TooLong(i);
                }
                // Keep the line's first bytes (to compare with `/end`), and
                // count the rest: the line itself is never stored.
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

impl Verdict {
    /// How many of the `n` bytes just fed to [`LineWatch::feed`] to echo:
    /// all of them, or only those before the end of the session.
    pub fn keep(self, n: usize) -> usize {
        match self {
            Verdict::Echo => n,
            Verdict::End(k) | Verdict::TooLong(k) => k,
        }
    }
}

/// The line a client over `--max-clients` receives before it is closed.
pub fn busy_message(max_clients: usize) -> String {
    let serving = common::text::plural(max_clients, "client");
    format!("busy: the server already serves {serving}; try again later\n")
}

/// The line a client that stayed silent too long receives before it is closed.
pub fn idle_message(idle_timeout: Duration) -> String {
    let idle = common::duration::show(idle_timeout);
    format!("idle: nothing received for {idle}; closing the connection\n")
}

/// The line a client receives when a line of its is too long. It begins
/// with a newline, because it cuts into the middle of the echoed line.
pub fn too_long_message(max_line: usize) -> String {
    format!("\nerror: a line longer than {max_line} bytes; closing the connection\n")
}

/// The protocol for the bytes of one read, with no socket: what to echo,
/// and the last words if the session ends there (`/end`: none; a line too
/// long: the error line). Sending is the server's business, so lesson 3's
/// threads and lesson 7's event loop both call this.
pub fn answer<'a>(
    lines: &mut LineWatch,
    data: &'a [u8],
    peer: SocketAddr,
    max_line: usize,
) -> (&'a [u8], Option<String>) {
    // ANCHOR: answer
    match lines.feed(data) {
        Verdict::Echo => (data, None),
        Verdict::End(k) => {
            log::info!("{peer} sent /end");
            (&data[..k], Some(String::new())) // the echo of `/end` is the answer
        }
        Verdict::TooLong(k) => {
            let max = common::text::bytes(max_line);
            log::warn!("{peer} sent a line longer than {max}: closing");
            (&data[..k], Some(too_long_message(max_line)))
        }
    }
    // ANCHOR_END: answer
}

#[cfg(test)]
#[path = "lines_tests.rs"]
mod tests;
