"""Schema migrations from version 6 on: each takes a database at version N to N + 1, inside the
caller's transaction (the list and its rules are in `scanner.store._schema`)."""

from __future__ import annotations

import duckdb


def from_6_to_7(con: duckdb.DuckDBPyConnection) -> None:
    """When each person last opened a page, and the latest edition then, for the "since your
    last visit" marks of the Radar and the Meeting."""
    con.execute(
        """
        CREATE TABLE page_visits (
            person TEXT NOT NULL,
            page TEXT NOT NULL,
            seen_at TIMESTAMP NOT NULL,
            edition DATE,
            PRIMARY KEY (person, page)
        )"""
    )


def from_7_to_8(con: duckdb.DuckDBPyConnection) -> None:
    """Watched specs: a spec page or raw file that `fetch` follows (its conditional-GET state and
    health), and one row per version a fetch imported, with the coverage it replaced."""
    con.execute(
        """
        CREATE TABLE spec_sources (
            name TEXT PRIMARY KEY,
            url TEXT NOT NULL,
            etag TEXT,
            last_modified TEXT,
            content_hash TEXT,
            added_at TIMESTAMP NOT NULL,
            last_fetch TIMESTAMP,
            last_changed TIMESTAMP,
            last_error TEXT,
            consecutive_failures INTEGER NOT NULL DEFAULT 0
        )"""
    )
    con.execute(
        """
        CREATE TABLE spec_fetches (
            spec TEXT NOT NULL,
            version TEXT NOT NULL,
            fetched_at TIMESTAMP NOT NULL,
            url TEXT,
            content_hash TEXT NOT NULL,
            previous_version TEXT,
            coverage_before JSON,
            PRIMARY KEY (spec, version)
        )"""
    )


def from_8_to_9(con: duckdb.DuckDBPyConnection) -> None:
    """Full text for thin items: the article's main text kept beside the feed's summary, what
    fetching the article did (so no link is fetched twice), and a per-source switch."""
    con.execute("ALTER TABLE sources ADD COLUMN full_text BOOLEAN DEFAULT TRUE")
    for column, kind in [
        ("full_text", "TEXT"),
        ("full_text_status", "TEXT"),  # ok | empty | failed | refused; NULL: never tried
        ("full_text_error", "TEXT"),
        ("full_text_at", "TIMESTAMP"),
        ("full_text_meta", "JSON"),
    ]:
        con.execute(f"ALTER TABLE items ADD COLUMN {column} {kind}")


def from_9_to_10(con: duckdb.DuckDBPyConnection) -> None:
    """The defaults each affordance item states (``scanner.judge.defaults``): one row per item,
    the list found (often empty) and the version of the defaults file that found it."""
    con.execute(
        """
        CREATE TABLE item_defaults (
            item_id TEXT PRIMARY KEY,
            version TEXT NOT NULL,
            found JSON NOT NULL,
            extracted_at TIMESTAMP NOT NULL
        )"""
    )


def from_10_to_11(con: duckdb.DuckDBPyConnection) -> None:
    """The meeting, deeper: ratings per person, per draft and per criterion, kept as history
    (the four-family ratings move over, unsigned and about no draft); the transition checklist
    as tick and untick events (the five readiness boxes move over); review dates and
    conditions, with what the affordance looked like when they were set, and snoozes."""
    con.execute(
        """
        CREATE TABLE criterion_ratings (
            candidate_id TEXT NOT NULL,
            draft INTEGER,
            criterion TEXT NOT NULL,
            score INTEGER NOT NULL,
            author TEXT,
            rated_at TIMESTAMP NOT NULL
        )"""
    )
    con.execute(
        """
        CREATE TABLE checklist_events (
            candidate_id TEXT NOT NULL,
            item TEXT NOT NULL,
            done BOOLEAN NOT NULL,
            author TEXT,
            ticked_at TIMESTAMP NOT NULL
        )"""
    )
    con.execute(
        """
        CREATE TABLE reviews (
            candidate_id TEXT NOT NULL,
            set_at TIMESTAMP NOT NULL,
            kind TEXT NOT NULL,
            due DATE,
            conditions TEXT[],
            snoozed_until DATE,
            coverage DOUBLE,
            coverage_level TEXT,
            orgs TEXT[],
            author TEXT
        )"""
    )
    readiness = ("alternate_text", "stakeholder_input", "finetuning_data", "evaluations", "internal_deployment")
    marks = ", ".join("?" for _ in readiness)
    con.execute(
        "INSERT INTO checklist_events SELECT candidate_id, criterion, TRUE, NULL, rated_at FROM ratings "
        f"WHERE criterion IN ({marks}) AND value > 0",
        list(readiness),
    )
    con.execute(
        "INSERT INTO criterion_ratings SELECT candidate_id, NULL, criterion, value, NULL, rated_at FROM ratings "
        f"WHERE criterion NOT IN ({marks}) AND value > 0",
        list(readiness),
    )
    con.execute("DROP TABLE ratings")
    con.execute("ALTER TABLE criterion_ratings RENAME TO ratings")


def from_11_to_12(con: duckdb.DuckDBPyConnection) -> None:
    """Backtests: each replay's result (lead times, spec-version rows), kept for the dashboard."""
    con.execute(
        """
        CREATE TABLE backtests (
            run_at TIMESTAMP NOT NULL,
            date_from DATE NOT NULL,
            date_to DATE NOT NULL,
            step INTEGER NOT NULL,
            run_by TEXT,
            result JSON NOT NULL
        )"""
    )
