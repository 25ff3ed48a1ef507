"""Every dashboard page renders on the demo (Streamlit's AppTest), and its forms write through
the library."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from scanner import store, triage
from scanner.pipeline import get_setting
from scanner.report import candidates

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGES = ["radar", "candidate", "meeting", "explore", "map", "coverage", "sources", "settings"]


@pytest.fixture(scope="session")
def top(demo_db_master: Path) -> list[dict]:
    """The latest edition of the demo, as the pages read it."""
    with store.session(demo_db_master) as con:
        return candidates(con, with_items=False)


@pytest.fixture
def db(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the demo (conftest), named by $WETCEMENT_DB as `serve` does."""
    monkeypatch.setenv("WETCEMENT_DB", str(demo_db))
    return demo_db


def open_page(name: str, **query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    if name != "radar":
        at.switch_page(f"scanner/ui/pages/{name}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [s.value for s in at.subheader] + [i.value for i in at.info] + [e.label for e in at.expander]
    return "\n".join(parts)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_an_exception(db: Path, page: str) -> None:
    at = open_page(page)
    assert at.title[0].value == page.capitalize()
    assert not at.error


def test_radar_shows_the_ranked_table_and_the_top_candidates(db: Path, top: list[dict]) -> None:
    at = open_page("radar")
    table = at.dataframe[0].value
    assert len(table) == len(top)
    assert table.iloc[0]["affordance"] == top[0]["label"]
    assert top[0]["label"] in at.expander[0].label
    links = at.get("page_link")
    assert links[0].proto.page == "candidate"
    assert links[0].proto.query_string == f"id={top[0]['id']}"
    assert len(at.get("plotly_chart")) == 2


def test_radar_filters(db: Path) -> None:
    at = open_page("radar")
    at.multiselect(key="radar_status").set_value(["dismissed"]).run()
    assert "No candidate matches these filters." in texts(at)
    at.multiselect(key="radar_status").set_value([]).run()
    at.multiselect(key="radar_domains").set_value(["commerce"]).run()
    labels = list(at.dataframe[0].value["domain"])
    assert labels and len(labels) < 70


def test_candidate_page_shows_the_one_in_the_address(db: Path, top: list[dict]) -> None:
    at = open_page("candidate", id=top[1]["id"])
    assert at.selectbox(key="candidate_pick").value == top[1]["id"]
    assert at.subheader[0].value.replace("\\", "") == top[1]["label"]
    assert at.selectbox(key="triage_status").value == "new"
    assert "Nearest clauses, per spec" in texts(at)


def test_candidate_triage_form_writes_status_owner_and_note(db: Path, top: list[dict]) -> None:
    cid = top[0]["id"]
    at = open_page("candidate", id=cid)
    at.text_input(key="author_name").input("Ada")
    at.selectbox(key="triage_status").set_value("watching")
    at.text_input(key="triage_owner").input("Grace")
    at.text_area(key="triage_note").input("Check what the model spec says about memory.")
    at.button(key="triage_save").click().run()
    assert not at.exception
    with store.session(db) as con:
        state = triage.triage_state(con, cid)
        log = triage.history(con, cid)
    assert state["status"] == "watching" and state["owner"] == "Grace"
    assert state["notes"][-1]["text"] == "Check what the model spec says about memory."
    assert state["notes"][-1]["author"] == "Ada"
    assert [h["field"] for h in log] == ["status", "owner"]
    # the page shows it at once, and the note box is empty again
    assert "Check what the model spec says about memory." in [t.value for t in at.text]
    assert at.text_area(key="triage_note").value == ""
    assert at.selectbox(key="triage_status").value == "watching"
    assert any("Triage saved" in s.value for s in at.success)


def test_a_note_written_elsewhere_shows_on_the_next_rerun(db: Path, top: list[dict]) -> None:
    cid = top[0]["id"]
    at = open_page("candidate", id=cid)
    with store.session(db) as con:
        triage.set_triage(con, cid, note="Written from the CLI", author="cron")
    at.run()
    assert "Written from the CLI" in [t.value for t in at.text]


def test_candidate_ratings_checklist_draft_and_label(db: Path, top: list[dict]) -> None:
    cid = top[0]["id"]
    at = open_page("candidate", id=cid)
    at.slider(key="rate_usefulness").set_value(4)
    at.checkbox(key="ready_evaluations").check()
    at.button(key="criteria_save").click().run()
    at.text_area(key="draft_text").input("The model asks before it remembers.")
    at.button(key="draft_save").click().run()
    at.text_input(key="label_text").input("Coding agents in the terminal")
    at.button(key="label_save").click().run()
    assert not at.exception
    with store.session(db) as con:
        assert triage.ratings(con, cid)["usefulness"] == 4
        assert triage.ratings(con, cid)["evaluations"] == 1
        assert triage.drafts(con, cid)[-1]["text"] == "The model asks before it remembers."
        label = con.execute("SELECT label, label_locked FROM candidates WHERE id = ?", [cid]).fetchone()
    assert label == ("Coding agents in the terminal", True)
    assert at.slider(key="rate_usefulness").value == 4
    assert at.text_area(key="draft_text").value == "The model asks before it remembers."
    assert any("Version 1" in e.label for e in at.expander)


def test_candidate_merge_needs_the_box_ticked(db: Path, top: list[dict]) -> None:
    survivor, absorbed = top[0]["id"], top[1]["id"]
    at = open_page("candidate", id=survivor)
    at.selectbox(key="merge_other").set_value(absorbed)
    at.button(key="merge_go").click().run()
    assert any("tick the box" in w.value for w in at.warning)
    at.selectbox(key="merge_other").set_value(absorbed)
    at.checkbox(key="merge_confirm").check()
    at.button(key="merge_go").click().run()
    assert not at.exception
    with store.session(db) as con:
        row = con.execute("SELECT merged_into FROM candidates WHERE id = ?", [absorbed]).fetchone()
    assert row == (survivor,)
    # the absorbed one's page now points to the survivor
    at = open_page("candidate", id=absorbed)
    assert any(survivor in i.value for i in at.info)


def test_candidate_page_with_an_unknown_id(db: Path) -> None:
    at = open_page("candidate", id="aff-nope")
    assert any("no affordance" in w.value for w in at.warning)


def test_meeting_shows_movers_watchlist_and_decisions(db: Path, top: list[dict]) -> None:
    cid = top[2]["id"]
    with store.session(db) as con:
        triage.set_triage(con, cid, status="drafting", owner="Lin", note="Draft by Friday", author="Ada")
    at = open_page("meeting")
    body = texts(at)
    assert "Movers" in body and "Watchlist" in body and "Decisions log" in body
    frames = [d.value for d in at.dataframe]
    watch = next(v for v in frames if "owner" in v.columns and "status" in v.columns)
    assert list(watch["id"]) == [cid] and list(watch["owner"]) == ["Lin"]
    log = next(v for v in frames if "field" in v.columns)
    assert set(log["field"]) == {"status", "owner", "note"}
    assert cid in at.multiselect(key="agenda_pick").value


def test_explore_filters_items(db: Path) -> None:
    at = open_page("explore")
    everything = len(at.dataframe[0].value)
    at.text_input(key="explore_text").input("memory").run()
    some = at.dataframe[0].value
    assert 0 < len(some) < everything
    assert all(u is None or u.startswith(("http://", "https://")) for u in some["url"])
    at.selectbox(key="explore_affordance").set_value("no").run()
    assert not at.dataframe[0].value["affordance"].any()


def test_map_and_sources_and_coverage(db: Path) -> None:
    at = open_page("map")
    assert len(at.get("plotly_chart")) == 1
    at = open_page("sources")
    assert len(at.dataframe[0].value) == 23
    at = open_page("coverage")
    assert len(at.get("plotly_chart")) == 1
    assert "Every spec has one version" in texts(at)


def test_coverage_compares_two_versions_of_a_spec(db: Path) -> None:
    from scanner.specs.library import parse_spec, store_spec

    src = ROOT / "data" / "demo" / "specs" / "openai-model-spec.digest.txt"
    text = src.read_text(encoding="utf-8").replace("# version: 2025-04-11", "# version: 2025-12-01")
    text += "\nMemory | https://model-spec.openai.com/#memory | The assistant tells the user what it remembers.\n"
    with store.session(db) as con:
        store_spec(con, parse_spec(text.encode(), where="openai-model-spec.digest.txt", name=None))
    at = open_page("coverage")
    assert at.selectbox(key="coverage_diff_name").value == "openai-model-spec"
    assert "**1** added" in texts(at)


def test_settings_save_weights_and_scope(db: Path) -> None:
    at = open_page("settings")
    assert at.slider(key="weight_gap").value == pytest.approx(0.35)
    at.slider(key="weight_gap").set_value(0.6)
    at.button(key="weights_save").click().run()
    at.multiselect(key="scope_specs").set_value(["openai-model-spec"])
    at.button(key="scope_save").click().run()
    assert not at.exception
    with store.session(db) as con:
        assert get_setting(con, "weights", {})["gap"] == pytest.approx(0.6)
        assert get_setting(con, "specs_in_scope", None) == ["openai-model-spec"]
    assert at.slider(key="weight_gap").value == pytest.approx(0.6)
    assert "apply at the next scan" in texts(at)


@pytest.mark.parametrize("page", PAGES)
def test_without_a_database_every_page_says_what_to_run(
    page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "none.duckdb"
    monkeypatch.setenv("WETCEMENT_DB", str(missing))
    at = open_page(page)
    assert any("wetcement demo" in i.value for i in at.info)
    assert not missing.exists()  # looking does not create the file


@pytest.mark.parametrize("page", ["radar", "candidate", "meeting", "map", "coverage", "settings"])
def test_an_empty_database_says_what_to_run(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "empty.duckdb"
    with store.session(path):
        pass
    monkeypatch.setenv("WETCEMENT_DB", str(path))
    at = open_page(page)
    assert any("wetcement" in i.value for i in at.info)
