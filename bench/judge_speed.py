"""What judging costs next to embedding, and what bfloat16 buys: ``python bench/judge_speed.py``.

On N real items (``../shared/realdata``; default 2,000) and the OpenAI Model Spec 2025-04-11:

- embedding throughput of the packaged MiniLM in fp32 and under bfloat16 autocast, in the same
  process, and the cosine between the two sets of vectors (mean, minimum, share below 0.999);
- the time of the learned judgements per item: the affordance model, and coverage against the
  spec (one spec version), as a share of the fp32 and bf16 embedding time of the same items.

Prints a Markdown table; ``--md FILE`` appends it to a file (bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _corpus import realdata_dir, stored_items  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--md", help="append the table to this file")
    args = ap.parse_args(argv)
    realdata = realdata_dir()
    if realdata is None:
        print("judge_speed: ../shared/realdata is missing", file=sys.stderr)
        return 2
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    from scanner.embed import BF16_MIN_COSINE, MiniLM, _has_bf16
    from scanner.judge.affordance import load_affordance_model
    from scanner.judge.coverage import assess, build_index
    from scanner.specs.library import parse_spec

    rows = [r for r in stored_items(realdata, include_demo=False)][: args.n]
    texts = [f"{r['title']}. {r['summary']}" if r["summary"] else r["title"] for r in rows]
    model = MiniLM()
    st = model._load()
    kw = dict(batch_size=32, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    st.encode(texts[:64], **kw)  # warm up
    t = time.perf_counter()
    with torch.inference_mode():
        fp32 = np.asarray(st.encode(texts, **kw), np.float32)
    t_fp32 = time.perf_counter() - t
    t = time.perf_counter()
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):
        bf16 = np.asarray(st.encode(texts, **kw), np.float32)
    t_bf16 = time.perf_counter() - t
    cos = np.sum(fp32 * bf16, axis=1)

    spec = realdata / "specs" / "openai_model_spec_2025-04-11.md"
    doc = parse_spec(spec.read_bytes(), where=str(spec), name="openai-model-spec", version="2025-04-11")
    clause_vecs = np.asarray(st.encode([f"{c.section}: {c.text}" for c in doc.clauses], **kw), np.float32)
    t = time.perf_counter()
    index = build_index(doc.clauses, clause_vecs)
    t_index = time.perf_counter() - t
    aff = load_affordance_model()
    t = time.perf_counter()
    for r, v in zip(rows, fp32, strict=True):
        aff.explain(r["title"], r["summary"], v)
    t_aff = time.perf_counter() - t
    t = time.perf_counter()
    for text, v in zip(texts, fp32, strict=True):
        assess(text, v, None, index)
    t_cov = time.perf_counter() - t
    judge = t_aff + t_cov
    lines = [
        f"### Judging and bfloat16 ({len(texts)} real items, `python bench/judge_speed.py`)",
        "",
        f"CPU bfloat16 support detected: {_has_bf16()}; threads: {torch.get_num_threads()}.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| embedding, fp32 | {len(texts) / t_fp32:.0f} texts/s |",
        f"| embedding, bf16 autocast | {len(texts) / t_bf16:.0f} texts/s ({t_fp32 / t_bf16:.2f}× fp32) |",
        f"| cosine bf16 vs fp32: mean / min | {cos.mean():.5f} / {cos.min():.5f} |",
        f"| share of texts below cosine {BF16_MIN_COSINE} | {float((cos < BF16_MIN_COSINE).mean()):.4f} |",
        f"| affordance model | {1e3 * t_aff / len(texts):.3f} ms per item |",
        f"| coverage, one spec of {len(doc.clauses)} clauses | {1e3 * t_cov / len(texts):.3f} ms per item (index built once in {1e3 * t_index:.0f} ms) |",
        f"| judging as a share of embedding time | {judge / t_fp32:.1%} of fp32, {judge / t_bf16:.1%} of bf16 |",
        "",
    ]
    print("\n".join(lines))
    if args.md:
        with open(args.md, "a", encoding="utf-8") as handle:
            handle.write("\n" + "\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
