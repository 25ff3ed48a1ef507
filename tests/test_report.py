"""The dashboard's read models in the library (report, triage) and the declared settings."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from scanner import settings, store
from scanner.errors import BadInput
from scanner.judge.rank import COMPONENTS, DEFAULT_WEIGHTS
from scanner.store.settings import read_setting as get_setting
from scanner.store.settings import write_setting as set_setting
from scanner.team import criteria, triage
from scanner.views import report

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def con(demo_db: Path):
    with store.session(demo_db) as c:
        yield c


def top_ids(con, n: int = 3) -> list[str]:
    return [c["id"] for c in report.candidates(con, with_items=False)[:n]]


# --- data_version ---------------------------------------------------------------------------


def test_data_version_is_stable_and_moves_with_every_kind_of_change(con) -> None:
    first = report.data_version(con)
    assert report.data_version(con) == first
    cid = top_ids(con, 1)[0]
    seen = {first}

    def changed() -> None:
        now = report.data_version(con)
        assert now not in seen
        seen.add(now)

    triage.set_triage(con, cid, note="a note")
    changed()
    triage.set_triage(con, cid, status="watching")
    changed()
    item = con.execute("SELECT item_id FROM assignments LIMIT 1").fetchone()[0]
    con.execute("UPDATE item_verdicts SET override = FALSE WHERE item_id = ?", [item])
    changed()
    con.execute("UPDATE item_verdicts SET override = TRUE WHERE item_id = ?", [item])
    changed()  # a flip of the same override, same count
    name = con.execute("SELECT name FROM sources LIMIT 1").fetchone()[0]
    con.execute("UPDATE sources SET enabled = NOT enabled WHERE name = ?", [name])
    changed()
    set_setting(con, "weights", {**DEFAULT_WEIGHTS, "gap": 0.9})
    changed()


# --- recent_decisions -----------------------------------------------------------------------


def test_recent_decisions_across_affordances_newest_first(con) -> None:
    a, b, _ = top_ids(con)
    triage.set_triage(con, a, status="watching", owner="Ada", author="Ada")
    triage.set_triage(con, b, note="Discuss on Monday", author="Lin")
    log = triage.recent_decisions(con, 10)
    assert [(d["id"], d["field"]) for d in log][:1] == [(b, "note")]
    assert {(d["id"], d["field"]) for d in log} == {(a, "status"), (a, "owner"), (b, "note")}
    note = log[0]
    assert note["new"] == "Discuss on Monday" and note["author"] == "Lin" and note["old"] is None
    assert note["label"] == con.execute("SELECT label FROM candidates WHERE id = ?", [b]).fetchone()[0]
    assert [d["at"] for d in log] == sorted((d["at"] for d in log), reverse=True)
    assert len(triage.recent_decisions(con, 2)) == 2
    with pytest.raises(BadInput):
        triage.recent_decisions(con, 0)


def test_recent_decisions_on_a_quiet_database(con) -> None:
    assert triage.recent_decisions(con) == []


# --- sources --------------------------------------------------------------------------------


def test_sources_health_read_model(con) -> None:
    rows = report.sources(con, as_of=datetime(2025, 11, 25, 23, 59))
    assert len(rows) == con.execute("SELECT count(*) FROM sources").fetchone()[0]
    r = rows[0]
    assert {"name", "evidence", "enabled", "broken", "last_fetch", "last_status", "consecutive_failures",
            "last_error", "items", "items_per_week"} <= set(r)
    assert all(len(s["items_per_week"]) == 8 and sum(s["items_per_week"]) <= s["items"] for s in rows)
    assert sum(sum(s["items_per_week"]) for s in rows) > 0
    assert {s["evidence"] for s in rows} <= {"primary", "secondary"}
    assert all(s["last_status"] is None for s in rows)  # the demo never fetched


def test_sources_week_buckets_and_last_fetch(con) -> None:
    from scanner.sources.parse import make_item
    from scanner.sources.registry import add_source
    from scanner.store.items import store_items

    add_source(con, "https://example.org/feed.xml", name="probe", kind="rss", evidence="secondary")
    seen = datetime(2025, 3, 1)
    items = [
        make_item(title=f"Item {n}", summary="", url=f"https://example.org/{n}", guid=None,
                  published=when, org="Ex", source="probe", seen_at=seen)
        for n, when in enumerate([datetime(2025, 2, 28), datetime(2025, 2, 27), datetime(2025, 2, 20),
                                  datetime(2024, 12, 1)])
    ]
    store_items(con, [i for i in items if i])
    con.execute(
        "INSERT INTO fetch_log VALUES ('probe', ?, 'error', 500, 0, 0, 0.1, 'HTTP 500')", [datetime(2025, 3, 1, 6)]
    )
    con.execute("UPDATE sources SET consecutive_failures = 3, broken = TRUE, last_fetch = ?, last_error = 'HTTP 500' "
                "WHERE name = 'probe'", [datetime(2025, 3, 1, 6)])
    probe = next(s for s in report.sources(con, weeks=4, as_of=datetime(2025, 3, 1, 12)) if s["name"] == "probe")
    assert probe["items_per_week"] == [0, 0, 1, 2]
    assert probe["items"] == 4
    assert (probe["last_status"], probe["last_http_status"], probe["consecutive_failures"]) == ("error", 500, 3)
    assert probe["broken"] is True and probe["evidence"] == "secondary"
    assert probe["last_fetch"] == "2025-03-01 06:00:00"
    with pytest.raises(BadInput):
        report.sources(con, weeks=0)


# --- candidate ------------------------------------------------------------------------------


def test_candidate_reads_one_affordance_with_its_items_and_evidence(con) -> None:
    cid = top_ids(con, 1)[0]
    triage.set_triage(con, cid, status="drafting", note="Draft it")
    criteria.rate(con, cid, "checkable", 4, by="ana")
    c = report.candidate(con, cid)
    assert c is not None and c["id"] == cid and c["merged_into"] is None
    assert c["status"] == "drafting" and c["notes"][-1]["text"] == "Draft it"
    assert [(r["by"], r["criterion"], r["score"], r["draft"]) for r in c["ratings"]] == [("ana", "checkable", 4, None)]
    assert [h["field"] for h in c["history"]] == ["status"]
    n = con.execute("SELECT count(*) FROM assignments WHERE candidate_id = ?", [cid]).fetchone()[0]
    assert len(c["items"]) == n > 0
    assert all(i["evidence"] in ("primary", "secondary") for i in c["items"])
    assert all(i["is_affordance"] in (True, False) for i in c["items"])


def test_candidate_outside_the_edition_and_merged(con) -> None:
    from scanner.embed import HashingEmbedder
    from scanner.scanning.grouping import merge

    a, b = top_ids(con, 2)
    merge(con, a, b, HashingEmbedder().name)
    absorbed = report.candidate(con, b)
    assert absorbed is not None and absorbed["merged_into"] == a and absorbed["items"] == []
    assert report.candidate(con, "aff-nope") is None


# --- settings -------------------------------------------------------------------------------


def test_every_component_has_a_weight_setting() -> None:
    assert [s.key for s in settings.SETTINGS if s.section == "weights"] == [f"weights.{k}" for k in COMPONENTS]
    assert all(s.section in settings.SECTIONS and s.type in settings.TYPES and s.help for s in settings.SETTINGS)
    assert len(settings.BY_KEY) == len(settings.SETTINGS)


def test_settings_defaults_and_round_trip(con) -> None:
    values = settings.values(con, environ={})
    assert values["weights.gap"] == DEFAULT_WEIGHTS["gap"]
    assert values["alerts.top_n"] == 10 and values["precedent_domains"] == []
    settings.set_values(con, {"weights.gap": 0.5, "weights.momentum": "0.25", "alerts.top_n": 20})
    assert get_setting(con, "weights", None) == {**DEFAULT_WEIGHTS, "gap": 0.5, "momentum": 0.25}
    assert get_setting(con, "alerts", None) == {"top_n": 20}
    assert settings.get(con, "alerts.min_move") == 5  # the default, beside a stored field
    names = sorted(r[0] for r in con.execute("SELECT DISTINCT name FROM specs").fetchall())
    settings.set_value(con, "specs_in_scope", [*reversed(names), names[0]])
    assert get_setting(con, "specs_in_scope", None) == names
    with pytest.raises(BadInput, match="unknown spec"):
        settings.set_value(con, "specs_in_scope", ["no-such-spec"])
    settings.set_value(con, "specs_in_scope", [])
    assert settings.get(con, "specs_in_scope") is None


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("weights.gap", -1, "between 0 and 10"),
        ("weights.gap", "lots", "not a number"),
        ("weights.gap", True, "not a number"),
        ("alerts.top_n", 2.5, "whole number"),
        ("alerts.top_n", 0, "between 1 and 200"),
        ("momentum.window_days", 3, "between 7 and 365"),
        ("alerts.webhook_url", "https://hooks.example.com/x", "environment"),
        ("precedent_domains", [{"slug": "Bad Slug", "label": "x", "description": "y"}], "lower-case"),
        ("precedent_domains", [{"slug": "memory", "label": "x", "description": "y"}], "essay's domains"),
        ("precedent_domains", [{"slug": "ab", "label": "", "description": "y"}], "empty"),
        ("precedent_domains", [{"slug": "ab", "label": "x", "description": "y"}] * 2, "twice"),
        ("nope", 1, "unknown setting"),
    ],
)
def test_bad_settings_are_refused_and_nothing_is_written(con, key: str, value: object, message: str) -> None:
    before = report.data_version(con)
    with pytest.raises(BadInput, match=message):
        settings.set_values(con, {"weights.momentum": 0.3, key: value})
    assert report.data_version(con) == before


def test_all_weights_at_zero_are_refused(con) -> None:
    with pytest.raises(BadInput, match="above 0"):
        settings.set_values(con, {f"weights.{k}": 0 for k in COMPONENTS})


def test_precedent_domains_are_stored_clean(con) -> None:
    settings.set_value(con, "precedent_domains", [
        {"slug": "health-advice", "label": "  Health   advice ", "description": "Medical advice\nto strangers."},
    ])
    assert get_setting(con, "precedent_domains", None) == [
        {"slug": "health-advice", "label": "Health advice", "description": "Medical advice to strangers."}
    ]


def test_the_webhook_comes_from_the_environment_only(con) -> None:
    assert settings.get(con, "alerts.webhook_url", environ={}) is None
    url = "https://hooks.example.com/services/T/B/X"
    assert settings.get(con, "alerts.webhook_url", environ={"WETCEMENT_WEBHOOK_URL": url}) == url


def test_markdown_table_names_every_setting() -> None:
    out = subprocess.run([sys.executable, "-m", "scanner.settings", "--markdown"], capture_output=True,
                         text=True, check=True, timeout=60).stdout
    assert out == settings.markdown_table()
    rows = [line for line in out.splitlines() if line.startswith("| `")]
    assert [r.split("`")[1] for r in rows] == [s.key for s in settings.SETTINGS]
    assert subprocess.run([sys.executable, "-m", "scanner.settings"], capture_output=True, timeout=60).returncode == 2


README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented_in_the_readme() -> None:
    missing = [s.key for s in settings.SETTINGS if f"`{s.key}`" not in README]
    assert not missing, f"README.md lacks {missing}: paste `python -m scanner.settings --markdown`"


def test_candidate_lists_the_items_the_team_took_out(con) -> None:
    from scanner.embed import HashingEmbedder
    from scanner.scanning.grouping import override_item

    cid = top_ids(con, 1)[0]
    before = report.candidate(con, cid)
    out = before["items"][0]
    override_item(con, out["id"], False, HashingEmbedder().name)
    after = report.candidate(con, cid)
    assert [i["id"] for i in after["ruled_out"]] == [out["id"]]
    assert out["id"] not in {i["id"] for i in after["items"]}
    assert after["ruled_out"][0]["override"] is False and after["ruled_out"][0]["evidence"] == out["evidence"]
    override_item(con, out["id"], None, HashingEmbedder().name)
    assert report.candidate(con, cid)["ruled_out"] == []


def test_candidates_without_item_lists_still_count_items_and_organisations(con) -> None:
    full, light = report.candidates(con), report.candidates(con, with_items=False)
    assert [c["id"] for c in full] == [c["id"] for c in light]
    for a, b in zip(full, light, strict=True):
        assert (b["n_items"], b["orgs"], b["n_orgs"], b["last_seen"]) == (a["n_items"], a["orgs"], a["n_orgs"], a["last_seen"])
        assert b["items"] == []
    assert any(c["n_items"] > 3 for c in light)
