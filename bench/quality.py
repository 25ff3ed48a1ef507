"""Out-of-sample quality of the scanner's judgements: ``make quality``.

    python bench/quality.py                 # every figure, printed as tables
    python bench/quality.py --md bench/QUALITY.md --json /tmp/quality.json

Every figure here is measured on data the model being scored was not fitted on:

- the affordance filter, leave one feed out: a model is refitted without each feed (two
  archived copies of one publisher count as one feed) and scores that feed; its calibration
  and threshold come from the other feeds' held-out predictions;
- the team's verdicts: for a held-out feed, 20, 50 and 100 of its labels are fed in as the
  team's verdicts and the rest of that feed is scored, with and without them;
- coverage, leave one spec document out (both OpenAI releases count as one document);
- grouping: the shipped grouping (which fits nothing on these labels) against two raters'
  capability groups, on pairs of items from different publishers;
- ranking: a full scan of the real feeds in a scratch database, with every item judged by the
  model fitted without its feed and coverage judged by the model fitted without the OpenAI
  spec, which is the spec in scope.

Needs ``../shared/realdata`` (or ``$WETCEMENT_REALDATA``) and the train extra (scikit-learn).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import train as T  # noqa: E402
from _corpus import (  # noqa: E402
    AFFORDANCE_LABELS,
    BENCH,
    COVERAGE_LABELS,
    GROUP_LABELS,
    Item,
    read_jsonl,
    realdata_dir,
)
from _quality_rank import eval_grouping, eval_ranking  # noqa: E402

TEAM_SIZES = (20, 50, 100)
NOTES = """
## Reading these figures

- **Held out how.** The filter's folds are publishers (two archived copies of one feed are one
  fold); a held-out feed's calibration and threshold come from the other feeds' held-out
  predictions, never its own. Coverage folds are spec documents (both OpenAI releases together).
- **Choices made while looking.** Hyperparameters (C, the vocabulary's two-feed rule, K, the
  embedding scale) were fixed before any held-out figure was seen. After seeing figures, three
  modelling choices were made and kept, each for a stated reason rather than a searched value:
  neighbours among labelled items as features (ROC-AUC 0.82 → 0.85), coverage as a fixed form
  with fitted calibration (a fitted clause scorer reversed its signs on the held-out document:
  pooled AUC 0.33), and, for the ranking, a precision-weighted threshold (F0.5), the affordance
  component as the items' mean probability and momentum counted in expected launches (P@10
  0.2 → 0.4). Treat the ranking figure as slightly optimistic for that reason.
- **A stronger embedding model.** all-mpnet-base-v2 (PyPI, five parts) was measured on the same
  folds: filter ROC-AUC 0.877 and PR-AUC 0.419 against 0.850 / 0.395 for the shipped MiniLM, at
  29 texts/s against about 230 (bfloat16) here. Eight times slower for +0.03 does not pay on a
  2-core machine (a 20,000-item scan would take minutes more), so the shipped model stays.
- **Why coverage is weak.** Within one document the labels hardly separate: covered items are
  few (44 of 743), the raters agreed only moderately (kappa 0.29–0.66), and the sentence model's
  closeness cannot tell a clause that settles a capability's questions from one that is about the
  same topic. The pooled figure mostly reflects what kind of document it is (a usage policy speaks
  to users). Read the evidence clauses; use `wetcement judge` to correct it for your specs.
- **Why grouping is weak.** On cross-publisher pairs of labelled affordances, the sentence
  model's cosine separates same-capability pairs from others with AUC 0.72 only, and the raters'
  capabilities are fine-grained (about 85 slugs for 324 items); no join threshold reaches the
  target. Merge and split in the dashboard stay the way to fix groups.
"""
OUT: list[str] = []  # the markdown report, as it is printed


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def emit(line: str = "") -> None:
    print(line)
    OUT.append(line)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    emit("| " + " | ".join(headers) + " |")
    emit("|" + "|".join("---" for _ in headers) + "|")
    for r in rows:
        emit("| " + " | ".join(fmt(x) for x in r) + " |")
    emit()


def fmt(x: Any) -> str:
    if x is None:
        return "–"
    if isinstance(x, float | np.floating):
        return f"{x:.3f}"
    return str(x)


def auc(y: Sequence[int], s: Sequence[float]) -> float | None:
    from sklearn.metrics import roc_auc_score

    y = np.asarray(y)
    return float(roc_auc_score(y, s)) if 0 < y.sum() < len(y) else None


def pr_auc(y: Sequence[int], s: Sequence[float]) -> float | None:
    from sklearn.metrics import average_precision_score

    y = np.asarray(y)
    return float(average_precision_score(y, s)) if 0 < y.sum() < len(y) else None


def prf(y: np.ndarray, pred: np.ndarray) -> tuple[float, float, float]:
    tp = float((pred & (y == 1)).sum())
    p = tp / max(1.0, float(pred.sum()))
    r = tp / max(1.0, float((y == 1).sum()))
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


# --- labels --------------------------------------------------------------------------------------


def kappa(a: Sequence[Any], b: Sequence[Any]) -> float:
    from sklearn.metrics import cohen_kappa_score

    return float(cohen_kappa_score(a, b))


def report_labels() -> dict[str, Any]:
    aff = read_jsonl(AFFORDANCE_LABELS)
    cov = read_jsonl(COVERAGE_LABELS)
    grp = read_jsonl(GROUP_LABELS)
    emit("## Labels")
    emit()
    feeds = {r["feed"] for r in aff}
    settled = Counter(r["settled"] for r in aff)
    emit(f"- affordance: {len(aff)} items from {len(feeds)} feeds, {sum(r['is_affordance'] for r in aff)} affordances, "
         f"{sum(r['unsure'] for r in aff)} marked unsure; Cohen's kappa between the two raters "
         f"{kappa([r['rater_a'] for r in aff], [r['rater_b'] for r in aff]):.3f}; "
         f"{settled.get('third pass', 0)} disagreements settled in a third pass.")
    by_spec = defaultdict(list)
    for r in cov:
        by_spec[r["spec"]].append(r)
    emit(f"- coverage: {len(cov)} (item, spec version) triples, "
         f"{sum(r['label'] != 'covered' for r in cov)} of them partial or uncovered; per spec version:")
    emit()
    rows = []
    for spec, rs in sorted(by_spec.items()):
        c = Counter(r["label"] for r in rs)
        agreed = [r for r in rs if r["settled"] == "agreed"]
        rows.append([spec, len(rs), c["covered"], c["partial"], c["uncovered"], len(rs) - len(agreed)])
    table(["spec version", "triples", "covered", "partial", "uncovered", "settled in a third pass"], rows)
    same = [(r["group_a"], r["group_b"]) for r in grp]
    from sklearn.metrics import adjusted_rand_score

    emit(f"- capability groups: {len(grp)} items, adjusted Rand index between the two raters "
         f"{adjusted_rand_score([a for a, _ in same], [b for _, b in same]):.3f}; only pairs both raters "
         "agree on count (see Grouping).")
    emit()
    return {"affordance": len(aff), "coverage": len(cov), "groups": len(grp)}


# --- the filter ------------------------------------------------------------------------------------


def eval_filter(items: list[Item]) -> dict[str, Any]:
    """Leave one feed out. Demo items always stay in training and are never scored."""
    real_folds = sorted({it.fold for it in items if it.fold != "demo"})
    n = len(items)
    raw = np.full(n, np.nan)
    raw_title = np.full(n, np.nan)
    started = time.perf_counter()
    for k, fold in enumerate(real_folds, 1):
        train = [it for it in items if it.fold != fold]
        test = [i for i, it in enumerate(items) if it.fold == fold]
        model = T.fit_raw_affordance(train)
        raw[test] = T.raw_logits(model, [items[i] for i in test])
        raw_title[test] = T.raw_logits(model, [items[i] for i in test], title_only=True)
        if k % 10 == 0:
            say(f"filter: {k}/{len(real_folds)} feeds held out ({time.perf_counter() - started:.0f} s)")
    y = np.array([it.label for it in items])
    return calibrate_folds(items, {"raw": raw, "raw_title": raw_title, "y": y})


def calibrate_folds(items: list[Item], res: dict[str, Any]) -> dict[str, Any]:
    """Each held-out feed's calibration and threshold, fitted on the other feeds' held-out
    predictions (as the shipped model's are fitted on held-out predictions)."""
    raw, y = res["raw"], res["y"]
    n = len(items)
    scored = np.flatnonzero(~np.isnan(raw))
    folds = np.array([it.fold for it in items])
    w = np.array([it.weight for it in items])
    real_folds = sorted({folds[i] for i in scored})
    prob = np.full(n, np.nan)
    pred = np.zeros(n, dtype=bool)
    calib: dict[str, tuple[float, float, float]] = {}
    for fold in real_folds:
        other = scored[folds[scored] != fold]
        a, b = T.platt(raw[other], y[other], w[other])
        t = T.best_threshold(1 / (1 + np.exp(-(a * raw[other] + b))), y[other])
        mine = np.flatnonzero(folds == fold)
        prob[mine] = 1 / (1 + np.exp(-(a * raw[mine] + b)))
        pred[mine] = prob[mine] >= t
        calib[fold] = (a, b, t)
    return {**res, "prob": prob, "pred": pred, "scored": scored, "calib": calib}


def report_filter(items: list[Item], res: dict[str, Any]) -> dict[str, Any]:
    s, y = res["scored"], res["y"]
    sure = np.array([items[i].weight == 1.0 for i in s])
    p, r, f1 = prf(y[s], res["pred"][s])
    has_summary = np.array([bool(items[i].summary) for i in s])
    out = {
        "roc_auc": auc(y[s], res["raw"][s]),
        "pr_auc": pr_auc(y[s], res["raw"][s]),
        "precision": p, "recall": r, "f1": f1,
        "roc_auc_sure": auc(y[s][sure], res["raw"][s][sure]),
        "pr_auc_sure": pr_auc(y[s][sure], res["raw"][s][sure]),
        "roc_auc_title_only": auc(y[s], res["raw_title"][s]),
        "pr_auc_title_only": pr_auc(y[s], res["raw_title"][s]),
        "roc_auc_feeds_with_titles_only": auc(y[s][~has_summary], res["raw"][s][~has_summary]),
        "items": int(len(s)), "affordances": int(y[s].sum()),
    }
    emit("## Affordance filter (leave one feed out)")
    emit()
    table(["figure", "value", "target"], [
        ["ROC-AUC", out["roc_auc"], "≥ 0.90"],
        ["PR-AUC", out["pr_auc"], "≥ 0.65"],
        ["precision / recall / F1 at each fold's threshold", f"{p:.3f} / {r:.3f} / {f1:.3f}", ""],
        ["ROC-AUC / PR-AUC, unsure labels left out", f"{fmt(out['roc_auc_sure'])} / {fmt(out['pr_auc_sure'])}", ""],
        ["ROC-AUC / PR-AUC, every item cut to its title", f"{fmt(out['roc_auc_title_only'])} / {fmt(out['pr_auc_title_only'])}", ""],
        ["ROC-AUC on the items that have only a title", out["roc_auc_feeds_with_titles_only"], ""],
    ])
    emit(f"{out['items']} real items scored ({out['affordances']} affordances); the demo's items are "
         "always in training and never scored.")
    emit()
    per = []
    folds = np.array([items[i].fold for i in s])
    for fold in sorted(set(folds)):
        k = folds == fold
        yk = y[s][k]
        if yk.sum() >= 3:
            pk, rk, _ = prf(yk, res["pred"][s][k])
            per.append([fold, int(k.sum()), int(yk.sum()), auc(yk, res["raw"][s][k]), pr_auc(yk, res["raw"][s][k]), pk, rk])
    emit("Per feed (feeds with at least 3 labelled affordances):")
    emit()
    table(["feed", "items", "affordances", "ROC-AUC", "PR-AUC", "precision", "recall"], per)
    worst_fp = sorted((i for i in s if y[i] == 0), key=lambda i: -res["prob"][i])[:8]
    worst_fn = sorted((i for i in s if y[i] == 1), key=lambda i: res["prob"][i])[:8]
    emit("Worst errors (links only; the feed text stays out of the repository):")
    emit()
    table(["kind", "probability", "feed", "link"],
          [["false positive", res["prob"][i], items[i].fold, items[i].url] for i in worst_fp]
          + [["false negative", res["prob"][i], items[i].fold, items[i].url] for i in worst_fn])
    for i in worst_fp[:4] + worst_fn[:4]:
        print(f"  {'FP' if y[i] == 0 else 'FN'} {res['prob'][i]:.2f} {items[i].title[:90]}")
    return out


# --- the simulated team -----------------------------------------------------------------------------


def eval_team(items: list[Item], res: dict[str, Any]) -> dict[str, Any]:
    from scanner.judge.team import fit_affordance_correction

    y = res["y"]
    by_fold: dict[str, list[int]] = defaultdict(list)
    for i in res["scored"]:
        by_fold[items[i].fold].append(int(i))
    feeds = [f for f, idx in sorted(by_fold.items()) if len(idx) >= 150 and y[idx].sum() >= 8]
    rows: dict[int, list[tuple[float, ...]]] = defaultdict(list)
    rng = np.random.default_rng(15)
    for fold in feeds:
        idx = np.array(by_fold[fold])
        order = rng.permutation(len(idx))
        a, b, t = res["calib"][fold]
        z = a * res["raw"] + b
        for k in TEAM_SIZES:
            if len(idx) < k + 50:
                continue
            given, rest = idx[order[:k]], idx[order[k:]]
            corr = fit_affordance_correction([items[i].vector for i in given], list(z[given]), list(y[given]))
            shifted = np.array([z[i] + corr.shift(items[i].vector) for i in rest])
            before, after = z[rest], shifted
            if y[rest].sum() == 0:
                continue
            pb = prf(y[rest], 1 / (1 + np.exp(-before)) >= t)
            pa = prf(y[rest], 1 / (1 + np.exp(-after)) >= t)
            rows[k].append((auc(y[rest], before) or 0, auc(y[rest], after) or 0, pr_auc(y[rest], before) or 0,
                            pr_auc(y[rest], after) or 0, pb[2], pa[2]))
    emit("## Learning from the team (simulated)")
    emit()
    emit(f"Feeds with at least 150 labelled items and 8 affordances ({', '.join(feeds)}): each is held out, "
         "k of its labels (a fixed random draw) become the team's verdicts, and the rest of that feed is "
         "scored before and after the per-database correction. Means over the feeds:")
    emit()
    out = {}
    trows = []
    for k in TEAM_SIZES:
        if rows[k]:
            m = np.mean(np.array(rows[k]), axis=0)
            out[k] = dict(zip(["roc_before", "roc_after", "pr_before", "pr_after", "f1_before", "f1_after"], map(float, m), strict=True))
            trows.append([k, len(rows[k]), f"{m[0]:.3f} → {m[1]:.3f}", f"{m[2]:.3f} → {m[3]:.3f}", f"{m[4]:.3f} → {m[5]:.3f}"])
    table(["verdicts", "feeds", "ROC-AUC", "PR-AUC", "F1"], trows)
    return out


# --- coverage -------------------------------------------------------------------------------------


def eval_coverage(rows: list[dict[str, Any]]) -> dict[str, Any]:
    docs = sorted({r["document"] for r in rows})
    values = np.zeros(len(rows))
    levels = ["open"] * len(rows)
    models: dict[str, dict[str, Any]] = {}
    for doc in docs:
        train = [r for r in rows if r["document"] != doc]
        test = [i for i, r in enumerate(rows) if r["document"] == doc]
        model = T.fit_raw_governs(train)
        model["levels"] = T.level_thresholds(T.governs_values(model, train), [r["label"] for r in train])
        models[doc] = model
        from scanner.judge.governs import GovernsModel

        m = GovernsModel.from_json(model)
        for i in test:
            values[i] = m.value(rows[i]["score"])[0]
            levels[i] = m.level(values[i])
    yc = np.array([r["label"] == "covered" for r in rows], dtype=int)
    ya = np.array([r["label"] != "uncovered" for r in rows], dtype=int)
    base = np.array([r["max_cosine"] for r in rows])
    emit("## Coverage (leave one spec document out)")
    emit()
    out = {"auc_covered": auc(yc, values), "auc_any": auc(ya, values), "baseline_covered": auc(yc, base),
           "baseline_any": auc(ya, base), "models": models}
    trows = [["pooled", len(rows), int(yc.sum()), out["auc_covered"], out["baseline_covered"], out["auc_any"], out["baseline_any"]]]
    docs_arr = np.array([r["document"] for r in rows])
    for doc in docs:
        k = docs_arr == doc
        trows.append([doc, int(k.sum()), int(yc[k].sum()), auc(yc[k], values[k]), auc(yc[k], base[k]), auc(ya[k], values[k]), auc(ya[k], base[k])])
    table(["held-out document", "triples", "covered", "AUC covered vs rest", "baseline (best cosine)",
           "AUC partial-or-covered vs uncovered", "baseline"], trows)
    names = {"covered": "governs", "partial": "partly", "uncovered": "open"}
    conf = Counter((names[r["label"]], lv) for r, lv in zip(rows, levels, strict=True))
    emit("Levels (rows: label, columns: the held-out model's level):")
    emit()
    table(["label", "governs", "partly", "open"], [[lab] + [conf[(lab, c)] for c in ("governs", "partly", "open")] for lab in ("governs", "partly", "open")])
    out["kappa_levels"] = kappa([names[r["label"]] for r in rows], levels)
    emit(f"Cohen's kappa between the held-out levels and the labels: {out['kappa_levels']:.3f}. Target for the "
         "AUC covered vs rest: ≥ 0.85.")
    emit()
    return out


# --- the reports beside this one --------------------------------------------------------------------

SIDE_REPORTS = [
    ("FULLTEXT.md", "bench/fulltext.py", "the filter with and without article full text"),
    ("DEFAULTS.md", "bench/defaults_quality.py", "stated defaults against two raters"),
    ("BACKTEST.md", "bench/backtest_bench.py", "lead time: the backtest on the demo and the real feeds"),
]


def side_reports() -> list[str]:
    """The other benches' reports, each written by its own script, folded in here so that every
    out-of-sample figure is in this one file (headings moved down a level)."""
    lines: list[str] = []
    for name, script, what in SIDE_REPORTS:
        path = BENCH / name
        if not path.is_file():
            continue
        lines += ["", f"## Beside this report: {what}", "",
                  f"_From `{name}`, written by `python {script}`._", ""]
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# "):
                continue  # the report's own title: the heading above replaces it
            lines.append("#" + line if line.startswith("#") else line)
    return lines


# --- the command ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--md", help="also write the report as Markdown to this file")
    ap.add_argument("--json", help="also write every figure as JSON to this file")
    ap.add_argument("--skip-ranking", action="store_true", help="leave out the full scan (about 2 minutes)")
    ap.add_argument("--only-ranking", action="store_true", help="only the full scan")
    ap.add_argument("--reuse-filter", action="store_true", help="reuse the last run's held-out filter predictions")
    args = ap.parse_args(argv)
    realdata = realdata_dir()
    if realdata is None:
        print("quality: ../shared/realdata is missing (set WETCEMENT_REALDATA)", file=sys.stderr)
        return 2
    started = time.perf_counter()
    items, rows = T.load_training(realdata)
    emit("# Quality: out of sample only")
    emit()
    emit("Written by `python bench/quality.py --md bench/QUALITY.md` (`make quality`). No figure below was "
         "measured on data its model was fitted on; how each was held out is said with it.")
    emit()
    results: dict[str, Any] = {}
    cache = Path(tempfile.gettempdir()) / "wetcement-quality-filter.npz"
    if args.reuse_filter and cache.is_file():  # for iterating on the ranking alone
        with np.load(cache, allow_pickle=False) as f:
            filt = calibrate_folds(items, {k: f[k] for k in ("raw", "raw_title", "y")})
    else:
        filt = eval_filter(items)
        np.savez(cache, **{k: filt[k] for k in ("raw", "raw_title", "y")})
    if not args.only_ranking:
        results["labels"] = report_labels()
        results["filter"] = report_filter(items, filt)
        results["team"] = eval_team(items, filt)
        cov = eval_coverage(rows)
        results["coverage"] = {k: v for k, v in cov.items() if k != "models"}
        results["grouping"] = eval_grouping(items, emit, table)
    if not args.skip_ranking:
        others = [r for r in rows if r["document"] != "openai-model-spec"]
        governs = T.fit_raw_governs(others)
        governs["levels"] = T.level_thresholds(T.governs_values(governs, others), [r["label"] for r in others])
        results["ranking"] = eval_ranking(realdata, items, filt, governs, emit, table)
    for line in NOTES.strip().splitlines():
        emit(line)
    emit()
    emit(f"_Measured in {time.perf_counter() - started:.0f} s._")
    for line in side_reports():
        emit(line)
    if args.md:
        Path(args.md).write_text("\n".join(OUT) + "\n", encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=float), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
