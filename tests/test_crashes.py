"""Crashes (issue #7): `kill -9` in the middle of `fetch`, `scan` and `specs add`, at several
moments each (timed from the command's own progress lines, or from its start).

After every kill: the database opens, it is consistent (no half-written edition: every
``editions`` row has all its ``edition_candidates``; a spec version has all its clauses or is
absent; a source's items are all there or none), and the next run completes. At the end the
result equals an uninterrupted run's: the same candidate ids, ranks and scores, the same items,
the same clauses.

The fast stand-in embedder (``WETCEMENT_EMBEDDER=hashing``) keeps these runs short; the real
model is exercised by the race in test_reliability.py.
"""

from __future__ import annotations

import contextlib
import random
import shutil
import subprocess
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from scanner import store
from tests.test_reliability import (
    REPO,
    FeedServer,
    Lines,
    add_spec,
    cli,
    cli_cmd,
    cli_env,
    ingest_rows,
    problems,
    rss,
    synthetic_items,
)


def kill_9(cmd: list[str], env: dict[str, str], *, after: str | None, delay: float) -> bool:
    """Start ``cmd``, wait for a progress line containing ``after`` (or for its start), then
    ``delay`` seconds more, then SIGKILL it. Returns whether it was still running."""
    with subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          cwd=REPO, env=env) as proc:
        lines = Lines(proc.stderr)
        if after:
            with contextlib.suppress(AssertionError):  # it ended before the line came
                lines.wait_for(after, timeout=120)
        time.sleep(delay)
        killed = proc.poll() is None
        if killed:
            proc.kill()  # SIGKILL: no cleanup, no rollback, no atexit
        proc.wait(timeout=60)
        lines.join()
    assert killed or proc.returncode == 0, lines.text()
    return killed


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with store.session(db, read_only=True) as con:
        return con.execute(sql).fetchall()


def opens_and_is_consistent(db: Path) -> None:
    with store.session(db) as con:  # opens read-write: replays the WAL, migrations are no-ops
        assert store.schema_version(con) == store.LATEST
    assert problems(db) == []


# --- scan ----------------------------------------------------------------------------------------

SCAN_RESULT = {
    "edition": "SELECT edition, candidate_id, rank, score, components, detail FROM edition_candidates",
    "editions": "SELECT edition, weights, scope, n_items, n_candidates FROM editions",
    "candidates": "SELECT id, label, capability, n_items, merged_into, centroid FROM candidates",
    "assignments": "SELECT item_id, candidate_id FROM assignments",
    "verdicts": "SELECT * FROM item_verdicts",
    "coverage": "SELECT * FROM item_coverage",
    "signals": "SELECT * FROM candidate_signals",
    "embeddings": "SELECT content_hash, model, vector FROM embeddings",
}


def scan_result(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    return {k: sorted(rows(db, sql), key=repr) for k, sql in SCAN_RESULT.items()}


def test_kill_9_during_scan_then_the_next_scan_equals_an_uninterrupted_one(
        fresh_db: Path, tmp_path: Path) -> None:
    ingest_rows(fresh_db, synthetic_items(550, seed=21, start=datetime(2025, 3, 1)), tmp_path)
    add_spec(fresh_db)
    reference = tmp_path / "reference.duckdb"
    shutil.copy(fresh_db, reference)
    scan = ["scan", "--as-of", "2025-12-01"]
    env = cli_env(WETCEMENT_DB_WAIT="60")
    done = cli(reference, *scan, env=env)  # uninterrupted, in its own process like the others
    assert done.returncode == 0, done.stderr
    expected = scan_result(reference)
    n_items = len(expected["verdicts"])
    assert expected["edition"] and n_items == 550

    victim = fresh_db
    moments = [  # (progress line, then seconds) - the scan's phases, in order
        (None, 0.25),  # starting up
        ("embedding", 0.0),  # texts read, about to embed
        ("embedded 512/", 0.0),  # one chunk committed, the next one embedding
        ("judged", 0.0),  # inside the final transaction: verdicts written, not committed
        ("coverage for", 0.0),  # later in the same transaction
    ]
    killed = 0
    for n, (after, delay) in enumerate(moments):
        hit = kill_9(cli_cmd(victim, *scan), env, after=after, delay=delay)
        killed += hit
        if n == 3:
            assert hit, "the kill just after 'judged' must land inside the final transaction"
        opens_and_is_consistent(victim)
        verdicts = rows(victim, "SELECT count(*) FROM item_verdicts")[0][0]
        editions = rows(victim, "SELECT count(*) FROM editions")[0][0]
        assert (verdicts, editions) in ((0, 0), (n_items, 1)), (after, delay, verdicts, editions)
    assert killed >= len(moments) - 1
    embedded = rows(victim, "SELECT count(*) FROM embeddings")[0][0]
    assert embedded >= 512  # committed chunks survive a crash: they are not embedded twice
    done = cli(victim, *scan, "--format", "json", env=env)
    assert done.returncode == 0, done.stderr
    opens_and_is_consistent(victim)
    assert scan_result(victim) == expected


# --- fetch ---------------------------------------------------------------------------------------

SOURCES = 4
PER_SOURCE = 80


def _feeds(server: FeedServer) -> dict[str, list[dict[str, Any]]]:
    feeds = {}
    for k in range(SOURCES):
        items = synthetic_items(PER_SOURCE, seed=40 + k, start=datetime(2025, 4, 1), tag=f"f{k}-")
        server.routes[f"/f{k}.xml"] = rss(items, f"f{k}")
        feeds[f"f{k}"] = items
    return feeds


def _add_sources(db: Path, server: FeedServer) -> None:
    from scanner.sources.registry import add_source

    with store.session(db) as con:
        for k in range(SOURCES):
            add_source(con, server.url(f"/f{k}.xml"), name=f"f{k}", kind="rss")


ITEMS = "SELECT id, url, guid, title, summary, org, source, published, date_missing, content_hash, sources FROM items"


def test_kill_9_during_fetch_then_the_next_fetch_equals_an_uninterrupted_one(tmp_path: Path) -> None:
    reference, victim = tmp_path / "reference.duckdb", tmp_path / "victim.duckdb"
    env = cli_env(WETCEMENT_ALLOW_PRIVATE_NETWORKS="1", WETCEMENT_DB_WAIT="60")
    with FeedServer(delay=0.2) as server:
        _feeds(server)
        for db in (reference, victim):
            _add_sources(db, server)
        done = cli(reference, "fetch", env=env)
        assert done.returncode == 0, done.stderr
        expected = sorted(rows(reference, ITEMS), key=repr)
        assert len(expected) == SOURCES * PER_SOURCE

        killed = 0
        moments = [(None, 0.3), ("[1/", 0.05), ("[2/", 0.25), ("[3/", 0.1)]
        for after, delay in moments:
            killed += kill_9(cli_cmd(victim, "fetch"), env, after=after, delay=delay)
            opens_and_is_consistent(victim)
            per_source = dict(rows(victim, "SELECT source, count(*) FROM items GROUP BY source"))
            assert set(per_source.values()) <= {PER_SOURCE}, per_source  # all of a source's items, or none
        assert killed >= len(moments) - 1
        done = cli(victim, "fetch", "--format", "json", env=env)
        assert done.returncode == 0, done.stderr
    opens_and_is_consistent(victim)
    assert sorted(rows(victim, ITEMS), key=repr) == expected
    states = rows(victim, "SELECT name, consecutive_failures, broken, last_error FROM sources ORDER BY name")
    assert states == [(f"f{k}", 0, False, None) for k in range(SOURCES)]


# --- specs add -----------------------------------------------------------------------------------


def _big_spec(path: Path, sections: int = 32, paragraphs: int = 40) -> Path:
    r = random.Random(5)
    words = ["assistant", "must", "should", "never", "always", "user", "developer", "data", "privacy", "consent", "payment", "agent", "memory", "browse", "voice", "camera", "screen", "tool", "action", "confirm", "refuse", "explain"]
    parts = ["# Big spec {#big}\n"]
    for s in range(sections):
        parts.append(f"\n## Section {s} {{#s{s}}}\n")
        for p in range(paragraphs):
            text = " ".join(r.choice(words) for _ in range(r.randint(20, 60)))
            parts.append(f"\n{text.capitalize()} rule {s}-{p}.\n")
    path.write_text("".join(parts), encoding="utf-8")
    return path


CLAUSES = "SELECT spec, version, clause_key, ordinal, section, text, link, content_hash FROM clauses ORDER BY ordinal"


def test_kill_9_during_specs_add_then_the_next_add_equals_an_uninterrupted_one(tmp_path: Path) -> None:
    spec = _big_spec(tmp_path / "big.md")
    reference, victim = tmp_path / "reference.duckdb", tmp_path / "victim.duckdb"
    env = cli_env(WETCEMENT_DB_WAIT="60")
    add = ["specs", "add", str(spec), "--name", "big", "--version", "2", "--link", "https://big.example/spec"]
    # version 1 is stored first, so that version 2's keys are matched against it
    old = tmp_path / "old.md"
    old.write_text(spec.read_text(encoding="utf-8").replace("rule 7-", "old rule 7-"), encoding="utf-8")
    assert cli(reference, "specs", "add", str(old), "--name", "big", "--version", "1", env=env).returncode == 0
    shutil.copy(reference, victim)
    started = time.monotonic()
    done = cli(reference, *add, env=env)
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    expected = rows(reference, CLAUSES)
    n = len([c for c in expected if c[1] == "2"])
    assert n > 1000 and len(expected) == 2 * n

    killed = 0
    committed: list[tuple[Any, ...]] | None = None
    for share in (0.12, 0.3, 0.5, 0.68, 0.85):  # of an uninterrupted run's time
        delay = share * took
        killed += kill_9(cli_cmd(victim, *add), env, after=None, delay=delay)
        opens_and_is_consistent(victim)
        stored = rows(victim, "SELECT count(*) FROM clauses WHERE version = '2'")[0][0]
        assert stored in (0, n), (delay, stored)  # all of the version, or none of it
        if stored and committed is None:  # killed after its commit: the import had completed
            committed = rows(victim, CLAUSES)
            assert committed == expected
    assert killed >= 3
    done = cli(victim, *add, env=env)
    assert done.returncode == 0, done.stderr
    opens_and_is_consistent(victim)
    assert rows(victim, CLAUSES) == expected  # after a late kill this run is a re-import (below)


def test_reimporting_a_version_keeps_its_clause_keys(tmp_path: Path) -> None:
    """The next run after a kill that landed after the commit is a re-import: it must give the
    same clauses, keys included, as the uninterrupted import."""
    from scanner.specs.library import parse_spec, store_spec

    spec = _big_spec(tmp_path / "big.md", sections=10, paragraphs=15).read_text(encoding="utf-8")
    old = spec.replace("rule 7-", "old rule 7-")
    db = tmp_path / "spec.duckdb"

    def add(text: str, version: str) -> None:
        with store.session(db) as con:
            store_spec(con, parse_spec(text.encode(), where="big.md", name="big", version=version))

    add(old, "1")
    add(spec, "2")
    first = rows(db, CLAUSES)
    add(spec, "2")  # the same file again, as the run after a late kill does
    assert rows(db, CLAUSES) == first
