"""Affordance identities: overrides, regrouping, and ids that last across scans."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scanner import store
from scanner.errors import BadInput
from scanner.scanning import grouping
from scanner.scanning.pipeline import scan
from scanner.sources.ingest import ingest_paths
from scanner.views import report
from tests.test_pipeline import LAUNCHES, write_jsonl


@pytest.fixture
def scanned(fresh_db: Path, tmp_path: Path, fake_embedder) -> Path:
    feed = tmp_path / "f.jsonl"
    write_jsonl(feed, LAUNCHES, date(2025, 1, 6))
    with store.session(fresh_db) as con:
        ingest_paths(con, [feed])
    scan(fresh_db, as_of=date(2025, 3, 31), embedder=fake_embedder)
    return fresh_db


def test_override_rules_an_item_out_and_back_in(scanned: Path, fake_embedder) -> None:
    with store.session(scanned) as con:
        item = next(i for i in report.items(con) if i["candidate_id"])
        grouping.override_item(con, item["id"], False, fake_embedder.name)
    scan(scanned, as_of=date(2025, 3, 31), embedder=fake_embedder)
    with store.session(scanned) as con:
        row = next(i for i in report.items(con) if i["id"] == item["id"])
        assert row["is_affordance"] is False and row["candidate_id"] is None
        assert all(item["id"] not in {m["id"] for m in c["items"]} for c in report.candidates(con))
        grouping.override_item(con, item["id"], True, fake_embedder.name)
    scan(scanned, as_of=date(2025, 3, 31), embedder=fake_embedder)
    with store.session(scanned) as con:
        row = next(i for i in report.items(con) if i["id"] == item["id"])
    assert row["is_affordance"] is True and row["candidate_id"]


def test_override_needs_a_scanned_item(scanned: Path, fake_embedder) -> None:
    with store.session(scanned) as con, pytest.raises(BadInput, match="not been scanned"):
        grouping.override_item(con, "nope", True, fake_embedder.name)


def test_regroup_keeps_ids_and_the_teams_choices(scanned: Path, fake_embedder) -> None:
    with store.session(scanned) as con:
        before = dict(con.execute("SELECT item_id, candidate_id FROM assignments").fetchall())
        cands = report.candidates(con)
        big = max(cands, key=lambda c: c["n_items"])
        grouping.set_label(con, big["id"], "Kept label")
    scan(scanned, as_of=date(2025, 3, 31), embedder=fake_embedder, regroup=True)
    with store.session(scanned) as con:
        after = dict(con.execute("SELECT item_id, candidate_id FROM assignments").fetchall())
        labels = {c["id"]: c["label"] for c in report.candidates(con)}
    assert after == before  # same data, same grouping, same ids
    assert labels[big["id"]] == "Kept label"


def test_regroup_follows_a_moved_item(scanned: Path, fake_embedder) -> None:
    with store.session(scanned) as con:
        cands = report.candidates(con)
        a, b = cands[0], cands[1]
        moved = a["items"][0]["id"]
        grouping.move(con, moved, b["id"], fake_embedder.name)
    scan(scanned, as_of=date(2025, 3, 31), embedder=fake_embedder, regroup=True)
    with store.session(scanned) as con:
        where = con.execute("SELECT candidate_id FROM assignments WHERE item_id = ?", [moved]).fetchone()[0]
    assert where == b["id"]


def test_half_then_the_rest_keeps_ids_and_diff_names_movers(fresh_db: Path) -> None:
    """The issue's check, with the real model: the demo corpus split by date."""
    from scanner.demo import demo_files
    from scanner.scanning.editions import diff

    feeds, _ = demo_files()
    with store.session(fresh_db) as con:
        ingest_paths(con, feeds)
        days = sorted(r[0] for r in con.execute("SELECT published FROM items").fetchall())
    middle, last = days[len(days) // 2].date(), days[-1].date()
    scan(fresh_db, as_of=middle)
    with store.session(fresh_db) as con:
        first = dict(con.execute("SELECT item_id, candidate_id FROM assignments").fetchall())
    scan(fresh_db, as_of=last)
    with store.session(fresh_db) as con:
        second = dict(con.execute("SELECT item_id, candidate_id FROM assignments").fetchall())
        moved = diff(con, middle.isoformat(), last.isoformat())
    kept = sum(1 for i, c in first.items() if second.get(i) == c) / len(first)
    assert kept >= 0.9
    assert moved["entered"] and (moved["rose"] or moved["fell"])


def test_a_bare_name_and_version_title_is_labelled_with_the_start_of_its_summary() -> None:
    from scanner.scanning.grouping import LABEL_WORDS, short_label

    assert short_label("Windsurf 1.3.3", "Model Context Protocol, custom icons and tab to jump in Cascade today") == (
        "Windsurf 1.3.3: Model Context Protocol, custom icons and tab…")
    assert short_label("v0.4.2", "Adds streaming tool calls") == "v0.4.2: Adds streaming tool calls"
    assert short_label("openai-python v1.54.0", "Realtime API support") == "openai-python v1.54.0: Realtime API support"
    assert short_label("Release 2025-06-01", "Memory settings for teams") == "Release 2025-06-01: Memory settings for teams"
    # titles that say something stay as they are, cut at LABEL_WORDS; so does a bare one without a summary
    title = "Cursor 1.0 ships Bugbot and background agents for everyone at once"
    assert short_label(title, "whatever") == " ".join(title.split()[:LABEL_WORDS]) + "…"
    assert short_label("GPT-4.5", "a research preview") == "GPT-4.5"
    assert short_label("Windsurf 1.3.3", "") == "Windsurf 1.3.3"
