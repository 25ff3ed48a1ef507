"""Is an item an affordance announcement? The learned model decides; a taxonomy hint rides along.

The verdict is ``scanner.judge.affordance``'s calibrated probability (fitted on thousands of
labelled real items; see ``bench/train.py``), shifted by the team's own verdicts when it has
given some (``scanner.judge.team``). The taxonomy's nearest capability is kept only as a hint
for grouping and display: no verdict requires an item to fit a listed capability, so a kind of
capability nobody has listed is judged like any other. A user's override always wins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from scanner.judge.affordance import AffordanceModel, load_affordance_model
from scanner.judge.team import NO_CORRECTION, AffordanceCorrection
from scanner.lexicon import matches
from scanner.taxonomy import CAPABILITIES

CAPABILITY_MIN = 0.36  # prototype similarity plus cue bonus for naming a hint


@dataclass(frozen=True)
class Verdict:
    is_affordance: bool
    confidence: float  # calibrated probability that the item announces a new capability
    capability: str | None  # the taxonomy's nearest capability: a hint, never a requirement
    capability_score: float
    reasons: str


@dataclass(frozen=True)
class Prototypes:
    """Embedded prototype descriptions (rows are unit vectors)."""

    affordance: np.ndarray
    routine: np.ndarray
    capabilities: np.ndarray  # one row per taxonomy.CAPABILITIES entry


def capability_scores(title: str, text: str, vector: np.ndarray, protos: Prototypes) -> np.ndarray:
    """Per listed capability: prototype similarity plus a bonus for its cue words."""
    sims = protos.capabilities @ vector
    bonus = np.zeros(len(CAPABILITIES), dtype=np.float32)
    for i, cap in enumerate(CAPABILITIES):
        in_title = len(matches(cap.cues, title))
        in_text = len(matches(cap.cues, text))
        bonus[i] = 0.10 * min(in_title, 2) + 0.04 * min(in_text, 3) if in_text else -0.05
    out: np.ndarray = sims + bonus
    return out


def classify(
    title: str,
    summary: str,
    vector: np.ndarray,
    protos: Prototypes | None = None,
    *,
    model: AffordanceModel | None = None,
    correction: AffordanceCorrection = NO_CORRECTION,
    near: np.ndarray | None = None,
) -> Verdict:
    model = model or load_affordance_model()
    parts = model.parts(title, summary, vector, near)
    shift = correction.shift(vector)
    prob = model.calibrate(parts["logit"])
    if shift:
        z = math.log(max(prob, 1e-9) / max(1 - prob, 1e-9)) + shift
        prob = 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))
    why = model.reasons(parts, summary)
    if shift:
        why += f"; the team's verdicts shift it {shift:+.2f} (log-odds)"
    capability, cap_score = None, 0.0
    if protos is not None and len(protos.capabilities):
        text = f"{title}. {summary}" if summary else title
        scores = capability_scores(title, text, vector, protos)
        best = int(np.argmax(scores))
        cap_score = float(scores[best])
        if cap_score >= CAPABILITY_MIN:
            capability = CAPABILITIES[best].slug
            why += f"; nearest listed capability: {CAPABILITIES[best].label}"
    return Verdict(prob >= model.threshold, round(prob, 4), capability, round(cap_score, 4), why)


def shipped_logit(model: AffordanceModel, title: str, summary: str, vector: np.ndarray) -> float:
    """The shipped model's calibrated log-odds (the offset the team's correction is fitted on)."""
    p = min(1 - 1e-9, max(1e-9, model.probability(title, summary, vector)))
    return math.log(p / (1 - p))
