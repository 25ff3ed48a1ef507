"""`sources`, `fetch`, `update`: the feeds, and the weekly fetch-then-scan."""

from __future__ import annotations

import argparse
from typing import Any

from scanner import scan, settings, store
from scanner.cli._common import _db, _out, _Parser, _table
from scanner.cli._progress import note, shown
from scanner.cli.specs import fetch_watched_specs
from scanner.errors import AllSourcesFailed
from scanner.progress import Progress
from scanner.sources import registry
from scanner.sources.registry import fetch_sources
from scanner.team.alerts import alert, check_webhook_url, webhook_from_env


def cmd_sources(args: argparse.Namespace) -> None:
    action = args.sources_command
    with store.session(_db(args)) as con:
        if action == "add":
            name = registry.add_source(con, args.url, name=args.name, kind=args.kind, org=args.org, evidence=args.evidence,
                                       full_text=args.full_text)
            data: Any = {"added": name}
        elif action == "defaults":
            data = {"added": registry.add_defaults(con)}
        elif action == "remove":
            registry.remove_source(con, args.name)
            data = {"removed": args.name}
        elif action in ("enable", "disable"):
            registry.set_enabled(con, args.name, action == "enable")
            data = {action + "d": args.name}
        else:
            rows = registry.list_sources(con)
            _out(args, rows, lambda r: _table(r, [("name", "name", 26), ("kind", "kind", 8), ("enabled", "on", 5), ("items", "items", 6), ("last_success", "last success", 19), ("consecutive_failures", "fails", 5), ("broken", "broken", 6), ("last_error", "last error", 40)]))
            return
    _out(args, data, lambda d: ", ".join(f"{k} {v}" for k, v in d.items()))


def _fetch(args: argparse.Namespace, progress: Progress) -> list[Any]:
    results: list[Any] = fetch_sources(_db(args), args.source or None, progress=progress)
    if not args.source:  # watched specs too, unless named feeds were asked for
        results += fetch_watched_specs(args, progress=progress)
    if results and all(r.status == "error" for r in results):
        _out(args, [r.as_json() for r in results], lambda r: "")
        raise AllSourcesFailed(f"every source failed ({len(results)}): see `wetcement sources list`")
    return results


def cmd_fetch(args: argparse.Namespace) -> None:
    with shown(args) as progress:
        results = _fetch(args, progress)
    if not results:
        note(args, "no enabled sources with a URL: add some with `wetcement sources add URL` or `sources defaults`")
    _out(args, [r.as_json() for r in results], lambda rows: _table(rows, [("source", "source", 26), ("status", "status", 9), ("http_status", "http", 5), ("new", "new", 5), ("updated", "upd", 5), ("error", "error", 50)]))


def cmd_update(args: argparse.Namespace) -> None:
    hook = webhook_from_env()
    if hook:
        check_webhook_url(hook)
    with shown(args) as progress:
        results = _fetch(args, progress)
        result = scan(_db(args), progress=progress)
    data = {"fetch": [r.as_json() for r in results], "scan": result.as_json()}
    if hook:

        with store.session(_db(args)) as con:
            res = alert(con, hook, top_n=int(settings.get(con, "alerts.top_n")), min_move=int(settings.get(con, "alerts.min_move")))
        data["alert"] = res.as_json()
        if not res.ok:
            note(args, f"alert not sent: {res.error}")  # an alert never fails the update
    _out(args, data, lambda d: f"fetched {len(d['fetch'])} sources; edition {d['scan']['edition']}: {d['scan']['new_items']} new items, {d['scan']['candidates']} candidates")


def register(sub: Any, add: Any, common: argparse.ArgumentParser) -> None:
    p = add("sources", cmd_sources, "manage sources")
    ssub = p.add_subparsers(dest="sources_command", required=True, parser_class=_Parser)
    a = ssub.add_parser("add", parents=[common])
    a.add_argument("url")
    a.add_argument("--name")
    a.add_argument("--kind", choices=["rss", "atom", "jsonfeed", "github-releases", "html"])
    a.add_argument("--org")
    a.add_argument("--evidence", choices=["primary", "secondary"], default="primary")
    a.add_argument("--no-full-text", dest="full_text", action="store_false",
                   help="never fetch the article pages of this source's thin items")
    ssub.add_parser("list", parents=[common])
    ssub.add_parser("defaults", parents=[common])
    for verb in ("remove", "enable", "disable"):
        v = ssub.add_parser(verb, parents=[common])
        v.add_argument("name")

    p = add("fetch", cmd_fetch, "fetch enabled sources over the network")
    p.add_argument("--source", action="append")
    p = add("update", cmd_update, "fetch then scan (for cron)")
    p.add_argument("--source", action="append")
