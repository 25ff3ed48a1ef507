"""How stable is the ranking under small changes of the weights?

Each weight above zero is moved by ±``delta`` (20% by default) in turn, the edition is re-ranked
from its stored components, and every candidate gets the best and worst rank it reached. A top-10
candidate that leaves the top 10 under such a change is fragile, and the dashboard says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scanner.judge.rank import score

TOP = 10


def rerank(rows: Sequence[Mapping[str, Any]], weights: Mapping[str, float]) -> list[str]:
    ordered = sorted(rows, key=lambda r: (-score(r["components"], weights), r["id"]))
    return [r["id"] for r in ordered]


def sensitivity(rows: Sequence[Mapping[str, Any]], weights: Mapping[str, float], delta: float = 0.2) -> dict[str, Any]:
    """``rows``: candidates with ``id`` and ``components`` (as in ``report.candidates``)."""
    base = rerank(rows, weights)
    ranks: dict[str, list[int]] = {cid: [n] for n, cid in enumerate(base, 1)}
    scenarios = []
    base_top = set(base[:TOP])
    for key, value in weights.items():
        if value <= 0:
            continue
        for sign in (-1, 1):
            changed = {**weights, key: value * (1 + sign * delta)}
            order = rerank(rows, changed)
            for n, cid in enumerate(order, 1):
                ranks[cid].append(n)
            top = set(order[:TOP])
            scenarios.append({
                "weight": key,
                "change": f"{'+' if sign > 0 else '-'}{delta:.0%}",
                "top10_kept": len(top & base_top),
                "entered_top10": sorted(top - base_top),
                "left_top10": sorted(base_top - top),
            })
    per_candidate = {
        cid: {
            "rank": rs[0],
            "best": min(rs),
            "worst": max(rs),
            "fragile": rs[0] <= TOP and max(rs) > TOP,
        }
        for cid, rs in ranks.items()
    }
    kept: list[int] = [int(str(s["top10_kept"])) for s in scenarios]
    return {
        "delta": delta,
        "top10_min_kept": min(kept) if kept else TOP,
        "scenarios": scenarios,
        "candidates": per_candidate,
    }
