"""The scan, end to end on small data with the fast stand-in embedder (the real model is
exercised by test_demo_e2e.py)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from scanner import store
from scanner.scanning.pipeline import scan
from scanner.sources.ingest import ingest_paths
from scanner.specs.library import parse_spec, store_spec
from scanner.views import report

SPEC = b"""# Spec {#spec}

## Privacy {#privacy}

The assistant must not reveal personal data such as addresses or phone numbers about private people.

## Actions {#actions}

The assistant should confirm with the user before actions with side effects, like sending email.
"""

LAUNCHES = [
    ("OpenAI", "ChatGPT now remembers your past conversations with memory", "memory"),
    ("Google", "Gemini can now remember past chats and personal context", "memory"),
    ("Anthropic", "Claude memory lets the assistant remember across conversations", "memory"),
    ("Visa", "Agentic payments: AI agents can pay with tokenized cards", "pay"),
    ("Mastercard", "Agent Pay lets AI agents make payments with agentic tokens", "pay"),
    ("Stripe", "Stripe launches agent payments toolkit for AI agents to pay", "pay"),
    ("Acme", "Acme raises Series B funding round at new valuation", "routine"),
    ("Acme", "Join us at our annual developer conference keynote livestream", "routine"),
]


def write_jsonl(path: Path, rows: list[tuple[str, str, str]], start: date) -> None:
    lines = []
    for n, (org, title, _) in enumerate(rows):
        day = start + timedelta(days=7 * n)
        lines.append(json.dumps({"url": f"https://{org.lower()}.example/{n}", "title": title, "published": day.isoformat(), "summary": "", "org": org}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def small_store(fresh_db: Path, tmp_path: Path) -> Path:
    feed = tmp_path / "launches.jsonl"
    write_jsonl(feed, LAUNCHES, date(2025, 1, 6))
    with store.session(fresh_db) as con:
        ingest_paths(con, [feed])
        store_spec(con, parse_spec(SPEC, where="s.md", name="mini", version="1"))
    return fresh_db


def test_scan_is_incremental_and_idempotent(small_store: Path, fake_embedder) -> None:
    first = scan(small_store, as_of=date(2025, 3, 31), embedder=fake_embedder)
    assert first.new_items == len(LAUNCHES) and first.embedded > len(LAUNCHES)
    with store.session(small_store) as con:
        before = report.candidates(con)
    again = scan(small_store, as_of=date(2025, 3, 31), embedder=fake_embedder)
    assert again.embedded == 0 and again.new_items == 0
    with store.session(small_store) as con:
        after = report.candidates(con)
    assert [(c["id"], c["rank"], c["score"]) for c in after] == [(c["id"], c["rank"], c["score"]) for c in before]


def test_as_of_only_sees_items_up_to_that_day(small_store: Path, fake_embedder) -> None:
    result = scan(small_store, as_of=date(2025, 1, 20), embedder=fake_embedder)
    assert result.new_items == 3
    with store.session(small_store) as con:
        n = con.execute("SELECT count(*) FROM item_verdicts").fetchone()[0]
    assert n == 3


def test_old_items_keep_their_affordance_when_new_ones_arrive(small_store: Path, fake_embedder) -> None:
    scan(small_store, as_of=date(2025, 2, 3), embedder=fake_embedder)
    with store.session(small_store) as con:
        first = dict(con.execute("SELECT item_id, candidate_id FROM assignments").fetchall())
    scan(small_store, as_of=date(2025, 3, 31), embedder=fake_embedder)
    with store.session(small_store) as con:
        second = dict(con.execute("SELECT item_id, candidate_id FROM assignments").fetchall())
    assert first and all(second[i] == c for i, c in first.items())


def test_candidate_json_shape_and_score_formula(small_store: Path, fake_embedder) -> None:
    scan(small_store, as_of=date(2025, 3, 31), embedder=fake_embedder)
    with store.session(small_store) as con:
        cands = report.candidates(con)
    assert cands and [c["rank"] for c in cands] == list(range(1, len(cands) + 1))
    for c in cands:
        assert set(c["components"]) >= {"gap", "momentum", "novelty", "inertia", "precedent"}
        assert all(0 <= v <= 1 for v in c["components"].values())
        w = c["weights"]
        expected = sum(w[k] * c["components"][k] for k in w) / sum(w.values())
        assert c["score"] == pytest.approx(expected, abs=1e-4)
        assert c["explanation"].endswith(".")
        assert c["trend"] == "new" and c["status"] == "new"
        assert len(c["nearest_clauses"]) <= 3 and c["nearest_clauses"][0]["section"].startswith("Spec")
        by_spec = c["coverage_by_spec"]
        assert set(by_spec) == set(c["coverage_per_spec"]) == {"mini@1"}
        for spec, v in by_spec.items():
            assert v["value"] == pytest.approx(c["coverage_per_spec"][spec], abs=1e-4)
            assert v["level"] in {"governs", "partly", "open"} and 1 <= len(v["clauses"]) <= 3
            # the evidence shown is the clauses that produced the value, best first
            scores = [cl["governs_score"] for cl in v["clauses"]]
            assert scores == sorted(scores, reverse=True)


def test_changed_weights_change_the_next_edition_only(small_store: Path, fake_embedder) -> None:
    from scanner.judge.rank import DEFAULT_WEIGHTS
    from scanner.store.settings import write_setting as set_setting

    scan(small_store, as_of=date(2025, 3, 24), embedder=fake_embedder)
    with store.session(small_store) as con:
        set_setting(con, "weights", {**DEFAULT_WEIGHTS, "gap": 0.0, "momentum": 1.0})
    scan(small_store, as_of=date(2025, 3, 31), embedder=fake_embedder)
    with store.session(small_store) as con:
        old = report.candidates(con, edition="2025-03-24")
        new = report.candidates(con, edition="2025-03-31")
    assert old[0]["weights"]["gap"] == DEFAULT_WEIGHTS["gap"]
    assert new[0]["weights"]["gap"] == 0.0 and new[0]["weights"]["momentum"] == 1.0


def test_triage_survives_rescans_and_merge_keeps_both_histories(small_store: Path, fake_embedder) -> None:
    from scanner.scanning import grouping
    from scanner.team import triage

    scan(small_store, as_of=date(2025, 3, 31), embedder=fake_embedder)
    with store.session(small_store) as con:
        cands = report.candidates(con)
        a, b = cands[0]["id"], cands[1]["id"]
        triage.set_triage(con, a, status="watching", owner="ann", note="first")
        triage.set_triage(con, b, note="second")
        grouping.merge(con, a, b, fake_embedder.name)
        grouping.set_label(con, a, "Our name for it")
    scan(small_store, as_of=date(2025, 3, 31), embedder=fake_embedder)
    with store.session(small_store) as con:
        survivor = next(c for c in report.candidates(con) if c["id"] == a)
        assert b not in {c["id"] for c in report.candidates(con)}
    assert survivor["label"] == "Our name for it"
    assert [n["text"] for n in survivor["notes"]] == ["first", "second"]
    assert survivor["status"] == "watching" and survivor["owner"] == "ann"


def test_no_specs_means_no_coverage_but_a_ranking(fresh_db: Path, tmp_path: Path, fake_embedder) -> None:
    feed = tmp_path / "f.jsonl"
    write_jsonl(feed, LAUNCHES[:3], date(2025, 1, 6))
    with store.session(fresh_db) as con:
        ingest_paths(con, [feed])
    scan(fresh_db, as_of=date(2025, 2, 1), embedder=fake_embedder)
    with store.session(fresh_db) as con:
        cands = report.candidates(con)
    assert cands and all(c["coverage"] == 0 for c in cands)
    assert "no spec in scope" in cands[0]["explanation"]


def test_dates_are_utc_naive(small_store: Path) -> None:
    with store.session(small_store) as con:
        published = con.execute("SELECT min(published) FROM items").fetchone()[0]
    assert isinstance(published, datetime) and published.tzinfo is None


def test_team_domains_and_momentum_window_come_from_settings(small_store: Path, fake_embedder) -> None:
    from scanner import settings

    with store.session(small_store) as con:
        settings.set_values(con, {
            "precedent_domains": [{"slug": "payments-by-agents", "label": "Agents paying", "description": "AI agents pay with tokens and cards"}],
            "momentum.window_days": 14,
        })
    scan(small_store, as_of=date(2025, 3, 31), embedder=fake_embedder)
    with store.session(small_store) as con:
        cands = report.candidates(con)
    assert all("payments-by-agents" in c["precedent_domains"] for c in cands)
    assert all(c["momentum"]["window_days"] == 14 for c in cands)


@pytest.mark.parametrize(
    "title, routine",
    [
        ("What is Model Context Protocol? Connect AI to your world", True),
        ("How CodeRabbit used Claude to build an agent orchestration system", True),
        ("Introduction to agentic coding", True),
        ("Master agentic AI deployment", True),
        ("Visual intelligence now understands what is on your screen", False),  # "what is" mid-title
        ("Claude can now search the web", False),
    ],
)
def test_explainers_and_courses_read_as_guides_not_launches(title: str, routine: bool) -> None:
    """Real feeds carry many explainers, courses and customer stories; their titles count as
    guide words (a push towards "not an affordance"), launches do not."""
    from scanner.lexicon import matches
    from scanner.taxonomy import ROUTINE_NEWS

    assert bool(matches(ROUTINE_NEWS["guide"], title)) is routine
