"""What every embedding backend shares: the model's shape, the ``Embedder`` protocol, the chunked
encoding loop, and a hashing stand-in for unit tests."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

DIMENSIONS = 384
MODEL_NAME = "all-MiniLM-L6-v2"
BATCH_SIZE = 32
CHUNK = 512  # texts embedded and stored per step, so memory stays flat and progress survives

Progress = Callable[[int, int], None]


class Embedder(Protocol):
    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


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



def encode_in_chunks(
    embedder: Embedder,
    texts_by_hash: dict[str, str],
    keep: Callable[[list[str], np.ndarray], None],
    progress: Progress | None = None,
) -> int:
    """Encode ``texts_by_hash`` in chunks of ``CHUNK``, in hash order, handing each chunk's
    hashes and vectors to ``keep`` as it finishes (so an interrupted run keeps what it paid for);
    returns how many texts were encoded."""
    hashes = sorted(texts_by_hash)
    done = 0
    for start in range(0, len(hashes), CHUNK):
        chunk = hashes[start : start + CHUNK]
        keep(chunk, embedder.encode([texts_by_hash[h] for h in chunk]))
        done += len(chunk)
        if progress:
            progress(done, len(hashes))
    return done
