#!/usr/bin/env python3
"""The Korean edition of the book: extract, merge, check, build.

The book is translated with gettext, as Comprehensive Rust does it
(mdbook-i18n-helpers): `mdbook-xgettext` extracts every English message of
docs/src into a template, docs/po/ko.po holds the Korean for each, and the
`gettext` preprocessor (docs/book.toml) builds the Korean edition from it.
docs/TRANSLATING.md is the translator's guide.

    python3 scripts/check_translation.py            # the check CI runs
    python3 scripts/check_translation.py --update   # for translators: refresh docs/po/ko.po
    python3 scripts/check_translation.py --build docs/book   # both editions, for Pages

The check:
1. extracts today's messages (with line numbers) into a temporary template,
   merges them into a temporary copy of docs/po/ko.po (msgmerge), and lists
   every message that has no Korean translation or is fuzzy (its English
   changed since it was translated), with its file and line. It fails on
   any, unless --allow-untranslated is given (then it only reports them).
2. checks ko.po itself with msgfmt (newlines, format, header);
3. builds both editions (English at the root, Korean under ko/) and checks
   them: every English page has its Korean page, in Korean (<html lang="ko">,
   the Korean chapter titles), every link inside either edition leads to a
   page and a heading that exist, every section heading's id on an English
   page is on its Korean page too (translated headings keep the English id
   with `{#id}`), and every page loads the language switch;
4. opens pages of both editions in headless Chromium, served over HTTP, and
   follows the `한국어` / `English` link to the same page in the other
   edition.

Messages that must stay English are left out of the template, so nobody has
to "translate" them: a code block's string literals (what the programs
print; the logs stay English), a block that only includes a generated
output file (docs/src/output/...), and the messages of generated Markdown
a page includes whole (docs/src/bench/results.md). A block can also be
skipped by hand with `<!-- i18n:skip -->` before it.

It installs what is missing: gettext (apt-get) and mdbook-i18n-helpers
(cargo install --locked).
"""
import argparse
import html.parser
import http.server
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SRC = DOCS / "src"
PO_DIR = DOCS / "po"
KO_PO = PO_DIR / "ko.po"
POT = PO_DIR / "messages.pot"

# The Korean edition's title (mdbook-gettext translates pages, not book.toml).
KOREAN_TITLE = "Rust로 배우는 소켓 프로그래밍, 한 걸음씩"

# Pages the browser check opens in each edition: the front page, a chapter, a
# page in a sub-folder, and the two pages for Korean readers.
BROWSER_PAGES = ["", "oneshot.html", "concepts/layers.html", "glossary.html", "tutorial-map.html"]

CARGO_BIN = pathlib.Path.home() / ".cargo" / "bin"
# The versions this setup is made for (docs/TRANSLATING.md).
I18N_HELPERS_VERSION = "0.4.0"
MDBOOK_VERSION = "0.5.4"


def say(*args):
    print("check_translation:", *args, file=sys.stderr, flush=True)


def env(**extra):
    """The environment for mdbook: ~/.cargo/bin on PATH, English unless told."""
    e = dict(os.environ)
    e["PATH"] = f"{CARGO_BIN}{os.pathsep}{e.get('PATH', '')}"
    e.pop("MDBOOK_BOOK__LANGUAGE", None)
    e.pop("MDBOOK_OUTPUT", None)
    e.update(extra)
    return e


def have(tool):
    return shutil.which(tool, path=env()["PATH"]) is not None


def ensure_tools(need_gettext=True):
    """Installs gettext and mdbook-i18n-helpers when they are missing."""
    if need_gettext and not (have("msgmerge") and have("msgfmt")):
        say("installing gettext (msgmerge, msgfmt)")
        apt = ["apt-get"] if os.geteuid() == 0 else ["sudo", "apt-get"]
        quiet = {"stdout": subprocess.DEVNULL}
        subprocess.run(apt + ["update", "-q"], check=True, **quiet)
        subprocess.run(apt + ["install", "-y", "-q", "gettext"], check=True, **quiet,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    if not (have("mdbook-xgettext") and have("mdbook-gettext")):
        say("installing mdbook-i18n-helpers (a few minutes)")
        subprocess.run(["cargo", "install", "--locked", "mdbook-i18n-helpers",
                        "--version", I18N_HELPERS_VERSION], check=True)
    if not have("mdbook"):
        say(f"installing mdbook {MDBOOK_VERSION} (a few minutes)")
        subprocess.run(["cargo", "install", "--locked", "mdbook", "--version", MDBOOK_VERSION],
                       check=True)


# --- PO files ---------------------------------------------------------------

def unquote(text):
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(1)), text[1:-1])


class Entry:
    """One message of a PO file, as far as this script needs it."""

    def __init__(self, block):
        self.block = block
        self.refs = []
        self.flags = set()
        self.obsolete = False
        self.msgid = None
        self.msgstr = None
        field = None
        for line in block.splitlines():
            if line.startswith("#~"):
                self.obsolete = True
                line = line[2:].lstrip()
            if line.startswith("#:"):
                self.refs += line[2:].split()
            elif line.startswith("#,"):
                self.flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif m := re.match(r"(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+(\".*\")$", line):
                field = m.group(1)
                setattr(self, field if field in ("msgid", "msgstr") else "_other", unquote(m.group(2)))
            elif line.startswith('"') and field in ("msgid", "msgstr"):
                setattr(self, field, getattr(self, field) + unquote(line))

    @property
    def where(self):
        """`docs/src/x.md:12` for the first place it comes from."""
        if not self.refs:
            return "docs/po/ko.po"
        return "docs/" + self.refs[0]

    @property
    def first_line(self):
        line = next((l for l in self.msgid.splitlines() if l.strip("`").strip()), self.msgid)
        return line if len(line) <= 90 else line[:87] + "..."


def read_po(path):
    text = pathlib.Path(path).read_text(encoding="utf-8")
    # An entry never holds an empty line: strings are quoted, newlines escaped.
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    return [e for e in map(Entry, blocks) if e.msgid is not None]


# --- What stays English -----------------------------------------------------

STRING_LITERAL = re.compile(
    r"""(?:[bfr]|br|r\#+|br\#+)?(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\#*""", re.S)
FENCE = re.compile(r"(`{3,}|~{3,})[^\n]*\n(.*?)\n?\1", re.S)
INCLUDE = re.compile(r"\{\{#include\s+([^}\s:]+)\s*\}\}")


def generated_outputs():
    """The text of every file a page includes whole (no anchor) that is not
    code: the generated outputs (docs/src/output, the bench results...)."""
    texts = set()
    for page in SRC.rglob("*.md"):
        for m in INCLUDE.finditer(page.read_text(encoding="utf-8")):
            path = (page.parent / m.group(1)).resolve()
            if path.suffix in (".rs", ".py", ".toml") or not path.is_file():
                continue
            texts.add(path.read_text(encoding="utf-8").strip("\n"))
    return texts


def generated_markdown():
    """The messages of generated Markdown that pages include whole (the
    benchmark results, docs/src/bench/results.md), and the pages that
    include it: {msgid: {"src/bench.md", ...}}. They are extracted with the
    same tool, from a throwaway book made of just those files."""
    files = {}
    for page in SRC.rglob("*.md"):
        for m in INCLUDE.finditer(page.read_text(encoding="utf-8")):
            path = (page.parent / m.group(1)).resolve()
            if path.suffix == ".md" and path.is_file():
                files.setdefault(path, set()).add(page.relative_to(DOCS).as_posix())
    if not files:
        return {}
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        book = pathlib.Path(tmp)
        (book / "src").mkdir()
        (book / "book.toml").write_text('[book]\ntitle = "generated"\nsrc = "src"\n')
        summary = ["# Summary", ""]
        for i, path in enumerate(sorted(files)):
            (book / "src" / f"generated-{i}.md").write_text(path.read_text(encoding="utf-8"))
            summary.append(f"- [generated-{i}](generated-{i}.md)")
        (book / "src" / "SUMMARY.md").write_text("\n".join(summary) + "\n")
        config = {"xgettext": {"pot-file": "messages.pot", "granularity": 0}}
        subprocess.run(["mdbook", "build", str(book), "-d", str(book / "out")], check=True,
                       env=env(MDBOOK_OUTPUT=json.dumps(config)), stderr=subprocess.DEVNULL)
        for e in read_po(book / "out" / "messages.pot"):
            for ref in e.refs:
                m = re.fullmatch(r"src/generated-(\d+)\.md(?::\d+)?", ref)
                if m:
                    out.setdefault(e.msgid, set()).update(files[sorted(files)[int(m.group(1))]])
    return out


def stays_english(msgid, outputs):
    """True for a message a translator must not touch: one string literal
    of a code block, or a code block that only shows a generated output."""
    if STRING_LITERAL.fullmatch(msgid.strip()):
        return True
    m = FENCE.fullmatch(msgid.strip())
    return bool(m and m.group(2).strip("\n") in outputs)


def extract(dest, granularity):
    """Runs the xgettext renderer over docs/ and returns the template's text,
    without the messages that stay English."""
    config = {"xgettext": {"pot-file": "messages.pot", "granularity": granularity}}
    subprocess.run(["mdbook", "build", str(DOCS), "-d", str(dest)], check=True,
                   env=env(MDBOOK_OUTPUT=json.dumps(config)), stderr=subprocess.DEVNULL)
    text = (pathlib.Path(dest) / "messages.pot").read_text(encoding="utf-8")
    outputs = generated_outputs()
    generated = generated_markdown()

    def keep(block):
        e = Entry(block)
        if e.msgid is None or e.msgid == "":
            return True
        if stays_english(e.msgid, outputs):
            return False
        # A message of generated Markdown, used nowhere else.
        pages = {ref.split(":")[0] for ref in e.refs}
        return not (e.msgid in generated and pages <= generated[e.msgid])

    blocks = re.split(r"\n\s*\n", text.strip("\n"))
    return "\n\n".join(b for b in blocks if keep(b)) + "\n"


def msgmerge(po, pot, out):
    subprocess.run(["msgmerge", "--quiet", "--previous", "-o", str(out), str(po), str(pot)],
                   check=True, env=env())


# --- Building the two editions ----------------------------------------------

def build(site):
    """English at `site`, Korean at `site/ko` (when docs/po/ko.po exists)."""
    site = pathlib.Path(site).resolve()
    subprocess.run(["mdbook", "build", str(DOCS), "-d", str(site)], check=True, env=env())
    if KO_PO.exists():
        subprocess.run(["mdbook", "build", str(DOCS), "-d", str(site / "ko")], check=True,
                       env=env(MDBOOK_BOOK__LANGUAGE="ko", MDBOOK_BOOK__TITLE=KOREAN_TITLE))


class Html(html.parser.HTMLParser):
    """The ids, links, scripts and <html lang> of one page."""

    def __init__(self):
        super().__init__()
        self.lang = None
        self.ids = set()
        self.heading_ids = set()
        self.heading_text = {}
        self.links = []
        self.scripts = []
        self._heading = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if "id" in attrs:
            self.ids.add(attrs["id"])
            # A page's title (h1) is exempt: its text is also its entry in the
            # table of contents, where `{#id}` cannot go.
            if re.fullmatch(r"h[2-6]", tag):
                self.heading_ids.add(attrs["id"])
                self._heading = attrs["id"]
                self.heading_text[self._heading] = ""
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])

    def handle_endtag(self, tag):
        if re.fullmatch(r"h[2-6]", tag):
            self._heading = None

    def handle_data(self, data):
        if self._heading:
            self.heading_text[self._heading] += data


def unrendered_emphasis(path):
    """Markdown emphasis that did not render on a built page: `**` or `_x_`
    left in the text (outside code), with a few characters around it."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"<(pre|code|script|style)[^>]*>.*?</\1>", "", text, flags=re.S)
    text = re.sub(r"<[^>]+>", "", text)
    return [text[max(0, m.start() - 15):m.end() + 15]
            for m in re.finditer(r"\*\*|(?<![\w/])_[^\s_]+_|[가-힣]_", text)]


def pages(site):
    """The chapter pages of one edition: relative path -> parsed page."""
    skip = {"print.html", "toc.html", "404.html"}
    out = {}
    for path in sorted(pathlib.Path(site).rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if rel.startswith("ko/") or rel in skip:
            continue
        page = Html()
        page.feed(path.read_text(encoding="utf-8"))
        out[rel] = page
    return out




def check_links(name, site, parsed, problems):
    for rel, page in parsed.items():
        for href in page.links:
            url = urllib.parse.urlsplit(href)
            if url.scheme or href.startswith("//") or href.startswith("mailto:"):
                continue
            target_rel = rel if not url.path else \
                os.path.normpath(os.path.join(os.path.dirname(rel), urllib.parse.unquote(url.path)))
            target_rel = target_rel.replace(os.sep, "/")
            target = pathlib.Path(site) / target_rel
            if target.is_dir():
                target_rel = target_rel.rstrip("/") + "/index.html"
                target = target / "index.html"
            if not target.exists():
                problems.append(f"{name} {rel}: link to a missing page: {href}")
                continue
            if url.fragment and target_rel in parsed:
                if urllib.parse.unquote(url.fragment) not in parsed[target_rel].ids:
                    problems.append(f"{name} {rel}: link to a missing heading: {href}")


def summary_titles(entries):
    """(English, Korean) of each translated SUMMARY.md title."""
    return [(e.msgid, e.msgstr) for e in entries
            if any(r.split(":")[0] == "src/SUMMARY.md" for r in e.refs)
            and e.msgstr and "fuzzy" not in e.flags]


def check_site(site, merged):
    site = pathlib.Path(site)
    problems = []
    en = pages(site)
    ko = pages(site / "ko")
    check_links("English", site, en, problems)
    check_links("Korean", site / "ko", ko, problems)
    titles = summary_titles(merged)
    toc_entries = {e.msgid for e in merged if any(r.split(":")[0] == "src/SUMMARY.md" for r in e.refs)}
    for rel, page in en.items():
        if not any("language-switch" in s for s in page.scripts):
            problems.append(f"English {rel}: no language-switch script")
        if rel not in ko:
            problems.append(f"Korean edition: no page {rel}")
            continue
        kpage = ko[rel]
        if kpage.lang != "ko":
            problems.append(f"Korean {rel}: <html lang={kpage.lang!r}>, not 'ko'")
        if not any("language-switch" in s for s in kpage.scripts):
            problems.append(f"Korean {rel}: no language-switch script")
        src = "docs/src/" + re.sub(r"\.html$", ".md", rel)
        if rel == "index.html":
            src = "docs/src/introduction.md"
        for shown in unrendered_emphasis(site / "ko" / rel):
            problems.append(f"{src}: Korean emphasis shows as text: {shown!r}: a `**` or `_` "
                            "next to a Korean particle does not render; put the particle "
                            "inside the emphasis (**`socket()`은**, _프로그램이_)")
        for missing in sorted(page.heading_ids - kpage.heading_ids):
            text = page.heading_text.get(missing, "").strip()
            if text in toc_entries:
                # Its message is also a title in the table of contents,
                # where `{#id}` would show: give the English heading an
                # explicit id instead if a link needs it.
                continue
            problems.append(f"{src}: the Korean heading for {text!r} lost its id: end its "
                            f"msgstr with {{#{missing}}}")
    # The Korean sidebar lists the Korean chapter titles.
    toc = site / "ko" / "toc.html"
    toc_text = toc.read_text(encoding="utf-8") if toc.exists() else ""
    for english, korean in titles:
        if english == "Summary":
            continue  # SUMMARY.md's own title is not shown
        if korean not in toc_text and html_escape(korean) not in toc_text:
            problems.append(f"Korean sidebar: {korean!r} (for {english!r}) is missing")
    return problems


def html_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- The browser check ------------------------------------------------------

def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return name
    say("installing chromium")
    subprocess.run(["apt-get", "update", "-q"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "-q", "chromium", "fonts-nanum"], check=True,
                   stdout=subprocess.DEVNULL,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return "chromium"


class Switch(html.parser.HTMLParser):
    """The language-switch link of a rendered page."""

    def __init__(self):
        super().__init__()
        self.link = None
        self._in = False
        self.text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "language-switch" in (attrs.get("class") or "").split():
            self.link = attrs
            self._in = True

    def handle_endtag(self, tag):
        if tag == "a":
            self._in = False

    def handle_data(self, data):
        if self._in:
            self.text += data


def browser_check(site, screenshot=None):
    """Serves both editions on 127.0.0.1 and follows each page's switch."""
    problems = []
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(site), **k)
    http.server.SimpleHTTPRequestHandler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    browser = chromium()
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--virtual-time-budget=5000"]
    try:
        with tempfile.TemporaryDirectory() as profile:
            for korean in (False, True):
                for page in BROWSER_PAGES:
                    url = base + ("ko/" if korean else "") + page + "#a-place"
                    dom = subprocess.run(
                        [browser, *flags, f"--user-data-dir={profile}", "--dump-dom", url],
                        capture_output=True, text=True, timeout=120).stdout
                    switch = Switch()
                    switch.feed(dom)
                    expect_text = "English" if korean else "한국어"
                    expect = base + ("" if korean else "ko/") + page + "#a-place"
                    name = ("ko/" if korean else "") + (page or "index")
                    if switch.link is None:
                        problems.append(f"browser {name}: no language link rendered")
                    elif switch.text.strip() != expect_text or switch.link.get("href") != expect:
                        problems.append(f"browser {name}: link {switch.text.strip()!r} -> "
                                        f"{switch.link.get('href')}, expected {expect_text!r} -> {expect}")
                    else:
                        other = urllib.parse.urlsplit(expect).path.lstrip("/")
                        other = other + "index.html" if other.endswith("/") or not other else other
                        if not (site / other).exists():
                            problems.append(f"browser {name}: {other} does not exist")
            if screenshot:
                subprocess.run([browser, *flags, f"--user-data-dir={profile}",
                                f"--screenshot={screenshot}", "--window-size=1200,800",
                                base + "ko/glossary.html"], capture_output=True, timeout=120)
    finally:
        server.shutdown()
    return problems


# --- The modes --------------------------------------------------------------

def update():
    """For translators: docs/po/messages.pot from today's English, and
    docs/po/ko.po merged with it (new messages empty, changed ones fuzzy)."""
    ensure_tools()
    with tempfile.TemporaryDirectory() as tmp:
        POT.write_text(extract(tmp, granularity=0), encoding="utf-8")
    if KO_PO.exists():
        subprocess.run(["msgmerge", "--quiet", "--update", "--backup=none", "--previous",
                        str(KO_PO), str(POT)], check=True, env=env())
    else:
        subprocess.run(["msginit", "--no-translator", "--locale=ko_KR.UTF-8",
                        "-i", str(POT), "-o", str(KO_PO)], check=True, env=env())
    entries = [e for e in read_po(KO_PO) if e.msgid and not e.obsolete]
    todo = [e for e in entries if not e.msgstr or "fuzzy" in e.flags]
    say(f"{POT.relative_to(ROOT)}: {len(entries)} messages; "
        f"{KO_PO.relative_to(ROOT)}: {len(todo)} to translate or review")


def check(allow_untranslated, browser, keep):
    ensure_tools()
    if not KO_PO.exists():
        say(f"no {KO_PO.relative_to(ROOT)}: nothing to check (run with --update to start it)")
        return 1
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="check-translation-"))
    try:
        pot = tmp / "messages.pot"
        pot.write_text(extract(tmp / "xgettext", granularity=1), encoding="utf-8")
        merged = tmp / "ko.po"
        msgmerge(KO_PO, pot, merged)
        entries = [e for e in read_po(merged) if e.msgid and not e.obsolete]
        untranslated = [e for e in entries if not e.msgstr]
        fuzzy = [e for e in entries if e.msgstr and "fuzzy" in e.flags]
        translated = len(entries) - len(untranslated) - len(fuzzy)
        if allow_untranslated:
            # Only how much is left, page by page: the full list is long.
            todo = {}
            for e in fuzzy + untranslated:
                page = e.where.split(":")[0]
                todo[page] = todo.get(page, 0) + 1
            for page, count in sorted(todo.items()):
                print(f"{page}: {count} to translate or review")
        else:
            for e in fuzzy:
                print(f"{e.where}: fuzzy (the English changed): {e.first_line}")
            for e in untranslated:
                print(f"{e.where}: untranslated: {e.first_line}")
        say(f"{len(entries)} messages: {translated} translated, {len(fuzzy)} fuzzy, "
            f"{len(untranslated)} untranslated")

        problems = []
        fmt = subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(KO_PO)],
                             capture_output=True, text=True, env=env())
        if fmt.returncode != 0:
            problems.append("msgfmt --check docs/po/ko.po:\n" + fmt.stderr.strip())

        site = tmp / "site"
        build(site)
        problems += check_site(site, entries)
        if browser:
            problems += browser_check(site, screenshot=tmp / "ko-glossary.png" if keep else None)
        for problem in problems:
            print(problem)
        if keep:
            say(f"kept {tmp}")
        incomplete = bool(untranslated or fuzzy)
        if problems or (incomplete and not allow_untranslated):
            if incomplete and not allow_untranslated:
                say("the Korean translation is not complete: see docs/TRANSLATING.md")
            return 1
        if incomplete:
            say("incomplete translation allowed (--allow-untranslated)")
        say("both editions build; links, headings and the language switch are fine")
        return 0
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--update", action="store_true",
                      help="write docs/po/messages.pot and merge it into docs/po/ko.po")
    mode.add_argument("--build", metavar="DIR",
                      help="build both editions: English in DIR, Korean in DIR/ko")
    parser.add_argument("--allow-untranslated", action="store_true",
                        help="report untranslated and fuzzy messages without failing")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium check")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder (merged ko.po, both editions)")
    args = parser.parse_args()
    if args.update:
        update()
        return 0
    if args.build:
        ensure_tools(need_gettext=False)
        build(pathlib.Path(args.build).resolve())
        return 0
    return check(args.allow_untranslated, not args.no_browser, args.keep)


if __name__ == "__main__":
    sys.exit(main())
