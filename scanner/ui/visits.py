"""The "since your last visit" marks of the Radar and the Meeting.

The first time a page is drawn in a browser session, it reads when this person last opened it
(`scanner.team.visits`) and records this visit; the marks then stay put for the whole session,
and the next session compares with this one. A server that takes no changes from this session
(`scanner.ui.access`) records nothing and marks nothing.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

import scanner
from scanner.errors import DatabaseBusy
from scanner.team import visits
from scanner.ui import access, resources


def _seen(page: str) -> dict[str, Any] | None:
    """This session's view of the last visit to ``page``: read and recorded once per session."""
    key = f"_visit_{page}"
    if key not in st.session_state:
        st.session_state[key] = None
        if access.can_write():
            person = access.writer() or visits.ANONYMOUS
            try:
                with scanner.open_store(resources.db_path()) as con:
                    last = visits.last_visit(con, person, page)
                    before = visits.ranks_then(con, last)
                    visits.record_visit(con, person, page)
            except DatabaseBusy:
                return None  # a scan is writing: try again on the next run
            st.session_state[key] = {"person": person, "last": last, "before": before}
    return st.session_state[key]


def since_last_visit(page: str, rows: list[dict[str, Any]], edition: str) -> dict[str, str]:
    """Say what is new or moved in ``rows`` (the candidates of ``edition``) since this person's
    last visit to ``page``, and return the mark of each candidate that changed."""
    seen = _seen(page)
    if not seen:
        return {}
    last = seen["last"]
    who = "your" if seen["person"] != visits.ANONYMOUS else "the last nameless"
    if last is None:
        st.caption(f"First visit to this page{' by ' + seen['person'] if who == 'your' else ''}: "
                   "the next one marks what is new or moved since today.")
        return {}
    when = last.seen_at.isoformat(sep=" ", timespec="minutes")
    if not last.edition or edition <= last.edition.isoformat():
        st.caption(f"Since {who} visit ({when}): no newer edition than {last.edition or 'none'}.")
        return {}
    marks = visits.marks(rows, seen["before"])
    new = sum(1 for m in marks.values() if m == "new")
    with st.container(key=f"{page}_since_visit"):
        st.markdown(f":blue-badge[Since {who} visit ({when})] {new} new, {len(marks) - new} moved "
                    f"against edition {last.edition.isoformat()}.")
    return marks


def since_last_visit_table(page: str, rows: list[dict[str, Any]], edition: str) -> None:
    """`since_last_visit`, with the marked candidates listed (best rank first)."""
    marks = since_last_visit(page, rows, edition)
    if marks:
        st.dataframe(
            [{"since your visit": marks[r["id"]], "rank": r["rank"], "label": r["label"], "id": r["id"]}
             for r in rows if r["id"] in marks],
            hide_index=True, key=f"{page}_since_visit_table", height=min(300, 36 * len(marks) + 40),
        )
