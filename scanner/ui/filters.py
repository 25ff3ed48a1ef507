"""Pure helpers behind the Explore and Map pages: filtering rows and placing affordances."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np

from scanner.ui.charts import pca_2d


def filter_items(
    rows: Iterable[Mapping[str, Any]],
    *,
    text: str = "",
    orgs: Sequence[str] = (),
    sources: Sequence[str] = (),
    start: date | None = None,
    end: date | None = None,
    affordance: bool | None = None,
) -> list[Mapping[str, Any]]:
    """Items whose title or summary contains every word of ``text`` (any case), and that
    match the other filters; an empty filter keeps everything."""
    words = text.lower().split()
    out = []
    for r in rows:
        hay = f"{r.get('title') or ''} {r.get('summary') or ''}".lower()
        if words and not all(w in hay for w in words):
            continue
        if orgs and r.get("org") not in orgs:
            continue
        if sources and not ({r.get("source"), *(r.get("sources") or [])} & set(sources)):
            continue
        day = (r.get("published") or "")[:10]
        if start and day < start.isoformat():
            continue
        if end and day > end.isoformat():
            continue
        if affordance is not None and bool(r.get("is_affordance")) != affordance:
            continue
        out.append(r)
    return out


def map_points(
    centroids: Mapping[str, Sequence[float]], rows: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """One point per ranked affordance that has a centroid, placed by PCA of the centroids."""
    ranked = [r for r in rows if r["id"] in centroids]
    if not ranked:
        return []
    xy = pca_2d(np.asarray([centroids[r["id"]] for r in ranked]))
    return [
        {
            "id": r["id"],
            "label": r["label"],
            "rank": r["rank"],
            "score": r["score"],
            "gap": r["components"].get("gap", 0.0),
            "x": float(x),
            "y": float(y),
        }
        for r, (x, y) in zip(ranked, xy, strict=True)
    ]
