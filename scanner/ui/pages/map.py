"""Map: the affordances of an edition, or their items, on a plane, near ones near each other."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from scanner.embed import default_embedder
from scanner.ui import charts, resources
from scanner.ui.filters import item_points, map_points
from scanner.ui.widgets import candidate_link, edition_picker, md_text, require_data

st.title("Map")
st.caption(
    "Dots placed by the first two principal components of their embeddings: close dots are about "
    "similar things. Colour is the gap (red: the specs say little). Click a dot to open its affordance."
)
db = require_data()
m1, m2 = st.columns([1, 3])
with m1:
    edition = edition_picker(db, key="map_edition")
with m2:
    show = st.radio(
        "Show", ["affordances", "items"], key="map_show", horizontal=True,
        help="Affordances: one dot each, sized by score, the top ten with their rank. Items: every "
             "item of the edition's affordances, placed by its own embedding.",
    )
rows = resources.candidates(*db, edition)
points = map_points(resources.centroids(*db), rows)
if len(points) < 2:
    st.info("The map needs at least two affordances with embeddings; run `wetcement scan`.")
    st.stop()

if show == "items":
    ids, matrix = resources.item_vectors(*db, default_embedder().name)
    dots = item_points(ids, matrix, rows)
    figure = charts.item_map(dots)
    st.caption(f"{len(dots):,} items of {len(rows)} affordances.")
else:
    dots, figure = points, charts.affordance_map(points)
event = st.plotly_chart(figure, key=f"map_chart_{show}", on_select="rerun", selection_mode="points")
clicked = [dots[p["point_index"]] for p in (event.selection.points if event else []) if "point_index" in p]
if clicked:
    c = clicked[0]
    what = f"{md_text(c['title'])} ({md_text(c['org'])}) in " if show == "items" else ""
    st.markdown(f"{what}**#{c['rank']} {md_text(c['label'])}** · gap {c['gap']:.2f}")
    candidate_link(c["id"])
else:
    st.caption("Click a dot to open its affordance.")

st.markdown("**The widest gaps**")
widest = sorted(points, key=lambda p: -p["gap"])[:10]
st.dataframe(
    pd.DataFrame([{"rank": p["rank"], "affordance": p["label"], "gap": p["gap"], "score": p["score"]} for p in widest]),
    hide_index=True,
    key="map_gaps",
    column_config={"gap": st.column_config.NumberColumn(format="%.2f"), "score": st.column_config.NumberColumn(format="%.2f")},
)
pick = st.selectbox(
    "Open an affordance", [p["id"] for p in points], index=None, key="map_pick",
    format_func=lambda c: next(f"#{p['rank']} {p['label']}" for p in points if p["id"] == c),
    placeholder="choose one",
)
if pick:
    candidate_link(pick)
