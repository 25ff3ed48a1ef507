"""Coverage: how far the specs in scope govern what an item or an affordance introduces.

The judgement itself is learned and lives in ``scanner.judge.governs``: for each spec version it
looks at the clauses nearest in meaning, scores each as "governs this" from relational features
(closeness, how far the clause stands out in its spec, shared rare words, directive language,
whether it speaks to the model or to users), and turns the best scores into a calibrated value.
This module holds the clause index a scan builds once, applies that judgement per spec, and
keeps as evidence the clauses that produced each value. Over several specs, the best-covering
spec counts. The team's own verdicts (``scanner.judge.team``) adjust the values last.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from scanner.embed.base import DIMENSIONS
from scanner.judge.governs import (
    DIRECTIVE,
    GovernsModel,
    SpecView,
    load_governs_model,
    views_by_spec,
)
from scanner.lexicon import tokens
from scanner.records import Clause

TOP_K = 3

__all__ = ["DIRECTIVE", "ClauseIndex", "Coverage", "assess", "build_index", "governs_at", "level", "partly_at"]


def governs_at() -> float:
    """The value from which a spec counts as governing (the shipped model's cut)."""
    return load_governs_model().governs_at


def partly_at() -> float:
    """The value from which a spec counts as governing partly."""
    return load_governs_model().partly_at


def level(value: float | None) -> str | None:
    """The words for a coverage value: 'governs', 'partly' or 'open'."""
    if value is None:
        return None
    return load_governs_model().level(value)


@dataclass
class ClauseIndex:
    """The clauses of the specs in scope, embedded, with one judging view per spec."""

    clauses: list[Clause]
    vectors: np.ndarray  # (n, d) unit rows
    doc_tokens: list[Counter[str]]
    specs: list[str] = field(default_factory=list)
    spec_rows: dict[str, np.ndarray] = field(default_factory=dict)
    views: dict[str, SpecView] = field(default_factory=dict)
    team: Any = None  # scanner.judge.team.TeamCoverage, when the team has given verdicts
    model: GovernsModel | None = None  # None: the shipped model

    @property
    def scope(self) -> str:
        return ",".join(sorted(self.specs))


def build_index(
    clauses: Sequence[Clause], vectors: np.ndarray, _unused: Any = None, team: Any = None, model: GovernsModel | None = None
) -> ClauseIndex:
    spec_of = [f"{c.spec}@{c.version}" for c in clauses]
    specs = sorted(set(spec_of))
    vectors = np.asarray(vectors, dtype=np.float32).reshape(len(clauses), -1) if len(clauses) else np.zeros((0, DIMENSIONS), np.float32)
    index = ClauseIndex(
        clauses=list(clauses),
        vectors=vectors,
        doc_tokens=[Counter(tokens(c.section + " " + c.text)) for c in clauses],
        specs=specs,
        team=team,
        model=model,
    )
    arr = np.asarray(spec_of)
    index.spec_rows = {s: np.flatnonzero(arr == s) for s in specs}
    index.views = views_by_spec(specs, spec_of, [c.section for c in clauses], [c.text for c in clauses], vectors)
    return index


@dataclass(frozen=True)
class Coverage:
    coverage: float
    per_spec: dict[str, float]
    capability: str | None
    evidence: list[dict[str, Any]]
    levels: dict[str, str] = field(default_factory=dict)
    by_spec: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "coverage": round(self.coverage, 4),
            "per_spec": {k: round(v, 4) for k, v in self.per_spec.items()},
            "levels": self.levels,
            "capability": self.capability,
            "nearest_clauses": self.evidence,
            # per spec, the clauses that decided its value (their text is in nearest_clauses or the spec)
            "by_spec": {s: [{k: v for k, v in c.items() if k != "text"} for c in cs] for s, cs in self.by_spec.items()},
        }


def _clause_json(index: ClauseIndex, row: int, score: float, cosine: float, matched: list[str]) -> dict[str, Any]:
    c = index.clauses[row]
    return {
        "spec": c.spec,
        "version": c.version,
        "section": c.section,
        "text": c.text,
        "link": c.link,
        "similarity": round(float(max(0.0, min(1.0, cosine))), 4),
        "governs_score": round(float(score), 4),
        "matched_terms": matched,
        "clause_key": c.clause_key,
    }


BATCH = 1024  # items whose cosines to a spec's clauses are computed in one product


def assess_many(
    texts: Sequence[str], vectors: np.ndarray, capabilities: Sequence[str | None], index: ClauseIndex,
    item_ids: Sequence[str | None],
) -> list[Coverage]:
    """``assess`` for many items, with each spec's cosines computed in one matrix product."""
    out: list[Coverage] = []
    for start in range(0, len(texts), BATCH):
        stop = min(len(texts), start + BATCH)
        block = np.asarray(vectors[start:stop], dtype=np.float32)
        cos = {spec: block @ view.vectors.T for spec, view in index.views.items()}
        for k in range(stop - start):
            i = start + k
            out.append(assess(texts[i], block[k], capabilities[i], index, item_id=item_ids[i],
                              cosines={spec: c[k] for spec, c in cos.items()}))
    return out


def assess(
    text: str, vector: np.ndarray, capability: str | None, index: ClauseIndex, *, item_id: str | None = None,
    cosines: dict[str, np.ndarray] | None = None,
) -> Coverage:
    """Coverage of one text (an item, or an affordance's centroid and its titles).

    ``capability`` is only carried along for display: the judgement does not use it.
    """
    if not index.clauses:
        return Coverage(0.0, {}, capability, [])
    model = index.model or load_governs_model()
    per_spec: dict[str, float] = {}
    levels: dict[str, str] = {}
    by_spec: dict[str, list[dict[str, Any]]] = {}
    for spec in index.specs:
        view = index.views[spec]
        j = model.judge(view, vector, text, cosines.get(spec) if cosines else None)
        value = j.value
        evidence = [_clause_json(index, int(view.rows[pos]), st, cs, m) for pos, st, cs, m in j.evidence]
        if index.team is not None:
            value, evidence = index.team.adjust(spec, item_id, vector, value, evidence, index)
        per_spec[spec] = value
        levels[spec] = model.level(value)
        by_spec[spec] = evidence
    best = max(per_spec, key=lambda s: (per_spec[s], s))
    overall = per_spec[best]
    # the evidence shown first: the clauses of the spec that decided the value, then the others'
    evidence = list(by_spec[best])
    for spec in index.specs:
        if spec != best:
            evidence += by_spec[spec][:1]
    return Coverage(overall, per_spec, capability, evidence[: TOP_K + len(index.specs) - 1], levels, by_spec)
