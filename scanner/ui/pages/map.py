"""Map: the affordances of the latest edition on a plane, near ones near each other."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from scanner.ui import charts, resources
from scanner.ui.filters import map_points
from scanner.ui.widgets import candidate_link, edition_picker, md_text, require_data

st.title("Map")
st.caption(
    "Each dot is an affordance, placed by the first two principal components of its items' mean "
    "embedding: close dots are about similar things. Colour is the gap (red: the specs say "
    "little), size the score; the top ten carry their rank. Click a dot to open it."
)
db = require_data()
with st.columns([1, 3])[0]:
    edition = edition_picker(db, key="map_edition")
rows = resources.candidates(*db, edition)
points = map_points(resources.centroids(*db), rows)
if len(points) < 2:
    st.info("The map needs at least two affordances with embeddings; run `wetcement scan`.")
    st.stop()

event = st.plotly_chart(charts.affordance_map(points), key="map_chart", on_select="rerun", selection_mode="points")
clicked = [points[p["point_index"]] for p in (event.selection.points if event else []) if "point_index" in p]
if clicked:
    c = clicked[0]
    st.markdown(f"**#{c['rank']} {md_text(c['label'])}** · gap {c['gap']:.2f} · score {c['score']:.2f}")
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
