"""Chart builders: plain rows in, a plotly figure out. No Streamlit and no database here.

Rows are the dicts of :func:`scanner.views.report.candidates` and :func:`scanner.views.report.items`.
Hover text is passed as data (``customdata`` / ``text``), never as HTML built from feed text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from scanner.judge.rank import COMPONENTS
from scanner.taxonomy import DOMAINS

COMPONENT_COLOURS = {
    "gap": "#b2182b",
    "momentum": "#ef8a62",
    "novelty": "#fddbc7",
    "inertia": "#67a9cf",
    "precedent": "#2166ac",
    "affordance": "#762a83",
    "team_interest": "#999999",
}
SPARE_COLOURS = ("#5aae61", "#c2a5cf", "#8c510a", "#35978f")  # for a component added later
STATUS_ORDER = ("drafting", "watching", "new", "covered", "dismissed")
STATUS_COLOURS = {
    "new": "#8a5a00",
    "watching": "#2166ac",
    "drafting": "#b2182b",
    "covered": "#1b7837",
    "dismissed": "#999999",
}
# Score bands of the radar, inner ring first (the most urgent).
BANDS = (("act now", 0.55), ("assess", 0.40), ("watch", 0.0))
BAND_COLOURS = {"act now": "#b2182b", "assess": "#ef8a62", "watch": "#67a9cf"}
# Cement states (scanner.judge.cement), inner ring first: the wettest is the most open to shaping.
CEMENT_COLOURS = {"wet": "#2166ac", "setting": "#ef8a62", "set": "#999999"}
_FONT = dict(size=13)
MAP_LABELS = 10  # the top ranks get their number written next to their dot


def component_colour(comp: str) -> str:
    if comp in COMPONENT_COLOURS:
        return COMPONENT_COLOURS[comp]
    extra = [c for c in COMPONENTS if c not in COMPONENT_COLOURS]
    return SPARE_COLOURS[extra.index(comp) % len(SPARE_COLOURS)] if comp in extra else "#777777"


def _short(text: str, n: int = 48) -> str:
    """Feed text for a label or hover: one line, cut to ``n``, and no tags for plotly to read."""
    text = " ".join((text or "").split()).replace("<", "‹").replace(">", "›")
    return text if len(text) <= n else text[: n - 1] + "…"


def _wrap(text: str, width: int = 16) -> str:
    """Our own short labels over several lines (plotly breaks lines on <br>)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def _layout(fig: go.Figure, **extra: Any) -> go.Figure:
    extra.setdefault("margin", dict(l=10, r=10, t=40, b=10))
    fig.update_layout(font=_FONT, **extra)
    return fig


def contributions(row: Mapping[str, Any]) -> dict[str, float]:
    """Each component's share of the score: weight × value / sum of weights (they add up)."""
    weights = row.get("weights") or {}
    total = sum(weights.values()) or 1.0
    comps = row.get("components") or {}
    return {k: weights.get(k, 0.0) * comps.get(k, 0.0) / total for k in COMPONENTS}


def score_breakdown(rows: Sequence[Mapping[str, Any]]) -> go.Figure:
    """A horizontal stacked bar per candidate: the parts of its wet-cement score."""
    labels = [f"#{r['rank']} {_short(r['label'], 40)}" for r in rows]
    parts = [contributions(r) for r in rows]
    fig = go.Figure()
    for comp in COMPONENTS:
        if rows and not any(p[comp] for p in parts):
            continue  # a component with weight 0 everywhere adds nothing to read
        fig.add_trace(
            go.Bar(
                name=comp.replace("_", " "),
                y=labels,
                x=[round(p[comp], 4) for p in parts],
                orientation="h",
                marker_color=component_colour(comp),
                customdata=[(r["components"].get(comp, 0.0), r["weights"].get(comp, 0.0)) for r in rows],
                hovertemplate="%{y}<br>"
                + comp
                + ": %{customdata[0]:.2f} × weight %{customdata[1]:.2f} → %{x:.3f}<extra></extra>",
            )
        )
    return _layout(
        fig,
        barmode="stack",
        height=max(260, 28 * len(rows) + 90),
        xaxis_title="wet-cement score (sum of weighted parts)",
        yaxis=dict(autorange="reversed"),
        # plotly lists a stack's traces backwards; keep the legend in the bars' left-to-right order
        legend=dict(orientation="h", y=1.02, x=0, yanchor="bottom", traceorder="normal"),
    )


def strongest_domain(row: Mapping[str, Any]) -> str:
    """The precedent domain a candidate sits in on the radar: its strongest one."""
    pd = row.get("precedent_domains") or {}
    if pd:
        return max(pd, key=lambda k: (pd[k].get("value", 0.0), k))
    return (row.get("domains") or [DOMAINS[0].slug])[0]


def band(score: float) -> str:
    for name, floor in BANDS:
        if score >= floor:
            return name
    return BANDS[-1][0]


def _spread(key: str) -> float:
    """A stable number in [0, 1) for placing a point inside its sector."""
    return int(hashlib.blake2b(key.encode(), digest_size=4).hexdigest(), 16) / 2**32


def radar(rows: Sequence[Mapping[str, Any]], rings: str = "score") -> go.Figure:
    """A technology radar: one sector per precedent domain, rings by score band or by status.

    Inner rings are the most pressing (the highest band; ``drafting`` before ``watching``).
    """
    if rings not in ("score", "status", "cement"):
        raise ValueError("rings is 'score', 'status' or 'cement'")
    ring_names = [b[0] for b in BANDS] if rings == "score" else list(STATUS_ORDER if rings == "status" else CEMENT_COLOURS)
    colours = {"score": BAND_COLOURS, "status": STATUS_COLOURS, "cement": CEMENT_COLOURS}[rings]
    sector = 360 / len(DOMAINS)
    index = {d.slug: i for i, d in enumerate(DOMAINS)}
    fig = go.Figure()
    for ring_no, name in enumerate(ring_names):
        members = [
            r for r in rows if (band(r["score"]) if rings == "score" else r.get("status", "new") if rings == "status"
                                else (r.get("cement") or {}).get("state", "wet")) == name
        ]
        if not members:
            continue
        theta, radius, text, data = [], [], [], []
        for r in members:
            dom = strongest_domain(r)
            start = index.get(dom, 0) * sector
            theta.append(start + sector * (0.12 + 0.76 * _spread(r["id"])))
            radius.append(ring_no + 0.2 + 0.6 * _spread(r["id"][::-1]))
            text.append(_short(r["label"], 60))
            data.append((r["rank"], r["score"], dom, r.get("status", "new")))
        fig.add_trace(
            go.Scatterpolar(
                name=name,
                theta=theta,
                r=radius,
                mode="markers",
                marker=dict(size=12, color=colours[name], line=dict(width=1, color="white")),
                text=text,
                customdata=data,
                hovertemplate="#%{customdata[0]} %{text}<br>score %{customdata[1]:.2f}"
                "<br>%{customdata[2]} · %{customdata[3]}<extra></extra>",
            )
        )
    return _layout(
        fig,
        height=560,
        margin=dict(l=110, r=110, t=50, b=40),
        legend=dict(title={"score": "score band", "status": "status", "cement": "cement"}[rings], orientation="h", y=-0.05),
        polar=dict(
            radialaxis=dict(
                range=[0, len(ring_names)],
                tickvals=[i + 0.5 for i in range(len(ring_names))],
                ticktext=ring_names,
                showline=False,
                gridcolor="#ddd",
            ),
            angularaxis=dict(
                tickvals=[(i + 0.5) * sector for i in range(len(DOMAINS))],
                ticktext=[_wrap(d.label) for d in DOMAINS],
                direction="clockwise",
                rotation=90,
                gridcolor="#ddd",
            ),
        ),
    )


def timeline(items: Sequence[Mapping[str, Any]]) -> go.Figure:
    """A candidate's items over time, one row per organisation."""
    fig = go.Figure(
        go.Scatter(
            x=[i["published"] for i in items],
            y=[_short(i.get("org") or "(unknown)", 40) for i in items],
            mode="markers",
            marker=dict(size=12, color="#8a5a00"),
            text=[_short(i.get("title") or "", 80) for i in items],
            hovertemplate="%{x}<br>%{y}: %{text}<extra></extra>",
        )
    )
    n_orgs = len({i.get("org") for i in items})
    return _layout(fig, height=max(200, 40 * n_orgs + 100), xaxis_title="published", yaxis_title=None)


def coverage_heatmap(rows: Sequence[Mapping[str, Any]]) -> go.Figure:
    """Affordances × specs, coloured by how closely each spec addresses the affordance."""
    specs = sorted({s for r in rows for s in (r.get("coverage_per_spec") or {})})
    z = [[(r.get("coverage_per_spec") or {}).get(s) for s in specs] for r in rows]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=specs,
            y=[f"#{r['rank']} {_short(r['label'], 44)}" for r in rows],
            zmin=0,
            zmax=1,
            colorscale="YlGnBu",
            colorbar=dict(title="coverage"),
            texttemplate="%{z:.2f}",  # the number in each cell: pale shades alone are hard to compare
            textfont=dict(size=11),
            hovertemplate="%{y}<br>%{x}: %{z:.2f}<extra></extra>",
        )
    )
    return _layout(
        fig,
        height=max(300, 24 * len(rows) + 120),
        yaxis=dict(autorange="reversed"),
        xaxis=dict(side="top"),
    )


def pca_2d(vectors: np.ndarray) -> np.ndarray:
    """The first two principal components (numpy SVD); fewer than two rows give zeros."""
    vectors = np.asarray(vectors, dtype=np.float64)
    if vectors.ndim != 2 or len(vectors) < 2:
        return np.zeros((len(vectors), 2))
    centred = vectors - vectors.mean(axis=0)
    u, s, _vt = np.linalg.svd(centred, full_matrices=False)
    out = u[:, :2] * s[:2]
    if out.shape[1] < 2:
        out = np.pad(out, ((0, 0), (0, 2 - out.shape[1])))
    return out


_POSITIONS = {"top center": (0.0, 1.0), "bottom center": (0.0, -1.0), "middle right": (1.2, 0.0),
              "middle left": (-1.2, 0.0)}


def label_positions(points: Sequence[Mapping[str, Any]]) -> list[str]:
    """Where each rank label goes: above its dot, unless a label placed before (a better rank)
    sits near there; then below, right or left, whichever is farthest from the others."""
    xs = [float(p["x"]) for p in points] or [0.0]
    ys = [float(p["y"]) for p in points] or [0.0]
    sx, sy = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    step = 0.035  # a label's offset from its dot, as a share of the plot
    placed: list[tuple[float, float]] = []
    out = ["top center"] * len(points)
    labelled = [i for i, p in enumerate(points) if (p.get("rank") or MAP_LABELS + 1) <= MAP_LABELS]
    for i in sorted(labelled, key=lambda i: points[i]["rank"]):
        x, y = (float(points[i]["x"]) - min(xs)) / sx, (float(points[i]["y"]) - min(ys)) / sy

        def room(pos: str, x: float = x, y: float = y) -> float:
            dx, dy = _POSITIONS[pos]
            ax, ay = x + dx * step, y + dy * step
            return min((abs(ax - px) + abs(ay - py) for px, py in placed), default=1.0)

        best = "top center" if room("top center") >= 2 * step else max(_POSITIONS, key=room)
        dx, dy = _POSITIONS[best]
        placed.append((x + dx * step, y + dy * step))
        out[i] = best
    return out


def affordance_map(points: Sequence[Mapping[str, Any]]) -> go.Figure:
    """A 2-D map: one dot per affordance (``x``, ``y``, ``gap``, ``label``, ``rank``); the top
    ranks carry their number, and the hover shows the label."""
    fig = go.Figure(
        go.Scatter(
            x=[p["x"] for p in points],
            y=[p["y"] for p in points],
            mode="markers+text",
            marker=dict(
                size=[10 + 14 * p.get("score", 0.0) for p in points],
                color=[p["gap"] for p in points],
                colorscale="RdYlBu_r",
                cmin=0,
                cmax=1,
                colorbar=dict(title="gap"),
                line=dict(width=1, color="white"),
            ),
            text=[f"#{p['rank']}" if (p.get("rank") or MAP_LABELS + 1) <= MAP_LABELS else "" for p in points],
            textposition=label_positions(points),
            customdata=[(p.get("rank"), p["gap"], _short(p["label"], 70)) for p in points],
            hovertemplate="#%{customdata[0]} %{customdata[2]}<br>gap %{customdata[1]:.2f}<extra></extra>",
        )
    )
    return _plane(fig)


def item_map(points: Sequence[Mapping[str, Any]]) -> go.Figure:
    """A 2-D map of single items (``x``, ``y``, ``gap``, ``title``, ``org``, ``label``, ``rank``),
    coloured by their affordance's gap; WebGL, so tens of thousands of dots stay smooth."""
    fig = go.Figure(
        go.Scattergl(
            x=[p["x"] for p in points],
            y=[p["y"] for p in points],
            mode="markers",
            marker=dict(
                size=8,
                color=[p["gap"] for p in points],
                colorscale="RdYlBu_r",
                cmin=0,
                cmax=1,
                colorbar=dict(title="gap"),
                opacity=0.8,
                line=dict(width=0.5, color="white"),
            ),
            customdata=[(_short(p["title"], 70), p["org"], p["rank"], _short(p["label"], 50), p["gap"]) for p in points],
            hovertemplate="%{customdata[0]}<br>%{customdata[1]} · #%{customdata[2]} %{customdata[3]}"
                          "<br>gap %{customdata[4]:.2f}<extra></extra>",
        )
    )
    return _plane(fig)


def _plane(fig: go.Figure) -> go.Figure:
    """The layout of the two maps: a plane of the first two principal components."""
    return _layout(
        fig,
        height=560,
        xaxis=dict(title="first principal component", zeroline=False),
        yaxis=dict(title="second principal component", zeroline=False),
    )
