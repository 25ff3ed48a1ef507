"""The Meeting page's due reviews: decisions whose review date has come or whose reopening
condition fired (`scanner.team.reviews.due_reviews`), each with a snooze."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import streamlit as st

import scanner
from scanner.errors import DatabaseBusy
from scanner.team import reviews
from scanner.ui import access, resources
from scanner.ui.widgets import candidate_link, flash, md_text, reporting_errors

SNOOZE_DAYS = 7


def _due() -> list[dict[str, Any]]:
    """Read afresh on every rerun: a review falls due with the calendar, not only with the data."""
    with scanner.open_store(resources.db_path()) as con:
        return reviews.due_reviews(con)


def _snooze(cid: str, until: Any) -> None:
    with reporting_errors():
        with resources.writing() as con:
            state = reviews.snooze(con, cid, until, by=access.writer())
        flash(f"Review of {cid} snoozed until {state['snoozed_until']}.")


def due_reviews_section() -> None:
    st.subheader("Reviews due")
    try:
        due = _due()
    except DatabaseBusy as exc:
        st.warning(str(exc))
        return
    if not due:
        st.caption("No review is due. Give a decision a review date or conditions in the Candidate "
                   "page's triage, or with `wetcement triage ID --review-by DATE --reopen-when …`.")
        return
    writable = access.can_write()
    with st.container(key="reviews_due"):
        for d in due:
            st.markdown(f"**{md_text(d['label'])}** · {d['id']}")
            for why in d["reasons"]:
                st.caption(md_text(why))
            cols = st.columns([2, 2, 2, 3], vertical_alignment="bottom")
            with cols[0]:
                candidate_link(d["id"], label="Open")
            if writable:
                cols[1].button(f"Snooze {SNOOZE_DAYS} days", key=f"snooze_{d['id']}", on_click=_snooze,
                               args=(d["id"], SNOOZE_DAYS))
                until = cols[2].date_input("Or until", key=f"snooze_until_{d['id']}",
                                           value=reviews.today() + timedelta(days=SNOOZE_DAYS * 2))
                cols[3].button("Snooze until then", key=f"snooze_to_{d['id']}", on_click=_snooze,
                               args=(d["id"], until.isoformat()))
