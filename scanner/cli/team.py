"""`triage`, `affordance`, `weights`: the team's decisions on the ranking."""

from __future__ import annotations

import argparse
import json
from typing import Any

import scanner
from scanner import settings, store
from scanner.cli import meeting
from scanner.cli._common import _db, _out, _Parser, _say
from scanner.embed import default_embedder
from scanner.errors import BadInput
from scanner.scanning import grouping
from scanner.team import reviews, triage


def cmd_triage(args: argparse.Namespace) -> None:
    review_args = (args.review_by, args.reopen_when, args.snooze)
    if args.status is None and args.owner is None and args.note is None and all(a is None for a in review_args):
        raise BadInput("triage needs --status, --owner or --note (or --review-by, --reopen-when, --snooze)")
    if args.review_by is not None:
        reviews.parse_day(args.review_by)  # bad input stops here, before anything is written
    if args.reopen_when is not None:
        reviews.parse_conditions(args.reopen_when)
    with store.session(_db(args)) as con:
        cid = scanner.triage(con, args.id, status=args.status, owner=args.owner, note=args.note, author=args.author)
        if args.review_by is not None or args.reopen_when is not None:
            reviews.set_review(
                con, cid, by=args.author,
                due=reviews.KEEP if args.review_by is None else args.review_by,
                conditions=reviews.KEEP if args.reopen_when is None else args.reopen_when,
            )
        if args.snooze is not None:
            reviews.snooze(con, cid, args.snooze, by=args.author)
        state = {**triage.triage_state(con, cid), "review": reviews.review_state(con, cid)}
    _out(args, {"id": cid, **state}, _triage_line)


def _triage_line(s: dict[str, Any]) -> str:
    r = s["review"]
    line = f"{s['id']}: {s['status']}, owner {s['owner'] or '-'}, {len(s['notes'])} note(s)"
    if r["due"] or r["conditions"]:
        line += f"; review by {r['due'] or '-'}, reopen when {', '.join(r['conditions']) or '-'}"
        line += " (due now)" if r["is_due"] else (f" (snoozed until {r['snoozed_until']})" if r["snoozed_until"] else "")
    return line


def cmd_affordance(args: argparse.Namespace) -> None:
    model = default_embedder().name
    with store.session(_db(args)) as con:
        if args.aff_command == "merge":
            grouping.merge(con, args.survivor, args.absorbed, model, author=args.author)
            data: dict[str, Any] = {"merged": args.absorbed, "into": args.survivor}
        elif args.aff_command == "split":
            data = {"from": args.id, "new": grouping.split(con, args.id, args.items, model, author=args.author)}
        elif args.aff_command == "move":
            grouping.move(con, args.item, args.id, model)
            data = {"item": args.item, "to": args.id}
        else:
            grouping.set_label(con, args.id, args.label)
            data = {"id": args.id, "label": args.label}
    _say("takes effect in the next edition: run `wetcement scan`")
    _out(args, data, lambda d: json.dumps(d))


def cmd_weights(args: argparse.Namespace) -> None:
    with store.session(_db(args)) as con:
        current = settings.weights(con)
        if args.pairs:
            changes: dict[str, Any] = {}
            for pair in args.pairs:
                if "=" not in pair:
                    raise BadInput(f"{pair!r}: write weights as name=value, e.g. gap=0.4")
                k, v = pair.split("=", 1)
                changes[k.strip()] = v.strip()
            current = settings.set_weights(con, {**current, **changes})
    _out(args, current, lambda w: "  ".join(f"{k}={v:g}" for k, v in w.items()))


def register(sub: Any, add: Any, common: argparse.ArgumentParser) -> None:
    p = add("triage", cmd_triage, "status, owner and notes of an affordance")
    p.add_argument("id")
    p.add_argument("--status")
    p.add_argument("--owner")
    p.add_argument("--note")
    p.add_argument("--author")
    p.add_argument("--review-by", help="review the decision by this day (YYYY-MM-DD; none clears it)")
    p.add_argument("--reopen-when", action="append",
                   help=f"reopen when: {', '.join(reviews.CONDITIONS)} (repeat, or a comma list; none clears them)")
    p.add_argument("--snooze", help="hide a due review for N days, or until YYYY-MM-DD")

    p = add("affordance", cmd_affordance, "merge, split, move items, relabel")
    asub = p.add_subparsers(dest="aff_command", required=True, parser_class=_Parser)
    m = asub.add_parser("merge", parents=[common])
    m.add_argument("survivor")
    m.add_argument("absorbed")
    s = asub.add_parser("split", parents=[common])
    s.add_argument("id")
    s.add_argument("items", nargs="+")
    for sp in (m, s):
        sp.add_argument("--author", help="who made the change (shown in the Candidate page's grouping log)")
    mv = asub.add_parser("move", parents=[common])
    mv.add_argument("item")
    mv.add_argument("id")
    lb = asub.add_parser("label", parents=[common])
    lb.add_argument("id")
    lb.add_argument("label")

    p = add("weights", cmd_weights, "show or set the score's weights (name=value ...)")
    p.add_argument("pairs", nargs="*")

    meeting.register(sub, add, common)  # rate, checklist, reviews: the meeting's deeper record
