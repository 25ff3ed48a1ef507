"""What every export format shares: the gathered data, the columns, one row per candidate or item,
and the cell escaping that keeps spreadsheets from running formulas."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from scanner.judge.rank import COMPONENTS  # one list of the score's parts
from scanner.sources.safety import safe_link
from scanner.views._export_meeting import meeting_columns

WATCHLIST = ("watching", "drafting")
OPEN = ("new", "watching")
DECIDED = ("covered", "dismissed")
MOVER_MIN = 3  # places an affordance must move to count as a mover in the agenda
OPEN_LIMIT = 25  # open decisions listed in full in the agenda (the rest are in CSV/XLSX)
CHART_BARS = 25
ASSESS_MIN_SCORE = 0.5
RINGS = ("Adopt", "Trial", "Assess", "Hold")
RING_OF_STATUS = {"covered": "Adopt", "drafting": "Trial", "watching": "Assess", "dismissed": "Hold"}
QUADRANTS = ("Acting in the world", "Other people and agents", "Perception and memory", "The model itself")
QUADRANT_OF_DOMAIN = {
    "autonomy": QUADRANTS[0],
    "commerce": QUADRANTS[0],
    "non-principal": QUADRANTS[1],
    "persuasion": QUADRANTS[1],
    "ambient": QUADRANTS[2],
    "memory": QUADRANTS[2],
    "self-nature": QUADRANTS[3],
}
RADAR_HEADER = ("name", "ring", "quadrant", "isNew", "description")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!~&])")
ATOM = "http://www.w3.org/2005/Atom"


@dataclass(frozen=True)
class ExportData:
    """What every format renders: an edition's candidates (report.candidates rows), their items,
    and the triage history of each candidate (status/owner changes and notes, oldest first)."""

    edition: str
    candidates: list[dict[str, Any]]
    items: list[dict[str, Any]] = field(default_factory=list)
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    previous_edition: str | None = None
    generated_at: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)


# --- shared row helpers ----------------------------------------------------------------------


def top_domain(c: dict[str, Any]) -> str | None:
    if c.get("domains"):
        return str(c["domains"][0])
    values = {k: v.get("value", 0.0) for k, v in (c.get("precedent_domains") or {}).items()}
    return max(values, key=lambda k: (values[k], k)) if values else None


def evidence(c: dict[str, Any]) -> dict[str, Any] | None:
    clauses = c.get("nearest_clauses") or []
    return clauses[0] if clauses else None


def last_note(c: dict[str, Any]) -> dict[str, Any] | None:
    notes = c.get("notes") or []
    return notes[-1] if notes else None


def is_entered(c: dict[str, Any], data: ExportData) -> bool:
    """Entered the list in this edition (there must be an earlier edition to enter against)."""
    return data.previous_edition is not None and c.get("trend") == "new"


def candidate_row(c: dict[str, Any]) -> dict[str, Any]:
    ev, note = evidence(c) or {}, last_note(c) or {}
    components = c.get("components") or {}
    return {
        "id": c["id"],
        "rank": c["rank"],
        "previous_rank": c.get("previous_rank"),
        "trend": c.get("trend"),
        "label": c.get("label"),
        "capability": c.get("capability"),
        "score": c.get("score"),
        **{k: components.get(k) for k in COMPONENTS},
        "coverage": c.get("coverage"),
        "domains": ";".join(c.get("domains") or []),
        "top_domain": top_domain(c),
        "n_items": c.get("n_items"),
        "n_orgs": c.get("n_orgs"),
        "orgs": ";".join(c.get("orgs") or []),
        "first_seen": c.get("first_seen"),
        "last_seen": c.get("last_seen"),
        "status": c.get("status"),
        "owner": c.get("owner"),
        "last_note": note.get("text"),
        "last_note_at": note.get("at"),
        "last_note_author": note.get("author"),
        "explanation": c.get("explanation"),
        "evidence_spec": ev.get("spec"),
        "evidence_version": ev.get("version"),
        "evidence_section": ev.get("section"),
        "evidence_similarity": ev.get("similarity"),
        "evidence_link": safe_link(ev.get("link")),
        **meeting_columns(c),
        "edition": c.get("edition"),
    }


CANDIDATE_COLUMNS = tuple(candidate_row({"id": "", "rank": 0}))
ITEM_COLUMNS = (
    "candidate_id", "candidate_rank", "candidate_label", "id", "title", "url", "org", "source",
    "published", "coverage", "capability", "evidence_section", "evidence_link", "summary",
)


def item_row(i: dict[str, Any]) -> dict[str, Any]:
    clauses = i.get("nearest_clauses") or [{}]
    row = {k: i.get(k) for k in ITEM_COLUMNS}
    row["url"] = safe_link(i.get("url"))
    row["evidence_section"] = clauses[0].get("section")
    row["evidence_link"] = safe_link(clauses[0].get("link"))
    return row


def sheet_cell(value: Any) -> Any:
    """A spreadsheet-safe cell: control characters go, and text that a spreadsheet would read
    as a formula (starting with = + - @, tab or CR) gets a leading apostrophe."""
    if isinstance(value, str):
        value = _CONTROL.sub("", value)
        if value.startswith(_FORMULA_START):
            return "'" + value
    return value


