"""`init`, `demo` and `ingest`: create the database and fill it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import scanner
from scanner import store
from scanner.cli._common import _db, _out, _say
from scanner.cli._progress import shown
from scanner.sources.ingest import ingest_paths


def cmd_init(args: argparse.Namespace) -> None:
    with store.session(_db(args)) as con:
        version = store.schema_version(con)
    _out(args, {"database": str(_db(args)), "schema_version": version}, lambda d: f"schema version {d['schema_version']} at {d['database']}")


def cmd_demo(args: argparse.Namespace) -> None:
    with shown(args) as progress:
        result = scanner.load_demo(_db(args), progress=progress)
    _out(args, result, lambda r: f"demo loaded: {r['new_items']} new items, editions {', '.join(r['editions'])}, {r['candidates']} candidates, {r['embedded']} texts embedded")


def cmd_ingest(args: argparse.Namespace) -> None:
    paths = [Path(p) for p in args.paths]
    with store.session(_db(args)) as con:
        result = ingest_paths(con, paths, args.source)
    data = {"new": result.new, "updated": result.updated, "unchanged": result.unchanged, "merged_reposts": result.merged}
    _say(f"parsed {len(paths)} file(s)")
    _out(args, data, lambda d: f"{d['new']} new, {d['updated']} updated, {d['unchanged']} unchanged, {d['merged_reposts']} reposts merged")


def register(sub: Any, add: Any, common: argparse.ArgumentParser) -> None:
    add("init", cmd_init, "create or migrate the database")
    add("demo", cmd_demo, "load the bundled demo and scan (offline)")
    p = add("ingest", cmd_ingest, "import RSS/Atom/JSON Feed files or JSONL")
    p.add_argument("paths", nargs="+")
    p.add_argument("--source")
