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
from dataclasses import asdict
from datetime import datetime, time
from pathlib import Path
from typing import Any

import streamlit as st

import scanner
from scanner import embed as _embed
from scanner import store
from scanner.errors import BadInput
from scanner.scanning import grouping as _grouping
from scanner.sources import fulltext as _fulltext
from scanner.specs import impact as _impact
from scanner.specs import library as _library
from scanner.team import drafts as _drafts
from scanner.team import triage as _triage
from scanner.ui import access
from scanner.views import browse as _browse
from scanner.views import export as _export
from scanner.views import history as _history
from scanner.views import report as _report


def db_path() -> Path:
    """``$WETCEMENT_DB`` (set by ``wetcement serve``), else the default file."""
    return store.resolve_path(None)


def db_exists() -> bool:
    path = db_path()
    return path.is_file()


def data_version() -> tuple[Any, ...]:
    """A fingerprint of the data (`scanner.views.report.data_version`), plus this session's own
    write counter."""
    with scanner.open_store(db_path()) as con:
        return (*_report.data_version(con), st.session_state.get("_writes", 0))


def clear() -> None:
    """Forget every cached read (after a write, so the write shows at once)."""
    st.cache_data.clear()
    st.session_state["_writes"] = st.session_state.get("_writes", 0) + 1


@contextmanager
def writing() -> Iterator[Any]:
    """One write on its own short-lived connection; committed, then the caches are cleared.
    Refused (`scanner.errors.BadInput`) when this session may not write (`scanner.ui.access`)."""
    why = access.refusal()
    if why:
        raise BadInput(why)
    with scanner.open_store(db_path()) as con:
        yield con
    clear()


def current() -> tuple[str, tuple[Any, ...]]:
    """The first two arguments of every cached read: (database path, data version)."""
    return str(db_path()), data_version()


def _read(path: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    with scanner.open_store(path) as con:
        return fn(con, *args, **kwargs)


# --- cached reads: (path, version) come first so that a new file or new data is a new key ---


@st.cache_data(show_spinner=False, max_entries=64)
def editions(path: str, version: tuple[Any, ...]) -> list[dict[str, Any]]:
    return _read(path, scanner.editions)


@st.cache_data(show_spinner=False, max_entries=64)
def candidates(path: str, version: tuple[Any, ...], edition: str | None = None) -> list[dict[str, Any]]:
    return _read(path, scanner.candidates, edition)


@st.cache_data(show_spinner=False, max_entries=32)
def items(path: str, version: tuple[Any, ...]) -> list[dict[str, Any]]:
    return _read(path, scanner.items)


@st.cache_data(show_spinner=False, max_entries=16)
def explore_facets(path: str, version: tuple[Any, ...]) -> dict[str, Any]:
    """The Explore filters' choices (`scanner.views.browse.facets`)."""
    facets = _browse.facets

    return _read(path, facets)


@st.cache_data(show_spinner=False, max_entries=64)
def explore_search(
    path: str, version: tuple[Any, ...], query: dict[str, Any], limit: int, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """One page of matching items and their count (`scanner.views.browse.search`); ``query`` holds
    the fields of `scanner.views.browse.Query` as plain values."""
    Query, search = _browse.Query, _browse.search

    return _read(path, search, Query(**query), limit=limit, offset=offset)


@st.cache_data(show_spinner=False, max_entries=16)
def explore_by_meaning(
    path: str, version: tuple[Any, ...], text: str, query: dict[str, Any], k: int
) -> list[dict[str, Any]]:
    """The ``k`` items closest in meaning to ``text`` among those ``query`` keeps, best first,
    each with its ``similarity``."""
    Query, fetch, matching_ids, rank_by_meaning = _browse.Query, _browse.fetch, _browse.matching_ids, _browse.rank_by_meaning

    embedder = embedder_resource()
    ids, matrix = item_vectors(path, version, embedder.name)
    vector = embedder.encode([text])[0]
    q = Query(**query)
    keep = _read(path, matching_ids, q) if q != Query() else None
    ranked = rank_by_meaning(vector, ids, matrix, keep, k)
    rows = _read(path, fetch, [i for i, _ in ranked])
    sims = dict(ranked)
    return [{**r, "similarity": round(sims[r["id"]], 4)} for r in rows]


@st.cache_resource(show_spinner=False, max_entries=2)
def item_vectors(path: str, version: tuple[Any, ...], model: str) -> tuple[list[str], Any]:
    """Every live item's vector as one matrix (kept, not copied, between reruns)."""
    item_matrix = _browse.item_matrix

    return _read(path, item_matrix, model)


@st.cache_resource(show_spinner="Loading the embedding model…")
def embedder_resource() -> Any:
    """The embedding model, loaded once per dashboard process."""
    default_embedder = _embed.default_embedder

    return default_embedder()


@st.cache_data(show_spinner=False, max_entries=32)
def edition_diff(path: str, version: tuple[Any, ...], a: str, b: str) -> dict[str, Any]:
    return _read(path, scanner.edition_diff, a, b)


@st.cache_data(show_spinner=False, max_entries=32)
def specs(path: str, version: tuple[Any, ...]) -> list[dict[str, Any]]:
    list_specs = _library.list_specs

    return _read(path, list_specs)


@st.cache_data(show_spinner=False, max_entries=32)
def spec_diff(path: str, version: tuple[Any, ...], name: str, old: str, new: str) -> dict[str, Any]:

    diff_specs = _library.diff_specs

    return asdict(_read(path, diff_specs, name, old, new))


@st.cache_data(show_spinner=False, max_entries=32)
def spec_clauses(path: str, version: tuple[Any, ...], name: str, spec_version: str) -> dict[str, Any]:
    show_spec = _library.show_spec

    return _read(path, show_spec, name, spec_version)


@st.cache_data(show_spinner=False, max_entries=32)
def centroids(path: str, version: tuple[Any, ...]) -> dict[str, list[float]]:
    """The running centroid of every live affordance (``candidates.centroid``)."""
    load_groups = _grouping.load_groups

    return {g.id: g.centroid.tolist() for g in _read(path, load_groups)}


@st.cache_data(show_spinner=False, max_entries=32)
def sources(path: str, version: tuple[Any, ...], up_to: str | None = None) -> list[dict[str, Any]]:
    """Every source with its health (`scanner.views.report.sources`); items per week are counted up
    to the end of the day ``up_to`` (an ISO date), else up to now."""

    read = _report.sources

    as_of = datetime.combine(datetime.fromisoformat(up_to).date(), time(23, 59, 59)) if up_to else None
    return _read(path, read, as_of=as_of)


@st.cache_data(show_spinner=False, max_entries=64)
def candidate(path: str, version: tuple[Any, ...], cid: str) -> dict[str, Any] | None:
    """One affordance as it stands now, in the edition or not (`scanner.views.report.candidate`)."""
    return _read(path, scanner.candidate, cid)


@st.cache_data(show_spinner=False, max_entries=32)
def decisions(path: str, version: tuple[Any, ...], limit: int = 40) -> list[dict[str, Any]]:
    """The latest status, owner and note changes across affordances, newest first."""
    recent_decisions = _triage.recent_decisions

    return _read(path, recent_decisions, limit)


@st.cache_data(show_spinner=False, max_entries=32)
def settings(path: str, version: tuple[Any, ...]) -> dict[str, Any]:
    """Every setting's value in force, by key (`scanner.settings.values`)."""
    return _read(path, scanner.settings.values)


def export_bytes(
    path: str, fmt: str, edition: str, statuses: tuple[str, ...] = (), domains: tuple[str, ...] = ()
) -> bytes:
    """One export file, made when the download button is clicked (not cached: called outside
    a script run). ``fmt`` is one of `scanner.views.export.FORMATS`, or "items.csv" for the items
    that go beside the CSV."""
    gather, render, to_items_csv = _export.gather, _export.render, _export.to_items_csv

    data = _read(path, gather, edition=edition, statuses=list(statuses), domains=list(domains))
    return to_items_csv(data).encode("utf-8") if fmt == "items.csv" else render(fmt, data)


@st.cache_data(show_spinner=False, max_entries=16)
def export_bytes_cached(
    path: str, version: tuple[Any, ...], fmt: str, edition: str,
    statuses: tuple[str, ...] = (), domains: tuple[str, ...] = (),
) -> bytes:
    """`export_bytes`, made ahead for a Streamlit too old for deferred downloads."""
    return export_bytes(path, fmt, edition, statuses, domains)


@st.cache_data(show_spinner=False, max_entries=32)
def draft_check(path: str, version: tuple[Any, ...], cid: str, text: str) -> dict[str, Any]:
    """A draft clause checked against the specs in scope (`scanner.team.drafts.check_draft`), with
    the dashboard's model. Writes nothing but the embeddings it had to compute."""
    check_draft = _drafts.check_draft

    return _read(path, check_draft, cid, text, embedder_resource())


@st.cache_data(show_spinner=False, max_entries=16)
def untouched_clauses(path: str, version: tuple[Any, ...], edition: str, threshold: float) -> dict[str, Any]:
    """The clauses no affordance of ``edition`` comes near (`scanner.specs.impact.untouched_clauses`)."""
    default_embedder = _embed.default_embedder
    read = _impact.untouched_clauses

    return _read(path, read, default_embedder().name, edition, threshold)


@st.cache_data(show_spinner=False, max_entries=64)
def affordance_events(path: str, version: tuple[Any, ...], cid: str) -> list[dict[str, Any]]:
    """The merges, splits, moves and relabels of one affordance (`scanner.views.history.events`)."""
    return _read(path, _history.events, cid)


@st.cache_data(show_spinner=False, max_entries=32)
def full_texts(path: str, version: tuple[Any, ...], ids: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """The article texts fetched for thin items (`scanner.sources.fulltext.full_texts`)."""
    return _read(path, _fulltext.full_texts, list(ids))
