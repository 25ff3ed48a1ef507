"""Is an item a new capability? A logistic model over the item's embedding, its words and the
shape of its text, fitted by ``bench/train.py`` on labelled real feeds and calibrated on
predictions for feeds it was not fitted on. Works on titles alone too (it was fitted on
title-only copies of every item as well).

Every verdict says which words and which parts of the text pushed it, so a person can check it.
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import numpy as np

from scanner.judge.files import model_path
from scanner.judge.text import SHAPE_NAMES, shape, terms, tfidf

MODEL_FILE = "affordance.json"


@dataclass(frozen=True)
class AffordanceModel:
    vocab: dict[str, int]
    idf: list[float]
    w_terms: np.ndarray
    w_embedding: np.ndarray
    embedding_scale: float
    shape_mean: np.ndarray
    shape_scale: np.ndarray
    w_shape: np.ndarray
    intercept: float
    w_knn: np.ndarray  # weights of (closeness to known launches, closeness to known non-launches)
    knn_k: int
    knn_scale: float
    exemplars: np.ndarray  # (n, d) unit rows: the labelled items the model was fitted on
    exemplar_positive: np.ndarray  # (n,) bool
    platt: tuple[float, float]  # calibrated probability = sigmoid(a * logit + b)
    threshold: float  # a calibrated probability at or above it counts as an affordance
    meta: dict[str, Any]
    text_only: AffordanceModel | None = None  # for vectors of another embedding model

    @cached_property
    def terms_by_index(self) -> dict[int, str]:
        return {i: t for t, i in self.vocab.items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AffordanceModel:
        vocab = {t: i for i, t in enumerate(data["vocab"])}
        labels = np.array([c == "1" for c in data["exemplar_labels"]], dtype=bool)
        q = np.frombuffer(base64.b64decode(data["exemplars_int8"]), dtype=np.int8).reshape(len(labels), -1)
        ex = q.astype(np.float32) / 127.0
        norms = np.linalg.norm(ex, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return cls(
            vocab=vocab,
            idf=list(data["idf"]),
            w_terms=np.asarray(data["w_terms"], dtype=np.float64),
            w_embedding=np.asarray(data["w_embedding"], dtype=np.float64),
            embedding_scale=float(data["embedding_scale"]),
            shape_mean=np.asarray(data["shape_mean"], dtype=np.float64),
            shape_scale=np.asarray(data["shape_scale"], dtype=np.float64),
            w_shape=np.asarray(data["w_shape"], dtype=np.float64),
            w_knn=np.asarray(data["w_knn"], dtype=np.float64),
            knn_k=int(data["knn"]["k"]),
            knn_scale=float(data["knn"]["scale"]),
            exemplars=ex / norms,
            exemplar_positive=labels,
            intercept=float(data["intercept"]),
            platt=(float(data["platt"][0]), float(data["platt"][1])),
            threshold=float(data["threshold"]),
            meta=dict(data.get("meta", {})),
            text_only=cls._text_only(data["text_only"], len(data["w_embedding"])) if data.get("text_only") else None,
        )

    @classmethod
    def _text_only(cls, data: dict[str, Any], dims: int) -> AffordanceModel:
        return cls(
            vocab={t: i for i, t in enumerate(data["vocab"])},
            idf=list(data["idf"]),
            w_terms=np.asarray(data["w_terms"], dtype=np.float64),
            w_embedding=np.zeros(dims),
            embedding_scale=0.0,
            shape_mean=np.asarray(data["shape_mean"], dtype=np.float64),
            shape_scale=np.asarray(data["shape_scale"], dtype=np.float64),
            w_shape=np.asarray(data["w_shape"], dtype=np.float64),
            w_knn=np.zeros(2),
            knn_k=1,
            knn_scale=0.0,
            exemplars=np.zeros((0, dims), dtype=np.float32),
            exemplar_positive=np.zeros(0, dtype=bool),
            intercept=float(data["intercept"]),
            platt=(float(data["platt"][0]), float(data["platt"][1])),
            threshold=float(data["threshold"]),
            meta={"text_only": True},
        )

    def for_embedder(self, name: str) -> AffordanceModel:
        """This model for vectors of the embedding model ``name``: itself when it was fitted on
        that model's vectors, else its words-and-shape twin (vectors of another model mean
        nothing to the embedding and neighbour weights)."""
        fitted_on = self.meta.get("embedding_model")
        if fitted_on is None or fitted_on == name or self.text_only is None:
            return self
        return self.text_only

    def parts(self, title: str, summary: str, vector: np.ndarray, near: np.ndarray | None = None) -> dict[str, Any]:
        """The logit's parts: embedding, shape, neighbours and each term's push (``near``: the
        item's ``closeness``, when the caller computed it for many items at once)."""
        row = tfidf(terms(title, summary), self.vocab, self.idf)
        pushes = {k: v * float(self.w_terms[k]) for k, v in row.items()}
        emb = float(np.asarray(vector, dtype=np.float64) @ self.w_embedding) * self.embedding_scale
        s = (np.asarray(shape(title, summary)) - self.shape_mean) / self.shape_scale
        shp = float(s @ self.w_shape)
        near = self.closeness(vector) if near is None else near
        knn = float(near @ self.w_knn) * self.knn_scale
        logit = self.intercept + emb + shp + knn + sum(pushes.values())
        return {"logit": logit, "embedding": emb, "shape": shp, "neighbours": knn, "near": near, "terms": pushes}

    def closeness(self, vector: np.ndarray) -> np.ndarray:
        """Mean cosine to the K nearest labelled launches, and to the K nearest non-launches."""
        out: np.ndarray = self.closeness_many(np.asarray(vector, dtype=np.float32)[None, :])[0]
        return out

    def closeness_many(self, vectors: np.ndarray, batch: int = 1024) -> np.ndarray:
        """``closeness`` for each row of ``vectors``, in a few matrix products."""
        out = np.zeros((len(vectors), 2))
        if not len(self.exemplars) or not len(vectors):
            return out
        for start in range(0, len(vectors), batch):
            sims = np.asarray(vectors[start : start + batch], dtype=np.float32) @ self.exemplars.T
            for col, mask in enumerate((self.exemplar_positive, ~self.exemplar_positive)):
                part = sims[:, mask]
                k = min(self.knn_k, part.shape[1])
                if k:
                    top = np.partition(part, part.shape[1] - k, axis=1)[:, -k:]
                    out[start : start + batch, col] = top.mean(axis=1)
        return out

    def calibrate(self, logit: float) -> float:
        a, b = self.platt
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, a * logit + b))))

    def probability(self, title: str, summary: str, vector: np.ndarray) -> float:
        return self.calibrate(self.parts(title, summary, vector)["logit"])

    def explain(self, title: str, summary: str, vector: np.ndarray) -> tuple[float, str]:
        """The calibrated probability and a one-line reason naming what pushed it."""
        p = self.parts(title, summary, vector)
        return self.calibrate(p["logit"]), self.reasons(p, summary)

    def reasons(self, p: dict[str, Any], summary: str) -> str:
        prob = self.calibrate(p["logit"])
        words = sorted(p["terms"].items(), key=lambda kv: kv[1])
        inv = self.terms_by_index
        up = [inv[k].split(":")[-1].replace("_", " ") for k, v in reversed(words[-3:]) if v > 0.05]
        down = [inv[k].split(":")[-1].replace("_", " ") for k, v in words[:3] if v < -0.05]
        bits = [
            f"learned model {prob:.2f}",
            f"meaning {p['embedding']:+.2f}",
            f"like known launches {p['near'][0]:.2f} vs other news {p['near'][1]:.2f}",
        ]
        if up:
            bits.append("words for: " + ", ".join(dict.fromkeys(up)))
        if down:
            bits.append("words against: " + ", ".join(dict.fromkeys(down)))
        if not summary:
            bits.append("title only")
        return "; ".join(bits)


@cache
def load_affordance_model(path: str | None = None) -> AffordanceModel:
    """The shipped model (or one at ``path``, for the bench and tests)."""
    p = Path(path) if path else model_path(MODEL_FILE)
    return AffordanceModel.from_json(json.loads(p.read_text(encoding="utf-8")))


__all__ = ["AffordanceModel", "SHAPE_NAMES", "load_affordance_model", "model_path"]
