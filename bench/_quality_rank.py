"""Grouping and ranking figures for ``bench/quality.py``.

Grouping runs the scanner's own incremental grouping (``scanner.judge.cluster.assign``) over the
labelled affordances in date order and compares it with two raters' capability groups, on pairs
of items from different publishers that both raters agree on. Ranking runs a whole scan of the
real feeds in a scratch DuckDB file with cross-fitted judges: each item is judged by the model
fitted without its feed, and coverage by the model fitted without the spec in scope.
"""

from __future__ import annotations

import math
import tempfile
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
from _corpus import GROUP_LABELS, VectorCache, fold_of, read_jsonl

Emit = Callable[..., None]
JOINS = (0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75)


def _hints(items: list[Any]) -> list[str | None]:
    """The taxonomy's nearest capability per item: the optional hint grouping may use."""
    from scanner.judge.classify import CAPABILITY_MIN, Prototypes, capability_scores
    from scanner.taxonomy import CAPABILITIES

    cache = VectorCache()
    caps = cache.embed([c.prototype for c in CAPABILITIES])
    cache.save()
    protos = Prototypes(np.zeros((0, caps.shape[1])), np.zeros((0, caps.shape[1])), caps)
    out: list[str | None] = []
    for it in items:
        s = capability_scores(it.title, it.text, it.vector, protos)
        k = int(np.argmax(s))
        out.append(CAPABILITIES[k].slug if s[k] >= CAPABILITY_MIN else None)
    return out


def _pairs(members: list[Any], groups: dict[str, tuple[str, str]]) -> list[tuple[int, int, bool]]:
    """Cross-publisher pairs both raters agree on: (i, j, same capability)."""
    out = []
    for i, j in combinations(range(len(members)), 2):
        a, b = members[i], members[j]
        if a.fold == b.fold:
            continue
        (a1, a2), (b1, b2) = groups[a.url], groups[b.url]
        same1 = a1 == b1 and a1 != "none"
        same2 = a2 == b2 and a2 != "none"
        if same1 == same2:
            out.append((i, j, same1))
    return out


def _group(members: list[Any], hints: list[str | None], join: float) -> list[str]:
    from scanner.judge.cluster import NewItem, assign

    placed = assign([], [NewItem(m.id, m.vector.astype(np.float32), h) for m, h in zip(members, hints, strict=True)], join=join)
    return [placed[m.id] for m in members]


def eval_grouping(items: list[Any], emit: Emit, table: Callable[..., None]) -> dict[str, Any]:
    from scanner.judge.cluster import JOIN

    groups = {r["url"]: (r["group_a"], r["group_b"]) for r in read_jsonl(GROUP_LABELS)}
    members = sorted((it for it in items if it.url in groups and it.label == 1), key=lambda it: (it.published, it.id))
    pairs = _pairs(members, groups)
    hints = _hints(members)
    emit("## Grouping: the same capability across publishers")
    emit()
    emit(f"{len(members)} labelled affordances in date order; {len(pairs)} pairs from different publishers "
         f"that both raters agree on ({sum(s for *_, s in pairs)} the same capability). The grouping fits nothing "
         f"on these labels; the shipped join threshold is {JOIN}.")
    emit()
    rows = []
    out: dict[str, Any] = {}
    for use_hints in (True, False):
        for join in JOINS:
            got = _group(members, hints if use_hints else [None] * len(members), join)
            tp = sum(1 for i, j, s in pairs if s and got[i] == got[j])
            fp = sum(1 for i, j, s in pairs if not s and got[i] == got[j])
            gold = sum(1 for *_, s in pairs if s)
            p = tp / (tp + fp) if tp + fp else float("nan")
            r = tp / gold if gold else float("nan")
            shipped = use_hints and math.isclose(join, JOIN)
            rows.append([("with" if use_hints else "without") + " the taxonomy hint", join, p, r, "← shipped" if shipped else ""])
            if shipped:
                out = {"precision": p, "recall": r, "pairs": len(pairs)}
    table(["grouping", "join", "precision", "recall", ""], rows)
    emit("Target: recall ≥ 0.6 at precision ≥ 0.8.")
    emit()
    return out


class CrossFit:
    """Stands in for the affordance model inside a scan: the logit of each item comes from the
    model fitted without that item's feed (looked up by title and summary)."""

    def __init__(self, logits: dict[tuple[str, str], float], platt: tuple[float, float], threshold: float) -> None:
        self.logits = logits
        self.platt = platt
        self.threshold = threshold

    def parts(self, title: str, summary: str, vector: Any, near: Any = None) -> dict[str, Any]:
        return {"logit": self.logits.get((title, summary), -8.0)}

    def closeness_many(self, vectors: Any) -> np.ndarray:
        return np.zeros((len(vectors), 2))

    def calibrate(self, logit: float) -> float:
        a, b = self.platt
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, a * logit + b))))

    def probability(self, title: str, summary: str, vector: Any) -> float:
        return self.calibrate(self.parts(title, summary, vector)["logit"])

    def reasons(self, parts: dict[str, Any], summary: str) -> str:
        return "cross-fitted (bench)"


def eval_ranking(realdata: Path, items: list[Any], filt: dict[str, Any], governs: dict[str, Any], emit: Emit,
                 table: Callable[..., None]) -> dict[str, Any]:
    """A full scan of the real feeds with cross-fitted judges; P@10 of open affordances."""
    from _corpus import COVERAGE_LABELS

    from scanner import store
    from scanner.embed import default_embedder
    from scanner.judge import Judges
    from scanner.judge.governs import GovernsModel
    from scanner.scanning import pipeline
    from scanner.sources.ingest import ingest_paths
    from scanner.sources.normalise import canonical_url
    from scanner.specs.library import parse_spec, store_spec

    by_url = {canonical_url(it.url): i for i, it in enumerate(items)}
    # each feed's items are judged by its own held-out model, calibrated on the other feeds
    models: dict[str, CrossFit] = {}
    for fold, (a, b, t) in filt["calib"].items():
        logits = {(items[i].title, items[i].summary): float(filt["raw"][i]) for i in filt["scored"] if items[i].fold == fold}
        models[fold] = CrossFit(logits, (a, b), t)
    fallback = CrossFit({}, (1.0, 0.0), 0.5)
    judges = Judges(lambda source: models.get(fold_of(source or ""), fallback), GovernsModel.from_json(governs), "bench-crossfit")
    covered = {canonical_url(r["url"]) for r in read_jsonl(COVERAGE_LABELS)
               if r["spec"] == "openai_model_spec_2025-04-11" and r["label"] == "covered"}
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "ranking.duckdb"
        with store.session(db) as con:
            ingest_paths(con, sorted((realdata / "feeds").glob("*.xml")))
            spec = realdata / "specs" / "openai_model_spec_2025-04-11.md"
            store_spec(con, parse_spec(spec.read_bytes(), where=str(spec), name="openai-model-spec", version="2025-04-11"))
            last = con.execute("SELECT max(published) FROM items WHERE published < now()").fetchone()[0]
        as_of = (last or datetime.now()).date() if isinstance(last, datetime) else date.today()
        pipeline.scan(db, as_of=as_of, embedder=default_embedder(), judges=judges, wait=60)
        with store.session(db) as con:
            rows = con.execute(
                "SELECT e.rank, e.candidate_id, c.label, e.score, i.url FROM edition_candidates e "
                "JOIN candidates c ON c.id = e.candidate_id JOIN assignments a ON a.candidate_id = e.candidate_id "
                "JOIN items i ON i.id = a.item_id JOIN item_verdicts v ON v.item_id = i.id "
                "WHERE e.edition = ? AND coalesce(v.override, v.is_affordance) AND e.rank <= 20 ORDER BY e.rank",
                [as_of],
            ).fetchall()
    ranked: dict[int, dict[str, Any]] = {}
    for rank, cid, label, score, url in rows:
        r = ranked.setdefault(rank, {"id": cid, "label": label, "score": score, "urls": []})
        r["urls"].append(url)
    out_rows = []
    relevant = routine = covered_n = 0
    for rank in sorted(ranked)[:10]:
        r = ranked[rank]
        labs = [items[by_url[canonical_url(u)]].label for u in r["urls"] if canonical_url(u) in by_url]
        is_aff = bool(labs) and sum(labs) * 2 > len(labs)
        is_cov = any(canonical_url(u) in covered for u in r["urls"])
        verdict = "routine" if labs and not is_aff else "covered" if is_cov else "open affordance" if is_aff else "unlabelled"
        relevant += verdict == "open affordance"
        routine += verdict == "routine"
        covered_n += verdict == "covered"
        out_rows.append([rank, round(r["score"], 3), len(r["urls"]), verdict, r["urls"][0]])
    emit("## Ranking: the top 10 of a full scan of the real feeds")
    emit()
    emit(f"Edition {as_of}, spec in scope: OpenAI Model Spec 2025-04-11, judged by the coverage model fitted "
         "without it; every item judged by the affordance model fitted without its feed. A candidate counts as "
         "an open affordance when most of its labelled items are affordances and none is labelled covered by "
         "that spec; as routine when most are not affordances.")
    emit()
    table(["rank", "score", "items", "verdict", "first link"], out_rows)
    n = len(out_rows) or 1
    res = {"p_at_10": relevant / n, "routine_in_top10": routine, "covered_in_top10": covered_n}
    emit(f"P@10 (open affordances): {res['p_at_10']:.2f} (target ≥ 0.8); routine items in the top 10: {routine} "
         f"(target ≤ 1); already covered: {covered_n}. Verdicts: {dict(Counter(r[3] for r in out_rows))}.")
    emit()
    return res
