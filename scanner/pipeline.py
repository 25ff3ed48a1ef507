"""The scan, in the data-flow order: embed → classify → coverage → group → signals → edition.

``scan`` is incremental and idempotent. Texts are embedded outside the database lock, in
chunks that are committed as they finish, so the dashboard can keep writing notes while a scan
runs; everything after embedding happens in one transaction, so an edition is never half
written. A second scan started meanwhile waits for the first (or exits 4).
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from scanner import store
from scanner.classify import Prototypes
from scanner.cluster import central_index
from scanner.coverage import ClauseIndex, assess
from scanner.embed import Embedder, default_embedder, load_vectors, missing_hashes
from scanner.errors import BadInput, DatabaseBusy
from scanner.judge import Judges, shipped_judges
from scanner.rank import DEFAULT_WEIGHTS, Ranked, explain, rank, score
from scanner.signals import (
    Facts,
    Member,
    affordance_strength,
    inertia,
    momentum,
    novelty,
    precedent,
    strong_domains,
)
from scanner.sources.normalise import content_hash
from scanner.taxonomy import (
    AFFORDANCE_PROTOTYPES,
    CAPABILITIES,
    DOMAINS,
    NON_AFFORDANCE_PROTOTYPES,
)
from scanner.verdicts import cover_items, judge_items, judge_versions, load_index, team_coverage

Progress = Callable[[str], None]


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


@contextmanager
def scan_lock(db: Path, wait: float) -> Iterator[None]:
    """One scan at a time per database file; a second waits up to ``wait`` seconds."""
    db.parent.mkdir(parents=True, exist_ok=True)
    path = db.with_name(db.name + ".scan.lock")
    with open(path, "a+") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise DatabaseBusy(
                        f"{db}: another scan is running and did not finish within {wait:.0f} s"
                    ) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- settings stored in the database ---------------------------------------------------------


def get_setting(con: Any, key: str, default: Any) -> Any:
    rows = con.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchall()
    return json.loads(rows[0][0]) if rows else default


def set_setting(con: Any, key: str, value: Any) -> None:
    con.execute(
        "INSERT INTO settings VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, json.dumps(value)],
    )


def scope_versions(con: Any, names: list[str] | None) -> list[tuple[str, str]]:
    """(spec, latest version) for the chosen names, else the saved scope, else every spec."""
    names = names or get_setting(con, "specs_in_scope", None)
    rows = con.execute(
        "SELECT name, version FROM specs s WHERE imported_at = "
        "(SELECT max(imported_at) FROM specs t WHERE t.name = s.name) ORDER BY name"
    ).fetchall()
    latest = {r[0]: r[1] for r in rows}
    if names:
        unknown = [n for n in names if n not in latest]
        if unknown:
            raise BadInput(f"unknown spec(s): {', '.join(unknown)} (see `wetcement specs list`)")
        return [(n, latest[n]) for n in sorted(set(names))]
    return sorted(latest.items())


def scope_key(versions: list[tuple[str, str]]) -> str:
    return ",".join(f"{n}@{v}" for n, v in versions) or "(none)"


# --- the scan ---------------------------------------------------------------------------------


def _prototype_texts() -> dict[str, list[str]]:
    return {
        "affordance": list(AFFORDANCE_PROTOTYPES),
        "routine": list(NON_AFFORDANCE_PROTOTYPES),
        "capabilities": [c.prototype for c in CAPABILITIES],
        "domains": [d.prototype for d in DOMAINS],
    }


def _hash(text: str) -> str:
    return content_hash(text, "")


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
    say = progress or (lambda _msg: None)
    wait = float(os.environ.get("WETCEMENT_DB_WAIT", 30)) if wait is None else wait

    with scan_lock(path, wait):
        # 1. what needs embedding (read, then let go of the file)
        with store.session(path, wait=wait) as con:
            versions = scope_versions(con, specs)
            texts: dict[str, str] = {}
            for h, title, summary in con.execute(
                "SELECT i.content_hash, i.title, i.summary FROM items i LEFT JOIN embeddings e "
                "ON e.content_hash = i.content_hash AND e.model = ? "
                "WHERE e.content_hash IS NULL AND i.published <= ?",
                [embedder.name, cutoff],
            ).fetchall():
                texts[h] = f"{title}. {summary}" if summary else title
            for name, version in versions:
                for h, section, text in con.execute(
                    "SELECT content_hash, section, text FROM clauses WHERE spec = ? AND version = ?",
                    [name, version],
                ).fetchall():
                    texts[h] = f"{section}: {text}"
            for group in _prototype_texts().values():
                for t in group:
                    texts[_hash(t)] = t
            for d in team_domains(con):
                texts[_hash(d.prototype)] = d.prototype
            todo = missing_hashes(con, list(texts), embedder.name)
        todo_texts = {h: texts[h] for h in sorted(todo)}
        del texts

        # 2. embed outside the lock, committing chunk by chunk
        embedded = 0
        if todo_texts:
            say(f"embedding {len(todo_texts)} texts")
            hashes = list(todo_texts)
            step = 512
            for start in range(0, len(hashes), step):
                chunk = {h: todo_texts[h] for h in hashes[start : start + step]}
                vectors = embedder.encode(list(chunk.values()))
                with store.session(path, wait=wait) as con:
                    from scanner.embed import store_vectors

                    store_vectors(con, list(chunk), vectors, embedder.name)
                embedded += len(chunk)
                say(f"embedded {embedded}/{len(hashes)} texts")

        # 3. everything else, in one transaction
        with store.session(path, wait=wait) as con:
            result = _decide(
                con, embedder, versions, as_of, cutoff, say, weights, regroup, judges or shipped_judges(embedder.name)
            )
    result.embedded = embedded
    result.seconds = time.perf_counter() - started
    return result


def team_domains(con: Any) -> list[Any]:
    """The team's own precedent domains (setting ``precedent_domains``), as taxonomy Domains."""
    from scanner import settings
    from scanner.taxonomy import Domain

    return [
        Domain(d["slug"], d.get("label") or d["slug"], d.get("description") or d.get("label") or d["slug"], ())
        for d in settings.get(con, "precedent_domains") or []
    ]


def _prototypes(con: Any, model: str) -> tuple[Prototypes, np.ndarray]:
    t = _prototype_texts()
    load = lambda xs: load_vectors(con, [_hash(x) for x in xs], model)  # noqa: E731
    return (
        Prototypes(load(t["affordance"]), load(t["routine"]), load(t["capabilities"])),
        load(t["domains"]),
    )


def _decide(
    con: Any,
    embedder: Embedder,
    versions: list[tuple[str, str]],
    as_of: date,
    cutoff: datetime,
    say: Progress,
    weights: dict[str, float] | None,
    regroup: bool,
    judges: Judges,
) -> ScanResult:
    model = embedder.name
    protos, domain_vectors = _prototypes(con, model)
    scope = scope_key(versions)

    # fold reposts into the item they repeat, then classify the new items
    from scanner.dedup import fold_reposts

    folded = fold_reposts(con, model, cutoff)
    if folded:
        say(f"folded {folded} reposts into the items they repeat")
    versions_now = judge_versions(con, judges)
    new_rows, rejudged = judge_items(con, model, protos, cutoff, versions_now["affordance"], judges)
    if new_rows or rejudged:
        say(f"judged {new_rows} new items, re-judged {rejudged} (judge {versions_now['affordance']})")

    # coverage of every item against the scope (a reader may disagree with the filter)
    team = team_coverage(con, versions, model, judges.governs)
    index = load_index(con, versions, model, team=team, governs=judges.governs)
    assessed = cover_items(con, model, index, scope, cutoff, versions_now["coverage"])
    if assessed:
        say(f"coverage for {assessed} items against {scope}")

    # group new affordance items
    from scanner.grouping import group_new_items
    from scanner.grouping import regroup as regroup_all

    if regroup:
        events = regroup_all(con, model, cutoff)
        say(f"regrouped: {events['affordances']} affordances, {events['merged']} merged, {events['split']} split")
    group_new_items(con, model, cutoff)

    # signals and scores for the live candidates
    weights = weights or get_setting(con, "weights", DEFAULT_WEIGHTS)
    weights = {**DEFAULT_WEIGHTS, **weights}
    ranked, details = _score_candidates(
        con, model, index, scope + "|" + versions_now["coverage"], domain_vectors, as_of, cutoff, weights
    )
    from scanner.editions import write_edition

    n_items = con.execute(
        "SELECT count(*) FROM items WHERE published <= ? AND duplicate_of IS NULL", [cutoff]
    ).fetchone()[0]
    write_edition(
        con, as_of, weights, [f"{n}@{v}" for n, v in versions], n_items, ranked, details, versions_now["edition"]
    )
    n_aff = con.execute(
        "SELECT count(*) FROM item_verdicts v JOIN items i ON i.id = v.item_id "
        "WHERE coalesce(v.override, v.is_affordance) AND i.published <= ?",
        [cutoff],
    ).fetchone()[0]
    return ScanResult(as_of.isoformat(), new_rows, 0, len(ranked), 0.0, n_aff)


def _score_candidates(
    con: Any,
    model: str,
    index: ClauseIndex,
    scope: str,
    domain_vectors: np.ndarray,
    as_of: date,
    cutoff: datetime,
    weights: dict[str, float],
) -> tuple[list[Ranked], dict[str, dict[str, Any]]]:
    cands = con.execute(
        "SELECT id, capability, centroid, n_items, created_at FROM candidates "
        "WHERE merged_into IS NULL AND centroid IS NOT NULL ORDER BY created_at, id"
    ).fetchall()
    members: dict[str, list[Member]] = {}
    for cid, iid, url, title, summary, org, published, missing, confidence, override in con.execute(
        "SELECT a.candidate_id, i.id, i.url, i.title, i.summary, i.org, i.published, i.date_missing, "
        "v.confidence, v.override "
        "FROM assignments a JOIN items i ON i.id = a.item_id "
        "JOIN item_verdicts v ON v.item_id = i.id "
        "WHERE i.published <= ? AND coalesce(v.override, v.is_affordance) "
        "ORDER BY i.published, i.id",
        [cutoff],
    ).fetchall():
        text = f"{title}. {summary}" if summary else title
        sure = 1.0 if override else float(confidence)
        members.setdefault(cid, []).append(Member(iid, url, title, text, org, published, missing, sure))
    from scanner import settings

    window_days = int(settings.get(con, "momentum.window_days"))
    extra = team_domains(con)
    if extra:
        extra_vectors = load_vectors(con, [_hash(d.prototype) for d in extra], model)
        domain_vectors = np.vstack([domain_vectors, extra_vectors])
        # the cached signals depend on the team's domains too
        scope = scope + "|" + content_hash(json.dumps([d.__dict__ for d in extra], sort_keys=True), "")[:12]
    cached = {
        r[0]: (r[1], json.loads(r[2]))
        for r in con.execute(
            "SELECT candidate_id, n_items, detail FROM candidate_signals WHERE scope = ?", [scope]
        ).fetchall()
    }
    live = [c for c in cands if c[0] in members]
    centroids = {c[0]: np.asarray(c[2], dtype=np.float32) for c in live}
    firsts = {cid: members[cid][0].published for cid in centroids}
    order = sorted(centroids, key=lambda cid: (firsts[cid], cid))
    matrix = np.stack([centroids[c] for c in order]) if order else np.zeros((0, 384), np.float32)
    from scanner.interest import load_decisions, team_interest

    decisions = load_decisions(con)
    ranked: list[Ranked] = []
    details: dict[str, dict[str, Any]] = {}
    for cid, capability, _, _, _ in live:
        mem = members[cid]
        pos = order.index(cid)
        facts = Facts(cid, mem, centroids[cid], capability, 0.0, matrix[:pos])
        n = len(mem)
        stable = cached.get(cid)
        if stable and stable[0] == n:
            static = stable[1]
        else:
            titles = " ".join(m.title for m in mem[:20])
            cov = assess(titles, centroids[cid], capability, index)
            inertia_value, channels = inertia(facts)
            precedent_value, domains = precedent(facts, domain_vectors, tuple(extra))
            static = {
                "coverage": cov.coverage,
                "coverage_per_spec": cov.per_spec,
                "coverage_by_spec": {
                    spec: {"value": round(v, 4), "level": cov.levels.get(spec), "clauses": cov.by_spec.get(spec, [])}
                    for spec, v in cov.per_spec.items()
                },
                "nearest_clauses": cov.evidence,
                "inertia": inertia_value,
                "inertia_channels": channels,
                "precedent": precedent_value,
                "precedent_domains": domains,
                "domains": strong_domains(domains),
            }
            con.execute(
                "INSERT INTO candidate_signals VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
                "n_items = excluded.n_items, detail = excluded.detail",
                [cid, scope, n, json.dumps(static)],
            )
        momentum_value, momentum_detail = momentum(mem, cutoff, window_days)
        novelty_value, novelty_detail = novelty(facts, cutoff)
        strength_value, strength_detail = affordance_strength(mem)
        interest_value, interest_detail = team_interest(cid, centroids[cid], decisions)
        components = {
            "gap": round(1.0 - float(static["coverage"]), 4),
            "momentum": momentum_value,
            "novelty": novelty_value,
            "inertia": float(static["inertia"]),
            "precedent": float(static["precedent"]),
            "affordance": strength_value,
            "team_interest": interest_value,
        }
        detail = {**static, "momentum": momentum_detail, "novelty": novelty_detail, "affordance": strength_detail, "team_interest": interest_detail}
        detail["explanation"] = explain(detail, components)
        details[cid] = detail
        ranked.append(Ranked(cid, score(components, weights), components))
    return rank(ranked), details


__all__ = ["ScanResult", "scan", "scope_versions", "get_setting", "set_setting", "central_index"]
