"""Stated defaults: extraction with the real model, the team's own dimensions file, the stored
table, the cement state from constructed cases, its effect on the score, and the bench's scorer."""

from __future__ import annotations

import importlib.util
import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from scanner import store
from scanner.errors import BadInput
from scanner.judge.cement import cement_component, cement_state
from scanner.judge.defaults import (
    Found,
    extract,
    extract_many,
    load_dimensions,
    parse_dimensions,
    sentences,
)
from scanner.judge.rank import DEFAULT_WEIGHTS, score
from scanner.scanning.stated_defaults import Stated, extract_defaults, per_org
from scanner.ui.defaults_view import vendor_table
from scanner.views.report import candidates

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def encode():
    from scanner.embed import default_embedder

    return default_embedder().encode


def pairs(text: str, encode) -> set[tuple[str, str]]:
    return {(f.dimension, f.value) for f in extract(text, encode)}


@pytest.mark.parametrize(("text", "expected"), [
    ("Memory is on by default for every account.", ("activation", "on_by_default")),
    ("The feature is off by default; people choose to turn it on.", ("activation", "opt_in")),
    ("Users can view and delete everything the assistant remembers.", ("user_controls", "delete")),
    ("You can turn it off at any time in settings.", ("user_controls", "pause")),
    ("The agent asks for your confirmation before it makes a purchase.", ("confirmation", "asks_first")),
    ("It runs in the background and finishes the job without asking for approval.", ("confirmation", "acts_autonomously")),
    ("Every generated image carries an invisible SynthID watermark.", ("ai_disclosure", "discloses")),
    ("Business data is never used to train our models.", ("data_use", "no_training")),
    ("Conversations are deleted after 30 days.", ("data_use", "retention_limit")),
    ("Users set spending limits that the agent cannot exceed.", ("spending_limits", "limit")),
    ("The feature is only available to adults aged 18 and over.", ("age_limits", "adults_only")),
    ("Teen accounts get stronger protections and age-appropriate defaults.", ("age_limits", "teen_protections")),
    ("Every change is reviewed by a human before it is merged.", ("human_review", "human_review")),
])
def test_each_dimension_is_found_with_its_quote(text: str, expected: tuple[str, str], encode) -> None:
    found = extract(f"Acme launches a new assistant. {text}", encode)
    hit = [f for f in found if (f.dimension, f.value) == expected]
    assert hit, found
    assert hit[0].quote == text and 0 < hit[0].score <= 1


@pytest.mark.parametrize(("text", "not_expected"), [
    ("You can't turn it off.", ("user_controls", "pause")),
    ("There is no way to delete your history.", ("user_controls", "delete")),
    ("Memory is off by default.", ("activation", "on_by_default")),
    ("Waymo's fully autonomous driving now operates across Phoenix.", ("confirmation", "acts_autonomously")),
    ("Can AI agents escape their sandboxes?", ("spending_limits", "limit")),
    ("Fixed a bug where the rate limit error showed twice.", ("spending_limits", "limit")),
    ("We study whether watermarks survive paraphrasing in our paper.", ("ai_disclosure", "discloses")),
    ("Auto-review runs actions without human review.", ("human_review", "human_review")),
])
def test_negations_questions_findings_and_fixes_are_not_defaults(text: str, not_expected, encode) -> None:
    assert not_expected not in pairs(text, encode)


def test_an_exclusive_dimension_keeps_one_value_per_sentence_and_plain_news_states_none(encode) -> None:
    both = pairs("It is opt-in, and once enabled it is on by default for the whole team.", encode)
    assert len({v for d, v in both if d == "activation"}) == 1
    nothing = extract_many(["Acme raised its Series B.", "", "Version 2 is faster and cheaper."], encode)
    assert nothing == [[], [], []]


def test_sentences_split_and_long_quotes_are_cut_around_the_match(encode) -> None:
    assert sentences("One. Two! Three? four") == ["One.", "Two!", "Three? four"]
    long = ("Alongside many unrelated improvements to speed, layout, search, export, import and sharing, "
            "the new release also means that users can turn the feature off at any time from the settings page, "
            "which several customers asked for during the beta that ran through the whole of the spring and summer.")
    [found] = [f for f in extract(long, encode) if f.value == "pause"]
    assert len(found.quote) <= load_dimensions().max_quote and "turn the feature off" in found.quote


def test_a_teams_own_dimensions_file_is_read_and_bad_files_are_refused(tmp_path: Path, monkeypatch, encode) -> None:
    own = tmp_path / "own.toml"
    shipped = (ROOT / "scanner" / "judge" / "defaults.toml").read_text(encoding="utf-8")
    own.write_text(shipped + """
[[dimension]]
id = "memory_portability"
label = "Memory portability"
exclusive = false
[[dimension.value]]
id = "export"
patterns = ['\\bexport (your |their )?memor(y|ies)\\b']
prototypes = ["Users can export their memories to another assistant."]
""", encoding="utf-8")
    monkeypatch.setenv("WETCEMENT_DEFAULTS", str(own))
    dims = load_dimensions()
    assert dims.dimensions[-1].id == "memory_portability" and dims.version != parse_dimensions(shipped).version
    assert ("memory_portability", "export") in pairs("You can export your memories to any other assistant.", encode)
    with pytest.raises(BadInput, match="bad regular expression"):
        parse_dimensions('[[dimension]]\nid = "x"\n[[dimension.value]]\nid = "y"\npatterns = ["("]\nprototypes = ["p"]\n')
    with pytest.raises(BadInput, match="not valid TOML"):
        parse_dimensions("[[dimension]\n")
    monkeypatch.setenv("WETCEMENT_DEFAULTS", str(tmp_path / "missing.toml"))
    with pytest.raises(BadInput, match="cannot read"):
        load_dimensions()


def stated(org: str, dim: str, value: str, days_ago: int, now: datetime) -> Stated:
    return Stated("c", f"{org}-{dim}", org, dim, value, "quote", 0.6, None, now - timedelta(days=days_ago))


def test_cement_states_from_constructed_cases() -> None:
    now = datetime(2025, 11, 25, 23, 59)
    orgs = ["A", "B", "C", "D"]
    wet = cement_state([], orgs, now, 42)
    assert wet["state"] == "wet" and "None of its 4 organisations" in wet["why"]
    one = cement_state([stated("A", "confirmation", "asks_first", 3, now)], orgs, now, 42)
    assert one["state"] == "wet" and "Only A" in one["why"]
    differ = cement_state([stated("A", "activation", "opt_in", 3, now), stated("B", "activation", "on_by_default", 3, now)],
                          orgs, now, 42)
    assert differ["state"] == "wet"
    now_two = cement_state([stated("A", "confirmation", "asks_first", 3, now), stated("B", "confirmation", "asks_first", 10, now)],
                           orgs, now, 42)
    assert now_two["state"] == "setting" and "A and B" in now_two["why"] and "confirmation = asks_first" in now_two["why"]
    old_two = cement_state([stated("A", "data_use", "no_training", 300, now), stated("B", "data_use", "no_training", 200, now)],
                           orgs, now, 42)
    assert old_two["state"] == "setting" and "not lately" in old_two["why"]
    three = [stated(o, "user_controls", "delete", 100, now) for o in ("A", "B", "C")]
    majority = cement_state(three, orgs, now, 42)
    assert majority["state"] == "set" and "3 of 4 organisations (A, B and C)" in majority["why"]
    assert cement_state(three, [*orgs, "E", "F", "G"], now, 42)["state"] == "setting"  # 3 of 7 is no majority
    assert cement_state(three[:2], ["A", "B"], now, 42)["state"] == "setting"  # a majority of two is not set
    governed = cement_state([], orgs, now, 42, governed=True)
    assert governed["state"] == "set" and "spec" in governed["why"]
    no_org = cement_state([Stated("c", "i", None, "activation", "opt_in", "q", 0.5, None, now)] * 3, orgs, now, 42)
    assert no_org["state"] == "wet"


def test_cement_lowers_the_score_of_a_set_affordance_and_favours_setting_with_momentum() -> None:
    assert cement_component("wet", 0.0) == 1.0 and cement_component("set", 1.0) < 0.2
    assert 0.8 <= cement_component("setting", 0.0) < cement_component("setting", 0.9) <= 1.0
    parts = {k: 0.6 for k in DEFAULT_WEIGHTS}
    wet = score({**parts, "cement": cement_component("wet", 0.6)}, DEFAULT_WEIGHTS)
    setting = score({**parts, "cement": cement_component("setting", 0.6)}, DEFAULT_WEIGHTS)
    set_ = score({**parts, "cement": cement_component("set", 0.6)}, DEFAULT_WEIGHTS)
    assert wet > setting > set_ and wet - set_ > 0.05
    assert DEFAULT_WEIGHTS["cement"] > 0


def test_vendor_table_has_a_row_per_org_and_a_column_per_stated_dimension() -> None:
    now = datetime(2025, 11, 1)
    rows = per_org([stated("B", "user_controls", "view", 1, now), stated("B", "user_controls", "delete", 1, now),
                    stated("A", "confirmation", "asks_first", 1, now), stated("B", "user_controls", "view", 2, now)])
    assert len(rows) == 3  # one statement per (org, dimension, value)
    table = vendor_table([r.as_json() for r in rows])
    assert table == [
        {"org": "A", "user_controls": "", "confirmation": "asks_first"},
        {"org": "B", "user_controls": "delete, view", "confirmation": ""},
    ]


def test_the_demo_stores_defaults_and_the_top_20_carry_quotes_and_cement(demo_db: Path) -> None:
    with store.session(demo_db) as con:
        n, with_any = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE json_array_length(found) > 0) FROM item_defaults").fetchone()
        assert n > 50 and with_any > 20
        top = candidates(con)[:20]
        # idempotent: a second pass over the same items and file reads nothing
        from scanner.embed import default_embedder

        assert extract_defaults(con, default_embedder(), datetime(2100, 1, 1)) == 0
    quoted = [c for c in top if c["defaults"]]
    assert len(quoted) > len(top) // 2
    for c in quoted:
        for d in c["defaults"]:
            assert set(d) == {"org", "dimension", "value", "quote", "url", "published"}
            assert d["org"] in c["orgs"] and d["quote"]
    assert len({c["cement"]["state"] for c in top}) >= 2
    assert all(c["cement"]["why"].endswith(".") and "cement" in c["components"] for c in top)


def test_a_changed_dimensions_file_rereads_the_items(demo_db: Path, tmp_path: Path, monkeypatch) -> None:
    own = tmp_path / "own.toml"
    shutil.copy(ROOT / "scanner" / "judge" / "defaults.toml", own)
    own.write_text(own.read_text(encoding="utf-8") + "\n# the team's copy\n", encoding="utf-8")
    monkeypatch.setenv("WETCEMENT_DEFAULTS", str(own))
    from scanner.embed import default_embedder

    with store.session(demo_db) as con:
        before = con.execute("SELECT count(*) FROM item_defaults").fetchone()[0]
        assert extract_defaults(con, default_embedder(), datetime(2100, 1, 1)) == before
        versions = {v.split(":")[0] for (v,) in con.execute("SELECT version FROM item_defaults").fetchall()}
    assert versions == {load_dimensions().version}


def _bench():
    spec = importlib.util.spec_from_file_location("defaults_quality", ROOT / "bench" / "defaults_quality.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_scores_precision_and_recall_and_writes_its_report(tmp_path: Path, encode) -> None:
    bench = _bench()
    pool = [{"url": "u1", "feed": "x__feed_acme_news.xml"}, {"url": "u2", "feed": "feed_bravo.xml"}]
    labels = [{"url": "u1", "defaults": [{"dimension": "activation", "value": "opt_in", "quote": "q"},
                                         {"dimension": "data_use", "value": "no_training", "quote": "q"}]},
              {"url": "u2", "defaults": []}]
    found = [[Found("activation", "opt_in", "q", 0.9), Found("user_controls", "pause", "q", 0.5)],
             [Found("confirmation", "asks_first", "q", 0.2)]]
    result = bench.score(pool, labels, found)
    fixed = result["fixed"]
    assert (fixed["predicted"], fixed["labelled"], fixed["right"]) == (2, 2, 1)
    assert fixed["precision"] == 0.5 and fixed["recall"] == 0.5
    assert fixed["per_dimension"]["activation"]["precision"] == 1.0
    assert set(result["leave_one_publisher_out"]["cuts"]) == {"acme", "bravo"}
    assert bench.publisher("mibuhand__openai_news_feed.xml") == bench.publisher("tedzards509__feed_openai_news_product.xml")
    md, out = tmp_path / "D.md", tmp_path / "d.json"
    bench.main(["--pool", str(DATA / "defaults_pool.jsonl"), "--labels", str(DATA / "defaults_labels.jsonl"),
                "--md", str(md), "--json", str(out)], vectors=encode)
    written = json.loads(out.read_text())
    assert written["items"] == 6 and 0 <= written["fixed"]["precision"] <= 1
    assert "| dimension |" in md.read_text() and "leave one publisher out" in md.read_text()
