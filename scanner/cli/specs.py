"""`specs add|list|show|remove|diff`: the spec library."""

from __future__ import annotations

import argparse
from typing import Any

from scanner import store
from scanner.cli._common import _db, _out, _Parser, _table
from scanner.cli._progress import shown
from scanner.embed import default_embedder
from scanner.specs import library, watch
from scanner.specs.impact import coverage_impact


def cmd_specs(args: argparse.Namespace) -> None:
    action = args.specs_command
    if action == "add":
        with shown(args) as progress:
            doc = library.import_spec(_db(args), args.path, name=args.name, version=args.version,
                                      link=args.link, progress=progress)
        _out(args, {"name": doc.name, "version": doc.version, "clauses": len(doc.clauses)}, lambda d: f"imported {d['name']} {d['version']}: {d['clauses']} clauses")
        return
    with store.session(_db(args)) as con:
        if action in ("watch", "unwatch", "watched"):
            _watching(args, con)
        elif action == "list":
            rows = watch.list_versions(con)
            _out(args, rows, lambda r: _table(r, [("name", "name", 28), ("version", "version", 12), ("clauses", "clauses", 8), ("is_digest", "digest", 7), ("title", "title", 40)]))
        elif action == "show":
            spec = library.show_spec(con, args.name, args.version)
            _out(args, spec, lambda s: f"{s['title']} ({s['version']})\n" + "\n".join(f"[{c['section']}] {c['text'][:160]}" for c in s["clauses"]))
        elif action == "remove":
            n = library.remove_spec(con, args.name, args.version)
            _out(args, {"removed_versions": n}, lambda d: f"removed {d['removed_versions']} version(s) of {args.name}")
        elif action == "diff":

            d = library.diff_specs(con, args.name, args.old, args.new)
            impact = coverage_impact(con, args.name, args.old, args.new, default_embedder())
            data = {"added": d.added, "removed": d.removed, "changed": d.changed, "unchanged": d.unchanged,
                    "affordances_gained": impact["gained"], "affordances_lost": impact["lost"]}
            _out(args, data, lambda x: "\n".join(
                [f"{len(x['added'])} added, {len(x['removed'])} removed, {len(x['changed'])} changed, {x['unchanged']} unchanged"]
                + [f"+ [{c['section']}] {c['text'][:120]}" for c in x["added"][:20]]
                + [f"- [{c['section']}] {c['text'][:120]}" for c in x["removed"][:20]]
                + [f"~ [{c['section']}] {c['text'][:120]}" for c in x["changed"][:20]]
                + [f"coverage up   {a['before']:.2f}→{a['after']:.2f} {a['label']}" for a in x["affordances_gained"]]
                + [f"coverage down {a['before']:.2f}→{a['after']:.2f} {a['label']}" for a in x["affordances_lost"]]))


def _watching(args: argparse.Namespace, con: Any) -> None:
    """`specs watch URL --name N`, `specs unwatch N`, `specs watched`."""
    if args.specs_command == "watch":
        data = watch.watch_spec(con, args.url, args.name)
        _out(args, data, lambda d: f"watching {d['watching']} at {d['url']}: `wetcement fetch` imports it when it changes")
    elif args.specs_command == "unwatch":
        _out(args, watch.unwatch_spec(con, args.name), lambda d: f"stopped watching {d['unwatched']} (its versions stay)")
    else:
        _out(args, watch.list_watched(con), lambda r: _table(r, [("name", "name", 28), ("url", "url", 50), ("last_changed", "last changed", 19), ("consecutive_failures", "fails", 5), ("last_error", "last error", 40)]))


def fetch_watched_specs(args: argparse.Namespace, progress: Any = None) -> list[Any]:
    """The watched specs' part of `fetch` and `update`: a progress step (one line) each."""
    return watch.fetch_watched(_db(args), progress=progress)


def register(sub: Any, add: Any, common: argparse.ArgumentParser) -> None:
    p = add("specs", cmd_specs, "the spec library")
    ssub = p.add_subparsers(dest="specs_command", required=True, parser_class=_Parser)
    a = ssub.add_parser("add", parents=[common], help="import a spec as a new version")
    a.add_argument("path")
    a.add_argument("--name", required=True)
    a.add_argument("--version")
    a.add_argument("--link")
    ssub.add_parser("list", parents=[common])
    s = ssub.add_parser("show", parents=[common])
    s.add_argument("name")
    s.add_argument("--version")
    r = ssub.add_parser("remove", parents=[common])
    r.add_argument("name")
    r.add_argument("--version")
    w = ssub.add_parser("watch", parents=[common], help="follow a spec page or raw file: `fetch` imports each change as a new version")
    w.add_argument("url")
    w.add_argument("--name", required=True)
    u = ssub.add_parser("unwatch", parents=[common], help="stop following a spec's source (its versions stay)")
    u.add_argument("name")
    ssub.add_parser("watched", parents=[common], help="the watched specs and their fetch health")
    d = ssub.add_parser("diff", parents=[common])
    d.add_argument("name")
    d.add_argument("old")
    d.add_argument("new")
