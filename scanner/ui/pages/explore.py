"""Explore: every stored item, searchable by words or by meaning, with its verdict and its affordance.

The filters run in DuckDB and one page of rows comes back, so the page costs the same with a
year of feeds as with a week (scanner/browse.py)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pandas as pd
import streamlit as st

from scanner.ui import resources
from scanner.ui.full_text import item_detail
from scanner.ui.widgets import EVIDENCE_HELP, require_data
from scanner.views.browse import PAGE_SIZE, Query

st.title("Explore")
st.caption("Every announcement the scanner has stored, whether or not it counted as an affordance.")
db = require_data(edition=False)
facets = resources.explore_facets(*db)
if not facets["items"]:
    st.info("No item yet. Run `wetcement demo`, or add sources and run `wetcement scan`.")
    st.stop()

first, last = facets["first"], facets["last"]
groups = {c["id"]: f"{c['label']} ({c['items']})" for c in facets["candidates"]}
domains = {d["slug"]: d["label"] for d in facets["domains"]}
with st.container(key="explore_filters"):
    s1, s2 = st.columns([5, 1.4])
    with s1:
        text = st.text_input(
            "Search titles and summaries", key="explore_text", placeholder="e.g. memory, payments, camera",
        )
    with s2:
        mode = st.radio(
            "Match", ["words", "meaning"], key="explore_mode", horizontal=True,
            help="Words: every word appears in the title or summary. Meaning: the items closest to "
                 "what you typed, by the same embeddings the scanner groups with.",
        )
    c1, c2, c3, c4 = st.columns([1.8, 1.8, 2.4, 1.2])
    with c1:
        orgs = st.multiselect("Organisation", facets["orgs"], key="explore_orgs")
    with c2:
        srcs = st.multiselect("Source", facets["sources"], key="explore_sources")
    with c3:
        span = st.date_input("Published between", (first, last), min_value=first, max_value=last, key="explore_dates")
    with c4:
        kind = st.selectbox("Affordance?", ["any", "yes", "no"], key="explore_affordance",
                            help="Whether the scanner counted the item as a new affordance at all")
    d1, d2 = st.columns([2, 3])
    with d1:
        picked_domains = st.multiselect(
            "Precedent domain", list(domains), format_func=domains.__getitem__, key="explore_domains",
            help="Items whose capability falls in these domains",
        )
    with d2:
        group = st.selectbox(
            "Affordance", [None, *groups], format_func=lambda c: "any" if c is None else groups[c],
            key="explore_group", help="The items of one affordance (items per affordance in brackets)",
        )

start, end = span if isinstance(span, tuple | list) and len(span) == 2 else (first, last)
query = Query(
    text=text if mode == "words" else "",
    orgs=tuple(orgs), sources=tuple(srcs),
    start=start if start != first else None, end=end if end != last else None,
    affordance={"any": None, "yes": True, "no": False}[kind],
    domains=tuple(picked_domains), candidate=group,
)
fields = asdict(query)
rows: list[dict[str, Any]]
if mode == "meaning" and text.strip():
    rows = resources.explore_by_meaning(*db, text.strip(), fields, PAGE_SIZE)
    st.caption(f"The {len(rows)} items closest in meaning to “{text.strip()}” that the filters keep, "
               f"closest first, of {facets['items']:,} stored.")
else:
    if mode == "meaning":
        st.caption("Type what you are looking for to rank the items by meaning.")
    page = st.session_state.get("explore_page", 1)
    rows, total = resources.explore_search(*db, fields, PAGE_SIZE, (max(1, page) - 1) * PAGE_SIZE)
    n_pages = max(1, -(-total // PAGE_SIZE))
    if page > n_pages:  # the filters narrowed: back to the first page
        st.session_state["explore_page"] = page = 1
        rows, total = resources.explore_search(*db, fields, PAGE_SIZE, 0)
    shown = f"{(page - 1) * PAGE_SIZE + 1:,}–{(page - 1) * PAGE_SIZE + len(rows):,} of " if total > PAGE_SIZE else ""
    st.caption(f"{shown}{total:,} matching items, newest first ({facets['items']:,} stored)")
    if n_pages > 1:
        st.number_input("Page", min_value=1, max_value=n_pages, step=1, key="explore_page", width=160)

evidence = {s["name"]: s["evidence"] for s in resources.sources(*db)}
frame = pd.DataFrame(
    [
        {
            "published": (r.get("published") or "")[:10],
            "org": r.get("org") or "",
            "title": r.get("title") or "",
            "url": r.get("url"),  # already checked by safe_link: http(s) or nothing
            "evidence": evidence.get(r.get("source"), ""),
            "similarity": r.get("similarity"),
            "affordance": bool(r.get("is_affordance")),
            "capability": r.get("capability") or "",
            "coverage": r.get("coverage"),
            "group": r.get("candidate_label") or "",
            "candidate": r.get("candidate_id") or "",
            "source": r.get("source") or "",
            "why": r.get("affordance_reasons") or "",
        }
        for r in rows
    ],
    columns=["published", "org", "title", "url", "evidence", "similarity", "affordance", "capability", "coverage",
             "group", "candidate", "source", "why"],
)
if mode != "meaning" or not text.strip():
    frame = frame.drop(columns=["similarity"])
if not rows:
    st.info("Nothing matches. Clear a filter or two, or try other words.")
picked = st.dataframe(
    frame,
    hide_index=True,
    key="explore_table",
    height=600,
    on_select="rerun",
    selection_mode="single-row",
    column_config={
        "org": st.column_config.TextColumn(width=120),
        "title": st.column_config.TextColumn(width="large"),
        "url": st.column_config.LinkColumn("link", display_text="open ↗", width="small"),
        "similarity": st.column_config.NumberColumn(format="%.2f", help="Cosine of the item to your words"),
        "affordance": st.column_config.CheckboxColumn(help="Counted as a new affordance"),
        "coverage": st.column_config.NumberColumn(format="%.2f", help="How closely the specs in scope address it"),
        "evidence": st.column_config.TextColumn(help=EVIDENCE_HELP),
        "group": st.column_config.TextColumn("affordance group", help="The affordance the item belongs to"),
        "candidate": st.column_config.TextColumn("id", width="small"),
        "why": st.column_config.TextColumn("verdict reasons", width="medium"),
    },
)
item_detail(db, rows, picked.selection.rows if picked else [])
