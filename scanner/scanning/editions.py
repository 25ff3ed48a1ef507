"""Editions: the ranked list as it stood on a date, kept so that a meeting can ask what moved."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from scanner.errors import BadInput
from scanner.judge.rank import Ranked


def write_edition(
    con: Any,
    day: date,
    weights: dict[str, float],
    scope: list[str],
    n_items: int,
    ranked: list[Ranked],
    details: dict[str, dict[str, Any]],
    judge_version: str | None = None,
) -> None:
    """Replace the edition of ``day`` (inside the caller's transaction: never half written)."""
    con.execute("DELETE FROM edition_candidates WHERE edition = ?", [day])
    con.execute("DELETE FROM editions WHERE edition = ?", [day])
    con.execute(
        "INSERT INTO editions VALUES (?, ?, ?, ?, ?, ?, ?)",
        [day, datetime.now(UTC).replace(tzinfo=None), json.dumps(weights), json.dumps(scope), n_items, len(ranked), judge_version],
    )
    if ranked:
        con.executemany(
            "INSERT INTO edition_candidates VALUES (?, ?, ?, ?, ?, ?)",
            [
                [day, r.id, pos, r.score, json.dumps(r.components), json.dumps(details[r.id])]
                for pos, r in enumerate(ranked, 1)
            ],
        )


def parse_day(value: str, what: str = "date") -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise BadInput(f"{what} {value!r} is not a date in YYYY-MM-DD form") from exc


def list_editions(con: Any) -> list[dict[str, Any]]:
    return [
        {
            "edition": r[0].isoformat(),
            "created_at": r[1].isoformat(sep=" ", timespec="seconds"),
            "weights": json.loads(r[2]),
            "specs": json.loads(r[3]),
            "items": r[4],
            "candidates": r[5],
        }
        for r in con.execute(
            "SELECT edition, created_at, weights, scope, n_items, n_candidates FROM editions ORDER BY edition"
        ).fetchall()
    ]


def latest_edition(con: Any) -> date | None:
    row = con.execute("SELECT max(edition) FROM editions").fetchone()
    return row[0] if row and row[0] else None


def resolve_edition(con: Any, value: str | None) -> date:
    if value:
        day = parse_day(value, "edition")
        if not con.execute("SELECT 1 FROM editions WHERE edition = ?", [day]).fetchone():
            raise BadInput(f"no edition dated {day} (see `wetcement editions list`)")
        return day
    latest = latest_edition(con)
    if latest is None:
        raise BadInput("no edition yet: run `wetcement scan` (or `wetcement demo`)")
    return latest


def previous_edition(con: Any, day: date) -> date | None:
    row = con.execute("SELECT max(edition) FROM editions WHERE edition < ?", [day]).fetchone()
    return row[0] if row and row[0] else None


def ranks(con: Any, day: date) -> dict[str, int]:
    return dict(
        con.execute(
            "SELECT candidate_id, rank FROM edition_candidates WHERE edition = ?", [day]
        ).fetchall()
    )


def trend(rank_now: int, before: dict[str, int] | None, cid: str) -> str:
    if before is None or cid not in before:
        return "new"
    if rank_now < before[cid]:
        return "up"
    if rank_now > before[cid]:
        return "down"
    return "same"


def diff(con: Any, a: str, b: str) -> dict[str, Any]:
    day_a, day_b = resolve_edition(con, a), resolve_edition(con, b)
    ra, rb = ranks(con, day_a), ranks(con, day_b)
    labels = dict(con.execute("SELECT id, label FROM candidates").fetchall())
    # an affordance merged away between the editions counts as its survivor
    merged = dict(con.execute("SELECT id, merged_into FROM candidates WHERE merged_into IS NOT NULL").fetchall())
    ra = {merged.get(k, k): v for k, v in sorted(ra.items(), key=lambda kv: -kv[1])}

    def row(cid: str, **extra: Any) -> dict[str, Any]:
        return {"id": cid, "label": labels.get(cid, cid), **extra}

    entered = [row(c, rank=r) for c, r in sorted(rb.items(), key=lambda kv: kv[1]) if c not in ra]
    left = [row(c, rank=r) for c, r in sorted(ra.items(), key=lambda kv: kv[1]) if c not in rb]
    rose = [
        row(c, before=ra[c], after=r, moved=ra[c] - r)
        for c, r in sorted(rb.items(), key=lambda kv: kv[1])
        if c in ra and r < ra[c]
    ]
    fell = [
        row(c, before=ra[c], after=r, moved=ra[c] - r)
        for c, r in sorted(rb.items(), key=lambda kv: kv[1])
        if c in ra and r > ra[c]
    ]
    return {"from": day_a.isoformat(), "to": day_b.isoformat(), "entered": entered, "left": left, "rose": rose, "fell": fell}
