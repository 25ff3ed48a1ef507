"""The scan step for stated defaults: extract them from the affordance items that have none yet
(or were read by another version of the defaults file, or changed since), store them in
``item_defaults``, and read them back per affordance for the cement state and the score.

The extraction itself is pure (`scanner.judge.defaults`); this module only feeds it texts and the
store's cached vectors, and writes what it found.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from scanner.embed import Embedder
from scanner.judge.defaults import Dimensions, extract_many, load_dimensions
from scanner.scanning.prototypes import text_hash
from scanner.sources.safety import safe_link
from scanner.store.vectors import load_vectors, missing_hashes, store_vectors

BATCH = 500  # items read and extracted per step


@dataclass(frozen=True)
class Stated:
    """One default an organisation's item states, as the cement state and the JSON use it."""

    candidate_id: str
    item_id: str
    org: str | None
    dimension: str
    value: str
    quote: str
    score: float
    url: str | None
    published: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "org": self.org,
            "dimension": self.dimension,
            "value": self.value,
            "quote": self.quote,
            "url": safe_link(self.url),
            "published": self.published.isoformat(timespec="seconds"),
        }


def cached_vectors(con: Any, embedder: Embedder) -> Any:
    """A texts -> vectors function that reads and fills the store's embedding cache."""

    def vectors(texts: list[str]) -> np.ndarray:
        hashes = [text_hash(t) for t in texts]
        todo = missing_hashes(con, hashes, embedder.name)
        if todo:
            by_hash = {h: t for h, t in zip(hashes, texts, strict=True) if h in todo}
            order = sorted(by_hash)
            store_vectors(con, order, embedder.encode([by_hash[h] for h in order]), embedder.name)
        return load_vectors(con, hashes, embedder.name)

    return vectors


def _body_column(con: Any) -> str:
    """The item's longest text: its full text where the store keeps one, else its summary."""
    has_full = con.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'full_text'"
    ).fetchone()[0]
    return "coalesce(nullif(i.full_text, ''), i.summary)" if has_full else "i.summary"


def extract_defaults(
    con: Any, embedder: Embedder, cutoff: datetime, dims: Dimensions | None = None
) -> int:
    """Extract and store the defaults of every affordance item published by ``cutoff`` that has
    none for this version of the defaults file and this content; returns how many were read."""
    dims = dims or load_dimensions()
    body = _body_column(con)
    rows = con.execute(
        f"SELECT i.id, i.title, {body}, i.content_hash FROM items i "
        "JOIN item_verdicts v ON v.item_id = i.id LEFT JOIN item_defaults d ON d.item_id = i.id "
        "WHERE i.published <= ? AND i.duplicate_of IS NULL AND coalesce(v.override, v.is_affordance) "
        "AND (d.item_id IS NULL OR d.version <> ? || ':' || i.content_hash) ORDER BY i.id",
        [cutoff, dims.version],
    ).fetchall()
    vectors = cached_vectors(con, embedder)
    now = datetime.now(UTC).replace(tzinfo=None)
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        texts = [f"{title}. {text}" if text else title for _id, title, text, _h in chunk]
        found = extract_many(texts, vectors, dims)
        con.executemany(
            "INSERT INTO item_defaults VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
            "version = excluded.version, found = excluded.found, extracted_at = excluded.extracted_at",
            [
                [iid, f"{dims.version}:{h}", json.dumps([f.as_dict() for f in fs]), now]
                for (iid, _t, _b, h), fs in zip(chunk, found, strict=True)
            ],
        )
    return len(rows)


def candidate_defaults(con: Any, cutoff: datetime) -> dict[str, list[Stated]]:
    """The defaults the affordance items of each candidate state, published by ``cutoff``."""
    out: dict[str, list[Stated]] = {}
    for cid, iid, org, url, published, found in con.execute(
        "SELECT a.candidate_id, i.id, i.org, i.url, i.published, d.found FROM assignments a "
        "JOIN items i ON i.id = a.item_id JOIN item_verdicts v ON v.item_id = i.id "
        "JOIN item_defaults d ON d.item_id = i.id "
        "WHERE i.published <= ? AND coalesce(v.override, v.is_affordance) AND json_array_length(d.found) > 0 "
        "ORDER BY i.published, i.id",
        [cutoff],
    ).fetchall():
        for f in json.loads(found):
            out.setdefault(cid, []).append(
                Stated(cid, iid, org, f["dimension"], f["value"], f["quote"], float(f["score"]), url, published)
            )
    return out


def per_org(stated: list[Stated]) -> list[Stated]:
    """One statement per (organisation, dimension, value): the surest, then the newest."""
    best: dict[tuple[str | None, str, str], Stated] = {}
    for s in stated:
        key = (s.org, s.dimension, s.value)
        if key not in best or (s.score, s.published) > (best[key].score, best[key].published):
            best[key] = s
    return sorted(best.values(), key=lambda s: (s.dimension, s.value, s.org or "", s.published))


def defaults_json(detail: dict[str, Any]) -> dict[str, Any]:
    """``defaults`` and ``cement`` of a candidate, from the detail its edition saved."""
    cement = detail.get("cement") or {"state": "wet", "why": "No stated defaults were read for this edition."}
    stated = [{**d, "url": safe_link(d.get("url"))} for d in detail.get("defaults", [])]
    return {"defaults": stated, "cement": {"state": cement["state"], "why": cement["why"]}}
