"""Pure metrics for bench/quality.py: plain lists in, floats out (numpy only, no model, no DB).

Written out rather than imported from scikit-learn so the bench needs nothing beyond the
scanner's own dependencies; ``python bench/_quality_metrics.py`` cross-checks them against
scikit-learn when it is installed.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np


def _nan_to_none(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


def prf(labels: Sequence[bool], predicted: Sequence[bool]) -> dict[str, Any]:
    """Precision, recall and F1 of the positive class, with the confusion counts."""
    tp = sum(1 for y, p in zip(labels, predicted, strict=True) if y and p)
    fp = sum(1 for y, p in zip(labels, predicted, strict=True) if not y and p)
    fn = sum(1 for y, p in zip(labels, predicted, strict=True) if y and not p)
    tn = len(labels) - tp - fp - fn
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return {
        "n": len(labels),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "precision": _nan_to_none(precision),
        "recall": _nan_to_none(recall),
        "f1": f1,
        "accuracy": (tp + tn) / len(labels) if labels else None,
    }


def _average_ranks(values: np.ndarray) -> np.ndarray:
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(len(values), dtype=np.float64)
    sorted_vals = values[order]
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and sorted_vals[j + 1] == sorted_vals[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return ranks


def roc_auc(labels: Sequence[int], scores: Sequence[float]) -> float | None:
    """Area under the ROC curve (Mann-Whitney, ties count half); None without both classes."""
    y = np.asarray(labels, dtype=bool)
    s = np.asarray(scores, dtype=np.float64)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if not n_pos or not n_neg:
        return None
    ranks = _average_ranks(s)
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def calibration(
    scores: Sequence[float], labels: Sequence[str], classes: Sequence[str], edges: Sequence[float]
) -> list[dict[str, Any]]:
    """Per score bin [lo, hi) (the last bin closed): count and share of each class."""
    rows = []
    for k in range(len(edges) - 1):
        lo, hi = edges[k], edges[k + 1]
        last = k == len(edges) - 2
        members = [
            lab for s, lab in zip(scores, labels, strict=True) if lo <= s < hi or (last and s == hi)
        ]
        counts = Counter(members)
        rows.append(
            {
                "bin": f"{lo:.1f}-{hi:.1f}",
                "n": len(members),
                **{c: counts.get(c, 0) for c in classes},
                **{
                    f"share_{c}": (counts.get(c, 0) / len(members) if members else None)
                    for c in classes
                },
            }
        )
    return rows


def _contingency(a: Sequence[Hashable], b: Sequence[Hashable]) -> np.ndarray:
    ai = {v: i for i, v in enumerate(dict.fromkeys(a))}
    bi = {v: i for i, v in enumerate(dict.fromkeys(b))}
    table = np.zeros((len(ai), len(bi)), dtype=np.int64)
    for x, y in zip(a, b, strict=True):
        table[ai[x], bi[y]] += 1
    return table


def _comb2(x: np.ndarray | int) -> Any:
    return x * (x - 1) / 2


def adjusted_rand(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> float | None:
    n = len(truth)
    if n < 2:
        return None
    table = _contingency(truth, predicted)
    sum_cells = float(_comb2(table).sum())
    sum_rows = float(_comb2(table.sum(axis=1)).sum())
    sum_cols = float(_comb2(table.sum(axis=0)).sum())
    expected = sum_rows * sum_cols / _comb2(n)
    top = (sum_rows + sum_cols) / 2
    if top == expected:  # both partitions trivial in the same way
        return 1.0
    return (sum_cells - expected) / (top - expected)


def _entropy(counts: np.ndarray) -> float:
    counts = counts[counts > 0].astype(np.float64)
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum())


def v_measure(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> dict[str, float | None]:
    """Homogeneity (each predicted group holds one true group), completeness (each true group
    lands in one predicted group) and their harmonic mean."""
    if not truth:
        return {"homogeneity": None, "completeness": None, "v_measure": None}
    table = _contingency(truth, predicted).astype(np.float64)
    n = table.sum()
    h_c = _entropy(table.sum(axis=1))
    h_k = _entropy(table.sum(axis=0))
    nz = table > 0
    col = table.sum(axis=0, keepdims=True)
    row = table.sum(axis=1, keepdims=True)
    h_c_given_k = float(-(table[nz] / n * np.log((table / col)[nz])).sum())
    h_k_given_c = float(-(table[nz] / n * np.log((table / row)[nz])).sum())
    hom = 1.0 if h_c == 0 else 1 - h_c_given_k / h_c
    com = 1.0 if h_k == 0 else 1 - h_k_given_c / h_k
    v = 0.0 if hom + com == 0 else 2 * hom * com / (hom + com)
    return {"homogeneity": hom, "completeness": com, "v_measure": v}


def cross_org_pair_recall(
    truth: Sequence[Hashable], predicted: Sequence[Hashable], orgs: Sequence[Hashable]
) -> dict[str, Any]:
    """Of the pairs of items with the same true group but different orgs, the share placed in
    the same predicted group; and how many cross-org true groups ended wholly in one group."""
    pairs = together = 0
    by_group: dict[Hashable, list[int]] = {}
    for i, g in enumerate(truth):
        by_group.setdefault(g, []).append(i)
    groups_cross = groups_whole = 0
    per_group = {}
    for g, idx in sorted(by_group.items(), key=lambda kv: str(kv[0])):
        if len({orgs[i] for i in idx}) < 2:
            continue
        groups_cross += 1
        whole = len({predicted[i] for i in idx}) == 1
        groups_whole += whole
        gp = gt = 0
        for a in range(len(idx)):
            for b in range(a + 1, len(idx)):
                i, j = idx[a], idx[b]
                if orgs[i] != orgs[j]:
                    gp += 1
                    gt += predicted[i] == predicted[j]
        pairs += gp
        together += gt
        per_group[str(g)] = {
            "items": len(idx),
            "orgs": len({orgs[i] for i in idx}),
            "candidates": len({predicted[i] for i in idx}),
            "cross_org_pairs": gp,
            "together": gt,
        }
    return {
        "cross_org_pairs": pairs,
        "together": together,
        "pair_recall": together / pairs if pairs else None,
        "cross_org_groups": groups_cross,
        "groups_in_one_candidate": groups_whole,
        "share_groups_in_one_candidate": groups_whole / groups_cross if groups_cross else None,
        "per_group": per_group,
    }


def ndcg(gains_ranked: Sequence[float], ideal_pool: Sequence[float], k: int) -> float | None:
    """NDCG@k with graded gains 2^rel - 1 and a log2 discount; the ideal is the best k of the
    pool of judged groups."""

    def dcg(rels: Sequence[float]) -> float:
        return sum((2**r - 1) / math.log2(i + 2) for i, r in enumerate(list(rels)[:k]))

    best = dcg(sorted(ideal_pool, reverse=True))
    return dcg(gains_ranked) / best if best > 0 else None


if __name__ == "__main__":  # cross-check against scikit-learn
    import random

    from sklearn import metrics as sk

    rng = random.Random(1)
    for _ in range(200):
        n = rng.randint(3, 60)
        y = [rng.random() < 0.4 for _ in range(n)]
        s = [round(rng.random(), 1) for _ in range(n)]
        if any(y) and not all(y):
            assert abs(roc_auc(y, s) - sk.roc_auc_score(y, s)) < 1e-9
        a = [rng.randint(0, 5) for _ in range(n)]
        b = [rng.randint(0, 7) for _ in range(n)]
        assert abs(adjusted_rand(a, b) - sk.adjusted_rand_score(a, b)) < 1e-9
        h, c, v = sk.homogeneity_completeness_v_measure(a, b)
        mine = v_measure(a, b)
        assert abs(mine["homogeneity"] - h) < 1e-9 and abs(mine["completeness"] - c) < 1e-9
        assert abs(mine["v_measure"] - v) < 1e-9
    print("metrics agree with scikit-learn")
