"""Every dashboard page renders on the demo (Streamlit's AppTest), and its forms write through
the library."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from scanner import store
from scanner.judge.rank import DEFAULT_WEIGHTS
from scanner.store.settings import read_setting as get_setting
from scanner.team import checklist, criteria, triage
from scanner.views.report import candidates
from tests.local_http import QuietHandler, local_server
from tests.ui_app import ROOT, open_page

PAGES = ["radar", "candidate", "meeting", "explore", "map", "coverage", "sources", "settings"]


@pytest.fixture(scope="session")
def top(demo_db_master: Path) -> list[dict]:
    """The latest edition of the demo, as the pages read it."""
    with store.session(demo_db_master) as con:
        return candidates(con, with_items=False)


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
    details = [e for e in at.expander if not e.label.startswith("Download")]
    assert top[0]["label"] in details[0].label
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


def test_radar_ranks_again_for_chosen_specs_and_keeps_recent_ones(db: Path, top: list[dict]) -> None:
    from datetime import date, timedelta

    at = open_page("radar")
    everything = at.dataframe[0].value
    assert "edition rank" not in everything.columns
    spec = sorted(top[0]["coverage_per_spec"])[0]
    at.multiselect(key="radar_specs").set_value([spec]).run()
    again = at.dataframe[0].value
    assert list(again["rank"]) == list(range(1, len(again) + 1)) and len(again) == len(everything)
    assert sorted(again["edition rank"]) == sorted(everything["rank"])
    gaps = {r["id"]: round(1 - r["coverage_per_spec"].get(spec, 0.0), 2) for r in top}
    assert all(round(g, 2) == gaps[i] for i, g in zip(again["id"], again["gap"], strict=True))
    assert any(f"for {spec} alone" in c.value for c in at.caption)
    at.multiselect(key="radar_specs").set_value([]).run()
    at.selectbox(key="radar_window").set_value(28).run()
    recent = at.dataframe[0].value
    edition = at.selectbox(key="radar_edition").value
    cutoff = (date.fromisoformat(edition) - timedelta(days=28)).isoformat()
    with store.session(db) as con:
        last_seen = {r["id"]: r["last_seen"][:10] for r in candidates(con, edition)}
    assert 0 < len(recent) < len(everything) and all(last_seen[i] >= cutoff for i in recent["id"])


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
    at.text_input(key="author_name").input("ana").run()
    at.slider(key="rate_checkable").set_value(4)
    at.button(key="rating_save").click().run()
    at.checkbox(key="check_evaluations").check().run()
    at.text_area(key="draft_text").input("The model asks before it remembers.")
    at.button(key="draft_save").click().run()
    at.text_input(key="label_text").input("Coding agents in the terminal")
    at.button(key="label_save").click().run()
    assert not at.exception
    with store.session(db) as con:
        assert [(r["by"], r["criterion"], r["score"]) for r in criteria.ratings(con, cid)] == [("ana", "checkable", 4)]
        assert {s["item"]: s["by"] for s in checklist.checklist(con, cid) if s["done"]} == {"evaluations": "ana"}
        assert triage.drafts(con, cid)[-1]["text"] == "The model asks before it remembers."
        label = con.execute("SELECT label, label_locked FROM candidates WHERE id = ?", [cid]).fetchone()
    assert label == ("Coding agents in the terminal", True)
    assert at.checkbox(key="check_evaluations").value is True
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
    clauses = next(d.value for d in at.dataframe if list(d.value.columns) == ["section", "text", "link"])
    assert len(clauses) > 20 and clauses["link"].dropna().str.startswith("http").all()
    quiet = [d.value for d in at.dataframe if "nearest_affordance" in d.value.columns]
    assert len(quiet) == 2 and all(len(q) > 0 and (q["best_similarity"] < 0.25).all() for q in quiet)
    assert any("clauses untouched" in e.label for e in at.expander)
    at.slider(key="quiet_threshold").set_value(0.1).run()
    fewer = [d.value for d in at.dataframe if "nearest_affordance" in d.value.columns]
    assert sum(map(len, fewer)) < sum(map(len, quiet))
    at.text_input(key="coverage_clause_text").input("PRIVACY").run()
    found = next(d.value for d in at.dataframe if list(d.value.columns) == ["section", "text", "link"])
    assert 0 < len(found) < len(clauses)
    assert all("privacy" in f"{a} {b}".lower() for a, b in zip(found["section"], found["text"], strict=True))


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
    assert at.slider(key="setting_weights_gap").value == pytest.approx(DEFAULT_WEIGHTS["gap"])
    at.slider(key="setting_weights_gap").set_value(0.6)
    at.button(key="settings_save_weights").click().run()
    at.multiselect(key="setting_specs_in_scope").set_value(["openai-model-spec"])
    at.button(key="settings_save_scope").click().run()
    assert not at.exception
    with store.session(db) as con:
        assert get_setting(con, "weights", {})["gap"] == pytest.approx(0.6)
        assert get_setting(con, "specs_in_scope", None) == ["openai-model-spec"]
    assert at.slider(key="setting_weights_gap").value == pytest.approx(0.6)
    assert "apply at the next scan" in texts(at)


def test_settings_page_is_generated_from_the_declared_list(db: Path) -> None:
    from scanner.settings import SETTINGS

    at = open_page("settings")
    keys = {w.key for w in at.slider} | {w.key for w in at.number_input} | {w.key for w in at.multiselect}
    for s in SETTINGS:
        if s.type in ("float", "int", "specs"):
            assert f"setting_{s.key.replace('.', '_')}" in keys, s.key
    assert {h.value for h in at.subheader} >= {"Weights of the wet-cement score", "Specs in scope", "Alerts"}
    body = texts(at)
    assert "$WETCEMENT_WEBHOOK_URL" in body and "not set" in body


def test_settings_alert_thresholds_and_window(db: Path) -> None:
    from scanner import settings

    at = open_page("settings")
    at.number_input(key="setting_alerts_top_n").set_value(15)
    at.number_input(key="setting_alerts_min_move").set_value(3)
    at.button(key="settings_save_alerts").click().run()
    at.number_input(key="setting_momentum_window_days").set_value(28)
    at.button(key="settings_save_signals").click().run()
    assert not at.exception
    with store.session(db) as con:
        assert settings.get(con, "alerts.top_n") == 15
        assert settings.get(con, "alerts.min_move") == 3
        assert settings.get(con, "momentum.window_days") == 28
        assert get_setting(con, "alerts", None) == {"top_n": 15, "min_move": 3}


def test_settings_webhook_is_shown_redacted(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WETCEMENT_WEBHOOK_URL", "https://hooks.example.com/services/T000/SECRET")
    at = open_page("settings")
    body = texts(at)
    assert "hooks.example.com" in body.replace("\\", "")
    assert "SECRET" not in body


def test_settings_add_and_remove_a_precedent_domain(db: Path) -> None:
    from scanner.store.settings import read_setting as stored

    at = open_page("settings")
    at.text_input(key="domain_slug").input("health-advice")
    at.text_input(key="domain_label").input("Health advice to strangers")
    at.text_area(key="domain_description").input("The AI gives medical advice to people who are not its user.")
    at.button(key="domain_add").click().run()
    assert not at.exception
    with store.session(db) as con:
        assert stored(con, "precedent_domains", None) == [{
            "slug": "health-advice", "label": "Health advice to strangers",
            "description": "The AI gives medical advice to people who are not its user.",
        }]
    assert at.text_input(key="domain_slug").value == ""
    assert "Health advice to strangers" in texts(at).replace("\\", "")
    # a clash with the essay's own domains is refused, and the form keeps what was typed
    at.text_input(key="domain_slug").input("memory")
    at.text_input(key="domain_label").input("Memory again")
    at.text_area(key="domain_description").input("Twice.")
    at.button(key="domain_add").click().run()
    assert any("essay's domains" in e.value for e in at.error)
    assert at.text_input(key="domain_slug").value == "memory"
    at.button(key="domain_remove_health-advice").click().run()
    with store.session(db) as con:
        assert stored(con, "precedent_domains", None) == []


@pytest.mark.parametrize("page", PAGES)
def test_without_a_database_every_page_says_what_to_run(
    page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "none.duckdb"
    monkeypatch.setenv("WETCEMENT_DB", str(missing))
    at = open_page(page)
    assert any("wetcement demo" in i.value for i in at.info)
    assert not missing.exists()  # looking does not create the file


@pytest.mark.parametrize("page", PAGES)
def test_an_empty_database_says_what_to_run(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "empty.duckdb"
    with store.session(path):
        pass
    monkeypatch.setenv("WETCEMENT_DB", str(path))
    at = open_page(page)
    assert at.title[0].value == page.capitalize()
    assert any("wetcement" in i.value for i in at.info)


# --- exports, sources, evidence ------------------------------------------------------------


@dataclass
class Deferred:
    """What a download button hands Streamlit: the file is made when someone clicks."""

    make: Callable[[], bytes]
    file_name: str
    mimetype: str


@pytest.fixture
def deferred(monkeypatch: pytest.MonkeyPatch) -> dict[str, Deferred]:
    """The deferred files of the download buttons, by file id."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    made: dict[str, Deferred] = {}
    real = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):  # type: ignore[no-untyped-def]
        file_id = real(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)
        made[file_id] = Deferred(data_callable, file_name, mimetype)
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return made


def download_buttons(at: AppTest, prefix: str, deferred: dict[str, Deferred]) -> dict[str, Deferred]:
    """The page's download buttons keyed ``<prefix>_download_<format>``, by format."""
    return {b.proto.id.rsplit(f"{prefix}_download_", 1)[1]: deferred[b.proto.deferred_file_id]
            for b in at.get("download_button") if f"-{prefix}_download_" in b.proto.id}


@pytest.mark.parametrize("page", ["meeting", "radar"])
def test_every_export_format_has_a_download_button(db: Path, page: str, deferred: dict[str, Deferred]) -> None:
    from scanner.views.export import FORMATS, MEDIA_TYPES

    at = open_page(page)
    buttons = download_buttons(at, page, deferred)
    assert set(buttons) == set(FORMATS) | {"items_csv"}
    for fmt in FORMATS:
        assert buttons[fmt].mimetype == MEDIA_TYPES[fmt]
    assert buttons["xlsx"].file_name == "wetcement-2025-11-25.xlsx"


def test_a_download_is_the_file_that_export_writes(db: Path, deferred: dict[str, Deferred]) -> None:
    from scanner.views.export import gather, render

    at = open_page("radar")
    at.selectbox(key="radar_edition").set_value("2025-11-18").run()
    button = download_buttons(at, "radar", deferred)["csv"]
    made = button.make()
    with store.session(db) as con:
        expected = render("csv", gather(con, edition="2025-11-18"))
    assert made == expected and made.count(b"\n") > 10
    assert button.file_name == "wetcement-2025-11-18.csv"


def test_radar_downloads_follow_the_status_filter(db: Path, top: list[dict], deferred: dict[str, Deferred]) -> None:
    import json

    with store.session(db) as con:
        triage.set_triage(con, top[3]["id"], status="watching")
    at = open_page("radar")
    at.multiselect(key="radar_status").set_value(["watching"]).run()
    data = json.loads(download_buttons(at, "radar", deferred)["json"].make())
    assert [c["id"] for c in data["candidates"]] == [top[3]["id"]]


def test_meeting_downloads_the_watchlist(db: Path, top: list[dict], deferred: dict[str, Deferred]) -> None:
    with store.session(db) as con:
        triage.set_triage(con, top[2]["id"], status="drafting", owner="Lin")
    at = open_page("meeting")
    at.radio(key="meeting_export_scope").set_value("The watchlist (watching and drafting)").run()
    button = download_buttons(at, "meeting", deferred)["csv"]
    assert button.file_name == "wetcement-2025-11-25-watchlist.csv"
    text = button.make().decode()
    assert text.count(top[2]["id"]) == 1 and top[0]["id"] not in text


def test_sources_page_shows_health_and_evidence(db: Path) -> None:
    at = open_page("sources")
    table = at.dataframe[0].value
    assert {"health", "evidence", "weeks", "last result"} <= set(table.columns)
    assert set(table["evidence"]) <= {"primary", "secondary"}
    assert all(len(w) == 8 for w in table["weeks"])


def test_sources_page_adds_and_switches_a_source(db: Path) -> None:
    from scanner.sources.registry import list_sources

    at = open_page("sources")
    at.text_input(key="source_url").input("https://example.org/news/feed.xml")
    at.text_input(key="source_name").input("example-news")
    at.selectbox(key="source_kind").set_value("atom")
    at.selectbox(key="source_evidence").set_value("secondary")
    at.button(key="source_add").click().run()
    assert not at.exception
    assert any("Added example-news" in s.value for s in at.success)
    assert at.text_input(key="source_url").value == ""
    at.toggle(key="source_on_example-news").set_value(False).run()
    with store.session(db) as con:
        added = next(s for s in list_sources(con) if s["name"] == "example-news")
    assert (added["kind"], added["evidence"], added["enabled"]) == ("atom", "secondary", False)
    # a bad address is refused with the library's reason, and nothing is written
    at.text_input(key="source_url").input("file:///etc/passwd")
    at.button(key="source_add").click().run()
    assert any("only http and https" in e.value for e in at.error)


def test_fetch_now_shows_each_source_result(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    feed = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
            b"<item><title>Agents can now pay with tokens</title><link>https://good.example/a</link>"
            b"<pubDate>Mon, 06 Jan 2025 10:00:00 GMT</pubDate></item></channel></rss>")

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            ok = self.path == "/good.xml"
            self.send_response(200 if ok else 500)
            self.send_header("Content-Length", str(len(feed) if ok else 0))
            self.end_headers()
            if ok:
                self.wfile.write(feed)

    monkeypatch.setenv("WETCEMENT_ALLOW_PRIVATE_NETWORKS", "1")
    with local_server(Handler) as base:
        from scanner.sources.registry import add_source

        with store.session(db) as con:
            add_source(con, f"{base}/good.xml", name="local-good", kind="rss")
            add_source(con, f"{base}/down.xml", name="local-down", kind="rss")
        at = open_page("sources")
        at.button(key="sources_fetch").click().run()
    assert not at.exception
    lines = texts(at).replace("\\", "")
    assert "local-good** · new · 1 new" in lines
    assert "local-down** · error" in lines
    table = at.dataframe[0].value.set_index("name")
    assert table.loc["local-good", "last result"] == "new"
    assert table.loc["local-down", "health"] == "failing ×1"


def test_candidate_and_explore_show_the_evidence_kind(db: Path, top: list[dict]) -> None:
    at = open_page("candidate", id=top[0]["id"])
    items = next(d.value for d in at.dataframe if "evidence" in d.value.columns)
    assert len(items) >= top[0]["n_items"] and set(items["evidence"]) <= {"primary", "secondary"}
    at = open_page("explore")
    assert set(at.dataframe[0].value["evidence"]) <= {"primary", "secondary", ""}
    assert "primary" in set(at.dataframe[0].value["evidence"])


def test_candidate_item_override_takes_an_item_out_and_puts_it_back(db: Path, top: list[dict]) -> None:
    from scanner.views.report import candidate

    cid = top[0]["id"]
    with store.session(db) as con:
        item = candidate(con, cid)["items"][0]
    at = open_page("candidate", id=cid)
    at.button(key="override_out").click().run()
    assert any("Choose an item" in w.value for w in at.warning)
    at.selectbox(key="override_pick").set_value(item["id"])
    at.button(key="override_out").click().run()
    assert not at.exception
    assert any("no longer counts as an affordance" in s.value for s in at.success)
    with store.session(db) as con:
        assert con.execute("SELECT override FROM item_verdicts WHERE item_id = ?", [item["id"]]).fetchone() == (False,)
        assert not con.execute("SELECT 1 FROM assignments WHERE item_id = ?", [item["id"]]).fetchone()
    assert at.selectbox(key="override_pick").value is None
    assert item["id"] not in at.selectbox(key="override_pick").options
    at.button(key=f"override_undo_{item['id']}").click().run()
    assert not at.exception
    with store.session(db) as con:
        assert con.execute("SELECT override FROM item_verdicts WHERE item_id = ?", [item["id"]]).fetchone() == (None,)
    assert not [b for b in at.button if b.key == f"override_undo_{item['id']}"]


def test_explore_pages_through_many_items(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("scanner.views.browse.PAGE_SIZE", 100)
    at = open_page("explore")
    first = at.dataframe[0].value
    assert len(first) == 100
    assert any("1–100 of 240 matching items" in c.value for c in at.caption)
    at.number_input(key="explore_page").set_value(3).run()
    third = at.dataframe[0].value
    assert len(third) == 40 and not set(third["title"]) & set(first["title"])
    at.selectbox(key="explore_affordance").set_value("no").run()  # fewer than a page: back to page one
    assert not at.exception and at.session_state["explore_page"] == 1
    assert not at.dataframe[0].value["affordance"].any()


def test_explore_by_domain_affordance_and_meaning(db: Path, top: list[dict]) -> None:
    at = open_page("explore")
    at.multiselect(key="explore_domains").set_value(["memory"]).run()
    caps = set(at.dataframe[0].value["capability"])
    assert caps and caps <= {"persistent-memory", *(c for c in caps if c)}
    at.multiselect(key="explore_domains").set_value([]).run()
    at.selectbox(key="explore_group").set_value(top[0]["id"]).run()
    group = at.dataframe[0].value
    assert set(group["candidate"]) == {top[0]["id"]} and len(group) == top[0]["n_items"]
    at.selectbox(key="explore_group").set_value(None).run()
    at.radio(key="explore_mode").set_value("meaning").run()
    at.text_input(key="explore_text").input("the assistant remembers earlier conversations").run()
    assert not at.exception
    found = at.dataframe[0].value
    assert list(found["similarity"]) == sorted(found["similarity"], reverse=True)
    assert (found["capability"].head(5) == "persistent-memory").sum() >= 3
    assert any("closest in meaning" in c.value for c in at.caption)


def test_candidate_splits_items_off_into_a_new_affordance(db: Path, top: list[dict]) -> None:
    from scanner.views.report import candidate

    cid = top[0]["id"]
    with store.session(db) as con:
        members = [i["id"] for i in candidate(con, cid)["items"]]
    at = open_page("candidate", id=cid)
    at.button(key="split_go").click().run()
    assert any("not all of them" in w.value for w in at.warning)
    at.multiselect(key="split_items").set_value(members[:2])
    at.button(key="split_go").click().run()
    assert not at.exception
    assert any("Split 2 item(s) off" in s.value for s in at.success)
    with store.session(db) as con:
        moved = {r[0] for r in con.execute(
            "SELECT candidate_id FROM assignments WHERE list_contains(?, item_id)", [members[:2]]).fetchall()}
        assert len(moved) == 1 and cid not in moved
        assert con.execute("SELECT count(*) FROM assignments WHERE candidate_id = ?", [cid]).fetchall()[0][0] == len(members) - 2
        assert con.execute("SELECT count(*) FROM affordance_events WHERE kind = 'split'").fetchall()[0][0] >= 1


def test_map_shows_items_coloured_by_their_affordances_gap(db: Path, top: list[dict]) -> None:
    at = open_page("map")
    at.radio(key="map_show").set_value("items").run()
    assert not at.exception
    charts_ = at.get("plotly_chart")
    assert len(charts_) == 1
    import json as _json

    fig = _json.loads(charts_[0].proto.spec)
    trace = fig["data"][0]
    assert trace["type"] == "scattergl"
    n_items = sum(c["n_items"] for c in top)
    assert len(trace["x"]) == n_items and any(f"{n_items:,} items" in c.value for c in at.caption)
    gaps = {round(c["components"]["gap"], 4) for c in top}
    assert {round(g, 4) for g in trace["marker"]["color"]} <= gaps


def test_candidate_saves_a_coverage_verdict_with_its_clause(db: Path, top: list[dict]) -> None:
    from scanner.views.report import candidate

    row = top[0]
    cid = row["id"]
    with store.session(db) as con:
        item = candidate(con, cid)["items"][0]
    clause = next(c for c in row["nearest_clauses"] if c.get("clause_key"))
    at = open_page("candidate", id=cid)
    at.selectbox(key="verdict_item").set_value(item["id"])
    at.selectbox(key="verdict_spec").set_value(clause["spec"])
    at.selectbox(key="verdict_level").set_value("uncovered")
    at.selectbox(key="verdict_clause").set_value(clause["clause_key"])
    at.button(key="verdict_save").click().run()
    assert not at.exception
    assert any("The next scan uses it" in s.value for s in at.success)
    with store.session(db) as con:
        saved = con.execute("SELECT spec, coverage, clause_key FROM coverage_verdicts WHERE item_id = ?", [item["id"]]).fetchall()
    assert saved == [(clause["spec"], "uncovered", clause["clause_key"])]
