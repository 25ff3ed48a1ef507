"""`export`: watchlists, agendas, reports, a classic radar CSV."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from scanner import store
from scanner.cli._common import _db, _say
from scanner.views.export import export


def cmd_export(args: argparse.Namespace) -> None:
    statuses = [s for s in (args.status or "").split(",") if s] or None
    domains = [d for d in (args.domain or "").split(",") if d] or None
    with store.session(_db(args)) as con:
        result = export(con, args.export_format, Path(args.out), edition=args.edition, statuses=statuses, domains=domains)
    for warning in result.warnings:
        _say(warning)
    _say(f"wrote {', '.join(str(p) for p in result.paths)}")
    print(json.dumps(result.as_json(), default=str))


def register(sub: Any, add: Any, common: argparse.ArgumentParser) -> None:
    db_only = argparse.ArgumentParser(add_help=False)
    db_only.add_argument("--db", default=argparse.SUPPRESS, help="the database file")
    p = sub.add_parser("export", help="watchlists, agendas, reports", parents=[db_only])
    p.set_defaults(func=cmd_export)
    p.add_argument("--format", dest="export_format", required=True, choices=["csv", "json", "md", "xlsx", "html", "atom", "radar"])
    p.add_argument("--out", required=True)
    p.add_argument("--edition")
    p.add_argument("--status")
    p.add_argument("--domain")
