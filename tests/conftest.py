"""Shared fixtures: every test gets fresh state in its own temporary directory."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("WETCEMENT_DB_WAIT", "20")

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def fresh_db(tmp_path: Path) -> Path:
    """A path for a brand-new database file."""
    return tmp_path / "wetcement.duckdb"


@pytest.fixture
def fake_embedder():
    """Fast stand-in for unit tests of grouping and ranking (never the only test of a path)."""
    from scanner.embed import HashingEmbedder

    return HashingEmbedder()


@pytest.fixture(scope="session")
def demo_db_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled demo, loaded once with the real model."""
    from scanner.demo import load_demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    load_demo(path)
    return path


@pytest.fixture
def demo_db(demo_db_master: Path, tmp_path: Path) -> Iterator[Path]:
    """A private copy of the demo database that a test may write to."""
    copy = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_master, copy)
    yield copy


@pytest.fixture
def db(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """For the dashboard tests (tests/ui_app.py): a private copy of the demo, named by
    $WETCEMENT_DB as `serve` does, with no access mode set (anyone may write)."""
    monkeypatch.setenv("WETCEMENT_DB", str(demo_db))
    for name in ("WETCEMENT_READ_ONLY", "WETCEMENT_AUTH", "WETCEMENT_AUTH_HEADER"):
        monkeypatch.delenv(name, raising=False)
    return demo_db
