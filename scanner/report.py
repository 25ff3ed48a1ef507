"""Read models: candidates and items as the JSON shapes of CLI.md, for the CLI, the dashboard
and the exports alike."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from scanner.editions import previous_edition, ranks, resolve_edition, trend
from scanner.errors import BadInput
from scanner.sources.safety import safe_link
from scanner.triage import triage_state


def _iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) and not isinstance(value, datetime) else value.isoformat(sep=" ", timespec="seconds")


def candidates(
    con: Any,
    edition: str | None = None,
    limit: int | None = None,
    *,
    with_items: bool = True,
) -> list[dict[str, Any]]:
    day = resolve_edition(con, edition)
    weights = json.loads(con.execute("SELECT weights FROM editions WHERE edition = ?", [day]).fetchone()[0])
    before_day = previous_edition(con, day)
    before = ranks(con, before_day) if before_day else None
    rows = con.execute(
        "SELECT e.candidate_id, e.rank, e.score, e.components, e.detail, c.label, c.capability "
        "FROM edition_candidates e JOIN candidates c ON c.id = e.candidate_id "
        "WHERE e.edition = ? ORDER BY e.rank" + (" LIMIT ?" if limit else ""),
        [day, limit] if limit else [day],
    ).fetchall()
    cutoff = datetime(day.year, day.month, day.day, 23, 59, 59)
    out = []
    for cid, rank_now, score, components, detail, label, capability in rows:
        detail = json.loads(detail)
        members = (
            con.execute(
                "SELECT i.id, i.url, i.title, i.org, i.published FROM assignments a "
                "JOIN items i ON i.id = a.item_id JOIN item_verdicts v ON v.item_id = i.id "
                "WHERE a.candidate_id = ? AND i.published <= ? AND coalesce(v.override, v.is_affordance) "
                "ORDER BY i.published DESC, i.id",
                [cid, cutoff],
            ).fetchall()
            if with_items
            else []
        )
        orgs = sorted({m[3] for m in members if m[3]})
        triage = triage_state(con, cid)
        out.append(
            {
                "id": cid,
                "label": label,
                "capability": capability,
                "rank": rank_now,
                "score": round(score, 4),
                "components": json.loads(components),
                "weights": weights,
                "explanation": detail.get("explanation", ""),
                "domains": detail.get("domains", []),
                "precedent_domains": detail.get("precedent_domains", {}),
                "inertia_channels": detail.get("inertia_channels", {}),
                "coverage": round(float(detail.get("coverage", 0.0)), 4),
                "coverage_per_spec": detail.get("coverage_per_spec", {}),
                "nearest_clauses": [
                    {**c, "link": safe_link(c.get("link"))} for c in detail.get("nearest_clauses", [])
                ],
                "momentum": detail.get("momentum", {}),
                "novelty": detail.get("novelty", {}),
                "items": [
                    {"id": m[0], "url": safe_link(m[1]), "title": m[2], "org": m[3], "published": _iso(m[4])}
                    for m in members
                ],
                "orgs": orgs,
                "n_items": len(members),
                "n_orgs": len(orgs),
                "first_seen": detail.get("novelty", {}).get("first_seen"),
                "last_seen": _iso(members[0][4]) if members else None,
                "trend": trend(rank_now, before, cid),
                "previous_rank": before.get(cid) if before else None,
                "status": triage["status"],
                "owner": triage["owner"],
                "notes": triage["notes"],
                "edition": day.isoformat(),
            }
        )
    return out


def items(
    con: Any, since: str | None = None, limit: int | None = None, scope: str | None = None
) -> list[dict[str, Any]]:
    from scanner.editions import parse_day

    if scope is None:
        row = con.execute("SELECT scope FROM editions ORDER BY edition DESC LIMIT 1").fetchone()
        scope = ",".join(json.loads(row[0])) if row else ""
    where, args = "", []
    if since:
        where = "WHERE i.published >= ?"
        args.append(parse_day(since, "--since"))
    if limit is not None and limit < 0:
        raise BadInput("--limit must be 0 or more")
    sql = (
        "SELECT i.id, i.url, i.title, i.source, i.org, i.published, i.summary, "
        "coalesce(v.override, v.is_affordance), v.reasons, c.coverage, c.evidence, a.candidate_id, "
        "i.sources, i.date_missing, v.capability "
        "FROM items i LEFT JOIN item_verdicts v ON v.item_id = i.id "
        "LEFT JOIN item_coverage c ON c.item_id = i.id AND c.scope = ? "
        "LEFT JOIN assignments a ON a.item_id = i.id "
        f"{where} ORDER BY i.published DESC, i.id" + (" LIMIT ?" if limit is not None else "")
    )
    params = [scope, *args] + ([limit] if limit is not None else [])
    out = []
    for r in con.execute(sql, params).fetchall():
        evidence = json.loads(r[10]) if r[10] else {}
        out.append(
            {
                "id": r[0],
                "url": safe_link(r[1]),
                "title": r[2],
                "source": r[3],
                "sources": list(r[12] or []),
                "org": r[4],
                "published": _iso(r[5]),
                "date_missing": bool(r[13]),
                "summary": r[6],
                "is_affordance": r[7],
                "affordance_reasons": r[8],
                "capability": r[14],
                "coverage": round(float(r[9]), 4) if r[9] is not None else None,
                "nearest_clauses": [
                    {**c, "link": safe_link(c.get("link"))} for c in evidence.get("nearest_clauses", [])
                ],
                "candidate_id": r[11],
            }
        )
    return out
