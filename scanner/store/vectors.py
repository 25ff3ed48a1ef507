"""The vector cache: embeddings stored in DuckDB by (model, content hash)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from scanner.embed.base import DIMENSIONS, Embedder, Progress, encode_in_chunks


def missing_hashes(con: Any, hashes: Sequence[str], model: str) -> set[str]:
    """The content hashes that have no vector yet for this model."""
    if not hashes:
        return set()
    import pyarrow as pa  # pyarrow costs ~0.3 s to import; only the cache needs it

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
    import pyarrow as pa  # pyarrow costs ~0.3 s to import; only the cache needs it

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


def embed_missing(
    con: Any, embedder: Embedder, texts_by_hash: dict[str, str], progress: Progress | None = None
) -> int:
    """Embed and store the texts whose hash has no vector yet; return how many were embedded."""
    todo = missing_hashes(con, list(texts_by_hash), embedder.name)
    return encode_in_chunks(
        embedder,
        {h: texts_by_hash[h] for h in todo},
        lambda hashes, vectors: store_vectors(con, hashes, vectors, embedder.name),
        progress,
    )


def load_vectors(con: Any, hashes: Sequence[str], model: str) -> np.ndarray:
    """Vectors for ``hashes``, in that order, as a float32 matrix (rows of zeros if missing)."""
    import pyarrow as pa  # pyarrow costs ~0.3 s to import; only the cache needs it

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
