"""HTML through a real parser: lexbor (selectolax) builds the tree, one walk reads it.

Every reader of markup in the scanner (feed summaries, pages without a feed, spec pages) goes
through :func:`parse` and :func:`walk`. An HTML5 tree builder spends time in proportion to the
nesting depth at each block tag, so a hostile page of a million nested ``<div>`` s would take
hours; a large document is first measured with libxml2 (linear, with a depth limit), and one
nested deeper than ``MAX_DEPTH`` is read in independent pieces: all of its text, little of its
structure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from lxml import etree
from selectolax.lexbor import LexborHTMLParser, LexborNode

MAX_DEPTH = 2048  # libxml2's limit under huge_tree: deeper than any real page
PROBE_ABOVE = 20_000  # tags ("<"): below this even the worst nesting parses in a fraction of a second
PIECE = 10_000  # characters per independently parsed piece of a too-deep document

OPEN, CLOSE, TEXT = "open", "close", "text"


def too_deep(html: str) -> bool:
    """Whether a large document nests deeper than MAX_DEPTH (libxml2 says so, in linear time)."""
    if html.count("<") <= PROBE_ABOVE:
        return False
    parser = etree.HTMLParser(huge_tree=True, recover=True, no_network=True)
    try:
        etree.fromstring(html.encode("utf-8", errors="replace"), parser)
    except etree.Error:
        return False
    return any("depth" in str(entry.message).lower() for entry in parser.error_log)


def parse(html: str) -> list[LexborNode]:
    """The document's root elements: one, or one per piece when it nests too deeply to build
    whole (each piece is cut just before a "<")."""
    if not too_deep(html):
        pieces = [html]
    else:
        pieces, start = [], 0
        while start < len(html):
            end = html.find("<", start + PIECE)
            end = len(html) if end < 0 else end
            pieces.append(html[start:end])
            start = end
    return [root for piece in pieces if (root := LexborHTMLParser(piece).root) is not None]


def walk(root: LexborNode, prune: Callable[[LexborNode], bool] | None = None
         ) -> Iterator[tuple[str, LexborNode]]:
    """Depth first, without recursion: (OPEN, element), (TEXT, text node), (CLOSE, element).

    Comments, doctypes and processing instructions are left out, and so is every element for
    which ``prune`` says True, with all that it holds.
    """
    top = root.mem_id  # nodes are fresh Python objects at every step: compare by identity of the C node
    node: LexborNode | None = root
    while node is not None:
        tag = node.tag or ""
        if tag == "-text":
            yield TEXT, node
        elif not tag.startswith(("-", "!", "_")) and not (prune and prune(node)):
            yield OPEN, node
            if node.child is not None:
                node = node.child
                continue
            yield CLOSE, node
        # on to the next sibling, closing every element left on the way up
        while node.mem_id != top and node.next is None:
            node = node.parent
            if node is None:
                return
            yield CLOSE, node
        if node.mem_id == top:
            return
        node = node.next


def attrs(node: LexborNode) -> dict[str, str]:
    """An element's attributes, valueless ones as ""."""
    return {k: v or "" for k, v in node.attributes.items()}
