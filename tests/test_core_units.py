"""The pure judging core on small hand-made rows and vectors: grouping (`scanner.judge.cluster`),
the score's signals (`scanner.judge.signals`) and ranking (`scanner.judge.rank`). No database,
no model, no network."""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

import numpy as np
import pytest

from scanner.judge import cluster, rank, signals
from scanner.judge.cluster import Group, NewItem
from scanner.judge.signals import Facts, Member

AS_OF = datetime(2025, 3, 31)
DIM = 4


def unit(*xs: float) -> np.ndarray:
    v = np.array(xs + (0.0,) * (DIM - len(xs)), dtype=np.float32)
    return (v / np.linalg.norm(v)).astype(np.float32)


def at_cosine(c: float, side: float = 1.0) -> np.ndarray:
    """A unit vector whose cosine with e1 is ``c`` (on either side of e1)."""
    return unit(c, side * math.sqrt(1 - c * c))


def member(id: str, org: str | None, days_ago: float, confidence: float = 1.0, *, date_missing: bool = False) -> Member:
    return Member(id=id, url=f"https://example.org/{id}", title=id, text=id, org=org,
                  published=AS_OF - timedelta(days=days_ago), date_missing=date_missing, confidence=confidence)


def sat(x: float, scale: float) -> float:
    return 1.0 - math.exp(-x / scale)


# --- cluster ------------------------------------------------------------------------------------


def test_candidate_id_derives_from_the_founding_item() -> None:
    assert cluster.candidate_id("item-1") == "aff-" + hashlib.sha256(b"item-1").hexdigest()[:10]
    assert cluster.candidate_id("item-1") == cluster.candidate_id("item-1")
    assert cluster.candidate_id("item-1") != cluster.candidate_id("item-2")


def test_assign_joins_above_the_threshold_and_founds_below_it() -> None:
    groups: list[Group] = []
    items = [NewItem("a", unit(1.0), None), NewItem("far", at_cosine(0.55, side=-1), None),
             NewItem("near", at_cosine(0.65), None)]
    out = cluster.assign(groups, items, join=0.60)
    founder = cluster.candidate_id("a")
    assert out["a"] == founder
    assert out["near"] == founder  # 0.65 >= 0.60: joins
    assert out["far"] == cluster.candidate_id("far")  # below the threshold: a new group, named after it
    assert [g.id for g in groups] == [founder, cluster.candidate_id("far")]
    assert [g.n for g in groups] == [2, 1]


def test_assign_threshold_is_the_argument() -> None:
    items = [NewItem("a", unit(1.0), None), NewItem("b", at_cosine(0.65), None)]
    assert len(set(cluster.assign([], items, join=0.70).values())) == 2
    assert len(set(cluster.assign([], items, join=0.60).values())) == 1


def test_assign_grows_existing_groups_and_moves_their_centroid() -> None:
    group = Group("aff-old", unit(1.0), 1, None)
    groups = [group]
    out = cluster.assign(groups, [NewItem("x", unit(1.0, 1.0), None)], join=0.60)  # cosine 0.707
    assert out == {"x": "aff-old"}
    assert len(groups) == 1 and group.n == 2
    expected = unit(1.0, 0.0) + unit(1.0, 1.0)
    np.testing.assert_allclose(group.centroid, expected / np.linalg.norm(expected), atol=1e-6)
    assert float(np.linalg.norm(group.centroid)) == pytest.approx(1.0)


def test_assign_agreeing_capability_lifts_a_weak_match_over_the_threshold() -> None:
    weak = at_cosine(0.45)
    same = cluster.assign([Group("g", unit(1.0), 1, "search")], [NewItem("x", weak, "search")], join=0.60)
    none = cluster.assign([Group("g", unit(1.0), 1, "search")], [NewItem("x", weak, None)], join=0.60)
    assert same == {"x": "g"}  # 0.45 + 0.30
    assert none == {"x": cluster.candidate_id("x")}


def test_assign_clashing_capability_pushes_a_match_under_the_threshold() -> None:
    vec = at_cosine(0.65)
    out = cluster.assign([Group("g", unit(1.0), 1, "search")], [NewItem("x", vec, "payments")], join=0.60)
    assert out == {"x": cluster.candidate_id("x")}  # 0.65 - 0.10 < 0.60


def test_assign_gives_the_same_ids_for_the_same_data() -> None:
    items = [NewItem(f"i{k}", unit(*v), None) for k, v in enumerate([(1, 0), (0, 1), (1, 0.1), (0.1, 1), (0, 0, 1)])]
    first = cluster.assign([], items)
    again = cluster.assign([], items)
    assert first == again
    assert set(first.values()) == {cluster.candidate_id("i0"), cluster.candidate_id("i1"), cluster.candidate_id("i4")}


def test_map_regroup_follows_the_largest_overlap_and_uses_each_old_id_once() -> None:
    old = {"a": "g1", "b": "g1", "c": "g1", "d": "g2"}
    new = {"a": "n1", "b": "n1", "c": "n2", "d": "n3", "e": "n4"}
    mapping = cluster.map_regroup(old, new)
    assert mapping == {"n1": "g1", "n3": "g2"}  # n2 overlaps g1 too, but g1 went to n1; n4 is new


def test_map_regroup_breaks_ties_by_id() -> None:
    assert cluster.map_regroup({"a": "g1", "b": "g2"}, {"a": "n1", "b": "n1"}) == {"n1": "g1"}


# --- signals ------------------------------------------------------------------------------------


def test_momentum_counts_items_by_their_confidence() -> None:
    members = [member("a", "X", 3, 0.9), member("b", "X", 10, 0.5), member("c", "Y", 20, 0.2)]
    value, detail = signals.momentum(members, AS_OF)
    n_recent, n_orgs = 0.9 + 0.5 + 0.2, 0.9 + 0.2  # each organisation by its surest item
    growth = n_recent / (n_recent + 1)
    assert value == pytest.approx(0.45 * sat(n_recent, 2.5) + 0.35 * sat(n_orgs, 1.5) + 0.2 * growth, abs=1e-4)
    assert detail["expected_launches"] == pytest.approx(1.6)
    assert detail["recent_items"] == 3 and detail["recent_orgs"] == ["X", "Y"]
    assert detail["previous_items"] == 0


def test_momentum_counts_an_organisation_by_its_surest_item() -> None:
    sure = [member("a", "X", 3, 0.9), member("b", "X", 4, 0.1)]
    unsure = [member("a", "X", 3, 0.5), member("b", "X", 4, 0.5)]
    (v_sure, d_sure), (v_unsure, d_unsure) = signals.momentum(sure, AS_OF), signals.momentum(unsure, AS_OF)
    assert d_sure["expected_launches"] == d_unsure["expected_launches"] == 1.0
    assert v_sure - v_unsure == pytest.approx(0.35 * (sat(0.9, 1.5) - sat(0.5, 1.5)), abs=2e-4)


def test_momentum_leaves_out_old_and_undated_items_and_sees_decline() -> None:
    members = [member("new", "X", 5), member("undated", "X", 5, date_missing=True),
               member("old1", "Y", 50), member("old2", "Y", 60), member("ancient", "Z", 200)]
    _, detail = signals.momentum(members, AS_OF)
    assert detail["recent_items"] == 1 and detail["recent_orgs"] == ["X"]
    assert detail["previous_items"] == 2
    assert detail["growth"] == pytest.approx((1 - 2) / 4, abs=1e-3)


def test_momentum_without_recent_items_is_zero() -> None:
    assert signals.momentum([member("old", "X", 300)], AS_OF)[0] == 0.0


def facts(members: list[Member], older: np.ndarray | None = None) -> Facts:
    f = Facts(id="g", members=members, centroid=unit(1.0), capability=None, coverage=0.0)
    if older is not None:
        f.older_centroids = older
    return f


def test_novelty_is_highest_for_a_new_group_far_from_older_ones() -> None:
    value, detail = signals.novelty(facts([member("a", "X", 0)]), AS_OF)
    assert value == 1.0
    assert detail == {"first_seen": "2025-03-31", "age_days": 0, "nearest_older_similarity": 0.0}


def test_novelty_falls_with_age_and_with_a_similar_older_group() -> None:
    aged, detail = signals.novelty(facts([member("a", "X", 120), member("b", "X", 2)]), AS_OF)
    assert detail["age_days"] == 120 and detail["first_seen"] == "2024-12-01"  # from the oldest member
    assert aged == pytest.approx(0.65 * math.exp(-1) + 0.35, abs=1e-4)
    seen, detail = signals.novelty(facts([member("a", "X", 0)], older=np.stack([unit(0, 1), unit(1.0)])), AS_OF)
    assert detail["nearest_older_similarity"] == pytest.approx(1.0)
    assert seen == pytest.approx(0.65)


def test_affordance_strength_is_the_mean_probability() -> None:
    members = [member(str(k), "X", 1, p) for k, p in enumerate([0.2, 0.4, 0.9, 0.5])]
    value, detail = signals.affordance_strength(members)
    assert value == pytest.approx(0.5)
    assert detail == {"mean_confidence": 0.5, "best_confidences": [0.9, 0.5, 0.4]}
    assert signals.affordance_strength([])[0] == 0.0


# --- rank ---------------------------------------------------------------------------------------


def test_score_is_the_weighted_mean_of_the_components() -> None:
    assert rank.score({"gap": 1.0, "momentum": 0.0}, {"gap": 3.0, "momentum": 1.0}) == 0.75
    assert rank.score({"gap": 0.5}, {"gap": 1.0, "novelty": 1.0}) == 0.25  # a missing component counts 0
    assert rank.score(dict.fromkeys(rank.COMPONENTS, 1.0), rank.DEFAULT_WEIGHTS) == pytest.approx(1.0)
    assert rank.score({"gap": 1.0, "momentum": 0.2}, {"gap": 0.0, "momentum": 2.0}) == pytest.approx(0.2)


def test_rank_orders_by_score_then_id_whatever_the_input_order() -> None:
    rows = [rank.Ranked("b", 0.5, {}), rank.Ranked("c", 0.9, {}), rank.Ranked("a", 0.5, {}), rank.Ranked("d", 0.1, {})]
    expected = ["c", "a", "b", "d"]
    assert [r.id for r in rank.rank(rows)] == expected
    assert [r.id for r in rank.rank(list(reversed(rows)))] == expected


def test_explain_gives_one_sentence_from_the_evidence() -> None:
    detail = {"momentum": {"recent_items": 3, "recent_orgs": ["X", "Y"], "window_days": 42}}
    assert rank.explain(detail, {"gap": 1.0}) == (
        "Three items from two organisations in 6 weeks; no spec in scope to check it against."
    )


def test_explain_names_the_clause_the_inertia_and_the_precedent() -> None:
    detail = {
        "momentum": {},
        "novelty": {"first_seen": "2025-01-02"},
        "nearest_clauses": [{"section": "4.2 Payments"}],
        "inertia_channels": {"lock-in": {"value": 0.8, "evidence": ["'api'", "'sdk'", "'x'"]},
                             "habit": {"value": 0.3, "evidence": []}},
        "domains": ["finance"],
    }
    sentence = rank.explain(detail, {"gap": 1.0})
    assert sentence == (
        "First seen 2025-01-02, quiet lately; the nearest clause, '4.2 Payments', barely touches it (0.00); "
        "lock-in inertia ('api', 'sdk'); open precedent: finance."
    )
