"""The Radar's "how stable is the top 10" section (`scanner.views.sensitivity`)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from scanner.views.sensitivity import TOP, sensitivity

DELTA = 0.2


def top10_stability(rows: list[dict[str, Any]]) -> None:
    """Each weight moved by ±20% in turn, the edition ranked again: how many of the top 10 stay,
    and the best and worst rank each of them reaches."""
    if not rows:
        return
    result = sensitivity(rows, rows[0]["weights"], DELTA)
    kept, n = result["top10_min_kept"], min(TOP, len(rows))
    st.subheader(f"How stable is the top {n}")
    fragile = [r for r in rows[:TOP] if result["candidates"][r["id"]]["fragile"]]
    st.caption(
        f"Each weight moved by ±{DELTA:.0%} in turn ({len(result['scenarios'])} rankings): at least {kept} of "
        f"the top {n} stay in it every time. "
        + (f"{len(fragile)} of them can leave it: their place rests on the weights chosen."
           if fragile else "None of them leaves it: the top does not rest on the exact weights.")
    )
    worst = max(result["scenarios"], key=lambda s: len(s["left_top10"]), default=None)
    if worst and worst["left_top10"]:
        st.caption(f"The largest change: {worst['weight']} {worst['change']} swaps {len(worst['left_top10'])} "
                   "affordance(s) out of the top.")
    st.dataframe(
        [
            {"rank": r["rank"], "affordance": r["label"],
             "best": result["candidates"][r["id"]]["best"], "worst": result["candidates"][r["id"]]["worst"],
             "can leave the top": "yes" if result["candidates"][r["id"]]["fragile"] else ""}
            for r in rows[:TOP]
        ],
        hide_index=True, key="radar_stability",
        column_config={"best": st.column_config.NumberColumn(help=f"Best rank under ±{DELTA:.0%} weight changes"),
                       "worst": st.column_config.NumberColumn(help=f"Worst rank under ±{DELTA:.0%} weight changes")},
    )
