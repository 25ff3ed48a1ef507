"""The wet-cement score: a weighted mean of its parts, always shown with them.

    score = sum(weights[k] * components[k] for k in weights) / sum(weights.values())

Every component is in [0, 1], so the score is too. The weights used are saved with each edition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scanner.errors import BadInput
from scanner.judge.coverage import governs_at, partly_at

COMPONENTS = ("gap", "momentum", "novelty", "inertia", "precedent", "affordance", "team_interest", "cement")
DEFAULT_WEIGHTS: dict[str, float] = {
    "gap": 0.30,
    "momentum": 0.15,
    "novelty": 0.10,
    "inertia": 0.15,
    "precedent": 0.15,
    "affordance": 0.15,
    "team_interest": 0.0,
    "cement": 0.15,  # wet 1, setting 0.8-1 with momentum, set 0.1 (scanner.judge.cement)
}


def check_weights(weights: Mapping[str, float]) -> dict[str, float]:

    out = dict(DEFAULT_WEIGHTS)
    for key, value in weights.items():
        if key not in DEFAULT_WEIGHTS:
            raise BadInput(f"unknown weight {key!r}; the components are {', '.join(COMPONENTS)}")
        try:
            number = float(value)
        except (TypeError, ValueError) as exc:
            raise BadInput(f"weight {key}={value!r} is not a number") from exc
        if not 0 <= number <= 10:
            raise BadInput(f"weight {key}={number} must be between 0 and 10")
        out[key] = number
    if sum(out.values()) <= 0:
        raise BadInput("at least one weight must be above 0")
    return out


def score(components: Mapping[str, float], weights: Mapping[str, float]) -> float:
    total = sum(weights.values())
    return round(sum(weights[k] * components.get(k, 0.0) for k in weights) / total, 6)


@dataclass
class Ranked:
    id: str
    score: float
    components: dict[str, float]


def rank(rows: list[Ranked]) -> list[Ranked]:
    """Highest score first; ties broken by id so that ranks are reproducible."""
    return sorted(rows, key=lambda r: (-r.score, r.id))


def _count_words(n: int) -> str:
    words = ["No", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten"]
    return words[n] if n < len(words) else str(n)


def explain(detail: Mapping[str, Any], components: Mapping[str, float]) -> str:
    """One sentence from the strongest evidence."""
    parts: list[str] = []
    m = detail.get("momentum", {})
    orgs = m.get("recent_orgs") or []
    if m.get("recent_items"):
        who = f"{_count_words(len(orgs)).lower()} organisation{'s' if len(orgs) != 1 else ''}"
        parts.append(
            f"{_count_words(m['recent_items'])} item{'s' if m['recent_items'] != 1 else ''} from {who} in {m.get('window_days', 42) // 7} weeks"
        )
    else:
        parts.append(f"first seen {detail.get('novelty', {}).get('first_seen', '?')}, quiet lately")
    nearest = (detail.get("nearest_clauses") or [None])[0]
    cov = 1.0 - components.get("gap", 0.0)
    if nearest:

        how = "governs it" if cov >= governs_at() else "only partly governs it" if cov >= partly_at() else "barely touches it"
        parts.append(f"the nearest clause, '{nearest['section']}', {how} ({cov:.2f})")
    else:
        parts.append("no spec in scope to check it against")
    channels = detail.get("inertia_channels", {})
    strongest = max(channels.items(), key=lambda kv: kv[1]["value"], default=None)
    if strongest and strongest[1]["value"] >= 0.4:
        ev = strongest[1]["evidence"]
        parts.append(f"{strongest[0]} inertia ({', '.join(ev[:2]) if ev else 'signals'})")
    domains = detail.get("domains") or []
    if domains:
        parts.append(f"open precedent: {domains[0]}")
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."


def rescope(rows: Sequence[Mapping[str, Any]], specs: Sequence[str]) -> list[dict[str, Any]]:
    """The candidates of an edition ranked again as if only ``specs`` (``name@version`` keys
    of ``coverage_per_spec``) were in scope: coverage is the best of those specs, the gap is
    one minus it, the score is re-weighted with the edition's weights, and the rows come back
    in the new order with ``rank`` renumbered and ``edition_rank`` keeping the old one."""
    out = []
    for r in rows:
        per_spec = r.get("coverage_per_spec") or {}
        cov = max((float(per_spec[s]) for s in specs if s in per_spec), default=0.0)
        components = {**r["components"], "gap": round(1.0 - cov, 4)}
        weights = r.get("weights") or DEFAULT_WEIGHTS
        out.append({**r, "components": components, "coverage": round(cov, 4), "score": score(components, weights),
                    "edition_rank": r["rank"]})
    out.sort(key=lambda r: (-r["score"], r["id"]))
    for i, r in enumerate(out, 1):
        r["rank"] = i
    return out
