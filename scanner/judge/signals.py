"""The parts of the wet-cement score, each in [0, 1] and each with its evidence.

Grounded in the essay on inertia (``shared/seeds/002``): momentum and novelty say the cement is
wet *now*; inertia says what is poured will set (its four channels); precedent says the domain
is one the essay names as open.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from scanner.embed.base import DIMENSIONS
from scanner.lexicon import count_any
from scanner.taxonomy import CAPABILITY_BY_SLUG, CHANNELS, DOMAINS

WINDOW_DAYS = 42  # "recent": the last six weeks before the edition
DOMAIN_MIN = 0.45


@dataclass
class Member:
    id: str
    url: str | None
    title: str
    text: str
    org: str | None
    published: datetime
    date_missing: bool = False
    confidence: float = 1.0  # the classifier's confidence that the item announces a capability


@dataclass
class Facts:
    """What the score is computed from, for one affordance at one edition."""

    id: str
    members: list[Member]
    centroid: np.ndarray
    capability: str | None
    coverage: float
    older_centroids: np.ndarray = field(default_factory=lambda: np.zeros((0, DIMENSIONS), np.float32))


def _sat(x: float, scale: float) -> float:
    return 1.0 - math.exp(-max(0.0, x) / scale)


def momentum(members: list[Member], as_of: datetime, window_days: int = WINDOW_DAYS) -> tuple[float, dict[str, Any]]:
    start = as_of - timedelta(days=window_days)
    before = start - timedelta(days=window_days)
    recent = [m for m in members if start < m.published <= as_of and not m.date_missing]
    previous = [m for m in members if before < m.published <= start and not m.date_missing]
    orgs = sorted({m.org for m in recent if m.org})
    # counted as expected launches: each item by the probability that it is one, each
    # organisation by its surest item, so a pile of borderline items does not make momentum
    n_recent = sum(m.confidence for m in recent)
    n_previous = sum(m.confidence for m in previous)
    n_orgs = sum(max(m.confidence for m in recent if m.org == org) for org in orgs)
    growth = (n_recent - n_previous) / (n_recent + n_previous + 1)
    value = 0.45 * _sat(n_recent, 2.5) + 0.35 * _sat(n_orgs, 1.5) + 0.2 * max(0.0, growth)
    return round(min(1.0, value), 4), {
        "window_days": window_days,
        "recent_items": len(recent),
        "recent_orgs": orgs,
        "previous_items": len(previous),
        "expected_launches": round(n_recent, 2),
        "growth": round(growth, 3),
    }


def novelty(facts: Facts, as_of: datetime) -> tuple[float, dict[str, Any]]:
    first = min(m.published for m in facts.members)
    age = max(0.0, (as_of - first).total_seconds() / 86400)
    recency = math.exp(-age / 120)
    if facts.older_centroids.shape[0]:
        nearest = float(np.max(facts.older_centroids @ facts.centroid))
    else:
        nearest = 0.0
    distance = min(1.0, max(0.0, (1.0 - nearest) / 0.6))
    value = 0.65 * recency + 0.35 * distance
    return round(min(1.0, value), 4), {
        "first_seen": first.date().isoformat(),
        "age_days": round(age),
        "nearest_older_similarity": round(nearest, 3),
    }


def inertia(facts: Facts) -> tuple[float, dict[str, dict[str, Any]]]:
    texts = [m.text for m in facts.members]
    orgs = sorted({m.org for m in facts.members if m.org})
    channels: dict[str, dict[str, Any]] = {}
    for name, terms in CHANNELS.items():
        n, phrases = count_any(terms, texts)
        share = n / max(1, len(texts))
        value = 0.6 * _sat(n, 1.5) + 0.4 * share
        evidence: list[str] = [f"'{p}'" for p in phrases[:4]]
        if name == "norm-setting":
            value = max(value * 0.5, _sat(len(orgs) - 1, 1.5))
            if len(orgs) > 1:
                evidence.insert(0, f"{len(orgs)} organisations: {', '.join(orgs[:5])}")
        channels[name] = {"value": round(min(1.0, value), 4), "evidence": evidence}
    ranked = sorted((c["value"] for c in channels.values()), reverse=True)
    value = 0.6 * ranked[0] + 0.4 * ranked[1]
    return round(min(1.0, value), 4), channels


def precedent(
    facts: Facts, domain_vectors: np.ndarray, extra_domains: tuple[Any, ...] = ()
) -> tuple[float, dict[str, dict[str, Any]]]:
    domains = tuple(DOMAINS) + tuple(extra_domains)
    sims = domain_vectors @ facts.centroid if domain_vectors.shape[0] else np.zeros(len(domains))
    cap = CAPABILITY_BY_SLUG.get(facts.capability or "")
    texts = [m.text for m in facts.members]
    out: dict[str, dict[str, Any]] = {}
    for k, domain in enumerate(domains):
        n, phrases = count_any(domain.lexicon, texts)
        sim = float(sims[k]) if k < len(sims) else 0.0
        value = 0.5 * min(1.0, max(0.0, (sim - 0.15) / 0.35)) + 0.3 * _sat(n / max(1, len(texts)), 0.4)
        evidence = [f"'{p}'" for p in phrases[:3]]
        if cap and domain.slug in cap.domains:
            value += 0.35
            evidence.insert(0, f"capability: {cap.label}")
        out[domain.slug] = {
            "label": domain.label,
            "value": round(min(1.0, value), 4),
            "similarity": round(sim, 3),
            "evidence": evidence,
        }
    best = max((d["value"] for d in out.values()), default=0.0)
    return round(best, 4), out


def affordance_strength(members: list[Member]) -> tuple[float, dict[str, Any]]:
    """How surely the items announce a new capability: the mean calibrated probability of its
    items, that is the share of them expected to be real launches.

    Real feeds are mostly not launches, and a group can gather many borderline items (customer
    stories, guides) around a few launches; its other signals (momentum above all) then count
    items that are not launches, so the group should not outrank one of clear launches."""
    probs = [m.confidence for m in members]
    value = sum(probs) / len(probs) if probs else 0.0
    best = sorted(probs, reverse=True)[:3]
    return round(value, 4), {"mean_confidence": round(value, 3), "best_confidences": [round(b, 3) for b in best]}


def strong_domains(detail: dict[str, dict[str, Any]]) -> list[str]:
    return [k for k, v in sorted(detail.items(), key=lambda kv: -kv[1]["value"]) if v["value"] >= DOMAIN_MIN]

