"""Wet Cement Scanner: the public API. Everything the command line and the dashboard do is one
call into this package; ``import scanner`` and do the same.

The data flow, one sub-package per step (read them in this order):
``sources`` (fetch, parse, normalise, ingest) → ``store`` (DuckDB, vectors, settings storage) →
``embed`` (the model's backends) → ``specs`` (spec documents into clauses) → ``judge`` (pure
judgements over rows and vectors) → ``scanning`` (the scan that reads, judges and writes) →
``views`` (read models and exports) → ``team`` (triage, drafts, alerts) → ``cli`` and ``ui``.

>>> import scanner
>>> with scanner.open_store("data/wetcement.duckdb") as con:  # doctest: +SKIP
...     top = scanner.candidates(con, limit=10)
"""

from __future__ import annotations

from scanner import settings
from scanner.demo import load_demo
from scanner.errors import BadInput, DatabaseBusy, ScannerError
from scanner.scanning.editions import diff as edition_diff
from scanner.scanning.editions import list_editions as editions
from scanner.scanning.pipeline import ScanResult, scan
from scanner.store import session as open_store
from scanner.team.triage import set_triage as triage
from scanner.views.export import export
from scanner.views.report import candidate, candidates, items

__all__ = [
    "BadInput",
    "DatabaseBusy",
    "ScanResult",
    "ScannerError",
    "candidate",
    "candidates",
    "edition_diff",
    "editions",
    "export",
    "items",
    "load_demo",
    "open_store",
    "scan",
    "settings",
    "triage",
]
