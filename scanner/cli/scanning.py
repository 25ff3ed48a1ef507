"""`scan`, `items`, `override`, `judge`: the scan and the team's verdicts on its judgements."""

from __future__ import annotations

import argparse
from typing import Any

import scanner
from scanner import scan, store
from scanner.cli._common import _db, _out, _say, _table
from scanner.cli._progress import shown
from scanner.embed import default_embedder
from scanner.scanning import grouping
from scanner.scanning.editions import parse_day
from scanner.scanning.verdicts import set_coverage_verdict


def cmd_scan(args: argparse.Namespace) -> None:
    as_of = parse_day(args.as_of, "--as-of") if args.as_of else None
    specs = [s.strip() for s in args.specs.split(",") if s.strip()] if args.specs else None
    with shown(args) as progress:
        result = scan(_db(args), as_of=as_of, specs=specs, progress=progress, regroup=args.regroup)
    _out(args, result.as_json(), lambda r: f"edition {r['edition']}: {r['new_items']} new items, {r['embedded']} texts embedded, {r['candidates']} candidates in {r['seconds']:.1f} s")


def cmd_items(args: argparse.Namespace) -> None:
    with store.session(_db(args)) as con:
        rows = scanner.items(con, since=args.since, limit=args.limit)
    _out(args, rows, lambda r: _table(r, [("published", "published", 19), ("org", "org", 14), ("is_affordance", "aff", 5), ("coverage", "coverage", 8), ("title", "title", 70)]))


def cmd_override(args: argparse.Namespace) -> None:
    value = {"yes": True, "no": False, "auto": None}[args.affordance]
    with store.session(_db(args)) as con:
        grouping.override_item(con, args.id, value, default_embedder().name)
    _say("takes effect in the next edition: run `wetcement scan`")
    _out(args, {"item": args.id, "is_affordance": value}, lambda d: f"item {d['item']}: affordance = {args.affordance}")


def cmd_judge(args: argparse.Namespace) -> None:
    with store.session(_db(args)) as con:
        row = set_coverage_verdict(con, args.item, args.spec, args.coverage, args.clause, args.author)
    _say("takes effect in the next edition: run `wetcement scan`")
    _out(args, row, lambda d: f"item {d['item']}: {d['spec']}@{d['version']} {d['coverage']}" + (f" (clause {d['clause']})" if d["clause"] else ""))


def register(sub: Any, add: Any, common: argparse.ArgumentParser) -> None:
    p = add("scan", cmd_scan, "embed, cover, group, score; write the edition")
    p.add_argument("--as-of")
    p.add_argument("--specs")
    p.add_argument("--regroup", action="store_true", help="regroup every item from scratch (ids follow by overlap)")

    p = add("items", cmd_items, "items with their coverage evidence")
    p.add_argument("--since")
    p.add_argument("--limit", type=int)

    p = add("override", cmd_override, "the team's verdict on whether an item is an affordance")
    p.add_argument("id", help="the item's id (see `wetcement items`)")
    p.add_argument("--affordance", choices=["yes", "no", "auto"], required=True)

    p = add("judge", cmd_judge, "the team's verdict on how far a spec governs an item (kept as a label)")
    p.add_argument("item", help="the item's id (see `wetcement items`)")
    p.add_argument("--spec", required=True, help="the spec's name; the verdict is on its latest version")
    p.add_argument("--coverage", choices=["covered", "partial", "uncovered"], required=True)
    p.add_argument("--clause", help="the key of the clause that decides it (see `wetcement specs show NAME`)")
    p.add_argument("--author", help="who says so")
