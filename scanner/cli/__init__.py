"""The `wetcement` command line (the contract is ../shared/CLI.md): one module per command group,
each a thin edge over the `scanner` package."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from scanner.cli import (
    backtest,
    backup,
    drafts,
    export,
    reading,
    scanning,
    serve,
    setup,
    sources,
    specs,
    team,
)
from scanner.cli._common import _Parser
from scanner.embed import default_embedder
from scanner.errors import ScannerError

# in the order `wetcement --help` lists them
GROUPS = (setup, specs, scanning, reading, team, serve, sources, export, drafts, backup, backtest)


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS, help="the database file (else $WETCEMENT_DB, else data/wetcement.duckdb)")
    common.add_argument("--format", choices=["table", "json"], default=argparse.SUPPRESS, help="output format")
    common.add_argument("--quiet", "-q", action="store_true", default=argparse.SUPPRESS,
                        help="no progress on stderr (a bar on a terminal, else one line per step)")

    parser = _Parser(prog="wetcement", description="Scan AI vendors' feeds for wet-cement moments.", parents=[common])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def add(name: str, func: Callable[[argparse.Namespace], None], help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, parents=[common])
        p.set_defaults(func=func)
        return p

    for group in GROUPS:
        group.register(sub, add, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    parser = build_parser()
    args = parser.parse_args(argv)
    args.db = getattr(args, "db", None)
    args.format = getattr(args, "format", "table")
    args.quiet = getattr(args, "quiet", False)
    try:
        default_embedder()  # a bad WETCEMENT_EMBED_BACKEND stops here, before anything is written
        args.func(args)
    except ScannerError as exc:
        sys.stderr.write(f"wetcement: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("wetcement: interrupted\n")
        return 130
    return 0


__all__ = ["build_parser", "main"]
