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
from scanner.taxonomy import CAPABILITIES, LAUNCH_CUES, ROUTINE_NEWS

CAPABILITY_MIN = 0.40  # combined score for naming a capability


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
        bonus[i] = 0.07 * min(in_title, 2) + 0.03 * min(in_text, 3)
    out: np.ndarray = sims + bonus
    return out


def classify(title: str, summary: str, vector: np.ndarray, protos: Prototypes) -> Verdict:
    text = f"{title}. {summary}" if summary else title
    aff_sim = float(np.max(protos.affordance @ vector))
    routine_sim = float(np.max(protos.routine @ vector))
    launch = matches(LAUNCH_CUES, title) + [w for w in matches(LAUNCH_CUES, summary) if w]
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

    logit = (
        5.0 * (aff_sim - routine_sim)
        + 0.5 * min(len(set(launch)), 2)
        - 0.8 * min(len(routine_hits), 3)
        - 0.3 * min(len(routine_summary), 2)
        + 3.0 * max(0.0, cap_score - CAPABILITY_MIN)
        - 0.25
    )
    confidence = 1.0 / (1.0 + math.exp(-logit))
    is_affordance = logit > 0
    reasons = [f"prototype similarity {aff_sim:.2f} (affordance) vs {routine_sim:.2f} (routine)"]
    if capability:
        reasons.append(f"capability: {CAPABILITIES[best].label} ({cap_score:.2f})")
    if launch:
        reasons.append("launch words: " + ", ".join(dict.fromkeys(launch[:3])))
    for kind, found in {**routine_hits, **routine_summary}.items():
        reasons.append(f"{kind} words: " + ", ".join(found[:3]))
    return Verdict(is_affordance, round(confidence, 4), capability, round(cap_score, 4), "; ".join(reasons))
