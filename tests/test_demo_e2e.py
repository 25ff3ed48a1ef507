"""End to end with the real model: `demo` into a temporary database, through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CANDIDATE_KEYS = {
    "id", "label", "rank", "score", "components", "weights", "explanation", "domains",
    "inertia_channels", "coverage", "nearest_clauses", "items", "n_items", "n_orgs",
    "first_seen", "last_seen", "trend", "status", "owner", "notes",
}
ITEM_KEYS = {"id", "url", "title", "source", "org", "published", "summary", "is_affordance", "coverage", "nearest_clauses", "candidate_id"}


def cli(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scanner.cli", "--db", str(db), *args],
        capture_output=True, text=True, timeout=600,
    )


def candidates(db: Path) -> list[dict]:
    out = cli("candidates", "--format", "json", db=db)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_demo_twice_gives_the_same_radar(demo_db: Path) -> None:
    first = candidates(demo_db)
    assert len(first) >= 10
    for c in first:
        assert set(c) >= CANDIDATE_KEYS
        assert 0 <= c["score"] <= 1 and 0 <= c["coverage"] <= 1
        assert c["trend"] in {"new", "up", "down", "same"}
        assert c["status"] in {"new", "watching", "drafting", "covered", "dismissed"}
        for clause in c["nearest_clauses"]:
            assert clause["section"] and clause["link"].startswith("https://")
        assert c["items"] and all(i["url"] is None or i["url"].startswith("http") for i in c["items"])
    assert [c["rank"] for c in first] == list(range(1, len(first) + 1))
    rerun = cli("demo", "--format", "json", db=demo_db)
    assert rerun.returncode == 0, rerun.stderr
    assert json.loads(rerun.stdout)["embedded"] == 0
    second = candidates(demo_db)
    assert [(c["id"], c["rank"], c["score"]) for c in second] == [(c["id"], c["rank"], c["score"]) for c in first]


def test_second_scan_embeds_nothing(demo_db: Path) -> None:
    out = cli("scan", "--as-of", "2025-11-25", "--format", "json", db=demo_db)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["embedded"] == 0 and data["new_items"] == 0
    assert set(data) >= {"edition", "new_items", "embedded", "candidates", "seconds"}


def test_items_carry_coverage_evidence(demo_db: Path) -> None:
    out = cli("items", "--format", "json", "--limit", "50", db=demo_db)
    rows = json.loads(out.stdout)
    assert len(rows) == 50 and set(rows[0]) >= ITEM_KEYS
    covered = [r for r in rows if r["coverage"] is not None]
    assert covered and all(r["nearest_clauses"][0]["section"] for r in covered)


def test_demo_has_editions_and_a_diff(demo_db: Path) -> None:
    eds = json.loads(cli("editions", "list", "--format", "json", db=demo_db).stdout)
    assert len(eds) == 3
    diff = json.loads(cli("editions", "diff", eds[0]["edition"], eds[-1]["edition"], "--format", "json", db=demo_db).stdout)
    assert set(diff) == {"from", "to", "entered", "left", "rose", "fell"}


def test_no_routine_news_in_demo_top_20(demo_db: Path) -> None:
    labels = {}
    for name in ("labels_labs.jsonl", "labels_tools.jsonl"):
        for line in (Path(__file__).resolve().parents[1] / "data" / "demo" / name).read_text().splitlines():
            row = json.loads(line)
            labels[row["url"].rstrip("/")] = row["is_affordance"]
    top = candidates(demo_db)[:20]
    routine = []
    for c in top:
        verdicts = [labels.get((i["url"] or "").rstrip("/")) for i in c["items"]]
        known = [v for v in verdicts if v is not None]
        if known and sum(known) * 2 < len(known):
            routine.append(c["label"])
    assert routine == []
