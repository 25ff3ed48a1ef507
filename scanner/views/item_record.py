"""One item as the read models show it: the query's columns, the record a row is read into, and
the one function that turns that record into the item dictionary of `scanner.items` (CLI.md)
and of the Explore page's rows (`scanner.views.browse`)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, NamedTuple

from scanner.judge.coverage import level
from scanner.sources.safety import safe_link


def iso(value: datetime | date | None) -> str | None:
    """A date as ``YYYY-MM-DD``, a time as ``YYYY-MM-DD HH:MM:SS`` (the JSON shapes of CLI.md)."""
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) and not isinstance(value, datetime) else value.isoformat(sep=" ", timespec="seconds")


class ItemRow(NamedTuple):
    """One live item with its verdict, its coverage under one scope and its affordance; the
    fields are the columns of :data:`ITEM_SELECT`, in its order."""

    id: str
    url: str | None
    title: str
    source: str
    sources: list[str] | None
    org: str | None
    published: datetime | None
    date_missing: bool | None
    summary: str | None
    is_affordance: bool | None  # the team's override, else the model's verdict
    confidence: float | None
    judge_version: str | None
    override: bool | None
    reasons: Any
    capability: str | None
    coverage: float | None
    evidence: str | None  # JSON: the nearest clauses
    candidate_id: str | None
    candidate_label: str | None
    full_text: str | None  # the article's text, when a thin item's page was fetched
    full_text_status: str | None  # ok | empty | failed | refused; None: never tried

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> ItemRow:
        """A row of :data:`ITEM_SELECT` as a record."""
        return cls._make(row)


ITEM_SELECT = (  # the columns of `ItemRow`, in its order
    "SELECT i.id, i.url, i.title, i.source, i.sources, i.org, i.published, i.date_missing, i.summary, "
    "coalesce(v.override, v.is_affordance), v.confidence, v.judge_version, v.override, v.reasons, v.capability, "
    "c.coverage, c.evidence, a.candidate_id, k.label, i.full_text, i.full_text_status "
)
ITEM_FROM = (  # one parameter: the spec scope of the coverage
    "FROM items i LEFT JOIN item_verdicts v ON v.item_id = i.id "
    "LEFT JOIN item_coverage c ON c.item_id = i.id AND c.scope = ? "
    "LEFT JOIN assignments a ON a.item_id = i.id "
    "LEFT JOIN candidates k ON k.id = a.candidate_id "
)


def _confidence(model: float | None, override: bool | None) -> float | None:
    """The calibrated probability that the item is an affordance; the team's verdict is certain."""
    if override is not None:
        return 1.0 if override else 0.0
    return round(float(model), 4) if model is not None else None


def item_dict(row: ItemRow, *, detail: bool) -> dict[str, Any]:
    """The item as JSON: with ``detail``, the shape of `scanner.items` (the summary, the
    verdict's confidence and version, the nearest clauses); without, a row of the Explore table
    (the affordance's label instead)."""
    out: dict[str, Any] = {
        "id": row.id,
        "url": safe_link(row.url),
        "title": row.title,
        "source": row.source,
        "sources": list(row.sources or []),
        "org": row.org,
        "published": iso(row.published) if detail else (row.published.isoformat() if row.published else None),
        "date_missing": bool(row.date_missing),
    }
    if detail:
        out["summary"] = row.summary
        out["full_text"] = row.full_text
        out["full_text_status"] = row.full_text_status
    out["is_affordance"] = row.is_affordance
    if detail:
        out["affordance_confidence"] = _confidence(row.confidence, row.override)
        out["judge_version"] = row.judge_version
    out["affordance_reasons"] = row.reasons
    out["capability"] = row.capability
    out["coverage"] = round(float(row.coverage), 4) if row.coverage is not None else None
    out["coverage_level"] = level(row.coverage)
    if detail:
        evidence = json.loads(row.evidence) if row.evidence else {}
        out["nearest_clauses"] = [{**c, "link": safe_link(c.get("link"))} for c in evidence.get("nearest_clauses", [])]
    out["candidate_id"] = row.candidate_id
    if not detail:
        out["candidate_label"] = row.candidate_label
    return out
