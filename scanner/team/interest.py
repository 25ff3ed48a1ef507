"""Learning from the team, openly: a small relevance model over the affordances' embeddings.

The statuses a team sets are its decisions: *watching* and *drafting* say "this matters",
*dismissed* says "it does not". An affordance's ``team_interest`` is a similarity-weighted vote of
its nearest decided affordances (never its own decision), mapped to [0, 1], and the evidence names
the decisions that drove it. Its weight is 0 until the team turns it on; with fewer than
``MIN_DECISIONS`` decisions it says it has too few to learn from and stays at 0.5 (no opinion).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from scanner.embed.base import DIMENSIONS

MIN_DECISIONS = 10
NEIGHBOURS = 5
POSITIVE = ("watching", "drafting")
NEGATIVE = ("dismissed",)


@dataclass
class Decisions:
    ids: list[str]
    labels: list[str]
    signs: np.ndarray  # +1 / -1
    vectors: np.ndarray  # unit rows

    def __len__(self) -> int:
        return len(self.ids)


def load_decisions(con: Any) -> Decisions:
    rows = con.execute(
        "SELECT t.candidate_id, t.status, c.label, c.centroid FROM triage t JOIN candidates c ON c.id = t.candidate_id "
        "WHERE t.status IN ('watching', 'drafting', 'dismissed') AND c.centroid IS NOT NULL ORDER BY t.candidate_id"
    ).fetchall()
    if not rows:
        return Decisions([], [], np.zeros(0, np.float32), np.zeros((0, DIMENSIONS), np.float32))
    return Decisions(
        [r[0] for r in rows],
        [f"{r[1]}: {r[2]}" for r in rows],
        np.array([1.0 if r[1] in POSITIVE else -1.0 for r in rows], dtype=np.float32),
        np.array([r[3] for r in rows], dtype=np.float32),
    )


def team_interest(cid: str, centroid: np.ndarray, decisions: Decisions) -> tuple[float, dict[str, Any]]:
    if len(decisions) < MIN_DECISIONS:
        return 0.5, {"note": f"too few decisions to learn from ({len(decisions)} of {MIN_DECISIONS} needed)", "drivers": []}
    sims = decisions.vectors @ centroid
    order = [i for i in np.argsort(-sims) if decisions.ids[i] != cid][:NEIGHBOURS]
    weights = np.array([max(0.0, float(sims[i])) for i in order])
    vote = float(sum(weights[k] * decisions.signs[i] for k, i in enumerate(order)))
    total = float(weights.sum()) or 1.0
    value = 0.5 * (1.0 + math.tanh(2.0 * vote / total))
    drivers = [
        {"decision": decisions.labels[i], "similarity": round(float(sims[i]), 3)} for i in order[:3]
    ]
    return round(value, 4), {"decisions": len(decisions), "drivers": drivers}
