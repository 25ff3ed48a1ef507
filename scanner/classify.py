"""Is an item an affordance announcement, and which capability does it introduce?

A transparent classifier: similarities to short prototype descriptions, plus lexicons of launch
words and of routine news (funding, hires, events, results, research, policy). Every verdict
carries its reasons, and a user's override always wins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from scanner.lexicon import matches
from scanner.taxonomy import AI_TERMS, CAPABILITIES, LAUNCH_CUES, ROUTINE_NEWS

CAPABILITY_MIN = 0.36  # combined score for naming a capability
CUELESS_PENALTY = 0.05
NO_AI_PENALTY = 1.0  # not fitted: a stated rule (see taxonomy.AI_TERMS)

# A linear model over transparent features. The weights were fitted by logistic regression on the
# project's labelled sets (bench/data/grouping.jsonl over real feeds, and the demo's labels), then
# rounded; 5-fold cross-validation gave F1 0.45 on real feeds and 0.84 on the demo at the
# threshold below (bench/quality.py prints the current figures). Routine-news words in the title
# push hardest towards "not an affordance"; launch words and a named capability pull the other way.
WEIGHTS = {
    "intercept": -0.91,
    "aff_sim": 2.96,
    "routine_sim": -4.44,
    "cap_excess": 4.68,
    "launch_title": 0.98,
    "launch_summary": 0.56,
    "has_summary": -0.19,
}
TITLE_ROUTINE = {
    "funding": -0.84, "people": 0.0, "event": -0.62, "results": -0.60, "research": 0.0,
    "policy": -0.92, "deal": -1.0, "model-release": -0.74, "vision": -1.05, "guide": -2.09,
    "security": -0.57, "business": -1.55, "newsletter": -2.61,
}
SUMMARY_ROUTINE = {
    "funding": -0.95, "results": -1.3, "research": -0.63, "policy": -0.41, "vision": -0.5,
    "guide": -0.92, "newsletter": -1.03, "event": -0.17, "security": -0.15, "business": -0.1,
}
THRESHOLD_LOGIT = math.log(0.4 / 0.6)  # affordance when the fitted probability is at least 0.4


@dataclass(frozen=True)
class Verdict:
    is_affordance: bool
    confidence: float
    capability: str | None
    capability_score: float
    reasons: str


@dataclass(frozen=True)
class Prototypes:
    """Embedded prototype descriptions (rows are unit vectors)."""

    affordance: np.ndarray
    routine: np.ndarray
    capabilities: np.ndarray  # one row per taxonomy.CAPABILITIES entry


def capability_scores(title: str, text: str, vector: np.ndarray, protos: Prototypes) -> np.ndarray:
    """Per capability: prototype similarity plus a bonus for its cue words (title counts more)."""
    sims = protos.capabilities @ vector
    bonus = np.zeros(len(CAPABILITIES), dtype=np.float32)
    for i, cap in enumerate(CAPABILITIES):
        in_title = len(matches(cap.cues, title))
        in_text = len(matches(cap.cues, text))
        bonus[i] = 0.10 * min(in_title, 2) + 0.04 * min(in_text, 3)
        if not in_text:  # no cue word at all: only a close paraphrase of the prototype counts
            bonus[i] = -CUELESS_PENALTY
    out: np.ndarray = sims + bonus
    return out


def classify(title: str, summary: str, vector: np.ndarray, protos: Prototypes) -> Verdict:
    text = f"{title}. {summary}" if summary else title
    aff_sim = float(np.max(protos.affordance @ vector))
    routine_sim = float(np.max(protos.routine @ vector))
    launch = matches(LAUNCH_CUES, title) + matches(LAUNCH_CUES, summary)
    routine_hits = {
        kind: found for kind, terms in ROUTINE_NEWS.items() if (found := matches(terms, title))
    }
    routine_summary = {
        kind: found
        for kind, terms in ROUTINE_NEWS.items()
        if kind not in routine_hits and (found := matches(terms, summary))
    }
    scores = capability_scores(title, text, vector, protos)
    best = int(np.argmax(scores))
    cap_score = float(scores[best])
    capability = CAPABILITIES[best].slug if cap_score >= CAPABILITY_MIN else None

    logit = WEIGHTS["intercept"]
    logit += WEIGHTS["aff_sim"] * aff_sim + WEIGHTS["routine_sim"] * routine_sim
    logit += WEIGHTS["cap_excess"] * max(0.0, cap_score - CAPABILITY_MIN)
    logit += WEIGHTS["launch_title"] * min(len(matches(LAUNCH_CUES, title)), 3)
    logit += WEIGHTS["launch_summary"] * min(len(matches(LAUNCH_CUES, summary)), 3)
    logit += WEIGHTS["has_summary"] * (1.0 if summary else 0.0)
    for kind in routine_hits:
        logit += TITLE_ROUTINE.get(kind, -0.8)
    for kind in routine_summary:
        logit += SUMMARY_ROUTINE.get(kind, -0.3)
    names_ai = bool(matches(AI_TERMS, text))
    if not names_ai:
        logit -= NO_AI_PENALTY
    logit -= THRESHOLD_LOGIT
    confidence = 1.0 / (1.0 + math.exp(-logit))
    is_affordance = logit > 0
    reasons = [f"prototype similarity {aff_sim:.2f} (affordance) vs {routine_sim:.2f} (routine)"]
    if capability:
        reasons.append(f"capability: {CAPABILITIES[best].label} ({cap_score:.2f})")
    if launch:
        reasons.append("launch words: " + ", ".join(dict.fromkeys(launch[:3])))
    if not names_ai:
        reasons.append("names no AI system or agent")
    for kind, found in {**routine_hits, **routine_summary}.items():
        reasons.append(f"{kind} words: " + ", ".join(found[:3]))
    return Verdict(is_affordance, round(confidence, 4), capability, round(cap_score, 4), "; ".join(reasons))
