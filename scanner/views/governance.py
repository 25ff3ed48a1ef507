"""Who already governs an affordance: one sentence per candidate, and the affordance × spec
matrix, both read from the candidate JSON's ``coverage_by_spec`` (pure functions over rows)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scanner.judge.coverage import level as level_of

# the coverage levels, weakest first ("governs" is the strongest)
LEVELS = ("open", "partly", "governs")
LEVEL_WORDS = {"governs": "governed", "partly": "partly", "open": "not"}


def cell_level(entry: Mapping[str, Any]) -> str:
    """The level of one ``coverage_by_spec`` entry: the stored one, else from its value."""
    stored = entry.get("level")
    if stored in LEVELS:
        return str(stored)
    return level_of(float(entry.get("value") or 0.0)) or "open"


def clause_ref(entry: Mapping[str, Any]) -> str:
    """'§heading' of the clause that decided an entry's value (its key when it has no
    heading); '' when none."""
    clauses = entry.get("clauses") or []
    if not clauses:
        return ""
    top = clauses[0]
    heading = str(top.get("section") or "").split(" > ")[-1].strip()
    ref = heading or str(top.get("clause_key") or "")
    return f"§{ref}" if ref else ""


def _named(spec: str, entry: Mapping[str, Any], with_clause: bool) -> str:
    ref = clause_ref(entry) if with_clause else ""
    return f"{spec} {ref}" if ref else spec


def governed_line(coverage_by_spec: Mapping[str, Mapping[str, Any]] | None) -> str:
    """'Governed by X §heading, partly by Y §heading, not by Z.' for one affordance.

    Specs are grouped by level, strongest first, each named ``name@version``; the governing and
    partly governing specs name the clause that decided it.
    """
    if not coverage_by_spec:
        return "No spec is in scope, so nothing says who governs this."
    by_level: dict[str, list[str]] = {lv: [] for lv in LEVELS}
    ordered = sorted(coverage_by_spec.items(), key=lambda kv: (-float(kv[1].get("value") or 0.0), kv[0]))
    for spec, entry in ordered:
        lv = cell_level(entry)
        by_level[lv].append(_named(spec, entry, with_clause=lv != "open"))
    parts: list[str] = []
    if by_level["governs"]:
        parts.append("Governed by " + " and ".join(by_level["governs"]))
    if by_level["partly"]:
        lead = "partly by " if parts else "Partly governed by "
        parts.append(lead + " and ".join(by_level["partly"]))
    if by_level["open"]:
        if parts:
            parts.append("not by " + " or ".join(by_level["open"]))
        else:
            parts.append("Governed by none of the specs in scope (" + ", ".join(by_level["open"]) + ")")
    return ", ".join(parts) + "."


def spec_matrix(rows: Sequence[Mapping[str, Any]], top: int | None = None) -> dict[str, Any]:
    """The affordance × spec matrix of an edition's candidates (best first, the first ``top``).

    Returns ``{"specs": [name@version...], "rows": [{id, rank, label, cells: {spec: {value,
    level, clause}}}]}``; a spec a candidate was not measured against has no cell.
    """
    chosen = list(rows if top is None else rows[:top])
    specs = sorted({s for r in chosen for s in (r.get("coverage_by_spec") or {})})
    out = []
    for r in chosen:
        cov = r.get("coverage_by_spec") or {}
        cells = {
            spec: {
                "value": round(float(entry.get("value") or 0.0), 4),
                "level": cell_level(entry),
                "clause": clause_ref(entry),
            }
            for spec, entry in cov.items()
        }
        out.append({"id": r["id"], "rank": r.get("rank"), "label": r.get("label", r["id"]), "cells": cells})
    return {"specs": specs, "rows": out}


def matrix_table(matrix: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One flat row per affordance for a table: rank, label, then '<level> 0.42' per spec."""
    table = []
    for r in matrix["rows"]:
        row: dict[str, Any] = {"id": r["id"], "rank": r["rank"], "affordance": r["label"]}
        for spec in matrix["specs"]:
            cell = r["cells"].get(spec)
            row[spec] = f"{cell['level']} {cell['value']:.2f}" if cell else "—"
        table.append(row)
    return table


__all__ = ["LEVELS", "cell_level", "clause_ref", "governed_line", "matrix_table", "spec_matrix"]
