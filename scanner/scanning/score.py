"""Signals and scores for the live candidates of a scan (the step before the edition).

The parts that depend only on a candidate's members and the specs (coverage, inertia,
precedent) are cached in ``candidate_signals`` per scope and member count; the parts that
depend on the date (momentum, novelty) and on the team (interest) are computed every scan.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import numpy as np

from scanner import settings
from scanner.embed.base import DIMENSIONS
from scanner.judge.cement import cement_component, cement_state
from scanner.judge.coverage import ClauseIndex, assess, governs_at
from scanner.judge.rank import Ranked, explain, rank, score
from scanner.judge.signals import (
    Facts,
    Member,
    affordance_strength,
    inertia,
    momentum,
    novelty,
    precedent,
    strong_domains,
)
from scanner.judge.text import BODY_SQL
from scanner.scanning.prototypes import text_hash
from scanner.scanning.scope import team_domains
from scanner.scanning.stated_defaults import Stated, candidate_defaults, per_org
from scanner.store.vectors import load_vectors
from scanner.taxonomy import Domain
from scanner.team.interest import Decisions, load_decisions, team_interest


def _members(con: Any, cutoff: datetime) -> dict[str, list[Member]]:
    """The affordance items of each candidate published by ``cutoff``, oldest first."""
    members: dict[str, list[Member]] = {}
    for cid, iid, url, title, summary, org, published, missing, confidence, override in con.execute(
        f"SELECT a.candidate_id, i.id, i.url, i.title, {BODY_SQL}, i.org, i.published, i.date_missing, "
        "v.confidence, v.override "
        "FROM assignments a JOIN items i ON i.id = a.item_id "
        "JOIN item_verdicts v ON v.item_id = i.id "
        "WHERE i.published <= ? AND coalesce(v.override, v.is_affordance) "
        "ORDER BY i.published, i.id",
        [cutoff],
    ).fetchall():
        text = f"{title}. {summary}" if summary else title
        sure = 1.0 if override else float(confidence)
        members.setdefault(cid, []).append(Member(iid, url, title, text, org, published, missing, sure))
    return members


def _live_centroids(con: Any, members: dict[str, list[Member]]) -> dict[str, tuple[str, np.ndarray]]:
    """(capability, centroid) of each unmerged candidate with members, in creation order."""
    rows = con.execute(
        "SELECT id, capability, centroid FROM candidates "
        "WHERE merged_into IS NULL AND centroid IS NOT NULL ORDER BY created_at, id"
    ).fetchall()
    return {cid: (cap, np.asarray(c, dtype=np.float32)) for cid, cap, c in rows if cid in members}


def _with_team_domains(
    con: Any, model: str, domain_vectors: np.ndarray, scope: str
) -> tuple[np.ndarray, str, list[Domain]]:
    """The domain vectors and cache scope, extended by the team's own precedent domains."""
    extra = team_domains(con)
    if extra:
        extra_vectors = load_vectors(con, [text_hash(d.prototype) for d in extra], model)
        domain_vectors = np.vstack([domain_vectors, extra_vectors])
        # the cached signals depend on the team's domains too
        scope = scope + "|" + text_hash(json.dumps([d.__dict__ for d in extra], sort_keys=True))[:12]
    return domain_vectors, scope, extra


def _static_signals(
    facts: Facts, index: ClauseIndex, domain_vectors: np.ndarray, extra: list[Domain]
) -> dict[str, Any]:
    """Coverage, inertia and precedent of one candidate: what the cache keeps."""
    titles = " ".join(m.title for m in facts.members[:20])
    cov = assess(titles, facts.centroid, facts.capability, index)
    inertia_value, channels = inertia(facts)
    precedent_value, domains = precedent(facts, domain_vectors, tuple(extra))
    return {
        "coverage": cov.coverage,
        "coverage_per_spec": cov.per_spec,
        "coverage_by_spec": {
            spec: {"value": round(v, 4), "level": cov.levels.get(spec), "clauses": cov.by_spec.get(spec, [])}
            for spec, v in cov.per_spec.items()
        },
        "nearest_clauses": cov.evidence,
        "inertia": inertia_value,
        "inertia_channels": channels,
        "precedent": precedent_value,
        "precedent_domains": domains,
        "domains": strong_domains(domains),
    }


def _cached_signals(con: Any, scope: str) -> dict[str, tuple[int, dict[str, Any]]]:
    rows = con.execute(
        "SELECT candidate_id, n_items, detail FROM candidate_signals WHERE scope = ?", [scope]
    ).fetchall()
    return {cid: (n, json.loads(detail)) for cid, n, detail in rows}


def _store_signals(con: Any, cid: str, scope: str, n: int, static: dict[str, Any]) -> None:
    con.execute(
        "INSERT INTO candidate_signals VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
        "n_items = excluded.n_items, detail = excluded.detail",
        [cid, scope, n, json.dumps(static)],
    )


def _components(
    facts: Facts, static: dict[str, Any], cutoff: datetime, window_days: int, decisions: Decisions,
    stated: list[Stated],
) -> tuple[dict[str, float], dict[str, Any]]:
    """The score's components of one candidate, and the detail that explains them."""
    momentum_value, momentum_detail = momentum(facts.members, cutoff, window_days)
    orgs = sorted({m.org for m in facts.members if m.org})
    governed = float(static["coverage"]) >= governs_at()
    cement = cement_state(stated, orgs, cutoff, window_days, governed)
    novelty_value, novelty_detail = novelty(facts, cutoff)
    strength_value, strength_detail = affordance_strength(facts.members)
    interest_value, interest_detail = team_interest(facts.id, facts.centroid, decisions)
    components = {
        "gap": round(1.0 - float(static["coverage"]), 4),
        "momentum": momentum_value,
        "novelty": novelty_value,
        "inertia": float(static["inertia"]),
        "precedent": float(static["precedent"]),
        "affordance": strength_value,
        "team_interest": interest_value,
        "cement": cement_component(cement["state"], momentum_value),
    }
    detail = {
        **static,
        "momentum": momentum_detail,
        "novelty": novelty_detail,
        "affordance": strength_detail,
        "team_interest": interest_detail,
        "defaults": [s.as_json() for s in stated],
        "cement": cement,
    }
    detail["explanation"] = explain(detail, components)
    return components, detail


def score_candidates(
    con: Any,
    model: str,
    index: ClauseIndex,
    scope: str,
    domain_vectors: np.ndarray,
    as_of: date,
    cutoff: datetime,
    weights: dict[str, float],
) -> tuple[list[Ranked], dict[str, dict[str, Any]]]:
    """Every live candidate ranked by its score, and each one's detail (signals, explanation)."""
    members = _members(con, cutoff)
    live = _live_centroids(con, members)
    window_days = int(settings.get(con, "momentum.window_days"))
    domain_vectors, scope, extra = _with_team_domains(con, model, domain_vectors, scope)
    cached = _cached_signals(con, scope)
    order = sorted(live, key=lambda cid: (members[cid][0].published, cid))
    matrix = np.stack([live[c][1] for c in order]) if order else np.zeros((0, DIMENSIONS), np.float32)
    decisions = load_decisions(con)
    stated = candidate_defaults(con, cutoff)
    ranked: list[Ranked] = []
    details: dict[str, dict[str, Any]] = {}
    for cid, (capability, centroid) in live.items():
        mem = members[cid]
        facts = Facts(cid, mem, centroid, capability, 0.0, matrix[: order.index(cid)])
        stable = cached.get(cid)
        if stable and stable[0] == len(mem):
            static = stable[1]
        else:
            static = _static_signals(facts, index, domain_vectors, extra)
            _store_signals(con, cid, scope, len(mem), static)
        components, details[cid] = _components(
            facts, static, cutoff, window_days, decisions, per_org(stated.get(cid, []))
        )
        ranked.append(Ranked(cid, score(components, weights), components))
    return rank(ranked), details
