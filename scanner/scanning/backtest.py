"""Backtest: replay the scanner edition by edition over a scratch copy of the store.

The replay never touches the user's editions. It takes a consistent copy of the database
(``scanner.store.backup``) into a temporary folder, clears everything a scan derives or a team
decided about affordances (groups, editions, cached signals, triage, notes, ratings, drafts),
and keeps what costs time and does not depend on the date: the items, their embeddings and
their per-item verdicts. Then it runs the real scan once per date, from ``start`` to ``end``
every ``step`` days: each scan sees only the items published by its date and only the spec
versions that had appeared by then (a spec with no version yet stays out of scope), and groups
incrementally, as a team scanning every week would have.

At the end it reads the replayed editions and judges every affordance against every version of
every spec in scope, and ``scanner.views.lead_time`` turns that into lead times. The result is
kept in the user's store (table ``backtests``) for the dashboard, with the vectors the replay
computed added to its embedding cache; editions are not touched.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from scanner import settings, store
from scanner.embed import Embedder, default_embedder
from scanner.errors import BadInput
from scanner.judge import shipped_judges
from scanner.judge.coverage import assess
from scanner.progress import Progress, reporter
from scanner.scanning.pipeline import end_of_day, scan
from scanner.scanning.verdicts import load_index, team_coverage
from scanner.store.backup import backup as copy_store
from scanner.store.vectors import missing_hashes, store_vectors
from scanner.views.lead_time import (
    TOP_FLAG,
    Member,
    SpecVersion,
    first_in_top,
    lead_times,
    newly_covered,
    summary,
    version_day,
    version_pairs,
)

MAX_EDITIONS = 2000
DEFAULT_SPAN = timedelta(weeks=104)  # a backtest without a start goes two years back, at most

# What a replay starts without: everything a scan derives about affordances, and the team's
# decisions about them (they were taken later, with hindsight).
DERIVED = (
    "assignments", "candidates", "candidate_signals", "affordance_events", "edition_candidates",
    "editions", "triage", "triage_log", "notes", "ratings", "drafts", "checklist_events", "reviews",
)


def replay_dates(start: date, end: date, step: int) -> list[date]:
    """Every ``step`` days from ``start``, and ``end`` itself last."""
    if step < 1:
        raise BadInput(f"--step {step}: give a number of days, 1 or more")
    if end < start:
        raise BadInput(f"--from {start} is after --to {end}")
    n = (end - start).days // step + 1
    if n > MAX_EDITIONS:
        raise BadInput(f"--from {start} --to {end} every {step} days is {n} editions; take a larger --step")
    days = [start + timedelta(days=step * k) for k in range(n)]
    return days if days[-1] == end else [*days, end]


def backtest(
    db: str | os.PathLike[str] | None,
    start: date,
    end: date,
    step: int = 7,
    *,
    progress: Progress | None = None,
    embedder: Embedder | None = None,
    save: bool = True,
    run_by: str | None = None,
) -> dict[str, Any]:
    """Replay the store's scans from ``start`` to ``end`` in a scratch copy; lead times and
    spec-version rows as a JSON-ready dict (see the module). ``progress`` (a `scanner.progress.Progress`)
    hears of each replayed edition; ``save`` keeps the result in the store's ``backtests``,
    signed ``run_by``."""
    started = time.perf_counter()
    days = replay_dates(start, end, step)
    path = store.resolve_path(db)
    if not path.is_file():
        raise BadInput(f"{path}: no database yet; run `wetcement demo` or `wetcement scan` first")
    report = reporter(progress, "backtest")
    embedder = embedder or default_embedder()
    with tempfile.TemporaryDirectory(prefix="wetcement-backtest-") as tmp:
        scratch = copy_store(path, Path(tmp) / "replay.duckdb")
        with store.session(scratch) as con:
            versions = _prepare(con)
        editions = []
        for k, day in enumerate(days):
            with store.session(scratch) as con:
                shown = _show_specs(con, versions, day)
            result = scan(scratch, as_of=day, embedder=embedder, wait=60)
            editions.append({"edition": day.isoformat(), "specs": shown, "candidates": result.candidates})
            report("editions", k + 1, len(days) + 1, "editions", f"backtest: replayed {day.isoformat()}",
                   {"edition": day.isoformat()})
        with store.session(scratch) as con:
            out = _analyse(con, embedder, versions, end)
        report("editions", len(days) + 1, len(days) + 1, "editions", "backtest: spec versions compared")
        out = {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "step": step,
            **out,
            "editions": len(days),
            "replayed": editions,
            "seconds": round(time.perf_counter() - started, 2),
        }
        if save:
            with store.session(path) as con:
                save_result(con, out, run_by)
                _keep_vectors(con, scratch)
    return out


def _keep_vectors(con: Any, scratch: Path) -> None:
    """Add to the store's embedding cache the vectors the replay computed (clauses of older spec
    versions, mostly), so the next backtest embeds nothing again. A cache: results never change."""
    con.execute(f"ATTACH '{str(scratch).replace(chr(39), chr(39) * 2)}' AS replay (READ_ONLY)")
    try:
        con.execute(
            "INSERT INTO embeddings SELECT r.* FROM replay.embeddings r ANTI JOIN embeddings e "
            "ON e.content_hash = r.content_hash AND e.model = r.model"
        )
    finally:
        con.execute("DETACH replay")


def _prepare(con: Any) -> list[SpecVersion]:
    """Clear the derived tables of the scratch copy and set its spec library aside (only the
    specs in the user's scope). Returns every version in scope, with its date."""
    for table in DERIVED:
        con.execute(f"DELETE FROM {table}")
    wanted = settings.scope(con)
    rows = con.execute("SELECT name, version, imported_at FROM specs ORDER BY name, imported_at").fetchall()
    versions = [
        SpecVersion(name, version, version_day(version, imported_at) or imported_at.date())
        for name, version, imported_at in rows
        if not wanted or name in wanted
    ]
    con.execute("CREATE TABLE backtest_library AS SELECT * FROM specs")
    if wanted:
        settings.set_value(con, "specs_in_scope", None)  # the replay decides what is in scope
    return versions


def _show_specs(con: Any, versions: list[SpecVersion], day: date) -> list[str]:
    """Leave in the scratch library, for each spec, only its latest version dated by ``day``."""
    current: dict[str, SpecVersion] = {}
    for v in sorted(versions, key=lambda v: (v.day, v.version)):
        if v.day <= day:
            current[v.name] = v
    con.execute("DELETE FROM specs")
    for v in current.values():
        con.execute(
            "INSERT INTO specs SELECT * FROM backtest_library WHERE name = ? AND version = ?", [v.name, v.version]
        )
    return sorted(f"{v.name}@{v.version}" for v in current.values())


def _analyse(con: Any, embedder: Embedder, versions: list[SpecVersion], end: date) -> dict[str, Any]:
    """Lead times and spec-version rows from the replayed editions in the scratch store."""
    cutoff = end_of_day(end)
    ranks: dict[date, dict[str, int]] = {}
    for day, cid, rank in con.execute("SELECT edition, candidate_id, rank FROM edition_candidates").fetchall():
        ranks.setdefault(day, {})[cid] = int(rank)
    for (day,) in con.execute("SELECT edition FROM editions").fetchall():
        ranks.setdefault(day, {})
    merged = dict(con.execute("SELECT id, merged_into FROM candidates").fetchall())
    labels = dict(con.execute("SELECT id, label FROM candidates").fetchall())
    members = [
        Member(*r)
        for r in con.execute(
            "SELECT a.candidate_id, i.org, i.published FROM assignments a JOIN items i ON i.id = a.item_id "
            "JOIN item_verdicts v ON v.item_id = i.id WHERE coalesce(v.override, v.is_affordance) "
            "AND i.published <= ? AND i.duplicate_of IS NULL",
            [cutoff],
        ).fetchall()
    ]
    affordances = lead_times(ranks, merged, labels, members)
    pairs = version_pairs(versions)
    levels = _levels_by_version(con, embedder, pairs, cutoff) if pairs else {}
    return {
        "affordances": affordances,
        "spec_versions": newly_covered(pairs, levels, ranks, merged, labels),
        "summary": summary(affordances, first_in_top(ranks, merged, TOP_FLAG)),
    }


def _levels_by_version(
    con: Any, embedder: Embedder, pairs: list[tuple[SpecVersion, SpecVersion]], cutoff: datetime
) -> dict[str, dict[str, str]]:
    """The coverage level of every live affordance against every version in ``pairs``, judged
    as a scan judges an affordance (its centroid and its first titles)."""
    wanted = sorted({(v.name, v.version) for pair in pairs for v in pair})
    _embed_clauses(con, embedder, wanted)
    judges = shipped_judges(embedder.name)
    team = team_coverage(con, wanted, embedder.name, judges.governs)
    index = load_index(con, wanted, embedder.name, team=team, governs=judges.governs)
    titles: dict[str, list[str]] = {}
    for cid, title in con.execute(
        "SELECT a.candidate_id, i.title FROM assignments a JOIN items i ON i.id = a.item_id "
        "JOIN item_verdicts v ON v.item_id = i.id WHERE coalesce(v.override, v.is_affordance) "
        "AND i.published <= ? ORDER BY i.published, i.id",
        [cutoff],
    ).fetchall():
        titles.setdefault(cid, []).append(title)
    out: dict[str, dict[str, str]] = {}
    for cid, capability, centroid in con.execute(
        "SELECT id, capability, centroid FROM candidates WHERE merged_into IS NULL AND centroid IS NOT NULL"
    ).fetchall():
        if cid not in titles:
            continue
        cov = assess(" ".join(titles[cid][:20]), np.asarray(centroid, dtype=np.float32), capability, index)
        out[cid] = dict(cov.levels)
    return out


def _embed_clauses(con: Any, embedder: Embedder, versions: list[tuple[str, str]]) -> None:
    """Embed the clauses of ``versions`` that no replayed scan had in scope."""
    texts: dict[str, str] = {}
    for name, version in versions:
        for h, section, text in con.execute(
            "SELECT content_hash, section, text FROM clauses WHERE spec = ? AND version = ?", [name, version]
        ).fetchall():
            texts[h] = f"{section}: {text}"
    todo = sorted(missing_hashes(con, list(texts), embedder.name))
    if todo:
        store_vectors(con, todo, embedder.encode([texts[h] for h in todo]), embedder.name)


def save_result(con: Any, result: dict[str, Any], run_by: str | None = None) -> None:
    """Keep a backtest's result in the store (the dashboard shows the latest)."""
    con.execute(
        "INSERT INTO backtests (run_at, date_from, date_to, step, run_by, result) VALUES (?, ?, ?, ?, ?, ?)",
        [datetime.now(UTC).replace(tzinfo=None), date.fromisoformat(result["from"]),
         date.fromisoformat(result["to"]), int(result["step"]), run_by, json.dumps(result, default=str)],
    )


def latest_result(con: Any) -> dict[str, Any] | None:
    """The latest backtest kept in the store, with ``run_at``; None when there is none."""
    row = con.execute("SELECT run_at, run_by, result FROM backtests ORDER BY run_at DESC LIMIT 1").fetchone()
    if row is None:
        return None
    return {**json.loads(row[2]), "run_at": row[0].isoformat(sep=" ", timespec="seconds"), "run_by": row[1]}


def default_window(con: Any, end: date | None = None) -> tuple[date, date] | None:
    """The window a backtest replays when not told: up to ``end`` (default: the newest item's
    day), from ``DEFAULT_SPAN`` before it or the first item's day, whichever is later. None when
    the store holds no items."""
    row = con.execute("SELECT min(published), max(published) FROM items WHERE duplicate_of IS NULL").fetchone()
    if not row or row[0] is None:
        return None
    end = end or row[1].date()
    return max(row[0].date(), end - DEFAULT_SPAN), end


__all__ = ["backtest", "default_window", "latest_result", "replay_dates", "save_result"]
