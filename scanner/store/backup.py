"""A consistent copy of the whole database, and back."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb

from scanner.errors import BadInput
from scanner.store.db import open_connection, resolve_path, schema_version


def backup(db: str | os.PathLike[str] | None, target: str | os.PathLike[str]) -> Path:
    """Copy the database while holding its lock, after a checkpoint: no writer can interleave."""
    source = resolve_path(db)
    out = Path(target)
    if out.exists() and out.is_dir():
        raise BadInput(f"{out}: is a directory; give a file name for the backup")
    if not source.exists():
        raise BadInput(f"{source}: no database to back up")
    out.parent.mkdir(parents=True, exist_ok=True)
    con = open_connection(source)
    try:
        con.execute("CHECKPOINT")
        tmp = out.with_name(out.name + ".partial")
        shutil.copyfile(source, tmp)
        os.replace(tmp, out)
    finally:
        con.close()
    return out


def restore(db: str | os.PathLike[str] | None, backup_path: str | os.PathLike[str]) -> Path:
    """Replace the database with a backup, after checking that the backup opens."""
    target = resolve_path(db)
    src = Path(backup_path)
    if not src.exists() or src.is_dir():
        raise BadInput(f"{src}: no such backup file")
    try:
        check = duckdb.connect(str(src), read_only=True)
        version = schema_version(check)
        check.close()
    except duckdb.Error as exc:
        raise BadInput(f"{src}: not a readable wetcement database ({str(exc).splitlines()[0]})") from exc
    if version == 0:
        raise BadInput(f"{src}: not a wetcement database (no schema version)")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".restore-")
    os.close(fd)
    shutil.copyfile(src, tmp)
    wal = target.with_name(target.name + ".wal")
    if wal.exists():
        wal.unlink()
    os.replace(tmp, target)
    open_connection(target).close()  # migrate an older backup at once
    return target
