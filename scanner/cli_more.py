"""CLI commands beyond the walking skeleton: sources, fetch, update, export, draft, backup, restore."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from scanner import store
from scanner.cli import _db, _out, _say, _table
from scanner.errors import AllSourcesFailed, BadInput


def cmd_sources(args: argparse.Namespace) -> None:
    from scanner.sources import registry

    action = args.sources_command
    with store.session(_db(args)) as con:
        if action == "add":
            name = registry.add_source(con, args.url, name=args.name, kind=args.kind, org=args.org, evidence=args.evidence)
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


def _fetch(args: argparse.Namespace) -> list[Any]:
    from scanner.sources.registry import fetch_sources

    def show(result: Any, n: int, total: int) -> None:
        what = result.error if result.status == "error" else f"{result.new} new, {result.updated} updated"
        _say(f"[{n}/{total}] {result.source}: {result.status} ({what})")

    results = fetch_sources(_db(args), args.source or None, progress=show)
    if results and all(r.status == "error" for r in results):
        _out(args, [r.as_json() for r in results], lambda r: "")
        raise AllSourcesFailed(f"every source failed ({len(results)}): see `wetcement sources list`")
    return results


def cmd_fetch(args: argparse.Namespace) -> None:
    results = _fetch(args)
    if not results:
        _say("no enabled sources with a URL: add some with `wetcement sources add URL` or `sources defaults`")
    _out(args, [r.as_json() for r in results], lambda rows: _table(rows, [("source", "source", 26), ("status", "status", 9), ("http_status", "http", 5), ("new", "new", 5), ("updated", "upd", 5), ("error", "error", 50)]))


def cmd_update(args: argparse.Namespace) -> None:
    from scanner.alerts import check_webhook_url, webhook_from_env
    from scanner.pipeline import scan

    hook = webhook_from_env()
    if hook:
        check_webhook_url(hook)
    results = _fetch(args)
    result = scan(_db(args), progress=_say)
    data = {"fetch": [r.as_json() for r in results], "scan": result.as_json()}
    if hook:
        from scanner import settings
        from scanner.alerts import alert

        with store.session(_db(args)) as con:
            res = alert(con, hook, top_n=int(settings.get(con, "alerts.top_n")), min_move=int(settings.get(con, "alerts.min_move")))
        data["alert"] = res.as_json()
        if not res.ok:
            _say(f"alert not sent: {res.error}")  # an alert never fails the update
    _out(args, data, lambda d: f"fetched {len(d['fetch'])} sources; edition {d['scan']['edition']}: {d['scan']['new_items']} new items, {d['scan']['candidates']} candidates")


def cmd_export(args: argparse.Namespace) -> None:
    from scanner.export import export

    statuses = [s for s in (args.status or "").split(",") if s] or None
    domains = [d for d in (args.domain or "").split(",") if d] or None
    with store.session(_db(args)) as con:
        result = export(con, args.export_format, Path(args.out), edition=args.edition, statuses=statuses, domains=domains)
    for warning in result.warnings:
        _say(warning)
    _say(f"wrote {', '.join(str(p) for p in result.paths)}")
    print(json.dumps(result.as_json(), default=str))


def cmd_backup(args: argparse.Namespace) -> None:
    from scanner.store.backup import backup

    out = backup(_db(args), args.path)
    _out(args, {"backup": str(out)}, lambda d: f"backup written to {d['backup']}")


def cmd_restore(args: argparse.Namespace) -> None:
    from scanner.store.backup import restore

    out = restore(_db(args), args.path)
    _out(args, {"restored": str(out), "from": args.path}, lambda d: f"restored {d['restored']} from {d['from']}")


def cmd_draft(args: argparse.Namespace) -> None:
    """`draft check CID [--text T | --file F]`: the draft-clause check (`scanner.drafts`); without
    a text, the latest saved version of the affordance's draft."""
    from scanner.drafts import check_draft, check_latest_draft
    from scanner.embed import default_embedder

    if args.text is not None and args.file is not None:
        raise BadInput("give --text or --file, not both")
    text = args.text
    if args.file is not None:
        try:
            text = Path(args.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise BadInput(f"{args.file}: cannot read the draft ({exc})") from None
    with store.session(_db(args)) as con:
        data = check_draft(con, args.id, text, default_embedder()) if text is not None else check_latest_draft(con, args.id, default_embedder())
    if data is None:
        raise BadInput(f"{args.id}: no saved draft; give --text or --file")
    _out(args, data, _draft_lines)


def _draft_lines(d: dict[str, Any]) -> str:
    lines = [f"{d['id']} {d['label']} · checked against {', '.join(d['scope']) or 'no spec'}"]
    cov = d["coverage"]
    if cov:
        lines.append(f"coverage now {cov['now']:.2f} ({cov['level_now']}) → if adopted {cov['if_adopted']:.2f} "
                     f"({cov['level_if_adopted']}); gap {cov['gap_now']:.2f} → {cov['gap_if_adopted']:.2f}")
        for spec, v in cov["per_spec"].items():
            lines.append(f"  {spec}: {v['now']:.2f} → {v['if_adopted']:.2f} ({v['level_if_adopted']})")
    if d["note"]:
        lines.append(d["note"])
    for c in d["duplicates"]:
        lines.append(f"possible duplicate ({c['similarity']:.2f}): {c['spec']}@{c['version']} · {c['section']}")
    for spec, clauses in d["nearest"].items():
        lines.append(f"nearest in {spec}:")
        lines += [f"  {c['similarity']:.2f} {c['section']}" for c in clauses]
    return "\n".join(lines)


def register(sub: Any, add: Any, common: argparse.ArgumentParser) -> None:
    from scanner.cli import _Parser

    p = add("sources", cmd_sources, "manage sources")
    ssub = p.add_subparsers(dest="sources_command", required=True, parser_class=_Parser)
    a = ssub.add_parser("add", parents=[common])
    a.add_argument("url")
    a.add_argument("--name")
    a.add_argument("--kind", choices=["rss", "atom", "jsonfeed", "github-releases", "html"])
    a.add_argument("--org")
    a.add_argument("--evidence", choices=["primary", "secondary"], default="primary")
    ssub.add_parser("list", parents=[common])
    ssub.add_parser("defaults", parents=[common])
    for verb in ("remove", "enable", "disable"):
        v = ssub.add_parser(verb, parents=[common])
        v.add_argument("name")

    p = add("fetch", cmd_fetch, "fetch enabled sources over the network")
    p.add_argument("--source", action="append")
    p = add("update", cmd_update, "fetch then scan (for cron)")
    p.add_argument("--source", action="append")

    db_only = argparse.ArgumentParser(add_help=False)
    db_only.add_argument("--db", default=argparse.SUPPRESS, help="the database file")
    p = sub.add_parser("export", help="watchlists, agendas, reports", parents=[db_only])
    p.set_defaults(func=cmd_export)
    p.add_argument("--format", dest="export_format", required=True, choices=["csv", "json", "md", "xlsx", "html", "atom", "radar"])
    p.add_argument("--out", required=True)
    p.add_argument("--edition")
    p.add_argument("--status")
    p.add_argument("--domain")

    p = add("draft", cmd_draft, "check a draft clause against the specs in scope")
    dsub = p.add_subparsers(dest="draft_command", required=True, parser_class=_Parser)
    c = dsub.add_parser("check", parents=[common])
    c.add_argument("id")
    c.add_argument("--text")
    c.add_argument("--file")

    p = add("backup", cmd_backup, "a consistent copy of the database")
    p.add_argument("path")
    p = add("restore", cmd_restore, "replace the database with a backup")
    p.add_argument("path")


__all__ = ["register", "sys", "BadInput"]
