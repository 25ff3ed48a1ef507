"""Migrations: an empty database and a database at every earlier version, with data in it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from scanner import store
from scanner.errors import BadInput, DatabaseBusy
from scanner.store._schema import LATEST, MIGRATIONS


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def test_empty_database_migrates_to_latest(fresh_db: Path) -> None:
    with store.session(fresh_db) as con:
        assert store.schema_version(con) == LATEST
        assert {"items", "candidates", "notes", "fetch_log", "drafts"} <= _tables(con)
        versions = [r[0] for r in con.execute("SELECT version FROM schema_version ORDER BY version").fetchall()]
    assert versions == list(range(1, LATEST + 1))


@pytest.mark.parametrize("start", range(1, LATEST))
def test_every_earlier_version_migrates_with_its_data(fresh_db: Path, start: int) -> None:
    con = duckdb.connect(str(fresh_db))
    store.migrate(con, target=start)
    con.execute(
        "INSERT INTO items (id, url, title, published, first_seen, updated_at, content_hash, sources) "
        "VALUES ('i1', 'https://a.example/', 'Kept', '2025-01-01', '2025-01-01', '2025-01-01', 'h', ['s'])"
    )
    con.execute("INSERT INTO candidates (id, label, created_at) VALUES ('aff-1', 'Memory', '2025-01-01')")
    if start >= 2:
        con.execute("INSERT INTO notes VALUES ('aff-1', '2025-01-02', 'ann', 'keep this note')")
    con.close()
    with store.session(fresh_db) as con:
        assert store.schema_version(con) == LATEST
        assert con.execute("SELECT title FROM items").fetchall() == [("Kept",)]
        assert con.execute("SELECT label FROM candidates").fetchall() == [("Memory",)]
        if start >= 2:
            assert con.execute("SELECT text FROM notes").fetchall() == [("keep this note",)]
        assert con.execute("SELECT n_items FROM candidates").fetchone() == (0,)


def test_migrations_are_ordered_small_steps() -> None:
    assert [m.__name__ for m in MIGRATIONS] == [f"from_{i}_to_{i + 1}" for i in range(LATEST)]


def test_newer_schema_is_refused(fresh_db: Path) -> None:
    with store.session(fresh_db) as con:
        con.execute("INSERT INTO schema_version VALUES (?, now())", [LATEST + 1])
    with pytest.raises(BadInput, match="newer than this wetcement"):
        store.open_connection(fresh_db)


def test_corrupt_file_names_restore(fresh_db: Path) -> None:
    fresh_db.write_bytes(b"this is not a database" * 1000)
    with pytest.raises(BadInput, match="restore"):
        store.open_connection(fresh_db)


def test_failed_unit_of_work_writes_nothing(fresh_db: Path) -> None:
    with pytest.raises(RuntimeError), store.session(fresh_db) as con:
        con.execute("INSERT INTO settings VALUES ('k', '1')")
        raise RuntimeError("boom")
    with store.session(fresh_db) as con:
        assert con.execute("SELECT count(*) FROM settings").fetchone() == (0,)


def test_busy_database_raises_after_wait(fresh_db: Path) -> None:
    import subprocess
    import sys
    import time

    store.open_connection(fresh_db).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb,time; c=duckdb.connect({str(fresh_db)!r}); print('ok', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"ok"
        t = time.monotonic()
        with pytest.raises(DatabaseBusy, match="busy"):
            store.open_connection(fresh_db, wait=1.0)
        assert time.monotonic() - t >= 0.9
    finally:
        holder.kill()
        holder.wait()
        assert holder.stdout is not None
        holder.stdout.close()


def test_items_are_stored_once_edits_kept_and_reposts_merged(fresh_db: Path) -> None:
    from datetime import datetime

    from scanner.sources.parse import make_item
    from scanner.store.items import store_items

    def item(source: str, url: str, title: str, summary: str, day: int):
        return make_item(title=title, summary=summary, url=url, guid=None, published=datetime(2025, 1, day), org=None, source=source)

    with store.session(fresh_db) as con:
        first = store_items(con, [item("a", "https://a.example/x", "Agents can now pay for things", "v1", 1)])
        edited = store_items(con, [item("a", "https://a.example/x", "Agents can now pay for things", "v2 with more", 1)])
        repost = store_items(con, [item("b", "https://b.example/y", "Agents can now pay for things!", "copy", 2)])
        same = store_items(con, [item("a", "https://a.example/x", "Agents can now pay for things", "v2 with more", 1)])
        rows = con.execute("SELECT summary, sources FROM items").fetchall()
        history = con.execute("SELECT summary FROM item_history").fetchall()
    assert (first.new, edited.updated, repost.merged, same.unchanged) == (1, 1, 1, 1)
    assert rows == [("v2 with more", ["a", "b"])]
    assert history == [("v1",)]
