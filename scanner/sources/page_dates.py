"""Publication dates for the items of a page without a feed, read from the page itself.

An item with a link of its own is a card on a listing page. Its date is, in this order: a
JSON-LD object with that ``url`` (or ``@id``) and a ``datePublished``; inside the card, a
``<time datetime>``, an ``itemprop="datePublished"`` or a ``<time>`` whose text is a date; and
last, htmldate's reading of the card's own HTML (a date in its text or in its link). The card
is the largest element around the link that holds no other item's link (an item's link is
one in or around a heading, as listings show them).

An item without a link of its own is a part of the page; it takes the page's date: JSON-LD for
the page, then its meta tags (modified before published, since such an item is found when the
page changes), then htmldate on the whole page.

No date found: None, and the item is dated when first seen and marked ``date_missing``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin

from htmldate import find_date
from selectolax.lexbor import LexborHTMLParser, LexborNode

from scanner.sources import markup
from scanner.sources.normalise import canonical_url, parse_date

__all__ = ["PageDates", "read_dates"]

CARD_LEVELS = 8  # how far up from a link a card may reach
JSONLD_OBJECTS = 5_000  # objects looked at per page, at most
_PAGE_META = ("article:modified_time", "og:updated_time", "article:published_time",
              "og:published_time", "datemodified", "datepublished", "date", "dc.date",
              "dcterms.modified", "dcterms.date", "pubdate", "publish-date", "publishdate")
_DATE_KEYS = ("datePublished", "dateCreated", "uploadDate")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
logging.getLogger("htmldate").setLevel(logging.CRITICAL)  # it logs an ERROR for every small fragment


class PageDates:
    """The dates a page gives: per card link (canonical), and for the page as a whole."""

    def __init__(self, cards: dict[str, datetime], page: datetime | None) -> None:
        self.cards = cards
        self.page = page

    def for_link(self, link: str | None, page_url: str) -> datetime | None:
        """The date of an item: its card's if it has a link of its own, else the page's."""
        own = canonical_url(link) if link else None
        if own and own != canonical_url(page_url):
            return self.cards.get(own)
        return self.page


def _date(value: Any) -> datetime | None:
    """A plausible publication date: parsed, and not in the future."""
    if not isinstance(value, str) or not value.strip():
        return None
    date = parse_date(value.strip())
    if date is None or date > datetime.now(UTC).replace(tzinfo=None) + timedelta(days=1):
        return None
    return date


def _json_objects(data: Any) -> Iterator[dict[str, Any]]:
    stack, seen = [data], 0
    while stack and seen < JSONLD_OBJECTS:
        value = stack.pop()
        if isinstance(value, dict):
            seen += 1
            yield value
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def _jsonld(tree: LexborHTMLParser, base: str) -> tuple[dict[str, datetime], datetime | None]:
    by_url: dict[str, datetime] = {}
    page: datetime | None = None
    here = canonical_url(base)
    for script in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(script.text(deep=True) or "null")
        except (ValueError, RecursionError):
            continue
        for obj in _json_objects(data):
            date = next((d for k in _DATE_KEYS if (d := _date(obj.get(k)))), None)
            if date is None:
                continue
            ref = obj.get("url") or obj.get("@id")
            entity = obj.get("mainEntityOfPage")
            if not isinstance(ref, str) and isinstance(entity, dict | str):
                ref = entity.get("@id") if isinstance(entity, dict) else entity
            url = canonical_url(urljoin(base, ref)) if isinstance(ref, str) else None
            if url and url != here:
                by_url.setdefault(url, date)
            elif page is None:
                page = date
    return by_url, page


def _in_card(card: LexborNode) -> datetime | None:
    for node in card.css("time[datetime], [itemprop=datePublished], time"):
        values = markup.attrs(node)
        for raw in (values.get("datetime"), values.get("content"), node.text(deep=True)):
            if date := _date(raw):
                return date
    return None


def _is_heading_link(anchor: LexborNode) -> bool:
    """A link in a heading, or around one: how a listing names its items."""
    node = anchor.parent
    for _ in range(3):
        if node is None:
            break
        if node.tag in _HEADINGS:
            return True
        node = node.parent
    return anchor.css_first(",".join(_HEADINGS)) is not None


def _cards(tree: LexborHTMLParser, base: str, known: dict[str, datetime],
           wanted: set[str] | None) -> dict[str, datetime]:
    cache: dict[str, str | None] = {}

    def link(node: LexborNode) -> str | None:
        href = node.attributes.get("href") or ""
        if href not in cache:
            cache[href] = canonical_url(urljoin(base, href))
        return cache[href]

    anchors = tree.css("a[href]")
    headed = {link(a) for a in anchors if _is_heading_link(a)} - {None}
    items = (headed | wanted) if wanted is not None else (headed or {link(a) for a in anchors} - {None})
    found: dict[str, datetime] = {}
    for anchor in anchors:
        url = link(anchor)
        if not url or url in found or (wanted is not None and url not in wanted):
            continue
        if url in known:
            found[url] = known[url]
            continue
        card = anchor
        for _ in range(CARD_LEVELS):
            parent = card.parent
            if parent is None or parent.tag in ("body", "html", "main", None):
                break
            if any(link(other) != url and link(other) in items for other in parent.css("a[href]")):
                break  # the parent holds another item: the card ends here
            card = parent
        date = _in_card(card) or _date(find_date(card.html or "", extensive_search=True,
                                                 original_date=True, outputformat="%Y-%m-%d"))
        if date:
            found[url] = date
    return found


def _page_meta(tree: LexborHTMLParser) -> datetime | None:
    found: dict[str, datetime] = {}
    for meta in tree.css("meta[content]"):
        values = markup.attrs(meta)
        key = (values.get("property") or values.get("name") or values.get("itemprop") or "").lower()
        if key in _PAGE_META and key not in found and (date := _date(values.get("content"))):
            found[key] = date
    return next((found[k] for k in _PAGE_META if k in found), None)


def read_dates(html: str, base_url: str, links: list[str | None] | None = None) -> PageDates:
    """The dates the page gives for itself and for its cards (those of ``links`` only, when
    given: a card's date costs a look at its HTML). See the module's notes."""
    tree = LexborHTMLParser(html) if not markup.too_deep(html) else None
    if tree is None:  # nested too deeply to read its structure: no dates, nothing lost
        return PageDates({}, None)
    base_node = tree.css_first("base[href]")
    base = urljoin(base_url, base_node.attributes.get("href") or "") if base_node else base_url
    by_url, page = _jsonld(tree, base)
    wanted = None if links is None else {u for u in map(canonical_url, filter(None, links)) if u}
    cards = _cards(tree, base, by_url, wanted)
    page = page or _page_meta(tree) or _date(find_date(html, original_date=False,
                                                        outputformat="%Y-%m-%d"))
    return PageDates(cards, page)
