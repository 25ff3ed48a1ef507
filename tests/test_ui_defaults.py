"""The Candidate page shows the defaults vendors state and the cement state; the Radar rings by it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner import store
from scanner.views.report import candidates
from tests.ui_app import open_page

DIMENSIONS = {"activation", "user_controls", "confirmation", "ai_disclosure", "data_use", "spending_limits",
              "age_limits", "human_review"}


@pytest.fixture(scope="module")
def top(demo_db_master: Path) -> list[dict]:
    with store.session(demo_db_master) as con:
        return candidates(con, with_items=False)


def defaults_table(frame) -> bool:
    """The vendor × dimension table: organisations down, only dimension ids across."""
    return list(frame.columns[:1]) == ["org"] and set(frame.columns[1:]) <= DIMENSIONS


def test_candidate_page_shows_the_vendor_by_dimension_table_and_quotes(db: Path, top: list[dict]) -> None:
    row = max(top[:20], key=lambda c: len({d["org"] for d in c["defaults"]}))
    assert row["defaults"]
    at = open_page("candidate", id=row["id"])
    [frame] = [d.value for d in at.dataframe if defaults_table(d.value)]
    assert sorted(frame["org"]) == sorted({d["org"] for d in row["defaults"]})
    assert set(frame.columns) == {"org"} | {d["dimension"] for d in row["defaults"]}
    first = row["defaults"][0]
    assert first["value"] in frame.set_index("org").loc[first["org"], first["dimension"]]
    words = "\n".join(m.value for m in at.markdown) + "\n".join(c.value for c in at.caption)
    assert f"cement **{row['cement']['state']}" in words
    [quotes] = [e for e in at.expander if e.label.startswith("Quotes and links")]
    shown = "\n".join(m.value for m in quotes.markdown)
    assert first["dimension"] in shown and first["url"] in shown


def test_candidate_without_stated_defaults_says_so(db: Path, top: list[dict]) -> None:
    quiet = [c for c in top if not c["defaults"]]
    if not quiet:
        pytest.skip("every affordance of the demo states a default")
    at = open_page("candidate", id=quiet[0]["id"])
    assert not [d for d in at.dataframe if defaults_table(d.value)]
    assert any("states a default that the scanner recognises" in c.value for c in at.caption)


def test_radar_rings_by_cement_state(db: Path, top: list[dict]) -> None:
    at = open_page("radar")
    at.radio(key="radar_rings").set_value("cement").run()
    assert not at.exception
    chart = at.get("plotly_chart")[-1]
    names = {t.get("name") for t in json.loads(chart.proto.spec)["data"]}
    assert names and names <= {"wet", "setting", "set"}
    assert len({c["cement"]["state"] for c in top}) >= 2
