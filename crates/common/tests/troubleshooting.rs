//! Keeps the book's troubleshooting appendix and the code in step: every hint
//! the workspace can print (every row of `common::hints::Hint`) must be on
//! that page, either in its text or in the output of a real run that it
//! includes (`{{#include output/...}}`, written by
//! scripts/book-output/troubleshooting.sh).

use std::io;
use std::path::Path;

use common::error::{Hints, hint_for};
use common::hints::Hint;

/// The page as a reader sees it: its text with every `{{#include FILE}}`
/// replaced by that file.
fn appendix() -> String {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/src");
    let page = std::fs::read_to_string(src.join("troubleshooting.md"))
        .expect("docs/src/troubleshooting.md is readable");
    let mut text = String::new();
    for line in page.lines() {
        let include = line
            .trim()
            .strip_prefix("{{#include ")
            .and_then(|rest| rest.strip_suffix("}}"));
        match include {
            Some(file) => {
                let path = src.join(file.trim());
                let output = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                text.push_str(&output);
            }
            None => text.push_str(line),
        }
        text.push('\n');
    }
    text
}

/// Every hint `common::error` chooses for an OS error is in the appendix,
/// word for word.
#[test]
fn every_common_hint_is_in_the_appendix() {
    let kinds = [
        io::ErrorKind::ConnectionRefused,
        io::ErrorKind::AddrInUse,
        io::ErrorKind::PermissionDenied,
        io::ErrorKind::AddrNotAvailable,
        io::ErrorKind::TimedOut,
        io::ErrorKind::ConnectionReset,
        io::ErrorKind::BrokenPipe,
        io::ErrorKind::NetworkUnreachable,
    ];
    let appendix = appendix();
    // The page shows real runs, so the hints name a real lesson.
    let hints = Hints::client("oneshot", String::new());
    let mut missing = Vec::new();
    for kind in kinds {
        let err = anyhow::Error::new(io::Error::from(kind));
        let hint = hint_for(&err, &hints).unwrap_or_else(|| panic!("no hint for {kind:?}"));
        if !appendix.contains(&hint) {
            missing.push(hint);
        }
    }
    let unsupported = anyhow::Error::new(io::Error::from_raw_os_error(common::error::EAFNOSUPPORT));
    let hint = hint_for(&unsupported, &hints).expect("a hint for EAFNOSUPPORT");
    if !appendix.contains(&hint) {
        missing.push(hint);
    }
    if !appendix.contains(common::error::STDOUT_CLOSED) {
        missing.push(common::error::STDOUT_CLOSED.to_string());
    }
    let not_found = anyhow::Error::new(common::addr::HostNotFound {
        host: "x".into(),
        source: None,
    });
    let hint = hint_for(&not_found, &hints).expect("a hint for a bad host");
    if !appendix.contains(&hint) {
        missing.push(hint);
    }
    assert!(
        missing.is_empty(),
        "add these hints to docs/src/troubleshooting.md:\n{}",
        missing.join("\n")
    );
}

/// What every value of a hint's fields is replaced with, so that the fixed
/// parts of its text can be told from the parts that change.
const VALUE: &str = "\u{1}";

/// Every row of the hint table is in the appendix: each fixed part of its
/// English text (the parts between the values a lesson fills in, such as
/// a command or a device address), where that part is long enough to mean
/// something. So a reworded hint fails here until the page shows the new
/// words.
#[test]
fn every_row_of_the_table_is_in_the_appendix() {
    let appendix = appendix();
    let mut missing = Vec::new();
    for hint in Hint::examples(VALUE) {
        for part in hint.en().split(VALUE) {
            let part = part.trim_matches(|c: char| c.is_whitespace() || "(),;:".contains(c));
            if part.len() >= 12 && !appendix.contains(part) {
                missing.push(format!("{hint:?}: {part}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "add these hints to docs/src/troubleshooting.md:\n{}",
        missing.join("\n")
    );
}
