"""The meeting, deeper, in the dashboard (AppTest): two people rate one draft and see their
spread; a checklist tick records who; the review form stores a date and conditions; a due review
shows on the Meeting page and can be snoozed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from scanner import store
from scanner.team import checklist, criteria, reviews, triage
from scanner.views.report import candidates
from tests.ui_app import open_page


@pytest.fixture
def cid(db: Path) -> str:
    with store.session(db) as con:
        first = candidates(con, with_items=False)[0]["id"]
        triage.save_draft(con, first, "The model says what it keeps, and asks first.", author="ana")
    return first


def texts(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [w.value for w in at.warning])


def spread_table(at: AppTest):
    return next(d.value for d in at.dataframe if "scores" in d.value.columns)


def test_two_people_rate_one_draft_and_see_their_spread(db: Path, cid: str) -> None:
    at = open_page("candidate", id=cid)
    assert at.selectbox(key="ratings_draft").value == 1
    for who, score in (("ana", 5), ("bo", 2)):
        at.text_input(key="author_name").input(who).run()
        at.slider(key="rate_checkable").set_value(score)
        at.slider(key="rate_meshes").set_value(3)
        at.button(key="rating_save").click().run()
        assert not at.exception
    with store.session(db) as con:
        now = {(r["by"], r["criterion"]): (r["score"], r["draft"]) for r in criteria.ratings(con, cid)}
    assert now == {("ana", "checkable"): (5, 1), ("bo", "checkable"): (2, 1),
                   ("ana", "meshes"): (3, 1), ("bo", "meshes"): (3, 1)}
    assert "2 rater(s): ana, bo" in texts(at)
    table = spread_table(at).set_index("criterion")
    row = table.loc["Checkable by outsiders"]
    assert (row["min"], row["max"], row["spread"]) == (2, 5, 3)
    assert table.loc["Sits well with the other principles"]["spread"] == 0
    assert at.slider(key="rate_checkable").value == 2  # bo's own score, seeded back
    assert len(at.get("plotly_chart")) >= 1


def test_a_checklist_tick_records_who_and_when(db: Path, cid: str) -> None:
    at = open_page("candidate", id=cid)
    at.text_input(key="author_name").input("cy").run()
    at.checkbox(key="check_signpost").check().run()
    assert not at.exception
    with store.session(db) as con:
        done = [s for s in checklist.checklist(con, cid) if s["done"]]
    assert [(s["item"], s["by"]) for s in done] == [("signpost", "cy")]
    assert "ticked by cy" in texts(at)
    at.checkbox(key="check_signpost").uncheck().run()
    with store.session(db) as con:
        assert [e["done"] for e in checklist.events(con, cid)] == [True, False]


def test_the_review_form_stores_a_date_and_conditions(db: Path, cid: str) -> None:
    at = open_page("candidate", id=cid)
    at.checkbox(key="review_has_date").check()
    at.date_input(key="review_by").set_value(reviews.today() + timedelta(days=10))
    at.multiselect(key="review_when").set_value(["third-org", "spec-change"])
    at.button(key="review_save").click().run()
    assert not at.exception
    with store.session(db) as con:
        state = reviews.review_state(con, cid)
    assert state["due"] == (reviews.today() + timedelta(days=10)).isoformat()
    assert state["conditions"] == ["third-org", "spec-change"] and not state["is_due"]


def test_a_due_review_shows_on_the_meeting_page_and_can_be_snoozed(db: Path, cid: str) -> None:
    with store.session(db) as con:
        reviews.set_review(con, cid, due=reviews.today() - timedelta(days=2), by="ana")
        label = con.execute("SELECT label FROM candidates WHERE id = ?", [cid]).fetchone()[0]
    at = open_page("meeting")
    assert "Reviews due" in [s.value for s in at.subheader]
    assert any(label in m.value for m in at.markdown)
    assert "has come" in texts(at)
    at.button(key=f"snooze_{cid}").click().run()
    assert not at.exception
    with store.session(db) as con:
        assert reviews.review_state(con, cid)["snoozed_until"] == (reviews.today() + timedelta(days=7)).isoformat()
    assert not any(label in m.value for m in at.markdown if "**" in m.value and cid in m.value)
    assert "No review is due" in texts(at)
