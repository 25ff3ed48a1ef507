"""Spec documents to blocks: Markdown, HTML, plain text, PDF and the demo's digests.

A block is a paragraph, a list item, a worked example or a commentary, with the heading path
above it. Splitting blocks into clauses is :mod:`scanner.specs.split`'s job.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from scanner.errors import BadInput
from scanner.sources.normalise import plain_text

HEADING_ANCHOR = re.compile(r"\s*\{#([\w\-:.]+)[^}]*\}\s*$")


@dataclass
class Block:
    path: list[str]  # heading titles, outermost first
    anchor: str | None  # the nearest heading's anchor, for links
    kind: str  # "text" | "item" | "example" | "note"
    text: str


def detect_format(name: str, data: bytes) -> str:
    suffix = Path(name.split("?")[0]).suffix.lower()
    if data[:5] == b"%PDF-":
        return "pdf"
    head = data[:4000].decode("utf-8", errors="replace").lower()
    if "# digest:" in head[:400]:
        return "digest"
    if suffix in (".html", ".htm") or "<html" in head or "<!doctype html" in head:
        return "html"
    if suffix in (".md", ".markdown"):
        return "markdown"
    if re.search(r"^#{1,6} \S", head, re.M):
        return "markdown"
    return "text"


def decode(data: bytes, where: str) -> str:
    if b"\x00" in data[:8000]:
        raise BadInput(f"{where}: looks like a binary file, not a spec (Markdown, HTML, text or PDF)")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


# --- Markdown ------------------------------------------------------------------------------

_LIST = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_FOOTNOTE = re.compile(r"\[\^[^\]]*\]")


def _md_inline(text: str) -> str:
    text = _FOOTNOTE.sub("", text)
    text = _MD_LINK.sub(lambda m: m.group(1) or "", text)
    text = re.sub(r"[*_`]{1,3}", "", text)
    return plain_text(text, 20000)


def markdown_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    path: list[str] = []
    anchor: str | None = None
    para: list[str] = []
    kind = "text"
    in_fence = False
    fence_marker = ""
    fence: list[str] = []

    def flush() -> None:
        nonlocal para, kind
        body = _md_inline(" ".join(para))
        if body:
            blocks.append(Block(list(path), anchor, kind, body))
        para, kind = [], "text"

    for line in text.splitlines():
        if in_fence:
            closing = _FENCE.match(line)
            if closing and closing.group(1)[0] == fence_marker[0] and len(closing.group(1)) >= len(fence_marker) and not line.strip()[len(closing.group(1)):].strip():
                in_fence = False
                body = plain_text(re.sub(r"<[^>]+>", " ", "\n".join(fence)), 20000)
                if body:
                    blocks.append(Block(list(path), anchor, "example", body))
                fence = []
            else:
                fence.append(line)
            continue
        opening = _FENCE.match(line)
        if opening:
            flush()
            in_fence = True
            fence_marker = opening.group(1)
            continue
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if heading:
            flush()
            level = len(heading.group(1))
            title = heading.group(2)
            m = HEADING_ANCHOR.search(title)
            anchor = m.group(1) if m else _slug(title)
            title = _md_inline(HEADING_ANCHOR.sub("", title))
            path = path[: level - 1] + [""] * max(0, level - 1 - len(path)) + [title]
            continue
        stripped = line.strip()
        if not stripped:
            flush()
            continue
        if stripped.startswith("!!!"):
            flush()
            kind = "note"
            continue
        if re.match(r"^\*\*Example\*\*", stripped) or stripped.lower().startswith("example:"):
            flush()
            kind = "example"
            para.append(stripped)
            continue
        if _LIST.match(line) and not line.startswith("    "):
            flush()
            para.append(_LIST.sub("", line))
            kind = "item"
            continue
        if stripped.startswith("|") and stripped.endswith("|"):
            if set(stripped) <= set("|-: "):
                continue
            stripped = " ; ".join(c.strip() for c in stripped.strip("|").split("|"))
        para.append(stripped)
    flush()
    return blocks


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


# --- HTML ----------------------------------------------------------------------------------


class _HtmlBlocks(HTMLParser):
    """Headings give the path; paragraphs and list items give blocks; worked examples
    (conversation, example, comparison containers) and commentary (admonitions, notes) are marked
    so that they attach to their rule; navigation and link lists (tables of contents) are dropped."""

    _SKIP = {"script", "style", "nav", "footer", "header", "noscript", "svg", "form", "button", "template"}
    _HEAD = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
    _BLOCK = ("p", "li", "pre", "blockquote", "tr", "dd", "dt", "table")
    _EXAMPLE = ("example", "conversation", "comparison", "transcript")
    _NOTE = ("admonition", "note", "commentary", "callout")
    _BADGE = ("authority", "badge", "tag", "anchor-link", "headerlink", "toc")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.path: list[str] = []
        self.anchor: str | None = None
        self._skip = 0
        self._buf: list[str] = []
        self._link_chars = 0
        self._in_link = 0
        self._heading: int | None = None
        self._heading_id: str | None = None
        self._pending_id: str | None = None
        self._kind = "text"
        self._pre = 0
        self._stack: list[str] = []  # per open container: "example" | "note" | "skip" | ""

    def _container_kind(self) -> str:
        if "example" in self._stack or self._pre:
            return "example"
        if "note" in self._stack:
            return "note"
        return self._kind

    def _flush(self) -> None:
        raw = " ".join(self._buf)
        text = plain_text(raw, 20000)
        link_share = self._link_chars / max(1, len(raw.strip()))
        self._buf, self._link_chars = [], 0
        if not text:
            return
        if self._heading is not None:
            level = self._heading
            self.path = self.path[: level - 1] + [""] * max(0, level - 1 - len(self.path))
            self.path.append(text)
            self.anchor = self._heading_id or self._pending_id or _slug(text)
            self._pending_id = None
            return
        if link_share > 0.6 and len(text.split()) > 3:
            return  # a list of links (a table of contents, "see also"): nothing to govern with
        self.blocks.append(Block(list(self.path), self.anchor, self._container_kind(), text))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        cls = (a.get("class") or "").lower()
        if tag in self._SKIP or (self._skip and tag not in ("br", "img", "hr", "input", "meta", "link")):
            if tag not in ("br", "img", "hr", "input", "meta", "link"):
                self._skip += 1
            return
        if tag in ("div", "section", "article", "aside", "span", "figure") and any(b in cls.split() or b in cls for b in self._BADGE):
            self._skip += 1
            return
        if tag in ("div", "section", "article", "aside", "figure"):
            kind = "example" if any(e in cls for e in self._EXAMPLE) else "note" if any(n in cls for n in self._NOTE) else ""
            if kind:
                self._flush()
            self._stack.append(kind)
            if a.get("id") and tag in ("div", "section"):
                self._pending_id = a.get("id")
        if tag in self._HEAD:
            self._flush()
            self._heading = self._HEAD[tag]
            self._heading_id = a.get("id")
        elif tag in self._BLOCK:
            self._flush()
            self._kind = "item" if tag == "li" else "text"
            if tag == "pre":
                self._pre += 1
        elif tag == "a":
            self._in_link += 1
        elif tag == "br":
            self._buf.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            if tag not in ("br", "img", "hr", "input", "meta", "link"):
                self._skip -= 1
            return
        if tag in self._HEAD:
            self._flush()
            self._heading = None
            self._heading_id = None
        elif tag in self._BLOCK:
            self._flush()
            if tag == "pre":
                self._pre = max(0, self._pre - 1)
        elif tag == "a":
            self._in_link = max(0, self._in_link - 1)
        elif tag in ("div", "section", "article", "aside", "figure") and self._stack:
            if self._stack[-1]:
                self._flush()
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._buf.append(data)
            if self._in_link:
                self._link_chars += len(data.strip())


def html_blocks(text: str) -> list[Block]:
    parser = _HtmlBlocks()
    parser.feed(text)
    parser.close()
    parser._flush()
    return parser.blocks


# --- plain text and PDF --------------------------------------------------------------------

_NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+(\S.*)$")


def _looks_like_heading(line: str, next_blank: bool) -> int | None:
    """A heading level for a short title-like line, else None."""
    s = line.strip()
    if not s or len(s) > 90 or s.endswith((".", ",", ";", ":")) and not _NUMBERED.match(s):
        return None
    m = _NUMBERED.match(s)
    if m and len(s.split()) <= 12 and not s.endswith("."):
        return min(6, m.group(1).count(".") + 2)
    words = s.split()
    if len(words) <= 10 and (s.isupper() or (next_blank and sum(w[:1].isupper() for w in words) >= max(1, len(words) * 0.6))):
        return 1 if s.isupper() else 2
    return None


def text_blocks(text: str) -> list[Block]:
    lines = text.splitlines()
    blocks: list[Block] = []
    path: list[str] = []
    para: list[str] = []
    kind = "text"

    def flush() -> None:
        nonlocal para, kind
        body = plain_text(" ".join(para), 20000)
        if body:
            blocks.append(Block(list(path), _slug(path[-1]) if path else None, kind, body))
        para, kind = [], "text"

    for i, line in enumerate(lines):
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        prev_blank = i == 0 or not lines[i - 1].strip()
        level = _looks_like_heading(line, not nxt) if prev_blank else None
        if level:
            flush()
            title = line.strip()
            path = path[: level - 1] + [""] * max(0, level - 1 - len(path)) + [title]
            continue
        if not line.strip():
            flush()
            continue
        if _LIST.match(line):
            flush()
            kind = "item"
            para.append(_LIST.sub("", line))
            continue
        para.append(line.strip())
    flush()
    return blocks


def pdf_text(data: bytes, where: str) -> str:

    from pypdf import PdfReader  # pypdf only for PDF specs

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:
        raise BadInput(f"{where}: cannot read this PDF ({exc})") from exc
    text = "\n\n".join(pages)
    if not text.strip():
        raise BadInput(f"{where}: the PDF has no extractable text (a scan?)")
    # PDF lines are wrapped: join lines inside paragraphs, keep short title-like lines apart.
    return text


# --- digests -------------------------------------------------------------------------------


@dataclass
class DigestMeta:
    name: str | None
    title: str | None
    version: str | None
    link: str | None


def digest_blocks(text: str, where: str) -> tuple[DigestMeta, list[Block], list[str | None]]:
    """``Section > Sub | link | text`` lines; ``# key: value`` headers."""
    meta: dict[str, str] = {}
    blocks: list[Block] = []
    links: list[str | None] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if line.startswith("#"):
            m = re.match(r"#\s*(\w+):\s*(.+)$", line)
            if m:
                meta[m.group(1).lower()] = m.group(2).strip()
            continue
        parts = [p.strip() for p in line.split(" | ")]
        if len(parts) != 3 or not parts[0] or not parts[2]:
            raise BadInput(f"{where}:{n}: a digest line needs 'section | link | text'")
        path = [p.strip() for p in parts[0].split(" > ")]
        anchor = parts[1].split("#", 1)[1] if "#" in parts[1] else None
        blocks.append(Block(path, anchor, "text", plain_text(parts[2], 20000)))
        links.append(parts[1] or None)
    return (
        DigestMeta(meta.get("name"), meta.get("title"), meta.get("version"), meta.get("link")),
        blocks,
        links,
    )
