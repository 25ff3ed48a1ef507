"""Fit the shipped judgement models from the labelled sets: ``make train``.

    python bench/train.py            # writes scanner/judge/models/{affordance,governs}.json
    python bench/train.py --check    # refits and says whether the shipped files are identical

Deterministic: fixed folds, fixed hyperparameters chosen before looking at any held-out figure,
solvers without randomness, and weights rounded to six decimals, so two runs on the same data
write the same bytes. Needs scikit-learn and scipy (``pip install -e '.[train]'``); the scanner
itself only needs numpy to apply the models.

The fitting functions are imported by ``bench/quality.py``, which refits them with one feed (or
one spec document) held out to measure what the models do on data they have not seen.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _corpus import (  # noqa: E402
    COVERAGE_LABELS,
    SPEC_FILES,
    Item,
    SpecDoc,
    VectorCache,
    labelled_items,
    load_spec,
    read_jsonl,
    realdata_dir,
)

from scanner.judge.affordance import model_path  # noqa: E402
from scanner.judge.governs import DOC_WEIGHT, raw_score, spec_view  # noqa: E402
from scanner.judge.text import SHAPE_NAMES, shape, terms, tfidf  # noqa: E402

# Hyperparameters, fixed a priori (not searched on held-out figures).
C_AFFORDANCE = 0.5
MIN_DF = 3  # a term must occur in this many training items...
MIN_FEEDS = 2  # ...from this many feeds, so one feed's house style cannot become a rule
MAX_VOCAB = 6000
EMBEDDING_SCALE = 8.0
BETA = 0.5  # the threshold weighs precision twice as much as recall
KNN = 10  # neighbours averaged for "close to known launches / to known non-launches"
KNN_SCALE = 8.0
HIDE_BY = "fold"  # a training item's neighbours exclude its own feed ("fold") or only itself ("id")
INNER_FOLDS = 5
ROUND = 6


def _r(x: Any) -> Any:
    if isinstance(x, np.ndarray):
        return [_r(v) for v in x.tolist()]
    if isinstance(x, list | tuple):
        return [_r(v) for v in x]
    if isinstance(x, float | np.floating):
        v = round(float(x), ROUND)
        return 0.0 if v == 0 else v
    return x


# --- affordance ----------------------------------------------------------------------------------


def build_vocab(items: Sequence[Item]) -> tuple[list[str], list[float]]:
    df: Counter[str] = Counter()
    feeds: dict[str, set[str]] = {}
    for it in items:
        for t in terms(it.title, it.summary):
            df[t] += 1
            feeds.setdefault(t, set()).add(it.fold)
    keep = [t for t, n in df.items() if n >= MIN_DF and len(feeds[t]) >= MIN_FEEDS]
    keep.sort(key=lambda t: (-df[t], t))
    keep = sorted(keep[:MAX_VOCAB])
    n = len(items)
    idf = [float(np.log((1 + n) / (1 + df[t])) + 1.0) for t in keep]
    return keep, idf


def knn_features(queries: np.ndarray, query_folds: Sequence[str] | None, bank: Exemplars) -> np.ndarray:
    """Mean cosine of each query to its K nearest positive and negative exemplars; a query never
    sees exemplars of its own feed (as an item of an unseen feed will not at run time)."""
    sims = queries @ bank.vectors.T
    if query_folds is not None:
        sims[np.asarray(query_folds)[:, None] == bank.folds[None, :]] = -1.0
    out = np.zeros((len(queries), 2))
    for col, mask in enumerate((bank.labels == 1, bank.labels == 0)):
        part = sims[:, mask]
        k = min(KNN, part.shape[1])
        out[:, col] = np.sort(part, axis=1)[:, -k:].mean(axis=1) if k else 0.0
    return out


def design(items: Sequence[Item], vocab: list[str], idf: list[float], title_only: bool, shape_stats: tuple[np.ndarray, np.ndarray] | None = None, bank: Exemplars | None = None, own_fold_hidden: bool = True) -> tuple[Any, tuple[np.ndarray, np.ndarray]]:
    from scipy import sparse

    index = {t: i for i, t in enumerate(vocab)}
    rows, cols, vals = [], [], []
    shapes = []
    embs = []
    for r, it in enumerate(items):
        summary = "" if title_only else it.summary
        for k, v in tfidf(terms(it.title, summary), index, idf).items():
            rows.append(r)
            cols.append(k)
            vals.append(v)
        shapes.append(shape(it.title, summary))
        embs.append(it.title_vector if title_only else it.vector)
    s = np.asarray(shapes, dtype=np.float64)
    if shape_stats is None:
        mean = s.mean(axis=0)
        scale = s.std(axis=0)
        scale[scale == 0] = 1.0
        shape_stats = (mean, scale)
    s = (s - shape_stats[0]) / shape_stats[1]
    t = sparse.csr_matrix((vals, (rows, cols)), shape=(len(items), len(vocab)))
    e = np.asarray(embs, dtype=np.float64)
    hide = [getattr(it, HIDE_BY) for it in items] if own_fold_hidden else None
    k = knn_features(e.astype(np.float32), hide, bank) if bank else np.zeros((len(items), 2))
    return sparse.hstack([sparse.csr_matrix(e * EMBEDDING_SCALE), sparse.csr_matrix(s), sparse.csr_matrix(k * KNN_SCALE), t]).tocsr(), shape_stats


def _fit_lr(x: Any, y: np.ndarray, w: np.ndarray) -> Any:
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=C_AFFORDANCE, max_iter=5000, solver="lbfgs", class_weight=None)
    lr.fit(x, y, sample_weight=w)
    return lr


@dataclass
class Exemplars:
    vectors: np.ndarray  # (n, d) float32, int8-rounded as shipped
    labels: np.ndarray
    folds: np.ndarray


def exemplars(items: Sequence[Item]) -> Exemplars:
    q = quantise(np.stack([it.vector for it in items]))
    return Exemplars(dequantise(q), np.array([it.label for it in items]), np.array([getattr(it, HIDE_BY) for it in items]))


def quantise(v: np.ndarray) -> np.ndarray:
    return np.clip(np.round(v * 127.0), -127, 127).astype(np.int8)


def dequantise(q: np.ndarray) -> np.ndarray:
    v = q.astype(np.float32) / 127.0
    n = np.linalg.norm(v, axis=1, keepdims=True)
    n[n == 0] = 1.0
    out: np.ndarray = v / n
    return out


def _stack(items: Sequence[Item], vocab: list[str], idf: list[float], bank: Exemplars) -> tuple[Any, np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Every item twice: as it is, and as its title alone (so title-only feeds are judged well)."""
    from scipy import sparse

    full, stats = design(items, vocab, idf, title_only=False, bank=bank)
    with_summary = [it for it in items if it.summary]
    titles, _ = design(with_summary, vocab, idf, title_only=True, shape_stats=stats, bank=bank)
    x = sparse.vstack([full, titles]).tocsr()
    y = np.array([it.label for it in items] + [it.label for it in with_summary])
    w = np.array([it.weight for it in items] + [0.5 * it.weight for it in with_summary])
    return x, y, w, stats


def fit_raw_affordance(items: Sequence[Item]) -> dict[str, Any]:
    vocab, idf = build_vocab(items)
    bank = exemplars(items)
    x, y, w, stats = _stack(items, vocab, idf, bank)
    lr = _fit_lr(x, y, w)
    coef = lr.coef_[0]
    d = len(items[0].vector)
    ns = len(SHAPE_NAMES)
    q = quantise(np.stack([it.vector for it in items]))
    return {
        "vocab": vocab,
        "idf": idf,
        "w_embedding": coef[:d],
        "embedding_scale": EMBEDDING_SCALE,
        "shape_mean": stats[0],
        "shape_scale": stats[1],
        "w_shape": coef[d : d + ns],
        "w_knn": coef[d + ns : d + ns + 2],
        "knn": {"k": KNN, "scale": KNN_SCALE},
        "exemplars_int8": base64.b64encode(q.tobytes()).decode("ascii"),
        "exemplar_labels": "".join(str(it.label) for it in items),
        "w_terms": coef[d + ns + 2 :],
        "intercept": float(lr.intercept_[0]),
    }


def raw_logits(model: dict[str, Any], items: Sequence[Item], title_only: bool = False) -> np.ndarray:
    from scanner.judge.affordance import AffordanceModel

    m = AffordanceModel.from_json({**_r_model(model), "platt": [1.0, 0.0], "threshold": 0.5})
    return np.array(
        [m.parts(it.title, "" if title_only else it.summary, it.title_vector if title_only else it.vector)["logit"] for it in items]
    )


def _r_model(model: dict[str, Any]) -> dict[str, Any]:
    return {k: (_r(v) if k not in ("vocab", "exemplars_int8", "exemplar_labels", "knn") else v) for k, v in model.items()}


def inner_folds(items: Sequence[Item], k: int = INNER_FOLDS) -> list[int]:
    """Feeds dealt to k folds, largest first, so every fold holds whole feeds."""
    sizes = Counter(it.fold for it in items)
    load = [0] * k
    where: dict[str, int] = {}
    for feed, n in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])):
        f = int(np.argmin(load))
        where[feed] = f
        load[f] += n
    return [where[it.fold] for it in items]


def platt(logits: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e4, max_iter=1000)
    lr.fit(logits.reshape(-1, 1), y, sample_weight=w)
    return float(lr.coef_[0][0]), float(lr.intercept_[0])


def text_only(model: dict[str, Any]) -> dict[str, Any]:
    """The same model with its embedding and neighbour weights at zero (see fit_text_only)."""
    return {**model, "w_embedding": np.zeros_like(np.asarray(model["w_embedding"])), "w_knn": np.zeros(2)}


def fit_text_only(items: Sequence[Item]) -> dict[str, Any]:
    """A second model over words and shape alone, for stores embedded by another model (whose
    vectors mean nothing to the first): fitted on the same items, calibrated the same way."""
    def fit(train: Sequence[Item]) -> dict[str, Any]:
        vocab, idf = build_vocab(train)
        x, y, w, stats = _stack(train, vocab, idf, exemplars(train))
        d = len(train[0].vector)
        x = x[:, d:]  # shape, neighbours (zeroed below), terms
        x[:, len(SHAPE_NAMES) : len(SHAPE_NAMES) + 2] = 0
        lr = _fit_lr(x, y, w)
        coef = lr.coef_[0]
        ns = len(SHAPE_NAMES)
        return {"vocab": vocab, "idf": idf, "shape_mean": stats[0], "shape_scale": stats[1], "w_shape": coef[:ns],
                "w_terms": coef[ns + 2 :], "intercept": float(lr.intercept_[0])}

    folds = inner_folds(items)
    oof = np.zeros(len(items))
    for f in sorted(set(folds)):
        test = [i for i, g in enumerate(folds) if g == f]
        m = fit([it for it, g in zip(items, folds, strict=True) if g != f])
        oof[test] = _text_logits(m, [items[i] for i in test])
    y = np.array([it.label for it in items])
    a, b = platt(oof, y, np.array([it.weight for it in items]))
    m = fit(items)
    m.update(platt=[a, b], threshold=best_threshold(1 / (1 + np.exp(-(a * oof + b))), y))
    return m


def _text_logits(m: dict[str, Any], items: Sequence[Item]) -> np.ndarray:
    index = {t: i for i, t in enumerate(m["vocab"])}
    out = []
    for it in items:
        row = tfidf(terms(it.title, it.summary), index, m["idf"])
        s = (np.asarray(shape(it.title, it.summary)) - m["shape_mean"]) / m["shape_scale"]
        out.append(m["intercept"] + float(s @ m["w_shape"]) + sum(v * m["w_terms"][k] for k, v in row.items()))
    return np.array(out)


def fit_affordance(items: Sequence[Item]) -> dict[str, Any]:
    """The full model: fitted on every item, calibrated on predictions for held-out feeds."""
    folds = inner_folds(items)
    oof = np.zeros(len(items))
    for f in sorted(set(folds)):
        train = [it for it, g in zip(items, folds, strict=True) if g != f]
        test = [i for i, g in enumerate(folds) if g == f]
        m = fit_raw_affordance(train)
        oof[test] = raw_logits(m, [items[i] for i in test])
    y = np.array([it.label for it in items])
    w = np.array([it.weight for it in items])
    a, b = platt(oof, y, w)
    probs = 1 / (1 + np.exp(-(a * oof + b)))
    threshold = best_threshold(probs, y)
    model = fit_raw_affordance(items)
    model.update(platt=[a, b], threshold=threshold)
    alone = fit_text_only(items)
    model["text_only"] = {k: (_r(v) if k not in ("vocab",) else v) for k, v in alone.items() if k not in ("idf",)}
    model["text_only"]["vocab"] = alone["vocab"]
    model["text_only"]["idf"] = _r(alone["idf"])
    from scanner.embed import MODEL_NAME

    model["meta"] = {
        "embedding_model": MODEL_NAME,
        "items": len(items),
        "positives": int(y.sum()),
        "feeds": len({it.fold for it in items}),
        "features": f"{len(items[0].vector)} embedding dims, {len(SHAPE_NAMES)} shape features, {len(model['vocab'])} terms",
        "C": C_AFFORDANCE,
    }
    return model


def best_threshold(probs: np.ndarray, y: np.ndarray, beta: float = BETA) -> float:
    """The probability cut with the best F-beta on held-out predictions. Beta below 1 weighs
    precision more: a launch that is not one costs a meeting more than one seen a week late."""
    best, at = -1.0, 0.5
    for t in np.arange(0.1, 0.91, 0.05):
        pred = probs >= t
        tp = float((pred & (y == 1)).sum())
        p = tp / max(1.0, float(pred.sum()))
        r = tp / max(1.0, float((y == 1).sum()))
        f = (1 + beta**2) * p * r / (beta**2 * p + r) if p + r else 0.0
        if f > best + 1e-9:
            best, at = f, float(round(t, 2))
    return at


def affordance_json(model: dict[str, Any]) -> dict[str, Any]:
    out = {"kind": "affordance", **_r_model(model)}
    out["vocab"] = model["vocab"]
    return out


# --- governs --------------------------------------------------------------------------------


LEVEL_Y = {"covered": (1, 1), "partial": (0, 1), "uncovered": (0, 0)}


def coverage_rows(items: dict[str, Item], specs: dict[str, SpecDoc]) -> list[dict[str, Any]]:
    """Coverage labels joined to items and specs, each with its uncalibrated score."""
    from scanner.sources.normalise import canonical_url

    views = {stem: spec_view(stem, range(len(s.texts)), s.sections, s.texts, s.vectors) for stem, s in specs.items()}
    out = []
    for lab in read_jsonl(COVERAGE_LABELS):
        it = items.get(canonical_url(lab["url"]))
        stem = lab["spec"]
        if it is None or stem not in views or lab["label"] not in LEVEL_Y:
            continue
        score, evidence = raw_score(views[stem], it.vector, it.text, DOC_WEIGHT)
        yg, yp = LEVEL_Y[lab["label"]]
        out.append({"url": lab["url"], "spec": stem, "document": SPEC_FILES[stem][0], "label": lab["label"],
                    "yg": yg, "yp": yp, "score": score, "evidence": evidence,
                    "max_cosine": max((e[2] for e in evidence), default=0.0),
                    "weight": 0.5 if lab.get("unsure") else 1.0})
    return out


def fit_raw_governs(rows: list[dict[str, Any]]) -> dict[str, Any]:
    x = np.array([r["score"] for r in rows])
    w = np.array([r["weight"] for r in rows])
    return {
        "doc_weight": DOC_WEIGHT,
        "governed": list(platt(x, np.array([r["yg"] for r in rows]), w)),
        "partly": list(platt(x, np.array([r["yp"] for r in rows]), w)),
        "levels": {"governs": 0.75, "partly": 0.25},
    }


def governs_values(model: dict[str, Any], rows: list[dict[str, Any]]) -> np.ndarray:
    from scanner.judge.governs import GovernsModel

    m = GovernsModel.from_json({**model, "levels": {"governs": 0.75, "partly": 0.25}})
    return np.array([m.value(r["score"])[0] for r in rows])


def level_thresholds(values: np.ndarray, labels: list[str]) -> dict[str, float]:
    """Value cuts that give the three levels the labels' own shares (quantiles of held-out
    values): the model's ranking decides which pairs fall in which level, the labels how many."""
    n = len(labels)
    covered = sum(lab == "covered" for lab in labels) / n
    uncovered = sum(lab == "uncovered" for lab in labels) / n
    hi = float(np.quantile(values, 1.0 - covered))
    lo = float(np.quantile(values, uncovered))
    return {"governs": round(max(hi, lo + 1e-3), 4), "partly": round(lo, 4)}


def fit_governs(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Calibrated on every labelled pair; the level cuts come from held-out-document values."""
    docs = sorted({r["document"] for r in rows})
    oof = np.zeros(len(rows))
    for doc in docs:
        train = [r for r in rows if r["document"] != doc]
        test = [i for i, r in enumerate(rows) if r["document"] == doc]
        if train and test:
            oof[test] = governs_values(fit_raw_governs(train), [rows[i] for i in test])
    model = fit_raw_governs(rows)
    model["levels"] = level_thresholds(oof, [r["label"] for r in rows])
    counts = Counter(r["label"] for r in rows)
    model["meta"] = {"pairs": len(rows), "documents": docs, "labels": dict(sorted(counts.items()))}
    return model


def governs_json(model: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "governs", "doc_weight": model["doc_weight"], "governed": _r(model["governed"]),
            "partly": _r(model["partly"]), "levels": {k: round(float(v), 3) for k, v in model["levels"].items()},
            "meta": model.get("meta", {})}


# --- the command -------------------------------------------------------------------------------


def load_training(realdata: Path) -> tuple[list[Item], list[dict[str, Any]]]:
    from scanner.sources.normalise import canonical_url

    cache = VectorCache()
    items = labelled_items(realdata, cache)
    specs = {stem: load_spec(realdata, stem, cache) for stem in SPEC_FILES if (realdata / "specs" / f"{stem}.md").is_file()}
    cache.save()
    by_url = {canonical_url(it.url): it for it in items}
    return items, coverage_rows(by_url, specs)


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="refit and compare with the shipped files")
    args = ap.parse_args(argv)
    realdata = realdata_dir()
    if realdata is None:
        print("train: ../shared/realdata is missing (set WETCEMENT_REALDATA)", file=sys.stderr)
        return 2
    items, rows = load_training(realdata)
    print(f"affordance: {len(items)} labelled items, {sum(it.label for it in items)} affordances", file=sys.stderr)
    print(f"governs: {len(rows)} labelled (item, spec) pairs", file=sys.stderr)
    outputs = {
        "affordance.json": dumps(affordance_json(fit_affordance(items))),
        "governs.json": dumps(governs_json(fit_governs(rows))),
    }
    same = True
    for name, text in outputs.items():
        path = model_path(name)
        if args.check:
            equal = path.is_file() and path.read_text(encoding="utf-8") == text
            same &= equal
            print(f"{name}: {'identical' if equal else 'DIFFERS'}")
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path} ({len(text):,} bytes)")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
