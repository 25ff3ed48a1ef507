"""Spec documents to blocks: Markdown, HTML, plain text, PDF and the demo's digests.

A block is a paragraph, a list item, a worked example or a commentary, with the heading path
above it. Splitting blocks into clauses is :mod:`scanner.specs.split`'s job.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from scanner.errors import BadInput
from scanner.sources.normalise import clean_text, markup_text, plain_text

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


# --- Markdown (markdown-it-py: CommonMark, with tables) -----------------------------------

_MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])
_LIST = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+")
_FOOTNOTE = re.compile(r"\[\^[^\]]*\]")
_EXAMPLE = re.compile(r"^(?:\*\*Example\*\*|example:)", re.IGNORECASE)


def _inline_text(token: Token, *, after_first_line: bool = False) -> str:
    """The words of an inline token: link and emphasis syntax gone, code kept, footnote marks
    dropped; ``after_first_line`` leaves out everything up to the first line break."""
    parts: list[str] = []
    skipping = after_first_line
    for child in token.children or []:
        if child.type in ("softbreak", "hardbreak"):
            skipping = False
            parts.append(" ")
        elif skipping:
            continue
        elif child.type in ("text", "text_special", "code_inline"):
            parts.append(child.content)
        elif child.type == "image":
            parts.append(" ".join(c.content for c in child.children or []))
        elif child.type == "html_inline" and child.content[:3].lower() in ("<br", "<p>", "<p ", "<li"):
            parts.append(" ")
    return clean_text(_FOOTNOTE.sub("", "".join(parts)), 20000)


def markdown_blocks(text: str) -> list[Block]:
    """Headings give the path (``{#anchor}`` after a title names its link); paragraphs and list
    items give blocks; fences and ``**Example**`` paragraphs are worked examples, ``!!!``
    admonitions commentary; a table is one block, a row's cells joined by " ; "."""
    tokens = _MD.parse(text)
    blocks: list[Block] = []
    path: list[str] = []
    anchor: str | None = None
    lists = 0  # open lists around the current token
    note_pending = False  # a "!!!" line whose body came after a blank line (an indented block)
    rows: list[str] = []
    cells: list[str] = []

    def add(kind: str, body: str) -> None:
        if body:
            blocks.append(Block(list(path), anchor, kind, body))

    for i, token in enumerate(tokens):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists -= 1
        elif kind == "heading_open":
            raw = tokens[i + 1].content
            level = int(token.tag[1])
            m = HEADING_ANCHOR.search(raw)
            anchor = m.group(1) if m else slug(raw)
            stripped = HEADING_ANCHOR.sub("", raw)
            title = _inline_text(_MD.parseInline(stripped)[0]) if stripped.strip() else ""
            path = path[: level - 1] + [""] * max(0, level - 1 - len(path)) + [title]
            note_pending = False
        elif kind == "inline" and tokens[i - 1].type == "paragraph_open":
            if token.content.startswith("!!!"):
                body = _inline_text(token, after_first_line=True)
                note_pending = not body
                add("note", body)
                continue
            note_pending = False
            if lists:
                add("item", _inline_text(token))
            else:
                add("example" if _EXAMPLE.match(token.content) else "text", _inline_text(token))
        elif kind == "fence":
            add("example", clean_text(markup_text(token.content, every_tag_breaks=True), 20000))
            note_pending = False
        elif kind == "code_block":  # indented: an admonition's body, else a paragraph as written
            body = _inline_text(_MD.parseInline(" ".join(token.content.split()))[0])
            add("note" if note_pending else "text", body)
            note_pending = False
        elif kind == "html_block":
            add("text", plain_text(token.content, 20000))
            note_pending = False
        elif kind == "inline" and tokens[i - 1].type in ("th_open", "td_open"):
            cells.append(_inline_text(token))
        elif kind == "tr_close":
            if any(cells):
                rows.append(" ; ".join(cells))
            cells = []
        elif kind == "table_close":
            add("text", " ".join(rows))
            rows = []
    return blocks


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


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
            blocks.append(Block(list(path), slug(path[-1]) if path else None, kind, body))
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
