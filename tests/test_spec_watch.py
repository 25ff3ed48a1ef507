"""Watched specs against a real local server: import on change, nothing when unchanged, refusals
that keep the old version, the diff, the alert's "Spec changes" section and fetch dates."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from scanner import store
from scanner.progress import Step
from scanner.scanning.pipeline import scan
from scanner.sources import http
from scanner.sources.ingest import ingest_paths
from scanner.specs import watch
from scanner.specs.changes import PENDING, coverage_moves, spec_changes
from scanner.specs.library import remove_spec
from scanner.team.alerts import alert
from tests.spec_server import V2, V3, SpecServer, spec_server
from tests.test_pipeline import LAUNCHES, write_jsonl


@pytest.fixture
def server() -> Iterator[SpecServer]:
    with spec_server() as s:
        yield s


@pytest.fixture
def allow_local(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(http.ALLOW_PRIVATE_ENV, "1")


def cli(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, http.ALLOW_PRIVATE_ENV: "1"}
    return subprocess.run([sys.executable, "-m", "scanner.cli", "--db", str(db), *args],
                          capture_output=True, text=True, env=env, timeout=300)


def ok(*args: str, db: Path) -> Any:
    done = cli(*args, "--format", "json", db=db)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def versions(db: Path, name: str = "acme") -> list[str]:
    with store.session(db) as con:
        return [v for (v,) in con.execute(
            "SELECT version FROM specs WHERE name = ? ORDER BY imported_at", [name]).fetchall()]


def test_watch_then_fetch_imports_once_and_then_asks_conditionally(server: SpecServer, fresh_db: Path) -> None:
    assert ok("specs", "watch", server.url(), "--name", "acme", db=fresh_db)["watching"] == "acme"
    first = [r for r in ok("fetch", db=fresh_db) if r["source"] == "acme"]
    today = datetime.now(UTC).date().isoformat()
    assert first[0]["status"] == "new" and first[0]["version"] == today and first[0]["clauses"] >= 3
    assert versions(fresh_db) == [today]
    assert "if-none-match" not in server.seen[0]

    again = cli("fetch", db=fresh_db)
    assert again.returncode == 0 and "spec acme: unchanged" in again.stderr
    assert server.seen[-1]["if-none-match"] == server.etag  # a conditional GET, answered 304
    assert server.seen[-1]["if-modified-since"] == "Mon, 06 Jan 2025 10:00:00 GMT"
    assert versions(fresh_db) == [today]

    server.honour_conditional = False  # the same body again, in full: the hash says unchanged
    assert [r["status"] for r in ok("fetch", db=fresh_db) if r["source"] == "acme"] == ["unchanged"]
    assert versions(fresh_db) == [today]

    listed = ok("specs", "list", db=fresh_db)
    assert [(r["name"], r["version"], r["source_url"]) for r in listed] == [("acme", today, server.url())]
    assert listed[0]["fetched_at"][:10] == today and listed[0]["imported_at"]
    text = cli("specs", "list", db=fresh_db).stdout
    assert text.splitlines()[0].split() == ["name", "version", "clauses", "digest", "title"]


def test_a_changed_file_becomes_a_new_version_that_diff_lists(server: SpecServer, fresh_db: Path) -> None:
    ok("specs", "watch", server.url(), "--name", "acme", db=fresh_db)
    ok("fetch", db=fresh_db)
    server.body = V2
    done = ok("update", db=fresh_db)
    row = next(r for r in done["fetch"] if r["source"] == "acme")
    first, second = versions(fresh_db)
    assert row["status"] == "new" and row["version"] == second == f"{first}.2"  # same day: a suffix
    assert (row["clauses_added"], row["clauses_removed"], row["clauses_changed"]) == (2, 1, 1)
    assert done["scan"]["edition"]

    d = ok("specs", "diff", "acme", first, second, db=fresh_db)
    assert sorted(c["section"].split(" > ")[-1] for c in d["added"]) == ["Memory", "Other agents"]
    assert [c["section"].split(" > ")[-1] for c in d["removed"]] == ["Persuasion"]
    assert [c["section"].split(" > ")[-1] for c in d["changed"]] == ["Privacy"]
    dates = {r["version"]: r["fetched_at"] for r in ok("specs", "list", db=fresh_db)}
    assert dates[first] <= dates[second]


def test_too_large_a_body_is_refused_and_the_old_version_kept(server: SpecServer, fresh_db: Path) -> None:
    ok("specs", "watch", server.url(), "--name", "acme", db=fresh_db)
    ok("fetch", db=fresh_db)
    server.body = V2 + b"\n" + b"x" * http.FetchLimits().max_bytes  # the feeds' default cap
    done = cli("fetch", db=fresh_db)
    assert done.returncode == 3, done.stderr  # the only source failed
    assert "spec acme: error (response is larger than the" in done.stderr
    assert len(versions(fresh_db)) == 1
    watched = ok("specs", "watched", db=fresh_db)[0]
    assert "larger than" in watched["last_error"] and watched["consecutive_failures"] == 1

    server.body = V2  # back to a sane size: the next fetch imports it and clears the error
    assert [r["status"] for r in ok("fetch", db=fresh_db)] == ["new"]
    assert ok("specs", "watched", db=fresh_db)[0]["last_error"] is None


def test_removing_every_version_makes_the_next_fetch_import_again(server: SpecServer, fresh_db: Path,
                                                                 allow_local: None) -> None:
    with store.session(fresh_db) as con:
        watch.watch_spec(con, server.url(), "acme")
    watch.fetch_watched(fresh_db)
    with store.session(fresh_db) as con:
        remove_spec(con, "acme")  # as `specs remove acme` does
    [result] = watch.fetch_watched(fresh_db)
    assert result.status == "new" and "if-none-match" not in server.seen[-1]
    assert len(versions(fresh_db)) == 1


def test_a_redirect_into_a_private_network_is_refused(server: SpecServer, fresh_db: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    real = http.resolve
    # "localhost" plays a public host; 127.0.0.1 still resolves to itself (loopback)
    monkeypatch.setattr(http, "resolve", lambda host, port: ["93.184.216.34"] if host == "localhost" else real(host, port))
    monkeypatch.delenv(http.ALLOW_PRIVATE_ENV, raising=False)
    with store.session(fresh_db) as con:
        watch.watch_spec(con, server.url(host="localhost"), "acme")
    assert [r.status for r in watch.fetch_watched(fresh_db)] == ["new"]
    server.body, server.redirect_to = V2, server.url("/moved.md")
    seen = len(server.seen)
    calls: list[Step] = []
    [result] = watch.fetch_watched(fresh_db, progress=calls.append)
    assert result.status == "error" and "loopback address 127.0.0.1" in (result.error or "")
    assert server.paths()[seen:] == ["/spec.md"]  # the second hop was never sent
    assert len(versions(fresh_db)) == 1 and [(c.done, c.total) for c in calls] == [(1, 1)]
    assert calls[0].message.startswith("spec acme: error")


def test_a_bad_name_or_url_is_one_line_and_writes_nothing(fresh_db: Path) -> None:
    for args, words in ((["ftp://x.example/s.md", "--name", "acme"], "only http and https"),
                        (["https://x.example/s.md", "--name", "Bad Name"], "spec name 'Bad Name'")):
        done = cli("specs", "watch", *args, db=fresh_db)
        assert done.returncode == 2 and words in done.stderr and len(done.stderr.splitlines()) == 1
    ok("specs", "watch", "https://x.example/s.md", "--name", "acme", db=fresh_db)
    done = cli("specs", "watch", "https://y.example/s.md", "--name", "acme", db=fresh_db)
    assert done.returncode == 2 and "watched already" in done.stderr
    assert [w["url"] for w in ok("specs", "watched", db=fresh_db)] == ["https://x.example/s.md"]


def test_one_failing_spec_never_stops_the_others(server: SpecServer, fresh_db: Path, allow_local: None) -> None:
    with store.session(fresh_db) as con:
        watch.watch_spec(con, "http://127.0.0.1:1/nobody-listens.md", "gone")
        watch.watch_spec(con, server.url(), "acme")
    results = {r.spec: r for r in watch.fetch_watched(fresh_db, limits=http.FetchLimits(retries=0))}
    assert results["gone"].status == "error" and "connection failed" in (results["gone"].error or "")
    assert results["acme"].status == "new"


def watched_and_scanned(db: Path, server: SpecServer, tmp_path: Path, embedder: Any) -> Path:
    """Launch items, the server's spec watched (as "acme") at version 1, and an edition
    (2025-03-31) that measured it; also used by tests/test_ui_spec_watch.py."""
    feed = tmp_path / "launches.jsonl"
    write_jsonl(feed, LAUNCHES, date(2025, 1, 6))
    with store.session(db) as con:
        ingest_paths(con, [feed])
        watch.watch_spec(con, server.url(), "acme")
    watch.fetch_watched(db)
    scan(db, as_of=date(2025, 3, 31), embedder=embedder)
    return db


@pytest.fixture
def scanned(server: SpecServer, fresh_db: Path, tmp_path: Path, fake_embedder: Any, allow_local: None) -> Path:
    """Launch items, a watched spec at version 1, and an edition that measured it."""
    return watched_and_scanned(fresh_db, server, tmp_path, fake_embedder)


def test_the_alert_lists_the_spec_change_and_its_coverage_moves(server: SpecServer, scanned: Path, fake_embedder: Any) -> None:
    server.body = V3
    [result] = watch.fetch_watched(scanned)
    assert result.status == "new"
    with store.session(scanned) as con:  # before the next scan: the change, its moves pending
        [pending] = spec_changes(con)
    assert pending["coverage"] == {"pending": True, "note": PENDING, "gained": [], "lost": []}
    assert (pending["added"], pending["removed"], pending["changed"]) == (4, 1, 1)

    scan(scanned, as_of=date(2025, 4, 7), embedder=fake_embedder)
    posted: list[dict[str, Any]] = []
    with store.session(scanned) as con:
        res = alert(con, "https://hooks.example/T/B/x", post=lambda url, json, timeout: posted.append(json) or _Ok())
        levels = _levels(con, "acme", pending["previous_version"], "2025-03-31"), _levels(con, "acme", result.version or "", "2025-04-07")
    [change] = res.spec_changes
    assert change["spec"] == "acme" and change["version"] == result.version
    assert change["coverage"]["pending"] is False and change["coverage"]["edition"] == "2025-04-07"
    rank = {"open": 0, "partly": 1, "governs": 2}
    expected_gained = {c for c, lv in levels[1].items() if c in levels[0] and rank[lv] > rank[levels[0][c]]}
    expected_lost = {c for c, lv in levels[1].items() if c in levels[0] and rank[lv] < rank[levels[0][c]]}
    assert expected_gained and {r["id"] for r in change["coverage"]["gained"]} == expected_gained
    assert {r["id"] for r in change["coverage"]["lost"]} == expected_lost
    text = "\n".join(b["text"]["text"] for b in posted[0]["blocks"] if b["type"] == "section")
    assert "*Spec changes*" in text and "acme" in text and "4 added, 1 removed, 1 changed clauses" in text
    gained = change["coverage"]["gained"][0]
    assert f"coverage up: {gained['label']} ({gained['before']}→{gained['after']})" in text
    assert "1 spec change" in posted[0]["text"]


def test_no_spec_change_no_section(scanned: Path, fake_embedder: Any) -> None:
    watch.fetch_watched(scanned)  # the same file: nothing imported
    scan(scanned, as_of=date(2025, 4, 7), embedder=fake_embedder)
    with store.session(scanned) as con:
        res = alert(con, "https://hooks.example/T/B/x", post=lambda *a, **k: _Ok(), post_empty=True)
    assert res.spec_changes == [] and "Spec changes" not in json.dumps(res.payload)


def test_coverage_moves_compare_levels_of_affordances_measured_under_both() -> None:
    before = {"edition": "2025-03-31", "coverage": {
        "a": {"value": 0.2, "level": "open"}, "b": {"value": 0.9, "level": "governs"},
        "c": {"value": 0.5, "level": "partly"}, "gone": {"value": 0.1, "level": "open"}}}
    after = {"edition": "2025-04-07", "coverage": {
        "a": {"value": 0.6, "level": "partly"}, "b": {"value": 0.3, "level": "open"},
        "c": {"value": 0.55, "level": "partly"}, "new": {"value": 0.9, "level": "governs"}}}
    moves = coverage_moves(before, after, {"a": "Memory", "b": "Payments"})
    assert [(r["label"], r["before"], r["after"]) for r in moves["gained"]] == [("Memory", "open", "partly")]
    assert [(r["label"], r["before"], r["after"]) for r in moves["lost"]] == [("Payments", "governs", "open")]
    assert coverage_moves(before, None, {})["pending"] is True
    assert coverage_moves(None, after, {})["gained"] == []


def _levels(con: Any, name: str, version: str, edition: str) -> dict[str, str]:
    key = f"{name}@{version}"
    out = {}
    for cid, detail in con.execute("SELECT candidate_id, detail FROM edition_candidates WHERE edition = ?", [edition]).fetchall():
        by_spec = json.loads(detail)["coverage_by_spec"]
        if key in by_spec:
            out[cid] = by_spec[key]["level"]
    return out


class _Ok:
    status_code = 200
    text = "ok"

