"""Storing items: each announcement once, edits kept as history, reposts merged.

- Exact duplicates (same canonical link, else same GUID) update the stored item in place; when
  the text changed upstream, the old text goes to ``item_history``.
- Near-duplicates across sources (the same title within three days, from another source) become
  one item that lists every source.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from scanner.records import Item
from scanner.sources.normalise import title_key

REPOST_WINDOW = timedelta(days=3)


@dataclass
class StoreResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0  # reposts folded into an existing item

    def __iadd__(self, other: StoreResult) -> StoreResult:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.merged += other.merged
        return self


def store_items(con: Any, items: Sequence[Item], now: datetime | None = None) -> StoreResult:
    result = StoreResult()
    if not items:
        return result
    now = now or datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    # the same id twice in one batch: keep the last (a feed listing an item twice)
    batch = list({it.id: it for it in items}.values())
    ids = [it.id for it in batch]
    existing = {
        row[0]: row
        for row in con.execute(
            "SELECT id, content_hash, sources, title, summary FROM items WHERE id IN (SELECT unnest(?))",
            [ids],
        ).fetchall()
    }
    lo = min(it.published for it in batch) - REPOST_WINDOW
    hi = max(it.published for it in batch) + REPOST_WINDOW
    nearby: dict[str, list[tuple[str, datetime, list[str]]]] = {}
    for rid, title, published, sources in con.execute(
        "SELECT id, title, published, sources FROM items WHERE published BETWEEN ? AND ?", [lo, hi]
    ).fetchall():
        nearby.setdefault(title_key(title), []).append((rid, published, list(sources)))

    inserts: list[list[Any]] = []
    for it in batch:
        row = existing.get(it.id)
        if row is not None:
            _, old_hash, sources, old_title, old_summary = row
            sources = list(sources)
            if it.source not in sources:
                sources.append(it.source)
            if old_hash != it.content_hash:
                con.execute(
                    "INSERT INTO item_history VALUES (?, ?, ?, ?)", [it.id, now, old_title, old_summary]
                )
                con.execute(
                    "UPDATE items SET title = ?, summary = ?, content_hash = ?, updated_at = ?, "
                    "sources = ? WHERE id = ?",
                    [it.title, it.summary, it.content_hash, now, sources, it.id],
                )
                result.updated += 1
            else:
                if sources != list(row[2]):
                    con.execute("UPDATE items SET sources = ? WHERE id = ?", [sources, it.id])
                result.unchanged += 1
            continue
        key = title_key(it.title)
        twin = next(
            (
                n
                for n in nearby.get(key, [])
                if abs(n[1] - it.published) <= REPOST_WINDOW and it.source not in n[2] and len(key) > 12
            ),
            None,
        )
        if twin is not None:
            twin[2].append(it.source)
            con.execute("UPDATE items SET sources = ? WHERE id = ?", [twin[2], twin[0]])
            result.merged += 1
            continue
        inserts.append(
            [
                it.id, it.url, it.guid, it.title, it.summary, it.org, it.source, it.published,
                it.date_missing, now, now, it.content_hash, [it.source],
            ]
        )
        nearby.setdefault(key, []).append((it.id, it.published, [it.source]))
        result.new += 1
    if inserts:
        import pyarrow as pa  # pyarrow costs ~0.3 s to import; only bulk reads and writes need it

        cols = list(zip(*inserts, strict=True))
        names = [
            "id", "url", "guid", "title", "summary", "org", "source", "published",
            "date_missing", "first_seen", "updated_at", "content_hash", "sources",
        ]
        table = pa.table({n: list(c) for n, c in zip(names, cols, strict=True)})
        con.register("_new_items", table)
        try:
            con.execute(f"INSERT INTO items ({', '.join(names)}) SELECT {', '.join(names)} FROM _new_items")
        finally:
            con.unregister("_new_items")
    return result
