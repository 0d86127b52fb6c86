//! Unit tests of `lines.rs`: the line protocol, fed by hand.

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

/// Verdicts say how many bytes of a read to echo.
#[test]
fn keep_counts_what_to_echo() {
    assert_eq!(Verdict::Echo.keep(10), 10);
    assert_eq!(Verdict::End(5).keep(10), 5);
    assert_eq!(Verdict::TooLong(0).keep(10), 0);
}

/// Only `/end` itself, with or without a line ending, ends a session.
#[test]
fn what_counts_as_end() {
    assert!(is_end(b"/end\n") && is_end(b"/end\r\n") && is_end(b"/end"));
    assert!(!is_end(b"/end \n") && !is_end(b"/ending\n") && !is_end(b"\n"));
}

/// The server's own words, exactly as clients (and event-loop) see them.
#[test]
fn messages() {
    assert_eq!(
        busy_message(1),
        "busy: the server already serves 1 client; try again later\n"
    );
    assert_eq!(
        idle_message(Duration::from_secs(300)),
        "idle: nothing received for 5m; closing the connection\n"
    );
    assert_eq!(
        too_long_message(16),
        "\nerror: a line longer than 16 bytes; closing the connection\n"
    );
}

/// The tutorial's client sends no newlines: `hello`, then `/end` in a read
/// of its own, still ends the session (the line state says `hello/end`).
#[test]
fn bare_end_after_text_without_newline() {
    let mut lines = LineWatch::new(MAX_LINE);
    assert_eq!(lines.feed(b"hello"), Verdict::Echo);
    assert_eq!(lines.feed(b"/end"), Verdict::End(4));
}

/// answer() echoes up to the end of the session and names the last words.
#[test]
fn answer_says_what_to_echo_and_the_last_words() {
    let (peer, mut lines) = (
        "127.0.0.1:1".parse().expect("an address"),
        LineWatch::new(4),
    );
    assert_eq!(answer(&mut lines, b"hi\n", peer, 4), (&b"hi\n"[..], None));
    assert_eq!(
        answer(&mut lines, b"/end\nmore", peer, 4),
        (&b"/end\n"[..], Some(String::new()))
    );
    let mut lines = LineWatch::new(4);
    let (echo, last) = answer(&mut lines, b"abcdef", peer, 4);
    assert_eq!((echo, last), (&b"abcd"[..], Some(too_long_message(4))));
}
