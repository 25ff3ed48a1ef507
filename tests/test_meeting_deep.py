"""The meeting, deeper: criteria ratings per person and draft (history, spread, tensions), the
transition checklist as events, review triggers and snoozes, their JSON, exports, alert and CLI."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from scanner import store
from scanner.cli import main
from scanner.errors import BadInput
from scanner.store import _schema
from scanner.store.db import migrate
from scanner.team import alerts, checklist, criteria, reviews, triage
from scanner.views import export, report


@pytest.fixture
def con(demo_db: Path):
    with store.session(demo_db) as c:
        yield c


def top_id(con) -> str:
    return report.candidates(con, with_items=False)[0]["id"]


def add_item(con, cid: str, org: str, n: int) -> None:
    """A counted item of ``org``, assigned to ``cid`` (a constructed store, no scan)."""
    now = datetime(2025, 11, 20)
    con.execute(
        "INSERT INTO items (id, url, title, org, source, published, first_seen, updated_at, content_hash) "
        "VALUES (?, ?, ?, ?, 'probe', ?, ?, ?, ?)",
        [f"probe-{n}", f"https://example.org/{n}", f"Probe {n}", org, now, now, now, f"h{n}"],
    )
    con.execute("INSERT INTO item_verdicts (item_id, is_affordance, confidence, reasons) VALUES (?, TRUE, 0.9, '[]')",
                [f"probe-{n}"])
    con.execute("INSERT INTO assignments VALUES (?, ?, FALSE, ?)", [f"probe-{n}", cid, now])


def set_coverage(con, cid: str, value: float) -> None:
    day, detail = con.execute(
        "SELECT edition, detail FROM edition_candidates WHERE candidate_id = ? ORDER BY edition DESC LIMIT 1", [cid]
    ).fetchone()
    con.execute("UPDATE edition_candidates SET detail = ? WHERE edition = ? AND candidate_id = ?",
                [json.dumps({**json.loads(detail), "coverage": value}), day, cid])


# --- criteria: storage, history, spread, tensions --------------------------------------------------


def test_ratings_are_kept_as_history_and_the_latest_per_person_counts(con) -> None:
    cid = top_id(con)
    v1 = triage.save_draft(con, cid, "The model says when it remembers.", author="ana")
    criteria.rate(con, cid, "checkable", 2, by="ana")
    criteria.rate(con, cid, "checkable", 4, by="ana")
    criteria.rate(con, cid, "checkable", 1, by="bo")
    v2 = triage.save_draft(con, cid, "The model asks before it remembers.", author="ana")
    criteria.rate(con, cid, "checkable", 5, by="bo")  # the latest draft by default
    criteria.rate(con, cid, "executable", 3, by="ana", draft=v1)
    criteria.rate(con, cid, "executable", 0, by="ana", draft=v1)  # withdrawn
    assert len(criteria.history(con, cid)) == 6
    now = {(r["by"], r["criterion"], r["draft"]): r["score"] for r in criteria.ratings(con, cid)}
    assert now == {("ana", "checkable", v1): 4, ("bo", "checkable", v1): 1, ("bo", "checkable", v2): 5}
    c = report.candidate(con, cid)
    assert c is not None and len(c["ratings_history"]) == 6
    assert all(set(r) == {"by", "criterion", "score", "draft", "at"} for r in c["ratings"])
    listed = next(x for x in report.candidates(con) if x["id"] == cid)
    assert sorted(r["score"] for r in listed["ratings"]) == [1, 4, 5]


@pytest.mark.parametrize("kwargs, message", [
    ({"criterion": "usefulness", "score": 3, "by": "ana"}, "is not one of"),
    ({"criterion": "checkable", "score": 6, "by": "ana"}, "give 1"),
    ({"criterion": "checkable", "score": 3, "by": " "}, "rater's name"),
    ({"criterion": "checkable", "score": 3, "by": "ana", "draft": 99}, "no draft version 99"),
])
def test_bad_ratings_are_refused_and_write_nothing(con, kwargs, message) -> None:
    cid = top_id(con)
    with pytest.raises(BadInput, match=message):
        criteria.rate(con, cid, kwargs.pop("criterion"), kwargs.pop("score"), **kwargs)
    assert criteria.history(con, cid) == []


def test_every_criterion_of_the_essay_is_data_with_an_explanation() -> None:
    ids = [c.id for c in criteria.CRITERIA]
    assert len(ids) == len(set(ids)) == 11
    assert all(c.name and c.explanation.endswith(".") for c in criteria.CRITERIA)


def test_spread_per_criterion_shows_disagreement() -> None:
    rows = [
        {"by": "ana", "criterion": "checkable", "score": 5, "draft": 1, "at": ""},
        {"by": "bo", "criterion": "checkable", "score": 1, "draft": 1, "at": ""},
        {"by": "bo", "criterion": "meshes", "score": 3, "draft": 1, "at": ""},
        {"by": "cy", "criterion": "checkable", "score": 2, "draft": 2, "at": ""},
    ]
    per = {p["criterion"]: p for p in criteria.spread(rows, 1)}
    assert list(per) == [c.id for c in criteria.CRITERIA]
    assert per["checkable"]["scores"] == {"ana": 5, "bo": 1}
    assert (per["checkable"]["min"], per["checkable"]["max"], per["checkable"]["spread"]) == (1, 5, 4)
    assert per["meshes"]["spread"] == 0 and per["predictable"]["n"] == 0
    assert criteria.spread(rows, 2)[3]["scores"] == {"cy": 2}


def test_tensions_find_trade_offs_and_split_raters() -> None:
    def row(by: str, crit: str, score: int) -> dict:
        return {"by": by, "criterion": crit, "score": score, "draft": 1, "at": ""}

    rows = [row(p, "predictable", 5) for p in "abc"] + [row(p, "executable", 1) for p in "abc"]
    rows += [row("a", "checkable", 5), row("b", "checkable", 3), row("c", "checkable", 1)]
    rows += [row("a", "meshes", 1), row("b", "meshes", 3), row("c", "meshes", 5)]
    found = criteria.tensions(criteria.spread(rows, 1))
    pairs = {(t["kind"], t["high"], t["low"]) for t in found}
    assert ("trade-off", "predictable", "executable") in pairs
    assert ("raters split", "checkable", "meshes") in pairs
    # agreeing raters and middling scores pull against nothing
    calm = [row(p, "predictable", 3) for p in "abc"] + [row(p, "executable", 3) for p in "abc"]
    assert criteria.tensions(criteria.spread(calm, 1)) == []


# --- checklist --------------------------------------------------------------------------------------


def test_checklist_ticks_are_events_with_who_and_when(con) -> None:
    cid = top_id(con)
    assert [s["item"] for s in checklist.checklist(con, cid)] == [s.id for s in checklist.ITEMS]
    assert len(checklist.ITEMS) == 8
    checklist.tick(con, cid, "rl-environments", True, by="ana")
    checklist.tick(con, cid, "rl_environments", True, by="bo")  # no change: not recorded again
    checklist.tick(con, cid, "signpost", True, by="bo")
    checklist.tick(con, cid, "signpost", False, by="cy")
    state = {s["item"]: s for s in checklist.checklist(con, cid)}
    assert state["rl_environments"]["done"] and state["rl_environments"]["by"] == "ana"
    assert not state["signpost"]["done"] and state["signpost"]["by"] == "cy" and state["signpost"]["at"]
    assert [(e["item"], e["done"], e["by"]) for e in checklist.events(con, cid)] == [
        ("rl_environments", True, "ana"), ("signpost", True, "bo"), ("signpost", False, "cy")]
    c = report.candidate(con, cid)
    assert c is not None and {s["item"] for s in c["checklist"] if s["done"]} == {"rl_environments"}
    assert all(set(s) >= {"item", "done", "by", "at"} for s in c["checklist"])
    with pytest.raises(BadInput, match="is not one of"):
        checklist.tick(con, cid, "press_release", True, by="ana")


# --- migration ----------------------------------------------------------------------------------------


def test_migration_keeps_the_old_ratings_and_readiness(fresh_db: Path) -> None:
    step = _schema.MIGRATIONS.index(_schema.from_6_to_7)
    con = duckdb.connect(str(fresh_db))
    migrate(con, target=step)
    con.execute("INSERT INTO candidates (id, label, created_at) VALUES ('aff-old', 'Old', now())")
    for crit, value in [("usefulness", 4), ("coordination", 0), ("evaluations", 1), ("alternate_text", 0)]:
        con.execute("INSERT INTO ratings VALUES ('aff-old', ?, ?, now())", [crit, value])
    migrate(con)
    assert criteria.ratings(con, "aff-old")[0] | {"at": None} == {
        "by": None, "criterion": "usefulness", "score": 4, "draft": None, "at": None}
    assert len(criteria.ratings(con, "aff-old")) == 1
    assert [s["item"] for s in checklist.checklist(con, "aff-old") if s["done"]] == ["evaluations"]
    con.close()


# --- review triggers ----------------------------------------------------------------------------------


def test_review_date_makes_it_due_and_a_snooze_hides_it_until_then(con) -> None:
    cid = top_id(con)
    today = reviews.today()
    assert report.candidate(con, cid)["review"] == reviews.review_state(con, cid)
    assert reviews.review_state(con, cid)["due"] is None
    with pytest.raises(BadInput, match="no review to snooze"):
        reviews.snooze(con, cid, 7)
    reviews.set_review(con, cid, due=today + timedelta(days=3), by="ana")
    assert not reviews.review_state(con, cid)["is_due"]
    assert reviews.review_state(con, cid, today + timedelta(days=3))["is_due"]
    reviews.set_review(con, cid, due=(today - timedelta(days=1)).isoformat(), by="ana")
    assert [d["id"] for d in reviews.due_reviews(con)] == [cid]
    state = reviews.snooze(con, cid, 7, by="bo")
    assert state["snoozed_until"] == (today + timedelta(days=7)).isoformat() and not state["is_due"]
    assert reviews.due_reviews(con) == []
    assert [d["id"] for d in reviews.due_reviews(con, today + timedelta(days=8))] == [cid]
    for bad in (0, today.isoformat(), "soon"):
        with pytest.raises(BadInput):
            reviews.snooze(con, cid, bad)
    logged = [d["new"] for d in triage.recent_decisions(con) if d["id"] == cid and d["field"] == "review"]
    assert logged[0] == f"snoozed until {(today + timedelta(days=7)).isoformat()}"
    assert logged[1] == f"by {(today - timedelta(days=1)).isoformat()}; reopen when —"
    # a new decision starts afresh: the snooze belonged to the old one
    reviews.set_review(con, cid, due=today - timedelta(days=1))
    assert reviews.review_state(con, cid)["is_due"]


def test_third_org_fires_when_a_third_organisation_arrives(con) -> None:
    cid = top_id(con)
    orgs = reviews.snapshot(con, cid)[2]
    reviews.set_review(con, cid, conditions="third-org", by="ana")
    add_item(con, cid, orgs[0] if orgs else "Existing", 1)
    assert reviews.review_state(con, cid)["triggered"] == []
    n = 2
    while n == 2 or len(reviews.snapshot(con, cid)[2]) < reviews.THIRD:
        add_item(con, cid, f"Newcomer {n}", n)
        n += 1
    fired = reviews.review_state(con, cid)["triggered"]
    assert [t["condition"] for t in fired] == ["third-org"] and "Newcomer" in fired[0]["why"]
    assert reviews.review_state(con, cid)["is_due"]


def test_third_org_stays_quiet_below_three(con) -> None:
    cid = top_id(con)
    con.execute("DELETE FROM assignments WHERE candidate_id = ?", [cid])
    add_item(con, cid, "First", 1)
    reviews.set_review(con, cid, conditions=["third-org"])
    add_item(con, cid, "Second", 2)
    assert reviews.review_state(con, cid)["triggered"] == []
    add_item(con, cid, "Third", 3)
    assert "Third" in reviews.review_state(con, cid)["triggered"][0]["why"]


def test_coverage_drop_fires_on_a_margin_or_a_level_fall(con) -> None:
    cid = top_id(con)
    set_coverage(con, cid, 0.60)
    reviews.set_review(con, cid, conditions="coverage-drop")
    set_coverage(con, cid, 0.60 - reviews.COVERAGE_MARGIN / 2)
    assert reviews.review_state(con, cid)["triggered"] == [] or reviews.level(0.58) != reviews.level(0.60)
    set_coverage(con, cid, 0.20)
    fired = reviews.review_state(con, cid)["triggered"]
    assert [t["condition"] for t in fired] == ["coverage-drop"] and "0.60" in fired[0]["why"]
    set_coverage(con, cid, 0.90)
    assert reviews.review_state(con, cid)["triggered"] == []


def test_spec_change_fires_on_a_new_version_of_a_spec_in_scope(con) -> None:
    cid = top_id(con)
    reviews.set_review(con, cid, conditions="spec-change,third-org")
    (scope,) = con.execute("SELECT scope FROM editions ORDER BY edition DESC LIMIT 1").fetchone()
    in_scope = json.loads(scope)[0].rsplit("@", 1)[0]
    later = datetime.now() + timedelta(hours=30)
    con.execute("INSERT INTO specs (name, version, imported_at) VALUES ('someone-elses-policy', '9', ?)", [later])
    assert reviews.review_state(con, cid)["triggered"] == []
    con.execute("INSERT INTO specs (name, version, imported_at) VALUES (?, '2099-01-01', ?)", [in_scope, later])
    fired = reviews.review_state(con, cid)["triggered"]
    assert [t["condition"] for t in fired] == ["spec-change"] and f"{in_scope}@2099-01-01" in fired[0]["why"]
    due = reviews.due_reviews(con)
    assert due[0]["id"] == cid and any("spec in scope" in r for r in due[0]["reasons"])


def test_conditions_and_dates_are_checked() -> None:
    assert reviews.parse_conditions(["third-org,spec-change", "third-org"]) == ["third-org", "spec-change"]
    assert reviews.parse_conditions("none") == []
    with pytest.raises(BadInput, match="reopen-when"):
        reviews.parse_conditions("moon-phase")
    assert reviews.parse_day("2026-02-03") == date(2026, 2, 3) and reviews.parse_day("none") is None
    with pytest.raises(BadInput, match="not a date"):
        reviews.parse_day("next week")


# --- the alert and the exports -----------------------------------------------------------------------


def test_a_due_review_has_its_own_section_in_the_alert(con) -> None:
    cid = top_id(con)
    reviews.set_review(con, cid, due=reviews.today() - timedelta(days=1))
    sent = []
    res = alerts.alert(con, "https://hooks.example.org/x", post=lambda url, **kw: sent.append(kw) or _Ok())
    assert [r["id"] for r in res.reviews] == [cid]
    texts = [b["text"]["text"] for b in sent[0]["json"]["blocks"] if b["type"] == "section"]
    assert any(t.startswith("*Reviews due (1)*") and cid in t for t in texts)
    assert res.as_json()["reviews"][0]["id"] == cid


class _Ok:
    status_code = 200
    text = ""


def test_exports_carry_ratings_checklist_and_review(con, tmp_path: Path) -> None:
    cid = top_id(con)
    criteria.rate(con, cid, "public_reason", 5, by="ana")
    criteria.rate(con, cid, "public_reason", 2, by="bo")
    checklist.tick(con, cid, "evaluations", True, by="ana")
    reviews.set_review(con, cid, due="2030-01-01", conditions="spec-change")
    data = export.gather(con)
    md = export.to_markdown(data)
    assert "Defensible by public reason" in md and "Evaluations (ana" in md and "Review by 2030-01-01" in md
    csv_text = export.to_csv(data)
    assert "public_reason=5 by ana" in csv_text and "2030-01-01" in csv_text and "evaluations" in csv_text
    doc = json.loads(export.to_json(data))
    c = next(x for x in doc["candidates"] if x["id"] == cid)
    assert {r["by"] for r in c["ratings"]} == {"ana", "bo"} and c["review"]["conditions"] == ["spec-change"]
    assert "Review by 2030-01-01" in export.to_html(data)
    from openpyxl import load_workbook  # openpyxl only to read the workbook back

    out = tmp_path / "x.xlsx"
    out.write_bytes(export.to_xlsx(data))
    wb = load_workbook(out)
    assert [[c.value for c in r][5:7] for r in wb["ratings"].iter_rows(min_row=2)] == [[5, "ana"], [2, "bo"]]
    assert wb["checklist"]["C2"].value == "evaluations"


# --- CLI ----------------------------------------------------------------------------------------------


def run(capsys, *args: str):
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse's own refusals
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_rate_checklist_triage_review_and_reviews(demo_db: Path, capsys) -> None:
    db = ["--db", str(demo_db)]
    code, out, _ = run(capsys, "candidates", "--format", "json", "--limit", "1", *db)
    cid = json.loads(out)[0]["id"]
    assert json.loads(out)[0]["review"] == {"due": None, "conditions": [], "triggered": [], "is_due": False,
                                            "snoozed_until": None, "set_at": None, "set_by": None}
    assert run(capsys, "rate", cid, "--criterion", "meshes", "--score", "4", "--by", "ana", *db)[0] == 0
    code, out, _ = run(capsys, "rate", cid, "--criterion", "meshes", "--score", "2", "--by", "bo", "--format", "json", *db)
    assert code == 0 and sorted(r["score"] for r in json.loads(out)["ratings"]) == [2, 4]
    code, out, _ = run(capsys, "checklist", cid, "signpost", "--done", "--by", "ana", "--format", "json", *db)
    assert code == 0 and next(s for s in json.loads(out)["checklist"] if s["item"] == "signpost")["by"] == "ana"
    code, out, _ = run(capsys, "triage", cid, "--review-by", "2020-01-01", "--reopen-when", "third-org",
                       "--reopen-when", "spec-change", "--format", "json", *db)
    assert code == 0 and json.loads(out)["review"]["conditions"] == ["third-org", "spec-change"]
    code, out, _ = run(capsys, "candidates", "--format", "json", *db)
    c = next(x for x in json.loads(out) if x["id"] == cid)
    assert c["review"]["due"] == "2020-01-01" and c["review"]["is_due"]
    assert {r["by"] for r in c["ratings"]} == {"ana", "bo"}
    code, out, _ = run(capsys, "reviews", "--format", "json", *db)
    assert [d["id"] for d in json.loads(out)] == [cid]
    assert run(capsys, "triage", cid, "--snooze", "7", *db)[0] == 0
    assert json.loads(run(capsys, "reviews", "--format", "json", *db)[1]) == []
    for bad in (["rate", cid, "--criterion", "nope", "--score", "3", "--by", "x"],
                ["rate", cid, "--criterion", "meshes"],
                ["checklist", cid, "press", "--done"],
                ["triage", cid, "--reopen-when", "moon"],
                ["triage", cid, "--review-by", "tomorrow"]):
        code, out, err = run(capsys, *bad, *db)
        assert code == 2 and out == "" and len(err.strip().splitlines()) == 1, bad
    code, out, _ = run(capsys, "rate", cid, "--format", "json", *db)
    assert len(json.loads(out)["ratings"]) == 2  # the refused writes wrote nothing


def test_a_merge_moves_ratings_with_their_drafts_and_the_ticks(con) -> None:
    from scanner.embed import HashingEmbedder
    from scanner.scanning.grouping import merge

    survivor, absorbed = [c["id"] for c in report.candidates(con, with_items=False)[:2]]
    v = triage.save_draft(con, absorbed, "The model says so.", author="ana")
    criteria.rate(con, absorbed, "executable", 4, by="ana")
    checklist.tick(con, absorbed, "evaluations", True, by="ana")
    merge(con, survivor, absorbed, HashingEmbedder().name)
    assert [(r["draft"], r["score"]) for r in criteria.ratings(con, survivor)] == [(v + 1000, 4)]
    assert [d["version"] for d in triage.drafts(con, survivor)] == [v + 1000]
    assert {s["item"] for s in checklist.checklist(con, survivor) if s["done"]} == {"evaluations"}
