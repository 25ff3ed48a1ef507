"""The pure judging core (``scanner.judge``) on small hand-made rows and vectors, the shipped
models on real text with the real embedding model, and the stored side: versioned verdicts that
a new model re-judges, and the team's verdicts reaching the next scan."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from scanner import store
from scanner.judge.affordance import AffordanceModel, load_affordance_model
from scanner.judge.governs import GovernsModel, load_governs_model, raw_score, spec_view
from scanner.judge.team import CoverageVerdict, TeamCoverage, fit_affordance_correction
from scanner.judge.text import shape, terms, tfidf

D = 8


def unit(*xs: float) -> np.ndarray:
    v = np.zeros(D, dtype=np.float32)
    v[: len(xs)] = xs
    return v / np.linalg.norm(v)


def tiny_model(**over: object) -> AffordanceModel:
    """A hand-made model: 'launch' pushes up, 'funding' pushes down; exemplars in 8 dimensions."""
    ex = np.stack([unit(1, 0), unit(1, 0.1), unit(0, 1), unit(0.1, 1)])
    q = np.clip(np.round(ex * 127), -127, 127).astype(np.int8)
    import base64

    data = {
        "vocab": ["funding", "launch", "t:funding", "t:launch"],
        "idf": [1.0, 1.0, 1.0, 1.0],
        "w_terms": [-2.0, 2.0, -3.0, 3.0],
        "w_embedding": [0.0] * D,
        "embedding_scale": 8.0,
        "shape_mean": [0.0] * 7,
        "shape_scale": [1.0] * 7,
        "w_shape": [0.0] * 7,
        "w_knn": [1.0, -1.0],
        "knn": {"k": 1, "scale": 2.0},
        "exemplars_int8": base64.b64encode(q.tobytes()).decode(),
        "exemplar_labels": "1100",
        "intercept": 0.0,
        "platt": [1.0, 0.0],
        "threshold": 0.5,
        **over,
    }
    return AffordanceModel.from_json(data)


# --- text features ---------------------------------------------------------------------------------


def test_terms_mark_title_words_and_fold_digits() -> None:
    got = terms("Agent v2.1 launch", "It can pay 100 merchants")
    assert got["t:agent"] == 1 and got["t:launch"] == 1 and got["t2:agent_v0"] == 1
    assert got["pay"] == 1 and got["merchants"] == 1 and "t:pay" not in got


def test_tfidf_is_unit_length_over_known_terms_only() -> None:
    row = tfidf(terms("launch launch", "unknown words"), {"t:launch": 0, "unknown": 1}, [2.0, 1.0])
    assert set(row) == {0, 1}
    assert abs(sum(v * v for v in row.values()) - 1.0) < 1e-9


def test_shape_tells_a_bare_version_title_from_a_sentence() -> None:
    bare, sentence = shape("Windsurf 1.3.3", ""), shape("Memory arrives for everyone", "Long text here")
    assert bare[0] == 0.0 and bare[3] == 1.0
    assert sentence[0] == 1.0 and sentence[3] == 0.0


# --- the affordance model ------------------------------------------------------------------------


def test_words_and_neighbours_move_the_probability_the_way_their_weights_say() -> None:
    m = tiny_model()
    near_launches, near_news = unit(1, 0.05), unit(0.05, 1)
    assert m.probability("launch", "", near_launches) > m.probability("funding", "", near_launches)
    assert m.probability("launch", "", near_launches) > m.probability("launch", "", near_news)
    prob, why = m.explain("launch", "", near_launches)
    assert 0.5 < prob < 1.0 and "launch" in why and "title only" in why


def test_calibration_is_applied_to_the_logit() -> None:
    flat = tiny_model(platt=[0.0, 0.0])
    assert flat.probability("launch", "", unit(1)) == pytest.approx(0.5)


def test_vectors_of_another_embedding_model_get_the_words_and_shape_twin() -> None:
    m = load_affordance_model()
    assert m.for_embedder(m.meta["embedding_model"]) is m
    twin = m.for_embedder("hashing-test-embedder")
    assert twin is m.text_only and not twin.w_embedding.any() and not twin.w_knn.any()
    noise = np.random.default_rng(0).normal(size=384).astype(np.float32)
    assert twin.probability("Introducing memory", "", noise) == twin.probability("Introducing memory", "", -noise)


def test_the_shipped_models_load_and_name_their_version() -> None:
    from scanner.judge import judge_version

    m = load_affordance_model()
    assert len(m.vocab) > 1000 and m.exemplars.shape[1] == 384 and m.exemplar_positive.any()
    assert 0.0 < m.threshold < 1.0
    g = load_governs_model()
    assert 0.0 <= g.partly_at < g.governs_at <= 1.0
    assert judge_version().startswith("j-") and judge_version() == judge_version()


@pytest.mark.slow
def test_the_shipped_model_tells_launches_from_routine_news_with_the_real_embeddings() -> None:
    from scanner.embed import default_embedder

    m = load_affordance_model()
    launches = [
        ("Introducing agent payments", "Our assistant can now buy things for you with a saved card and asks before paying."),
        ("Memory is rolling out to all users", "The assistant now remembers your preferences across conversations."),
        ("Computer use is now available in the API", ""),
    ]
    routine = [
        ("We raised a Series C to grow the team", "Funding led by investors; new offices in London."),
        ("How a retailer cut support costs with our models", "A customer story."),
        ("Quarterly security and compliance update", ""),
    ]
    vectors = default_embedder().encode([f"{t}. {s}" if s else t for t, s in launches + routine])
    probs = [m.probability(t, s, v) for (t, s), v in zip(launches + routine, vectors, strict=True)]
    assert min(probs[:3]) > max(probs[3:])


# --- coverage -------------------------------------------------------------------------------------


def _view(texts: list[str], vectors: list[np.ndarray], sections: list[str] | None = None):
    sections = sections or [f"S{i}" for i in range(len(texts))]
    return spec_view("spec@1", range(len(texts)), sections, texts, np.stack(vectors))


def test_the_clauses_that_stand_out_are_the_evidence() -> None:
    texts = ["The assistant should ask before paying.", "Be helpful.", "Be honest.", "Be kind.", "Be brief."]
    vectors = [unit(1, 0.2), unit(0, 1), unit(0.1, 1), unit(0, 1, 0.1), unit(0, 0.9, 0.1)]
    view = _view(texts, vectors)
    score, evidence = raw_score(view, unit(1, 0.1), "agents that pay", doc_weight=0.0)
    assert evidence[0][0] == 0 and evidence[0][1] > evidence[1][1]
    assert evidence[0][3] == []  # no shared word: 'paying' is not 'pay'


def test_a_document_that_speaks_to_users_scores_lower_than_one_that_speaks_to_the_model() -> None:
    vecs = [unit(1, 0.1), unit(0, 1), unit(0.2, 1), unit(0, 1, 0.3)]
    model_doc = _view(["The assistant should confirm payments."] + ["The assistant must be honest."] * 3, vecs)
    users_doc = _view(["You agree you will not use the model to pay."] + ["Users must not deceive."] * 3, vecs)
    assert model_doc.spec_features[0] == 1.0 and users_doc.spec_features[1] == 1.0
    a, _ = raw_score(model_doc, unit(1, 0.1), "payments", doc_weight=4.0)
    b, _ = raw_score(users_doc, unit(1, 0.1), "payments", doc_weight=4.0)
    assert a > b


def test_governs_model_levels_follow_its_cuts() -> None:
    m = GovernsModel.from_json({"doc_weight": 0.0, "governed": [1.0, -3.0], "partly": [1.0, 0.0],
                                "levels": {"governs": 0.7, "partly": 0.3}})
    low, high = m.value(-5.0)[0], m.value(6.0)[0]
    assert m.level(low) == "open" and m.level(high) == "governs" and m.level(0.5) == "partly"


# --- the team ---------------------------------------------------------------------------------------


def test_team_verdicts_move_similar_items_and_leave_far_ones_alone() -> None:
    rng = np.random.default_rng(3)
    base = unit(1, 0, 0, 0, 0, 0, 0, 1)
    near = [base + rng.normal(0, 0.05, D) for _ in range(6)]
    near = [v / np.linalg.norm(v) for v in near]
    corr = fit_affordance_correction([np.pad(v, (0, 384 - D)) for v in near], [2.0] * 6, [0] * 6)
    probe_near = np.pad(near[0], (0, 384 - D))
    probe_far = np.pad(unit(0, 0, 0, 1), (0, 384 - D))
    assert corr.shift(probe_near) < -1.0
    # an unrelated item keeps (almost) only the shared base-rate shift
    assert abs(corr.shift(probe_far) - corr.bias) < 0.2 * abs(corr.shift(probe_near) - corr.bias)


def test_too_few_verdicts_fit_no_correction() -> None:
    corr = fit_affordance_correction([np.ones(384) / np.sqrt(384)] * 2, [0.0, 0.0], [1, 1])
    assert corr.n == 0 and corr.shift(np.ones(384)) == 0.0


def test_a_coverage_verdict_sets_its_pair_and_nudges_close_items() -> None:
    from scanner.judge.coverage import build_index
    from scanner.records import Clause

    clauses = [Clause("s", "1", f"k{i}", i, f"S{i}", t, None, f"h{i}") for i, t in enumerate(["The assistant should ask before paying.", "Be kind."])]
    index = build_index(clauses, np.stack([np.pad(unit(1, 0.2), (0, 384 - D)), np.pad(unit(0, 1), (0, 384 - D))]))
    v = np.pad(unit(1, 0.1), (0, 384 - D))
    team = TeamCoverage([CoverageVerdict("it-1", "s@1", "uncovered", "k1", v, 0.6)])
    value, evidence = team.adjust("s@1", "it-1", v, 0.6, [], index)
    assert value == 0.0 and evidence[0]["clause_key"] == "k1" and evidence[0]["team_verdict"] == "uncovered"
    nudged, _ = team.adjust("s@1", "it-2", v, 0.6, [], index)
    assert nudged < 0.6
    far, _ = team.adjust("s@1", "it-3", np.pad(unit(0, 0, 1), (0, 384 - D)), 0.6, [], index)
    assert far == 0.6


# --- stored verdicts: versions and the team, through real scans --------------------------------


SPEC = b"""# Mini spec

## Payments {#payments}

The assistant should confirm with the user before it pays for anything.

## Privacy {#privacy}

The assistant must not reveal personal data about private people.
"""


@pytest.fixture
def scanned(fresh_db: Path, tmp_path: Path, fake_embedder) -> Path:
    from scanner.scanning import pipeline
    from scanner.sources.ingest import ingest_paths
    from scanner.specs.library import parse_spec, store_spec

    rows = [
        ("ChatGPT now remembers your past conversations with memory", "2025-01-06"),
        ("Agents can now pay with saved cards", "2025-01-13"),
        ("Acme raises Series B funding", "2025-01-20"),
        ("Join our annual developer conference", "2025-01-27"),
        ("Memory for agents: remember past chats", "2025-02-03"),
    ]
    feed = tmp_path / "f.jsonl"
    feed.write_text("\n".join(json.dumps({"url": f"https://x.example/{n}", "title": t, "published": d, "summary": "", "org": "X"}) for n, (t, d) in enumerate(rows)) + "\n")
    with store.session(fresh_db) as con:
        ingest_paths(con, [feed])
        store_spec(con, parse_spec(SPEC, where="s.md", name="mini", version="1"))
    pipeline.scan(fresh_db, as_of=__import__("datetime").date(2025, 3, 1), embedder=fake_embedder)
    return fresh_db


def test_items_json_carries_confidence_and_judge_version(scanned: Path) -> None:
    from scanner.judge import judge_version
    from scanner.views import report

    with store.session(scanned) as con:
        rows = report.items(con)
    # the stand-in embedder's vectors mean nothing to the model: its words-and-shape twin judged
    assert rows and all(r["judge_version"] == judge_version() + "-text" for r in rows)
    assert all(0.0 <= r["affordance_confidence"] <= 1.0 for r in rows)


def test_a_new_model_re_judges_the_stored_items(scanned: Path, fake_embedder, monkeypatch, tmp_path: Path) -> None:
    from datetime import date

    from scanner.judge.affordance import model_path
    from scanner.judge.version import clear_caches
    from scanner.scanning import pipeline

    with store.session(scanned) as con:
        before = dict(con.execute("SELECT item_id, confidence FROM item_verdicts").fetchall())
        old_version = con.execute("SELECT judge_version FROM editions").fetchone()[0]
    refit = tmp_path / "models"
    refit.mkdir()
    for name in ("affordance.json", "governs.json"):
        data = json.loads(model_path(name).read_text())
        if name == "affordance.json":
            data["intercept"] += 3.0  # a different model: every item looks likelier
            data["text_only"]["intercept"] += 3.0
        (refit / name).write_text(json.dumps(data))
    monkeypatch.setenv("WETCEMENT_JUDGE_MODELS", str(refit))
    clear_caches()
    try:
        result = pipeline.scan(scanned, as_of=date(2025, 3, 1), embedder=fake_embedder)
        from scanner.judge import judge_version

        new_version = judge_version()
    finally:
        monkeypatch.delenv("WETCEMENT_JUDGE_MODELS")
        clear_caches()
    with store.session(scanned) as con:
        after = dict(con.execute("SELECT item_id, confidence FROM item_verdicts").fetchall())
        versions = {r[0] for r in con.execute("SELECT DISTINCT judge_version FROM item_verdicts").fetchall()}
        cov = {r[0] for r in con.execute("SELECT DISTINCT judge_version FROM item_coverage").fetchall()}
        edition = con.execute("SELECT judge_version FROM editions").fetchone()[0]
    assert new_version + "-text" != old_version
    assert versions == cov == {new_version + "-text"} and edition == new_version + "-text"
    assert set(after) == set(before) and all(after[i] > before[i] for i in before)
    assert result.new_items == 0  # re-judged, not new


def test_the_teams_overrides_shift_the_next_scans_confidence(scanned: Path, fake_embedder) -> None:
    from datetime import date

    from scanner.scanning import pipeline

    with store.session(scanned) as con:
        rows = con.execute("SELECT i.id, i.title, v.confidence FROM items i JOIN item_verdicts v ON v.item_id = i.id ORDER BY i.id").fetchall()
        memory = [r for r in rows if "emember" in r[1]]
        others = [r for r in rows if "emember" not in r[1]]
        for iid, _, _ in others:
            con.execute("UPDATE item_verdicts SET override = FALSE WHERE item_id = ?", [iid])
    pipeline.scan(scanned, as_of=date(2025, 3, 1), embedder=fake_embedder)
    with store.session(scanned) as con:
        after = dict(con.execute("SELECT item_id, confidence FROM item_verdicts").fetchall())
        reasons = dict(con.execute("SELECT item_id, reasons FROM item_verdicts").fetchall())
    moved = [after[iid] - conf for iid, _, conf in memory]
    assert all(m < 0 for m in moved), moved  # three 'no' verdicts pull every unjudged item down
    assert all("team's verdicts" in reasons[iid] for iid, _, _ in memory)


def test_judge_cli_sets_a_coverage_verdict_that_the_next_scan_uses(scanned: Path) -> None:
    from scanner.cli import main as cli

    with store.session(scanned) as con:
        iid = con.execute("SELECT id FROM items WHERE title LIKE 'Agents can now pay%'").fetchone()[0]
        key = con.execute("SELECT clause_key FROM clauses WHERE section LIKE '%Privacy%'").fetchone()[0]
    env_db = ["--db", str(scanned)]
    assert cli([*env_db, "judge", iid, "--spec", "mini", "--coverage", "covered", "--clause", key, "--format", "json"]) == 0
    import os

    os.environ["WETCEMENT_EMBEDDER"] = "hashing"
    try:
        from scanner.embed import default_embedder

        default_embedder.cache_clear()
        assert cli([*env_db, "scan", "--as-of", "2025-03-01", "--format", "json"]) == 0
        with store.session(scanned) as con:
            from scanner.views import report

            item = next(r for r in report.items(con) if r["id"] == iid)
    finally:
        del os.environ["WETCEMENT_EMBEDDER"]
        default_embedder.cache_clear()
    assert item["coverage"] == 1.0
    assert item["nearest_clauses"][0]["clause_key"] == key and item["nearest_clauses"][0]["team_verdict"] == "covered"


@pytest.mark.parametrize(
    "args, message",
    [
        (["judge", "nope", "--spec", "mini", "--coverage", "covered"], "no item"),
        (["judge", "ITEM", "--spec", "other", "--coverage", "covered"], "unknown spec"),
        (["judge", "ITEM", "--spec", "mini", "--coverage", "covered", "--clause", "zzz"], "no such clause"),
    ],
)
def test_judge_cli_refuses_bad_input_in_one_line_and_writes_nothing(scanned: Path, args: list[str], message: str) -> None:
    with store.session(scanned) as con:
        iid = con.execute("SELECT min(id) FROM items").fetchone()[0]
    args = [iid if a == "ITEM" else a for a in args]
    done = subprocess.run([sys.executable, "-m", "scanner.cli", "--db", str(scanned), *args], capture_output=True, text=True)
    assert done.returncode == 2 and message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    with store.session(scanned) as con:
        assert con.execute("SELECT count(*) FROM coverage_verdicts").fetchone()[0] == 0
