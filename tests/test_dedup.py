"""Reposts across sources become one item that lists every source."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from scanner import store
from scanner.scanning.pipeline import scan
from scanner.sources.ingest import ingest_paths
from scanner.views import report

SUMMARY = (
    "The assistant now remembers details you share across conversations, such as your preferences, "
    "projects and family names, and you can review, edit or delete each memory in settings at any time."
)


def test_a_repost_with_a_new_title_is_folded_into_the_original(fresh_db: Path, tmp_path: Path, fake_embedder) -> None:
    rows = {
        "vendor.jsonl": {"url": "https://vendor.example/memory", "title": "Memory arrives in the assistant", "published": "2025-02-13", "summary": SUMMARY, "org": "Vendor"},
        "aggregator.jsonl": {"url": "https://news.example/vendor-memory", "title": "The assistant gets memory", "published": "2025-02-14", "summary": SUMMARY, "org": "News"},
        "other.jsonl": {"url": "https://other.example/x", "title": "Agents can now pay with tokens", "published": "2025-02-14", "summary": "Payments for AI agents with tokenised cards and spending limits.", "org": "Other"},
    }
    paths = []
    for name, row in rows.items():
        path = tmp_path / name
        path.write_text(json.dumps(row) + "\n")
        paths.append(path)
    with store.session(fresh_db) as con:
        ingest_paths(con, paths)
    scan(fresh_db, as_of=date(2025, 3, 1), embedder=fake_embedder)
    with store.session(fresh_db) as con:
        items = {i["url"]: i for i in report.items(con)}
    assert set(items) == {"https://vendor.example/memory", "https://other.example/x"}
    assert items["https://vendor.example/memory"]["sources"] == ["vendor", "aggregator"]
    again = scan(fresh_db, as_of=date(2025, 3, 1), embedder=fake_embedder)
    assert again.new_items == 0
