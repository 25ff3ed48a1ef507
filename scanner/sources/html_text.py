"""Readable text blocks from web pages that publish no feed (parsed by lexbor: `markup`).

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
from typing import Any
from urllib.parse import urljoin

from scanner.sources import markup
from scanner.sources.safety import safe_link

__all__ = ["PageText", "TextBlock", "decode_html", "extract_main_text", "new_blocks", "normalise"]

SKIPPED = frozenset({"script", "style", "nav", "aside", "form", "noscript", "template", "svg",
                     "iframe", "canvas", "select", "button"})
PAGE_CHROME = frozenset({"header", "footer"})  # skipped unless inside <main> or <article>
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
BREAKS = frozenset({"p", "div", "li", "ul", "ol", "br", "tr", "td", "th", "table", "section",
                    "blockquote", "pre", "dl", "dt", "dd", "figure", "figcaption", "hr",
                    "main", "article", "header", "footer", "details", "summary", "address"})
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


class _Extractor:
    """Collects blocks in one walk over lexbor's tree; the caller then picks the main region's."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.title = ""
        self.blocks: list[_Block] = []
        self._main = self._article = 0
        self._heading: list[str] | None = None
        self._hrefs: list[str | None] = []
        self._line: list[str] = []
        self._block = _Block(region="")

    def _prune(self, node: Any) -> bool:
        """Page furniture, hidden parts and the <title> (read here, kept out of the text)."""
        tag = node.tag
        if tag == "title":
            if not self.title:
                self.title = " ".join(node.text(deep=True).split())
            return True
        values = node.attributes
        chrome = tag in PAGE_CHROME and not (self._main or self._article)
        skip = (tag in SKIPPED or chrome or "hidden" in values or values.get("aria-hidden") == "true"
                or values.get("role") in ("navigation", "banner", "contentinfo", "complementary"))
        if skip and tag in BREAKS:
            self._break()
        return bool(skip)

    def read(self, root: Any) -> None:
        for event, node in markup.walk(root, self._prune):
            if event == markup.TEXT:
                self._text(node.text_content or "")
            elif event == markup.OPEN:
                self._open(node.tag or "", markup.attrs(node))
            else:
                self._close(node.tag or "", markup.attrs(node))

    # -- structure ------------------------------------------------------------------------
    def _open(self, tag: str, values: dict[str, str]) -> None:
        if tag == "base" and values.get("href"):
            self.base_url = _join(self.base_url, values["href"]) or self.base_url
        region = _region_of(tag, values)
        if region:
            self._new_block(region)
            self._main += region == "main"
            self._article += region == "article"
        elif tag in HEADINGS:
            self._new_block(self._region())
            self._heading = []
        elif tag in BREAKS:
            self._break()
        if tag == "a":
            href = values.get("href")
            link = safe_link(_join(self.base_url, href)) if href else None
            self._hrefs.append(link or (self._hrefs[-1] if self._hrefs else None))  # innermost

    def _close(self, tag: str, values: dict[str, str]) -> None:
        if tag == "a" and self._hrefs:
            self._hrefs.pop()
        if tag in HEADINGS and self._heading is not None:
            self._break()
            self._block.heading = " ".join("".join(self._heading).split()) or None
            self._heading = None
        elif tag in BREAKS:
            self._break()
        region = _region_of(tag, values)
        if region:
            self._main -= region == "main"
            self._article -= region == "article"
            self._new_block(self._region())

    # -- text -----------------------------------------------------------------------------
    def _text(self, data: str) -> None:
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
        self._new_block("")
        return self.blocks


def _region_of(tag: str, values: dict[str, str]) -> str:
    return "main" if tag == "main" or values.get("role") == "main" else "article" if tag == "article" else ""


def extract_main_text(html: bytes | str, base_url: str, *, encoding: str | None = None) -> PageText:
    """Extract the title and main-content text blocks of an HTML page.

    `encoding` is the charset from the HTTP Content-Type, if any (see `decode_html`).
    Links are resolved against `base_url` (or the page's ``<base href>``) and kept only
    when they are http(s).
    """
    parser = _Extractor(base_url)
    for root in markup.parse(decode_html(html, encoding)):
        parser.read(root)
    found = parser.finish()
    for region in ("main", "article"):
        chosen = [block for block in found if block.region == region]
        if chosen:
            break
    else:
        chosen = found
    title = parser.title
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
