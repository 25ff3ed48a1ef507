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
