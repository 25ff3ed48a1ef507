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
from typing import Any, NamedTuple

from scanner.records import Item
from scanner.sources.normalise import text_hash, title_key

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


class _Stored(NamedTuple):
    """An item already stored under a batch item's id: the columns of :data:`_STORED_SQL`."""

    id: str
    content_hash: str
    sources: list[str]
    title: str
    summary: str
    full_text: str | None  # the article's text, when it was fetched (scanner.sources.fulltext)


_STORED_SQL = "SELECT id, content_hash, sources, title, summary, full_text FROM items WHERE id IN (SELECT unnest(?))"


class _Nearby(NamedTuple):
    """A stored item published near the batch, that a repost could fold into."""

    id: str
    published: datetime
    sources: list[str]  # grows in place when a repost folds in


_COLUMNS = [
    "id", "url", "guid", "title", "summary", "org", "source", "published",
    "date_missing", "first_seen", "updated_at", "content_hash", "sources",
]


def store_items(con: Any, items: Sequence[Item], now: datetime | None = None) -> StoreResult:
    """Store a batch of items: update the ones stored already, fold reposts into their twin,
    insert the rest."""
    result = StoreResult()
    if not items:
        return result
    now = now or datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    # the same id twice in one batch: keep the last (a feed listing an item twice)
    batch = list({it.id: it for it in items}.values())
    existing = _stored(con, batch)
    nearby = _nearby(con, batch)
    inserts: list[list[Any]] = []
    for it in batch:
        stored = existing.get(it.id)
        if stored is not None:
            if _update(con, it, stored, now):
                result.updated += 1
            else:
                result.unchanged += 1
        elif (twin := _repost_twin(nearby, it)) is not None:
            twin.sources.append(it.source)
            con.execute("UPDATE items SET sources = ? WHERE id = ?", [twin.sources, twin.id])
            result.merged += 1
        else:
            inserts.append(_new_row(it, now))
            nearby.setdefault(title_key(it.title), []).append(_Nearby(it.id, it.published, [it.source]))
            result.new += 1
    _insert(con, inserts)
    return result


def _stored(con: Any, batch: Sequence[Item]) -> dict[str, _Stored]:
    """The stored items that share an id with the batch."""
    rows = con.execute(_STORED_SQL, [[it.id for it in batch]]).fetchall()
    return {row.id: row for row in map(_Stored._make, rows)}


def _nearby(con: Any, batch: Sequence[Item]) -> dict[str, list[_Nearby]]:
    """The stored items published within the repost window of the batch, by title key."""
    lo = min(it.published for it in batch) - REPOST_WINDOW
    hi = max(it.published for it in batch) + REPOST_WINDOW
    out: dict[str, list[_Nearby]] = {}
    for rid, title, published, sources in con.execute(
        "SELECT id, title, published, sources FROM items WHERE published BETWEEN ? AND ?", [lo, hi]
    ).fetchall():
        out.setdefault(title_key(title), []).append(_Nearby(rid, published, list(sources)))
    return out


def _update(con: Any, it: Item, stored: _Stored, now: datetime) -> bool:
    """Bring a stored item up to date, keeping its old text in the history when the text
    changed (True) and adding the source that carried it again (False when the text did not)."""
    sources = list(stored.sources)
    if it.source not in sources:
        sources.append(it.source)
    # with a full text, the stored hash covers it too (`text_hash`), so compare like with like
    if stored.content_hash not in (it.content_hash, text_hash(it.title, it.summary, stored.full_text)):
        con.execute("INSERT INTO item_history VALUES (?, ?, ?, ?)", [it.id, now, stored.title, stored.summary])
        con.execute(
            "UPDATE items SET title = ?, summary = ?, content_hash = ?, updated_at = ?, sources = ? WHERE id = ?",
            [it.title, it.summary, text_hash(it.title, it.summary, stored.full_text), now, sources, it.id],
        )
        return True
    if sources != list(stored.sources):
        con.execute("UPDATE items SET sources = ? WHERE id = ?", [sources, it.id])
    return False


def _repost_twin(nearby: dict[str, list[_Nearby]], it: Item) -> _Nearby | None:
    """The item another source already carried under the same (long enough) title, within the
    repost window, if any."""
    key = title_key(it.title)
    if len(key) <= 12:
        return None
    return next(
        (n for n in nearby.get(key, []) if abs(n.published - it.published) <= REPOST_WINDOW and it.source not in n.sources),
        None,
    )


def _new_row(it: Item, now: datetime) -> list[Any]:
    """A new item's values, in the order of :data:`_COLUMNS`."""
    return [
        it.id, it.url, it.guid, it.title, it.summary, it.org, it.source, it.published,
        it.date_missing, now, now, it.content_hash, [it.source],
    ]


def _insert(con: Any, rows: list[list[Any]]) -> None:
    """Insert new items in one statement, through an Arrow table."""
    if not rows:
        return
    import pyarrow as pa  # pyarrow costs ~0.3 s to import; only bulk reads and writes need it

    table = pa.table({name: list(col) for name, col in zip(_COLUMNS, zip(*rows, strict=True), strict=True)})
    con.register("_new_items", table)
    try:
        con.execute(f"INSERT INTO items ({', '.join(_COLUMNS)}) SELECT {', '.join(_COLUMNS)} FROM _new_items")
    finally:
        con.unregister("_new_items")
