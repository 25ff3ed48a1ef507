"""Browsing the store: the Explore page's search, filtered in DuckDB, ranked by words or meaning.

A year of feeds is tens of thousands of items; a researcher looks at a few hundred at a time.
So the filters run in SQL and only one page of rows comes back (:func:`search`), the filter
choices come from small aggregate queries (:func:`facets`), and a search *by meaning* compares
one query vector with the stored item vectors in numpy (:func:`rank_by_meaning`): the vectors
never leave DuckDB except as one float32 matrix.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np

from scanner.errors import BadInput
from scanner.taxonomy import CAPABILITIES, DOMAINS
from scanner.views.item_record import ITEM_FROM, ITEM_SELECT, ItemRow, item_dict

PAGE_SIZE = 500  # rows one page of the Explore table shows
AFFORDANCE = "coalesce(v.override, v.is_affordance)"


@dataclass(frozen=True)
class Query:
    """What a researcher asked for; every empty part keeps everything."""

    text: str = ""
    orgs: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    affordance: bool | None = None  # is the item an affordance at all
    domains: tuple[str, ...] = ()  # precedent domains (slugs), through the item's capability
    capabilities: tuple[str, ...] = ()  # capability slugs
    candidate: str | None = None  # one affordance's items
    ids: tuple[str, ...] | None = field(default=None, repr=False)  # only these items (a meaning search)


def latest_scope(con: Any) -> str:
    """The spec scope of the newest edition ("" before the first scan)."""
    for (scope,) in con.execute("SELECT scope FROM editions ORDER BY edition DESC LIMIT 1").fetchall():
        return ",".join(json.loads(scope))
    return ""


def facets(con: Any) -> dict[str, Any]:
    """The choices of the Explore filters: organisations, sources, the date span, affordances."""
    live = "FROM items i WHERE i.duplicate_of IS NULL"
    [(n, first, last)] = con.execute(f"SELECT count(*), min(i.published), max(i.published) {live}").fetchall()
    orgs = [org for (org,) in con.execute(f"SELECT DISTINCT i.org {live} AND i.org IS NOT NULL ORDER BY 1").fetchall()]
    sources = [
        source
        for (source,) in con.execute(
            f"SELECT DISTINCT s FROM (SELECT i.source AS s {live} UNION ALL "
            f"SELECT unnest(i.sources) AS s {live}) WHERE s IS NOT NULL AND s <> '' ORDER BY 1"
        ).fetchall()
    ]
    candidates = con.execute(
        "SELECT c.id, c.label, count(*) FROM assignments a JOIN candidates c ON c.id = a.candidate_id "
        "WHERE c.merged_into IS NULL GROUP BY c.id, c.label ORDER BY count(*) DESC, c.label"
    ).fetchall()
    return {
        "items": int(n),
        "first": first.date() if first else None,
        "last": last.date() if last else None,
        "orgs": orgs,
        "sources": sources,
        "candidates": [{"id": cid, "label": label, "items": int(members)} for cid, label, members in candidates],
        "domains": [{"slug": d.slug, "label": d.label} for d in DOMAINS],
        "capabilities": [{"slug": c.slug, "label": c.label} for c in CAPABILITIES],
    }


def _where(q: Query) -> tuple[str, list[Any]]:
    """The SQL condition and its parameters for ``q`` (the text as words, any case, in the title,
    the summary or the article's full text)."""
    parts: list[str] = ["i.duplicate_of IS NULL"]
    args: list[Any] = []
    for word in q.text.lower().split():
        parts.append("contains(lower(i.title || ' ' || i.summary || ' ' || coalesce(i.full_text, '')), ?)")
        args.append(word)
    if q.orgs:
        parts.append("list_contains(?, i.org)")
        args.append(list(q.orgs))
    if q.sources:
        parts.append("(list_contains(?, i.source) OR list_has_any(?, i.sources))")
        args += [list(q.sources), list(q.sources)]
    if q.start:
        parts.append("i.published >= ?")
        args.append(datetime.combine(q.start, time()))
    if q.end:
        parts.append("i.published < ?")
        args.append(datetime.combine(q.end + timedelta(days=1), time()))
    if q.affordance is not None:
        parts.append(f"coalesce({AFFORDANCE}, FALSE) = ?")
        args.append(q.affordance)
    caps = set(q.capabilities)
    if q.domains:
        unknown = set(q.domains) - {d.slug for d in DOMAINS}
        if unknown:
            raise BadInput(f"unknown domain {sorted(unknown)[0]!r}; the domains are {', '.join(d.slug for d in DOMAINS)}")
        in_domains = {c.slug for c in CAPABILITIES if set(c.domains) & set(q.domains)}
        caps = caps & in_domains if caps else in_domains
    if q.capabilities or q.domains:
        parts.append("list_contains(?, v.capability)")
        args.append(sorted(caps) or [""])
    if q.candidate:
        parts.append("a.candidate_id = ?")
        args.append(q.candidate)
    if q.ids is not None:
        parts.append("list_contains(?, i.id)")
        args.append(list(q.ids))
    return " AND ".join(parts), args


def count(con: Any, q: Query, scope: str | None = None) -> int:
    """How many items ``q`` keeps."""
    where, args = _where(q)
    scope = latest_scope(con) if scope is None else scope
    [(n,)] = con.execute(f"SELECT count(*) {ITEM_FROM} WHERE {where}", [scope, *args]).fetchall()
    return int(n)


def matching_ids(con: Any, q: Query) -> set[str]:
    """The ids of every item that ``q`` keeps (cheap: ids only)."""
    where, args = _where(q)
    return {item_id for (item_id,) in con.execute(f"SELECT i.id {ITEM_FROM} WHERE {where}", ["", *args]).fetchall()}


def search(
    con: Any, q: Query, *, limit: int = PAGE_SIZE, offset: int = 0, scope: str | None = None
) -> tuple[list[dict[str, Any]], int]:
    """One page of the items ``q`` keeps, newest first, and how many it keeps in all."""
    if limit < 0 or offset < 0:
        raise BadInput("limit and offset must be 0 or more")
    scope = latest_scope(con) if scope is None else scope
    where, args = _where(q)
    total = count(con, q, scope)
    rows = con.execute(
        f"{ITEM_SELECT}{ITEM_FROM} WHERE {where} ORDER BY i.published DESC, i.id LIMIT ? OFFSET ?",
        [scope, *args, limit, offset],
    ).fetchall()
    return [item_dict(ItemRow.from_row(r), detail=False) for r in rows], total


def fetch(con: Any, ids: Sequence[str], scope: str | None = None) -> list[dict[str, Any]]:
    """The rows of ``ids``, in that order (ids that are gone are left out)."""
    if not ids:
        return []
    scope = latest_scope(con) if scope is None else scope
    rows = con.execute(
        f"{ITEM_SELECT}{ITEM_FROM} WHERE list_contains(?, i.id)",
        [scope, list(ids)],
    ).fetchall()
    records = [ItemRow.from_row(r) for r in rows]
    by_id = {rec.id: item_dict(rec, detail=False) for rec in records}
    return [by_id[i] for i in ids if i in by_id]


# --- by meaning --------------------------------------------------------------------------------


def item_matrix(con: Any, model: str) -> tuple[list[str], np.ndarray]:
    """Every live item that has a vector under ``model``: ids and one (n, d) float32 matrix."""
    table = con.sql(
        "SELECT i.id, e.vector FROM items i JOIN embeddings e "
        "ON e.content_hash = i.content_hash AND e.model = $model "
        "WHERE i.duplicate_of IS NULL ORDER BY i.id",
        params={"model": model},
    ).to_arrow_table()
    ids = table.column("id").to_pylist()
    if not ids:
        return [], np.zeros((0, 0), dtype=np.float32)
    flat = table.column("vector").combine_chunks().flatten().to_numpy(zero_copy_only=False)
    return ids, np.asarray(flat, dtype=np.float32).reshape(len(ids), -1)


def rank_by_meaning(
    query_vector: np.ndarray, ids: Sequence[str], matrix: np.ndarray, keep: set[str] | None = None, k: int = PAGE_SIZE
) -> list[tuple[str, float]]:
    """The ``k`` items closest in meaning to the query (cosine; the vectors are unit rows),
    among ``keep`` when given, best first."""
    if not len(ids) or k <= 0:
        return []
    sims = matrix @ np.asarray(query_vector, dtype=np.float32).reshape(-1)
    if keep is not None:
        mask = np.fromiter((i in keep for i in ids), dtype=bool, count=len(ids))
        sims = np.where(mask, sims, -np.inf)
    k = min(k, int(np.isfinite(sims).sum()))
    if k == 0:
        return []
    top = np.argpartition(-sims, k - 1)[:k]
    top = top[np.argsort(-sims[top], kind="stable")]
    return [(ids[j], float(sims[j])) for j in top]
