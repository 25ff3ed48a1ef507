"""Every cached read of the dashboard, and the one way to write.

This is the only module that uses ``st.cache_data``. Each cached read takes the database path
and a *data version* (:func:`data_version`): a fingerprint of the tables people and scans
change, read afresh on every rerun from a short-lived connection. A note written by the CLI
while the dashboard runs therefore shows on the next rerun, and a write made through the
dashboard (:func:`writing`) clears the caches at once.

No connection outlives one unit of work: DuckDB lets one process write the file at a time, and
the CLI or a cron scan must be able to get in between two reruns.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import streamlit as st

from scanner import store

# One query that changes whenever anything the pages show changes.
_VERSION_SQL = """
SELECT
    (SELECT max(created_at) FROM editions),
    (SELECT count(*) FROM editions),
    (SELECT count(*) FROM notes),
    (SELECT max(updated_at) FROM triage),
    (SELECT count(*) FROM triage_log),
    (SELECT count(*) FROM affordance_events),
    (SELECT count(*) FROM ratings),
    (SELECT max(rated_at) FROM ratings),
    (SELECT count(*) FROM drafts),
    (SELECT md5(coalesce(string_agg(key || '=' || value::VARCHAR, ';' ORDER BY key), '')) FROM settings),
    (SELECT count(*) FROM items),
    (SELECT max(updated_at) FROM items),
    (SELECT count(*) FROM specs),
    (SELECT count(*) FROM sources),
    (SELECT max(last_fetch) FROM sources),
    (SELECT count(*) FROM fetch_log)
"""


def db_path() -> Path:
    """``$WETCEMENT_DB`` (set by ``wetcement serve``), else the default file."""
    return store.resolve_path(None)


def db_exists() -> bool:
    path = db_path()
    return path.is_file()


def data_version() -> tuple[Any, ...]:
    """A fingerprint of the data, plus this session's own write counter."""
    with store.session(db_path()) as con:
        row = con.execute(_VERSION_SQL).fetchone()
    return (*(str(v) for v in row), st.session_state.get("_writes", 0))


def clear() -> None:
    """Forget every cached read (after a write, so the write shows at once)."""
    st.cache_data.clear()
    st.session_state["_writes"] = st.session_state.get("_writes", 0) + 1


@contextmanager
def writing() -> Iterator[Any]:
    """One write on its own short-lived connection; committed, then the caches are cleared."""
    with store.session(db_path()) as con:
        yield con
    clear()


def current() -> tuple[str, tuple[Any, ...]]:
    """The first two arguments of every cached read: (database path, data version)."""
    return str(db_path()), data_version()


def _read(path: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    with store.session(path) as con:
        return fn(con, *args, **kwargs)


# --- cached reads: (path, version) come first so that a new file or new data is a new key ---


@st.cache_data(show_spinner=False, max_entries=64)
def editions(path: str, version: tuple[Any, ...]) -> list[dict[str, Any]]:
    from scanner.editions import list_editions

    return _read(path, list_editions)


@st.cache_data(show_spinner=False, max_entries=64)
def candidates(path: str, version: tuple[Any, ...], edition: str | None = None) -> list[dict[str, Any]]:
    from scanner.report import candidates as read

    return _read(path, read, edition)


@st.cache_data(show_spinner=False, max_entries=32)
def items(path: str, version: tuple[Any, ...]) -> list[dict[str, Any]]:
    from scanner.report import items as read

    return _read(path, read)


@st.cache_data(show_spinner=False, max_entries=32)
def edition_diff(path: str, version: tuple[Any, ...], a: str, b: str) -> dict[str, Any]:
    from scanner.editions import diff

    return _read(path, diff, a, b)


@st.cache_data(show_spinner=False, max_entries=32)
def specs(path: str, version: tuple[Any, ...]) -> list[dict[str, Any]]:
    from scanner.specs.library import list_specs

    return _read(path, list_specs)


@st.cache_data(show_spinner=False, max_entries=32)
def spec_diff(path: str, version: tuple[Any, ...], name: str, old: str, new: str) -> dict[str, Any]:
    from dataclasses import asdict

    from scanner.specs.library import diff_specs

    return asdict(_read(path, diff_specs, name, old, new))


@st.cache_data(show_spinner=False, max_entries=32)
def spec_clauses(path: str, version: tuple[Any, ...], name: str, spec_version: str) -> dict[str, Any]:
    from scanner.specs.library import show_spec

    return _read(path, show_spec, name, spec_version)


@st.cache_data(show_spinner=False, max_entries=32)
def centroids(path: str, version: tuple[Any, ...]) -> dict[str, list[float]]:
    """The running centroid of every live affordance (``candidates.centroid``)."""
    from scanner.grouping import load_groups

    return {g.id: g.centroid.tolist() for g in _read(path, load_groups)}


@st.cache_data(show_spinner=False, max_entries=32)
def sources(path: str, version: tuple[Any, ...]) -> list[dict[str, Any]]:
    def read(con: Any) -> list[dict[str, Any]]:
        cur = con.execute(
            "SELECT s.*, f.fetched_at AS fetched_at, f.status AS fetch_status, "
            "f.items_new AS fetch_new, "
            "(SELECT count(*) FROM items i WHERE i.source = s.name) AS n_items "
            "FROM sources s LEFT JOIN (SELECT * FROM fetch_log "
            "QUALIFY row_number() OVER (PARTITION BY source ORDER BY fetched_at DESC) = 1) f "
            "ON f.source = s.name ORDER BY s.name"
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    return _read(path, read)


@st.cache_data(show_spinner=False, max_entries=64)
def candidate_extra(path: str, version: tuple[Any, ...], cid: str) -> dict[str, Any]:
    """What the Candidate page needs beyond the edition row: history, ratings, drafts, merge."""
    from scanner import triage

    def read(con: Any) -> dict[str, Any]:
        row = con.execute("SELECT label, merged_into FROM candidates WHERE id = ?", [cid]).fetchone()
        if row is None:
            return {"exists": False}
        return {
            "exists": True,
            "label": row[0],
            "merged_into": row[1],
            "history": triage.history(con, cid),
            "ratings": triage.ratings(con, cid),
            "drafts": triage.drafts(con, cid),
            "state": triage.triage_state(con, cid),
        }

    return _read(path, read)


@st.cache_data(show_spinner=False, max_entries=32)
def decisions(path: str, version: tuple[Any, ...], ids: tuple[str, ...]) -> list[dict[str, Any]]:
    """Every triage change of the given affordances, newest first."""
    from scanner.triage import history

    def read(con: Any) -> list[dict[str, Any]]:
        out = [{"id": cid, **h} for cid in ids for h in history(con, cid)]
        return sorted(out, key=lambda h: h["at"], reverse=True)

    return _read(path, read)


@st.cache_data(show_spinner=False, max_entries=32)
def settings(path: str, version: tuple[Any, ...]) -> dict[str, Any]:
    from scanner.pipeline import get_setting
    from scanner.rank import DEFAULT_WEIGHTS

    def read(con: Any) -> dict[str, Any]:
        return {
            "weights": {**DEFAULT_WEIGHTS, **get_setting(con, "weights", {})},
            "specs_in_scope": get_setting(con, "specs_in_scope", None),
        }

    return _read(path, read)
