"""The dashboard's pure parts: chart builders, filters and safe text, on plain rows."""

from __future__ import annotations

import numpy as np
import pytest

from scanner.judge.rank import COMPONENTS, DEFAULT_WEIGHTS, score
from scanner.taxonomy import DOMAINS
from scanner.ui import charts
from scanner.ui.filters import map_points
from scanner.ui.widgets import md_link, md_text, trend_arrow


def row(cid: str, rank: int, *, status: str = "new", domain: str = "memory", **components: float):
    comps = {k: components.get(k, 0.5) for k in COMPONENTS}
    pd = {d.slug: {"label": d.label, "value": 0.1} for d in DOMAINS}
    pd[domain]["value"] = 0.9
    return {
        "id": cid,
        "label": f"Affordance {cid}",
        "rank": rank,
        "score": score(comps, DEFAULT_WEIGHTS),
        "components": comps,
        "weights": dict(DEFAULT_WEIGHTS),
        "precedent_domains": pd,
        "domains": [domain],
        "status": status,
        "coverage_per_spec": {"spec-a@1": 0.2, "spec-b@2": 0.7},
    }


@pytest.fixture
def rows():
    return [
        row("a", 1, gap=0.9, momentum=0.8, domain="commerce", status="drafting"),
        row("b", 2, gap=0.6, domain="memory", status="watching"),
        row("c", 3, gap=0.1, momentum=0.1, novelty=0.1, inertia=0.1, precedent=0.1, domain="ambient"),
    ]


def test_contributions_add_up_to_the_score(rows):
    for r in rows:
        assert sum(charts.contributions(r).values()) == pytest.approx(r["score"], abs=1e-6)


def test_score_breakdown_has_one_stacked_trace_per_weighted_part(rows):
    fig = charts.score_breakdown(rows)
    names = [t.name for t in fig.data]
    # team_interest has weight 0 by default: nothing to read, so no trace
    assert names == [c.replace("_", " ") for c in COMPONENTS if DEFAULT_WEIGHTS[c] > 0]
    assert fig.layout.barmode == "stack"
    for t in fig.data:
        assert len(t.x) == len(rows) and len(t.y) == len(rows)
    totals = np.sum([t.x for t in fig.data], axis=0)
    assert totals == pytest.approx([r["score"] for r in rows], abs=1e-3)
    assert fig.data[0].y[0].startswith("#1 ")


def test_radar_places_each_candidate_in_its_strongest_domain_sector(rows):
    fig = charts.radar(rows, rings="score")
    assert sum(len(t.r) for t in fig.data) == len(rows)
    assert {t.name for t in fig.data} <= {b[0] for b in charts.BANDS}
    sector = 360 / len(DOMAINS)
    index = {d.slug: i for i, d in enumerate(DOMAINS)}
    for t in fig.data:
        for theta, data in zip(t.theta, t.customdata, strict=True):
            start = index[data[2]] * sector
            assert start <= theta < start + sector
    ticks = fig.layout.polar.angularaxis.ticktext
    assert len(ticks) == len(DOMAINS)


def test_radar_rings_by_status_put_drafting_innermost(rows):
    fig = charts.radar(rows, rings="status")
    by_name = {t.name: t for t in fig.data}
    assert set(by_name) == {"drafting", "watching", "new"}
    assert max(by_name["drafting"].r) < min(by_name["watching"].r)
    with pytest.raises(ValueError):
        charts.radar(rows, rings="colour")


def test_radar_of_nothing_is_an_empty_figure():
    assert len(charts.radar([]).data) == 0


def test_score_band_thresholds():
    assert charts.band(0.9) == "act now"
    assert charts.band(0.45) == "assess"
    assert charts.band(0.1) == "watch"


def test_timeline_has_a_point_per_item():
    items = [
        {"published": "2025-01-02 10:00:00", "org": "OpenAI", "title": "One"},
        {"published": "2025-02-02 10:00:00", "org": "Anthropic", "title": "Two"},
        {"published": "2025-03-02 10:00:00", "org": None, "title": "Three"},
    ]
    fig = charts.timeline(items)
    assert len(fig.data) == 1
    assert list(fig.data[0].y) == ["OpenAI", "Anthropic", "(unknown)"]
    assert len(fig.data[0].x) == 3


def test_coverage_heatmap_is_affordances_by_specs(rows):
    rows[2]["coverage_per_spec"] = {"spec-a@1": 0.3}
    fig = charts.coverage_heatmap(rows)
    hm = fig.data[0]
    assert list(hm.x) == ["spec-a@1", "spec-b@2"]
    assert np.array(hm.z, dtype=float).shape == (3, 2)
    assert hm.z[0] == (0.2, 0.7) or list(hm.z[0]) == [0.2, 0.7]
    assert hm.z[2][1] is None  # a spec not in scope then is a blank cell, not a zero


def test_pca_2d_keeps_the_main_directions():
    rng = np.random.default_rng(0)
    base = rng.normal(size=(40, 1)) * np.array([[5.0, 0, 0, 0]]) + rng.normal(size=(40, 4)) * 0.1
    xy = charts.pca_2d(base)
    assert xy.shape == (40, 2)
    assert np.var(xy[:, 0]) > 10 * np.var(xy[:, 1])
    assert charts.pca_2d(np.zeros((1, 4))).shape == (1, 2)
    assert charts.pca_2d(np.zeros((0, 4))).shape == (0, 2)


def test_map_points_and_map_figure(rows):
    rng = np.random.default_rng(1)
    centroids = {r["id"]: rng.normal(size=8).tolist() for r in rows[:2]}
    points = map_points(centroids, rows)
    assert [p["id"] for p in points] == ["a", "b"]  # no centroid, no dot
    assert points[0]["gap"] == 0.9
    fig = charts.affordance_map(points)
    assert len(fig.data[0].x) == 2
    assert list(fig.data[0].marker.color) == [0.9, 0.6]
    assert list(fig.data[0].text) == ["#1", "#2"]
    assert map_points({}, rows) == []


def test_feed_text_cannot_inject_tags_into_charts():
    r = row("x", 1)
    r["label"] = '<a href="javascript:alert(1)">click</a>'
    fig = charts.score_breakdown([r])
    assert "<" not in fig.data[0].y[0] and ">" not in fig.data[0].y[0]


def test_feed_text_renders_as_text_and_links_only_http():
    assert md_text("**bold** [x](javascript:alert(1)) <b>") == (
        r"\*\*bold\*\* \[x\]\(javascript\:alert\(1\)\) \<b\>"
    )
    assert md_link("title", "javascript:alert(1)") == "title"
    assert md_link("a [b]", "https://example.com/x(1)") == r"[a \[b\]](https://example.com/x%281%29)"


def test_trend_arrows():
    assert trend_arrow({"trend": "up", "rank": 2, "previous_rank": 5}) == "▲ +3"
    assert trend_arrow({"trend": "down", "rank": 5, "previous_rank": 2}) == "▼ -3"
    assert trend_arrow({"trend": "same", "rank": 2, "previous_rank": 2}) == "●"
    assert trend_arrow({"trend": "new", "rank": 2, "previous_rank": None}) == "new"


def test_map_labels_of_close_dots_do_not_sit_on_each_other() -> None:
    points = [
        {"id": "a", "label": "A", "rank": 1, "score": 0.8, "gap": 0.9, "x": 0.0, "y": 0.0},
        {"id": "b", "label": "B", "rank": 2, "score": 0.7, "gap": 0.5, "x": 0.001, "y": 0.002},
        {"id": "c", "label": "C", "rank": 3, "score": 0.6, "gap": 0.1, "x": 1.0, "y": 1.0},
        {"id": "d", "label": "D", "rank": 40, "score": 0.1, "gap": 0.1, "x": 0.5, "y": 0.5},
    ]
    spots = charts.label_positions(points)
    assert spots[0] == "top center" and spots[1] != "top center" and spots[2] == "top center"
    assert list(charts.affordance_map(points).data[0].textposition) == spots


def test_item_points_follow_their_affordance(rows):
    from scanner.ui.filters import item_points

    rng = np.random.default_rng(3)
    members = [dict(r, items=[{"id": f"{r['id']}-{k}", "title": f"t{k}", "org": "o"} for k in range(3)]) for r in rows]
    ids = [i["id"] for r in members for i in r["items"]][:-1]  # one item has no vector
    matrix = rng.normal(size=(len(ids), 8))
    points = item_points(ids, matrix, members)
    assert len(points) == len(ids) and {p["item"] for p in points} == set(ids)
    by_id = {r["id"]: r for r in members}
    assert all(p["gap"] == by_id[p["id"]]["components"]["gap"] and p["rank"] == by_id[p["id"]]["rank"] for p in points)
    assert item_points(ids, matrix, []) == []
    fig = charts.item_map(points)
    assert fig.data[0].type == "scattergl" and len(fig.data[0].x) == len(points)
