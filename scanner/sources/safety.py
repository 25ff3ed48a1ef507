"""Content and link safety checks for fetched documents.

* `refuse_xml_bombs` refuses XML whose prolog declares entities in an internal DTD subset
  (billion laughs, quadratic blow-up, external entities) before any XML parser sees it.
* `safe_link` keeps only http(s) links, so ``javascript:``, ``data:`` and ``file:`` URLs
  from feeds are never rendered clickable by the dashboard or the exports.

`UnsafeContent` subclasses `FetchError`, so batch code that already records a source's
`FetchError` as a failed fetch records refused content the same way.
"""

from __future__ import annotations

import re

from scanner.sources.http import FetchError, UnsafeURL, check_url

__all__ = ["PROLOG_LIMIT", "UnsafeContent", "refuse_xml_bombs", "safe_link"]

PROLOG_LIMIT = 64 * 1024
"""Characters of prolog scanned; a document whose root element starts later is refused."""

_DOCTYPE = re.compile(r"<!DOCTYPE\b", re.IGNORECASE)
_SUBSET_END = re.compile(r"\]\s*>")
_ENTITY = re.compile(r"<!ENTITY\b", re.IGNORECASE)


class UnsafeContent(FetchError):
    """A fetched document was refused as dangerous to parse (see `refuse_xml_bombs`)."""


def _head_text(data: bytes) -> str:
    """Decode the first `PROLOG_LIMIT` characters well enough to read XML markup."""
    head = data[: PROLOG_LIMIT * 4].removeprefix(b"\xef\xbb\xbf")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16"
    elif head.startswith(b"<\x00"):
        codec = "utf-16-le"
    elif head.startswith(b"\x00<"):
        codec = "utf-16-be"
    else:
        codec = "latin-1"  # every ASCII-compatible encoding keeps markup bytes as they are
    return head.decode(codec, errors="replace")[:PROLOG_LIMIT]


def refuse_xml_bombs(data: bytes, *, url: str = "") -> None:
    """Raise `UnsafeContent` if the XML prolog declares entities in a DOCTYPE.

    Only the prolog (XML declaration, processing instructions, comments, DOCTYPE) before
    the root element is read, at most `PROLOG_LIMIT` characters, so the check takes bounded
    time. A plain DOCTYPE that only references an external DTD (as RSS 0.91 does) passes;
    so does anything that is not XML (JSON, HTML without entity declarations).
    """
    text = _head_text(data).lstrip("\ufeff \t\r\n")
    pos = 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if text.startswith("<?", pos):
            end = text.find("?>", pos + 2)
            step = 2
        elif text.startswith("<!--", pos):
            end = text.find("-->", pos + 4)
            step = 3
        elif _DOCTYPE.match(text, pos):
            end = _doctype_end(text, pos, url)
            step = 1
        else:
            return  # the root element (or something that is not XML) starts here
        if end < 0:
            if len(data) > PROLOG_LIMIT:
                raise UnsafeContent(f"XML prolog is longer than {PROLOG_LIMIT:,} characters",
                                    url=url)
            return  # truncated document; a parser will reject it
        pos = end + step


def _doctype_end(text: str, start: int, url: str) -> int:
    """Index of the DOCTYPE's closing '>' (or -1); refuse entity declarations inside it."""
    quote = ""
    for index in range(start + 9, len(text)):
        char = text[index]
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == ">":
            return index
        elif char == "[":
            match = _SUBSET_END.search(text, index)
            subset = text[index: match.start() if match else len(text)]
            if _ENTITY.search(subset):
                raise UnsafeContent("XML declares entities in its DOCTYPE (possible entity"
                                    " expansion bomb or external entity); refused", url=url)
            return match.end() - 1 if match else -1
    return -1


def safe_link(url: str | None) -> str | None:
    """Return `url` (stripped) if it is an http(s) URL with a host, else None.

    Use it for every link shown in the dashboard or written to exports.
    """
    if not isinstance(url, str):
        return None
    url = url.strip()
    try:
        return check_url(url)
    except UnsafeURL:
        return None
