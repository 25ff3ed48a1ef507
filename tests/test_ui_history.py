"""The pages that show an affordance's past (AppTest): the rank chart and the merge log on the
Candidate page, "since your last visit" on the Radar and the Meeting, the top-10 stability."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

import scanner
from scanner import store
from scanner.team import visits
from tests.ui_app import open_page


def test_candidate_shows_its_rank_across_editions_and_who_merged_it(db: Path) -> None:
    with store.session(db) as con:
        rows = scanner.candidates(con, with_items=False)
    cid, other = rows[0]["id"], rows[4]["id"]
    at = open_page("candidate", id=cid)
    at.text_input(key="author_name").input("Grace").run()
    at.selectbox(key="merge_other").set_value(other)
    at.checkbox(key="merge_confirm").check()
    at.button(key="merge_go").click().run()
    assert not at.exception
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    rank_chart = next(c for c in charts if c["layout"].get("yaxis", {}).get("title", {}).get("text") == "rank")
    assert rank_chart["data"][0]["y"] == [h["rank"] for h in rows[0]["history"]]
    lines = [m.value for m in at.markdown]
    shown = other.replace("-", "\\-")  # as md_text writes it
    assert any("Grace" in line and "absorbed" in line and shown in line for line in lines), lines
    assert other in [link.proto.query_string.removeprefix("id=") for link in at.get("page_link")]


def test_radar_and_meeting_mark_what_changed_since_the_last_visit(db: Path) -> None:
    with store.session(db) as con:
        eds = [e["edition"] for e in scanner.editions(con)]
        for page in ("radar", "meeting"):
            visits.record_visit(con, visits.ANONYMOUS, page, datetime(2025, 11, 12, 8, 30))
        con.execute("UPDATE page_visits SET edition = ?", [eds[0]])
        expected = visits.marks(scanner.candidates(con, with_items=False), visits.ranks_then(con, visits.last_visit(con, visits.ANONYMOUS, "radar")))
    assert expected, "the demo's ranking moves between its first and last edition"
    at = open_page("radar")
    table = at.dataframe[0].value
    assert dict(zip(table["id"], table["since your visit"], strict=True)) == {
        cid: expected.get(cid, "") for cid in table["id"]
    }
    assert any("Since the last nameless visit (2025-11-12 08:30)" in m.value for m in at.markdown)
    meeting = open_page("meeting")
    listed = next(d.value for d in meeting.dataframe if "since your visit" in d.value.columns)
    assert dict(zip(listed["id"], listed["since your visit"], strict=True)) == expected
    with store.session(db) as con:
        now = visits.last_visit(con, visits.ANONYMOUS, "radar")
    assert now.edition.isoformat() == eds[-1], "this visit is the one the next compares with"


def test_a_read_only_server_records_no_visit(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WETCEMENT_READ_ONLY", "1")
    open_page("radar")
    open_page("meeting")
    with store.session(db) as con:
        assert con.execute("SELECT count(*) FROM page_visits").fetchone() == (0,)


def test_radar_shows_how_stable_the_top_ten_is(db: Path) -> None:
    at = open_page("radar")
    assert "How stable is the top 10" in [s.value for s in at.subheader]
    table = next(d.value for d in at.dataframe if "can leave the top" in d.value.columns)
    assert len(table) == 10
    assert (table["best"] <= table["rank"]).all() and (table["worst"] >= table["rank"]).all()
