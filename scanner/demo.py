"""The bundled demo: paraphrased real announcements and spec digests, loaded and scanned offline.

The demo is a snapshot, so its editions are dated by its own newest item (three weekly
editions ending there), not by today: that way "what moved" has something to show.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from scanner import store
from scanner.embed import Embedder
from scanner.errors import BadInput
from scanner.progress import Progress, reporter
from scanner.scanning.pipeline import ScanResult, scan
from scanner.sources.ingest import ingest_bytes, register_source
from scanner.specs.library import parse_spec, store_spec

DEMO_DIR = Path(os.environ.get("WETCEMENT_DEMO_DIR", Path(__file__).resolve().parents[1] / "data" / "demo"))
EDITIONS = 3


def demo_files() -> tuple[list[Path], list[Path]]:
    feeds = sorted((DEMO_DIR / "feeds").glob("*.xml"))
    specs = sorted((DEMO_DIR / "specs").glob("*.digest.txt"))
    if not feeds or not specs:

        raise BadInput(f"{DEMO_DIR}: the bundled demo is missing (feeds/ and specs/)")
    return feeds, specs


def load_demo(
    db: str | os.PathLike[str] | None = None,
    *,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Load the demo's feeds and spec digests, then scan its weekly editions; ``progress``
    follows the demo's own steps and each scan's."""
    say = reporter(progress, "demo")
    feeds, specs = demo_files()
    new = 0
    with store.session(db) as con:
        for path in feeds:
            register_source(con, name=path.stem, url=None, kind="rss", evidence="primary",
                            reason="bundled demo (paraphrased)")
            result = ingest_bytes(con, path.read_bytes(), source=path.stem, where=str(path))
            new += result.new
        say("loading", len(feeds), len(feeds), "feeds", f"{len(feeds)} feeds, {new} new items")
        for path in specs:
            doc = parse_spec(path.read_bytes(), where=str(path), name=None)
            existing = con.execute(
                "SELECT 1 FROM specs WHERE name = ? AND version = ?", [doc.name, doc.version]
            ).fetchone()
            if not existing:
                store_spec(con, doc)
        row = con.execute("SELECT max(published) FROM items").fetchone()
        newest = row[0] if row else None
    if newest is None:

        raise BadInput(f"{DEMO_DIR}: the demo feeds hold no items")
    last = newest.date()
    results: list[ScanResult] = []
    for k in range(EDITIONS - 1, -1, -1):
        day = last - timedelta(days=7 * k)
        say("editions", EDITIONS - 1 - k, EDITIONS, "editions", f"scanning the edition of {day.isoformat()}")
        results.append(scan(db, as_of=day, embedder=embedder, progress=progress))
    say("editions", EDITIONS, EDITIONS, "editions", f"{EDITIONS} editions written")
    final = results[-1]
    return {
        "new_items": new,
        "editions": [r.edition for r in results],
        "embedded": sum(r.embedded for r in results),
        "candidates": final.candidates,
        "edition": final.edition,
        "seconds": round(sum(r.seconds for r in results), 3),
    }
