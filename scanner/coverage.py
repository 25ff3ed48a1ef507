"""Coverage: how specifically the specs in scope govern what an item or affordance introduces.

Plain "best cosine to any clause" cannot tell a clause that is *about the same topic* from one
that *governs the behaviour*: long specs talk about almost everything in general terms. So
coverage here is mostly a property of the capability an item introduces:

1. ``capability_coverage``: for each capability of the taxonomy, the clauses that name its
   terms, are close to its prototype, and say what the model should do (directive language).
   Several such clauses → covered; one loose mention → partial; none → open.
2. ``item_match``: hybrid dense + BM25 similarity of the item to each clause, kept as the
   evidence a person checks (top 3, with section, link, similarity and the matched terms).

``coverage = CAP_WEIGHT * capability_coverage + (1 - CAP_WEIGHT) * calibrated item match``
when the item names a capability, else a neutral prior blended with the item match (measured on
real feeds: items that name no new capability are mostly governed by general principles). Over several specs, the best-covering spec counts.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from scanner.lexicon import matches, tokens
from scanner.records import Clause
from scanner.taxonomy import CAPABILITIES, CAPABILITY_BY_SLUG

CAP_WEIGHT = 0.8
SATURATION = 0.5  # about three directive clauses that name a capability make it covered
SECTION_SEP = " > "
NO_CAPABILITY_PRIOR = 0.45  # no named capability: the spec's general principles usually apply
TOP_K = 3
DIRECTIVE = re.compile(
    r"\b(should|must|never|always|do not|don't|shouldn't|must not|may not|avoid|refuse|"
    r"by default|is (not )?allowed|prohibit\w*|required?|ensure)\b",
    re.IGNORECASE,
)


# Calibrated on the project's labelled pairs (bench/quality.py prints the table): at 0.5 and above
# most pairs are labelled "a clause governs it" and hardly any "nothing governs it"; below 0.2 half
# are labelled open.
GOVERNS = 0.5
PARTLY = 0.2


def level(value: float | None) -> str | None:
    """The words for a coverage value: 'governs', 'partly' or 'open'."""
    if value is None:
        return None
    return "governs" if value >= GOVERNS else "partly" if value >= PARTLY else "open"


@dataclass
class ClauseIndex:
    """The clauses of the specs in scope, embedded and indexed for BM25."""

    clauses: list[Clause]
    vectors: np.ndarray  # (n, d) unit rows
    directive: np.ndarray  # (n,) bool
    doc_tokens: list[Counter[str]]
    idf: dict[str, float]
    avg_len: float
    specs: list[str] = field(default_factory=list)
    postings: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    spec_rows: dict[str, np.ndarray] = field(default_factory=dict)
    lengths: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    cap_cov: dict[str, dict[str, tuple[float, list[int]]]] = field(default_factory=dict)
    # spec -> capability slug -> (coverage, governing clause rows)

    @property
    def scope(self) -> str:
        return ",".join(sorted(self.specs))


def build_index(clauses: Sequence[Clause], vectors: np.ndarray, cap_vectors: np.ndarray) -> ClauseIndex:
    docs = [Counter(tokens(c.section + " " + c.text)) for c in clauses]
    df: Counter[str] = Counter()
    for d in docs:
        df.update(d.keys())
    n = max(1, len(docs))
    idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
    index = ClauseIndex(
        clauses=list(clauses),
        vectors=vectors.astype(np.float32, copy=False),
        directive=np.array([bool(DIRECTIVE.search(c.text)) for c in clauses], dtype=bool),
        doc_tokens=docs,
        idf=idf,
        avg_len=sum(sum(d.values()) for d in docs) / n,
        specs=sorted({f"{c.spec}@{c.version}" for c in clauses}),
    )
    for i, d in enumerate(docs):
        for t, f in d.items():
            index.postings.setdefault(t, []).append((i, f))
    index.lengths = np.array([sum(d.values()) for d in docs], dtype=np.float32)
    spec_of = np.array([f"{c.spec}@{c.version}" for c in clauses])
    index.spec_rows = {spec: np.flatnonzero(spec_of == spec) for spec in index.specs}
    index.cap_cov = capability_coverage(index, cap_vectors)
    return index


def capability_coverage(
    index: ClauseIndex, cap_vectors: np.ndarray
) -> dict[str, dict[str, tuple[float, list[int]]]]:
    """Per spec and capability: a coverage in [0, 1] and the clauses that govern it."""
    out: dict[str, dict[str, tuple[float, list[int]]]] = {}
    if not index.clauses:
        return out
    sims = index.vectors @ cap_vectors.T  # (n_clauses, n_caps)
    spec_of = np.array([f"{c.spec}@{c.version}" for c in index.clauses])
    for spec in index.specs:
        rows = np.flatnonzero(spec_of == spec)
        per_cap: dict[str, tuple[float, list[int]]] = {}
        for j, cap in enumerate(CAPABILITIES):
            weights: list[tuple[float, int]] = []
            for r in rows:
                clause = index.clauses[r]
                rule = clause.text.split(" [Example:", 1)[0]  # a term only in an example governs nothing
                in_heading = matches(cap.spec_terms, clause.section.rsplit(SECTION_SEP, 1)[-1])
                in_rule = matches(cap.spec_terms, rule)
                if not (in_heading or in_rule):
                    continue
                sim = float(sims[r, j])
                strength = min(1.0, max(0.0, (sim - 0.12) / 0.3))
                strength *= 1.0 if index.directive[r] else 0.4
                strength *= 1.5 if in_heading else 1.0
                strength *= min(1.0, 0.6 + 0.2 * len(set(in_rule) | set(in_heading)))
                if strength > 0.05:
                    weights.append((strength, int(r)))
            weights.sort(reverse=True)
            top = weights[:6]
            total = sum(w for w, _ in top)
            per_cap[cap.slug] = (1.0 - math.exp(-SATURATION * total), [r for _, r in top[:TOP_K]])
        out[spec] = per_cap
    return out


def bm25(index: ClauseIndex, query: Sequence[str], k1: float = 1.2, b: float = 0.75) -> np.ndarray:
    scores = np.zeros(len(index.clauses), dtype=np.float32)
    q = [t for t in dict.fromkeys(query) if t in index.idf]
    if not q:
        return scores
    norm = k1 * (1 - b + b * index.lengths / max(index.avg_len, 1e-9))
    for t in q:
        idf = index.idf[t]
        for i, f in index.postings.get(t, ()):
            scores[i] += idf * f * (k1 + 1) / (f + norm[i])
    return scores


def _calibrate_match(h: float) -> float:
    """Hybrid similarity to a probability-like scale: 0.35 → ~0.1, 0.5 → 0.5, 0.65 → ~0.9."""
    return 1.0 / (1.0 + math.exp(-(h - 0.5) / 0.07))


@dataclass(frozen=True)
class Coverage:
    coverage: float
    per_spec: dict[str, float]
    capability: str | None
    evidence: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {
            "coverage": round(self.coverage, 4),
            "per_spec": {k: round(v, 4) for k, v in self.per_spec.items()},
            "capability": self.capability,
            "nearest_clauses": self.evidence,
        }


def assess(text: str, vector: np.ndarray, capability: str | None, index: ClauseIndex) -> Coverage:
    """Coverage of one text (an item, or an affordance's centroid and its titles)."""
    if not index.clauses:
        return Coverage(0.0, {}, capability, [])
    dense = index.vectors @ vector
    query = tokens(text)
    lexical = bm25(index, query)
    top_lex = float(lexical.max()) if lexical.size else 0.0
    lex_norm = lexical / top_lex if top_lex > 0 else lexical
    # BM25 only reorders among clauses that are already close; it cannot lift an unrelated one.
    hybrid = dense + 0.12 * lex_norm * (dense > 0.2)
    per_spec: dict[str, float] = {}
    cap = CAPABILITY_BY_SLUG.get(capability or "")
    for spec in index.specs:
        rows = index.spec_rows.get(spec)
        best = float(hybrid[rows].max()) if rows is not None and len(rows) else 0.0
        match = _calibrate_match(best)
        if cap is not None:
            cap_value = index.cap_cov.get(spec, {}).get(cap.slug, (0.0, []))[0]
            value = CAP_WEIGHT * cap_value + (1 - CAP_WEIGHT) * match
        else:
            value = 0.5 * NO_CAPABILITY_PRIOR + 0.5 * match
        per_spec[spec] = min(1.0, max(0.0, value))
    overall = max(per_spec.values()) if per_spec else 0.0
    order = np.argsort(-hybrid)[:TOP_K]
    qset = set(query)
    evidence = []
    for i in order:
        c = index.clauses[int(i)]
        matched = sorted(qset & set(index.doc_tokens[int(i)]))[:8]
        evidence.append(
            {
                "spec": c.spec,
                "version": c.version,
                "section": c.section,
                "text": c.text,
                "link": c.link,
                "similarity": round(float(max(0.0, min(1.0, dense[int(i)]))), 4),
                "matched_terms": matched,
                "clause_key": c.clause_key,
            }
        )
    return Coverage(overall, per_spec, capability, evidence)


def governing_clauses(index: ClauseIndex, capability: str | None) -> list[dict[str, Any]]:
    """The clauses that make a capability covered, per spec (for the dashboard's evidence)."""
    out: list[dict[str, Any]] = []
    if not capability:
        return out
    for caps in index.cap_cov.values():
        value, rows = caps.get(capability, (0.0, []))
        for r in rows:
            c = index.clauses[r]
            out.append({"spec": c.spec, "version": c.version, "section": c.section, "link": c.link, "capability_coverage": round(value, 4)})
    return out
