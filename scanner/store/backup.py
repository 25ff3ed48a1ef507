"""A consistent copy of the whole database, and back.

* ``backup`` holds the database's lock (an open connection: no other process can write),
  checkpoints, copies the file to ``PATH.partial``, reads every row of the copy back (DuckDB
  checks each block's checksum), and only then renames it to ``PATH``.
* ``restore`` never trusts a backup it has not read: it copies the backup to a private file
  beside the database, migrates that copy to this version of wetcement, and reads every row of
  every table. Then, holding the database's lock (it waits for a running writer, and exits 4
  past ``WETCEMENT_DB_WAIT``), it replaces the database's contents with the backup's in one
  transaction, so a reader sees the old data or the new, and a writer that started earlier is
  never overwritten by a swapped file. Only a database that cannot be opened or read at all
  (the case restore exists for) is replaced as a file.

Any problem with the backup (missing, empty, truncated, a damaged block, not a wetcement
database, newer than this wetcement) is ``BadInput`` (exit 2) and leaves the database as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb

from scanner.errors import BadInput
from scanner.store.db import migrate, open_connection, resolve_path, schema_version

_ALIAS = "wetcement_backup"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _tables(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> list[str]:
    where = "table_schema = 'main' AND table_type = 'BASE TABLE'"
    args: list[str] = []
    if catalog:
        where += " AND table_catalog = ?"
        args.append(catalog)
    else:
        where += " AND table_catalog = current_database()"
    rows = con.execute(
        f"SELECT table_name FROM information_schema.tables WHERE {where} ORDER BY table_name", args
    ).fetchall()
    return [r[0] for r in rows]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _read_everything(con: duckdb.DuckDBPyConnection) -> None:
    """Read every column of every row, so that a damaged block fails its checksum here."""
    for table in _tables(con):
        con.execute(f"SELECT count(*), bit_xor(hash(t)) FROM {_quote(table)} t").fetchall()


def _check_copy(path: Path, shown: Path, *, upgrade: bool) -> int:
    """Open a private copy of a backup, read all of it, and return its schema version.

    With ``upgrade`` the copy is migrated to this version of wetcement first.
    """

    def unreadable(exc: BaseException) -> BadInput:
        why = _first_line(exc).replace(str(path), str(shown))
        return BadInput(f"{shown}: not a readable wetcement database ({why})")

    try:
        con = duckdb.connect(str(path), read_only=not upgrade)
    except duckdb.Error as exc:
        raise unreadable(exc) from exc
    try:
        version = schema_version(con)
        if version == 0:
            raise BadInput(f"{shown}: not a wetcement database (no schema version)")
        if upgrade:
            migrate(con)  # BadInput when the backup is newer than this wetcement
        _read_everything(con)
        if upgrade:
            con.execute("CHECKPOINT")
    except duckdb.Error as exc:
        raise unreadable(exc) from exc
    finally:
        con.close()
    return version


def backup(db: str | os.PathLike[str] | None, target: str | os.PathLike[str]) -> Path:
    """Copy the database while holding its lock, after a checkpoint: no writer can interleave."""
    source = resolve_path(db)
    out = Path(target)
    if out.exists() and out.is_dir():
        raise BadInput(f"{out}: is a directory; give a file name for the backup")
    if not source.exists():
        raise BadInput(f"{source}: no database to back up")
    if out.exists() and out.samefile(source):
        raise BadInput(f"{out}: is the database itself; give another file name for the backup")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInput(f"{out}: cannot create its folder ({exc.strerror or exc})") from exc
    tmp = out.with_name(out.name + ".partial")
    con = open_connection(source)
    try:
        con.execute("CHECKPOINT")
        try:
            shutil.copyfile(source, tmp)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise BadInput(f"{out}: cannot write the backup ({exc.strerror or exc})") from exc
    finally:
        con.close()
    try:
        _check_copy(tmp, out, upgrade=False)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out


def restore(db: str | os.PathLike[str] | None, backup_path: str | os.PathLike[str]) -> Path:
    """Replace the database with a backup, after reading all of the backup (see the module)."""
    target = resolve_path(db)
    src = Path(backup_path)
    if not src.exists() or src.is_dir():
        raise BadInput(f"{src}: no such backup file")
    if target.exists() and target.is_dir():
        raise BadInput(f"{target}: is a directory, not a database file")
    if target.exists() and src.samefile(target):
        raise BadInput(f"{src}: is the database itself, not a backup of it")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.restore-")
        os.close(fd)
    except OSError as exc:
        raise BadInput(f"{target.parent}: cannot write there ({exc.strerror or exc})") from exc
    tmp = Path(name)
    try:
        try:
            shutil.copyfile(src, tmp)
        except OSError as exc:
            raise BadInput(f"{src}: cannot read the backup ({exc.strerror or exc})") from exc
        _check_copy(tmp, src, upgrade=True)
        if not (target.exists() and _copy_into(target, tmp)):
            _replace_file(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
    return target


def _copy_into(target: Path, checked: Path) -> bool:
    """Replace every table's rows with the checked copy's, in one transaction, holding the
    database's lock. False when the database is too damaged to open or to read."""
    try:
        con = open_connection(target)  # waits for a writer; DatabaseBusy past the wait
    except BadInput:
        return False
    try:
        path = str(checked).replace("'", "''")
        con.execute(f"ATTACH '{path}' AS {_ALIAS} (READ_ONLY)")
        try:
            tables = _tables(con)
            if tables != _tables(con, _ALIAS):
                return False
            con.execute("BEGIN TRANSACTION")
            try:
                for table in tables:
                    columns = ", ".join(
                        _quote(r[0]) for r in con.execute(f"DESCRIBE main.{_quote(table)}").fetchall()
                    )
                    con.execute(f"DELETE FROM main.{_quote(table)}")
                    con.execute(
                        f"INSERT INTO main.{_quote(table)} ({columns}) "
                        f"SELECT {columns} FROM {_ALIAS}.main.{_quote(table)}"
                    )
                con.execute("COMMIT")
            except duckdb.Error:
                con.execute("ROLLBACK")
                return False
        finally:
            con.execute(f"DETACH {_ALIAS}")
        con.execute("CHECKPOINT")
    except duckdb.Error:
        return False
    finally:
        con.close()
    return True


def _replace_file(checked: Path, target: Path) -> None:
    """Put the checked copy in the database's place (no database yet, or a damaged one)."""
    wal = target.with_name(target.name + ".wal")
    wal.unlink(missing_ok=True)
    os.replace(checked, target)
    open_connection(target).close()
