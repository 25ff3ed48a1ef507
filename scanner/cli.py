"""The `wetcement` command line (see CLI.md): thin, every command one call into the library.

Data goes to stdout (``--format json``: JSON only); progress and messages go to stderr.
Exit codes: 0 done · 2 bad input · 3 every source failed · 4 database busy.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from scanner import store
from scanner.errors import BadInput, ScannerError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one clear line, exit 2
        sys.stderr.write(f"wetcement: {message} (see `{self.prog} --help`)\n")
        raise SystemExit(2)


def _say(message: str) -> None:
    print(f"· {message}", file=sys.stderr, flush=True)


def _out(args: argparse.Namespace, data: Any, table: Callable[[Any], str] | None = None) -> None:
    if getattr(args, "format", "table") == "json" or table is None:
        json.dump(data, sys.stdout, indent=2, default=str, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(table(data) + "\n")


def _table(rows: list[dict[str, Any]], columns: list[tuple[str, str, int]]) -> str:
    if not rows:
        return "(none)"
    lines = ["  ".join(h.ljust(w) for _, h, w in columns)]
    lines.append("  ".join("-" * w for _, _, w in columns))
    for row in rows:
        cells = []
        for key, _, width in columns:
            value = row.get(key)
            text = "" if value is None else (f"{value:.3f}" if isinstance(value, float) else str(value))
            cells.append((text[: width - 1] + "…" if len(text) > width else text).ljust(width))
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _db(args: argparse.Namespace) -> Path:
    return store.resolve_path(args.db)


# --- commands ---------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> None:
    with store.session(_db(args)) as con:
        version = store.schema_version(con)
    _out(args, {"database": str(_db(args)), "schema_version": version}, lambda d: f"schema version {d['schema_version']} at {d['database']}")


def cmd_demo(args: argparse.Namespace) -> None:
    from scanner.demo import load_demo

    result = load_demo(_db(args), progress=_say)
    _out(args, result, lambda r: f"demo loaded: {r['new_items']} new items, editions {', '.join(r['editions'])}, {r['candidates']} candidates, {r['embedded']} texts embedded")


def cmd_ingest(args: argparse.Namespace) -> None:
    from scanner.ingest import ingest_paths

    paths = [Path(p) for p in args.paths]
    with store.session(_db(args)) as con:
        result = ingest_paths(con, paths, args.source)
    data = {"new": result.new, "updated": result.updated, "unchanged": result.unchanged, "merged_reposts": result.merged}
    _say(f"parsed {len(paths)} file(s)")
    _out(args, data, lambda d: f"{d['new']} new, {d['updated']} updated, {d['unchanged']} unchanged, {d['merged_reposts']} reposts merged")


def cmd_specs(args: argparse.Namespace) -> None:
    from scanner.specs import library

    action = args.specs_command
    if action == "add":
        raw, fetched_link = library.read_source(args.path)
        doc = library.parse_spec(
            raw, where=args.path, name=args.name, version=args.version, link=args.link or fetched_link
        )
        with store.session(_db(args)) as con:
            library.store_spec(con, doc)
        _say(f"{doc.name} {doc.version}: {len(doc.clauses)} clauses")
        _out(args, {"name": doc.name, "version": doc.version, "clauses": len(doc.clauses)}, lambda d: f"imported {d['name']} {d['version']}: {d['clauses']} clauses")
        return
    with store.session(_db(args)) as con:
        if action == "list":
            rows = library.list_specs(con)
            _out(args, rows, lambda r: _table(r, [("name", "name", 28), ("version", "version", 12), ("clauses", "clauses", 8), ("is_digest", "digest", 7), ("title", "title", 40)]))
        elif action == "show":
            spec = library.show_spec(con, args.name, args.version)
            _out(args, spec, lambda s: f"{s['title']} ({s['version']})\n" + "\n".join(f"[{c['section']}] {c['text'][:160]}" for c in s["clauses"]))
        elif action == "remove":
            n = library.remove_spec(con, args.name, args.version)
            _out(args, {"removed_versions": n}, lambda d: f"removed {d['removed_versions']} version(s) of {args.name}")
        elif action == "diff":
            from scanner.embed import default_embedder
            from scanner.specs.impact import coverage_impact

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


def cmd_scan(args: argparse.Namespace) -> None:
    from scanner.editions import parse_day
    from scanner.pipeline import scan

    as_of = parse_day(args.as_of, "--as-of") if args.as_of else None
    specs = [s.strip() for s in args.specs.split(",") if s.strip()] if args.specs else None
    result = scan(_db(args), as_of=as_of, specs=specs, progress=_say, regroup=args.regroup)
    _out(args, result.as_json(), lambda r: f"edition {r['edition']}: {r['new_items']} new items, {r['embedded']} texts embedded, {r['candidates']} candidates in {r['seconds']:.1f} s")


def cmd_items(args: argparse.Namespace) -> None:
    from scanner import report

    with store.session(_db(args)) as con:
        rows = report.items(con, since=args.since, limit=args.limit)
    _out(args, rows, lambda r: _table(r, [("published", "published", 19), ("org", "org", 14), ("is_affordance", "aff", 5), ("coverage", "coverage", 8), ("title", "title", 70)]))


def cmd_override(args: argparse.Namespace) -> None:
    from scanner import grouping
    from scanner.embed import default_embedder

    value = {"yes": True, "no": False, "auto": None}[args.affordance]
    with store.session(_db(args)) as con:
        grouping.override_item(con, args.id, value, default_embedder().name)
    _say("takes effect in the next edition: run `wetcement scan`")
    _out(args, {"item": args.id, "is_affordance": value}, lambda d: f"item {d['item']}: affordance = {args.affordance}")


def cmd_judge(args: argparse.Namespace) -> None:
    from scanner.verdicts import set_coverage_verdict

    with store.session(_db(args)) as con:
        row = set_coverage_verdict(con, args.item, args.spec, args.coverage, args.clause, args.author)
    _say("takes effect in the next edition: run `wetcement scan`")
    _out(args, row, lambda d: f"item {d['item']}: {d['spec']}@{d['version']} {d['coverage']}" + (f" (clause {d['clause']})" if d["clause"] else ""))


def cmd_candidates(args: argparse.Namespace) -> None:
    from scanner import report

    with store.session(_db(args)) as con:
        rows = report.candidates(con, edition=args.edition, limit=args.limit)
    _out(args, rows, lambda r: _table(r, [("rank", "#", 4), ("trend", "trend", 5), ("score", "score", 6), ("n_orgs", "orgs", 4), ("status", "status", 9), ("label", "affordance", 60)]))


def cmd_sensitivity(args: argparse.Namespace) -> None:
    from scanner import report
    from scanner.sensitivity import sensitivity

    if not 0 < args.delta < 1:
        raise BadInput("--delta must be between 0 and 1 (0.2 means ±20%)")
    with store.session(_db(args)) as con:
        rows = report.candidates(con, edition=args.edition, with_items=False)
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
    from scanner import editions

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


def cmd_triage(args: argparse.Namespace) -> None:
    from scanner import triage

    if args.status is None and args.owner is None and args.note is None:
        raise BadInput("triage needs --status, --owner or --note")
    with store.session(_db(args)) as con:
        cid = triage.set_triage(con, args.id, status=args.status, owner=args.owner, note=args.note, author=args.author)
        state = triage.triage_state(con, cid)
    _out(args, {"id": cid, **state}, lambda s: f"{s['id']}: {s['status']}, owner {s['owner'] or '-'}, {len(s['notes'])} note(s)")


def cmd_affordance(args: argparse.Namespace) -> None:
    from scanner import grouping
    from scanner.embed import default_embedder

    model = default_embedder().name
    with store.session(_db(args)) as con:
        if args.aff_command == "merge":
            grouping.merge(con, args.survivor, args.absorbed, model)
            data: dict[str, Any] = {"merged": args.absorbed, "into": args.survivor}
        elif args.aff_command == "split":
            data = {"from": args.id, "new": grouping.split(con, args.id, args.items, model)}
        elif args.aff_command == "move":
            grouping.move(con, args.item, args.id, model)
            data = {"item": args.item, "to": args.id}
        else:
            grouping.set_label(con, args.id, args.label)
            data = {"id": args.id, "label": args.label}
    _say("takes effect in the next edition: run `wetcement scan`")
    _out(args, data, lambda d: json.dumps(d))


def cmd_weights(args: argparse.Namespace) -> None:
    from scanner.pipeline import get_setting, set_setting
    from scanner.rank import DEFAULT_WEIGHTS, check_weights

    with store.session(_db(args)) as con:
        current = {**DEFAULT_WEIGHTS, **get_setting(con, "weights", {})}
        if args.pairs:
            changes: dict[str, Any] = {}
            for pair in args.pairs:
                if "=" not in pair:
                    raise BadInput(f"{pair!r}: write weights as name=value, e.g. gap=0.4")
                k, v = pair.split("=", 1)
                changes[k.strip()] = v.strip()
            current = check_weights({**current, **changes})
            set_setting(con, "weights", current)
    _out(args, current, lambda w: "  ".join(f"{k}={v:g}" for k, v in w.items()))


def cmd_serve(args: argparse.Namespace) -> None:
    import subprocess

    app = Path(__file__).resolve().parents[1] / "app.py"
    db = _db(args).resolve()
    with store.session(db):
        pass  # create or migrate before the dashboard opens it
    env = {**os.environ, "WETCEMENT_DB": str(db), "HF_HUB_OFFLINE": "1"}
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.port", str(args.port), "--server.address", args.address,
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]
    _say(f"dashboard on http://{args.address}:{args.port} (database {db})")
    raise SystemExit(subprocess.call(cmd, env=env, cwd=str(app.parent)))


# --- the parser -------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS, help="the database file (else $WETCEMENT_DB, else data/wetcement.duckdb)")
    common.add_argument("--format", choices=["table", "json"], default=argparse.SUPPRESS, help="output format")

    parser = _Parser(prog="wetcement", description="Scan AI vendors' feeds for wet-cement moments.", parents=[common])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def add(name: str, func: Callable[[argparse.Namespace], None], help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, parents=[common])
        p.set_defaults(func=func)
        return p

    add("init", cmd_init, "create or migrate the database")
    add("demo", cmd_demo, "load the bundled demo and scan (offline)")
    p = add("ingest", cmd_ingest, "import RSS/Atom/JSON Feed files or JSONL")
    p.add_argument("paths", nargs="+")
    p.add_argument("--source")

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
    d = ssub.add_parser("diff", parents=[common])
    d.add_argument("name")
    d.add_argument("old")
    d.add_argument("new")

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

    p = add("triage", cmd_triage, "status, owner and notes of an affordance")
    p.add_argument("id")
    p.add_argument("--status")
    p.add_argument("--owner")
    p.add_argument("--note")
    p.add_argument("--author")

    p = add("affordance", cmd_affordance, "merge, split, move items, relabel")
    asub = p.add_subparsers(dest="aff_command", required=True, parser_class=_Parser)
    m = asub.add_parser("merge", parents=[common])
    m.add_argument("survivor")
    m.add_argument("absorbed")
    s = asub.add_parser("split", parents=[common])
    s.add_argument("id")
    s.add_argument("items", nargs="+")
    mv = asub.add_parser("move", parents=[common])
    mv.add_argument("item")
    mv.add_argument("id")
    lb = asub.add_parser("label", parents=[common])
    lb.add_argument("id")
    lb.add_argument("label")

    p = add("weights", cmd_weights, "show or set the score's weights (name=value ...)")
    p.add_argument("pairs", nargs="*")

    p = add("serve", cmd_serve, "start the dashboard")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--address", default="127.0.0.1")

    _extend(sub, add, common)
    return parser


def _extend(sub: Any, add: Any, common: argparse.ArgumentParser) -> None:
    """Commands that live in their own modules (sources, fetch, export, backup...)."""
    try:
        from scanner import cli_more
    except ImportError:
        return
    cli_more.register(sub, add, common)


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    parser = build_parser()
    args = parser.parse_args(argv)
    args.db = getattr(args, "db", None)
    args.format = getattr(args, "format", "table")
    try:
        from scanner.embed import default_embedder

        default_embedder()  # a bad WETCEMENT_EMBED_BACKEND stops here, before anything is written
        args.func(args)
    except ScannerError as exc:
        sys.stderr.write(f"wetcement: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("wetcement: interrupted\n")
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
