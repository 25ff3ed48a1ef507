"""DuckDB storage: one file, ordered migrations, short-lived connections."""

from scanner.store._schema import LATEST
from scanner.store.db import (
    DEFAULT_DB,
    migrate,
    open_connection,
    resolve_path,
    schema_version,
    session,
)

__all__ = [
    "DEFAULT_DB",
    "LATEST",
    "migrate",
    "open_connection",
    "resolve_path",
    "schema_version",
    "session",
]
