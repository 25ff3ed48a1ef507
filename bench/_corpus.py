"""The labelled corpus that training and the quality bench share.

Items come through the scanner's own ingest (so titles and summaries are exactly what a scan
sees), from ``../shared/realdata/feeds`` (or ``$WETCEMENT_REALDATA``) and the bundled demo, into
a scratch DuckDB file. Labels are joined by canonical URL. Vectors come from the real model in
fp32 and are cached under ``~/.cache/wetcement/train`` by content hash, so a second run embeds
nothing; the cache only saves time, it never changes a result.

Folds: items are grouped by publisher, so the two archived copies of one publisher's feed
(for example OpenAI's newsroom from two archivers) always fall in the same fold.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DATA = BENCH / "data"
AFFORDANCE_LABELS = DATA / "affordance_labels.jsonl"
COVERAGE_LABELS = DATA / "coverage_labels.jsonl"
GROUP_LABELS = DATA / "group_labels.jsonl"
CACHE = Path(os.environ.get("WETCEMENT_TRAIN_CACHE", Path.home() / ".cache" / "wetcement" / "train"))

# Feeds that are the same publisher's stream, archived twice (see realdata's README).
SAME_PUBLISHER = {
    "mibuhand__openai_news_feed": "openai-news",
    "tedzards509__feed_openai_news_product": "openai-news",
    "tedzards509__feed_cohere": "cohere",
    "feed_cohere": "cohere",
    "alan-turing-institute__anthropic-research": "anthropic-research",
    "feed_anthropic_research": "anthropic-research",
    "mibuhand__blog_google_technology_ai_rss_": "google-ai-blog",
    "depodefi__google": "google-ai-blog",
    "himalalps__feed_thinkingmachines": "thinkingmachines",
    "himalalps__feed_thinkingmachines_news": "thinkingmachines",
    "tedzards509__feed_kimi": "moonshot",
    "mibuhand__moonshot_blog": "moonshot",
    "tedzards509__feed_minimax": "minimax",
    "YuanxianH__minimax_releases": "minimax",
    "feed_windsurf_changelog": "windsurf",
    "feed_windsurf_next_changelog": "windsurf",
    "feed_windsurf_blog": "windsurf",
}

SAME_PUBLISHER_LOWER = {k.lower(): v for k, v in SAME_PUBLISHER.items()}

# The spec documents the coverage labels refer to: file stem -> (document, name, version).
SPEC_FILES = {
    "openai_model_spec_2025-04-11": ("openai-model-spec", "openai-model-spec", "2025-04-11"),
    "openai_model_spec_2025-02-12": ("openai-model-spec", "openai-model-spec", "2025-02-12"),
    "anthropic_claude_constitution_20260120": ("anthropic-constitution", "claude-constitution", "2026-01-20"),
    "meta_llama4_acceptable_use_policy": ("meta-llama-aup", "llama4-acceptable-use", "2025-04-05"),
}


def realdata_dir() -> Path | None:
    env = os.environ.get("WETCEMENT_REALDATA")
    path = Path(env) if env else REPO.parent / "shared" / "realdata"
    return path if (path / "feeds").is_dir() else None


def fold_of(source: str) -> str:
    if source.startswith("demo."):
        return "demo"
    return SAME_PUBLISHER_LOWER.get(source.lower(), source.lower())


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@dataclass
class Item:
    id: str
    url: str
    source: str
    fold: str
    title: str
    summary: str
    label: int
    weight: float  # unsure labels count half
    domain: str | None
    published: str
    vector: np.ndarray
    title_vector: np.ndarray

    @property
    def text(self) -> str:
        return f"{self.title}. {self.summary}" if self.summary else self.title


class VectorCache:
    """fp32 vectors of the real model, cached on disk by text hash."""

    def __init__(self) -> None:
        from scanner.embed import MODEL_NAME

        self.path = CACHE / f"{MODEL_NAME}-fp32.npz"
        self.vectors: dict[str, np.ndarray] = {}
        if self.path.is_file():
            with np.load(self.path, allow_pickle=False) as data:
                self.vectors = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
        self.dirty = False

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]

    def embed(self, texts: list[str]) -> np.ndarray:
        todo = sorted({self.key(t): t for t in texts if self.key(t) not in self.vectors}.items())
        if todo:
            os.environ["WETCEMENT_FP32"] = "1"
            from scanner.embed import MiniLM

            print(f"embedding {len(todo)} texts (cached afterwards)", file=sys.stderr)
            model = MiniLM()
            for start in range(0, len(todo), 512):
                chunk = todo[start : start + 512]
                vecs = model.encode([t for _, t in chunk])
                for (k, _), v in zip(chunk, vecs, strict=True):
                    self.vectors[k] = v
            self.dirty = True
        return np.stack([self.vectors[self.key(t)] for t in texts]) if texts else np.zeros((0, 384), np.float32)

    def save(self) -> None:
        if not self.dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self.vectors)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=np.array(keys), vectors=np.stack([self.vectors[k] for k in keys]))
        tmp.replace(self.path)


def stored_items(realdata: Path, include_demo: bool = True) -> list[dict[str, Any]]:
    """Every item of the real feeds (and the demo) as a scan would store it."""
    from scanner import store
    from scanner.demo import demo_files
    from scanner.sources.ingest import ingest_bytes, ingest_paths, register_source

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "corpus.duckdb"
        with store.session(db) as con:
            ingest_paths(con, sorted((realdata / "feeds").glob("*.xml")))
            if include_demo:
                for path in demo_files()[0]:
                    name = "demo." + path.stem
                    register_source(con, name=name, url=None, kind="rss", evidence="primary", reason="demo")
                    ingest_bytes(con, path.read_bytes(), source=name, where=str(path))
            rows = con.execute(
                "SELECT id, url, source, title, summary, sources, published FROM items WHERE duplicate_of IS NULL ORDER BY id"
            ).fetchall()
    return [
        dict(id=r[0], url=r[1], source=r[2], title=r[3], summary=r[4], sources=list(r[5] or []), published=r[6].isoformat())
        for r in rows
    ]


def labelled_items(realdata: Path, cache: VectorCache | None = None, include_demo: bool = True) -> list[Item]:
    from scanner.sources.normalise import canonical_url

    labels: dict[str, dict[str, Any]] = {}
    for row in read_jsonl(AFFORDANCE_LABELS):
        labels[canonical_url(row["url"])] = row
    if include_demo:
        for name in ("labels_labs.jsonl", "labels_tools.jsonl"):
            for row in read_jsonl(REPO / "data" / "demo" / name):
                labels.setdefault(canonical_url(row["url"]), {**row, "unsure": False})
    rows = [r for r in stored_items(realdata, include_demo) if r["url"] and canonical_url(r["url"]) in labels]
    cache = cache or VectorCache()
    texts = [f"{r['title']}. {r['summary']}" if r["summary"] else r["title"] for r in rows]
    vectors = cache.embed(texts)
    title_vectors = cache.embed([r["title"] for r in rows])
    cache.save()
    out = []
    for r, v, tv in zip(rows, vectors, title_vectors, strict=True):
        lab = labels[canonical_url(r["url"])]
        out.append(
            Item(
                id=r["id"], url=r["url"], source=r["source"], fold=fold_of(r["source"]),
                title=r["title"], summary=r["summary"], label=int(bool(lab["is_affordance"])),
                weight=0.5 if lab.get("unsure") else 1.0, domain=lab.get("domain"), published=r["published"],
                vector=v, title_vector=tv,
            )
        )
    return out


@dataclass
class SpecDoc:
    document: str
    name: str
    version: str
    sections: list[str]
    texts: list[str]
    keys: list[str]
    links: list[str | None]
    vectors: np.ndarray


def load_spec(realdata: Path, stem: str, cache: VectorCache) -> SpecDoc:
    from scanner.specs.library import parse_spec

    document, name, version = SPEC_FILES[stem]
    path = realdata / "specs" / f"{stem}.md"
    doc = parse_spec(path.read_bytes(), where=str(path), name=name, version=version, link=None)
    clauses = doc.clauses
    vectors = cache.embed([f"{c.section}: {c.text}" for c in clauses])
    return SpecDoc(document, name, version, [c.section for c in clauses], [c.text for c in clauses],
                   [c.clause_key for c in clauses], [c.link for c in clauses], vectors)
