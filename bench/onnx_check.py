"""Compare the built-in ONNX backend (scanner/embed_onnx.py) with the torch one.

    python bench/onnx_check.py [--texts 1000] [--neighbours 500] [--rounds 1] [--cache DIR]
                               [--json OUT]

Embeds the same synthetic item texts (30 to 60 words each, from bench/_synth.py) with both
backends, each timed twice in the order torch, onnx, onnx, torch (``--rounds`` repeats that) so
that a drifting load on the machine cancels out, and prints a table: texts per second over all
runs and in the fastest run (the one least disturbed by other work), cosine of each ONNX vector to its
torch vector (mean and min), and the share of each text's five nearest neighbours (by torch,
among the first ``--neighbours`` texts) that ONNX finds too.

Without ``--cache`` the export goes to a temporary folder, so its cost is measured too; with it,
an earlier export there is reused. Both backends run with the same number of threads (torch's).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402

MIN_WORDS, MAX_WORDS = 30, 60
K = 5


def make_texts(n: int, seed: int = 20260501) -> list[str]:
    """``n`` distinct item texts (title and summary) of 30 to 60 words: short items are joined
    with the next summary, long ones cut."""
    import _synth

    rows = [r for r in _synth.make_rows(4 * n + 200, seed) if r.summary]
    texts: list[str] = []
    seen: set[str] = set()
    i = 0
    while len(texts) < n and i < len(rows):
        words = f"{rows[i].title}. {rows[i].summary}".split()
        j = i + 1
        while len(words) < MIN_WORDS and j < len(rows):
            words += (rows[j].summary or "").split()
            j += 1
        i = j
        text = " ".join(words[:MAX_WORDS])
        if len(words) >= MIN_WORDS and text not in seen:
            seen.add(text)
            texts.append(text)
    if len(texts) < n:
        raise SystemExit(f"could only make {len(texts)} texts")
    return texts


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "-"


def top_k(vectors: np.ndarray, k: int = K) -> np.ndarray:
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    return np.argsort(-sims, axis=1, kind="stable")[:, :k]


def measure(n_texts: int, n_neighbours: int, cache: Path, rounds: int = 1) -> dict[str, Any]:
    import torch

    from scanner.embed import MiniLM
    from scanner.embed.onnx import MiniLMOnnx

    texts = make_texts(n_texts)
    words = [len(t.split()) for t in texts]
    out: dict[str, Any] = {
        "texts": len(texts),
        "words_per_text": [min(words), round(float(np.mean(words)), 1), max(words)],
        "cpus": len(os.sched_getaffinity(0)),
        "torch_threads": torch.get_num_threads(),
        "load_before": load_average(),
        "versions": {
            d: metadata.version(d)
            for d in ("torch", "sentence-transformers", "transformers", "onnxruntime", "onnx")
        },
    }
    torch_model = MiniLM()
    onnx_model = MiniLMOnnx(cache_dir=cache, threads=torch.get_num_threads())
    out["torch_bf16"] = torch_model.bf16

    started = time.perf_counter()
    onnx_model.load()
    out["onnx_load_s"] = round(time.perf_counter() - started, 2)
    out["onnx_exported"] = onnx_model.exported
    out["onnx_file"] = str(onnx_model.model_path)
    if onnx_model.export_report:
        out["export"] = onnx_model.export_report

    models = {"torch": torch_model, "onnx": onnx_model}
    for model in models.values():
        model.encode(texts[:64])  # warm up
    seconds: dict[str, list[float]] = {name: [] for name in models}
    vectors: dict[str, np.ndarray] = {}
    for name in ("torch", "onnx", "onnx", "torch") * rounds:
        started = time.perf_counter()
        v = models[name].encode(texts)
        seconds[name].append(round(time.perf_counter() - started, 2))
        vectors.setdefault(name, v)
    out["load_after"] = load_average()

    cos = np.sum(vectors["onnx"].astype(np.float64) * vectors["torch"].astype(np.float64), axis=1)
    m = min(n_neighbours, len(texts))
    near_torch = top_k(vectors["torch"][:m])
    near_onnx = top_k(vectors["onnx"][:m])
    kept = np.mean([len(set(a) & set(b)) / K for a, b in zip(near_torch, near_onnx, strict=True)])
    for name in models:
        out[name] = {
            "seconds": seconds[name],
            "texts_per_s": round(len(seconds[name]) * len(texts) / sum(seconds[name]), 1),
            "best_texts_per_s": round(len(texts) / min(seconds[name]), 1),
        }
    out["onnx"].update(
        cosine_mean=round(float(cos.mean()), 7),
        cosine_min=round(float(cos.min()), 7),
        top5_kept=round(float(kept), 4),
        neighbour_texts=m,
    )
    out["speedup"] = round(out["onnx"]["texts_per_s"] / out["torch"]["texts_per_s"], 2)
    out["best_speedup"] = round(
        out["onnx"]["best_texts_per_s"] / out["torch"]["best_texts_per_s"], 2
    )
    return out


def print_table(r: dict[str, Any]) -> None:
    t, o = r["torch"], r["onnx"]
    lo, mean, hi = r["words_per_text"]
    print(
        f"{r['texts']} texts ({lo}-{hi} words, mean {mean}), batch 32, "
        f"{r['torch_threads']} threads on {r['cpus']} CPUs; "
        f"load average {r['load_before']} before, {r['load_after']} after"
    )
    print(
        f"ONNX model: {'exported' if r['onnx_exported'] else 'reused'} in {r['onnx_load_s']} s "
        f"({r['onnx_file']})"
    )
    torch_label = "torch (bf16 autocast)" if r["torch_bf16"] else "torch fp32"
    print()
    print(
        f"| backend | runs (s) | texts/s | best run, texts/s | mean cosine | min cosine "
        f"| top-{K} kept |"
    )
    print("|---|---|---:|---:|---:|---:|---:|")
    runs = ", ".join(map(str, t["seconds"]))
    print(f"| {torch_label} | {runs} | {t['texts_per_s']} | {t['best_texts_per_s']} | 1 | 1 | 1 |")
    runs = ", ".join(map(str, o["seconds"]))
    print(
        f"| ONNX fp32 | {runs} | {o['texts_per_s']} | {o['best_texts_per_s']} | "
        f"{o['cosine_mean']:.7f} | {o['cosine_min']:.7f} | {o['top5_kept']} |"
    )
    print()
    print(
        f"ONNX / torch: {r['speedup']}x over all runs, {r['best_speedup']}x best run against "
        f"best run; top-{K} on the first {o['neighbour_texts']} texts"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--texts", type=int, default=1000)
    parser.add_argument("--neighbours", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=1, help="repeat torch, onnx, onnx, torch")
    parser.add_argument("--cache", type=Path, help="ONNX cache folder to reuse (default: fresh)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="onnx-check-") as tmp:
        result = measure(args.texts, args.neighbours, args.cache or Path(tmp), args.rounds)
    print_table(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
