"""The draft-clause check: a team's proposed spec text for an affordance, read against the specs.

``check_draft`` answers three questions about a draft, for the specs in scope of the latest
edition (the scope the affordance's coverage was computed against):

1. Which existing clauses come nearest, per spec (the top three, as evidence a person reads)?
2. Does the draft repeat a clause that already exists (a possible duplicate)?
3. What would the affordance's coverage, gap and score become if a spec adopted the draft?

For (3) the draft becomes one more clause of a spec, and the affordance is assessed again by the
very code the scan runs (`scanner.judge.coverage.build_index` and `scanner.judge.coverage.assess`), with the
affordance's centroid, capability and item titles taken the way `scanner.scanning.pipeline` takes them.
Each spec in scope is tried on its own ("if this spec adopted it"), because a team writes for
one spec at a time; the overall figure is the best of those tries, with the spec named.

The draft is scored on its words alone: it is filed under a neutral heading (``DRAFT_SECTION``)
that names no capability, so a heading cannot lift it (the scan counts a heading that names the
capability 1.5 times), and it is embedded as the scan embeds a clause ("section: text").

Nearest clauses and duplicates compare like with like: the draft's text against each clause's
text alone. The scan's clause vectors carry the section path in front of the text, which on
short clauses moves a clause's own words as far from it as a neighbouring rule (see
``DUPLICATE``). Nothing is written except embeddings, cached like any text.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import numpy as np

from scanner.embed import Embedder
from scanner.errors import BadInput
from scanner.judge.coverage import DIRECTIVE, ClauseIndex, assess, build_index, level
from scanner.judge.rank import score
from scanner.lexicon import matches, tokens
from scanner.records import Clause
from scanner.scanning.pipeline import end_of_day
from scanner.scanning.prototypes import load_prototypes, prototype_texts
from scanner.scanning.prototypes import text_hash as _hash
from scanner.scanning.scope import scope_versions
from scanner.scanning.verdicts import load_index
from scanner.sources.safety import safe_link
from scanner.store.vectors import embed_missing, load_vectors
from scanner.taxonomy import CAPABILITY_BY_SLUG
from scanner.team.triage import drafts

NEAREST_PER_SPEC = 3
MAX_DRAFT = 20_000  # characters, as for notes
DRAFT_SECTION = "Draft"  # a heading that names no capability: the draft counts for its words
EXCERPT = 400
MIN_SENTENCE_WORDS = 6  # a shorter sentence of a draft is not compared on its own
PREFILTER = 40  # clauses per spec and per draft sentence compared word for word (see _likely)

# A draft this close (cosine of text against text, all-MiniLM-L6-v2) to an existing clause
# probably repeats it. Measured on the 158 clauses of the two demo specs:
# - a copy scores 1.0; our own paraphrases of twelve clauses (same rule, new words) score 0.69 to
#   0.96, eleven of them 0.81 or more, median 0.92;
# - each clause against its nearest *other* clause (a related rule on the same topic) scores 0.35
#   to 0.78, median 0.58, 99th percentile 0.77; no pair of distinct clauses reaches 0.8;
# - against the scan's stored vectors ("section: text") the two overlap (a clause's own text
#   scores 0.64 to 0.98, neighbouring clauses up to 0.89), hence the text-only comparison.
# 0.8 flags copies and close rewordings and leaves clauses that merely speak of the same topic.
# A longer draft is also compared sentence by sentence, so that one pasted clause among new
# sentences is still found (whole, such a draft scored 0.69 against the clause it contained).
DUPLICATE = 0.8


def check_draft(con: Any, cid: str, text: str, embedder: Embedder) -> dict[str, Any]:
    """The check of a draft clause for affordance ``cid`` (see the module's docstring).

    Returns a dict: ``id``, ``label``, ``capability``, ``scope`` (spec@version list),
    ``nearest`` (spec@version → up to three clauses), ``duplicates`` (clauses at or above
    ``DUPLICATE``), ``draft`` (what the coverage code sees in it: the capability's spec terms
    it names, whether it is directive), ``coverage`` (now and if adopted, overall and per spec,
    with level words, or None when the affordance has no centroid yet) and ``note`` (a sentence
    for a person when something could not be checked). Raises BadInput for an empty draft or an
    unknown affordance.
    """

    text = " ".join((text or "").split())
    if not text:
        raise BadInput("the draft is empty: nothing to check")
    if len(text) > MAX_DRAFT:
        raise BadInput(f"the draft is longer than {MAX_DRAFT} characters")
    cand = _candidate(con, cid)
    versions = draft_scope(con)
    out: dict[str, Any] = {
        "id": cand["id"],
        "label": cand["label"],
        "capability": cand["capability"],
        "scope": [f"{n}@{v}" for n, v in versions],
        "draft_section": DRAFT_SECTION,
        "duplicate_threshold": DUPLICATE,
        "nearest": {},
        "duplicates": [],
        "draft": _what_counts(text, cand["capability"]),
        "coverage": None,
        "note": None,
    }
    if not versions:
        out["note"] = "No spec is in scope: add a spec (`wetcement specs add`) and scan, then check again."
        return out

    as_clause = f"{DRAFT_SECTION}: {text}"  # what the scan would embed for the adopted clause
    sentences = _sentences(text)
    texts = {_hash(t): t for t in [text, as_clause, *sentences]}
    for name, version in versions:
        for h, section, clause_text in con.execute(
            "SELECT content_hash, section, text FROM clauses WHERE spec = ? AND version = ?", [name, version]
        ).fetchall():
            texts[h] = f"{section}: {clause_text}"
    for group in prototype_texts().values():
        texts.update({_hash(t): t for t in group})
    embed_missing(con, embedder, texts)  # only what is missing; the scan has done most of it
    protos, _ = load_prototypes(con, embedder.name)
    index = load_index(con, versions, embedder.name, protos.capabilities)
    vector, clause_vector, *parts = load_vectors(
        con, [_hash(t) for t in [text, as_clause, *sentences]], embedder.name
    )
    # The clauses' words alone are embedded only for the likely ones: those the scan's vectors
    # ("section: text") put nearest the draft or one of its sentences. A clause's own words score
    # at least 0.64 against its stored vector (see DUPLICATE), so a copy is always among them, and
    # a long spec costs PREFILTER texts per sentence, not thousands, on the first check.
    rows = _likely(index, [vector, *parts])
    embed_missing(con, embedder, {_hash(index.clauses[r].text): index.clauses[r].text for r in rows})
    words = np.zeros_like(index.vectors)
    if len(rows):
        words[rows] = load_vectors(con, [_hash(index.clauses[r].text) for r in rows], embedder.name)

    out["nearest"], out["duplicates"] = _nearest(index, words, text, vector, dict(zip(sentences, parts, strict=True)))
    if cand["centroid"] is None:
        out["note"] = "This affordance has no items yet, so it has no coverage to compare."
        return out
    draft = [
        Clause(n, v, "draft", _next_ordinal(index, f"{n}@{v}"), DRAFT_SECTION, text, None, _hash(as_clause))
        for n, v in versions
    ]
    out["coverage"] = _coverage(con, cand, index, draft, clause_vector, protos.capabilities)
    return out


def draft_scope(con: Any) -> list[tuple[str, str]]:
    """(spec, version) in scope: the latest edition's scope, else what the next scan would use."""
    rows = con.execute("SELECT scope FROM editions ORDER BY edition DESC LIMIT 1").fetchall()
    if not rows:

        return scope_versions(con, None)
    stored = set(con.execute("SELECT name, version FROM specs").fetchall())
    versions = []
    for key in json.loads(rows[0][0]) or []:
        name, _, version = str(key).partition("@")
        if (name, version) in stored:  # a spec version removed since the edition is out of scope
            versions.append((name, version))
    return versions


def check_latest_draft(con: Any, cid: str, embedder: Embedder) -> dict[str, Any] | None:
    """`check_draft` for the latest saved version of the affordance's draft; None if none."""

    saved = drafts(con, _candidate(con, cid)["id"])
    if not saved:
        return None
    return {**check_draft(con, cid, saved[-1]["text"], embedder), "version": saved[-1]["version"]}


# --- the parts ---------------------------------------------------------------------------------


def _candidate(con: Any, cid: str) -> dict[str, Any]:
    """The affordance (or the one it was merged into), its centroid and its item titles."""

    rows = con.execute("SELECT merged_into FROM candidates WHERE id = ?", [cid]).fetchall()
    if not rows:
        raise BadInput(f"no affordance {cid!r} (see `wetcement candidates`)")
    cid = rows[0][0] or cid
    cid_, label, capability, centroid = con.execute(
        "SELECT id, label, capability, centroid FROM candidates WHERE id = ?", [cid]
    ).fetchall()[0]
    found = con.execute(
        "SELECT e.edition, e.score, e.components, e.detail, d.weights FROM edition_candidates e "
        "JOIN editions d ON d.edition = e.edition WHERE e.candidate_id = ? "
        "AND e.edition = (SELECT max(edition) FROM editions)",
        [cid],
    ).fetchall()
    edition = found[0] if found else None
    # the titles the scan reads: the affordance's items up to the edition's day, oldest first
    cutoff = end_of_day(edition[0]) if edition else datetime(9999, 12, 31)  # not ranked yet: every item
    titles = [
        r[0]
        for r in con.execute(
            "SELECT i.title FROM assignments a JOIN items i ON i.id = a.item_id "
            "JOIN item_verdicts v ON v.item_id = i.id "
            "WHERE a.candidate_id = ? AND i.published <= ? AND coalesce(v.override, v.is_affordance) "
            "ORDER BY i.published, i.id LIMIT 20",
            [cid, cutoff],
        ).fetchall()
    ]
    return {
        "id": cid_,
        "label": label,
        "capability": capability,
        "centroid": np.asarray(centroid, dtype=np.float32) if centroid is not None else None,
        "titles": " ".join(titles),
        "edition": edition,
    }


def _what_counts(text: str, capability: str | None) -> dict[str, Any]:
    """What the coverage code can see in the draft: the capability's spec terms, directive words."""
    cap = CAPABILITY_BY_SLUG.get(capability or "")
    rule = text.split(" [Example:", 1)[0]
    return {
        "capability_terms": matches(cap.spec_terms, rule) if cap else [],
        "directive": bool(DIRECTIVE.search(text)),
    }


def _next_ordinal(index: ClauseIndex, spec: str) -> int:
    rows = index.spec_rows.get(spec)
    return 1 + max((index.clauses[int(r)].ordinal for r in rows), default=0) if rows is not None else 1


def _clause_row(index: ClauseIndex, row: int, similarity: float, query: set[str]) -> dict[str, Any]:
    c = index.clauses[row]
    return {
        "spec": c.spec,
        "version": c.version,
        "section": c.section,
        "link": safe_link(c.link),
        "similarity": round(float(max(0.0, min(1.0, similarity))), 4),
        "text": c.text if len(c.text) <= EXCERPT else c.text[: EXCERPT - 1].rstrip() + "…",
        "matched_terms": sorted(query & set(index.doc_tokens[row]))[:8],
        "clause_key": c.clause_key,
    }


def _nearest(
    index: ClauseIndex, words: np.ndarray, text: str, vector: np.ndarray, parts: dict[str, np.ndarray]
) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    """The nearest clauses per spec, and those close enough to be duplicates, by the cosine of
    the draft's vector to ``words`` (each clause's text alone, in index order). A duplicate may
    also be repeated by one sentence of a longer draft (``parts``: sentence → vector); the entry
    then names that sentence."""
    if not index.clauses:
        return {}, []
    sims = words @ vector
    query = set(tokens(text))
    nearest: dict[str, list[dict[str, Any]]] = {}
    for spec in index.specs:
        rows = index.spec_rows[spec]
        top = rows[np.argsort(-sims[rows], kind="stable")[:NEAREST_PER_SPEC]]
        nearest[spec] = [_clause_row(index, int(r), float(sims[r]), query) for r in top]
    best = sims.copy()
    by: list[str | None] = [None] * len(sims)  # the sentence that comes closest, if not the whole
    for sentence, v in parts.items():
        part = words @ v
        for r in np.flatnonzero(part > best):
            best[r], by[r] = part[r], sentence
    close = np.flatnonzero(best >= DUPLICATE)
    return nearest, [
        {**_clause_row(index, int(r), float(best[r]), query), "draft_sentence": by[r]}
        for r in close[np.argsort(-best[close], kind="stable")]
    ]


def _likely(index: ClauseIndex, vectors: list[np.ndarray]) -> np.ndarray:
    """Clause rows worth comparing word for word: per spec, the PREFILTER nearest to each of
    ``vectors`` by the scan's clause vectors."""
    if not index.clauses:
        return np.zeros(0, dtype=np.int64)
    keep: set[int] = set()
    for v in vectors:
        sims = index.vectors @ v
        for spec in index.specs:
            spec_rows = index.spec_rows[spec]
            keep.update(int(r) for r in spec_rows[np.argsort(-sims[spec_rows], kind="stable")[:PREFILTER]])
    return np.asarray(sorted(keep), dtype=np.int64)


def _sentences(text: str) -> list[str]:
    """The draft's sentences of six words or more, when it has several (one may copy a clause)."""
    found = [p for p in re.split(r"(?<=[.!?])\s+", text) if len(p.split()) >= MIN_SENTENCE_WORDS]
    return found if len(found) > 1 else []


def _coverage(
    con: Any,
    cand: dict[str, Any],
    index: ClauseIndex,
    draft: list[Clause],
    vector: np.ndarray,
    cap_vectors: np.ndarray,
) -> dict[str, Any]:
    """Coverage now, and if each spec in scope adopted the draft, by the scan's own code."""
    titles, centroid, capability = cand["titles"], cand["centroid"], cand["capability"]
    now = assess(titles, centroid, capability, index)
    per_spec: dict[str, dict[str, Any]] = {}
    best: tuple[float, str] | None = None
    for clause in draft:
        spec = f"{clause.spec}@{clause.version}"
        adopted = build_index([*index.clauses, clause], np.vstack([index.vectors, vector[None, :]]), team=index.team, model=index.model)
        after = assess(titles, centroid, capability, adopted)
        decided_by = {e.get("clause_key") for e in after.by_spec.get(spec, [])}
        before_value, after_value = now.per_spec.get(spec, 0.0), after.per_spec.get(spec, 0.0)
        per_spec[spec] = {
            "now": round(before_value, 4),
            "if_adopted": round(after_value, 4),
            "level_now": level(before_value),
            "level_if_adopted": level(after_value),
            "change": round(after_value - before_value, 4),
            "overall_if_adopted": round(after.coverage, 4),
            "draft_governs": clause.clause_key in decided_by,  # among the clauses that decided the value
        }
        if best is None or after.coverage > best[0]:
            best = (after.coverage, spec)
    after_value, best_spec = best if best and best[0] > now.coverage else (now.coverage, None)
    out: dict[str, Any] = {
        "now": round(now.coverage, 4),
        "if_adopted": round(after_value, 4),
        "level_now": level(now.coverage),
        "level_if_adopted": level(after_value),
        "change": round(after_value - now.coverage, 4),
        "adopted_by": best_spec,
        "gap_now": round(1.0 - now.coverage, 4),
        "gap_if_adopted": round(1.0 - after_value, 4),
        "gap_change": round(now.coverage - after_value, 4),
        "per_spec": per_spec,
        "edition_coverage": None,
        "score": None,
    }
    if cand["edition"] is not None:
        out.update(_score_change(con, cand, now.coverage, after_value))
    return out


def _score_change(con: Any, cand: dict[str, Any], now: float, after: float) -> dict[str, Any]:
    """The edition's score and rank with the gap as it is now and as it would be."""

    day, _, components, detail, weights = cand["edition"]
    components, weights = json.loads(components), json.loads(weights)
    score_now = score({**components, "gap": 1.0 - now}, weights)
    score_after = score({**components, "gap": 1.0 - after}, weights)
    others = [
        (s, i) for i, s in con.execute(
            "SELECT candidate_id, score FROM edition_candidates WHERE edition = ? AND candidate_id <> ?",
            [day, cand["id"]],
        ).fetchall()
    ]

    def rank_of(value: float) -> int:
        return 1 + sum(1 for s, i in others if (-s, i) < (-value, cand["id"]))

    return {
        "edition": day.isoformat(),
        "edition_coverage": round(float(json.loads(detail).get("coverage", 0.0)), 4),
        "score": {
            "now": round(score_now, 4),
            "if_adopted": round(score_after, 4),
            "rank_now": rank_of(score_now),
            "rank_if_adopted": rank_of(score_after),
        },
    }


__all__ = ["DUPLICATE", "check_draft", "check_latest_draft", "draft_scope"]
