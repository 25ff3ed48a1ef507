"""The team's own verdicts, as a per-database adjustment on top of the shipped models.

- Affordance: each item the team has marked yes or no is a label. A small logistic correction
  is fitted on them, with the shipped model's logit as a fixed offset and the item's embedding
  as the only features, held close to zero by a ridge penalty; so a few verdicts move the items
  that resemble them, and nothing else. The items the team judged take its verdict outright.
- Coverage: a verdict (item, spec version, level, and optionally the clause that decides it)
  sets that pair's value outright, puts the named clause first in its evidence, and nudges the
  coverage of items close to it in meaning, in proportion to how close they are.

Pure numpy; fitted afresh at each scan from the stored verdicts (a few milliseconds).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

RIDGE = 4.0  # how strongly the correction is held at zero (per embedding dimension)
EMBEDDING_SCALE = 8.0
MIN_VERDICTS = 3  # fewer than this: no correction beyond the judged items themselves
NEAR = 0.6  # coverage: only items at least this close in meaning are nudged
TARGET = {"covered": 1.0, "partial": 0.5, "uncovered": 0.0}


@dataclass(frozen=True)
class AffordanceCorrection:
    weights: np.ndarray  # over the scaled embedding
    bias: float
    n: int

    def shift(self, vector: np.ndarray) -> float:
        if self.n == 0:
            return 0.0
        return self.bias + float(np.asarray(vector, dtype=np.float64) @ self.weights) * EMBEDDING_SCALE


NO_CORRECTION = AffordanceCorrection(np.zeros(0), 0.0, 0)


def fit_affordance_correction(
    vectors: Sequence[np.ndarray], logits: Sequence[float], labels: Sequence[int], ridge: float = RIDGE
) -> AffordanceCorrection:
    """Newton's method on the ridge-penalised log loss, with the shipped logits as offsets."""
    if len(labels) < MIN_VERDICTS:
        return NO_CORRECTION
    x = np.asarray(vectors, dtype=np.float64) * EMBEDDING_SCALE
    x = np.hstack([x, np.ones((len(x), 1))])
    z0 = np.asarray(logits, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    d = x.shape[1]
    penalty = np.full(d, ridge)
    penalty[-1] = ridge / 4  # the bias may move more freely: a team's base rate differs most
    theta = np.zeros(d)
    for _ in range(25):
        p = 1.0 / (1.0 + np.exp(-np.clip(z0 + x @ theta, -40, 40)))
        grad = x.T @ (p - y) + penalty * theta
        hess = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        theta -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return AffordanceCorrection(theta[:-1], float(theta[-1]), len(labels))


@dataclass(frozen=True)
class CoverageVerdict:
    item_id: str
    spec: str  # name@version
    level: str  # covered | partial | uncovered
    clause_key: str | None
    vector: np.ndarray
    model_value: float  # what the shipped model said for this pair


@dataclass
class TeamCoverage:
    verdicts: list[CoverageVerdict] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_pair = {(v.item_id, v.spec): v for v in self.verdicts}

    def adjust(
        self, spec: str, item_id: str | None, vector: np.ndarray, value: float,
        evidence: list[dict[str, Any]], index: Any,
    ) -> tuple[float, list[dict[str, Any]]]:
        own = self._by_pair.get((item_id, spec)) if item_id else None
        if own is not None:
            return TARGET[own.level], _clause_first(own, evidence, index)
        near = [v for v in self.verdicts if v.spec == spec]
        if not near:
            return value, evidence
        sims = np.array([float(np.asarray(v.vector) @ vector) for v in near])
        k = np.clip((sims - NEAR) / (1 - NEAR), 0, 1) ** 2
        if float(k.sum()) == 0:
            return value, evidence
        shift = float(sum(kj * (TARGET[v.level] - v.model_value) for kj, v in zip(k, near, strict=True)) / (1.0 + k.sum()))
        return round(min(1.0, max(0.0, value + shift)), 4), evidence


def _clause_first(v: CoverageVerdict, evidence: list[dict[str, Any]], index: Any) -> list[dict[str, Any]]:
    note = {"team_verdict": v.level}
    if not v.clause_key:
        return [{**e, **note} for e in evidence[:1]] + evidence[1:]
    rest = [e for e in evidence if e.get("clause_key") != v.clause_key]
    for c in index.clauses:
        if c.clause_key == v.clause_key and f"{c.spec}@{c.version}" == v.spec:
            first = {"spec": c.spec, "version": c.version, "section": c.section, "text": c.text,
                     "link": c.link, "similarity": None, "governs_score": None, "matched_terms": [],
                     "clause_key": c.clause_key, **note}
            return [first, *rest]
    return evidence


def verdicts_digest(rows: Sequence[Sequence[Any]]) -> str:
    """A short, order-free fingerprint of the team's verdicts ('' when there are none)."""
    if not rows:
        return ""
    text = json.dumps(sorted([[str(x) for x in r] for r in rows]))
    return hashlib.sha256(text.encode()).hexdigest()[:8]
