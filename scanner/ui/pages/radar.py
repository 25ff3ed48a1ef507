"""Radar: the ranked affordances of an edition, with the parts of each score."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from scanner.judge.rank import rescope
from scanner.taxonomy import DOMAIN_BY_SLUG
from scanner.team.triage import STATUSES
from scanner.ui import charts, resources, stability, visits
from scanner.ui.downloads import export_buttons
from scanner.ui.widgets import (
    INERTIA_ESSAY,
    candidate_link,
    clause_lines,
    edition_picker,
    essay_link,
    item_lines,
    keep_valid,
    md_text,
    require_data,
    show_flashes,
    trend_arrow,
)

TOP_DETAILS = 10
WINDOWS = {0: "any time", 28: "the last 4 weeks", 91: "the last 3 months", 182: "the last 6 months", 365: "the last year"}

st.title("Radar")
st.caption(
    "Affordances that move fast while the specs in scope say little about them: the wet-cement "
    f"moments of {essay_link(INERTIA_ESSAY)}. Each score is shown with the parts that make it up."
)
show_flashes()
db = require_data()

with st.container(key="radar_filters"):
    c1, c2, c3, c4 = st.columns([1.3, 2, 2, 2])
    with c1:
        edition = edition_picker(db, key="radar_edition")
    rows = resources.candidates(*db, edition)
    orgs = sorted({o for r in rows for o in r["orgs"]})
    with c2:
        domains = st.multiselect(
            "Precedent domain",
            list(DOMAIN_BY_SLUG),
            format_func=lambda s: DOMAIN_BY_SLUG[s].label,
            key="radar_domains",
            help="Keep candidates whose strongest open domain, or a flagged one, is among these",
        )
    keep_valid("radar_orgs", orgs)
    with c3:
        org_pick = st.multiselect("Organisation", orgs, key="radar_orgs")
    with c4:
        statuses = st.multiselect("Status", list(STATUSES), key="radar_status")
    meta = next((e for e in resources.editions(*db) if e["edition"] == edition), None)
    scope = list(meta["specs"]) if meta else []
    keep_valid("radar_specs", scope)
    d1, d2 = st.columns([4, 3])
    with d1:
        spec_pick = st.multiselect(
            "Specs in scope", scope, key="radar_specs", placeholder="all the edition's specs",
            help="Rank again as if only these specs counted: the gap becomes what these specs leave open",
        )
    with d2:
        window = st.selectbox(
            "Active within", list(WINDOWS), format_func=WINDOWS.__getitem__, key="radar_window",
            help="Keep affordances with an item published this close to the edition's date",
        )


def keep(r: dict) -> bool:
    if domains and not ({charts.strongest_domain(r), *r["domains"]} & set(domains)):
        return False
    if org_pick and not set(r["orgs"]) & set(org_pick):
        return False
    if window and (r.get("last_seen") or "")[:10] < (date.fromisoformat(edition) - timedelta(days=window)).isoformat():
        return False
    return not statuses or r["status"] in statuses


rescoped = bool(spec_pick) and set(spec_pick) != set(scope)
shown = [r for r in (rescope(rows, spec_pick) if rescoped else rows) if keep(r)]
if meta:
    st.caption(
        f"Edition {edition}: {meta['candidates']} affordances from {meta['items']} items, "
        f"checked against {', '.join(meta['specs']) or 'no spec'}."
        + (f" Ranked again for {', '.join(spec_pick)} alone; the edition's rank is in the table." if rescoped else "")
    )
marks = visits.since_last_visit("radar", rows, edition)  # new or moved since this person's last visit
if not shown:
    st.info("No candidate matches these filters.")
    st.stop()

table = pd.DataFrame(
    [
        {
            "rank": r["rank"],
            **({"edition rank": r["edition_rank"]} if rescoped else {}),
            "trend": trend_arrow(r),
            **({"since your visit": marks.get(r["id"], "")} if marks else {}),
            "affordance": r["label"],
            "score": r["score"],
            "status": r["status"],
            "domain": DOMAIN_BY_SLUG[charts.strongest_domain(r)].label
            if charts.strongest_domain(r) in DOMAIN_BY_SLUG
            else charts.strongest_domain(r),
            "items": r["n_items"],
            "gap": r["components"]["gap"],
            "momentum": r["components"]["momentum"],
            "organisations": ", ".join(r["orgs"]),
            "owner": r["owner"] or "",
            "id": r["id"],
        }
        for r in shown
    ]
)
with st.container(key="radar_table"):
    st.dataframe(
        table,
        hide_index=True,
        key="radar_ranked",
        height=min(420, 36 * len(table) + 40),
        column_config={
            # widths that show rank to domain whole at 1280 pixels; the rest scrolls
            "rank": st.column_config.NumberColumn("#", width=44),
            "trend": st.column_config.TextColumn(
                "trend", width=56, help="▲ rose, ▼ fell, ● same, new: not in the previous edition"),
            "affordance": st.column_config.TextColumn(width=370),
            "score": st.column_config.ProgressColumn(min_value=0.0, max_value=1.0, format="%.2f", width=100),
            "status": st.column_config.TextColumn(width=80),
            "domain": st.column_config.TextColumn("strongest domain", width=170),
            "items": st.column_config.NumberColumn(width=60),
            "gap": st.column_config.NumberColumn(format="%.2f"),
            "momentum": st.column_config.NumberColumn(format="%.2f"),
        },
    )

with st.expander(f"Download edition {edition}" + (" as filtered" if statuses or domains else ""),
                 icon=":material/download:"):
    st.caption(
        "The same files as `wetcement export`, with the status and domain filters above"
        + (" (the organisation filter does not apply to files)." if org_pick else ".")
    )
    export_buttons(db, "radar", edition, statuses=statuses, domains=domains,
                   what="filtered" if statuses or domains else "")

st.subheader("What makes up each score")
top_n = st.slider("Candidates in the chart", 5, 40, 15, key="radar_top_n")
st.plotly_chart(charts.score_breakdown(shown[:top_n]), key="radar_breakdown_chart")

st.subheader("Radar")
left, right = st.columns([5, 2], gap="large")
with right:
    rings = st.radio(
        "Rings", ["score", "status", "cement"], key="radar_rings",
        help="Sectors are the open precedent domains; rings are score bands, triage status, or the cement "
        "state (wet, setting, set: how far vendors already share the same stated defaults)",
    )
    st.caption(
        "Each sector is an open precedent domain from the inertia essay, and each dot an "
        "affordance in its strongest domain. Inner rings are more pressing: a higher score band "
        f"({', '.join(f'{n} ≥ {f:.2f}' for n, f in charts.BANDS[:-1])}, {charts.BANDS[-1][0]} below), "
        "or a status further along."
    )
    counts = pd.Series([charts.strongest_domain(r) for r in shown]).value_counts()
    st.markdown("\n".join(
        f"- {DOMAIN_BY_SLUG[d].label if d in DOMAIN_BY_SLUG else d}: **{n}**" for d, n in counts.items()
    ))
with left:
    st.plotly_chart(charts.radar(shown, rings=rings), key="radar_polar_chart")

st.subheader(f"The top {min(TOP_DETAILS, len(shown))}")
top_details = st.container(key="radar_top")
for r in shown[:TOP_DETAILS]:
    with top_details, st.expander(f"#{r['rank']} {trend_arrow(r)} · {md_text(r['label'])} · score {r['score']:.2f}"):
        st.markdown(md_text(r["explanation"]))
        parts = " · ".join(f"{k.replace('_', ' ')} {v:.2f}" for k, v in r["components"].items())
        st.caption(f"{parts} · status {r['status']}" + (f" · owner {md_text(r['owner'])}" if r["owner"] else ""))
        a, b = st.columns(2)
        with a:
            st.markdown("**Items**")
            item_lines(r["items"], limit=6)
        with b:
            st.markdown("**Nearest clauses**")
            clause_lines(r["nearest_clauses"])
        with st.container(key=f"open_{r['id']}"):
            candidate_link(r["id"], label=f"Open {r['id']} on the candidate page")

stability.top10_stability(rows)  # the edition's top 10 under ±20% weight changes
