"""Spec pages in HTML to blocks, read from lexbor's tree (see :mod:`scanner.sources.markup`)."""

from __future__ import annotations

from typing import Any

from scanner.sources import markup
from scanner.sources.normalise import clean_text
from scanner.specs.load import Block, slug

_SKIP = {"script", "style", "nav", "footer", "header", "noscript", "svg", "form", "button", "template"}
_HEAD = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCK = ("p", "li", "pre", "blockquote", "tr", "dd", "dt", "table")
_CONTAINER = ("div", "section", "article", "aside", "figure")
_EXAMPLE_CLASSES = ("example", "conversation", "comparison", "transcript")
_NOTE_CLASSES = ("admonition", "note", "commentary", "callout")
_BADGE = ("authority", "badge", "tag", "anchor-link", "headerlink", "toc")


class _HtmlBlocks:
    """Headings give the path; paragraphs and list items give blocks; worked examples
    (conversation, example, comparison containers) and commentary (admonitions, notes) are marked
    so that they attach to their rule; navigation and link lists (tables of contents) are dropped."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.path: list[str] = []
        self.anchor: str | None = None
        self._buf: list[str] = []
        self._link_chars = 0
        self._in_link = 0
        self._heading: int | None = None
        self._heading_id: str | None = None
        self._pending_id: str | None = None
        self._kind = "text"
        self._pre = 0
        self._stack: list[str] = []  # per open container: "example" | "note" | ""

    @staticmethod
    def _prune(node: Any) -> bool:
        tag = node.tag
        if tag in _SKIP:
            return True
        cls = (node.attributes.get("class") or "").lower()
        return tag in (*_CONTAINER, "span") and any(b in cls.split() or b in cls for b in _BADGE)

    def read(self, root: Any) -> None:
        for event, node in markup.walk(root, self._prune):
            if event == markup.TEXT:
                data = node.text_content or ""
                self._buf.append(data)
                if self._in_link:
                    self._link_chars += len(data.strip())
            elif event == markup.OPEN:
                self._open(node.tag or "", markup.attrs(node))
            else:
                self._close(node.tag or "")
        self._flush()

    def _container_kind(self) -> str:
        if "example" in self._stack or self._pre:
            return "example"
        if "note" in self._stack:
            return "note"
        return self._kind

    def _flush(self) -> None:
        raw = " ".join(self._buf)
        text = clean_text(raw, 20000)
        link_share = self._link_chars / max(1, len(raw.strip()))
        self._buf, self._link_chars = [], 0
        if not text:
            return
        if self._heading is not None:
            level = self._heading
            self.path = self.path[: level - 1] + [""] * max(0, level - 1 - len(self.path))
            self.path.append(text)
            self.anchor = self._heading_id or self._pending_id or slug(text)
            self._pending_id = None
            return
        if link_share > 0.6 and len(text.split()) > 3:
            return  # a list of links (a table of contents, "see also"): nothing to govern with
        self.blocks.append(Block(list(self.path), self.anchor, self._container_kind(), text))

    def _open(self, tag: str, a: dict[str, str]) -> None:
        if tag in _CONTAINER:
            cls = a.get("class", "").lower()
            kind = "example" if any(e in cls for e in _EXAMPLE_CLASSES) else "note" if any(n in cls for n in _NOTE_CLASSES) else ""
            if kind:
                self._flush()
            self._stack.append(kind)
            if a.get("id") and tag in ("div", "section"):
                self._pending_id = a.get("id")
        if tag in _HEAD:
            self._flush()
            self._heading = _HEAD[tag]
            self._heading_id = a.get("id") or None
        elif tag in _BLOCK:
            self._flush()
            self._kind = "item" if tag == "li" else "text"
            if tag == "pre":
                self._pre += 1
        elif tag == "a":
            self._in_link += 1
        elif tag == "br":
            self._buf.append(" ")

    def _close(self, tag: str) -> None:
        if tag in _HEAD:
            self._flush()
            self._heading = None
            self._heading_id = None
        elif tag in _BLOCK:
            self._flush()
            if tag == "pre":
                self._pre = max(0, self._pre - 1)
        elif tag == "a":
            self._in_link = max(0, self._in_link - 1)
        elif tag in _CONTAINER and self._stack:
            if self._stack[-1]:
                self._flush()
            self._stack.pop()


def html_blocks(text: str) -> list[Block]:
    reader = _HtmlBlocks()
    for root in markup.parse(text):
        reader.read(root)
    return reader.blocks
