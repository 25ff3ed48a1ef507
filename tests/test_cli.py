"""The command line: bad input exits 2 with one clear line and writes nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def cli(*args: str, db: Path | None = None) -> subprocess.CompletedProcess[str]:
    base = [sys.executable, "-m", "scanner.cli"] + (["--db", str(db)] if db else [])
    return subprocess.run(base + list(args), capture_output=True, text=True, timeout=300)


def one_line(err: str) -> str:
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


def test_init_prints_the_schema_version(fresh_db: Path) -> None:
    out = cli("init", "--format", "json", db=fresh_db)
    assert out.returncode == 0
    assert json.loads(out.stdout)["schema_version"] >= 4


def test_db_option_after_the_command(fresh_db: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "scanner.cli", "init", "--db", str(fresh_db)], capture_output=True, text=True)
    assert out.returncode == 0 and fresh_db.exists()


@pytest.mark.parametrize(
    "args, needle",
    [
        (["ingest", "/nonexistent/feed.xml"], "no such file"),
        (["specs", "add", "/nonexistent.md", "--name", "x"], "no such file"),
        (["specs", "add", "README.md", "--name", "Bad Name!"], "spec name"),
        (["specs", "show", "nothing"], "no spec named"),
        (["scan", "--as-of", "last tuesday"], "YYYY-MM-DD"),
        (["candidates", "--edition", "2020-01-01"], "no edition"),
        (["triage", "aff-none", "--status", "watching"], "no affordance"),
        (["weights", "gap=lots"], "not a number"),
        (["frobnicate"], "invalid choice"),
        (["scan", "--specs", "nope"], "unknown spec"),
    ],
)
def test_bad_input_exits_2_with_one_line(fresh_db: Path, args: list[str], needle: str) -> None:
    out = cli(*args, db=fresh_db)
    assert out.returncode == 2, out.stderr
    assert needle in one_line(out.stderr)
    assert out.stdout == ""


def test_binary_and_empty_files_are_refused_and_nothing_is_written(fresh_db: Path, tmp_path: Path) -> None:
    binary = tmp_path / "x.xml"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    empty = tmp_path / "e.xml"
    empty.write_bytes(b"")
    good = tmp_path / "g.jsonl"
    good.write_text(json.dumps({"title": "t", "published": "2025-01-01", "url": "https://a.example/"}) + "\n")
    for bad in (binary, empty):
        out = cli("ingest", str(good), str(bad), db=fresh_db)
        assert out.returncode == 2 and str(bad) in one_line(out.stderr)
    out = cli("items", "--format", "json", db=fresh_db)
    assert json.loads(out.stdout) == []


def test_corrupt_database_hints_at_restore(tmp_path: Path) -> None:
    db = tmp_path / "broken.duckdb"
    db.write_bytes(b"garbage" * 5000)
    out = cli("candidates", db=db)
    assert out.returncode == 2 and "restore" in one_line(out.stderr)


def test_ingest_then_list(fresh_db: Path) -> None:
    feed = Path(__file__).parent / "data" / "parse" / "basic.rss.xml"
    out = cli("ingest", str(feed), "--format", "json", db=fresh_db)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["new"] == 2
    again = cli("ingest", str(feed), "--format", "json", db=fresh_db)
    assert json.loads(again.stdout) == {"new": 0, "updated": 0, "unchanged": 2, "merged_reposts": 0}


def test_help_of_every_command_and_subcommand_prints() -> None:
    """argparse formats help lazily: a stray % in one help string breaks `--help` for all."""
    import argparse
    import contextlib
    import io

    from scanner.cli import build_parser

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> list[tuple[str, ...]]:
        out = [path]
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    out += walk(sub, (*path, name))
        return out

    commands = walk(build_parser(), ())
    assert len(commands) > 20
    for path in commands:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf), pytest.raises(SystemExit) as done:
            build_parser().parse_args([*path, "--help"])
        assert done.value.code == 0, path
        assert "usage: wetcement" in buf.getvalue(), path


def test_an_unknown_embedding_backend_stops_before_anything_is_written(fresh_db: Path, tmp_path: Path) -> None:
    import os

    feed = Path(__file__).resolve().parents[1] / "data" / "demo" / "feeds"
    env = {**os.environ, "WETCEMENT_EMBED_BACKEND": "gpu-please"}
    out = subprocess.run([sys.executable, "-m", "scanner.cli", "--db", str(fresh_db), "ingest", str(next(feed.iterdir()))],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 2 and "WETCEMENT_EMBED_BACKEND" in one_line(out.stderr)
    assert not fresh_db.exists()
