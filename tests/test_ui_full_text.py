"""The article's full text of thin items, folded, on the Candidate page and in Explore's item
detail (Streamlit's AppTest on a copy of the demo)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from scanner import store
from scanner.sources.fulltext import set_full_text
from scanner.views.report import candidate, candidates
from tests.ui_app import open_page

TEXT = "The wallet lets the assistant pay within a limit you set.\nRefunds go back to the same card."


def first_item(db: Path) -> tuple[str, str, str]:
    """(candidate id, item id, item title) of the top candidate's first item."""
    with store.session(db) as con:
        top = candidates(con, with_items=False)[0]["id"]
        item = candidate(con, top)["items"][0]
    return top, item["id"], item["title"]


def test_candidate_page_folds_the_full_text_under_the_item(db: Path) -> None:
    cid, iid, title = first_item(db)
    with store.session(db) as con:
        set_full_text(con, iid, "ok", TEXT * 3, meta={"sitename": "Lab blog", "author": "Ann"})
    at = open_page("candidate", id=cid)
    folded = [e for e in at.expander if "full text" in e.label]
    assert len(folded) == 1 and title.split()[0] in folded[0].label and not folded[0].proto.expanded
    inside = "\n".join(m.value for m in folded[0].markdown) + "\n".join(c.value for c in folded[0].caption)
    assert "Refunds go back to the same card" in inside and "Lab blog" in inside


def test_explore_item_detail_shows_summary_and_folded_full_text(db: Path) -> None:
    _, iid, title = first_item(db)
    with store.session(db) as con:
        set_full_text(con, iid, "ok", TEXT * 3)

    def detail(path: str, iid: str, title: str) -> None:
        from scanner.ui import resources
        from scanner.ui.full_text import item_detail

        item_detail((path, resources.data_version()), [{"id": "other", "title": "x"}, {"id": iid, "title": title}], [1])

    at = AppTest.from_function(detail, args=(str(db), iid, title), default_timeout=60).run()
    assert not at.exception
    assert title.split()[0] in at.markdown[0].value
    assert [e.label for e in at.expander] == [f"Full text of the article ({len(TEXT * 3):,} characters)"]
    page = open_page("explore")
    assert any("Pick a row" in c.value for c in page.caption)


def test_a_refused_page_says_why_and_shows_no_text(db: Path) -> None:
    _, iid, title = first_item(db)
    with store.session(db) as con:
        set_full_text(con, iid, "refused", None, "response is larger than the 5,000,000-byte limit")

    def detail(path: str, iid: str, title: str) -> None:
        from scanner.ui import resources
        from scanner.ui.full_text import item_detail

        item_detail((path, resources.data_version()), [{"id": iid, "title": title}], [0])

    at = AppTest.from_function(detail, args=(str(db), iid, title), default_timeout=60).run()
    assert not at.expander and any("refused" in c.value and "byte limit" in c.value for c in at.caption)
