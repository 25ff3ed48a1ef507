"""The score's tunable parts: sensitivity to the weights, and learning from the team."""

from __future__ import annotations

import numpy as np
import pytest

from scanner.judge.rank import DEFAULT_WEIGHTS, explain, score
from scanner.team.interest import MIN_DECISIONS, Decisions, team_interest
from scanner.views.sensitivity import sensitivity


def rows(n: int) -> list[dict]:
    rng = np.random.default_rng(0)
    return [
        {"id": f"c{i:02d}", "components": {k: float(rng.random()) for k in DEFAULT_WEIGHTS}}
        for i in range(n)
    ]


def test_sensitivity_reports_ranges_and_fragile_top10() -> None:
    data = rows(30)
    result = sensitivity(data, DEFAULT_WEIGHTS, 0.2)
    active = [k for k, v in DEFAULT_WEIGHTS.items() if v > 0]
    assert len(result["scenarios"]) == 2 * len(active)
    for c in result["candidates"].values():
        assert c["best"] <= c["rank"] <= c["worst"]
        assert c["fragile"] == (c["rank"] <= 10 and c["worst"] > 10)
    assert 0 <= result["top10_min_kept"] <= 10


def test_a_dominant_candidate_is_stable() -> None:
    data = rows(12)
    data.append({"id": "top", "components": {k: 1.0 for k in DEFAULT_WEIGHTS}})
    result = sensitivity(data, DEFAULT_WEIGHTS)
    assert result["candidates"]["top"] == {"rank": 1, "best": 1, "worst": 1, "fragile": False}


def test_team_interest_needs_ten_decisions_then_follows_them() -> None:
    rng = np.random.default_rng(1)
    liked, disliked = rng.normal(size=384), rng.normal(size=384)

    def unit(v: np.ndarray) -> np.ndarray:
        return (v / np.linalg.norm(v)).astype(np.float32)

    vecs = [unit(liked + 0.3 * rng.normal(size=384)) for _ in range(6)] + [unit(disliked + 0.3 * rng.normal(size=384)) for _ in range(6)]
    signs = np.array([1.0] * 6 + [-1.0] * 6, dtype=np.float32)
    few = Decisions([f"d{i}" for i in range(5)], ["x"] * 5, signs[:5], np.stack(vecs[:5]))
    value, detail = team_interest("new", unit(liked), few)
    assert value == 0.5 and "too few" in detail["note"]
    enough = Decisions([f"d{i}" for i in range(12)], [f"watching: {i}" for i in range(12)], signs, np.stack(vecs))
    assert len(enough) >= MIN_DECISIONS
    up, detail = team_interest("new", unit(liked), enough)
    down, _ = team_interest("new", unit(disliked), enough)
    assert up > 0.8 and down < 0.2
    assert detail["drivers"] and detail["drivers"][0]["similarity"] > 0.5
    own, _ = team_interest("d0", vecs[0], enough)  # its own decision is not used
    assert own > 0.5


def test_score_is_the_stated_weighted_mean_and_explanation_is_one_sentence() -> None:
    comps = {"gap": 1.0, "momentum": 0.5, "novelty": 0.0, "inertia": 0.0, "precedent": 0.0, "affordance": 1.0, "team_interest": 0.0,
             "cement": 1.0}
    expected = sum(DEFAULT_WEIGHTS[k] * comps[k] for k in DEFAULT_WEIGHTS) / sum(DEFAULT_WEIGHTS.values())
    assert score(comps, DEFAULT_WEIGHTS) == round(expected, 6)
    detail = {
        "momentum": {"recent_items": 4, "recent_orgs": ["A", "B", "C", "D"], "window_days": 42},
        "nearest_clauses": [{"section": "Privacy > Memory"}],
        "inertia_channels": {"user-and-developer": {"value": 0.8, "evidence": ["'protocol'"]}},
        "domains": ["memory"],
    }
    from scanner.judge.coverage import governs_at, partly_at

    between = round((governs_at() + partly_at()) / 2, 2)  # a value between the model's two cuts
    text = explain(detail, {**comps, "gap": round(1 - between, 4)})
    assert text.startswith("Four items from four organisations in 6 weeks")
    assert f"'Privacy > Memory', only partly governs it ({between:.2f})" in text and text.endswith(".")


def test_rescope_ranks_again_with_the_gap_the_chosen_specs_leave() -> None:
    from scanner.judge.rank import rescope

    weights = {"gap": 0.5, "momentum": 0.5}
    rows = [
        {"id": "a", "rank": 1, "weights": weights, "components": {"gap": 0.9, "momentum": 0.5},
         "coverage_per_spec": {"x@1": 0.1, "y@1": 0.05}},
        {"id": "b", "rank": 2, "weights": weights, "components": {"gap": 0.4, "momentum": 0.8},
         "coverage_per_spec": {"x@1": 0.6, "y@1": 0.0}},
    ]
    same = rescope(rows, ["x@1", "y@1"])
    assert [r["id"] for r in same] == ["a", "b"] and same[0]["score"] == pytest.approx(0.7)
    only_y = rescope(rows, ["y@1"])
    assert [(r["id"], r["rank"], r["edition_rank"]) for r in only_y] == [("b", 1, 2), ("a", 2, 1)]
    assert only_y[0]["components"]["gap"] == 1.0 and only_y[0]["score"] == pytest.approx(0.9)
    assert rescope(rows, ["z@9"])[0]["coverage"] == 0.0  # a spec that says nothing leaves it all open
    assert rows[0]["rank"] == 1 and rows[0]["components"]["gap"] == 0.9  # the input is left alone
