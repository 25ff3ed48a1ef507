"""scanner.views.export on the bundled demo plus hostile data, read back with real parsers.

One session-scoped database: the demo (conftest's ``demo_db_master``), then a fourth edition
with a newly ingested affordance relabelled ``<script>alert(1)</script> launch``, a note
``=HYPERLINK("http://x")``, an owner ``-Bo`` and one candidate in each triage status. Every
format is checked against ``report.candidates`` for the same edition.
"""

from __future__ import annotations

import csv
import email.utils
import html
import io
import json
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import feedparser
import openpyxl
import pytest

from scanner import store
from scanner.errors import BadInput
from scanner.scanning import grouping, pipeline
from scanner.sources import ingest
from scanner.team import triage
from scanner.views import _export_formats as fm
from scanner.views import export as ex
from scanner.views import report

SCRIPT = "<script>alert(1)</script> launch"
FORMULA = '=HYPERLINK("http://x")'
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TAX_URL = "https://lab.example/news/tax-filing"
JS_TITLE = "Assistants can now file tax returns with the tax agency for you"


@dataclass(frozen=True)
class Demo:
    path: Path
    edition: str
    previous: str
    expected: list[dict[str, Any]]
    script_id: str
    formula_id: str
    ids: dict[str, str]  # status -> candidate id set by the fixture


def _rss(day: datetime) -> bytes:
    def when(d: datetime) -> str:
        return email.utils.format_datetime(d.replace(hour=10))

    return f"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Lab news</title><link>https://lab.example/</link>
<item><title>Assistants can now file your taxes with the IRS</title><link>{TAX_URL}</link>
<guid>{TAX_URL}</guid><pubDate>{when(day - timedelta(days=2))}</pubDate>
<description>Today we launch tax filing: the assistant prepares and submits your federal tax
return to the IRS on your behalf, now available to all users.</description></item>
<item><title>{JS_TITLE}</title>
<link>javascript:alert(2)</link><guid>https://lab2.example/tax</guid>
<pubDate>{when(day - timedelta(days=1))}</pubDate>
<description>Rolling out: the agent files your tax return with the government tax agency and
pays what you owe.</description></item></channel></rss>""".encode()


@pytest.fixture(scope="session")
def demo(demo_db_master: Path, tmp_path_factory: pytest.TempPathFactory) -> Demo:
    root = tmp_path_factory.mktemp("export")
    path = root / "export.duckdb"
    shutil.copy(demo_db_master, path)
    with store.session(path, read_only=True) as con:
        previous = report.candidates(con, with_items=False)
    last = datetime.fromisoformat(previous[0]["edition"])
    day = last + timedelta(days=7)
    feed = root / "lab.xml"
    feed.write_bytes(_rss(day))
    with store.session(path) as con:
        ingest.ingest_paths(con, [feed], source="lab")
    pipeline.scan(path, as_of=day.date())
    with store.session(path) as con:  # the team's verdict: both are launches, whatever the model says
        for i in report.items(con):
            if i["title"] == JS_TITLE or i["url"] == TAX_URL:
                con.execute("UPDATE item_verdicts SET override = TRUE WHERE item_id = ?", [i["id"]])
    pipeline.scan(path, as_of=day.date())
    with store.session(path) as con:
        tax = [i for i in report.items(con) if i["url"] == TAX_URL]
        assert tax and tax[0]["candidate_id"], "the ingested launch should join an affordance"
        script_id = tax[0]["candidate_id"]
        grouping.set_label(con, script_id, SCRIPT)
        others = [c["id"] for c in report.candidates(con, with_items=False) if c["id"] != script_id]
        ids = dict(zip(("watching", "drafting", "dismissed", "covered"), others, strict=False))
        triage.set_triage(con, ids["watching"], status="watching", owner="Ana", note=FORMULA, author="lead")
        triage.set_triage(con, ids["drafting"], status="drafting", owner="-Bo")
        triage.set_triage(con, ids["dismissed"], status="dismissed", note="Out of scope for now")
        triage.set_triage(con, ids["covered"], status="covered", note="Covered by the agents clause")
    with store.session(path, read_only=True) as con:
        expected = report.candidates(con)
    return Demo(path, day.date().isoformat(), last.date().isoformat(), expected, script_id,
                ids["watching"], ids)


def _export(demo: Demo, fmt: str, out: Path, **kw: Any) -> ex.ExportResult:
    with store.session(demo.path, read_only=True) as con:
        return ex.export(con, fmt, out, **kw)


def _by_id(demo: Demo) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in demo.expected}


def test_fixture_has_a_new_affordance_with_a_hostile_label(demo: Demo) -> None:
    new = [c for c in demo.expected if c["trend"] == "new"]
    assert [c["id"] for c in new] == [demo.script_id]
    assert new[0]["label"] == SCRIPT


# --- CSV -------------------------------------------------------------------------------------


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _all_cells(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as f:
        return [cell for row in csv.reader(f) for cell in row]


def test_csv_matches_candidates_and_neutralises_formulas(demo: Demo, tmp_path: Path) -> None:
    result = _export(demo, "csv", tmp_path / "watch.csv")
    items_path = tmp_path / "watch.items.csv"
    assert result.paths == [tmp_path / "watch.csv", items_path]
    assert result.edition == demo.edition and result.candidates == len(demo.expected)
    rows = _rows(tmp_path / "watch.csv")
    assert [r["id"] for r in rows] == [c["id"] for c in demo.expected]
    for row, c in zip(rows, demo.expected, strict=True):
        assert int(row["rank"]) == c["rank"]
        assert float(row["score"]) == pytest.approx(c["score"])
        for k, v in c["components"].items():
            assert float(row[k]) == pytest.approx(v)
        assert row["status"] == c["status"]
        assert row["explanation"] == c["explanation"]
        if c["nearest_clauses"]:
            assert row["evidence_section"] == c["nearest_clauses"][0]["section"]
            assert row["evidence_link"] == (c["nearest_clauses"][0]["link"] or "")
    by = {r["id"]: r for r in rows}
    assert by[demo.formula_id]["last_note"] == "'" + FORMULA
    assert by[demo.formula_id]["owner"] == "Ana"
    assert by[demo.ids["drafting"]]["owner"] == "'-Bo"
    assert by[demo.script_id]["label"] == SCRIPT  # CSV is data: kept as typed, never a formula
    for path in (tmp_path / "watch.csv", items_path):
        assert not [c for c in _all_cells(path) if c.startswith(FORMULA_START)]

    items = _rows(items_path)
    counts: dict[str, int] = {}
    for i in items:
        counts[i["candidate_id"]] = counts.get(i["candidate_id"], 0) + 1
    assert counts == {c["id"]: c["n_items"] for c in demo.expected if c["n_items"]}
    urls = {i["title"]: i["url"] for i in items}
    assert urls[JS_TITLE] == "" and TAX_URL in urls.values()  # the javascript: link is dropped


# --- JSON ------------------------------------------------------------------------------------


def test_json_has_candidates_items_evidence_and_notes(demo: Demo, tmp_path: Path) -> None:
    _export(demo, "json", tmp_path / "out.json")
    doc = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert doc["edition"] == demo.edition and doc["previous_edition"] == demo.previous
    assert [(c["id"], c["rank"], c["score"]) for c in doc["candidates"]] == [
        (c["id"], c["rank"], c["score"]) for c in demo.expected
    ]
    by = {c["id"]: c for c in doc["candidates"]}
    assert by[demo.formula_id]["last_note"]["text"] == FORMULA
    assert by[demo.formula_id]["status"] == "watching"
    assert [h["field"] for h in by[demo.formula_id]["triage_history"]] == ["status", "owner", "note"]
    for c in demo.expected:
        got = by[c["id"]]
        assert got["components"] == c["components"]
        assert got["evidence"] == (c["nearest_clauses"][0] if c["nearest_clauses"] else None)
    assert "items" in doc
    assert {i["id"] for i in doc["items"]} == {i["id"] for c in demo.expected for i in c["items"]}


# --- XLSX ------------------------------------------------------------------------------------


def test_xlsx_sheets_styles_links_and_inert_formulas(demo: Demo, tmp_path: Path) -> None:
    _export(demo, "xlsx", tmp_path / "out.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert wb.sheetnames == ["candidates", "items", "evidence", "triage history", "ratings", "checklist"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert all(c.font.b and c.fill.fill_type == "solid" for c in ws[1])
        assert all(ws.column_dimensions[c.column_letter].width > 6 for c in ws[1])
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_START)
                if cell.hyperlink is not None:
                    assert cell.hyperlink.target == cell.value
                    assert cell.value.startswith(("http://", "https://"))
    ws = wb["candidates"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]
    assert [(r["id"], r["rank"], r["score"]) for r in rows] == [
        (c["id"], c["rank"], c["score"]) for c in demo.expected
    ]
    by = {r["id"]: r for r in rows}
    assert by[demo.formula_id]["last_note"] == "'" + FORMULA
    assert by[demo.script_id]["label"] == SCRIPT
    col = header.index("evidence_link")
    assert [r[col] for r in ws.iter_rows(min_row=2) if r[col].hyperlink], "evidence links should be live"
    items = wb["items"]
    ih = [c.value for c in items[1]]
    url_col, title_col = ih.index("url"), ih.index("title")
    js = [r for r in items.iter_rows(min_row=2) if r[title_col].value == JS_TITLE]
    assert js and all(r[url_col].value is None and r[url_col].hyperlink is None for r in js)
    assert any(r[url_col].hyperlink and r[url_col].value == TAX_URL for r in items.iter_rows(min_row=2))
    history = [[c.value for c in r] for r in wb["triage history"].iter_rows(min_row=2)]
    assert (demo.formula_id, "note", "'" + FORMULA) in {(r[0], r[3], r[5]) for r in history}
    assert sum(1 for r in wb["evidence"].iter_rows(min_row=2)) == sum(
        len(c["nearest_clauses"]) for c in demo.expected
    )


# --- Markdown --------------------------------------------------------------------------------


def test_markdown_agenda_sections(demo: Demo, tmp_path: Path) -> None:
    _export(demo, "md", tmp_path / "agenda.md")
    text = (tmp_path / "agenda.md").read_text(encoding="utf-8")
    heads = [line for line in text.splitlines() if line.startswith("## ")]
    assert [h.split(" (")[0].split(":")[0] for h in heads] == [
        "## New since the last edition", "## Movers", "## Watchlist", "## Open decisions", "## Decisions made",
    ]
    sections = dict(zip(heads, text.split("\n## ")[1:], strict=True))
    new, _movers, watch, open_, made = sections.values()
    assert r"\<script\>alert(1)\</script\> launch" in new
    assert "<script>" not in text
    by = _by_id(demo)
    assert "Ana" in watch and "HYPERLINK" in watch and "Bo" in watch
    assert fm._md(by[demo.formula_id]["explanation"]) in watch
    assert "Out of scope for now" in made and "Covered by the agents clause" in made
    open_count = sum(c["status"] in ("new", "watching") for c in demo.expected)
    assert f"({open_count})" in heads[3]
    if open_count > fm.OPEN_LIMIT:
        assert f"and {open_count - fm.OPEN_LIMIT} more" in open_
    assert open_.count("\n- **") == min(open_count, fm.OPEN_LIMIT)
    assert f"(similarity {by[demo.script_id]['nearest_clauses'][0]['similarity']:.2f})" in new


# --- HTML ------------------------------------------------------------------------------------


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data
        self.text.append(data)


def test_html_is_self_contained_and_escaped(demo: Demo, tmp_path: Path) -> None:
    _export(demo, "html", tmp_path / "report.html")
    raw = (tmp_path / "report.html").read_text(encoding="utf-8")
    page = _Collect()
    page.feed(raw)
    page.close()
    names = [t for t, _ in page.tags]
    for banned in ("script", "link", "iframe", "img", "object", "embed", "base", "form"):
        assert banned not in names
    assert not [a for _, a in page.tags if "src" in a or any(k.startswith("on") for k in a)]
    hrefs = [a["href"] for t, a in page.tags if t == "a"]
    assert hrefs and all(str(h).startswith(("http://", "https://")) for h in hrefs)
    assert "@media print" in page.style and "url(" not in page.style and "@import" not in page.style
    assert names.count("svg") == 1
    assert names.count("rect") == min(fm.CHART_BARS, len(demo.expected))
    rows = [(a["id"], int(str(a["data-rank"])), float(str(a["data-score"]))) for t, a in page.tags
            if t == "tr" and "data-rank" in a]
    assert rows == [(c["id"], c["rank"], c["score"]) for c in demo.expected]
    assert SCRIPT in "".join(page.text)  # shown as text...
    assert "<script" not in raw and "&lt;script&gt;alert(1)&lt;/script&gt;" in raw  # ...never as markup
    assert any(t == "meta" and a.get("http-equiv") == "Content-Security-Policy" for t, a in page.tags)


# --- Atom ------------------------------------------------------------------------------------


def test_atom_feed_of_watchlist_and_new(demo: Demo, tmp_path: Path) -> None:
    _export(demo, "atom", tmp_path / "feed.atom")
    raw = (tmp_path / "feed.atom").read_bytes()
    assert b"<script" not in raw and b"&lt;script&gt;" in raw
    feed = feedparser.parse(raw)
    assert not feed.bozo and feed.version == "atom10"
    want = {c["id"] for c in demo.expected if c["status"] in ("watching", "drafting") or c["trend"] == "new"}
    assert want == {demo.script_id, demo.ids["watching"], demo.ids["drafting"]}
    assert len(feed.entries) == len(want) == len({e.id for e in feed.entries})
    titles = {e.title for e in feed.entries}
    assert f"[new] {SCRIPT}" in titles
    assert f"[watching] {_by_id(demo)[demo.formula_id]['label']}" in titles
    root = ET.fromstring(raw)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    for el in (root, *root.findall("a:entry", ns)):
        for tag in ("id", "title", "updated"):
            assert el.find(f"a:{tag}", ns) is not None
    assert all(link.get("href", "").startswith("https://") for link in root.iter(f"{{{ns['a']}}}link"))


# --- radar -----------------------------------------------------------------------------------


def test_radar_csv_layout_rings_and_quadrants(demo: Demo, tmp_path: Path) -> None:
    result = _export(demo, "radar", tmp_path / "radar.csv")
    text = (tmp_path / "radar.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "name,ring,quadrant,isNew,description"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(demo.expected) and len({r["name"] for r in rows}) == len(rows)
    assert {r["ring"] for r in rows} <= set(fm.RINGS)
    used = {r["quadrant"] for r in rows}
    assert used <= set(fm.QUADRANTS) and bool(result.warnings) == (len(used) < 4)
    order = [fm.RINGS.index(r["ring"]) for r in rows]
    assert order == sorted(order)  # the radar tool orders rings as they first appear
    by_name = {html.unescape(r["name"]): r for r in rows}
    by = _by_id(demo)
    for status, ring in (("watching", "Assess"), ("drafting", "Trial"), ("dismissed", "Hold"), ("covered", "Adopt")):
        assert by_name[by[demo.ids[status]]["label"]]["ring"] == ring
    for c in demo.expected:
        row = by_name[c["label"]]
        assert row["isNew"] == ("TRUE" if c["trend"] == "new" else "FALSE")
        assert row["description"] == html.escape(c["explanation"])
        if c["status"] == "new":
            assert row["ring"] == ("Assess" if c["score"] >= fm.ASSESS_MIN_SCORE else "Hold")
    assert by_name[SCRIPT]["name"] == html.escape(SCRIPT)
    assert "<script>" not in text and not [c for c in _all_cells(tmp_path / "radar.csv") if c.startswith(FORMULA_START)]


# --- filters, editions, errors ---------------------------------------------------------------


def test_status_and_domain_filters(demo: Demo, tmp_path: Path) -> None:
    result = _export(demo, "json", tmp_path / "w.json", statuses=["watching,drafting"])
    doc = json.loads((tmp_path / "w.json").read_text(encoding="utf-8"))
    assert {c["id"] for c in doc["candidates"]} == {demo.ids["watching"], demo.ids["drafting"]}
    assert result.candidates == 2 and doc["filters"]["status"] == ["watching", "drafting"]
    assert {i["candidate_id"] for i in doc["items"]} <= {demo.ids["watching"], demo.ids["drafting"]}
    _export(demo, "json", tmp_path / "m.json", domains=["memory"])
    got = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))["candidates"]
    assert got and all("memory" in c["domains"] or c["top_domain"] == "memory" for c in got)
    assert {c["id"] for c in got} == {c["id"] for c in demo.expected if "memory" in c["domains"]
                                     or fm.top_domain(c) == "memory"}


def test_earlier_edition(demo: Demo, tmp_path: Path) -> None:
    _export(demo, "csv", tmp_path / "old.csv", edition=demo.previous)
    with store.session(demo.path, read_only=True) as con:
        expected = report.candidates(con, demo.previous, with_items=False)
    rows = _rows(tmp_path / "old.csv")
    assert [(r["id"], int(r["rank"])) for r in rows] == [(c["id"], c["rank"]) for c in expected]
    assert {r["edition"] for r in rows} == {demo.previous}


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"fmt": "pdf"}, "--format 'pdf'"),
        ({"statuses": ["watching", "later"]}, "--status 'later'"),
        ({"domains": ["space"]}, "--domain 'space'"),
        ({"edition": "1999-01-01"}, "no edition dated 1999-01-01"),
        ({"edition": "tuesday"}, "YYYY-MM-DD"),
    ],
)
def test_bad_input_writes_nothing(demo: Demo, tmp_path: Path, kw: dict[str, Any], message: str) -> None:
    fmt = kw.pop("fmt", "csv")
    with pytest.raises(BadInput, match=message.replace("(", r"\(")):
        _export(demo, fmt, tmp_path / "x.csv", **kw)
    assert list(tmp_path.iterdir()) == []


def test_out_must_not_be_a_directory(demo: Demo, tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="is a directory"):
        _export(demo, "md", tmp_path)


# --- pure functions, no database ---------------------------------------------------------------


@pytest.mark.parametrize("start", FORMULA_START)
def test_sheet_cell_neutralises_every_formula_start(start: str) -> None:
    assert fm.sheet_cell(start + "1+1") == "'" + start + "1+1"


def test_sheet_cell_keeps_numbers_and_plain_text() -> None:
    assert fm.sheet_cell(-1.5) == -1.5
    assert fm.sheet_cell("plain = fine") == "plain = fine"
    assert fm.sheet_cell("\x01=1+1") == "'=1+1"  # a control character cannot hide a formula


def _cand(cid: str, rank: int, **kw: Any) -> dict[str, Any]:
    return {"id": cid, "rank": rank, "label": cid, "score": 0.4, "status": "new", "trend": "same",
            "explanation": "why", "domains": [], "precedent_domains": {}, "nearest_clauses": [],
            "notes": [], "items": [], "components": {}, **kw}


def test_pure_renderers_on_hand_made_rows() -> None:
    rows = [
        _cand("a", 1, status="covered", domains=["commerce"], score=0.9),
        _cand("b", 2, precedent_domains={"memory": {"value": 0.3}, "ambient": {"value": 0.1}}),
        _cand("c", 3, score=0.6, label="a"),
    ]
    data = fm.ExportData(edition="2025-01-01", candidates=rows)
    assert [fm.ring(c) for c in rows] == ["Adopt", "Hold", "Assess"]
    assert [fm.quadrant(c) for c in rows] == ["Acting in the world", "Perception and memory", "The model itself"]
    radar = list(csv.DictReader(io.StringIO(fm.to_radar_csv(data))))
    assert [r["name"] for r in radar] == ["a", "a (2)", "b"]
    assert fm.radar_warnings(data)
    md = fm.to_markdown(data)
    assert "The first edition" in md and "Nothing new entered." in md
    assert feedparser.parse(fm.to_atom(data)).entries == []  # nothing watched, nothing entered
    assert isinstance(ex.render("xlsx", data), bytes)
    assert set(ex.FORMATS) == {"csv", "json", "md", "xlsx", "html", "atom", "radar"}
