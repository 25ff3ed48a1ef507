"""`rate`, `checklist`, `reviews`: the meeting's criteria ratings, transition checklist and due
reviews, from the command line (`scanner.team.criteria`, `checklist`, `reviews`)."""

from __future__ import annotations

import argparse
import os
from typing import Any

from scanner import store
from scanner.cli._common import _db, _out, _table
from scanner.errors import BadInput
from scanner.team import checklist, criteria, reviews
from scanner.team.triage import _exists


def _by(args: argparse.Namespace) -> str | None:
    return args.by or os.environ.get("WETCEMENT_USER") or None


def cmd_rate(args: argparse.Namespace) -> None:
    """`rate ID [--criterion C --score N [--draft V] [--by NAME]]`: record one score, then show
    the current ratings; without --criterion, only show them."""
    if (args.criterion is None) != (args.score is None):
        raise BadInput("rate needs --criterion and --score together (or neither, to list the ratings)")
    with store.session(_db(args)) as con:
        cid = _exists(con, args.id)
        if args.criterion is not None:
            criteria.rate(con, cid, args.criterion, args.score, by=_by(args), draft=args.draft)
        rows = criteria.ratings(con, cid)
    _out(args, {"id": cid, "ratings": rows}, lambda d: _table(
        [{**r, "name": criteria.name_of(r["criterion"]), "draft": "-" if r["draft"] is None else r["draft"]}
         for r in d["ratings"]],
        [("draft", "draft", 5), ("name", "criterion", 38), ("score", "score", 5), ("by", "by", 16), ("at", "at", 19)],
    ))


def cmd_checklist(args: argparse.Namespace) -> None:
    """`checklist ID [ITEM --done|--undo] [--by NAME]`: tick or untick one transition step,
    then show the whole checklist."""
    if args.item is not None and args.done is None:
        raise BadInput("checklist ITEM needs --done or --undo")
    if args.item is None and args.done is not None:
        raise BadInput(f"--done/--undo needs an item: one of {', '.join(checklist.BY_ID)}")
    with store.session(_db(args)) as con:
        cid = _exists(con, args.id)
        if args.item is not None:
            checklist.tick(con, cid, args.item, args.done, by=_by(args))
        rows = checklist.checklist(con, cid)
    _out(args, {"id": cid, "checklist": rows}, lambda d: "\n".join(
        f"[{'x' if r['done'] else ' '}] {r['item']:<26} {r['name']}"
        + (f"  ({'ticked' if r['done'] else 'unticked'} by {r['by'] or 'anonymous'}, {r['at']})" if r["at"] else "")
        for r in d["checklist"]
    ))


def cmd_reviews(args: argparse.Namespace) -> None:
    """`reviews [--on DATE]`: the affordances whose review is due (date come, or a condition fired)."""
    with store.session(_db(args)) as con:
        due = reviews.due_reviews(con, reviews.parse_day(args.on, "--on"))
    _out(args, due, lambda rows: "\n".join(
        f"{r['id']} {r['label']}\n" + "\n".join(f"  · {why}" for why in r["reasons"]) for r in rows
    ) or "(no review is due)")


def register(sub: Any, add: Any, common: argparse.ArgumentParser) -> None:
    ids = ", ".join(criteria.BY_ID)
    p = add("rate", cmd_rate, "rate a draft clause of an affordance on one of the spec criteria")
    p.add_argument("id")
    p.add_argument("--criterion", help=f"one of: {ids}")
    p.add_argument("--score", type=int, help="1 (poorly) to 5 (very well); 0 withdraws your score")
    p.add_argument("--draft", type=int, help="the draft version rated (default: the latest)")
    p.add_argument("--by", help="who rates (default: $WETCEMENT_USER)")

    p = add("checklist", cmd_checklist, "tick or untick a step of the transition checklist")
    p.add_argument("id")
    p.add_argument("item", nargs="?", help=f"one of: {', '.join(checklist.BY_ID)}")
    p.add_argument("--done", dest="done", action="store_const", const=True, default=None)
    p.add_argument("--undo", dest="done", action="store_const", const=False)
    p.add_argument("--by", help="who ticks (default: $WETCEMENT_USER)")

    p = add("reviews", cmd_reviews, "decisions whose review is due")
    p.add_argument("--on", help="as of this day (YYYY-MM-DD; default today)")
