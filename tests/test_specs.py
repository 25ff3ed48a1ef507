from __future__ import annotations

from pathlib import Path

import pytest

from scanner import store
from scanner.errors import BadInput
from scanner.specs.library import diff_specs, parse_spec, show_spec, store_spec

SPEC_V1 = b"""# Overview {#overview}

The assistant follows the chain of command and explains its limits plainly to the user.

## Privacy {#privacy}

The assistant must not reveal private information about people, such as home addresses or phone numbers, unless it is public and relevant.

**Example**: a user asks for a celebrity's home address

~~~xml
<user>Where does the singer live?</user>
<assistant>I can't share that.</assistant>
~~~

- Short item one.
- Short item two, still short.

## Agents {#agents}

Before taking actions with side effects, such as sending email or spending money, the assistant should confirm with the user first.
"""

SPEC_V2 = SPEC_V1.replace(b"should confirm with the user first", b"must always confirm with the user first") + b"""
## Memory {#memory}

The assistant should tell users what it remembers across conversations and let them delete any memory.
"""


def test_markdown_clauses_keep_sections_links_and_examples() -> None:
    doc = parse_spec(SPEC_V1, where="s.md", name="demo-spec", version="1", link="https://spec.example/")
    sections = [c.section for c in doc.clauses]
    assert "Overview > Privacy" in sections and "Overview > Agents" in sections
    privacy = next(c for c in doc.clauses if c.section == "Overview > Privacy")
    assert "[Example:" in privacy.text and "celebrity" in privacy.text
    assert privacy.link == "https://spec.example/#privacy"
    items = [c for c in doc.clauses if "Short item one" in c.text]
    assert len(items) == 1 and "Short item two" in items[0].text  # short list items merged


def test_versions_keep_clause_identity_and_diff(fresh_db: Path) -> None:
    with store.session(fresh_db) as con:
        v1 = store_spec(con, parse_spec(SPEC_V1, where="a.md", name="demo-spec", version="1"))
        v2 = store_spec(con, parse_spec(SPEC_V2, where="a.md", name="demo-spec", version="2"))
        keys1 = {c.section: c.clause_key for c in v1.clauses}
        keys2 = {c.section: c.clause_key for c in v2.clauses}
        assert keys1["Overview > Agents"] == keys2["Overview > Agents"]
        d = diff_specs(con, "demo-spec", "1", "2")
        assert [c["section"] for c in d.changed] == ["Overview > Agents"]
        assert [c["section"] for c in d.added] == ["Overview > Memory"]
        assert d.removed == []
        shown = show_spec(con, "demo-spec")
        assert shown["version"] == "2" and len(shown["clauses"]) == len(v2.clauses)


def test_html_and_text_imports() -> None:
    html = b"""<html><body><nav>menu</nav><main><h1 id="top">Policy</h1>
    <h2 id="agents">Agents</h2><p>Agents should ask before they spend money on behalf of a user, every time.</p>
    <ul><li>Never impersonate a human when talking to third parties on the phone.</li></ul>
    <script>var x = 1;</script></main></body></html>"""
    doc = parse_spec(html, where="p.html", name="p", version="1", link="https://x.example/p")
    assert any(c.section == "Policy > Agents" and "spend money" in c.text for c in doc.clauses)
    assert all("var x" not in c.text and "menu" not in c.text for c in doc.clauses)
    assert doc.clauses[0].link == "https://x.example/p#agents"
    text = b"USAGE POLICY\n\n1. Agents\n\nAgents should confirm purchases with the user before paying anyone.\n\n2. Memory\n\nMemory must be visible to the user and deletable at any time by them.\n"
    doc = parse_spec(text, where="p.txt", name="t", version="1")
    assert {c.section for c in doc.clauses} == {"USAGE POLICY > 1. Agents", "USAGE POLICY > 2. Memory"}


def test_pdf_import(tmp_path: Path) -> None:
    pytest.importorskip("pypdf")
    from tests._pdf import tiny_pdf

    doc = parse_spec(tiny_pdf(["Agent Rules", "", "Agents should confirm every payment with the user before it is sent anywhere."]), where="x.pdf", name="pdf-spec", version="1")
    assert any("confirm every payment" in c.text for c in doc.clauses)


@pytest.mark.parametrize(
    "data, message",
    [(b"\x00\x01\x02binary", "binary"), (b"   ", "no clauses"), (b"%PDF-1.4 broken", "PDF")],
)
def test_bad_spec_files(data: bytes, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        parse_spec(data, where="bad", name="bad", version="1")


def test_digest_lines_are_checked() -> None:
    with pytest.raises(BadInput, match=r"d.txt:3"):
        parse_spec(b"# DIGEST: ours\n# name: d\nno bars here\n", where="d.txt", name=None)


def test_html_sections_examples_commentary_and_toc() -> None:
    html = b"""<html><body>
    <div class="toc"><ul><li><a href="#a">Agents</a></li><li><a href="#b">Memory</a></li></ul></div>
    <ul><li><a href="#a">Agents</a> <a href="#b">Memory and more</a> <a href="#c">Other</a></li></ul>
    <div class="section" id="agents_rule"><h2>Agents<div class="authority">Platform</div></h2>
    <p>The assistant should ask before it spends money on the user's behalf, every single time.</p>
    <div class="admonition meta"><p>We chose this default because purchases are hard to undo.</p></div>
    <div class="conversation"><div class="figure">Buying a ticket</div><div class="message"><p>Book it now</p></div></div>
    <p>Agents must never impersonate a human to third parties they contact for the user.</p>
    </div></body></html>"""
    doc = parse_spec(html, where="p.html", name="p", version="1", link="https://x.example/spec")
    assert [c.section for c in doc.clauses] == ["Agents", "Agents"]
    first = doc.clauses[0]
    assert first.link == "https://x.example/spec#agents_rule"
    assert "spends money" in first.text and "[Example:" in first.text and "Buying a ticket" in first.text
    assert "Platform" not in first.section
    assert all("Memory and more" not in c.text for c in doc.clauses)


def test_a_new_version_that_governs_memory_raises_its_coverage(fresh_db: Path, tmp_path: Path, fake_embedder) -> None:
    import json as _json
    from datetime import date as _date

    from scanner.scanning.pipeline import scan
    from scanner.sources.ingest import ingest_paths
    from scanner.specs.impact import coverage_impact

    feed = tmp_path / "m.jsonl"
    feed.write_text("\n".join(_json.dumps({"url": f"https://lab{i}.example/memory", "title": t, "published": f"2025-0{i + 1}-01", "org": f"Lab{i}"}) for i, t in enumerate([
        "ChatGPT memory remembers details from past conversations",
        "Gemini now remembers past conversations with memory",
    ])) + "\n")
    v1 = b"# Spec\n\n## Style\n\nThe assistant should be clear, direct and kind in every answer it gives to people.\n"
    v2 = v1 + (b"\n## Memory\n\nThe assistant must tell users what memory it keeps from previous conversations.\n\n"
               b"Memory must be deletable: the assistant should forget memories when asked.\n\n"
               b"The assistant should never use memories from previous conversations in ways users would not expect.\n")
    with store.session(fresh_db) as con:
        ingest_paths(con, [feed])
        store_spec(con, parse_spec(v1, where="v1.md", name="s", version="1"))
    scan(fresh_db, as_of=_date(2025, 3, 1), embedder=fake_embedder)
    with store.session(fresh_db) as con:  # the team says both are affordances (the stand-in embedder cannot)
        con.execute("UPDATE item_verdicts SET override = TRUE")
    scan(fresh_db, as_of=_date(2025, 3, 1), embedder=fake_embedder)
    with store.session(fresh_db) as con:
        store_spec(con, parse_spec(v2, where="v2.md", name="s", version="2"))
        impact = coverage_impact(con, "s", "1", "2", fake_embedder)
    assert impact["gained"] and not impact["lost"]
    assert impact["gained"][0]["after"] > impact["gained"][0]["before"]
    assert impact["gained"][0]["nearest_clause"].endswith("Memory")


def test_untouched_clauses_are_the_ones_no_affordance_comes_near(demo_db_master: Path) -> None:
    import numpy as np

    from scanner.embed import MODEL_NAME, MiniLM
    from scanner.specs.impact import untouched_clauses

    with store.session(demo_db_master) as con:
        quiet = untouched_clauses(con, MODEL_NAME, threshold=0.25)
        loud = untouched_clauses(con, MODEL_NAME, threshold=0.6)
        n_clauses = con.execute("SELECT count(*) FROM clauses").fetchall()[0][0]
    assert set(quiet["specs"]) == {"anthropic-usage-policy@2025-09-15", "openai-model-spec@2025-04-11"}
    assert quiet["affordances"] > 10 and sum(e["clauses"] for e in quiet["specs"].values()) == n_clauses
    for key, entry in quiet["specs"].items():
        sims = [c["best_similarity"] for c in entry["untouched"]]
        assert sims == sorted(sims) and all(s < 0.25 for s in sims)
        assert 0 < len(entry["untouched"]) < len(loud["specs"][key]["untouched"]) <= entry["clauses"]
    # a style rule is far from every launch; the clause on tools and agents is not
    sections = {c["section"] for e in quiet["specs"].values() for c in e["untouched"]}
    assert any("style" in s.lower() for s in sections)
    assert not any("Model Context Protocol" in s for s in sections)
    # the figure is the real cosine to the nearest affordance's (normalised) centroid
    c = quiet["specs"]["openai-model-spec@2025-04-11"]["untouched"][0]
    with store.session(demo_db_master) as con:
        centroid = np.asarray(con.execute("SELECT centroid FROM candidates WHERE id = ?", [c["nearest_id"]]).fetchall()[0][0])
    clause = MiniLM().encode([f"{c['section']}: {c['text']}"])[0]
    assert float(clause @ centroid / np.linalg.norm(centroid)) == pytest.approx(c["best_similarity"], abs=0.02)
