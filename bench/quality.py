"""Quality bench: how well the scanner's judgements agree with hand labels.

    python bench/quality.py [--real-only | --demo-only] [--json OUT]

Loads the real feeds (../shared/realdata, or $WETCEMENT_REALDATA) and the bundled demo into
temporary DuckDB files through the scanner's own entry points, scans them, and compares the
results with the labelled sets in bench/data/ and data/demo/: the non-affordance filter,
coverage against the spec, grouping, ranking, and the stability of candidate ids between
scans. It never opens the user's database. See bench/QUALITY.md for what each figure means.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402
from _quality_data import (  # noqa: E402
    BENCH,
    PAIRS_SPEC,
    REPO,
    SPEC_NAME,
    SPEC_VERSION,
    Joined,
    demo_feeds,
    join_labels,
    load_demo,
    load_real,
    read_jsonl,
    realdata_dir,
    share_embeddings,
)
from _quality_metrics import (  # noqa: E402
    adjusted_rand,
    calibration,
    cross_org_pair_recall,
    ndcg,
    prf,
    roc_auc,
    v_measure,
)

from scanner import store  # noqa: E402

TOP = 10
WORST = 10
BINS = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
COVERAGE_CLASSES = ["covered", "partial", "uncovered"]
STABILITY_TARGET = 0.95


def say(msg: str) -> None:
    print(f"[quality] {msg}", file=sys.stderr, flush=True)


# --- printing --------------------------------------------------------------------------------------


def fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.{digits}f}"
    return str(value)


def table(title: str, headers: list[str], rows: list[list[Any]]) -> None:
    """Plain text table: numbers to the right, words to the left."""
    cells = [[fmt(c) for c in r] for r in rows]
    numeric = [[isinstance(c, int | float) or c is None for c in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    print(f"\n{title}")
    print(("  " + "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))).rstrip())
    print("  " + "  ".join("-" * w for w in widths))
    for r, nums in zip(cells, numeric, strict=True):
        line = "  ".join(
            c.rjust(w) if num else c.ljust(w) for c, w, num in zip(r, widths, nums, strict=True)
        )
        print(("  " + line).rstrip())


# --- scanning ---------------------------------------------------------------------------------------


def item_dates(db: Path) -> list[date]:
    with store.session(db, read_only=True) as con:
        return sorted(r[0].date() for r in con.execute("SELECT published FROM items").fetchall())


def run_scan(db: Path, as_of: date, what: str) -> dict[str, Any]:
    from scanner.pipeline import scan

    started = time.perf_counter()
    result = scan(db, as_of=as_of, progress=lambda m: say(f"{what}: {m}"))
    out = result.as_json()
    out["wall_seconds"] = round(time.perf_counter() - started, 2)
    say(f"{what}: scan as of {as_of} took {out['wall_seconds']} s")
    return out


# --- 1. the non-affordance filter --------------------------------------------------------------------


def eval_classifier(con: Any, joined: Joined) -> dict[str, Any]:
    rows = con.execute(
        "SELECT i.id, i.url, i.source, coalesce(v.override, v.is_affordance), v.confidence, "
        "v.capability, v.reasons FROM items i JOIN item_verdicts v ON v.item_id = i.id"
    ).fetchall()
    ys, ps = [], []
    per_source: dict[str, Counter[str]] = {}
    mistakes = []
    for iid, url, source, pred, conf, cap, reasons in rows:
        label = joined.by_item.get(iid)
        if label is None:
            continue
        y = bool(label["is_affordance"])
        ys.append(y)
        ps.append(bool(pred))
        c = per_source.setdefault(source, Counter())
        c["items"] += 1
        c["labelled_affordance"] += y
        c["predicted_affordance"] += bool(pred)
        c["both"] += y and bool(pred)
        if y != bool(pred):
            # how sure the classifier was of its wrong answer
            wrongness = float(conf) if pred else 1.0 - float(conf)
            mistakes.append(
                {
                    "url": url,
                    "label": "affordance" if y else "not",
                    "label_group": label.get("group"),
                    "verdict": "affordance" if pred else "not",
                    "confidence": round(float(conf), 4),
                    "capability": cap,
                    "reasons": reasons,
                    "wrongness": round(wrongness, 4),
                }
            )
    mistakes.sort(key=lambda m: -m["wrongness"])
    return {
        "figures": prf(ys, ps),
        "per_source": {k: dict(v) for k, v in sorted(per_source.items())},
        "worst": mistakes[:WORST],
        "false_positives": sum(1 for m in mistakes if m["verdict"] == "affordance"),
        "false_negatives": sum(1 for m in mistakes if m["verdict"] == "not"),
    }


def print_classifier(name: str, res: dict[str, Any]) -> None:
    f = res["figures"]
    table(
        f"Non-affordance filter ({name}): is_affordance vs labels",
        ["labelled items", "precision", "recall", "F1", "accuracy", "TP", "FP", "FN", "TN"],
        [
            [
                f["n"],
                f["precision"],
                f["recall"],
                f["f1"],
                f["accuracy"],
                f["tp"],
                f["fp"],
                f["fn"],
                f["tn"],
            ]
        ],
    )
    table(
        f"  per source ({name})",
        ["source", "labelled items", "labelled aff.", "predicted aff.", "both"],
        [
            [
                s,
                c.get("items", 0),
                c.get("labelled_affordance", 0),
                c.get("predicted_affordance", 0),
                c.get("both", 0),
            ]
            for s, c in res["per_source"].items()
        ],
    )


# --- 2. coverage -------------------------------------------------------------------------------------


def eval_coverage(con: Any, joined: Joined, skipped_other_spec: int) -> dict[str, Any]:
    from scanner.classify import classify
    from scanner.coverage import assess
    from scanner.embed import default_embedder, load_vectors
    from scanner.pipeline import _prototypes, load_index

    model = default_embedder().name
    protos, _ = _prototypes(con, model)
    index = load_index(con, [(SPEC_NAME, SPEC_VERSION)], model, protos.capabilities)
    scope = f"{SPEC_NAME}@{SPEC_VERSION}"
    rows = con.execute(
        "SELECT i.id, i.url, i.title, i.summary, i.content_hash, "
        "coalesce(v.override, v.is_affordance), c.coverage FROM items i "
        "LEFT JOIN item_verdicts v ON v.item_id = i.id "
        "LEFT JOIN item_coverage c ON c.item_id = i.id AND c.scope = ?",
        [scope],
    ).fetchall()
    out: list[dict[str, Any]] = []
    disagree = 0
    for iid, url, title, summary, h, is_aff, stored in rows:
        label = joined.by_item.get(iid)
        if label is None:
            continue
        vec = load_vectors(con, [h], model)[0]
        verdict = classify(title, summary, vec, protos)
        cov = assess(f"{title}. {summary}", vec, verdict.capability, index)
        best_cos = float(np.max(index.vectors @ vec)) if len(index.clauses) else 0.0
        if stored is not None and abs(float(stored) - cov.coverage) > 1e-4:
            disagree += 1
        out.append(
            {
                "url": url,
                "label": label["label"],
                "coverage": round(cov.coverage, 4),
                "best_cosine": round(best_cos, 4),
                "capability": verdict.capability,
                "is_affordance": bool(is_aff),
                "nearest_section": cov.evidence[0]["section"] if cov.evidence else None,
                "label_section": label.get("clause_section"),
            }
        )

    def aucs(subset: list[dict[str, Any]], key: str) -> dict[str, float | None]:
        strict = [p for p in subset if p["label"] != "partial"]
        return {
            "covered_vs_uncovered": roc_auc(
                [p["label"] == "covered" for p in strict], [p[key] for p in strict]
            ),
            "partial_as_covered": roc_auc(
                [p["label"] != "uncovered" for p in subset], [p[key] for p in subset]
            ),
        }

    target = {"covered": 1.0, "partial": 0.5, "uncovered": 0.0}
    worst = sorted(out, key=lambda p: -abs(p["coverage"] - target[p["label"]]))[:WORST]
    aff = [p for p in out if p["is_affordance"]]
    named = [p for p in out if p["capability"]]
    counts = Counter(p["label"] for p in out)
    by_cap: dict[str, dict[str, Any]] = {}
    for p in out:
        row = by_cap.setdefault(
            p["capability"] or "(none)", {"n": 0, "sum": 0.0, **dict.fromkeys(COVERAGE_CLASSES, 0)}
        )
        row["n"] += 1
        row["sum"] += p["coverage"]
        row[p["label"]] += 1
    per_capability = {
        k: {
            "n": v["n"],
            "mean_coverage": round(v["sum"] / v["n"], 4),
            **{c: v[c] for c in COVERAGE_CLASSES},
        }
        for k, v in sorted(by_cap.items(), key=lambda kv: (-kv[1]["n"], kv[0]))
    }
    return {
        "pairs": len(out),
        "labels": dict(counts),
        "skipped_other_spec": skipped_other_spec,
        "auc": aucs(out, "coverage"),
        "auc_baseline_best_cosine": aucs(out, "best_cosine"),
        "auc_classified_affordances": {"pairs": len(aff), **aucs(aff, "coverage")},
        "auc_capability_named": {"pairs": len(named), **aucs(named, "coverage")},
        "per_capability": per_capability,
        "calibration": calibration(
            [p["coverage"] for p in out], [p["label"] for p in out], COVERAGE_CLASSES, BINS
        ),
        "mean_coverage_by_label": {
            c: round(float(np.mean([p["coverage"] for p in out if p["label"] == c])), 4)
            if counts[c]
            else None
            for c in COVERAGE_CLASSES
        },
        "stored_coverage_disagreements": disagree,
        "worst": [
            {
                k: p[k]
                for k in ("url", "label", "coverage", "capability", "best_cosine", "is_affordance")
            }
            for p in worst
        ],
        "per_pair": out,
    }


def print_coverage(res: dict[str, Any]) -> None:
    a, b = res["auc"], res["auc_baseline_best_cosine"]
    c, d = res["auc_classified_affordances"], res["auc_capability_named"]
    labels = res["labels"]
    print(
        f"\nCoverage pairs (real, {SPEC_NAME}@{SPEC_VERSION}): {res['pairs']} scored "
        f"({labels.get('covered', 0)} covered, {labels.get('partial', 0)} partial, "
        f"{labels.get('uncovered', 0)} uncovered); {res['skipped_other_spec']} pairs against another spec skipped"
    )
    table(
        "Coverage: ROC AUC",
        ["score", "covered vs uncovered", "partial counted as covered"],
        [
            ["coverage (scanner)", a["covered_vs_uncovered"], a["partial_as_covered"]],
            ["best cosine to any clause", b["covered_vs_uncovered"], b["partial_as_covered"]],
            [
                f"coverage, classified affordances only (n={c['pairs']})",
                c["covered_vs_uncovered"],
                c["partial_as_covered"],
            ],
            [
                f"coverage, a capability named (n={d['pairs']})",
                d["covered_vs_uncovered"],
                d["partial_as_covered"],
            ],
        ],
    )
    table(
        "Coverage calibration: share of labels per coverage bin",
        ["coverage", "n", "covered", "partial", "uncovered"],
        [
            [r["bin"], r["n"]]
            + [f"{fmt(r['share_' + k], 2)} ({r[k]})" if r["n"] else "-" for k in COVERAGE_CLASSES]
            for r in res["calibration"]
        ],
    )
    table(
        "Coverage by the capability the classifier names (the capability term dominates coverage)",
        ["capability", "pairs", "mean coverage", "covered", "partial", "uncovered"],
        [
            [k, v["n"], v["mean_coverage"], v["covered"], v["partial"], v["uncovered"]]
            for k, v in res["per_capability"].items()
        ],
    )
    m = res["mean_coverage_by_label"]
    print(
        f"  mean coverage: covered {fmt(m['covered'])}, partial {fmt(m['partial'])}, uncovered {fmt(m['uncovered'])}"
    )
    if res["stored_coverage_disagreements"]:
        print(
            f"  note: {res['stored_coverage_disagreements']} items' stored coverage differs from the direct call"
        )


# --- 3. grouping -------------------------------------------------------------------------------------


def eval_grouping(con: Any, joined: Joined) -> dict[str, Any]:
    rows = con.execute(
        "SELECT i.id, i.org, a.candidate_id FROM items i LEFT JOIN assignments a ON a.item_id = i.id"
    ).fetchall()
    truth, pred, orgs = [], [], []
    labelled_aff = grouped = 0
    for iid, org, cid in rows:
        label = joined.by_item.get(iid)
        if label is None or not label.get("is_affordance") or not label.get("group"):
            continue
        labelled_aff += 1
        if cid is None:
            continue
        grouped += 1
        truth.append(label["group"])
        pred.append(cid)
        orgs.append(org or "?")
    vm = v_measure(truth, pred)
    cross = cross_org_pair_recall(truth, pred, orgs)
    return {
        "labelled_affordances": labelled_aff,
        "grouped": grouped,
        "label_groups": len(set(truth)),
        "candidates_used": len(set(pred)),
        "ari": adjusted_rand(truth, pred),
        **vm,
        "cross_org": cross,
    }


def print_grouping(results: dict[str, dict[str, Any]]) -> None:
    table(
        "Grouping: labelled affordances that were grouped, label group vs candidate",
        [
            "corpus",
            "labelled aff.",
            "grouped",
            "label groups",
            "candidates",
            "ARI",
            "homogeneity",
            "completeness",
            "V-measure",
            "cross-org pair recall",
            "cross-org groups in 1 cand.",
        ],
        [
            [
                name,
                r["labelled_affordances"],
                r["grouped"],
                r["label_groups"],
                r["candidates_used"],
                r["ari"],
                r["homogeneity"],
                r["completeness"],
                r["v_measure"],
                f"{fmt(r['cross_org']['pair_recall'])} ({r['cross_org']['together']}/{r['cross_org']['cross_org_pairs']})",
                f"{r['cross_org']['groups_in_one_candidate']}/{r['cross_org']['cross_org_groups']}",
            ]
            for name, r in results.items()
        ],
    )


# --- 4. ranking --------------------------------------------------------------------------------------


def majority_group(
    members: list[dict[str, Any]], joined: Joined
) -> tuple[str | None, Counter[str]]:
    """The label group most of a candidate's labelled items share; None when more than half
    are labelled non-affordances (or none is labelled). A tie goes to the group of the earliest
    item (the one that founded the candidate). Returns it and the mix of labels."""
    oldest_first = sorted(members, key=lambda m: (m["published"] or "", m["id"]))
    groups = []
    for m in oldest_first:
        label = joined.by_item.get(m["id"])
        if label is not None:
            groups.append(label.get("group") if label.get("is_affordance") else None)
    mix = Counter(g or "(null)" for g in groups)
    if not groups or mix["(null)"] * 2 > len(groups):
        return None, mix
    counts = Counter(g for g in groups if g is not None)
    top = max(counts.values())
    return next(g for g in groups if g is not None and counts[g] == top), mix


def eval_ranking(
    con: Any, joined: Joined, relevance: dict[str, int], pool_groups: set[str]
) -> dict[str, Any]:
    from scanner.report import candidates

    cands = candidates(con)
    ranked = []
    for c in cands:
        group, mix = majority_group(c["items"], joined)
        rel = relevance.get(group, 0) if group else 0
        ranked.append(
            {
                "rank": c["rank"],
                "id": c["id"],
                "n_items": c["n_items"],
                "n_orgs": c["n_orgs"],
                "labelled_items": sum(mix.values()),
                "label_mix": dict(mix.most_common()),
                "group": group,
                "judged": group is None or group in relevance,
                "relevance": rel,
                "score": c["score"],
                "coverage": c["coverage"],
            }
        )
    top = ranked[:TOP]
    seen: set[str] = set()
    gains = []
    for r in top:  # a group counts once: a second candidate for it adds nothing new
        first = r["group"] is not None and r["group"] not in seen
        gains.append(r["relevance"] if first else 0)
        if r["group"]:
            seen.add(r["group"])
    pool = [relevance.get(g, 0) for g in pool_groups]
    return {
        "candidates": len(ranked),
        "precision_at_10": sum(1 for r in top if r["relevance"] >= 2) / len(top) if top else None,
        "ndcg_at_10": ndcg(gains, pool, TOP),
        "distinct_groups_top10": len({r["group"] for r in top if r["group"]}),
        "routine_top10": sum(1 for r in top if r["group"] is None),
        "routine_top20": sum(1 for r in ranked[:20] if r["group"] is None),
        "unjudged_top10": [r["group"] for r in top if not r["judged"]],
        "top": ranked[:20],
    }


def print_ranking(results: dict[str, dict[str, Any]]) -> None:
    table(
        "Ranking: latest edition, each candidate mapped to its items' majority label group",
        [
            "corpus",
            "candidates",
            "precision@10",
            "NDCG@10",
            "distinct groups in top 10",
            "routine (null) in top 10",
            "routine in top 20",
        ],
        [
            [
                n,
                r["candidates"],
                r["precision_at_10"],
                r["ndcg_at_10"],
                r["distinct_groups_top10"],
                r["routine_top10"],
                r["routine_top20"],
            ]
            for n, r in results.items()
        ],
    )
    for name, r in results.items():
        table(
            f"  top 10 ({name})",
            [
                "rank",
                "candidate",
                "items",
                "orgs",
                "label group",
                "relevance",
                "score",
                "coverage",
                "labels of its items",
            ],
            [
                [
                    x["rank"],
                    x["id"],
                    x["n_items"],
                    x["n_orgs"],
                    (x["group"] or "(null)") + ("" if x["judged"] else " (unjudged: 0)"),
                    x["relevance"],
                    x["score"],
                    x["coverage"],
                    ", ".join(f"{g} {n}" for g, n in x["label_mix"].items()),
                ]
                for x in r["top"][:TOP]
            ],
        )


# --- 5. stability ------------------------------------------------------------------------------------


def assignments(db: Path) -> dict[str, str]:
    with store.session(db, read_only=True) as con:
        return dict(con.execute("SELECT item_id, candidate_id FROM assignments").fetchall())


def eval_stability(db: Path, what: str) -> dict[str, Any]:
    dates = item_dates(db)
    early = dates[int(0.9 * (len(dates) - 1))]
    last = dates[-1]
    run_scan(db, early, f"{what} stability (p90)")
    before = assignments(db)
    run_scan(db, last, f"{what} stability (last)")
    after = assignments(db)
    kept = sum(1 for i, c in before.items() if after.get(i) == c)
    return {
        "first_as_of": early.isoformat(),
        "last_as_of": last.isoformat(),
        "items_by_first": sum(1 for d in dates if d <= early),
        "items_total": len(dates),
        "old_grouped_items": len(before),
        "kept_candidate": kept,
        "share_kept": kept / len(before) if before else None,
        "candidates_first": len(set(before.values())),
        "candidates_last": len(set(after.values())),
        "target": STABILITY_TARGET,
    }


def print_stability(results: dict[str, dict[str, Any]]) -> None:
    table(
        "Stability: scan as of the 90th-percentile item date, then as of the last date",
        [
            "corpus",
            "first as of",
            "last as of",
            "old grouped items",
            "kept candidate id",
            "share kept",
            "target",
            "candidates then/now",
        ],
        [
            [
                n,
                r["first_as_of"],
                r["last_as_of"],
                r["old_grouped_items"],
                r["kept_candidate"],
                r["share_kept"],
                f">= {r['target']:.2f}",
                f"{r['candidates_first']}/{r['candidates_last']}",
            ]
            for n, r in results.items()
        ],
    )


# --- worst mistakes ----------------------------------------------------------------------------------


def print_worst(name: str, classifier: dict[str, Any], coverage: dict[str, Any] | None) -> None:
    if coverage:
        table(
            f"Worst coverage mistakes ({name}; distance from covered=1, partial=0.5, uncovered=0)",
            ["url", "label", "coverage", "capability", "best cosine", "classified aff."],
            [
                [
                    w["url"],
                    w["label"],
                    w["coverage"],
                    w["capability"] or "-",
                    w["best_cosine"],
                    w["is_affordance"],
                ]
                for w in coverage["worst"]
            ],
        )
    print(
        f"\nWorst classifier mistakes ({name}; {classifier['false_positives']} false positives, "
        f"{classifier['false_negatives']} false negatives; most confident first)"
    )
    for m in classifier["worst"]:
        print(
            f"  - {m['url']}\n      label {m['label']} ({m['label_group'] or 'null'}), verdict {m['verdict']} "
            f"(confidence {m['confidence']:.2f}, capability {m['capability'] or '-'})\n      {m['reasons']}"
        )


# --- the run -----------------------------------------------------------------------------------------


def evaluate_corpus(
    name: str,
    db: Path,
    stab_db: Path,
    labels: list[dict[str, Any]],
    feeds: list[Path],
    relevance: dict[str, int],
    pairs: list[dict[str, Any]] | None,
    skipped_pairs: int,
) -> dict[str, Any]:
    newest = item_dates(db)[-1]
    out: dict[str, Any] = {"as_of": newest.isoformat(), "scan": run_scan(db, newest, name)}
    with store.session(db, read_only=True) as con:
        joined = join_labels(con, labels, feeds)
        out["labels"] = {
            "stats": dict(joined.stats),
            "per_feed": {k: dict(v) for k, v in joined.per_feed.items()},
        }
        out["items"] = con.execute("SELECT count(*) FROM items").fetchone()[0]
        out["classifier"] = eval_classifier(con, joined)
        if pairs is not None:
            pj = join_labels(con, pairs, feeds)
            out["coverage_labels"] = dict(pj.stats)
            out["coverage"] = eval_coverage(con, pj, skipped_pairs)
        out["grouping"] = eval_grouping(con, joined)
        pool = {r["group"] for r in labels if r.get("is_affordance") and r.get("group")}
        out["ranking"] = eval_ranking(con, joined, relevance, pool)
    shared = share_embeddings(db, stab_db)
    say(f"{name}: {shared} cached vectors shared with the stability database")
    out["stability"] = eval_stability(stab_db, name)
    return out


def print_labels(name: str, res: dict[str, Any], key: str = "labels") -> None:
    s = res[key]["stats"] if "stats" in res[key] else res[key]
    lost = {
        k: v
        for k, v in s.items()
        if k in ("collapsed", "missing", "duplicate", "duplicate_conflicting")
    }
    print(
        f"\n{name}: {res['items']} stored items; labels matched {s.get('matched', 0)}/{s.get('labels', 0)}"
        + (f" (unmatched: {', '.join(f'{k} {v}' for k, v in lost.items())})" if lost else "")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--real-only", action="store_true", help="only the real feeds")
    only.add_argument("--demo-only", action="store_true", help="only the bundled demo")
    parser.add_argument("--json", metavar="OUT", type=Path, help="also write every figure as JSON")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    from scanner.embed import default_embedder

    relevance = {
        r["group"]: int(r["relevance"]) for r in read_jsonl(BENCH / "data" / "ranking.jsonl")
    }
    report: dict[str, Any] = {
        "date": date.today().isoformat(),
        "machine": {
            "arch": platform.machine(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        },
        "model": default_embedder().name,
    }
    realdata = None
    if not args.demo_only:
        realdata = realdata_dir()
        if realdata is None:
            print(
                "bench/quality.py: the real data is not here. Put it at ../shared/realdata "
                "(beside the repository) or point $WETCEMENT_REALDATA at it, or run with --demo-only.",
                file=sys.stderr,
            )
            return 2

    with tempfile.TemporaryDirectory(prefix="wetcement-quality-") as tmp:
        if realdata is not None:
            grouping_labels = read_jsonl(BENCH / "data" / "grouping.jsonl")
            all_pairs = read_jsonl(BENCH / "data" / "coverage_pairs.jsonl")
            pairs = [p for p in all_pairs if p.get("spec") == PAIRS_SPEC]
            if not grouping_labels:
                print("bench/data/grouping.jsonl is missing or empty", file=sys.stderr)
                return 2
            db, stab = Path(tmp) / "real.duckdb", Path(tmp) / "real-stability.duckdb"
            say("real: loading feeds and spec")
            info = load_real(db, realdata)
            load_real(stab, realdata)
            report["real"] = {
                "stored": info["stored"],
                "clauses": info["clauses"],
                "pairs_in_file": len(all_pairs),
            }
            report["real"].update(
                evaluate_corpus(
                    "real",
                    db,
                    stab,
                    grouping_labels,
                    info["feeds"],
                    relevance,
                    pairs,
                    len(all_pairs) - len(pairs),
                )
            )
        if not args.real_only:
            labels = read_jsonl(REPO / "data" / "demo" / "labels_labs.jsonl") + read_jsonl(
                REPO / "data" / "demo" / "labels_tools.jsonl"
            )
            db, stab = Path(tmp) / "demo.duckdb", Path(tmp) / "demo-stability.duckdb"
            say("demo: loading feeds and spec digests")
            info = load_demo(db)
            load_demo(stab)
            report["demo"] = {"stored": info["stored"], "specs": info["specs"]}
            report["demo"].update(
                evaluate_corpus("demo", db, stab, labels, demo_feeds(), relevance, None, 0)
            )
    report["seconds"] = round(time.perf_counter() - started, 1)

    corpora = [n for n in ("real", "demo") if n in report]
    print(
        f"Wet Cement Scanner quality bench, {report['date']} ({report['machine']['arch']}, "
        f"{report['machine']['cpus']} CPUs, model {report['model']})"
    )
    for n in corpora:
        r = report[n]
        print_labels(n, r)
        print(
            f"  scanned as of {r['as_of']}: {r['scan']['affordance_items']} items classified as affordances, "
            f"{r['scan']['candidates']} candidates ({r['scan']['wall_seconds']} s)"
        )
        if "coverage_labels" in r:
            s = r["coverage_labels"]
            print(f"  coverage pairs matched {s.get('matched', 0)}/{s.get('labels', 0)}")
    for n in corpora:
        print_classifier(n, report[n]["classifier"])
    if "real" in report:
        print_coverage(report["real"]["coverage"])
    print_grouping({n: report[n]["grouping"] for n in corpora})
    print_ranking({n: report[n]["ranking"] for n in corpora})
    print_stability({n: report[n]["stability"] for n in corpora})
    for n in corpora:
        print_worst(n, report[n]["classifier"], report[n].get("coverage"))
    print(f"\ntotal {report['seconds']} s")

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
        say(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
