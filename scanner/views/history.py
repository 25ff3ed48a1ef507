"""An affordance's past: its rank and score in every edition, and the team's merges and splits.

`with_history` adds ``history: [{edition, rank, score}]`` (oldest first, up to the edition shown)
to every candidate of an edition in one query; `events` reads the log that
`scanner.scanning.grouping` keeps of merges, splits, moves, labels and item overrides.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from scanner.views.item_record import iso

_HISTORY_SQL = (
    "SELECT h.candidate_id, h.edition, h.rank, h.score "
    "FROM edition_candidates h JOIN edition_candidates e ON e.candidate_id = h.candidate_id AND e.edition = ? "
    "WHERE h.edition <= ? ORDER BY h.candidate_id, h.edition"
)


def rank_history(con: Any, day: date) -> dict[str, list[dict[str, Any]]]:
    """Every candidate of edition ``day``: its rank and score in each edition up to ``day`` that
    it was in, oldest first. One query for the whole edition."""
    out: dict[str, list[dict[str, Any]]] = {}
    for cid, edition, rank, score in con.execute(_HISTORY_SQL, [day, day]).fetchall():
        out.setdefault(cid, []).append({"edition": edition.isoformat(), "rank": int(rank), "score": round(score, 4)})
    return out


def with_history(con: Any, day: date, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` (candidates of edition ``day``), each given its ``history``."""
    past = rank_history(con, day) if rows else {}
    for row in rows:
        row["history"] = past.get(row["id"], [])
    return rows


# What each kind of event means, said from the side of the affordance whose page shows it.
_WHAT = {
    ("merge", True): "absorbed",
    ("merge", False): "was merged into",
    ("split", True): "split items off into",
    ("split", False): "was split off from",
    ("move", True): "took an item from",
    ("move", False): "gave an item to",
    ("label", True): "was relabelled",
    ("override", True): "had an item taken out as not an affordance",
}


def events(con: Any, cid: str) -> list[dict[str, Any]]:
    """The grouping log of ``cid``, newest first: ``{at, kind, what, other, other_label, by,
    detail}``, where ``other`` is the other affordance of a merge, split or move (else None; ids
    joined by ", " when a regroup split it into several) and ``by`` who did it
    ("scan" for a regroup, None when nobody was recorded). An event logged on the other
    affordance that names this one is included, told from this side."""
    rows = con.execute(
        "SELECT happened_at, kind, candidate_id, other_id, detail FROM affordance_events "
        "WHERE candidate_id = ? OR other_id = ? "
        "OR (kind = 'split' AND list_contains(CAST(json_extract(detail, '$.into') AS VARCHAR[]), ?)) "
        "ORDER BY happened_at DESC, rowid DESC",
        [cid, cid, cid],
    ).fetchall()
    out = []
    for at, kind, own, other, raw in rows:
        detail = json.loads(raw) if raw else {}
        mine = own == cid
        if kind == "override" and (not mine or detail.get("is_affordance") is not False):
            continue  # putting an item back is not a grouping change; shown where it was taken out
        into = detail.get("into") or []
        partner = other if mine else own
        if mine and kind == "split" and not other and into:
            partner = ", ".join(into)
        by = detail.get("by")
        out.append({
            "at": iso(at),
            "kind": kind,
            "what": _WHAT.get((kind, mine), kind),
            "other": partner or None,
            "by": "scan" if by == "regroup" else by,
            "detail": _detail_text(kind, detail),
        })
    partners = sorted({o for e in out if e["other"] for o in e["other"].split(", ")})
    labels = dict(con.execute("SELECT id, label FROM candidates WHERE list_contains(?, id)", [partners]).fetchall())
    for e in out:
        e["other_label"] = ", ".join(labels.get(o) or o for o in e["other"].split(", ")) if e["other"] else None
    return out


def _detail_text(kind: str, detail: dict[str, Any]) -> str:
    if kind == "split" and detail.get("items"):
        return f"{len(detail['items'])} item(s)"
    if kind in ("move", "override") and detail.get("item"):
        return f"item {detail['item']}"
    if kind == "label" and detail.get("label"):
        return f"to “{detail['label']}”"
    return ""
