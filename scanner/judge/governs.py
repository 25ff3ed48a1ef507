"""Does a spec govern what an item introduces? A calibrated, clause-level judgement.

For one item (or one affordance: its centroid and titles) and one spec version:

1. every clause is compared with the item in meaning, and each similarity is turned into how
   far that clause *stands out* from the rest of its spec for this item (a z-score: long specs
   speak loosely about almost everything, so a plain cosine says little);
2. the three clauses that stand out most are the evidence, and their mean standing is the
   clause part of the score;
3. the document part says what kind of document it is: the share of its clauses that speak to
   the model, less the share that speak to users (a usage policy can govern a model's behaviour
   only partly, whatever it says);
4. two calibrations fitted on labelled (item, spec) pairs (``bench/train.py``) turn the score
   into P(a clause governs it) and P(at least general principles apply); the value shown is
   their mean, and three levels are cut from it.

Measured on held-out spec documents, fitting more weights than these (a learned clause scorer)
did worse than this fixed form: three documents are too few to learn how clauses relate to
capabilities (``bench/QUALITY.md``). Nothing here names a capability: a capability nobody has
listed is judged the same way.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from scanner.judge.files import model_path
from scanner.judge.text import words

MODEL_FILE = "governs.json"
EVIDENCE = 3
PRIOR = (0.1, 0.08, 20.0)  # usual mean and spread of item-to-clause cosines, and their weight in clauses
DOC_WEIGHT = 4.0  # how much the kind of document counts against one standard deviation of standing
DIRECTIVE = re.compile(
    r"\b(should|must|never|always|do not|don't|shouldn't|must not|may not|avoid|refuse|"
    r"by default|is (not )?allowed|prohibit\w*|required?|ensure|not permitted)\b",
    re.IGNORECASE,
)
# A clause that addresses the model ("the assistant should", "Claude never") differs from one
# that addresses the people who use it ("you agree not to use", "users must not").
TO_MODEL = re.compile(
    r"\b(the (assistant|model|ai)|claude|chatgpt|it should|it must|the system)\b", re.IGNORECASE
)
TO_USERS = re.compile(
    r"\b(you (agree|will not|may not|must not)|users? (must|may|shall|agree)|prohibited uses?|"
    r"use of (the )?(model|service|llama)|licensee|acceptable use)\b",
    re.IGNORECASE,
)
EXAMPLE_MARK = " [Example:"
# What kind of document it is, as a whole: a usage policy speaks to users and so can govern the
# model's behaviour at most partly; a model spec speaks to the model.
SPEC_FEATURES = ("share_to_model", "share_to_users")


@dataclass(frozen=True)
class SpecView:
    """One spec version's clauses, ready to be judged against."""

    spec: str  # name@version
    rows: np.ndarray  # positions in the caller's clause list
    vectors: np.ndarray  # (n, d) unit rows
    rule_words: list[frozenset[str]]
    idf: dict[str, float]
    unknown_idf: float
    directive: np.ndarray
    to_model: np.ndarray
    to_users: np.ndarray
    generic: np.ndarray  # how much closer each clause is to its spec's other clauses than usual

    @property
    def spec_features(self) -> np.ndarray:
        if not len(self.to_model):
            return np.zeros(len(SPEC_FEATURES))
        return np.array([float(self.to_model.mean()), float(self.to_users.mean())])


def rule_text(section: str, text: str) -> str:
    """What a clause rules: its heading and text, without worked examples."""
    head = section.rsplit(" > ", 1)[-1]
    return head + ". " + text.split(EXAMPLE_MARK, 1)[0]


def spec_view(spec: str, rows: Sequence[int], sections: Sequence[str], texts: Sequence[str], vectors: np.ndarray) -> SpecView:
    rules = [rule_text(s, t) for s, t in zip(sections, texts, strict=True)]
    rule_words = [frozenset(words(r)) for r in rules]
    df: Counter[str] = Counter()
    for w in rule_words:
        df.update(w)
    n = max(1, len(rule_words))
    idf = {t: math.log((n + 1) / (f + 1)) + 1.0 for t, f in df.items()}
    flag = lambda rx: np.array([bool(rx.search(r)) for r in rules], dtype=np.float64)  # noqa: E731
    vecs = np.asarray(vectors, dtype=np.float32)
    if len(vecs) > 1:
        closeness = (vecs @ vecs.sum(axis=0) - 1.0) / (len(vecs) - 1)
        generic = np.maximum(0.0, closeness - closeness.mean())  # only the unusually general lose
    else:
        generic = np.zeros(len(vecs))
    return SpecView(
        spec=spec,
        rows=np.asarray(rows, dtype=np.int64),
        vectors=np.asarray(vectors, dtype=np.float32),
        rule_words=rule_words,
        idf=idf,
        unknown_idf=math.log(n + 1) + 1.0,
        directive=flag(DIRECTIVE),
        to_model=flag(TO_MODEL),
        to_users=flag(TO_USERS),
        generic=np.asarray(generic, dtype=np.float32),
    )


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, x))))


@dataclass(frozen=True)
class Judgement:
    value: float  # in [0, 1]: mean of P(governed) and P(at least partly)
    level: str  # governs | partly | open
    p_governed: float
    p_partly: float
    score: float  # the uncalibrated score: clause part plus document part
    evidence: list[tuple[int, float, float, list[str]]]  # (view position, standing, cosine, words)


def background(cos: np.ndarray) -> tuple[float, float]:
    """Mean and spread of an item's similarity to a spec's clauses, shrunk towards what is usual
    for a sentence model (``PRIOR``), so that a spec of three clauses still has a sensible scale."""
    n = len(cos)
    mu0, sd0, weight = PRIOR
    mu = (float(cos.sum()) + weight * mu0) / (n + weight)
    var = (float(((cos - mu) ** 2).sum()) + weight * sd0**2) / (n + weight)
    return mu, math.sqrt(var)


def raw_score(
    view: SpecView, vector: np.ndarray, text: str, doc_weight: float, cos: np.ndarray | None = None
) -> tuple[float, list[tuple[int, float, float, list[str]]]]:
    """The clause part (mean standing of the three clauses that stand out most) plus the
    document part, and those three clauses. ``cos``: the item's cosines to the view's clauses,
    when the caller computed them for many items at once."""
    n = len(view.rule_words)
    if n == 0:
        return -10.0, []
    if cos is None:
        cos = view.vectors @ np.asarray(vector, dtype=np.float32)
    # a clause close to everything in its spec (an overview, a general principle) is close to
    # every item too: its closeness to this item says less, so its general closeness is taken off
    specific = cos - view.generic
    mu, sigma = background(specific)
    if n > EVIDENCE:
        part = np.argpartition(-specific, EVIDENCE - 1)[:EVIDENCE]
        top = part[np.lexsort((part, -specific[part]))]  # best first, ties by position
    else:
        top = np.argsort(-specific, kind="stable")
    z = [(float(specific[c]) - mu) / sigma for c in top]
    item_words = set(words(text))
    evidence = [(int(c), zc, float(cos[c]), sorted(item_words & view.rule_words[int(c)])[:8]) for c, zc in zip(top, z, strict=True)]
    doc = float(view.spec_features @ np.array([1.0, -1.0]))
    return float(np.mean(z)) + doc_weight * doc, evidence


@dataclass(frozen=True)
class GovernsModel:
    doc_weight: float
    governed: tuple[float, float]  # P(governed) = sigmoid(a * score + b)
    partly: tuple[float, float]
    governs_at: float  # value cuts for the three levels, fitted on held-out predictions
    partly_at: float
    meta: dict[str, Any]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GovernsModel:
        return cls(
            doc_weight=float(data["doc_weight"]),
            governed=(float(data["governed"][0]), float(data["governed"][1])),
            partly=(float(data["partly"][0]), float(data["partly"][1])),
            governs_at=float(data["levels"]["governs"]),
            partly_at=float(data["levels"]["partly"]),
            meta=dict(data.get("meta", {})),
        )

    def level(self, value: float) -> str:
        return "governs" if value >= self.governs_at else "partly" if value >= self.partly_at else "open"

    def value(self, score: float) -> tuple[float, float, float]:
        pg = _sigmoid(self.governed[0] * score + self.governed[1])
        pp = max(pg, _sigmoid(self.partly[0] * score + self.partly[1]))
        return 0.5 * (pg + pp), pg, pp

    def judge(self, view: SpecView, vector: np.ndarray, text: str, cos: np.ndarray | None = None) -> Judgement:
        score, evidence = raw_score(view, vector, text, self.doc_weight, cos)
        value, pg, pp = self.value(score)
        return Judgement(round(value, 4), self.level(value), round(pg, 4), round(pp, 4), round(score, 4), evidence)


@cache
def load_governs_model(path: str | None = None) -> GovernsModel:
    p = Path(path) if path else model_path(MODEL_FILE)
    return GovernsModel.from_json(json.loads(p.read_text(encoding="utf-8")))


def views_by_spec(specs: Iterable[str], spec_of: Sequence[str], sections: Sequence[str], texts: Sequence[str], vectors: np.ndarray) -> dict[str, SpecView]:
    """One view per spec, over a clause list that mixes specs (``spec_of`` names each row's)."""
    spec_arr = np.asarray(spec_of)
    out = {}
    for spec in specs:
        rows = [int(r) for r in np.flatnonzero(spec_arr == spec)]
        out[spec] = spec_view(spec, rows, [sections[r] for r in rows], [texts[r] for r in rows], vectors[rows])
    return out


__all__ = ["DOC_WEIGHT", "GovernsModel", "Judgement", "SpecView", "load_governs_model", "raw_score", "spec_view", "views_by_spec"]
