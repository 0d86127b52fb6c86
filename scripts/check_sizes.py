#!/usr/bin/env python3
"""Checks that every lesson stays readable at a beginner's pace.

The contract (shared/LESSONS.md, "lesson files" and "bare step"):

* src/server.rs and src/client.rs: at most 150 lines each before the test
  module (tests live in a sibling *_tests.rs file or in tests/);
* the first accept() or recv_from() of src/server.rs within its first 90 lines;
* at most one extra lesson file in src/ (besides lib.rs, server.rs,
  client.rs, bin/ and *_tests.rs), at most 220 lines before its tests;
* examples/: the bare pair, each file at most 45 code lines (blank lines
  and comments not counted), named after the lesson so that no two
  examples in the workspace share a name.

Prints a table of the sizes (used in closing notes) and exits 1 on a breach.
Run from anywhere: python3 scripts/check_sizes.py
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
LESSONS = ["oneshot", "echo-loop", "threaded-echo", "periodic-hello", "udp-echo", "bluetooth-rfcomm", "event-loop"]
MAIN_MAX, FIRST_ACCEPT_MAX, EXTRA_MAX, BARE_MAX = 150, 90, 220, 45


def before_tests(path):
    """The lines of a Rust file before its `#[cfg(test)]` module."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.startswith("#[cfg(test)]"):
            return lines[:i]
    return lines


def code_lines(path):
    """Lines that are neither blank nor only a comment."""
    count = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        s = line.strip()
        if s and not s.startswith("//"):
            count += 1
    return count


def main():
    problems, rows = [], []
    for lesson in LESSONS:
        crate = ROOT / "crates" / lesson
        if not crate.is_dir():
            continue
        src = crate / "src"
        for name in ["server.rs", "client.rs"]:
            path = src / name
            if not path.is_file():
                problems.append(f"{lesson}: no src/{name}")
                continue
            lines = before_tests(path)
            rows.append((lesson, f"src/{name}", len(lines), MAIN_MAX))
            if len(lines) > MAIN_MAX:
                problems.append(f"{lesson}/src/{name}: {len(lines)} lines before tests, at most {MAIN_MAX}")
            if name == "server.rs":
                first = next((i + 1 for i, l in enumerate(lines)
                              if re.search(r"\.(accept|recv_from)\(", l) and not l.strip().startswith("//")), None)
                if first is None or first > FIRST_ACCEPT_MAX:
                    problems.append(f"{lesson}/src/server.rs: first accept()/recv_from() at line {first}, "
                                    f"at most {FIRST_ACCEPT_MAX}")
                else:
                    rows.append((lesson, "  first accept()/recv_from() at line", first, FIRST_ACCEPT_MAX))
        extras = [p for p in src.glob("*.rs")
                  if p.name not in ("lib.rs", "server.rs", "client.rs") and not p.name.endswith("_tests.rs")]
        if len(extras) > 1:
            problems.append(f"{lesson}: {len(extras)} extra files in src/ ({', '.join(p.name for p in extras)}), at most 1")
        for p in extras:
            n = len(before_tests(p))
            rows.append((lesson, f"src/{p.name}", n, EXTRA_MAX))
            if n > EXTRA_MAX:
                problems.append(f"{lesson}/src/{p.name}: {n} lines before tests, at most {EXTRA_MAX}")
        examples = sorted((crate / "examples").glob("*.rs")) if (crate / "examples").is_dir() else []
        if len(examples) < 2:
            problems.append(f"{lesson}: examples/ needs the bare pair (a server and a client)")
        for p in examples:
            n = code_lines(p)
            rows.append((lesson, f"examples/{p.name} (code lines)", n, BARE_MAX))
            if not p.stem.startswith(lesson + "-"):
                problems.append(f"{lesson}/examples/{p.name}: name it {lesson}-... so it is unique in the workspace")
            if n > BARE_MAX:
                problems.append(f"{lesson}/examples/{p.name}: {n} code lines, at most {BARE_MAX}")
    print(f"{'lesson':<18} {'file':<48} {'lines':>5} {'limit':>5}")
    for lesson, what, n, limit in rows:
        print(f"{lesson:<18} {what:<48} {n:>5} {limit:>5}")
    for p in problems:
        print(f"check_sizes: {p}", file=sys.stderr)
    if problems:
        print(f"check_sizes: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
