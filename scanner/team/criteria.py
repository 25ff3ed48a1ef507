"""The first essay's criteria for writing a quality into a spec, rated per draft clause and per
person, and what the ratings say together: how far raters disagree on each criterion, and
which criteria pull against each other for one draft.

The criteria are data (`CRITERIA`), in this project's own words; the essay is the first seed
(shared/seeds/000: criteria for what goes into a model spec). A rating is one row: who, which
draft version (None: the affordance before any draft), which criterion, a score from 1 to 5
(0 withdraws an earlier score), when. Rows are never changed; the latest row per person,
criterion and draft is that person's current rating.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import combinations
from typing import Any

from scanner.errors import BadInput
from scanner.team.triage import _exists, clean_text

SCORES = range(1, 6)  # 1 = poorly, 5 = very well; 0 withdraws a score
WITHDRAW = 0
TRADE_GAP = 2.0  # mean scores this far apart on one draft: the draft trades one for the other
NEGATIVE_R = -0.5  # raters' scores correlated this negatively: the criteria pull apart
MIN_SHARED = 3  # raters who scored both criteria before a correlation means anything


@dataclass(frozen=True)
class Criterion:
    id: str
    name: str
    explanation: str
    family: str


CRITERIA: tuple[Criterion, ...] = (
    Criterion("predictable", "Predictable, with a clear scope",
              "Users and developers can tell from the text alone when it applies and what the model will do.",
              "Useful behaviour"),
    Criterion("scale_invariant", "Holds at any scale and in any setting",
              "The trait stays welcome in a far more capable model and among strangers from another context.",
              "Useful behaviour"),
    Criterion("neutral_roles", "Leaves procedurally neutral roles open",
              "It can be switched off cleanly where the model must act as a negotiator, judge or neutral reporter.",
              "Useful behaviour"),
    Criterion("checkable", "Checkable by outsiders",
              "Two independent readers of the clause would mostly agree on which behaviour complies.",
              "Accountability"),
    Criterion("whistleblowing", "Gives a whistleblower firm ground",
              "A public commitment lets an insider point to the text if training quietly aims elsewhere.",
              "Accountability"),
    Criterion("public_reason", "Defensible by public reason",
              "It can be justified with reasons people of many worldviews would accept, not one creed's.",
              "Coordination"),
    Criterion("schelling_point", "A natural meeting point",
              "Many actors could settle on it, and removing it later would draw an outcry.",
              "Coordination"),
    Criterion("textual_prior", "Brings a good persona with it",
              "Training it pulls the model towards the kind of character that would behave this way, "
              "and that character is a good one.",
              "Trainability"),
    Criterion("near_miss", "Safe when only nearly learnt",
              "An imperfectly trained version of it is still mostly harmless.",
              "Trainability"),
    Criterion("executable", "Something the model can actually do",
              "The model can carry it out from where it sits, so the clause is no fake guardrail.",
              "Trainability"),
    Criterion("meshes", "Sits well with the other principles",
              "After long reflection it neither knocks out another principle nor forces arbitrary choices between them.",
              "Trainability"),
)
BY_ID = {c.id: c for c in CRITERIA}

# The four families rated before this form (kept, unsigned and about no draft, from migration 7).
LEGACY = {
    "usefulness": "Useful behaviour (the earlier four-family form)",
    "evaluability": "Accountability (the earlier four-family form)",
    "coordination": "Coordination (the earlier four-family form)",
    "trainability": "Trainability (the earlier four-family form)",
}


def name_of(criterion: str) -> str:
    c = BY_ID.get(criterion)
    return c.name if c else LEGACY.get(criterion, criterion)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _stamp(value: datetime) -> str:
    return value.isoformat(sep=" ", timespec="seconds")


def latest_draft(con: Any, cid: str) -> int | None:
    row = con.execute("SELECT max(version) FROM drafts WHERE candidate_id = ?", [cid]).fetchone()
    return int(row[0]) if row and row[0] is not None else None


def rate(
    con: Any, cid: str, criterion: str, score: int, *, by: str | None, draft: int | None = None,
    latest: bool = True,
) -> dict[str, Any]:
    """Record one person's score on one criterion for one draft version (default: the latest
    draft, or none when there is no draft yet). Returns the row as the JSON shows it."""
    if criterion not in BY_ID:
        raise BadInput(f"criterion {criterion!r} is not one of: {', '.join(BY_ID)}")
    if not isinstance(score, int) or not (score == WITHDRAW or score in SCORES):
        raise BadInput(f"score {score!r}: give 1 (poorly) to 5 (very well), or 0 to withdraw a score")
    who = clean_text(by or "", 120)
    if not who:
        raise BadInput("a rating needs the rater's name (--by NAME, or 'Your name' in the dashboard)")
    cid = _exists(con, cid)
    if draft is None and latest:
        draft = latest_draft(con, cid)
    elif draft is not None:
        found = con.execute("SELECT 1 FROM drafts WHERE candidate_id = ? AND version = ?", [cid, draft]).fetchone()
        if not found:
            raise BadInput(f"{cid} has no draft version {draft} (see `wetcement drafts list {cid}`)")
    now = _now()
    con.execute("INSERT INTO ratings VALUES (?, ?, ?, ?, ?, ?)", [cid, draft, criterion, score, who, now])
    return {"by": who, "criterion": criterion, "score": score, "draft": draft, "at": _stamp(now)}


def history(con: Any, cid: str) -> list[dict[str, Any]]:
    """Every rating row of an affordance, oldest first (withdrawals included, score 0)."""
    return [
        {"by": r[0], "criterion": r[1], "score": int(r[2]), "draft": r[3], "at": _stamp(r[4])}
        for r in con.execute(
            "SELECT author, criterion, score, draft, rated_at FROM ratings WHERE candidate_id = ? "
            "ORDER BY rated_at, criterion, author",
            [cid],
        ).fetchall()
    ]


def current(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The latest row per (person, criterion, draft) of ``rows`` (oldest first), without the
    withdrawn ones."""
    latest: dict[tuple[Any, str, Any], dict[str, Any]] = {}
    for r in rows:
        latest[(r["by"], r["criterion"], r["draft"])] = r
    return [r for r in latest.values() if r["score"] != WITHDRAW]


def ratings(con: Any, cid: str) -> list[dict[str, Any]]:
    """The current ratings of an affordance: ``[{by, criterion, score, draft, at}]``."""
    return current(history(con, cid))


def drafts_rated(rows: list[dict[str, Any]]) -> list[int | None]:
    """The draft versions that have current ratings, newest first (None, no draft, last)."""
    seen = {r["draft"] for r in rows}
    return sorted((d for d in seen if d is not None), reverse=True) + ([None] if None in seen else [])


def spread(rows: list[dict[str, Any]], draft: int | None) -> list[dict[str, Any]]:
    """Per criterion, for one draft: each rater's score, the count, mean, min, max and the
    spread (max − min), in the order of `CRITERIA` (legacy families after)."""
    by: dict[str, dict[str, int]] = {}
    for r in rows:
        if r["draft"] == draft:
            by.setdefault(r["criterion"], {})[str(r["by"] or "(unsigned)")] = int(r["score"])
    order = [c.id for c in CRITERIA] + [k for k in LEGACY if k in by]
    out = []
    for cid in order:
        scores = by.get(cid, {})
        values = list(scores.values())
        out.append({
            "criterion": cid,
            "name": name_of(cid),
            "scores": dict(sorted(scores.items())),
            "n": len(values),
            "mean": round(sum(values) / len(values), 2) if values else None,
            "min": min(values) if values else None,
            "max": max(values) if values else None,
            "spread": (max(values) - min(values)) if values else None,
        })
    return out


def _pearson(xs: list[float], ys: list[float]) -> float | None:
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sx = math.sqrt(sum((x - mx) ** 2 for x in xs))
    sy = math.sqrt(sum((y - my) ** 2 for y in ys))
    if sx == 0 or sy == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / (sx * sy)


def tensions(per_criterion: list[dict[str, Any]], limit: int = 8) -> list[dict[str, Any]]:
    """Pairs of criteria that pull against each other for one draft (`spread`'s output).

    Two kinds:

    * ``trade-off``: the team's mean scores differ by `TRADE_GAP` or more, one at 4 or above and
      the other at 2 or below — the draft buys one criterion at the price of the other;
    * ``raters split``: among the raters who scored both (at least `MIN_SHARED`), the scores
      correlate at `NEGATIVE_R` or below — whoever rates the draft high on one rates it low on
      the other, so the disagreement is about which of the two matters.

    Strongest first: a trade-off by its gap, a split by −r.
    """
    out: list[dict[str, Any]] = []
    rated = [c for c in per_criterion if c["n"]]
    for a, b in combinations(rated, 2):
        hi, lo = (a, b) if a["mean"] >= b["mean"] else (b, a)
        gap = hi["mean"] - lo["mean"]
        if gap >= TRADE_GAP and hi["mean"] >= 4 and lo["mean"] <= 2:
            out.append({"kind": "trade-off", "high": hi["criterion"], "low": lo["criterion"],
                        "strength": round(gap, 2),
                        "why": f"{hi['name']} scores {hi['mean']:g} on average, {lo['name']} {lo['mean']:g}"})
        shared = sorted(set(a["scores"]) & set(b["scores"]))
        if len(shared) >= MIN_SHARED:
            r = _pearson([a["scores"][p] for p in shared], [b["scores"][p] for p in shared])
            if r is not None and r <= NEGATIVE_R:
                out.append({"kind": "raters split", "high": a["criterion"], "low": b["criterion"],
                            "strength": round(-r, 2),
                            "why": f"across {len(shared)} raters, scores on {a['name']} and {b['name']} "
                                   f"correlate at r = {r:.2f}"})
    out.sort(key=lambda t: (-t["strength"], t["kind"], t["high"], t["low"]))
    return out[:limit]
