"""The Candidate page's history: rank across editions, and the log of merges and splits."""

from __future__ import annotations

from typing import Any

import streamlit as st

from scanner.ui import resources
from scanner.ui.history_chart import rank_history
from scanner.ui.widgets import candidate_link, md_text

SHOWN_EVENTS = 20


def section(db: tuple[str, tuple[Any, ...]], cid: str, row: dict[str, Any] | None) -> None:
    """Rank and score in every edition the affordance was in, then who merged, split, moved or
    relabelled it, when, and the other affordance, linked."""
    st.markdown("### History")
    past = (row or {}).get("history") or []
    if len(past) > 1:
        first, last = past[0], past[-1]
        st.caption(f"Rank #{first['rank']} in {first['edition']}, #{last['rank']} in {last['edition']}: "
                   f"{len(past)} editions. Hover a point for the score.")
        st.plotly_chart(rank_history(past), key="candidate_rank_history")
    elif past:
        st.caption(f"In one edition so far ({past[0]['edition']}, rank #{past[0]['rank']}).")
    else:
        st.caption("Not in an edition yet.")
    events = resources.affordance_events(*db, cid)
    st.markdown(f"**Merges and splits** ({len(events)})")
    if not events:
        st.caption("No merge, split, move or relabel so far.")
    with st.container(key="candidate_events"):
        for n, e in enumerate(events[:SHOWN_EVENTS]):
            who = md_text(e["by"] or "not recorded")
            other = f" {md_text(e['other_label'])} ({md_text(e['other'])})" if e["other"] else ""
            extra = f" · {md_text(e['detail'])}" if e["detail"] else ""
            st.markdown(f"{md_text(e['at'])} · **{who}** · {md_text(e['what'])}{other}{extra}")
            if e["other"]:
                with st.container(key=f"event_link_{n}"):
                    for other_id in e["other"].split(", "):
                        candidate_link(other_id, label=f"Open {other_id}")
    if len(events) > SHOWN_EVENTS:
        st.caption(f"The {SHOWN_EVENTS} latest of {len(events)} are shown.")
