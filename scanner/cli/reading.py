"""`candidates`, `sensitivity`, `editions`: what an edition ranks, and how it moved."""

from __future__ import annotations

import argparse
from typing import Any

import scanner
from scanner import store
from scanner.cli._common import _db, _out, _Parser, _table
from scanner.errors import BadInput
from scanner.scanning import editions
from scanner.views.sensitivity import sensitivity


def cmd_candidates(args: argparse.Namespace) -> None:
    with store.session(_db(args)) as con:
        rows = scanner.candidates(con, edition=args.edition, limit=args.limit)
    _out(args, rows, lambda r: _table(r, [("rank", "#", 4), ("trend", "trend", 5), ("score", "score", 6), ("n_orgs", "orgs", 4), ("status", "status", 9), ("label", "affordance", 60)]))


def cmd_sensitivity(args: argparse.Namespace) -> None:
    if not 0 < args.delta < 1:
        raise BadInput("--delta must be between 0 and 1 (0.2 means ±20%)")
    with store.session(_db(args)) as con:
        rows = scanner.candidates(con, edition=args.edition, with_items=False)
    if not rows:
        raise BadInput("the edition has no candidates")
    result = sensitivity(rows, rows[0]["weights"], args.delta)
    labels = {r["id"]: r["label"] for r in rows}
    def table(d: dict[str, Any]) -> str:
        lines = [f"top 10 under ±{d['delta']:.0%} weight changes: at least {d['top10_min_kept']} of 10 stay"]
        for cid, c in sorted(d["candidates"].items(), key=lambda kv: kv[1]["rank"])[:15]:
            flag = "  FRAGILE" if c["fragile"] else ""
            lines.append(f"#{c['rank']:<3} ranks {c['best']}-{c['worst']:<4} {labels[cid][:60]}{flag}")
        return "\n".join(lines)
    _out(args, result, table)


def cmd_editions(args: argparse.Namespace) -> None:
    with store.session(_db(args)) as con:
        if args.editions_command == "list":
            rows = editions.list_editions(con)
            _out(args, rows, lambda r: _table(r, [("edition", "edition", 10), ("candidates", "candidates", 10), ("items", "items", 7), ("specs", "specs", 60)]))
        else:
            d = editions.diff(con, args.a, args.b)
            _out(args, d, lambda x: "\n".join(
                [f"from {x['from']} to {x['to']}"]
                + [f"entered  #{c['rank']:<3} {c['label']}" for c in x["entered"]]
                + [f"left     #{c['rank']:<3} {c['label']}" for c in x["left"]]
                + [f"rose     {c['before']}→{c['after']} {c['label']}" for c in x["rose"]]
                + [f"fell     {c['before']}→{c['after']} {c['label']}" for c in x["fell"]]))


def register(sub: Any, add: Any, common: argparse.ArgumentParser) -> None:
    p = add("candidates", cmd_candidates, "the ranked affordances of an edition")
    p.add_argument("--edition")
    p.add_argument("--limit", type=int)

    p = add("sensitivity", cmd_sensitivity, "how stable the top 10 is under ±20%% weight changes")
    p.add_argument("--edition")
    p.add_argument("--delta", type=float, default=0.2)

    p = add("editions", cmd_editions, "editions and what moved")
    esub = p.add_subparsers(dest="editions_command", required=True, parser_class=_Parser)
    esub.add_parser("list", parents=[common])
    d = esub.add_parser("diff", parents=[common])
    d.add_argument("a")
    d.add_argument("b")
