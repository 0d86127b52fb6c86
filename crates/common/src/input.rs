//! Lines typed by the student, read on a thread of their own.
//!
//! An interactive client waits for two things at once: the next line on
//! standard input, and Ctrl-C. Reading a terminal blocks, and nothing can wake
//! a thread blocked there (the Ctrl-C handler does not interrupt the read).
//! So [`lines`] reads on a thread and sends each line down a channel, and a
//! second thread sends [`Input::Interrupted`] down the same channel when
//! Ctrl-C comes. The client's main loop waits on the channel alone.
//!
//! Neither thread is joined: when `main` returns, the process ends, and they
//! end with it.

use std::io::{self, BufRead, Read};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::Duration;

use crate::Shutdown;

/// How many lines may wait in the channel, read but not yet sent. A few
/// suffice to keep the client busy; more would only hold memory when the
/// input is a large file.
const AHEAD: usize = 4;

/// What the input thread reports.
#[derive(Debug)]
pub enum Input {
    /// One line as bytes, with its `\n` if it had one (the last line of a
    /// file may not). Bytes, not a `String`: input that is not UTF-8 is
    /// passed on unchanged. A line longer than the `max` given to [`lines`]
    /// arrives in pieces of at most `max` bytes.
    Line(Vec<u8>),
    /// The input ended (Ctrl-D in a terminal, the end of a piped file).
    End,
    /// Reading the input failed.
    Failed(io::Error),
    /// Ctrl-C (or SIGTERM) was pressed.
    Interrupted,
}

/// Reads `input` line by line on a thread and reports each line, the end of
/// the input, and Ctrl-C on one channel.
///
/// After `End`, `Failed` or `Interrupted` the channel may still deliver a
/// last message from the other thread; a client stops at the first of them.
pub fn lines<R>(input: R, max: usize, shutdown: &Shutdown) -> Receiver<Input>
where
    R: BufRead + Send + 'static,
{
    let (tx, rx) = mpsc::sync_channel(AHEAD);
    let ctrl_c = tx.clone();
    thread::spawn(move || {
        let mut input = input;
        loop {
            let mut line = Vec::new();
            // take(): a line with no newline in sight must not fill memory.
            let read = input.by_ref().take(max as u64).read_until(b'\n', &mut line);
            let event = match read {
                Ok(0) => Input::End,
                Ok(_) => Input::Line(line),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => Input::Failed(e),
            };
            let last = !matches!(event, Input::Line(_));
            if tx.send(event).is_err() || last {
                return;
            }
        }
    });
    let shutdown = shutdown.clone();
    thread::spawn(move || {
        // Sleeps until Ctrl-C, in hour-long naps.
        while !shutdown.wait_timeout(Duration::from_secs(3600)) {}
        let _ = ctrl_c.send(Input::Interrupted);
    });
    rx
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(rx: &Receiver<Input>) -> Vec<String> {
        let mut seen = Vec::new();
        for event in rx.iter() {
            let last = !matches!(event, Input::Line(_));
            seen.push(match event {
                Input::Line(l) => String::from_utf8_lossy(&l).into_owned(),
                other => format!("{other:?}"),
            });
            if last {
                break;
            }
        }
        seen
    }

    /// Lines come with their newline; the end of input comes last.
    #[test]
    fn lines_then_end() {
        let rx = lines(&b"one\ntwo\nlast"[..], 100, &Shutdown::new());
        assert_eq!(collect(&rx), ["one\n", "two\n", "last", "End"]);
    }

    /// A line longer than `max` arrives in pieces, so memory stays bounded.
    #[test]
    fn long_lines_come_in_pieces() {
        let rx = lines(&b"abcdefg\n"[..], 3, &Shutdown::new());
        assert_eq!(collect(&rx), ["abc", "def", "g\n", "End"]);
    }

    /// Ctrl-C reaches a client whose input never ends.
    #[test]
    fn ctrl_c_is_reported() {
        struct Never;
        impl Read for Never {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                thread::sleep(Duration::from_secs(3600));
                Ok(0)
            }
        }
        let shutdown = Shutdown::new();
        let rx = lines(io::BufReader::new(Never), 10, &shutdown);
        shutdown.trigger();
        assert_eq!(collect(&rx), ["Interrupted"]);
    }
}
