"""How well the stated-defaults extraction agrees with two raters, on items it was not written on.

    python bench/defaults_quality.py                      # pool and labels at their default paths
    python bench/defaults_quality.py --pool P --labels L --md bench/DEFAULTS.md --json out.json

The pool is the labelled items themselves, read from ``../shared/realdata`` through the scanner's
own ingest (title and summary, joined to the labels by link); ``--pool`` takes a JSON Lines file of
``{url, feed, title, text}`` instead (the raters' scratch copy, or a test fixture). Its feeds were
kept out of the development of ``scanner/judge/defaults.toml``: the patterns and prototypes were
written on the demo and on the other real feeds only. The labels (``bench/data/defaults_labels.jsonl``)
hold one line per item: ``{"url": ..., "defaults": [{"dimension", "value", "quote"}]}``.

A unit is one (item, dimension, value). Precision: the share of extracted units that the labels
hold; recall: the share of labelled units extracted. Two cuts are reported:

- the file's own threshold, fixed before any label existed (the figure that counts);
- a threshold chosen leave-one-publisher-out: for each publisher, the cut that gives the best F1
  on the other publishers' items is applied to its items (never a cut chosen on all labels).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scanner.judge.defaults import Found, extract_many, load_dimensions  # noqa: E402

Unit = tuple[str, str, str]  # (url, dimension, value)
DEFAULT_LABELS = ROOT / "bench" / "data" / "defaults_labels.jsonl"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def publisher(feed: str) -> str:
    """Archived copies of one publisher's feeds count as one (``owner__feed_openai_news.xml`` -> openai)."""
    name = feed.rsplit("__", 1)[-1].removesuffix(".xml").removeprefix("feed_")
    return re.split(r"[_\-.]", name)[0].lower()


def extract(pool: list[dict[str, Any]], vectors: Callable[[list[str]], Any]) -> list[list[Found]]:
    """Every pattern hit with its score (threshold 0: the cuts are applied afterwards)."""
    texts = [f"{r.get('title') or ''}. {r.get('text') or ''}" for r in pool]
    return extract_many(texts, vectors, load_dimensions(), threshold=-1.0)


def realdata_pool(labels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The labelled items as the scanner stores them (title and summary), from the real feeds."""
    from _corpus import realdata_dir, stored_items  # noqa: PLC0415 — bench-only, and slow to import

    realdata = realdata_dir()
    if realdata is None:
        raise SystemExit("../shared/realdata is not here: pass --pool FILE")
    wanted = {r["url"]: r.get("feed", "") for r in labels}
    pool, seen = [], set()
    for it in stored_items(realdata, include_demo=False):
        url = it["url"]
        if url in wanted and url not in seen:
            seen.add(url)
            pool.append({"url": url, "feed": wanted[url], "title": it["title"], "text": it["summary"]})
    missing = len(wanted) - len(seen)
    if missing:
        print(f"{missing} labelled link(s) not found in realdata; scored on the other {len(seen)}", file=sys.stderr)
    return pool


def prf(predicted: set[Unit], truth: set[Unit]) -> dict[str, Any]:
    tp = len(predicted & truth)
    p = tp / len(predicted) if predicted else None
    r = tp / len(truth) if truth else None
    f = 2 * p * r / (p + r) if p and r else 0.0
    return {"predicted": len(predicted), "labelled": len(truth), "right": tp,
            "precision": None if p is None else round(p, 3), "recall": None if r is None else round(r, 3),
            "f1": round(f, 3)}


def units(pool: list[dict[str, Any]], found: list[list[Found]], cut: float | dict[str, float]) -> set[Unit]:
    out = set()
    for row, fs in zip(pool, found, strict=True):
        t = cut if isinstance(cut, float) else cut[publisher(row.get("feed", ""))]
        out |= {(row["url"], f.dimension, f.value) for f in fs if f.score >= t}
    return out


def _best_cut(pool: list[dict[str, Any]], found: list[list[Found]], truth: set[Unit]) -> float:
    scores = sorted({round(f.score, 3) for fs in found for f in fs})
    best, best_f = 0.0, -1.0
    for t in [0.0, *scores]:
        f = prf(units(pool, found, float(t)), truth)["f1"]
        if f > best_f:
            best, best_f = float(t), f
    return best


def leave_one_publisher_out(
    pool: list[dict[str, Any]], found: list[list[Found]], truth: set[Unit]
) -> dict[str, float]:
    """For each publisher, the cut with the best F1 on the other publishers' items."""
    cuts = {}
    for pub in sorted({publisher(r.get("feed", "")) for r in pool}):
        rest = [i for i, r in enumerate(pool) if publisher(r.get("feed", "")) != pub]
        rest_urls = {pool[i]["url"] for i in rest}
        cuts[pub] = _best_cut([pool[i] for i in rest], [found[i] for i in rest], {u for u in truth if u[0] in rest_urls})
    return cuts


def score(pool: list[dict[str, Any]], labels: list[dict[str, Any]], found: list[list[Found]]) -> dict[str, Any]:
    """Precision and recall overall and per dimension, at the file's cut and leave-one-publisher-out."""
    labelled = {r["url"]: r for r in labels}
    keep = [i for i, r in enumerate(pool) if r["url"] in labelled]
    pool_l, found_l = [pool[i] for i in keep], [found[i] for i in keep]
    truth = {(r["url"], d["dimension"], d["value"]) for r in labels if r["url"] in {p["url"] for p in pool_l}
             for d in r.get("defaults", [])}
    dims = load_dimensions()
    fixed = units(pool_l, found_l, dims.threshold)
    cuts = leave_one_publisher_out(pool_l, found_l, truth)
    lopo = units(pool_l, found_l, cuts)
    patterns_only = units(pool_l, found_l, -1.0)

    def per_dimension(predicted: set[Unit]) -> dict[str, Any]:
        return {d.id: prf({u for u in predicted if u[1] == d.id}, {u for u in truth if u[1] == d.id})
                for d in dims.dimensions}

    return {
        "items": len(pool_l), "items_without_labels": len(pool) - len(pool_l),
        "items_with_labels_stating_a_default": len({u[0] for u in truth}),
        "threshold": dims.threshold, "defaults_version": dims.version,
        "fixed": {**prf(fixed, truth), "per_dimension": per_dimension(fixed)},
        "leave_one_publisher_out": {**prf(lopo, truth), "per_dimension": per_dimension(lopo), "cuts": cuts},
        "patterns_only": prf(patterns_only, truth),
        "wrong": sorted(fixed - truth)[:40], "missed": sorted(truth - fixed)[:40],
    }


def _fmt(v: Any) -> str:
    return "—" if v is None else f"{v:.2f}" if isinstance(v, float) else str(v)


def markdown(result: dict[str, Any], seconds: float, where: str) -> str:
    f, lo = result["fixed"], result["leave_one_publisher_out"]
    lines = [
        "# Stated defaults: agreement with the raters, out of sample",
        "",
        f"Made by `python bench/defaults_quality.py` on {where}; extraction of the pool took "
        f"{seconds:.1f} s (2-core machine, MiniLM on CPU). Defaults file version `{result['defaults_version']}`.",
        "",
        f"{result['items']} labelled items ({result['items_with_labels_stating_a_default']} of them state at least one "
        f"default according to the labels; {result['items_without_labels']} pool items had no label line). "
        "A unit is one (item, dimension, value); an extracted unit is right when the labels hold it.",
        "",
        "| cut | extracted | labelled | right | precision | recall | F1 |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in ((f"file threshold {result['threshold']:.2f} (fixed a priori)", f),
                    ("leave one publisher out", lo), ("patterns only (no cut)", result["patterns_only"])):
        lines.append(f"| {name} | {r['predicted']} | {r['labelled']} | {r['right']} | {_fmt(r['precision'])} | "
                     f"{_fmt(r['recall'])} | {_fmt(r['f1'])} |")
    lines += ["", "Per dimension, at the file's threshold:", "",
              "| dimension | extracted | labelled | right | precision | recall |", "|---|---|---|---|---|---|"]
    for dim, r in f["per_dimension"].items():
        lines.append(f"| {dim} | {r['predicted']} | {r['labelled']} | {r['right']} | {_fmt(r['precision'])} | {_fmt(r['recall'])} |")
    lines += ["", "Leave-one-publisher-out cuts: " + ", ".join(f"{k} {v:.2f}" for k, v in lo["cuts"].items()), ""]
    return "\n".join(lines)


def real_vectors() -> Callable[[list[str]], Any]:
    from scanner.embed import default_embedder  # the model: loaded only when the bench runs

    return default_embedder().encode


def main(argv: Iterable[str] | None = None, vectors: Callable[[list[str]], Any] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pool", type=Path, default=None, help="default: the labelled items, read from realdata")
    ap.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    ap.add_argument("--md", type=Path, default=ROOT / "bench" / "DEFAULTS.md")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--also", type=Path, action="append", default=[],
                    help="another pool scored against the same labels, reported in its own section")
    args = ap.parse_args(list(argv) if argv is not None else None)
    for what, path in (("pool", args.pool), ("labels", args.labels)):
        if path is not None and not path.exists():
            raise SystemExit(f"{what} file {path} does not exist")
    labels = read_jsonl(args.labels)
    pool = read_jsonl(args.pool) if args.pool else realdata_pool(labels)
    vectors = vectors or real_vectors()
    vectors(["warm up"])  # the model's load is not the extraction's time
    started = time.perf_counter()
    found = extract(pool, vectors)
    seconds = time.perf_counter() - started
    result = score(pool, labels, found)
    result["seconds"] = round(seconds, 2)
    pool_name = args.pool.name if args.pool else "the labelled real items"
    text = markdown(result, seconds, f"{pool_name} × {args.labels.name}")
    for extra in args.also:
        other = read_jsonl(extra)
        started = time.perf_counter()
        found_other = extract(other, vectors)
        took = time.perf_counter() - started
        result.setdefault("also", {})[extra.name] = score(other, labels, found_other)
        section = markdown(result["also"][extra.name], took, f"{extra.name} × {args.labels.name}")
        text += "\n" + section.replace("# Stated defaults: agreement with the raters, out of sample", f"## Also: {extra.name}")
    args.md.write_text(text, encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    f = result["fixed"]
    print(f"precision {_fmt(f['precision'])} recall {_fmt(f['recall'])} ({f['right']}/{f['predicted']} extracted, "
          f"{f['labelled']} labelled); leave-one-publisher-out precision "
          f"{_fmt(result['leave_one_publisher_out']['precision'])} recall {_fmt(result['leave_one_publisher_out']['recall'])}")
    return result


if __name__ == "__main__":
    main()

__all__ = ["leave_one_publisher_out", "main", "prf", "publisher", "score"]
