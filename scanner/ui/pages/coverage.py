"""Coverage: how closely each spec in scope addresses each affordance, and how specs changed."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from scanner.sources.safety import safe_link
from scanner.specs.impact import UNTOUCHED
from scanner.ui import charts, resources
from scanner.ui.lead_time import governs_matrix, lead_time_section
from scanner.ui.widgets import edition_picker, keep_valid, md_link, md_text, require_data

st.title("Coverage")
st.caption(
    "Coverage is how specifically a spec addresses an affordance's capability (0: it says "
    "nothing close; 1: a clause governs it directly). Low coverage with high momentum is wet cement."
)
db = require_data(edition=False)
specs = resources.specs(*db)
if not specs:
    st.info(
        "No spec in the library yet. Import one with `wetcement specs add FILE --name NAME` "
        "(or run `wetcement demo`)."
    )
    st.stop()

has_edition = bool(resources.editions(*db))
if has_edition:
    with st.columns([1, 3])[0]:
        edition = edition_picker(db, key="coverage_edition")
tab_map, tab_governs, tab_quiet, tab_specs, tab_diff, tab_lead = st.tabs(
    ["Heatmap", "Who governs what", "Clauses nothing touches", "Spec library", "What changed between versions",
     "Lead time"]
)

with tab_map:
    if not has_edition:
        st.info("There is no edition yet: run `wetcement scan` to see coverage per affordance.")
    else:
        rows = resources.candidates(*db, edition)
        n = st.slider("Affordances (by rank)", 1, max(2, len(rows)), min(30, max(2, len(rows))), key="coverage_top")
        if rows:
            st.plotly_chart(charts.coverage_heatmap(rows[:n]), key="coverage_heatmap")
        else:
            st.info("This edition ranks no affordance.")

with tab_governs:
    if not has_edition:
        st.info("There is no edition yet: run `wetcement scan` to see which spec governs which affordance.")
    else:
        governs_matrix(resources.candidates(*db, edition))

with tab_lead:
    lead_time_section()

with tab_quiet:
    if not has_edition:
        st.info("There is no edition yet: run `wetcement scan` to see which clauses no affordance comes near.")
    else:
        threshold = st.slider(
            "Nothing comes closer than", 0.05, 0.6, UNTOUCHED, 0.05, key="quiet_threshold",
            help="A clause counts as untouched when its cosine to every affordance of the edition is below this",
        )
        quiet = resources.untouched_clauses(*db, edition, threshold)
        st.caption(
            f"Clauses of the specs in scope that none of the edition's {quiet['affordances']} affordances comes "
            "near, least touched first: the parts of a spec today's launches leave alone. Useful both ways: "
            "rules that may be dated, and room the next launches may need."
        )
        for key, entry in quiet["specs"].items():
            found = entry["untouched"]
            label = f"{md_text(key)} · {len(found)} of {entry['clauses']} clauses untouched"
            if entry["not_embedded"]:
                label += f" · {entry['not_embedded']} not embedded yet (run a scan)"
            with st.expander(label, expanded=True):
                if not found:
                    st.caption("Every clause has an affordance near it.")
                    continue
                st.dataframe(
                    pd.DataFrame(found, columns=["section", "text", "best_similarity", "nearest_affordance", "link"]),
                    hide_index=True,
                    key=f"quiet_{key}",
                    height=min(400, 36 * len(found) + 40),
                    column_config={
                        "section": st.column_config.TextColumn(width="medium"),
                        "text": st.column_config.TextColumn(width="large"),
                        "best_similarity": st.column_config.NumberColumn("closest", format="%.2f"),
                        "nearest_affordance": st.column_config.TextColumn("nearest affordance"),
                        "link": st.column_config.LinkColumn("link", display_text="open ↗", width="small"),
                    },
                )

with tab_specs:
    st.dataframe(
        pd.DataFrame([{**s, "link": safe_link(s.get("link"))} for s in specs]),
        hide_index=True,
        key="coverage_specs",
        column_config={"link": st.column_config.LinkColumn("link", display_text="open ↗")},
    )
    names = sorted({s["name"] for s in specs})
    name = st.selectbox("Read a spec", names, key="coverage_spec_name")
    versions = [s["version"] for s in specs if s["name"] == name]
    keep_valid("coverage_spec_version", versions)
    version = st.selectbox("Version", list(reversed(versions)), key="coverage_spec_version")
    doc = resources.spec_clauses(*db, name, version)
    words = st.text_input("Find clauses", key="coverage_clause_text", placeholder="words in the section or the text")
    wanted = words.lower().split()
    found = [c for c in doc["clauses"] if all(w in f"{c['section']} {c['text']}".lower() for w in wanted)]
    st.caption(
        (f"{len(found)} of " if wanted else "") + f"{len(doc['clauses'])} clauses"
        + (" · a digest in our own words, not the official text" if doc["is_digest"] else "")
    )
    # one table, however long the spec: a 300-page spec has thousands of clauses
    st.dataframe(
        pd.DataFrame(
            [{"section": c["section"], "text": c["text"], "link": safe_link(c["link"])} for c in found],
            columns=["section", "text", "link"],
        ),
        hide_index=True,
        key="coverage_clauses",
        height=420,
        column_config={
            "section": st.column_config.TextColumn(width="medium"),
            "text": st.column_config.TextColumn(width="large"),
            "link": st.column_config.LinkColumn("link", display_text="open ↗", width="small"),
        },
    )

with tab_diff:
    several = sorted({s["name"] for s in specs if sum(t["name"] == s["name"] for t in specs) >= 2})
    if not several:
        st.info(
            "Every spec has one version. Import a newer one with "
            "`wetcement specs add FILE --name NAME --version NEW` to compare them here."
        )
    else:
        name = st.selectbox("Spec", several, key="coverage_diff_name")
        versions = [s["version"] for s in specs if s["name"] == name]
        keep_valid("coverage_diff_old", versions)
        keep_valid("coverage_diff_new", versions)
        c1, c2 = st.columns(2)
        old = c1.selectbox("Older version", versions, index=len(versions) - 2, key="coverage_diff_old")
        new = c2.selectbox("Newer version", versions, index=len(versions) - 1, key="coverage_diff_new")
        if old == new:
            st.info("Pick two different versions.")
        else:
            d = resources.spec_diff(*db, name, old, new)
            st.markdown(
                f"**{len(d['added'])}** added · **{len(d['removed'])}** removed · "
                f"**{len(d['changed'])}** changed · {d['unchanged']} unchanged"
            )
            for title, rows_, sign in (("Added", d["added"], "+"), ("Removed", d["removed"], "−"), ("Changed", d["changed"], "~")):
                if not rows_:
                    continue
                with st.expander(f"{title} ({len(rows_)})", expanded=title == "Added"):
                    for c in rows_:
                        st.markdown(f"{sign} **{md_link(c['section'], c['link'])}**")
                        if "old_text" in c:
                            st.caption("before: " + md_text(c["old_text"]))
                        st.caption(md_text(c["text"]))
