"""An affordance's past: rank history in the candidates JSON, the merge and split log, the
"since your last visit" marks, and the rank chart."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import scanner
from scanner import store
from scanner.embed import default_embedder
from scanner.scanning import grouping
from scanner.team import visits
from scanner.ui.history_chart import rank_history
from scanner.views import history


class CountingConnection:
    """A DuckDB connection that counts the statements it runs."""

    def __init__(self, con: Any) -> None:
        self.con, self.sql = con, []

    def execute(self, sql: str, *args: Any) -> Any:
        self.sql.append(sql)
        return self.con.execute(sql, *args)


def test_every_candidate_carries_its_rank_in_each_edition(demo_db_master: Path) -> None:
    with store.session(demo_db_master) as con:
        eds = [e["edition"] for e in scanner.editions(con)]
        rows = scanner.candidates(con, with_items=False)
        stored = con.execute("SELECT candidate_id, edition, rank, score FROM edition_candidates").fetchall()
    assert len(eds) >= 2
    by_cid: dict[str, list[tuple[str, int, float]]] = {}
    for cid, ed, rank, score in stored:
        by_cid.setdefault(cid, []).append((ed.isoformat(), rank, round(score, 4)))
    for r in rows:
        h = r["history"]
        assert [x["edition"] for x in h] == sorted(x["edition"] for x in h), "oldest first"
        assert [(x["edition"], x["rank"], x["score"]) for x in h] == sorted(by_cid[r["id"]])
        assert h[-1] == {"edition": r["edition"], "rank": r["rank"], "score": r["score"]}
    assert any(len(r["history"]) == len(eds) for r in rows)


def test_an_older_edition_shows_the_history_up_to_itself(demo_db_master: Path) -> None:
    with store.session(demo_db_master) as con:
        first = scanner.editions(con)[0]["edition"]
        rows = scanner.candidates(con, edition=first, with_items=False)
    assert rows and all(r["history"] == [{"edition": first, "rank": r["rank"], "score": r["score"]}] for r in rows)


def test_history_is_read_in_one_query_for_the_whole_edition(demo_db_master: Path) -> None:
    with store.session(demo_db_master) as con:
        counting = CountingConnection(con)
        rows = scanner.candidates(counting, with_items=True)  # type: ignore[arg-type]
    assert len(rows) > 5
    assert sum("edition_candidates h" in s for s in counting.sql) == 1


def test_the_cli_json_has_history(demo_db_master: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "scanner.cli", "--db", str(demo_db_master), "candidates", "--format", "json", "--limit", "3"],
        capture_output=True, text=True, timeout=300, check=True,
    )
    rows = json.loads(out.stdout)
    assert len(rows) == 3
    assert all(set(h) == {"edition", "rank", "score"} for r in rows for h in r["history"])
    assert all(r["history"][-1]["rank"] == r["rank"] for r in rows)


def test_the_json_export_keeps_rank_history_and_triage_history_apart(demo_db: Path) -> None:
    from scanner.team import triage
    from scanner.views.export import gather, render

    with store.session(demo_db) as con:
        cid = scanner.candidates(con, limit=1)[0]["id"]
        triage.set_triage(con, cid, status="watching", author="ana")
        doc = json.loads(render("json", gather(con)))
    top = next(c for c in doc["candidates"] if c["id"] == cid)
    assert top["history"] and set(top["history"][0]) == {"edition", "rank", "score"}
    assert any(h.get("field") == "status" and h.get("new") == "watching" for h in top["triage_history"])


def test_merges_and_splits_are_logged_from_both_sides_with_who_did_it(demo_db: Path) -> None:
    model = default_embedder().name
    with store.session(demo_db) as con:
        rows = scanner.candidates(con)
        a, b = rows[0], rows[3]
        grouping.merge(con, a["id"], b["id"], model, author="ana")
        members = [i["id"] for i in scanner.candidate(con, a["id"])["items"]]
        new_id = grouping.split(con, a["id"], members[:1], model, author="ben")
        grouping.set_label(con, a["id"], "Agents that pay")
        on_a = history.events(con, a["id"])
        on_b = history.events(con, b["id"])
        on_new = history.events(con, new_id)
    assert [e["kind"] for e in on_a] == ["label", "split", "merge"], "newest first"
    label, split, merge = on_a
    assert merge["what"] == "absorbed" and merge["other"] == b["id"] and merge["by"] == "ana"
    assert merge["other_label"] == b["label"]
    assert split["other"] == new_id and split["by"] == "ben" and split["detail"] == "1 item(s)"
    assert label["by"] is None and "Agents that pay" in label["detail"]
    assert [(e["what"], e["other"], e["by"]) for e in on_b] == [("was merged into", a["id"], "ana")]
    assert [(e["what"], e["other"]) for e in on_new] == [("was split off from", a["id"])]


def test_a_regroup_split_names_the_scan_and_every_part(demo_db: Path) -> None:
    with store.session(demo_db) as con:
        rows = scanner.candidates(con, limit=3, with_items=False)
        old, into = rows[0]["id"], [rows[1]["id"], rows[2]["id"]]
        con.execute("INSERT INTO affordance_events VALUES (?, 'split', ?, NULL, ?)",
                    [datetime(2025, 12, 1), old, json.dumps({"by": "regroup", "into": into})])
        mine = history.events(con, old)[0]
        theirs = history.events(con, into[1])[0]
    assert mine["by"] == "scan" and mine["other"] == ", ".join(into)
    assert theirs["what"] == "was split off from" and theirs["other"] == old


def test_visits_mark_what_is_new_or_moved_since_the_last_one(demo_db: Path) -> None:
    with store.session(demo_db) as con:
        eds = [e["edition"] for e in scanner.editions(con)]
        assert visits.last_visit(con, "ana", "radar") is None
        first = visits.record_visit(con, "ana", "radar", datetime(2025, 11, 12, 9, 0))
        # the visit saw the latest edition; pretend it happened when only the first existed
        con.execute("UPDATE page_visits SET edition = ? WHERE person = 'ana'", [eds[0]])
        last = visits.last_visit(con, "ana", "radar")
        before = visits.ranks_then(con, last)
        now = scanner.candidates(con, with_items=False)
        assert visits.last_visit(con, "ben", "radar") is None, "visits are per person"
    assert first.seen_at == last.seen_at and last.edition.isoformat() == eds[0]
    marks = visits.marks(now, before)
    for r in now:
        was = before.get(r["id"])
        expected = "new" if was is None else ("" if was == r["rank"] else
                                              f"{'▲' if was > r['rank'] else '▼'} {abs(was - r['rank'])}")
        assert marks.get(r["id"], "") == expected
    assert visits.marks(now, None) == {}


def test_a_visit_overwrites_the_previous_one(fresh_db: Path) -> None:
    with store.session(fresh_db) as con:
        visits.record_visit(con, "ana", "meeting", datetime(2025, 1, 1))
        visits.record_visit(con, "ana", "meeting", datetime(2025, 2, 1))
        assert visits.last_visit(con, "ana", "meeting") == visits.Visit(datetime(2025, 2, 1), None)
        assert con.execute("SELECT count(*) FROM page_visits").fetchone() == (1,)


@pytest.mark.parametrize("n", [1, 3])
def test_rank_chart_puts_rank_one_on_top_and_the_score_on_hover(n: int) -> None:
    past = [{"edition": f"2025-11-{10 + i:02d}", "rank": 4 - i, "score": 0.5 + i / 10} for i in range(n)]
    fig = rank_history(past)
    trace = fig.data[0]
    assert list(trace.y) == [h["rank"] for h in past]
    assert [c[0] for c in trace.customdata] == [h["score"] for h in past]
    assert "score" in trace.hovertemplate
    low, high = fig.layout.yaxis.range
    assert low > high, "the rank axis is reversed"
    assert high < min(h["rank"] for h in past) and low > max(h["rank"] for h in past)


def test_a_merge_from_the_cli_is_signed_by_its_author(demo_db: Path) -> None:
    with store.session(demo_db) as con:
        survivor, absorbed = [r["id"] for r in scanner.candidates(con, limit=2, with_items=False)]
    out = subprocess.run(
        [sys.executable, "-m", "scanner.cli", "--db", str(demo_db), "affordance", "merge", survivor, absorbed,
         "--author", "ana"], capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    with store.session(demo_db) as con:
        logged = [(e["kind"], e["by"]) for e in history.events(con, survivor)]
    assert ("merge", "ana") in logged
