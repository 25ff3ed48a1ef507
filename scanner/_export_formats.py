"""The export formats as pure functions: rows in, text or bytes out (no database, no files).

`scanner.export` gathers an `ExportData` from the database and writes files; the dashboard calls
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
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from scanner.rank import COMPONENTS  # one list of the score's parts
from scanner.sources.safety import safe_link

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
         "history": data.history.get(c["id"], [])}
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
    from openpyxl import Workbook

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
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet(ws: Any, columns: tuple[str, ...], rows: list[dict[str, Any]], links: set[str]) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

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


def _md(text: Any) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text if text is not None else "").split()))


def _md_link(text: str, url: str | None) -> str:
    url = safe_link(url)
    if not url:
        return _md(text)
    url = url.replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")
    return f"[{_md(text)}]({url})"


def _move(c: dict[str, Any]) -> str:
    prev = c.get("previous_rank")
    if c.get("trend") == "new" or prev is None:
        return "new"
    delta = prev - c["rank"]
    return f"up {delta} from {prev}" if delta > 0 else f"down {-delta} from {prev}" if delta < 0 else "unchanged"


def _clause_md(c: dict[str, Any]) -> str:
    ev = evidence(c)
    if not ev:
        return "no clause in scope comes near it"
    where = f"{ev.get('spec')} {ev.get('version')} › {ev.get('section')}"
    text = str(ev.get("text") or "")
    text = text if len(text) <= 200 else text[:199] + "…"
    return f"{_md_link(where, ev.get('link'))} (similarity {ev.get('similarity', 0):.2f}): “{_md(text)}”"


def _md_entry(c: dict[str, Any], seen: set[str], with_note: bool = False) -> list[str]:
    head = f"**{c['rank']}. {_md(c.get('label'))}**"
    if c["id"] in seen:
        return [f"- {head} — see above"]
    seen.add(c["id"])
    owner = _md(c.get("owner")) if c.get("owner") else "no owner"
    lines = [
        f"- {head} · score {c.get('score', 0):.3f} · {_move(c)} · status {c.get('status')} · {owner}",
        f"  - Why: {_md(c.get('explanation'))}",
        f"  - Nearest clause: {_clause_md(c)}",
    ]
    note = last_note(c)
    if note and with_note:
        lines.append(f"  - Last note ({_md(note.get('at'))}, {_md(note.get('author') or 'anonymous')}): {_md(note.get('text'))}")
    return lines


def to_markdown(data: ExportData) -> str:
    cands, seen = data.candidates, set[str]()
    out = [f"# Wet cement agenda — edition {data.edition}", ""]
    intro = (f"Compared with the edition of {data.previous_edition}." if data.previous_edition
             else "The first edition: nothing to compare with.")
    filters = "; ".join(f"{k}: {', '.join(v)}" for k, v in data.filters.items() if v)
    out += [f"{intro} {len(cands)} affordances{f' ({_md(filters)})' if filters else ''}.", ""]

    def section(title: str, rows: list[dict[str, Any]], empty: str, limit: int | None = None,
                **kw: Any) -> None:
        out.extend([f"## {title} ({len(rows)})", ""])
        for c in rows[:limit]:
            out.extend(_md_entry(c, seen, **kw))
        if not rows:
            out.append(empty)
        if limit is not None and len(rows) > limit:
            out.append(f"- …and {len(rows) - limit} more, lower ranked (see the CSV or XLSX export)")
        out.append("")

    section("New since the last edition", [c for c in cands if is_entered(c, data)], "Nothing new entered.")
    movers = [c for c in cands if c.get("previous_rank") and abs(c["previous_rank"] - c["rank"]) >= MOVER_MIN]
    movers.sort(key=lambda c: (-abs(c["previous_rank"] - c["rank"]), c["rank"]))
    section(f"Movers ({MOVER_MIN}+ places)", movers, "Nothing moved that far.")
    section("Watchlist: watching and drafting", [c for c in cands if c.get("status") in WATCHLIST],
            "Nothing on the watchlist.", with_note=True)
    section("Open decisions: new and watching", [c for c in cands if c.get("status") in OPEN],
            "No open decisions.", limit=OPEN_LIMIT)
    section("Decisions made: covered and dismissed", [c for c in cands if c.get("status") in DECIDED],
            "No decisions recorded.", with_note=True)
    return "\n".join(out).rstrip() + "\n"


# --- HTML report -------------------------------------------------------------------------------

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d2521}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:2px solid #35524a}
.meta{color:#5b6660}svg{max-width:100%;height:auto}svg text{font-size:11px;fill:#1d2521}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:.35rem .5rem;border-bottom:1px solid #dde3df}
th{background:#35524a;color:#fff;position:sticky;top:0}td.num{text-align:right;font-variant-numeric:tabular-nums}
.status{display:inline-block;padding:0 .4rem;border-radius:.6rem;background:#e6ece8;font-size:.85em}
.status-drafting{background:#ffe7a8}.status-watching{background:#cde6ff}.status-covered{background:#cdeccd}.status-dismissed{background:#eee;color:#666}
.why{color:#38423d;font-size:.92em}.clause{font-size:.88em;color:#4a5550}ul.items{margin:.2rem 0 0 1rem;padding:0;font-size:.88em}
a{color:#1f5fa8}
@media print{body{margin:0;max-width:none;font-size:10pt}th{position:static;background:#ddd;color:#000}
a{color:#000;text-decoration:none}tr{break-inside:avoid}h2{break-after:avoid}svg{max-height:9in}}
"""


def _e(value: Any) -> str:
    return html.escape(str(value if value is not None else ""), quote=True)


def _a(text: Any, url: str | None) -> str:
    url = safe_link(url)
    return f'<a href="{_e(url)}" rel="noopener noreferrer">{_e(text)}</a>' if url else _e(text)


def score_chart(candidates: list[dict[str, Any]], bars: int = CHART_BARS) -> str:
    """A static SVG bar chart of the top scores (no script, no external resource)."""
    rows = candidates[:bars]
    left, width, row_h, top = 330, 360, 18, 8
    height = top * 2 + row_h * max(len(rows), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {left + width + 60} {height}" '
             f'width="{left + width + 60}" height="{height}" role="img" aria-labelledby="chart-title">',
             f'<title id="chart-title">Scores of the top {len(rows)} affordances</title>']
    for n, c in enumerate(rows):
        y = top + n * row_h
        score = max(0.0, min(1.0, float(c.get("score") or 0.0)))
        label = str(c.get("label") or c["id"])
        label = label if len(label) <= 50 else label[:49] + "…"
        parts.append(
            f'<g><text x="{left - 6}" y="{y + 13}" text-anchor="end">{_e(c["rank"])}. {_e(label)}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{score * width:.1f}" height="{row_h - 6}" fill="#35524a"/>'
            f'<text x="{left + score * width + 4:.1f}" y="{y + 13}">{score:.3f}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def to_html(data: ExportData) -> str:
    title = f"Wet cement report — edition {data.edition}"
    rows = []
    for c in data.candidates:
        ev = evidence(c)
        clause = "no clause in scope comes near it"
        if ev:
            where = f"{ev.get('spec')} {ev.get('version')} › {ev.get('section')}"
            clause = f"{_a(where, ev.get('link'))} ({float(ev.get('similarity') or 0):.2f})"
        items = "".join(f"<li>{_a(i.get('title'), i.get('url'))} <span class=meta>{_e(i.get('org'))}</span></li>"
                        for i in (c.get("items") or [])[:5])
        note = last_note(c)
        note_html = f'<div class="clause">Last note: {_e(note.get("text"))}</div>' if note else ""
        rows.append(
            f'<tr id="{_e(c["id"])}" data-rank="{_e(c["rank"])}" data-score="{_e(c.get("score"))}">'
            f'<td class="num">{_e(c["rank"])}</td><td class="num">{_e(_move(c))}</td>'
            f'<td><strong>{_e(c.get("label"))}</strong><div class="why">{_e(c.get("explanation"))}</div>'
            f'<div class="clause">Nearest clause: {clause}</div>{note_html}<ul class="items">{items}</ul></td>'
            f'<td class="num">{float(c.get("score") or 0):.3f}</td>'
            f'<td><span class="status status-{_e(c.get("status"))}">{_e(c.get("status"))}</span></td>'
            f'<td>{_e(c.get("owner") or "")}</td></tr>'
        )
    compared = f"compared with {_e(data.previous_edition)}" if data.previous_edition else "first edition"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{_e(title)}</h1><p class=\"meta\">{len(data.candidates)} affordances, {compared}. "
        f"Generated {_e(data.generated_at)} by Wet Cement Scanner.</p>"
        f"<h2>Scores</h2>{score_chart(data.candidates)}"
        "<h2>Affordances</h2><table><thead><tr><th>#</th><th>Move</th><th>Affordance</th><th>Score</th>"
        f"<th>Status</th><th>Owner</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        "</body></html>\n"
    )


# --- Atom --------------------------------------------------------------------------------------


def _x(text: Any) -> str:
    return _CONTROL.sub("", str(text if text is not None else ""))


def _urn(key: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, "wetcement:" + key).urn


def to_atom(data: ExportData) -> bytes:
    """An Atom feed of the watchlist (watching, drafting) and the affordances new this edition."""
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: Any = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            el.text = _x(text)
        return el

    updated = f"{data.edition}T00:00:00Z"
    feed = ET.Element(f"{{{ATOM}}}feed")
    sub(feed, "title", f"Wet cement: watchlist and new affordances, edition {data.edition}")
    sub(feed, "id", _urn("feed"))
    sub(feed, "updated", updated)
    sub(sub(feed, "author"), "name", "Wet Cement Scanner")
    sub(feed, "generator", "Wet Cement Scanner")
    for c in data.candidates:
        entered, watched = is_entered(c, data), c.get("status") in WATCHLIST
        if not (entered or watched):
            continue
        entry = sub(feed, "entry")
        kind = "new" if entered else str(c.get("status"))
        sub(entry, "title", f"[{kind}] {c.get('label')}", type="text")
        sub(entry, "id", _urn("affordance:" + c["id"]))
        sub(entry, "updated", updated)
        link = next((safe_link(i.get("url")) for i in c.get("items") or [] if safe_link(i.get("url"))), None)
        if link:
            sub(entry, "link", rel="alternate", href=link)
        for term in ("entered" if entered else None, c.get("status"), *(c.get("domains") or [])):
            if term:
                sub(entry, "category", term=_x(term))
        sub(entry, "summary", c.get("explanation"), type="text")
        ev, note = evidence(c), last_note(c)
        lines = [
            f"Rank {c['rank']} ({_move(c)}), score {float(c.get('score') or 0):.3f}.",
            f"Status {c.get('status')}, owner {c.get('owner') or 'none'}.",
            f"Why: {c.get('explanation')}",
            (f"Nearest clause: {ev.get('spec')} {ev.get('version')} › {ev.get('section')} "
             f"({safe_link(ev.get('link')) or 'no link'})" if ev else "No clause in scope comes near it."),
        ]
        if note:
            lines.append(f"Last note ({note.get('at')}): {note.get('text')}")
        sub(entry, "content", "\n".join(lines), type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"
