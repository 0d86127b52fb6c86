//! Keeps the book's troubleshooting appendix and the code in step: every hint
//! the workspace can print must be on that page, either in its text or in
//! the output of a real run that it includes (`{{#include output/...}}`,
//! written by scripts/book-output/troubleshooting.sh).

use std::io;
use std::path::{Path, PathBuf};

use common::error::{Hints, hint_for};

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

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text of the string literal that starts right after `from` in `src`,
/// up to the first `{`, `\` or closing quote: the fixed start of a message.
fn literal_prefix(src: &str) -> Option<String> {
    let start = src.find('"')?;
    let rest = &src[start + 1..];
    let end = rest.find(['"', '{', '\\'])?;
    Some(rest[..end].to_string())
}

/// Every hint a lesson attaches itself (`Hint(...)` with a literal) is in
/// the appendix: the start of its text, at least.
#[test]
fn every_lesson_hint_is_in_the_appendix() {
    let appendix = appendix();
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    rust_files(&crates, &mut files);
    let mut missing = Vec::new();
    for file in files {
        if file
            .components()
            .any(|c| c.as_os_str() == "tests" || c.as_os_str() == "target")
        {
            continue;
        }
        let Ok(src) = std::fs::read_to_string(&file) else {
            continue;
        };
        // Unit tests make up hints of their own; only real code counts.
        let src = src.split("#[cfg(test)]").next().unwrap_or_default();
        for (at, _) in src.match_indices("Hint(") {
            let after = &src[at + 5..];
            // Only literal hints: `Hint("..."...)` or `Hint(format!("...`.
            let head = after.trim_start();
            if !(head.starts_with('"')
                || head.starts_with("format!(\"")
                || head.starts_with("String::from(\""))
            {
                continue;
            }
            if let Some(prefix) = literal_prefix(head) {
                let prefix = prefix.trim();
                if prefix.len() >= 12 && !appendix.contains(prefix) {
                    missing.push(format!("{}: {prefix}", file.display()));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "add these hints to docs/src/troubleshooting.md:\n{}",
        missing.join("\n")
    );
}
