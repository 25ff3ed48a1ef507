"""What a new spec version changes for the affordances: who gained or lost coverage."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from scanner.embed import Embedder
from scanner.judge.coverage import assess
from scanner.scanning.editions import latest_edition, resolve_edition
from scanner.scanning.prototypes import load_prototypes, prototype_texts
from scanner.scanning.prototypes import text_hash as _hash
from scanner.scanning.verdicts import load_index
from scanner.sources.safety import safe_link
from scanner.store.vectors import embed_missing, load_vectors

MIN_CHANGE = 0.02  # the learned coverage moves in small steps: two points is a real change


def coverage_impact(con: Any, name: str, old: str, new: str, embedder: Embedder) -> dict[str, Any]:
    """Re-assess the latest edition's affordances against each version alone."""

    texts = {
        h: f"{section}: {text}"
        for h, section, text in con.execute(
            "SELECT content_hash, section, text FROM clauses WHERE spec = ? AND version IN (?, ?)", [name, old, new]
        ).fetchall()
    }
    for group in prototype_texts().values():
        texts.update({_hash(t): t for t in group})
    embed_missing(con, embedder, texts)
    protos, _ = load_prototypes(con, embedder.name)
    before = load_index(con, [(name, old)], embedder.name, protos.capabilities)
    after = load_index(con, [(name, new)], embedder.name, protos.capabilities)
    day = latest_edition(con)
    if day is None:
        return {"gained": [], "lost": [], "note": "no edition yet: nothing to compare"}
    rows = con.execute(
        "SELECT c.id, c.label, c.capability, c.centroid FROM edition_candidates e JOIN candidates c ON c.id = e.candidate_id "
        "WHERE e.edition = ? AND c.centroid IS NOT NULL ORDER BY e.rank",
        [day],
    ).fetchall()
    gained: list[dict[str, Any]] = []
    lost: list[dict[str, Any]] = []

    for cid, label, capability, centroid in rows:
        titles = " ".join(
            r[0] for r in con.execute(
                "SELECT i.title FROM assignments a JOIN items i ON i.id = a.item_id WHERE a.candidate_id = ? LIMIT 20", [cid]
            ).fetchall()
        )
        vector = np.asarray(centroid, dtype=np.float32)
        a = assess(titles, vector, capability, before).coverage
        b = assess(titles, vector, capability, after)
        change = b.coverage - a
        if abs(change) < MIN_CHANGE:
            continue
        row = {
            "id": cid,
            "label": label,
            "before": round(a, 4),
            "after": round(b.coverage, 4),
            "nearest_clause": b.evidence[0]["section"] if b.evidence else None,
        }
        (gained if change > 0 else lost).append(row)
    gained.sort(key=lambda r: r["before"] - r["after"])
    lost.sort(key=lambda r: r["after"] - r["before"])
    return {"edition": day.isoformat(), "gained": gained, "lost": lost}


# Below this cosine to every affordance of the edition, a clause is one that nothing touches.
# On the demo (36 affordances, 158 clauses) about a quarter of the clauses fall below it: style
# rules, weapons, insurance; the clauses on agents, memory and tools sit at 0.45 and above.
UNTOUCHED = 0.25


def untouched_clauses(
    con: Any, model: str, edition: str | None = None, threshold: float = UNTOUCHED
) -> dict[str, Any]:
    """Per spec in the edition's scope, the clauses that no affordance of the edition comes near:
    each clause's best cosine to an affordance (its items' mean, unit length) and which one,
    least touched first. Clauses without a vector (a spec added after the scan) are left out
    and counted."""



    day = resolve_edition(con, edition)
    scope = json.loads(con.execute("SELECT scope FROM editions WHERE edition = ?", [day]).fetchall()[0][0])
    rows = con.execute(
        "SELECT c.id, c.label, c.centroid FROM edition_candidates e JOIN candidates c ON c.id = e.candidate_id "
        "WHERE e.edition = ? AND c.centroid IS NOT NULL ORDER BY e.rank",
        [day],
    ).fetchall()
    out: dict[str, Any] = {"edition": day.isoformat(), "threshold": threshold, "affordances": len(rows), "specs": {}}
    if rows:
        centroids = np.asarray([r[2] for r in rows], dtype=np.float32)
        centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
    for key in scope:
        name, _, version = key.partition("@")
        clauses = con.execute(
            "SELECT section, text, link, content_hash FROM clauses WHERE spec = ? AND version = ? ORDER BY ordinal",
            [name, version],
        ).fetchall()
        vectors = load_vectors(con, [c[3] for c in clauses], model)
        embedded = np.linalg.norm(vectors, axis=1) > 0
        entry: dict[str, Any] = {"clauses": len(clauses), "not_embedded": int((~embedded).sum()), "untouched": []}
        if rows and embedded.any():
            sims = vectors @ centroids.T
            best, nearest = sims.max(axis=1), sims.argmax(axis=1)
            for j in np.argsort(best, kind="stable"):
                if not embedded[j] or best[j] >= threshold:
                    continue
                entry["untouched"].append({
                    "section": clauses[j][0],
                    "text": clauses[j][1],
                    "link": safe_link(clauses[j][2]),
                    "best_similarity": round(float(best[j]), 4),
                    "nearest_affordance": rows[int(nearest[j])][1],
                    "nearest_id": rows[int(nearest[j])][0],
                })
        out["specs"][key] = entry
    return out
