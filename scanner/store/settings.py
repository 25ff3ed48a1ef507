"""Where settings are stored: one JSON value per key in the ``settings`` table.

Only `scanner.settings` (the declared list, with types, defaults and checks) reads and writes
through here; everything else asks `scanner.settings`.
"""

from __future__ import annotations

import json
from typing import Any


def read_setting(con: Any, key: str, default: Any) -> Any:
    """The stored JSON value of ``key``, else ``default``."""
    rows = con.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchall()
    return json.loads(rows[0][0]) if rows else default


def write_setting(con: Any, key: str, value: Any) -> None:
    """Store ``value`` (any JSON value) under ``key``, replacing what was there."""
    con.execute(
        "INSERT INTO settings VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, json.dumps(value)],
    )
