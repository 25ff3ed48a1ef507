"""The Coverage page's two views of "who already governs it": the affordance × spec matrix, and
the backtest's lead time (how early the scanner flagged what later spread, and what a later spec
version came to cover)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

import scanner
from scanner.errors import BadInput, DatabaseBusy
from scanner.scanning import backtest as _backtest
from scanner.ui import access, resources
from scanner.ui.progress import StatusProgress
from scanner.ui.widgets import INERTIA_ESSAY, candidate_link, essay_link, md_text
from scanner.views import governance

LEVEL_COLOURS = {"governs": "#c7e9c0", "partly": "#fff3b0", "open": "#fcd5ce"}
STEPS = (7, 14, 28)


def _colour(cell: Any) -> str:
    level = str(cell).split(" ")[0]
    return f"background-color: {LEVEL_COLOURS[level]}" if level in LEVEL_COLOURS else ""


def governs_matrix(rows: list[dict[str, Any]]) -> None:
    """Affordances of the edition (top N) × specs in scope; a selected row says who governs it
    and links to its candidate page."""
    if not rows:
        st.info("This edition ranks no affordance.")
        return
    n = st.slider("Affordances (by rank)", 1, max(2, len(rows)), min(20, max(2, len(rows))), key="governs_top")
    matrix = governance.spec_matrix(rows, n)
    if not matrix["specs"]:
        st.info("No spec was in scope for this edition.")
        return
    table = pd.DataFrame(governance.matrix_table(matrix))
    st.caption(
        "Each cell is the level (governs, partly, open) and the value of coverage of that spec version. "
        "Select a row to read who governs it and open its candidate page."
    )
    event = st.dataframe(
        table.style.map(_colour, subset=matrix["specs"]),
        hide_index=True,
        key="governs_matrix",
        on_select="rerun",
        selection_mode="single-row",
        column_config={"id": None, "rank": st.column_config.NumberColumn("#", width="small")},
    )
    picked = list(event.selection.rows) if event and event.selection else []
    if picked:
        cid = str(table.iloc[picked[0]]["id"])
        row = next(r for r in rows if r["id"] == cid)
        st.markdown(f"**{md_text(row['label'])}**: {md_text(governance.governed_line(row.get('coverage_by_spec')))}")
        candidate_link(cid)


def _latest() -> dict[str, Any] | None:
    with scanner.open_store(resources.db_path()) as con:
        return _backtest.latest_result(con)


def _window() -> tuple[date, date] | None:
    with scanner.open_store(resources.db_path()) as con:
        return _backtest.default_window(con)


def _run(step: int) -> None:
    """Replay the store's scans (a scratch copy) with a progress bar, and keep the result."""
    window = _window()
    if window is None:
        st.error("The store holds no items to replay.")
        return
    with st.status("Replaying the scans in a scratch copy…", expanded=True) as box:
        progress = StatusProgress(box)
        try:
            result = _backtest.backtest(
                resources.db_path(), window[0], window[1], step, progress=progress,
                embedder=resources.embedder_resource(), run_by=access.writer(),
            )
        except (BadInput, DatabaseBusy) as exc:
            box.update(label=f"The backtest did not run: {exc}", state="error")
            return
        box.update(label=f"Replayed {result['editions']} editions in {result['seconds']:.0f} s", state="complete",
                   expanded=False)


def lead_time_section() -> None:
    """The latest kept backtest, and (for those who may write) a button that runs one."""
    st.caption(
        "A backtest replays the scans edition by edition over a scratch copy of this store, each seeing only "
        "what was published by its date, and asks: did the scanner put an affordance in its top 10 before a "
        "third organisation shipped it, while the first defaults were still wet? (" + essay_link(INERTIA_ESSAY) + ")"
    )
    if access.can_write():
        c1, c2 = st.columns([1, 3], vertical_alignment="bottom")
        step = c1.selectbox("Days between editions", STEPS, index=1, key="backtest_step")
        if c2.button("Run the backtest on this store", key="backtest_run", icon=":material/history:"):
            _run(int(step))
    result = _latest()
    if result is None:
        st.info("No backtest yet. Run `wetcement backtest --from DATE --to DATE` (or the button above).")
        return
    s = result["summary"]

    def weeks(v: float | None) -> str:
        return "—" if v is None else f"{v:+.1f} wk"

    m = st.columns(4)
    m[0].metric("Median lead", weeks(s["median_lead_weeks"]),
                help="Weeks from the first top-10 place to the third organisation's launch (positive: flagged first)")
    m[1].metric("Affordances", s["n"], help="that reached three organisations inside the replayed window")
    m[2].metric("In a contested top 10", weeks(s.get("median_lead_weeks_contested")),
                help="Counting only editions that ranked more than 10 affordances")
    m[3].metric("At most", weeks(s.get("median_possible_weeks")),
                help="The lead had every affordance been flagged in the first edition it appeared in")
    st.caption(
        f"{result['from']} to {result['to']}, every {result['step']} days: {result['editions']} editions in "
        f"{result['seconds']:.0f} s · run {result.get('run_at', '')}"
        + (f" by {md_text(result['run_by'])}" if result.get("run_by") else "")
    )
    table = pd.DataFrame(
        [
            {"id": r["id"], "affordance": r["label"], "first top 10": r["first_top10"], "third org": r["third_org"],
             "lead (weeks)": r["lead_weeks"], "orgs": len(r["orgs"]), "window": not r["before_window"]}
            for r in result["affordances"]
        ],
        columns=["id", "affordance", "first top 10", "third org", "lead (weeks)", "orgs", "window"],
    )
    st.dataframe(
        table, hide_index=True, key="backtest_affordances",
        column_config={
            "id": None,
            "lead (weeks)": st.column_config.NumberColumn(format="%+.1f"),
            "window": st.column_config.CheckboxColumn("in window", help="the third organisation shipped inside the replay"),
        },
    )
    for pair in result["spec_versions"]:
        found = pair["newly_covered"]
        flagged = sum(1 for r in found if r["in_top20_before"])
        with st.expander(
            f"{md_text(pair['spec'])} {md_text(pair['from_version'])} → {md_text(pair['to_version'])}: "
            f"{len(found)} newly covered, {flagged} of them in the top 20 before"
        ):
            for r in found:
                seen = {True: "in the top 20 before", False: "not in the top 20 before", None: "no earlier edition"}
                st.markdown(f"- {md_text(r['label'])} · {r['from_level']} → {r['to_level']} · {seen[r['in_top20_before']]}")
