"""The meeting's record of one affordance beyond its triage, as the candidate JSON carries it:
``ratings`` (current, per person, criterion and draft), ``checklist`` (each transition step with
who ticked it and when) and ``review`` (date, conditions, what fired).

One query reads the ratings, the ticks and whether a review exists (the candidate list calls
this once per affordance); only an affordance with a review costs the trigger checks."""

from __future__ import annotations

from typing import Any

from scanner.team import checklist, criteria, reviews

_RECORD_SQL = """
SELECT 'rating' AS kind, rated_at AS stamp, author, criterion AS what, score AS value, draft FROM ratings
WHERE candidate_id = $cid
UNION ALL
SELECT 'tick', ticked_at, author, item, CAST(done AS INTEGER), NULL FROM checklist_events WHERE candidate_id = $cid
UNION ALL
SELECT 'review', NULL, NULL, NULL, count(*), NULL FROM reviews WHERE candidate_id = $cid
ORDER BY kind, stamp, what, author
"""
_NO_REVIEW: dict[str, Any] = {"due": None, "conditions": [], "triggered": [], "is_due": False, "snoozed_until": None,
              "set_at": None, "set_by": None}


def _stamp(value: Any) -> str:
    return str(value.isoformat(sep=" ", timespec="seconds"))


def meeting_record(con: Any, cid: str, *, full: bool = False) -> dict[str, Any]:
    """``{ratings, checklist, review}``; with ``full``, also every rating and every tick
    (``ratings_history``, ``checklist_history``), oldest first."""
    rated, ticks, has_review = [], [], False
    for kind, at, author, what, value, draft in con.execute(_RECORD_SQL, {"cid": cid}).fetchall():
        if kind == "rating":
            rated.append({"by": author, "criterion": what, "score": int(value), "draft": draft, "at": _stamp(at)})
        elif kind == "tick":
            ticks.append({"item": what, "done": bool(value), "by": author, "at": _stamp(at)})
        else:
            has_review = bool(value)
    out: dict[str, Any] = {
        "ratings": criteria.current(rated),
        "checklist": checklist.state(ticks),
        "review": reviews.review_state(con, cid) if has_review else dict(_NO_REVIEW, conditions=[], triggered=[]),
    }
    if full:
        out["ratings_history"] = rated
        out["checklist_history"] = ticks
    return out
