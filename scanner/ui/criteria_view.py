"""The Candidate page's two views of the criteria ratings of one draft: how far the raters
disagree on each criterion (every rater's score, and the min–max range), and which criteria
pull against each other for this draft (`scanner.team.criteria.tensions`)."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

from scanner.team import criteria
from scanner.ui.widgets import CRITERIA_ESSAY, essay_link, md_text

_RANGE = "#c7d3cc"
_DOT = "#2166ac"
_MEAN = "#b2182b"


def draft_name(draft: int | None, latest: int | None = None) -> str:
    if draft is None:
        return "No draft: the affordance as such"
    return f"Draft version {draft}" + (" (latest)" if draft == latest else "")


def spread_figure(per_criterion: list[dict[str, Any]]) -> go.Figure:
    """One row per criterion (`criteria.spread`'s output): a bar from the lowest to the highest
    score, a diamond at the mean, and a dot per score given (hover: who gave it; people who gave
    the same score share a bigger dot). Unrated criteria keep their
    row, empty, so every figure has the same rows."""
    names = [c["name"] for c in per_criterion]
    fig = go.Figure()
    rated = [c for c in per_criterion if c["n"]]
    fig.add_trace(go.Bar(
        y=[c["name"] for c in rated], x=[max(c["spread"], 0.08) for c in rated],
        base=[c["min"] - (0.04 if c["spread"] == 0 else 0) for c in rated],
        orientation="h", marker_color=_RANGE, name="lowest to highest", hoverinfo="skip", width=0.5,
    ))
    fig.add_trace(go.Scatter(
        y=[c["name"] for c in rated], x=[c["mean"] for c in rated], mode="markers", name="mean",
        marker=dict(symbol="diamond", size=9, color=_MEAN), hovertemplate="mean %{x:.2f}<extra>%{y}</extra>",
    ))
    ys, xs, who, sizes = [], [], [], []
    for c in rated:  # people who gave the same score share one dot, bigger for more of them
        same: dict[int, list[str]] = {}
        for person, score in c["scores"].items():
            same.setdefault(score, []).append(person)
        for score, people in sorted(same.items()):
            ys.append(c["name"])
            xs.append(score)
            who.append(", ".join(people))
            sizes.append(10 + 4 * (len(people) - 1))
    fig.add_trace(go.Scatter(
        y=ys, x=xs, mode="markers", name="raters' scores (bigger: more raters)", customdata=who,
        marker=dict(size=sizes, color=_DOT, opacity=0.7, line=dict(width=1, color="white")),
        hovertemplate="%{customdata}: %{x}<extra>%{y}</extra>",
    ))
    fig.update_layout(
        height=90 + 30 * len(names), margin=dict(l=10, r=10, t=30, b=40), font=dict(size=13),
        legend=dict(orientation="h", y=1.0, yanchor="bottom", x=0), plot_bgcolor="white", bargap=0.4,
        xaxis=dict(range=[0.5, 5.5], dtick=1, title="score (1 poorly … 5 very well)", gridcolor="#eeeeee"),
        yaxis=dict(categoryorder="array", categoryarray=list(reversed(names)), type="category"),
    )
    return fig


def criteria_views(rows: list[dict[str, Any]], draft: int | None, latest: int | None) -> None:
    """Spread per criterion and the tensions, for ``draft`` (rows: the candidate's ``ratings``)."""
    per = criteria.spread(rows, draft)
    raters = sorted({p for c in per for p in c["scores"]})
    st.markdown(f"**How the raters see {md_text(draft_name(draft, latest).lower())}**")
    if not raters:
        st.caption("Nobody has rated this draft yet.")
        return
    st.caption(
        f"{len(raters)} rater(s): {md_text(', '.join(raters))}. Each dot is one person's current score; "
        "the grey bar runs from the lowest to the highest, so a long bar is a disagreement to talk "
        "through; the diamond is the mean."
    )
    with st.container(key="criteria_spread"):
        st.plotly_chart(spread_figure(per), key="criteria_spread_chart")
        st.dataframe(
            [{"criterion": c["name"], "raters": c["n"], "min": c["min"], "max": c["max"], "spread": c["spread"],
              "mean": c["mean"], "scores": ", ".join(f"{p} {s}" for p, s in c["scores"].items())}
             for c in per if c["n"]],
            hide_index=True, key="criteria_spread_table",
            column_config={"mean": st.column_config.NumberColumn(format="%.2f")},
        )
    st.markdown("**Criteria that pull against each other**")
    st.caption(
        f"A *trade-off*: the team scores the draft {criteria.TRADE_GAP:g}+ points higher on one criterion "
        "(4 or more) than on another (2 or less), so the draft buys one at the price of the other. "
        f"*Raters split*: among {criteria.MIN_SHARED}+ people who scored both, the scores correlate at "
        f"r ≤ {criteria.NEGATIVE_R:g}: whoever rates it high on one rates it low on the other, so the "
        f"disagreement is about which of the two matters. After {essay_link(CRITERIA_ESSAY)}, which "
        "expects its criteria to clash."
    )
    found = criteria.tensions(per)
    with st.container(key="criteria_tensions"):
        if not found:
            st.caption("No pair pulls against each other on these ratings.")
        for t in found:
            st.markdown(f"- **{md_text(criteria.name_of(t['high']))}** ↔ **{md_text(criteria.name_of(t['low']))}** "
                        f"· {t['kind']} · {md_text(t['why'])}")
