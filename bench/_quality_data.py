"""Inputs for bench/quality.py: where the real data lives, the labelled sets, temporary
databases loaded through the scanner's own entry points, and joining labels to stored items.

Labels are keyed by the feed's own link. The store keys items by the canonical link (no
fragment, no tracking parameters), so several labels can land on one stored item (a changelog
whose entries differ only by ``#anchor``); those are told apart by the entry's title, and the
rest are counted as lost rather than guessed.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import feedparser

from scanner import store
from scanner.sources.normalise import canonical_url, plain_text, title_key

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SPEC_NAME = "openai-model-spec"
SPEC_VERSION = "2025-04-11"
SPEC_FILE = "openai_model_spec_2025-04-11.md"
SPEC_LINK = "https://model-spec.openai.com/2025-04-11.html"
PAIRS_SPEC = "openai_model_spec_2025-04-11"


def realdata_dir() -> Path | None:
    env = os.environ.get("WETCEMENT_REALDATA")
    path = Path(env) if env else REPO.parent / "shared" / "realdata"
    return path if (path / "feeds").is_dir() and (path / "specs" / SPEC_FILE).is_file() else None


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    rows = []
    with path.open(encoding="utf-8") as handle:
        for n, line in enumerate(handle, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    print(f"warning: {path.name}:{n} is not JSON (skipped)", file=sys.stderr)
    return rows


# --- building the databases --------------------------------------------------------------------


def load_real(db: Path, realdata: Path) -> dict[str, Any]:
    from scanner.ingest import ingest_paths
    from scanner.specs.library import parse_spec, store_spec

    feeds = sorted((realdata / "feeds").glob("*.xml"))
    spec = realdata / "specs" / SPEC_FILE
    with store.session(db) as con:
        result = ingest_paths(con, feeds)
        doc = parse_spec(
            spec.read_bytes(), where=str(spec), name=SPEC_NAME, version=SPEC_VERSION, link=SPEC_LINK
        )
        store_spec(con, doc)
    return {"feeds": feeds, "stored": vars(result), "clauses": len(doc.clauses)}


def demo_feeds() -> list[Path]:
    from scanner.demo import demo_files

    return demo_files()[0]


def load_demo(db: Path) -> dict[str, Any]:
    """The demo corpus as ``wetcement demo`` loads it, without its scans."""
    from scanner.demo import demo_files
    from scanner.ingest import ingest_bytes, register_source
    from scanner.specs.library import parse_spec, store_spec
    from scanner.store.items import StoreResult

    feeds, specs = demo_files()
    total = StoreResult()
    with store.session(db) as con:
        for path in feeds:
            register_source(
                con, name=path.stem, url=None, kind="rss", evidence="primary", reason="demo"
            )
            total += ingest_bytes(con, path.read_bytes(), source=path.stem, where=str(path))
        for path in specs:
            store_spec(con, parse_spec(path.read_bytes(), where=str(path), name=None))
    return {"feeds": feeds, "stored": vars(total), "specs": [p.name for p in specs]}


def copy_db(src: Path, dst: Path) -> None:
    shutil.copyfile(src, dst)


def share_embeddings(src: Path, dst: Path) -> int:
    """Copy cached vectors from one bench database into another, so a second scan of the same
    corpus does not encode it again. Returns the rows copied (0 if the copy failed)."""
    try:
        with store.session(dst) as con:
            con.execute(f"ATTACH '{src}' AS other (READ_ONLY)")
            try:
                con.execute(
                    "INSERT INTO embeddings SELECT o.* FROM other.embeddings o "
                    "WHERE NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.content_hash = o.content_hash "
                    "AND e.model = o.model)"
                )
                n = con.execute("SELECT count(*) FROM embeddings").fetchone()[0]
            finally:
                con.execute("DETACH other")
        return int(n)
    except Exception as exc:  # the bench still works, only slower
        print(f"note: could not share embeddings between bench databases ({exc})", file=sys.stderr)
        return 0


# --- joining labels to stored items --------------------------------------------------------------


@dataclass
class Joined:
    by_item: dict[str, dict[str, Any]] = field(default_factory=dict)  # item id -> label row
    stats: Counter[str] = field(default_factory=Counter)
    per_feed: dict[str, Counter[str]] = field(default_factory=dict)


def raw_titles(feeds: list[Path]) -> dict[str, str]:
    """The feed's own link of every entry → its title key (first entry wins)."""
    out: dict[str, str] = {}
    for path in feeds:
        parsed = feedparser.parse(
            path.read_bytes(), sanitize_html=False, resolve_relative_uris=False
        )
        for entry in parsed.get("entries") or []:
            link = (entry.get("link") or "").strip()
            if link and link not in out:
                out[link] = title_key(plain_text(entry.get("title") or ""))
    return out


def join_labels(con: Any, labels: list[dict[str, Any]], feeds: list[Path]) -> Joined:
    """Map label rows (with ``url``) onto stored items."""
    titles = raw_titles(feeds)
    by_url: dict[str, list[tuple[str, str]]] = {}
    by_title: dict[str, list[str]] = {}
    for iid, url, title in con.execute("SELECT id, url, title FROM items").fetchall():
        if url:
            by_url.setdefault(url, []).append((iid, title_key(title)))
        by_title.setdefault(title_key(title), []).append(iid)
    sharing = Counter(canonical_url(r["url"]) for r in labels)
    out = Joined()
    for row in labels:
        feed = row.get("feed") or "?"
        counts = out.per_feed.setdefault(feed, Counter())
        counts["labels"] += 1
        cu = canonical_url(row["url"])
        hits = by_url.get(cu or "", [])
        key = titles.get(row["url"])
        iid = None
        how = ""
        if len(hits) == 1 and sharing[cu] == 1:
            iid, how = hits[0][0], "url"
        elif hits:
            same = [h for h, t in hits if key and t == key]
            if len(same) == 1:
                iid, how = same[0], "url+title"
            else:
                how = "collapsed"  # the store kept another entry under this link
        elif key and len(by_title.get(key, [])) == 1:
            iid, how = by_title[key][0], "title"  # a repost merged into another source's item
        else:
            how = "missing"
        if iid is None:
            out.stats[how] += 1
            counts[how] += 1
            continue
        if iid in out.by_item:
            prev = out.by_item[iid]
            clash = (prev.get("is_affordance"), prev.get("group"), prev.get("label")) != (
                row.get("is_affordance"),
                row.get("group"),
                row.get("label"),
            )
            out.stats["duplicate_conflicting" if clash else "duplicate"] += 1
            counts["duplicate"] += 1
            continue
        out.by_item[iid] = row
        out.stats["matched"] += 1
        out.stats[f"matched_by_{how}"] += 1
        counts["matched"] += 1
    out.stats["labels"] = len(labels)
    return out
