"""Pure helpers behind the Map page: placing affordances."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from scanner.ui.charts import pca_2d


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


def item_points(
    ids: Sequence[str], matrix: np.ndarray, rows: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """One point per item of the ranked affordances that has a vector, placed by PCA of the
    items' own embeddings and carrying its affordance's rank, label and gap."""
    position = {i: n for n, i in enumerate(ids)}
    members = [(item, r) for r in rows for item in r.get("items", []) if item["id"] in position]
    if not members:
        return []
    xy = pca_2d(matrix[[position[item["id"]] for item, _ in members]])
    return [
        {
            "id": r["id"],
            "item": item["id"],
            "title": item.get("title") or "",
            "org": item.get("org") or "",
            "label": r["label"],
            "rank": r["rank"],
            "gap": r["components"].get("gap", 0.0),
            "x": float(x),
            "y": float(y),
        }
        for (item, r), (x, y) in zip(members, xy, strict=True)
    ]
