"""Opening the DuckDB file: short-lived connections, waits on a busy file, migrations.

DuckDB lets one process write a database file at a time, and a reader cannot open a file that
another process is writing. The dashboard and a cron job share one file, so every caller opens a
connection for one unit of work and closes it (``with store.session(path) as con:``). A file that
stays locked past ``wait`` seconds raises :class:`DatabaseBusy` (exit code 4 on the CLI).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from scanner.errors import BadInput, DatabaseBusy
from scanner.store._schema import LATEST, MIGRATIONS

DEFAULT_DB = Path("data") / "wetcement.duckdb"
_WRITERS: dict[str, threading.RLock] = {}
_WRITERS_GUARD = threading.Lock()


def _writer_lock(db: Path) -> threading.RLock:
    """Threads of one process (the dashboard's sessions) take turns to write: DuckDB would
    otherwise let two of them insert the same key and fail one at commit."""
    key = str(db.resolve())
    with _WRITERS_GUARD:
        return _WRITERS.setdefault(key, threading.RLock())
DEFAULT_WAIT = 30.0


def resolve_path(path: str | os.PathLike[str] | None = None) -> Path:
    """``--db`` if given, else ``$WETCEMENT_DB``, else ``data/wetcement.duckdb`` here."""
    if path:
        return Path(path)
    env = os.environ.get("WETCEMENT_DB")
    return Path(env) if env else DEFAULT_DB


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text or "conflicting" in text or "being used" in text


def open_connection(
    path: str | os.PathLike[str] | None = None,
    *,
    read_only: bool = False,
    wait: float | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the database, waiting while another process holds its lock, and migrate it."""
    db = resolve_path(path)
    if wait is None:
        wait = float(os.environ.get("WETCEMENT_DB_WAIT", DEFAULT_WAIT))
    if db.exists() and db.is_dir():
        raise BadInput(f"{db}: is a directory, not a database file")
    if read_only and not db.exists():
        read_only = False  # nothing to read yet: create it
    if not read_only:
        db.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(str(db), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise _corrupt(db, exc) from exc
            if time.monotonic() >= deadline:
                raise DatabaseBusy(
                    f"{db}: the database is busy (another wetcement process is writing it) "
                    f"and stayed busy for {wait:.0f} s; try again when it has finished"
                ) from exc
            time.sleep(delay)
            delay = min(delay * 1.6, 1.0)
        except (duckdb.SerializationException, duckdb.InternalException) as exc:
            raise _corrupt(db, exc) from exc
        except duckdb.Error as exc:
            raise _corrupt(db, exc) from exc
    if not read_only:
        try:
            migrate(con)
        except Exception:
            con.close()
            raise
    return con


def _corrupt(db: Path, exc: Exception) -> BadInput:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return BadInput(
        f"{db}: cannot open the database ({first}); if the file is damaged, "
        f"restore a backup with `wetcement --db {db} restore BACKUP`"
    )


@contextmanager
def session(
    path: str | os.PathLike[str] | None = None,
    *,
    read_only: bool = False,
    wait: float | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """One unit of work on a short-lived connection; writes commit together or not at all."""
    if read_only:
        con = open_connection(path, read_only=True, wait=wait)
        try:
            yield con
        finally:
            con.close()
        return
    with _writer_lock(resolve_path(path)):
        con = open_connection(path, wait=wait)
        try:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        finally:
            con.close()


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchone()
    if not exists or not exists[0]:
        return 0
    row = con.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def migrate(con: duckdb.DuckDBPyConnection, target: int = LATEST) -> int:
    """Bring the database to ``target``, one recorded step at a time, each in a transaction."""
    current = schema_version(con)
    if current > LATEST:
        raise BadInput(
            f"the database is at schema version {current}, newer than this wetcement "
            f"({LATEST}); upgrade wetcement"
        )
    if current == 0:
        con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER, applied_at TIMESTAMP)")
    for version in range(current, target):
        con.execute("BEGIN TRANSACTION")
        try:
            MIGRATIONS[version](con)
            con.execute(
                "INSERT INTO schema_version VALUES (?, current_timestamp)", [version + 1]
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return max(current, target)
