"""data/sources.toml: the curated default source list is well formed."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from scanner.sources.http import check_url

SOURCES = Path(__file__).resolve().parents[1] / "data" / "sources.toml"
KINDS = {"rss", "atom", "jsonfeed", "github-releases", "html"}
FIELDS = {"name", "url", "kind", "org", "evidence", "reason"}


@pytest.fixture(scope="module")
def sources() -> list[dict[str, Any]]:
    with SOURCES.open("rb") as handle:
        data = tomllib.load(handle)
    assert set(data) == {"source"}
    entries: list[dict[str, Any]] = data["source"]
    return entries


def test_enough_sources_with_unique_names(sources: list[dict[str, Any]]) -> None:
    assert len(sources) >= 20
    names = [entry["name"] for entry in sources]
    assert len(set(names)) == len(names)
    assert len({entry["url"] for entry in sources}) == len(sources)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name) for name in names)


def test_every_entry_is_complete_and_valid(sources: list[dict[str, Any]]) -> None:
    for entry in sources:
        where = entry.get("name", entry)
        assert set(entry) == FIELDS, where
        assert all(isinstance(entry[key], str) and entry[key].strip() for key in FIELDS), where
        assert check_url(entry["url"]) == entry["url"]
        assert entry["url"].startswith("https://"), where
        assert entry["kind"] in KINDS, where
        assert entry["evidence"] in {"primary", "secondary"}, where
        assert "\n" not in entry["reason"] and len(entry["reason"]) <= 120, where
        if entry["kind"] == "github-releases":
            assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+/releases\.atom",
                                entry["url"]), where


def test_mix_of_evidence_and_kinds(sources: list[dict[str, Any]]) -> None:
    assert {entry["evidence"] for entry in sources} == {"primary", "secondary"}
    assert {"rss", "html", "github-releases"} <= {entry["kind"] for entry in sources}
