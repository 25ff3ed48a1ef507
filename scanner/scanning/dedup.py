"""Reposts across sources, found by meaning: the same launch told by three blogs is one item.

Exact reposts (same link, or same title within days) are folded when items are stored. Here, at
scan time, a new item whose text is nearly the same as an earlier item's (cosine at least
``REPOST``) from another source within ``WINDOW`` becomes a pointer to it (``duplicate_of``), and
the earlier item lists the new source. Only the new items and their date window are compared.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np

from scanner.store.vectors import load_vectors

REPOST = 0.92
WINDOW = timedelta(days=7)


def fold_reposts(con: Any, model: str, cutoff: datetime) -> int:
    new = con.execute(
        "SELECT i.id, i.content_hash, i.published, i.sources FROM items i LEFT JOIN item_verdicts v ON v.item_id = i.id "
        "WHERE v.item_id IS NULL AND i.duplicate_of IS NULL AND i.published <= ? ORDER BY i.published, i.id",
        [cutoff],
    ).fetchall()
    if not new:
        return 0
    lo = min(r[2] for r in new) - WINDOW
    hi = max(r[2] for r in new) + WINDOW
    pool = con.execute(
        "SELECT id, content_hash, published, sources FROM items WHERE duplicate_of IS NULL AND published BETWEEN ? AND ? "
        "ORDER BY published, id",
        [lo, min(hi, cutoff)],
    ).fetchall()
    vectors = load_vectors(con, [r[1] for r in pool], model)
    position = {r[0]: n for n, r in enumerate(pool)}
    sources = {r[0]: list(r[3]) for r in pool}
    folded = 0
    gone: set[str] = set()
    for iid, _, published, item_sources in new:
        n = position.get(iid)
        if n is None or not vectors[n].any():
            continue
        sims = vectors @ vectors[n]
        for m in np.flatnonzero(sims >= REPOST):
            other = pool[int(m)]
            if (
                other[0] == iid
                or other[0] in gone
                or (other[2], other[0]) >= (published, iid)  # only fold into an earlier item
                or abs(other[2] - published) > WINDOW
                or set(item_sources) & set(sources[other[0]])  # one source repeating itself is an edit
            ):
                continue
            merged = sources[other[0]] + [s for s in item_sources if s not in sources[other[0]]]
            sources[other[0]] = merged
            con.execute("UPDATE items SET sources = ? WHERE id = ?", [merged, other[0]])
            con.execute("UPDATE items SET duplicate_of = ? WHERE id = ?", [other[0], iid])
            gone.add(iid)
            folded += 1
            break
    return folded
