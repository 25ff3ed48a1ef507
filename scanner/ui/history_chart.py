"""The rank history chart: plain rows in, a plotly figure out (no Streamlit, no database).

Rows are the ``history`` of a candidate (`scanner.views.history.with_history`):
``[{edition, rank, score}]``, oldest first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

_FONT = dict(size=13)


def rank_history(history: Sequence[Mapping[str, Any]]) -> go.Figure:
    """Rank across editions as a line, rank 1 at the top (the axis reversed); the score shows on
    hover."""
    fig = go.Figure(
        go.Scatter(
            x=[h["edition"] for h in history],
            y=[h["rank"] for h in history],
            customdata=[[h["score"]] for h in history],
            mode="lines+markers",
            line=dict(color="#b2182b", width=2),
            marker=dict(size=9),
            hovertemplate="edition %{x}<br>rank #%{y}<br>score %{customdata[0]:.3f}<extra></extra>",
        )
    )
    worst = max((int(h["rank"]) for h in history), default=1)
    fig.update_layout(
        font=_FONT, height=260, margin=dict(l=10, r=10, t=30, b=10),
        xaxis=dict(title="edition", type="category"),
        yaxis=dict(title="rank", autorange=False, range=[worst + 0.5, 0.5], dtick=max(1, worst // 6), zeroline=False),
    )
    return fig
