"""Review triggers: a decision carries a review-by date and conditions that reopen it.

Conditions (`CONDITIONS`):

* ``third-org``: a third organisation ships it — at least three organisations have counted
  items in the affordance now, and at least one of them is new since the decision;
* ``coverage-drop``: its coverage fell — the latest edition's coverage is `COVERAGE_MARGIN` or
  more below the value at decision time, or its level fell (governs → partly → open);
* ``spec-change``: a spec in scope changed — a version of a spec in the latest edition's scope
  (any spec, before the first scan) was imported after the decision.

Every setting is a row of ``reviews`` (kind ``set``) with the affordance as it stood then
(coverage, level, organisations), so a condition compares with the moment of the decision;
a snooze is a row of kind ``snooze``. Rows are never changed: the latest ``set`` row is the
review, and a snooze counts when it is newer than that row. A review is *due* when its date
has come or a condition fired, unless it is snoozed past today.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from scanner.errors import BadInput
from scanner.judge.coverage import level
from scanner.team.triage import _exists, clean_text

CONDITIONS = {
    "third-org": "a third organisation ships it",
    "coverage-drop": "its coverage drops",
    "spec-change": "a spec in scope changes",
}
COVERAGE_MARGIN = 0.05
THIRD = 3
_LEVELS = {"open": 0, "partly": 1, "governs": 2}
KEEP: Any = object()  # set_review: leave this part as it is


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    return _now().date()


def parse_conditions(values: Iterable[str] | str | None) -> list[str]:
    """``third-org,spec-change`` or several values; ``none`` alone clears them."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    wanted = [v.strip().lower() for value in values for v in str(value).split(",") if v.strip()]
    if wanted == ["none"]:
        return []
    for v in wanted:
        if v not in CONDITIONS:
            raise BadInput(f"--reopen-when {v!r} is not one of: {', '.join(CONDITIONS)} (or none)")
    return list(dict.fromkeys(wanted))


def parse_day(text: str | date | None, what: str = "--review-by") -> date | None:
    """A date (YYYY-MM-DD); ``none`` or empty clears it."""
    if text is None or isinstance(text, date):
        return text
    text = str(text).strip()
    if text.lower() in ("", "none"):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{what} {text!r} is not a date (YYYY-MM-DD)") from None


def snapshot(con: Any, cid: str) -> tuple[float | None, str | None, list[str]]:
    """The affordance now: coverage and its level in the latest edition that ranks it, and the
    organisations of its counted items."""
    row = con.execute(
        "SELECT detail FROM edition_candidates WHERE candidate_id = ? ORDER BY edition DESC LIMIT 1", [cid]
    ).fetchone()
    coverage = float(json.loads(row[0]).get("coverage", 0.0)) if row else None
    orgs = [
        org for (org,) in con.execute(
            "SELECT DISTINCT i.org FROM assignments a JOIN items i ON i.id = a.item_id "
            "JOIN item_verdicts v ON v.item_id = i.id WHERE a.candidate_id = ? AND i.org IS NOT NULL "
            "AND coalesce(v.override, v.is_affordance) ORDER BY 1",
            [cid],
        ).fetchall()
    ]
    return coverage, level(coverage), orgs


def _latest(con: Any, cid: str) -> tuple[Any, Any]:
    rows = con.execute(
        "SELECT set_at, kind, due, conditions, snoozed_until, coverage, coverage_level, orgs, author "
        "FROM reviews WHERE candidate_id = ? ORDER BY set_at",
        [cid],
    ).fetchall()
    setting, snooze = None, None
    for r in rows:
        if r[1] == "set":
            setting, snooze = r, None
        elif r[1] == "snooze" and setting is not None:
            snooze = r
    return setting, snooze


def set_review(
    con: Any, cid: str, *, due: Any = KEEP, conditions: Any = KEEP, by: str | None = None
) -> dict[str, Any]:
    """Give the affordance's decision a review-by date and/or conditions (`KEEP` leaves one as it
    was; None or [] clears it), taking the affordance as it stands now as the baseline."""
    cid = _exists(con, cid)
    old, _ = _latest(con, cid)
    new_due = (old[2] if old else None) if due is KEEP else parse_day(due)
    new_conditions = (list(old[3] or []) if old else []) if conditions is KEEP else parse_conditions(conditions)
    coverage, lvl, orgs = snapshot(con, cid)
    now, who = _now(), clean_text(by or "", 120) or None
    con.execute(
        "INSERT INTO reviews VALUES (?, ?, 'set', ?, ?, NULL, ?, ?, ?, ?)",
        [cid, now, new_due, new_conditions, coverage, lvl, orgs, who],
    )
    before = _summary(old[2], list(old[3] or [])) if old else None
    con.execute("INSERT INTO triage_log VALUES (?, ?, 'review', ?, ?, ?)",
                [cid, now, before, _summary(new_due, new_conditions), who])  # in the decisions log
    return review_state(con, cid)


def _summary(due: date | None, conditions: list[str]) -> str:
    return f"by {due.isoformat() if due else '—'}; reopen when {', '.join(conditions) or '—'}"


def snooze(con: Any, cid: str, until: date | str | int, *, by: str | None = None) -> dict[str, Any]:
    """Hide a due review until a date (or for a number of days from today)."""
    cid = _exists(con, cid)
    if _latest(con, cid)[0] is None:
        raise BadInput(f"{cid} has no review to snooze (set one with --review-by or --reopen-when)")
    if isinstance(until, int) or (isinstance(until, str) and until.strip().isdigit()):
        days = int(until)
        if days < 1:
            raise BadInput("snooze for 1 day or more")
        day: date | None = today() + timedelta(days=days)
    else:
        day = parse_day(until, "--snooze")
    if day is None or day <= today():
        raise BadInput("snooze until a day after today (YYYY-MM-DD), or for a number of days")
    now, who = _now(), clean_text(by or "", 120) or None
    con.execute("INSERT INTO reviews VALUES (?, ?, 'snooze', NULL, NULL, ?, NULL, NULL, NULL, ?)", [cid, now, day, who])
    con.execute("INSERT INTO triage_log VALUES (?, ?, 'review', NULL, ?, ?)",
                [cid, now, f"snoozed until {day.isoformat()}", who])
    return review_state(con, cid)


def _fired(con: Any, cid: str, setting: Any) -> list[dict[str, str]]:
    set_at, conditions, coverage0, level0, orgs0 = setting[0], setting[3] or [], setting[5], setting[6], setting[7]
    fired = []
    if "third-org" in conditions or "coverage-drop" in conditions:
        coverage, lvl, orgs = snapshot(con, cid)
    if "third-org" in conditions:
        new = sorted(set(orgs) - set(orgs0 or []))
        if len(orgs) >= THIRD and new:
            fired.append({"condition": "third-org",
                          "why": f"{len(orgs)} organisations ship it now ({', '.join(orgs)}); "
                                 f"new since the decision: {', '.join(new)}"})
    if "coverage-drop" in conditions and coverage is not None and coverage0 is not None:
        fell = _LEVELS.get(lvl or "", 0) < _LEVELS.get(level0 or "", 0)
        if coverage <= coverage0 - COVERAGE_MARGIN or fell:
            fired.append({"condition": "coverage-drop",
                          "why": f"coverage {coverage0:.2f} ({level0}) at the decision, {coverage:.2f} ({lvl}) now"})
    if "spec-change" in conditions:
        changed = _spec_changes(con, set_at)
        if changed:
            fired.append({"condition": "spec-change",
                          "why": "imported since the decision: " + ", ".join(changed)})
    return fired


def _spec_changes(con: Any, since: datetime) -> list[str]:
    row = con.execute("SELECT scope FROM editions ORDER BY edition DESC LIMIT 1").fetchone()
    names = sorted({s.rsplit("@", 1)[0] for s in json.loads(row[0])}) if row else []
    sql = "SELECT name, version FROM specs WHERE imported_at > ?"
    args: list[Any] = [since]
    if names:
        sql += f" AND name IN ({', '.join('?' for _ in names)})"
        args += names
    return [f"{n}@{v}" for n, v in con.execute(sql + " ORDER BY imported_at, name", args).fetchall()]


def review_state(con: Any, cid: str, on: date | None = None) -> dict[str, Any]:
    """``{due, conditions, triggered: [{condition, why}], is_due, snoozed_until, set_at, set_by}``
    for an affordance, as of the day ``on`` (default today)."""
    on = on or today()
    setting, snoozed = _latest(con, cid)
    if setting is None:
        return {"due": None, "conditions": [], "triggered": [], "is_due": False, "snoozed_until": None,
                "set_at": None, "set_by": None}
    due = setting[2]
    triggered = _fired(con, cid, setting)
    until = snoozed[4] if snoozed and snoozed[4] > on else None
    return {
        "due": due.isoformat() if due else None,
        "conditions": list(setting[3] or []),
        "triggered": triggered,
        "is_due": bool((due is not None and due <= on) or triggered) and until is None,
        "snoozed_until": until.isoformat() if until else None,
        "set_at": setting[0].isoformat(sep=" ", timespec="seconds"),
        "set_by": setting[8],
    }


def due_reviews(con: Any, on: date | None = None) -> list[dict[str, Any]]:
    """Every affordance whose review is due on ``on`` (default today): ``{id, label, review,
    reasons}``, the earliest date first, then those due only by a condition."""
    out = []
    for cid, label in con.execute(
        "SELECT DISTINCT r.candidate_id, c.label FROM reviews r JOIN candidates c ON c.id = r.candidate_id "
        "WHERE c.merged_into IS NULL ORDER BY 1"
    ).fetchall():
        state = review_state(con, cid, on)
        if state["is_due"]:
            reasons = [f"review date {state['due']} has come"] if state["due"] and state["due"] <= (on or today()).isoformat() else []
            reasons += [f"{CONDITIONS[t['condition']]}: {t['why']}" for t in state["triggered"]]
            out.append({"id": cid, "label": label, "review": state, "reasons": reasons})
    out.sort(key=lambda d: (d["review"]["due"] or "9999", d["id"]))
    return out
