"""What a watched spec's new version changed: its clauses, and the affordances whose coverage level
rose or fell.

The clause diff comes from `library.diff_specs`. The coverage moves come from stored rows, not a
fresh judgement: when a fetch imports a version, the coverage each affordance had under the
previous version (the latest edition that measured it) is kept with the fetch
(``spec_fetches.coverage_before``); once a scan has measured the new version, its edition holds
the other side. Until then the change says that its coverage moves appear after the next scan.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from scanner.errors import BadInput
from scanner.sources.safety import safe_link
from scanner.specs.library import diff_specs

RANK = {"open": 0, "partly": 1, "governs": 2}
PENDING = "coverage changes appear after the next scan"
SHOWN = 8  # clauses per kind of change carried with each change


def _edition_measuring(con: Any, key: str) -> date | None:
    """The latest edition whose scope holds ``name@version``."""
    for day, scope in con.execute("SELECT edition, scope FROM editions ORDER BY edition DESC").fetchall():
        if key in json.loads(scope):
            return day
    return None


def coverage_snapshot(con: Any, name: str, version: str) -> dict[str, Any] | None:
    """Each affordance's coverage by ``name@version`` in the latest edition that measured it:
    ``{"edition": day, "coverage": {id: {"value", "level"}}}``, or None when none did."""
    key = f"{name}@{version}"
    day = _edition_measuring(con, key)
    if day is None:
        return None
    coverage = {}
    for cid, detail in con.execute(
        "SELECT candidate_id, detail FROM edition_candidates WHERE edition = ?", [day]
    ).fetchall():
        by_spec = json.loads(detail).get("coverage_by_spec", {})
        if key in by_spec and by_spec[key].get("level") in RANK:
            coverage[cid] = {"value": by_spec[key].get("value"), "level": by_spec[key]["level"]}
    return {"edition": day.isoformat(), "coverage": coverage}


def coverage_moves(
    before: dict[str, Any] | None, after: dict[str, Any] | None, labels: dict[str, str]
) -> dict[str, Any]:
    """The affordances whose level under the new version differs from the old one's (pure).

    ``gained``: the level rose (open → partly → governs); ``lost``: it fell. Affordances measured
    under only one of the two versions are left out.
    """
    if after is None:
        return {"pending": True, "note": PENDING, "gained": [], "lost": []}
    if before is None:
        return {"pending": False, "note": "no stored coverage under the previous version to compare",
                "gained": [], "lost": [], "edition": after["edition"]}
    gained: list[dict[str, Any]] = []
    lost: list[dict[str, Any]] = []
    for cid, now in after["coverage"].items():
        was = before["coverage"].get(cid)
        if was is None or was["level"] == now["level"]:
            continue
        row = {"id": cid, "label": labels.get(cid, cid), "before": was["level"], "after": now["level"],
               "value_before": was["value"], "value_after": now["value"]}
        (gained if RANK[now["level"]] > RANK[was["level"]] else lost).append(row)
    gained.sort(key=lambda r: (-RANK[r["after"]], r["label"]))
    lost.sort(key=lambda r: (RANK[r["after"]], r["label"]))
    return {"pending": False, "note": None, "gained": gained, "lost": lost,
            "edition": after["edition"], "edition_before": before["edition"]}


def spec_changes(
    con: Any, *, since: datetime | None = None, until: datetime | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    """The new versions that watching fetched (newest first), each with its clause diff against
    the version before it and the affordances that gained or lost coverage. A first import (no
    earlier version) is not a change."""
    rows = con.execute(
        "SELECT spec, version, fetched_at, url, previous_version, coverage_before FROM spec_fetches "
        "WHERE previous_version IS NOT NULL AND fetched_at > coalesce(?, TIMESTAMP '0001-01-01') "
        "AND fetched_at <= coalesce(?, TIMESTAMP '9999-12-31') ORDER BY fetched_at DESC, version DESC LIMIT ?",
        [since, until, limit],
    ).fetchall()
    labels = dict(con.execute("SELECT id, label FROM candidates").fetchall()) if rows else {}
    out = []
    for spec, version, at, url, previous, before in rows:
        try:
            d = diff_specs(con, spec, previous, version)
        except BadInput:  # a version was removed from the library since
            continue
        snapshot = json.loads(before) if before else coverage_snapshot(con, spec, previous)
        out.append({
            "spec": spec,
            "version": version,
            "previous_version": previous,
            "fetched_at": at.isoformat(sep=" ", timespec="seconds"),
            "url": safe_link(url),
            "added": len(d.added),
            "removed": len(d.removed),
            "changed": len(d.changed),
            "unchanged": d.unchanged,
            "clauses": [{"change": kind, "section": c["section"], "text": c["text"], "link": safe_link(c["link"])}
                        for kind, group in (("added", d.added), ("removed", d.removed), ("changed", d.changed))
                        for c in group[:SHOWN]],
            "coverage": coverage_moves(snapshot, coverage_snapshot(con, spec, version), labels),
        })
    return out


def changes_for_edition(con: Any, edition: str | date, previous: str | date | None) -> list[dict[str, Any]]:
    """The spec changes fetched after edition ``previous`` was written, up to when ``edition``
    was (all of them up to ``edition`` when there is no previous one)."""
    def written(day: str | date | None) -> datetime | None:
        if day is None:
            return None
        row = con.execute("SELECT created_at FROM editions WHERE edition = ?", [day]).fetchone()
        return row[0] if row else None

    return spec_changes(con, since=written(previous), until=written(edition))
