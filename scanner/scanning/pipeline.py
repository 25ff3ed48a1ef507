"""The scan, in the data-flow order: embed → classify → coverage → group → signals → edition.

``scan`` is incremental and idempotent. Texts are embedded outside the database lock, in
chunks that are committed as they finish, so the dashboard can keep writing notes while a scan
runs; everything after embedding happens in one transaction, so an edition is never half
written. A second scan started meanwhile waits for the first (or exits 4).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from scanner import settings, store
from scanner.embed import Embedder, default_embedder, encode_in_chunks
from scanner.judge import Judges, shipped_judges
from scanner.judge.coverage import ClauseIndex
from scanner.judge.rank import DEFAULT_WEIGHTS
from scanner.judge.text import BODY_SQL
from scanner.progress import Progress, Report, reporter
from scanner.scanning._lock import scan_lock
from scanner.scanning.dedup import fold_reposts
from scanner.scanning.editions import write_edition
from scanner.scanning.grouping import group_new_items
from scanner.scanning.grouping import regroup as regroup_all
from scanner.scanning.prototypes import load_prototypes, prototype_texts, text_hash
from scanner.scanning.scope import scope_key, scope_versions, team_domains
from scanner.scanning.score import score_candidates
from scanner.scanning.stated_defaults import extract_defaults
from scanner.scanning.verdicts import (
    cover_items,
    judge_items,
    judge_versions,
    load_index,
    team_coverage,
)
from scanner.store.vectors import missing_hashes, store_vectors


@dataclass
class ScanResult:
    edition: str
    new_items: int
    embedded: int
    candidates: int
    seconds: float
    affordances: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "edition": self.edition,
            "new_items": self.new_items,
            "embedded": self.embedded,
            "candidates": self.candidates,
            "affordance_items": self.affordances,
            "seconds": round(self.seconds, 3),
        }


def end_of_day(day: date) -> datetime:
    return datetime(day.year, day.month, day.day) + timedelta(days=1) - timedelta(seconds=1)


def scan(
    db: str | os.PathLike[str] | None = None,
    *,
    as_of: date | None = None,
    specs: list[str] | None = None,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
    wait: float | None = None,
    weights: dict[str, float] | None = None,
    regroup: bool = False,
    judges: Judges | None = None,
) -> ScanResult:
    """Embed what is new, judge it (and re-judge what an older judge version decided), cover,
    group, score, and write the edition of ``as_of``. ``judges`` defaults to the shipped models."""
    started = time.perf_counter()
    path = store.resolve_path(db)
    embedder = embedder or default_embedder()
    as_of = as_of or datetime.now(UTC).date()
    cutoff = end_of_day(as_of)
    say = reporter(progress, "scan")
    wait = float(os.environ.get("WETCEMENT_DB_WAIT", 30)) if wait is None else wait

    with scan_lock(path, wait):
        # 1. what needs embedding (read, then let go of the file)
        with store.session(path, wait=wait) as con:
            versions = scope_versions(con, specs)  # bad input stops here, before any progress
            say("reading", message="reading what is new")
            todo = _texts_to_embed(con, embedder.name, versions, cutoff)
        # 2. embed outside the lock, committing chunk by chunk
        embedded = _embed_outside_lock(path, wait, embedder, todo, say)
        # 3. everything else, in one transaction
        with store.session(path, wait=wait) as con:
            result = _decide(
                con, embedder, versions, as_of, cutoff, say, weights, regroup, judges or shipped_judges(embedder.name)
            )
    result.embedded = embedded
    result.seconds = time.perf_counter() - started
    return result


def _texts_to_embed(
    con: Any, model: str, versions: list[tuple[str, str]], cutoff: datetime
) -> dict[str, str]:
    """The texts (by content hash) with no vector yet: new items, clauses in scope, prototypes."""
    texts: dict[str, str] = {}
    for h, title, summary in con.execute(
        f"SELECT i.content_hash, i.title, {BODY_SQL} FROM items i LEFT JOIN embeddings e "
        "ON e.content_hash = i.content_hash AND e.model = ? "
        "WHERE e.content_hash IS NULL AND i.published <= ?",
        [model, cutoff],
    ).fetchall():
        texts[h] = f"{title}. {summary}" if summary else title
    for name, version in versions:
        for h, section, text in con.execute(
            "SELECT content_hash, section, text FROM clauses WHERE spec = ? AND version = ?",
            [name, version],
        ).fetchall():
            texts[h] = f"{section}: {text}"
    for group in prototype_texts().values():
        for t in group:
            texts[text_hash(t)] = t
    for d in team_domains(con):
        texts[text_hash(d.prototype)] = d.prototype
    todo = missing_hashes(con, list(texts), model)
    return {h: texts[h] for h in sorted(todo)}


def _embed_outside_lock(
    path: Path, wait: float, embedder: Embedder, todo: dict[str, str], say: Report
) -> int:
    """Encode ``todo`` chunk by chunk, each chunk stored in its own short session."""
    if not todo:
        return 0
    say("embedding", 0, len(todo), "texts", f"embedding {len(todo)} texts")

    def keep(hashes: list[str], vectors: Any) -> None:
        with store.session(path, wait=wait) as con:
            store_vectors(con, hashes, vectors, embedder.name)

    return encode_in_chunks(
        embedder, todo, keep,
        lambda done, total: say("embedding", done, total, "texts", f"embedded {done}/{total} texts"),
    )


def _decide(
    con: Any,
    embedder: Embedder,
    versions: list[tuple[str, str]],
    as_of: date,
    cutoff: datetime,
    say: Report,
    weights: dict[str, float] | None,
    regroup: bool,
    judges: Judges,
) -> ScanResult:
    """Judge, cover, group, score and write the edition, in the caller's transaction."""
    model = embedder.name
    protos, domain_vectors = load_prototypes(con, model)
    scope = scope_key(versions)
    versions_now, new_rows = _judge(con, model, protos, cutoff, say, judges)
    index = _cover(con, model, versions, scope, cutoff, say, judges, versions_now["coverage"])
    _group(con, model, cutoff, say, regroup)
    extract_defaults(con, embedder, cutoff)  # the defaults items state: cement state and score
    weights = {**DEFAULT_WEIGHTS, **weights} if weights else settings.weights(con)
    say("scoring", message="scoring the affordances")
    ranked, details = score_candidates(
        con, model, index, scope + "|" + versions_now["coverage"], domain_vectors, as_of, cutoff, weights
    )
    n_items = con.execute(
        "SELECT count(*) FROM items WHERE published <= ? AND duplicate_of IS NULL", [cutoff]
    ).fetchone()[0]
    say("edition", message=f"writing the edition of {as_of.isoformat()}")
    write_edition(
        con, as_of, weights, [f"{n}@{v}" for n, v in versions], n_items, ranked, details, versions_now["edition"]
    )
    n_aff = con.execute(
        "SELECT count(*) FROM item_verdicts v JOIN items i ON i.id = v.item_id "
        "WHERE coalesce(v.override, v.is_affordance) AND i.published <= ?",
        [cutoff],
    ).fetchone()[0]
    return ScanResult(as_of.isoformat(), new_rows, 0, len(ranked), 0.0, n_aff)


def _judge(
    con: Any, model: str, protos: Any, cutoff: datetime, say: Report, judges: Judges
) -> tuple[dict[str, str], int]:
    """Fold reposts into the item they repeat, then judge the new (and stale) items."""
    say("judging", message="judging the new items")
    folded = fold_reposts(con, model, cutoff)
    if folded:
        say("judging", message=f"folded {folded} reposts into the items they repeat")
    versions_now = judge_versions(con, judges)
    new_rows, rejudged = judge_items(con, model, protos, cutoff, versions_now["affordance"], judges)
    if new_rows or rejudged:
        say("judging", message=f"judged {new_rows} new items, re-judged {rejudged} (judge {versions_now['affordance']})")
    return versions_now, new_rows


def _cover(
    con: Any,
    model: str,
    versions: list[tuple[str, str]],
    scope: str,
    cutoff: datetime,
    say: Report,
    judges: Judges,
    coverage_version: str,
) -> ClauseIndex:
    """Coverage of every item against the scope (a reader may disagree with the filter)."""
    say("coverage", message="measuring coverage against the specs in scope")
    team = team_coverage(con, versions, model, judges.governs)
    index = load_index(con, versions, model, team=team, governs=judges.governs)
    assessed = cover_items(con, model, index, scope, cutoff, coverage_version)
    if assessed:
        say("coverage", message=f"coverage for {assessed} items against {scope}")
    return index


def _group(con: Any, model: str, cutoff: datetime, say: Report, regroup: bool) -> None:
    """Group the new affordance items (all of them again with ``regroup``)."""
    say("grouping", message="grouping items into affordances")
    if regroup:
        events = regroup_all(con, model, cutoff)
        say("grouping", message=f"regrouped: {events['affordances']} affordances, {events['merged']} merged, {events['split']} split")
    group_new_items(con, model, cutoff)


__all__ = ["ScanResult", "end_of_day", "scan", "scope_versions"]
