"""The export formats a person reads: the Markdown agenda, the HTML report, the Atom feed."""

from __future__ import annotations

import html
import uuid
import xml.etree.ElementTree as ET
from typing import Any

from scanner.sources.safety import safe_link
from scanner.views._export_meeting import meeting_lines
from scanner.views._export_rows import (
    _CONTROL,
    _MD_SPECIAL,
    ATOM,
    CHART_BARS,
    DECIDED,
    MOVER_MIN,
    OPEN,
    OPEN_LIMIT,
    WATCHLIST,
    ExportData,
    evidence,
    is_entered,
    last_note,
)


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
    lines += [f"  - {_md(line)}" for line in meeting_lines(c)]
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
        note_html += "".join(f'<div class="clause">{_e(line)}</div>' for line in meeting_lines(c))
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
        lines += meeting_lines(c)
        sub(entry, "content", "\n".join(lines), type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"
