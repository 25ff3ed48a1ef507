"""The Coverage page's "Who governs what" and "Lead time" tabs, and the Candidate page's
governed-by line (Streamlit's AppTest on a copy of the demo)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from scanner import store
from scanner.scanning.backtest import backtest, latest_result
from scanner.ui.widgets import md_text
from scanner.views.governance import governed_line
from scanner.views.report import candidates
from tests.ui_app import open_page


def editions(db: Path) -> list[tuple]:
    with store.session(db) as con:
        return con.execute("SELECT * FROM edition_candidates ORDER BY edition, rank").fetchall()


def test_the_matrix_shows_each_affordance_against_each_spec(db: Path) -> None:
    with store.session(db) as con:
        rows = candidates(con, with_items=False)
    at = open_page("coverage", timeout=120)
    matrix = at.dataframe(key="governs_matrix").value
    specs = sorted(rows[0]["coverage_by_spec"])
    assert list(matrix.columns) == ["id", "rank", "affordance", *specs]
    assert list(matrix["id"]) == [r["id"] for r in rows[:20]]
    for _, row in matrix.iterrows():
        cand = next(r for r in rows if r["id"] == row["id"])
        assert all(row[s].split(" ")[0] == cand["coverage_by_spec"][s]["level"] for s in specs)
    at.slider(key="governs_top").set_value(5).run()
    assert len(at.dataframe(key="governs_matrix").value) == 5


def test_lead_time_says_how_to_run_one_then_shows_the_kept_result(db: Path) -> None:
    at = open_page("coverage", timeout=120)
    assert any("No backtest yet" in i.value for i in at.info)
    with store.session(db) as con:
        last = con.execute("SELECT max(published) FROM items").fetchone()[0].date()
    result = backtest(db, last - timedelta(days=200), last, 50)
    at = open_page("coverage", timeout=120)
    metrics = {m.label: m.value for m in at.metric}
    median = result["summary"]["median_lead_weeks"]
    assert metrics["Median lead"] == ("—" if median is None else f"{median:+.1f} wk")
    assert metrics["Affordances"] == str(result["summary"]["n"])
    table = next(d.value for d in at.dataframe if "third org" in d.value.columns)
    assert list(table["id"]) == [r["id"] for r in result["affordances"]]


def test_the_button_runs_a_backtest_signed_by_its_writer_and_leaves_editions_alone(db: Path) -> None:
    before = editions(db)
    at = open_page("coverage", state={"author_name": "ana"}, timeout=120)
    at.selectbox(key="backtest_step").set_value(28)
    at.button(key="backtest_run").click().run(timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    with store.session(db) as con:
        kept = latest_result(con)
    assert kept is not None and kept["run_by"] == "ana" and kept["step"] == 28
    assert "Median lead" in {m.label for m in at.metric}
    assert editions(db) == before


def test_the_candidate_page_says_who_governs_it(db: Path) -> None:
    with store.session(db) as con:
        top = candidates(con, with_items=False)[0]
    at = open_page("candidate", timeout=120)
    assert md_text(governed_line(top["coverage_by_spec"])) in [m.value for m in at.markdown]
