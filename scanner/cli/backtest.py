"""`backtest`: lead time, from a replay of the scans in a scratch copy of the store."""

from __future__ import annotations

import argparse
from typing import Any

from scanner import store
from scanner.cli._common import _db, _out
from scanner.cli._progress import shown
from scanner.errors import BadInput
from scanner.scanning.backtest import backtest, default_window
from scanner.scanning.editions import parse_day
from scanner.views.lead_time import lead_table


def cmd_backtest(args: argparse.Namespace) -> None:
    start = parse_day(args.date_from, "--from") if args.date_from else None
    end = parse_day(args.date_to, "--to") if args.date_to else None
    path = _db(args)
    if not path.is_file():
        raise BadInput(f"{path}: no database yet; run `wetcement demo` or `wetcement scan` first")
    if start is None or end is None:
        with store.session(path) as con:
            window = default_window(con, end)
        if window is None:
            raise BadInput(f"{path}: the store holds no items to replay; run `wetcement ingest` first")
        start, end = start or window[0], window[1]
    with shown(args) as progress:
        result = backtest(path, start, end, args.step, progress=progress, save=not args.no_save)
    _out(args, result, lead_table)


def register(sub: Any, add: Any, common: argparse.ArgumentParser) -> None:
    p = add("backtest", cmd_backtest, "replay the scans in a scratch copy: how early the scanner flagged what spread")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="first replayed edition (default: two years before --to, or the first item's day if later)")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="last replayed edition (default: the newest item's day)")
    p.add_argument("--step", type=int, default=7, help="days between replayed editions (default 7)")
    p.add_argument("--no-save", action="store_true", help="do not keep the result in the store for the dashboard")
