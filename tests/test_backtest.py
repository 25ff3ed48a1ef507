"""The backtest: a replay of the scans over a scratch copy (real model, real DuckDB, the demo),
its lead times and spec-version rows, and the user's store left as it was."""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from scanner import store
from scanner.progress import Step
from scanner.scanning.backtest import backtest, latest_result, replay_dates
from scanner.specs.library import parse_spec, store_spec
from scanner.views.lead_time import (
    LEVEL_ORDER,
    Member,
    SpecVersion,
    first_in_top,
    lead_table,
    lead_times,
    newly_covered,
    summary,
    version_day,
    version_pairs,
)
from scanner.views.report import candidates

ROOT = Path(__file__).resolve().parents[1]
STEP = 14
USER_TABLES = ("editions", "edition_candidates", "candidates", "assignments", "triage", "notes", "specs")


def cli(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scanner.cli", "--db", str(db), *args], capture_output=True, text=True, timeout=600
    )


def snapshot(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    with store.session(db) as con:
        return {t: sorted(map(tuple, con.execute(f"SELECT * FROM {t}").fetchall()), key=repr) for t in USER_TABLES}


def add_older_version(db: Path, version: str = "2024-10-01", keep: int = 12) -> None:
    """An older, shorter version of the demo's OpenAI spec digest (its first ``keep`` clauses)."""
    src = ROOT / "data" / "demo" / "specs" / "openai-model-spec.digest.txt"
    lines = src.read_text(encoding="utf-8").splitlines()
    head = [line.replace("# version: 2025-04-11", f"# version: {version}") for line in lines if line.startswith("#")]
    body = [line for line in lines if line.strip() and not line.startswith("#")][:keep]
    body.append(f"Earlier rules | https://example.org/{version} | A rule of {version} that a later version dropped.")
    with store.session(db) as con:
        store_spec(con, parse_spec("\n".join(head + body).encode(), where=src.name, name=None))


@pytest.fixture(scope="module")
def replayed(demo_db_master: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo with two versions of one spec, replayed from its first item to its newest every
    two weeks through the command line."""
    db = tmp_path_factory.mktemp("backtest") / "demo.duckdb"
    shutil.copy(demo_db_master, db)
    add_older_version(db)
    with store.session(db) as con:
        first, last = (d.date() for d in con.execute("SELECT min(published), max(published) FROM items").fetchone())
        latest = candidates(con, with_items=False)
    before = snapshot(db)
    with store.session(db) as con:  # the older version's own clause has no vector before the replay
        assert con.execute(
            "SELECT count(*) FROM clauses c ANTI JOIN embeddings e ON e.content_hash = c.content_hash "
            "WHERE c.version = '2024-10-01'"
        ).fetchone()[0] == 1
    out = cli("backtest", "--from", first.isoformat(), "--to", last.isoformat(), "--step", str(STEP), "--format", "json", db=db)
    assert out.returncode == 0, out.stderr
    return {"db": db, "first": first, "last": last, "latest": latest, "before": before, "result": json.loads(out.stdout)}


def test_one_row_per_affordance_that_reached_three_organisations(replayed: dict[str, Any]) -> None:
    result, latest = replayed["result"], replayed["latest"]
    rows = result["affordances"]
    assert rows and len({r["id"] for r in rows}) == len(rows)
    days = {d.isoformat() for d in replay_dates(replayed["first"], replayed["last"], STEP)}
    for r in rows:
        assert len(r["orgs"]) >= 3 and len(set(r["orgs"])) == len(r["orgs"])
        if r["first_top10"] is not None:
            assert r["first_top10"] in days
            weeks = (date.fromisoformat(r["third_org"]) - date.fromisoformat(r["first_top10"])).days / 7
            assert r["lead_weeks"] == round(weeks, 1)
            assert r["best_rank"] <= 10
        else:
            assert r["lead_weeks"] is None
    # the replay finds the affordances the store itself ranks with three organisations or more
    store_three = {c["id"]: set(c["orgs"]) for c in latest if c["n_orgs"] >= 3}
    found = {r["id"]: set(r["orgs"]) for r in rows}
    common = set(store_three) & set(found)
    assert len(common) >= 0.8 * len(store_three)
    assert all(found[c] == store_three[c] for c in common)
    # the third organisation's day is the day that organisation first shipped an item of it
    with store.session(replayed["db"]) as con:
        for r in rows:
            hit = con.execute(
                "SELECT count(*) FROM items WHERE org = ? AND CAST(published AS DATE) = ?",
                [r["orgs"][2], date.fromisoformat(r["third_org"])],
            ).fetchone()[0]
            assert hit >= 1, r
    leads = [r["lead_weeks"] for r in rows if r["lead_weeks"] is not None and not r["before_window"]]
    assert result["summary"]["n"] == len(leads)
    assert result["summary"]["median_lead_weeks"] == round(statistics.median(leads), 1)
    assert result["editions"] == len(days)


def test_a_later_spec_version_shows_what_it_newly_covers(replayed: dict[str, Any]) -> None:
    pairs = replayed["result"]["spec_versions"]
    assert [(p["spec"], p["from_version"], p["to_version"]) for p in pairs] == [
        ("openai-model-spec", "2024-10-01", "2025-04-11")
    ]
    found = pairs[0]["newly_covered"]
    assert found, "a version with many more clauses should newly cover something"
    ids = set()
    for r in found:
        assert r["to_level"] in ("partly", "governs")
        assert LEVEL_ORDER[r["to_level"]] > LEVEL_ORDER[r["from_level"]]
        assert isinstance(r["in_top20_before"], bool)  # the replay has editions before 2025-04-11
        assert r["in_top20_before"] == (r["best_rank_before"] is not None and r["best_rank_before"] <= 20)
        ids.add(r["id"])
    assert len(ids) == len(found)
    text = lead_table(replayed["result"])
    assert "2024-10-01 → 2025-04-11" in text and "median lead" in text


def test_the_users_store_is_left_alone_and_keeps_the_result(replayed: dict[str, Any]) -> None:
    assert snapshot(replayed["db"]) == replayed["before"]
    with store.session(replayed["db"]) as con:
        kept = latest_result(con)
        assert con.execute("SELECT count(*) FROM backtests").fetchone()[0] == 1
        # the vectors the replay computed (the older version's own clause) join the cache
        missing = con.execute(
            "SELECT count(*) FROM clauses c ANTI JOIN embeddings e ON e.content_hash = c.content_hash "
            "WHERE c.version = '2024-10-01'"
        ).fetchone()[0]
        assert missing == 0
    assert kept is not None
    assert kept["summary"] == replayed["result"]["summary"]


@pytest.mark.parametrize(
    "args",
    [
        ("--from", "2025-02-30", "--to", "2025-06-01"),
        ("--from", "2025-06-01", "--to", "2025-01-01"),
        ("--from", "2025-01-01", "--to", "next week"),
        ("--step", "0"),
        ("--step", "seven"),
    ],
)
def test_bad_dates_give_one_line_and_exit_2(demo_db: Path, args: tuple[str, ...]) -> None:
    before = snapshot(demo_db)
    out = cli("backtest", *args, db=demo_db)
    assert out.returncode == 2
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("wetcement: "), out.stderr
    assert out.stdout == ""
    assert snapshot(demo_db) == before
    with store.session(demo_db) as con:
        assert con.execute("SELECT count(*) FROM backtests").fetchone()[0] == 0


def test_a_missing_database_is_bad_input_and_is_not_created(tmp_path: Path) -> None:
    db = tmp_path / "none.duckdb"
    out = cli("backtest", db=db)
    assert out.returncode == 2 and "no database yet" in out.stderr
    assert not db.exists()


def test_progress_is_reported_and_nothing_is_kept_without_save(demo_db: Path) -> None:
    with store.session(demo_db) as con:
        last = con.execute("SELECT max(published) FROM items").fetchone()[0].date()
    calls: list[Step] = []
    result = backtest(demo_db, last - timedelta(days=70), last, 35, progress=calls.append, save=False)
    assert [c.done for c in calls] == list(range(1, len(calls) + 1))
    assert {c.total for c in calls} == {len(calls)} and len(calls) == result["editions"] + 1
    assert [c.data["edition"] for c in calls[:-1]] == [d["edition"] for d in result["replayed"]]
    with store.session(demo_db) as con:
        assert con.execute("SELECT count(*) FROM backtests").fetchone()[0] == 0


# --- the pure parts -----------------------------------------------------------------------------


def _at(day: str) -> datetime:
    return datetime.fromisoformat(day + "T12:00:00")


def test_lead_times_follow_merges_and_mark_what_shipped_before_the_window() -> None:
    d = [date(2025, 1, 6) + timedelta(days=7 * k) for k in range(4)]
    many = {f"x{k}": 20 + k for k in range(12)}
    ranks = {
        d[0]: {"old": 3, "b": 1},
        d[1]: {"a": 12, "b": 2, **many},
        d[2]: {"a": 4, "b": 2, **many},
        d[3]: {"a": 5, "b": 1, "c": 7, **many},
    }
    merged = {"old": "a", "a": None, "b": None}
    members = [
        Member("a", "A", _at("2025-01-01")), Member("a", "B", _at("2025-01-10")),
        Member("a", "B", _at("2025-01-05")), Member("a", "C", _at("2025-02-03")),
        Member("b", "A", _at("2024-11-01")), Member("b", "B", _at("2024-12-01")),
        Member("b", "C", _at("2024-12-20")), Member("c", "A", _at("2025-01-01")),
    ]
    rows = {r["id"]: r for r in lead_times(ranks, merged, {"a": "Alpha"}, members)}
    assert set(rows) == {"a", "b"}  # c has one organisation
    a = rows["a"]
    assert a["label"] == "Alpha" and a["orgs"] == ["A", "B", "C"]
    assert a["first_top10"] == d[0].isoformat()  # through the affordance merged into it
    assert a["third_org"] == "2025-02-03" and a["lead_weeks"] == round(28 / 7, 1)
    assert a["lead_weeks_contested"] == round((date(2025, 2, 3) - d[2]).days / 7, 1)
    assert rows["b"]["before_window"] and not a["before_window"]
    assert a["at_window_start"]  # in the top 10 of the first edition: its lead is a lower bound
    s = summary(list(rows.values()), first_in_top(ranks, merged, 10))
    assert s["n"] == 1 and s["median_lead_weeks"] == a["lead_weeks"] and s["before_window"] == 1
    assert s["top10_ever"] == 3 and s["top10_reached_three"] == 2 and s["at_window_start"] == 1


def test_newly_covered_needs_a_rise_to_partly_or_governs() -> None:
    old, new = SpecVersion("s", "v1", date(2025, 1, 1)), SpecVersion("s", "v2", date(2025, 6, 1))
    pairs = version_pairs([new, old, SpecVersion("t", "only", date(2025, 1, 1))])
    assert pairs == [(old, new)]
    levels = {
        "up": {"s@v1": "open", "s@v2": "partly"},
        "upper": {"s@v1": "partly", "s@v2": "governs"},
        "same": {"s@v1": "partly", "s@v2": "partly"},
        "down": {"s@v1": "governs", "s@v2": "open"},
    }
    ranks = {date(2025, 3, 1): {"up": 5, "upper": 40}, date(2025, 7, 1): {"upper": 1}}
    rows = newly_covered(pairs, levels, ranks, {}, {})
    found = {r["id"]: r for r in rows[0]["newly_covered"]}
    assert set(found) == {"up", "upper"}
    assert found["up"]["in_top20_before"] is True and found["upper"]["in_top20_before"] is False
    assert newly_covered(pairs, levels, {date(2025, 7, 1): {"up": 1}}, {}, {})[0]["newly_covered"][0]["in_top20_before"] is None


def test_version_days_and_replay_dates() -> None:
    assert version_day("2025-04-11", None) == date(2025, 4, 11)
    assert version_day("20260120", None) == date(2026, 1, 20)
    assert version_day("v3", datetime(2025, 5, 2, 9)) == date(2025, 5, 2)
    assert replay_dates(date(2025, 1, 1), date(2025, 1, 20), 7) == [
        date(2025, 1, 1), date(2025, 1, 8), date(2025, 1, 15), date(2025, 1, 20)
    ]
    assert replay_dates(date(2025, 1, 1), date(2025, 1, 1), 7) == [date(2025, 1, 1)]
