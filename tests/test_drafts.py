"""The draft-clause check (`scanner.team.drafts`) on the demo, with the real model, and on the page."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from scanner import store
from scanner.embed import default_embedder
from scanner.errors import BadInput
from scanner.judge.coverage import governs_at
from scanner.scanning.prototypes import text_hash as _hash
from scanner.store.vectors import embed_missing, load_vectors
from scanner.team import triage
from scanner.team.drafts import DUPLICATE, check_draft, check_latest_draft, draft_scope
from scanner.views.report import candidates

APP = str(Path(__file__).resolve().parents[1] / "app.py")

MEMORY_DRAFT = (
    "The assistant should ask before it saves a memory from a conversation, must tell the user what it "
    "remembers across conversations, and must delete memories when the user asks."
)
# our rewording of the demo model spec's clause on the preset voice
VOICE_PARAPHRASE = (
    "When it speaks, the assistant should only use the voice preset that the user or the developer picked, "
    "changing tone, pace or phrasing only in ways a human voice could."
)
UNRELATED_DRAFT = "The assistant should answer questions about the weather politely and briefly."


@pytest.fixture(scope="module")
def demo(demo_db_master: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the demo for the checks that only read (they cache embeddings, nothing else)."""
    copy = tmp_path_factory.mktemp("drafts") / "demo.duckdb"
    shutil.copy(demo_db_master, copy)
    return copy


@pytest.fixture(scope="module")
def memory(demo: Path) -> dict:
    """The demo's memory affordance, as the latest edition ranks it."""
    with store.session(demo) as con:
        rows = candidates(con, with_items=False)
    return next(r for r in rows if r["capability"] == "persistent-memory")


def test_a_draft_that_governs_the_capability_raises_its_coverage(demo: Path, memory: dict) -> None:
    model = default_embedder()  # the real MiniLM: the demo was scanned with it
    with store.session(demo) as con:
        governs = check_draft(con, memory["id"], MEMORY_DRAFT, model)
        unrelated = check_draft(con, memory["id"], UNRELATED_DRAFT, model)
    cov = governs["coverage"]
    # "now" is the scan's own number for this affordance: same code, same inputs
    assert cov["now"] == pytest.approx(memory["coverage"], abs=1e-3)
    assert cov["per_spec"].keys() == memory["coverage_per_spec"].keys()
    assert cov["level_now"] != "governs"  # the demo's specs speak of memory only in passing
    assert cov["if_adopted"] > cov["now"]
    assert cov["level_if_adopted"] == ("governs" if cov["if_adopted"] >= governs_at() else "partly")
    assert cov["gap_change"] == pytest.approx(cov["now"] - cov["if_adopted"], abs=1e-3) and cov["gap_change"] < 0
    assert cov["adopted_by"] in cov["per_spec"]
    assert all(v["draft_governs"] for v in cov["per_spec"].values())
    assert governs["draft"]["directive"] and "memory" in governs["draft"]["capability_terms"]
    assert cov["score"]["if_adopted"] < cov["score"]["now"]
    assert cov["score"]["rank_if_adopted"] >= cov["score"]["rank_now"] == memory["rank"]

    other = unrelated["coverage"]
    assert other["now"] == cov["now"]
    assert other["change"] < cov["change"] / 4  # an unrelated clause barely moves the spec's background
    assert not any(v["draft_governs"] for v in other["per_spec"].values())
    assert unrelated["draft"]["capability_terms"] == []


def test_a_copied_clause_is_flagged_and_related_clauses_are_not(demo: Path, memory: dict) -> None:
    model = default_embedder()
    with store.session(demo) as con:
        section, text = con.execute(
            "SELECT section, text FROM clauses WHERE spec = 'openai-model-spec' AND section LIKE '%mental health%' "
            "ORDER BY ordinal LIMIT 1"
        ).fetchone()
        copied = check_draft(con, memory["id"], text, model)
        pasted = check_draft(con, memory["id"], f"{MEMORY_DRAFT} {text}", model)  # one sentence of several
        reworded = check_draft(con, memory["id"], VOICE_PARAPHRASE, model)
        fresh = check_draft(con, memory["id"], MEMORY_DRAFT, model)
        # the threshold's other side: no two distinct demo clauses are that close to each other
        texts = sorted({r[0] for r in con.execute("SELECT text FROM clauses").fetchall()})
        embed_missing(con, model, {_hash(t): t for t in texts})  # the check embeds only the likely ones
        words = load_vectors(con, [_hash(t) for t in texts], model.name)
    assert copied["duplicates"][0]["text"] == text
    assert copied["duplicates"][0]["section"] == section
    assert copied["duplicates"][0]["similarity"] > 0.99
    assert pasted["duplicates"][0]["text"] == text and pasted["duplicates"][0]["draft_sentence"] == text
    assert [d["section"] for d in reworded["duplicates"]] == ["Stay in bounds > Always use the preset voice"]
    assert fresh["duplicates"] == []
    assert np.all(np.linalg.norm(words, axis=1) > 0.99)
    sims = words @ words.T
    np.fill_diagonal(sims, 0.0)
    assert sims.max() < DUPLICATE


def test_nearest_clauses_come_back_per_spec_with_sections(demo: Path, memory: dict) -> None:
    with store.session(demo) as con:
        result = check_draft(con, memory["id"], MEMORY_DRAFT, default_embedder())
        scope = [f"{n}@{v}" for n, v in draft_scope(con)]
    assert result["scope"] == scope and len(scope) == 2
    assert list(result["nearest"]) == scope
    for spec, clauses in result["nearest"].items():
        assert 1 <= len(clauses) <= 3
        assert all(f"{c['spec']}@{c['version']}" == spec and c["section"] and c["text"] for c in clauses)
        assert all(c["link"] is None or c["link"].startswith("https://") for c in clauses)
        sims = [c["similarity"] for c in clauses]
        assert sims == sorted(sims, reverse=True)


def test_the_check_writes_no_clause_and_changes_no_score(demo_db: Path, fake_embedder) -> None:
    tables = ["specs", "clauses", "candidates", "editions", "edition_candidates", "item_coverage",
              "candidate_signals", "drafts"]

    def snapshot(con) -> dict:
        return {t: con.execute(f"SELECT count(*), sum(hash(COLUMNS(*))) FROM {t}").fetchall() for t in tables}

    with store.session(demo_db) as con:
        cid = candidates(con, with_items=False)[0]["id"]
        before = snapshot(con)
        result = check_draft(con, cid, "The assistant must ask before it pays for anything.", fake_embedder)
        after = snapshot(con)
        cached = con.execute("SELECT count(*) FROM embeddings WHERE model = ?", [fake_embedder.name]).fetchone()[0]
    assert result["coverage"] is not None
    assert before == after
    assert cached > 0  # only the embedding cache grew


def test_empty_drafts_unknown_affordances_and_no_scope(demo_db: Path, fake_embedder) -> None:
    with store.session(demo_db) as con:
        cid = candidates(con, with_items=False)[0]["id"]
        for empty in ("", "   \n\t "):
            with pytest.raises(BadInput, match="empty"):
                check_draft(con, cid, empty, fake_embedder)
        with pytest.raises(BadInput, match="no affordance"):
            check_draft(con, "aff-nope", MEMORY_DRAFT, fake_embedder)
        assert check_latest_draft(con, cid, fake_embedder) is None  # nothing saved yet
        triage.save_draft(con, cid, MEMORY_DRAFT)
        assert check_latest_draft(con, cid, fake_embedder)["version"] == 1
        con.execute("UPDATE editions SET scope = '[]'")
        nothing = check_draft(con, cid, MEMORY_DRAFT, fake_embedder)
    assert nothing["coverage"] is None and nothing["nearest"] == {}
    assert "No spec is in scope" in nothing["note"]


def test_the_candidate_page_shows_the_check_of_the_latest_draft(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WETCEMENT_DB", str(demo_db))
    with store.session(demo_db) as con:
        cid = next(r["id"] for r in candidates(con, with_items=False) if r["capability"] == "persistent-memory")
        triage.save_draft(con, cid, UNRELATED_DRAFT, author="Ada")
        triage.save_draft(con, cid, MEMORY_DRAFT, author="Ada")
        expected = check_draft(con, cid, MEMORY_DRAFT, default_embedder())["coverage"]
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["id"] = cid
    at.run()
    at.switch_page("scanner/ui/pages/candidate.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [m for m in at.metric if m.label == "Coverage if adopted"]  # only on request
    at.button(key="draft_check").click().run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Coverage now"] == f"{expected['now']:.2f} · {expected['level_now']}"
    assert metrics["Coverage if adopted"] == f"{expected['if_adopted']:.2f} · {expected['level_if_adopted']}"
    assert metrics["Gap if adopted"] == f"{expected['gap_if_adopted']:.2f}"
    gap = next(m for m in at.metric if m.label == "Gap if adopted")
    assert gap.delta == f"{expected['gap_change']:+.2f}" and gap.delta.startswith("-")  # the gap shrinks
    body = "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption])
    assert "Check of version 2" in body
    assert f"{expected['now']:.2f} ({expected['level_now']}) → {expected['if_adopted']:.2f} ({expected['level_if_adopted']})" in body
    assert "The assistant should" in body  # the one sentence on what raises coverage
    table = next(d.value for d in at.dataframe if "draft governs" in d.value.columns)
    assert set(table["spec"]) == set(expected["per_spec"])
    assert not at.warning  # no duplicate for this draft


def test_the_command_line_checks_a_text_or_the_latest_draft(
    demo: Path, memory: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    from scanner.cli import main

    assert main(["--db", str(demo), "draft", "check", memory["id"], "--text", MEMORY_DRAFT, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["coverage"]["if_adopted"] > data["coverage"]["now"]
    assert main(["--db", str(demo), "draft", "check", memory["id"]]) == 2  # nothing saved on this copy
    assert "no saved draft" in capsys.readouterr().err


def test_a_long_spec_costs_the_likely_clauses_only(demo_db: Path) -> None:
    """The first check embeds the bare words of the clauses nearest the draft, not of every
    clause: a 300-page spec would otherwise cost thousands of texts on the first click."""
    from scanner.team import drafts

    model = default_embedder()
    with store.session(demo_db) as con:
        cid = candidates(con, with_items=False)[0]["id"]
        n_clauses = con.execute("SELECT count(*) FROM clauses").fetchall()[0][0]
        before = con.execute("SELECT count(*) FROM embeddings").fetchall()[0][0]
        drafts.check_draft(con, cid, "The assistant should confirm the amount before an agent pays.", model)
        added = con.execute("SELECT count(*) FROM embeddings").fetchall()[0][0] - before
    assert 0 < added <= 2 + drafts.PREFILTER * 2 < n_clauses  # the draft, its clause form, 40 per spec
