"""Parser golden files: each input in tests/data/parse sits beside its expected output."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from scanner.errors import BadInput
from scanner.sources.parse import parse_feed, parse_jsonl

DATA = Path(__file__).parent / "data" / "parse"
SEEN = datetime(2026, 1, 1, 12, 0, 0)
CASES = sorted(p for p in DATA.iterdir() if not p.name.endswith(".expected.json"))


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_golden(path: Path) -> None:
    expected_path = path.with_name(path.name.removesuffix(".xml") + ".expected.json")
    if path.suffix == ".json":
        expected_path = path.with_name(path.name + ".expected.json")
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    parsed = parse_feed(path.read_bytes(), source="test", seen_at=SEEN)
    got = [
        {
            "title": i.title,
            "url": i.url,
            "guid": i.guid,
            "summary": i.summary,
            "org": i.org,
            "published": "SEEN_AT" if i.published == SEEN and i.date_missing else i.published.isoformat(),
            "date_missing": i.date_missing,
        }
        for i in parsed.items
    ]
    assert got == expected


def test_entry_without_title_or_text_is_reported_not_dropped_silently() -> None:
    parsed = parse_feed((DATA / "basic.rss.xml").read_bytes(), source="t", seen_at=SEEN)
    assert parsed.skipped == ["entry 3: no title and no text"]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"<html><body><p>Hello</p></body></html>", "HTML page"),
        (b"just some words", "not an RSS"),
        (b'{"items": 3}', "items"),
    ],
)
def test_not_a_feed(data: bytes, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        parse_feed(data, source="s")


def test_truncated_xml_keeps_what_parsed() -> None:
    data = (DATA / "basic.rss.xml").read_bytes()
    cut = data[: data.index(b"<item>", data.index(b"<item>") + 1) + 30]
    parsed = parse_feed(cut, source="s", seen_at=SEEN)
    assert parsed.items[0].title == "Introducing memory & more"


def test_jsonl_checks_every_line() -> None:
    good = json.dumps({"url": "https://a.example/x", "title": "T", "published": "2025-01-01T00:00:00Z", "summary": "s", "org": "A"})
    items = parse_jsonl([good, ""], source="j", where="f.jsonl")
    assert items[0].org == "A" and items[0].published == datetime(2025, 1, 1)
    with pytest.raises(BadInput, match=r"f.jsonl:2: 'published'"):
        parse_jsonl([good, json.dumps({"title": "x", "published": "yesterday"})], source="j", where="f.jsonl")
    with pytest.raises(BadInput, match=r"f.jsonl:1: not valid JSON"):
        parse_jsonl(["{nope"], source="j", where="f.jsonl")
    with pytest.raises(BadInput, match=r"'title'"):
        parse_jsonl([json.dumps({"published": "2025-01-01"})], source="j", where="f.jsonl")
