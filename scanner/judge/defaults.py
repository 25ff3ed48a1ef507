"""Defaults an announcement states (on by default, asks first, users can delete...), found by
patterns and confirmed by meaning. Pure: no DuckDB; the vectors come from a function the caller
passes (the scan passes the store's cached embedder).

The dimensions are data: ``defaults.toml`` beside this module, or the file that
``$WETCEMENT_DEFAULTS`` names (a team's own copy, extended). Each value has regular expressions
that find candidate sentences, optional ``unless`` expressions that rule a sentence out, and
prototype sentences. A sentence that a value's pattern finds is kept when its cosine to the
closest of that value's prototypes reaches the file's ``threshold``; within an exclusive
dimension (on by default *or* opt-in) one sentence keeps only its best value.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from scanner.errors import BadInput

Vectors = Callable[[list[str]], np.ndarray]  # texts -> unit vectors, one row per text

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])|\s*\n\s*\n\s*|\s+[•·]\s+")
NEGATION_WINDOW = 30  # characters before a match in which a negation cancels it
CONTEXT_WORDS = 8  # words either side of a match that its meaning is judged on


@dataclass(frozen=True)
class Value:
    dimension: str
    id: str
    label: str
    patterns: tuple[re.Pattern[str], ...]
    unless: tuple[re.Pattern[str], ...]
    prototypes: tuple[str, ...]
    negatable: bool = False


@dataclass(frozen=True)
class Dimension:
    id: str
    label: str
    help: str
    exclusive: bool
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Dimensions:
    """The dimensions of one defaults file, and how hits are cut."""

    dimensions: tuple[Dimension, ...]
    threshold: float
    max_quote: int
    negations: tuple[re.Pattern[str], ...]
    version: str  # a hash of the file: stored with every extraction
    skip: tuple[re.Pattern[str], ...] = ()  # sentences that state no default (questions, findings, fixes)
    contrast: tuple[str, ...] = ()  # prototypes of sentences that state no default
    margin: float = 0.0  # how much closer a hit must be to its value than to ``contrast``

    @property
    def values(self) -> list[Value]:
        return [v for d in self.dimensions for v in d.values]

    def dimension(self, dim_id: str) -> Dimension:
        for d in self.dimensions:
            if d.id == dim_id:
                return d
        raise KeyError(dim_id)


@dataclass(frozen=True)
class Found:
    """One stated default: which value, the sentence that states it, how close it is in meaning."""

    dimension: str
    value: str
    quote: str
    score: float

    def as_dict(self) -> dict[str, Any]:
        return {"dimension": self.dimension, "value": self.value, "quote": self.quote, "score": round(self.score, 4)}


@dataclass
class _Hit:
    item: int
    sentence: str
    value: Value
    span: tuple[int, int] = field(default=(0, 0))


def defaults_path() -> Path:
    """The defaults file: ``$WETCEMENT_DEFAULTS`` when set (a team's own), else the shipped one."""
    own = os.environ.get("WETCEMENT_DEFAULTS")
    if own:
        return Path(own)
    return Path(str(resources.files("scanner.judge") / "defaults.toml"))


def _compile(patterns: Any, where: str) -> tuple[re.Pattern[str], ...]:
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise BadInput(f"{where}: expected a list of regular expressions")
    out = []
    for p in patterns:
        try:
            out.append(re.compile(p, re.IGNORECASE))
        except re.error as exc:
            raise BadInput(f"{where}: bad regular expression {p!r} ({exc})") from exc
    return tuple(out)


def parse_dimensions(text: str, where: str = "defaults file") -> Dimensions:
    """The dimensions of a defaults file's text; a clear ``BadInput`` when it is malformed."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(f"{where}: not valid TOML ({exc})") from exc
    dims = []
    for n, d in enumerate(raw.get("dimension") or [], 1):
        if not isinstance(d, dict) or not d.get("id") or not d.get("value"):
            raise BadInput(f"{where}: dimension {n} needs an id and at least one [[dimension.value]]")
        values = []
        for v in d["value"]:
            at = f"{where}: {d['id']}.{v.get('id', '?')}"
            if not v.get("id") or not v.get("patterns") or not v.get("prototypes"):
                raise BadInput(f"{at}: a value needs an id, patterns and prototypes")
            values.append(Value(
                d["id"], v["id"], v.get("label", v["id"]), _compile(v["patterns"], at),
                _compile(v.get("unless", []), at), tuple(str(p) for p in v["prototypes"]), bool(v.get("negatable", False)),
            ))
        dims.append(Dimension(str(d["id"]), str(d.get("label", d["id"])), str(d.get("help", "")), bool(d.get("exclusive", False)), tuple(values)))
    if not dims:
        raise BadInput(f"{where}: no [[dimension]] defined")
    try:
        threshold, max_quote = float(raw.get("threshold", 0.4)), int(raw.get("max_quote", 200))
    except (TypeError, ValueError) as exc:
        raise BadInput(f"{where}: threshold and max_quote must be numbers") from exc
    negations = _compile((raw.get("negation") or {}).get("patterns", []), f"{where}: negation")
    other = raw.get("not_a_default") or {}
    skip = _compile(other.get("patterns", []), f"{where}: not_a_default")
    try:
        margin = float(other.get("margin", 0.0))
    except (TypeError, ValueError) as exc:
        raise BadInput(f"{where}: not_a_default.margin must be a number") from exc
    version = hashlib.sha256(text.encode()).hexdigest()[:12]
    contrast = tuple(str(p) for p in other.get("prototypes", []))
    return Dimensions(tuple(dims), threshold, max_quote, negations, version, skip, contrast, margin)


@cache
def _load(path: str, mtime: float) -> Dimensions:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"{path}: cannot read the defaults file ({exc.strerror or exc})") from exc
    return parse_dimensions(text, path)


def load_dimensions(path: str | os.PathLike[str] | None = None) -> Dimensions:
    """The dimensions of ``path`` (default: :func:`defaults_path`), cached while the file is unchanged."""
    p = Path(path) if path else defaults_path()
    try:
        mtime = p.stat().st_mtime
    except OSError as exc:
        raise BadInput(f"{p}: cannot read the defaults file ({exc.strerror or exc})") from exc
    return _load(str(p), mtime)


def sentences(text: str) -> list[str]:
    """The sentences of a text (a plain splitter: enough for announcements)."""
    return [s.strip() for s in _SENTENCE_END.split(text or "") if s and s.strip()]


def _quote(sentence: str, span: tuple[int, int], limit: int) -> str:
    """The sentence, or the ``limit`` characters of it around the match, cut at word breaks."""
    if len(sentence) <= limit:
        return sentence
    start = max(0, min(span[0] - (limit - (span[1] - span[0])) // 2, len(sentence) - limit))
    piece = sentence[start : start + limit]
    if start > 0 and " " in piece[:30]:
        piece = piece[piece.index(" ") + 1 :]
    if start + limit < len(sentence) and " " in piece[-30:]:
        piece = piece[: piece.rindex(" ")]
    return piece.strip()


def _snippet(sentence: str, span: tuple[int, int]) -> str:
    """The match with ``CONTEXT_WORDS`` words either side: what its meaning is judged on (a long
    sentence's vector drifts towards its other topics)."""
    before = sentence[: span[0]].split()[-CONTEXT_WORDS:]
    after = sentence[span[1] :].split()[:CONTEXT_WORDS]
    return " ".join([*before, sentence[span[0] : span[1]], *after])


def pattern_hits(texts: Sequence[str], dims: Dimensions) -> list[_Hit]:
    """Every (item, sentence, value) whose pattern matches and whose ``unless`` does not."""
    hits: list[_Hit] = []
    for n, text in enumerate(texts):
        for sentence in sentences(text):
            if any(p.search(sentence) for p in dims.skip):
                continue
            for value in dims.values:
                if any(u.search(sentence) for u in value.unless):
                    continue
                for pattern in value.patterns:
                    m = pattern.search(sentence)
                    if m is None:
                        continue
                    if value.negatable:
                        window = sentence[max(0, m.start() - NEGATION_WINDOW) : m.end()]
                        if any(neg.search(window) for neg in dims.negations):
                            continue
                    hits.append(_Hit(n, sentence, value, m.span()))
                    break
    return hits


def _prototype_matrix(dims: Dimensions, vectors: Vectors) -> tuple[np.ndarray, dict[tuple[str, str], slice]]:
    texts: list[str] = []
    where: dict[tuple[str, str], slice] = {}
    for v in dims.values:
        where[(v.dimension, v.id)] = slice(len(texts), len(texts) + len(v.prototypes))
        texts.extend(v.prototypes)
    return _unit(vectors(texts)), where


def _unit(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float32)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms == 0, 1.0, norms)


def extract_many(
    texts: Sequence[str], vectors: Vectors, dims: Dimensions | None = None, threshold: float | None = None
) -> list[list[Found]]:
    """The defaults each text states: one list of :class:`Found` per text, in text order.

    Only the sentences a pattern found are embedded (in one batch, with the prototypes).
    ``threshold`` overrides the file's (the bench uses it to study the cut, never the scan)."""
    dims = dims or load_dimensions()
    cut = dims.threshold if threshold is None else threshold
    out: list[list[Found]] = [[] for _ in texts]
    hits = pattern_hits(texts, dims)
    if not hits:
        return out
    protos, where = _prototype_matrix(dims, vectors)
    snippets = [_snippet(h.sentence, h.span) for h in hits]
    unique = sorted(set(snippets))
    row = {s: i for i, s in enumerate(unique)}
    snippet_vectors = _unit(vectors(unique))
    sims = snippet_vectors @ protos.T
    if dims.contrast:
        other = (snippet_vectors @ _unit(vectors(list(dims.contrast))).T).max(axis=1)
    else:
        other = np.full(len(unique), -1.0, dtype=np.float32)
    best: dict[tuple[int, str, str], Found] = {}
    chosen: dict[tuple[int, str, str], tuple[float, str]] = {}  # (item, dimension, sentence) -> best exclusive value
    scored = []
    for h, snippet in zip(hits, snippets, strict=True):
        s = float(sims[row[snippet], where[(h.value.dimension, h.value.id)]].max())
        if s - float(other[row[snippet]]) < dims.margin:
            s = min(s, -1.0)  # closer to a sentence that states no default: never kept
        scored.append((h, s))
        if dims.dimension(h.value.dimension).exclusive:
            key = (h.item, h.value.dimension, h.sentence)
            if key not in chosen or s > chosen[key][0]:
                chosen[key] = (s, h.value.id)
    for h, s in scored:
        if s < cut:
            continue
        ex = chosen.get((h.item, h.value.dimension, h.sentence))
        if ex is not None and ex[1] != h.value.id:
            continue
        key = (h.item, h.value.dimension, h.value.id)
        if key not in best or s > best[key].score:
            best[key] = Found(h.value.dimension, h.value.id, _quote(h.sentence, h.span, dims.max_quote), s)
    for (item, _d, _v), found in sorted(best.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2])):
        out[item].append(found)
    return out


def extract(text: str, vectors: Vectors, dims: Dimensions | None = None) -> list[Found]:
    """The defaults one text states."""
    return extract_many([text], vectors, dims)[0]


def value_labels(dims: Dimensions | None = None) -> dict[tuple[str, str], str]:
    """(dimension, value) -> its label, for tables."""
    dims = dims or load_dimensions()
    return {(v.dimension, v.id): v.label for v in dims.values}
