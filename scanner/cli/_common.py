"""What every command shares: the parser that exits 2 with one line, progress on stderr, and
output as JSON or a table on stdout."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scanner import store


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
