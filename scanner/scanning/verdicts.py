"""The stored side of judging: which rows need a (new) verdict, the team's verdicts, and
writing both. The judging itself is pure (``scanner.judge``, ``scanner.judge.classify``,
``scanner.judge.coverage``); this module reads and writes DuckDB.

Every verdict row carries the version that produced it: the shipped models' version, plus a
fingerprint of the team's verdicts when the team has given some. A scan re-judges every row
whose version is not the current one, so a new model or a new team verdict reaches old items.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import numpy as np

from scanner.errors import BadInput
from scanner.judge import Judges, shipped_judges
from scanner.judge.affordance import AffordanceModel, load_affordance_model
from scanner.judge.classify import Prototypes, classify, shipped_logit
from scanner.judge.coverage import ClauseIndex, assess_many, build_index
from scanner.judge.governs import GovernsModel, load_governs_model
from scanner.judge.team import (
    NO_CORRECTION,
    AffordanceCorrection,
    CoverageVerdict,
    TeamCoverage,
    fit_affordance_correction,
    verdicts_digest,
)
from scanner.judge.text import BODY_SQL
from scanner.judge.version import judge_version
from scanner.records import Clause
from scanner.store.vectors import load_vectors

LEVELS = ("covered", "partial", "uncovered")


COVER_CHUNK = 2048  # items judged and written per step of `cover_items`


def load_index(
    con: Any,
    versions: list[tuple[str, str]],
    model: str,
    cap_vectors: np.ndarray | None = None,
    team: Any = None,
    governs: GovernsModel | None = None,
) -> ClauseIndex:
    clauses: list[Clause] = []
    for name, version in versions:
        clauses += [
            Clause(*row)
            for row in con.execute(
                "SELECT spec, version, clause_key, ordinal, section, text, link, content_hash "
                "FROM clauses WHERE spec = ? AND version = ? ORDER BY ordinal",
                [name, version],
            ).fetchall()
        ]
    vectors = load_vectors(con, [c.content_hash for c in clauses], model)
    return build_index(clauses, vectors, team=team, model=governs)




def judge_versions(con: Any, judges: Judges | None = None) -> dict[str, str]:
    """The versions the current rows should carry: affordance, coverage, and the edition's."""
    base = judges.version if judges else judge_version()
    overrides = con.execute("SELECT item_id, override FROM item_verdicts WHERE override IS NOT NULL").fetchall()
    coverage = con.execute("SELECT item_id, spec, version, coverage, clause_key FROM coverage_verdicts").fetchall()
    a, c = verdicts_digest(overrides), verdicts_digest(coverage)
    aff = base + (f"+t{a}" if a else "")
    cov = base + (f"+c{c}" if c else "")
    return {"affordance": aff, "coverage": cov, "edition": base + (f"+t{a}" if a else "") + (f"+c{c}" if c else "")}


def team_correction(con: Any, model_name: str, model: AffordanceModel | None = None) -> AffordanceCorrection:
    """The per-database correction fitted on the items the team marked yes or no."""
    rows = con.execute(
        f"SELECT i.title, {BODY_SQL}, i.content_hash, v.override FROM item_verdicts v "
        "JOIN items i ON i.id = v.item_id WHERE v.override IS NOT NULL ORDER BY i.id"
    ).fetchall()
    if not rows:
        return NO_CORRECTION
    model = model or load_affordance_model()
    vectors = load_vectors(con, [r[2] for r in rows], model_name)
    logits = [shipped_logit(model, r[0], r[1], v) for r, v in zip(rows, vectors, strict=True)]
    return fit_affordance_correction(list(vectors), logits, [int(bool(r[3])) for r in rows])


def judge_items(
    con: Any, model_name: str, protos: Prototypes, cutoff: datetime, version: str, judges: Judges | None = None
) -> tuple[int, int]:
    """Judge the items with no verdict, and re-judge those an older version judged.
    Returns (new, re-judged). The team's override on an item is kept as it is."""
    rows = con.execute(
        f"SELECT i.id, i.title, {BODY_SQL}, i.content_hash, v.item_id IS NOT NULL, i.source FROM items i "
        "LEFT JOIN item_verdicts v ON v.item_id = i.id "
        "WHERE (v.item_id IS NULL OR coalesce(v.judge_version, '') <> ?) "
        "AND i.duplicate_of IS NULL AND i.published <= ? ORDER BY i.published, i.id",
        [version, cutoff],
    ).fetchall()
    if not rows:
        return 0, 0
    judges = judges or shipped_judges(model_name)
    correction = team_correction(con, model_name, judges.affordance(None))
    vectors = load_vectors(con, [r[3] for r in rows], model_name)
    out = []
    # closeness to the labelled exemplars, for every item in a few matrix products per model
    models = {source: judges.affordance(source) for source in {r[5] for r in rows}}
    near: dict[int, np.ndarray] = {}
    for source, model in models.items():
        mine = [k for k, r in enumerate(rows) if r[5] == source]
        for k, row in zip(mine, model.closeness_many(vectors[mine]), strict=True):
            near[k] = row
    for k, ((iid, title, summary, _, _, source), vec) in enumerate(zip(rows, vectors, strict=True)):
        v = classify(title, summary, vec, protos, model=models[source], correction=correction, near=near[k])
        out.append([iid, v.is_affordance, v.confidence, v.capability, v.reasons, None, version])
    con.executemany(
        "INSERT INTO item_verdicts (item_id, is_affordance, confidence, capability, reasons, override, judge_version) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (item_id) DO UPDATE SET is_affordance = excluded.is_affordance, "
        "confidence = excluded.confidence, capability = excluded.capability, reasons = excluded.reasons, "
        "judge_version = excluded.judge_version",
        out,
    )
    again = sum(1 for r in rows if r[4])
    return len(rows) - again, again


def cover_items(con: Any, model_name: str, index: ClauseIndex, scope: str, cutoff: datetime, version: str) -> int:
    """Coverage for every item against the scope; rows of another judge version are redone."""
    con.execute("DELETE FROM item_coverage WHERE scope = ? AND coalesce(judge_version, '') <> ?", [scope, version])
    todo = con.execute(
        f"SELECT i.id, i.title, {BODY_SQL}, i.content_hash, v.capability FROM items i "
        "JOIN item_verdicts v ON v.item_id = i.id "
        "LEFT JOIN item_coverage c ON c.item_id = i.id AND c.scope = ? "
        "WHERE c.item_id IS NULL AND i.published <= ?",
        [scope, cutoff],
    ).fetchall()
    # in chunks, so that a full scan of a large store never holds every item's evidence at once
    for start in range(0, len(todo), COVER_CHUNK):
        chunk = todo[start : start + COVER_CHUNK]
        vectors = load_vectors(con, [r[3] for r in chunk], model_name)
        texts = [f"{r[1]}. {r[2]}" if r[2] else r[1] for r in chunk]
        covs = assess_many(texts, vectors, [r[4] for r in chunk], index, [r[0] for r in chunk])
        con.executemany(
            "INSERT INTO item_coverage (item_id, scope, coverage, evidence, judge_version) VALUES (?, ?, ?, ?, ?)",
            [[r[0], scope, cov.coverage, json.dumps(cov.as_json()), version] for r, cov in zip(chunk, covs, strict=True)],
        )
    return len(todo)


def team_coverage(
    con: Any, versions: list[tuple[str, str]], model_name: str, governs: GovernsModel | None = None
) -> TeamCoverage | None:
    """The team's coverage verdicts on the spec versions in scope, with what the model said."""
    wanted = {f"{n}@{v}" for n, v in versions}
    rows = [
        r
        for r in con.execute(
            f"SELECT cv.item_id, cv.spec, cv.version, cv.coverage, cv.clause_key, i.title, {BODY_SQL}, i.content_hash "
            "FROM coverage_verdicts cv JOIN items i ON i.id = cv.item_id ORDER BY cv.item_id, cv.spec"
        ).fetchall()
        if f"{r[1]}@{r[2]}" in wanted
    ]
    if not rows:
        return None
    plain = load_index(con, versions, model_name)
    vectors = load_vectors(con, [r[7] for r in rows], model_name)
    model = governs or load_governs_model()
    verdicts = []
    for r, vec in zip(rows, vectors, strict=True):
        spec = f"{r[1]}@{r[2]}"
        text = f"{r[5]}. {r[6]}" if r[6] else r[5]
        value = model.judge(plain.views[spec], vec, text).value
        verdicts.append(CoverageVerdict(r[0], spec, r[3], r[4], np.asarray(vec), value))
    return TeamCoverage(verdicts)


def set_coverage_verdict(
    con: Any, item: str, spec: str, coverage: str, clause: str | None = None, author: str | None = None
) -> dict[str, Any]:
    """The team's verdict on how far a spec (its latest version) governs one item."""
    if coverage not in LEVELS:
        raise BadInput(f"--coverage {coverage!r}: use covered, partial or uncovered")
    if not con.execute("SELECT 1 FROM items WHERE id = ?", [item]).fetchone():
        raise BadInput(f"no item {item!r} (see `wetcement items`)")
    row = con.execute(
        "SELECT version FROM specs WHERE name = ? ORDER BY imported_at DESC LIMIT 1", [spec]
    ).fetchone()
    if row is None:
        raise BadInput(f"unknown spec {spec!r} (see `wetcement specs list`)")
    version = row[0]
    if clause and not con.execute(
        "SELECT 1 FROM clauses WHERE spec = ? AND version = ? AND clause_key = ?", [spec, version, clause]
    ).fetchone():
        raise BadInput(f"--clause {clause!r}: {spec}@{version} has no such clause (see `wetcement specs show {spec}`)")
    at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    con.execute(
        "INSERT INTO coverage_verdicts VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (item_id, spec, version) DO UPDATE "
        "SET coverage = excluded.coverage, clause_key = excluded.clause_key, author = excluded.author, judged_at = excluded.judged_at",
        [item, spec, version, coverage, clause, author, at],
    )
    return {"item": item, "spec": spec, "version": version, "coverage": coverage, "clause": clause, "at": at.isoformat()}
