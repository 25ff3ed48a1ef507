"""`backup` and `restore`: a consistent copy of the whole database, and back."""

from __future__ import annotations

import argparse
from typing import Any

from scanner.cli._common import _db, _out
from scanner.store.backup import backup, restore


def cmd_backup(args: argparse.Namespace) -> None:
    out = backup(_db(args), args.path)
    _out(args, {"backup": str(out)}, lambda d: f"backup written to {d['backup']}")


def cmd_restore(args: argparse.Namespace) -> None:
    out = restore(_db(args), args.path)
    _out(args, {"restored": str(out), "from": args.path}, lambda d: f"restored {d['restored']} from {d['from']}")


def register(sub: Any, add: Any, common: argparse.ArgumentParser) -> None:
    p = add("backup", cmd_backup, "a consistent copy of the database")
    p.add_argument("path")
    p = add("restore", cmd_restore, "replace the database with a backup")
    p.add_argument("path")
