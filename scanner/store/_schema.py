"""Ordered schema migrations.

The schema version lives in the database (``schema_version``). Each step is a small function
``from_N_to_M`` that runs inside the caller's transaction; ``MIGRATIONS[i]`` takes a database at
version ``i`` to version ``i + 1``. Never edit a step that has shipped: add a new one.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from scanner.embed import DIMENSIONS
from scanner.store._schema_later import (  # the later steps, in their own file
    from_6_to_7,
    from_7_to_8,
    from_8_to_9,
    from_9_to_10,
    from_10_to_11,
    from_11_to_12,
)

Migration = Callable[[duckdb.DuckDBPyConnection], None]


def from_0_to_1(con: duckdb.DuckDBPyConnection) -> None:
    """The walking skeleton: sources, items, embeddings, specs, affordances, editions."""
    con.execute(
        """
        CREATE TABLE sources (
            name TEXT PRIMARY KEY,
            url TEXT,
            kind TEXT NOT NULL,
            org TEXT,
            evidence TEXT NOT NULL DEFAULT 'primary',
            reason TEXT,
            enabled BOOLEAN NOT NULL DEFAULT TRUE,
            added_at TIMESTAMP NOT NULL DEFAULT current_timestamp
        )"""
    )
    con.execute(
        """
        CREATE TABLE items (
            id TEXT PRIMARY KEY,
            url TEXT,
            guid TEXT,
            title TEXT NOT NULL,
            summary TEXT NOT NULL DEFAULT '',
            org TEXT,
            source TEXT,
            published TIMESTAMP NOT NULL,
            date_missing BOOLEAN NOT NULL DEFAULT FALSE,
            first_seen TIMESTAMP NOT NULL,
            updated_at TIMESTAMP NOT NULL,
            content_hash TEXT NOT NULL,
            sources TEXT[] NOT NULL DEFAULT []
        )"""
    )
    con.execute(
        f"""
        CREATE TABLE embeddings (
            content_hash TEXT NOT NULL,
            model TEXT NOT NULL,
            vector FLOAT[{DIMENSIONS}] NOT NULL,
            PRIMARY KEY (content_hash, model)
        )"""
    )
    con.execute(
        """
        CREATE TABLE specs (
            name TEXT NOT NULL,
            version TEXT NOT NULL,
            title TEXT,
            link TEXT,
            origin TEXT,
            is_digest BOOLEAN NOT NULL DEFAULT FALSE,
            imported_at TIMESTAMP NOT NULL,
            PRIMARY KEY (name, version)
        )"""
    )
    con.execute(
        """
        CREATE TABLE clauses (
            spec TEXT NOT NULL,
            version TEXT NOT NULL,
            clause_key TEXT NOT NULL,
            ordinal INTEGER NOT NULL,
            section TEXT NOT NULL,
            text TEXT NOT NULL,
            link TEXT,
            content_hash TEXT NOT NULL,
            PRIMARY KEY (spec, version, clause_key)
        )"""
    )
    con.execute(
        """
        CREATE TABLE item_verdicts (
            item_id TEXT PRIMARY KEY,
            is_affordance BOOLEAN NOT NULL,
            confidence DOUBLE NOT NULL,
            capability TEXT,
            reasons TEXT NOT NULL,
            override BOOLEAN
        )"""
    )
    con.execute(
        """
        CREATE TABLE item_coverage (
            item_id TEXT NOT NULL,
            scope TEXT NOT NULL,
            coverage DOUBLE NOT NULL,
            evidence JSON NOT NULL,
            PRIMARY KEY (item_id, scope)
        )"""
    )
    con.execute(
        """
        CREATE TABLE candidates (
            id TEXT PRIMARY KEY,
            label TEXT NOT NULL,
            label_locked BOOLEAN NOT NULL DEFAULT FALSE,
            capability TEXT,
            created_at TIMESTAMP NOT NULL,
            merged_into TEXT
        )"""
    )
    con.execute(
        """
        CREATE TABLE assignments (
            item_id TEXT PRIMARY KEY,
            candidate_id TEXT NOT NULL,
            pinned BOOLEAN NOT NULL DEFAULT FALSE,
            assigned_at TIMESTAMP NOT NULL
        )"""
    )
    con.execute(
        """
        CREATE TABLE editions (
            edition DATE PRIMARY KEY,
            created_at TIMESTAMP NOT NULL,
            weights JSON NOT NULL,
            scope JSON NOT NULL,
            n_items INTEGER NOT NULL,
            n_candidates INTEGER NOT NULL
        )"""
    )
    con.execute(
        """
        CREATE TABLE edition_candidates (
            edition DATE NOT NULL,
            candidate_id TEXT NOT NULL,
            rank INTEGER NOT NULL,
            score DOUBLE NOT NULL,
            components JSON NOT NULL,
            detail JSON NOT NULL,
            PRIMARY KEY (edition, candidate_id)
        )"""
    )
    con.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value JSON NOT NULL)")


def from_1_to_2(con: duckdb.DuckDBPyConnection) -> None:
    """The meeting: triage status, owners, dated notes, and a log of every change."""
    con.execute(
        """
        CREATE TABLE triage (
            candidate_id TEXT PRIMARY KEY,
            status TEXT NOT NULL DEFAULT 'new',
            owner TEXT,
            updated_at TIMESTAMP NOT NULL
        )"""
    )
    con.execute(
        """
        CREATE TABLE notes (
            candidate_id TEXT NOT NULL,
            noted_at TIMESTAMP NOT NULL,
            author TEXT,
            text TEXT NOT NULL
        )"""
    )
    con.execute(
        """
        CREATE TABLE triage_log (
            candidate_id TEXT NOT NULL,
            changed_at TIMESTAMP NOT NULL,
            field TEXT NOT NULL,
            old TEXT,
            new TEXT,
            author TEXT
        )"""
    )
    con.execute(
        """
        CREATE TABLE ratings (
            candidate_id TEXT NOT NULL,
            criterion TEXT NOT NULL,
            value INTEGER NOT NULL,
            rated_at TIMESTAMP NOT NULL,
            PRIMARY KEY (candidate_id, criterion)
        )"""
    )


def from_2_to_3(con: duckdb.DuckDBPyConnection) -> None:
    """Real sources: fetch state and health, the fetch log, raw payloads, item history,
    and the log of affordance merges and splits."""
    for column, kind in [
        ("etag", "TEXT"),
        ("last_modified", "TEXT"),
        ("last_fetch", "TIMESTAMP"),
        ("last_success", "TIMESTAMP"),
        ("last_error", "TEXT"),
        ("consecutive_failures", "INTEGER DEFAULT 0"),
        ("broken", "BOOLEAN DEFAULT FALSE"),
        ("page_blocks", "JSON"),
    ]:
        con.execute(f"ALTER TABLE sources ADD COLUMN {column} {kind}")
    con.execute(
        """
        CREATE TABLE fetch_log (
            source TEXT NOT NULL,
            fetched_at TIMESTAMP NOT NULL,
            status TEXT NOT NULL,
            http_status INTEGER,
            items_new INTEGER NOT NULL DEFAULT 0,
            items_updated INTEGER NOT NULL DEFAULT 0,
            seconds DOUBLE NOT NULL DEFAULT 0,
            error TEXT
        )"""
    )
    con.execute(
        """
        CREATE TABLE raw_payloads (
            source TEXT NOT NULL,
            fetched_at TIMESTAMP NOT NULL,
            url TEXT,
            content_type TEXT,
            gz BLOB NOT NULL
        )"""
    )
    con.execute(
        """
        CREATE TABLE item_history (
            item_id TEXT NOT NULL,
            changed_at TIMESTAMP NOT NULL,
            title TEXT,
            summary TEXT
        )"""
    )
    con.execute(
        """
        CREATE TABLE affordance_events (
            happened_at TIMESTAMP NOT NULL,
            kind TEXT NOT NULL,
            candidate_id TEXT NOT NULL,
            other_id TEXT,
            detail JSON
        )"""
    )


def from_3_to_4(con: duckdb.DuckDBPyConnection) -> None:
    """Incremental grouping: running centroids, cached per-affordance signals, and the
    team's draft clauses."""
    con.execute(f"ALTER TABLE candidates ADD COLUMN centroid FLOAT[{DIMENSIONS}]")
    con.execute("ALTER TABLE candidates ADD COLUMN n_items INTEGER DEFAULT 0")
    con.execute(
        """
        CREATE TABLE candidate_signals (
            candidate_id TEXT NOT NULL,
            scope TEXT NOT NULL,
            n_items INTEGER NOT NULL,
            detail JSON NOT NULL,
            PRIMARY KEY (candidate_id, scope)
        )"""
    )
    con.execute(
        """
        CREATE TABLE drafts (
            candidate_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            saved_at TIMESTAMP NOT NULL,
            author TEXT,
            text TEXT NOT NULL,
            PRIMARY KEY (candidate_id, version)
        )"""
    )


def from_4_to_5(con: duckdb.DuckDBPyConnection) -> None:
    """Reposts found by their meaning: an item that repeats another is kept, pointing at it."""
    con.execute("ALTER TABLE items ADD COLUMN duplicate_of TEXT")


def from_5_to_6(con: duckdb.DuckDBPyConnection) -> None:
    """Versioned judgements and the team's coverage verdicts: every verdict, coverage row and
    edition records the judge version that produced it, so a new model re-judges old rows."""
    con.execute("ALTER TABLE item_verdicts ADD COLUMN judge_version TEXT")
    con.execute("ALTER TABLE item_coverage ADD COLUMN judge_version TEXT")
    con.execute("ALTER TABLE editions ADD COLUMN judge_version TEXT")
    con.execute(
        """
        CREATE TABLE coverage_verdicts (
            item_id TEXT NOT NULL,
            spec TEXT NOT NULL,
            version TEXT NOT NULL,
            coverage TEXT NOT NULL,
            clause_key TEXT,
            author TEXT,
            judged_at TIMESTAMP NOT NULL,
            PRIMARY KEY (item_id, spec, version)
        )"""
    )


MIGRATIONS: list[Migration] = [
    from_0_to_1, from_1_to_2, from_2_to_3, from_3_to_4, from_4_to_5,
    from_5_to_6, from_6_to_7, from_7_to_8, from_8_to_9, from_9_to_10,
    from_10_to_11, from_11_to_12,
]
LATEST = len(MIGRATIONS)
