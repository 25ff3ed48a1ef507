"""The export formats as pure functions: rows in, text or bytes out (no database, no files).

`scanner.views.export` gathers an `ExportData` from the database and writes files; the dashboard calls
these functions directly to offer download buttons. Every renderer treats feed-derived text as
hostile: spreadsheet cells are neutralised against formula injection (`sheet_cell`), HTML is
escaped with `html.escape`, Atom is built with ElementTree, Markdown is backslash-escaped, and
only links that pass `safe_link` (http and https) are ever made live.

The radar CSV follows Thoughtworks' build-your-own-radar layout
(``name,ring,quadrant,isNew,description``); that tool knows only four rings and needs exactly
four quadrants, so:

* ring: a triaged status decides it — covered → Adopt (the spec has a default), drafting →
  Trial (text is being tried), watching → Assess, dismissed → Hold; an untriaged (``new``)
  affordance goes to Assess when its score is at least `ASSESS_MIN_SCORE`, else to Hold.
  Rows are ordered Adopt, Trial, Assess, Hold, because the tool orders rings as they first appear.
* quadrant: the affordance's top precedent domain (its strongest domain, else the highest
  ``precedent_domains`` value), folded by `QUADRANT_OF_DOMAIN`: autonomy and commerce →
  "Acting in the world"; non-principal and persuasion → "Other people and agents"; ambient and
  memory → "Perception and memory"; self-nature, or no domain at all → "The model itself".
* isNew: ``TRUE`` when the affordance entered the list in this edition (trend ``new``).
* description: the explanation, HTML-escaped, because the tool renders it as HTML.
"""

from __future__ import annotations

import csv
import html
import io
import json
from typing import Any

from scanner.sources.safety import safe_link
from scanner.views._export_documents import (
    _md,
    score_chart,
    to_atom,
    to_html,
    to_markdown,
)
from scanner.views._export_meeting import (
    CHECKLIST_COLUMNS,
    RATING_COLUMNS,
    checklist_rows,
    rating_rows,
)
from scanner.views._export_rows import (
    ASSESS_MIN_SCORE,
    CANDIDATE_COLUMNS,
    CHART_BARS,
    ITEM_COLUMNS,
    OPEN_LIMIT,
    QUADRANT_OF_DOMAIN,
    QUADRANTS,
    RADAR_HEADER,
    RING_OF_STATUS,
    RINGS,
    ExportData,
    candidate_row,
    evidence,
    item_row,
    last_note,
    sheet_cell,
    top_domain,
)


def _csv(header: tuple[str, ...], rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if row.get(k) is None else sheet_cell(row.get(k)) for k in header])
    return buf.getvalue()


# --- CSV, JSON, radar --------------------------------------------------------------------------


def to_csv(data: ExportData) -> str:
    """One row per candidate: components, top evidence clause, triage and last note."""
    return _csv(CANDIDATE_COLUMNS, [candidate_row(c) for c in data.candidates])


def to_items_csv(data: ExportData) -> str:
    """One row per (candidate, item): the second file of a CSV export."""
    return _csv(ITEM_COLUMNS, [item_row(i) for i in data.items])


def to_json(data: ExportData) -> str:
    candidates = [
        {**c, "evidence": evidence(c), "last_note": last_note(c), "top_domain": top_domain(c),
         "triage_history": data.history.get(c["id"], [])}
        for c in data.candidates
    ]
    doc = {
        "edition": data.edition,
        "previous_edition": data.previous_edition,
        "generated_at": data.generated_at,
        "filters": data.filters,
        "candidates": candidates,
        "items": data.items,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n"


def ring(c: dict[str, Any]) -> str:
    by_status = RING_OF_STATUS.get(str(c.get("status")))
    if by_status:
        return by_status
    return "Assess" if float(c.get("score") or 0.0) >= ASSESS_MIN_SCORE else "Hold"


def quadrant(c: dict[str, Any]) -> str:
    return QUADRANT_OF_DOMAIN.get(top_domain(c) or "", QUADRANTS[3])


def to_radar_csv(data: ExportData) -> str:
    rows, names = [], set()
    for c in sorted(data.candidates, key=lambda c: (RINGS.index(ring(c)), c["rank"])):
        name, n = str(c.get("label") or c["id"]), 2
        while name in names:  # the radar tool keys blips by name
            name, n = f"{c.get('label') or c['id']} ({n})", n + 1
        names.add(name)
        rows.append({
            "name": html.escape(name),
            "ring": ring(c),
            "quadrant": quadrant(c),
            "isNew": "TRUE" if c.get("trend") == "new" else "FALSE",
            "description": html.escape(str(c.get("explanation") or "")),
        })
    return _csv(RADAR_HEADER, rows)


def radar_warnings(data: ExportData) -> list[str]:
    used = {quadrant(c) for c in data.candidates}
    if len(used) < 4:
        return [f"radar: only {len(used)} of 4 quadrants have entries; build-your-own-radar "
                "refuses a radar with fewer than four"]
    return []


# --- XLSX --------------------------------------------------------------------------------------


def to_xlsx(data: ExportData) -> bytes:
    from openpyxl import Workbook  # openpyxl only for the xlsx export

    wb = Workbook()
    wb.properties.title = f"Wet cement, edition {data.edition}"
    first = wb.active
    assert first is not None
    first.title = "candidates"
    _sheet(first, CANDIDATE_COLUMNS, [candidate_row(c) for c in data.candidates], {"evidence_link"})
    _sheet(wb.create_sheet("items"), ITEM_COLUMNS, [item_row(i) for i in data.items],
           {"url", "evidence_link"})
    ev_cols = ("candidate_id", "rank", "label", "n", "spec", "version", "section", "similarity",
               "matched_terms", "text", "link")
    ev_rows = [
        {"candidate_id": c["id"], "rank": c["rank"], "label": c.get("label"), "n": n,
         **{k: cl.get(k) for k in ("spec", "version", "section", "similarity", "text")},
         "matched_terms": ";".join(cl.get("matched_terms") or []), "link": safe_link(cl.get("link"))}
        for c in data.candidates
        for n, cl in enumerate(c.get("nearest_clauses") or [], 1)
    ]
    _sheet(wb.create_sheet("evidence"), ev_cols, ev_rows, {"link"})
    hist_cols = ("candidate_id", "label", "at", "field", "old", "new", "author")
    hist_rows = [
        {"candidate_id": c["id"], "label": c.get("label"), **h}
        for c in data.candidates
        for h in data.history.get(c["id"], [])
    ]
    _sheet(wb.create_sheet("triage history"), hist_cols, hist_rows, set())
    _sheet(wb.create_sheet("ratings"), RATING_COLUMNS, rating_rows(data.candidates), set())
    _sheet(wb.create_sheet("checklist"), CHECKLIST_COLUMNS, checklist_rows(data.candidates), set())
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet(ws: Any, columns: tuple[str, ...], rows: list[dict[str, Any]], links: set[str]) -> None:
    from openpyxl.styles import Font, PatternFill  # openpyxl only for the xlsx export
    from openpyxl.utils import get_column_letter  # openpyxl only for the xlsx export

    bold, fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="35524A")
    ws.append(list(columns))
    for cell in ws[1]:
        cell.font, cell.fill = bold, fill
    widths = [len(c) for c in columns]
    for r, row in enumerate(rows, 2):
        for col, key in enumerate(columns, 1):
            value = row.get(key)
            if isinstance(value, list | dict):
                value = json.dumps(value, ensure_ascii=False)
            value = sheet_cell(value)
            cell = ws.cell(row=r, column=col, value=value)
            if key in links and isinstance(value, str) and safe_link(value):
                cell.hyperlink = value
                cell.style = "Hyperlink"
            widths[col - 1] = max(widths[col - 1], len(str(value)) if value is not None else 0)
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = min(max(width, 6), 60) + 2
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = ws.dimensions


# --- Markdown agenda ---------------------------------------------------------------------------


__all__ = [
    "ASSESS_MIN_SCORE",
    "CANDIDATE_COLUMNS",
    "CHART_BARS",
    "ExportData",
    "ITEM_COLUMNS",
    "OPEN_LIMIT",
    "QUADRANTS",
    "QUADRANT_OF_DOMAIN",
    "RADAR_HEADER",
    "RINGS",
    "RING_OF_STATUS",
    "_md",
    "candidate_row",
    "evidence",
    "item_row",
    "last_note",
    "quadrant",
    "radar_warnings",
    "ring",
    "score_chart",
    "sheet_cell",
    "to_atom",
    "to_csv",
    "to_html",
    "to_items_csv",
    "to_json",
    "to_markdown",
    "to_radar_csv",
    "to_xlsx",
    "top_domain",
]
