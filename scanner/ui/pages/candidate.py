"""Candidate: one affordance in full, and the meeting's decisions about it.

Opened from the Radar (``?id=aff-…``); the id stays in the address, so a reload or a shared
link shows the same affordance.
"""

from __future__ import annotations

import streamlit as st

from scanner.taxonomy import CHANNEL_LABELS
from scanner.ui import (
    access,
    charts,
    defaults_view,
    forms,
    full_text,
    history,
    meeting_forms,
    resources,
)
from scanner.ui.widgets import (
    candidate_link,
    clause_lines,
    md_text,
    require_data,
    show_flashes,
)
from scanner.views.governance import governed_line

st.title("Candidate")
db = require_data()
rows = resources.candidates(*db)
by_id = {r["id"]: r for r in rows}

# The address decides when it names an affordance; otherwise the last one viewed, else the top.
# ("_candidate_asked" is plain state: it outlives visits to other pages, unlike widget state.)
asked = st.query_params.get("id")
if asked and asked != st.session_state.get("_candidate_asked"):
    st.session_state["_candidate_asked"] = asked
    st.session_state["candidate_pick"] = asked
if st.session_state.get("candidate_pick") is None:
    st.session_state["candidate_pick"] = st.session_state.get("_candidate_asked") or (rows[0]["id"] if rows else None)
options = list(by_id)
if st.session_state.get("candidate_pick") not in by_id and st.session_state.get("candidate_pick"):
    options.insert(0, st.session_state["candidate_pick"])

show_flashes()
top = st.columns([3, 1])
with top[0]:
    cid = st.selectbox(
        "Affordance",
        options,
        key="candidate_pick",
        format_func=lambda c: f"#{by_id[c]['rank']} {by_id[c]['label']}" if c in by_id else c,
    )
with top[1]:
    access.name_field()
if not cid:
    st.info("Pick an affordance.")
    st.stop()
st.query_params["id"] = cid
st.session_state["_candidate_asked"] = cid

extra = resources.candidate(*db, cid)
if extra is None:
    st.warning(f"There is no affordance {md_text(cid)}. Pick one above.")
    st.stop()
if extra["merged_into"]:
    st.info(f"This affordance was merged into {extra['merged_into']}.")
    candidate_link(extra["merged_into"], label=f"Open {extra['merged_into']}")
    st.stop()

row = by_id.get(cid)
st.subheader(md_text(extra["label"]))
if row:
    m = st.columns(5)
    moved = row["previous_rank"] - row["rank"] if row["previous_rank"] else None
    m[0].metric("Rank", f"#{row['rank']}", "new" if row["trend"] == "new" else (moved or None),
                delta_color="off" if row["trend"] == "new" else "normal",
                help="Change since the previous edition (up is a rise)")
    m[1].metric("Score", f"{row['score']:.2f}")
    m[2].metric("Coverage", f"{row['coverage']:.2f}")
    m[3].metric("Items", row["n_items"])
    m[4].metric("Organisations", row["n_orgs"])
    st.caption(f"{cid} · capability {md_text(row['capability'] or '—')} · edition {row['edition']}")
    st.markdown(md_text(governed_line(row.get("coverage_by_spec"))), help="From coverage per spec (Coverage page)")
else:
    st.info("This affordance is not in the latest edition yet (it appears after the next scan).")

main, side = st.columns([3, 2], gap="large")
with side:
    forms.triage_form(cid, extra)
    meeting_forms.review_form(cid, extra["review"])
    forms.notes_history(extra, extra["history"])

with main:
    if row:
        st.markdown("**Why it ranks here**")
        st.markdown(md_text(row["explanation"]))
        adds = charts.contributions(row)
        parts = [
            {"part": k.replace("_", " "), "value": v, "weight": row["weights"].get(k, 0.0), "adds": adds[k]}
            for k, v in row["components"].items()
        ]
        st.dataframe(
            parts, hide_index=True, key="candidate_parts",
            column_config={
                "value": st.column_config.ProgressColumn(min_value=0.0, max_value=1.0, format="%.2f"),
                "weight": st.column_config.NumberColumn(format="%.2f"),
                "adds": st.column_config.NumberColumn(
                    format="%.3f", help="weight × value ÷ sum of weights; the parts add up to the score"),
            },
        )
        st.caption(f"The parts add up to the score, {row['score']:.2f}.")

if row:
    st.divider()
    t_left, t_right = st.columns([3, 2], gap="large")
    with t_left:
        st.markdown(f"**Timeline** · {md_text(', '.join(row['orgs']))}")
        if row["items"]:
            st.plotly_chart(charts.timeline(row["items"]), key="candidate_timeline_chart")
    with t_right:
        st.markdown("**Signals**")
        mom = row["momentum"]
        st.caption(
            f"Momentum: {mom.get('recent_items', 0)} item(s) from "
            f"{md_text(', '.join(mom.get('recent_orgs', [])) or 'no organisation')} in the last "
            f"{mom.get('window_days', '?')} days. First seen {row['first_seen'] or '?'}."
        )
        for ch, v in row["inertia_channels"].items():
            ev = "; ".join(v.get("evidence", [])[:4])
            st.progress(min(1.0, float(v["value"])), text=f"{CHANNEL_LABELS.get(ch, ch)} inertia {v['value']:.2f}"
                        + (f" — {md_text(ev)}" if ev else ""))
        for v in sorted(row["precedent_domains"].values(), key=lambda d: -d["value"])[:3]:
            st.progress(min(1.0, float(v["value"])), text=f"Open precedent: {v['label']} {v['value']:.2f}")

    st.divider()
    defaults_view.defaults_section(row)
    st.divider()
    st.markdown("**Nearest clauses, per spec**")
    per_spec: dict[str, list] = {}
    for c in row["nearest_clauses"]:
        per_spec.setdefault(f"{c['spec']}@{c['version']}", []).append(c)
    specs = sorted(set(row["coverage_per_spec"]) | set(per_spec))
    if not specs:
        st.caption("No spec is in scope.")
    for spec in specs:
        cov = row["coverage_per_spec"].get(spec)
        with st.expander(f"{md_text(spec)} · coverage {cov:.2f}" if cov is not None else md_text(spec), expanded=True):
            clause_lines(per_spec.get(spec, []))
    if access.can_write():
        st.markdown("**Your verdict on coverage**")
        st.caption("Does a spec govern one of these items? Your verdict is kept as a label: the item takes it "
                   "at the next scan, and items close to it move towards it.")
        forms.coverage_verdict_form(extra["items"], specs, row["nearest_clauses"])

st.divider()
st.markdown(f"### Items ({len(extra['items'])})")
forms.items_table(cid, extra["items"])
full_text.items_full_texts(db, extra["items"], key="candidate_full_text")
forms.override_form(cid, extra["items"], extra["ruled_out"])

st.divider()
st.markdown("### Criteria, per draft and per person")
meeting_forms.ratings_section(cid, extra["ratings"], extra["drafts"])
st.markdown("### Transition checklist")
meeting_forms.checklist_form(cid, extra["checklist"], extra["checklist_history"])

st.markdown("### Draft clause")
forms.draft_form(cid, extra["drafts"], db)

st.markdown("### Grouping")
others = {r["id"]: f"#{r['rank']} {r['label']}" for r in rows if r["id"] != cid}
forms.grouping_forms(cid, extra["label"], others, extra["items"])

history.section(db, cid, row)  # rank across editions, merges and splits
