"""Exports: watchlists, meeting agendas, reports, feeds and a classic radar CSV.

``export(con, fmt, out)`` gathers one edition (``gather``) and writes one format to ``out``. The
renderers are pure functions over an `ExportData` (see `scanner.views._export_formats`), so the
dashboard can offer the same files as download buttons without touching the disk:

    data = gather(con, edition="2025-11-25", statuses=["watching"])
    to_markdown(data)            # str: the meeting agenda
    to_xlsx(data)                # bytes: candidates, items, evidence, triage history

Formats: ``csv`` (candidates, plus ``<stem>.items.csv`` beside it), ``json``, ``md``, ``xlsx``,
``html`` (one self-contained page), ``atom`` (watchlist and new entries) and ``radar``
(build-your-own-radar CSV; its ring and quadrant rules are in `scanner.views._export_formats`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scanner.errors import BadInput
from scanner.scanning.editions import previous_edition, resolve_edition
from scanner.taxonomy import DOMAIN_BY_SLUG
from scanner.team.triage import STATUSES, history
from scanner.views import report
from scanner.views._export_formats import (
    QUADRANT_OF_DOMAIN,
    RING_OF_STATUS,
    ExportData,
    radar_warnings,
    to_atom,
    to_csv,
    to_html,
    to_items_csv,
    to_json,
    to_markdown,
    to_radar_csv,
    to_xlsx,
    top_domain,
)

__all__ = [
    "FORMATS",
    "QUADRANT_OF_DOMAIN",
    "RING_OF_STATUS",
    "ExportData",
    "ExportResult",
    "check_domains",
    "check_format",
    "check_statuses",
    "export",
    "gather",
    "render",
    "to_atom",
    "to_csv",
    "to_html",
    "to_items_csv",
    "to_json",
    "to_markdown",
    "to_radar_csv",
    "to_xlsx",
]

Renderer = Callable[[ExportData], "str | bytes"]
FORMATS: dict[str, Renderer] = {
    "csv": to_csv,
    "json": to_json,
    "md": to_markdown,
    "xlsx": to_xlsx,
    "html": to_html,
    "atom": to_atom,
    "radar": to_radar_csv,
}
MEDIA_TYPES = {
    "csv": "text/csv",
    "json": "application/json",
    "md": "text/markdown",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html",
    "atom": "application/atom+xml",
    "radar": "text/csv",
}
_ALIASES = {"markdown": "md", "excel": "xlsx", "radar-csv": "radar"}


@dataclass
class ExportResult:
    format: str
    edition: str
    paths: list[Path]
    candidates: int
    items: int
    bytes: int
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "edition": self.edition,
            "paths": [str(p) for p in self.paths],
            "candidates": self.candidates,
            "items": self.items,
            "bytes": self.bytes,
            "warnings": self.warnings,
        }


def _split(values: Iterable[str] | str | None) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [v.strip() for value in values for v in str(value).split(",") if v.strip()]


def check_format(fmt: str) -> str:
    name = _ALIASES.get(str(fmt).strip().lower(), str(fmt).strip().lower())
    if name not in FORMATS:
        raise BadInput(f"--format {fmt!r} is not one of: {', '.join(FORMATS)}")
    return name


def check_statuses(statuses: Iterable[str] | str | None) -> list[str]:
    wanted = _split(statuses)
    for s in wanted:
        if s not in STATUSES:
            raise BadInput(f"--status {s!r} is not one of: {', '.join(STATUSES)}")
    return wanted


def check_domains(domains: Iterable[str] | str | None) -> list[str]:
    wanted = _split(domains)
    for d in wanted:
        if d not in DOMAIN_BY_SLUG:
            raise BadInput(f"--domain {d!r} is not one of: {', '.join(DOMAIN_BY_SLUG)}")
    return wanted


def gather(
    con: Any,
    *,
    edition: str | None = None,
    statuses: Iterable[str] | str | None = None,
    domains: Iterable[str] | str | None = None,
) -> ExportData:
    """One edition's candidates (optionally only some statuses, or some precedent domains: a
    candidate matches a domain that is among its strong domains or is its top one), their member
    items as they stood on the edition's date, and each candidate's triage history."""
    want_status, want_domain = check_statuses(statuses), check_domains(domains)
    day = resolve_edition(con, edition)
    before = previous_edition(con, day)
    rows = report.candidates(con, day.isoformat())
    if want_status:
        rows = [c for c in rows if c["status"] in want_status]
    if want_domain:
        rows = [c for c in rows if {*(c.get("domains") or []), top_domain(c)} & set(want_domain)]
    by_id = {i["id"]: i for i in report.items(con)} if rows else {}
    items = [
        {**by_id.get(m["id"], {}), **m, "candidate_id": c["id"], "candidate_rank": c["rank"],
         "candidate_label": c["label"]}
        for c in rows
        for m in c["items"]
    ]
    hist = {}
    for c in rows:
        notes = [{"at": n["at"], "field": "note", "old": None, "new": n["text"], "author": n["author"]}
                 for n in c["notes"]]
        hist[c["id"]] = sorted(history(con, c["id"]) + notes, key=lambda h: str(h["at"]))
    return ExportData(
        edition=day.isoformat(),
        candidates=rows,
        items=items,
        history=hist,
        previous_edition=before.isoformat() if before else None,
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        filters={"status": want_status, "domain": want_domain},
    )


def render(fmt: str, data: ExportData) -> bytes:
    out = FORMATS[check_format(fmt)](data)
    return out.encode("utf-8") if isinstance(out, str) else out


def _write(path: Path, content: bytes) -> None:
    """Write whole or not at all: a temporary file beside the target, then a rename."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(content)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def export(
    con: Any,
    fmt: str,
    out: Path | str,
    *,
    edition: str | None = None,
    statuses: list[str] | None = None,
    domains: list[str] | None = None,
) -> ExportResult:
    """Write one edition in ``fmt`` to ``out`` (CSV also writes ``<stem>.items.csv`` beside it)."""
    fmt = check_format(fmt)
    check_statuses(statuses)
    check_domains(domains)
    out = Path(out)
    if out.is_dir():
        raise BadInput(f"--out {out}: is a directory; give a file name")
    data = gather(con, edition=edition, statuses=statuses, domains=domains)
    files = [(out, render(fmt, data))]
    if fmt == "csv":
        files.append((out.with_name(f"{out.stem}.items.csv"), to_items_csv(data).encode("utf-8")))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        for path, content in files:
            _write(path, content)
    except OSError as exc:
        raise BadInput(f"--out {out}: cannot write ({exc.strerror or exc})") from exc
    return ExportResult(
        format=fmt,
        edition=data.edition,
        paths=[p for p, _ in files],
        candidates=len(data.candidates),
        items=len(data.items),
        bytes=sum(len(c) for _, c in files),
        warnings=radar_warnings(data) if fmt == "radar" else [],
    )
