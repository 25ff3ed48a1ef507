"""Meeting: what is new and what moved since the last edition, the watchlist, the decisions,
and an agenda to walk through."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from scanner.ui import resources, spec_changes_view, visits
from scanner.ui.downloads import export_buttons
from scanner.ui.reviews_view import due_reviews_section
from scanner.ui.widgets import (
    CRITERIA_ESSAY,
    candidate_link,
    essay_link,
    keep_valid,
    md_text,
    require_data,
    trend_arrow,
)

st.title("Meeting")
st.caption(
    "The weekly scan in one page. For each affordance on the agenda, the Candidate page carries "
    f"the rating form after {essay_link(CRITERIA_ESSAY)}."
)
db = require_data()
eds = [e["edition"] for e in resources.editions(*db)]
latest = eds[-1]
rows = resources.candidates(*db, latest)
by_id = {r["id"]: r for r in rows}

if len(eds) < 2:
    st.info(f"Only one edition ({latest}) so far: everything in it is new. The next scan shows what moved.")
    diff = {"from": None, "to": latest, "entered": [{"id": r["id"], "label": r["label"], "rank": r["rank"]} for r in rows[:10]],
            "left": [], "rose": [], "fell": []}
else:
    since = st.columns([1, 3])[0].selectbox("Since edition", list(reversed(eds[:-1])), key="meeting_since",
                         help=f"Compared with the latest edition, {latest}")
    diff = resources.edition_diff(*db, since, latest)

visits.since_last_visit_table("meeting", rows, latest)  # new or moved since this person's last visit
st.subheader(f"New since {diff['from']}" if diff["from"] else "In the first edition")
if diff["entered"]:
    st.dataframe(pd.DataFrame(diff["entered"])[["rank", "label", "id"]], hide_index=True, key="meeting_entered")
else:
    st.caption("No affordance entered the ranking.")
if diff["left"]:
    st.caption("Left the ranking: " + "; ".join(md_text(c["label"]) for c in diff["left"]))

movers = sorted(diff["rose"] + diff["fell"], key=lambda c: -abs(c["moved"]))
st.subheader("Movers")
if movers:
    st.dataframe(
        pd.DataFrame(
            [{"moved": f"{'▲' if c['moved'] > 0 else '▼'} {abs(c['moved'])}", "from": c["before"], "to": c["after"],
              "label": c["label"], "id": c["id"]} for c in movers[:15]]
        ),
        hide_index=True,
        key="meeting_movers",
    )
else:
    st.caption("Nothing moved.")

spec_changes_view.render(db, diff["from"])

st.subheader("Watchlist")
watch = [r for r in rows if r["status"] in ("watching", "drafting")]
if watch:
    st.dataframe(
        pd.DataFrame(
            [{"rank": r["rank"], "trend": trend_arrow(r), "label": r["label"], "status": r["status"],
              "owner": r["owner"] or "(nobody)", "last note": r["notes"][-1]["text"] if r["notes"] else "",
              "id": r["id"]} for r in watch]
        ),
        hide_index=True,
        key="meeting_watchlist",
    )
    unowned = [r for r in watch if not r["owner"]]
    if unowned:
        st.warning(f"{len(unowned)} watched affordance(s) have no owner.")
else:
    st.caption("Nothing is being watched or drafted yet: set a status on the Candidate page.")

due_reviews_section()  # decisions whose review date came or whose condition fired

st.subheader("Decisions log")
log = resources.decisions(*db, 40)
if log:
    st.dataframe(
        pd.DataFrame([{**h, "affordance": h["label"] or h["id"]} for h in log])[
            ["at", "affordance", "field", "old", "new", "author"]
        ],
        hide_index=True,
        key="meeting_log",
        column_config={"new": st.column_config.TextColumn(width="large")},
    )
else:
    st.caption("No decision recorded yet.")

st.subheader("Agenda")
suggested = list(dict.fromkeys([c["id"] for c in diff["entered"][:5]] + [r["id"] for r in watch] + [c["id"] for c in movers[:3]]))
suggested = [c for c in suggested if c in by_id]
keep_valid("agenda_pick", list(by_id))
if "agenda_pick" not in st.session_state:
    st.session_state["agenda_pick"] = suggested
picked = st.multiselect(
    "Items, in the order you pick them", list(by_id), key="agenda_pick",
    format_func=lambda c: f"#{by_id[c]['rank']} {by_id[c]['label']}",
    help="Suggested: what entered, the watchlist and the biggest movers",
)
lines = [f"# Agenda — edition {latest}", ""]
for n, cid in enumerate(picked, 1):
    r = by_id[cid]
    who = f", owner {r['owner']}" if r["owner"] else ""
    lines.append(f"{n}. {r['label']} (#{r['rank']}, {r['status']}{who}) — {cid}")
agenda = "\n".join(lines) + "\n"
with st.container(key="agenda_list"):
    for n, cid in enumerate(picked, 1):
        r = by_id[cid]
        st.markdown(f"{n}\\. **{md_text(r['label'])}** · #{r['rank']} · {r['status']}"
                    + (f" · {md_text(r['owner'])}" if r["owner"] else ""))
st.download_button("Download the picked items (Markdown)", agenda, file_name=f"agenda-{latest}.md",
                   mime="text/markdown", key="agenda_download", disabled=not picked)
if picked:
    candidate_link(picked[0], label="Start with the first item")

st.subheader("Files for the meeting")
scope = st.radio(
    "What to export", ["The whole edition", "The watchlist (watching and drafting)"],
    key="meeting_export_scope", horizontal=True,
)
watch_only = scope.startswith("The watchlist")
st.caption(
    f"Edition {latest}: the same files as `wetcement export --format …`, made when you click."
)
export_buttons(db, "meeting", latest, statuses=["watching", "drafting"] if watch_only else (),
               what="watchlist" if watch_only else "")
