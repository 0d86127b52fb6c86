#!/usr/bin/env python3
"""Checks the book before mdBook builds it.

mdBook turns a misspelled anchor into an empty code block and a missing file
into a logged error that still "succeeds". This script fails instead:

* every {{#include PATH}} or {{#include PATH:ANCHOR}} in docs/src/*.md must
  name an existing file, and an anchor must exist there (ANCHOR: name ...
  ANCHOR_END: name) with non-blank code between the markers;
* includes by line number (PATH:10:20) are refused: they drift;
* every lesson chapter has the standard sections, in order;
* no fenced block shows program output typed by hand: log lines
  (`[INFO`, `[WARN`, ...), `error:` or `hint:` lines, a Python traceback,
  or a shell session (`$ command` followed by what it printed) belong in a
  file that scripts/book-output.sh writes from a real run, shown with
  {{#include output/NAME.txt}}. Rust code, diagrams and blocks of commands
  alone are fine;
* every diagram (a text block drawn with box characters) reaches the
  translators: mdbook-xgettext extracts a code block of no known language
  only when it holds a `"` or a `//`, so a diagram needs one (a quoted
  message is the usual one), or `<!-- i18n:skip -->` on the line before it
  to say that it stays English.

Run from anywhere: python3 scripts/check_book.py
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SRC = ROOT / "docs" / "src"
INCLUDE = re.compile(r"\{\{#(include|rustdoc_include)\s+([^}\s]+)\s*\}\}")
LESSONS = ["oneshot", "echo-loop", "threaded-echo", "periodic-hello", "udp-echo", "bluetooth-rfcomm", "event-loop"]
# Each lesson chapter grows the lesson in steps, as the Rust Book grows its
# web server: the bare pair first, then what the full lesson adds and why.
# A heading matches when it starts with the name given here.
SECTIONS = [
    "What you will learn",
    "The call sequence",
    "Step 1",  # "Step 1: the bare pair": the examples/, run, with output
    "Step 2",  # "Step 2: what a real server adds": each addition after the failure it fixes
    "Run it",  # the full lesson, with its output
    "The code",
    "What the tutorial got wrong",  # event-loop has no tutorial: see SECTIONS_OF
    "Pitfalls",
    "Exercises",
]
# Lessons whose chapter differs in a section: lesson -> {standard: its own}.
SECTIONS_OF = {"event-loop": {"What the tutorial got wrong": "What goes wrong without"}}


def anchor_body(text, anchor):
    """The lines between ANCHOR: anchor and ANCHOR_END: anchor, or None."""
    start = re.search(r"ANCHOR:\s*" + re.escape(anchor) + r"\b", text)
    end = re.search(r"ANCHOR_END:\s*" + re.escape(anchor) + r"\b", text)
    if not start or not end or end.start() < start.end():
        return None
    body = text[start.end():end.start()].split("\n", 1)
    body = body[1] if len(body) > 1 else ""
    # Drop other anchors' marker lines, as mdBook does.
    lines = [l for l in body.splitlines() if "ANCHOR" not in l]
    return "\n".join(lines)


def check_includes(md, problems):
    text = md.read_text(encoding="utf-8")
    count = 0
    for match in INCLUDE.finditer(text):
        count += 1
        spec = match.group(2)
        line_start = text.rfind("\n", 0, match.start()) + 1
        if text[line_start:match.start()].strip() == "" and match.start() > line_start:
            # mdBook pastes the file's lines unindented: inside a list item
            # they end the item and break the page.
            problems.append(f"{md.relative_to(ROOT)}: {{{{#include {spec}}}}} is indented "
                            "(inside a list?): mdBook does not indent the included lines; "
                            "move the block out of the list")
        parts = spec.split(":")
        path = (md.parent / parts[0]).resolve()
        where = f"{md.relative_to(ROOT)}: {{{{#include {spec}}}}}"
        if not path.is_file():
            problems.append(f"{where}: no such file {path}")
            continue
        if len(parts) == 1:
            if not path.read_text(encoding="utf-8").strip():
                problems.append(f"{where}: the file is empty")
            continue
        if any(p.isdigit() or p == "" for p in parts[1:]):
            problems.append(f"{where}: include by anchor name, not by line numbers")
            continue
        body = anchor_body(path.read_text(encoding="utf-8"), parts[1])
        if body is None:
            problems.append(f"{where}: anchor '{parts[1]}' not found in {parts[0]}")
        elif not body.strip():
            problems.append(f"{where}: anchor '{parts[1]}' is empty")
    return count


def check_sections(md, problems):
    headings = [l[3:].strip() for l in md.read_text(encoding="utf-8").splitlines() if l.startswith("## ")]
    at = 0
    own = SECTIONS_OF.get(md.stem, {})
    for section in (own.get(s, s) for s in SECTIONS):
        found = next((i for i, h in enumerate(headings) if h.startswith(section)), None)
        if found is None:
            problems.append(f"{md.relative_to(ROOT)}: missing section '## {section}'")
        elif found < at:
            problems.append(f"{md.relative_to(ROOT)}: section '## {section}' is out of order")
        else:
            at = found


# Fenced blocks that may show what a program printed. Rust, Python, TOML
# and the like are code, not output, and are never checked.
OUTPUT_LANGUAGES = {"", "text", "txt", "console", "sh", "shell", "bash", "output", "plain"}
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([^`\s]*)")
# Lines only a program writes: the lessons' and the tutorials' log format
# ("[INFO    ] server.rs ..."), the error and hint lines, a Python traceback.
OUTPUT_LINE = [
    (re.compile(r"^\s*\[\s*(INFO|WARN|WARNING|ERROR|DEBUG|TRACE|CRITICAL)\b"), "a log line"),
    (re.compile(r"^\s*(error|hint|힌트)(\[[^\]]*\])?:\s"), "an error: or hint: line"),
    (re.compile(r"^\s*Traceback \(most recent call last\)"), "a Python traceback"),
    (re.compile(r"^\s*\w*(Error|Exception): "), "a Python exception"),
]
PROMPT = re.compile(r"^\s*(\$|>>>)( |$)")


def fenced_blocks(text):
    """(first line number, info word, [(line number, line)]) for each fenced block."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, lang = m.group(2), m.group(3).split(",")[0].lower()
        start = i + 1
        body = []
        i += 1
        while i < len(lines):
            close = lines[i].strip()
            if close.startswith(fence[0] * len(fence)) and not close.strip(fence[0]):
                break
            body.append((i + 1, lines[i]))
            i += 1
        yield start, lang, body
        i += 1


def typed_output(body):
    """(line number, why) of the first line in a block that looks like program
    output typed by hand, or None. Include lines are generated, so fine."""
    in_session = False  # after a "$ command" line: what follows is its output
    continued = False  # the line before ended with a backslash
    for number, line in body:
        stripped = line.strip()
        if INCLUDE.search(line):
            in_session = False
            continue
        for pattern, why in OUTPUT_LINE:
            if pattern.match(line):
                return number, why
        if PROMPT.match(line):
            in_session = True
        elif in_session and stripped and not continued and not stripped.startswith("#"):
            return number, "a shell session: a command's output after its `$ ` prompt"
        continued = stripped.endswith("\\")
    return None


def check_typed_output(md, problems):
    text = md.read_text(encoding="utf-8")
    for start, lang, body in fenced_blocks(text):
        if lang not in OUTPUT_LANGUAGES:
            continue
        found = typed_output(body)
        if found:
            number, why = found
            problems.append(
                f"{md.relative_to(ROOT)}:{number}: the block at line {start} shows program "
                f"output typed by hand ({why}): generate it with a scripts/book-output/ "
                "section and {{#include output/NAME.txt}} it"
            )


BOX = re.compile(r"[─│┌┐└┘├┤┼╞╡═►◄]")
SKIP = re.compile(r"<!--\s*(i18n|mdbook-xgettext)\s*:\s*skip\s*-->")


def check_diagrams(md, problems):
    """A diagram that mdbook-xgettext would leave out stays English in the
    Korean edition without anybody noticing: see the docstring at the top."""
    text = md.read_text(encoding="utf-8")
    lines = text.splitlines()
    for start, lang, body in fenced_blocks(text):
        block = "\n".join(line for _, line in body)
        if lang not in OUTPUT_LANGUAGES or INCLUDE.search(block) or not BOX.search(block):
            continue
        before = [line for line in lines[: start - 1] if line.strip()]
        if '"' in block or "//" in block or (before and SKIP.search(before[-1])):
            continue
        problems.append(
            f"{md.relative_to(ROOT)}:{start}: a diagram with no `\"` or `//` is not "
            "extracted for translation: label a message with quotes, or put "
            "<!-- i18n:skip --> on the line before it"
        )


def main():
    problems = []
    includes = 0
    for md in sorted(SRC.rglob("*.md")):
        includes += check_includes(md, problems)
        check_typed_output(md, problems)
        check_diagrams(md, problems)
    summary = (SRC / "SUMMARY.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)]+\.md)\)", summary):
        if not (SRC / target).is_file():
            problems.append(f"docs/src/SUMMARY.md: links to missing {target}")
    for lesson in LESSONS:
        md = SRC / f"{lesson}.md"
        if md.is_file():
            check_sections(md, problems)
    for p in problems:
        print(f"check_book: {p}", file=sys.stderr)
    if problems:
        print(f"check_book: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"check_book: {includes} includes resolved, chapters complete, no typed output, "
          "every diagram extracted for translation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
