"""The meeting's record of one affordance beyond its triage, as the candidate JSON carries it:
``ratings`` (current, per person, criterion and draft), ``checklist`` (each transition step with
who ticked it and when) and ``review`` (date, conditions, what fired)."""

from __future__ import annotations

from typing import Any

from scanner.team import checklist, criteria, reviews


def meeting_record(con: Any, cid: str, *, full: bool = False) -> dict[str, Any]:
    """``{ratings, checklist, review}``; with ``full``, also every rating and every tick
    (``ratings_history``, ``checklist_history``), oldest first."""
    rated = criteria.history(con, cid)
    ticks = checklist.events(con, cid)
    out: dict[str, Any] = {
        "ratings": criteria.current(rated),
        "checklist": checklist.state(ticks),
        "review": reviews.review_state(con, cid),
    }
    if full:
        out["ratings_history"] = rated
        out["checklist_history"] = ticks
    return out
