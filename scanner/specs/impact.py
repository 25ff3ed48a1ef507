"""What a new spec version changes for the affordances: who gained or lost coverage."""

from __future__ import annotations

from typing import Any

from scanner.embed import Embedder, embed_texts
from scanner.pipeline import _hash, _prototype_texts, _prototypes, load_index

MIN_CHANGE = 0.05


def coverage_impact(con: Any, name: str, old: str, new: str, embedder: Embedder) -> dict[str, Any]:
    """Re-assess the latest edition's affordances against each version alone."""
    from scanner.coverage import assess
    from scanner.editions import latest_edition

    texts = {
        h: f"{section}: {text}"
        for h, section, text in con.execute(
            "SELECT content_hash, section, text FROM clauses WHERE spec = ? AND version IN (?, ?)", [name, old, new]
        ).fetchall()
    }
    for group in _prototype_texts().values():
        texts.update({_hash(t): t for t in group})
    embed_texts(con, embedder, texts)
    protos, _ = _prototypes(con, embedder.name)
    before = load_index(con, [(name, old)], embedder.name, protos.capabilities)
    after = load_index(con, [(name, new)], embedder.name, protos.capabilities)
    day = latest_edition(con)
    if day is None:
        return {"gained": [], "lost": [], "note": "no edition yet: nothing to compare"}
    rows = con.execute(
        "SELECT c.id, c.label, c.capability, c.centroid FROM edition_candidates e JOIN candidates c ON c.id = e.candidate_id "
        "WHERE e.edition = ? AND c.centroid IS NOT NULL ORDER BY e.rank",
        [day],
    ).fetchall()
    gained: list[dict[str, Any]] = []
    lost: list[dict[str, Any]] = []
    import numpy as np

    for cid, label, capability, centroid in rows:
        titles = " ".join(
            r[0] for r in con.execute(
                "SELECT i.title FROM assignments a JOIN items i ON i.id = a.item_id WHERE a.candidate_id = ? LIMIT 20", [cid]
            ).fetchall()
        )
        vector = np.asarray(centroid, dtype=np.float32)
        a = assess(titles, vector, capability, before).coverage
        b = assess(titles, vector, capability, after)
        change = b.coverage - a
        if abs(change) < MIN_CHANGE:
            continue
        row = {
            "id": cid,
            "label": label,
            "before": round(a, 4),
            "after": round(b.coverage, 4),
            "nearest_clause": b.evidence[0]["section"] if b.evidence else None,
        }
        (gained if change > 0 else lost).append(row)
    gained.sort(key=lambda r: r["before"] - r["after"])
    lost.sort(key=lambda r: r["after"] - r["before"])
    return {"edition": day.isoformat(), "gained": gained, "lost": lost}
