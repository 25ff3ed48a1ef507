"""Bad and hostile input (issue #7), end to end through the command line and the read models.

* Bad input: every command with wrong arguments, missing paths, directories given as files,
  binary and empty files: exit 2, one clear stderr line, nothing on stdout, and the database
  unchanged (every table compared row for row before and after).
* Odd feed items (megabyte titles, control characters, bidi overrides, zero-width characters)
  are stored as clean text.
* Scripts and markup in feed fields, labels and notes stay text in ``report.candidates``,
  ``report.items`` and every export; only http(s) links are ever returned or made live.
* XML entity bombs and gzip bombs are refused quickly and in bounded memory, through
  `wetcement ingest` and `wetcement fetch`.
* The private-network guard holds after redirects, through `wetcement fetch`.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import sys
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from scanner import store
from scanner.judge.rank import DEFAULT_WEIGHTS
from tests.test_reliability import (
    REPO,
    FeedServer,
    add_spec,
    cli,
    cli_cmd,
    cli_env,
    dump,
    ingest_rows,
    one_line,
    problems,
    reply,
    rss,
    run_measured,
    synthetic_items,
    write_jsonl,
)

AS_OF = date(2025, 12, 1)


def _scan(db: Path) -> None:
    from scanner.embed import HashingEmbedder
    from scanner.scanning.pipeline import scan

    scan(db, as_of=AS_OF, embedder=HashingEmbedder())


@pytest.fixture(scope="module")
def base_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small scanned store: items, a spec, a source, an edition, a note."""
    tmp = tmp_path_factory.mktemp("hostile-base")
    db = tmp / "base.duckdb"
    ingest_rows(db, synthetic_items(80, seed=5, start=datetime(2025, 9, 1)), tmp)
    add_spec(db)
    _scan(db)
    from scanner.sources.registry import add_source
    from scanner.team.triage import set_triage

    with store.session(db) as con:
        add_source(con, "https://vendor.example/feed.xml", name="vendor", kind="rss")
        cid = con.execute("SELECT candidate_id FROM edition_candidates ORDER BY rank LIMIT 1").fetchone()[0]
        set_triage(con, cid, status="watching", note="first look")
    return db


@pytest.fixture(scope="module")
def cid(base_db: Path) -> str:
    with store.session(base_db, read_only=True) as con:
        return con.execute("SELECT candidate_id FROM edition_candidates ORDER BY rank LIMIT 1").fetchone()[0]


@pytest.fixture(scope="module")
def base_dump(base_db: Path) -> dict[str, list[tuple[Any, ...]]]:
    return dump(base_db)


@pytest.fixture
def db(base_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "wetcement.duckdb"
    shutil.copy(base_db, copy)
    return copy


def main(db: Path | None, args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """`wetcement ARGS` in this process (the same code path as the console script)."""
    from scanner.cli import main as cli_main

    argv = (["--db", str(db)] if db else []) + args
    try:
        code = cli_main(argv)
    except SystemExit as exc:  # argparse
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


# --- 3. bad input: exit 2, one line, nothing written -----------------------------------------


def _files(tmp: Path) -> dict[str, Path]:
    f = {
        "missing": tmp / "nope" / "missing.xml",
        "dir": tmp / "a-directory",
        "empty": tmp / "empty.xml",
        "blank": tmp / "blank.md",
        "binary": tmp / "binary.xml",
        "binary_md": tmp / "binary.md",
        "binary_jsonl": tmp / "binary.jsonl",
        "html": tmp / "page.xml",
        "text": tmp / "notes.txt",
        "bad_jsonl": tmp / "bad.jsonl",
        "no_title": tmp / "no-title.jsonl",
        "bad_date": tmp / "bad-date.jsonl",
        "good": tmp / "good.jsonl",
        "headings": tmp / "headings.md",
        "bad_pdf": tmp / "broken.pdf",
        "huge": tmp / "huge.xml",
        "spec": tmp / "spec.md",
        "bad_digest": tmp / "bad.digest.txt",
    }
    f["dir"].mkdir(parents=True)
    f["empty"].write_bytes(b"")
    f["blank"].write_bytes(b"  \n\t\n")
    f["binary"].write_bytes(bytes(range(256)) * 40)
    f["binary_md"].write_bytes(b"\x00\x01PK\x03\x04" * 500)
    f["binary_jsonl"].write_bytes(b"\xff\xfe\xfa" * 300)
    f["html"].write_text("<!doctype html><html><body><h1>Blog</h1><p>hello</p></body></html>")
    f["text"].write_text("just some words, not a feed\n")
    good = {"title": "Agents can pay", "published": "2025-10-01", "url": "https://a.example/x"}
    f["good"].write_text(json.dumps(good) + "\n")
    f["bad_jsonl"].write_text(json.dumps(good) + "\n{not json\n")
    f["no_title"].write_text(json.dumps({"published": "2025-10-01"}) + "\n")
    f["bad_date"].write_text(json.dumps({"title": "t", "published": "last week"}) + "\n")
    f["headings"].write_text("# One\n\n## Two\n\n### Three\n")
    f["bad_pdf"].write_bytes(b"%PDF-1.7\n" + os.urandom(2000))
    with open(f["huge"], "wb") as handle:  # sparse: 101 MB on paper, nothing on disk
        handle.truncate(101_000_000)
    f["spec"].write_text("# Rules\n\nThe assistant must ask before it spends the user's money on anything at all.\n")
    f["bad_digest"].write_text("# DIGEST: x\n# name: d\nno pipes on this line\n")
    return f


BAD_ARGS: list[tuple[list[str], str]] = [
    # the parser itself
    ([], "required: command"),
    (["frobnicate"], "invalid choice"),
    (["--format", "xml", "items"], "invalid choice"),
    (["items", "--bogus"], "unrecognized arguments"),
    (["items", "--limit", "many"], "invalid int value"),
    (["candidates", "--limit", "1.5"], "invalid int value"),
    (["specs"], "required: specs_command"),
    (["specs", "frob"], "invalid choice"),
    (["editions"], "required: editions_command"),
    (["affordance"], "required: aff_command"),
    (["sources"], "required: sources_command"),
    (["sources", "add", "https://x.example/f", "--kind", "gopher"], "invalid choice"),
    (["export", "--format", "pdf", "--out", "{tmp}/x.pdf"], "invalid choice"),
    (["export", "--format", "csv"], "required: --out"),
    (["backup"], "required: path"),
    (["restore"], "required: path"),
    (["ingest"], "required: paths"),
    (["specs", "add", "{spec}"], "required: --name"),
    (["triage"], "required: id"),
    (["init", "extra"], "unrecognized arguments"),
    (["demo", "--bogus"], "unrecognized arguments"),
    (["serve", "--port", "http"], "invalid int value"),
    # ingest
    (["ingest", "{missing}"], "no such file"),
    (["ingest", "{dir}"], "is a directory"),
    (["ingest", "{empty}"], "empty"),
    (["ingest", "{binary}"], "binary"),
    (["ingest", "{binary_jsonl}"], "not UTF-8"),
    (["ingest", "{html}"], "HTML page, not a feed"),
    (["ingest", "{text}"], "not an RSS, Atom or JSON feed"),
    (["ingest", "{bad_jsonl}"], "bad.jsonl:2: not valid JSON"),
    (["ingest", "{no_title}"], "'title' is missing"),
    (["ingest", "{bad_date}"], "'published' must be an ISO 8601 date"),
    (["ingest", "{good}", "--source", "Bad Name!"], "source name"),
    (["ingest", "{good}", "{missing}"], "no such file"),
    (["ingest", "{good}", "{empty}"], "empty"),
    (["ingest", "{huge}"], "larger than 100 MB"),
    # specs
    (["specs", "add", "{missing}", "--name", "x"], "no such file"),
    (["specs", "add", "{dir}", "--name", "x"], "is a directory"),
    (["specs", "add", "{empty}", "--name", "x"], "empty"),
    (["specs", "add", "{blank}", "--name", "x"], "empty"),
    (["specs", "add", "{binary_md}", "--name", "x"], "binary"),
    (["specs", "add", "{bad_pdf}", "--name", "x"], "cannot read this PDF"),
    (["specs", "add", "{headings}", "--name", "x"], "found no clauses"),
    (["specs", "add", "{bad_digest}", "--name", "x"], "a digest line needs"),
    (["specs", "add", "{spec}", "--name", "Bad Name"], "spec name"),
    (["specs", "add", "file:///etc/passwd", "--name", "x"], "only http and https"),
    (["specs", "add", "javascript:alert(1)", "--name", "x"], "no such file"),
    (["specs", "show", "nothing"], "no spec named"),
    (["specs", "show", "openai-model-spec", "--version", "1999"], "has no version"),
    (["specs", "remove", "nothing"], "no spec named"),
    (["specs", "remove", "openai-model-spec", "--version", "1999"], "has no version"),
    (["specs", "diff", "openai-model-spec", "2025-04-11", "1999"], "has no version"),
    # scan, items, candidates, editions
    (["scan", "--as-of", "last tuesday"], "YYYY-MM-DD"),
    (["scan", "--as-of", "2025-02-30"], "YYYY-MM-DD"),
    (["scan", "--specs", "nope"], "unknown spec"),
    (["items", "--since", "soon"], "YYYY-MM-DD"),
    (["items", "--limit", "-1"], "0 or more"),
    (["candidates", "--edition", "2020-01-01"], "no edition"),
    (["candidates", "--edition", "yesterday"], "YYYY-MM-DD"),
    (["editions", "diff", "2020-01-01", "2020-01-02"], "no edition"),
    # triage and affordances
    (["triage", "aff-none", "--status", "watching"], "no affordance"),
    (["triage", "{cid}"], "needs --status, --owner or --note"),
    (["triage", "{cid}", "--status", "maybe"], "is not one of"),
    (["triage", "{cid}", "--note", "   "], "the note is empty"),
    (["triage", "{cid}", "--note", "x" * 20_001], "longer than"),
    (["affordance", "merge", "{cid}", "{cid}"], "into itself"),
    (["affordance", "merge", "{cid}", "aff-none"], "no affordance"),
    (["affordance", "split", "{cid}", "item-none"], "are not in affordance"),
    (["affordance", "move", "item-none", "{cid}"], "not in any affordance"),
    (["affordance", "label", "{cid}", "   "], "the label is empty"),
    (["affordance", "label", "aff-none", "x"], "no affordance"),
    (["weights", "gap=lots"], "not a number"),
    (["weights", "gap"], "name=value"),
    (["weights", "charm=0.5"], "unknown weight"),
    (["weights", "gap=nan"], "between 0 and 10"),
    (["weights", *(f"{k}=0" for k in DEFAULT_WEIGHTS)], "at least one weight"),
    # sources, fetch, update
    (["sources", "add", "file:///etc/passwd"], "only http and https"),
    (["sources", "add", "javascript:alert(1)"], "only http and https"),
    (["sources", "add", "data:text/html,<script>alert(1)</script>"], "only http and https"),
    (["sources", "add", "https://x.example/f", "--name", "Bad Name"], "source name"),
    (["sources", "add", "https://vendor.example/feed.xml", "--name", "vendor"], "exists already"),
    (["sources", "add", "http://exa mple.com/feed"], "whitespace"),
    (["sources", "remove", "nope"], "no source named"),
    (["sources", "enable", "nope"], "no source named"),
    (["fetch", "--source", "nope"], "unknown source"),
    (["update", "--source", "nope"], "unknown source"),
    # export, backup, restore
    (["export", "--format", "csv", "--out", "{tmp}/x.csv", "--edition", "2020-01-01"], "no edition"),
    (["export", "--format", "csv", "--out", "{tmp}/x.csv", "--status", "maybe"], "--status"),
    (["export", "--format", "csv", "--out", "{tmp}/x.csv", "--domain", "nowhere"], "--domain"),
    (["export", "--format", "html", "--out", "{dir}"], "is a directory"),
    (["backup", "{dir}"], "is a directory"),
    (["restore", "{missing}"], "no such backup"),
    (["restore", "{dir}"], "no such backup"),
    (["restore", "{empty}"], "not a readable wetcement database"),
    (["restore", "{binary}"], "not a readable wetcement database"),
]


def _fill(args: list[str], files: dict[str, Path], tmp: Path, cid: str) -> list[str]:
    names = {k: str(v) for k, v in files.items()} | {"tmp": str(tmp), "cid": cid}
    return [a.format(**names) if "{" in a and len(a) < 200 else a for a in args]


@pytest.mark.parametrize(("args", "needle"), BAD_ARGS, ids=[" ".join(a)[:60] or "(nothing)" for a, _ in BAD_ARGS])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(
        db: Path, base_dump: dict[str, Any], cid: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], args: list[str], needle: str) -> None:
    files = _files(tmp_path / "in")
    argv = _fill(args, files, tmp_path, cid)
    before = base_dump
    listing = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = main(db, argv, capsys)
    assert code == 2, (code, err)
    assert needle in one_line(err)
    assert err.startswith("wetcement: ")
    assert out == ""
    assert dump(db) == before
    # no stray output files (a scan's lock file is not output)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".scan.lock")) == listing


@pytest.mark.parametrize("args", [["items"], ["candidates"], ["init"], ["backup", "{tmp}/b.bak"]])
def test_a_directory_as_the_database_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              args: list[str]) -> None:
    folder = tmp_path / "db-folder"
    folder.mkdir()
    code, out, err = main(folder, [a.format(tmp=tmp_path) for a in args], capsys)
    assert code == 2 and out == ""
    assert "directory" in one_line(err)
    assert list(folder.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
@pytest.mark.parametrize("command", [["ingest"], ["specs", "add", "--name", "x"], ["restore"]])
def test_unreadable_files_exit_2(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 command: list[str]) -> None:
    locked = tmp_path / "locked.jsonl"
    locked.write_text('{"title": "t", "published": "2025-01-01"}\n')
    locked.chmod(0)
    before = dump(db)
    argv = command[:2] + [str(locked)] + command[2:] if command[0] == "specs" else command + [str(locked)]
    code, _, err = main(db, argv, capsys)
    assert code == 2 and "permission denied" in one_line(err).lower()
    assert dump(db) == before


def test_bad_input_through_the_real_process(db: Path, tmp_path: Path) -> None:
    """A sample through `python -m scanner.cli`: the exit code and stderr of the real process."""
    files = _files(tmp_path / "in")
    before = dump(db)
    for args, needle in [(["ingest", str(files["binary"])], "binary"),
                         (["specs", "add", str(files["dir"]), "--name", "x"], "is a directory"),
                         (["frobnicate"], "invalid choice"),
                         (["restore", str(files["text"])], "not a readable")]:
        out = cli(db, *args)
        assert out.returncode == 2 and needle in one_line(out.stderr) and out.stdout == "", out.stderr
    assert dump(db) == before


# --- 3. odd feed items are stored cleanly ----------------------------------------------------

MEGA = "Memory " + "very " * 210_000 + "long title"  # about a megabyte
CONTROLS = "".join(chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), 127, 0x85, 0x9B])
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"


def _clean(text: str) -> bool:
    return (all(unicodedata.category(ch)[0] != "C" for ch in text)
            and text == text.strip() and "  " not in text)


def test_odd_feed_items_are_stored_cleanly(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from xml.sax.saxutils import escape

    odd_titles = {
        "mega": MEGA,
        "controls": f"Agents{CONTROLS}pay with tokens",
        "invisible": f"Vo{INVISIBLE}ice mode{INVISIBLE} arrives",
        "bidi": f"Assistant reads {BIDI[4]}lanigiro{BIDI[2]} email {BIDI}now",
        "mixed": f"\u202eBrowser{CONTROLS}agent{INVISIBLE} fills {BIDI} forms\u202c",
    }
    rows = [{"url": f"https://odd.example/{k}", "title": t, "summary": t[:5000] + " summary " + CONTROLS + BIDI,
             "published": "2025-10-01", "org": f"Odd{INVISIBLE}Org{BIDI[4]}"} for k, t in odd_titles.items()]
    jsonl = write_jsonl(tmp_path / "odd.jsonl", rows)
    xml_ok = {k: t for k, t in odd_titles.items() if k != "controls"}  # XML 1.0 cannot carry C0 controls
    items = "".join(
        f"<item><title>{escape(t.replace(CONTROLS, ' ').replace(chr(0x85), ' ').replace(chr(0x9b), ' '))}</title>"
        f"<link>https://odd-rss.example/{k}</link><description>{escape(t[:3000])}</description>"
        "<pubDate>Wed, 01 Oct 2025 10:00:00 GMT</pubDate></item>"
        for k, t in xml_ok.items()
    )
    feed = tmp_path / "odd.xml"
    feed.write_text(f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>odd</title>{items}</channel></rss>',
                    encoding="utf-8")
    jfeed = tmp_path / "odd.json"
    jfeed.write_text(json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "odd",
                                 "items": [{"id": f"j{k}", "url": f"https://odd-json.example/{k}",
                                            "title": t, "content_text": CONTROLS + t[:100]}
                                           for k, t in odd_titles.items()]}))
    code, out, err = main(db, ["ingest", str(jsonl), str(feed), str(jfeed), "--format", "json"], capsys)
    assert code == 0, err
    assert json.loads(out)["new"] == len(odd_titles) * 2 + len(xml_ok)
    with store.session(db, read_only=True) as con:
        stored = con.execute("SELECT url, title, summary, org FROM items WHERE url LIKE 'https://odd%'").fetchall()
    assert len(stored) == len(odd_titles) * 2 + len(xml_ok)
    for url, title, summary, org in stored:
        assert 0 < len(title) <= 400 and len(summary) <= 4000, url
        assert _clean(title) and _clean(summary) and (org is None or _clean(org)), (url, title[:80])
    by_url = {u: t for u, t, _, _ in stored}
    assert by_url["https://odd.example/controls"] == "Agents pay with tokens"
    assert by_url["https://odd.example/invisible"] == "Voice mode arrives"
    assert by_url["https://odd.example/bidi"] == "Assistant reads lanigiro email now"
    assert by_url["https://odd.example/mega"].startswith("Memory very") and by_url["https://odd.example/mega"].endswith("…")
    assert problems(db) == []


# --- 4. hostile markup and links stay inert ------------------------------------------------

HOSTILE_RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>hostile</title><link>https://hostile.example/</link>
<item><title>Assistant now remembers past conversations &lt;script&gt;alert('rss-title')&lt;/script&gt;</title>
<link>javascript:alert('rss-link')</link><guid>h1</guid>
<description>&lt;img src=x onerror=alert('rss-desc')&gt;Memory across chats &lt;a href="javascript:alert(1)"&gt;click&lt;/a&gt;</description>
<pubDate>Mon, 03 Nov 2025 10:00:00 GMT</pubDate></item>
<item><title>Assistant now remembers your past chats &amp;lt;img src=x onerror=alert('double')&amp;gt; for everyone</title>
<link>https://hostile.example/a"onmouseover="alert('quote')</link>
<description><![CDATA[<iframe src="javascript:alert('cdata')"></iframe><b onmouseover="alert('b')">Memory</b> now remembers]]></description>
<pubDate>Tue, 04 Nov 2025 10:00:00 GMT</pubDate></item>
<item><title>=HYPERLINK("http://evil.example","Assistant now remembers past conversations")</title>
<link>  JaVaScRiPt:alert('case')</link><guid>h3</guid>
<description>+1+1 memory across conversations</description>
<pubDate>Wed, 05 Nov 2025 10:00:00 GMT</pubDate></item>
</channel></rss>"""

HOSTILE_LINKS = [
    "javascript:alert('jsonl')", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)", "file:///etc/passwd", "java\tscript:alert(1)", "//evil.example/x",
    "https://ok.example/x\"><script>alert('attr')</script>", "\x00javascript:alert(1)",
]


@pytest.fixture
def hostile_db(db: Path, tmp_path: Path) -> Path:
    from scanner.scanning.grouping import set_label
    from scanner.sources.ingest import ingest_paths
    from scanner.specs.library import parse_spec, store_spec
    from scanner.team.triage import set_triage

    feed = tmp_path / "hostile.xml"
    feed.write_bytes(HOSTILE_RSS)
    rows = [{"url": link, "title": f"<svg onload=alert('j{n}')>Assistant now remembers past conversations {n}",
             "summary": f"<iframe src=javascript:alert({n})></iframe>memory across chats {n}",
             "published": f"2025-11-{10 + n:02d}", "org": "<b>Evil</b>"} for n, link in enumerate(HOSTILE_LINKS)]
    jsonl = write_jsonl(tmp_path / "hostile.jsonl", rows)
    digest = (b"# DIGEST: hostile\n# name: hostile-spec\n# version: 1\n# link: javascript:alert('meta')\n"
              b"Memory | javascript:alert('clause') | The assistant must not remember past conversations without consent.\n"
              b"Memory > Data | data:text/html,<script>alert(2)</script> | Memory of chats must be something the user can see and delete.\n")
    with store.session(db) as con:
        ingest_paths(con, [feed, jsonl])
        store_spec(con, parse_spec(digest, where="hostile.digest.txt", name=None))
        store_spec(con, parse_spec(b"# Rules {#r}\n\nThe assistant must confirm before it remembers anything about a person.\n",
                                   where="r.md", name="md-spec", version="1", link="javascript:alert('base')"))
    _scan(db)
    with store.session(db) as con:
        top = con.execute("SELECT candidate_id FROM edition_candidates WHERE edition = ? ORDER BY rank",
                          [AS_OF]).fetchall()
        for (cid,) in top[:3]:
            set_triage(con, cid, status="watching", owner="<img src=x onerror=alert('owner')>",
                       note="<script>alert('note')</script> =cmd|' /C calc'!A0")
        set_label(con, top[0][0], "@SUM(1+1) <img src=x onerror=alert('label')> [x](javascript:alert(1))")
    return db


def _urls(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _urls(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _urls(v, key)
    elif key in ("url", "link", "evidence_link") or (isinstance(value, str) and key.endswith("_url")):
        yield key, value


def _only_http(value: Any) -> None:
    links = list(_urls(value))
    assert links
    for key, link in links:
        assert link is None or (isinstance(link, str) and link.startswith(("http://", "https://"))
                                and not any(ch.isspace() or ord(ch) < 32 for ch in link)), (key, link)


def test_hostile_fields_stay_text_and_only_http_links_come_back(hostile_db: Path) -> None:
    from scanner.views import report

    with store.session(hostile_db, read_only=True) as con:
        items = report.items(con)
        cands = report.candidates(con, AS_OF.isoformat())
        titles = [r[0] for r in con.execute("SELECT title FROM items").fetchall()]
        stored_links = [r[0] for r in con.execute("SELECT link FROM clauses WHERE spec IN ('hostile-spec', 'md-spec')").fetchall()]
    hostile = [i for i in items if "hostile" in (i["source"] or "")]
    assert len(hostile) == 3 + len(HOSTILE_LINKS)
    _only_http(items)
    _only_http(cands)
    # links other than http(s) were never even stored for items ...
    assert all(i["url"] is None for i in hostile if "ok.example" not in str(i["url"]) and "hostile.example" not in str(i["url"]))
    # ... and a clause's stored javascript: link is never returned
    assert any(link and link.lower().startswith(("javascript:", "data:")) for link in stored_links)
    clause_links = [c["link"] for i in items for c in i["nearest_clauses"]] + \
        [c["link"] for c in cands for c in c["nearest_clauses"]]
    assert clause_links and all(link is None or link.startswith("https://") for link in clause_links)
    # markup in feed fields became text: no element survives, escaped markup stays literal text
    for title in titles:
        assert "<script" not in title and "<svg" not in title and "<iframe" not in title
    assert any("<img src=x onerror=alert('double')>" in t for t in titles)  # text, as the feed meant
    text = json.dumps([items, cands], ensure_ascii=False)
    assert "alert('rss-title')" not in text and "alert('cdata')" not in text
    label = next(c["label"] for c in cands if c["label"].startswith("@SUM"))
    assert label == "@SUM(1+1) <img src=x onerror=alert('label')> [x](javascript:alert(1))"


class _Audit(HTMLParser):
    ALLOWED = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "svg", "g",
               "text", "rect", "table", "thead", "tbody", "tr", "th", "td", "strong", "div",
               "span", "ul", "li", "a"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.ALLOWED:
            self.bad.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in ("src", "srcdoc", "formaction"):
                self.bad.append(f"<{tag} {name}>")
            if name == "href" and not str(value).startswith(("http://", "https://")):
                self.bad.append(f"<{tag} href={value!r}>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_exports_keep_hostile_text_inert(hostile_db: Path, tmp_path: Path) -> None:
    import csv

    import openpyxl

    from scanner.views.export import FORMATS, gather, render

    with store.session(hostile_db, read_only=True) as con:
        data = gather(con, edition=AS_OF.isoformat())
    assert any(c["label"].startswith("@SUM") for c in data.candidates)
    out = {fmt: render(fmt, data) for fmt in FORMATS}

    audit = _Audit()
    audit.feed(out["html"].decode())
    assert audit.bad == []
    shown = "".join(audit.text)
    assert "<img src=x onerror=alert('label')>" in shown  # shown as text
    assert "<script>alert('note')</script>" in shown

    for fmt in ("csv", "radar"):
        for row in csv.reader(io.StringIO(out[fmt].decode())):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (fmt, cell)
    radar = list(csv.DictReader(io.StringIO(out["radar"].decode())))
    assert all("<" not in r["description"] and "<" not in r["name"] for r in radar)

    md = out["md"].decode()
    import re

    assert not re.search(r"(?<!\\)<", md), "unescaped < in the Markdown agenda"
    assert not re.search(r"(?<!\\)\]\(\s*(javascript|data|vbscript|file):", md, re.IGNORECASE)

    feed = ET.fromstring(out["atom"])
    for el in feed.iter():
        assert el.tag.startswith("{http://www.w3.org/2005/Atom}"), el.tag
        if "href" in el.attrib:
            assert el.attrib["href"].startswith(("http://", "https://"))

    _only_http(json.loads(out["json"]))

    book = openpyxl.load_workbook(io.BytesIO(out["xlsx"]))
    try:
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                    if isinstance(cell.value, str):
                        assert not cell.value.startswith(("=", "+", "-", "@")), cell.value
                    if cell.hyperlink is not None:
                        assert str(cell.hyperlink.target).startswith(("http://", "https://"))
    finally:
        book.close()


# --- 4. bombs: refused quickly, in bounded memory ------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title><link>https://x.example/</link></item></channel></rss>
"""
QUADRATIC = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "' + b"A" * 50_000 + b'">]><rss version="2.0">'
             b"<channel><title>q</title><item><title>" + b"&a;" * 20_000 + b"</title></item></channel></rss>")
XXE = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       b'<rss version="2.0"><channel><title>&x;</title><item><title>&x;</title></item></channel></rss>')
BILLION_LAUGHS_UTF16 = BILLION_LAUGHS.decode().replace(
    'version="1.0"?>', 'version="1.0" encoding="utf-16"?>', 1).encode("utf-16")
BOMBS = {
    "billion-laughs": BILLION_LAUGHS,
    "quadratic-blowup": QUADRATIC,
    "external-entity": XXE,
    "long-prolog": b"<?xml version='1.0'?>" + b"<!-- " + b"x" * 200_000 + b" -->" + BILLION_LAUGHS.split(b"?>", 1)[1],
}


@pytest.fixture(scope="module")
def baseline_rss(tmp_path_factory: pytest.TempPathFactory) -> float:
    """Peak RSS of `wetcement ingest` on a small good feed: what bounded memory is measured against."""
    tmp = tmp_path_factory.mktemp("baseline")
    feed = tmp / "ok.xml"
    feed.write_bytes(rss(synthetic_items(5, seed=1, start=datetime(2025, 1, 1)), "ok"))
    done = run_measured(cli_cmd(tmp / "b.duckdb", "ingest", str(feed)), env=cli_env(), timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr
    return done.max_rss_mb


@pytest.mark.parametrize("kind", list(BOMBS))
def test_xml_bombs_through_ingest_exit_2_quickly_in_bounded_memory(
        db: Path, tmp_path: Path, kind: str, baseline_rss: float) -> None:
    bomb = tmp_path / f"{kind}.xml"
    bomb.write_bytes(BOMBS[kind])
    before = dump(db)
    done = run_measured(cli_cmd(db, "ingest", str(bomb)), env=cli_env(), timeout=120, cwd=REPO)
    assert done.returncode == 2, done.stderr
    assert "refused" in one_line(done.stderr) and str(bomb) in done.stderr
    assert done.seconds < 20
    assert done.max_rss_mb < baseline_rss + 60, (done.max_rss_mb, baseline_rss)
    assert dump(db) == before


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_deeply_nested_json_is_refused_with_exit_2(db: Path, tmp_path: Path, suffix: str) -> None:
    """json.loads raises RecursionError (not JSONDecodeError) on deep nesting: still exit 2."""
    nested = "[" * 100_000 + "]" * 100_000
    doc = tmp_path / f"deep{suffix}"
    doc.write_text('{"items": ' + nested + "}\n" if suffix == ".json" else '{"title": ' + nested + "}\n")
    before = dump(db)
    done = cli(db, "ingest", str(doc))
    assert done.returncode == 2, done.stderr[-500:]
    one_line(done.stderr)
    assert dump(db) == before


BOMB_GZ = Path(__file__).parent / "data" / "http" / "bomb-200mb-zeros.gz"


def test_bombs_through_fetch_are_refused_quickly_in_bounded_memory(
        db: Path, baseline_rss: float) -> None:
    env = cli_env(WETCEMENT_ALLOW_PRIVATE_NETWORKS="1")
    gz = BOMB_GZ.read_bytes()
    with FeedServer() as server:
        server.routes["/gzip.xml"] = lambda h: reply(h, 200, gz, {"Content-Encoding": "gzip",
                                                                  "Content-Type": "application/rss+xml"})
        server.routes["/laughs.xml"] = BILLION_LAUGHS
        server.routes["/laughs-utf16.xml"] = BILLION_LAUGHS_UTF16
        server.routes["/laughs-gz.xml"] = lambda h: reply(h, 200, gzip.compress(BILLION_LAUGHS),
                                                          {"Content-Encoding": "gzip"})
        with store.session(db) as con:
            con.execute("UPDATE sources SET enabled = FALSE")
        for name in ("gzip", "laughs", "laughs-gz", "laughs-utf16"):
            assert cli(db, "sources", "add", server.url(f"/{name}.xml"), "--name", name, env=env).returncode == 0
        items_before = dump(db)["items"]
        done = run_measured(cli_cmd(db, "fetch", "--format", "json"), env=env, timeout=120, cwd=REPO)
    assert done.returncode == 3, done.stderr  # every source failed
    results = {r["source"]: r for r in json.loads(done.stdout)}
    assert "after decompression" in results["gzip"]["error"]
    for name in ("laughs", "laughs-gz", "laughs-utf16"):
        assert "refused" in results[name]["error"], results[name]
    assert done.seconds < 30
    assert done.max_rss_mb < baseline_rss + 80, (done.max_rss_mb, baseline_rss)
    assert dump(db)["items"] == items_before


# --- 4. the private-network guard holds after redirects, end to end ------------------------


def test_private_network_guard_holds_after_redirects_through_fetch(
        db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from scanner.sources import http

    monkeypatch.delenv("WETCEMENT_ALLOW_PRIVATE_NETWORKS", raising=False)
    real = http.resolve
    fake_public = {"localhost": ["93.184.216.34"], "intranet.example": ["10.1.2.3"]}
    monkeypatch.setattr(http, "resolve", lambda host, port: fake_public.get(host) or real(host, port))
    feed = rss(synthetic_items(3, seed=8, start=datetime(2025, 10, 1)), "private")

    def redirect(to: str) -> Any:
        return lambda h: reply(h, 302, b"", {"Location": to})

    with FeedServer() as server:
        port = server.server_address[1]
        server.routes["/feed.xml"] = feed
        routes = {
            "to-loopback": f"http://127.0.0.1:{port}/feed.xml",
            "to-loopback-v6": f"http://[::1]:{port}/feed.xml",
            "to-metadata": "http://169.254.169.254/latest/meta-data/",
            "to-private-name": f"http://intranet.example:{port}/feed.xml",
            "to-file": "file:///etc/passwd",
            "to-zero": f"http://0.0.0.0:{port}/feed.xml",
            "chain": server.url("/hop2.xml", host="localhost"),
        }
        for name, target in routes.items():
            server.routes[f"/{name}.xml"] = redirect(target)
        server.routes["/hop2.xml"] = redirect(f"http://127.0.0.1:{port}/feed.xml")
        with store.session(db) as con:
            con.execute("UPDATE sources SET enabled = FALSE")
        for name in routes:
            code, _, err = main(db, ["sources", "add", server.url(f"/{name}.xml", host="localhost"),
                                     "--name", name], capsys)
            assert code == 0, err
        before = dump(db)
        code, out, err = main(db, ["fetch", "--format", "json"], capsys)
        requested = list(server.requests)
    assert code == 3, err
    results = {r["source"]: r["error"] for r in json.loads(out)}
    assert set(results) == set(routes)
    for name in ("to-loopback", "to-loopback-v6", "chain"):
        assert "loopback" in results[name], results[name]
    assert "link-local" in results["to-metadata"]
    assert "private" in results["to-private-name"]
    assert "only http and https" in results["to-file"]
    assert "unspecified" in results["to-zero"]
    assert "/feed.xml" not in requested  # the private target was never contacted
    assert sorted(set(requested)) == sorted({f"/{n}.xml" for n in routes} | {"/hop2.xml"})
    after = dump(db)
    assert after["items"] == before["items"] and after["raw_payloads"] == before["raw_payloads"]


def test_private_network_guard_through_the_real_process(db: Path) -> None:
    """The same, through `python -m scanner.cli`-equivalent process (resolve patched in it)."""
    wrapper = ("import sys; from scanner.sources import http; real = http.resolve; "
               "http.resolve = lambda h, p: ['93.184.216.34'] if h == 'localhost' else real(h, p); "
               "from scanner.cli import main; raise SystemExit(main(sys.argv[1:]))")
    with FeedServer() as server:
        port = server.server_address[1]
        server.routes["/feed.xml"] = rss(synthetic_items(2, seed=9, start=datetime(2025, 10, 1)), "p")
        server.routes["/go.xml"] = lambda h: reply(h, 301, b"", {"Location": f"http://127.0.0.1:{port}/feed.xml"})
        with store.session(db) as con:
            con.execute("UPDATE sources SET enabled = FALSE")
        assert cli(db, "sources", "add", server.url("/go.xml", host="localhost"), "--name", "go").returncode == 0
        done = run_measured([sys.executable, "-c", wrapper, "--db", str(db), "fetch", "--format", "json"],
                            env=cli_env(), timeout=120, cwd=REPO)
        requested = list(server.requests)
    assert done.returncode == 3, done.stderr
    assert "loopback" in json.loads(done.stdout)[0]["error"]
    assert requested == ["/go.xml"]
