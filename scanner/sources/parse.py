"""Feed bytes to items: RSS, Atom, JSON Feed and JSON Lines. Pure: no network, no database.

feedparser only ever receives bytes here, so it never fetches anything on its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser

from scanner.errors import BadInput
from scanner.records import Item
from scanner.sources.normalise import (
    MAX_TITLE,
    canonical_url,
    content_hash,
    item_id,
    org_from_url,
    parse_date,
    plain_text,
)
from scanner.sources.safety import UnsafeContent, refuse_xml_bombs

MAX_FEED_BYTES = 50_000_000


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    link: str | None
    items: list[Item]
    skipped: list[str]  # one reason per entry that could not become an item


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def make_item(
    *,
    title: str | None,
    summary: str | None,
    url: str | None,
    guid: str | None,
    published: Any,
    org: str | None,
    source: str,
    seen_at: datetime | None = None,
) -> Item | None:
    """Normalise one entry; None when it has neither a title nor a summary."""
    clean_title = plain_text(title, MAX_TITLE)
    clean_summary = plain_text(summary)
    if not clean_title:
        if not clean_summary:
            return None
        clean_title = clean_summary[:120].rsplit(" ", 1)[0] + "…"
    if clean_summary and clean_summary.lower().startswith(clean_title.lower()):
        rest = clean_summary[len(clean_title) :].strip(" .:-–—")
        clean_summary = rest
    link = canonical_url(url)
    date = parse_date(published)
    guid = plain_text(guid, 500) or None
    return Item(
        id=item_id(link, guid, clean_title, source),
        url=link,
        guid=guid,
        title=clean_title,
        summary=clean_summary,
        org=plain_text(org, 100) or org_from_url(link),
        source=source,
        published=date or seen_at or _now(),
        date_missing=date is None,
        content_hash=content_hash(clean_title, clean_summary),
    )


def _entry_date(entry: Any) -> Any:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return datetime(*value[:6])
    for key in ("published", "updated", "created", "date"):
        if entry.get(key):
            return entry.get(key)
    return None


def parse_feed(
    data: bytes, *, source: str, org: str | None = None, seen_at: datetime | None = None
) -> ParsedFeed:
    """Parse RSS, Atom or JSON Feed bytes. Raises BadInput when the bytes are not a feed."""
    if not data or not data.strip():
        raise BadInput(f"{source}: the feed is empty")
    if len(data) > MAX_FEED_BYTES:
        raise BadInput(f"{source}: the feed is larger than {MAX_FEED_BYTES // 1_000_000} MB")
    head = data.lstrip()[:1]
    if head in (b"{", b"["):
        return _parse_json_feed(data, source=source, org=org, seen_at=seen_at)

    try:
        refuse_xml_bombs(data)
    except UnsafeContent as exc:
        raise BadInput(f"{source}: refused: {exc.reason}") from exc
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    version = parsed.get("version") or ""
    entries = parsed.get("entries") or []
    if not version and not entries:
        reason = parsed.get("bozo_exception")
        looks_html = b"<html" in data[:2000].lower()
        what = "an HTML page, not a feed" if looks_html else "not an RSS, Atom or JSON feed"
        raise BadInput(f"{source}: {what}" + (f" ({reason})" if reason and not looks_html else ""))
    feed = parsed.get("feed", {})
    feed_link = feed.get("link")
    feed_org = org or org_from_url(feed_link)
    items: list[Item] = []
    skipped: list[str] = []
    for n, entry in enumerate(entries, 1):
        item = make_item(
            title=entry.get("title"),
            summary=entry.get("summary") or _content(entry),
            url=entry.get("link"),
            guid=entry.get("id"),
            published=_entry_date(entry),
            org=feed_org or org_from_url(entry.get("link")),
            source=source,
            seen_at=seen_at,
        )
        if item is None:
            skipped.append(f"entry {n}: no title and no text")
        else:
            items.append(item)
    return ParsedFeed(plain_text(feed.get("title"), 200) or source, feed_link, items, skipped)


def _content(entry: Any) -> str | None:
    content = entry.get("content")
    if content and isinstance(content, list):
        value = content[0].get("value")
        return str(value) if value else None
    return None


def _parse_json_feed(
    data: bytes, *, source: str, org: str | None, seen_at: datetime | None
) -> ParsedFeed:
    try:
        doc = json.loads(data.decode("utf-8", errors="replace"))
    except json.JSONDecodeError as exc:
        raise BadInput(f"{source}: not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    except RecursionError as exc:
        raise BadInput(f"{source}: the JSON is nested too deeply to read") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise BadInput(f"{source}: a JSON Feed needs an object with an 'items' list")
    feed_org = org or org_from_url(doc.get("home_page_url"))
    items, skipped = [], []
    for n, raw in enumerate(doc["items"], 1):
        if not isinstance(raw, dict):
            skipped.append(f"item {n}: not an object")
            continue
        item = make_item(
            title=raw.get("title"),
            summary=raw.get("summary") or raw.get("content_text") or raw.get("content_html"),
            url=raw.get("url") or raw.get("external_url"),
            guid=str(raw.get("id")) if raw.get("id") is not None else None,
            published=raw.get("date_published") or raw.get("date_modified"),
            org=feed_org or org_from_url(raw.get("url")),
            source=source,
            seen_at=seen_at,
        )
        if item is None:
            skipped.append(f"item {n}: no title and no text")
        else:
            items.append(item)
    return ParsedFeed(str(doc.get("title") or source), doc.get("home_page_url"), items, skipped)


def parse_jsonl(lines: Iterable[str], *, source: str, where: str) -> list[Item]:
    """One item per line: ``{url, title, published, summary, org}``, ``published`` ISO 8601.

    Every line is checked before anything is returned; the first bad line raises BadInput
    naming the file and line.
    """
    items: list[Item] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadInput(f"{where}:{n}: not valid JSON ({exc.msg})") from exc
        except RecursionError as exc:
            raise BadInput(f"{where}:{n}: the JSON is nested too deeply to read") from exc
        if not isinstance(raw, dict):
            raise BadInput(f"{where}:{n}: each line must be a JSON object")
        title = raw.get("title")
        if not isinstance(title, str) or not title.strip():
            raise BadInput(f"{where}:{n}: 'title' is missing or empty")
        published = raw.get("published")
        date = parse_date(published) if isinstance(published, str) else None
        if date is None:
            raise BadInput(
                f"{where}:{n}: 'published' must be an ISO 8601 date, got {published!r:.60}"
            )
        for key in ("url", "summary", "org"):
            if raw.get(key) is not None and not isinstance(raw.get(key), str):
                raise BadInput(f"{where}:{n}: '{key}' must be a string")
        item = make_item(
            title=title,
            summary=raw.get("summary"),
            url=raw.get("url"),
            guid=raw.get("id") if isinstance(raw.get("id"), str) else None,
            published=date,
            org=raw.get("org"),
            source=source,
        )
        if item is None:
            raise BadInput(f"{where}:{n}: the item has no usable title")
        items.append(item)
    return items
