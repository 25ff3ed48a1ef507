"""Explore: every stored item, searchable, with its verdict and its affordance."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from scanner.ui import resources
from scanner.ui.filters import filter_items
from scanner.ui.widgets import EVIDENCE_HELP, require_data

st.title("Explore")
st.caption("Every announcement the scanner has stored, whether or not it counted as an affordance.")
db = require_data(edition=False)
rows = resources.items(*db)
if not rows:
    st.info("No item yet. Run `wetcement demo`, or add sources and run `wetcement scan`.")
    st.stop()

days = sorted(r["published"][:10] for r in rows if r.get("published"))
first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
with st.container(key="explore_filters"):
    text = st.text_input("Search titles and summaries", key="explore_text", placeholder="e.g. memory, payments, camera")
    c1, c2, c3, c4 = st.columns([1.8, 1.8, 2.6, 1.2])
    with c1:
        orgs = st.multiselect("Organisation", sorted({r["org"] for r in rows if r.get("org")}), key="explore_orgs")
    with c2:
        srcs = st.multiselect(
            "Source", sorted({s for r in rows for s in [r.get("source"), *r.get("sources", [])] if s}),
            key="explore_sources",
        )
    with c3:
        span = st.date_input("Published between", (first, last), min_value=first, max_value=last, key="explore_dates")
    with c4:
        kind = st.selectbox("Affordance?", ["any", "yes", "no"], key="explore_affordance")

evidence = {s["name"]: s["evidence"] for s in resources.sources(*db)}
start, end = (span if isinstance(span, tuple | list) and len(span) == 2 else (first, last))
shown = filter_items(
    rows, text=text, orgs=orgs, sources=srcs, start=start, end=end,
    affordance={"any": None, "yes": True, "no": False}[kind],
)
st.caption(f"{len(shown)} of {len(rows)} items")
frame = pd.DataFrame(
    [
        {
            "published": (r.get("published") or "")[:10],
            "org": r.get("org") or "",
            "title": r.get("title") or "",
            "affordance": bool(r.get("is_affordance")),
            "capability": r.get("capability") or "",
            "coverage": r.get("coverage"),
            "candidate": r.get("candidate_id") or "",
            "source": r.get("source") or "",
            "evidence": evidence.get(r.get("source"), ""),
            "url": r.get("url"),  # already checked by safe_link: http(s) or nothing
            "why": r.get("affordance_reasons") or "",
        }
        for r in shown
    ],
    columns=["published", "org", "title", "url", "evidence", "affordance", "capability", "coverage", "candidate",
             "source", "why"],
)
st.dataframe(
    frame,
    hide_index=True,
    key="explore_table",
    height=600,
    column_config={
        "org": st.column_config.TextColumn(width=120),
        "title": st.column_config.TextColumn(width="large"),
        "url": st.column_config.LinkColumn("link", display_text="open ↗", width="small"),
        "coverage": st.column_config.NumberColumn(format="%.2f", help="How closely the specs in scope address it"),
        "evidence": st.column_config.TextColumn(help=EVIDENCE_HELP),
        "why": st.column_config.TextColumn("verdict reasons", width="medium"),
    },
)
