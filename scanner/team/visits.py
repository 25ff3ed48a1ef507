"""When each person last opened a page, and what moved in the ranking since.

A *person* is whoever signs the dashboard's writes (`scanner.ui.access.writer`), or
:data:`ANONYMOUS` for everyone who has not given a name. A visit records the time and the latest
edition then; the next visit compares the ranking with that edition.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from scanner.scanning.editions import latest_edition, ranks

ANONYMOUS = "anonymous"


class Visit(NamedTuple):
    seen_at: datetime
    edition: date | None


def last_visit(con: Any, person: str, page: str) -> Visit | None:
    row = con.execute("SELECT seen_at, edition FROM page_visits WHERE person = ? AND page = ?", [person, page]).fetchone()
    return Visit(*row) if row else None


def record_visit(con: Any, person: str, page: str, now: datetime | None = None) -> Visit:
    """Remember that ``person`` opened ``page`` now, with the latest edition."""
    visit = Visit(now or datetime.now(UTC).replace(tzinfo=None, microsecond=0), latest_edition(con))
    con.execute("INSERT OR REPLACE INTO page_visits VALUES (?, ?, ?, ?)", [person, page, *visit])
    return visit


def ranks_then(con: Any, visit: Visit | None) -> dict[str, int] | None:
    """The ranking as it stood at ``visit`` (None when there was no visit or no edition then)."""
    return ranks(con, visit.edition) if visit and visit.edition else None


def marks(rows: list[dict[str, Any]], before: dict[str, int] | None) -> dict[str, str]:
    """What changed for each candidate since the ranking ``before``: "new" (not in it), "▲ n" or
    "▼ n" (moved n places); unchanged ones are left out. Nothing without a ranking to compare."""
    if before is None:
        return {}
    out = {}
    for r in rows:
        was = before.get(r["id"])
        if was is None:
            out[r["id"]] = "new"
        elif was != r["rank"]:
            out[r["id"]] = f"{'▲' if was > r['rank'] else '▼'} {abs(was - r['rank'])}"
    return out
