"""The Meeting page's "Spec changes" section (Streamlit's AppTest), on a store where a watched spec
changed between two scans."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from scanner import store
from scanner.scanning.pipeline import scan
from scanner.sources import http
from scanner.specs import watch
from scanner.specs.changes import spec_changes
from tests.spec_server import V3, SpecServer, spec_server
from tests.test_spec_watch import watched_and_scanned
from tests.ui_app import open_page


@pytest.fixture
def server() -> Iterator[SpecServer]:
    with spec_server() as s:
        yield s


@pytest.fixture
def db(server: SpecServer, fresh_db: Path, tmp_path: Path, fake_embedder: Any,
       monkeypatch: pytest.MonkeyPatch) -> Path:
    """Launch items and a watched spec at version 1, scanned; named by $WETCEMENT_DB."""
    monkeypatch.setenv(http.ALLOW_PRIVATE_ENV, "1")
    monkeypatch.setenv("WETCEMENT_DB", str(fresh_db))
    return watched_and_scanned(fresh_db, server, tmp_path, fake_embedder)


def section(at: AppTest) -> str:
    """The page's text, markdown escapes dropped."""
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [s.value for s in at.subheader]
                      + [e.label for e in at.expander]).replace("\\", "")


def test_no_watched_change_says_how_to_watch(db: Path) -> None:
    text = section(open_page("meeting"))
    assert "Spec changes" in text and "wetcement specs watch URL --name NAME" in text


def test_a_changed_spec_shows_its_versions_diff_and_moves(server: SpecServer, db: Path, fake_embedder: Any) -> None:
    server.body = V3
    [result] = watch.fetch_watched(db)
    at = open_page("meeting")  # before the next scan: the diff, and coverage moves still to come
    text = section(at)
    first = result.previous_version
    assert f"{first} → {result.version}" in text
    assert "4 added, 1 removed, 1 changed clauses" in text
    assert "coverage changes appear after the next scan" in text
    assert f"Changed clauses of acme {result.version}" in text

    scan(db, as_of=date(2025, 4, 7), embedder=fake_embedder)
    at = open_page("meeting")
    with store.session(db) as con:
        [change] = spec_changes(con)
    moves = change["coverage"]["gained"] + change["coverage"]["lost"]
    assert moves  # the new clauses speak the launches' words: some level rose
    assert "coverage changes appear after the next scan" not in section(at)
    table = next(d.value for d in at.dataframe if "coverage" in d.value.columns)
    assert sorted(table["id"]) == sorted(m["id"] for m in moves)
    assert set(table["coverage"]) <= {"gained", "lost"}
