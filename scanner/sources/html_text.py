"""Readable text blocks from web pages that publish no feed (standard library only).

`extract_main_text` drops page furniture (scripts, styles, navigation, page headers and
footers, asides, forms), prefers the ``<main>`` element (else the ``<article>`` elements)
when the page has one with text, collapses whitespace and groups the text into blocks:
each heading and each ``<article>`` starts a new `TextBlock`, and a block keeps the first
absolute http(s) link whose anchor text lies inside it. `new_blocks` compares a page with
the block texts stored from the previous fetch and returns what is new, in page order.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

from scanner.sources.safety import safe_link

__all__ = ["PageText", "TextBlock", "decode_html", "extract_main_text", "new_blocks", "normalise"]

SKIPPED = frozenset({"script", "style", "nav", "aside", "form", "noscript", "template", "svg",
                     "iframe", "canvas", "select", "button"})
PAGE_CHROME = frozenset({"header", "footer"})  # skipped unless inside <main> or <article>
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
BREAKS = frozenset({"p", "div", "li", "ul", "ol", "br", "tr", "td", "th", "table", "section",
                    "blockquote", "pre", "dl", "dt", "dd", "figure", "figcaption", "hr",
                    "main", "article", "header", "footer", "details", "summary", "address"})
SELF_CLOSING = frozenset({"p", "li", "dt", "dd", "tr", "td", "th", "option"})  # <p>a<p>b
MAX_DEPTH, END_TAG_SEARCH = 1000, 200  # bound the work on broken or hostile markup
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "param", "source", "track", "wbr"})
_META_CHARSET = re.compile(rb"""<meta[^>]{0,500}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""",
                           re.IGNORECASE)
_WHATWG_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
                   "us-ascii": "cp1252", "ascii": "cp1252", "iso8859-1": "cp1252"}


@dataclass(frozen=True)
class TextBlock:
    """A run of text: its heading (also its first line) if it has one, and its first link."""

    text: str
    heading: str | None = None
    link: str | None = None


@dataclass(frozen=True)
class PageText:
    """A page's title and its main-content blocks in page order."""

    title: str
    blocks: list[TextBlock] = field(default_factory=list)

    def texts(self) -> list[str]:
        """The block texts, as `new_blocks` expects them from the previous fetch."""
        return [block.text for block in self.blocks]


def normalise(text: str) -> str:
    """The form in which block texts are compared: case-folded, whitespace collapsed."""
    return " ".join(text.split()).casefold()


def decode_html(data: bytes | str, encoding: str | None = None) -> str:
    """Decode HTML bytes: BOM, then `encoding` (e.g. from Content-Type), then a
    ``<meta charset>`` in the first 4 KiB, else UTF-8; bad bytes become U+FFFD."""
    if isinstance(data, str):
        return data
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace")
    match = _META_CHARSET.search(data[:4096])
    for label in (encoding, match.group(1).decode("ascii") if match else None):
        if not label:
            continue
        label = _WHATWG_ALIASES.get(label.strip().lower(), label.strip())
        try:
            codec = codecs.lookup(label).name
        except LookupError:
            continue
        if codec.startswith("utf-16"):  # a meta tag readable as ASCII cannot be UTF-16
            codec = "utf-8"
        return data.decode(codec, errors="replace")
    return data.decode("utf-8", errors="replace")


def _join(base: str, href: str) -> str | None:
    try:
        return urljoin(base, href.strip())
    except ValueError:  # e.g. a malformed IPv6 host
        return None


@dataclass
class _Block:
    region: str  # "main", "article" or ""
    heading: str | None = None
    link: str | None = None
    lines: list[str] = field(default_factory=list)


@dataclass
class _Open:
    tag: str
    skip: bool = False
    region: str = ""


class _Extractor(HTMLParser):
    """Collects blocks in one pass; the caller then picks the main region's blocks."""

    def __init__(self, base_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.title_parts: list[str] = []
        self.blocks: list[_Block] = []
        self._stack: list[_Open] = []
        self._skip = self._main = self._article = 0
        self._in_title = False
        self._heading: list[str] | None = None
        self._hrefs: list[str | None] = []
        self._line: list[str] = []
        self._block = _Block(region="")

    # -- structure ------------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self._in_title = tag == "title" and not self._skip and not self.title_parts
        if tag == "base" and values.get("href"):
            self.base_url = _join(self.base_url, values["href"] or "") or self.base_url
        if tag in SELF_CLOSING and self._stack and self._stack[-1].tag == tag:
            self.handle_endtag(tag)  # an unclosed <p> or <li> ends where the next one starts
        if tag in VOID:
            if tag in ("br", "hr"):
                self._break()
            return
        hidden = "hidden" in values or values.get("aria-hidden") == "true"
        chrome = tag in PAGE_CHROME and not (self._main or self._article)
        skip = (tag in SKIPPED or hidden or chrome
                or values.get("role") in ("navigation", "banner", "contentinfo", "complementary"))
        region = "main" if tag == "main" or values.get("role") == "main" else (
            "article" if tag == "article" else "")
        if region:
            self._new_block(region)
        elif tag in HEADINGS and not (self._skip or skip):
            self._new_block(self._region())
            self._heading = []
        elif tag in BREAKS:
            self._break()
        if len(self._stack) < MAX_DEPTH or skip or region or tag == "a":
            self._stack.append(_Open(tag, skip, region))
        elif tag in HEADINGS and self._heading is not None:
            self._heading = None  # too deep to track its end: keep the text, not the heading
        self._skip += skip
        self._main += region == "main"
        self._article += region == "article"
        if tag == "a":
            href = values.get("href")
            link = safe_link(_join(self.base_url, href)) if href else None
            self._hrefs.append(link or (self._hrefs[-1] if self._hrefs else None))  # innermost

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        for depth in range(len(self._stack) - 1, max(-1, len(self._stack) - END_TAG_SEARCH), -1):
            if self._stack[depth].tag == tag:
                for entry in reversed(self._stack[depth:]):
                    self._close(entry)
                del self._stack[depth:]
                return

    def _close(self, entry: _Open) -> None:
        self._skip -= entry.skip
        if entry.tag == "a" and self._hrefs:
            self._hrefs.pop()
        if entry.tag in HEADINGS and self._heading is not None:
            self._break()
            self._block.heading = " ".join("".join(self._heading).split()) or None
            self._heading = None
        elif entry.tag in BREAKS:
            self._break()
        if entry.region:
            self._main -= entry.region == "main"
            self._article -= entry.region == "article"
            self._new_block(self._region())

    # -- text -----------------------------------------------------------------------------
    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
            return
        if self._skip:
            return
        self._line.append(data)
        if self._heading is not None:
            self._heading.append(data)
        if self._hrefs and self._hrefs[-1] and self._block.link is None and data.strip():
            self._block.link = self._hrefs[-1]

    def _region(self) -> str:
        return "main" if self._main else "article" if self._article else ""

    def _break(self) -> None:
        line = " ".join("".join(self._line).split())
        self._line = []
        if line:
            self._block.lines.append(line)

    def _new_block(self, region: str) -> None:
        self._break()
        if self._block.lines:
            self.blocks.append(self._block)
        self._block = _Block(region=region)

    def finish(self) -> list[_Block]:
        self.close()
        self._new_block("")
        return self.blocks


def extract_main_text(html: bytes | str, base_url: str, *, encoding: str | None = None) -> PageText:
    """Extract the title and main-content text blocks of an HTML page.

    `encoding` is the charset from the HTTP Content-Type, if any (see `decode_html`).
    Links are resolved against `base_url` (or the page's ``<base href>``) and kept only
    when they are http(s).
    """
    parser = _Extractor(base_url)
    parser.feed(decode_html(html, encoding))
    found = parser.finish()
    for region in ("main", "article"):
        chosen = [block for block in found if block.region == region]
        if chosen:
            break
    else:
        chosen = found
    title = " ".join("".join(parser.title_parts).split())
    if not title:
        title = next((b.heading for b in found if b.heading), "")
    return PageText(title=title, blocks=[TextBlock("\n".join(b.lines), b.heading, b.link)
                                         for b in chosen])


def new_blocks(old: list[str], new: PageText) -> list[TextBlock]:
    """Blocks of `new` whose normalised text is not among the `old` block texts, in page
    order, each at most once. Store ``page.texts()`` after a fetch to pass as `old` next time."""
    seen = {normalise(text) for text in old}
    fresh: list[TextBlock] = []
    for block in new.blocks:
        key = normalise(block.text)
        if key and key not in seen:
            seen.add(key)
            fresh.append(block)
    return fresh
